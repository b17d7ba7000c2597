//! `nextLink` paging (usage details): pages are followed on demand, and only
//! within the configured origin so the API key never travels to a host named
//! by a response.
//!
//! Read-ahead: once the consumer has asked for a second page (so it is paging
//! through, not looking at the first page only), the next page is requested as
//! soon as its link is known, on a task of its own, while the current page is
//! decoded and used: the server's time and the network overlap the client's.
//! At most one page is ahead (so at most two raw pages and one decoded page are
//! in memory); dropping the stream cancels it. After an error in a page (a
//! decode error) the page read ahead is cancelled and never handed out, though
//! its request may already have been sent.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::Method;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use url::Url;

use super::client::{ApiRequest, Client};
use super::error::Error;
use super::etag::ETag;
use super::response::{Conditional, Response, decode_json};

/// A page envelope such as `{"id", "data": [...], "nextLink"}`; generated
/// code implements it for every paged response type.
pub trait Page: DeserializeOwned + Send + 'static {
    /// One row of the page.
    type Item: Send + 'static;

    /// JSON field holding the next-page link (`nextLink`, `@odata.nextLink`: the spec says,
    /// through `x-ms-pageable.nextLinkName` or the envelope's field). [`Client::paginate_pages`]
    /// reads it from the raw body because it hands out pages whole.
    const NEXT_LINK_FIELD: &'static str;

    /// Splits the page into its rows and the link to the next page.
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

/// Resolves a `nextLink` against the URL of the page that contained it.
///
/// Absent, empty or blank links end paging (`Ok(None)`). Relative links are
/// joined on `base`. An absolute link must have the same origin as `base`
/// (scheme, host and port) and no credentials; anything else is
/// [`Error::ForeignNextLink`], because following it would send the key there.
pub fn resolve_next_link(base: &Url, next_link: Option<&str>) -> Result<Option<Url>, Error> {
    let Some(link) = next_link.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let expected = base.origin();
    let foreign = || Error::ForeignNextLink {
        next_link: link.to_owned(),
        expected_origin: expected.ascii_serialization(),
    };
    let url = base.join(link).map_err(|_| foreign())?;
    if url.origin() != expected || !url.username().is_empty() || url.password().is_some() {
        return Err(foreign());
    }
    Ok(Some(url))
}

/// Pages of a paged operation, each with its status and headers.
/// `Send + Unpin + 'static`, so it can be moved into a spawned task.
pub struct PageStream<P> {
    inner: Pin<Box<dyn Stream<Item = Result<Response<P>, Error>> + Send>>,
}

/// Rows of a paged operation across all pages, fetched page by page.
/// `Send + Unpin + 'static`, so it can be moved into a spawned task.
///
/// The rows of the current page are handed out straight from its vector; only
/// a new page goes through the paging future (a row moved through a future's
/// state on every poll cost about a tenth of the row rate).
pub struct ItemStream<P: Page> {
    rows: std::vec::IntoIter<P::Item>,
    /// The rows of each page; `None` once it has ended or failed.
    pages: Option<RowPages<P::Item>>,
}

/// The rows of each page, in order.
type RowPages<T> = Pin<Box<dyn Stream<Item = Result<Vec<T>, Error>> + Send>>;

impl<P: Page> Unpin for ItemStream<P> {}

impl<P> Stream for PageStream<P> {
    type Item = Result<Response<P>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<P: Page> Stream for ItemStream<P> {
    type Item = Result<P::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(row) = this.rows.next() {
                return Poll::Ready(Some(Ok(row)));
            }
            let Some(pages) = this.pages.as_mut() else {
                return Poll::Ready(None);
            };
            match pages.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(rows))) => this.rows = rows.into_iter(),
                // The stream ends after the first error.
                Poll::Ready(Some(Err(e))) => {
                    this.pages = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => this.pages = None,
            }
        }
    }
}

impl<P> fmt::Debug for PageStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream").finish_non_exhaustive()
    }
}

impl<P: Page> fmt::Debug for ItemStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream").finish_non_exhaustive()
    }
}

impl Client {
    /// Plumbing for generated paged methods: every page of `req`, following
    /// `nextLink` (GET, same headers) until it is absent. The stream ends
    /// after the first error.
    pub fn paginate_pages<P: Page>(&self, req: ApiRequest) -> PageStream<P> {
        PageStream {
            inner: Box::pin(pages_from::<P>(Cursor::start(self, &req)).fuse()),
        }
    }

    /// Plumbing for generated paged methods: the first page with
    /// `If-None-Match`, so one request tells "unchanged" (304) from the data,
    /// and then, when it changed, every page from that first one on (it is
    /// not fetched again). The response around the stream carries the
    /// first page's status and headers, and so its ETag.
    pub async fn paginate_pages_if_none_match<P: Page>(
        &self,
        req: ApiRequest,
        etag: &ETag,
    ) -> Result<Conditional<PageStream<P>>, Error> {
        let url = self.url_for(&req)?;
        let page = match self.fetch_bytes_if_none_match(&req, &url, etag).await? {
            Ok(page) => page,
            Err(not_modified) => return Ok(Conditional::NotModified(not_modified)),
        };
        let body = decode_json::<P>(page.status(), page.body())?;
        let mut cursor = Cursor::start(self, &req);
        // The first page counts: read-ahead starts once the consumer asks for
        // the second.
        cursor.fetched = 1;
        cursor.advance(
            &url,
            next_link_of(page.body(), P::NEXT_LINK_FIELD).as_deref(),
        );
        let (status, headers, _) = page.into_parts();
        let first = Response::new(status, headers.clone(), body);
        let stream =
            futures_util::stream::once(async move { Ok(first) }).chain(pages_from::<P>(cursor));
        let pages = PageStream {
            inner: Box::pin(stream.fuse()),
        };
        Ok(Conditional::Modified(Response::new(status, headers, pages)))
    }

    /// Plumbing for generated paged methods: the rows of every page of
    /// `req`, in order, holding one decoded page in memory at a time (and
    /// the raw next page, see the module's read-ahead). The stream ends
    /// after the first error.
    pub fn paginate<P: Page>(&self, req: ApiRequest) -> ItemStream<P> {
        let pages = pages_from::<P>(Cursor::start(self, &req))
            .map(|page| page.map(|page| page.into_body().into_parts().0));
        ItemStream {
            rows: Vec::new().into_iter(),
            pages: Some(Box::pin(pages)),
        }
    }
}

/// Every page the cursor leads to, decoded, with its status and headers.
fn pages_from<P: Page>(cursor: Cursor) -> impl Stream<Item = Result<Response<P>, Error>> + Send {
    futures_util::stream::unfold(cursor, |mut cursor| async move {
        let (url, page) = match cursor.fetch().await? {
            Ok(fetched) => fetched,
            Err(e) => return Some((Err(e), cursor)),
        };
        // The link first, so the next page is on its way while this one is decoded.
        cursor.advance(
            &url,
            next_link_of(page.body(), P::NEXT_LINK_FIELD).as_deref(),
        );
        cursor.let_read_ahead_start().await;
        match decode_json::<P>(page.status(), page.body()) {
            Ok(body) => {
                let (status, headers, _) = page.into_parts();
                Some((Ok(Response::new(status, headers, body)), cursor))
            }
            Err(e) => {
                cursor.stop();
                Some((Err(e), cursor))
            }
        }
    })
}

/// Where paging stands; shared by both stream kinds.
struct Cursor {
    client: Client,
    /// The operation's request: method, `Accept` and header parameters
    /// (its path and query are superseded by the URL in the state).
    request: ApiRequest,
    state: CursorState,
    /// Pages fetched so far; read-ahead starts from the second.
    fetched: usize,
}

enum CursorState {
    Next(Url),
    /// The page at the URL is being fetched by a task of its own.
    Ahead(Url, ReadAhead),
    Failed(Error),
    Done,
}

/// A page fetched on a task of its own; cancelled when dropped (the stream gone, or the page
/// before it failing).
pub(crate) struct ReadAhead(tokio::task::JoinHandle<Result<Response<Bytes>, Error>>);

impl ReadAhead {
    /// Runs `fetch` on a task of `runtime`.
    pub(crate) fn spawn<F>(runtime: &tokio::runtime::Handle, fetch: F) -> ReadAhead
    where
        F: std::future::Future<Output = Result<Response<Bytes>, Error>> + Send + 'static,
    {
        ReadAhead(runtime.spawn(fetch))
    }

    /// The page; `None` when the task was cancelled by its runtime shutting down (fetch it in
    /// place then). A panic in the task is passed on.
    pub(crate) async fn join(&mut self) -> Option<Result<Response<Bytes>, Error>> {
        match (&mut self.0).await {
            Ok(page) => Some(page),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => None,
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The page after the one at `current`, from its `link`: `None` at the end; an error for a link
/// to another origin or back to `current` itself (which would never end).
pub(crate) fn next_page(current: &Url, link: Option<&str>) -> Result<Option<Url>, Error> {
    match resolve_next_link(current, link)? {
        Some(next) if next == *current => Err(Error::InvalidArgument {
            name: "nextLink".to_owned(),
            reason: format!(
                "{next} points back to the page just read; stopping to avoid an endless loop"
            ),
        }),
        next => Ok(next),
    }
}

impl Cursor {
    fn start(client: &Client, req: &ApiRequest) -> Cursor {
        let state = match client.url_for(req) {
            Ok(url) => CursorState::Next(url),
            Err(e) => CursorState::Failed(e),
        };
        Cursor {
            client: client.clone(),
            request: req.clone(),
            state,
            fetched: 0,
        }
    }

    /// The next raw page and its URL; `None` once finished. Leaves the
    /// cursor `Done` until [`Cursor::advance`] is called, so any error ends
    /// the stream.
    async fn fetch(&mut self) -> Option<Result<(Url, Response<Bytes>), Error>> {
        let (url, page) = match std::mem::replace(&mut self.state, CursorState::Done) {
            CursorState::Done => return None,
            CursorState::Failed(e) => return Some(Err(e)),
            CursorState::Next(url) => {
                let page = self.client.fetch_bytes(&self.request, &url).await;
                (url, page)
            }
            CursorState::Ahead(url, mut ahead) => {
                let page = match ahead.join().await {
                    Some(page) => page,
                    None => self.client.fetch_bytes(&self.request, &url).await,
                };
                (url, page)
            }
        };
        self.fetched += 1;
        Some(page.map(|page| (url, page)))
    }

    /// Schedules the page named by `link` (found on the page at `current`),
    /// and from the second page on starts fetching it.
    fn advance(&mut self, current: &Url, link: Option<&str>) {
        self.state = match next_page(current, link) {
            Ok(Some(next)) => {
                // Next pages are plain GETs of the link, whatever the first was.
                self.request.method = Method::GET;
                match self.read_ahead(&next) {
                    Some(ahead) => CursorState::Ahead(next, ahead),
                    None => CursorState::Next(next),
                }
            }
            Ok(None) => CursorState::Done,
            Err(e) => CursorState::Failed(e),
        };
    }

    /// Starts fetching `url` on a task, once the consumer has asked for a
    /// second page, and where there is a Tokio runtime (always with reqwest).
    fn read_ahead(&self, url: &Url) -> Option<ReadAhead> {
        if self.fetched < 2 {
            return None;
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (client, request, url) = (self.client.clone(), self.request.clone(), url.clone());
        Some(ReadAhead::spawn(&runtime, async move {
            client.fetch_bytes(&request, &url).await
        }))
    }

    /// Yields once after a read-ahead task was spawned. Tokio puts a task
    /// spawned from a worker into that worker's next-task slot, which the
    /// other workers do not steal from, so without this the request would
    /// wait until the current page is decoded, and nothing would overlap.
    async fn let_read_ahead_start(&self) {
        if matches!(self.state, CursorState::Ahead(..)) {
            tokio::task::yield_now().await;
        }
    }

    /// Ends paging (after an error in the current page); cancels a page read
    /// ahead.
    fn stop(&mut self) {
        self.state = CursorState::Done;
    }
}

/// The top-level string field `field` of a JSON object, read from the raw
/// body without building the document. When `field` is the object's last
/// member (as on every page of this API that has a next page) it is read
/// backwards from the end of the body, without looking at the rest; otherwise
/// the whole body is scanned.
pub(crate) fn next_link_of(body: &[u8], field: &str) -> Option<String> {
    match last_member(body, field) {
        Some(link) => link,
        None => scan_next_link(body, field),
    }
}

/// `Some(value)` when the last member of the top-level object is `field`
/// with a string or `null` value; `None` when it is anything else (then only
/// a full scan can tell). Reading backwards is exact for valid JSON: the final
/// `}` closes the top-level object, so the value and key right before it are
/// its last member, and a `"` inside a string is always preceded by an odd
/// number of backslashes. A body that is not valid JSON may be misread, but
/// it fails to decode, which ends paging (and cancels a page read ahead).
fn last_member(body: &[u8], field: &str) -> Option<Option<String>> {
    let rest = trim_end(body).strip_suffix(b"}")?;
    let rest = trim_end(rest);
    let (value, rest) = match rest.strip_suffix(b"null") {
        Some(rest) => (None, rest),
        None => {
            let (token, rest) = split_last_string(rest)?;
            (Some(serde_json::from_slice::<String>(token).ok()?), rest)
        }
    };
    let rest = trim_end(trim_end(rest).strip_suffix(b":")?);
    let (token, rest) = split_last_string(rest)?;
    if serde_json::from_slice::<String>(token).ok()? != field {
        return None;
    }
    matches!(trim_end(rest).last(), Some(b',' | b'{')).then_some(value)
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let kept = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .map_or(0, |i| i + 1);
    &bytes[..kept]
}

/// Splits `bytes`, which ends with a JSON string, into that string (quotes
/// included) and what comes before it.
fn split_last_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut end = bytes.len().checked_sub(1)?;
    if bytes[end] != b'"' {
        return None;
    }
    loop {
        let open = bytes[..end].iter().rposition(|&b| b == b'"')?;
        let escapes = bytes[..open]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if escapes % 2 == 0 {
            return Some((&bytes[open..], &bytes[..open]));
        }
        end = open;
    }
}

/// Reads the top-level string field `field` of a JSON object without
/// building the rest of the document (other values are skipped).
fn scan_next_link(body: &[u8], field: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    LinkScan(field).deserialize(&mut de).ok().flatten()
}

struct LinkScan<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for LinkScan<'_> {
    type Value = Option<String>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LinkScan<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(is_link) = map.next_key_seed(KeyIs(self.0))? {
            if is_link && found.is_none() {
                found = map.next_value::<Option<String>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Deserializes a map key into "is it this name?" without allocating.
struct KeyIs<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::retry::RetryPolicy;
    use super::*;
    use crate::test_server::SERVICE;
    use crate::test_server::{Reply, serve};
    use futures_util::{FutureExt, TryStreamExt};

    #[derive(Debug, serde::Deserialize)]
    struct TestPage {
        data: Vec<u32>,
        #[serde(rename = "nextLink")]
        next_link: Option<String>,
    }

    impl Page for TestPage {
        type Item = u32;
        const NEXT_LINK_FIELD: &'static str = "nextLink";

        fn into_parts(self) -> (Vec<u32>, Option<String>) {
            (self.data, self.next_link)
        }
    }

    fn page(rows: &[u32], next: Option<&str>) -> Reply {
        let body = serde_json::json!({ "id": "x", "data": rows, "nextLink": next });
        Reply::json(200, &body.to_string())
    }

    fn client(base: &str) -> Client {
        Client::builder(&SERVICE)
            .base_url(base)
            .api_key("secret")
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    }

    fn first_request() -> ApiRequest {
        ApiRequest::get("listUsage", "/v3/enrollments/100/usagedetails".into())
    }

    #[test]
    fn resolve_next_link_table() {
        let base =
            Url::parse("https://api.example.test/v3/enrollments/100/usagedetails?x=1").unwrap();
        let ok: &[(Option<&str>, Option<&str>)] = &[
            (None, None),
            (Some(""), None),
            (Some("  \t"), None),
            (
                Some("/v3/enrollments/100/usagedetails/nextpage?skiptoken=abc"),
                Some(
                    "https://api.example.test/v3/enrollments/100/usagedetails/nextpage?skiptoken=abc",
                ),
            ),
            (
                Some("nextpage?s=2"),
                Some("https://api.example.test/v3/enrollments/100/nextpage?s=2"),
            ),
            (
                Some("https://api.example.test/v3/x?s=2"),
                Some("https://api.example.test/v3/x?s=2"),
            ),
            (
                Some("https://API.example.TEST:443/v3/x"),
                Some("https://api.example.test/v3/x"),
            ),
        ];
        for (link, expected) in ok {
            let got = resolve_next_link(&base, *link).unwrap();
            assert_eq!(got.as_ref().map(Url::as_str), *expected, "{link:?}");
        }
        let foreign = [
            "https://evil.example/v3/x",
            "https://api.example.test:8443/v3/x",
            "http://api.example.test/v3/x",
            "https://api.example.test@evil.example/",
            "https://user:pw@api.example.test/v3/x",
            "//evil.example/v3/x",
            "https://api.example.test.evil.example/",
            "file:///etc/passwd",
            "https://[::1",
        ];
        for link in foreign {
            match resolve_next_link(&base, Some(link)) {
                Err(Error::ForeignNextLink {
                    next_link,
                    expected_origin,
                }) => {
                    assert_eq!(next_link, link);
                    assert_eq!(expected_origin, "https://api.example.test");
                }
                other => panic!("{link}: {other:?}"),
            }
        }
    }

    #[test]
    fn scans_next_link_without_the_model() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                r#"{"id":"a","data":[{"nextLink":"inner"}],"nextLink":"/p2"}"#,
                Some("/p2"),
            ),
            (r#"{"nextLink":null,"data":[]}"#, None),
            (r#"{"data":[]}"#, None),
            (r#"{"next\u004cink":"/escaped"}"#, Some("/escaped")),
            (r#"[1,2]"#, None),
            (r#"{"nextLink":5}"#, None),
        ];
        for (body, expected) in cases {
            assert_eq!(
                scan_next_link(body.as_bytes(), "nextLink").as_deref(),
                *expected,
                "{body}"
            );
            assert_eq!(
                next_link_of(body.as_bytes(), "nextLink").as_deref(),
                *expected,
                "{body}"
            );
        }
    }

    #[test]
    fn reads_a_last_next_link_backwards_and_agrees_with_the_scan() {
        // (body, what reading backwards gives: Some(link) or None = "scan it").
        let cases: &[(&str, Option<Option<&str>>)] = &[
            (
                r#"{"id":"a","data":[1],"nextLink":"/p2"}"#,
                Some(Some("/p2")),
            ),
            (r#"{"nextLink":"/p2"}"#, Some(Some("/p2"))),
            ("{ \"nextLink\" :\t\"/p2\" }\r\n ", Some(Some("/p2"))),
            (r#"{"a":1,"nextLink":null}"#, Some(None)),
            (r#"{"next\u004cink":"/escaped"}"#, Some(Some("/escaped"))),
            (
                r#"{"nextLink":"/q?a=\"x\"&b=\\"}"#,
                Some(Some("/q?a=\"x\"&b=\\")),
            ),
            (r#"{"nextLink":"\u002fp2"}"#, Some(Some("/p2"))),
            (r#"{"id":"a","data":[1]}"#, None),
            (r#"{"data":[{"nextLink":"inner"}]}"#, None),
            (r#"{"x":{"nextLink":"inner"}}"#, None),
            (r#"{"a":"b\",\"nextLink\":\"fake"}"#, None),
            (r#"{"a":"\\","nextLink":"/p2"}"#, Some(Some("/p2"))),
            (r#"{"nextLink":5}"#, None),
            (r#"{"xnextLink":"/p2"}"#, None),
            (r#"["nextLink","/p2"]"#, None),
            ("", None),
            ("}", None),
            ("\"}", None),
        ];
        for (body, backwards) in cases {
            let got = last_member(body.as_bytes(), "nextLink");
            assert_eq!(got.as_ref().map(|l| l.as_deref()), *backwards, "{body}");
            assert_eq!(
                next_link_of(body.as_bytes(), "nextLink"),
                scan_next_link(body.as_bytes(), "nextLink"),
                "{body}"
            );
        }
    }

    #[test]
    fn streams_are_send_unpin_static() {
        fn check<T: Send + Unpin + 'static>(_: &T) {}
        let c = Client::new(&SERVICE, "k");
        check(&c.paginate::<TestPage>(first_request()));
        check(&c.paginate_pages::<TestPage>(first_request()));
    }

    #[tokio::test]
    async fn conditional_pages_ask_once_and_never_refetch_the_first_page() {
        let server = serve(|r| {
            if r.header("if-none-match") == Some("\"v1\"") {
                return Reply::new(304).header("ETag", "\"v1\"");
            }
            match r.index {
                1 => page(
                    &[1, 2],
                    Some("/v3/enrollments/100/usagedetails?skiptoken=p2"),
                )
                .header("ETag", "\"v2\""),
                _ => page(&[3], None),
            }
        })
        .await;
        let c = client(&server.base);
        let unchanged = c
            .paginate_pages_if_none_match::<TestPage>(first_request(), &ETag::new_strong("v1"))
            .await
            .unwrap();
        assert!(unchanged.is_not_modified());
        assert_eq!(server.requests().len(), 1);

        let changed = c
            .paginate_pages_if_none_match::<TestPage>(first_request(), &ETag::new_strong("v0"))
            .await
            .unwrap();
        let pages = changed.modified().expect("the data changed");
        assert_eq!(
            pages.etag(),
            Some(ETag::new_strong("v2")),
            "the first page's ETag"
        );
        let rows: Vec<u32> = pages
            .into_body()
            .map_ok(|p| p.into_body().data)
            .try_concat()
            .await
            .unwrap();
        assert_eq!(rows, [1, 2, 3]);
        let requests = server.requests();
        assert_eq!(requests.len(), 3, "304 probe, first page once, second page");
        assert_eq!(
            requests[2].header("if-none-match"),
            None,
            "later pages are plain GETs"
        );
    }

    #[tokio::test]
    async fn follows_links_across_three_pages() {
        // Served twice (items, then pages), hence the modulo.
        let server = serve(|r| match r.index % 3 {
            0 => page(
                &[1, 2],
                Some("/v3/enrollments/100/usagedetails/nextpage?skiptoken=p2"),
            ),
            1 => page(
                &[],
                Some(&format!(
                    "{}/v3/enrollments/100/usagedetails/nextpage?skiptoken=p3",
                    r.base
                )),
            ),
            _ => page(&[3], Some("")),
        })
        .await;
        let items: Vec<u32> = client(&server.base)
            .paginate::<TestPage>(
                first_request()
                    .query("startTime", "2018-01-01")
                    .header("x-trace", "t1"),
            )
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, [1, 2, 3]);
        let requests = server.requests();
        let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(
            targets[..3],
            [
                "/v3/enrollments/100/usagedetails?startTime=2018-01-01",
                "/v3/enrollments/100/usagedetails/nextpage?skiptoken=p2",
                "/v3/enrollments/100/usagedetails/nextpage?skiptoken=p3",
            ]
        );
        assert!(
            requests
                .iter()
                .all(|r| r.header("authorization") == Some("bearer secret"))
        );
        assert!(
            requests
                .iter()
                .all(|r| r.header("accept") == Some("application/json"))
        );
        assert!(requests.iter().all(|r| r.header("x-trace") == Some("t1")));

        let pages: Vec<Response<TestPage>> = client(&server.base)
            .paginate_pages::<TestPage>(first_request())
            .try_collect()
            .await
            .unwrap();
        let rows: Vec<Vec<u32>> = pages.into_iter().map(|p| p.into_body().data).collect();
        assert_eq!(rows, [vec![1, 2], vec![], vec![3]]);
    }

    #[tokio::test]
    async fn foreign_next_link_is_not_followed() {
        let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let other_base = format!("http://{}", other.local_addr().unwrap());
        // Served twice (items, then pages), hence the modulo.
        let server = serve(move |r| match r.index % 2 {
            0 => page(&[1, 2], Some("/page2")),
            _ => page(&[3], Some(&format!("{other_base}/page3"))),
        })
        .await;

        for pages_mode in [false, true] {
            let results: Vec<Result<Vec<u32>, Error>> = if pages_mode {
                client(&server.base)
                    .paginate_pages::<TestPage>(first_request())
                    .map(|r| r.map(|p| p.into_body().data))
                    .collect()
                    .await
            } else {
                client(&server.base)
                    .paginate::<TestPage>(first_request())
                    .map(|r| r.map(|n| vec![n]))
                    .collect()
                    .await
            };
            let (last, rows) = results.split_last().unwrap();
            let rows: Vec<u32> = rows
                .iter()
                .flat_map(|r| r.as_ref().unwrap().clone())
                .collect();
            assert_eq!(rows, [1, 2, 3], "pages_mode={pages_mode}");
            match last {
                Err(Error::ForeignNextLink {
                    next_link,
                    expected_origin,
                }) => {
                    assert!(next_link.ends_with("/page3"));
                    assert_eq!(expected_origin, &server.base);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(server.requests().len(), 4);
        // Any connection attempt would already sit in the accept queue.
        assert!(
            other.accept().now_or_never().is_none(),
            "the foreign port was contacted"
        );
    }

    #[tokio::test]
    async fn errors_end_the_stream() {
        let server = serve(|r| match r.index {
            0 => page(&[1], Some("/p2")),
            1 => Reply::json(404, r#"{"error":{"code":"NotFound","message":"gone"}}"#),
            _ => page(&[9], None),
        })
        .await;
        let mut stream = client(&server.base).paginate::<TestPage>(first_request());
        assert_eq!(stream.next().await.unwrap().unwrap(), 1);
        assert!(matches!(stream.next().await, Some(Err(Error::NotFound(_)))));
        assert!(stream.next().await.is_none());
        assert!(stream.next().await.is_none());
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn decode_errors_end_the_stream() {
        let server = serve(|r| match r.index {
            0 => page(&[1], Some("/p2")),
            _ => Reply::json(200, r#"{"data":["x"],"nextLink":"/p3"}"#),
        })
        .await;
        let mut pages = client(&server.base).paginate_pages::<TestPage>(first_request());
        assert!(pages.next().await.unwrap().is_ok());
        match pages.next().await {
            Some(Err(Error::Decode(d))) => assert_eq!(d.path, "data[0]"),
            other => panic!("{other:?}"),
        }
        assert!(pages.next().await.is_none());
        assert_eq!(server.requests().len(), 2);
    }

    /// Waits (at most 5 s) until the server has seen `n` requests.
    async fn until_requests(server: &crate::test_server::TestServer, n: usize) {
        for _ in 0..500 {
            if server.requests().len() >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("{} requests, not {n}", server.requests().len());
    }

    fn four_pages(r: &crate::test_server::Recorded) -> Reply {
        match r.index {
            0 => page(&[1], Some("/p2")),
            1 => page(&[2], Some("/p3")),
            2 => page(&[3], Some("/p4")),
            _ => page(&[4], None),
        }
    }

    #[tokio::test]
    async fn reads_one_page_ahead_from_the_second_page_on() {
        let server = serve(four_pages).await;
        let mut pages = client(&server.base).paginate_pages::<TestPage>(first_request());
        let first = pages.next().await.unwrap().unwrap();
        assert_eq!(first.into_body().data, [1]);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(
            server.requests().len(),
            1,
            "no read-ahead after the first page"
        );
        let second = pages.next().await.unwrap().unwrap();
        assert_eq!(second.into_body().data, [2]);
        until_requests(&server, 3).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(server.requests().len(), 3, "one page ahead, not more");
        let rest: Vec<Vec<u32>> = pages
            .map_ok(|p| p.into_body().data)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rest, [vec![3], vec![4]]);
        let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            ["/v3/enrollments/100/usagedetails", "/p2", "/p3", "/p4"]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_arrive_in_order_with_read_ahead_on_a_multi_threaded_runtime() {
        let server = serve(four_pages).await;
        let rows: Vec<u32> = client(&server.base)
            .paginate::<TestPage>(first_request())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows, [1, 2, 3, 4]);
        assert_eq!(server.requests().len(), 4);
    }

    #[tokio::test]
    async fn an_error_of_a_page_read_ahead_comes_in_its_turn() {
        let server = serve(|r| match r.index {
            0 => page(&[1], Some("/p2")),
            1 => page(&[2], Some("/p3")),
            _ => Reply::json(404, r#"{"error":{"code":"NotFound","message":"gone"}}"#),
        })
        .await;
        let mut rows = client(&server.base).paginate::<TestPage>(first_request());
        assert_eq!(rows.next().await.unwrap().unwrap(), 1);
        assert_eq!(rows.next().await.unwrap().unwrap(), 2);
        assert!(matches!(rows.next().await, Some(Err(Error::NotFound(_)))));
        assert!(rows.next().await.is_none());
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn self_referencing_link_stops() {
        let server = serve(|_| page(&[1], Some("/v3/enrollments/100/usagedetails"))).await;
        let results: Vec<_> = client(&server.base)
            .paginate::<TestPage>(first_request())
            .collect()
            .await;
        assert_eq!(results.len(), 2);
        assert!(
            matches!(results[1], Err(Error::InvalidArgument { ref name, .. }) if name == "nextLink")
        );
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn invalid_first_request_is_reported_once() {
        let mut stream = Client::new(&SERVICE, "k")
            .paginate::<TestPage>(ApiRequest::get("op", "no-slash".into()));
        assert!(matches!(
            stream.next().await,
            Some(Err(Error::InvalidArgument { .. }))
        ));
        assert!(stream.next().await.is_none());
    }
}
