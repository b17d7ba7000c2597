//! Object schemas (with their `allOf` parents) → structs.

use std::collections::HashSet;

use openapiv3::{AdditionalProperties, ReferenceOr, Schema};

use super::types::unbox;
use super::{Lowerer, choose_faker};
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
        // The flattened map of unnamed properties has this name: a property called
        // `additionalProperties` gets another.
        let mut taken = HashSet::from(["additional_properties".to_string()]);
        let parts = self.object_parts(schema, pointer, 0)?;
        // A property of several parts is one field: required if any part requires it.
        let required: HashSet<&String> = parts.iter().flat_map(|p| p.required).collect();
        // Where each field was first declared, and its schema, to tell a repeat from a clash.
        let mut declared: Vec<(String, &ReferenceOr<Box<Schema>>)> = Vec::new();
        for part in &parts {
            let (props_pointer, props, extra) = (&part.pointer, part.properties, part.additional);
            for (json_name, prop) in props {
                let prop_pointer =
                    push_pointer(&push_pointer(props_pointer, "properties"), json_name);
                let context = format!("{rust_name}{}", type_ident(json_name));
                let prop_ref = unbox(prop);
                if let Some(at) = fields
                    .iter()
                    .position(|f: &Field| &f.json_name == json_name)
                {
                    let (first_pointer, first) = &declared[at];
                    if *first != prop {
                        let ty = self.type_of(&prop_ref, &context, &prop_pointer, 0)?;
                        if ty != fields[at].ty {
                            return Err(self.err(
                                &prop_pointer,
                                format!(
                                    "property {json_name:?} of {spec_name} has another type here than at {}",
                                    crate::source_pointer::original_pointer(first_pointer, self.swagger2)
                                ),
                            ));
                        }
                    }
                    continue;
                }
                declared.push((prop_pointer.clone(), prop));
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
                    boxed: false,
                });
            }
            if let Some(extra) = extra {
                additional = Some(match extra {
                    AdditionalProperties::Any(true) => TypeRef::Json,
                    AdditionalProperties::Any(false) => continue,
                    AdditionalProperties::Schema(s) => {
                        let p = push_pointer(props_pointer, "additionalProperties");
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
}
