//! The client runtime (the `ea-runtime` crate in codegen/runtime/) as a generated crate sees it:
//! a path dependency, or a copy of its sources without the tests; and, either way, the
//! dependency versions and features of the generated crate, read from the runtime's own manifest
//! so that they are written in one place.

use std::sync::LazyLock;

use super::{GeneratedFile, text_file};

/// Where a generated crate gets its runtime from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// A copy of the runtime's sources under `src/runtime/`, without its tests: for a crate that
    /// stands alone (a spec from elsewhere, a build script).
    Embedded,
    /// A path dependency on the `ea-runtime` crate, written into `Cargo.toml` as given (relative
    /// to the generated crate): for a crate generated inside this workspace.
    Path(String),
}

/// The runtime's manifest: the source of every generated crate's dependencies and features.
static MANIFEST: LazyLock<toml_edit::DocumentMut> = LazyLock::new(|| {
    include_str!("../../runtime/Cargo.toml")
        .parse()
        .expect("codegen/runtime/Cargo.toml is valid TOML (it is a workspace member)")
});

/// What a crate with `Decimal` fields adds: the crate, and fake's support for it.
const RUST_DECIMAL: &str = r#"{ version = "1.43.0", features = ["serde-with-float"] }"#;

/// The runtime's sources, by file name under `src/`.
const SOURCES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../../runtime/src/lib.rs")),
    (
        "cli_long_running.rs",
        include_str!("../../runtime/src/cli_long_running.rs"),
    ),
    (
        "cli_support.rs",
        include_str!("../../runtime/src/cli_support.rs"),
    ),
    ("client.rs", include_str!("../../runtime/src/client.rs")),
    (
        "csv_fields.rs",
        include_str!("../../runtime/src/csv_fields.rs"),
    ),
    ("datetime.rs", include_str!("../../runtime/src/datetime.rs")),
    ("decimal.rs", include_str!("../../runtime/src/decimal.rs")),
    ("error.rs", include_str!("../../runtime/src/error.rs")),
    ("etag.rs", include_str!("../../runtime/src/etag.rs")),
    (
        "long_running.rs",
        include_str!("../../runtime/src/long_running.rs"),
    ),
    ("numbers.rs", include_str!("../../runtime/src/numbers.rs")),
    ("fakers.rs", include_str!("../../runtime/src/fakers.rs")),
    ("paging.rs", include_str!("../../runtime/src/paging.rs")),
    ("params.rs", include_str!("../../runtime/src/params.rs")),
    ("response.rs", include_str!("../../runtime/src/response.rs")),
    ("retry.rs", include_str!("../../runtime/src/retry.rs")),
    ("server.rs", include_str!("../../runtime/src/server.rs")),
    ("service.rs", include_str!("../../runtime/src/service.rs")),
    (
        "service_csv.rs",
        include_str!("../../runtime/src/service_csv.rs"),
    ),
    ("split.rs", include_str!("../../runtime/src/split.rs")),
];

/// The runtime's package name, as its manifest gives it (`ea-runtime`).
pub(super) fn package() -> &'static str {
    MANIFEST["package"]["name"]
        .as_str()
        .expect("the runtime manifest names its package")
}

/// The `[dependencies]` lines of the runtime, comments dropped, in the manifest's order; with
/// `decimal`, also `rust_decimal`, and fake's `rust_decimal` feature.
pub(super) fn dependencies(decimal: bool) -> String {
    let mut table = MANIFEST["dependencies"]
        .as_table()
        .expect("the runtime manifest has [dependencies]")
        .clone();
    if decimal {
        table["fake"]["features"]
            .as_array_mut()
            .expect("the runtime's fake dependency lists features")
            .push("rust_decimal");
        table["rust_decimal"] = RUST_DECIMAL
            .parse::<toml_edit::Value>()
            .map(toml_edit::Item::Value)
            .expect("RUST_DECIMAL is a TOML value");
    }
    table
        .iter()
        .map(|(name, item)| format!("{name} = {}\n", item.to_string().trim()))
        .collect()
}

/// The runtime's features (all but `default`), each with what it enables, in the manifest's order.
pub(super) fn features() -> Vec<(String, Vec<String>)> {
    MANIFEST["features"]
        .as_table()
        .expect("the runtime manifest has [features]")
        .iter()
        .filter(|(name, _)| *name != "default")
        .map(|(name, item)| {
            let enables = item
                .as_array()
                .expect("a feature is an array")
                .iter()
                .map(|v| v.as_str().expect("a feature entry is a string").to_string())
                .collect();
            (name.to_string(), enables)
        })
        .collect()
}

/// The runtime's files for `src/runtime/`: `lib.rs` becomes `mod.rs`, and every `#[cfg(test)]`
/// item is left out (the tests, and the test server they share, run in the runtime crate).
pub(super) fn embedded_files(header: &str) -> Vec<GeneratedFile> {
    let header = header.replace(
        "Do not edit by hand.",
        "Do not edit by hand: the source is the ea-runtime crate (codegen/runtime/src/).",
    );
    SOURCES
        .iter()
        .map(|(name, text)| {
            let name = if *name == "lib.rs" { "mod.rs" } else { name };
            text_file(
                &format!("src/runtime/{name}"),
                format!("{header}\n{}", without_tests(text)),
            )
        })
        .collect()
}

/// `source` without its top-level `#[cfg(test)]` items. The runtime is rustfmt-formatted, so such
/// an item is the attribute line, maybe more attribute lines, then either one line ending in `;`
/// or everything up to the next `}` at the start of a line.
fn without_tests(source: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line != "#[cfg(test)]" {
            out.push(line);
            continue;
        }
        for item in lines.by_ref() {
            if item.starts_with("#[") {
                continue;
            }
            if !item.ends_with(';') {
                for rest in lines.by_ref() {
                    if rest == "}" {
                        break;
                    }
                }
            }
            break;
        }
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_file_is_listed() {
        let on_disk: std::collections::BTreeSet<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/runtime/src"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        let listed: std::collections::BTreeSet<String> =
            SOURCES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn the_embedded_copy_has_no_test_code_and_parses() {
        for (name, text) in SOURCES {
            let stripped = without_tests(text);
            assert!(!stripped.contains("cfg(test)"), "{name}");
            assert!(!stripped.contains("#[test]"), "{name}");
            assert!(!stripped.contains("test_server"), "{name}");
            syn::parse_file(&stripped).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                stripped.ends_with("}\n") || stripped.ends_with(";\n"),
                "{name}"
            );
        }
    }

    #[test]
    fn strips_items_with_and_without_bodies() {
        let source = "pub fn a() {}\n\n#[cfg(test)]\n#[path = \"x.rs\"]\nmod x;\n\nfn b() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
        assert_eq!(without_tests(source), "pub fn a() {}\n\nfn b() {}\n");
    }

    #[test]
    fn dependencies_and_features_come_from_the_runtime_manifest() {
        let deps = dependencies(false);
        assert!(deps.starts_with("bytes = "), "{deps}");
        assert!(!deps.contains("rust_decimal"), "{deps}");
        let decimal = dependencies(true);
        assert!(
            decimal.contains(r#"features = ["derive", "chrono", "rust_decimal"]"#),
            "{decimal}"
        );
        assert!(
            decimal.ends_with(&format!("rust_decimal = {RUST_DECIMAL}\n")),
            "{decimal}"
        );
        assert_eq!(package(), "ea-runtime");
        assert!(deps.contains("reqwest = { version = "), "{deps}");
        assert!(!deps.contains('#'), "{deps}");
        let names: Vec<String> = features().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["server", "fake", "cli"]);
    }
}
