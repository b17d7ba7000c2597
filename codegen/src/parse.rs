//! Stage 3: the upgraded JSON tree → `openapiv3::OpenAPI`, plus the load → upgrade → parse
//! entry points.
//!
//! serde reports *what* failed but not *where* (openapiv3 flattens and untags heavily, so its
//! messages rarely name a field). On failure we re-deserialize the parts of the document with
//! their own openapiv3 types, descending into whichever fails, and report the deepest one.

use std::path::Path;

use openapiv3::{
    Callback, Example, ExternalDocumentation, Header, Info, Link, MediaType, OpenAPI, Operation,
    Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema, SecurityRequirement,
    SecurityScheme, Server, Tag,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result, push_pointer};
use crate::load::{load, load_str};
use crate::source_pointer::{UPGRADED_NOTE, is_swagger2, only_in_upgraded, original_pointer};
use crate::upgrade::upgrade;

/// Runs load → upgrade → parse on the spec at `path`; returns the upgraded tree (later stages
/// read vendor extensions from it) and the typed document.
pub fn load_spec(path: &Path) -> Result<(Value, OpenAPI)> {
    finish(path, load(path)?)
}

/// [`load_spec`] on text already in memory; `file` names it in errors and picks the syntax.
pub fn load_spec_str(file: &Path, text: &str) -> Result<(Value, OpenAPI)> {
    finish(file, load_str(file, text)?)
}

/// upgrade → parse of a loaded document, with every error pointer mapped back to the user's
/// file: the one path from a loaded document to a typed one (the generator and the tests).
pub fn finish(file: &Path, doc: Value) -> Result<(Value, OpenAPI)> {
    let swagger2 = is_swagger2(&doc);
    let doc = upgrade(file, doc)?;
    let api = parse_value(file, &doc).map_err(|mut e| {
        e.pointer = original_pointer(&e.pointer, swagger2);
        if swagger2 && only_in_upgraded(&e.pointer) {
            e.message.push_str(UPGRADED_NOTE);
        }
        e
    })?;
    Ok((doc, api))
}

/// Deserializes an OpenAPI 3.0 document.
pub fn parse(file: &Path, doc: Value) -> Result<OpenAPI> {
    parse_value(file, &doc)
}

/// [`parse`] without giving up the tree.
pub fn parse_value(file: &Path, doc: &Value) -> Result<OpenAPI> {
    OpenAPI::deserialize_from(doc).map_err(|whole| {
        let (pointer, message) = locate(doc).unwrap_or_else(|| (String::new(), whole));
        Error::at(
            file,
            pointer,
            format!("not a valid OpenAPI 3.0 document: {message}"),
        )
    })
}

/// Deserialization from a borrowed tree, so probing never clones.
trait FromValue: Sized {
    fn deserialize_from(value: &Value) -> std::result::Result<Self, String>;
}

impl<T: DeserializeOwned> FromValue for T {
    fn deserialize_from(value: &Value) -> std::result::Result<Self, String> {
        T::deserialize(value).map_err(|e| e.to_string())
    }
}

/// Where a failure is, and serde's message for it.
type Found = (String, String);

/// Looks for a failure in one node (`check(node, pointer)`).
type Check<'c> = &'c dyn Fn(&Value, &str) -> Option<Found>;

/// If `value` does not deserialize as `T`: the deepest failure `deeper` finds below it, or
/// `value` itself.
fn probe<T: DeserializeOwned>(
    value: &Value,
    pointer: &str,
    deeper: impl FnOnce() -> Option<Found>,
) -> Option<Found> {
    let message = T::deserialize_from(value).err()?;
    Some(deeper().unwrap_or_else(|| (pointer.to_owned(), message)))
}

/// The first failing child of an object (`each(child, pointer)`), skipping vendor extensions.
fn each_entry(
    value: &Value,
    pointer: &str,
    mut each: impl FnMut(&Value, &str) -> Option<Found>,
) -> Option<Found> {
    value
        .as_object()?
        .iter()
        .filter(|(k, _)| !k.starts_with("x-"))
        .find_map(|(key, child)| each(child, &push_pointer(pointer, key)))
}

/// The first failing element of an array.
fn each_item(
    value: &Value,
    pointer: &str,
    mut each: impl FnMut(&Value, &str) -> Option<Found>,
) -> Option<Found> {
    value
        .as_array()?
        .iter()
        .enumerate()
        .find_map(|(i, child)| each(child, &push_pointer(pointer, &i.to_string())))
}

/// The first failing field named in `fields` (`(key, check)`) of an object.
fn fields(value: &Value, pointer: &str, checks: &[(&str, Check<'_>)]) -> Option<Found> {
    let object = value.as_object()?;
    object.iter().find_map(|(key, child)| {
        let (_, check) = checks.iter().find(|(name, _)| name == key)?;
        check(child, &push_pointer(pointer, key))
    })
}

fn locate(doc: &Value) -> Option<Found> {
    fields(
        doc,
        "",
        &[
            ("openapi", &|v, p| probe::<String>(v, p, || None)),
            ("info", &|v, p| probe::<Info>(v, p, || None)),
            ("servers", &|v, p| {
                probe::<Vec<Server>>(v, p, || {
                    each_item(v, p, |s, sp| probe::<Server>(s, sp, || None))
                })
            }),
            ("paths", &|v, p| each_entry(v, p, path_item)),
            ("components", &|v, p| components(v, p)),
            ("security", &|v, p| {
                probe::<Vec<SecurityRequirement>>(v, p, || None)
            }),
            ("tags", &|v, p| {
                probe::<Vec<Tag>>(v, p, || {
                    each_item(v, p, |t, tp| probe::<Tag>(t, tp, || None))
                })
            }),
            ("externalDocs", &|v, p| {
                probe::<ExternalDocumentation>(v, p, || None)
            }),
        ],
    )
}

fn path_item(value: &Value, pointer: &str) -> Option<Found> {
    probe::<ReferenceOr<PathItem>>(value, pointer, || {
        let op: Check<'_> = &operation;
        fields(
            value,
            pointer,
            &[
                ("get", op),
                ("put", op),
                ("post", op),
                ("delete", op),
                ("options", op),
                ("head", op),
                ("patch", op),
                ("trace", op),
                ("parameters", &|v, p| each_item(v, p, parameter)),
                ("servers", &|v, p| {
                    each_item(v, p, |s, sp| probe::<Server>(s, sp, || None))
                }),
            ],
        )
    })
}

fn operation(value: &Value, pointer: &str) -> Option<Found> {
    probe::<Operation>(value, pointer, || {
        fields(
            value,
            pointer,
            &[
                ("parameters", &|v, p| each_item(v, p, parameter)),
                ("requestBody", &|v, p| request_body(v, p)),
                ("responses", &|v, p| each_entry(v, p, response)),
                ("callbacks", &|v, p| {
                    each_entry(v, p, |c, cp| probe::<Callback>(c, cp, || None))
                }),
            ],
        )
    })
}

fn parameter(value: &Value, pointer: &str) -> Option<Found> {
    probe::<ReferenceOr<Parameter>>(value, pointer, || {
        fields(
            value,
            pointer,
            &[("schema", &schema), ("content", &|v, p| content(v, p))],
        )
    })
}

fn request_body(value: &Value, pointer: &str) -> Option<Found> {
    probe::<ReferenceOr<RequestBody>>(value, pointer, || {
        fields(value, pointer, &[("content", &|v, p| content(v, p))])
    })
}

fn response(value: &Value, pointer: &str) -> Option<Found> {
    probe::<ReferenceOr<Response>>(value, pointer, || {
        fields(
            value,
            pointer,
            &[
                ("headers", &|v, p| each_entry(v, p, header)),
                ("content", &|v, p| content(v, p)),
                ("links", &|v, p| {
                    each_entry(v, p, |l, lp| probe::<ReferenceOr<Link>>(l, lp, || None))
                }),
            ],
        )
    })
}

fn header(value: &Value, pointer: &str) -> Option<Found> {
    probe::<ReferenceOr<Header>>(value, pointer, || {
        fields(
            value,
            pointer,
            &[("schema", &schema), ("content", &|v, p| content(v, p))],
        )
    })
}

fn content(value: &Value, pointer: &str) -> Option<Found> {
    each_entry(value, pointer, |media, p| {
        probe::<MediaType>(media, p, || {
            fields(
                media,
                p,
                &[
                    ("schema", &schema),
                    ("examples", &|v, ep| {
                        each_entry(v, ep, |e, xp| probe::<ReferenceOr<Example>>(e, xp, || None))
                    }),
                ],
            )
        })
    })
}

fn schema(value: &Value, pointer: &str) -> Option<Found> {
    probe::<ReferenceOr<Schema>>(value, pointer, || {
        let list: Check<'_> = &|v, p| each_item(v, p, schema);
        fields(
            value,
            pointer,
            &[
                ("properties", &|v, p| each_entry(v, p, schema)),
                ("items", &schema),
                ("additionalProperties", &|v, p| {
                    if v.is_object() { schema(v, p) } else { None }
                }),
                ("allOf", list),
                ("oneOf", list),
                ("anyOf", list),
                ("not", &schema),
            ],
        )
    })
}

fn components(value: &Value, pointer: &str) -> Option<Found> {
    fields(
        value,
        pointer,
        &[
            ("schemas", &|v, p| each_entry(v, p, schema)),
            ("responses", &|v, p| each_entry(v, p, response)),
            ("parameters", &|v, p| each_entry(v, p, parameter)),
            ("examples", &|v, p| {
                each_entry(v, p, |e, ep| probe::<ReferenceOr<Example>>(e, ep, || None))
            }),
            ("requestBodies", &|v, p| each_entry(v, p, request_body)),
            ("headers", &|v, p| each_entry(v, p, header)),
            ("securitySchemes", &|v, p| {
                each_entry(v, p, |s, sp| {
                    probe::<ReferenceOr<SecurityScheme>>(s, sp, || None)
                })
            }),
            ("links", &|v, p| {
                each_entry(v, p, |l, lp| probe::<ReferenceOr<Link>>(l, lp, || None))
            }),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(paths: Value, components: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": components,
        })
    }

    #[test]
    fn a_valid_document_parses() {
        let api = parse(
            Path::new("a.json"),
            doc(json!({}), json!({"schemas": {"A": {"type": "string"}}})),
        )
        .unwrap();
        assert_eq!(api.openapi, "3.0.3");
        assert!(api.components.unwrap().schemas.contains_key("A"));
    }

    #[test]
    fn failure_inside_a_schema_names_its_pointer() {
        let d = doc(
            json!({}),
            json!({"schemas": {"A": {"type": "object", "properties": {"b": {"type": "string", "maxLength": "long"}}}}}),
        );
        let e = parse(Path::new("a.json"), d).unwrap_err();
        assert_eq!(e.pointer, "/components/schemas/A/properties/b");
        assert!(
            e.to_string()
                .starts_with("a.json: at /components/schemas/A/properties/b: "),
            "{e}"
        );
    }

    #[test]
    fn failure_inside_an_operation_parameter_names_its_pointer() {
        let d = doc(
            json!({"/a": {"get": {"parameters": [
                {"name": "ok", "in": "query", "schema": {"type": "string"}},
                {"name": "bad", "in": "query"}
            ], "responses": {"200": {"description": "OK"}}}}}),
            json!({}),
        );
        let e = parse(Path::new("a.json"), d).unwrap_err();
        assert_eq!(e.pointer, "/paths/~1a/get/parameters/1");
    }

    #[test]
    fn top_level_problems_name_the_key_or_the_root() {
        let mut d = doc(json!({}), json!({}));
        d["info"] = json!({"title": 5, "version": "1"});
        assert_eq!(parse(Path::new("a.json"), d).unwrap_err().pointer, "/info");
        let d = json!({"openapi": "3.0.3", "paths": {}});
        let e = parse(Path::new("a.json"), d).unwrap_err();
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("info"), "{e}");
    }

    #[test]
    fn load_spec_str_runs_the_whole_front_end() {
        let text = r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
        let (value, api) = load_spec_str(Path::new("s.json"), text).unwrap();
        assert_eq!(value["openapi"], "3.0.3");
        assert_eq!(api.openapi, "3.0.3");
    }
}
