//! Rendering speed of the mock's large bodies on one core, in process (no sockets): the
//! chunks of usage JSON pages and of the CSV download, exactly as the server sends them.
//! This is the "per core" part of the payload figures; `bench/run.sh` also measures them
//! over HTTP with wrk.
//!
//! ```text
//! cargo bench -p ea-mock-server --bench render
//! ```
//!
//! Flags: `--rows N` (rows rendered per kind, default 200,000), `--kind json|csv|both`;
//! `--kind summary --router mock|served|bare|service|all` times balance summaries through the
//! router and the served API (`ea_mock_server::served`), and a constant answer through a bare
//! router and a bare service instead (`--rows` of each).
//! Prints one `RESULT kind=... rows=... bytes=... secs=... mb_per_sec=... rows_per_sec=...`
//! line per kind. Default sizes (`Config::default()`: 4 subscriptions × 20 rows a day),
//! May 2018, data version 1.

use ea_mock_server::wire::Timestamps;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use ea_mock_server::Config;
use ea_mock_server::body::Payload;
use ea_mock_server::domain::Days;
use ea_mock_server::render::{csv, usage};
use ea_mock_server::resolve::CsvTitle;
use ea_mock_server::state::Enrollment;
use ea_mock_server::universe;

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

/// Bytes of every chunk of `payload`.
fn drain(payload: Payload) -> u64 {
    match payload {
        Payload::Bytes(bytes) => bytes.len() as u64,
        Payload::Document(doc) => doc.map(|chunk| chunk.len() as u64).sum(),
    }
}

/// CPU seconds (user + system) of this process so far, from /proc/self/stat (0 where
/// there is none); 100 ticks a second, as on every Linux this runs on.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// Wall and CPU time since `started` (CPU time so the figure holds on a busy machine).
fn report(kind: &str, rows: u64, bytes: u64, started: (Instant, f64)) {
    let secs = started.0.elapsed().as_secs_f64();
    let cpu = cpu_secs() - started.1;
    let per_cpu = if cpu > 0.0 {
        bytes as f64 / 1e6 / cpu
    } else {
        0.0
    };
    println!(
        "render {kind}: {rows} rows, {bytes} bytes in {secs:.3} s ({cpu:.2} CPU s) = {:.0} MB/s, {per_cpu:.0} MB per CPU-second, {:.0} rows/s (one thread)",
        bytes as f64 / 1e6 / secs,
        rows as f64 / secs
    );
    println!(
        "RESULT kind={kind} rows={rows} bytes={bytes} secs={secs:.4} cpu_secs={cpu:.2} mb_per_sec={:.1} mb_per_cpu_sec={per_cpu:.1} rows_per_sec={:.0}",
        bytes as f64 / 1e6 / secs,
        rows as f64 / secs
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = flag(&args, "--rows").map_or(200_000, |n| n.parse().expect("a count"));
    let kind = flag(&args, "--kind").unwrap_or("both");
    let config = Config::default();
    let e = Arc::new(Enrollment::build(&config, "100"));
    let seed = universe::data_seed(config.seed, config.data_version);
    let may = Days::new(
        NaiveDate::from_ymd_opt(2018, 5, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2018, 5, 31).expect("a date"),
    );
    let month = usage::row_count(&e, may);
    let page = (config.page_size as u64).min(month);

    if matches!(kind, "json" | "both") {
        // Warm-up: one page.
        drain(usage::usage_page(
            e.clone(),
            seed,
            may,
            0..page,
            "id",
            None,
            Timestamps::Service,
        ));
        let started = (Instant::now(), cpu_secs());
        let (mut done, mut bytes) = (0u64, 0u64);
        while done < rows {
            let start = done % month;
            let end = (start + page).min(month);
            let link = "http://127.0.0.1:8080/v3/enrollments/100/billingPeriods/201805/usagedetails?$skiptoken=000000000000000000000000000003e8";
            bytes += drain(usage::usage_page(
                e.clone(),
                seed,
                may,
                start..end,
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                Some(link),
                Timestamps::Service,
            ));
            done += end - start;
        }
        report("json", done, bytes, started);
    }
    if kind == "summary" {
        summary(rows, flag(&args, "--router").unwrap_or("both"));
        return;
    }
    if matches!(kind, "csv" | "both") {
        let title = CsvTitle::Range(may);
        drain(csv::usage_csv(
            e.clone(),
            seed,
            Days::new(may.first, may.first),
            title,
        ));
        let started = (Instant::now(), cpu_secs());
        let (mut done, mut bytes) = (0u64, 0u64);
        while done < rows {
            bytes += drain(csv::usage_csv(e.clone(), seed, may, title));
            done += month;
        }
        report("csv", done, bytes, started);
    }
}

/// Time of one balance summary through the whole router, through the served API, and of a
/// constant answer through a bare router, for comparison.
fn summary(n: u64, which: &str) {
    use axum::body::Body;
    use tower::ServiceExt;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let config = Config {
        today: NaiveDate::from_ymd_opt(2018, 6, 15),
        ..Config::default()
    };
    let app = ea_mock_server::app(config.clone());
    let served = ea_mock_server::served(ea_mock_server::state::AppState::new(&config));
    let bare = axum::Router::new().fallback(|| async { bytes::Bytes::from_static(&[b'x'; 513]) });
    // The same constant without axum's router, as the served API skips it.
    let service = tower::service_fn(|_: http::Request<Body>| async {
        let body = Body::from(bytes::Bytes::from_static(&[b'x'; 513]));
        Ok::<_, std::convert::Infallible>(axum::response::Response::new(body))
    });
    let request = || {
        http::Request::get("/v3/enrollments/100/billingperiods/201805/balancesummary")
            .header("authorization", "bearer ea-mock-key")
            .body(Body::empty())
            .expect("a request")
    };
    // One loop for each: the service is cloned per request, as a server does.
    async fn time<S>(name: &str, service: S, n: u64, request: impl Fn() -> http::Request<Body>)
    where
        S: tower::Service<http::Request<Body>, Response = axum::response::Response> + Clone,
        S::Error: std::fmt::Debug,
    {
        let round = |count: u64| {
            let service = service.clone();
            let request = &request;
            async move {
                for _ in 0..count {
                    let answer = service.clone().oneshot(request()).await;
                    std::hint::black_box(answer.expect("infallible"));
                }
            }
        };
        round(1000).await;
        let started = Instant::now();
        round(n).await;
        let ns = started.elapsed().as_nanos() as f64 / n as f64;
        println!("{name}: {ns:.0} ns per balance summary request, in process");
    }
    let wanted = |name: &str| which == "all" || which == "both" || which == name;
    runtime.block_on(async {
        if wanted("mock") {
            time("mock", app, n, request).await;
        }
        if wanted("served") {
            time("served", served, n, request).await;
        }
        if wanted("bare") {
            time("bare", bare, n, request).await;
        }
        if wanted("service") {
            time("service", service, n, request).await;
        }
    });
}
