//! The CSV download: same rows as the JSON, a header of the JSON field names.

use ea_mock_server::render::csv::USAGE_COLUMNS;
use http::StatusCode;
use serde_json::Value;

use crate::common::*;

/// Splits CSV text into records and fields (RFC 4180 quoting).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "CSV ends with a line break"
    );
    records
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn csv_has_the_same_rows_as_the_json() {
    let app = small_app();
    for (csv_query, json_uri) in [
        (
            "billingPeriod=201805",
            "/v3/enrollments/100/billingPeriods/201805/usagedetails".to_owned(),
        ),
        (
            "startTime=2018-06-03&endTime=2018-06-20",
            "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-06-03&endTime=2018-06-20"
                .to_owned(),
        ),
    ] {
        let reply = call(
            &app,
            &format!("/v3/enrollments/100/usagedetails/download?{csv_query}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("content-type"),
            Some("text/csv; charset=utf-8")
        );
        assert!(
            reply
                .header("content-disposition")
                .unwrap()
                .starts_with("attachment; filename=")
        );
        reply.etag();
        let records = parse_csv(&reply.text());
        assert_eq!(records[0], USAGE_COLUMNS);
        let (rows, _) = all_usage_rows(&app, &json_uri).await;
        assert_eq!(records.len() - 1, rows.len(), "{csv_query}");
        for (record, row) in records[1..].iter().zip(&rows) {
            for (column, value) in USAGE_COLUMNS.iter().zip(record) {
                assert_eq!(value, &cell(&row[column]), "{column}");
            }
        }
    }
}

#[tokio::test]
async fn a_large_download_is_streamed_complete() {
    let app = ea_mock_server::app(ea_mock_server::Config {
        rows_per_day: 50,
        ..config()
    });
    let reply = call(
        &app,
        "/v3/enrollments/100/usagedetails/download?billingPeriod=201805",
    )
    .await;
    let records = parse_csv(&reply.text());
    assert_eq!(records.len(), 1 + 31 * 100);
    assert!(records.iter().all(|r| r.len() == USAGE_COLUMNS.len()));
}
