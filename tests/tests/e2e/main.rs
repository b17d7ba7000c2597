//! The end-to-end test binary: one binary, modules inside, so the workspace links it once.

mod models;
mod operations;
mod spec_coverage;
