//! ea-mock-server: impersonates the Azure EA Reporting API for client tests and CI.
//!
//! The standalone building blocks live here; the router that ties them to the
//! generated `Operation` enum comes later.

pub mod auth;
pub mod conditional;
pub mod config;
pub mod faults;
pub mod problem;
pub mod stable_hash;
pub mod universe;
pub mod validate;
