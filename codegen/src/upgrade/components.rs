//! `definitions`, reusable `parameters` and `responses` → `components`.

use serde_json::{Map, Value, json};

use super::DEFAULT_MEDIA_TYPE;
use super::convert::Converter;
use crate::error::{Result, push_pointer};

impl<'a> Converter<'a> {
    pub(super) fn definitions(&self, value: &Value, pointer: &str) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, schema) in self.object(value, pointer, "`definitions`")? {
            out.insert(
                name.clone(),
                self.schema(schema, &push_pointer(pointer, name))?,
            );
        }
        Ok(out)
    }

    /// Reusable non-body parameters. Body and formData ones have no 3.0 parameter form: they
    /// are checked here and inlined into each `requestBody` that references them.
    pub(super) fn component_parameters(
        &self,
        value: &'a Value,
        pointer: &str,
    ) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, param) in self.object(value, pointer, "`parameters`")? {
            let param_pointer = push_pointer(pointer, name);
            if self
                .object(param, &param_pointer, "a parameter")?
                .contains_key("$ref")
            {
                return Err(self.err(
                    &push_pointer(&param_pointer, "$ref"),
                    "a reusable parameter cannot itself be a $ref",
                ));
            }
            let param = self.resolve_param(param, &param_pointer)?;
            match param.location {
                "body" => {
                    self.request_body(&param, &[DEFAULT_MEDIA_TYPE.to_owned()])?;
                }
                "formData" => {
                    self.form_body(&[&param], &[])?;
                }
                _ => {
                    out.insert(name.clone(), self.parameter(&param)?);
                }
            }
        }
        Ok(out)
    }

    pub(super) fn component_responses(
        &self,
        value: &Value,
        pointer: &str,
    ) -> Result<Map<String, Value>> {
        let produces = if self.produces.is_empty() {
            vec![DEFAULT_MEDIA_TYPE.to_owned()]
        } else {
            self.produces.clone()
        };
        let mut out = Map::new();
        for (name, response) in self.object(value, pointer, "`responses`")? {
            let response_pointer = push_pointer(pointer, name);
            if self
                .object(response, &response_pointer, "a response")?
                .contains_key("$ref")
            {
                return Err(self.err(
                    &push_pointer(&response_pointer, "$ref"),
                    "a reusable response cannot itself be a $ref",
                ));
            }
            out.insert(
                name.clone(),
                self.response(response, &response_pointer, &produces)?,
            );
        }
        Ok(out)
    }
}

/// Adds a non-empty section to `components`, creating it where the first section appeared.
pub(super) fn add_component(
    out: &mut Map<String, Value>,
    section: &str,
    entries: Map<String, Value>,
) {
    if entries.is_empty() {
        return;
    }
    let components = out.entry("components").or_insert_with(|| json!({}));
    if let Value::Object(components) = components {
        components.insert(section.into(), Value::Object(entries));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn definitions_become_component_schemas_with_refs_rewritten() {
        let out = up(swagger(json!({"definitions": {
            "A": {"type": "object", "properties": {
                "b": {"$ref": "#/definitions/B"},
                "list": {"type": "array", "items": {"$ref": "#/definitions/B"}},
                "map": {"type": "object", "additionalProperties": {"$ref": "#/definitions/B"}}
            }},
            "B": {"type": "string"},
            "C": {"allOf": [{"$ref": "#/definitions/A"}, {"type": "object"}]}
        }})));
        let schemas = &out["components"]["schemas"];
        assert_eq!(keys(schemas), ["A", "B", "C"]);
        assert_eq!(keys(&schemas["A"]["properties"]), ["b", "list", "map"]);
        assert_eq!(
            schemas["A"]["properties"]["b"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(
            schemas["A"]["properties"]["list"]["items"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(
            schemas["A"]["properties"]["map"]["additionalProperties"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(schemas["C"]["allOf"][0]["$ref"], "#/components/schemas/A");
    }

    #[test]
    fn reusable_parameters_and_responses_become_components() {
        let doc = swagger(json!({
            "paths": {"/p/{id}": {"get": {
                "parameters": [{"$ref": "#/parameters/Id"}, {"$ref": "#/parameters/Body"}],
                "responses": {"200": {"$ref": "#/responses/Ok"}}
            }}},
            "parameters": {
                "Id": {"name": "id", "in": "path", "type": "string"},
                "Body": {"name": "body", "in": "body", "schema": {"type": "string"}}
            },
            "responses": {"Ok": {"description": "OK", "schema": {"type": "string"}}}
        }));
        let out = up(doc);
        assert_eq!(keys(&out["components"]), ["parameters", "responses"]);
        assert_eq!(
            out["components"]["parameters"],
            json!({"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}})
        );
        assert_eq!(
            out["components"]["responses"]["Ok"],
            json!({"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}})
        );
        let op = &out["paths"]["/p/{id}"]["get"];
        assert_eq!(
            op["parameters"],
            json!([{"$ref": "#/components/parameters/Id"}])
        );
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string"})
        );
        assert_eq!(
            op["responses"]["200"],
            json!({"$ref": "#/components/responses/Ok"})
        );
    }
}
