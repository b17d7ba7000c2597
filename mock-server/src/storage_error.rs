//! Error answers of the blob listener, in Azure Storage's form rather than the API's JSON: a
//! client downloading `blobPath` talks to storage, and code that reads `<Code>` out of the XML
//! (or the `x-ms-error-code` header) to tell an expired link from a missing blob should meet
//! what it meets in production.
//!
//! ```text
//! <?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server
//! failed to authenticate the request. …
//! RequestId:…
//! Time:…</Message><AuthenticationErrorDetail>Signature did not match. …</AuthenticationErrorDetail></Error>
//! ```

use axum::body::Body;
use axum::response::Response;
use chrono::{DateTime, Timelike, Utc};
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::sas::SERVICE_VERSION;

/// Content type of storage's error bodies.
pub const XML: &str = "application/xml";
/// Header naming the error code, as storage sends it (also on `HEAD`, which has no body).
pub const ERROR_CODE: HeaderName = HeaderName::from_static("x-ms-error-code");
/// Header with the request's id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
/// Header with the service version.
pub const VERSION: HeaderName = HeaderName::from_static("x-ms-version");

/// Why the blob listener refuses a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// 403: the signature is missing, wrong, or outside its time window; the detail says which.
    AuthenticationFailed(String),
    /// 404: no such blob (also a report that is not finished, or that ended without a file).
    BlobNotFound,
    /// 405: a method other than GET or HEAD.
    UnsupportedHttpVerb,
}

impl StorageError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            StorageError::AuthenticationFailed(_) => StatusCode::FORBIDDEN,
            StorageError::BlobNotFound => StatusCode::NOT_FOUND,
            StorageError::UnsupportedHttpVerb => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// The `<Code>`.
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::AuthenticationFailed(_) => "AuthenticationFailed",
            StorageError::BlobNotFound => "BlobNotFound",
            StorageError::UnsupportedHttpVerb => "UnsupportedHttpVerb",
        }
    }

    fn message(&self) -> &'static str {
        match self {
            StorageError::AuthenticationFailed(_) => {
                "Server failed to authenticate the request. Make sure the value of Authorization \
                 header is formed correctly including the signature."
            }
            StorageError::BlobNotFound => "The specified blob does not exist.",
            StorageError::UnsupportedHttpVerb => {
                "The resource doesn't support specified Http Verb."
            }
        }
    }

    /// The XML body, for the request `request_id` at `now`.
    pub fn body(&self, request_id: &str, now: DateTime<Utc>) -> String {
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{}</Code><Message>{}\nRequestId:{}\nTime:{}</Message>",
            self.code(),
            self.message(),
            escape(request_id),
            storage_time(now)
        );
        if let StorageError::AuthenticationFailed(detail) = self {
            xml.push_str("<AuthenticationErrorDetail>");
            xml.push_str(&escape(detail));
            xml.push_str("</AuthenticationErrorDetail>");
        }
        xml.push_str("</Error>");
        xml
    }

    /// The whole answer.
    pub fn response(&self, request_id: &str, now: DateTime<Utc>) -> Response {
        let mut response = Response::new(Body::from(self.body(request_id, now)));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(XML));
        headers.insert(ERROR_CODE, HeaderValue::from_static(self.code()));
        headers.insert(VERSION, HeaderValue::from_static(SERVICE_VERSION));
        if let Ok(id) = HeaderValue::from_str(request_id) {
            headers.insert(REQUEST_ID, id);
        }
        if *self == StorageError::UnsupportedHttpVerb {
            headers.insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        }
        response
    }
}

/// Storage's time in messages: seven decimals and `Z` (`2018-06-15T10:00:00.0000000Z`).
fn storage_time(t: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.nanosecond() % 1_000_000_000 / 100
    )
}

/// Text as XML character data: the detail echoes the request's `st` and `se`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 6, 15, 10, 0, 0).unwrap() + chrono::Duration::nanoseconds(1234)
    }

    #[test]
    fn bodies_have_storages_shape() {
        let body = StorageError::AuthenticationFailed("Signature did not match. <x & y>".into())
            .body("rid", now());
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code>\
             <Message>Server failed to authenticate the request. Make sure the value of \
             Authorization header is formed correctly including the signature.\nRequestId:rid\n\
             Time:2018-06-15T10:00:00.0000012Z</Message><AuthenticationErrorDetail>Signature did \
             not match. &lt;x &amp; y&gt;</AuthenticationErrorDetail></Error>"
        );
        let body = StorageError::BlobNotFound.body("rid", now());
        assert!(
            body.contains("<Code>BlobNotFound</Code><Message>The specified blob does not exist.")
        );
        assert!(!body.contains("AuthenticationErrorDetail"));
    }

    #[test]
    fn responses_carry_status_and_headers() {
        let r = StorageError::UnsupportedHttpVerb.response("rid", now());
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[ALLOW], "GET, HEAD");
        assert_eq!(r.headers()[&ERROR_CODE], "UnsupportedHttpVerb");
        assert_eq!(r.headers()[CONTENT_TYPE], XML);
        let r = StorageError::AuthenticationFailed(String::new()).response("rid", now());
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.headers()[&REQUEST_ID], "rid");
        assert_eq!(StorageError::BlobNotFound.status(), StatusCode::NOT_FOUND);
    }
}
