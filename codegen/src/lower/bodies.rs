//! Request bodies: a JSON body of a modelled type (Swagger's `in: body`), sent as is.

use openapiv3::ReferenceOr;

use super::Lowerer;
use super::responses::is_json_mime;
use crate::error::{Result, push_pointer};
use crate::ir::RequestBody;

impl Lowerer<'_> {
    /// The JSON body an operation takes, if any. A body in another media type only (form data,
    /// XML, bytes) is refused: the client would not know how to write it.
    pub(super) fn lower_request_body(
        &mut self,
        op: &openapiv3::Operation,
        pointer: &str,
        context: &str,
    ) -> Result<Option<RequestBody>> {
        let Some(body) = &op.request_body else {
            return Ok(None);
        };
        let body_pointer = push_pointer(pointer, "requestBody");
        let body = match body {
            ReferenceOr::Item(b) => b,
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/requestBodies/")
                .and_then(|name| self.doc.components.as_ref()?.request_bodies.get(name))
                .and_then(ReferenceOr::as_item)
                .ok_or_else(|| {
                    self.err(
                        &push_pointer(&body_pointer, "$ref"),
                        format!("unresolved $ref {reference}"),
                    )
                })?,
        };
        let Some((mime, media)) = body.content.iter().find(|(mime, _)| is_json_mime(mime)) else {
            let found: Vec<&str> = body.content.keys().map(String::as_str).collect();
            return Err(self.err(
                &body_pointer,
                format!(
                    "request bodies other than JSON are not supported (this one is {})",
                    found.join(", ")
                ),
            ));
        };
        let media_pointer = push_pointer(&push_pointer(&body_pointer, "content"), mime);
        let Some(schema) = &media.schema else {
            return Err(self.err(&media_pointer, "a JSON request body needs a schema"));
        };
        let ty = self.type_of(
            schema,
            &format!("{context}Body"),
            &push_pointer(&media_pointer, "schema"),
            0,
        )?;
        Ok(Some(RequestBody {
            ty,
            required: body.required,
            content_type: mime.clone(),
            doc: body.description.clone(),
        }))
    }
}
