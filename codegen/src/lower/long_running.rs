//! `x-ea-long-running` on an operation: it queues work that is polled until it ends. The
//! extension (documented in the README's table of extensions):
//!
//! ```json
//! "x-ea-long-running": {
//!   "pollOperation": "Report_Get",
//!   "pollLink": "reportUrl",
//!   "status": "status",
//!   "states": [{ "value": 1, "name": "Queued", "outcome": "running" }, ...],
//!   "pollIntervalSeconds": 10,
//!   "resultLink": "blobPath",
//!   "resultValidity": { "from": "requestedOn", "seconds": 3600 },
//!   "resultCsv": "Download_Get"
//! }
//! ```
//!
//! Everything it names is checked against the document, with the pointer of the key at fault.

use std::collections::HashSet;

use openapiv3::ReferenceOr;
use serde_json::{Map, Value};

use super::Lowerer;
use super::operations::methods;
use crate::error::{Result, push_pointer};
use crate::ir::{
    LongRunning, LongRunningOutcome, LongRunningState, Operation, ResponseKind, TypeRef,
};

const EXTENSION: &str = "x-ea-long-running";
const KEYS: &[&str] = &[
    "pollOperation",
    "pollLink",
    "status",
    "states",
    "pollIntervalSeconds",
    "resultLink",
    "resultValidity",
    "resultCsv",
];
/// The wait between polls when the extension does not say.
const DEFAULT_POLL_INTERVAL_SECS: u64 = 10;

impl Lowerer<'_> {
    /// Fills [`Operation::long_running`] of every operation that declares `x-ea-long-running`;
    /// runs after every operation is lowered, because the extension names other operations.
    pub(super) fn lower_long_running(&self, drafts: &mut [Operation]) -> Result<()> {
        let mut declared = Vec::new();
        let mut index = 0;
        for (path, item) in &self.doc.paths.paths {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (method, op) in methods(item) {
                if let Some(ext) = op.extensions.get(EXTENSION) {
                    let pointer = push_pointer(
                        &push_pointer(&push_pointer("/paths", path), method),
                        EXTENSION,
                    );
                    declared.push((index, ext, pointer));
                }
                index += 1;
            }
        }
        for (index, ext, pointer) in declared {
            let lowered = self.lower_one(&drafts[index], drafts, ext, &pointer)?;
            if let Some(other) = drafts
                .iter()
                .filter_map(|d| d.long_running.as_ref())
                .find(|o| o.model == lowered.model && **o != lowered)
            {
                return Err(self.err(
                    &pointer,
                    format!(
                        "{} is already the answer of another long-running operation, polled differently",
                        other.model
                    ),
                ));
            }
            drafts[index].long_running = Some(lowered);
        }
        Ok(())
    }

    fn lower_one(
        &self,
        op: &Operation,
        all: &[Operation],
        ext: &Value,
        at: &str,
    ) -> Result<LongRunning> {
        let object = ext
            .as_object()
            .ok_or_else(|| self.err(at, "x-ea-long-running must be an object"))?;
        for key in object.keys() {
            if !KEYS.contains(&key.as_str()) {
                return Err(self.err(
                    &push_pointer(at, key),
                    format!(
                        "unknown x-ea-long-running key {key:?} ({})",
                        KEYS.join(", ")
                    ),
                ));
            }
        }
        let model_name = match &op.response {
            ResponseKind::Json(TypeRef::Model(name)) => name.clone(),
            _ => {
                return Err(self.err(
                    at,
                    "x-ea-long-running needs a success response that is a JSON object schema (the answer that names the poll link)",
                ));
            }
        };
        let model = self
            .models
            .iter()
            .find(|m| m.rust_name == model_name)
            .expect("a response model is lowered");
        let text = |object: &Map<String, Value>, at: &str, key: &str| -> Result<Option<String>> {
            match object.get(key) {
                None => Ok(None),
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
                Some(_) => Err(self.err(
                    &push_pointer(at, key),
                    format!("{key} must be a non-empty string"),
                )),
            }
        };
        let required = |key: &str| -> Result<String> {
            text(object, at, key)?
                .ok_or_else(|| self.err(at, format!("x-ea-long-running needs {key}")))
        };
        let field =
            |key: &str, name: &str, at: &str, fits: &dyn Fn(&TypeRef) -> bool, what: &str| {
                let pointer = push_pointer(at, key);
                let index = model
                    .fields
                    .iter()
                    .position(|f| f.json_name == name)
                    .ok_or_else(|| {
                        self.err(
                            &pointer,
                            format!("{} has no property {name:?}", model.spec_name),
                        )
                    })?;
                if !fits(&model.fields[index].ty) {
                    return Err(self.err(
                        &pointer,
                        format!("{}.{name} must be {what}", model.spec_name),
                    ));
                }
                Ok(index)
            };
        let is_string = |t: &TypeRef| *t == TypeRef::String;
        let poll_operation =
            self.poll_operation(all, &required("pollOperation")?, &model_name, at)?;
        let poll_link = field(
            "pollLink",
            &required("pollLink")?,
            at,
            &is_string,
            "a string",
        )?;
        let result_link = field(
            "resultLink",
            &required("resultLink")?,
            at,
            &is_string,
            "a string",
        )?;
        let status = field(
            "status",
            &required("status")?,
            at,
            &|t| matches!(t, TypeRef::String | TypeRef::I32 | TypeRef::I64),
            "a string or an integer",
        )?;
        let states = self.states(object.get("states"), &push_pointer(at, "states"))?;
        let poll_interval_secs = match object.get("pollIntervalSeconds") {
            None => DEFAULT_POLL_INTERVAL_SECS,
            Some(v) => v
                .as_u64()
                .filter(|s| (1..=3600).contains(s))
                .ok_or_else(|| {
                    self.err(
                        &push_pointer(at, "pollIntervalSeconds"),
                        "pollIntervalSeconds must be an integer from 1 to 3600",
                    )
                })?,
        };
        let result_validity = match object.get("resultValidity") {
            None => None,
            Some(v) => {
                let v_at = push_pointer(at, "resultValidity");
                let inner = v
                    .as_object()
                    .filter(|o| o.keys().all(|k| k == "from" || k == "seconds"))
                    .ok_or_else(|| {
                        self.err(
                            &v_at,
                            "resultValidity must be an object with from and seconds",
                        )
                    })?;
                let from = text(inner, &v_at, "from")?
                    .ok_or_else(|| self.err(&v_at, "resultValidity needs from"))?;
                let from = field(
                    "from",
                    &from,
                    &v_at,
                    &|t| *t == TypeRef::DateTime,
                    "a date-time",
                )?;
                let seconds = inner
                    .get("seconds")
                    .and_then(Value::as_u64)
                    .filter(|s| *s > 0)
                    .ok_or_else(|| {
                        self.err(
                            &push_pointer(&v_at, "seconds"),
                            "seconds must be a positive integer",
                        )
                    })?;
                Some((from, seconds))
            }
        };
        let result_rows = match text(object, at, "resultCsv")? {
            None => None,
            Some(id) => {
                let csv_at = push_pointer(at, "resultCsv");
                let target = all
                    .iter()
                    .find(|o| o.operation_id.as_deref() == Some(id.as_str()))
                    .ok_or_else(|| self.err(&csv_at, format!("no operation has the id {id:?}")))?;
                Some(target.csv_rows.clone().ok_or_else(|| {
                    self.err(
                        &csv_at,
                        format!("operation {id:?} declares no x-ea-csv layout"),
                    )
                })?)
            }
        };
        Ok(LongRunning {
            model: model_name,
            poll_operation,
            poll_link,
            status,
            states,
            poll_interval_secs,
            result_link,
            result_validity,
            result_rows,
        })
    }

    /// The id of the poll operation: a GET of this document answering the same model.
    fn poll_operation(&self, all: &[Operation], id: &str, model: &str, at: &str) -> Result<String> {
        let pointer = push_pointer(at, "pollOperation");
        let mut matching = all.iter().filter(|o| o.operation_id.as_deref() == Some(id));
        let poll = match (matching.next(), matching.next()) {
            (Some(poll), None) => poll,
            (None, _) => return Err(self.err(&pointer, format!("no operation has the id {id:?}"))),
            (Some(_), Some(_)) => {
                return Err(self.err(&pointer, format!("the id {id:?} is not unique")));
            }
        };
        let same_model =
            matches!(&poll.response, ResponseKind::Json(TypeRef::Model(m)) if m == model);
        if poll.http_method != "GET" || !same_model {
            return Err(self.err(
                &pointer,
                format!("operation {id:?} must be a GET answering the same schema as the submit"),
            ));
        }
        Ok(poll.id.clone())
    }

    fn states(&self, value: Option<&Value>, at: &str) -> Result<Vec<LongRunningState>> {
        let list = value
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| self.err(at, "x-ea-long-running needs states: a non-empty array"))?;
        let mut states = Vec::with_capacity(list.len());
        let mut seen = HashSet::new();
        for (i, state) in list.iter().enumerate() {
            let state_at = push_pointer(at, &i.to_string());
            let bad = |message: &str| self.err(&state_at, message.to_string());
            let value = match state.get("value") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
                _ => return Err(bad("a state needs value: a string or an integer")),
            };
            let name = match state.get("name") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                _ => return Err(bad("a state needs name: a non-empty string")),
            };
            let outcome = match state.get("outcome").and_then(Value::as_str) {
                Some("running") => LongRunningOutcome::Running,
                Some("succeeded") => LongRunningOutcome::Succeeded,
                Some("failed") => LongRunningOutcome::Failed,
                _ => return Err(bad("a state needs outcome: running, succeeded or failed")),
            };
            if let Some(key) = state.as_object().and_then(|o| {
                o.keys()
                    .find(|k| !["value", "name", "outcome"].contains(&k.as_str()))
            }) {
                return Err(self.err(
                    &push_pointer(&state_at, key),
                    format!("unknown state key {key:?} (value, name, outcome)"),
                ));
            }
            if !seen.insert(value.clone()) {
                return Err(bad(&format!("the value {value} is listed twice")));
            }
            states.push(LongRunningState {
                value,
                name,
                outcome,
            });
        }
        if !states
            .iter()
            .any(|s| s.outcome == LongRunningOutcome::Succeeded)
        {
            return Err(self.err(
                at,
                "no state has the outcome succeeded, so polling could never end well",
            ));
        }
        Ok(states)
    }
}
