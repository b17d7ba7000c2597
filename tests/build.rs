//! Generates a second client, from codegen's service-facts fixture, through the build-script
//! entry point a downstream crate would use; `tests/service_facts.rs` includes it and runs it
//! against a loopback server.

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    ea_codegen::build_script::generate_into("../codegen/tests/fixtures/service-facts.json", &out)
        .unwrap_or_else(|e| panic!("{e}"));
}
