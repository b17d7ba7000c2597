//! Throughput and memory of the mock as a client sees it: the release binary in its
//! own process on loopback, driven by reqwest (load) and the generated client (paging).
//!
//! 1. requests/s for a balance summary, its 304 revalidation, and a 1,000-row usage
//!    page, with `CONCURRENCY` keep-alive connections for `BENCH_SECONDS` each;
//! 2. a month of 1,001,300 usage rows paged through by one generated client, with the
//!    server's peak resident memory (VmHWM from /proc/<pid>/status).
//!
//! Run with `mock-server/bench.sh` (plain std timing, no criterion). Client and server
//! share the machine's cores, so the figures include the client's cost.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

const KEY: &str = "ea-mock-key";
const CONCURRENCY: usize = 32;

/// The server binary, built by Cargo with the bench (release) profile.
const BIN: &str = env!("CARGO_BIN_EXE_ea-mock-server");

struct Server {
    child: Child,
    base: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["--port", "0", "--today", "2018-06-15"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdout.read_line(&mut line).expect("a start-up line");
        let base = line
            .trim()
            .strip_prefix("ea-mock-server listening on ")
            .expect("the listening line")
            .to_owned();
        Server {
            child,
            base,
            _stdout: stdout,
        }
    }

    /// A `/proc/<pid>/status` field in KiB (Linux only; 0 elsewhere).
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn stop(mut self) {
        let pid = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let _ = self.child.wait();
    }
}

/// Requests per second of `uri` (must answer `expect`) over `secs` seconds.
async fn rate(
    base: &str,
    uri: &str,
    headers: &[(&str, &str)],
    expect: u16,
    secs: u64,
) -> (f64, f64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("a client");
    let url = format!("{base}{uri}");
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, stop, done, bytes) = (
            client.clone(),
            url.clone(),
            stop.clone(),
            done.clone(),
            bytes.clone(),
        );
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let mut request = client.get(&url).bearer_auth(KEY);
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                let response = request.send().await.expect("a response");
                assert_eq!(response.status().as_u16(), expect, "{url}");
                let body = response.bytes().await.expect("a body");
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (count, size) = (done.load(Ordering::Relaxed), bytes.load(Ordering::Relaxed));
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("a load task");
    }
    (count as f64 / elapsed, size as f64 / count.max(1) as f64)
}

fn main() {
    let secs: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        println!("# ea-mock-server benchmark ({} CPUs seen, {secs} s per rate, {CONCURRENCY} connections)", std::thread::available_parallelism().map_or(0, |n| n.get()));

        // Default sizes: 4 subscriptions × 20 rows a day; pages of 1,000 rows.
        let server = Server::start(&[]);
        let summary = "/v3/enrollments/100/billingperiods/201805/balancesummary";
        let page = "/v3/enrollments/100/billingPeriods/201805/usagedetails";
        let etag = reqwest::Client::new()
            .get(format!("{}{summary}", server.base))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("warm-up")
            .headers()["etag"]
            .to_str()
            .expect("ASCII")
            .to_owned();
        let (summary_rps, _) = rate(&server.base, summary, &[], 200, secs).await;
        let (not_modified_rps, _) = rate(&server.base, summary, &[("if-none-match", &etag)], 304, secs).await;
        let (page_rps, page_bytes) = rate(&server.base, page, &[], 200, secs).await;
        let small_hwm = server.status_kib("VmHWM:");
        server.stop();
        println!("| measurement | result |");
        println!("|---|---|");
        println!("| balance summary, 200 | {summary_rps:.0} req/s |");
        println!("| balance summary, 304 (If-None-Match) | {not_modified_rps:.0} req/s |");
        println!(
            "| usage page of 1,000 rows ({:.2} MB) | {page_rps:.0} req/s ({:.0} MB/s) |",
            page_bytes / 1e6,
            page_rps * page_bytes / 1e6
        );
        println!("| server peak RSS after the rate runs | {:.1} MiB |", small_hwm as f64 / 1024.0);

        // 100 subscriptions × 323 rows a day × 31 days = 1,001,300 rows in May 2018.
        let server = Server::start(&["--subscriptions", "100", "--rows-per-day", "323", "--page-size", "1000"]);
        let before = server.status_kib("VmHWM:");
        let client = ea_reporting::Client::builder()
            .base_url(&server.base)
            .api_key(KEY)
            .build()
            .expect("a client");
        let started = Instant::now();
        let mut pages = client.usage_details_v3_get_by_billing_period("100", "201805").pages();
        let (mut rows, mut count) = (0usize, 0usize);
        while let Some(page) = pages.next().await {
            rows += page.expect("a page").into_body().data.map_or(0, |d| d.len());
            count += 1;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let peak = server.status_kib("VmHWM:");
        server.stop();
        assert_eq!(rows, 1_001_300, "every row of the month");
        println!("| 1,001,300-row month paged by one client | {count} pages in {elapsed:.1} s ({:.0} rows/s) |", rows as f64 / elapsed);
        println!(
            "| server peak RSS: after start-up / after the month | {:.1} MiB / {:.1} MiB |",
            before as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    });
}
