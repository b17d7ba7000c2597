//! Schemas, recursively: the 2.0 keywords 3.0 spells differently, and the ones 2.0 lacks refused.

use serde_json::{Map, Value, json};

use super::convert::Converter;
use super::kind_of;
use super::refs::RefKind;
use crate::error::{Result, push_pointer};

/// JSON Schema keywords a Swagger 2.0 schema cannot contain. Seeing one means the document is
/// not what it claims to be, and guessing its meaning would generate wrong types.
const UNSUPPORTED_SCHEMA_KEYWORDS: &[&str] = &[
    "oneOf",
    "anyOf",
    "not",
    "const",
    "if",
    "then",
    "else",
    "prefixItems",
    "contains",
    "additionalItems",
    "patternProperties",
    "propertyNames",
    "dependencies",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$defs",
];

impl Converter<'_> {
    pub(super) fn nullable(&self, value: &Value, pointer: &str) -> Result<Value> {
        match value {
            Value::Bool(_) => Ok(value.clone()),
            other => Err(self.err(
                pointer,
                format!("`x-nullable` must be a boolean, found {}", kind_of(other)),
            )),
        }
    }

    /// A 2.0 schema, recursively: `x-nullable` → `nullable`, `type: file` → binary string,
    /// string `discriminator` → object, `$ref`s checked and rewritten, JSON Schema keywords that
    /// 2.0 lacks refused. Vendor extensions stay for the lower stage.
    pub(super) fn schema(&self, value: &Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "a schema")?;
        let is_file = obj.get("type").and_then(Value::as_str) == Some("file");
        let mut out = Map::new();
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "$ref" => {
                    out.insert(
                        key.clone(),
                        self.rewrite_ref(v, &key_pointer, RefKind::Schema)?.into(),
                    );
                }
                "type" => match v {
                    Value::String(kind) => {
                        if !matches!(
                            kind.as_str(),
                            "string"
                                | "number"
                                | "integer"
                                | "boolean"
                                | "array"
                                | "object"
                                | "file"
                        ) {
                            return Err(
                                self.err(&key_pointer, format!("unknown schema type {kind:?}"))
                            );
                        }
                        if is_file {
                            out.insert("type".into(), "string".into());
                            out.insert("format".into(), "binary".into());
                        } else {
                            out.insert(key.clone(), v.clone());
                        }
                    }
                    Value::Array(kinds) => {
                        // JSON Schema's `[T, "null"]` is 3.0's `type: T, nullable: true`.
                        let named: Vec<&str> = kinds.iter().filter_map(Value::as_str).collect();
                        let others: Vec<&str> =
                            named.iter().copied().filter(|k| *k != "null").collect();
                        if named.len() != kinds.len() || others.len() != 1 || named.len() > 2 {
                            return Err(self.err(
                                &key_pointer,
                                "`type` must name one type (optionally with \"null\")",
                            ));
                        }
                        out.insert(key.clone(), others[0].into());
                        if named.len() == 2 {
                            out.insert("nullable".into(), true.into());
                        }
                    }
                    other => {
                        return Err(self.err(
                            &key_pointer,
                            format!("`type` must be a string, found {}", kind_of(other)),
                        ));
                    }
                },
                "format" if is_file => {}
                "x-nullable" => {
                    out.insert("nullable".into(), self.nullable(v, &key_pointer)?);
                }
                "discriminator" => {
                    let property = self.string(
                        v,
                        &key_pointer,
                        "`discriminator` (a property name in Swagger 2.0)",
                    )?;
                    out.insert(key.clone(), json!({ "propertyName": property }));
                }
                "properties" => {
                    let mut properties = Map::new();
                    for (name, schema) in self.object(v, &key_pointer, "`properties`")? {
                        properties.insert(
                            name.clone(),
                            self.schema(schema, &push_pointer(&key_pointer, name))?,
                        );
                    }
                    out.insert(key.clone(), Value::Object(properties));
                }
                "items" => {
                    if v.is_array() {
                        return Err(self.err(
                            &key_pointer,
                            "unsupported keyword: tuple `items` (an array of schemas)",
                        ));
                    }
                    out.insert(key.clone(), self.schema(v, &key_pointer)?);
                }
                "allOf" => {
                    let parts = self
                        .array(v, &key_pointer, "`allOf`")?
                        .iter()
                        .enumerate()
                        .map(|(i, part)| {
                            self.schema(part, &push_pointer(&key_pointer, &i.to_string()))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    out.insert(key.clone(), Value::Array(parts));
                }
                "additionalProperties" => {
                    let converted = match v {
                        Value::Bool(_) => v.clone(),
                        _ => self.schema(v, &key_pointer)?,
                    };
                    out.insert(key.clone(), converted);
                }
                k if UNSUPPORTED_SCHEMA_KEYWORDS.contains(&k) => {
                    return Err(self.err(
                        &key_pointer,
                        format!("unsupported keyword `{k}`: Swagger 2.0 schemas do not have it"),
                    ));
                }
                _ => {
                    out.insert(key.clone(), v.clone());
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
    fn schema_keywords_are_converted_recursively() {
        let out = up(swagger(json!({"definitions": {"A": {
            "type": "object",
            "discriminator": "kind",
            "required": ["kind"],
            "properties": {
                "kind": {"type": "string", "enum": ["a"], "x-ms-enum": {"name": "Kind", "modelAsString": false}},
                "maybe": {"type": "string", "x-nullable": true, "description": "d"},
                "never": {"type": "integer", "x-nullable": false},
                "blob": {"type": "file", "format": "whatever"},
                "list": {"type": "array", "items": {"type": "string", "x-nullable": true}},
                "map": {"type": "object", "additionalProperties": {"type": "number", "x-nullable": true}},
                "both": {"allOf": [{"type": "object", "x-nullable": true}]},
                "j": {"type": ["string", "null"]}
            },
            "x-ms-discriminator-value": "A"
        }}})));
        let a = &out["components"]["schemas"]["A"];
        assert_eq!(
            keys(a),
            [
                "type",
                "discriminator",
                "required",
                "properties",
                "x-ms-discriminator-value"
            ]
        );
        assert_eq!(a["discriminator"], json!({"propertyName": "kind"}));
        let p = &a["properties"];
        assert_eq!(
            keys(p),
            ["kind", "maybe", "never", "blob", "list", "map", "both", "j"]
        );
        assert_eq!(
            p["kind"]["x-ms-enum"],
            json!({"name": "Kind", "modelAsString": false})
        );
        assert_eq!(
            p["maybe"],
            json!({"type": "string", "nullable": true, "description": "d"})
        );
        assert_eq!(keys(&p["maybe"]), ["type", "nullable", "description"]);
        assert_eq!(p["never"], json!({"type": "integer", "nullable": false}));
        assert_eq!(p["blob"], json!({"type": "string", "format": "binary"}));
        assert_eq!(
            p["list"]["items"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            p["map"]["additionalProperties"],
            json!({"type": "number", "nullable": true})
        );
        assert_eq!(
            p["both"]["allOf"][0],
            json!({"type": "object", "nullable": true})
        );
        assert_eq!(p["j"], json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn keywords_swagger_2_lacks_are_refused() {
        for keyword in ["oneOf", "anyOf", "not"] {
            let mut inner = json!({"type": "object"});
            inner[keyword] = json!([{"type": "string"}]);
            let e = up_err(swagger(
                json!({"definitions": {"A": {"properties": {"p": inner}}}}),
            ));
            assert_eq!(e.pointer, format!("/definitions/A/properties/p/{keyword}"));
            assert!(e.message.starts_with("unsupported keyword"), "{e}");
        }
        // A property *named* like a keyword is fine.
        let out = up(swagger(
            json!({"definitions": {"A": {"properties": {"not": {"type": "string"}, "oneOf": {"type": "string"}}}}}),
        ));
        assert_eq!(
            keys(&out["components"]["schemas"]["A"]["properties"]),
            ["not", "oneOf"]
        );
        // So are refs inside examples, which are data.
        let out = up(swagger(
            json!({"definitions": {"A": {"type": "object", "example": {"$ref": "nowhere"}}}}),
        ));
        assert_eq!(
            out["components"]["schemas"]["A"]["example"],
            json!({"$ref": "nowhere"})
        );
    }
}
