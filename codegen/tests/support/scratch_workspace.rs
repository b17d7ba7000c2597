//! The scratch workspace the compile tests put generated crates into: a manifest naming them,
//! this workspace's Cargo.lock (so the check runs offline, on pinned versions), and
//! `cargo check --all-targets --all-features` with `-D warnings`.

use std::path::Path;
use std::process::Command;

/// Checks the crates `members` (folders under `root`) with the target folder `target`; fails the
/// test with the compiler's output, prefixed by `what`, when one does not build.
pub fn check_offline(root: &Path, members: &[String], target: &Path, what: &str) {
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            list.join(", ")
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
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{what}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
