//! `x-ea-csv` on an operation: its byte-stream body is CSV in a service's own layout, rows of a
//! model. The extension (documented in codegen/README.md):
//!
//! ```json
//! "x-ea-csv": {
//!   "rowSchema": "UsageDetail",
//!   "title": "UsageDetail Report for Billing Period - {billingPeriod}",
//!   "rangeTitle": "UsageDetail Report for Date Range - {startTime} - {endTime}",
//!   "columns": [{ "caption": "AccountId", "property": "accountId" }, ...]
//! }
//! ```
//!
//! The layout is attached to the row model (which then implements the runtime's `ServiceCsv`),
//! and the operation remembers the model so that its request builder can read typed rows.

use std::collections::HashSet;

use serde_json::Value;

use super::{Lowerer, Named};
use crate::error::{Result, push_pointer};
use crate::ir::{CsvColumn, CsvLayout, ResponseKind, TypeRef};

const EXTENSION: &str = "x-ea-csv";

impl Lowerer<'_> {
    /// The row model of the operation's `x-ea-csv`, with the layout attached to that model.
    pub(super) fn lower_csv_layout(
        &mut self,
        op: &openapiv3::Operation,
        response: &ResponseKind,
        pointer: &str,
    ) -> Result<Option<String>> {
        let Some(ext) = op.extensions.get(EXTENSION) else {
            return Ok(None);
        };
        let at = push_pointer(pointer, EXTENSION);
        if !matches!(response, ResponseKind::Bytes { .. }) {
            return Err(self.err(
                &at,
                "x-ea-csv needs a success response that is a byte stream (type: string, format: binary)",
            ));
        }
        let object = ext
            .as_object()
            .ok_or_else(|| self.err(&at, "x-ea-csv must be an object"))?;
        for key in object.keys() {
            if !["rowSchema", "title", "rangeTitle", "columns"].contains(&key.as_str()) {
                return Err(self.err(
                    &push_pointer(&at, key),
                    format!("unknown x-ea-csv key {key:?} (rowSchema, title, rangeTitle, columns)"),
                ));
            }
        }
        let text = |key: &str, required: bool| -> Result<Option<String>> {
            match object.get(key) {
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
                None if !required => Ok(None),
                _ => Err(self.err(
                    &push_pointer(&at, key),
                    format!("x-ea-csv needs {key} as a non-empty string"),
                )),
            }
        };
        let schema = text("rowSchema", true)?.expect("required");
        let title = text("title", true)?.expect("required");
        let range_title = text("rangeTitle", false)?;
        let schema_pointer = push_pointer(&at, "rowSchema");
        let rust_name = match self.named.get(&schema) {
            Some(Named::Model(name)) => name.clone(),
            _ => {
                return Err(self.err(
                    &schema_pointer,
                    format!("rowSchema {schema:?} is not an object schema of this document"),
                ));
            }
        };
        let index = self
            .models
            .iter()
            .position(|m| m.rust_name == rust_name)
            .expect("a declared model is lowered");
        let columns_pointer = push_pointer(&at, "columns");
        let list = match object.get("columns") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            _ => {
                return Err(self.err(
                    &columns_pointer,
                    "x-ea-csv needs columns: a non-empty array",
                ));
            }
        };
        let model = &self.models[index];
        let mut columns = Vec::with_capacity(list.len());
        let (mut captions, mut fields) = (HashSet::new(), HashSet::new());
        for (i, column) in list.iter().enumerate() {
            let column_pointer = push_pointer(&columns_pointer, &i.to_string());
            let get = |key: &str| match column.get(key) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
                _ => Err(self.err(
                    &column_pointer,
                    format!("a column needs {key} as a non-empty string"),
                )),
            };
            let (caption, property) = (get("caption")?, get("property")?);
            let field = model
                .fields
                .iter()
                .position(|f| f.json_name == property)
                .ok_or_else(|| {
                    self.err(
                        &push_pointer(&column_pointer, "property"),
                        format!("{schema} has no property {property:?}"),
                    )
                })?;
            let ty = &model.fields[field].ty;
            if !(*ty == TypeRef::String || ty.is_copy_scalar()) {
                return Err(self.err(
                    &push_pointer(&column_pointer, "property"),
                    format!(
                        "{schema}.{property} is not a string, number, integer, boolean or date: it does not fit in a CSV cell"
                    ),
                ));
            }
            if !captions.insert(caption.to_ascii_lowercase()) || !fields.insert(field) {
                return Err(self.err(
                    &column_pointer,
                    format!("caption {caption:?} or property {property:?} is listed twice"),
                ));
            }
            columns.push(CsvColumn {
                caption: caption.to_string(),
                field,
            });
        }
        if let Some(missing) = model
            .fields
            .iter()
            .enumerate()
            .find(|(i, f)| !f.is_optional() && !fields.contains(i))
        {
            return Err(self.err(
                &columns_pointer,
                format!(
                    "required property {:?} of {schema} has no column, so a row could not be read",
                    missing.1.json_name
                ),
            ));
        }
        let layout = CsvLayout {
            title,
            range_title,
            columns,
        };
        match &self.models[index].csv {
            Some(existing) if *existing != layout => {
                return Err(self.err(
                    &at,
                    format!("{schema} is already the row of another, different x-ea-csv layout"),
                ));
            }
            _ => self.models[index].csv = Some(layout),
        }
        Ok(Some(rust_name))
    }
}
