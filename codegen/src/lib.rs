//! ea-codegen: reads the Swagger document the EA Reporting service publishes (Swagger 2.0, or
//! OpenAPI 3.0.x; JSON or YAML) and writes a complete Rust client crate.
//!
//! A pipeline of pure stages, one module each, read top to bottom:
//! [`load`] → [`upgrade`] → [`parse`] → [`lower`] (into [`ir`]) → [`emit`] → [`write`](mod@write).
//! [`pipeline`] strings them together; [`build_script`] serves a downstream `build.rs`.

pub mod build_script;
pub mod bundle;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod parse;
pub mod pipeline;
pub mod source_pointer;
pub mod upgrade;
pub mod write;

pub use emit::{GeneratedFile, Runtime};
pub use error::{Error, Result};
pub use pipeline::{GenerateOptions, generate, generate_from_str};
