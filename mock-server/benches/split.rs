//! The generated client over a month of usage with the mock's latency (a separate release
//! process, started by `mock-server/bench/split.sh`): the single request's `nextLink` chain
//! against the range fetched as days side by side (`stream_split`).
//!
//! ```text
//! cargo bench -p ea-mock-server --bench split -- --base http://127.0.0.1:PORT --api split --concurrency 8
//! ```
//!
//! Flags: `--base`, `--api chain|split`, `--concurrency N` (8), `--from` / `--to` (2018-05-01,
//! 2018-05-31), `--enrollment` (100), `--key` (ea-mock-key). Prints one human line and one
//! `RESULT key=value ...` line: rows, an order-sensitive checksum of (date, instanceId, meterId,
//! cost), seconds, the final concurrency limit and peak RSS (KiB).

mod support;

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use futures_util::StreamExt;
use support::{flag, status_kib};

fn day(text: &str) -> chrono::DateTime<Utc> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a day as yyyy-MM-dd");
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
}

/// FNV-1a over the row's identity, in order.
fn mix(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(base) = flag(&args, "--base") else {
        eprintln!("split bench: no --base given, skipped (see mock-server/bench/split.sh)");
        return;
    };
    let api = flag(&args, "--api").unwrap_or("split");
    let concurrency: usize =
        flag(&args, "--concurrency").map_or(8, |n| n.parse().expect("a number"));
    let from = day(flag(&args, "--from").unwrap_or("2018-05-01"));
    let to = day(flag(&args, "--to").unwrap_or("2018-05-31"));
    let enrollment = flag(&args, "--enrollment").unwrap_or("100");
    let key = flag(&args, "--key").unwrap_or("ea-mock-key");
    let client = ea_reporting::Client::builder()
        .base_url(base)
        .api_key(key)
        .build()
        .expect("a client");
    let request = client.usage_details_v3_get_by_custom_date(enrollment, from, to);
    let started = Instant::now();
    let (mut rows, mut hash) = (0u64, 0xcbf2_9ce4_8422_2325u64);
    let mut add = |row: ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly| {
        mix(
            &mut hash,
            &row.date.map_or(0, |d| d.timestamp()).to_le_bytes(),
        );
        mix(&mut hash, row.instance_id.unwrap_or_default().as_bytes());
        mix(&mut hash, row.meter_id.unwrap_or_default().as_bytes());
        mix(
            &mut hash,
            &row.cost.unwrap_or_default().to_bits().to_le_bytes(),
        );
        rows += 1;
    };
    let mut limit = 1;
    match api {
        "chain" => {
            let mut stream = request.stream();
            while let Some(row) = stream.next().await {
                add(row.expect("a row"));
            }
        }
        "split" => {
            let mut stream = request.stream_split(concurrency);
            while let Some(row) = stream.next().await {
                add(row.expect("a row"));
            }
            limit = stream.concurrency();
        }
        other => panic!("--api {other}: chain or split"),
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:");
    println!(
        "{api}: {rows} rows in {seconds:.2} s, checksum {hash:016x}, final limit {limit}, peak RSS {:.1} MiB",
        peak as f64 / 1024.0
    );
    println!(
        "RESULT api={api} rows={rows} checksum={hash:016x} seconds={seconds:.3} limit={limit} peak_rss_kib={peak}"
    );
}
