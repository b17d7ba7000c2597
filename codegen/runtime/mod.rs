//! Hand-written runtime shared by every generated operation.
//!
//! The generator copies this directory verbatim into the generated crate, so
//! the code here must not depend on anything generated. Generated models,
//! operations and the mock-server request matcher call into these modules.
#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "cli")]
pub mod cli_support;
pub mod client;
pub mod datetime;
pub mod error;
pub mod etag;
#[cfg(feature = "fake")]
pub mod fakers;
pub mod paging;
pub mod params;
pub mod response;
pub mod retry;
#[cfg(feature = "server")]
pub mod server;

pub use client::{ApiKey, ApiRequest, Client, ClientBuilder};
pub use error::{ApiError, DecodeError, Error};
pub use etag::ETag;
pub use paging::{ItemStream, Page, PageStream};
pub use params::ParamValue;
pub use response::{ByteStream, Conditional, NotModified, Response};
pub use retry::RetryPolicy;
