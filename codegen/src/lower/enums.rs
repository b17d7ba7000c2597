//! String enums → Rust enums, with variant names from `x-ms-enum` where given.

use std::collections::{HashMap, HashSet};

use openapiv3::{Schema, SchemaKind, Type};
use serde_json::Value;

use super::Lowerer;
use crate::error::Result;
use crate::ir::{EnumType, EnumVariant};
use crate::naming::{type_ident, unique};

impl Lowerer<'_> {
    pub(super) fn push_enum(
        &mut self,
        rust_name: &str,
        schema: &Schema,
        values: Vec<String>,
        pointer: &str,
    ) -> Result<()> {
        let names = enum_value_names(schema);
        let mut taken = HashSet::new();
        let mut variants = Vec::new();
        for value in values {
            let given = names.get(&value).cloned();
            let base = given
                .as_deref()
                .map(type_ident)
                .unwrap_or_else(|| type_ident(&value));
            if base == "Unknown" {
                return Err(self.err(
                    pointer,
                    format!("enum value {value:?} clashes with the Unknown variant"),
                ));
            }
            variants.push(EnumVariant {
                rust_name: unique(&base, &mut taken),
                doc: None,
                value,
            });
        }
        self.enums.push(EnumType {
            rust_name: rust_name.to_string(),
            doc: schema.schema_data.description.clone(),
            variants,
        });
        Ok(())
    }

    /// An enum declared inline; the same name and values share one type.
    pub(super) fn inline_enum(
        &mut self,
        name: &str,
        schema: &Schema,
        values: Vec<String>,
        pointer: &str,
    ) -> Result<String> {
        if let Some(existing) = self.enums.iter().find(|e| {
            e.rust_name.trim_end_matches(|c: char| c.is_ascii_digit()) == name
                && e.variants.iter().map(|v| &v.value).eq(values.iter())
        }) {
            return Ok(existing.rust_name.clone());
        }
        let rust_name = unique(name, &mut self.taken_types);
        self.push_enum(&rust_name, schema, values, pointer)?;
        Ok(rust_name)
    }
}

pub(super) fn string_enum_values(s: &Schema) -> Option<Vec<String>> {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(st)) => {
            // An enum of nothing but nulls names no value: it is a plain string.
            let values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
            (!values.is_empty()).then_some(values)
        }
        _ => None,
    }
}

pub(super) fn enum_extension_name(s: &Schema) -> Option<&str> {
    s.schema_data
        .extensions
        .get("x-ms-enum")?
        .get("name")?
        .as_str()
}

/// `x-ms-enum.values[].name` by value: AutoRest's way to name variants such as `7` → `Last7Days`.
fn enum_value_names(s: &Schema) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let values = s
        .schema_data
        .extensions
        .get("x-ms-enum")
        .and_then(|e| e.get("values"))
        .and_then(Value::as_array);
    for v in values.into_iter().flatten() {
        let value = match v.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => continue,
        };
        if let Some(name) = v.get("name").and_then(Value::as_str) {
            names.insert(value, name.to_string());
        }
    }
    names
}
