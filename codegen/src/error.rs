//! The one error type of the generator: every failure names the spec file and, where it
//! concerns the document's content, the JSON pointer of the offending node.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with a spec document or with writing the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The spec file (or output file) the problem is in.
    pub file: PathBuf,
    /// JSON pointer (RFC 6901) of the node at fault; empty for the whole document.
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Error {
    /// An error at `pointer` inside `file`.
    pub fn at(
        file: impl AsRef<Path>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            file: file.as_ref().to_path_buf(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: at {}: {}",
                self.file.display(),
                self.pointer,
                self.message
            )
        }
    }
}

impl std::error::Error for Error {}

/// Result alias for the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 asks.
pub fn push_pointer(base: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(
            push_pointer("/paths", "/v3/enrollments/{id}"),
            "/paths/~1v3~1enrollments~1{id}"
        );
        assert_eq!(push_pointer("", "a~b"), "/a~0b");
    }

    #[test]
    fn display_names_file_and_pointer() {
        let e = Error::at("spec/x.json", "/definitions/Foo", "unresolved $ref");
        assert_eq!(
            e.to_string(),
            "spec/x.json: at /definitions/Foo: unresolved $ref"
        );
    }
}
