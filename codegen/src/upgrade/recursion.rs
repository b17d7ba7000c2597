//! Refuses schemas that are their own parent (a cycle of `allOf` or of plain `$ref` aliases),
//! which no type can express: its fields would be its own fields. A schema that contains itself
//! through a property is fine: through an array or a map `Vec`/`BTreeMap` are the pointer, and
//! by value the lower stage puts the field in a `Box`.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use serde_json::Value;

use super::refs::{percent_decode, walk_refs};
use crate::error::{Error, Result, push_pointer};

/// Refuses schemas that reach themselves through `allOf` parents or `$ref` aliases. References
/// under `properties`, `items` or `additionalProperties` are no edges (see the module docs).
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
            if !is_parent(at) {
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
                    "recursive schema: {} through allOf or $ref aliases (a schema cannot be its own parent)",
                    cycle.join(" -> ")
                ),
            ));
        }
    }
    Ok(())
}

/// Whether the `$ref` at `pointer` (relative to a component schema) names a parent: the schema
/// itself is a `$ref`, or the reference is a member of `allOf`, at any depth of `allOf`s.
fn is_parent(pointer: &str) -> bool {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    let Some((last, path)) = tokens.split_last() else {
        return false;
    };
    *last == "$ref"
        && path.len() % 2 == 0
        && path
            .chunks(2)
            .all(|pair| pair[0] == "allOf" && pair[1].parse::<usize>().is_ok())
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
    fn schemas_that_are_their_own_parent_are_refused() {
        let cases = [
            json!({"Node": {"allOf": [{"$ref": "#/definitions/Node"}]}}),
            json!({"Node": {"allOf": [{"allOf": [{"$ref": "#/definitions/Node"}]}]}}),
            json!({"Node": {"$ref": "#/definitions/Node"}}),
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
            "A": {"allOf": [{"$ref": "#/definitions/B"}], "properties": {"leaf": {"$ref": "#/definitions/Leaf"}}},
            "B": {"allOf": [{"$ref": "#/definitions/C"}]},
            "C": {"allOf": [{"$ref": "#/definitions/A"}]}
        }})));
        assert_eq!(e.pointer, "/definitions/A");
        assert!(
            e.message.starts_with("recursive schema: A -> B -> C -> A"),
            "{e}"
        );
    }

    #[test]
    fn schemas_that_contain_themselves_through_properties_are_accepted() {
        up(swagger(json!({"definitions": {
            "Node": {"properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}, "parent": {"$ref": "#/definitions/Node"}}},
            "Tree": {"properties": {"props": {"$ref": "#/definitions/TreeProps"}}},
            "TreeProps": {"properties": {"byName": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Tree"}}}},
            "A": {"properties": {"b": {"$ref": "#/definitions/B"}}},
            "B": {"allOf": [{"$ref": "#/definitions/A"}]},
            "Items": {"properties": {"items": {"$ref": "#/definitions/Items"}, "allOf": {"$ref": "#/definitions/Items"}}}
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
            "N": {"allOf": [{"$ref": "#/components/schemas/N"}]}
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
