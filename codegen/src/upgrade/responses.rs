//! Responses: `schema` and `examples` → `content` per produced media type, headers → `schema`.

use serde_json::{Map, Value, json};

use super::convert::Converter;
use super::refs::RefKind;
use super::values::VALUE_KEYS;
use crate::error::{Result, push_pointer};

impl Converter<'_> {
    pub(super) fn responses(
        &self,
        value: &Value,
        pointer: &str,
        produces: &[String],
    ) -> Result<Value> {
        let mut out = Map::new();
        for (code, response) in self.object(value, pointer, "`responses`")? {
            let code_pointer = push_pointer(pointer, code);
            if code.starts_with("x-") {
                out.insert(code.clone(), response.clone());
                continue;
            }
            let is_status = code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
            if code != "default" && !is_status {
                return Err(self.err(
                    &code_pointer,
                    format!("{code:?} is not an HTTP status code or `default`"),
                ));
            }
            out.insert(
                code.clone(),
                self.response(response, &code_pointer, produces)?,
            );
        }
        Ok(Value::Object(out))
    }

    /// A response: `schema` (and `examples`) → `content` per produced media type, header value
    /// keywords → `schema`, and the `description` 3.0 requires.
    pub(super) fn response(
        &self,
        value: &Value,
        pointer: &str,
        produces: &[String],
    ) -> Result<Value> {
        let obj = self.object(value, pointer, "a response")?;
        if let Some(r) = obj.get("$ref") {
            let reference =
                self.rewrite_ref(r, &push_pointer(pointer, "$ref"), RefKind::Response)?;
            return Ok(json!({ "$ref": reference }));
        }
        let mut content = Map::new();
        if let Some(schema) = obj.get("schema") {
            let schema = self.schema(schema, &push_pointer(pointer, "schema"))?;
            for mime in produces {
                content.insert(mime.clone(), json!({ "schema": schema.clone() }));
            }
        }
        if let Some(examples) = obj.get("examples") {
            let examples_pointer = push_pointer(pointer, "examples");
            for (mime, example) in self.object(examples, &examples_pointer, "`examples`")? {
                let entry = content.entry(mime.clone()).or_insert_with(|| json!({}));
                if let Value::Object(entry) = entry {
                    entry.insert(
                        "examples".into(),
                        json!({ "response": { "value": example } }),
                    );
                }
            }
        }
        let mut out = Map::new();
        if !obj.contains_key("description") {
            out.insert("description".into(), "".into());
        }
        let mut content_slot = (!content.is_empty()).then_some(content);
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "schema" | "examples" => {
                    if let Some(content) = content_slot.take() {
                        out.insert("content".into(), Value::Object(content));
                    }
                }
                "headers" => {
                    out.insert(key.clone(), self.headers(v, &key_pointer)?);
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn headers(&self, value: &Value, pointer: &str) -> Result<Value> {
        let mut out = Map::new();
        for (name, header) in self.object(value, pointer, "`headers`")? {
            let header_pointer = push_pointer(pointer, name);
            let obj = self.object(header, &header_pointer, "a header")?;
            if !obj.contains_key("type") {
                return Err(self.err(&header_pointer, format!("header `{name}` has no `type`")));
            }
            if let Some(format) = obj.get("collectionFormat")
                && format.as_str() != Some("csv")
            {
                return Err(self.err(
                    &push_pointer(&header_pointer, "collectionFormat"),
                    "response headers support only collectionFormat csv",
                ));
            }
            let mut schema_slot = Some(self.value_schema(obj, &header_pointer)?);
            let mut converted = Map::new();
            for (key, v) in obj {
                match key.as_str() {
                    "collectionFormat" => {}
                    k if VALUE_KEYS.contains(&k) => {
                        if let Some(schema) = schema_slot.take() {
                            converted.insert("schema".into(), schema);
                        }
                    }
                    _ => {
                        converted.insert(key.clone(), v.clone());
                    }
                }
            }
            out.insert(name.clone(), Value::Object(converted));
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn response_schema_goes_under_every_produced_media_type() {
        let produces = json!([
            "application/json",
            "text/json",
            "text/html",
            "application/xml",
            "text/xml"
        ]);
        let out = up(with_op(
            json!({"responses": {"200": {"description": "OK", "schema": {"type": "array", "items": {"$ref": "#/definitions/A"}}}}}),
            json!({"produces": produces, "definitions": {"A": {"type": "object"}}}),
        ));
        let content = &out["paths"]["/p"]["get"]["responses"]["200"]["content"];
        assert_eq!(
            keys(content),
            [
                "application/json",
                "text/json",
                "text/html",
                "application/xml",
                "text/xml"
            ]
        );
        assert_eq!(
            content["text/xml"]["schema"]["items"]["$ref"],
            "#/components/schemas/A"
        );
        // Operation-level produces wins, and is removed after use.
        let out = up(with_op(
            json!({"produces": ["text/csv"], "schemes": ["https"], "responses": {"200": {"description": "OK", "schema": {"type": "file"}}}}),
            json!({"host": "h", "produces": produces}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(keys(op), ["servers", "responses"]);
        assert_eq!(op["servers"], json!([{"url": "https://h"}]));
        assert_eq!(
            op["responses"]["200"],
            json!({"description": "OK", "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}})
        );
    }

    #[test]
    fn responses_without_schema_get_no_content_and_keep_a_description() {
        let out = up(with_op(
            json!({"responses": {"204": {"description": "none"}, "default": {}, "x-r": 1}}),
            json!({}),
        ));
        let responses = &out["paths"]["/p"]["get"]["responses"];
        assert_eq!(responses["204"], json!({"description": "none"}));
        assert_eq!(responses["default"], json!({"description": ""}));
        assert_eq!(responses["x-r"], 1);
        let e = up_err(with_op(
            json!({"responses": {"OK": {"description": "x"}}}),
            json!({}),
        ));
        assert_eq!(e.pointer, "/paths/~1p/get/responses/OK");
        let e = up_err(with_op(json!({"summary": "s"}), json!({})));
        assert_eq!(e.pointer, "/paths/~1p/get");
    }

    #[test]
    fn response_headers_and_examples_are_converted() {
        let out = up(with_op(
            json!({"responses": {"200": {
                "description": "OK",
                "headers": {"ETag": {"description": "tag", "type": "string"}, "Retry-After": {"type": "integer", "format": "int32", "x-h": 1}},
                "schema": {"type": "string"},
                "examples": {"application/json": "hello", "text/plain": "hi"}
            }}}),
            json!({}),
        ));
        let response = &out["paths"]["/p"]["get"]["responses"]["200"];
        assert_eq!(keys(response), ["description", "headers", "content"]);
        assert_eq!(
            response["headers"],
            json!({"ETag": {"description": "tag", "schema": {"type": "string"}},
                   "Retry-After": {"schema": {"type": "integer", "format": "int32"}, "x-h": 1}})
        );
        assert_eq!(
            response["content"],
            json!({"application/json": {"schema": {"type": "string"}, "examples": {"response": {"value": "hello"}}},
                   "text/plain": {"examples": {"response": {"value": "hi"}}}})
        );
    }
}
