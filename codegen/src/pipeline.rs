//! The generator, top to bottom: load → upgrade → parse → lower → emit. Pure apart from reading
//! the spec file; writing is [`crate::write`]'s job.

use crate::emit::{CliEnv, EmitOptions, GeneratedFile, Runtime, emit};
use crate::error::Result;
use crate::ir::{Api, TypeRef};
use crate::lower::{LowerOptions, lower};
use std::path::{Path, PathBuf};

/// Everything a generation run needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The spec file (Swagger 2.0 or OpenAPI 3.0.x, JSON or YAML).
    pub spec: PathBuf,
    /// Package name of the generated crate.
    pub crate_name: String,
    /// Package version of the generated crate.
    pub crate_version: String,
    /// Number fields to map to `rust_decimal::Decimal` (see [`LowerOptions::decimal_fields`]).
    pub decimal_fields: Vec<String>,
    /// The command that regenerates the crate, for the header of every file.
    pub regenerate_command: String,
    /// Where the crate gets the client runtime from: embedded (the default, for a crate that
    /// stands alone) or a path dependency on the `ea-runtime` crate.
    pub runtime: Runtime,
}

impl GenerateOptions {
    /// The defaults of `ea-codegen generate`: spec/ea-reporting-v3.json → crate `ea-reporting`.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        GenerateOptions {
            spec: spec.into(),
            crate_name: "ea-reporting".into(),
            crate_version: "0.1.0".into(),
            decimal_fields: Vec::new(),
            regenerate_command: "cargo run -p ea-codegen -- generate".into(),
            runtime: Runtime::Embedded,
        }
    }
}

impl GenerateOptions {
    /// What `cargo run -p ea-codegen -- generate` does in this workspace: spec/ea-reporting-v3.json
    /// → generated/, which depends on the runtime crate at `../codegen/runtime` (paths relative to
    /// the workspace root, and to generated/ for the runtime).
    pub fn for_this_workspace() -> Self {
        let mut options = GenerateOptions::new("spec/ea-reporting-v3.json");
        options.runtime = Runtime::Path(WORKSPACE_RUNTIME.into());
        options
    }
}

/// The runtime crate as a crate generated into this workspace's generated/ reaches it.
pub const WORKSPACE_RUNTIME: &str = "../codegen/runtime";

/// Reads the spec and returns every file of the generated crate.
pub fn generate(options: &GenerateOptions) -> Result<Vec<GeneratedFile>> {
    generate_with_inputs(options).map(|(files, _)| files)
}

/// [`generate`], and every file the spec was read from (the root and the files its `$ref`s
/// name), as opened.
pub fn generate_with_inputs(
    options: &GenerateOptions,
) -> Result<(Vec<GeneratedFile>, Vec<PathBuf>)> {
    let (api, inputs) = load_bundled(&options.spec, None, &options.decimal_fields)?;
    Ok((emit_api(&api, options)?, inputs))
}

/// Like [`generate`], for a spec already in memory (`file` names it in errors).
pub fn generate_from_str(
    file: &Path,
    text: &str,
    options: &GenerateOptions,
) -> Result<Vec<GeneratedFile>> {
    let api = load_api(file, Some(text), &options.decimal_fields)?;
    emit_api(&api, options)
}

/// load → upgrade → parse → lower.
pub fn load_api(file: &Path, text: Option<&str>, decimal_fields: &[String]) -> Result<Api> {
    load_bundled(file, text, decimal_fields).map(|(api, _)| api)
}

/// [`load_api`], and every file the document was read from, as opened (for a build script's
/// `rerun-if-changed`).
pub fn load_bundled(
    file: &Path,
    text: Option<&str>,
    decimal_fields: &[String],
) -> Result<(Api, Vec<PathBuf>)> {
    let value = match text {
        Some(text) => crate::load::load_str(file, text)?,
        None => crate::load::load(file)?,
    };
    let bundle = crate::bundle::bundle(file, value)?;
    let swagger2 = crate::source_pointer::is_swagger2(&bundle.doc);
    // The audit after conversion, so the conversion's own refusals (with their more specific
    // messages) come first; it reads the document as written.
    let lowered = crate::parse::finish(file, bundle.doc.clone()).and_then(|(_, doc)| {
        crate::lower::audit::audit(file, &bundle.doc)?;
        lower(
            file,
            &doc,
            &LowerOptions {
                decimal_fields: decimal_fields.to_vec(),
            },
            swagger2,
        )
    });
    let mut api = lowered.map_err(|e| bundle.locate(e))?;
    api.inputs = bundle.inputs;
    Ok((api, bundle.files))
}

fn emit_api(api: &Api, options: &GenerateOptions) -> Result<Vec<GeneratedFile>> {
    let uses_decimal = api
        .models
        .iter()
        .flat_map(|m| &m.fields)
        .any(|f| f.ty == TypeRef::Decimal);
    emit(
        api,
        &EmitOptions {
            crate_name: options.crate_name.clone(),
            crate_version: options.crate_version.clone(),
            regenerate_command: options.regenerate_command.clone(),
            uses_decimal,
            runtime: options.runtime.clone(),
            env: CliEnv::for_crate(&options.crate_name),
        },
    )
}
