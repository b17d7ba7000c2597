//! The asynchronous usage report, end to end: the generated client submits, polls and downloads
//! from the mock's blob listener (another origin), and the blob's rows are the JSON pages' rows.

use chrono::{DateTime, Duration as Span, Utc};
use ea_mock_server::{Config, MockServer};
use ea_reporting::models::{UsageDetailsDeNormalizedTitaniumJuly as UsageRow, UsageReportV3};
use ea_reporting::runtime::long_running::{Event, Poller};
use ea_reporting::runtime::{ApiRequest, Error};
use futures_util::{StreamExt, TryStreamExt};

use crate::support::{Digest, Digester, ENROLLMENT, KEY, PERIOD, at, client, small_config};

/// A mock whose reports finish at once, serving its blobs on a port of their own.
fn config() -> Config {
    Config {
        report_delay_ms: 0,
        blob_port: 0,
        ..small_config(42)
    }
}

fn digest(rows: &[UsageRow]) -> Digest {
    let mut digester = Digester::default();
    rows.iter().for_each(|r| digester.add_row(r));
    digester.finish()
}

/// The rows of the JSON pages of a range, in order.
async fn json_rows(url: &str, first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<UsageRow> {
    client(url)
        .usage_details_v3_get_by_custom_date(ENROLLMENT, first, last)
        .stream()
        .try_collect()
        .await
        .expect("every page arrives")
}

async fn blob_rows(
    finished: &ea_reporting::runtime::long_running::Finished<UsageReportV3, UsageRow>,
) -> Vec<UsageRow> {
    finished
        .rows()
        .await
        .expect("the blob download starts")
        .into_body()
        .try_collect()
        .await
        .expect("every row of the blob reads")
}

#[tokio::test]
async fn a_billing_period_report_holds_the_rows_of_the_json_pages_once() {
    let server = MockServer::start(config()).await.unwrap();
    let client = client(&server.url());
    let mut states = Vec::new();
    let finished = client
        .usage_details_submit_v3_post(ENROLLMENT)
        .billing_period(PERIOD)
        .wait()
        .on_progress({
            let (tx, rx) = std::sync::mpsc::channel();
            states.push(rx);
            move |p| tx.send(p.status.name).unwrap()
        })
        .await
        .expect("the report finishes");
    let seen: Vec<_> = states.pop().unwrap().try_iter().collect();
    assert_eq!(seen.first(), Some(&Some("Queued")), "{seen:?}");
    assert_eq!(seen.last(), Some(&Some("Completed")), "{seen:?}");
    assert_eq!(finished.status.name, Some("Completed"));
    let report = &finished.report;
    assert_eq!(report.enrollment_number.as_deref(), Some(ENROLLMENT));
    assert_eq!(report.start_date, Some(at(2018, 5, 1)));
    assert_eq!(report.end_date, Some(at(2018, 5, 31)));
    assert!(
        finished.result_location().starts_with(&server.blob_url()),
        "the blob is on the blob listener: {}",
        finished.result_location()
    );
    assert_ne!(server.blob_url(), server.url(), "another origin");

    // The raw blob: a byte order mark, the title line, a blank line, then the header; CRLF.
    let raw = finished
        .download()
        .await
        .unwrap()
        .into_body()
        .collect_bytes()
        .await
        .unwrap();
    assert!(raw.starts_with(
        "\u{feff}UsageDetail Report for Billing Period - 201805\r\n\r\nAccountId,".as_bytes()
    ));
    assert!(
        !raw.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
        "CRLF only"
    );

    let blob = blob_rows(&finished).await;
    let json = json_rows(&server.url(), at(2018, 5, 1), at(2018, 5, 31)).await;
    assert_eq!(blob.len(), 12 * 31);
    assert_eq!(
        digest(&blob),
        digest(&json),
        "the same rows, once each, in order"
    );
    assert_eq!(blob, json, "every field survives the CSV");

    let seen = server.blob_requests();
    assert_eq!(seen.total, 2, "the raw download and the rows");
    assert_eq!(seen.with_authorization, 0, "the key never reaches the blob");
    assert_eq!(seen.with_api_key, 0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_three_month_range_report_streams_as_events() {
    let server = MockServer::start(config()).await.unwrap();
    let client = client(&server.url());
    let (first, last) = (at(2018, 2, 1), at(2018, 4, 30));
    let events: Vec<_> = client
        .usage_details_submit_v3_post(ENROLLMENT)
        .start_time(first)
        .end_time(last)
        .wait()
        .progress()
        .collect()
        .await;
    let Some(Ok(Event::Finished(finished))) = events.last() else {
        panic!("the stream ends with the finished report: {events:?}");
    };
    assert!(
        events[..events.len() - 1]
            .iter()
            .all(|e| matches!(e, Ok(Event::Progress(_))))
    );
    let blob = blob_rows(finished).await;
    let json = json_rows(&server.url(), first, last).await;
    assert_eq!(blob.len(), 12 * (28 + 31 + 30));
    assert_eq!(digest(&blob), digest(&json));
    assert_eq!(server.blob_requests().with_authorization, 0);
    server.shutdown().await.unwrap();
}

/// A submit the generated builder cannot make: with the mock's outcome header.
fn submit_with_outcome(outcome: &str) -> ApiRequest {
    ApiRequest::post(
        "UsageDetailsSubmitV3_Post",
        format!("/v3/enrollments/{ENROLLMENT}/usagedetails/submit"),
    )
    .query("billingPeriod", PERIOD)
    .header("x-mock-report-outcome", outcome.to_owned())
}

#[tokio::test]
async fn failed_timed_out_and_no_data_reports_are_typed_errors() {
    let server = MockServer::start(config()).await.unwrap();
    let http = client(&server.url()).http().clone();
    for (outcome, state) in [
        ("failed", "Failed"),
        ("timed-out", "TimedOut"),
        ("no-data", "NoDataFound"),
    ] {
        let err =
            Poller::<UsageReportV3, UsageRow>::new(http.clone(), submit_with_outcome(outcome))
                .await
                .unwrap_err();
        match err {
            Error::OperationFailed { operation, status } => {
                assert_eq!(operation, "UsageDetailsSubmitV3_Post");
                assert_eq!(status.name, Some(state), "{outcome}");
            }
            other => panic!("{outcome}: {other:?}"),
        }
    }
    // A range without data (after "today") ends in NoDataFound by itself.
    let err = client(&server.url())
        .usage_details_submit_v3_post(ENROLLMENT)
        .start_time(at(2018, 7, 1))
        .end_time(at(2018, 7, 31))
        .wait()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OperationFailed { status, .. } if status.name == Some("NoDataFound")),
        "{err:?}"
    );
    assert_eq!(server.blob_requests().total, 0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn expired_and_tampered_links_end_in_typed_errors() {
    let server = MockServer::start(config()).await.unwrap();
    let client = client(&server.url());
    let finished = client
        .usage_details_submit_v3_post(ENROLLMENT)
        .billing_period(PERIOD)
        .wait()
        .await
        .unwrap();
    // Past the hour the spec gives the link: refused before any request.
    let expired_at = finished
        .expires_at()
        .expect("the spec says how long the link lives");
    let requested = finished.report.requested_on.unwrap();
    assert_eq!(expired_at - requested, Span::hours(1));
    match finished.download_at(expired_at + Span::seconds(1)).await {
        Err(Error::ResultLinkExpired { expired_at: at }) => assert_eq!(at, expired_at),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.blob_requests().total,
        0,
        "an expired link is not fetched"
    );

    // A tampered signature: the storage-style 403, as a typed error.
    let mut tampered = finished.report.clone();
    let link = tampered.blob_path.clone().unwrap();
    let at_sig = link.find("sig=").unwrap() + 4;
    tampered.blob_path = Some(format!("{}AAAA{}", &link[..at_sig], &link[at_sig + 4..]));
    let resumed = Poller::<UsageReportV3, UsageRow>::resume(client.http().clone(), tampered)
        .await
        .unwrap();
    match resumed.download().await {
        Err(Error::ResultLinkRefused(e)) => {
            assert_eq!(e.status, 403);
            assert_eq!(e.code.as_deref(), Some("AuthenticationFailed"));
        }
        other => panic!("{other:?}"),
    }
    server.shutdown().await.unwrap();

    // A link the blob host finds expired (the mock's links live 0 s here): refused by the host.
    let server = MockServer::start(Config {
        report_link_ttl_secs: 0,
        ..config()
    })
    .await
    .unwrap();
    let finished = crate::support::client(&server.url())
        .usage_details_submit_v3_post(ENROLLMENT)
        .billing_period(PERIOD)
        .wait()
        .await
        .unwrap();
    match finished.download().await {
        Err(Error::ResultLinkRefused(e)) => {
            assert_eq!(e.status, 403);
            assert_eq!(e.code.as_deref(), Some("AuthenticationFailed"));
        }
        other => panic!("{other:?}"),
    }
    let seen = server.blob_requests();
    assert_eq!(
        (seen.total, seen.with_authorization, seen.with_api_key),
        (1, 0, 0)
    );
    assert!(!KEY.is_empty());
    server.shutdown().await.unwrap();
}
