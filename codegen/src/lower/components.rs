//! Component schemas, in two passes: name them all, then lower the structs and enums.

use openapiv3::ReferenceOr;

use super::enums::{enum_extension_name, string_enum_values};
use super::types::{check_supported, is_object_like};
use super::{Lowerer, Named};
use crate::error::{Result, push_pointer};
use crate::naming::{type_ident, unique};

impl Lowerer<'_> {
    /// First pass: give every component schema its Rust name, so references resolve in any order.
    pub(super) fn declare_components(&mut self) -> Result<()> {
        let Some(schemas) = self.schemas() else {
            return Ok(());
        };
        let mut enums: Vec<(String, Vec<String>, String)> = Vec::new();
        for (name, schema) in schemas {
            let pointer = push_pointer("/components/schemas", name);
            let named = match schema {
                ReferenceOr::Reference { .. } => Named::Inline,
                ReferenceOr::Item(s) if is_object_like(s) => {
                    let rust_name = unique(&type_ident(name), &mut self.taken_types);
                    if self.union_tag(name, s).is_some() {
                        Named::Union(rust_name)
                    } else {
                        Named::Model(rust_name)
                    }
                }
                ReferenceOr::Item(s) if string_enum_values(s).is_some() => {
                    let ext = enum_extension_name(s).unwrap_or(name);
                    let values = string_enum_values(s).unwrap_or_default();
                    // The same x-ms-enum name with the same values is one enum; with other
                    // values it is another, numbered in document order.
                    match enums.iter().find(|(n, v, _)| n == ext && *v == values) {
                        Some((_, _, rust_name)) => Named::Enum(rust_name.clone()),
                        None => {
                            let rust_name = unique(&type_ident(ext), &mut self.taken_types);
                            enums.push((ext.to_string(), values, rust_name.clone()));
                            Named::Enum(rust_name)
                        }
                    }
                }
                ReferenceOr::Item(s) => {
                    check_supported(s).map_err(|m| self.err(&pointer, m))?;
                    Named::Inline
                }
            };
            self.named.insert(name.clone(), named);
        }
        self.check_discriminator_values()
    }

    /// Second pass: lower the component structs and enums, in spec order.
    pub(super) fn lower_components(&mut self) -> Result<()> {
        let Some(schemas) = self.schemas() else {
            return Ok(());
        };
        for (name, schema) in schemas {
            let pointer = push_pointer("/components/schemas", name);
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            match self.named.get(name).cloned() {
                Some(Named::Model(rust_name)) => {
                    let model = self.lower_model(name, &rust_name, schema, &pointer)?;
                    self.models.push(model);
                }
                Some(Named::Union(rust_name)) => {
                    let union = self.lower_union(name, &rust_name, schema, &pointer)?;
                    self.unions.push(union);
                }
                Some(Named::Enum(rust_name)) => {
                    if self.enums.iter().any(|e| e.rust_name == rust_name) {
                        continue; // Declared by an identical schema before.
                    }
                    let values = string_enum_values(schema).unwrap_or_default();
                    self.push_enum(&rust_name, schema, values, &pointer)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}
