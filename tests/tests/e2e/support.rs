//! The harness every end-to-end module shares: the mock in-process on an ephemeral
//! loopback port (with a request log taken from the mock's own per-request notes), clients
//! with fast retries, the rows the mock generates computed straight from its library, and an
//! order-sensitive digest of usage rows.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use ea_mock_server::domain::Days;
use ea_mock_server::logging::RequestNote;
use ea_mock_server::render::usage::{row_at, row_count, usage_detail};
use ea_mock_server::state::{AppState, Enrollment};
use ea_mock_server::{Config, MockServer, universe};
use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageRow;
use ea_reporting::{Client, RetryPolicy};
use http::HeaderValue;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The only key the mocks of this suite accept.
pub const KEY: &str = "e2e-secret-key";
/// The enrollment the mocks serve.
pub const ENROLLMENT: &str = "100";
/// A complete month before [`today`]: 31 days of usage.
pub const PERIOD: &str = "201805";

/// The day the mocks pretend it is, so every run sees the same data.
pub fn today() -> NaiveDate {
    day(2018, 6, 15)
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// Midnight UTC of a day, as the client's date-time parameters take it.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

/// The days of [`PERIOD`].
pub fn period_days() -> Days {
    Days::new(day(2018, 5, 1), day(2018, 5, 31))
}

/// A small world: 3 subscriptions × 4 rows = 12 usage rows a day, pages of 40 rows,
/// retry hints of 0 s so retries do not wait.
pub fn small_config(seed: u64) -> Config {
    Config {
        host: "127.0.0.1".into(),
        port: 0,
        seed,
        api_keys: vec![KEY.into()],
        enrollments: vec![ENROLLMENT.into()],
        subscriptions: 3,
        rows_per_day: 4,
        page_size: 40,
        retry_after_secs: 0,
        today: Some(today()),
        ..Config::default()
    }
}

/// Usage rows per day of [`big_config`].
pub const BIG_ROWS_PER_DAY: u64 = 10 * 165;
/// Usage rows of [`PERIOD`] in [`big_config`]: 1650 × 31 = 51,150.
pub const BIG_MONTH_ROWS: u64 = BIG_ROWS_PER_DAY * 31;

/// A month of more than 50,000 usage rows: 10 subscriptions × 165 rows × 31 days,
/// served in pages of 5,000.
pub fn big_config() -> Config {
    Config {
        subscriptions: 10,
        rows_per_day: 165,
        page_size: 5_000,
        ..small_config(42)
    }
}

/// Retries at once (no backoff, no jitter); server hints are still honoured.
pub fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
        jitter: false,
        ..RetryPolicy::default()
    }
}

pub fn client_with(url: &str, key: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(url)
        .api_key(key)
        .retry_policy(policy)
        .build()
        .expect("a valid client configuration")
}

/// A client with the suite's key and 3 immediate retries.
pub fn client(url: &str) -> Client {
    client_with(url, KEY, fast_retries(3))
}

/// One request as the mock answered it.
#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    pub status: u16,
    /// Operation id, once the mock matched one.
    pub operation: Option<&'static str>,
    /// `forced`, `injected`, `injected-drop` or `rate-limit`, as the mock noted it.
    pub fault: Option<&'static str>,
    pub if_none_match: Option<String>,
}

impl Logged {
    /// Whether the mock answered this request with its data (no fault of any kind).
    pub fn is_clean_ok(&self) -> bool {
        self.status == 200 && self.fault.is_none()
    }
}

/// Which requests get an `x-mock-status` header added on their way into the mock: the
/// first `first` API requests (`usize::MAX`: all), so tests can force statuses on the
/// generated client's methods and on the command-line program, which send no such header.
#[derive(Clone, Copy, Debug)]
pub struct Force {
    pub status: u16,
    pub first: usize,
}

impl Force {
    pub fn always(status: u16) -> Force {
        Force {
            status,
            first: usize::MAX,
        }
    }
}

#[derive(Debug)]
struct Recorder {
    log: Mutex<Vec<Logged>>,
    force: Option<Force>,
    api_requests: AtomicUsize,
}

fn is_api_path(path: &str) -> bool {
    !(path.starts_with("/admin") || path == "/health" || path.starts_with("/swagger"))
}

/// Outermost layer around the mock's router: forces a status if asked to, and logs every
/// answer with the note the mock's API handler attached to it (operation, fault).
async fn record(
    State(recorder): State<Arc<Recorder>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_api_path(&path) {
        let n = recorder.api_requests.fetch_add(1, Ordering::SeqCst);
        if let Some(force) = recorder.force
            && n < force.first
        {
            request
                .headers_mut()
                .insert("x-mock-status", HeaderValue::from(force.status));
        }
    }
    let method = request.method().to_string();
    let target = request
        .uri()
        .path_and_query()
        .map_or(path, |pq| pq.as_str().to_owned());
    let if_none_match = request
        .headers()
        .get(http::header::IF_NONE_MATCH)
        .map(|v| v.to_str().unwrap_or("<non-ASCII>").to_owned());
    let response = next.run(request).await;
    let note = response
        .extensions()
        .get::<RequestNote>()
        .cloned()
        .unwrap_or_default();
    recorder.log.lock().unwrap().push(Logged {
        method,
        target,
        status: response.status().as_u16(),
        operation: note.operation,
        fault: note.fault,
        if_none_match,
    });
    response
}

/// The mock, in-process on an ephemeral loopback port, with its request log.
#[derive(Debug)]
pub struct Mock {
    addr: SocketAddr,
    state: AppState,
    recorder: Arc<Recorder>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Mock {
    pub async fn start(config: Config) -> Mock {
        Mock::start_with(config, None).await
    }

    /// A mock whose API requests get `x-mock-status: <force.status>` added.
    pub async fn forcing(config: Config, force: Force) -> Mock {
        Mock::start_with(config, Some(force)).await
    }

    async fn start_with(config: Config, force: Option<Force>) -> Mock {
        config.validate().expect("a valid mock configuration");
        // Bound before serving: the socket accepts as soon as this returns.
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .await
            .expect("bind an ephemeral loopback port");
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(&config);
        let recorder = Arc::new(Recorder {
            log: Mutex::new(Vec::new()),
            force,
            api_requests: AtomicUsize::new(0),
        });
        let app = ea_mock_server::router(state.clone())
            .layer(middleware::from_fn_with_state(recorder.clone(), record));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Mock {
            addr,
            state,
            recorder,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The mock's shared state (data version, fault injector).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A client for this mock with the suite's key and 3 immediate retries.
    pub fn client(&self) -> Client {
        client(&self.url())
    }

    /// Every API request answered so far (not `/admin` or `/health`), in order.
    pub fn api_requests(&self) -> Vec<Logged> {
        self.recorder
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| is_api_path(l.target.split('?').next().unwrap_or_default()))
            .cloned()
            .collect()
    }

    /// Statuses of the API requests so far.
    pub fn statuses(&self) -> Vec<u16> {
        self.api_requests().iter().map(|l| l.status).collect()
    }

    /// Stops accepting and waits for the requests in flight.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("the server task did not panic")
                .expect("the server ran");
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// `POST /admin/data-version` through plain reqwest: the next version, or `to`.
/// Returns the version the mock reports.
pub async fn set_data_version(url: &str, to: Option<u64>) -> u64 {
    let mut request = reqwest::Client::new()
        .post(format!("{url}/admin/data-version"))
        .header("Authorization", format!("bearer {KEY}"));
    if let Some(version) = to {
        request = request
            .header("Content-Type", "application/json")
            .body(format!(r#"{{"dataVersion":{version}}}"#));
    }
    let response = request.send().await.expect("the admin endpoint answers");
    assert_eq!(response.status(), 200, "POST /admin/data-version");
    let body: serde_json::Value = response.json().await.expect("a JSON answer");
    body["dataVersion"].as_u64().expect("dataVersion")
}

/// Starts a mock on its own runtime thread that lives as long as the test process, so
/// tests on different runtimes (each `#[tokio::test]` has one) can share it. Returns its URL.
fn serve_in_background(name: &str, config: Config) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime for the shared mock");
            runtime.block_on(async move {
                let server = MockServer::start(config)
                    .await
                    .expect("the shared mock starts");
                tx.send(server.url()).expect("the starting test waits");
                std::future::pending::<()>().await
            })
        })
        .expect("spawn the shared mock's thread");
    rx.recv().expect("the shared mock started")
}

/// The shared read-only mock serving [`big_config`] (never bumped, never faulty).
pub fn big_mock_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| serve_in_background("big-mock", big_config()))
}

/// What paging through [`PERIOD`] on the shared big mock with `_pages` gave: per page its
/// row count and `nextLink`, and every row in order.
#[derive(Debug)]
pub struct BigMonthPages {
    pub sizes: Vec<usize>,
    pub links: Vec<Option<String>>,
    pub rows: Vec<UsageRow>,
}

/// Pages through [`PERIOD`] on the shared big mock once per test run (on a thread and
/// runtime of its own, so any test may wait for it), for the tests that compare other
/// answers with those JSON pages. `Err` says why paging failed.
pub fn big_month_pages() -> &'static Result<BigMonthPages, String> {
    static PAGES: OnceLock<Result<BigMonthPages, String>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let url = big_mock_url();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                use futures_util::TryStreamExt;
                let mut pages = client(url)
                    .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
                    .pages();
                let mut month = BigMonthPages {
                    sizes: Vec::new(),
                    links: Vec::new(),
                    rows: Vec::new(),
                };
                while let Some(page) = pages
                    .try_next()
                    .await
                    .map_err(|e| format!("page {} of {PERIOD} failed: {e}", month.sizes.len()))?
                {
                    if page.status() != 200 || page.etag().is_none() {
                        return Err(format!("page {}: {page:?}", month.sizes.len()));
                    }
                    let body = page.into_body();
                    let rows = body.data.unwrap_or_default();
                    month.sizes.push(rows.len());
                    month.links.push(body.next_link);
                    month.rows.extend(rows);
                }
                Ok(month)
            })
        })
        .join()
        .unwrap_or_else(|_| Err("paging the big month panicked".to_owned()))
    })
}

/// The usage rows the mock generates for `days` under `config` and data version
/// `data_version`, computed directly from its library (universe and row functions), not
/// through HTTP or its paging code.
pub fn library_rows(config: &Config, data_version: u64, days: Days) -> Vec<UsageRow> {
    let enrollment = Enrollment::build(config, ENROLLMENT);
    let seed = universe::data_seed(config.seed, data_version);
    (0..row_count(&enrollment, days))
        .map(|i| usage_detail(&enrollment.universe, &row_at(&enrollment, seed, days, i)))
        .collect()
}

/// [`Digest`] of the rows of [`PERIOD`] under [`big_config`], computed once.
pub fn big_month_expected() -> &'static Digest {
    static EXPECTED: OnceLock<Digest> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let mut digester = Digester::default();
        for row in library_rows(&big_config(), 1, period_days()) {
            digester.add_row(&row);
        }
        let digest = digester.finish();
        assert_eq!(digest.rows, BIG_MONTH_ROWS, "the library's own row count");
        assert_eq!(
            digest.distinct_keys, digest.rows,
            "(date, instanceId) is a row key"
        );
        digest
    })
}

/// Count, distinct (date, instanceId) keys and an order-sensitive checksum over
/// (date, instanceId, meterId, cost) of a sequence of usage rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub rows: u64,
    pub distinct_keys: u64,
    pub checksum: u64,
}

/// Builds a [`Digest`] row by row (FNV-1a over the fields, in order).
#[derive(Debug)]
pub struct Digester {
    rows: u64,
    hash: u64,
    keys: HashSet<(i64, String)>,
}

impl Default for Digester {
    fn default() -> Self {
        Digester {
            rows: 0,
            hash: 0xcbf2_9ce4_8422_2325,
            keys: HashSet::new(),
        }
    }
}

impl Digester {
    fn mix(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.hash ^= u64::from(*b);
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn add(&mut self, date: DateTime<Utc>, instance_id: &str, meter_id: &str, cost: f64) {
        let seconds = date.timestamp();
        self.mix(&seconds.to_le_bytes());
        self.mix(instance_id.as_bytes());
        self.mix(&[0x1f]);
        self.mix(meter_id.as_bytes());
        self.mix(&[0x1f]);
        self.mix(&cost.to_bits().to_le_bytes());
        self.mix(&[0x1e]);
        self.keys.insert((seconds, instance_id.to_owned()));
        self.rows += 1;
    }

    /// Adds a decoded row; a row without one of the four fields fails the test.
    pub fn add_row(&mut self, row: &UsageRow) {
        let n = self.rows;
        self.add(
            row.date.unwrap_or_else(|| panic!("row {n} has no date")),
            row.instance_id
                .as_deref()
                .unwrap_or_else(|| panic!("row {n} has no instanceId")),
            row.meter_id
                .as_deref()
                .unwrap_or_else(|| panic!("row {n} has no meterId")),
            row.cost.unwrap_or_else(|| panic!("row {n} has no cost")),
        );
    }

    pub fn finish(self) -> Digest {
        Digest {
            rows: self.rows,
            distinct_keys: self.keys.len() as u64,
            checksum: self.hash,
        }
    }
}

/// Reads a CSV document with a header row into (header, records). A document in the service's
/// layout (a title line and a blank line before the header, as the download has) is read past
/// those two lines.
pub fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let bytes = match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) if !bytes[..at].contains(&b',') => &bytes[at + 4..],
        _ => bytes,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .expect("a CSV header row")
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .expect("well-formed CSV records");
    (header, records)
}

/// The index of `column` in a CSV header: a JSON field name (`instanceId`), which names the
/// service's caption too (`InstanceId`, the same name capitalised).
pub fn column(header: &[String], column: &str) -> usize {
    header
        .iter()
        .position(|h| h.eq_ignore_ascii_case(column))
        .unwrap_or_else(|| panic!("no column {column} in {header:?}"))
}

/// Digest of usage rows read from CSV records (dates in RFC 3339 or the service's `yyyy-MM-dd`).
pub fn digest_csv(header: &[String], records: &[csv::StringRecord]) -> Digest {
    let (date, instance, meter, cost) = (
        column(header, "date"),
        column(header, "instanceId"),
        column(header, "meterId"),
        column(header, "cost"),
    );
    let mut digester = Digester::default();
    for (i, record) in records.iter().enumerate() {
        let when = ea_reporting::runtime::datetime::parse_lenient(&record[date])
            .unwrap_or_else(|e| panic!("record {i}: date {:?}: {e}", &record[date]));
        let cost: f64 = record[cost]
            .parse()
            .unwrap_or_else(|e| panic!("record {i}: cost {:?}: {e}", &record[cost]));
        digester.add(when, &record[instance], &record[meter], cost);
    }
    digester.finish()
}

/// A loopback listener standing for "another origin": it reports every connection it
/// accepts. [`Sentinel::connections_before_sentinel`] proves none came before a point in
/// time without sleeping: it connects itself and reads the accepted peers until its own
/// connection shows up; accepts are in arrival order, so every earlier one is seen first.
#[derive(Debug)]
pub struct Sentinel {
    pub addr: SocketAddr,
    accepted: tokio::sync::mpsc::UnboundedReceiver<SocketAddr>,
    task: JoinHandle<()>,
}

impl Sentinel {
    pub async fn start() -> Sentinel {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, accepted) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                drop(stream);
                if tx.send(peer).is_err() {
                    break;
                }
            }
        });
        Sentinel {
            addr,
            accepted,
            task,
        }
    }

    /// The number of connections accepted before one the sentinel makes itself now.
    pub async fn connections_before_sentinel(&mut self) -> usize {
        let own = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let own_addr = own.local_addr().unwrap();
        let mut others = 0;
        while let Some(peer) = self.accepted.recv().await {
            if peer == own_addr {
                return others;
            }
            others += 1;
        }
        panic!("the sentinel listener stopped");
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The harness itself: the digest notices order, loss and repeats; the sentinel counts.
mod self_tests {
    use super::*;

    #[test]
    fn the_digest_notices_order_loss_and_repeats() {
        let rows = library_rows(
            &small_config(42),
            1,
            Days::new(day(2018, 5, 1), day(2018, 5, 2)),
        );
        let digest = |rows: &[UsageRow]| {
            let mut d = Digester::default();
            rows.iter().for_each(|r| d.add_row(r));
            d.finish()
        };
        let base = digest(&rows);
        assert_eq!((base.rows, base.distinct_keys), (24, 24));
        let mut swapped = rows.clone();
        swapped.swap(3, 17);
        assert_ne!(digest(&swapped).checksum, base.checksum, "order");
        let mut repeated = rows.clone();
        repeated[5] = repeated[4].clone();
        let d = digest(&repeated);
        assert_eq!((d.rows, d.distinct_keys), (24, 23), "repeats");
        let mut cheaper = rows.clone();
        cheaper[9].cost = cheaper[9].cost.map(|c| c + 1e-6);
        assert_ne!(digest(&cheaper).checksum, base.checksum, "values");
        assert_ne!(digest(&rows[1..]), base, "loss");
    }

    #[tokio::test]
    async fn the_sentinel_counts_earlier_connections() {
        let mut sentinel = Sentinel::start().await;
        assert_eq!(sentinel.connections_before_sentinel().await, 0);
        let _a = tokio::net::TcpStream::connect(sentinel.addr).await.unwrap();
        let _b = tokio::net::TcpStream::connect(sentinel.addr).await.unwrap();
        assert_eq!(sentinel.connections_before_sentinel().await, 2);
    }
}
