//! A range split into parts fetched side by side: for a paged operation whose spec declares its
//! range parameters splittable (`x-ea-splittable`), each part (a day) is its own short `nextLink`
//! chain, the chains run concurrently, and the rows come out in the order of the single request
//! over the whole range, each once.
//!
//! Memory is bounded by the concurrency, never by the range: at most `2 × concurrency` parts are
//! started ahead of the one being read (twice the request limit, so that a part waiting for the
//! reader does not leave a request slot idle), each holding at most one page in its hand-over slot
//! and one waiting to go in, while its next page is in flight. The number of requests in
//! flight follows additive increase, multiplicative decrease ([`Aimd`]): a 429 halves it, a page
//! that arrives raises it by one over a window; each 429 is retried as the client's policy says,
//! honouring the retry-after header. A part that still fails ends the stream with
//! [`Error::PartFailed`], naming the part.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use chrono::{DateTime, Duration as Span, NaiveTime, Utc};
use futures_util::Stream;
use tokio::sync::{Semaphore, mpsc};

use super::client::{ApiRequest, Client, ThrottleHook, decode_response};
use super::error::Error;
use super::paging::{Page, ReadAhead, next_link_of, next_page};
use super::response::Response;
use bytes::Bytes;
use url::Url;

/// The days of `[first, last]` (by their UTC date), each as `(start, end)` at midnight: the
/// parts of a range whose unit is a day. Empty when `last` is before `first`.
pub fn days(first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let (mut day, end) = (first.date_naive(), last.date_naive());
    let mut out = Vec::new();
    while day <= end {
        let at = day.and_time(NaiveTime::MIN).and_utc();
        out.push((at, at));
        day += Span::days(1);
    }
    out
}

/// Additive increase, multiplicative decrease of a concurrency limit between 1 and `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aimd {
    limit: usize,
    max: usize,
    /// Pages since the last change.
    successes: usize,
}

impl Aimd {
    /// Starts at `max` (at least 1).
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Aimd {
            limit: max,
            max,
            successes: 0,
        }
    }

    /// The limit now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// A 429: half as many, at least one.
    pub fn throttled(&mut self) {
        self.limit = (self.limit / 2).max(1);
        self.successes = 0;
    }

    /// A page arrived: one more once as many pages as the limit have (one more per window).
    pub fn succeeded(&mut self) {
        self.successes += 1;
        if self.successes >= self.limit {
            self.limit = (self.limit + 1).min(self.max);
            self.successes = 0;
        }
    }
}

/// The limiter the parts share: permits follow the [`Aimd`] limit.
struct Limiter {
    semaphore: Semaphore,
    state: Mutex<LimiterState>,
}

struct LimiterState {
    aimd: Aimd,
    /// Permits that exist (held or free); above the limit after a 429 until some are retired.
    permits: usize,
    /// Permits to retire as they come back.
    owed: usize,
}

impl Limiter {
    fn new(max: usize) -> Arc<Self> {
        let aimd = Aimd::new(max);
        let permits = aimd.limit();
        Arc::new(Limiter {
            semaphore: Semaphore::new(permits),
            state: Mutex::new(LimiterState {
                aimd,
                permits,
                owed: 0,
            }),
        })
    }

    fn throttled(&self) {
        let mut state = self.state.lock().expect("the limiter lock is not poisoned");
        state.aimd.throttled();
        let target = state.aimd.limit();
        let excess = (state.permits - state.owed).saturating_sub(target);
        state.owed += excess;
    }

    /// Gives back a permit after a request: retired when some are owed, and one more added when
    /// the limit grew.
    fn release(&self, succeeded: bool) {
        let mut state = self.state.lock().expect("the limiter lock is not poisoned");
        if succeeded {
            state.aimd.succeeded();
        }
        if state.owed > 0 {
            state.owed -= 1;
            state.permits -= 1;
            return;
        }
        self.semaphore.add_permits(1);
        if state.aimd.limit() > state.permits {
            state.permits += 1;
            self.semaphore.add_permits(1);
        }
    }

    fn limit(&self) -> usize {
        self.state
            .lock()
            .expect("the limiter lock is not poisoned")
            .aimd
            .limit()
    }
}

/// One part of the range: a label for errors (the day), and its first request.
#[derive(Debug, Clone)]
pub struct Part {
    /// What errors call it (`2018-05-03`).
    pub label: String,
    /// The request of its first page.
    pub request: ApiRequest,
}

/// Where a running part's pages arrive (one at a time), with its label.
type Running<T> = (String, mpsc::Receiver<Result<Vec<T>, Error>>);

/// The rows of every part, in part order; `Send + Unpin + 'static`.
pub struct SplitStream<P: Page> {
    client: Client,
    limiter: Arc<Limiter>,
    pending: VecDeque<Part>,
    running: VecDeque<Running<P::Item>>,
    ahead: usize,
    rows: std::vec::IntoIter<P::Item>,
    done: bool,
}

impl<P: Page> fmt::Debug for SplitStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplitStream")
            .field("pending", &self.pending.len())
            .field("running", &self.running.len())
            .field("limit", &self.limiter.limit())
            .finish_non_exhaustive()
    }
}

impl<P> SplitStream<P>
where
    P: Page + serde::de::DeserializeOwned + Send + 'static,
    P::Item: Send + 'static,
{
    /// Fetches `parts` with at most `concurrency` requests in flight (at least 1).
    pub fn new(client: Client, parts: Vec<Part>, concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        SplitStream {
            client,
            limiter: Limiter::new(concurrency),
            pending: parts.into(),
            running: VecDeque::new(),
            ahead: 2 * concurrency,
            rows: Vec::new().into_iter(),
            done: false,
        }
    }

    /// The concurrency limit now (it falls on 429s and grows back).
    pub fn concurrency(&self) -> usize {
        self.limiter.limit()
    }

    /// Starts parts until `ahead` are running (needs a Tokio runtime).
    fn start_parts(&mut self) {
        while self.running.len() < self.ahead {
            let Some(part) = self.pending.pop_front() else {
                return;
            };
            let (tx, rx) = mpsc::channel(1);
            let client = self.client.clone();
            let limiter = self.limiter.clone();
            let label = part.label.clone();
            tokio::spawn(run_part::<P>(client, limiter, part.request, tx));
            self.running.push_back((label, rx));
        }
    }
}

/// Fetches one part's chain page by page, each request under a permit, each page sent on (the
/// channel holds one, so a part ahead of the reader waits with one page). The next page is asked
/// for as soon as its link is read from the raw body, while the current page decodes and waits to
/// be handed over, so a day's chain is not slowed by decoding.
async fn run_part<P>(
    client: Client,
    limiter: Arc<Limiter>,
    mut request: ApiRequest,
    tx: mpsc::Sender<Result<Vec<P::Item>, Error>>,
) where
    P: Page + serde::de::DeserializeOwned + Send + 'static,
    P::Item: Send + 'static,
{
    let hook_limiter = limiter.clone();
    request.on_throttle = Some(ThrottleHook(Arc::new(move |_| hook_limiter.throttled())));
    let mut url = match client.url_for(&request) {
        Ok(url) => url,
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            return;
        }
    };
    let fetch = |url: &Url| {
        fetch_limited(
            client.clone(),
            limiter.clone(),
            request.clone(),
            url.clone(),
        )
    };
    let runtime = tokio::runtime::Handle::current();
    let start = |url: &Url| ReadAhead::spawn(&runtime, fetch(url));
    let mut fetching = start(&url);
    loop {
        let page = match fetching.join().await {
            Some(page) => page,
            None => fetch(&url).await,
        };
        let bytes = match page {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        let link = next_link_of(bytes.body(), P::NEXT_LINK_FIELD);
        // Dropping the next page's fetch (the stream gone, or this page not decoding) cancels it.
        let ahead = match next_page(&url, link.as_deref()) {
            Ok(next) => next.map(|next| {
                let fetch = start(&next);
                (next, fetch)
            }),
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        let items = match decode_response::<P>(bytes) {
            Ok(page) => page.into_body().into_parts().0,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        if tx.send(Ok(items)).await.is_err() {
            return; // The stream was dropped.
        }
        let Some((next, fetch)) = ahead else {
            return;
        };
        url = next;
        fetching = fetch;
    }
}

/// One page's request under a permit of the limiter, which hears how it went.
async fn fetch_limited(
    client: Client,
    limiter: Arc<Limiter>,
    request: ApiRequest,
    url: Url,
) -> Result<Response<Bytes>, Error> {
    // The semaphore is never closed.
    if let Ok(permit) = limiter.semaphore.acquire().await {
        permit.forget();
    }
    let page = client.fetch_bytes(&request, &url).await;
    limiter.release(page.is_ok());
    page
}

impl<P> Stream for SplitStream<P>
where
    P: Page + serde::de::DeserializeOwned + Send + 'static,
    P::Item: Send + Unpin + 'static,
{
    type Item = Result<P::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(row) = this.rows.next() {
                return Poll::Ready(Some(Ok(row)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            this.start_parts();
            let Some((label, rx)) = this.running.front_mut() else {
                this.done = true;
                return Poll::Ready(None);
            };
            match rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(items))) => this.rows = items.into_iter(),
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::PartFailed {
                        part: label.clone(),
                        error: Box::new(e),
                    })));
                }
                // The part's chain ended: the next part's rows come next.
                Poll::Ready(None) => {
                    this.running.pop_front();
                }
            }
        }
    }
}

impl<P: Page> Unpin for SplitStream<P> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RetryPolicy;
    use crate::test_server::{Recorded, Reply, SERVICE, serve};
    use futures_util::StreamExt;
    use std::time::Duration;

    #[derive(Debug, serde::Deserialize)]
    struct Rows {
        value: Vec<u32>,
        #[serde(rename = "nextLink")]
        next_link: Option<String>,
    }

    impl Page for Rows {
        type Item = u32;
        const NEXT_LINK_FIELD: &'static str = "nextLink";
        fn into_parts(self) -> (Vec<u32>, Option<String>) {
            (self.value, self.next_link)
        }
    }

    /// `/rows?day=D` answers rows D*100, D*100+1 and a link to `&page=2` with D*100+2.
    fn rows_of(r: &Recorded) -> Reply {
        let day: u32 = r
            .target
            .split("day=")
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .and_then(|d| d.parse().ok())
            .unwrap_or(999);
        if r.target.contains("page=2") {
            Reply::json(
                200,
                &format!(r#"{{"value":[{}],"nextLink":null}}"#, day * 100 + 2),
            )
        } else {
            Reply::json(
                200,
                &format!(
                    r#"{{"value":[{},{}],"nextLink":"/rows?day={day}&page=2"}}"#,
                    day * 100,
                    day * 100 + 1
                ),
            )
        }
    }

    fn client(base: &str) -> Client {
        Client::builder(&SERVICE)
            .base_url(base)
            .api_key("k")
            .retry_policy(RetryPolicy {
                max_retries: 3,
                initial_backoff: Duration::ZERO,
                max_backoff: Duration::ZERO,
                jitter: false,
                ..RetryPolicy::default()
            })
            .build()
            .unwrap()
    }

    fn parts(n: u32) -> Vec<Part> {
        (0..n)
            .map(|d| Part {
                label: format!("day{d}"),
                request: ApiRequest::get("rows", "/rows".into()).query("day", d.to_string()),
            })
            .collect()
    }

    fn expected(n: u32) -> Vec<u32> {
        (0..n)
            .flat_map(|d| [d * 100, d * 100 + 1, d * 100 + 2])
            .collect()
    }

    #[test]
    fn a_range_splits_into_its_days() {
        let at = |d: u32| {
            DateTime::parse_from_rfc3339(&format!("2018-05-{d:02}T00:00:00Z"))
                .unwrap()
                .to_utc()
        };
        let late = DateTime::parse_from_rfc3339("2018-05-03T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            days(at(1), late),
            vec![(at(1), at(1)), (at(2), at(2)), (at(3), at(3))]
        );
        assert_eq!(days(at(3), at(3)).len(), 1);
        assert!(days(at(3), at(1)).is_empty());
    }

    #[test]
    fn aimd_halves_on_throttle_and_grows_by_one_per_window() {
        let mut aimd = Aimd::new(8);
        assert_eq!(aimd.limit(), 8);
        aimd.succeeded();
        assert_eq!(aimd.limit(), 8, "never above the maximum");
        aimd.throttled();
        assert_eq!(aimd.limit(), 4);
        for _ in 0..4 {
            aimd.succeeded();
        }
        assert_eq!(aimd.limit(), 5, "a window of 4 pages adds one");
        for _ in 0..10 {
            aimd.throttled();
        }
        assert_eq!(aimd.limit(), 1, "never below one");
        assert_eq!(Aimd::new(0).limit(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_come_in_part_order_each_once() {
        let server = serve(rows_of).await;
        let rows: Vec<u32> = SplitStream::<Rows>::new(client(&server.base), parts(12), 4)
            .map(|r| r.unwrap())
            .collect()
            .await;
        assert_eq!(rows, expected(12));
        assert_eq!(
            server.requests().len(),
            24,
            "two pages a day, each asked for once"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_throttled_range_loses_no_row_and_runs_fewer_requests() {
        let server = serve(|r: &Recorded| {
            if r.index.is_multiple_of(4) {
                Reply::json(429, "{}").header("Retry-After", "0")
            } else {
                rows_of(r)
            }
        })
        .await;
        let mut stream = SplitStream::<Rows>::new(client(&server.base), parts(6), 4);
        let mut rows = Vec::new();
        while let Some(row) = stream.next().await {
            rows.push(row.unwrap());
        }
        assert_eq!(rows, expected(6));
        assert!(stream.concurrency() < 4, "{stream:?}");
        let throttled = server
            .requests()
            .iter()
            .filter(|r| r.index.is_multiple_of(4))
            .count();
        assert_eq!(
            server.requests().len(),
            12 + throttled,
            "every 429 retried once"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_part_ends_the_stream_naming_it_after_the_rows_before_it() {
        let server = serve(|r: &Recorded| {
            if r.target.contains("day=3") {
                Reply::json(500, r#"{"error":{"code":"500","message":"boom"}}"#)
            } else {
                rows_of(r)
            }
        })
        .await;
        let items: Vec<Result<u32, Error>> =
            SplitStream::<Rows>::new(client(&server.base), parts(6), 3)
                .collect()
                .await;
        let (ok, err): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
        let ok: Vec<u32> = ok.into_iter().map(Result::unwrap).collect();
        assert_eq!(ok, expected(3), "the days before the failing one, whole");
        assert_eq!(err.len(), 1, "the stream ends at the failure");
        match err.into_iter().next().unwrap().unwrap_err() {
            Error::PartFailed { part, error } => {
                assert_eq!(part, "day3");
                assert!(matches!(*error, Error::ServerError(_)), "{error:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_stream_is_send_unpin_static() {
        fn check<T: Send + Unpin + 'static>() {}
        check::<SplitStream<Rows>>();
    }
}
