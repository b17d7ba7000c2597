//! The Rust type of a schema, declaring the inline structs and enums it needs.

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::enums::{enum_extension_name, string_enum_values};
use super::{Lowerer, MAX_REF_DEPTH, Named};
use crate::error::{Result, push_pointer};
use crate::ir::TypeRef;
use crate::naming::{type_ident, unique};

impl Lowerer<'_> {
    /// The Rust type of a schema. `context` names inline structs and enums it declares.
    pub(super) fn type_of(
        &mut self,
        schema: &ReferenceOr<Schema>,
        context: &str,
        pointer: &str,
        depth: usize,
    ) -> Result<TypeRef> {
        if depth > MAX_REF_DEPTH {
            return Err(self.err(pointer, "$ref chain is cyclic"));
        }
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                let name = self.schema_ref_name(reference, pointer)?.to_string();
                return match self.named.get(&name).cloned() {
                    Some(Named::Model(n) | Named::Union(n)) => Ok(TypeRef::Model(n)),
                    Some(Named::Enum(n)) => Ok(TypeRef::Enum(n)),
                    _ => {
                        let target = self
                            .schemas()
                            .and_then(|s| s.get(&name))
                            .cloned()
                            .expect("checked above");
                        let target_pointer = push_pointer("/components/schemas", &name);
                        self.type_of(&target, &type_ident(&name), &target_pointer, depth + 1)
                    }
                };
            }
            ReferenceOr::Item(s) => s,
        };
        check_supported(schema).map_err(|m| self.err(pointer, m))?;
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if let Some(values) = string_enum_values(schema) {
                    let name = enum_extension_name(schema)
                        .map(type_ident)
                        .unwrap_or_else(|| type_ident(context));
                    TypeRef::Enum(self.inline_enum(&name, schema, values, pointer)?)
                } else {
                    match &s.format {
                        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                        _ => TypeRef::String,
                    }
                }
            }
            SchemaKind::Type(Type::Number(n)) => match n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Integer(i)) => match i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => {
                    let p = push_pointer(pointer, "items");
                    TypeRef::Vec(Box::new(self.type_of(
                        &unbox(items),
                        &format!("{context}Item"),
                        &p,
                        depth + 1,
                    )?))
                }
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            SchemaKind::Type(Type::Object(_)) | SchemaKind::Any(_) | SchemaKind::AllOf { .. } => {
                let (has_props, additional) = match &schema.schema_kind {
                    SchemaKind::Type(Type::Object(o)) => {
                        (!o.properties.is_empty(), o.additional_properties.as_ref())
                    }
                    SchemaKind::Any(a) => {
                        (!a.properties.is_empty(), a.additional_properties.as_ref())
                    }
                    _ => (true, None),
                };
                if has_props {
                    let rust_name = unique(&type_ident(context), &mut self.taken_types);
                    let model = self.lower_model(context, &rust_name, schema, pointer)?;
                    self.models.push(model);
                    TypeRef::Model(rust_name)
                } else {
                    match additional {
                        Some(AdditionalProperties::Schema(s)) => {
                            let p = push_pointer(pointer, "additionalProperties");
                            TypeRef::Map(Box::new(self.type_of(
                                s.as_ref(),
                                &format!("{context}Value"),
                                &p,
                                depth + 1,
                            )?))
                        }
                        _ => TypeRef::Json,
                    }
                }
            }
            _ => return Err(self.err(pointer, "unsupported schema")),
        })
    }
}

pub(super) fn is_object_like(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(_)) => true,
        SchemaKind::Any(a) => !a.properties.is_empty() || a.typ.as_deref() == Some("object"),
        SchemaKind::AllOf { .. } => true,
        _ => false,
    }
}

/// Keywords the generated crate cannot express.
pub(super) fn check_supported(s: &Schema) -> std::result::Result<(), String> {
    match &s.schema_kind {
        SchemaKind::OneOf { .. } => Err("unsupported keyword oneOf".into()),
        SchemaKind::AnyOf { .. } => Err("unsupported keyword anyOf".into()),
        SchemaKind::Not { .. } => Err("unsupported keyword not".into()),
        SchemaKind::Any(a) if !a.one_of.is_empty() => Err("unsupported keyword oneOf".into()),
        SchemaKind::Any(a) if !a.any_of.is_empty() => Err("unsupported keyword anyOf".into()),
        SchemaKind::Any(a) if a.not.is_some() => Err("unsupported keyword not".into()),
        _ => Ok(()),
    }
}

pub(super) fn unbox(s: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match s {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
        ReferenceOr::Item(b) => ReferenceOr::Item((**b).clone()),
    }
}
