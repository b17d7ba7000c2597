//! End-to-end tests live in tests/tests. This crate's doc tests compile the Rust example of the
//! workspace README, so the example stays true to the generated client's API.

#[doc = include_str!("../../README.md")]
pub mod readme {}
