//! ETags on every 200, `If-None-Match` per RFC 9110, and data-version refreshes.

use axum::body::Body;
use http::{Request, StatusCode};

use crate::common::*;

const URI: &str = "/v3/enrollments/100/billingperiods/201805/pricesheet";

#[tokio::test]
async fn every_operation_has_a_distinct_etag() {
    let app = small_app();
    let mut seen = std::collections::HashSet::new();
    for (op, uri) in OPERATIONS {
        let reply = call(&app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{op}");
        let etag = reply.etag().to_owned();
        assert!(etag.len() == 18 && etag.starts_with('"'), "{op}: {etag}");
        assert!(seen.insert(etag), "{op} shares its ETag");
    }
}

#[tokio::test]
async fn if_none_match_gives_304_with_the_etag_and_no_body() {
    let app = small_app();
    let etag = call(&app, URI).await.etag().to_owned();
    for value in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_owned(),
    ] {
        let reply = call_with(&app, URI, &[("if-none-match", &value)]).await;
        assert_eq!(reply.status, StatusCode::NOT_MODIFIED, "{value}");
        assert_eq!(reply.etag(), etag);
        assert!(reply.body.is_empty());
    }
    for value in ["\"other\"", "garbage", "\"other\", *"] {
        let reply = call_with(&app, URI, &[("if-none-match", value)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{value}");
    }
}

#[tokio::test]
async fn conditional_requests_still_need_a_key() {
    let app = small_app();
    let etag = call(&app, URI).await.etag().to_owned();
    let request = Request::get(URI)
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, request).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_and_parameters_have_their_own_etags() {
    let app = small_app();
    let first = call(
        &app,
        "/v3/enrollments/100/billingPeriods/201805/usagedetails",
    )
    .await;
    let next = first.json()["nextLink"].as_str().map(path_of).unwrap();
    let second = call(&app, &next).await;
    let other = call(
        &app,
        "/v3/enrollments/100/billingPeriods/201804/usagedetails",
    )
    .await;
    assert_ne!(first.etag(), second.etag());
    assert_ne!(first.etag(), other.etag());
    let again = call_with(&app, &next, &[("if-none-match", second.etag())]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

async fn admin(app: &axum::Router, method: &str, body: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri("/admin/data-version")
        .header("authorization", format!("Bearer {KEY}"))
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn admin_refresh_changes_etags_and_data() {
    let app = small_app();
    let before = call(
        &app,
        "/v3/enrollments/100/billingperiods/201805/balancesummary",
    )
    .await;
    assert_eq!(
        admin(&app, "GET", "").await.json(),
        serde_json::json!({"dataVersion": 1})
    );
    assert_eq!(
        admin(&app, "POST", "").await.json(),
        serde_json::json!({"dataVersion": 2})
    );
    let after = call_with(
        &app,
        "/v3/enrollments/100/billingperiods/201805/balancesummary",
        &[("if-none-match", before.etag())],
    )
    .await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "the old ETag no longer matches"
    );
    assert_ne!(after.etag(), before.etag());
    assert_ne!(after.json()["totalUsage"], before.json()["totalUsage"]);
    // Setting the version back restores the old answer, byte for byte.
    assert_eq!(
        admin(&app, "POST", r#"{"dataVersion": 1}"#).await.json()["dataVersion"],
        1
    );
    let restored = call(
        &app,
        "/v3/enrollments/100/billingperiods/201805/balancesummary",
    )
    .await;
    assert_eq!(restored.body, before.body);
    assert_eq!(restored.etag(), before.etag());
    let health = send(&app, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(health.json()["dataVersion"], 1);
}

#[tokio::test]
async fn admin_rejects_bad_bodies() {
    let app = small_app();
    for body in ["{\"dataVersion\": -1}", "{\"version\": 2}", "nope"] {
        let reply = admin(&app, "POST", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        reply.message();
    }
    let reply = admin(&app, "DELETE", "").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}
