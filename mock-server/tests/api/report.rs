//! The asynchronous usage report: submit (202, queued), poll (the timeline), the signed
//! stateless id, and the blob listener (signed links, storage-style errors, the file itself).
//! Time is never waited for: reports finish at once (`--report-delay-ms 0`), stay queued (a long
//! delay), or their timeline is read at chosen instants through `report::status_at`.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Utc};
use ea_mock_server::report::{self, ReportId, ReportKeys, ReportStatus};
use ea_mock_server::{BlobRequests, Config, MockServer, app, blob_app, sas};
use futures_util::StreamExt;
use http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::common::*;
use crate::csv::{SERVICE_HEADER, assert_same_rows, records};

const BY_PERIOD: &str = "/v3/enrollments/100/usagedetails/submit?billingPeriod=201805";
const BY_RANGE: &str =
    "/v3/enrollments/100/usagedetails/submit?startTime=2018-03-01&endTime=2018-05-31";
const BOM: &str = "\u{feff}";

/// Reports that finish at once.
fn instant() -> Config {
    Config {
        report_delay_ms: 0,
        ..config()
    }
}

/// The id of a submit or poll answer.
fn id_of(reply: &Reply) -> String {
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn blob_path_of(reply: &Reply) -> String {
    reply.json()["blobPath"].as_str().unwrap().to_owned()
}

/// A GET of a blob link on the blob router, without any key.
async fn fetch(blob: &Router, link: &str) -> Reply {
    let request = Request::get(path_of(link))
        .header("host", "127.0.0.1:10000")
        .body(Body::empty())
        .unwrap();
    send(blob, request).await
}

/// Submits on `app` with the instant config and polls until (at once) finished.
async fn finished(app: &Router, uri: &str) -> Reply {
    let submitted = submit(app, uri, &[]).await;
    assert_eq!(
        submitted.status,
        StatusCode::ACCEPTED,
        "{}",
        submitted.text()
    );
    let polled = poll(app, &submitted).await;
    assert_eq!(polled.json()["status"], 3, "{}", polled.text());
    polled
}

fn parse_time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap();
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .and_utc()
}

#[tokio::test]
async fn submit_queues_by_period_or_range_and_a_poll_finds_it_completed() {
    let app = app(instant());
    for (uri, first, last) in [
        (BY_PERIOD, "2018-05-01T00:00:00", "2018-05-31T00:00:00"),
        (BY_RANGE, "2018-03-01T00:00:00", "2018-05-31T00:00:00"),
    ] {
        let before = Utc::now();
        let submitted = submit(&app, uri, &[]).await;
        assert_eq!(
            submitted.status,
            StatusCode::ACCEPTED,
            "{}",
            submitted.text()
        );
        assert_eq!(
            submitted.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(
            submitted.header("etag"),
            None,
            "answers move with the clock"
        );
        assert_eq!(
            submitted.header("retry-after"),
            Some("0"),
            "no delay: poll at once"
        );
        let report = submitted.json();
        let id = id_of(&submitted);
        assert_eq!(report["status"], 1, "queued");
        assert_eq!(report["blobPath"], "");
        assert_eq!(report["enrollmentNumber"], "100");
        assert_eq!(report["startDate"], first);
        assert_eq!(report["endDate"], last);
        assert_eq!(
            report["reportUrl"],
            format!("http://{HOST}/v3/enrollments/100/usagedetails/reports/{id}")
        );
        let requested = parse_time(&report["requestedOn"]);
        let slack = chrono::Duration::seconds(60);
        assert!(
            before - slack <= requested && requested <= Utc::now() + slack,
            "the real clock: {requested}"
        );

        let polled = poll(&app, &submitted).await;
        assert_eq!(polled.status, StatusCode::OK);
        assert_eq!(polled.header("etag"), None);
        assert_eq!(polled.header("retry-after"), None, "finished");
        let done = polled.json();
        assert_eq!(done["status"], 3);
        for field in ["id", "requestedOn", "reportUrl", "startDate", "endDate"] {
            assert_eq!(done[field], report[field], "{field}");
        }
        let link = blob_path_of(&polled);
        let prefix = format!(
            "http://127.0.0.1:10000/usage-reports/100/{id}.csv?sv=2018-03-28&sr=b&sp=r&st="
        );
        assert!(link.starts_with(&prefix), "{link}");
        assert!(link.contains("&spr=http&sig="), "{link}");
    }
}

#[tokio::test]
async fn a_slow_report_is_queued_then_in_progress_then_completed() {
    let delay = Duration::from_secs(600);
    let config = Config {
        report_delay_ms: 600_000,
        ..config()
    };
    let app = app(config.clone());
    let submitted = submit(&app, BY_PERIOD, &[]).await;
    assert_eq!(
        submitted.header("retry-after"),
        Some("200"),
        "a third of 600 s"
    );
    let polled = poll(&app, &submitted).await;
    assert_eq!(polled.json()["status"], 1);
    assert_eq!(polled.json()["blobPath"], "");
    let wait: u64 = polled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=200).contains(&wait), "{wait}");

    // The rest of the timeline, read at chosen instants from the id alone.
    let id = ReportId::decode(&id_of(&submitted), &ReportKeys::from_config(&config)).unwrap();
    let at = |secs: i64| {
        report::status_at(
            &id,
            delay,
            id.requested_on() + chrono::Duration::seconds(secs),
        )
    };
    assert_eq!(
        (at(199).status, at(199).retry_after_secs),
        (ReportStatus::Queued, Some(1))
    );
    assert_eq!(
        (at(200).status, at(200).retry_after_secs),
        (ReportStatus::InProgress, Some(400))
    );
    assert_eq!(
        (at(599).status, at(599).retry_after_secs),
        (ReportStatus::InProgress, Some(1))
    );
    assert_eq!(
        (at(600).status, at(600).retry_after_secs),
        (ReportStatus::Completed, None)
    );
}

#[tokio::test]
async fn two_instances_with_the_same_flags_answer_a_poll_byte_for_byte() {
    let (a, b) = (app(instant()), app(instant()));
    let submitted = submit(&a, BY_RANGE, &[]).await;
    let (from_a, from_b) = (poll(&a, &submitted).await, poll(&b, &submitted).await);
    assert_eq!(from_a.status, StatusCode::OK);
    assert_eq!(from_a.body, from_b.body);
    assert_eq!(from_a.headers, from_b.headers);

    for other in [
        Config {
            seed: 7,
            ..instant()
        },
        Config {
            report_secret: Some("another secret".into()),
            ..instant()
        },
    ] {
        let reply = poll(&app(other), &submitted).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
        assert_eq!(reply.json()["error"]["code"], "404");
    }

    // With a secret, the seed no longer matters for ids.
    let shared = |seed| Config {
        seed,
        report_secret: Some("shared".into()),
        ..instant()
    };
    let submitted = submit(&app(shared(1)), BY_PERIOD, &[]).await;
    let reply = poll(&app(shared(2)), &submitted).await;
    assert_eq!(reply.json()["status"], 3, "{}", reply.text());
}

#[tokio::test]
async fn a_poll_of_a_foreign_tampered_or_malformed_id_is_404() {
    let app = app(Config {
        enrollments: vec!["100".into(), "200".into()],
        ..instant()
    });
    let submitted = submit(&app, BY_PERIOD, &[]).await;
    let id = id_of(&submitted);
    let flipped = {
        let mut chars: Vec<char> = id.chars().collect();
        chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    for uri in [
        format!("/v3/enrollments/200/usagedetails/reports/{id}"),
        format!("/v3/enrollments/100/usagedetails/reports/{flipped}"),
        "/v3/enrollments/100/usagedetails/reports/not-an-id".to_owned(),
        format!(
            "/v3/enrollments/100/usagedetails/reports/{}",
            "A".repeat(2000)
        ),
    ] {
        let reply = call(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            reply.message().contains("was not found"),
            "{}",
            reply.message()
        );
    }
    let reply = call(
        &app,
        &format!("/v3/enrollments/100/usagedetails/reports/{id}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    // An enrollment the server does not serve is the 400 of every operation.
    let reply = call(
        &app,
        &format!("/v3/enrollments/999/usagedetails/reports/{id}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_blob_holds_the_rows_of_the_json_pages_after_a_bom_and_two_lines() {
    let config = instant();
    let (api, blob) = (app(config.clone()), blob_app(config));
    for (uri, title, json_uri) in [
        (
            BY_RANGE,
            "UsageDetail Report for Date Range - 2018-03-01 - 2018-05-31",
            "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-03-01&endTime=2018-05-31",
        ),
        (
            BY_PERIOD,
            "UsageDetail Report for Billing Period - 201805",
            "/v3/enrollments/100/billingPeriods/201805/usagedetails",
        ),
        (
            // Into the future: the file stops at today, like the pages.
            "/v3/enrollments/100/usagedetails/submit?startTime=2018-06-10&endTime=2018-07-31",
            "UsageDetail Report for Date Range - 2018-06-10 - 2018-07-31",
            "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-06-10&endTime=2018-07-31",
        ),
    ] {
        let polled = finished(&api, uri).await;
        let file = fetch(&blob, &blob_path_of(&polled)).await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.text());
        assert_eq!(
            file.header("content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(file.header("x-ms-blob-type"), Some("BlockBlob"));
        assert!(file.header("etag").is_some());
        let text = file.text();
        let text = text.strip_prefix(BOM).expect("a byte order mark");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        assert!(lines.iter().all(|l| l.ends_with("\r\n")), "CRLF line ends");
        assert_eq!(lines[0], format!("{title}\r\n"));
        assert_eq!(lines[1], "\r\n");
        assert_eq!(lines[2], format!("{SERVICE_HEADER}\r\n"));
        let records = records(text);
        let (rows, pages) = all_usage_rows(&api, json_uri).await;
        assert!(!rows.is_empty());
        assert_same_rows(&records[1..], &rows);
        assert!(pages >= 1);
    }
}

#[tokio::test]
async fn head_answers_the_headers_of_the_file() {
    let config = instant();
    let polled = finished(&app(config.clone()), BY_PERIOD).await;
    let request = Request::head(path_of(&blob_path_of(&polled)))
        .body(Body::empty())
        .unwrap();
    let reply = send(&blob_app(config), request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-ms-blob-type"), Some("BlockBlob"));
    assert!(reply.body.is_empty());
}

/// The XML error of a blob answer: its `<Code>` and `<AuthenticationErrorDetail>`.
fn storage_error(reply: &Reply) -> (String, String) {
    assert_eq!(reply.header("content-type"), Some("application/xml"));
    let text = reply.text();
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>"),
        "{text}"
    );
    let between = |open: &str, close: &str| {
        text.split_once(open)
            .and_then(|(_, rest)| rest.split_once(close))
            .map_or(String::new(), |(inside, _)| inside.to_owned())
    };
    let code = between("<Code>", "</Code>");
    assert_eq!(reply.header("x-ms-error-code"), Some(code.as_str()));
    (
        code,
        between(
            "<AuthenticationErrorDetail>",
            "</AuthenticationErrorDetail>",
        ),
    )
}

#[tokio::test]
async fn tampered_missing_and_expired_signatures_are_403_in_storages_xml() {
    let config = instant();
    let (api, blob) = (app(config.clone()), blob_app(config));
    let link = blob_path_of(&finished(&api, BY_PERIOD).await);
    let at_sig = link.find("sig=").unwrap() + 4;
    let flipped = if &link[at_sig..at_sig + 1] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{flipped}{}", &link[..at_sig], &link[at_sig + 1..]);
    let later = link.replace("&se=", "&se=2099-01-01T00:00:00Z&old=");
    let unsigned = link[..at_sig - 5].to_owned();
    for (bad, detail) in [
        (
            tampered,
            "Signature did not match. String to sign used was r\n",
        ),
        (later, "Signature did not match."),
        (unsigned, "Signature fields not well formed."),
    ] {
        let reply = fetch(&blob, &bad).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{bad}");
        let (code, got) = storage_error(&reply);
        assert_eq!(code, "AuthenticationFailed");
        assert!(got.starts_with(detail), "{got}");
    }

    // A link that lives 0 s is expired as soon as it is written.
    let config = Config {
        report_link_ttl_secs: 0,
        ..instant()
    };
    let link = blob_path_of(&finished(&app(config.clone()), BY_PERIOD).await);
    let reply = fetch(&blob_app(config), &link).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let (code, detail) = storage_error(&reply);
    assert_eq!(code, "AuthenticationFailed");
    assert!(detail.starts_with("Signed expiry time ["), "{detail}");
    assert!(
        reply
            .text()
            .contains("<Message>Server failed to authenticate the request."),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn unknown_paths_and_unfinished_reports_are_404_blob_not_found() {
    let config = instant();
    let blob = blob_app(config.clone());
    for path in [
        "/",
        "/usage-reports/100/x.csv",
        "/devstoreaccount1/usage-reports/100/x.csv",
    ] {
        let reply = fetch(&blob, &format!("http://127.0.0.1:10000{path}")).await;
        let status = reply.status;
        let (code, _) = storage_error(&reply);
        match path {
            // Shaped like a report file: the signature is checked first.
            "/usage-reports/100/x.csv" => assert_eq!(status, StatusCode::FORBIDDEN),
            _ => assert_eq!(
                (status, code.as_str()),
                (StatusCode::NOT_FOUND, "BlobNotFound")
            ),
        }
    }
    let request = Request::put("/usage-reports/100/x.csv")
        .body(Body::empty())
        .unwrap();
    let reply = send(&blob, request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(storage_error(&reply).0, "UnsupportedHttpVerb");

    // A correctly signed link to a report that is still queued, or that failed: no file (yet).
    let keys = ReportKeys::from_config(&config);
    let slow = Config {
        report_delay_ms: 600_000,
        ..config.clone()
    };
    let queued = submit(&app(slow.clone()), BY_PERIOD, &[]).await;
    let failed = submit(
        &app(config.clone()),
        BY_PERIOD,
        &[("x-mock-report-outcome", "failed")],
    )
    .await;
    for (reply, blob) in [(queued, blob_app(slow)), (failed, blob_app(config))] {
        let text = id_of(&reply);
        let id = ReportId::decode(&text, &keys).unwrap();
        let link = sas::blob_url(
            "http://127.0.0.1:10000",
            &sas::blob_path("100", &text),
            id.requested_on(),
            3600,
            &keys,
        );
        let reply = fetch(&blob, &link).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
        assert_eq!(storage_error(&reply).0, "BlobNotFound");
    }
}

#[tokio::test]
async fn outcomes_on_request_and_ranges_without_data() {
    let app = app(instant());
    for (outcome, status) in [("failed", 4), ("timed-out", 7), ("no-data", 5)] {
        let submitted = submit(&app, BY_PERIOD, &[("x-mock-report-outcome", outcome)]).await;
        assert_eq!(submitted.status, StatusCode::ACCEPTED);
        assert_eq!(
            submitted.json()["status"],
            1,
            "queued first, whatever the end"
        );
        let polled = poll(&app, &submitted).await;
        assert_eq!(polled.json()["status"], status, "{outcome}");
        assert_eq!(polled.json()["blobPath"], "");
        assert_eq!(polled.header("retry-after"), None);
    }
    // A range after "today" has no rows: the JSON pages are empty and the report finds no data.
    let future = "startTime=2018-07-01&endTime=2018-07-31";
    let (rows, _) = all_usage_rows(
        &app,
        &format!("/v3/enrollments/100/usagedetailsbycustomdate?{future}"),
    )
    .await;
    assert!(rows.is_empty());
    let submitted = submit(
        &app,
        &format!("/v3/enrollments/100/usagedetails/submit?{future}"),
        &[],
    )
    .await;
    assert_eq!(submitted.status, StatusCode::ACCEPTED);
    assert_eq!(poll(&app, &submitted).await.json()["status"], 5);
    // So does any range when no rows are generated at all.
    let empty = ea_mock_server::app(Config {
        rows_per_day: 0,
        ..instant()
    });
    let submitted = submit(&empty, BY_PERIOD, &[]).await;
    assert_eq!(poll(&empty, &submitted).await.json()["status"], 5);

    let reply = submit(&app, BY_PERIOD, &[("x-mock-report-outcome", "exploded")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.message().contains("x-mock-report-outcome 'exploded'"),
        "{}",
        reply.message()
    );
}

#[tokio::test]
async fn bad_submit_parameters_are_400_and_other_methods_405() {
    let app = small_app();
    for (query, want) in [
        (
            "billingPeriod=201805&startTime=2018-05-01&endTime=2018-05-02",
            "not both",
        ),
        ("", "is required"),
        ("startTime=2018-05-01", "endTime is required"),
        ("endTime=2018-05-01", "startTime is required"),
        ("startTime=2015-06-30&endTime=2018-06-01", "at most 36"),
        ("startTime=2018-05-02&endTime=2018-05-01", "is before"),
        ("billingPeriod=201807", "future"),
        ("startTime=yesterday&endTime=2018-05-01", "startTime"),
    ] {
        let reply = submit(
            &app,
            &format!("/v3/enrollments/100/usagedetails/submit?{query}"),
            &[],
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["error"]["code"], "400");
        assert!(
            reply.message().contains(want),
            "{query}: {}",
            reply.message()
        );
    }
    // 36 calendar months is the limit, not the 1 of the synchronous download.
    let reply = submit(
        &app,
        "/v3/enrollments/100/usagedetails/submit?startTime=2015-07-01&endTime=2018-06-30",
        &[],
    )
    .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    // Submit takes POST only; everything else still takes GET only.
    let reply = call(&app, BY_PERIOD).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), Some("POST"));
    for uri in [
        "/v3/enrollments/100/usagedetails/download?billingPeriod=201805",
        "/v3/enrollments/100/usagedetails/reports/abc",
        "/v3/enrollments/100/usagedetails",
    ] {
        let reply = submit(&app, uri, &[]).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
        assert_eq!(reply.header("allow"), Some("GET"), "{uri}");
    }
    // Submit needs the key like every operation.
    let anonymous = Request::post(BY_PERIOD).body(Body::empty()).unwrap();
    assert_eq!(send(&app, anonymous).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn links_follow_the_public_urls_and_times_the_timestamps_flag() {
    let config = Config {
        public_url: Some("https://ea.example/mock".into()),
        blob_public_url: Some("https://files.example:8443/".into()),
        timestamps: ea_mock_server::config::Timestamps::Rfc3339,
        ..instant()
    };
    let app = app(config);
    let submitted = submit(&app, BY_PERIOD, &[]).await;
    let report = submitted.json();
    let id = id_of(&submitted);
    assert_eq!(
        report["reportUrl"],
        format!("https://ea.example/mock/v3/enrollments/100/usagedetails/reports/{id}")
    );
    assert_eq!(report["startDate"], "2018-05-01T00:00:00Z");
    assert!(report["requestedOn"].as_str().unwrap().ends_with('Z'));
    // The poll path is the reportUrl's without the proxy's prefix.
    let polled = call(
        &app,
        &format!("/v3/enrollments/100/usagedetails/reports/{id}"),
    )
    .await;
    let link = blob_path_of(&polled);
    assert!(
        link.starts_with(&format!(
            "https://files.example:8443/usage-reports/100/{id}.csv?"
        )),
        "{link}"
    );
    // Forwarded headers name the reportUrl's origin without --public-url, as for nextLink.
    let app = ea_mock_server::app(instant());
    let request = post(BY_PERIOD)
        .header("x-forwarded-host", "proxy.example")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, request).await;
    assert!(
        reply.json()["reportUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://proxy.example/v3/"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn thirty_six_months_stream_in_small_chunks() {
    let config = instant();
    let polled = finished(
        &app(config.clone()),
        "/v3/enrollments/100/usagedetails/submit?startTime=2015-07-01&endTime=2018-06-30",
    )
    .await;
    let request = Request::get(path_of(&blob_path_of(&polled)))
        .body(Body::empty())
        .unwrap();
    let response = blob_app(config).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get("content-length"), None, "streamed");
    let mut chunks = response.into_body().into_data_stream();
    let (mut count, mut lines, mut largest) = (0usize, 0usize, 0usize);
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.unwrap();
        count += 1;
        largest = largest.max(chunk.len());
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
    }
    // 2015-07-01 to 2018-06-15 (today): 1081 days of 6 rows, and 3 lines before them.
    assert_eq!(lines, 3 + 1081 * 6);
    assert!(count > 10, "{count} chunks");
    assert!(largest < 512 * 1024, "a chunk of {largest} bytes");
}

/// Over real sockets: the client gets the blob with a plain GET, and the API key never reaches
/// the blob listener unless it is sent there on purpose.
#[tokio::test]
async fn the_key_never_reaches_the_blob_listener() {
    let server = MockServer::start(Config {
        port: 0,
        ..instant()
    })
    .await
    .unwrap();
    assert_ne!(server.blob_url(), server.url(), "another origin");
    assert_eq!(server.blob_url(), format!("http://{}", server.blob_addr()));
    let http = reqwest::Client::new();
    let submitted: Value = http
        .post(format!("{}{BY_RANGE}", server.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let report: Value = http
        .get(submitted["reportUrl"].as_str().unwrap())
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["status"], 3);
    let link = report["blobPath"].as_str().unwrap();
    assert!(link.starts_with(&server.blob_url()), "{link}");
    assert_eq!(server.blob_requests(), BlobRequests::default());

    let file = http.get(link).send().await.unwrap();
    assert_eq!(file.status(), 200);
    let bytes = file.bytes().await.unwrap();
    assert!(bytes.starts_with(BOM.as_bytes()));
    assert_eq!(
        server.blob_requests(),
        BlobRequests {
            total: 1,
            with_authorization: 0,
            with_api_key: 0,
        }
    );
    // Sent on purpose, the key is ignored (the link is the credential) but counted.
    let file = http.get(link).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(file.status(), 200);
    let unknown = http
        .get(format!(
            "{}/usage-reports/100/x.csv?k={KEY}",
            server.blob_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 403);
    assert_eq!(
        server.blob_requests(),
        BlobRequests {
            total: 3,
            with_authorization: 1,
            with_api_key: 2,
        }
    );
    server.shutdown().await.unwrap();
}
