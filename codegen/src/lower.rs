//! Lower: `openapiv3::OpenAPI` → the generator's own model ([`crate::ir::Api`]).
//!
//! Everything the emitter needs is decided here: Rust names, types, which response is the
//! success body, which operations are paged. Constructs the generated crate cannot express
//! are refused with the JSON pointer of the node, never lowered to something that would not compile.

use crate::error::{Error, Result, push_pointer};
use crate::ir::*;
use crate::naming::{OperationKey, operation_method_names, snake_ident, type_ident, unique};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, Parameter,
    ParameterSchemaOrContent, PathItem, ReferenceOr, Schema, SchemaKind, StatusCode, StringFormat,
    Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Choices a user makes about the generated types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LowerOptions {
    /// Number fields to map to `rust_decimal::Decimal`: a JSON property name (`cost`), a
    /// `Schema.property` pair (`PriceSheetV3.unitPrice`), either with `*` wildcards (`*Cost`).
    pub decimal_fields: Vec<String>,
}

/// Lowers a parsed (OpenAPI 3.0) document. `swagger2` says whether the file on disk was
/// Swagger 2.0, so that pointers in errors name nodes of that file, not of the upgraded one.
pub fn lower(file: &Path, doc: &OpenAPI, options: &LowerOptions, swagger2: bool) -> Result<Api> {
    let mut cx = Lowerer {
        file: file.to_path_buf(),
        swagger2,
        doc,
        options,
        models: Vec::new(),
        enums: Vec::new(),
        named: HashMap::new(),
        taken_types: HashSet::new(),
    };
    cx.declare_components()?;
    cx.lower_components()?;
    let operations = cx.lower_operations()?;
    let base_url = doc
        .servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_string())
        .unwrap_or_else(|| "http://localhost".to_string());
    Ok(Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        base_url,
        models: cx.models,
        enums: cx.enums,
        operations,
    })
}

/// What a component schema becomes.
#[derive(Debug, Clone)]
enum Named {
    /// A struct with this Rust name.
    Model(String),
    /// An enum with this Rust name.
    Enum(String),
    /// Nothing of its own: references to it use the type of its schema.
    Inline,
}

struct Lowerer<'a> {
    file: PathBuf,
    swagger2: bool,
    doc: &'a OpenAPI,
    options: &'a LowerOptions,
    models: Vec<Model>,
    enums: Vec<EnumType>,
    /// Component schema name → what it became.
    named: HashMap<String, Named>,
    taken_types: HashSet<String>,
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";
const MAX_REF_DEPTH: usize = 32;

impl<'a> Lowerer<'a> {
    /// An error at a pointer of the upgraded document, reported against the file on disk.
    fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::at(
            &self.file,
            original_pointer(pointer, self.swagger2),
            message,
        )
    }

    fn schemas(&self) -> Option<&'a IndexMap<String, ReferenceOr<Schema>>> {
        self.doc.components.as_ref().map(|c| &c.schemas)
    }

    /// First pass: give every component schema its Rust name, so references resolve in any order.
    fn declare_components(&mut self) -> Result<()> {
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
    fn lower_components(&mut self) -> Result<()> {
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

    fn lower_model(
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

    /// Follows a schema reference to its definition.
    fn resolve_schema(
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

    fn schema_ref_name<'r>(&self, reference: &'r str, pointer: &str) -> Result<&'r str> {
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

    /// The Rust type of a schema. `context` names inline structs and enums it declares.
    fn type_of(
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
                    Some(Named::Model(n)) => Ok(TypeRef::Model(n)),
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
                        &unbox_ref(items),
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

    fn push_enum(
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
    fn inline_enum(
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

    fn is_decimal(&self, schema: &str, field: &str) -> bool {
        self.options
            .decimal_fields
            .iter()
            .any(|pattern| match pattern.split_once('.') {
                Some((s, f)) => glob_match(s, schema) && glob_match(f, field),
                None => glob_match(pattern, field),
            })
    }

    fn lower_operations(&mut self) -> Result<Vec<Operation>> {
        let doc = self.doc;
        let mut drafts = Vec::new();
        for (path, item) in &doc.paths.paths {
            let item_pointer = push_pointer("/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&item_pointer, "path item $ref is not supported"));
                }
            };
            for (method, op) in methods(item) {
                let pointer = push_pointer(&item_pointer, method);
                drafts.push(self.lower_operation(path, method, item, op, &pointer)?);
            }
        }
        let keys: Vec<OperationKey> = drafts
            .iter()
            .map(|d: &Operation| OperationKey {
                operation_id: d.operation_id.clone(),
                method: d.http_method.clone(),
                path: d.path.clone(),
                key_params: d
                    .params
                    .iter()
                    .filter(|p| p.location == ParamLocation::Path || p.required)
                    .map(|p| p.name.clone())
                    .collect(),
            })
            .collect();
        let names = operation_method_names(&keys);
        let mut ids = HashMap::<String, usize>::new();
        for d in &drafts {
            if let Some(id) = &d.operation_id {
                *ids.entry(id.clone()).or_default() += 1;
            }
        }
        for (draft, name) in drafts.iter_mut().zip(names) {
            draft.variant_name = type_ident(&name);
            draft.id = match &draft.operation_id {
                Some(id) if ids.get(id) == Some(&1) => id.clone(),
                _ => name.clone(),
            };
            draft.method_name = name;
        }
        Ok(drafts)
    }

    fn lower_operation(
        &mut self,
        path: &str,
        method: &str,
        item: &PathItem,
        op: &openapiv3::Operation,
        pointer: &str,
    ) -> Result<Operation> {
        if op.request_body.is_some() {
            return Err(self.err(
                &push_pointer(pointer, "requestBody"),
                "request bodies are not supported",
            ));
        }
        let context = op
            .operation_id
            .as_deref()
            .map(type_ident)
            .unwrap_or_else(|| type_ident(&format!("{method} {path}")));
        // Path-level parameters first, overridden by operation-level ones of the same name and place.
        let mut merged: Vec<(Parameter, String)> = Vec::new();
        for (list, list_pointer) in [
            (
                &item.parameters,
                push_pointer(&pointer[..pointer.rfind('/').unwrap_or(0)], "parameters"),
            ),
            (&op.parameters, push_pointer(pointer, "parameters")),
        ] {
            for (i, p) in list.iter().enumerate() {
                let p_pointer = push_pointer(&list_pointer, &i.to_string());
                let p = self.resolve_parameter(p, &p_pointer)?;
                let data = p.parameter_data_ref();
                merged.retain(|(q, _)| {
                    !(q.parameter_data_ref().name == data.name
                        && std::mem::discriminant(q) == std::mem::discriminant(&p))
                });
                merged.push((p, p_pointer));
            }
        }
        let mut params = Vec::new();
        let mut declares_conditional = false;
        let mut taken = HashSet::new();
        for (p, p_pointer) in merged {
            let data = p.parameter_data_ref();
            let location = match &p {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => {
                    return Err(self.err(&p_pointer, "cookie parameters are not supported"));
                }
            };
            if location == ParamLocation::Header {
                if data.name.eq_ignore_ascii_case("authorization") {
                    continue; // The client's API key: sent on every request, never a method argument.
                }
                if data.name.eq_ignore_ascii_case("if-none-match") {
                    declares_conditional = true;
                    continue; // Offered through the conditional (`_if_none_match`) methods.
                }
            }
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(s) => s,
                ParameterSchemaOrContent::Content(_) => {
                    return Err(self.err(&p_pointer, "parameters with content are not supported"));
                }
            };
            let ty = self.type_of(
                schema,
                &format!("{context}{}", type_ident(&data.name)),
                &push_pointer(&p_pointer, "schema"),
                0,
            )?;
            match &ty {
                TypeRef::Model(_) | TypeRef::Vec(_) | TypeRef::Map(_) | TypeRef::Json => {
                    return Err(
                        self.err(&p_pointer, "only scalar and enum parameters are supported")
                    );
                }
                _ => {}
            }
            params.push(Param {
                rust_name: unique(&snake_ident(&data.name), &mut taken),
                name: data.name.clone(),
                location,
                doc: data.description.clone(),
                ty,
                required: data.required || location == ParamLocation::Path,
            });
        }
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_start_matches('{').trim_end_matches('}');
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == name)
            {
                return Err(self.err(
                    pointer,
                    format!("path parameter {{{name}}} is not declared"),
                ));
            }
        }
        if op.responses.responses.contains_key(&StatusCode::Code(304)) {
            declares_conditional = true;
        }
        let response = self.lower_response(op, pointer, &context)?;
        Ok(Operation {
            operation_id: op.operation_id.clone(),
            id: String::new(),
            method_name: String::new(),
            variant_name: String::new(),
            http_method: method.to_uppercase(),
            path: path.to_string(),
            summary: op.summary.clone(),
            description: op.description.clone(),
            tag: op.tags.first().cloned(),
            params,
            declares_conditional,
            response,
        })
    }

    fn resolve_parameter(&self, p: &ReferenceOr<Parameter>, pointer: &str) -> Result<Parameter> {
        match p {
            ReferenceOr::Item(p) => Ok(p.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .ok_or_else(|| {
                        self.err(
                            &push_pointer(pointer, "$ref"),
                            format!("unsupported $ref {reference}"),
                        )
                    })?;
                match self
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.parameters.get(name))
                {
                    Some(ReferenceOr::Item(p)) => Ok(p.clone()),
                    _ => Err(self.err(
                        &push_pointer(pointer, "$ref"),
                        format!("unresolved $ref {reference}"),
                    )),
                }
            }
        }
    }

    /// The success response: the lowest 2xx, else `default`; its body decides the kind.
    fn lower_response(
        &mut self,
        op: &openapiv3::Operation,
        pointer: &str,
        context: &str,
    ) -> Result<ResponseKind> {
        let success = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
                StatusCode::Range(2) => Some((299, r)),
                _ => None,
            })
            .min_by_key(|(c, _)| *c);
        let responses_pointer = push_pointer(pointer, "responses");
        let (response, response_pointer) = match success {
            Some((code, r)) => (
                r,
                push_pointer(
                    &responses_pointer,
                    &if code == 299 {
                        "2XX".to_string()
                    } else {
                        code.to_string()
                    },
                ),
            ),
            None => match &op.responses.default {
                Some(r) => (r, push_pointer(&responses_pointer, "default")),
                None => return Ok(ResponseKind::Empty),
            },
        };
        let response = match response {
            ReferenceOr::Item(r) => r.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/responses/")
                    .unwrap_or_default();
                match self
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(name))
                {
                    Some(ReferenceOr::Item(r)) => r.clone(),
                    _ => {
                        return Err(self.err(
                            &push_pointer(&response_pointer, "$ref"),
                            format!("unresolved $ref {reference}"),
                        ));
                    }
                }
            }
        };
        let Some((first_mime, first)) = response.content.first() else {
            return Ok(ResponseKind::Empty);
        };
        let json = response.content.iter().find(|(mime, _)| is_json_mime(mime));
        let binary = |media: &openapiv3::MediaType| match &media.schema {
            Some(ReferenceOr::Item(s)) => matches!(
                &s.schema_kind,
                SchemaKind::Type(Type::String(st)) if matches!(st.format, VariantOrUnknownOrEmpty::Item(StringFormat::Binary))
            ),
            _ => false,
        };
        if binary(first) || json.is_none() {
            return Ok(ResponseKind::Bytes {
                accept: first_mime.clone(),
            });
        }
        let (mime, media) = json.expect("checked above");
        let Some(schema) = &media.schema else {
            return Ok(ResponseKind::Empty);
        };
        let schema_pointer = push_pointer(
            &push_pointer(&push_pointer(&response_pointer, "content"), mime),
            "schema",
        );
        let ty = self.type_of(schema, &format!("{context}Response"), &schema_pointer, 0)?;
        Ok(self
            .paged(op, &ty, pointer)?
            .unwrap_or(ResponseKind::Json(ty)))
    }

    /// Whether a response type is a page envelope: declared by `x-ms-pageable`, or shaped like
    /// one (a `nextLink` string beside exactly one array), as the EA usage-details envelope is.
    fn paged(
        &self,
        op: &openapiv3::Operation,
        ty: &TypeRef,
        pointer: &str,
    ) -> Result<Option<ResponseKind>> {
        let TypeRef::Model(name) = ty else {
            return Ok(None);
        };
        let model = self
            .models
            .iter()
            .find(|m| &m.rust_name == name)
            .expect("lowered above");
        let (next_name, item_name) = match op.extensions.get("x-ms-pageable") {
            Some(Value::Object(ext)) => {
                let next = match ext.get("nextLinkName") {
                    Some(Value::Null) => return Ok(None),
                    Some(Value::String(s)) => Some(s.clone()),
                    None => Some("nextLink".to_string()),
                    Some(_) => {
                        return Err(self.err(
                            &push_pointer(pointer, "x-ms-pageable"),
                            "nextLinkName must be a string or null",
                        ));
                    }
                };
                let item = ext
                    .get("itemName")
                    .and_then(Value::as_str)
                    .unwrap_or("value")
                    .to_string();
                (next, Some(item))
            }
            Some(_) => {
                return Err(self.err(
                    &push_pointer(pointer, "x-ms-pageable"),
                    "x-ms-pageable must be an object",
                ));
            }
            None => (Some("nextLink".to_string()), None),
        };
        let Some(next_name) = next_name else {
            return Ok(None);
        };
        let Some(next) = model
            .fields
            .iter()
            .find(|f| f.json_name == next_name && f.ty == TypeRef::String)
        else {
            return Ok(None);
        };
        let arrays: Vec<&Field> = model
            .fields
            .iter()
            .filter(|f| matches!(f.ty, TypeRef::Vec(_)))
            .collect();
        let items = match &item_name {
            Some(n) => arrays.iter().find(|f| &f.json_name == n).copied(),
            None if arrays.len() == 1 => Some(arrays[0]),
            None => None,
        };
        let Some(items) = items else { return Ok(None) };
        let TypeRef::Vec(item) = &items.ty else {
            unreachable!("filtered to arrays")
        };
        Ok(Some(ResponseKind::Paged {
            envelope: name.clone(),
            item: (**item).clone(),
            items_field: items.rust_name.clone(),
            items_optional: items.is_optional(),
            next_link_field: next.rust_name.clone(),
            next_link_optional: next.is_optional(),
        }))
    }
}

fn methods(item: &PathItem) -> impl Iterator<Item = (&'static str, &openapiv3::Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("options", &item.options),
        ("head", &item.head),
        ("patch", &item.patch),
        ("trace", &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
}

fn is_json_mime(mime: &str) -> bool {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

fn is_object_like(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(_)) => true,
        SchemaKind::Any(a) => !a.properties.is_empty() || a.typ.as_deref() == Some("object"),
        SchemaKind::AllOf { .. } => true,
        _ => false,
    }
}

/// Keywords the generated crate cannot express.
fn check_supported(s: &Schema) -> std::result::Result<(), String> {
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

fn string_enum_values(s: &Schema) -> Option<Vec<String>> {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(st)) => {
            // An enum of nothing but nulls names no value: it is a plain string.
            let values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
            (!values.is_empty()).then_some(values)
        }
        _ => None,
    }
}

fn enum_extension_name(s: &Schema) -> Option<&str> {
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

fn unbox(s: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match s {
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
        ReferenceOr::Item(b) => ReferenceOr::Item((**b).clone()),
    }
}

fn unbox_ref(s: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    unbox(s)
}

/// Case-insensitive match with `*` standing for any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Maps a pointer into the upgraded (3.0) document back to the Swagger 2.0 file it came from.
pub fn original_pointer(pointer: &str, swagger2: bool) -> String {
    if !swagger2 {
        return pointer.to_string();
    }
    let mut p = pointer.to_string();
    for (from, to) in [
        ("/components/schemas/", "/definitions/"),
        ("/components/parameters/", "/parameters/"),
        ("/components/responses/", "/responses/"),
    ] {
        if let Some(rest) = p.strip_prefix(from) {
            p = format!("{to}{rest}");
        }
    }
    // responses/200/content/<mime>/schema → responses/200/schema; parameters/N/schema → parameters/N
    if let Some(i) = p.find("/content/") {
        if let Some(j) = p[i + 9..].find('/') {
            p = format!("{}{}", &p[..i], &p[i + 9 + j..]);
        } else {
            p.truncate(i);
        }
    }
    if let Some(i) = p.find("/schema")
        && p[..i].contains("/parameters/")
    {
        p = format!("{}{}", &p[..i], &p[i + 7..]);
    }
    p
}

/// Picks the faker for a field from its format and name, so fake data looks like the real thing.
pub fn choose_faker(json_name: &str, ty: &TypeRef) -> Faker {
    let n = json_name.to_ascii_lowercase();
    let has = |s: &str| n.contains(s);
    let runtime = Faker::Runtime;
    match ty {
        TypeRef::DateTime => runtime("UtcDateTime"),
        TypeRef::String => {
            if has("email") || n.ends_with("ownerid") || n.ends_with("administratorid") {
                runtime("Email")
            } else if n == "billingperiodid" || n == "billingperiod" {
                runtime("BillingPeriodId")
            } else if n == "tags" || n == "additionalinfo" {
                runtime("TagsJson")
            } else if has("currency") {
                runtime("CurrencyCode")
            } else if has("region") || has("location") {
                runtime("Region")
            } else if n == "instanceid" {
                runtime("ResourceId")
            } else if has("guid") || n == "id" || n.ends_with("id") {
                runtime("Guid")
            } else if n.ends_with("name") {
                runtime("CompanyName")
            } else {
                runtime("Word")
            }
        }
        TypeRef::F64 => {
            const MONEY: &[&str] = &[
                "cost",
                "amount",
                "price",
                "rate",
                "balance",
                "charge",
                "saving",
                "purchase",
                "adjustment",
                "utilized",
                "overage",
                "usage",
                "value",
            ];
            if MONEY.iter().any(|m| has(m)) {
                runtime("Money")
            } else {
                runtime("Quantity")
            }
        }
        TypeRef::I32 => runtime("PositiveI32"),
        TypeRef::I64 => runtime("PositiveI64"),
        _ => Faker::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("cost", "Cost"));
        assert!(glob_match("*cost", "extendedCost"));
        assert!(glob_match("*Price*", "unitPrice"));
        assert!(!glob_match("cost", "costCenter"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn pointers_map_back_to_swagger_2() {
        assert_eq!(
            original_pointer("/components/schemas/Foo/properties/bar", true),
            "/definitions/Foo/properties/bar"
        );
        assert_eq!(
            original_pointer(
                "/paths/~1a/get/responses/200/content/application~1json/schema/items",
                true
            ),
            "/paths/~1a/get/responses/200/schema/items"
        );
        assert_eq!(
            original_pointer("/paths/~1a/get/parameters/2/schema", true),
            "/paths/~1a/get/parameters/2"
        );
        assert_eq!(
            original_pointer("/components/schemas/Foo", false),
            "/components/schemas/Foo"
        );
    }

    #[test]
    fn fakers_follow_format_and_name() {
        assert_eq!(
            choose_faker("date", &TypeRef::DateTime),
            Faker::Runtime("UtcDateTime")
        );
        assert_eq!(
            choose_faker("accountOwnerEmail", &TypeRef::String),
            Faker::Runtime("Email")
        );
        assert_eq!(
            choose_faker("accountOwnerId", &TypeRef::String),
            Faker::Runtime("Email")
        );
        assert_eq!(
            choose_faker("subscriptionGuid", &TypeRef::String),
            Faker::Runtime("Guid")
        );
        assert_eq!(
            choose_faker("meterId", &TypeRef::String),
            Faker::Runtime("Guid")
        );
        assert_eq!(
            choose_faker("billingPeriodId", &TypeRef::String),
            Faker::Runtime("BillingPeriodId")
        );
        assert_eq!(
            choose_faker("meterRegion", &TypeRef::String),
            Faker::Runtime("Region")
        );
        assert_eq!(
            choose_faker("tags", &TypeRef::String),
            Faker::Runtime("TagsJson")
        );
        assert_eq!(
            choose_faker("extendedCost", &TypeRef::F64),
            Faker::Runtime("Money")
        );
        assert_eq!(
            choose_faker("consumedQuantity", &TypeRef::F64),
            Faker::Runtime("Quantity")
        );
        assert_eq!(
            choose_faker("chargesBilledSeparately", &TypeRef::Bool),
            Faker::Default
        );
    }
}
