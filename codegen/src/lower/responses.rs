//! The success response of an operation and what its body is: nothing, bytes, JSON or pages.

use openapiv3::{ReferenceOr, SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty};

use super::Lowerer;
use crate::error::{Result, push_pointer};
use crate::ir::ResponseKind;

impl<'a> Lowerer<'a> {
    /// A response, following a `#/components/responses/` reference; `pointer` names it in errors.
    pub(super) fn resolve_response(
        &self,
        response: &'a ReferenceOr<openapiv3::Response>,
        pointer: &str,
    ) -> Result<&'a openapiv3::Response> {
        match response {
            ReferenceOr::Item(r) => Ok(r),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/responses/")
                .and_then(|name| self.doc.components.as_ref()?.responses.get(name))
                .and_then(ReferenceOr::as_item)
                .ok_or_else(|| {
                    self.err(
                        &push_pointer(pointer, "$ref"),
                        format!("unresolved $ref {reference}"),
                    )
                }),
        }
    }

    /// The success response: the lowest 2xx, else `default`; its body decides the kind.
    pub(super) fn lower_response(
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
        let response = self.resolve_response(response, &response_pointer)?.clone();
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
}

pub(super) fn is_json_mime(mime: &str) -> bool {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}
