//! Paths, methods and enrollments.

use axum::body::Body;
use ea_mock_server::{Config, app};
use http::{Request, StatusCode};

use crate::common::*;

#[tokio::test]
async fn unknown_path_is_404_with_json() {
    let reply = call(&small_app(), "/v3/enrollments/100/nosuchreport").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["error"]["code"], "404");
    assert!(reply.message().contains("/v3/enrollments/100/nosuchreport"));
}

#[tokio::test]
async fn wrong_method_is_405_with_json_and_allow() {
    let app = small_app();
    let request = get("/v3/enrollments/100/balancesummary")
        .method("DELETE")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), Some("GET"));
    assert_eq!(reply.json()["error"]["code"], "405");

    let request = Request::post("/health").body(Body::empty()).unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    reply.message();
}

#[tokio::test]
async fn unknown_enrollment_is_400_invalid_ea_number() {
    let reply = call(
        &small_app(),
        "/v3/enrollments/999/billingperiods/201805/balancesummary",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.message().starts_with("invalid EA number '999'"),
        "{}",
        reply.message()
    );
}

#[tokio::test]
async fn every_configured_enrollment_has_its_own_world() {
    let app = app(Config {
        enrollments: vec!["100".into(), "200".into()],
        ..config()
    });
    let guid = |reply: Reply| reply.json()["data"][0]["subscriptionGuid"].clone();
    let a = call(
        &app,
        "/v3/enrollments/100/billingPeriods/201805/usagedetails",
    )
    .await;
    let b = call(
        &app,
        "/v3/enrollments/200/billingPeriods/201805/usagedetails",
    )
    .await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_ne!(a.etag(), b.etag());
    assert_ne!(guid(a), guid(b));
}

#[tokio::test]
async fn paths_match_ignoring_case_like_the_service() {
    let app = small_app();
    let a = call(
        &app,
        "/v3/enrollments/100/billingperiods/201805/usagedetails",
    )
    .await;
    let b = call(
        &app,
        "/V3/Enrollments/100/BillingPeriods/201805/UsageDetails",
    )
    .await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.json()["data"], b.json()["data"]);
}

#[tokio::test]
async fn head_is_answered_like_get() {
    let app = small_app();
    let uri = "/v3/enrollments/100/billingperiods/201805/pricesheet";
    let head = send(&app, get(uri).method("HEAD").body(Body::empty()).unwrap()).await;
    let get = call(&app, uri).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.etag(), get.etag());
}

#[tokio::test]
async fn health_reports_enrollments_and_data_version() {
    let reply = send(
        &small_app(),
        Request::get("/health").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"status": "ok", "enrollments": ["100"], "dataVersion": 1})
    );
}
