//! The generator on Microsoft's published Microsoft.Consumption documents (Swagger 2.0 with
//! AutoRest's extensions), read from `../shared/azure-specs` beside this repository: they are
//! Microsoft's, so they are not copied here. Each generates a crate that compiles with
//! `-D warnings` and every feature. With `CI=true` the documents must be there; elsewhere the
//! test says it skipped them, so a clone without `../shared` still passes.

use ea_codegen::{GenerateOptions, generate};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The versions under `stable/`, oldest first.
const VERSIONS: [&str; 3] = ["2017-11-30", "2019-10-01", "2023-11-01"];

/// `shared/azure-specs/.../stable`, next to the repository.
fn stable_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/azure-specs/consumption/resource-manager/Microsoft.Consumption/stable")
}

/// The documents, or `None` (after saying so) when they are not there outside CI.
fn documents() -> Option<Vec<(&'static str, PathBuf)>> {
    let docs: Vec<(&str, PathBuf)> = VERSIONS
        .iter()
        .map(|v| (*v, stable_dir().join(v).join("consumption.json")))
        .collect();
    let missing: Vec<&PathBuf> = docs
        .iter()
        .map(|(_, p)| p)
        .filter(|p| !p.is_file())
        .collect();
    if missing.is_empty() {
        return Some(docs);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the Azure documents are missing: {missing:?}");
    }
    eprintln!("skipped: the Azure documents are not there ({missing:?})");
    None
}

fn crate_name(version: &str) -> String {
    format!("azure-consumption-{}", version.replace('-', ""))
}

#[test]
fn every_azure_document_generates_a_crate_that_compiles() {
    let Some(docs) = documents() else { return };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("azure-crates");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let mut members = Vec::new();
    for (version, path) in &docs {
        let mut options = GenerateOptions::new(path);
        options.crate_name = crate_name(version);
        let files = generate(&options).unwrap_or_else(|e| panic!("{version}: {e}"));
        ea_codegen::write::write(&root.join(version), &files).unwrap();
        members.push(format!("{version:?}"));
    }
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy("../Cargo.lock", root.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--offline",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--quiet",
        ])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", tmp.join("azure-target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "a crate generated from an Azure document does not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The audit's table lists every keyword and AutoRest extension the three documents use.
#[test]
fn every_keyword_of_the_azure_documents_is_in_the_audit_table() {
    let Some(docs) = documents() else { return };
    for (version, path) in docs {
        let doc = ea_codegen::load::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let unlisted = ea_codegen::lower::audit::unlisted(&doc);
        assert!(
            unlisted.is_empty(),
            "{version}: not in the audit table: {unlisted:?}"
        );
    }
}
