//! The request journal under load.
//!
//! Without flags (as `cargo bench --workspace` runs it): the in-process cost of journaling one
//! request into a full 10,000-entry ring, the time to list the ring, and the heap it holds.
//!
//! With `--base URL` (as `mock-server/bench/journal.sh` runs it, against a release mock started
//! with `--journal-size 10000`): a bounded soak, `--requests N` (100,000) requests over
//! `--concurrency C` (8) loopback connections, a mix of balance summaries, `If-None-Match`
//! round trips, price sheets, usage pages and refused keys, each with a header of its own (so
//! no two entries are alike). Prints one human line and one `RESULT key=value ...` line.
//!
//! ```text
//! cargo bench -p ea-mock-server --bench journal
//! cargo bench -p ea-mock-server --bench journal -- --base http://127.0.0.1:PORT --requests 100000
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ea_mock_server::journal::{BodyBytes, Filter, Journal, Kept, Received};
use ea_mock_server::keys::KeyRing;
use http::{HeaderMap, HeaderValue, Method};

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

/// A `/proc/self/status` field in KiB (0 where there is no /proc).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The headers of a typical client request (six), as hyper hands them to the mock.
fn request_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", "127.0.0.1:8080"),
        ("user-agent", "ea-reporting/0.1.0"),
        ("accept", "application/json"),
        ("authorization", "bearer ea-mock-key"),
        ("if-none-match", "\"00000000000000aa\""),
        ("x-request-id", "bench-1"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
}

/// What the journal's middleware keeps of one request: its target and headers copied into one
/// buffer and checked for keys, the rest references and numbers.
fn received(key_ring: &KeyRing, headers: &HeaderMap, key: &Arc<str>) -> Received {
    Received {
        time: std::time::SystemTime::now(),
        listener: "api",
        method: Method::GET,
        kept: Kept::new(
            key_ring,
            "/v3/enrollments/100/billingperiods/201805/balancesummary",
            headers,
        ),
        operation: Some("BalanceSummaryV3_GetByBillingPeriod"),
        key: Some(key.clone()),
        status: 200,
        bytes: BodyBytes::Exact(612),
        fault: None,
    }
}

fn in_process() {
    const RING: usize = 10_000;
    const PUSHES: u64 = 300_000;
    let key_ring = KeyRing::new(&["ea-mock-key".to_owned()], &[], None);
    let headers = request_headers();
    let key: Arc<str> = "key-1".into();
    let before = status_kib("VmRSS:");
    let journal = Journal::new(RING);
    let started = Instant::now();
    for _ in 0..PUSHES {
        journal.push(received(&key_ring, &headers, &key));
    }
    let took = started.elapsed();
    let listed_at = Instant::now();
    let listing = journal.listing_json(&Filter::default());
    let listed = listed_at.elapsed();
    let kept = journal.entries(&Filter::default()).len();
    let after = status_kib("VmRSS:");
    println!(
        "journal push: {PUSHES} requests into a ring of {RING}: {:.0} ns/request (what the \
         middleware does: target and headers copied and checked for keys, the entry kept, the \
         oldest dropped); {kept} kept; listing them: {:.1} ms, {:.1} MiB of JSON; RSS grew by {:.1} MiB",
        took.as_nanos() as f64 / PUSHES as f64,
        listed.as_secs_f64() * 1e3,
        listing.len() as f64 / 1_048_576.0,
        after.saturating_sub(before) as f64 / 1024.0
    );
}

/// The n-th request of the soak: its path and extra headers.
fn request(n: u64) -> (String, Vec<(&'static str, String)>) {
    let id = ("x-request-id", format!("soak-{n}"));
    let period = format!("2018{:02}", n % 5 + 1);
    match n % 10 {
        0 => (
            format!("/v3/enrollments/100/billingPeriods/{period}/usagedetails"),
            vec![id],
        ),
        1 | 2 => (
            format!("/v3/enrollments/100/billingperiods/{period}/pricesheet"),
            vec![id],
        ),
        3 => (
            format!("/v3/enrollments/100/billingperiods/{period}/balancesummary"),
            vec![id, ("if-none-match", "\"0000000000000000\"".into())],
        ),
        4 => ("/v3/enrollments/999/balancesummary".into(), vec![id]),
        _ => (
            format!("/v3/enrollments/100/billingperiods/{period}/balancesummary"),
            vec![id],
        ),
    }
}

async fn soak(base: &str, requests: u64, concurrency: u64, key: &str) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency as usize)
        .build()
        .expect("a client");
    let next = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, next, bytes, errors) =
                (client.clone(), next.clone(), bytes.clone(), errors.clone());
            let (base, key) = (base.to_owned(), key.to_owned());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= requests {
                        break;
                    }
                    let (path, headers) = request(n);
                    let mut builder = client
                        .get(format!("{base}{path}"))
                        .header("authorization", format!("bearer {key}"));
                    for (name, value) in headers {
                        builder = builder.header(name, value);
                    }
                    match builder.send().await {
                        Ok(response) => match response.bytes().await {
                            Ok(body) => {
                                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                            }
                            Err(_) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                        },
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a worker finished");
    }
    let seconds = started.elapsed().as_secs_f64();
    let (bytes, errors) = (
        bytes.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
    );
    println!(
        "journal soak: {requests} requests over {concurrency} connections in {seconds:.1} s \
         ({:.0} requests/s, {:.1} MiB of bodies, {errors} transport errors)",
        requests as f64 / seconds,
        bytes as f64 / 1_048_576.0
    );
    println!(
        "RESULT requests={requests} seconds={seconds:.2} requests_per_s={:.0} bytes={bytes} \
         errors={errors}",
        requests as f64 / seconds
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(base) = flag(&args, "--base") else {
        in_process();
        return;
    };
    let requests = flag(&args, "--requests").map_or(100_000, |n| n.parse().expect("a count"));
    let concurrency = flag(&args, "--concurrency").map_or(8, |n| n.parse().expect("a count"));
    let key = flag(&args, "--key").unwrap_or("ea-mock-key");
    soak(base.trim_end_matches('/'), requests, concurrency, key).await;
}
