//! `allOf` beside the keywords of an object (`properties`, `required`, `additionalProperties`,
//! `type: object`), and a `$ref` beside them: rewritten so that every part is a member of
//! `allOf`. openapiv3 reads a schema as *one* kind, so without this a typed object with
//! `allOf` would lose its parents (and an `allOf` its own properties) without a word.
//!
//! The schema's own keywords become the last member, marked with [`OWN_PART`], so that the
//! lower stage reports problems in it at the schema's own pointer, where the author wrote them.

use serde_json::{Map, Value};

/// The extension that marks the member holding a schema's own object keywords.
pub const OWN_PART: &str = "x-ea-own-part";

/// Keywords that describe the object itself, as opposed to annotations of the schema.
const OBJECT_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];

/// Rewrites every schema of an OpenAPI 3.0 tree in place (see the module docs).
pub fn normalize_all_of(doc: &mut Value) {
    walk(doc);
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if is_composite(map) {
                split(map);
            }
            for (key, child) in map.iter_mut() {
                // Data, not schemas.
                if matches!(key.as_str(), "example" | "examples" | "default" | "enum")
                    || key.starts_with("x-")
                {
                    continue;
                }
                walk(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

/// `allOf` or `$ref` together with an object keyword.
fn is_composite(map: &Map<String, Value>) -> bool {
    let parents = map.get("allOf").is_some_and(Value::is_array)
        || map.get("$ref").is_some_and(Value::is_string);
    let object = OBJECT_KEYWORDS.iter().any(|k| match (k, map.get(*k)) {
        (&"type", Some(t)) => t == "object",
        (_, Some(_)) => true,
        _ => false,
    });
    parents && object
}

fn split(map: &mut Map<String, Value>) {
    let mut own = Map::new();
    for key in OBJECT_KEYWORDS {
        if let Some(v) = map.shift_remove(*key) {
            own.insert((*key).to_string(), v);
        }
    }
    own.entry("type").or_insert_with(|| "object".into());
    own.insert(OWN_PART.into(), true.into());
    let mut members = match map.shift_remove("allOf") {
        Some(Value::Array(members)) => members,
        _ => Vec::new(),
    };
    if let Some(reference) = map.shift_remove("$ref") {
        let mut r = Map::new();
        r.insert("$ref".into(), reference);
        members.insert(0, Value::Object(r));
    }
    members.push(Value::Object(own));
    map.insert("allOf".into(), Value::Array(members));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::normalize_all_of;

    #[test]
    fn object_keywords_beside_all_of_become_its_last_member() {
        let mut doc = json!({"components": {"schemas": {
            "Child": {"type": "object", "description": "d", "discriminator": {"propertyName": "kind"},
                      "allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "Ref": {"$ref": "#/components/schemas/Base", "properties": {"b": {"type": "integer"}}, "readOnly": true},
            "Plain": {"allOf": [{"$ref": "#/components/schemas/Base"}], "description": "kept"},
            "Example": {"type": "object", "example": {"allOf": [], "type": "object"}}
        }}});
        normalize_all_of(&mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["Child"],
            json!({"description": "d", "discriminator": {"propertyName": "kind"}, "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "x-ea-own-part": true}
            ]})
        );
        assert_eq!(
            s["Ref"],
            json!({"readOnly": true, "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"properties": {"b": {"type": "integer"}}, "type": "object", "x-ea-own-part": true}
            ]})
        );
        assert_eq!(
            s["Plain"],
            json!({"allOf": [{"$ref": "#/components/schemas/Base"}], "description": "kept"})
        );
        assert_eq!(
            s["Example"],
            json!({"type": "object", "example": {"allOf": [], "type": "object"}})
        );
    }
}
