//! The end-to-end test binary: one binary, modules inside, so the workspace links it once.
//!
//! `support` holds the harness (the mock in-process on an ephemeral port, with a request
//! log). `big_month`, `every_operation`, `paging`, `etag` and `errors` drive the mock
//! through the generated client, `cli` through the generated command-line program;
//! `spec_coverage`, `models` and `operations` check the spec and the generated code, `samples`
//! that responses as the real service wrote them read into the models intact.

mod big_month;
mod cli;
mod errors;
mod etag;
mod every_operation;
mod models;
mod operations;
mod paging;
mod report;
mod samples;
mod spec_coverage;
mod support;
mod swagger_ui;
