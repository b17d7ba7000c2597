//! Object schemas (with their `allOf` parents) → structs.

use std::collections::HashSet;

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};

use super::types::{is_object_like, unbox};
use super::{Lowerer, MAX_REF_DEPTH, choose_faker};
use crate::error::{Result, push_pointer};
use crate::ir::{Field, Model, TypeRef};
use crate::naming::{snake_ident, type_ident, unique};

impl<'a> Lowerer<'a> {
    pub(super) fn lower_model(
        &mut self,
        spec_name: &str,
        rust_name: &str,
        schema: &Schema,
        pointer: &str,
    ) -> Result<Model> {
        let mut fields = Vec::new();
        let mut additional = None;
        let mut taken = HashSet::new();
        let parts = self.object_parts(schema, pointer, 0)?;
        for (props_pointer, props, required, extra) in parts {
            for (json_name, prop) in props {
                let prop_pointer =
                    push_pointer(&push_pointer(&props_pointer, "properties"), json_name);
                if fields.iter().any(|f: &Field| &f.json_name == json_name) {
                    continue;
                }
                let context = format!("{rust_name}{}", type_ident(json_name));
                let prop_ref = unbox(prop);
                let mut ty = self.type_of(&prop_ref, &context, &prop_pointer, 0)?;
                if matches!(ty, TypeRef::F64 | TypeRef::F32)
                    && self.is_decimal(spec_name, json_name)
                {
                    ty = TypeRef::Decimal;
                }
                let (doc, nullable) = match &prop_ref {
                    ReferenceOr::Item(s) => {
                        (s.schema_data.description.clone(), s.schema_data.nullable)
                    }
                    ReferenceOr::Reference { .. } => (None, false),
                };
                let rust_field = unique(&snake_ident(json_name), &mut taken);
                fields.push(Field {
                    faker: choose_faker(json_name, &ty),
                    json_name: json_name.clone(),
                    rust_name: rust_field,
                    doc,
                    ty,
                    required: required.contains(json_name),
                    nullable,
                });
            }
            if let Some(extra) = extra {
                additional = Some(match extra {
                    AdditionalProperties::Any(true) => TypeRef::Json,
                    AdditionalProperties::Any(false) => continue,
                    AdditionalProperties::Schema(s) => {
                        let p = push_pointer(&props_pointer, "additionalProperties");
                        self.type_of(s.as_ref(), &format!("{rust_name}Value"), &p, 0)?
                    }
                });
            }
        }
        if fields.is_empty() && additional.is_none() {
            // A property-less object (the published `Object` definition): keep whatever it holds.
            additional = Some(TypeRef::Json);
        }
        Ok(Model {
            spec_name: spec_name.to_string(),
            rust_name: rust_name.to_string(),
            doc: schema
                .schema_data
                .description
                .clone()
                .or_else(|| schema.schema_data.title.clone()),
            fields,
            additional,
            csv: None,
        })
    }

    /// The property sets of an object schema, following `allOf` (parents first).
    #[allow(clippy::type_complexity)]
    fn object_parts(
        &self,
        schema: &'a Schema,
        pointer: &str,
        depth: usize,
    ) -> Result<
        Vec<(
            String,
            &'a IndexMap<String, ReferenceOr<Box<Schema>>>,
            Vec<String>,
            Option<&'a AdditionalProperties>,
        )>,
    > {
        if depth > MAX_REF_DEPTH {
            return Err(self.err(pointer, "allOf nests too deeply (a cycle?)"));
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => Ok(vec![(
                pointer.to_string(),
                &o.properties,
                o.required.clone(),
                o.additional_properties.as_ref(),
            )]),
            SchemaKind::Any(a) => Ok(vec![(
                pointer.to_string(),
                &a.properties,
                a.required.clone(),
                a.additional_properties.as_ref(),
            )]),
            SchemaKind::AllOf { all_of } => {
                let mut parts = Vec::new();
                for (i, part) in all_of.iter().enumerate() {
                    let part_pointer =
                        push_pointer(&push_pointer(pointer, "allOf"), &i.to_string());
                    let (target, target_pointer) = self.resolve_schema(part, &part_pointer)?;
                    if !is_object_like(target) {
                        return Err(self.err(&part_pointer, "allOf member is not an object schema"));
                    }
                    parts.extend(self.object_parts(target, &target_pointer, depth + 1)?);
                }
                Ok(parts)
            }
            _ => Err(self.err(pointer, "expected an object schema")),
        }
    }
}
