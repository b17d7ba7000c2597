//! `paths`: path items and operations, with body and formData parameters gathered into
//! `requestBody` and `produces`/`consumes`/`schemes` resolved per operation.

use serde_json::{Map, Value};

use super::convert::Converter;
use super::parameters::Param;
use crate::error::{Result, push_pointer};

impl<'a> Converter<'a> {
    pub(super) fn paths(&self, value: &'a Value, pointer: &str) -> Result<Value> {
        let mut out = Map::new();
        for (path, item) in self.object(value, pointer, "`paths`")? {
            let item_pointer = push_pointer(pointer, path);
            let converted = if path.starts_with("x-") {
                item.clone()
            } else {
                self.path_item(item, &item_pointer)?
            };
            out.insert(path.clone(), converted);
        }
        Ok(Value::Object(out))
    }

    fn path_item(&self, value: &'a Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "a path item")?;
        let shared = match obj.get("parameters") {
            Some(v) => self.param_list(v, &push_pointer(pointer, "parameters"))?,
            None => Vec::new(),
        };
        let mut out = Map::new();
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                    out.insert(key.clone(), self.operation(v, &key_pointer, &shared)?);
                }
                "parameters" => {
                    // Body and formData ones are pushed down into each operation's requestBody.
                    let kept = shared
                        .iter()
                        .filter(|p| !matches!(p.location, "body" | "formData"))
                        .map(|p| self.parameter_entry(p))
                        .collect::<Result<Vec<_>>>()?;
                    if !kept.is_empty() {
                        out.insert(key.clone(), Value::Array(kept));
                    }
                }
                "$ref" => {
                    return Err(self.err(&key_pointer, "$ref on a path item is not supported"));
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn operation(&self, value: &'a Value, pointer: &str, shared: &[Param<'a>]) -> Result<Value> {
        let op = self.object(value, pointer, "an operation")?;
        let own = match op.get("parameters") {
            Some(v) => self.param_list(v, &push_pointer(pointer, "parameters"))?,
            None => Vec::new(),
        };
        // Path-level body/formData parameters apply unless the operation redefines them.
        let inherited = shared.iter().filter(|s| {
            matches!(s.location, "body" | "formData")
                && !own
                    .iter()
                    .any(|o| o.name == s.name && o.location == s.location)
        });
        let mut bodies = Vec::new();
        let mut forms = Vec::new();
        for p in own.iter().chain(inherited) {
            match p.location {
                "body" => bodies.push(p),
                "formData" => forms.push(p),
                _ => {}
            }
        }
        if let Some(extra) = bodies.get(1) {
            return Err(self.err(
                &extra.pointer,
                "an operation can have only one body parameter",
            ));
        }
        if let (Some(body), Some(_)) = (bodies.first(), forms.first()) {
            return Err(self.err(
                &body.pointer,
                "an operation cannot have both body and formData parameters",
            ));
        }
        let consumes = self.effective(op, "consumes", pointer, &self.consumes)?;
        let produces = self.effective(op, "produces", pointer, &self.produces)?;
        let mut request_body = match (bodies.first(), forms.is_empty()) {
            (Some(body), _) => Some(self.request_body(body, &consumes)?),
            (None, false) => Some(self.form_body(&forms, &consumes)?),
            (None, true) => None,
        };
        if !op.contains_key("responses") {
            return Err(self.err(pointer, "operation has no `responses`"));
        }

        let mut out = Map::new();
        for (key, v) in op {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "consumes" | "produces" => {}
                "schemes" => {
                    let servers = self.servers(Some((v, &key_pointer)))?;
                    if !servers.is_empty() {
                        out.insert("servers".into(), Value::Array(servers));
                    }
                }
                "parameters" => {
                    let kept = own
                        .iter()
                        .filter(|p| !matches!(p.location, "body" | "formData"))
                        .map(|p| self.parameter_entry(p))
                        .collect::<Result<Vec<_>>>()?;
                    if !kept.is_empty() {
                        out.insert("parameters".into(), Value::Array(kept));
                    }
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".into(), body);
                    }
                }
                "responses" => {
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".into(), body);
                    }
                    out.insert(key.clone(), self.responses(v, &key_pointer, &produces)?);
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
    fn path_level_parameters_stay_and_bodies_move_into_operations() {
        let mut doc = swagger(json!({}));
        doc["paths"] = json!({"/p/{id}": {
            "parameters": [{"name": "id", "in": "path", "type": "string"}, {"name": "b", "in": "body", "schema": {"type": "string"}}],
            "put": {"responses": ok_response()},
            "post": {"parameters": [{"name": "b", "in": "body", "schema": {"type": "integer"}}], "responses": ok_response()}
        }});
        let out = up(doc);
        let item = &out["paths"]["/p/{id}"];
        assert_eq!(
            item["parameters"],
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert_eq!(
            item["put"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string"})
        );
        assert_eq!(
            item["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "integer"})
        );
        assert_eq!(keys(&item["put"]), ["requestBody", "responses"]);
    }

    #[test]
    fn operation_extensions_are_kept() {
        let pageable = json!({"nextLinkName": "nextLink", "itemName": "value"});
        let out = up(with_op(
            json!({"operationId": "X_Y", "x-ms-pageable": pageable.clone(), "responses": ok_response()}),
            json!({}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(op["x-ms-pageable"], pageable);
        assert_eq!(keys(op), ["operationId", "x-ms-pageable", "responses"]);
    }
}
