//! Successful responses: the decoded body together with status and headers,
//! because callers need the `ETag` header for conditional re-downloads.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{DecodeError, Error};
use super::etag::ETag;

/// A successful response with its body decoded into `T`.
#[derive(Debug)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    /// Assembles a response; used by the runtime and by tests of callers.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status (200 for every documented success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `ETag` to send back later for a conditional request, if any.
    pub fn etag(&self) -> Option<ETag> {
        ETag::from_headers(&self.headers)
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// Drops status and headers, keeping the body.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Splits into status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }

    /// Transforms the body while keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }
}

/// Outcome of a request sent with `If-None-Match`.
#[derive(Debug)]
pub enum Conditional<T> {
    /// The data changed (or the tag did not match): here is the new data.
    Modified(Response<T>),
    /// 304: the data behind the tag is unchanged.
    NotModified(NotModified),
}

impl<T> Conditional<T> {
    /// Whether the server answered 304.
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Conditional::NotModified(_))
    }

    /// The new data, or `None` when unchanged.
    pub fn modified(self) -> Option<Response<T>> {
        match self {
            Conditional::Modified(r) => Some(r),
            Conditional::NotModified(_) => None,
        }
    }
}

/// A 304 answer: nothing to download, but headers may carry a fresh tag.
#[derive(Clone, Debug)]
pub struct NotModified {
    /// Always 304.
    pub status: StatusCode,
    /// The 304 response headers.
    pub headers: HeaderMap,
    /// The tag repeated by the server, if it sent one.
    pub etag: Option<ETag>,
}

/// A response body delivered chunk by chunk, so large CSV downloads never
/// have to fit in memory.
pub struct ByteStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
}

impl ByteStream {
    /// Wraps any `Send` stream of chunks.
    pub fn new(stream: impl Stream<Item = Result<Bytes, Error>> + Send + 'static) -> Self {
        ByteStream {
            inner: Box::pin(stream),
        }
    }

    /// A stream yielding `bytes` as a single chunk (handy in tests).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        ByteStream::new(futures_util::stream::once(std::future::ready(Ok(
            bytes.into()
        ))))
    }

    /// Reads the rest of the body into memory.
    pub async fn collect_bytes(mut self) -> Result<Bytes, Error> {
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.next().await {
            buf.extend_from_slice(&chunk?);
        }
        Ok(buf.freeze())
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream").finish_non_exhaustive()
    }
}

/// Decodes a JSON body the way every operation does: fully buffered, with
/// the failing field path and a body excerpt reported on error.
pub fn decode_json<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    // Tracking the path of every value costs about a third of the decoding time, and
    // only a failure needs it: decode plainly, and decode a failed body once more with
    // the path tracked (same parser, same input, so it fails at the same place).
    //
    // The body is checked to be UTF-8 once, then parsed as text: parsing bytes checks every
    // string on its own, which for a page of short strings costs a quarter of the decoding
    // (docs/benchmarks.md). A body that is not UTF-8 is parsed as bytes, for serde_json's
    // own error and its position.
    let plain = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    match plain {
        Ok(value) => Ok(value),
        Err(plain) => match decode_json_tracked::<T>(status, body) {
            Err(tracked) => Err(tracked),
            Ok(_) => Err(DecodeError::new(status, ".".to_owned(), &plain, body).into()),
        },
    }
}

/// [`decode_json`] with the path of the failing value tracked.
fn decode_json_tracked<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| DecodeError::new(status, e.path().to_string(), e.inner(), body))?;
    // Reject trailing garbage, as serde_json::from_slice does.
    de.end()
        .map_err(|e| DecodeError::new(status, ".".to_owned(), &e, body))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn response_accessors() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::ETAG, HeaderValue::from_static("\"t1\""));
        let r = Response::new(StatusCode::OK, headers, 21);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.etag(), Some(ETag::new_strong("t1")));
        assert_eq!(*r.body(), 21);
        let r = r.map(|n| n * 2);
        assert_eq!(r.headers().len(), 1);
        let (status, headers, body) = r.into_parts();
        assert_eq!((status, headers.len(), body), (StatusCode::OK, 1, 42));
        assert_eq!(
            Response::new(StatusCode::OK, HeaderMap::new(), "x").into_body(),
            "x"
        );
    }

    #[test]
    fn conditional_helpers() {
        let modified = Conditional::Modified(Response::new(StatusCode::OK, HeaderMap::new(), 1));
        assert!(!modified.is_not_modified());
        assert_eq!(modified.modified().map(Response::into_body), Some(1));
        let not: Conditional<i32> = Conditional::NotModified(NotModified {
            status: StatusCode::NOT_MODIFIED,
            headers: HeaderMap::new(),
            etag: None,
        });
        assert!(not.is_not_modified());
        assert!(not.modified().is_none());
    }

    #[tokio::test]
    async fn byte_stream_collects_chunks_and_stops_at_error() {
        let chunks = vec![
            Ok(Bytes::from_static(b"a,b\n")),
            Ok(Bytes::from_static(b"1,2\n")),
        ];
        let s = ByteStream::new(futures_util::stream::iter(chunks));
        assert_eq!(
            s.collect_bytes().await.unwrap(),
            Bytes::from_static(b"a,b\n1,2\n")
        );

        let chunks = vec![
            Ok(Bytes::from_static(b"a")),
            Err(Error::InvalidArgument {
                name: "n".into(),
                reason: "r".into(),
            }),
        ];
        let s = ByteStream::new(futures_util::stream::iter(chunks));
        assert!(matches!(
            s.collect_bytes().await,
            Err(Error::InvalidArgument { .. })
        ));

        let s = ByteStream::from_bytes("xyz");
        assert_eq!(format!("{s:?}"), "ByteStream { .. }");
        assert_eq!(s.collect_bytes().await.unwrap(), "xyz");
    }

    #[test]
    fn decode_json_reports_trailing_garbage_and_type_errors() {
        let v: Vec<u32> = decode_json(StatusCode::OK, b"[1,2]").unwrap();
        assert_eq!(v, [1, 2]);
        let err = decode_json::<Vec<u32>>(StatusCode::OK, b"[1,2] x").unwrap_err();
        assert!(
            matches!(err, Error::Decode(ref d) if d.message.contains("trailing")),
            "{err}"
        );
        let err = decode_json::<Vec<u32>>(StatusCode::CREATED, b"[1,\"two\"]").unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert_eq!(d.status, StatusCode::CREATED);
        assert_eq!(d.path, "[1]");
        assert_eq!(d.snippet, "[1,\"two\"]");
    }

    #[test]
    fn text_and_bytes_decode_alike_and_bad_utf8_is_a_decode_error() {
        let body = "{\"a\": \"caf\u{e9} \\u00e9 \\\" \\n\", \"b\": [\"\u{1f600}\", \"\"]}";
        let text: serde_json::Value = decode_json(StatusCode::OK, body.as_bytes()).unwrap();
        let bytes: serde_json::Value = serde_json::from_slice(body.as_bytes()).unwrap();
        assert_eq!(text, bytes);
        assert_eq!(text["a"], "caf\u{e9} \u{e9} \" \n");
        // Not UTF-8 inside a string: serde_json's own error, at its place.
        let err =
            decode_json::<serde_json::Value>(StatusCode::OK, b"{\"a\": \"\xff\"}").unwrap_err();
        let Error::Decode(d) = err else {
            panic!("{err:?}")
        };
        assert!(d.message.contains("invalid unicode"), "{}", d.message);
    }
}
