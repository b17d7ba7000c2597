//! insta snapshots: one representative response per operation and every error body.
//!
//! The date is fixed (`--today 2018-06-15`) and the seed too, so nothing needs
//! redacting but the asynchronous report's fields taken from the real clock (its id,
//! `requestedOn` and the link's `st`, `se` and `sig`). Long arrays are shortened to their
//! first three items plus a count, and the exact bytes of every body are pinned by their
//! FNV-1a hash.

use axum::body::Body;
use ea_mock_server::faults::{Fault, FaultInjector};
use ea_mock_server::stable_hash::fnv1a64;
use ea_mock_server::{Config, app};
use http::Request;
use serde_json::{Value, json};

use crate::common::*;

fn snapshot_config() -> Config {
    Config {
        page_size: 3,
        ..config()
    }
}

fn shorten(value: Value) -> Value {
    match value {
        Value::Array(items) if items.len() > 4 => {
            let more = items.len() - 3;
            let mut kept: Vec<Value> = items.into_iter().take(3).map(shorten).collect();
            kept.push(json!(format!("... and {more} more")));
            Value::Array(kept)
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, shorten(v))).collect())
        }
        other => other,
    }
}

fn describe(reply: &Reply) -> Value {
    let mut headers: Vec<(String, String)> = reply
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    let body = if reply
        .header("content-type")
        .is_some_and(|t| t == "application/octet-stream")
    {
        Value::String(reply.text())
    } else if reply.body.is_empty() {
        Value::Null
    } else {
        shorten(reply.json())
    };
    json!({
        "status": reply.status.as_u16(),
        "headers": headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<serde_json::Map<String, Value>>(),
        "body_fnv1a64": format!("{:016x}", fnv1a64(&reply.body)),
        "body": body,
    })
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[tokio::test]
async fn one_response_per_operation() {
    let app = app(snapshot_config());
    for (op, uri) in OPERATIONS {
        let reply = call(&app, uri).await;
        let description = describe(&reply);
        settings().bind(|| {
            insta::assert_yaml_snapshot!(format!("op__{op}"), description, &format!("GET {uri}"));
        });
    }
}

/// A report answer with the fields that come from the clock replaced by their names.
fn redact_report(mut description: Value) -> Value {
    let id = description["body"]["id"].as_str().unwrap().to_owned();
    let clock = json!("[depends on the clock]");
    description["body_fnv1a64"] = clock.clone();
    description["headers"]["content-length"] = clock;
    let body = &mut description["body"];
    body["requestedOn"] = json!("[requestedOn]");
    for field in ["id", "reportUrl", "blobPath"] {
        let text = body[field].as_str().unwrap().replace(&id, "[id]");
        let redacted = match text.split_once('?') {
            None => text,
            Some((path, query)) => {
                let params: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((name @ ("st" | "se" | "sig"), _)) => format!("{name}=[{name}]"),
                        _ => pair.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", params.join("&"))
            }
        };
        body[field] = json!(redacted);
    }
    description
}

#[tokio::test]
async fn the_report_operations() {
    let queued = app(snapshot_config());
    let instant = app(Config {
        report_delay_ms: 0,
        ..snapshot_config()
    });
    let (op, uri) = REPORT_SUBMIT;
    let submitted = submit(&queued, uri, &[]).await;
    let description = redact_report(describe(&submitted));
    settings().bind(|| {
        insta::assert_yaml_snapshot!(format!("op__{op}"), description, &format!("POST {uri}"));
    });
    let polled = poll(&instant, &submitted).await;
    let description = redact_report(describe(&polled));
    settings().bind(|| {
        insta::assert_yaml_snapshot!(
            format!("op__{REPORT_POLL}"),
            description,
            "GET the reportUrl of the submit, finished"
        );
    });
}

#[tokio::test]
async fn every_error_body() {
    let strict = app(Config {
        rate_limit: Some(1),
        ..snapshot_config()
    });
    let anonymous = |uri: &str| {
        Request::get(uri)
            .header("host", HOST)
            .body(Body::empty())
            .unwrap()
    };
    let cases: Vec<(&str, Request<Body>)> = vec![
        ("401_missing_key", anonymous("/v3/enrollments/100/balancesummary")),
        (
            "401_malformed_key",
            Request::get("/v3/enrollments/100/balancesummary")
                .header("authorization", "Token abc")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "401_unknown_key",
            Request::get("/v3/enrollments/100/balancesummary")
                .header("authorization", "Bearer not-a-key")
                .body(Body::empty())
                .unwrap(),
        ),
        ("404_unknown_path", get("/v3/enrollments/100/nothing").body(Body::empty()).unwrap()),
        (
            "405_wrong_method",
            get("/v3/enrollments/100/pricesheet").method("POST").body(Body::empty()).unwrap(),
        ),
        ("400_invalid_ea_number", get("/v3/enrollments/7/pricesheet").body(Body::empty()).unwrap()),
        (
            "400_billing_period_shape",
            get("/v3/enrollments/100/billingperiods/2018-05/pricesheet").body(Body::empty()).unwrap(),
        ),
        (
            "400_billing_period_future",
            get("/v3/enrollments/100/billingperiods/201807/pricesheet").body(Body::empty()).unwrap(),
        ),
        (
            "400_missing_parameter",
            get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-01-01").body(Body::empty()).unwrap(),
        ),
        (
            "400_invalid_date",
            get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=x&endTime=2018-01-01")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_range_too_long",
            get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=2015-01-01&endTime=2018-01-01")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_csv_both_selections",
            get("/v3/enrollments/100/usagedetails/download?billingPeriod=201805&startTime=2018-05-01&endTime=2018-05-02")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_csv_range_too_long",
            get("/v3/enrollments/100/usagedetails/download?startTime=2018-04-01&endTime=2018-05-01")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_report_both_selections",
            post("/v3/enrollments/100/usagedetails/submit?billingPeriod=201805&startTime=2018-05-01&endTime=2018-05-02")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_report_range_too_long",
            post("/v3/enrollments/100/usagedetails/submit?startTime=2015-01-01&endTime=2018-01-01")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_report_outcome",
            post("/v3/enrollments/100/usagedetails/submit?billingPeriod=201805")
                .header("x-mock-report-outcome", "exploded")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "404_report_id",
            get("/v3/enrollments/100/usagedetails/reports/not-a-report").body(Body::empty()).unwrap(),
        ),
        (
            "400_grain",
            get("/v2/enrollments/100/reservationsummaries?grain=weekly").body(Body::empty()).unwrap(),
        ),
        (
            "400_look_back_period",
            get("/v2/enrollments/100/SharedReservationRecommendations?lookBackPeriod=14")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_skiptoken",
            get("/v3/enrollments/100/usagedetails?$skiptoken=0000000000000003ffffffffffffffff")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            "400_unsupported_forced_status",
            get("/v3/enrollments/100/pricesheet").header("x-mock-status", "418").body(Body::empty()).unwrap(),
        ),
        (
            "400_admin_body",
            get("/admin/data-version").method("POST").body(Body::from("[]")).unwrap(),
        ),
    ];
    let app = app(snapshot_config());
    for (name, request) in cases {
        let reply = send(&app, request).await;
        let description = describe(&reply);
        settings().bind(|| insta::assert_yaml_snapshot!(format!("error__{name}"), description));
    }
    for status in [400, 401, 404, 429, 500, 503] {
        let request = get("/v3/enrollments/100/pricesheet")
            .header("x-mock-status", status.to_string())
            .body(Body::empty())
            .unwrap();
        let description = describe(&send(&app, request).await);
        settings()
            .bind(|| insta::assert_yaml_snapshot!(format!("error__forced_{status}"), description));
    }
    let _ = call(&strict, "/v3/enrollments/100/pricesheet").await;
    let description = describe(&call(&strict, "/v3/enrollments/100/pricesheet").await);
    settings().bind(|| insta::assert_yaml_snapshot!("error__429_rate_limit", description));
    let faulty = app_with_faults();
    let description = describe(&call(&faulty, "/v3/enrollments/100/pricesheet").await);
    settings().bind(|| insta::assert_yaml_snapshot!("error__injected_fault", description));
}

/// A server whose first injected fault is a 500 (the first such seed).
fn app_with_faults() -> axum::Router {
    let seed = (0..)
        .find(|s| FaultInjector::new(1.0, *s).fault_at(0) == Some(Fault::Status(500)))
        .unwrap();
    app(Config {
        fault_rate: 1.0,
        seed,
        ..snapshot_config()
    })
}
