//! `discriminator`: a base schema whose subtypes (schemas with `allOf: [{$ref: base}]`, tagged by
//! `x-ms-discriminator-value` or a `mapping`, else by their own name) are told apart by one
//! property. The base becomes a Rust enum over its subtypes' structs, used wherever the base is
//! referenced; a value no subtype declares is kept whole, so a newer service does not fail an
//! older client. A subtype may be a base of its own (on another property).

use openapiv3::{ReferenceOr, Schema, SchemaKind};
use serde_json::Value;

use super::{Lowerer, Named};
use crate::error::{Result, push_pointer};
use crate::ir::{Union, UnionVariant};
use crate::naming::{type_ident, unique};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// A subtype as the document declares it.
pub(super) struct Subtype {
    pub name: String,
    pub value: String,
}

impl Lowerer<'_> {
    /// The discriminator property of a component schema with at least one subtype. A base
    /// without subtypes is an ordinary struct: there is nothing to tell apart.
    pub(super) fn union_tag(&self, name: &str, schema: &Schema) -> Option<String> {
        let d = schema.schema_data.discriminator.as_ref()?;
        (!self.subtypes(name, schema).is_empty()).then(|| d.property_name.clone())
    }

    /// The subtypes of `base`: the entries of its `mapping`, then every component whose
    /// `allOf` names it directly, in document order, each once.
    pub(super) fn subtypes(&self, base: &str, schema: &Schema) -> Vec<Subtype> {
        let mut out: Vec<Subtype> = Vec::new();
        if let Some(d) = &schema.schema_data.discriminator {
            for (value, target) in &d.mapping {
                let name = target.strip_prefix(SCHEMA_PREFIX).unwrap_or(target);
                if out.iter().all(|s| s.name != name) {
                    out.push(Subtype {
                        name: name.to_string(),
                        value: value.clone(),
                    });
                }
            }
        }
        for (name, s) in self.schemas().into_iter().flatten() {
            let ReferenceOr::Item(s) = s else { continue };
            if direct_parents(s).any(|p| p == base) && out.iter().all(|o| &o.name != name) {
                let value = discriminator_value(s).unwrap_or(name).to_string();
                out.push(Subtype {
                    name: name.clone(),
                    value,
                });
            }
        }
        out
    }

    /// The enum of a base schema: one variant per subtype. Refused: a subtype that is no
    /// object or is missing, a value twice, a nested base on the same property (its values
    /// would be read by the outer enum), and a tag value on a schema whose parent has no
    /// discriminator (it would be silently unreachable).
    pub(super) fn lower_union(
        &mut self,
        name: &str,
        rust_name: &str,
        schema: &Schema,
        pointer: &str,
    ) -> Result<Union> {
        let tag = schema
            .schema_data
            .discriminator
            .as_ref()
            .map(|d| d.property_name.clone())
            .unwrap_or_default();
        let mut taken = std::collections::HashSet::from(["Unknown".to_string()]);
        let mut values = std::collections::HashSet::new();
        let mut variants = Vec::new();
        for sub in self.subtypes(name, schema) {
            let sub_pointer = push_pointer("/components/schemas", &sub.name);
            let model = match self.named.get(&sub.name) {
                Some(Named::Model(n)) => n.clone(),
                Some(Named::Union(n)) => {
                    let inner = self.union_property(&sub.name);
                    if inner.as_deref() == Some(tag.as_str()) {
                        return Err(self.err(
                            &sub_pointer,
                            format!("nested discriminator on the same property {tag:?} as its parent {name} is not supported"),
                        ));
                    }
                    n.clone()
                }
                _ => {
                    return Err(self.err(
                        &push_pointer(pointer, "discriminator"),
                        format!(
                            "subtype {} of {name} is not an object schema of this document",
                            sub.name
                        ),
                    ));
                }
            };
            if !values.insert(sub.value.clone()) {
                return Err(self.err(
                    &sub_pointer,
                    format!(
                        "discriminator value {:?} of {name} is declared twice",
                        sub.value
                    ),
                ));
            }
            variants.push(UnionVariant {
                rust_name: unique(&type_ident(&sub.value), &mut taken),
                value: sub.value,
                model,
            });
        }
        Ok(Union {
            spec_name: name.to_string(),
            rust_name: rust_name.to_string(),
            doc: schema.schema_data.description.clone(),
            tag,
            variants,
        })
    }

    /// Every `x-ms-discriminator-value` belongs to a subtype of some base with a discriminator.
    pub(super) fn check_discriminator_values(&self) -> Result<()> {
        for (name, s) in self.schemas().into_iter().flatten() {
            let ReferenceOr::Item(s) = s else { continue };
            if discriminator_value(s).is_none() {
                continue;
            }
            let reachable =
                direct_parents(s).any(|p| matches!(self.named.get(p), Some(Named::Union(_))));
            if !reachable {
                return Err(self.err(
                    &push_pointer(&push_pointer("/components/schemas", name), "x-ms-discriminator-value"),
                    format!("{name} has a discriminator value but no parent in allOf has a discriminator (a subtype of a subtype is not supported)"),
                ));
            }
        }
        Ok(())
    }

    fn union_property(&self, name: &str) -> Option<String> {
        match self.schemas()?.get(name)? {
            ReferenceOr::Item(s) => s
                .schema_data
                .discriminator
                .as_ref()
                .map(|d| d.property_name.clone()),
            ReferenceOr::Reference { .. } => None,
        }
    }
}

/// The component names an `allOf` refers to directly.
fn direct_parents(s: &Schema) -> impl Iterator<Item = &str> {
    let members = match &s.schema_kind {
        SchemaKind::AllOf { all_of } => all_of.as_slice(),
        _ => &[],
    };
    members.iter().filter_map(|m| match m {
        ReferenceOr::Reference { reference } => reference.strip_prefix(SCHEMA_PREFIX),
        ReferenceOr::Item(_) => None,
    })
}

fn discriminator_value(s: &Schema) -> Option<&str> {
    s.schema_data
        .extensions
        .get("x-ms-discriminator-value")
        .and_then(Value::as_str)
}
