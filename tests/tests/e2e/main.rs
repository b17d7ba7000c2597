//! The end-to-end test binary: one binary, modules inside, so the workspace links it once.

mod models;
mod spec_coverage;
