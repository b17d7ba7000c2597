//! The Swagger UI in a real browser: headless Chromium, driven over WebDriver (chromedriver and
//! the `fantoccini` client), opens `/swagger/ui/index` on a mock started here, finds every
//! operation of the spec, takes the key typed into the page, and runs "Try it out" on the balance
//! summary and on a usage page against the mock. Every step waits for an element, never for time.
//! A screenshot goes to the test's output folder (`target/tmp/swagger-ui.png`).
//!
//! Chromium and chromedriver are Debian's `chromium` and `chromium-driver` (.ci/run installs
//! them). Without them the test says it skipped; with `CI=true` their absence fails it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::support::*;

const WAIT: Duration = Duration::from_secs(60);

/// The first of `names` found on PATH (or as an absolute path).
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        let direct = Path::new(name);
        if direct.is_absolute() && direct.is_file() {
            return Some(direct.to_path_buf());
        }
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// chromedriver, killed when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts chromedriver on a free loopback port and connects to it once it accepts sessions.
async fn browser(chromedriver: &Path, chromium: &Path) -> (Driver, Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            // The browser runs on the real clock also when .ci/calendar moves the test's.
            .env_remove("LD_PRELOAD")
            .env_remove("FAKETIME")
            .env_remove("FAKETIME_SHARED")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1400,1800",
            ],
        }),
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            // Not listening yet: readiness, polled until the deadline.
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("chromedriver did not accept a session: {e}"),
        }
    }
}

/// The operation block of `operation_id`, expanded, in "Try it out" mode.
async fn open_try_it_out(c: &Client, operation_id: &str) -> fantoccini::elements::Element {
    let block = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("div.opblock[id$='-{operation_id}']")))
        .await
        .unwrap_or_else(|e| panic!("{operation_id} is listed: {e}"));
    block
        .find(Locator::Css(".opblock-summary-control"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let try_out = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "div.opblock[id$='-{operation_id}'] button.try-out__btn"
        )))
        .await
        .unwrap();
    try_out.click().await.unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "div.opblock[id$='-{operation_id}'] button.execute"
        )))
        .await
        .unwrap();
    block
}

/// The value of the parameter input `name` of an open operation.
async fn parameter(
    block: &fantoccini::elements::Element,
    name: &str,
) -> fantoccini::elements::Element {
    block
        .find(Locator::Css(&format!("tr[data-param-name='{name}'] input")))
        .await
        .unwrap_or_else(|e| panic!("parameter {name}: {e}"))
}

/// Executes an open operation and returns the live response's status, once the page shows one
/// (a previous response is cleared first, so the status is this execution's).
async fn execute_status(c: &Client, operation_id: &str) -> String {
    let scope = format!("div.opblock[id$='-{operation_id}']");
    if let Ok(clear) = c
        .find(Locator::Css(&format!("{scope} button.btn-clear")))
        .await
    {
        clear.click().await.unwrap();
    }
    c.find(Locator::Css(&format!("{scope} button.execute")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "{scope} .live-responses-table .response .response-col_status"
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    status.trim().to_owned()
}

/// Executes an open operation and returns the live response's status and body text.
async fn execute(c: &Client, operation_id: &str) -> (String, String) {
    let scope = format!("div.opblock[id$='-{operation_id}']");
    let status = execute_status(c, operation_id).await;
    let body = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "{scope} .live-responses-table .response-col_description pre"
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_swagger_ui_lists_every_operation_and_tries_them_against_the_mock() {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = find_program(&["chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but chromium or chromedriver is missing (Debian: chromium, chromium-driver)"
        );
        eprintln!(
            "skipped: chromium and chromedriver are not installed (Debian: chromium, chromium-driver)"
        );
        return;
    };
    let mock = Mock::start(small_config(42)).await;
    let (_driver, c) = browser(&chromedriver, &chromium).await;

    c.goto(&format!("{}/swagger/ui/index", mock.url()))
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("body[data-rendered='1']"))
        .await
        .expect("the UI renders the document");

    // Every operation of the spec is listed.
    let spec: Value =
        serde_json::from_str(include_str!("../../../spec/ea-reporting-v3.json")).unwrap();
    let mut expected: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap().to_owned())
        .collect();
    let mut listed = Vec::new();
    for block in c.find_all(Locator::Css("div.opblock")).await.unwrap() {
        let id = block.attr("id").await.unwrap().unwrap_or_default();
        if let Some(op) = expected.iter().find(|op| id.ends_with(&format!("-{op}"))) {
            listed.push(op.clone());
        }
    }
    expected.sort();
    listed.sort();
    assert_eq!(
        listed, expected,
        "every operation of the spec is on the page"
    );

    // The key typed into the page reaches every operation's Authorization parameter.
    c.find(Locator::Id("ea-key-input"))
        .await
        .unwrap()
        .send_keys(KEY)
        .await
        .unwrap();
    c.find(Locator::Id("ea-key-apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("body[data-rendered='2']"))
        .await
        .expect("the UI renders again with the key");

    let summary = "BalanceSummaryV3_GetByCurrentBillingPeriod";
    let block = open_try_it_out(&c, summary).await;
    let auth = parameter(&block, "Authorization").await;
    assert_eq!(
        auth.prop("value").await.unwrap().as_deref(),
        Some(format!("bearer {KEY}").as_str())
    );
    let enrollment = parameter(&block, "enrollmentNumber").await;
    assert_eq!(
        enrollment.prop("value").await.unwrap().as_deref(),
        Some(ENROLLMENT)
    );
    let (status, body) = execute(&c, summary).await;
    assert_eq!(status, "200", "{body}");
    let body: Value = serde_json::from_str(&body).expect("the mock's JSON");
    assert!(body["billingPeriodId"].is_string(), "{body}");

    // The same with the ETag in If-None-Match: the mock's 304 reaches the page.
    let etag = mock
        .client()
        .balance_summary_v3_get_by_current_billing_period(ENROLLMENT)
        .send()
        .await
        .unwrap()
        .etag()
        .expect("an ETag");
    parameter(&block, "If-None-Match")
        .await
        .send_keys(etag.as_str())
        .await
        .unwrap();
    let status = execute_status(&c, summary).await;
    assert_eq!(status, "304");

    let usage = "UsageDetailsV3_GetByBillingPeriod";
    let block = open_try_it_out(&c, usage).await;
    parameter(&block, "billingPeriod")
        .await
        .send_keys(PERIOD)
        .await
        .unwrap();
    let (status, body) = execute(&c, usage).await;
    assert_eq!(status, "200", "{body}");
    let page: Value = serde_json::from_str(&body).expect("the mock's JSON");
    assert!(
        page["data"].as_array().is_some_and(|rows| !rows.is_empty()),
        "{body}"
    );
    assert!(page.get("nextLink").is_some());

    // The CSV download: 200, offered as a file.
    let download = "UsageDetailsDownloadV3_Get";
    let block = open_try_it_out(&c, download).await;
    parameter(&block, "billingPeriod")
        .await
        .send_keys(PERIOD)
        .await
        .unwrap();
    assert_eq!(execute_status(&c, download).await, "200");
    let link = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "div.opblock[id$='-{download}'] .live-responses-table .response-col_description a"
        )))
        .await
        .expect("a download link");
    assert!(
        link.text().await.unwrap().contains("Download"),
        "the CSV is offered as a file"
    );

    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    let shot = c.screenshot().await.unwrap();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("swagger-ui.png");
    std::fs::write(&out, shot).unwrap();
    eprintln!("screenshot: {}", out.display());
    c.close().await.unwrap();
}
