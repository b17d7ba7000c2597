//! Paging detection: whether a response model is a page envelope, and which fields link and hold pages.

use serde_json::Value;

use super::Lowerer;
use crate::error::{Result, push_pointer};
use crate::ir::{Field, ResponseKind, TypeRef};

impl Lowerer<'_> {
    /// Whether a response type is a page envelope: declared by `x-ms-pageable`, or shaped like
    /// one (a `nextLink` string beside exactly one array), as the EA usage-details envelope is.
    pub(super) fn paged(
        &self,
        op: &openapiv3::Operation,
        ty: &TypeRef,
        pointer: &str,
    ) -> Result<Option<ResponseKind>> {
        let TypeRef::Model(name) = ty else {
            return Ok(None);
        };
        // A polymorphic response (an enum over subtypes) is no envelope.
        let Some(model) = self.models.iter().find(|m| &m.rust_name == name) else {
            return Ok(None);
        };
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
            next_link_json: next.json_name.clone(),
            next_link_optional: next.is_optional(),
        }))
    }
}
