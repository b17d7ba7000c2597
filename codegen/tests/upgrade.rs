//! The load → upgrade → parse front end against the fixture specs: every valid fixture upgrades,
//! parses and matches its snapshot; every invalid one fails naming its file and the node at
//! fault; random damage to a valid fixture never panics.

use std::path::{Path, PathBuf};

use ea_codegen::error::Error;
use ea_codegen::load::load;
use ea_codegen::parse::load_spec;
use ea_codegen::upgrade::upgrade;
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn spec(name: &str) -> (Value, OpenAPI) {
    load_spec(&fixtures().join(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// The valid fixtures, sorted, so the property test can index them.
fn valid_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_valid_fixture_upgrades_parses_and_matches_its_snapshot() {
    insta::glob!("fixtures/*.{json,yaml}", |path| {
        let (value, api) = load_spec(path).unwrap_or_else(|e| panic!("{e}"));
        assert!(api.openapi.starts_with("3.0."), "{}", api.openapi);
        assert!(!api.paths.paths.is_empty());
        insta::assert_json_snapshot!("upgraded", value);
    });
}

/// The Swashbuckle-style Swagger 2.0 fixtures (the tenth is `openapi30.yaml`).
const SWAGGER_FIXTURES: &[&str] = &[
    "duplicate-operation-ids.json",
    "missing-operation-id.json",
    "mixed-case-paths.json",
    "datetime-query.json",
    "empty-object.json",
    "file-response.json",
    "x-nullable.json",
    "x-ms-pageable.json",
    "x-ms-enum.json",
];

#[test]
fn the_ten_quirk_fixtures_are_present() {
    let names: Vec<String> = valid_fixtures()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in SWAGGER_FIXTURES.iter().chain(&["openapi30.yaml"]) {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn swashbuckle_fixtures_keep_document_order() {
    for path in SWAGGER_FIXTURES.iter().map(|name| fixtures().join(name)) {
        let (value, _) = load_spec(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            keys(&value),
            ["openapi", "info", "servers", "paths", "components"],
            "{}",
            path.display()
        );
        assert_eq!(
            value["servers"],
            json!([{"url": "https://consumption.azure.com:443"}])
        );
        let original = load(&path).unwrap();
        let original_paths: Vec<&str> = keys(&original["paths"]);
        assert_eq!(keys(&value["paths"]), original_paths, "{}", path.display());
        let definitions: Vec<&str> = keys(&original["definitions"]);
        assert_eq!(
            keys(&value["components"]["schemas"]),
            definitions,
            "{}",
            path.display()
        );
    }
}

#[test]
fn every_operation_starts_with_the_authorization_header() {
    for path in SWAGGER_FIXTURES.iter().map(|name| fixtures().join(name)) {
        let (_, api) = load_spec(&path).unwrap();
        for (route, method, op) in api.operations() {
            let Some(ReferenceOr::Item(Parameter::Header { parameter_data, .. })) =
                op.parameters.first()
            else {
                panic!(
                    "{}: {method} {route} does not start with a header parameter",
                    path.display()
                );
            };
            assert_eq!(parameter_data.name, "Authorization");
            assert!(parameter_data.required);
        }
    }
}

#[test]
fn duplicate_operation_ids_survive_the_upgrade() {
    let (_, api) = spec("duplicate-operation-ids.json");
    let ids: Vec<_> = api
        .operations()
        .map(|(_, _, op)| op.operation_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "MarketplacesV3_GetMarketplaces",
            "MarketplacesV3_GetMarketplaces",
            "MarketplacesV3_GetMarketplaces",
            "PriceSheetsV3_Get",
            "PriceSheetsV3_Get"
        ]
    );
}

#[test]
fn missing_operation_id_stays_missing() {
    let (_, api) = spec("missing-operation-id.json");
    let ids: Vec<_> = api
        .operations()
        .map(|(_, _, op)| op.operation_id.clone())
        .collect();
    assert_eq!(ids, [Some("PriceSheetsV3_Get".to_owned()), None]);
}

#[test]
fn mixed_case_paths_are_kept_verbatim() {
    let (_, api) = spec("mixed-case-paths.json");
    let paths: Vec<_> = api.paths.paths.keys().cloned().collect();
    assert_eq!(
        paths,
        [
            "/v3/enrollments/{enrollmentNumber}/billingPeriods/{billingPeriod}/usagedetails",
            "/v3/enrollments/{enrollmentNumber}/billingperiods/{billingPeriod}/pricesheet"
        ]
    );
}

#[test]
fn date_time_query_parameters_get_a_date_time_schema() {
    let (value, _) = spec("datetime-query.json");
    let params = &value["paths"]["/v3/enrollments/{enrollmentNumber}/reservationcharges"]["get"]["parameters"];
    assert_eq!(
        params[2],
        json!({"name": "startDate", "in": "query", "required": true, "schema": {"type": "string", "format": "date-time"}})
    );
}

#[test]
fn empty_objects_stay_empty_objects() {
    let (value, api) = spec("empty-object.json");
    assert_eq!(
        value["components"]["schemas"]["Object"],
        json!({"type": "object", "properties": {}})
    );
    let schemas = api.components.unwrap().schemas;
    let ReferenceOr::Item(object) = &schemas["Object"] else {
        panic!("Object is a $ref")
    };
    assert!(
        matches!(&object.schema_kind, SchemaKind::Type(Type::Object(o)) if o.properties.is_empty())
    );
}

#[test]
fn file_response_is_a_binary_string_under_text_csv() {
    let (value, _) = spec("file-response.json");
    let response = &value["paths"]["/v3/enrollments/{enrollmentNumber}/usagedetails/download"]["get"]
        ["responses"]["200"];
    assert_eq!(
        response,
        &json!({"description": "OK", "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}})
    );
}

#[test]
fn x_nullable_becomes_nullable() {
    let (value, api) = spec("x-nullable.json");
    let properties = &value["components"]["schemas"]["BalanceSummaryV3"]["properties"];
    assert_eq!(
        properties["beginningBalance"],
        json!({"format": "double", "type": "number", "nullable": true})
    );
    assert_eq!(properties["endingBalance"]["nullable"], false);
    assert!(properties["billingPeriodId"].get("nullable").is_none());
    let text = serde_json::to_string(&value).unwrap();
    assert!(!text.contains("x-nullable"));
    let schemas = api.components.unwrap().schemas;
    let ReferenceOr::Item(summary) = &schemas["BalanceSummaryV3"] else {
        panic!()
    };
    let SchemaKind::Type(Type::Object(object)) = &summary.schema_kind else {
        panic!()
    };
    let ReferenceOr::Item(beginning) = &object.properties["beginningBalance"] else {
        panic!()
    };
    assert!(beginning.schema_data.nullable);
}

#[test]
fn x_ms_pageable_reaches_the_parsed_operation() {
    let (_, api) = spec("x-ms-pageable.json");
    let (_, _, op) = api.operations().next().unwrap();
    assert_eq!(
        op.extensions["x-ms-pageable"],
        json!({"nextLinkName": "nextLink", "itemName": "value"})
    );
}

#[test]
fn x_ms_enum_reaches_the_parameter_schema_and_the_property() {
    let (_, api) = spec("x-ms-enum.json");
    let (_, _, op) = api.operations().next().unwrap();
    let grain = op
        .parameters
        .iter()
        .find_map(|p| match p {
            ReferenceOr::Item(Parameter::Query {
                parameter_data,
                style,
                ..
            }) if parameter_data.name == "grain" => Some((parameter_data.clone(), style.clone())),
            _ => None,
        })
        .expect("grain parameter");
    let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &grain.0.format else {
        panic!()
    };
    assert_eq!(
        schema.schema_data.extensions["x-ms-enum"],
        json!({"name": "Grain", "modelAsString": true})
    );
    let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
        panic!()
    };
    assert_eq!(
        string.enumeration,
        [Some("daily".to_owned()), Some("monthly".to_owned())]
    );
    let schemas = api.components.unwrap().schemas;
    let ReferenceOr::Item(summary) = &schemas["ChargeSummaryV3"] else {
        panic!()
    };
    let SchemaKind::Type(Type::Object(object)) = &summary.schema_kind else {
        panic!()
    };
    let ReferenceOr::Item(charge_type) = &object.properties["chargeType"] else {
        panic!()
    };
    assert_eq!(
        charge_type.schema_data.extensions["x-ms-enum"]["name"],
        "ChargeType"
    );
}

#[test]
fn openapi30_yaml_passes_through_unchanged() {
    let path = fixtures().join("openapi30.yaml");
    let loaded = load(&path).unwrap();
    let (value, api) = spec("openapi30.yaml");
    assert_eq!(value, loaded);
    assert_eq!(api.operations().count(), 2);
    // `200:` unquoted in YAML is the same status code as '200'.
    let (_, _, op) = api.operations().next().unwrap();
    assert!(
        op.responses
            .responses
            .contains_key(&openapiv3::StatusCode::Code(200))
    );
}

/// (fixture under invalid/, pointer the error must name, words its message must contain)
const INVALID: &[(&str, &str, &str)] = &[
    ("bad-json.json", "", "invalid JSON at line 8, column 3"),
    ("bad-yaml.yaml", "", "invalid YAML at line"),
    (
        "unresolved-ref.json",
        "/definitions/MarketplacePropertiesV3/properties/meter/$ref",
        "unresolved $ref",
    ),
    (
        "recursive.json",
        "/definitions/DepartmentV3",
        "recursive schema: DepartmentV3 -> DepartmentV3",
    ),
    (
        "unsupported-keyword.json",
        "/definitions/PriceSheetV3/properties/unitPrice/oneOf",
        "unsupported keyword",
    ),
    ("openapi31.json", "/openapi", "OpenAPI 3.1 is not supported"),
    (
        "unknown-version.json",
        "/swagger",
        "Swagger version \"1.2\" is not supported",
    ),
];

#[test]
fn every_invalid_fixture_fails_naming_file_and_pointer() {
    for (name, pointer, words) in INVALID {
        let path = fixtures().join("invalid").join(name);
        let error: Error = match load_spec(&path) {
            Ok(_) => panic!("{name} should not load"),
            Err(e) => e,
        };
        let shown = error.to_string();
        assert_eq!(error.file, path);
        assert!(shown.starts_with(&path.display().to_string()), "{shown}");
        assert_eq!(error.pointer, *pointer, "{shown}");
        if !pointer.is_empty() {
            assert!(shown.contains(&format!(": at {pointer}: ")), "{shown}");
        }
        assert!(shown.contains(words), "{name}: {shown}");
    }
}

#[test]
fn every_invalid_fixture_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut covered: Vec<&str> = INVALID.iter().map(|(name, _, _)| *name).collect();
    covered.sort();
    assert_eq!(names, covered);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = fixtures().join("no-such-spec.json");
    let error = load_spec(&path).unwrap_err();
    assert_eq!(error.file, path);
    assert!(
        error.message.starts_with("cannot read the spec: "),
        "{error}"
    );
}

#[test]
fn upgrading_twice_changes_nothing() {
    for path in valid_fixtures() {
        let (once, _) = load_spec(&path).unwrap();
        let twice = upgrade(&path, once.clone()).unwrap();
        assert_eq!(once, twice, "{}", path.display());
    }
}

// --- property test: random damage never panics ------------------------------------------

/// One change to a parsed fixture; indices are reduced modulo what exists.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteKey(usize, usize),
    Replace(usize, Value),
    RenameRef(usize, String),
    InsertOneOf(usize),
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("type".to_owned()),
        Just("$ref".to_owned()),
        Just("in".to_owned()),
        Just("schema".to_owned()),
        Just("items".to_owned()),
        Just("x-nullable".to_owned()),
        Just("collectionFormat".to_owned()),
        Just("properties".to_owned()),
        Just("allOf".to_owned()),
        "[a-z]{1,6}",
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z#/$:{}.]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("file"),
            Just("array"),
            Just("object"),
            Just("2.0"),
            Just("3.1.0"),
            Just("body"),
            Just("formData"),
            Just("#/definitions/PriceSheetV3"),
            Just("other.json#/x"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::DeleteKey(a, b)),
        (any::<usize>(), arb_value()).prop_map(|(a, v)| Mutation::Replace(a, v)),
        (any::<usize>(), "[A-Za-z~/%]{0,8}").prop_map(|(a, s)| Mutation::RenameRef(a, s)),
        any::<usize>().prop_map(Mutation::InsertOneOf),
    ]
}

/// JSON pointers of every node, in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn apply(doc: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let objects: Vec<&String> = all
        .iter()
        .filter(|p| doc.pointer(p).is_some_and(Value::is_object))
        .collect();
    let refs: Vec<&String> = all.iter().filter(|p| p.ends_with("/$ref")).collect();
    match mutation {
        Mutation::DeleteKey(a, b) => {
            if objects.is_empty() {
                return;
            }
            if let Some(Value::Object(map)) = doc.pointer_mut(objects[a % objects.len()])
                && let Some(key) = map.keys().nth(b % map.len().max(1)).cloned()
            {
                map.shift_remove(&key);
            }
        }
        Mutation::Replace(a, value) => {
            if let Some(node) = doc.pointer_mut(&all[a % all.len()]) {
                *node = value.clone();
            }
        }
        Mutation::RenameRef(a, name) => {
            if refs.is_empty() {
                return;
            }
            if let Some(node) = doc.pointer_mut(refs[a % refs.len()]) {
                let target = node.as_str().unwrap_or("#/definitions/").to_owned();
                let prefix = target
                    .rsplit_once('/')
                    .map_or("#/definitions", |(p, _)| p)
                    .to_owned();
                *node = Value::String(format!("{prefix}/{name}"));
            }
        }
        Mutation::InsertOneOf(a) => {
            if objects.is_empty() {
                return;
            }
            if let Some(Value::Object(map)) = doc.pointer_mut(objects[a % objects.len()]) {
                map.insert(
                    "oneOf".into(),
                    json!([{"type": "string"}, {"$ref": "#/definitions/PriceSheetV3"}]),
                );
            }
        }
    }
}

proptest! {
    // 256 cases keep the suite fast; PROPTEST_CASES=100000 gives a deeper run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_fixtures_never_panic(
        fixture in any::<usize>(),
        mutations in prop::collection::vec(arb_mutation(), 1..4),
        truncate in prop::option::weighted(0.1, any::<usize>()),
    ) {
        let files = valid_fixtures();
        let path = &files[fixture % files.len()];
        let mut doc = load(path).expect("valid fixture");
        for mutation in &mutations {
            apply(&mut doc, mutation);
        }
        let is_yaml = path.extension().is_some_and(|e| e == "yaml");
        let mut text = if is_yaml {
            serde_yaml::to_string(&doc).expect("YAML text")
        } else {
            serde_json::to_string_pretty(&doc).expect("JSON text")
        };
        if let Some(cut) = truncate {
            let at = cut % (text.len() + 1);
            let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            text.truncate(at);
        }
        // The whole pipeline, so lower and emit see the damage too: an error or code that
        // parses (emit re-parses every file it prints), never a panic.
        let options = ea_codegen::GenerateOptions::new(path);
        if let Err(error) = ea_codegen::generate_from_str(path, &text, &options) {
            prop_assert!(!error.message.is_empty());
            prop_assert_eq!(&error.file, path);
            let shown = error.to_string();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            prop_assert!(shown.contains(&name), "{}", shown);
        }
    }
}
