//! Generates two more clients through the build-script entry point a downstream crate would use:
//! one from codegen's service-facts fixture (`tests/service_facts.rs` runs it against a loopback
//! server), and one from spec/ with the money fields mapped to `rust_decimal::Decimal`
//! (`tests/decimal_samples.rs` reads the service's samples with it).

use ea_codegen::GenerateOptions;
use ea_codegen::build_script::{generate_into, generate_into_with};

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    generate_into("../codegen/tests/fixtures/service-facts.json", &out)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut decimal = GenerateOptions::new("../spec/ea-reporting-v3.json");
    decimal.crate_name = "ea-reporting-decimal".into();
    decimal.decimal_fields = [
        "consumedQuantity",
        "resourceRate",
        "extendedCost",
        "amount",
        "quantity",
        "cost",
    ]
    .map(String::from)
    .to_vec();
    generate_into_with(decimal, &out).unwrap_or_else(|e| panic!("{e}"));
}
