//! Conformance: for several seeds, every operation's response validates against the
//! spec's schemas (the Swagger document upgraded to OpenAPI 3.0 by ea-codegen, made
//! strict: `nullable` becomes a type union and objects admit no unknown properties)
//! and deserializes into the ea-reporting models.
//!
//! One documented quirk is known: the service wrote `format: date-time` values without an
//! offset (`2019-05-01T00:00:00`, wire-format.md), which RFC 3339 does not allow. With the
//! mock's default `--timestamps service`, those values are checked strictly against that form
//! instead; with `--timestamps rfc3339`, against RFC 3339.

use std::path::Path;
use std::sync::OnceLock;

use ea_mock_server::config::Timestamps;
use ea_mock_server::{Config, app};
use ea_reporting::models;
use ea_reporting::operations::ROUTES;
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::common::*;

const SEEDS: [u64; 3] = [1, 42, 987_654_321];

fn openapi() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/ea-reporting-v3.json"
        ));
        let doc = ea_codegen::load::load(path).unwrap();
        ea_codegen::upgrade::upgrade(path, doc).unwrap()
    })
}

/// The service's date-time: RFC 3339 without the offset, a fraction of up to 7 digits (.NET).
const SERVICE_DATE_TIME: &str =
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,7})?$";

/// `nullable: true` → `type: [t, "null"]`; objects with properties get
/// `additionalProperties: false` so a field the spec does not know fails; with the service's
/// timestamps, `format: date-time` becomes the [`SERVICE_DATE_TIME`] pattern.
fn strict(value: &Value, timestamps: Timestamps) -> Value {
    match value {
        Value::Object(map) => {
            let mut out: serde_json::Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), strict(v, timestamps)))
                .collect();
            if timestamps == Timestamps::Service && out.get("format") == Some(&json!("date-time")) {
                out.remove("format");
                out.insert("pattern".into(), json!(SERVICE_DATE_TIME));
            }
            if out.remove("nullable") == Some(Value::Bool(true))
                && let Some(Value::String(t)) = out.get("type").cloned()
            {
                out.insert("type".into(), json!([t, "null"]));
            }
            if out.contains_key("properties") && !out.contains_key("additionalProperties") {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| strict(v, timestamps)).collect()),
        other => other.clone(),
    }
}

fn validator(schema: &Value, timestamps: Timestamps) -> jsonschema::Validator {
    let mut root = schema.clone();
    root["components"] = strict(&openapi()["components"], timestamps);
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap()
}

/// The JSON schema of an operation's answer with `status` (whatever its method).
fn response_schema(operation: &str, status: &str) -> Value {
    for item in openapi()["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if op["operationId"] == operation {
                let schema = &op["responses"][status]["content"]["application/json"]["schema"];
                assert!(schema.is_object(), "{operation} has no {status} schema");
                return schema.clone();
            }
        }
    }
    panic!("no operation {operation}");
}

fn check<T: DeserializeOwned>(body: &[u8]) {
    if let Err(e) = serde_json::from_slice::<T>(body) {
        panic!(
            "does not deserialize into {}: {e}",
            std::any::type_name::<T>()
        );
    }
}

/// Deserializes into the operation's model.
fn deserializes(operation: &str, body: &[u8]) {
    match operation {
        "BalanceSummaryV3_GetByCurrentBillingPeriod" | "BalanceSummaryV3_GetByBillingPeriod" => {
            check::<models::BalanceSummaryV3>(body)
        }
        "UsageDetailsV3_GetByCustomDate"
        | "UsageDetailsV3_GetByCurrentBillingPeriod"
        | "UsageDetailsV3_GetByBillingPeriod" => check::<models::PagedJsonDataTitaniumJuly>(body),
        "MarketplacesV3_GetMarketplacesByCustomDate"
        | "MarketplacesV3_GetMarketplaces"
        | "MarketplacesV3_GetMarketplacesByBillingPeriod" => {
            check::<Vec<models::MarketplacePropertiesV3>>(body)
        }
        "PriceSheetsV3_Get" | "PriceSheetsV3_GetByBillingPeriod" => {
            check::<Vec<models::PriceSheetV3>>(body)
        }
        "BillingPeriodsV2_Get" => check::<Vec<models::BillingPeriodV2>>(body),
        "ReservedInstancesV3_Get" => check::<Vec<models::RIPurchaseHistoryV3Properties>>(body),
        "ReservedInstancesV2_GetReservationDetails" => {
            check::<Vec<models::ReservationDetailV2>>(body)
        }
        "ReservedInstancesV2_GetReservationSummaries" => {
            check::<Vec<models::ReservationSummaryV2>>(body)
        }
        "ReservationRecommendationsV2_GetShared" | "ReservationRecommendationsV2_GetSingle" => {
            check::<Vec<models::ReservationRecommendationV2>>(body)
        }
        "UsageDetailsSubmitV3_Post" | "UsageDetailsReportV3_Get" => {
            check::<models::UsageReportV3>(body)
        }
        other => panic!("no model listed for {other}"),
    }
}

/// Requests with more data than the snapshot ones: every page, years of reservations.
fn requests() -> Vec<(&'static str, String)> {
    let mut list: Vec<(&str, String)> = OPERATIONS
        .iter()
        .map(|(op, uri)| (*op, uri.to_string()))
        .collect();
    list.extend([
        ("ReservedInstancesV2_GetReservationDetails", "/v2/enrollments/100/reservationdetails?startDate=2016-01-01&endDate=2018-06-15".into()),
        ("ReservedInstancesV2_GetReservationSummaries", "/v2/enrollments/100/reservationsummaries?grain=daily&startDate=2016-01-01&endDate=2018-06-15".into()),
        ("ReservedInstancesV3_Get", "/v3/enrollments/100/reservationcharges?startDate=2016-01-01&endDate=2018-06-15".into()),
        ("MarketplacesV3_GetMarketplacesByCustomDate", "/v3/enrollments/100/marketplacechargesbycustomdate?startTime=2017-01-01&endTime=2018-06-15".into()),
    ]);
    list
}

#[test]
fn the_request_list_covers_every_operation_of_the_spec() {
    let mut ours: Vec<&str> = OPERATIONS.iter().map(|(op, _)| *op).collect();
    ours.extend([REPORT_SUBMIT.0, REPORT_POLL]);
    let mut spec: Vec<&str> = ROUTES.iter().map(|(op, _, _)| *op).collect();
    ours.sort_unstable();
    spec.sort_unstable();
    assert_eq!(ours, spec);
}

#[tokio::test]
async fn every_response_validates_and_deserializes() {
    let runs = SEEDS
        .iter()
        .map(|&seed| (seed, Timestamps::Service))
        .chain([(SEEDS[0], Timestamps::Rfc3339)]);
    for (seed, timestamps) in runs {
        let app = app(Config {
            seed,
            subscriptions: 3,
            rows_per_day: 4,
            page_size: 100,
            timestamps,
            report_delay_ms: 0,
            ..config()
        });
        check_report(&app, seed, timestamps).await;
        for (op, uri) in requests() {
            if op == "UsageDetailsDownloadV3_Get" {
                let reply = call(&app, &uri).await;
                assert_eq!(reply.status, StatusCode::OK);
                let text = reply.text();
                let lines: Vec<&str> = text.split_terminator("\r\n").collect();
                assert_eq!(lines[2].split(',').count(), 40, "seed {seed}");
                continue;
            }
            let validator = validator(&response_schema(op, "200"), timestamps);
            let mut next = Some(uri.clone());
            while let Some(uri) = next {
                let reply = call(&app, &uri).await;
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "seed {seed} {uri}: {}",
                    reply.text()
                );
                let body = reply.json();
                let errors: Vec<String> = validator
                    .iter_errors(&body)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .take(5)
                    .collect();
                assert!(
                    errors.is_empty(),
                    "seed {seed} {timestamps:?} {op} {uri}: {errors:#?}"
                );
                deserializes(op, &reply.body);
                next = body.get("nextLink").and_then(Value::as_str).map(path_of);
            }
        }
    }
}

/// The asynchronous report: the submit's 202 (queued, no blob yet) and the poll's 200
/// (finished, with the blob link), against their schemas and the model.
async fn check_report(app: &axum::Router, seed: u64, timestamps: Timestamps) {
    let submit_schema = validator(&response_schema(REPORT_SUBMIT.0, "202"), timestamps);
    let poll_schema = validator(&response_schema(REPORT_POLL, "200"), timestamps);
    for uri in [
        REPORT_SUBMIT.1.to_owned(),
        "/v3/enrollments/100/usagedetails/submit?billingPeriod=201806".to_owned(),
    ] {
        let submitted = submit(app, &uri, &[]).await;
        assert_eq!(
            submitted.status,
            StatusCode::ACCEPTED,
            "{}",
            submitted.text()
        );
        let polled = poll(app, &submitted).await;
        assert_eq!(polled.status, StatusCode::OK, "{}", polled.text());
        assert_eq!(polled.json()["status"], 3);
        for (op, validator, reply) in [
            (REPORT_SUBMIT.0, &submit_schema, &submitted),
            (REPORT_POLL, &poll_schema, &polled),
        ] {
            let body = reply.json();
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .take(5)
                .collect();
            assert!(
                errors.is_empty(),
                "seed {seed} {timestamps:?} {op}: {errors:#?}"
            );
            deserializes(op, &reply.body);
        }
    }
}

#[tokio::test]
async fn error_bodies_match_the_error_schema() {
    let schema = openapi()["components"]["responses"]["BadRequest"]["content"]["application/json"]
        ["schema"]
        .clone();
    let validator = validator(&schema, Timestamps::Service);
    let app = small_app();
    for status in ["400", "401", "404", "429", "500", "503"] {
        let reply = call_with(
            &app,
            "/v3/enrollments/100/pricesheet",
            &[("x-mock-status", status)],
        )
        .await;
        assert_eq!(reply.status.as_str(), status);
        assert!(
            validator.is_valid(&reply.json()),
            "{status}: {}",
            reply.text()
        );
        check::<models::ErrorResponse>(&reply.body);
    }
    for uri in [
        "/nowhere",
        "/v3/enrollments/1/pricesheet",
        "/v3/enrollments/100/billingperiods/1/pricesheet",
        "/v3/enrollments/100/usagedetails/reports/not-a-report",
    ] {
        let reply = call(&app, uri).await;
        assert!(validator.is_valid(&reply.json()), "{uri}: {}", reply.text());
    }
}

#[test]
fn the_strict_schema_rejects_unknown_fields_and_accepts_null_links() {
    let schema = json!({"$ref": "#/components/schemas/BillingPeriodV2"});
    for timestamps in [Timestamps::Service, Timestamps::Rfc3339] {
        let v = validator(&schema, timestamps);
        assert!(v.is_valid(&json!({"billingPeriodId": "201805", "usageDetails": null})));
        assert!(!v.is_valid(&json!({"billingPeriodId": "201805", "surprise": 1})));
        assert!(
            !v.is_valid(&json!({"billingStart": "yesterday"})),
            "formats are checked"
        );
    }
}

#[test]
fn date_times_are_checked_strictly_in_the_form_the_mock_writes() {
    let schema = json!({"$ref": "#/components/schemas/BillingPeriodV2"});
    let service = validator(&schema, Timestamps::Service);
    let rfc3339 = validator(&schema, Timestamps::Rfc3339);
    let at = |s: &str| json!({ "billingStart": s });
    for ok in ["2019-05-01T00:00:00", "2019-05-01T23:59:59.1234567"] {
        assert!(service.is_valid(&at(ok)), "{ok}");
        assert!(!rfc3339.is_valid(&at(ok)), "{ok} has no offset");
    }
    for bad in [
        "2019-05-01T00:00:00Z",
        "2019-05-01T00:00:00+02:00",
        "2019-05-01",
        "2019-13-01T00:00:00",
        "2019-05-01T24:00:00",
        "2019-05-01T00:00:00.12345678",
    ] {
        assert!(!service.is_valid(&at(bad)), "{bad}");
    }
    assert!(rfc3339.is_valid(&at("2019-05-01T00:00:00Z")));
}
