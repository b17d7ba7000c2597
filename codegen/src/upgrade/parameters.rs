//! Non-body parameters: `$ref`s followed, value keywords moved into `schema`,
//! `collectionFormat` → `style`/`explode`.

use serde_json::{Map, Value, json};

use super::convert::Converter;
use super::refs::{RefKind, local_pointer};
use super::values::VALUE_KEYS;
use crate::error::{Result, push_pointer};

/// A parameter list entry with any `$ref` followed.
#[derive(Debug)]
pub(super) struct Param<'a> {
    /// The rewritten reference, when the entry was a `$ref`.
    reference: Option<String>,
    /// The parameter object in the original document.
    pub(super) obj: &'a Map<String, Value>,
    /// Where `obj` sits in the original document.
    pub(super) pointer: String,
    pub(super) name: &'a str,
    pub(super) location: &'a str,
}

impl<'a> Converter<'a> {
    pub(super) fn param_list(&self, value: &'a Value, pointer: &str) -> Result<Vec<Param<'a>>> {
        self.array(value, pointer, "`parameters`")?
            .iter()
            .enumerate()
            .map(|(i, p)| self.resolve_param(p, &push_pointer(pointer, &i.to_string())))
            .collect()
    }

    /// Follows a parameter `$ref` (so body parameters can be told apart) and reads name and `in`.
    pub(super) fn resolve_param(&self, value: &'a Value, pointer: &str) -> Result<Param<'a>> {
        let entry = self.object(value, pointer, "a parameter")?;
        let (reference, obj, pointer) = match entry.get("$ref") {
            Some(r) => {
                let reference =
                    self.rewrite_ref(r, &push_pointer(pointer, "$ref"), RefKind::Parameter)?;
                // rewrite_ref resolved it, so both lookups succeed.
                let target_pointer = r.as_str().and_then(local_pointer).unwrap_or_default();
                let target = self.doc.pointer(&target_pointer).unwrap_or(&Value::Null);
                let obj = self.object(target, &target_pointer, "a parameter")?;
                if obj.contains_key("$ref") {
                    return Err(self.err(
                        &push_pointer(&target_pointer, "$ref"),
                        "a reusable parameter cannot itself be a $ref",
                    ));
                }
                (Some(reference), obj, target_pointer)
            }
            None => (None, entry, pointer.to_owned()),
        };
        let name = match obj.get("name") {
            Some(v) => self.string(v, &push_pointer(&pointer, "name"), "`name`")?,
            None => return Err(self.err(&pointer, "parameter has no `name`")),
        };
        let in_pointer = push_pointer(&pointer, "in");
        let location = match obj.get("in") {
            Some(v) => self.string(v, &in_pointer, "`in`")?,
            None => return Err(self.err(&pointer, format!("parameter `{name}` has no `in`"))),
        };
        if !matches!(location, "query" | "header" | "path" | "formData" | "body") {
            return Err(self.err(
                &in_pointer,
                format!("unknown parameter location {location:?} (expected query, header, path, formData or body)"),
            ));
        }
        Ok(Param {
            reference,
            obj,
            pointer,
            name,
            location,
        })
    }

    /// A non-body parameter as it appears in a 3.0 list: a rewritten `$ref` or the converted object.
    pub(super) fn parameter_entry(&self, param: &Param<'_>) -> Result<Value> {
        match &param.reference {
            Some(reference) => Ok(json!({ "$ref": reference })),
            None => self.parameter(param),
        }
    }

    /// A non-body parameter: value keywords move into `schema`, `collectionFormat` becomes
    /// `style`/`explode`, path parameters become required.
    pub(super) fn parameter(&self, param: &Param<'_>) -> Result<Value> {
        let obj = param.obj;
        let pointer = &param.pointer;
        let is_path = param.location == "path";
        if let Some(v) = obj.get("type") {
            if v.as_str() == Some("file") {
                return Err(self.err(
                    &push_pointer(pointer, "type"),
                    "`type: file` is only allowed for formData parameters",
                ));
            }
        } else {
            return Err(self.err(pointer, format!("parameter `{}` has no `type`", param.name)));
        }
        if obj.contains_key("schema") {
            return Err(self.err(
                &push_pointer(pointer, "schema"),
                "only body parameters have a `schema` in Swagger 2.0",
            ));
        }
        let schema = self.value_schema(obj, pointer)?;
        let style = self.style(obj, param.location, pointer)?;
        let mut out = Map::new();
        let mut schema_slot = Some(schema);
        for (key, v) in obj {
            match key.as_str() {
                "required" if is_path => {
                    out.insert(key.clone(), true.into());
                }
                "allowEmptyValue" if param.location != "query" => {}
                "collectionFormat" => {}
                "x-example" => {
                    out.insert("example".into(), v.clone());
                }
                k if VALUE_KEYS.contains(&k) => {
                    if let Some(schema) = schema_slot.take() {
                        if is_path && !out.contains_key("required") {
                            out.insert("required".into(), true.into());
                        }
                        out.insert("schema".into(), schema);
                        if let Some((style, explode)) = style {
                            out.insert("style".into(), style.into());
                            if let Some(explode) = explode {
                                out.insert("explode".into(), explode.into());
                            }
                        }
                    }
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// The 3.0 `style` (and `explode`) of an array parameter, as swagger2openapi maps them.
    fn style(
        &self,
        obj: &Map<String, Value>,
        location: &str,
        pointer: &str,
    ) -> Result<Option<(&'static str, Option<bool>)>> {
        if obj.get("type").and_then(Value::as_str) != Some("array") {
            return Ok(None);
        }
        let format_pointer = push_pointer(pointer, "collectionFormat");
        let format = match obj.get("collectionFormat") {
            Some(v) => self.string(v, &format_pointer, "`collectionFormat`")?,
            None => "csv",
        };
        Ok(Some(match (format, location) {
            ("csv", "query") => ("form", Some(false)),
            ("csv", "path" | "header") => ("simple", None),
            ("multi", "query") => ("form", Some(true)),
            ("ssv", "query") => ("spaceDelimited", None),
            ("pipes", "query") => ("pipeDelimited", None),
            ("tsv", _) => {
                return Err(self.err(
                    &format_pointer,
                    "collectionFormat tsv has no OpenAPI 3.0 equivalent",
                ));
            }
            (other, _) => {
                return Err(self.err(
                    &format_pointer,
                    format!(
                        "collectionFormat {other:?} is not supported for {location} parameters"
                    ),
                ));
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::error::Result;
    use crate::upgrade::test_support::*;
    use crate::upgrade::upgrade;

    #[test]
    fn non_body_parameter_values_move_into_schema() {
        let out = up(with_op(
            json!({"parameters": [{
                "name": "grain", "in": "query", "description": "d", "required": false,
                "type": "string", "enum": ["daily", "monthly"], "default": "daily",
                "x-ms-enum": {"name": "Grain", "modelAsString": true},
                "x-nullable": true, "x-ms-client-name": "Granularity", "x-example": "daily"
            }], "responses": ok_response()}),
            json!({}),
        ));
        let param = &out["paths"]["/p"]["get"]["parameters"][0];
        assert_eq!(
            keys(param),
            [
                "name",
                "in",
                "description",
                "required",
                "schema",
                "x-ms-client-name",
                "example"
            ]
        );
        assert_eq!(
            param["schema"],
            json!({"type": "string", "enum": ["daily", "monthly"], "default": "daily",
                   "x-ms-enum": {"name": "Grain", "modelAsString": true}, "nullable": true})
        );
        assert_eq!(
            keys(&param["schema"]),
            ["type", "enum", "default", "x-ms-enum", "nullable"]
        );
    }

    #[test]
    fn path_parameters_are_required() {
        let out = up(with_op(
            json!({"parameters": [
                {"name": "a", "in": "path", "type": "string"},
                {"name": "b", "in": "path", "required": false, "type": "integer", "format": "int32", "minimum": 1}
            ], "responses": ok_response()}),
            json!({}),
        ));
        let params = &out["paths"]["/p"]["get"]["parameters"];
        assert_eq!(
            params[0],
            json!({"name": "a", "in": "path", "required": true, "schema": {"type": "string"}})
        );
        assert_eq!(keys(&params[0]), ["name", "in", "required", "schema"]);
        assert_eq!(
            params[1],
            json!({"name": "b", "in": "path", "required": true, "schema": {"type": "integer", "format": "int32", "minimum": 1}})
        );
    }

    fn array_param(location: &str, format: Option<&str>) -> Result<Value> {
        let mut param =
            json!({"name": "a", "in": location, "type": "array", "items": {"type": "string"}});
        if let Some(format) = format {
            param["collectionFormat"] = format.into();
        }
        upgrade(
            file(),
            with_op(
                json!({"parameters": [param], "responses": ok_response()}),
                json!({}),
            ),
        )
        .map(|out| out["paths"]["/p"]["get"]["parameters"][0].clone())
    }

    #[test]
    fn collection_formats_become_style_and_explode() {
        let style = |location, format| {
            let p = array_param(location, format).unwrap();
            (p.get("style").cloned(), p.get("explode").cloned())
        };
        assert_eq!(
            style("query", None),
            (Some(json!("form")), Some(json!(false)))
        );
        assert_eq!(
            style("query", Some("csv")),
            (Some(json!("form")), Some(json!(false)))
        );
        assert_eq!(style("path", Some("csv")), (Some(json!("simple")), None));
        assert_eq!(style("header", None), (Some(json!("simple")), None));
        assert_eq!(
            style("query", Some("multi")),
            (Some(json!("form")), Some(json!(true)))
        );
        assert_eq!(
            style("query", Some("ssv")),
            (Some(json!("spaceDelimited")), None)
        );
        assert_eq!(
            style("query", Some("pipes")),
            (Some(json!("pipeDelimited")), None)
        );
        let p = array_param("query", Some("multi")).unwrap();
        assert_eq!(keys(&p), ["name", "in", "schema", "style", "explode"]);
        assert_eq!(
            p["schema"],
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            array_param("query", Some("tsv")).unwrap_err().pointer,
            "/paths/~1p/get/parameters/0/collectionFormat"
        );
        assert!(array_param("path", Some("multi")).is_err());
    }

    #[test]
    fn bad_parameters_are_refused_with_pointers() {
        let bad = |param: Value| {
            up_err(with_op(
                json!({"parameters": [param], "responses": ok_response()}),
                json!({}),
            ))
        };
        assert_eq!(
            bad(json!({"name": "a", "in": "query"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        assert_eq!(
            bad(json!({"name": "a", "in": "cookie", "type": "string"})).pointer,
            "/paths/~1p/get/parameters/0/in"
        );
        assert_eq!(
            bad(json!({"name": "a", "in": "query", "type": "file"})).pointer,
            "/paths/~1p/get/parameters/0/type"
        );
        assert_eq!(
            bad(json!({"in": "query", "type": "string"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        assert_eq!(
            bad(json!({"name": "a", "in": "query", "type": "array"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        assert_eq!(
            bad(json!({"name": "b", "in": "body"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        let e = up_err(with_op(
            json!({"parameters": [{"name": "a", "in": "body", "schema": {}}, {"name": "b", "in": "body", "schema": {}}], "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(e.pointer, "/paths/~1p/get/parameters/1");
    }
}
