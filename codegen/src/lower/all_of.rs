//! `allOf`: the property sets of an object schema and of its parents, parents first, each
//! parent a `$ref` or an inline object schema, nested to any depth.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use super::types::is_object_like;
use super::{Lowerer, MAX_REF_DEPTH};
use crate::error::{Result, push_pointer};

/// One set of properties of an object: the schema's own, or a parent's.
pub(super) struct Part<'a> {
    /// Where the set is declared (errors about its properties name it).
    pub pointer: String,
    pub properties: &'a IndexMap<String, ReferenceOr<Box<Schema>>>,
    pub required: &'a [String],
    pub additional: Option<&'a AdditionalProperties>,
}

impl<'a> Lowerer<'a> {
    /// The property sets of an object schema, following `allOf` (parents first, in order).
    pub(super) fn object_parts(
        &self,
        schema: &'a Schema,
        pointer: &str,
        depth: usize,
    ) -> Result<Vec<Part<'a>>> {
        if depth > MAX_REF_DEPTH {
            return Err(self.err(pointer, "allOf nests too deeply (a cycle?)"));
        }
        let part = |properties, required: &'a Vec<String>, additional| Part {
            pointer: pointer.to_string(),
            properties,
            required,
            additional,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => Ok(vec![part(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
            )]),
            SchemaKind::Any(a) => Ok(vec![part(
                &a.properties,
                &a.required,
                a.additional_properties.as_ref(),
            )]),
            SchemaKind::AllOf { all_of } => {
                let mut parts = Vec::new();
                for (i, member) in all_of.iter().enumerate() {
                    let member_pointer =
                        push_pointer(&push_pointer(pointer, "allOf"), &i.to_string());
                    let (target, target_pointer) = self.resolve_schema(member, &member_pointer)?;
                    if !is_object_like(target) {
                        return Err(
                            self.err(&member_pointer, "allOf member is not an object schema")
                        );
                    }
                    // The schema's own keywords, moved into allOf by upgrade: reported where
                    // they were written.
                    let own = matches!(member, ReferenceOr::Item(s)
                        if s.schema_data.extensions.contains_key(crate::upgrade::OWN_PART));
                    let at = if own { pointer } else { &target_pointer };
                    parts.extend(self.object_parts(target, at, depth + 1)?);
                }
                Ok(parts)
            }
            _ => Err(self.err(pointer, "expected an object schema")),
        }
    }
}
