//! Lower: `openapiv3::OpenAPI` → the generator's own model ([`crate::ir::Api`]).
//!
//! Everything the emitter needs is decided here: Rust names, types, which response is the
//! success body, which operations are paged. Constructs the generated crate cannot express
//! are refused with the JSON pointer of the node, never lowered to something that would not compile.
//!
//! This file holds the entry point and the state every step shares; the steps themselves are
//! methods of `Lowerer` spread over one module per job.

mod all_of;
pub mod audit;
mod bodies;
mod components;
mod csv;
mod decimals;
mod discriminator;
mod enums;
mod fakers;
mod long_running;
mod models;
mod operations;
mod paging;
mod param_rules;
mod recursion;
mod refs;
mod responses;
mod service;
mod splittable;
mod types;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use openapiv3::{OpenAPI, ReferenceOr, Schema};

use crate::error::{Error, Result};
use crate::ir::{Api, EnumType, Model, Union};

pub use crate::source_pointer::original_pointer;
pub use decimals::glob_match;
pub use fakers::choose_faker;

/// Choices a user makes about the generated types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LowerOptions {
    /// Number fields to map to `rust_decimal::Decimal`: a JSON property name (`cost`), a
    /// `Schema.property` pair (`PriceSheetV3.unitPrice`), either with `*` wildcards (`*Cost`).
    pub decimal_fields: Vec<String>,
}

/// Lowers a parsed (OpenAPI 3.0) document. `swagger2` says whether the file on disk was
/// Swagger 2.0, so that pointers in errors name nodes of that file, not of the upgraded one.
pub fn lower(file: &Path, doc: &OpenAPI, options: &LowerOptions, swagger2: bool) -> Result<Api> {
    let mut cx = Lowerer {
        file: file.to_path_buf(),
        swagger2,
        doc,
        options,
        models: Vec::new(),
        enums: Vec::new(),
        unions: Vec::new(),
        named: HashMap::new(),
        taken_types: HashSet::new(),
        auth: None,
    };
    cx.auth = cx.lower_auth()?;
    cx.declare_components()?;
    cx.lower_components()?;
    let operations = cx.lower_operations()?;
    cx.box_value_cycles();
    cx.break_fake_cycles();
    let base_url = doc
        .servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_string())
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"));
    Ok(Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        base_url,
        retry_after_headers: cx.lower_retry_after_headers()?,
        auth: cx.auth,
        models: cx.models,
        enums: cx.enums,
        unions: cx.unions,
        operations,
        inputs: vec![file.file_name().map(PathBuf::from).unwrap_or_default()],
    })
}

/// What a component schema becomes.
#[derive(Debug, Clone)]
enum Named {
    /// A struct with this Rust name.
    Model(String),
    /// An enum with this Rust name.
    Enum(String),
    /// A polymorphic schema (a `discriminator` with subtypes): an enum over them.
    Union(String),
    /// Nothing of its own: references to it use the type of its schema.
    Inline,
}

/// The state every lowering step shares: the document and options in, the types declared so far.
struct Lowerer<'a> {
    file: PathBuf,
    swagger2: bool,
    doc: &'a OpenAPI,
    options: &'a LowerOptions,
    models: Vec<Model>,
    enums: Vec<EnumType>,
    unions: Vec<Union>,
    /// Component schema name → what it became.
    named: HashMap<String, Named>,
    taken_types: HashSet<String>,
    /// How the key is sent: its header is never a method argument.
    auth: Option<crate::ir::Auth>,
}

/// How deep `$ref` chains and `allOf` nesting may go before they are taken for a cycle.
const MAX_REF_DEPTH: usize = 32;

impl<'a> Lowerer<'a> {
    /// An error at a pointer of the upgraded document, reported against the file on disk.
    fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::at(
            &self.file,
            original_pointer(pointer, self.swagger2),
            message,
        )
    }

    fn schemas(&self) -> Option<&'a IndexMap<String, ReferenceOr<Schema>>> {
        self.doc.components.as_ref().map(|c| &c.schemas)
    }
}
