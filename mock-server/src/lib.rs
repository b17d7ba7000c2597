//! ea-mock-server: impersonates the Azure EA Reporting API for client tests and CI.
//!
//! Every operation of the spec is served from a seeded, generated world per
//! enrollment: the same seed gives the same bytes on every machine. See the crate's
//! README for the HTTP behaviour, flags and CI recipes.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use ea_mock_server::{Config, MockServer};
//! let server = MockServer::start(Config { port: 0, ..Config::default() }).await?;
//! println!("mock at {} with key {}", server.url(), ea_mock_server::config::DEFAULT_API_KEY);
//! server.shutdown().await
//! # }
//! ```

mod admin;
mod api;
mod auth;
pub mod blob;
pub mod body;
mod conditional;
pub mod config;
pub mod domain;
pub mod faults;
pub mod front;
pub mod journal;
pub mod keys;
pub mod logging;
mod memo;
mod origin;
mod paging;
mod problem;
pub mod render;
pub mod report;
pub mod report_api;
pub mod resolve;
pub mod sas;
pub mod scenarios;
pub mod server;
pub mod stable_hash;
pub mod state;
mod storage_error;
mod swagger;
#[cfg(test)]
mod test_support;
pub mod totals;
pub mod universe;
mod validate;
pub mod view;
pub mod wire;

pub use blob::BlobRequests;
pub use config::{Config, ConfigError, LogFormat};
pub use journal::JournalEntry;
pub use keys::MintOptions;
pub use scenarios::{FaultAction, FaultRule, RuleId, RuleStatus};
pub use server::{
    MockServer, app, blob_app, blob_router, router, serve, serve_with_blob, serve_with_shutdown,
    served, shutdown_signal, try_app, try_blob_app,
};

/// The spec document served at `/swagger/docs/v3`, embedded at build time.
pub const SPEC_JSON: &str = include_str!("../../spec/ea-reporting-v3.json");
