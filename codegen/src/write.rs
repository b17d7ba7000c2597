//! Write or check: puts the generated files on disk, or compares them byte for byte with what
//! is there and reports every stale file.

use crate::emit::GeneratedFile;
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Why a file on disk does not match the generator's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// The generator makes it, but it is not on disk.
    Missing,
    /// On disk with other contents.
    Differs,
    /// A source file under `src/` the generator does not make.
    Extra,
}

/// One stale file, path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Relative path.
    pub path: PathBuf,
    /// What is wrong with it.
    pub staleness: Staleness,
}

/// Writes the files under `out`, leaving unchanged files untouched (so cargo does not rebuild
/// them), and removes `.rs` files under `out/src` that the generator no longer makes.
pub fn write(out: &Path, files: &[GeneratedFile]) -> Result<()> {
    for file in files {
        let path = out.join(&file.path);
        if fs::read(&path).ok().as_deref() == Some(file.contents.as_bytes()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| Error::at(dir, "", format!("cannot create directory: {e}")))?;
        }
        fs::write(&path, &file.contents)
            .map_err(|e| Error::at(&path, "", format!("cannot write: {e}")))?;
    }
    for extra in extra_sources(out, files)? {
        let path = out.join(&extra);
        fs::remove_file(&path)
            .map_err(|e| Error::at(&path, "", format!("cannot remove stale file: {e}")))?;
    }
    Ok(())
}

/// Every file under `out` that differs from `files`, is missing, or is an extra source file.
pub fn check(out: &Path, files: &[GeneratedFile]) -> Result<Vec<StaleFile>> {
    let mut stale = Vec::new();
    for file in files {
        match fs::read(out.join(&file.path)) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => stale.push(StaleFile {
                path: file.path.clone(),
                staleness: Staleness::Differs,
            }),
            Err(_) => stale.push(StaleFile {
                path: file.path.clone(),
                staleness: Staleness::Missing,
            }),
        }
    }
    for path in extra_sources(out, files)? {
        stale.push(StaleFile {
            path,
            staleness: Staleness::Extra,
        });
    }
    Ok(stale)
}

/// `.rs` files under `out/src` that are not among `files`, sorted.
fn extra_sources(out: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>> {
    let wanted: BTreeSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    let mut extra = Vec::new();
    let mut dirs = vec![PathBuf::from("src")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(out.join(&dir)) else {
            continue;
        };
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::at(out.join(&dir), "", format!("cannot list: {e}")))?;
            let rel = dir.join(entry.file_name());
            if entry.path().is_dir() {
                dirs.push(rel);
            } else if rel.extension().is_some_and(|e| e == "rs") && !wanted.contains(rel.as_path())
            {
                extra.push(rel);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: PathBuf::from(path),
            contents: contents.to_string(),
        }
    }

    #[test]
    fn write_then_check_is_clean_and_edits_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            file("Cargo.toml", "[package]\n"),
            file("src/lib.rs", "pub mod a;\n"),
            file("src/a.rs", ""),
        ];
        write(dir.path(), &files).unwrap();
        assert_eq!(check(dir.path(), &files).unwrap(), vec![]);

        fs::write(dir.path().join("src/lib.rs"), "edited by hand\n").unwrap();
        fs::remove_file(dir.path().join("src/a.rs")).unwrap();
        fs::write(dir.path().join("src/old.rs"), "").unwrap();
        let stale = check(dir.path(), &files).unwrap();
        assert_eq!(
            stale,
            vec![
                StaleFile {
                    path: "src/lib.rs".into(),
                    staleness: Staleness::Differs
                },
                StaleFile {
                    path: "src/a.rs".into(),
                    staleness: Staleness::Missing
                },
                StaleFile {
                    path: "src/old.rs".into(),
                    staleness: Staleness::Extra
                },
            ]
        );

        write(dir.path(), &files).unwrap();
        assert_eq!(check(dir.path(), &files).unwrap(), vec![]);
        assert!(!dir.path().join("src/old.rs").exists());
    }
}
