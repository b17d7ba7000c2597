//! `x-ea-splittable` on a paged operation: its range can be fetched as days side by side, the
//! rows of the single request over the whole range coming out the same, in the same order. The
//! extension (documented in the README's table of extensions):
//!
//! ```json
//! "x-ea-splittable": { "start": "startTime", "end": "endTime", "unit": "day" }
//! ```

use serde_json::Value;

use super::Lowerer;
use crate::error::{Result, push_pointer};
use crate::ir::{Param, ParamLocation, ResponseKind, Splittable, TypeRef};

const EXTENSION: &str = "x-ea-splittable";

impl Lowerer<'_> {
    /// The range parameters of the operation's `x-ea-splittable`, checked.
    pub(super) fn lower_splittable(
        &self,
        op: &openapiv3::Operation,
        params: &[Param],
        response: &ResponseKind,
        pointer: &str,
    ) -> Result<Option<Splittable>> {
        let Some(ext) = op.extensions.get(EXTENSION) else {
            return Ok(None);
        };
        let at = push_pointer(pointer, EXTENSION);
        if !matches!(response, ResponseKind::Paged { .. }) {
            return Err(self.err(&at, "x-ea-splittable needs a paged operation"));
        }
        let object = ext
            .as_object()
            .ok_or_else(|| self.err(&at, "x-ea-splittable must be an object"))?;
        if let Some(key) = object
            .keys()
            .find(|k| !["start", "end", "unit"].contains(&k.as_str()))
        {
            return Err(self.err(
                &push_pointer(&at, key),
                format!("unknown x-ea-splittable key {key:?} (start, end, unit)"),
            ));
        }
        match object.get("unit") {
            Some(Value::String(unit)) if unit == "day" => {}
            _ => {
                return Err(self.err(
                    &push_pointer(&at, "unit"),
                    "unit must be \"day\" (the only unit supported)",
                ));
            }
        }
        let param = |key: &str| -> Result<usize> {
            let key_at = push_pointer(&at, key);
            let name = object
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| self.err(&key_at, format!("{key} must name a parameter")))?;
            let index = params
                .iter()
                .position(|p| p.name == name && p.location == ParamLocation::Query)
                .ok_or_else(|| {
                    self.err(
                        &key_at,
                        format!("the operation has no query parameter {name:?}"),
                    )
                })?;
            let p = &params[index];
            if !(p.required && p.ty == TypeRef::DateTime) {
                return Err(self.err(
                    &key_at,
                    format!("{name} must be a required date-time parameter"),
                ));
            }
            Ok(index)
        };
        let (start, end) = (param("start")?, param("end")?);
        if start == end {
            return Err(self.err(&at, "start and end must be two parameters"));
        }
        Ok(Some(Splittable { start, end }))
    }
}
