//! The request journal: what the mock received, for tests to check what their code sent
//! (`If-None-Match`, no month fetched twice, no page past the last), in the manner of
//! WireMock's request journal.
//!
//! A ring buffer of the last `--journal-size` requests (0: off), each with its time, method,
//! path and query, headers, the operation it matched, the key's *name*, the status sent, the
//! bytes of body sent and the fault or rule that shaped it. Keys never enter it: the
//! `Authorization` value is replaced by `bearer <key name>` (`[redacted]` for a key the mock
//! did not accept), any configured key elsewhere in a header or the target by its name, and the
//! blob listener's `sig` by `REDACTED`. Streamed bodies are counted as they are sent, so an
//! entry's `bytes` grows until its body is done. `/admin` requests are not journaled.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt as _;
use http::{HeaderMap, Method};
use serde::{Deserialize, Serialize};

use crate::logging::RequestNote;
use crate::state::AppState;

/// Largest `--journal-size`.
pub const MAX_JOURNAL_SIZE: usize = 1_000_000;

/// One request as the mock received and answered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Number of the request since the start (gaps: entries that left the ring or were cleared).
    pub seq: u64,
    /// When the answer's head was ready (UTC, RFC 3339 with milliseconds).
    pub time: String,
    /// `api`, or `blob` for the blob listener of report files.
    pub listener: String,
    /// The request method.
    pub method: String,
    /// Path and query as sent (keys replaced by their names; a blob link's `sig` redacted).
    pub target: String,
    /// Header names (lower case) and values, keys replaced by their names.
    pub headers: Vec<(String, String)>,
    /// The operation id the request matched, if any.
    pub operation: Option<String>,
    /// The name of the key used (`key-1`, `minted:<Id>`), once authenticated.
    pub key: Option<String>,
    /// The status sent.
    pub status: u16,
    /// Bytes of body sent so far.
    pub bytes: u64,
    /// The fault that shaped the answer: a rule's name (`rule-1`), `forced`, `injected`,
    /// `injected-drop` or `rate-limit`.
    pub fault: Option<String>,
}

impl JournalEntry {
    /// The value of header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Which entries `GET /admin/requests` lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this operation id.
    pub operation: Option<String>,
    /// Only this status, or this class (`Class(5)` for `5xx`).
    pub status: Option<StatusFilter>,
    /// Only this listener (`api` or `blob`).
    pub listener: Option<String>,
}

/// A status or a class of statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Exactly this status.
    Exact(u16),
    /// `Class(5)`: 500–599.
    Class(u16),
}

impl Filter {
    /// Parses a query string (`operation=…&status=503|5xx&listener=…`); unknown or malformed
    /// parameters are an error (for a 400).
    pub fn parse(query: Option<&str>) -> Result<Filter, String> {
        let mut filter = Filter::default();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(&value.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            match name {
                "operation" => filter.operation = Some(value),
                "listener" => filter.listener = Some(value),
                "status" => filter.status = Some(parse_status(&value)?),
                other => {
                    return Err(format!(
                        "unknown parameter {other:?}; use operation, status or listener"
                    ));
                }
            }
        }
        Ok(filter)
    }

    /// Whether `entry` passes.
    pub fn matches(&self, entry: &JournalEntry) -> bool {
        let operation = self
            .operation
            .as_deref()
            .is_none_or(|op| entry.operation.as_deref() == Some(op));
        let status = match self.status {
            None => true,
            Some(StatusFilter::Exact(s)) => entry.status == s,
            Some(StatusFilter::Class(c)) => entry.status / 100 == c,
        };
        let listener = self.listener.as_deref().is_none_or(|l| entry.listener == l);
        operation && status && listener
    }
}

fn parse_status(value: &str) -> Result<StatusFilter, String> {
    let bad = || format!("status {value:?} is not a status (503) or a class (5xx)");
    if let Some(class) = value
        .strip_suffix("xx")
        .or_else(|| value.strip_suffix("XX"))
    {
        return match class.parse::<u16>() {
            Ok(c @ 1..=5) => Ok(StatusFilter::Class(c)),
            _ => Err(bad()),
        };
    }
    match value.parse::<u16>() {
        Ok(s @ 100..=599) => Ok(StatusFilter::Exact(s)),
        _ => Err(bad()),
    }
}

/// A kept entry; its body's byte count is shared with the body being sent.
#[derive(Debug)]
struct Slot {
    entry: JournalEntry,
    bytes: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct Ring {
    next_seq: u64,
    slots: VecDeque<Slot>,
}

/// The bounded journal.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    ring: Mutex<Ring>,
}

impl Journal {
    /// A journal keeping the last `capacity` requests (0: off).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ring: Mutex::new(Ring::default()),
        }
    }

    /// Whether requests are journaled.
    pub fn is_on(&self) -> bool {
        self.capacity > 0
    }

    /// How many entries it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        // Entries are pushed whole: a panic elsewhere cannot leave one half-written.
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `entry` (its `seq` is set here), dropping the oldest beyond the capacity; returns
    /// the counter of its body's bytes.
    pub fn push(&self, mut entry: JournalEntry) -> Arc<AtomicU64> {
        let bytes = Arc::new(AtomicU64::new(entry.bytes));
        if !self.is_on() {
            return bytes;
        }
        let mut ring = self.ring();
        entry.seq = ring.next_seq;
        ring.next_seq += 1;
        while ring.slots.len() >= self.capacity {
            ring.slots.pop_front();
        }
        ring.slots.push_back(Slot {
            entry,
            bytes: bytes.clone(),
        });
        bytes
    }

    /// The entries passing `filter`, oldest first.
    pub fn entries(&self, filter: &Filter) -> Vec<JournalEntry> {
        self.ring()
            .slots
            .iter()
            .filter(|s| filter.matches(&s.entry))
            .map(|s| JournalEntry {
                bytes: s.bytes.load(Ordering::Relaxed),
                ..s.entry.clone()
            })
            .collect()
    }

    /// `{"capacity": n, "requests": [entries passing filter]}`, written from the ring itself:
    /// a copy of a full journal (or a `serde_json::Value` of it) would take a multiple of the
    /// journal's own memory, one entry at a time is copied instead.
    pub fn listing_json(&self, filter: &Filter) -> Vec<u8> {
        struct Current<'a>(&'a Slot);
        impl Serialize for Current<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                JournalEntry {
                    bytes: self.0.bytes.load(Ordering::Relaxed),
                    ..self.0.entry.clone()
                }
                .serialize(s)
            }
        }
        struct Requests<'a>(&'a Ring, &'a Filter);
        impl Serialize for Requests<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let kept = self
                    .0
                    .slots
                    .iter()
                    .filter(|slot| self.1.matches(&slot.entry));
                s.collect_seq(kept.map(Current))
            }
        }
        #[derive(Serialize)]
        struct Listing<'a> {
            capacity: usize,
            requests: Requests<'a>,
        }
        let ring = self.ring();
        serde_json::to_vec(&Listing {
            capacity: self.capacity,
            requests: Requests(&ring, filter),
        })
        .expect("entries serialize")
    }

    /// Forgets every entry; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut ring = self.ring();
        let n = ring.slots.len();
        ring.slots.clear();
        n
    }
}

/// Middleware journaling the API's requests (not `/admin`).
pub async fn record_api(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.journal.is_on() || is_admin(request.uri().path()) {
        return next.run(request).await;
    }
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let target = state.key_ring.redact(&target);
    record(&state, "api", target, request, next).await
}

/// Middleware journaling the blob listener's requests, `sig` redacted.
pub async fn record_blob(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.journal.is_on() {
        return next.run(request).await;
    }
    let mut target = request.uri().path().to_owned();
    if let Some(query) = request.uri().query() {
        target.push('?');
        target.push_str(&crate::sas::redact_query(query));
    }
    let target = state.key_ring.redact(&target);
    record(&state, "blob", target, request, next).await
}

fn is_admin(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower == "/admin" || lower.starts_with("/admin/")
}

async fn record(
    state: &AppState,
    listener: &str,
    target: String,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let note = response
        .extensions()
        .get::<RequestNote>()
        .cloned()
        .unwrap_or_default();
    let exact = response.body().size_hint().exact();
    let entry = JournalEntry {
        seq: 0,
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        listener: listener.to_owned(),
        method: method.to_string(),
        target,
        headers: redacted_headers(state, &headers, note.key_name.as_deref()),
        operation: note.operation.map(str::to_owned),
        key: note.key_name.as_deref().map(str::to_owned),
        status: response.status().as_u16(),
        bytes: if method == Method::HEAD {
            0
        } else {
            exact.unwrap_or(0)
        },
        fault: note
            .rule
            .map(|r| r.to_string())
            .or_else(|| note.fault.map(str::to_owned)),
    };
    let counter = state.journal.push(entry);
    if exact.is_some() || method == Method::HEAD {
        return response;
    }
    // A streamed body: count its bytes as they go out.
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            if let Ok(bytes) = &chunk {
                counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            chunk
        }))
    })
}

/// The headers as the journal keeps them: `Authorization` as `bearer <key name>` (or
/// `[redacted]`), every configured key elsewhere replaced by its name.
fn redacted_headers(
    state: &AppState,
    headers: &HeaderMap,
    key_name: Option<&str>,
) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if name == http::header::AUTHORIZATION {
                key_name.map_or_else(|| "[redacted]".to_owned(), |k| format!("bearer {k}"))
            } else {
                state
                    .key_ring
                    .redact(&String::from_utf8_lossy(value.as_bytes()))
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: u16, operation: Option<&str>) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: String::new(),
            listener: "api".into(),
            method: "GET".into(),
            target: "/".into(),
            headers: Vec::new(),
            operation: operation.map(str::to_owned),
            key: None,
            status,
            bytes: 3,
            fault: None,
        }
    }

    #[test]
    fn the_ring_keeps_the_last_entries() {
        let journal = Journal::new(3);
        for status in [200, 201, 202, 203, 204] {
            journal.push(entry(status, None));
        }
        let kept = journal.entries(&Filter::default());
        let seen: Vec<(u64, u16)> = kept.iter().map(|e| (e.seq, e.status)).collect();
        assert_eq!(seen, [(2, 202), (3, 203), (4, 204)]);
        assert_eq!(journal.clear(), 3);
        assert!(journal.entries(&Filter::default()).is_empty());
        let off = Journal::new(0);
        off.push(entry(200, None));
        assert!(!off.is_on() && off.entries(&Filter::default()).is_empty());
    }

    #[test]
    fn byte_counters_are_read_when_listed() {
        let journal = Journal::new(2);
        let counter = journal.push(entry(200, None));
        counter.fetch_add(10, Ordering::Relaxed);
        assert_eq!(journal.entries(&Filter::default())[0].bytes, 13);
    }

    #[test]
    fn filters_parse_and_match() {
        let f = Filter::parse(Some("operation=Op_A&status=5xx")).unwrap();
        assert!(f.matches(&entry(503, Some("Op_A"))));
        assert!(!f.matches(&entry(200, Some("Op_A"))));
        assert!(!f.matches(&entry(503, Some("Op_B"))));
        let f = Filter::parse(Some("status=304")).unwrap();
        assert!(f.matches(&entry(304, None)) && !f.matches(&entry(200, None)));
        let f = Filter::parse(Some("listener=blob")).unwrap();
        assert!(!f.matches(&entry(200, None)));
        assert_eq!(Filter::parse(None).unwrap(), Filter::default());
        for bad in ["status=abc", "status=9xx", "status=99", "color=red"] {
            assert!(Filter::parse(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            Filter::parse(Some("operation=A%5FB")).unwrap().operation,
            Some("A_B".into())
        );
    }

    #[test]
    fn admin_paths_are_not_journaled() {
        assert!(is_admin("/admin/requests") && is_admin("/ADMIN/faults") && is_admin("/admin"));
        assert!(!is_admin("/administrator") && !is_admin("/v3/enrollments/100/usagedetails"));
    }
}
