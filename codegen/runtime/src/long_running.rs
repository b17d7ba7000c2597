//! Long-running operations: a request that queues work, an answer that names a link to poll, a
//! status that moves through the states the spec lists, and a final answer that names a link to
//! the result, often on another host that takes a signed URL instead of the API key.
//!
//! The facts of one operation (its states, the poll interval, how long the result link is valid)
//! come from the spec (`x-ea-long-running`) through the generated [`LongRunning`] impl of its
//! answer model; nothing here knows any one service. The policies are small pure functions
//! ([`classify`], [`next_wait`], [`expiry`]) with their own tests; [`Poller`] strings them
//! together over HTTP.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use futures_util::Stream;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::client::{ApiRequest, Client, decode_response};
use super::error::Error;
use super::paging::resolve_next_link;
use super::response::{ByteStream, Response};
use super::retry::retry_after_from_headers;
use super::service_csv::{Rows, ServiceCsv, rows};

/// What a state means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Not finished: poll again. Values the spec does not list are taken as this.
    Running,
    /// Finished; the result is at the result link (once the answer names one).
    Succeeded,
    /// Finished without a result.
    Failed,
}

/// One state the spec lists for the status property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The status value on the wire, as text (`"3"`, `"Succeeded"`).
    pub value: &'static str,
    /// Its name in the spec (`Completed`).
    pub name: &'static str,
    /// What it means.
    pub outcome: Outcome,
}

/// The facts of a long-running operation, from its spec.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The operation that answers a poll of the link (for diagnostics and retries).
    pub poll_operation: &'static str,
    /// The states of the status property.
    pub states: &'static [State],
    /// How long to wait between polls when an answer does not say (`Retry-After`).
    pub poll_interval: Duration,
    /// How long the result link is valid after the answer's validity start, if the spec says.
    pub result_validity: Option<Duration>,
}

/// An answer model of a long-running operation: the submit answer and every poll answer.
/// Generated from the spec's `x-ea-long-running`.
pub trait LongRunning: DeserializeOwned + Clone + Send + Sync + 'static {
    /// The operation's facts.
    const SPEC: Spec;
    /// The status property, as text; `None` when the answer has none.
    fn status_value(&self) -> Option<String>;
    /// The link to poll.
    fn poll_link(&self) -> Option<&str>;
    /// The link to the result (empty until the operation has finished).
    fn result_link(&self) -> Option<&str>;
    /// When the result link's validity starts (the request time), if the spec says.
    fn validity_start(&self) -> Option<DateTime<Utc>>;
}

/// A status as an answer gave it, with what the spec says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The value on the wire, as text.
    pub value: String,
    /// Its name in the spec, if the spec lists it.
    pub name: Option<&'static str>,
    /// What it means.
    pub outcome: Outcome,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) if name != self.value => write!(f, "{name} ({})", self.value),
            Some(name) => f.write_str(name),
            None => write!(f, "{} (not in the spec)", self.value),
        }
    }
}

/// The status of `value` per `states`; an unknown or missing value is [`Outcome::Running`]:
/// services add states, and polling again is the safe reading.
pub fn classify(states: &[State], value: Option<&str>) -> Status {
    let value = value.unwrap_or("").trim();
    match states.iter().find(|s| s.value == value) {
        Some(state) => Status {
            value: value.to_owned(),
            name: Some(state.name),
            outcome: state.outcome,
        },
        None => Status {
            value: value.to_owned(),
            name: None,
            outcome: Outcome::Running,
        },
    }
}

/// How long to wait before the next poll: what the answer asked for (`Retry-After` or the
/// service's own throttle headers), else the configured interval.
pub fn next_wait(
    headers: &HeaderMap,
    hint_headers: &[&str],
    interval: Duration,
    now: SystemTime,
) -> Duration {
    retry_after_from_headers(headers, hint_headers, now).unwrap_or(interval)
}

/// When the result link stops being valid: `start + validity`, if both are known.
pub fn expiry(start: Option<DateTime<Utc>>, validity: Option<Duration>) -> Option<DateTime<Utc>> {
    let validity = chrono::Duration::from_std(validity?).ok()?;
    start?.checked_add_signed(validity)
}

/// Polling settings shared by [`Poller`] and [`ProgressStream`].
#[derive(Debug, Clone, Copy)]
struct Settings {
    interval: Duration,
    deadline: Duration,
}

/// The default deadline: the service family's reports could take an hour; twice that is long
/// enough to be a bug, short enough to end a stuck job.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2 * 60 * 60);

/// A status change, as [`Poller`] reports it.
#[derive(Debug, Clone)]
pub struct Progress<R> {
    /// The new status.
    pub status: Status,
    /// Answers read so far (the submit answer is the first).
    pub answers: u32,
    /// Time since the submit was sent.
    pub elapsed: Duration,
    /// The answer that reported it.
    pub report: R,
}

type Callback<R> = Box<dyn FnMut(&Progress<R>) + Send>;

/// Submits a long-running operation, polls it until it ends and hands back the finished answer
/// with its result link. Obtained from a generated request builder's `.wait()`.
///
/// The submit is sent once (a POST is never retried: it could queue the work twice); every poll
/// is a GET, retried like any other, on the link the last answer named, which must be on the
/// client's origin (the API key goes with it). The wait between polls is the answer's
/// `Retry-After` if it sent one, else [`Poller::interval`] (the spec's default). The result is
/// fetched by [`Finished::download`] without the key.
pub struct Poller<R, T = ()> {
    client: Client,
    submit: ApiRequest,
    settings: Settings,
    on_progress: Option<Callback<R>>,
    /// An answer to start from instead of submitting ([`Poller::resume`]).
    resumed: Option<R>,
    rows: PhantomData<fn() -> T>,
}

impl<R, T> fmt::Debug for Poller<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("operation", &self.submit.operation_id)
            .field("interval", &self.settings.interval)
            .field("deadline", &self.settings.deadline)
            .finish_non_exhaustive()
    }
}

impl<R: LongRunning, T> Poller<R, T> {
    /// A poller of the operation `submit` queues.
    pub fn new(client: Client, submit: ApiRequest) -> Self {
        Poller {
            client,
            submit,
            settings: Settings {
                interval: R::SPEC.poll_interval,
                deadline: DEFAULT_DEADLINE,
            },
            on_progress: None,
            resumed: None,
            rows: PhantomData,
        }
    }

    /// A poller that goes on from an answer already in hand (one saved by a job that submitted
    /// earlier, say): nothing is submitted; the answer is read as the first one, so a finished
    /// answer is not polled again. Its links are resolved on the client's base URL.
    pub fn resume(client: Client, answer: R) -> Self {
        let mut poller = Poller::new(
            client,
            ApiRequest::get(R::SPEC.poll_operation, String::new()),
        );
        poller.resumed = Some(answer);
        poller
    }

    /// The wait between polls when an answer does not say (default: the spec's).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.settings.interval = interval;
        self
    }

    /// How long to poll before giving up with [`Error::PollDeadline`] (default
    /// [`DEFAULT_DEADLINE`]). A wait that would end past it is not started.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.settings.deadline = deadline;
        self
    }

    /// Called on every status change, the first answer's included.
    pub fn on_progress(mut self, callback: impl FnMut(&Progress<R>) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// Submits and polls until the operation ends: the finished answer, or
    /// [`Error::OperationFailed`], [`Error::PollDeadline`], [`Error::MissingLink`] or the
    /// error of a request.
    pub async fn wait(mut self) -> Result<Finished<R, T>, Error> {
        let mut polling = Polling::<R>::new(self.client, self.submit, self.resumed, self.settings);
        loop {
            match polling.step().await? {
                Step::Changed(progress) => {
                    if let Some(callback) = &mut self.on_progress {
                        callback(&progress);
                    }
                }
                Step::Finished(finished) => return Ok(finished.typed()),
            }
        }
    }

    /// The same as [`wait`](Self::wait), as a stream: every status change, then the finished
    /// answer (or the error) as the last item.
    pub fn progress(self) -> ProgressStream<R, T> {
        let polling = Polling::<R>::new(self.client, self.submit, self.resumed, self.settings);
        let stream = futures_util::stream::unfold(Some(polling), |state| async move {
            let mut polling = state?;
            match polling.step().await {
                Ok(Step::Changed(progress)) => Some((Ok(Event::Progress(progress)), Some(polling))),
                Ok(Step::Finished(finished)) => Some((Ok(Event::Finished(finished.typed())), None)),
                Err(e) => Some((Err(e), None)),
            }
        });
        ProgressStream {
            inner: Box::pin(stream),
        }
    }
}

/// `poller.await` is `poller.wait().await`.
impl<R: LongRunning, T: 'static> std::future::IntoFuture for Poller<R, T> {
    type Output = Result<Finished<R, T>, Error>;
    type IntoFuture = futures_util::future::BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

/// An item of [`Poller::progress`].
#[derive(Debug)]
pub enum Event<R, T = ()> {
    /// The status changed.
    Progress(Progress<R>),
    /// The operation finished; always the last item.
    Finished(Finished<R, T>),
}

/// What [`ProgressStream`] holds: any stream of events.
type EventStream<R, T> = Pin<Box<dyn Stream<Item = Result<Event<R, T>, Error>> + Send>>;

/// The stream of [`Poller::progress`]; `Send + Unpin + 'static`.
pub struct ProgressStream<R, T = ()> {
    inner: EventStream<R, T>,
}

impl<R, T> fmt::Debug for ProgressStream<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressStream")
    }
}

impl<R, T> Stream for ProgressStream<R, T> {
    type Item = Result<Event<R, T>, Error>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// What one step of [`Polling`] found.
enum Step<R> {
    Changed(Progress<R>),
    Finished(Finished<R, ()>),
}

/// The state of a poll loop between answers.
struct Polling<R> {
    client: Client,
    submit: Option<ApiRequest>,
    /// An answer to read before any request ([`Poller::resume`]).
    in_hand: Option<(Url, HeaderMap, R)>,
    operation: &'static str,
    settings: Settings,
    started: Instant,
    answers: u32,
    /// The last answer: where it came from, its headers, the model.
    last: Option<(Url, HeaderMap, R)>,
    last_status: Option<Status>,
    /// The last answer reported a change and is also the finished one.
    finish_next: bool,
}

/// An answer's result link, if it names one.
fn result_link<R: LongRunning>(report: &R) -> Option<&str> {
    report
        .result_link()
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// An answer's model, with where it came from and its headers.
fn decode<R: DeserializeOwned>(
    url: Url,
    page: Response<bytes::Bytes>,
) -> Result<(Url, HeaderMap, R), Error> {
    let (_, headers, report) = decode_response::<R>(page)?.into_parts();
    Ok((url, headers, report))
}

impl<R: LongRunning> Polling<R> {
    fn new(client: Client, submit: ApiRequest, resumed: Option<R>, settings: Settings) -> Self {
        let in_hand = resumed.map(|answer| (client.base_url().clone(), HeaderMap::new(), answer));
        Polling {
            operation: submit.operation_id,
            submit: in_hand.is_none().then_some(submit),
            in_hand,
            client,
            settings,
            started: Instant::now(),
            answers: 0,
            last: None,
            last_status: None,
            finish_next: false,
        }
    }

    /// Reads answers until the status changes or the operation finishes.
    async fn step(&mut self) -> Result<Step<R>, Error> {
        if self.finish_next
            && let Some((url, _, report)) = self.last.take()
        {
            return self.finish(&url, report);
        }
        loop {
            let (url, headers, report) = self.next_answer().await?;
            self.answers += 1;
            let status = classify(R::SPEC.states, report.status_value().as_deref());
            if status.outcome == Outcome::Failed {
                return Err(Error::OperationFailed {
                    operation: self.operation,
                    status,
                });
            }
            // A finished state whose answer names no result yet is polled again: the result
            // link can come an answer later than the state.
            let done = status.outcome == Outcome::Succeeded && result_link(&report).is_some();
            let changed = self.last_status.as_ref() != Some(&status);
            self.last_status = Some(status.clone());
            if changed {
                let progress = Progress {
                    status,
                    answers: self.answers,
                    elapsed: self.started.elapsed(),
                    report: report.clone(),
                };
                self.finish_next = done;
                self.last = Some((url, headers, report));
                return Ok(Step::Changed(progress));
            }
            if done {
                return self.finish(&url, report);
            }
            self.last = Some((url, headers, report));
        }
    }

    /// The submit answer, or (after the wait) the answer to a poll of the last answer's link.
    async fn next_answer(&mut self) -> Result<(Url, HeaderMap, R), Error> {
        if let Some(answer) = self.in_hand.take() {
            return Ok(answer);
        }
        if let Some(submit) = self.submit.take() {
            let url = self.client.url_for(&submit)?;
            let page = self.client.fetch_bytes(&submit, &url).await?;
            return decode(url, page);
        }
        let (base, headers, report) = self.last.as_ref().expect("an answer was read");
        let wait = next_wait(
            headers,
            self.client.retry_after_headers(),
            self.settings.interval,
            SystemTime::now(),
        );
        let waited = self.started.elapsed();
        if waited + wait > self.settings.deadline {
            return Err(Error::PollDeadline {
                operation: self.operation,
                waited,
                status: self.last_status.clone(),
            });
        }
        let link = resolve_next_link(base, report.poll_link())?.ok_or(Error::MissingLink {
            operation: self.operation,
            link: "poll",
        })?;
        tokio::time::sleep(wait).await;
        let poll = ApiRequest::get(R::SPEC.poll_operation, link.path().to_owned());
        let page = self.client.fetch_bytes(&poll, &link).await?;
        decode(link, page)
    }

    /// The finished answer, its result link resolved on the answer's URL.
    fn finish(&self, base: &Url, report: R) -> Result<Step<R>, Error> {
        let missing = || Error::MissingLink {
            operation: self.operation,
            link: "result",
        };
        let link = result_link(&report).ok_or_else(missing)?;
        let url = base.join(link).map_err(|_| missing())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(missing());
        }
        Ok(Step::Finished(Finished {
            expires_at: expiry(report.validity_start(), R::SPEC.result_validity),
            client: self.client.clone(),
            operation: self.operation,
            status: self.last_status.clone().expect("a status was read"),
            answers: self.answers,
            elapsed: self.started.elapsed(),
            report,
            url,
            rows: PhantomData,
        }))
    }
}

/// A finished long-running operation: its last answer, and the way to its result.
///
/// Its `Debug` output shows the result link without its query, which is a credential.
pub struct Finished<R, T = ()> {
    /// The last answer.
    pub report: R,
    /// The state it finished in.
    pub status: Status,
    /// Answers read (the submit answer included).
    pub answers: u32,
    /// Time from the submit to the last answer.
    pub elapsed: Duration,
    operation: &'static str,
    expires_at: Option<DateTime<Utc>>,
    client: Client,
    url: Url,
    rows: PhantomData<fn() -> T>,
}

impl<R, T> fmt::Debug for Finished<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finished")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("answers", &self.answers)
            .field("elapsed", &self.elapsed)
            .field("result", &self.result_location())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl<R, T> Finished<R, T> {
    fn typed<U>(self) -> Finished<R, U> {
        Finished {
            report: self.report,
            status: self.status,
            answers: self.answers,
            elapsed: self.elapsed,
            operation: self.operation,
            expires_at: self.expires_at,
            client: self.client,
            url: self.url,
            rows: PhantomData,
        }
    }

    /// The result link without its query (which may be a credential): safe to log.
    pub fn result_location(&self) -> String {
        let mut url = self.url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.to_string()
    }

    /// When the result link stops being valid, if the spec says how long it is.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// Streams the result's bytes from the result link, without the API key (the link is
    /// signed, and on another host). Refused up front with [`Error::ResultLinkExpired`] once
    /// the link is past its validity; a 401 or 403 of its host is [`Error::ResultLinkRefused`].
    /// Transport errors leave the link out.
    pub async fn download(&self) -> Result<Response<ByteStream>, Error> {
        self.download_at(Utc::now()).await
    }

    /// [`download`](Self::download) with an explicit "now" for the validity check.
    pub async fn download_at(&self, now: DateTime<Utc>) -> Result<Response<ByteStream>, Error> {
        if let Some(expired_at) = self.expires_at
            && now >= expired_at
        {
            return Err(Error::ResultLinkExpired { expired_at });
        }
        let request = ApiRequest::get(self.operation, self.url.path().to_owned())
            .accept("*/*")
            .anonymous();
        match self.client.stream_from(&request, &self.url).await {
            Err(e) if is_refusal(&e) => match e {
                Error::Unauthorized(api) | Error::UnexpectedStatus(api) => {
                    Err(Error::ResultLinkRefused(api))
                }
                other => Err(other),
            },
            other => other,
        }
    }
}

impl<R, T: ServiceCsv + Send + 'static> Finished<R, T> {
    /// The result as typed rows of the spec's CSV layout, read as the bytes arrive (one record
    /// in memory); a byte order mark and the lines before the header are skipped.
    pub async fn rows(&self) -> Result<Response<Rows<T>>, Error> {
        Ok(self.download().await?.map(rows))
    }
}

/// A 401 or 403: the result host refused the link.
fn is_refusal(e: &Error) -> bool {
    matches!(
        e.status(),
        Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::{Recorded, Reply, SERVICE, TestServer, serve};
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    /// A report like the EA one, with other names: nothing here is any service's.
    #[derive(Debug, Clone, serde::Deserialize)]
    struct Job {
        state: i32,
        #[serde(default)]
        poll: String,
        #[serde(default)]
        result: String,
        #[serde(default)]
        since: Option<DateTime<Utc>>,
    }

    const STATES: &[State] = &[
        State {
            value: "1",
            name: "Waiting",
            outcome: Outcome::Running,
        },
        State {
            value: "2",
            name: "Working",
            outcome: Outcome::Running,
        },
        State {
            value: "3",
            name: "Done",
            outcome: Outcome::Succeeded,
        },
        State {
            value: "4",
            name: "Broken",
            outcome: Outcome::Failed,
        },
    ];

    impl LongRunning for Job {
        const SPEC: Spec = Spec {
            poll_operation: "Job_Get",
            states: STATES,
            poll_interval: Duration::from_secs(3600),
            result_validity: Some(Duration::from_secs(3600)),
        };
        fn status_value(&self) -> Option<String> {
            Some(self.state.to_string())
        }
        fn poll_link(&self) -> Option<&str> {
            Some(&self.poll)
        }
        fn result_link(&self) -> Option<&str> {
            Some(&self.result)
        }
        fn validity_start(&self) -> Option<DateTime<Utc>> {
            self.since
        }
    }

    fn job(state: i32, poll: &str, result: &str) -> Reply {
        let since = Utc::now().to_rfc3339();
        Reply::json(
            200,
            &format!(
                r#"{{"state":{state},"poll":"{poll}","result":"{result}","since":"{since}"}}"#
            ),
        )
        .header("Retry-After", "0")
    }

    fn client(base: &str) -> Client {
        Client::builder(&SERVICE)
            .base_url(base)
            .api_key("secret-key")
            .build()
            .unwrap()
    }

    fn submit() -> ApiRequest {
        ApiRequest::post("Job_Submit", "/jobs".into()).query("month", "201805")
    }

    /// A blob host: answers `body` to a GET of `/blob?sig=ok`, 403 with a storage error otherwise.
    async fn blob_host(body: &'static str) -> TestServer {
        serve(move |r: &Recorded| {
            if r.target == "/blob?sig=ok" {
                Reply::new(200).body(body.as_bytes().to_vec())
            } else {
                Reply::new(403)
                    .header("Content-Type", "application/xml")
                    .body(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message></Error>".to_vec())
            }
        })
        .await
    }

    /// An API that answers the submit with state 1, then 2, 2, then 3 naming `result`.
    async fn api(result: String) -> TestServer {
        serve(move |r: &Recorded| match r.index {
            0 => job(1, "/jobs/7", ""),
            1 | 2 => job(2, "/jobs/7", ""),
            3 => job(3, "/jobs/7", ""),
            _ => job(3, "/jobs/7", &result),
        })
        .await
    }

    #[test]
    fn classify_names_listed_states_and_reads_the_rest_as_running() {
        assert_eq!(classify(STATES, Some("3")).name, Some("Done"));
        assert_eq!(classify(STATES, Some("4")).outcome, Outcome::Failed);
        let unknown = classify(STATES, Some("9"));
        assert_eq!((unknown.name, unknown.outcome), (None, Outcome::Running));
        assert_eq!(classify(STATES, None).outcome, Outcome::Running);
        assert_eq!(classify(STATES, Some("3")).to_string(), "Done (3)");
    }

    #[test]
    fn next_wait_prefers_the_answers_hint() {
        let mut headers = HeaderMap::new();
        let interval = Duration::from_secs(10);
        assert_eq!(
            next_wait(&headers, &[], interval, SystemTime::now()),
            interval
        );
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(
            next_wait(&headers, &[], interval, SystemTime::now()),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn expiry_is_start_plus_validity() {
        let start = DateTime::parse_from_rfc3339("2018-06-15T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            expiry(Some(start), Some(Duration::from_secs(3600))),
            Some(
                DateTime::parse_from_rfc3339("2018-06-15T11:00:00Z")
                    .unwrap()
                    .to_utc()
            )
        );
        assert_eq!(expiry(None, Some(Duration::from_secs(1))), None);
        assert_eq!(expiry(Some(start), None), None);
    }

    #[tokio::test]
    async fn submits_once_polls_to_the_end_and_downloads_without_the_key() {
        let blob = blob_host("a,b\r\n1,2\r\n").await;
        let server = api(format!("{}/blob?sig=ok", blob.base)).await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let finished = Poller::<Job>::new(client(&server.base), submit())
            .on_progress({
                let seen = seen.clone();
                move |p| seen.lock().unwrap().push((p.status.name, p.answers))
            })
            .wait()
            .await
            .unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                (Some("Waiting"), 1),
                (Some("Working"), 2),
                (Some("Done"), 4)
            ],
            "every change once; the state 3 answer without a result link is polled again"
        );
        assert_eq!(finished.answers, 5);
        let requests = server.requests();
        assert_eq!(requests[0].method, "POST");
        assert_eq!(requests[0].target, "/jobs?month=201805");
        assert!(
            requests[1..]
                .iter()
                .all(|r| r.method == "GET" && r.target == "/jobs/7")
        );
        assert!(requests.iter().all(|r| r.header("authorization").is_some()));
        assert!(!format!("{finished:?}").contains("sig=ok"), "{finished:?}");
        assert_eq!(finished.result_location(), format!("{}/blob", blob.base));
        let body = finished.download().await.unwrap().into_body();
        assert_eq!(&body.collect_bytes().await.unwrap()[..], b"a,b\r\n1,2\r\n");
        let fetched = blob.requests();
        assert_eq!(fetched.len(), 1);
        assert_eq!(
            fetched[0].header("authorization"),
            None,
            "the key stays home"
        );
    }

    #[tokio::test]
    async fn the_stream_yields_every_change_then_the_result() {
        let blob = blob_host("x").await;
        let server = api(format!("{}/blob?sig=ok", blob.base)).await;
        let events: Vec<_> = Poller::<Job>::new(client(&server.base), submit())
            .progress()
            .collect()
            .await;
        let names: Vec<_> = events
            .iter()
            .map(|e| match e {
                Ok(Event::Progress(p)) => p.status.name.unwrap_or("?"),
                Ok(Event::Finished(_)) => "finished",
                Err(_) => "error",
            })
            .collect();
        assert_eq!(names, ["Waiting", "Working", "Done", "finished"]);
    }

    #[tokio::test]
    async fn a_failure_state_is_a_typed_error() {
        let server = serve(|r: &Recorded| {
            if r.index == 0 {
                job(1, "/jobs/7", "")
            } else {
                job(4, "/jobs/7", "")
            }
        })
        .await;
        let err = Poller::<Job>::new(client(&server.base), submit())
            .wait()
            .await
            .unwrap_err();
        match err {
            Error::OperationFailed { operation, status } => {
                assert_eq!(operation, "Job_Submit");
                assert_eq!(status.name, Some("Broken"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_failed_submit_is_not_retried() {
        let server = serve(|_: &Recorded| Reply::json(503, "{}").header("Retry-After", "0")).await;
        let err = Poller::<Job>::new(client(&server.base), submit())
            .wait()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ServiceUnavailable { .. }), "{err:?}");
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_is_not_started() {
        // No Retry-After: the next wait is the interval, which does not fit in the deadline.
        let server =
            serve(|_: &Recorded| Reply::json(200, r#"{"state":2,"poll":"/jobs/7","result":""}"#))
                .await;
        let err = Poller::<Job>::new(client(&server.base), submit())
            .interval(Duration::from_secs(60))
            .deadline(Duration::from_secs(30))
            .wait()
            .await
            .unwrap_err();
        match err {
            Error::PollDeadline { status, .. } => {
                assert_eq!(status.and_then(|s| s.name), Some("Working"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_poll_link_to_another_origin_is_not_followed() {
        let server = serve(|_: &Recorded| job(1, "http://elsewhere.example/jobs/7", "")).await;
        let err = Poller::<Job>::new(client(&server.base), submit())
            .wait()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ForeignNextLink { .. }), "{err:?}");
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn an_answer_without_a_poll_link_is_an_error() {
        let server = serve(|_: &Recorded| job(1, "", "")).await;
        let err = Poller::<Job>::new(client(&server.base), submit())
            .wait()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::MissingLink { link: "poll", .. }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn an_expired_link_is_not_fetched_and_a_refused_one_is_typed() {
        let blob = blob_host("x").await;
        let server = api(format!("{}/blob?sig=tampered", blob.base)).await;
        let finished = Poller::<Job>::new(client(&server.base), submit())
            .wait()
            .await
            .unwrap();
        let expired_at = finished.expires_at().unwrap();
        match finished.download_at(expired_at).await {
            Err(Error::ResultLinkExpired { expired_at: at }) => assert_eq!(at, expired_at),
            other => panic!("{other:?}"),
        }
        assert!(blob.requests().is_empty());
        match finished.download().await {
            Err(Error::ResultLinkRefused(e)) => {
                assert_eq!(e.status, StatusCode::FORBIDDEN);
                assert_eq!(e.code.as_deref(), Some("AuthenticationFailed"));
                let text = Error::ResultLinkRefused(e).to_string();
                assert!(!text.contains("tampered"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_saved_finished_answer_resumes_without_a_request() {
        let blob = blob_host("saved").await;
        let server = serve(|_: &Recorded| Reply::new(500)).await;
        let saved: Job = serde_json::from_str(&format!(
            r#"{{"state":3,"poll":"/jobs/7","result":"{}/blob?sig=ok"}}"#,
            blob.base
        ))
        .unwrap();
        let finished = Poller::<Job>::resume(client(&server.base), saved)
            .wait()
            .await
            .unwrap();
        assert_eq!(
            finished.expires_at(),
            None,
            "no validity start in the answer"
        );
        let body = finished.download().await.unwrap().into_body();
        assert_eq!(&body.collect_bytes().await.unwrap()[..], b"saved");
        assert!(server.requests().is_empty());
    }

    #[tokio::test]
    async fn transport_errors_of_the_result_link_leave_the_query_out() {
        // Bound but never listening: refused, and the port is not handed to another test.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let dead = socket.local_addr().unwrap();
        let server = api(format!("http://{dead}/blob?sig=secret-signature")).await;
        let client = Client::builder(&SERVICE)
            .base_url(&server.base)
            .api_key("secret-key")
            .retry_policy(crate::RetryPolicy::none())
            .build()
            .unwrap();
        let finished = Poller::<Job>::new(client, submit()).wait().await.unwrap();
        let err = finished.download().await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains("secret-signature"), "{text}");
    }
}
