//! Schema `$ref`s: checked and followed to their component.

use openapiv3::{ReferenceOr, Schema};

use super::{Lowerer, MAX_REF_DEPTH};
use crate::error::{Result, push_pointer};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

impl<'a> Lowerer<'a> {
    /// Follows a schema reference to its definition.
    pub(super) fn resolve_schema(
        &self,
        schema: &'a ReferenceOr<Schema>,
        pointer: &str,
    ) -> Result<(&'a Schema, String)> {
        let mut current = schema;
        let mut current_pointer = pointer.to_string();
        for _ in 0..MAX_REF_DEPTH {
            match current {
                ReferenceOr::Item(s) => return Ok((s, current_pointer)),
                ReferenceOr::Reference { reference } => {
                    let name = self.schema_ref_name(reference, &current_pointer)?;
                    current_pointer = push_pointer("/components/schemas", name);
                    current = self.schemas().and_then(|s| s.get(name)).ok_or_else(|| {
                        self.err(&current_pointer, format!("unresolved $ref {reference}"))
                    })?;
                }
            }
        }
        Err(self.err(pointer, "$ref chain is cyclic"))
    }

    pub(super) fn schema_ref_name<'r>(&self, reference: &'r str, pointer: &str) -> Result<&'r str> {
        let name = reference.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
            self.err(
                &push_pointer(pointer, "$ref"),
                format!("unsupported $ref {reference}"),
            )
        })?;
        if self.schemas().and_then(|s| s.get(name)).is_none() {
            return Err(self.err(
                &push_pointer(pointer, "$ref"),
                format!("unresolved $ref {reference}"),
            ));
        }
        Ok(name)
    }
}
