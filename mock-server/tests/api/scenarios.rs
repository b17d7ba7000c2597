//! Fault rules at run time (`POST`/`GET`/`DELETE /admin/faults`, `MockServer::add_fault`):
//! they act before the random faults, expire by count or time, and show in the journal.

use std::time::Duration;

use ea_mock_server::{Config, FaultRule, MockServer, app};
use ea_reporting::{Client, RetryPolicy};
use http::StatusCode;
use tower::ServiceExt;

use crate::common::*;
use crate::journal::{ADMIN, admin, admin_config, journal};

const USAGE_OP: &str = "UsageDetailsV3_GetByBillingPeriod";
const USAGE: &str = "/v3/enrollments/100/billingPeriods/201805/usagedetails";

#[tokio::test]
async fn a_rule_answers_its_status_the_given_number_of_times_and_shows_in_the_journal() {
    let app = app(Config {
        // A random fault on every request: the rule acts first.
        fault_rate: 1.0,
        ..admin_config()
    });
    let rule = format!(r#"{{"operation": "{USAGE_OP}", "status": 503, "times": 2}}"#);
    let added = admin(&app, "POST", "/admin/faults", ADMIN, &rule).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    assert_eq!(added.json()["id"], "rule-1");
    assert_eq!(added.json()["fault"]["remaining"], 2);
    let statuses: Vec<u16> = [call(&app, USAGE).await, call(&app, USAGE).await]
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(statuses, [503, 503]);
    let listed = admin(&app, "GET", "/admin/faults", ADMIN, "").await;
    assert_eq!(listed.json()["faults"], serde_json::json!([]), "used up");
    let entries = journal(&app, &format!("?operation={USAGE_OP}")).await;
    let faults: Vec<Option<&str>> = entries.iter().map(|e| e.fault.as_deref()).collect();
    assert_eq!(faults, [Some("rule-1"), Some("rule-1")]);
    // The third request meets the random faults again (its body may break off: not read).
    let third = app
        .clone()
        .oneshot(get(USAGE).body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    drop(third);
    let last = journal(&app, "").await.pop().unwrap();
    assert!(
        last.fault
            .as_deref()
            .is_some_and(|f| f.starts_with("injected")),
        "{last:?}"
    );
}

#[tokio::test]
async fn rules_match_paths_and_keys_and_can_be_cleared() {
    let app = app(Config {
        api_keys: vec![KEY.into(), "other".into()],
        ..admin_config()
    });
    let rule = r#"{"path": "/v3/enrollments/*/billingperiods/*/balancesummary", "status": 429, "key": "key-2"}"#;
    let added = admin(&app, "POST", "/admin/faults", ADMIN, rule).await;
    assert_eq!(added.status, StatusCode::CREATED);
    let balance = "/v3/enrollments/100/billingperiods/201805/balancesummary";
    assert_eq!(call(&app, balance).await.status, StatusCode::OK, "key-1");
    let other = send(
        &app,
        http::Request::get(balance)
            .header("host", HOST)
            .header("authorization", "Bearer other")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(other.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(other.json()["error"]["code"], "429");
    let listed = admin(&app, "GET", "/admin/faults", ADMIN, "").await;
    assert_eq!(listed.json()["faults"][0]["hits"], 1);
    let second = admin(&app, "POST", "/admin/faults", ADMIN, r#"{"status": 500}"#).await;
    assert_eq!(second.json()["id"], "rule-2");
    let removed = admin(&app, "DELETE", "/admin/faults/rule-2", ADMIN, "").await;
    assert_eq!(removed.status, StatusCode::OK);
    let again = admin(&app, "DELETE", "/admin/faults/rule-2", ADMIN, "").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let bad = admin(&app, "DELETE", "/admin/faults/nonsense", ADMIN, "").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let cleared = admin(&app, "DELETE", "/admin/faults", ADMIN, "").await;
    assert_eq!(cleared.json()["cleared"], 1);
}

#[tokio::test]
async fn bad_rules_are_400_with_json() {
    let app = app(admin_config());
    for body in [
        "",
        "not json",
        r#"{"status": 200}"#,
        r#"{"status": "teapot"}"#,
        r#"{"status": 503, "times": 0}"#,
        r#"{"path": "no-slash", "status": 503}"#,
        r#"{"status": 503, "colour": "red"}"#,
        r#"{}"#,
    ] {
        let reply = admin(&app, "POST", "/admin/faults", ADMIN, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json()["error"]["code"], "400");
    }
}

#[tokio::test]
async fn a_rule_whose_window_is_over_does_not_act() {
    let app = app(admin_config());
    let added = admin(
        &app,
        "POST",
        "/admin/faults",
        ADMIN,
        r#"{"status": 500, "seconds": 0}"#,
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED);
    assert_eq!(call(&app, USAGE).await.status, StatusCode::OK);
    let listed = admin(&app, "GET", "/admin/faults", ADMIN, "").await;
    assert_eq!(listed.json()["faults"], serde_json::json!([]));
}

#[tokio::test]
async fn two_503s_make_the_generated_client_retry_exactly_twice() {
    let server = MockServer::start(Config {
        port: 0,
        ..config()
    })
    .await
    .unwrap();
    let id = server
        .add_fault(FaultRule::for_operation(USAGE_OP).status(503).times(2))
        .unwrap();
    assert_eq!(server.faults()[0].remaining, Some(2));
    let client = Client::builder()
        .base_url(server.url())
        .api_key(KEY)
        .retry_policy(RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            jitter: false,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let page = client
        .usage_details_v3_get_by_billing_period("100", "201805")
        .send()
        .await
        .unwrap();
    assert!(!page.body().data.as_deref().unwrap_or_default().is_empty());
    let entries = server.journal_for(USAGE_OP);
    let seen: Vec<(u16, Option<String>)> = entries
        .iter()
        .map(|e| (e.status, e.fault.clone()))
        .collect();
    let rule = Some(id.to_string());
    assert_eq!(seen, [(503, rule.clone()), (503, rule), (200, None)]);
    assert!(server.faults().is_empty(), "expired by count");
    server.clear_journal();
    assert!(server.journal().is_empty());
    server
        .add_fault(FaultRule::for_path("/v3/").status(500))
        .unwrap();
    server.clear_faults();
    assert!(server.faults().is_empty());
    assert!(
        server.add_fault(FaultRule::default()).is_err(),
        "does nothing"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_drop_rule_breaks_the_body_off() {
    let app = app(admin_config());
    let rule = format!(r#"{{"operation": "{USAGE_OP}", "status": "drop", "times": 1}}"#);
    let added = admin(&app, "POST", "/admin/faults", ADMIN, &rule).await;
    assert_eq!(added.status, StatusCode::CREATED);
    let response = app
        .clone()
        .oneshot(get(USAGE).body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the head goes out");
    assert!(
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .is_err(),
        "the body breaks off"
    );
    assert_eq!(call(&app, USAGE).await.status, StatusCode::OK, "once only");
    let faults: Vec<Option<String>> = journal(&app, "")
        .await
        .into_iter()
        .map(|e| e.fault)
        .collect();
    assert_eq!(faults, [Some("rule-1".to_owned()), None]);
}
