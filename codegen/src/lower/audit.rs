//! The audit: every keyword of Swagger 2.0 and OpenAPI 3.0, and every vendor extension the
//! generator knows (those of Microsoft's published documents included), with what the generator
//! does with it. A document is walked before it is converted: a keyword marked refused, an
//! unknown keyword and an unknown `x-ms-*` extension stop the generation with the file and the
//! pointer of the node, so nothing is dropped without a decision written down here. Other
//! unknown `x-` extensions (another vendor's) are knowingly ignored: they cannot change what
//! the wire carries.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result, push_pointer};

/// What the generator does with a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Read and turned into code (or checked, refused where a use of it cannot work).
    Handled,
    /// Read and deliberately without effect on the generated code (documentation, validation
    /// the server does, examples).
    Ignored,
    /// Refused wherever it appears.
    Refused,
}

use Status::{Handled, Ignored, Refused};

/// Every keyword and extension, with its status and why. Names are flat (a keyword means the
/// same wherever it may appear); what is refused in one place only (a `content` of a parameter,
/// an array query parameter) is refused by the stage that handles it, with its pointer.
pub const KEYWORDS: &[(&str, Status, &str)] = &[
    // The document.
    (
        "swagger",
        Handled,
        "Swagger 2.0 is converted to OpenAPI 3.0",
    ),
    ("openapi", Handled, "3.0.x read; 3.1 refused"),
    (
        "info",
        Handled,
        "title, version (the api-version default), description",
    ),
    ("title", Handled, "documentation"),
    (
        "version",
        Handled,
        "info.version: the crate's docs and the api-version default",
    ),
    ("description", Handled, "doc comments"),
    ("summary", Handled, "doc comments"),
    ("termsOfService", Ignored, "documentation"),
    ("contact", Ignored, "documentation"),
    ("license", Ignored, "documentation"),
    ("email", Ignored, "documentation"),
    ("url", Handled, "a server's URL (elsewhere documentation)"),
    ("externalDocs", Ignored, "documentation"),
    (
        "tags",
        Handled,
        "the first tag of an operation documents it",
    ),
    ("host", Handled, "the default base URL"),
    ("basePath", Handled, "the default base URL"),
    (
        "schemes",
        Handled,
        "the default base URL's scheme (https first)",
    ),
    (
        "servers",
        Handled,
        "the first absolute one is the default base URL",
    ),
    (
        "variables",
        Refused,
        "server variables (templated hosts) are not supported",
    ),
    (
        "consumes",
        Handled,
        "request media types: JSON bodies only, others refused",
    ),
    (
        "produces",
        Handled,
        "response media types: JSON, or a byte stream",
    ),
    (
        "paths",
        Handled,
        "one client method and one server-side variant per operation",
    ),
    (
        "definitions",
        Handled,
        "models, enums and polymorphic enums",
    ),
    ("components", Handled, "OpenAPI 3.0's definitions"),
    ("schemas", Handled, "components.schemas"),
    ("requestBodies", Handled, "components.requestBodies"),
    (
        "securityDefinitions",
        Handled,
        "the API key's header and scheme",
    ),
    (
        "securitySchemes",
        Handled,
        "the API key's header and scheme",
    ),
    ("security", Handled, "which scheme the key uses"),
    // Operations.
    ("get", Handled, "an operation"),
    ("put", Handled, "an operation (idempotent: retried)"),
    ("post", Handled, "an operation (never retried)"),
    ("delete", Handled, "an operation (idempotent: retried)"),
    ("patch", Handled, "an operation (never retried)"),
    ("head", Handled, "an operation"),
    ("options", Handled, "an operation"),
    ("trace", Handled, "an operation"),
    (
        "operationId",
        Handled,
        "the method name (missing or shared ids get derived names)",
    ),
    (
        "parameters",
        Handled,
        "path, query and header parameters; body → requestBody",
    ),
    (
        "requestBody",
        Handled,
        "a JSON body: a method argument (or a setter when optional)",
    ),
    (
        "responses",
        Handled,
        "the lowest 2xx decides the result type",
    ),
    ("deprecated", Ignored, "documentation"),
    ("callbacks", Refused, "callbacks are not supported"),
    ("links", Ignored, "documentation of related operations"),
    // Parameters, headers, responses and media types.
    ("name", Handled, "the wire name"),
    (
        "in",
        Handled,
        "path, query, header, body; cookie and formData refused where lowered",
    ),
    (
        "required",
        Handled,
        "required parameters are arguments; required properties not Option",
    ),
    (
        "schema",
        Handled,
        "the type of a parameter, body or response",
    ),
    (
        "content",
        Handled,
        "JSON or bytes; a parameter's content is refused",
    ),
    ("headers", Handled, "throttle headers of 429/503 answers"),
    (
        "collectionFormat",
        Handled,
        "array parameters are refused where lowered",
    ),
    (
        "style",
        Handled,
        "array parameters are refused where lowered",
    ),
    (
        "explode",
        Handled,
        "array parameters are refused where lowered",
    ),
    ("allowEmptyValue", Ignored, "the server's concern"),
    ("allowReserved", Ignored, "query values are always encoded"),
    ("example", Ignored, "examples are data"),
    ("examples", Ignored, "examples are data"),
    (
        "encoding",
        Ignored,
        "only JSON bodies are written (others refused)",
    ),
    // Schemas.
    (
        "$ref",
        Handled,
        "schemas, parameters, responses, request bodies, other files",
    ),
    ("type", Handled, "the Rust type"),
    (
        "format",
        Handled,
        "int32/int64, float/double, date, date-time, binary",
    ),
    ("items", Handled, "Vec"),
    (
        "properties",
        Handled,
        "struct fields (names made Rust-safe, serde-renamed)",
    ),
    (
        "additionalProperties",
        Handled,
        "a map, or a flattened map beside named fields",
    ),
    (
        "allOf",
        Handled,
        "parents' fields first, in order; required merged; clashes refused",
    ),
    (
        "discriminator",
        Handled,
        "an enum over the subtypes, unknown values kept",
    ),
    ("propertyName", Handled, "the discriminator's property"),
    ("mapping", Handled, "discriminator values of subtypes"),
    (
        "enum",
        Handled,
        "forward-compatible enums (strings); single values fill parameters",
    ),
    (
        "default",
        Handled,
        "fills a required parameter; elsewhere documentation",
    ),
    ("nullable", Handled, "Option"),
    (
        "readOnly",
        Ignored,
        "fields are read and written alike (all of Azure's are optional)",
    ),
    ("writeOnly", Ignored, "fields are read and written alike"),
    ("xml", Ignored, "the client reads and writes JSON only"),
    ("maximum", Ignored, "validation is the server's"),
    ("minimum", Ignored, "validation is the server's"),
    ("exclusiveMaximum", Ignored, "validation is the server's"),
    ("exclusiveMinimum", Ignored, "validation is the server's"),
    ("maxLength", Ignored, "validation is the server's"),
    ("minLength", Ignored, "validation is the server's"),
    ("pattern", Ignored, "validation is the server's"),
    ("maxItems", Ignored, "validation is the server's"),
    ("minItems", Ignored, "validation is the server's"),
    ("uniqueItems", Ignored, "validation is the server's"),
    ("maxProperties", Ignored, "validation is the server's"),
    ("minProperties", Ignored, "validation is the server's"),
    ("multipleOf", Ignored, "validation is the server's"),
    (
        "oneOf",
        Refused,
        "unsupported keyword oneOf (no type to pick a member by)",
    ),
    ("anyOf", Refused, "unsupported keyword anyOf"),
    ("not", Refused, "unsupported keyword not"),
    // Security schemes.
    ("scheme", Handled, "bearer and other HTTP schemes"),
    ("bearerFormat", Ignored, "documentation"),
    (
        "flow",
        Handled,
        "OAuth2 (Swagger 2.0): the key is sent as a bearer token",
    ),
    (
        "flows",
        Handled,
        "OAuth2 (OpenAPI 3.0): the key is sent as a bearer token",
    ),
    ("implicit", Handled, "an OAuth2 flow"),
    ("password", Handled, "an OAuth2 flow"),
    ("clientCredentials", Handled, "an OAuth2 flow"),
    ("authorizationCode", Handled, "an OAuth2 flow"),
    ("authorizationUrl", Ignored, "the key is obtained elsewhere"),
    ("tokenUrl", Ignored, "the key is obtained elsewhere"),
    ("refreshUrl", Ignored, "the key is obtained elsewhere"),
    ("scopes", Ignored, "the key is obtained elsewhere"),
    ("openIdConnectUrl", Ignored, "the key is obtained elsewhere"),
    // Extensions: AutoRest's.
    (
        "x-ms-pageable",
        Handled,
        "paged operations; any nextLinkName, null: not paged",
    ),
    (
        "x-ms-enum",
        Handled,
        "the enum's and variants' names; the same name twice: one enum if identical, else numbered",
    ),
    (
        "x-ms-discriminator-value",
        Handled,
        "the subtype's value of the discriminator",
    ),
    (
        "x-ms-skip-url-encoding",
        Handled,
        "a path parameter keeps its slashes (dot segments still refused)",
    ),
    (
        "x-ms-parameter-location",
        Handled,
        "client-located parameters stay method arguments, except api-version, which is filled in",
    ),
    (
        "x-ms-client-flatten",
        Ignored,
        "the nesting is kept: the JSON shape is the Rust shape",
    ),
    ("x-ms-azure-resource", Ignored, "a marker for AutoRest"),
    ("x-ms-examples", Ignored, "examples are data"),
    (
        "x-ms-identifiers",
        Ignored,
        "identity of array items, for diffs",
    ),
    ("x-ms-odata", Ignored, "documents the $filter grammar"),
    (
        "x-ms-client-name",
        Ignored,
        "Rust names come from the wire names",
    ),
    (
        "x-ms-mutability",
        Ignored,
        "fields are read and written alike",
    ),
    ("x-ms-secret", Ignored, "documentation"),
    (
        "x-ms-error-response",
        Ignored,
        "every non-2xx answer is an error",
    ),
    ("x-ms-external", Ignored, "a marker for AutoRest"),
    (
        "x-ms-long-running-operation",
        Refused,
        "Azure long-running operations (polling by Azure-AsyncOperation) are not supported",
    ),
    (
        "x-ms-long-running-operation-options",
        Refused,
        "Azure long-running operations are not supported",
    ),
    (
        "x-ms-paths",
        Refused,
        "paths with a query in them are not supported",
    ),
    (
        "x-ms-parameterized-host",
        Refused,
        "templated hosts are not supported",
    ),
    (
        "x-ms-header-collection-prefix",
        Refused,
        "header collections are not supported",
    ),
    // Extensions: Swashbuckle's and ours.
    ("x-nullable", Handled, "nullable"),
    ("x-example", Ignored, "examples are data"),
    ("x-ea-csv", Handled, "a CSV download's layout"),
    ("x-ea-long-running", Handled, "a queued job that is polled"),
    ("x-ea-splittable", Handled, "a paged range fetched in parts"),
    (
        "x-ea-own-part",
        Refused,
        "reserved for the generator's own use",
    ),
];

/// Keys whose object value maps names (of paths, properties, definitions, media types, ...)
/// to keyword objects.
const NAMED_MAPS: &[&str] = &[
    "paths",
    "definitions",
    "parameters",
    "responses",
    "securityDefinitions",
    "properties",
    "headers",
    "schemas",
    "requestBodies",
    "securitySchemes",
    "content",
];

/// The entry of `key`, if listed.
pub fn status(key: &str) -> Option<Status> {
    KEYWORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, s, _)| *s)
}

/// Walks a document (Swagger 2.0 or OpenAPI 3.0, before conversion) and refuses the first
/// keyword that is refused or unknown, at its pointer.
pub fn audit(file: &Path, doc: &Value) -> Result<()> {
    let mut first = None;
    walk(doc, "", Named::No, &mut |pointer, key| {
        let refuse = match status(key) {
            Some(Refused) => Some(format!(
                "{} (the generator refuses `{key}`)",
                KEYWORDS
                    .iter()
                    .find(|(k, _, _)| *k == key)
                    .map_or("", |e| e.2)
            )),
            Some(_) => None,
            None if key.starts_with("x-ms-") => Some(format!(
                "unknown AutoRest extension `{key}`: the generator does not know what it means, so it refuses it rather than ignore it"
            )),
            None if key.starts_with("x-") => None,
            None => Some(format!("unknown keyword `{key}`")),
        };
        if let Some(message) = refuse {
            first.get_or_insert((pointer.to_string(), message));
            return false;
        }
        true
    });
    match first {
        Some((pointer, message)) => Err(Error::at(file, pointer, message)),
        None => Ok(()),
    }
}

/// Every keyword of a document that the table does not list (vendor extensions included), with
/// its pointer: for the test that keeps the table complete.
pub fn unlisted(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(doc, "", Named::No, &mut |pointer, key| {
        if status(key).is_none() {
            out.push((pointer.to_string(), key.to_string()));
        }
        true
    });
    out
}

/// Whether the keys of an object are keywords or names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    No,
    Yes,
    /// Names, and extensions beside them (`paths`, `responses`).
    WithExtensions,
}

/// Calls `f(pointer, key)` for every keyword; stops descending (and walking) when it says no.
fn walk(value: &Value, pointer: &str, named: Named, f: &mut dyn FnMut(&str, &str) -> bool) -> bool {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = push_pointer(pointer, key);
                if named != Named::No {
                    // A name (of a path, property, header, ...); its value holds keywords.
                    // Extensions may sit among paths and responses only.
                    let extension = named == Named::WithExtensions && key.starts_with("x-");
                    if extension && !f(&child_pointer, key) {
                        return false;
                    }
                    if !extension && !walk(child, &child_pointer, Named::No, f) {
                        return false;
                    }
                    continue;
                }
                if !f(&child_pointer, key) {
                    return false;
                }
                // Data and extension values hold no keywords.
                if key.starts_with("x-")
                    || matches!(
                        key.as_str(),
                        "enum"
                            | "default"
                            | "example"
                            | "examples"
                            | "required"
                            | "security"
                            | "consumes"
                            | "produces"
                            | "schemes"
                            | "mapping"
                            | "scopes"
                            | "xml"
                            | "links"
                    )
                {
                    continue;
                }
                let child_named = match key.as_str() {
                    _ if !child.is_object() => Named::No,
                    "paths" | "responses" => Named::WithExtensions,
                    k if NAMED_MAPS.contains(&k) => Named::Yes,
                    _ => Named::No,
                };
                if !walk(child, &child_pointer, child_named, f) {
                    return false;
                }
            }
            true
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .all(|(i, item)| walk(item, &push_pointer(pointer, &i.to_string()), Named::No, f)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_keyword_is_listed_once() {
        let mut names: Vec<&str> = KEYWORDS.iter().map(|(k, _, _)| *k).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a keyword is listed twice");
    }

    #[test]
    fn refused_and_unknown_keywords_stop_with_their_pointer() {
        let file = Path::new("a.json");
        let doc = |schema: Value| {
            json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
                   "definitions": {"A": {"properties": {"oneOf": {"type": "string"}, "b": schema}}}})
        };
        assert!(audit(file, &doc(json!({"type": "string", "x-vendor": 1}))).is_ok());
        let e = audit(file, &doc(json!({"anyOf": []}))).unwrap_err();
        assert_eq!(e.pointer, "/definitions/A/properties/b/anyOf");
        assert!(e.message.contains("anyOf"), "{e}");
        let e = audit(file, &doc(json!({"x-ms-new-thing": true}))).unwrap_err();
        assert_eq!(e.pointer, "/definitions/A/properties/b/x-ms-new-thing");
        let e = audit(file, &doc(json!({"typo": "string"}))).unwrap_err();
        assert!(e.message.contains("unknown keyword `typo`"), "{e}");
        // Data is not read for keywords.
        assert!(
            audit(
                file,
                &doc(
                    json!({"type": "object", "example": {"oneOf": 1}, "x-ms-examples": {"typo": 1}})
                )
            )
            .is_ok()
        );
        assert_eq!(
            unlisted(&doc(json!({"x-vendor": 1}))),
            [(
                "/definitions/A/properties/b/x-vendor".to_string(),
                "x-vendor".to_string()
            )]
        );
    }
}
