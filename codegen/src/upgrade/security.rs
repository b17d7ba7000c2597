//! `securityDefinitions` → `components.securitySchemes`.

use serde_json::{Map, Value, json};

use super::convert::Converter;
use crate::error::{Result, push_pointer};

impl Converter<'_> {
    pub(super) fn security_definitions(
        &self,
        value: &Value,
        pointer: &str,
    ) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, scheme) in self.object(value, pointer, "`securityDefinitions`")? {
            out.insert(
                name.clone(),
                self.security_scheme(scheme, &push_pointer(pointer, name))?,
            );
        }
        Ok(out)
    }

    /// apiKey stays; basic becomes http/basic; oauth2's single `flow` becomes `flows`.
    fn security_scheme(&self, value: &Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "a security scheme")?;
        let type_pointer = push_pointer(pointer, "type");
        let kind = match obj.get("type") {
            Some(v) => self.string(v, &type_pointer, "`type`")?,
            None => return Err(self.err(pointer, "security scheme has no `type`")),
        };
        let mut out = Map::new();
        match kind {
            "apiKey" => return Ok(value.clone()),
            "basic" => {
                for (key, v) in obj {
                    if key == "type" {
                        out.insert("type".into(), "http".into());
                        out.insert("scheme".into(), "basic".into());
                    } else {
                        out.insert(key.clone(), v.clone());
                    }
                }
            }
            "oauth2" => {
                let flow_pointer = push_pointer(pointer, "flow");
                let flow = match obj.get("flow") {
                    Some(v) => self.string(v, &flow_pointer, "`flow`")?,
                    None => return Err(self.err(pointer, "oauth2 security scheme has no `flow`")),
                };
                let (name, urls): (&str, &[&str]) = match flow {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    other => {
                        return Err(
                            self.err(&flow_pointer, format!("unknown oauth2 flow {other:?}"))
                        );
                    }
                };
                let mut flow_obj = Map::new();
                for url in urls {
                    let v = obj.get(*url).ok_or_else(|| {
                        self.err(pointer, format!("oauth2 flow `{flow}` needs `{url}`"))
                    })?;
                    flow_obj.insert((*url).into(), v.clone());
                }
                flow_obj.insert(
                    "scopes".into(),
                    obj.get("scopes").cloned().unwrap_or_else(|| json!({})),
                );
                for (key, v) in obj {
                    match key.as_str() {
                        "flow" => {
                            out.insert("flows".into(), json!({ name: flow_obj.clone() }));
                        }
                        "authorizationUrl" | "tokenUrl" | "scopes" => {}
                        _ => {
                            out.insert(key.clone(), v.clone());
                        }
                    }
                }
            }
            other => {
                return Err(self.err(
                    &type_pointer,
                    format!(
                        "unknown security scheme type {other:?} (expected apiKey, basic or oauth2)"
                    ),
                ));
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
    fn security_definitions_become_security_schemes() {
        let out = up(swagger(json!({"securityDefinitions": {
            "key": {"type": "apiKey", "name": "Authorization", "in": "header", "description": "d"},
            "basic": {"type": "basic", "description": "b"},
            "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": {"r": "read"}},
            "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {}},
            "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t"},
            "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}
        }})));
        let schemes = &out["components"]["securitySchemes"];
        assert_eq!(
            schemes["key"],
            json!({"type": "apiKey", "name": "Authorization", "in": "header", "description": "d"})
        );
        assert_eq!(
            schemes["basic"],
            json!({"type": "http", "scheme": "basic", "description": "b"})
        );
        assert_eq!(keys(&schemes["basic"]), ["type", "scheme", "description"]);
        assert_eq!(
            schemes["implicit"],
            json!({"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {"r": "read"}}}})
        );
        assert_eq!(
            schemes["password"]["flows"],
            json!({"password": {"tokenUrl": "https://t", "scopes": {}}})
        );
        assert_eq!(
            schemes["app"]["flows"],
            json!({"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}})
        );
        assert_eq!(
            schemes["code"]["flows"],
            json!({"authorizationCode": {"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}})
        );
        let e = up_err(swagger(
            json!({"securityDefinitions": {"x": {"type": "magic"}}}),
        ));
        assert_eq!(e.pointer, "/securityDefinitions/x/type");
    }
}
