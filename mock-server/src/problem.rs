//! The one error body shape the mock sends for every non-2xx answer:
//! `{"error":{"code":"<status>","message":"<text>"}}`, as the real service wrote it (the code is
//! the HTTP status as a string, e.g. `"500"`; ../shared/ea-api/wire-format.md, "Errors"), plus the
//! documented retry headers on 429 and 503 so clients can exercise their back-off.

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderName, HeaderValue, StatusCode};

/// Header the EA API uses on 429 (seconds to wait).
pub const RATE_LIMIT_RETRY_AFTER: HeaderName =
    HeaderName::from_static("x-ms-ratelimit-microsoft.consumption-retry-after");

/// Retry delay used when a 429/503 is built without an explicit one.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 1;

/// Content type of every error body.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The `code` for a status, as the service wrote it: the status number as a string (`401` →
/// `"401"`), so code that switches on `error.code == "401"` behaves as it did in production.
pub fn error_code(status: StatusCode) -> String {
    status.as_u16().to_string()
}

/// The serialized error body.
pub fn error_body(status: StatusCode, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "error": { "code": error_code(status), "message": message }
    });
    serde_json::to_vec(&body).expect("a JSON value always serializes")
}

/// An error response. 429 and 503 get their retry header with
/// [`DEFAULT_RETRY_AFTER_SECS`]; use [`throttled`]/[`unavailable`] to choose the delay.
pub fn error_response(status: StatusCode, message: impl Into<String>) -> Response {
    build(status, &message.into(), DEFAULT_RETRY_AFTER_SECS)
}

/// 429 with `x-ms-ratelimit-microsoft.consumption-retry-after: <secs>`.
pub fn throttled(secs: u64) -> Response {
    build(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("Too many requests; retry after {}.", seconds(secs)),
        secs,
    )
}

/// 503 with `Retry-After: <secs>`.
pub fn unavailable(secs: u64) -> Response {
    build(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!(
            "The service is temporarily unavailable; retry after {}.",
            seconds(secs)
        ),
        secs,
    )
}

fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".to_owned()
    } else {
        format!("{n} seconds")
    }
}

fn build(status: StatusCode, message: &str, retry_secs: u64) -> Response {
    let mut response = Response::new(Body::from(error_body(status, message)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    let retry = HeaderValue::from(retry_secs);
    match status {
        StatusCode::TOO_MANY_REQUESTS => {
            headers.insert(RATE_LIMIT_RETRY_AFTER, retry);
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            headers.insert(RETRY_AFTER, retry);
        }
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    async fn body_json(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn codes_for_documented_statuses() {
        let cases = [
            (400, "400"),
            (401, "401"),
            (404, "404"),
            (405, "405"),
            (412, "412"),
            (429, "429"),
            (500, "500"),
            (503, "503"),
        ];
        for (status, code) in cases {
            assert_eq!(error_code(StatusCode::from_u16(status).unwrap()), code);
        }
        assert_eq!(error_code(StatusCode::from_u16(599).unwrap()), "599");
    }

    #[test]
    fn body_shape_and_escaping() {
        let body: Value =
            serde_json::from_slice(&error_body(StatusCode::BAD_REQUEST, "bad \"x\"\n")).unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": "400", "message": "bad \"x\"\n"}})
        );
    }

    #[tokio::test]
    async fn error_response_has_json_body_and_content_type() {
        let r = error_response(StatusCode::NOT_FOUND, "no such report");
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.headers()[CONTENT_TYPE], JSON_UTF8);
        assert!(r.headers().get(RETRY_AFTER).is_none());
        assert!(r.headers().get(RATE_LIMIT_RETRY_AFTER).is_none());
        assert_eq!(
            body_json(r).await,
            json!({"error": {"code": "404", "message": "no such report"}})
        );
    }

    #[tokio::test]
    async fn throttled_carries_the_ms_retry_header() {
        let r = throttled(7);
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[&RATE_LIMIT_RETRY_AFTER], "7");
        assert!(r.headers().get(RETRY_AFTER).is_none());
        assert_eq!(body_json(r).await["error"]["code"], "429");
    }

    #[tokio::test]
    async fn unavailable_carries_retry_after() {
        let r = unavailable(3);
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[RETRY_AFTER], "3");
        assert!(r.headers().get(RATE_LIMIT_RETRY_AFTER).is_none());
        assert_eq!(body_json(r).await["error"]["code"], "503");
    }

    #[test]
    fn generic_429_and_503_get_default_retry_headers() {
        let r = error_response(StatusCode::TOO_MANY_REQUESTS, "slow down");
        assert_eq!(r.headers()[&RATE_LIMIT_RETRY_AFTER], "1");
        let r = error_response(StatusCode::SERVICE_UNAVAILABLE, "down");
        assert_eq!(r.headers()[RETRY_AFTER], "1");
    }
}
