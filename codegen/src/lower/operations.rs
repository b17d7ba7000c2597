//! Paths → operations: parameters merged, resolved and typed, method names chosen.

use std::collections::{HashMap, HashSet};

use openapiv3::{Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, StatusCode};

use super::Lowerer;
use crate::error::{Result, push_pointer};
use crate::ir::{Operation, Param, ParamLocation, TypeRef};
use crate::naming::{OperationKey, operation_method_names, snake_ident, type_ident, unique};

impl Lowerer<'_> {
    pub(super) fn lower_operations(&mut self) -> Result<Vec<Operation>> {
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
        self.lower_long_running(&mut drafts)?;
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
        let body = self.lower_request_body(op, pointer, &context)?;
        let mut params = Vec::new();
        let mut declares_conditional = false;
        // The body is the `body` argument and setter; a parameter of that name gets another.
        let mut taken = HashSet::new();
        if body.is_some() {
            taken.insert("body".to_string());
        }
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
                let is_auth = self
                    .auth
                    .as_ref()
                    .is_some_and(|a| a.header.eq_ignore_ascii_case(&data.name));
                if is_auth || data.name.eq_ignore_ascii_case("authorization") {
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
            let required = data.required || location == ParamLocation::Path;
            let skip_url_encoding = self.skip_url_encoding(data, location, &p_pointer)?;
            params.push(Param {
                rust_name: unique(&snake_ident(&data.name), &mut taken),
                name: data.name.clone(),
                location,
                doc: data.description.clone(),
                default: self.param_default(data, location, required, &ty, schema),
                ty,
                required,
                skip_url_encoding,
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
        self.check_unencoded_path(path, &params, pointer)?;
        if op.responses.responses.contains_key(&StatusCode::Code(304)) {
            declares_conditional = true;
        }
        let response = self.lower_response(op, pointer, &context)?;
        let csv_rows = self.lower_csv_layout(op, &response, pointer)?;
        let splittable = self.lower_splittable(op, &params, &response, pointer)?;
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
            body,
            declares_conditional,
            response,
            csv_rows,
            long_running: None,
            splittable,
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
}

pub(super) fn methods(
    item: &PathItem,
) -> impl Iterator<Item = (&'static str, &openapiv3::Operation)> {
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
