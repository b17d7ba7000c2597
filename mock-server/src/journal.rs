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

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};
use axum::extract::Request;
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
        self.matches_parts(entry.operation.as_deref(), entry.status, &entry.listener)
    }

    fn matches_parts(&self, operation: Option<&str>, status: u16, listener: &str) -> bool {
        let operation_passes = self
            .operation
            .as_deref()
            .is_none_or(|op| operation == Some(op));
        let status_passes = match self.status {
            None => true,
            Some(StatusFilter::Exact(s)) => status == s,
            Some(StatusFilter::Class(c)) => status / 100 == c,
        };
        let listener_passes = self.listener.as_deref().is_none_or(|l| listener == l);
        operation_passes && status_passes && listener_passes
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

/// A request as the ring keeps it: what was received, not yet written out. Its target and
/// headers are copied into one allocation ([`Kept`]); the time, method and text are formatted
/// only when the journal is listed. A request thus costs the journal at most one allocation
/// (none once the ring is full, see [`Kept`]) instead of one per header name and value (issue 16 measured the old entry at a quarter to a half of
/// the mock's rate on its smallest answer).
#[derive(Debug)]
pub struct Received {
    /// When the answer's head was ready (the clock's reading: made a date only when listed,
    /// which costs more than the reading).
    pub time: std::time::SystemTime,
    /// `api` or `blob`.
    pub listener: &'static str,
    /// The request method.
    pub method: Method,
    /// Target and headers.
    pub kept: Kept,
    /// The operation id matched, if any.
    pub operation: Option<&'static str>,
    /// The name of the key used, once authenticated (`Authorization` is listed as `bearer` it).
    pub key: Option<Arc<str>>,
    /// The status sent.
    pub status: u16,
    /// The body's size, or its counter while it streams.
    pub bytes: BodyBytes,
    /// The fault that shaped the answer.
    pub fault: Option<Fault>,
}

/// A request's target and headers as the journal keeps them, copied into one buffer:
/// `target \0 name \0 value \0 name \0 value …` (a header value cannot hold a NUL, nor can a
/// target). Copied, never the request's own values: those are slices of hyper's read buffer,
/// and a kept slice would keep that whole buffer (a 10,000-entry journal then held 100 MiB).
/// Every `Authorization` value is kept empty (it is listed as `bearer <key name>` or
/// `[redacted]`) and any other value holding a configured key is kept with the key's name.
///
/// The buffer of the entry a push drops is kept by that thread for its next request (see
/// `Kept::recycle`): a full journal then allocates and frees nothing per request. Freeing
/// one thread's allocation on another contends on the allocator's locks, which cost more of
/// the rate than the copying did.
#[derive(Debug)]
pub struct Kept(Vec<u8>);

thread_local! {
    /// A dropped entry's buffer, for this thread's next [`Kept::new`].
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest buffer kept for reuse (a request head is rarely a tenth of it).
const SPARE_LIMIT: usize = 4096;

impl Kept {
    /// `target` (already redacted by the caller where it needs more than the key ring) and
    /// `headers`, configured keys replaced by their names. Order and repeated names are kept.
    pub fn new(key_ring: &crate::keys::KeyRing, target: &str, headers: &HeaderMap) -> Kept {
        let size = target.len()
            + headers
                .iter()
                .map(|(n, v)| n.as_str().len() + v.len() + 2)
                .sum::<usize>();
        let mut out = SPARE.take();
        out.clear();
        out.reserve(size);
        out.extend_from_slice(key_ring.redact(target).as_bytes());
        for (name, value) in headers {
            out.push(0);
            out.extend_from_slice(name.as_str().as_bytes());
            out.push(0);
            if name == http::header::AUTHORIZATION {
                continue;
            }
            match key_ring.redact(&String::from_utf8_lossy(value.as_bytes())) {
                Cow::Borrowed(_) => out.extend_from_slice(value.as_bytes()),
                Cow::Owned(redacted) => out.extend_from_slice(redacted.as_bytes()),
            }
        }
        Kept(out)
    }

    /// Gives this buffer to the thread's next [`Kept::new`] (unless it is large).
    fn recycle(self) {
        if self.0.capacity() <= SPARE_LIMIT {
            SPARE.set(self.0);
        }
    }

    fn parts(&self) -> std::slice::Split<'_, u8, impl FnMut(&u8) -> bool> {
        self.0.split(|b| *b == 0)
    }

    fn target(&self) -> String {
        let target = self.parts().next().unwrap_or_default();
        String::from_utf8_lossy(target).into_owned()
    }

    /// Header names and values, as kept.
    fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut parts = self.parts().skip(1);
        std::iter::from_fn(move || Some((parts.next()?, parts.next()?)))
    }
}

/// A body's byte count: known when the answer was ready, or counted as it streams.
#[derive(Debug)]
pub enum BodyBytes {
    /// The whole body's size (0 for `HEAD`).
    Exact(u64),
    /// Shared with the body being sent.
    Counted(Arc<AtomicU64>),
}

impl BodyBytes {
    fn get(&self) -> u64 {
        match self {
            BodyBytes::Exact(n) => *n,
            BodyBytes::Counted(c) => c.load(Ordering::Relaxed),
        }
    }
}

/// What shaped an answer, as named in an entry's `fault`.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// A run-time rule (`rule-1`).
    Rule(crate::scenarios::RuleId),
    /// `forced`, `injected`, `injected-drop` or `rate-limit`.
    Named(&'static str),
}

impl Received {
    fn passes(&self, filter: &Filter) -> bool {
        filter.matches_parts(self.operation, self.status, self.listener)
    }

    /// The entry listed for it.
    fn entry(&self, seq: u64) -> JournalEntry {
        JournalEntry {
            seq,
            time: chrono::DateTime::<chrono::Utc>::from(self.time)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            listener: self.listener.to_owned(),
            method: self.method.to_string(),
            target: self.kept.target(),
            headers: self
                .kept
                .headers()
                .map(|(name, value)| {
                    let name = String::from_utf8_lossy(name).into_owned();
                    let value = if name == http::header::AUTHORIZATION.as_str() {
                        self.key
                            .as_deref()
                            .map_or_else(|| "[redacted]".to_owned(), |k| format!("bearer {k}"))
                    } else {
                        String::from_utf8_lossy(value).into_owned()
                    };
                    (name, value)
                })
                .collect(),
            operation: self.operation.map(str::to_owned),
            key: self.key.as_deref().map(str::to_owned),
            status: self.status,
            bytes: self.bytes.get(),
            fault: self.fault.map(|f| match f {
                Fault::Rule(r) => r.to_string(),
                Fault::Named(n) => n.to_owned(),
            }),
        }
    }
}

#[derive(Debug)]
struct Slot {
    seq: u64,
    received: Received,
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

    /// Keeps `received` (numbered here), dropping the oldest beyond the capacity; the
    /// dropped entry is freed after the lock is let go.
    pub fn push(&self, received: Received) {
        if !self.is_on() {
            return;
        }
        let mut ring = self.ring();
        let seq = ring.next_seq;
        ring.next_seq += 1;
        let oldest = if ring.slots.len() >= self.capacity {
            ring.slots.pop_front()
        } else {
            None
        };
        ring.slots.push_back(Slot { seq, received });
        drop(ring);
        if let Some(oldest) = oldest {
            oldest.received.kept.recycle();
        }
    }

    /// The entries passing `filter`, oldest first.
    pub fn entries(&self, filter: &Filter) -> Vec<JournalEntry> {
        self.ring()
            .slots
            .iter()
            .filter(|s| s.received.passes(filter))
            .map(|s| s.received.entry(s.seq))
            .collect()
    }

    /// `{"capacity": n, "requests": [entries passing filter]}`, written from the ring itself:
    /// a copy of a full journal (or a `serde_json::Value` of it) would take a multiple of the
    /// journal's own memory, one entry at a time is written out instead.
    pub fn listing_json(&self, filter: &Filter) -> Vec<u8> {
        struct Listed<'a>(&'a Slot);
        impl Serialize for Listed<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.received.entry(self.0.seq).serialize(s)
            }
        }
        struct Requests<'a>(&'a Ring, &'a Filter);
        impl Serialize for Requests<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let kept = self
                    .0
                    .slots
                    .iter()
                    .filter(|slot| slot.received.passes(self.1));
                s.collect_seq(kept.map(Listed))
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
        let slots = std::mem::take(&mut self.ring().slots);
        slots.len()
    }
}

/// Which listener a [`JournalLayer`] journals: what it calls itself and how it keeps targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// The API (not `/admin`).
    Api,
    /// The blob listener of report files (`sig` redacted).
    Blob,
}

impl Listener {
    fn name(self) -> &'static str {
        match self {
            Listener::Api => "api",
            Listener::Blob => "blob",
        }
    }

    /// What the journal keeps of `request`; `None` for a request it does not journal.
    fn keep(self, key_ring: &crate::keys::KeyRing, request: &Request) -> Option<Kept> {
        let uri = request.uri();
        match self {
            Listener::Api if is_admin(uri.path()) => None,
            Listener::Api => {
                let target = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
                Some(Kept::new(key_ring, target, request.headers()))
            }
            Listener::Blob => {
                let mut target = uri.path().to_owned();
                if let Some(query) = uri.query() {
                    target.push('?');
                    target.push_str(&crate::sas::redact_query(query));
                }
                Some(Kept::new(key_ring, &target, request.headers()))
            }
        }
    }
}

/// The journal as a tower layer. Written as a service of its own rather than a `from_fn`
/// middleware, which boxes its future and clones the inner service on every request: on the
/// balance summary that was a tenth of the mock's rate (docs/benchmarks.md). Add it only when
/// the journal is on (a layer that only passes requests on still costs a call per request).
#[derive(Clone, Debug)]
pub struct JournalLayer {
    state: AppState,
    listener: Listener,
}

impl JournalLayer {
    /// Journals the requests of `listener` into `state`'s journal.
    pub fn new(state: AppState, listener: Listener) -> Self {
        Self { state, listener }
    }
}

impl<S> tower_layer::Layer<S> for JournalLayer {
    type Service = Journaled<S>;

    fn layer(&self, inner: S) -> Journaled<S> {
        Journaled {
            inner,
            layer: self.clone(),
        }
    }
}

/// A service whose requests are journaled (see [`JournalLayer`]).
#[derive(Clone, Debug)]
pub struct Journaled<S> {
    inner: S,
    layer: JournalLayer,
}

impl<S> tower_service::Service<Request> for Journaled<S>
where
    S: tower_service::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Recording<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Recording {
            pending: Pending::of(&self.layer.state, self.layer.listener, &request),
            inner: self.inner.call(request),
        }
    }
}

/// What is known of a journaled request before its answer.
#[derive(Debug)]
pub struct Pending {
    state: AppState,
    listener: &'static str,
    method: Method,
    kept: Kept,
}

pin_project_lite::pin_project! {
    /// The answer of a journaled request; journals it when ready.
    pub struct Recording<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }
}

impl<F, E> Future for Recording<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        Poll::Ready(Ok(match this.pending.take() {
            Some(pending) => pending.record(response),
            None => response,
        }))
    }
}

fn is_admin(path: &str) -> bool {
    let head = path.get(..6).unwrap_or("");
    head.eq_ignore_ascii_case("/admin") && matches!(path.as_bytes().get(6), None | Some(b'/'))
}

/// What the journal takes of a request's [`RequestNote`].
#[derive(Debug, Default)]
struct Noted {
    operation: Option<&'static str>,
    key: Option<Arc<str>>,
    fault: Option<Fault>,
}

impl Noted {
    /// The key's name is taken, not cloned (see `RequestNote::key_name`).
    fn take(note: &mut RequestNote) -> Noted {
        Noted {
            operation: note.operation,
            key: note.key_name.take(),
            fault: note
                .rule
                .map(Fault::Rule)
                .or_else(|| note.fault.map(Fault::Named)),
        }
    }
}

impl Pending {
    /// What `state`'s journal keeps of `request` to `listener`; `None` when the journal is off or
    /// does not keep such requests (`/admin`).
    pub fn of(state: &AppState, listener: Listener, request: &Request) -> Option<Pending> {
        if !state.journal.is_on() {
            return None;
        }
        let kept = listener.keep(&state.key_ring, request)?;
        Some(Pending {
            state: state.clone(),
            listener: listener.name(),
            method: request.method().clone(),
            kept,
        })
    }

    /// Journals the request with its answer and the [`RequestNote`] in the answer's extensions
    /// (left there for the layers outside, but for the key's name, see `RequestNote::key_name`).
    fn record(self, mut response: Response) -> Response {
        let noted = response
            .extensions_mut()
            .get_mut::<RequestNote>()
            .map(Noted::take);
        self.finish(response, noted.unwrap_or_default())
    }

    /// Journals the request with its answer and `note`; a streamed body is counted as it goes
    /// out.
    pub fn record_noted(self, response: Response, mut note: RequestNote) -> Response {
        self.finish(response, Noted::take(&mut note))
    }

    fn finish(self, response: Response, noted: Noted) -> Response {
        let Pending {
            state,
            listener,
            method,
            kept,
        } = self;
        let Noted {
            operation,
            key,
            fault,
        } = noted;
        let exact = response.body().size_hint().exact();
        // A streamed body (size unknown, not a HEAD) is counted as it goes out.
        let counter =
            (method != Method::HEAD && exact.is_none()).then(|| Arc::new(AtomicU64::new(0)));
        let bytes = match &counter {
            Some(counter) => BodyBytes::Counted(counter.clone()),
            None if method == Method::HEAD => BodyBytes::Exact(0),
            None => BodyBytes::Exact(exact.unwrap_or(0)),
        };
        state.journal.push(Received {
            time: std::time::SystemTime::now(),
            listener,
            method,
            kept,
            operation,
            key,
            status: response.status().as_u16(),
            bytes,
            fault,
        });
        let Some(counter) = counter else {
            return response;
        };
        response.map(|body| {
            Body::from_stream(body.into_data_stream().map(move |chunk| {
                if let Ok(bytes) = &chunk {
                    counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                }
                chunk
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: u16, operation: Option<&str>) -> JournalEntry {
        JournalEntry {
            operation: operation.map(str::to_owned),
            ..received(status, None).entry(0)
        }
    }

    fn received(status: u16, operation: Option<&'static str>) -> Received {
        Received {
            time: std::time::SystemTime::UNIX_EPOCH,
            listener: "api",
            method: Method::GET,
            kept: Kept::new(
                &crate::keys::KeyRing::new(&[], &[], None),
                "/",
                &HeaderMap::new(),
            ),
            operation,
            key: None,
            status,
            bytes: BodyBytes::Exact(3),
            fault: None,
        }
    }

    #[test]
    fn the_ring_keeps_the_last_entries() {
        let journal = Journal::new(3);
        for status in [200, 201, 202, 203, 204] {
            journal.push(received(status, None));
        }
        let kept = journal.entries(&Filter::default());
        let seen: Vec<(u64, u16)> = kept.iter().map(|e| (e.seq, e.status)).collect();
        assert_eq!(seen, [(2, 202), (3, 203), (4, 204)]);
        assert_eq!(journal.clear(), 3);
        assert!(journal.entries(&Filter::default()).is_empty());
        let off = Journal::new(0);
        off.push(received(200, None));
        assert!(!off.is_on() && off.entries(&Filter::default()).is_empty());
    }

    #[test]
    fn a_dropped_entrys_buffer_is_the_next_requests() {
        let ring = crate::keys::KeyRing::new(&[], &[], None);
        let journal = Journal::new(1);
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-long",
            "a value longer than the next one".parse().unwrap(),
        );
        let first = Kept::new(&ring, "/first", &headers);
        let buffer = first.0.as_ptr();
        journal.push(Received {
            kept: first,
            ..received(200, None)
        });
        journal.push(received(201, None)); // drops the first entry: its buffer is spare
        headers.insert("x-long", "short".parse().unwrap());
        let next = Kept::new(&ring, "/b", &headers);
        assert_eq!(next.0.as_ptr(), buffer, "the spare buffer is reused");
        assert_eq!(next.target(), "/b");
        let listed: Vec<_> = next.headers().collect();
        assert_eq!(
            listed,
            [(&b"x-long"[..], &b"short"[..])],
            "nothing of the old text"
        );
    }

    #[test]
    fn byte_counters_are_read_when_listed() {
        let journal = Journal::new(2);
        let counter = Arc::new(AtomicU64::new(3));
        journal.push(Received {
            bytes: BodyBytes::Counted(counter.clone()),
            ..received(200, None)
        });
        counter.fetch_add(10, Ordering::Relaxed);
        assert_eq!(journal.entries(&Filter::default())[0].bytes, 13);
    }

    #[test]
    fn kept_text_holds_no_key_and_lists_headers_in_order() {
        let ring = crate::keys::KeyRing::new(&["s3cret-a".into(), "s3cret-b".into()], &[], None);
        let mut headers = HeaderMap::new();
        headers.append("x-first", "plain".parse().unwrap());
        headers.append("authorization", "bearer s3cret-a".parse().unwrap());
        headers.append("x-carried", "k=s3cret-b;again=s3cret-b".parse().unwrap());
        headers.append("x-first", "second value".parse().unwrap());
        headers.append("x-raw", http::HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let kept = Kept::new(&ring, "/x?key=s3cret-a", &headers);
        let dump = format!("{kept:?} {}", String::from_utf8_lossy(&kept.0));
        assert!(!dump.contains("s3cret"), "{dump}");
        let signed_in = Received {
            kept,
            key: Some("key-1".into()),
            fault: Some(Fault::Named("forced")),
            time: std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_millis(1_528_992_000_123),
            ..received(200, Some("Op_A"))
        };
        let listed = signed_in.entry(7);
        let pairs: Vec<(&str, &str)> = listed
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("x-first", "plain"),
                ("x-first", "second value"),
                ("authorization", "bearer key-1"),
                ("x-carried", "k=key-2;again=key-2"),
                ("x-raw", "caf\u{fffd}"),
            ]
        );
        assert_eq!(
            (listed.seq, listed.time.as_str(), listed.fault.as_deref()),
            (7, "2018-06-14T16:00:00.123Z", Some("forced"))
        );
        assert_eq!(listed.target, "/x?key=key-1");
        let anonymous = Received {
            kept: Kept::new(&ring, "/", &{
                let mut h = HeaderMap::new();
                h.insert("authorization", "bearer wrong".parse().unwrap());
                h.insert("x-empty", http::HeaderValue::from_static(""));
                h
            }),
            ..received(401, None)
        };
        assert_eq!(
            anonymous.entry(0).header("authorization"),
            Some("[redacted]")
        );
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
