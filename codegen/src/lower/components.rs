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
        for (name, schema) in schemas {
            let pointer = push_pointer("/components/schemas", name);
            let named = match schema {
                ReferenceOr::Reference { .. } => Named::Inline,
                ReferenceOr::Item(s) if is_object_like(s) => {
                    Named::Model(unique(&type_ident(name), &mut self.taken_types))
                }
                ReferenceOr::Item(s) if string_enum_values(s).is_some() => {
                    let ext = enum_extension_name(s).unwrap_or(name);
                    Named::Enum(unique(&type_ident(ext), &mut self.taken_types))
                }
                ReferenceOr::Item(s) => {
                    check_supported(s).map_err(|m| self.err(&pointer, m))?;
                    Named::Inline
                }
            };
            self.named.insert(name.clone(), named);
        }
        Ok(())
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
                Some(Named::Enum(rust_name)) => {
                    let values = string_enum_values(schema).unwrap_or_default();
                    self.push_enum(&rust_name, schema, values, &pointer)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}
