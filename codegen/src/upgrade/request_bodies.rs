//! `in: body` and `in: formData` parameters → `requestBody`.

use serde_json::{Map, Value, json};

use super::convert::Converter;
use super::parameters::Param;
use crate::error::{Result, push_pointer};

impl Converter<'_> {
    /// `in: body` → `requestBody` with the schema under every consumed media type.
    pub(super) fn request_body(&self, param: &Param<'_>, consumes: &[String]) -> Result<Value> {
        let obj = param.obj;
        let schema = match obj.get("schema") {
            Some(schema) => self.schema(schema, &push_pointer(&param.pointer, "schema"))?,
            None => return Err(self.err(&param.pointer, "body parameter has no `schema`")),
        };
        let mut out = Map::new();
        if let Some(description) = obj.get("description") {
            out.insert("description".into(), description.clone());
        }
        let content: Map<String, Value> = consumes
            .iter()
            .map(|mime| (mime.clone(), json!({ "schema": schema.clone() })))
            .collect();
        out.insert("content".into(), Value::Object(content));
        if let Some(required) = obj.get("required") {
            out.insert("required".into(), required.clone());
        }
        for (key, v) in obj {
            if key.starts_with("x-") {
                out.insert(key.clone(), v.clone());
            }
        }
        Ok(Value::Object(out))
    }

    /// `in: formData` parameters → one object schema under multipart/form-data (when consumed,
    /// or when a file is uploaded) or application/x-www-form-urlencoded.
    pub(super) fn form_body(&self, params: &[&Param<'_>], consumes: &[String]) -> Result<Value> {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut has_file = false;
        for param in params {
            let obj = param.obj;
            if !obj.contains_key("type") {
                return Err(self.err(
                    &param.pointer,
                    format!("parameter `{}` has no `type`", param.name),
                ));
            }
            has_file |= obj.get("type").and_then(Value::as_str) == Some("file");
            let mut property = Map::new();
            if let Some(description) = obj.get("description") {
                property.insert("description".into(), description.clone());
            }
            if let Value::Object(schema) = self.value_schema(obj, &param.pointer)? {
                property.extend(schema);
            }
            properties.insert(param.name.to_owned(), Value::Object(property));
            if obj.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(param.name.to_owned()));
            }
        }
        let multipart = has_file || consumes.iter().any(|m| m == "multipart/form-data");
        let mime = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut schema = Map::new();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), Value::Object(properties));
        let any_required = !required.is_empty();
        if any_required {
            schema.insert("required".into(), Value::Array(required));
        }
        let mut out = Map::new();
        out.insert("content".into(), json!({ mime: { "schema": schema } }));
        if any_required {
            out.insert("required".into(), true.into());
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn body_parameter_becomes_request_body_per_consumes() {
        let body = json!({"name": "b", "in": "body", "description": "the body", "required": true,
                          "schema": {"$ref": "#/definitions/A"}, "x-ms-client-flatten": true});
        let defs = json!({"A": {"type": "object"}});
        // Operation-level consumes win over the document's.
        let out = up(with_op(
            json!({"consumes": ["application/xml"], "parameters": [{"name": "q", "in": "query", "type": "string"}, body.clone()], "responses": ok_response()}),
            json!({"consumes": ["text/json"], "definitions": defs.clone()}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(keys(op), ["parameters", "requestBody", "responses"]);
        assert_eq!(
            op["requestBody"],
            json!({"description": "the body", "content": {"application/xml": {"schema": {"$ref": "#/components/schemas/A"}}},
                   "required": true, "x-ms-client-flatten": true})
        );
        // Else the document's; else JSON.
        let out = up(with_op(
            json!({"parameters": [body.clone()], "responses": ok_response()}),
            json!({"consumes": ["text/json", "application/json"], "definitions": defs.clone()}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(
            keys(&op["requestBody"]["content"]),
            ["text/json", "application/json"]
        );
        assert!(op.get("parameters").is_none());
        let out = up(with_op(
            json!({"parameters": [body], "responses": ok_response()}),
            json!({"definitions": defs}),
        ));
        assert_eq!(
            keys(&out["paths"]["/p"]["get"]["requestBody"]["content"]),
            ["application/json"]
        );
    }

    #[test]
    fn form_data_becomes_one_object_schema() {
        let params = json!([
            {"name": "file", "in": "formData", "type": "file", "required": true, "description": "upload"},
            {"name": "note", "in": "formData", "type": "string"}
        ]);
        let out = up(with_op(
            json!({"parameters": params, "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(
            out["paths"]["/p"]["get"]["requestBody"],
            json!({"content": {"multipart/form-data": {"schema": {
                "type": "object",
                "properties": {"file": {"description": "upload", "type": "string", "format": "binary"}, "note": {"type": "string"}},
                "required": ["file"]
            }}}, "required": true})
        );
        let out = up(with_op(
            json!({"parameters": [{"name": "note", "in": "formData", "type": "string"}], "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(
            keys(&out["paths"]["/p"]["get"]["requestBody"]["content"]),
            ["application/x-www-form-urlencoded"]
        );
        let out = up(with_op(
            json!({"consumes": ["multipart/form-data"], "parameters": [{"name": "note", "in": "formData", "type": "string"}], "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(
            keys(&out["paths"]["/p"]["get"]["requestBody"]["content"]),
            ["multipart/form-data"]
        );
    }
}
