//! Stage 2: Swagger 2.0 → OpenAPI 3.0.3, on the JSON tree.
//!
//! Our own pass rather than a library: the published document is Swashbuckle output (a small,
//! regular subset of 2.0), key order must survive (it drives the order of generated code), and
//! anything outside that subset must stop with the JSON pointer of the offending node instead
//! of turning into silently wrong code. Pointers in errors always refer to the *input* document.
//! OpenAPI 3.0.x documents pass through unchanged after the same reference and recursion checks.
//!
//! This file picks the path by version; the conversion itself is split by the part of the
//! document it handles (`convert` walks the top level and hands each part to its module).

mod all_of;
mod components;
mod convert;
mod parameters;
mod paths;
mod recursion;
mod refs;
mod request_bodies;
mod responses;
mod schemas;
mod security;
mod servers;
#[cfg(test)]
mod test_support;
mod values;

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

pub use all_of::OWN_PART;
use convert::Converter;
pub use recursion::check_recursion;
use refs::check_refs;
pub(crate) use refs::{percent_decode, walk_refs};

/// The OpenAPI version a converted Swagger 2.0 document declares.
pub const TARGET_VERSION: &str = "3.0.3";

/// Media type assumed when neither the operation nor the document says (`produces`/`consumes`).
const DEFAULT_MEDIA_TYPE: &str = "application/json";

/// Upgrades `doc` (read from `file`) to OpenAPI 3.0: converts Swagger 2.0, passes 3.0.x through,
/// refuses everything else.
pub fn upgrade(file: &Path, doc: Value) -> Result<Value> {
    let Value::Object(root) = &doc else {
        let message = match &doc {
            Value::Null => "the document is empty".to_owned(),
            other => format!(
                "the document must be a JSON object, found {}",
                kind_of(other)
            ),
        };
        return Err(Error::at(file, "", message));
    };
    if let Some(version) = root.get("openapi") {
        let Some(version) = version.as_str() else {
            return Err(Error::at(
                file,
                "/openapi",
                format!(
                    "`openapi` must be a string such as \"3.0.3\", found {}",
                    kind_of(version)
                ),
            ));
        };
        if version == "3.0" || version.starts_with("3.0.") {
            check_refs(file, &doc)?;
            check_recursion(file, &doc)?;
            let mut doc = doc;
            all_of::normalize_all_of(&mut doc);
            return Ok(doc);
        }
        let message = if version == "3.1" || version.starts_with("3.1.") {
            "OpenAPI 3.1 is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
                .to_owned()
        } else {
            format!(
                "OpenAPI version {version:?} is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
            )
        };
        return Err(Error::at(file, "/openapi", message));
    }
    match root.get("swagger") {
        // YAML turns an unquoted `swagger: 2.0` into a number; the intent is unambiguous.
        Some(v) if v.as_str() == Some("2.0") || v.as_f64() == Some(2.0) => {}
        Some(v) => {
            return Err(Error::at(
                file,
                "/swagger",
                format!(
                    "Swagger version {v} is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
                ),
            ));
        }
        None => {
            return Err(Error::at(
                file,
                "",
                "neither `swagger: \"2.0\"` nor `openapi: 3.0.x` is set; the generator reads Swagger 2.0 and OpenAPI 3.0.x",
            ));
        }
    }
    let mut converted = Converter::new(file, &doc, root)?.document()?;
    // Report recursion where the author wrote it: under `definitions` of the Swagger 2.0 file.
    check_recursion(file, &converted).map_err(|mut e| {
        e.pointer = crate::source_pointer::original_pointer(&e.pointer, true);
        e
    })?;
    all_of::normalize_all_of(&mut converted);
    Ok(converted)
}

/// A short name for a JSON value's kind, for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn numeric_swagger_version_from_yaml_is_accepted() {
        let mut doc = swagger(json!({}));
        doc["swagger"] = json!(2.0);
        assert_eq!(up(doc)["openapi"], "3.0.3");
    }

    #[test]
    fn openapi_30_passes_through_unchanged() {
        let doc = json!({
            "openapi": "3.0.1", "info": {"title": "T", "version": "1"}, "paths": {},
            "components": {"schemas": {"B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}, "A": {"type": "string", "nullable": true}}}
        });
        assert_eq!(up(doc.clone()), doc);
    }

    #[test]
    fn openapi_31_is_refused_at_openapi() {
        let e = up_err(json!({"openapi": "3.1.0", "info": {}, "paths": {}}));
        assert_eq!(e.pointer, "/openapi");
        assert_eq!(
            e.message,
            "OpenAPI 3.1 is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
        );
    }

    #[test]
    fn unknown_or_missing_versions_are_refused() {
        let e = up_err(json!({"swagger": "1.2", "info": {}}));
        assert_eq!(e.pointer, "/swagger");
        assert!(e.message.contains("not supported"), "{e}");
        let e = up_err(json!({"info": {}, "paths": {}}));
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("neither"), "{e}");
        let e = up_err(json!(["not", "an", "object"]));
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("JSON object"), "{e}");
        assert_eq!(up_err(json!({"openapi": "4.0.0"})).pointer, "/openapi");
        assert_eq!(up_err(json!({"openapi": 3.0})).pointer, "/openapi");
    }
}
