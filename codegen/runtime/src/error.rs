//! One error type for every generated operation, so callers can match on the
//! HTTP outcome (throttling, expired key, missing data) without parsing text.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::long_running::Status;
use super::retry;

/// Everything that can go wrong when calling the EA Reporting API.
///
/// The status-specific variants exist because the service gives each of them
/// a distinct meaning (401 = expired or wrong key, 429/503 = retry later, 400
/// and 404 = bad range or no data), and callers react to them differently.
/// Responses are boxed so `Result<T, Error>` stays small.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 400: the service rejected a parameter (date range, enrollment, ...).
    BadRequest(Box<ApiError>),
    /// 401: the API key is unknown, disabled or expired (keys last 6 months).
    Unauthorized(Box<ApiError>),
    /// 404: the report or the data for the requested range does not exist.
    NotFound(Box<ApiError>),
    /// 429: throttled, still failing after the configured retries.
    TooManyRequests {
        /// The final throttled response.
        error: Box<ApiError>,
        /// How long the service asked us to wait, if it said so.
        retry_after: Option<Duration>,
    },
    /// 500, 502, 504 and other 5xx except 503: the service failed.
    ServerError(Box<ApiError>),
    /// 503: the service is temporarily down, still failing after retries.
    ServiceUnavailable {
        /// The final 503 response.
        error: Box<ApiError>,
        /// How long the service asked us to wait, if it said so.
        retry_after: Option<Duration>,
    },
    /// Any other status the operation does not document (403, 3xx, ...).
    UnexpectedStatus(Box<ApiError>),
    /// Connection, TLS, timeout or body-read failure below HTTP.
    Transport(reqwest::Error),
    /// The body arrived but does not match the generated model.
    Decode(DecodeError),
    /// A value given by the caller cannot be used (empty key, bad URL, ...).
    InvalidArgument {
        /// Which argument was wrong.
        name: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A `nextLink` pointed at another origin; it was not followed so the
    /// API key is never sent to a host other than the configured one.
    ForeignNextLink {
        /// The link as the service returned it.
        next_link: String,
        /// The origin the client is configured for.
        expected_origin: String,
    },
    /// A long-running operation ended in one of the states its spec calls a failure.
    OperationFailed {
        /// The operation that was submitted.
        operation: &'static str,
        /// The state it ended in.
        status: Status,
    },
    /// A long-running operation had not ended when the caller's deadline came.
    PollDeadline {
        /// The operation that was submitted.
        operation: &'static str,
        /// How long it was polled.
        waited: Duration,
        /// The last state it reported.
        status: Option<Status>,
    },
    /// An unfinished answer of a long-running operation named no link to poll, or a finished
    /// one no link to its result.
    MissingLink {
        /// The operation that was submitted.
        operation: &'static str,
        /// Which link: `"poll"` or `"result"`.
        link: &'static str,
    },
    /// The result of a long-running operation is past the validity its spec gives the link, so
    /// it was not fetched.
    ResultLinkExpired {
        /// When the link stopped being valid.
        expired_at: DateTime<Utc>,
    },
    /// The host of a result link refused it (401 or 403: a wrong or expired signature).
    ResultLinkRefused(Box<ApiError>),
    /// One part of a range fetched in parts (a day) failed after its retries.
    PartFailed {
        /// Which part (`2018-05-03`).
        part: String,
        /// Why.
        error: Box<Error>,
    },
}

/// A non-success HTTP response, kept whole so nothing the service said is
/// lost, with the service's error code and message extracted when present.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The response status.
    pub status: StatusCode,
    /// The response headers (request ids, retry hints, ...).
    pub headers: HeaderMap,
    /// The raw response body.
    pub body: Bytes,
    /// The service error code, e.g. from `{"error": {"code": ...}}`.
    pub code: Option<String>,
    /// The service error message, e.g. from `{"error": {"message": ...}}`.
    pub message: Option<String>,
}

/// Details of a body that failed to decode, precise enough to locate the
/// offending field without re-running the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Status of the response whose body failed to decode.
    pub status: StatusCode,
    /// Path of the failing field, e.g. `data[3].cost`.
    pub path: String,
    /// The serde error message (includes line and column).
    pub message: String,
    /// Up to ~200 characters of the body around the failure.
    pub snippet: String,
}

/// Longest body excerpt put into messages.
const SNIPPET_CHARS: usize = 200;

impl Error {
    /// The HTTP status behind this error, if a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode(d) => Some(d.status),
            other => other.api_error().map(|e| e.status),
        }
    }

    /// The full error response, for callers that need headers or the body.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::NotFound(e)
            | Error::ServerError(e)
            | Error::UnexpectedStatus(e)
            | Error::TooManyRequests { error: e, .. }
            | Error::ServiceUnavailable { error: e, .. }
            | Error::ResultLinkRefused(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// How long the service asked the caller to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::TooManyRequests { retry_after, .. }
            | Error::ServiceUnavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether sending the same request again might succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout(),
            other => other
                .api_error()
                .is_some_and(|e| retry::is_retryable_status(e.status)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::NotFound(e)
            | Error::ServerError(e)
            | Error::UnexpectedStatus(e) => e.fmt(f),
            Error::TooManyRequests { error, retry_after }
            | Error::ServiceUnavailable { error, retry_after } => {
                error.fmt(f)?;
                match retry_after {
                    Some(d) => write!(f, " (retry after {} s)", d.as_secs_f64()),
                    None => Ok(()),
                }
            }
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Decode(d) => d.fmt(f),
            Error::InvalidArgument { name, reason } => {
                write!(f, "invalid argument `{name}`: {reason}")
            }
            Error::ForeignNextLink {
                next_link,
                expected_origin,
            } => write!(
                f,
                "refusing to follow nextLink {next_link:?}: it leaves the configured origin {expected_origin}"
            ),
            Error::OperationFailed { operation, status } => {
                write!(f, "{operation} ended in state {status}")
            }
            Error::PollDeadline {
                operation,
                waited,
                status,
            } => {
                write!(
                    f,
                    "{operation} had not ended after {:.1} s",
                    waited.as_secs_f64()
                )?;
                match status {
                    Some(status) => write!(f, " (last state {status})"),
                    None => Ok(()),
                }
            }
            Error::MissingLink { operation, link } => {
                write!(f, "an answer of {operation} names no {link} link")
            }
            Error::ResultLinkExpired { expired_at } => write!(
                f,
                "the result link expired at {}; submit again",
                expired_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Error::ResultLinkRefused(e) => write!(f, "the result link was refused: {e}"),
            Error::PartFailed { part, error } => write!(f, "part {part} of the range: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        match (&self.message, &self.code) {
            (Some(m), Some(c)) => write!(f, ": {} (code {})", one_line(m), one_line(c)),
            (Some(m), None) => write!(f, ": {}", one_line(m)),
            (None, Some(c)) => write!(f, ": code {}", one_line(c)),
            (None, None) => {
                let s = body_snippet(&self.body, 0);
                if s.is_empty() {
                    Ok(())
                } else {
                    write!(f, ": {s}")
                }
            }
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Builds an `ApiError`, extracting code and message from the body.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        let (code, message) = parse_error_body(&body);
        ApiError {
            status,
            headers,
            body,
            code,
            message,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot decode {} response at `{}`: {}; body: {}",
            self.status, self.path, self.message, self.snippet
        )
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// Builds a decode error for `body` from the failing field `path` (as
    /// reported by `serde_path_to_error`) and the serde_json error.
    pub fn new(status: StatusCode, path: String, err: &serde_json::Error, body: &[u8]) -> Self {
        let offset = line_column_offset(body, err.line(), err.column());
        DecodeError {
            status,
            path,
            message: err.to_string(),
            snippet: body_snippet(body, offset.unwrap_or(0)),
        }
    }
}

/// Maps a non-success response to the matching [`Error`] variant.
///
/// Pure apart from reading the clock for HTTP-date retry hints; see
/// [`from_response_at`] for a fully deterministic version.
/// `hint_headers` are the service's throttle headers ([`Service::retry_after_headers`](super::service::Service::retry_after_headers)).
pub fn from_response(
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    hint_headers: &[&str],
) -> Error {
    from_response_at(status, headers, body, hint_headers, SystemTime::now())
}

/// [`from_response`] with an explicit "now" for HTTP-date retry hints.
pub fn from_response_at(
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    hint_headers: &[&str],
    now: SystemTime,
) -> Error {
    let error = Box::new(ApiError::new(status, headers, body));
    match status {
        StatusCode::BAD_REQUEST => Error::BadRequest(error),
        StatusCode::UNAUTHORIZED => Error::Unauthorized(error),
        StatusCode::NOT_FOUND => Error::NotFound(error),
        StatusCode::TOO_MANY_REQUESTS => {
            let retry_after = retry::retry_after_from_headers(&error.headers, hint_headers, now);
            Error::TooManyRequests { error, retry_after }
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            let retry_after = retry::retry_after_from_headers(&error.headers, hint_headers, now);
            Error::ServiceUnavailable { error, retry_after }
        }
        s if s.is_server_error() => Error::ServerError(error),
        _ => Error::UnexpectedStatus(error),
    }
}

/// Extracts `(code, message)` from the shapes this service family uses:
/// `{"error": {"code", "message"}}`, flat `{"code", "message"}` and the
/// ASP.NET `{"Message": ...}`. Anything else yields `(None, None)`.
fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(Value::Object(top)) = serde_json::from_slice::<Value>(body) else {
        return parse_xml_error_body(body);
    };
    let field = |obj: &serde_json::Map<String, Value>, name: &str| -> Option<String> {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    };
    let nested = top
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("error"))
        .map(|(_, v)| v);
    match nested {
        Some(Value::Object(inner)) => (field(inner, "code"), field(inner, "message")),
        Some(Value::String(code)) => (Some(code.clone()), field(&top, "message")),
        _ => (field(&top, "code"), field(&top, "message")),
    }
}

/// `(code, message)` of a storage-style XML error, `<Error><Code>…</Code><Message>…</Message>`,
/// as the host of a result link (a blob with a signed URL) answers; anything else, `(None, None)`.
fn parse_xml_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(text) = std::str::from_utf8(body) else {
        return (None, None);
    };
    if !text.contains("<Error>") {
        return (None, None);
    }
    let element = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&format!("</{name}>"))?;
        let value = xml_unescape(text[start..end].trim());
        (!value.is_empty()).then_some(value)
    };
    (element("Code"), element("Message"))
}

/// The five predefined XML entities, decoded.
fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Byte offset of a 1-based line/column position, if it lies inside `body`.
fn line_column_offset(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    Some((line_start + column.saturating_sub(1)).min(body.len()))
}

/// At most [`SNIPPET_CHARS`] characters of `body` centred on byte `at`,
/// with control characters flattened so the result stays on one line.
pub(crate) fn body_snippet(body: &[u8], at: usize) -> String {
    let text = String::from_utf8_lossy(body);
    // Lossy decoding can shift offsets slightly; clamp to a char boundary.
    let mut centre = at.min(text.len());
    while !text.is_char_boundary(centre) {
        centre -= 1;
    }
    let before: Vec<(usize, char)> = text[..centre]
        .char_indices()
        .rev()
        .take(SNIPPET_CHARS / 2)
        .collect();
    let start = before.last().map_or(centre, |(i, _)| *i);
    let remaining = SNIPPET_CHARS - before.len();
    let end = text[start..]
        .char_indices()
        .nth(before.len() + remaining)
        .map_or(text.len(), |(i, _)| start + i);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&one_line(&text[start..end]));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Replaces control characters (newlines, tabs) by spaces and trims.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throttle header as a spec may declare it.
    const THROTTLE: &str = "x-ms-ratelimit-example-retry-after";
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn status_maps_to_variant() {
        let cases: &[(u16, &str)] = &[
            (400, "BadRequest"),
            (401, "Unauthorized"),
            (404, "NotFound"),
            (429, "TooManyRequests"),
            (500, "ServerError"),
            (502, "ServerError"),
            (503, "ServiceUnavailable"),
            (504, "ServerError"),
            (403, "UnexpectedStatus"),
            (302, "UnexpectedStatus"),
        ];
        for (code, variant) in cases {
            let status = StatusCode::from_u16(*code).unwrap();
            let err = from_response(status, HeaderMap::new(), Bytes::new(), &[]);
            let debug = format!("{err:?}");
            assert!(debug.starts_with(variant), "{code}: {debug}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.api_error().unwrap().status, status);
        }
    }

    #[test]
    fn parses_error_body_shapes() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                r#"{"error":{"code":"InvalidKey","message":"Key expired"}}"#,
                Some("InvalidKey"),
                Some("Key expired"),
            ),
            (
                r#"{"code":"400","message":"bad range"}"#,
                Some("400"),
                Some("bad range"),
            ),
            (
                r#"{"Message":"An error has occurred."}"#,
                None,
                Some("An error has occurred."),
            ),
            (r#"{"error":{"code":429}}"#, Some("429"), None),
            (
                r#"{"error":"invalid_token","message":"nope"}"#,
                Some("invalid_token"),
                Some("nope"),
            ),
            ("<html>Service Unavailable</html>", None, None),
            ("", None, None),
            ("[1,2]", None, None),
        ];
        for (body, code, message) in cases {
            let e = ApiError::new(
                StatusCode::BAD_REQUEST,
                HeaderMap::new(),
                Bytes::from(*body),
            );
            assert_eq!(e.code.as_deref(), *code, "{body}");
            assert_eq!(e.message.as_deref(), *message, "{body}");
        }
    }

    #[test]
    fn display_is_one_clear_line() {
        let body =
            Bytes::from_static(br#"{"error":{"code":"Unauthorized","message":"Key\nexpired"}}"#);
        let err = from_response(StatusCode::UNAUTHORIZED, HeaderMap::new(), body, &[]);
        assert_eq!(
            err.to_string(),
            "401 Unauthorized: Key expired (code Unauthorized)"
        );

        let err = from_response(
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            Bytes::from_static(b"no such\treport"),
            &[],
        );
        assert_eq!(err.to_string(), "404 Not Found: no such report");

        let err = from_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            HeaderMap::new(),
            Bytes::new(),
            &[],
        );
        assert_eq!(err.to_string(), "500 Internal Server Error");

        let long = "x".repeat(1000);
        let err = from_response(
            StatusCode::BAD_GATEWAY,
            HeaderMap::new(),
            Bytes::from(long),
            &[],
        );
        let text = err.to_string();
        assert!(text.len() < 260, "{}", text.len());
        assert!(text.ends_with('…'));
    }

    #[test]
    fn retry_after_per_status() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        type Case = (u16, &'static [(&'static str, &'static str)], Option<u64>);
        let cases: &[Case] = &[
            (429, &[(THROTTLE, "7"), ("retry-after", "3")], Some(7)),
            (429, &[("retry-after", "3")], Some(3)),
            (429, &[], None),
            // One precedence for every status: the declared header, then Retry-After.
            (503, &[(THROTTLE, "7"), ("retry-after", "3")], Some(7)),
            (503, &[(THROTTLE, "7")], Some(7)),
            // 2001-09-09T01:46:40Z is `now`; ten seconds later:
            (
                503,
                &[("retry-after", "Sun, 09 Sep 2001 01:46:50 GMT")],
                Some(10),
            ),
            (500, &[("retry-after", "3")], None),
        ];
        for (code, hs, expected) in cases {
            let err = from_response_at(
                StatusCode::from_u16(*code).unwrap(),
                headers(hs),
                Bytes::new(),
                &[THROTTLE],
                now,
            );
            assert_eq!(
                err.retry_after(),
                expected.map(Duration::from_secs),
                "{code} {hs:?}"
            );
        }
        let err = from_response_at(
            StatusCode::TOO_MANY_REQUESTS,
            headers(&[(THROTTLE, "5")]),
            Bytes::new(),
            &[THROTTLE],
            now,
        );
        assert_eq!(err.to_string(), "429 Too Many Requests (retry after 5 s)");
    }

    #[test]
    fn error_stays_small() {
        assert!(
            std::mem::size_of::<Error>() <= 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn retryable_classification() {
        for (code, retryable) in [
            (429, true),
            (500, true),
            (502, true),
            (503, true),
            (504, true),
            (501, false),
            (400, false),
            (401, false),
            (404, false),
        ] {
            let err = from_response(
                StatusCode::from_u16(code).unwrap(),
                HeaderMap::new(),
                Bytes::new(),
                &[],
            );
            assert_eq!(err.is_retryable(), retryable, "{code}");
        }
        let err = Error::InvalidArgument {
            name: "x".into(),
            reason: "y".into(),
        };
        assert!(!err.is_retryable());
        assert_eq!(err.status(), None);
        assert_eq!(err.to_string(), "invalid argument `x`: y");
    }

    #[test]
    fn snippet_is_centred_and_bounded() {
        let body: String = (0..1000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let s = body_snippet(body.as_bytes(), 500);
        assert!(s.starts_with('…') && s.ends_with('…'));
        let inner = s.trim_matches('…');
        assert_eq!(inner.chars().count(), SNIPPET_CHARS);
        assert_eq!(&inner[..100], &body[400..500]);

        assert_eq!(body_snippet(b"short", 3), "short");
        assert_eq!(body_snippet("héllo wörld".as_bytes(), 2), "héllo wörld");
        assert_eq!(body_snippet(b"", 10), "");
    }

    #[test]
    fn decode_error_reports_path_and_snippet() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Row {
            cost: f64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Envelope {
            data: Vec<Row>,
        }
        let body = b"{\"data\":[{\"cost\":1},\n{\"cost\":\"oops\"}]}";
        let mut de = serde_json::Deserializer::from_slice(body);
        let err = serde_path_to_error::deserialize::<_, Envelope>(&mut de).unwrap_err();
        let d = DecodeError::new(StatusCode::OK, err.path().to_string(), err.inner(), body);
        assert_eq!(d.path, "data[1].cost");
        assert!(d.message.contains("invalid type"), "{}", d.message);
        assert!(d.snippet.contains("\"oops\""), "{}", d.snippet);
        assert!(
            d.to_string()
                .starts_with("cannot decode 200 OK response at `data[1].cost`")
        );
    }
}
