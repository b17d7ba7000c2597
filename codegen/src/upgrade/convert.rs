//! The conversion driver: per-document state, typed reads whose errors name the offending node,
//! and the top-level walk that hands each part of the document to the module that converts it.

use std::path::Path;

use serde_json::{Map, Value};

use super::components::add_component;
use super::{DEFAULT_MEDIA_TYPE, TARGET_VERSION, kind_of};
use crate::error::{Error, Result, push_pointer};

/// The Swagger 2.0 → OpenAPI 3.0 conversion of one document. Its methods live beside the part
/// of the document they convert (`servers`, `paths`, `parameters`, ...).
pub(super) struct Converter<'a> {
    file: &'a Path,
    pub(super) doc: &'a Value,
    pub(super) root: &'a Map<String, Value>,
    pub(super) produces: Vec<String>,
    pub(super) consumes: Vec<String>,
}

impl<'a> Converter<'a> {
    pub(super) fn new(
        file: &'a Path,
        doc: &'a Value,
        root: &'a Map<String, Value>,
    ) -> Result<Self> {
        let mut converter = Converter {
            file,
            doc,
            root,
            produces: Vec::new(),
            consumes: Vec::new(),
        };
        if let Some(v) = root.get("produces") {
            converter.produces = converter.media_types(v, "/produces")?;
        }
        if let Some(v) = root.get("consumes") {
            converter.consumes = converter.media_types(v, "/consumes")?;
        }
        Ok(converter)
    }

    pub(super) fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::at(self.file, pointer, message)
    }

    pub(super) fn object<'v>(
        &self,
        value: &'v Value,
        pointer: &str,
        what: &str,
    ) -> Result<&'v Map<String, Value>> {
        value.as_object().ok_or_else(|| {
            self.err(
                pointer,
                format!("{what} must be a JSON object, found {}", kind_of(value)),
            )
        })
    }

    pub(super) fn array<'v>(
        &self,
        value: &'v Value,
        pointer: &str,
        what: &str,
    ) -> Result<&'v Vec<Value>> {
        value.as_array().ok_or_else(|| {
            self.err(
                pointer,
                format!("{what} must be an array, found {}", kind_of(value)),
            )
        })
    }

    pub(super) fn string<'v>(
        &self,
        value: &'v Value,
        pointer: &str,
        what: &str,
    ) -> Result<&'v str> {
        value.as_str().ok_or_else(|| {
            self.err(
                pointer,
                format!("{what} must be a string, found {}", kind_of(value)),
            )
        })
    }

    fn media_types(&self, value: &Value, pointer: &str) -> Result<Vec<String>> {
        self.array(value, pointer, "a media type list")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                self.string(v, &push_pointer(pointer, &i.to_string()), "a media type")
                    .map(str::to_owned)
            })
            .collect()
    }

    /// The operation's list if it has a non-empty one, else the document's, else JSON.
    pub(super) fn effective(
        &self,
        op: &Map<String, Value>,
        key: &str,
        pointer: &str,
        global: &[String],
    ) -> Result<Vec<String>> {
        let own = match op.get(key) {
            Some(v) => self.media_types(v, &push_pointer(pointer, key))?,
            None => Vec::new(),
        };
        Ok(if !own.is_empty() {
            own
        } else if !global.is_empty() {
            global.to_vec()
        } else {
            vec![DEFAULT_MEDIA_TYPE.to_owned()]
        })
    }

    /// The whole document, top-level keys in their original order.
    pub(super) fn document(&self) -> Result<Value> {
        let mut out = Map::new();
        let mut servers_done = false;
        for (key, value) in self.root {
            let pointer = push_pointer("", key);
            match key.as_str() {
                "swagger" => {
                    out.insert("openapi".into(), TARGET_VERSION.into());
                }
                "host" | "basePath" | "schemes" => {
                    if !servers_done {
                        servers_done = true;
                        let servers = self.servers(None)?;
                        if !servers.is_empty() {
                            out.insert("servers".into(), Value::Array(servers));
                        }
                    }
                }
                // Used while converting operations and responses.
                "produces" | "consumes" => {}
                "paths" => {
                    out.insert("paths".into(), self.paths(value, &pointer)?);
                }
                "definitions" => {
                    let schemas = self.definitions(value, &pointer)?;
                    add_component(&mut out, "schemas", schemas);
                }
                "parameters" => {
                    let parameters = self.component_parameters(value, &pointer)?;
                    add_component(&mut out, "parameters", parameters);
                }
                "responses" => {
                    let responses = self.component_responses(value, &pointer)?;
                    add_component(&mut out, "responses", responses);
                }
                "securityDefinitions" => {
                    let schemes = self.security_definitions(value, &pointer)?;
                    add_component(&mut out, "securitySchemes", schemes);
                }
                "info" | "security" | "tags" | "externalDocs" => {
                    out.insert(key.clone(), value.clone());
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {
                    return Err(self.err(
                        &pointer,
                        format!("unknown top-level field `{key}` in a Swagger 2.0 document"),
                    ));
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn swagger_2_becomes_openapi_303_with_key_order_kept() {
        let doc = swagger(json!({
            "host": "h", "schemes": ["https"], "paths": {}, "definitions": {"A": {"type": "string"}},
            "x-top": 1, "tags": [{"name": "t"}],
        }));
        let out = up(doc);
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(
            keys(&out),
            [
                "openapi",
                "info",
                "servers",
                "paths",
                "components",
                "x-top",
                "tags"
            ]
        );
    }

    #[test]
    fn unknown_top_level_fields_are_refused() {
        let e = up_err(swagger(json!({"components": {}})));
        assert_eq!(e.pointer, "/components");
    }
}
