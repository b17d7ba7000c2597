//! Two parameter rules of Azure's documents: the `api-version` (and any required parameter with
//! one possible value) is filled in rather than asked for, and `x-ms-skip-url-encoding` keeps
//! the `/` of a path parameter (an ARM scope such as `subscriptions/{id}/resourceGroups/{rg}`).

use openapiv3::{ParameterData, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use super::Lowerer;
use crate::error::{Result, push_pointer};
use crate::ir::{Param, ParamLocation, TypeRef};

impl Lowerer<'_> {
    /// The value a required query or header parameter is sent with unless set: its `default`,
    /// else its only `enum` value, else (for `api-version`) the document's `info.version`.
    pub(super) fn param_default(
        &self,
        data: &ParameterData,
        location: ParamLocation,
        required: bool,
        ty: &TypeRef,
        schema: &ReferenceOr<Schema>,
    ) -> Option<String> {
        if !required
            || location == ParamLocation::Path
            || !matches!(ty, TypeRef::String | TypeRef::Enum(_))
        {
            return None;
        }
        let schema = match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { .. } => None,
        };
        let given = schema.and_then(|s| match &s.schema_data.default {
            Some(Value::String(v)) => Some(v.clone()),
            _ => match &s.schema_kind {
                SchemaKind::Type(Type::String(st)) if st.enumeration.len() == 1 => {
                    st.enumeration[0].clone()
                }
                _ => None,
            },
        });
        given.or_else(|| {
            data.name
                .eq_ignore_ascii_case("api-version")
                .then(|| self.doc.info.version.clone())
        })
    }

    /// Whether a parameter keeps its `/` (`x-ms-skip-url-encoding: true`); only path
    /// parameters may: a query value is always encoded by the client, so the flag is refused
    /// there rather than ignored.
    pub(super) fn skip_url_encoding(
        &self,
        data: &ParameterData,
        location: ParamLocation,
        pointer: &str,
    ) -> Result<bool> {
        let at = push_pointer(pointer, "x-ms-skip-url-encoding");
        match data.extensions.get("x-ms-skip-url-encoding") {
            None | Some(Value::Bool(false)) => Ok(false),
            Some(Value::Bool(true)) if location == ParamLocation::Path => Ok(true),
            Some(Value::Bool(true)) => Err(self.err(
                &at,
                "x-ms-skip-url-encoding is supported on path parameters only",
            )),
            Some(_) => Err(self.err(&at, "x-ms-skip-url-encoding must be a boolean")),
        }
    }

    /// A path with an unencoded parameter: the parameter fills a whole segment (so the server
    /// side can match it across segments), and there is at most one (else where one ends and
    /// the next begins would be ambiguous).
    pub(super) fn check_unencoded_path(
        &self,
        path: &str,
        params: &[Param],
        pointer: &str,
    ) -> Result<()> {
        let unencoded: Vec<&Param> = params.iter().filter(|p| p.skip_url_encoding).collect();
        if unencoded.len() > 1 {
            return Err(self.err(
                pointer,
                "more than one path parameter with x-ms-skip-url-encoding in one path is not supported (the server side could not tell where one ends)",
            ));
        }
        for p in unencoded {
            let whole = format!("{{{}}}", p.name);
            if !path.split('/').any(|s| s == whole) {
                return Err(self.err(
                    pointer,
                    format!(
                        "path parameter {{{}}} with x-ms-skip-url-encoding must fill a whole path segment",
                        p.name
                    ),
                ));
            }
        }
        Ok(())
    }
}
