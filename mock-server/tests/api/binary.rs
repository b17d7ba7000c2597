//! The `ea-mock-server` binary: start-up lines, flags and variables, readiness,
//! SIGTERM. Uses real processes and loopback sockets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ea-mock-server");

/// The binary with no `EA_MOCK_*` variables from the test's own environment.
fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("EA_MOCK_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// Starts the server and reads its two start-up lines.
fn launch(cmd: &mut Command) -> (Child, String, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let addr = first
        .trim()
        .strip_prefix("ea-mock-server listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    (child, addr, second)
}

/// A raw HTTP/1.1 GET; returns the whole response text.
fn http_get(addr: &str, path: &str, key: Option<&str>) -> String {
    http(addr, "GET", path, key)
}

/// A raw HTTP/1.1 request without a body; returns the whole response text.
fn http(addr: &str, method: &str, path: &str, key: Option<&str>) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// The JSON body of a raw response with a `Content-Length`.
fn json_body(response: &str) -> serde_json::Value {
    let body = response.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
}

fn terminate(child: &mut Child) {
    // A signal sent directly, not through a `kill` program the machine may not have (issue 9).
    let pid = rustix::process::Pid::from_child(child);
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM delivered");
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful exit on SIGTERM: {exit:?}");
}

#[test]
fn starts_prints_address_and_default_key_serves_and_stops_on_sigterm() {
    let (mut child, addr, second) =
        launch(command().args(["--port", "0", "--today", "2018-06-15"]));
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert!(second.starts_with("API key: ea-mock-key"), "{second}");
    let health = http_get(&addr, "/health", None);
    assert!(health.starts_with("HTTP/1.1 200 OK"), "{health}");
    let summary = http_get(
        &addr,
        "/v3/enrollments/100/balancesummary",
        Some("ea-mock-key"),
    );
    assert!(summary.starts_with("HTTP/1.1 200 OK"), "{summary}");
    assert!(
        summary.contains("\"billingPeriodId\":\"201806\""),
        "{summary}"
    );
    terminate(&mut child);
}

#[test]
fn environment_variables_configure_it() {
    let (mut child, addr, second) = launch(
        command()
            .env("EA_MOCK_PORT", "0")
            .env("EA_MOCK_API_KEYS", "ci-key-1,ci-key-2")
            .env("EA_MOCK_ENROLLMENTS", "555")
            .env("EA_MOCK_LOG_FORMAT", "json"),
    );
    assert_eq!(second.trim(), "API keys: 2 configured");
    let ok = http_get(&addr, "/v3/enrollments/555/pricesheet", Some("ci-key-2"));
    assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
    let denied = http_get(&addr, "/v3/enrollments/555/pricesheet", Some("ea-mock-key"));
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    terminate(&mut child);
}

#[test]
fn invalid_settings_exit_with_status_2_and_name_the_flag() {
    let output = command().args(["--fault-rate", "2"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--fault-rate") && stderr.contains("EA_MOCK_FAULT_RATE"),
        "{stderr}"
    );
}

#[test]
fn logs_are_structured_and_never_contain_the_key() {
    let mut child = command()
        .args([
            "--port",
            "0",
            "--log-format",
            "json",
            "--api-key",
            "very-secret-key",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let addr = first.trim().rsplit("http://").next().unwrap().to_owned();
    let reply = http_get(
        &addr,
        "/v3/enrollments/100/pricesheet",
        Some("very-secret-key"),
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // The log line is written once the response is; stop the server to flush stderr.
    terminate(&mut child);
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(!logs.contains("very-secret-key"), "{logs}");
    let request_line = logs
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["fields"]["path"] == "/v3/enrollments/100/pricesheet")
        .unwrap_or_else(|| panic!("no request log in {logs}"));
    assert_eq!(request_line["fields"]["status"], 200);
    assert_eq!(request_line["fields"]["operation"], "PriceSheetsV3_Get");
    assert_eq!(request_line["fields"]["key"], 0);
}

#[test]
fn report_files_are_served_on_their_own_port_and_logs_hide_the_signature() {
    let mut child = command()
        .args([
            "--port",
            "0",
            "--today",
            "2018-06-15",
            "--subscriptions",
            "1",
            "--rows-per-day",
            "1",
            "--report-delay-ms",
            "0",
            "--log-format",
            "json",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = [String::new(), String::new(), String::new()];
    for line in &mut lines {
        out.read_line(line).unwrap();
    }
    let addr = lines[0].trim().rsplit("http://").next().unwrap().to_owned();
    let blob = lines[2]
        .trim()
        .strip_prefix("report files on http://")
        .unwrap_or_else(|| panic!("unexpected third line {:?}", lines[2]))
        .to_owned();
    assert_ne!(addr, blob, "another port");
    let submitted = http(
        &addr,
        "POST",
        "/v3/enrollments/100/usagedetails/submit?startTime=2018-06-01&endTime=2018-06-02",
        Some("ea-mock-key"),
    );
    assert!(submitted.starts_with("HTTP/1.1 202"), "{submitted}");
    let report_url = json_body(&submitted)["reportUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let poll_path = &report_url[report_url.find("/v3/").unwrap()..];
    let polled = json_body(&http_get(&addr, poll_path, Some("ea-mock-key")));
    let link = polled["blobPath"].as_str().unwrap().to_owned();
    let prefix = format!("http://{blob}");
    let file = http_get(&blob, link.strip_prefix(&prefix).unwrap(), None);
    assert!(file.starts_with("HTTP/1.1 200"), "{file}");
    assert!(file.contains("\u{feff}UsageDetail Report for Date Range - 2018-06-01 - 2018-06-02"));
    terminate(&mut child);
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let sig = link.rsplit_once("sig=").unwrap().1;
    assert!(!logs.contains(sig), "{logs}");
    let blob_line = logs
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["fields"]["listener"] == "blob")
        .unwrap_or_else(|| panic!("no blob request log in {logs}"));
    let query = blob_line["fields"]["query"].as_str().unwrap();
    assert!(query.ends_with("&spr=http&sig=REDACTED"), "{query}");
    assert_eq!(blob_line["fields"]["status"], 200);
}
