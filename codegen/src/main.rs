//! `ea-codegen`: the command line around the generator library.

use clap::{Args, Parser, Subcommand};
use ea_codegen::pipeline::WORKSPACE_RUNTIME;
use ea_codegen::write::{Staleness, check, write};
use ea_codegen::{GenerateOptions, Runtime, generate};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Generates the ea-reporting client crate from the EA Reporting Swagger document.
#[derive(Debug, Parser)]
#[command(name = "ea-codegen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the generated crate.
    Generate(Target),
    /// Exit non-zero, naming the stale files, when the crate on disk differs from what the spec gives.
    Check(Target),
}

#[derive(Debug, Args)]
struct Target {
    /// The spec: Swagger 2.0 or OpenAPI 3.0.x, JSON or YAML.
    #[arg(long, default_value = "spec/ea-reporting-v3.json")]
    spec: PathBuf,
    /// Directory of the generated crate.
    #[arg(long, default_value = "generated")]
    out: PathBuf,
    /// Package name of the generated crate.
    #[arg(long, default_value = "ea-reporting")]
    crate_name: String,
    /// Package version of the generated crate.
    #[arg(long, default_value = "0.1.0")]
    crate_version: String,
    /// Number fields to map to rust_decimal::Decimal: `cost`, `PriceSheetV3.unitPrice`, `*Cost` (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    decimal_fields: Vec<String>,
    /// Depend on the ea-runtime crate at this path (relative to the generated crate) instead of
    /// embedding a copy of it. Default: `../codegen/runtime` when `--out` is left at `generated`
    /// (this workspace's own crate); otherwise the runtime is embedded.
    #[arg(long, value_name = "PATH", conflicts_with = "embed_runtime")]
    runtime_path: Option<String>,
    /// Embed a copy of the runtime under src/runtime/, so the crate stands alone.
    #[arg(long)]
    embed_runtime: bool,
}

impl Target {
    /// The options, and the exact command that reproduces them (written into every file).
    fn options(&self) -> GenerateOptions {
        let mut command = String::from("cargo run -p ea-codegen -- generate");
        let defaults = GenerateOptions::new("spec/ea-reporting-v3.json");
        if self.spec != defaults.spec {
            command.push_str(&format!(" --spec {}", self.spec.display()));
        }
        if self.out != Path::new("generated") {
            command.push_str(&format!(" --out {}", self.out.display()));
        }
        if self.crate_name != defaults.crate_name {
            command.push_str(&format!(" --crate-name {}", self.crate_name));
        }
        if self.crate_version != defaults.crate_version {
            command.push_str(&format!(" --crate-version {}", self.crate_version));
        }
        if !self.decimal_fields.is_empty() {
            command.push_str(&format!(
                " --decimal-fields {}",
                self.decimal_fields.join(",")
            ));
        }
        let in_workspace = self.out == Path::new("generated");
        let runtime = match (&self.runtime_path, self.embed_runtime) {
            (Some(path), _) => {
                command.push_str(&format!(" --runtime-path {path}"));
                Runtime::Path(path.clone())
            }
            (None, true) => {
                if in_workspace {
                    command.push_str(" --embed-runtime");
                }
                Runtime::Embedded
            }
            (None, false) if in_workspace => Runtime::Path(WORKSPACE_RUNTIME.into()),
            (None, false) => Runtime::Embedded,
        };
        GenerateOptions {
            runtime,
            spec: self.spec.clone(),
            crate_name: self.crate_name.clone(),
            crate_version: self.crate_version.clone(),
            decimal_fields: self.decimal_fields.clone(),
            regenerate_command: command,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (target, checking) = match &cli.command {
        Command::Generate(t) => (t, false),
        Command::Check(t) => (t, true),
    };
    let options = target.options();
    let files = match generate(&options) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if checking {
        match check(&target.out, &files) {
            Ok(stale) if stale.is_empty() => {
                println!(
                    "{} is up to date with {}",
                    target.out.display(),
                    target.spec.display()
                );
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                eprintln!(
                    "{} is stale; regenerate with: {}",
                    target.out.display(),
                    options.regenerate_command
                );
                for file in stale {
                    let why = match file.staleness {
                        Staleness::Missing => "missing",
                        Staleness::Differs => "differs",
                        Staleness::Extra => "not generated",
                    };
                    eprintln!("  {} ({why})", target.out.join(&file.path).display());
                }
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        }
    } else {
        match write(&target.out, &files) {
            Ok(()) => {
                println!("wrote {} files to {}", files.len(), target.out.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        }
    }
}
