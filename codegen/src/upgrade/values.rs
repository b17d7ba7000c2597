//! The value keywords of a non-body parameter, form field, response header or `items` → a schema.

use serde_json::{Map, Value};

use super::convert::Converter;
use crate::error::{Result, push_pointer};

/// Keys of a Swagger 2.0 non-body parameter (or response header) that describe its value and so
/// move into the 3.0 `schema`. `x-nullable` and `x-ms-enum` describe the value too.
pub(super) const VALUE_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
    "x-ms-enum",
];

impl Converter<'_> {
    /// The schema of a non-body parameter, form field or response header, built from its value
    /// keywords in their original order.
    pub(super) fn value_schema(&self, obj: &Map<String, Value>, pointer: &str) -> Result<Value> {
        let is_file = obj.get("type").and_then(Value::as_str) == Some("file");
        let mut schema = Map::new();
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "type" => {
                    let kind = self.string(v, &key_pointer, "`type`")?;
                    if !matches!(
                        kind,
                        "string" | "number" | "integer" | "boolean" | "array" | "file"
                    ) {
                        return Err(
                            self.err(&key_pointer, format!("unknown parameter type {kind:?}"))
                        );
                    }
                    if is_file {
                        schema.insert("type".into(), "string".into());
                        schema.insert("format".into(), "binary".into());
                    } else {
                        schema.insert(key.clone(), v.clone());
                    }
                    if kind == "array" && !obj.contains_key("items") {
                        return Err(self.err(pointer, "array parameter has no `items`"));
                    }
                }
                "format" if is_file => {}
                "items" => {
                    schema.insert(key.clone(), self.items(v, &key_pointer)?);
                }
                "x-nullable" => {
                    schema.insert("nullable".into(), self.nullable(v, &key_pointer)?);
                }
                k if VALUE_KEYS.contains(&k) => {
                    schema.insert(key.clone(), v.clone());
                }
                _ => {}
            }
        }
        Ok(Value::Object(schema))
    }

    /// A 2.0 Items object (the element type of an array parameter) as a schema.
    fn items(&self, value: &Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "`items`")?;
        if obj.contains_key("$ref") {
            return self.schema(value, pointer);
        }
        if !obj.contains_key("type") {
            return Err(self.err(pointer, "`items` has no `type`"));
        }
        self.value_schema(obj, pointer)
    }
}
