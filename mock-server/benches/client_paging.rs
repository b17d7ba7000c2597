//! The generated client paging through a month of usage served by the mock (a separate
//! release process, started by `bench/run.sh`), against the parse limit of the same
//! bytes.
//!
//! ```text
//! cargo bench -p ea-mock-server --bench client_paging -- --base http://127.0.0.1:PORT --api stream
//! ```
//!
//! `--api stream`: rows of `usage_details_v3_get_by_billing_period_stream`;
//! `--api pages`: pages of `usage_details_v3_get_by_billing_period_pages`;
//! `--api parse`: the parse limit: every page's raw body is fetched once with reqwest
//! (not timed) and `serde_json::from_slice::<PagedJsonDataTitaniumJuly>` is timed over
//! it, page by page, so memory stays at one page;
//! `--api parse-text`: the same, parsing as the client does (`std::str::from_utf8` of the
//! body, then `serde_json::from_str`), both timed: the faster way of the same parser.
//!
//! Other flags: `--enrollment` (100), `--period` (201805), `--key` (ea-mock-key),
//! `--expect-rows N` (fail unless exactly N rows were seen). Prints one human line and
//! one `RESULT key=value ...` line: rows, pages, bytes (parse only), seconds, rows/s,
//! MB/s (parse only) and this process's peak RSS (`VmHWM` of /proc/self/status, KiB).
//! Each mode runs in its own process so each peak RSS is its own.

use std::time::{Duration, Instant};

use ea_reporting::models::PagedJsonDataTitaniumJuly;
use futures_util::StreamExt;

mod support;

use support::{flag, status_kib};

struct Outcome {
    rows: u64,
    pages: u64,
    /// Body bytes parsed (parse mode only).
    bytes: u64,
    /// The timed part: the whole paging, or the parses alone.
    timed: Duration,
}

async fn with_stream(client: &ea_reporting::Client, e: &str, period: &str) -> Outcome {
    let started = Instant::now();
    let mut rows = client
        .usage_details_v3_get_by_billing_period(e, period)
        .stream();
    let mut count = 0u64;
    while let Some(row) = rows.next().await {
        let row = row.expect("a row");
        std::hint::black_box(&row);
        count += 1;
    }
    Outcome {
        rows: count,
        pages: 0,
        bytes: 0,
        timed: started.elapsed(),
    }
}

async fn with_pages(client: &ea_reporting::Client, e: &str, period: &str) -> Outcome {
    let started = Instant::now();
    let mut pages = client
        .usage_details_v3_get_by_billing_period(e, period)
        .pages();
    let (mut rows, mut count) = (0u64, 0u64);
    while let Some(page) = pages.next().await {
        let page = page.expect("a page").into_body();
        rows += page.data.as_ref().map_or(0, Vec::len) as u64;
        count += 1;
    }
    Outcome {
        rows,
        pages: count,
        bytes: 0,
        timed: started.elapsed(),
    }
}

/// How a page's body is parsed in the parse-limit modes.
#[derive(Clone, Copy)]
enum Parse {
    /// `serde_json::from_slice`: every string checked to be UTF-8 on its own.
    Bytes,
    /// The body checked to be UTF-8 once, then `serde_json::from_str`.
    Text,
}

fn parse_page(body: &[u8], how: Parse) -> PagedJsonDataTitaniumJuly {
    match how {
        Parse::Bytes => serde_json::from_slice(body).expect("a page parses"),
        Parse::Text => {
            serde_json::from_str(std::str::from_utf8(body).expect("UTF-8")).expect("a page parses")
        }
    }
}

async fn parse_limit(base: &str, key: &str, e: &str, period: &str, how: Parse) -> Outcome {
    let http = reqwest::Client::new();
    let mut url = format!("{base}/v3/enrollments/{e}/billingPeriods/{period}/usagedetails");
    let mut out = Outcome {
        rows: 0,
        pages: 0,
        bytes: 0,
        timed: Duration::ZERO,
    };
    loop {
        let response = http
            .get(&url)
            .bearer_auth(key)
            .send()
            .await
            .expect("a response");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        let body = response.bytes().await.expect("a body");
        let started = Instant::now();
        let page = parse_page(&body, how);
        out.timed += started.elapsed();
        out.bytes += body.len() as u64;
        out.rows += page.data.as_ref().map_or(0, Vec::len) as u64;
        out.pages += 1;
        match page.next_link.filter(|l| !l.is_empty()) {
            Some(next) => url = next,
            None => return out,
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = flag(&args, "--base")
        .expect("--base http://HOST:PORT of a running ea-mock-server")
        .trim_end_matches('/')
        .to_owned();
    let api = flag(&args, "--api").unwrap_or("stream").to_owned();
    let enrollment = flag(&args, "--enrollment").unwrap_or("100").to_owned();
    let period = flag(&args, "--period").unwrap_or("201805").to_owned();
    let key = flag(&args, "--key").unwrap_or("ea-mock-key").to_owned();
    let expect: Option<u64> = flag(&args, "--expect-rows").map(|n| n.parse().expect("a count"));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let outcome = runtime.block_on(async {
        let client = ea_reporting::Client::builder()
            .base_url(&base)
            .api_key(key.as_str())
            .build()
            .expect("a client");
        match api.as_str() {
            "stream" => with_stream(&client, &enrollment, &period).await,
            "pages" => with_pages(&client, &enrollment, &period).await,
            "parse" => parse_limit(&base, &key, &enrollment, &period, Parse::Bytes).await,
            "parse-text" => parse_limit(&base, &key, &enrollment, &period, Parse::Text).await,
            other => panic!("--api stream|pages|parse|parse-text, not {other:?}"),
        }
    });
    let peak_kib = status_kib("VmHWM:");
    if let Some(want) = expect {
        assert_eq!(outcome.rows, want, "rows seen with --api {api}");
    }
    let secs = outcome.timed.as_secs_f64();
    let rows_per_sec = outcome.rows as f64 / secs;
    let mb_per_sec = outcome.bytes as f64 / 1e6 / secs;
    println!(
        "client_paging --api {api}: {} rows ({} pages) in {secs:.3} s = {rows_per_sec:.0} rows/s{}; peak RSS {:.1} MiB",
        outcome.rows,
        outcome.pages,
        if outcome.bytes > 0 {
            format!(", {mb_per_sec:.0} MB/s of {} bytes", outcome.bytes)
        } else {
            String::new()
        },
        peak_kib as f64 / 1024.0
    );
    println!(
        "RESULT api={api} rows={} pages={} bytes={} secs={secs:.4} rows_per_sec={rows_per_sec:.0} mb_per_sec={mb_per_sec:.1} peak_rss_kib={peak_kib}",
        outcome.rows, outcome.pages, outcome.bytes
    );
}
