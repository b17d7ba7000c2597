//! The blob listener: a second origin standing for the Azure Storage account the real service
//! wrote its report files to. It serves `GET`/`HEAD /usage-reports/<e>/<id>.csv?<SAS>` and
//! nothing else, and never looks at an `Authorization` header: the signed link is the only
//! credential, as with storage. Being another origin is the point: a client must download
//! `blobPath` without the API key, and [`BlobCounters`] let a test prove the key never arrived.
//!
//! A request's way through: method (405) → path shape (404) → signature and time window (403,
//! `crate::sas`) → the id's own MAC and enrollment (404) → the report finished with a file, by
//! its timeline at the real clock (404) → the file, generated as it is sent.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::header::{CONTENT_TYPE, ETAG, LAST_MODIFIED};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use percent_encoding::percent_decode_str;

use crate::config::Config;
use crate::logging;
use crate::render::{self, blob as file};
use crate::report::{self, ReportId, ReportStatus};
use crate::sas;
use crate::stable_hash::StableHasher;
use crate::state::AppState;
use crate::storage_error::{REQUEST_ID, StorageError, VERSION};

/// `x-ms-blob-type`, which storage sends with every blob.
const BLOB_TYPE: HeaderName = HeaderName::from_static("x-ms-blob-type");

/// The origin report links name when no listener has been bound yet (`app()`, oneshot tests):
/// `--blob-public-url`, else `http://<host>:<blob port>`.
pub fn configured_origin(config: &Config) -> String {
    origin(config, config.effective_blob_port())
}

/// The origin report links name for a blob listener on `port`: `--blob-public-url` if set
/// (without a trailing `/`), else `http://<host>:<port>` (an IPv6 host in brackets).
pub fn origin(config: &Config, port: u16) -> String {
    if let Some(url) = &config.blob_public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = config.host.trim();
    if host.contains(':') && !host.starts_with('[') {
        format!("http://[{host}]:{port}")
    } else {
        format!("http://{host}:{port}")
    }
}

/// The routes of the blob listener over a built state (the API's, so both serve one world).
pub fn router(state: AppState) -> Router {
    Router::new()
        .fallback(handle)
        .layer(middleware::from_fn(logging::log_blob_requests))
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .layer(crate::journal::JournalLayer::new(
            state.clone(),
            crate::journal::Listener::Blob,
        ))
        .with_state(state)
}

/// What the blob listener has received, counted as it arrives.
#[derive(Debug, Default)]
pub struct BlobCounters {
    total: AtomicU64,
    with_authorization: AtomicU64,
    with_api_key: AtomicU64,
}

/// A reading of [`BlobCounters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlobRequests {
    /// Every request, whatever its answer.
    pub total: u64,
    /// Requests with an `Authorization` header (any value).
    pub with_authorization: u64,
    /// Requests in which a configured API key appears: in any header value, or in the path
    /// or query (as sent, or percent-decoded).
    pub with_api_key: u64,
}

impl BlobCounters {
    /// The counts so far.
    pub fn snapshot(&self) -> BlobRequests {
        BlobRequests {
            total: self.total.load(Ordering::Relaxed),
            with_authorization: self.with_authorization.load(Ordering::Relaxed),
            with_api_key: self.with_api_key.load(Ordering::Relaxed),
        }
    }

    fn record(&self, headers: &HeaderMap, uri: &Uri, keys: &[String]) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if headers.contains_key(http::header::AUTHORIZATION) {
            self.with_authorization.fetch_add(1, Ordering::Relaxed);
        }
        if carries_key(headers, uri, keys) {
            self.with_api_key.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Whether any of `keys` appears in a header value or in the request target.
pub fn carries_key(headers: &HeaderMap, uri: &Uri, keys: &[String]) -> bool {
    let target = uri.path_and_query().map_or("", |p| p.as_str());
    let decoded = percent_decode_str(target).collect::<Vec<u8>>();
    let places = headers
        .values()
        .map(HeaderValue::as_bytes)
        .chain([target.as_bytes(), decoded.as_slice()]);
    let places: Vec<&[u8]> = places.collect();
    keys.iter()
        .filter(|k| !k.is_empty())
        .any(|k| places.iter().any(|p| contains(p, k.as_bytes())))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    state
        .blob_requests
        .record(request.headers(), request.uri(), &state.keys);
    next.run(request).await
}

/// Handles one request to the blob listener.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let now = Utc::now();
    let (parts, _body) = request.into_parts();
    let request_id = render::guid(
        StableHasher::new()
            .str("blob-request")
            .str(parts.method.as_str())
            .str(&parts.uri.to_string())
            .u64(now.timestamp_nanos_opt().unwrap_or_default() as u64),
    );
    match answer(&state, &parts.method, &parts.uri, now) {
        Ok(mut response) => {
            if let Ok(id) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert(REQUEST_ID, id);
            }
            response
        }
        Err(e) => e.response(&request_id, now),
    }
}

/// The file, or why not, for a request at `now`.
fn answer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    now: DateTime<Utc>,
) -> Result<Response, StorageError> {
    if method != Method::GET && method != Method::HEAD {
        return Err(StorageError::UnsupportedHttpVerb);
    }
    // Storage names blobs by their decoded path; the signature covers that form.
    let path = percent_decode_str(uri.path())
        .decode_utf8()
        .map_err(|_| StorageError::BlobNotFound)?;
    let (enrollment, id_text) = sas::parse_blob_path(&path).ok_or(StorageError::BlobNotFound)?;
    let settings = &state.reports;
    sas::verify(&path, uri.query(), &settings.keys, now)
        .map_err(|e| StorageError::AuthenticationFailed(e.detail()))?;
    let id = ReportId::decode(id_text, &settings.keys)
        .ok()
        .filter(|id| id.enrollment == enrollment)
        .ok_or(StorageError::BlobNotFound)?;
    let e = state
        .enrollment(enrollment)
        .ok_or(StorageError::BlobNotFound)?;
    if report::status_at(&id, settings.delay, now).status != ReportStatus::Completed {
        return Err(StorageError::BlobNotFound);
    }
    let payload = file::report_file(e.clone(), state.seed, &id);
    let mut response = Response::new(payload.into_body(false));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(file::CONTENT_TYPE));
    headers.insert(BLOB_TYPE, HeaderValue::from_static("BlockBlob"));
    headers.insert(VERSION, HeaderValue::from_static(sas::SERVICE_VERSION));
    let tag = StableHasher::new()
        .str("blob-etag")
        .u64(state.seed)
        .u64(state.fingerprint)
        .str(id_text)
        .finish();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"0x{tag:016X}\"")) {
        headers.insert(ETAG, etag);
    }
    let written =
        id.requested_on() + chrono::Duration::from_std(settings.delay).unwrap_or_default();
    if let Ok(date) = HeaderValue::from_str(&sas::http_date(written)) {
        headers.insert(LAST_MODIFIED, date);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    #[test]
    fn origins_follow_the_public_url_or_the_host() {
        let c = Config::default();
        assert_eq!(configured_origin(&c), "http://127.0.0.1:10000");
        assert_eq!(origin(&c, 4), "http://127.0.0.1:4");
        let v6 = Config {
            host: "::1".into(),
            ..Config::default()
        };
        assert_eq!(origin(&v6, 9), "http://[::1]:9");
        let public = Config {
            blob_public_url: Some("https://blob.example/".into()),
            ..Config::default()
        };
        assert_eq!(origin(&public, 9), "https://blob.example");
        let ephemeral = Config {
            port: 0,
            ..Config::default()
        };
        assert_eq!(configured_origin(&ephemeral), "http://127.0.0.1:0");
    }

    #[test]
    fn keys_are_found_anywhere_in_headers_and_target() {
        let keys = vec!["k-123".to_owned()];
        let uri = |s: &'static str| Uri::from_static(s);
        let none = headers(&[("accept", "*/*")]);
        assert!(!carries_key(
            &none,
            &uri("/usage-reports/1/x.csv?sig=a"),
            &keys
        ));
        assert!(carries_key(
            &headers(&[("authorization", "Bearer k-123")]),
            &uri("/"),
            &keys
        ));
        assert!(carries_key(
            &headers(&[("x-other", "prefix k-123 suffix")]),
            &uri("/"),
            &keys
        ));
        assert!(carries_key(&none, &uri("/x?key=k-123"), &keys));
        assert!(carries_key(&none, &uri("/x?key=k%2D123"), &keys), "decoded");
        assert!(!carries_key(&none, &uri("/x"), &[String::new()]));
    }

    #[test]
    fn counters_count_each_kind() {
        let counters = BlobCounters::default();
        let keys = vec!["secret".to_owned()];
        counters.record(&HeaderMap::new(), &Uri::from_static("/"), &keys);
        counters.record(
            &headers(&[("authorization", "Bearer other")]),
            &Uri::from_static("/"),
            &keys,
        );
        counters.record(
            &headers(&[("authorization", "Bearer secret")]),
            &Uri::from_static("/"),
            &keys,
        );
        assert_eq!(
            counters.snapshot(),
            BlobRequests {
                total: 3,
                with_authorization: 2,
                with_api_key: 1
            }
        );
    }
}
