//! Stage 1: bytes → `serde_json::Value`.
//!
//! Everything downstream works on one JSON tree, so YAML is converted to exactly the
//! `Value` its JSON spelling would give. Syntax errors carry line and column because the
//! tree (and so a JSON pointer) does not exist yet.

use std::path::Path;

use serde_json::{Map, Number, Value};

use crate::error::{Error, Result, push_pointer};

/// The two surface syntaxes a spec can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
}

/// Reads and parses the spec at `path`.
pub fn load(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::at(path, "", format!("cannot read the spec: {e}")))?;
    load_str(path, &text)
}

/// Parses `text` as JSON or YAML; `file` names it in errors and picks the syntax by extension.
pub fn load_str(file: &Path, text: &str) -> Result<Value> {
    match syntax_of(file, text) {
        Syntax::Json => parse_json(file, text),
        Syntax::Yaml => parse_yaml(file, text),
    }
}

/// The extension decides; without a known one, a leading `{` means JSON (YAML would also
/// accept most JSON, but its error positions and number rules differ).
fn syntax_of(file: &Path, text: &str) -> Syntax {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Syntax::Json,
        Some("yaml" | "yml") => Syntax::Yaml,
        _ => {
            let first = text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .chars()
                .next();
            if first == Some('{') {
                Syntax::Json
            } else {
                Syntax::Yaml
            }
        }
    }
}

fn parse_json(file: &Path, text: &str) -> Result<Value> {
    // A UTF-8 BOM is legal in files saved by Windows tools (Swashbuckle's home turf).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let what = full.strip_suffix(&suffix).unwrap_or(&full);
        Error::at(
            file,
            "",
            format!(
                "invalid JSON at line {}, column {}: {what}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn parse_yaml(file: &Path, text: &str) -> Result<Value> {
    let syntax_error = |e: serde_yaml::Error| {
        let full = e.to_string();
        let message = match e.location() {
            Some(loc) => {
                // libyaml errors already end in "at line L column C"; say it once.
                let what = full
                    .split_once(" at line ")
                    .map_or(full.as_str(), |(head, _)| head);
                format!(
                    "invalid YAML at line {}, column {}: {what}",
                    loc.line(),
                    loc.column()
                )
            }
            None => format!("invalid YAML: {full}"),
        };
        Error::at(file, "", message)
    };
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(syntax_error)?;
    yaml.apply_merge().map_err(syntax_error)?;
    yaml_to_json(file, yaml, "")
}

/// Converts a YAML tree to the JSON tree the same document written as JSON would give.
fn yaml_to_json(file: &Path, yaml: serde_yaml::Value, pointer: &str) -> Result<Value> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::String(s) => Value::String(s),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(Number::from_f64(f).ok_or_else(|| {
                    Error::at(
                        file,
                        pointer,
                        format!("the number {n} cannot be represented in JSON"),
                    )
                })?)
            }
        }
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(file, item, &push_pointer(pointer, &i.to_string())))
                .collect::<Result<_>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut object = Map::with_capacity(mapping.len());
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    // Unquoted status codes (`200:`) are integers to YAML; every YAML
                    // OpenAPI document writes them so, and JSON would spell them "200".
                    Y::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                    other => {
                        return Err(Error::at(
                            file,
                            pointer,
                            format!(
                                "mapping key {} is not a string (JSON object keys must be strings; quote it)",
                                describe_yaml(&other)
                            ),
                        ));
                    }
                };
                let child = push_pointer(pointer, &key);
                let value = yaml_to_json(file, value, &child)?;
                object.insert(key, value);
            }
            Value::Object(object)
        }
        Y::Tagged(tagged) => {
            return Err(Error::at(
                file,
                pointer,
                format!("YAML tag {} is not supported in a spec", tagged.tag),
            ));
        }
    })
}

/// A short rendering of a YAML key for error messages.
fn describe_yaml(value: &serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => "null".to_owned(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::String(s) => format!("{s:?}"),
        Y::Sequence(_) => "(a sequence)".to_owned(),
        Y::Mapping(_) => "(a mapping)".to_owned(),
        Y::Tagged(t) => format!("(tagged {})", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(file: &str, text: &str) -> Value {
        load_str(Path::new(file), text).unwrap()
    }

    #[test]
    fn json_by_extension_keeps_key_order() {
        let v = ok("a.json", r#"{"z": 1, "a": {"y": true, "b": null}}"#);
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a"]);
        let inner: Vec<_> = v["a"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(inner, ["y", "b"]);
    }

    #[test]
    fn yaml_gives_the_same_value_as_json() {
        let yaml = "openapi: 3.0.3\nz: 1\nlist:\n  - 1.5\n  - text\n  - null\nresponses:\n  200:\n    description: OK\n";
        let json = r#"{"openapi":"3.0.3","z":1,"list":[1.5,"text",null],"responses":{"200":{"description":"OK"}}}"#;
        let from_yaml = ok("a.yaml", yaml);
        let from_json = ok("a.json", json);
        assert_eq!(from_yaml, from_json);
        let keys: Vec<_> = from_yaml.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["openapi", "z", "list", "responses"]);
    }

    #[test]
    fn sniffs_syntax_without_a_known_extension() {
        assert_eq!(ok("spec", "  \n {\"a\": 1}"), json!({"a": 1}));
        assert_eq!(ok("spec.txt", "a: 1"), json!({"a": 1}));
        assert_eq!(ok("spec.YML", "a: [1]"), json!({"a": [1]}));
    }

    #[test]
    fn yaml_merge_keys_and_anchors_are_applied() {
        let v = ok("a.yaml", "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n");
        assert_eq!(v["derived"], json!({"y": 2, "x": 1}));
    }

    #[test]
    fn json_syntax_error_names_file_and_position() {
        let e = load_str(Path::new("dir/spec.json"), "{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(e.pointer, "");
        let text = e.to_string();
        assert!(
            text.starts_with("dir/spec.json: invalid JSON at line 3, column 7:"),
            "{text}"
        );
    }

    #[test]
    fn yaml_syntax_error_names_file_and_position() {
        let e = load_str(Path::new("spec.yaml"), "a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("spec.yaml: invalid YAML at line "),
            "{text}"
        );
        assert!(text.contains("column"), "{text}");
    }

    #[test]
    fn non_string_yaml_keys_are_refused_with_their_pointer() {
        let e = load_str(Path::new("s.yaml"), "paths:\n  /a:\n    true: 1\n").unwrap_err();
        assert_eq!(e.pointer, "/paths/~1a");
        assert!(e.message.contains("not a string"), "{e}");
        let e = load_str(Path::new("s.yaml"), "a:\n  [1, 2]: x\n").unwrap_err();
        assert_eq!(e.pointer, "/a");
    }

    #[test]
    fn yaml_tags_are_refused() {
        let e = load_str(Path::new("s.yaml"), "a: !custom 1\n").unwrap_err();
        assert_eq!(e.pointer, "/a");
    }

    #[test]
    fn missing_file_reports_the_io_error() {
        let e = load(Path::new("/definitely/not/here.json")).unwrap_err();
        assert_eq!(e.file, Path::new("/definitely/not/here.json"));
        assert!(
            e.message.contains("No such file") || e.message.contains("cannot"),
            "{e}"
        );
    }

    #[test]
    fn bom_is_ignored() {
        assert_eq!(ok("a.json", "\u{feff}{\"a\": 1}"), json!({"a": 1}));
        assert_eq!(ok("a", "\u{feff}{\"a\": 1}"), json!({"a": 1}));
    }
}
