//! The runtime of every client ea-codegen generates: HTTP plumbing, retries, paging, ETag rules,
//! errors, timestamps, and the support of the generated command-line program and request matcher.
//!
//! It is a crate of its own, compiled, linted and tested as itself. A crate generated inside this
//! workspace depends on it by path; a stand-alone crate (a spec from elsewhere, a build script)
//! gets a copy of these files under `src/runtime/`, embedded by the generator without the unit
//! tests and their test server. So the code here knows nothing generated and no fact of any one spec, and
//! refers to its own modules only through `super::` paths, which mean the same in both places.
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "cli")]
pub mod cli_long_running;
#[cfg(feature = "cli")]
pub mod cli_support;
pub mod client;
mod csv_fields;
pub mod datetime;
pub mod decimal;
pub mod error;
pub mod etag;
#[cfg(feature = "fake")]
pub mod fakers;
pub mod long_running;
pub mod numbers;
pub mod paging;
pub mod params;
pub mod response;
pub mod retry;
#[cfg(feature = "server")]
pub mod server;
pub mod service;
pub mod service_csv;
pub mod split;
#[cfg(test)]
#[path = "../tests/support/test_server.rs"]
mod test_server;

pub use client::{ApiKey, ApiRequest, Client, ClientBuilder};
pub use error::{ApiError, DecodeError, Error};
pub use etag::ETag;
pub use paging::{ItemStream, Page, PageStream};
pub use params::ParamValue;
pub use response::{ByteStream, Conditional, NotModified, Response};
pub use retry::RetryPolicy;
pub use service::{Auth, Service};
