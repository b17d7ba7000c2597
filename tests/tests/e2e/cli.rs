//! The generated command-line program `ea-reporting` as a real process against the mock:
//! built once per test run by a nested `cargo build` into its own target directory, run
//! with `EA_REPORTING_API_KEY` in its environment and `--base-url` pointing at an in-process mock.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use clap::Parser;
use ea_mock_server::Config;
use ea_reporting::cli::{Cli, execute};
use ea_reporting::models::{
    BalanceSummaryV3, BillingPeriodV2, MarketplacePropertiesV3, RIPurchaseHistoryV3Properties,
};
use ea_reporting::operations::ROUTES;
use ea_reporting::runtime::cli_support::{Exit, Fields};
use serde_json::Value;

use crate::support::*;

/// The program, built once for the whole test run.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // A target directory of its own: the outer cargo holds the lock of the usual one.
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nested-target");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("tests/ is inside the workspace");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(workspace)
            .env("CARGO_TARGET_DIR", &target)
            .args([
                "build",
                "--offline",
                "-q",
                "-p",
                "ea-reporting",
                "--features",
                "cli",
                "--bin",
                "ea-reporting",
            ])
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "building ea-reporting failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let binary = target
            .join("debug")
            .join(format!("ea-reporting{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}

/// What a run of the program left behind.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout(&self) -> &str {
        std::str::from_utf8(&self.stdout).expect("UTF-8 output")
    }

    #[track_caller]
    fn assert_success(&self) -> &Self {
        assert_eq!(self.code, Some(0), "{self:#?}");
        self
    }

    /// Asserts the exit code and that stderr is one line mentioning every `words`.
    #[track_caller]
    fn assert_failure(&self, code: i32, words: &[&str]) {
        assert_eq!(self.code, Some(code), "{self:#?}");
        let lines: Vec<_> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {:?}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{:?}", lines[0]);
        for word in words {
            assert!(lines[0].contains(word), "{:?} lacks {word:?}", lines[0]);
        }
        assert!(self.stdout.is_empty(), "nothing on stdout: {self:#?}");
        assert!(!self.stderr.contains(KEY), "the key never shows");
    }
}

/// Runs the program with `args` and, if given, the API key in `EA_REPORTING_API_KEY`; the test
/// process's own `EA_*` settings are removed. Blocking work goes to the blocking pool, so
/// an in-process mock on the test's runtime keeps answering meanwhile.
async fn run(args: &[&str], key: Option<&str>) -> Run {
    run_with_env(args, key, &[]).await
}

async fn run_owned(args: Vec<String>, key: Option<&str>) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args, key).await
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

async fn run_with_env(args: &[&str], key: Option<&str>, env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let key = key.map(str::to_owned);
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(binary());
        command
            .args(&args)
            .env_remove("EA_REPORTING_API_KEY")
            .env_remove("EA_REPORTING_BASE_URL");
        if let Some(key) = key {
            command.env("EA_REPORTING_API_KEY", key);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("the program starts");
        Run {
            code: output.status.code(),
            stdout: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("the blocking task")
}

/// `BalanceSummaryV3_GetByCurrentBillingPeriod` → `balance-summary-v3-get-by-current-billing-period`.
fn kebab(operation_id: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in operation_id.chars() {
        if c == '_' {
            out.push('-');
        } else if c.is_ascii_uppercase() {
            if previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

#[tokio::test]
async fn help_lists_one_subcommand_per_operation() {
    let help = run(&["--help"], None).await;
    help.assert_success();
    let text = help.stdout();
    let commands: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // Names are indented by two spaces; wrapped descriptions by more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    let mut expected: Vec<String> = ROUTES.iter().map(|(id, _, _)| kebab(id)).collect();
    assert_eq!(expected.len(), 19);
    let mut listed: Vec<String> = commands.iter().map(|c| c.to_string()).collect();
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected, "{text}");
    for word in [
        "EA_REPORTING_API_KEY",
        "--base-url",
        "Exit codes",
        "5  throttled",
    ] {
        assert!(text.contains(word), "--help lacks {word:?}:\n{text}");
    }

    let sub = run(&["usage-details-v3-get-by-billing-period", "--help"], None).await;
    sub.assert_success();
    for flag in [
        "--enrollment-number",
        "--billing-period",
        "--format",
        "--output",
        "--etag-file",
        "/v3/enrollments/{enrollmentNumber}/billingPeriods/{billingPeriod}/usagedetails",
    ] {
        assert!(sub.stdout().contains(flag), "{flag}:\n{}", sub.stdout());
    }
}

#[tokio::test]
async fn json_jsonl_and_csv_go_to_stdout_or_to_a_file() {
    let mock = Mock::start(small_config(42)).await;
    let url = mock.url();
    let client = mock.client();
    let dir = tempfile::tempdir().unwrap();

    // JSON: the same document the client decodes.
    let prices = client.price_sheets_v3_get(ENROLLMENT).send().await.unwrap();
    let args = [
        "price-sheets-v3-get",
        "--base-url",
        &url,
        "--enrollment-number",
        "100",
    ];
    let json = run(&args, Some(KEY)).await;
    json.assert_success();
    let printed: Value = serde_json::from_slice(&json.stdout).expect("stdout is JSON");
    assert_eq!(printed, serde_json::to_value(prices.body()).unwrap());
    assert!(json.stderr.is_empty(), "{}", json.stderr);

    // JSON Lines: one row per line; the base URL may come from EA_REPORTING_BASE_URL instead.
    let market = client
        .marketplaces_v3_get_marketplaces_by_billing_period(ENROLLMENT, PERIOD)
        .send()
        .await
        .unwrap();
    let args = [
        "marketplaces-v3-get-marketplaces-by-billing-period",
        "--enrollment-number",
        "100",
        "--billing-period",
        PERIOD,
        "--format",
        "jsonl",
    ];
    let jsonl = run_with_env(&args, Some(KEY), &[("EA_REPORTING_BASE_URL", &url)]).await;
    jsonl.assert_success();
    let rows: Vec<MarketplacePropertiesV3> = jsonl
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON row"))
        .collect();
    assert_eq!(&rows, market.body());

    // CSV: a header of the model's fields, one row per item.
    let periods = client
        .billing_periods_v2_get(ENROLLMENT)
        .send()
        .await
        .unwrap();
    let args = [
        "billing-periods",
        "--base-url",
        &url,
        "--enrollment-number",
        "100",
        "--format",
        "csv",
    ];
    let csv = run(&args, Some(KEY)).await;
    csv.assert_success();
    let (header, records) = parse_csv(&csv.stdout);
    assert_eq!(header, BillingPeriodV2::FIELDS);
    assert_eq!(records.len(), periods.body().len());
    let id = column(&header, "billingPeriodId");
    for (record, period) in records.iter().zip(periods.body()) {
        assert_eq!(Some(&record[id]), period.billing_period_id.as_deref());
    }

    // The same three into files: nothing on stdout, the same bytes in the file.
    let cases: [(&[&str], &Run); 3] = [
        (
            &[
                "price-sheets-v3-get",
                "--base-url",
                &url,
                "--enrollment-number",
                "100",
            ],
            &json,
        ),
        (
            &[
                "marketplaces-v3-get-marketplaces-by-billing-period",
                "--base-url",
                &url,
                "--enrollment-number",
                "100",
                "--billing-period",
                PERIOD,
                "--format",
                "jsonl",
            ],
            &jsonl,
        ),
        (
            &[
                "billing-periods",
                "--base-url",
                &url,
                "--enrollment-number",
                "100",
                "--format",
                "csv",
            ],
            &csv,
        ),
    ];
    for (i, (args, to_stdout)) in cases.into_iter().enumerate() {
        let file = dir.path().join(format!("out-{i}"));
        let mut args = args.to_vec();
        let file_arg = file.to_str().unwrap().to_owned();
        args.extend(["--output", &file_arg]);
        let to_file = run(&args, Some(KEY)).await;
        to_file.assert_success();
        assert!(to_file.stdout.is_empty(), "{to_file:?}");
        assert_eq!(std::fs::read(&file).unwrap(), to_stdout.stdout, "{args:?}");
    }

    // An empty list: `[]`, no lines, or the header alone.
    let empty = |format: &'static str| {
        let args = owned(&[
            "reserved-instances",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--start-date",
            "2015-01-01",
            "--end-date",
            "2015-01-31",
            "--format",
            format,
        ]);
        async move { run_owned(args, Some(KEY)).await }
    };
    assert_eq!(empty("json").await.assert_success().stdout(), "[]\n");
    assert_eq!(empty("jsonl").await.assert_success().stdout(), "");
    let header_only = empty("csv").await;
    let (header, records) = parse_csv(&header_only.assert_success().stdout);
    assert_eq!(header, RIPurchaseHistoryV3Properties::FIELDS);
    assert!(records.is_empty());

    // A single object is one CSV row.
    let args = [
        "balance-summary-v3-get-by-billing-period",
        "--base-url",
        &url,
        "--enrollment-number",
        "100",
        "--billing-period",
        PERIOD,
        "--format",
        "csv",
    ];
    let balance = run(&args, Some(KEY)).await;
    balance.assert_success();
    let (header, records) = parse_csv(&balance.stdout);
    assert_eq!(records.len(), 1);
    assert_eq!(&records[0][column(&header, "billingPeriodId")], PERIOD);
    assert_eq!(header.len(), BalanceSummaryV3::FIELDS.len());
}

#[tokio::test]
async fn a_paged_month_goes_into_one_csv_file() {
    let config = small_config(42);
    let mock = Mock::start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.csv");
    let url = mock.url();
    let args = [
        "usage-details-v3-get-by-billing-period",
        "--base-url",
        &url,
        "--enrollment-number",
        "100",
        "--billing-period",
        PERIOD,
        "--format",
        "csv",
        "--output",
        file.to_str().unwrap(),
    ];
    run(&args, Some(KEY)).await.assert_success();
    let bytes = std::fs::read(&file).unwrap();
    let expected = library_rows(&config, 1, period_days());
    assert_eq!(expected.len(), 12 * 31);
    assert_eq!(
        bytes.iter().filter(|b| **b == b'\n').count(),
        expected.len() + 1,
        "one line per row plus the header"
    );
    let (header, records) = parse_csv(&bytes);
    let mut digester = Digester::default();
    expected.iter().for_each(|r| digester.add_row(r));
    assert_eq!(digest_csv(&header, &records), digester.finish());
    let pages = mock
        .api_requests()
        .iter()
        .filter(|l| l.is_clean_ok())
        .count();
    assert_eq!(pages, 10, "every page fetched once");

    // JSON: the rows of every page as one array.
    let json = run(
        &[
            "usage-details-by-billing-period",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--billing-period",
            PERIOD,
        ],
        Some(KEY),
    )
    .await;
    json.assert_success();
    let printed: Vec<ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly> =
        serde_json::from_slice(&json.stdout).expect("one JSON array");
    assert!(
        printed == expected,
        "the JSON array holds the library's rows"
    );

    // JSON Lines of the current period: 1–15 June.
    let jsonl = run(
        &[
            "usage-details-by-current-billing-period",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--format",
            "jsonl",
        ],
        Some(KEY),
    )
    .await;
    jsonl.assert_success();
    assert_eq!(jsonl.stdout().lines().count(), 12 * 15);
}

/// `--csv-layout service` turns the JSON pages into the service's own CSV layout: the same bytes
/// as the mock's download of the period, so a loader written for the real download reads it.
#[tokio::test]
async fn the_service_csv_layout_is_the_layout_of_the_download() {
    let mock = Mock::start(small_config(42)).await;
    let url = mock.url();
    let paged = run(
        &[
            "usage-details-v3-get-by-billing-period",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--billing-period",
            PERIOD,
            "--format",
            "csv",
            "--csv-layout",
            "service",
        ],
        Some(KEY),
    )
    .await;
    paged.assert_success();
    let download = mock
        .client()
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .send()
        .await
        .unwrap()
        .into_body()
        .collect_bytes()
        .await
        .unwrap();
    assert!(
        paged
            .stdout()
            .starts_with("UsageDetail Report for Billing Period - 201805\r\n\r\nAccountId,")
    );
    assert_eq!(
        paged.stdout(),
        String::from_utf8(download.to_vec()).unwrap(),
        "byte for byte the service's layout"
    );

    // Rows without a service layout, or a format that is not CSV: a usage error, nothing written.
    for args in [
        vec![
            "balance-summary-v3-get-by-billing-period",
            "--billing-period",
            PERIOD,
            "--format",
            "csv",
        ],
        vec![
            "usage-details-v3-get-by-billing-period",
            "--billing-period",
            PERIOD,
            "--format",
            "json",
        ],
    ] {
        let mut args: Vec<&str> = args;
        args.extend([
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--csv-layout",
            "service",
        ]);
        run(&args, Some(KEY))
            .await
            .assert_failure(2, &["--csv-layout service"]);
    }
}

/// The ETag of the first usage page of [`PERIOD`], asked with the client, at `version`.
#[tokio::test]
async fn the_report_subcommand_waits_and_writes_the_blob_or_its_rows() {
    let server = ea_mock_server::MockServer::start(Config {
        report_delay_ms: 0,
        blob_port: 0,
        ..small_config(42)
    })
    .await
    .unwrap();
    let url = server.url();
    let submit = |extra: &[&str]| {
        let mut args = owned(&[
            "usage-details-submit-v3-post",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--billing-period",
            PERIOD,
        ]);
        args.extend(owned(extra));
        args
    };
    // The blob as its host wrote it; the status lines on stderr (not a terminal here).
    let raw = run_owned(submit(&[]), Some(KEY)).await;
    raw.assert_success();
    assert!(
        raw.stdout.starts_with(
            "\u{feff}UsageDetail Report for Billing Period - 201805\r\n\r\nAccountId,".as_bytes()
        ),
        "{raw:?}"
    );
    assert!(raw.stderr.contains("status Queued (1)"), "{}", raw.stderr);
    assert!(
        raw.stderr.contains("status Completed (3)"),
        "{}",
        raw.stderr
    );
    assert!(
        !raw.stderr.contains("sig="),
        "the link's signature is never printed"
    );
    // Typed rows as the service-layout CSV: the same file without the byte order mark.
    let rows = run_owned(
        submit(&["--format", "csv", "--csv-layout", "service"]),
        Some(KEY),
    )
    .await;
    rows.assert_success();
    assert_eq!(rows.stdout, raw.stdout["\u{feff}".len()..].to_vec());
    // JSON Lines: one row per line, the month's 372 rows.
    let lines = run_owned(submit(&["--format", "jsonl"]), Some(KEY)).await;
    lines.assert_success();
    assert_eq!(lines.stdout().lines().count(), 12 * 31);
    // --no-wait: the report object only.
    let queued = run_owned(submit(&["--no-wait"]), Some(KEY)).await;
    queued.assert_success();
    let report: Value = serde_json::from_str(queued.stdout()).unwrap();
    assert_eq!(report["status"], 1);
    assert!(report["reportUrl"].as_str().unwrap().starts_with(&url));
    // A usage error comes before any request.
    let bad = run_owned(submit(&["--csv-layout", "service"]), Some(KEY)).await;
    assert_eq!(bad.code, Some(Exit::Usage as i32), "{bad:?}");
    assert_eq!(server.blob_requests().with_authorization, 0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_custom_range_is_fetched_in_days_with_the_same_rows() {
    let mock = Mock::start(small_config(42)).await;
    let url = mock.url();
    let range = |concurrency: &str| {
        owned(&[
            "usage-details-v3-get-by-custom-date",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--start-time",
            "2018-05-01",
            "--end-time",
            "2018-05-10",
            "--format",
            "jsonl",
            "--concurrency",
            concurrency,
        ])
    };
    let chain = run_owned(range("1"), Some(KEY)).await;
    chain.assert_success();
    let days = run_owned(range("6"), Some(KEY)).await;
    days.assert_success();
    assert_eq!(chain.stdout().lines().count(), 12 * 10);
    assert_eq!(
        days.stdout(),
        chain.stdout(),
        "the same rows in the same order"
    );
    // --etag-file needs the single request.
    let mut conditional = range("6");
    conditional.extend(owned(&["--etag-file", "/nonexistent/dir/x.etag"]));
    let refused = run_owned(conditional, Some(KEY)).await;
    assert_ne!(refused.code, Some(0), "{refused:?}");
    mock.shutdown().await;
}

async fn first_page_tag(mock: &Mock, version: u64) -> String {
    assert_eq!(mock.state().data_version(), version);
    mock.client()
        .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .send()
        .await
        .unwrap()
        .etag()
        .unwrap()
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn an_etag_file_makes_runs_conditional() {
    let mock = Mock::start(small_config(42)).await;
    let url = mock.url();
    let dir = tempfile::tempdir().unwrap();
    let (out, tag_file) = (dir.path().join("usage.csv"), dir.path().join("usage.etag"));
    let run_into = |output: &Path| {
        let args = owned(&[
            "usage-details-v3-get-by-billing-period",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--billing-period",
            PERIOD,
            "--format",
            "csv",
            "--output",
            output.to_str().unwrap(),
            "--etag-file",
            tag_file.to_str().unwrap(),
        ]);
        async move { run_owned(args, Some(KEY)).await }
    };
    let read_tag = || {
        std::fs::read_to_string(&tag_file)
            .unwrap()
            .trim()
            .to_owned()
    };

    // First run: the data and the ETag of the first page.
    run_into(&out).await.assert_success();
    let first = std::fs::read(&out).unwrap();
    assert_eq!(parse_csv(&first).1.len(), 12 * 31);
    let tag = read_tag();
    assert_eq!(tag, first_page_tag(&mock, 1).await);

    // Second run: 304, exit 0, nothing written anywhere, a note on stderr.
    let elsewhere = dir.path().join("second.csv");
    let second = run_into(&elsewhere).await;
    second.assert_success();
    assert!(second.stdout.is_empty());
    assert!(
        second.stderr.contains("not modified"),
        "{:?}",
        second.stderr
    );
    assert!(!elsewhere.exists(), "a 304 writes no output file");
    assert_eq!(read_tag(), tag, "the ETag file is unchanged");
    let last = mock.api_requests().last().cloned().unwrap();
    assert_eq!(last.status, 304);
    assert_eq!(last.if_none_match.as_deref(), Some(tag.as_str()));
    let unchanged = run_into(&out).await;
    unchanged.assert_success();
    assert_eq!(std::fs::read(&out).unwrap(), first, "the old output stays");

    // After a data-version bump: written again, and the ETag file follows.
    assert_eq!(set_data_version(&url, None).await, 2);
    let third = run_into(&out).await;
    third.assert_success();
    assert!(!third.stderr.contains("not modified"), "{:?}", third.stderr);
    let rewritten = std::fs::read(&out).unwrap();
    assert_ne!(rewritten, first, "new costs under data version 2");
    assert_eq!(parse_csv(&rewritten).1.len(), 12 * 31);
    let new_tag = read_tag();
    assert_ne!(new_tag, tag);
    assert_eq!(new_tag, first_page_tag(&mock, 2).await);
}

#[tokio::test]
async fn the_csv_download_with_an_etag_file() {
    let mock = Mock::start(small_config(42)).await;
    let url = mock.url();
    let dir = tempfile::tempdir().unwrap();
    let (out, tag_file) = (dir.path().join("d.csv"), dir.path().join("d.etag"));
    let args = [
        "usage-details-download",
        "--base-url",
        &url,
        "--enrollment-number",
        "100",
        "--billing-period",
        PERIOD,
        "--output",
        out.to_str().unwrap(),
        "--etag-file",
        tag_file.to_str().unwrap(),
    ];
    run(&args, Some(KEY)).await.assert_success();
    let downloaded = std::fs::read(&out).unwrap();
    let direct = mock
        .client()
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .send()
        .await
        .unwrap();
    let tag = direct.etag().unwrap();
    assert_eq!(
        downloaded,
        direct.into_body().collect_bytes().await.unwrap(),
        "written byte for byte"
    );
    assert_eq!(
        std::fs::read_to_string(&tag_file).unwrap().trim(),
        tag.as_str()
    );

    std::fs::remove_file(&out).unwrap();
    let again = run(&args, Some(KEY)).await;
    again.assert_success();
    assert!(again.stderr.contains("not modified"), "{again:?}");
    assert!(!out.exists());

    set_data_version(&url, None).await;
    run(&args, Some(KEY)).await.assert_success();
    assert!(out.exists());
    assert_ne!(
        std::fs::read_to_string(&tag_file).unwrap().trim(),
        tag.as_str()
    );
}

#[tokio::test]
async fn failures_are_one_line_with_an_exit_code_per_class() {
    let mock = Mock::start(small_config(42)).await;
    let url = mock.url();
    let billing = |enrollment: &str, url: &str| {
        owned(&[
            "billing-periods",
            "--base-url",
            url,
            "--enrollment-number",
            enrollment,
        ])
    };

    // 401: a key the mock does not know.
    run_owned(billing("100", &url), Some("wrong-key"))
        .await
        .assert_failure(3, &["401", "not valid"]);
    // Unknown enrollment: the mock answers 400, a bad request.
    run_owned(billing("999", &url), Some(KEY))
        .await
        .assert_failure(1, &["400", "invalid EA number"]);
    // A bad billing period: 400 too.
    run_owned(
        owned(&[
            "price-sheets-by-billing-period",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
            "--billing-period",
            "201313",
        ]),
        Some(KEY),
    )
    .await
    .assert_failure(1, &["400", "billingPeriod"]);
    // No EA_REPORTING_API_KEY: a usage error, and nothing is sent.
    let before = mock.api_requests().len();
    let missing = run_owned(billing("100", &url), None).await;
    missing.assert_failure(2, &["EA_REPORTING_API_KEY"]);
    assert_eq!(
        mock.api_requests().len(),
        before,
        "nothing sent without a key"
    );
    // An unknown flag: clap's usage error, also 2.
    let unknown = run(&["billing-periods", "--no-such-flag"], Some(KEY)).await;
    assert_eq!(unknown.code, Some(2), "{unknown:?}");
    assert_eq!(mock.statuses(), [401, 400, 400]);

    // Local failures: an output file that cannot be written, an ETag file without an ETag.
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("no-such-dir").join("out.json");
    let mut v = billing("100", &url);
    v.extend(["--output".to_owned(), nowhere.to_str().unwrap().to_owned()]);
    run_owned(v, Some(KEY))
        .await
        .assert_failure(1, &["no-such-dir"]);
    let garbage = dir.path().join("garbage.etag");
    std::fs::write(&garbage, "not an etag").unwrap();
    let mut v = billing("100", &url);
    v.extend([
        "--etag-file".to_owned(),
        garbage.to_str().unwrap().to_owned(),
    ]);
    run_owned(v, Some(KEY))
        .await
        .assert_failure(1, &["garbage.etag", "ETag"]);
    assert_eq!(
        mock.statuses(),
        [401, 400, 400, 200],
        "the bad ETag file stops the run early"
    );

    // Forced statuses, each on a mock of its own; the default policy retries 3 times.
    for (status, code, attempts) in [(404, 4, 1), (429, 5, 4), (503, 6, 4), (500, 6, 4)] {
        let forced = Mock::forcing(small_config(42), Force::always(status)).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("kept.json");
        std::fs::write(&out, "previous run").unwrap();
        let mut v = billing("100", &forced.url());
        v.extend(["--output".to_owned(), out.to_str().unwrap().to_owned()]);
        run_owned(v, Some(KEY))
            .await
            .assert_failure(code, &[&status.to_string()]);
        assert_eq!(forced.statuses(), vec![status; attempts], "{status}");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "previous run",
            "a failed run leaves the previous output in place"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left behind"
        );
    }
}

#[tokio::test]
async fn connection_refused_is_a_network_failure() {
    // Bound but never listening: refused, and the port is not handed to another test meanwhile.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}", socket.local_addr().unwrap());
    let refused = run(
        &[
            "billing-periods",
            "--base-url",
            &url,
            "--enrollment-number",
            "100",
        ],
        Some(KEY),
    )
    .await;
    refused.assert_failure(7, &[]);
    assert!(
        refused.stderr.to_lowercase().contains("connect"),
        "{:?}",
        refused.stderr
    );
}

/// The library entry point of the program, in-process: `execute` takes the key as an
/// argument, so no environment variable is needed.
#[tokio::test]
async fn execute_runs_a_parsed_command_in_process() {
    let mock = Mock::start(Config {
        page_size: 100,
        ..small_config(42)
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.jsonl");
    let url = mock.url();
    let parse = |key_file: &Path| {
        Cli::try_parse_from([
            "ea-reporting",
            "--base-url",
            &url,
            "usage-details-by-custom-date",
            "--enrollment-number",
            "100",
            "--start-time",
            "2018-05-01",
            "--end-time",
            "2018-05-31T00:00:00Z",
            "--format",
            "jsonl",
            "--concurrency",
            "1",
            "--output",
            key_file.to_str().unwrap(),
        ])
        .expect("valid flags")
    };
    execute(parse(&file), KEY).await.expect("the command runs");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), 12 * 31);
    assert_eq!(
        mock.api_requests().len(),
        4,
        "372 rows in pages of 100: the single chain"
    );

    let error = execute(parse(&dir.path().join("never.jsonl")), "wrong-key")
        .await
        .unwrap_err();
    assert_eq!(error.exit(), Exit::Auth);
    assert!(error.to_string().contains("401"), "{error}");
    assert!(!dir.path().join("never.jsonl").exists());
}
