//! The generated client through a 36-month asynchronous usage report served by the mock (a
//! separate release process, started by `mock-server/bench/report.sh`): submit, poll, then the
//! blob's typed rows (or its raw bytes), counted as they stream.
//!
//! ```text
//! cargo bench -p ea-mock-server --bench report -- --base http://127.0.0.1:PORT --from 2015-06-01 --to 2018-05-31
//! ```
//!
//! Flags: `--base` (the API), `--from` / `--to` (the range, days), `--enrollment` (100), `--key`
//! (ea-mock-key), `--api rows|raw` (typed rows, default, or the blob's bytes), `--expect-rows N`
//! (fail unless exactly N rows were seen). Prints one human line and one `RESULT key=value ...`
//! line: rows, bytes, seconds, rows/s and this process's peak RSS (`VmHWM`, KiB).

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use futures_util::StreamExt;

mod support;

use support::{flag, status_kib};

fn day(text: &str) -> chrono::DateTime<Utc> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a day as yyyy-MM-dd");
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(base) = flag(&args, "--base") else {
        // `cargo bench --workspace` runs every bench target without flags: nothing to do.
        eprintln!("report bench: no --base given, skipped (see mock-server/bench/report.sh)");
        return;
    };
    let from = day(flag(&args, "--from").unwrap_or("2015-06-01"));
    let to = day(flag(&args, "--to").unwrap_or("2018-05-31"));
    let enrollment = flag(&args, "--enrollment").unwrap_or("100");
    let key = flag(&args, "--key").unwrap_or("ea-mock-key");
    let api = flag(&args, "--api").unwrap_or("rows");
    let expect: Option<u64> = flag(&args, "--expect-rows").map(|n| n.parse().expect("a count"));
    let client = ea_reporting::Client::builder()
        .base_url(base)
        .api_key(key)
        .build()
        .expect("a client");
    let started = Instant::now();
    let finished = client
        .usage_details_submit_v3_post(enrollment)
        .start_time(from)
        .end_time(to)
        .wait()
        .await
        .expect("the report finishes");
    let waited = started.elapsed();
    let (mut rows, mut bytes) = (0u64, 0u64);
    match api {
        "rows" => {
            let mut stream = finished.rows().await.expect("the blob").into_body();
            while let Some(row) = stream.next().await {
                std::hint::black_box(&row.expect("a row"));
                rows += 1;
            }
        }
        "raw" => {
            let mut body = finished.download().await.expect("the blob").into_body();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("a chunk");
                bytes += chunk.len() as u64;
                rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
            }
            rows = rows.saturating_sub(3); // the title, the blank line, the header
        }
        other => panic!("--api {other}: rows or raw"),
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:");
    println!(
        "report {api}: {rows} rows in {seconds:.2} s ({:.0} rows/s; waited {:.2} s), peak RSS {:.1} MiB",
        rows as f64 / seconds,
        waited.as_secs_f64(),
        peak as f64 / 1024.0
    );
    println!(
        "RESULT api={api} rows={rows} bytes={bytes} seconds={seconds:.3} rows_per_s={:.0} peak_rss_kib={peak}",
        rows as f64 / seconds
    );
    if let Some(n) = expect {
        assert_eq!(rows, n, "rows of the report");
    }
}
