//! Builders and shorthands the upgrade unit tests share.

use std::path::Path;

use serde_json::{Value, json};

use super::upgrade;
use crate::error::Error;

pub(super) fn file() -> &'static Path {
    Path::new("spec/test.json")
}

/// A minimal Swagger 2.0 document with `extra` keys appended in order.
pub(super) fn swagger(extra: Value) -> Value {
    let mut doc = json!({"swagger": "2.0", "info": {"title": "T", "version": "v1"}});
    let (Value::Object(doc_map), Value::Object(extra)) = (&mut doc, extra) else {
        unreachable!()
    };
    doc_map.extend(extra);
    if !doc_map.contains_key("paths") {
        doc_map.insert("paths".into(), json!({}));
    }
    doc
}

pub(super) fn up(doc: Value) -> Value {
    upgrade(file(), doc).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn up_err(doc: Value) -> Error {
    upgrade(file(), doc).expect_err("the upgrade should fail")
}

pub(super) fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// One GET operation at `/p` with the given fields.
pub(super) fn with_op(op: Value, extra: Value) -> Value {
    let mut doc = swagger(extra);
    doc["paths"] = json!({"/p": {"get": op}});
    doc
}

pub(super) fn ok_response() -> Value {
    json!({"200": {"description": "OK"}})
}
