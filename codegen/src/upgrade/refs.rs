//! `$ref`s: finding them, checking they are local and resolve, and moving them to their 3.0 place.

use std::path::Path;

use serde_json::Value;

use super::convert::Converter;
use crate::error::{Error, Result, push_pointer};

/// Checks every `$ref` of an OpenAPI 3.0 document: local and resolvable.
pub(super) fn check_refs(file: &Path, doc: &Value) -> Result<()> {
    walk_refs(doc, "", false, &mut |reference: &str, pointer: &str| {
        if !reference.starts_with("#/") {
            return Err(Error::at(file, pointer, external_ref_message(reference)));
        }
        if resolve(doc, reference).is_none() {
            return Err(Error::at(file, pointer, unresolved_ref_message(reference)));
        }
        Ok(())
    })
}

/// Maps whose keys are names chosen by the author rather than keywords: below them a key such as
/// `example` is a name, not literal data to skip.
const NAMED_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "definitions",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "examples",
    "links",
    "callbacks",
    "paths",
    "content",
    "encoding",
    "variables",
];

/// Calls `f(reference, pointer of the $ref node)` for every string `$ref` in `value`, skipping
/// literal data (`example`, `default`, `enum`, an Example's `value`) and vendor extensions,
/// where a `$ref` key is content rather than a reference.
pub(crate) fn walk_refs(
    value: &Value,
    pointer: &str,
    named: bool,
    f: &mut dyn FnMut(&str, &str) -> Result<()>,
) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = push_pointer(pointer, key);
                if !named {
                    if key == "$ref" {
                        if let Value::String(reference) = child {
                            f(reference, &child_pointer)?;
                        }
                        continue;
                    }
                    if matches!(key.as_str(), "example" | "default" | "enum" | "value")
                        || key.starts_with("x-")
                    {
                        continue;
                    }
                }
                let child_named = !named && NAMED_MAPS.contains(&key.as_str()) && child.is_object();
                walk_refs(child, &child_pointer, child_named, f)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_refs(item, &push_pointer(pointer, &i.to_string()), false, f)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn external_ref_message(reference: &str) -> String {
    format!(
        "external $ref not supported: {reference:?} (only local references such as \"#/definitions/Name\")"
    )
}

fn unresolved_ref_message(reference: &str) -> String {
    format!("unresolved $ref {reference:?}: the document has no such node")
}

/// The RFC 6901 pointer a local reference (`#/a/b%20c`) names, with URI escapes undone.
pub(super) fn local_pointer(reference: &str) -> Option<String> {
    percent_decode(reference.strip_prefix('#')?)
}

/// The node a local reference names in `doc`.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = local_pointer(reference)?;
    if pointer.is_empty() {
        return None;
    }
    doc.pointer(&pointer)
}

/// Undoes `%XX` escapes (a `$ref` is a URI, so its fragment may be escaped).
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What a `$ref` at a given place must point to.
#[derive(Debug, Clone, Copy)]
pub(super) enum RefKind {
    Schema,
    Parameter,
    Response,
}

impl RefKind {
    /// (2.0 prefix, 3.0 prefix).
    fn prefixes(self) -> (&'static str, &'static str) {
        match self {
            RefKind::Schema => ("#/definitions/", "#/components/schemas/"),
            RefKind::Parameter => ("#/parameters/", "#/components/parameters/"),
            RefKind::Response => ("#/responses/", "#/components/responses/"),
        }
    }
}

impl Converter<'_> {
    /// Checks a `$ref` (at `pointer`, the `$ref` node itself) and rewrites it to its 3.0 place.
    pub(super) fn rewrite_ref(
        &self,
        value: &Value,
        pointer: &str,
        kind: RefKind,
    ) -> Result<String> {
        let reference = self.string(value, pointer, "`$ref`")?;
        if !reference.starts_with("#/") {
            return Err(self.err(pointer, external_ref_message(reference)));
        }
        if resolve(self.doc, reference).is_none() {
            return Err(self.err(pointer, unresolved_ref_message(reference)));
        }
        let (from, to) = kind.prefixes();
        match reference.strip_prefix(from) {
            Some(rest) => Ok(format!("{to}{rest}")),
            None => Err(self.err(
                pointer,
                format!("$ref {reference:?} must point into {from} here"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn unresolved_ref_names_the_ref_node() {
        let e = up_err(swagger(
            json!({"definitions": {"Foo": {"properties": {"bar": {"$ref": "#/definitions/Missing"}}}}}),
        ));
        assert_eq!(e.pointer, "/definitions/Foo/properties/bar/$ref");
        assert!(e.message.contains("unresolved $ref"), "{e}");
        assert!(
            e.to_string()
                .starts_with("spec/test.json: at /definitions/Foo/properties/bar/$ref: ")
        );
    }

    #[test]
    fn external_and_misplaced_refs_are_refused() {
        let e = up_err(swagger(
            json!({"definitions": {"Foo": {"$ref": "other.json#/definitions/Foo"}}}),
        ));
        assert_eq!(e.pointer, "/definitions/Foo/$ref");
        assert!(e.message.starts_with("external $ref not supported"), "{e}");
        let e = up_err(with_op(
            json!({"parameters": [{"$ref": "#/definitions/A"}], "responses": ok_response()}),
            json!({"definitions": {"A": {"type": "string"}}}),
        ));
        assert_eq!(e.pointer, "/paths/~1p/get/parameters/0/$ref");
        assert!(e.message.contains("#/parameters/"), "{e}");
    }

    #[test]
    fn escaped_refs_resolve() {
        let out = up(swagger(json!({"definitions": {
            "A B": {"type": "string"},
            "C": {"properties": {"x": {"$ref": "#/definitions/A%20B"}}}
        }})));
        assert_eq!(
            out["components"]["schemas"]["C"]["properties"]["x"]["$ref"],
            "#/components/schemas/A%20B"
        );
    }
}
