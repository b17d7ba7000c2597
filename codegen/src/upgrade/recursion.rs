//! Refuses schemas that contain themselves directly, which the generated (unboxed) types cannot
//! express. A cycle through an array or a map is fine: `Vec` and `BTreeMap` already put the
//! inner value behind a pointer, so such a struct has a finite size.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use serde_json::Value;

use super::refs::{percent_decode, walk_refs};
use crate::error::{Error, Result, push_pointer};

/// Refuses schemas that contain themselves through `$ref` by value (via properties or allOf):
/// the generated client does not box types, so such a model would not compile. References
/// under `items` or `additionalProperties` are no edges: the collection is the indirection.
/// Reads `components.schemas` of an OpenAPI 3.0 document; the error names the first schema, in
/// document order, that reaches itself.
pub fn check_recursion(file: &Path, doc: &Value) -> Result<()> {
    const PREFIX: &str = "#/components/schemas/";
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
    for (name, schema) in schemas {
        let mut targets = Vec::new();
        let _ = walk_refs(schema, "", false, &mut |reference: &str, at: &str| {
            if through_collection(at) {
                return Ok(());
            }
            if let Some(target) =
                reference
                    .strip_prefix(PREFIX)
                    .and_then(percent_decode)
                    .map(|rest| {
                        let token = rest.split('/').next().unwrap_or_default();
                        token.replace("~1", "/").replace("~0", "~")
                    })
                && schemas.contains_key(&target)
                && !targets.contains(&target)
            {
                targets.push(target);
            }
            Ok(())
        });
        edges.insert(name, targets);
    }
    for name in schemas.keys() {
        if let Some(cycle) = cycle_through(&edges, name) {
            return Err(Error::at(
                file,
                push_pointer("/components/schemas", name),
                format!(
                    "recursive schema: {} (a schema that contains itself other than through an array or a map would need a Box, which the generator does not emit)",
                    cycle.join(" -> ")
                ),
            ));
        }
    }
    Ok(())
}

/// Whether the `$ref` at `pointer` (relative to a component schema) sits under `items` or
/// `additionalProperties` of some schema on the way, rather than being a property name.
fn through_collection(pointer: &str) -> bool {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            // The next token is a property name (which may well be `items`).
            "properties" | "allOf" | "oneOf" | "anyOf" => i += 2,
            "items" | "additionalProperties" => return true,
            _ => i += 1,
        }
    }
    false
}

/// The shortest chain of schema names from `start` back to itself, if there is one.
fn cycle_through(edges: &HashMap<&str, Vec<String>>, start: &str) -> Option<Vec<String>> {
    let mut parent: HashMap<&str, &str> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in edges.get(node).into_iter().flatten() {
            if next == start {
                let mut chain = vec![start.to_owned()];
                let mut at = node;
                while at != start {
                    chain.push(at.to_owned());
                    at = parent[at];
                }
                chain.push(start.to_owned());
                chain.reverse();
                return Some(chain);
            }
            if !parent.contains_key(next.as_str()) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check_recursion;
    use crate::upgrade::test_support::*;

    #[test]
    fn recursive_definitions_are_refused() {
        let cases = [
            json!({"Node": {"properties": {"next": {"$ref": "#/definitions/Node"}}}}),
            json!({"Node": {"allOf": [{"$ref": "#/definitions/Node"}]}}),
            json!({"Node": {"properties": {"items": {"$ref": "#/definitions/Node"}}}}),
        ];
        for definitions in cases {
            let e = up_err(swagger(json!({"definitions": definitions})));
            assert_eq!(e.pointer, "/definitions/Node");
            assert!(
                e.message.starts_with("recursive schema: Node -> Node"),
                "{e}"
            );
        }
        let e = up_err(swagger(json!({"definitions": {
            "Leaf": {"type": "string"},
            "A": {"properties": {"b": {"$ref": "#/definitions/B"}, "leaf": {"$ref": "#/definitions/Leaf"}}},
            "B": {"properties": {"c": {"$ref": "#/definitions/C"}}},
            "C": {"properties": {"a": {"$ref": "#/definitions/A"}}}
        }})));
        assert_eq!(e.pointer, "/definitions/A");
        assert!(
            e.message.starts_with("recursive schema: A -> B -> C -> A"),
            "{e}"
        );
    }

    #[test]
    fn cycles_through_arrays_and_maps_are_accepted() {
        up(swagger(json!({"definitions": {
            "Node": {"properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}},
            "Tree": {"properties": {"props": {"$ref": "#/definitions/TreeProps"}}},
            "TreeProps": {"properties": {"byName": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Tree"}}}}
        }})));
    }

    #[test]
    fn shared_but_acyclic_references_are_fine() {
        up(swagger(json!({"definitions": {
            "A": {"properties": {"b": {"$ref": "#/definitions/B"}, "c": {"$ref": "#/definitions/C"}}},
            "B": {"properties": {"d": {"$ref": "#/definitions/D"}}},
            "C": {"properties": {"d": {"$ref": "#/definitions/D"}}},
            "D": {"type": "string"}
        }})));
    }

    #[test]
    fn recursion_and_refs_are_checked_in_openapi_30_too() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {
            "N": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/N"}}}
        }}});
        let e = up_err(doc);
        assert_eq!(e.pointer, "/components/schemas/N");
        let doc = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {
            "N": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/Gone"}}}
        }}});
        assert_eq!(
            up_err(doc).pointer,
            "/components/schemas/N/properties/n/$ref"
        );
        let doc = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {
            "N": {"$ref": "https://example.com/n.json"}
        }}});
        assert!(
            up_err(doc)
                .message
                .starts_with("external $ref not supported")
        );
    }

    #[test]
    fn cycle_check_reads_only_component_schemas() {
        assert!(check_recursion(file(), &json!({"openapi": "3.0.3"})).is_ok());
    }
}
