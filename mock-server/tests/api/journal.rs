//! The request journal (`GET`/`DELETE /admin/requests`) and the admin key that guards it.

use axum::Router;
use axum::body::Body;
use ea_mock_server::{Config, JournalEntry, app};
use http::{Request, StatusCode};

use crate::common::*;

pub const ADMIN: &str = "admin-secret";
/// An API key that must never reach the journal.
const SECRET: &str = "s3cr3t-api-key-42";
const BALANCE: &str = "/v3/enrollments/100/billingperiods/201805/balancesummary";

pub fn admin_config() -> Config {
    Config {
        admin_key: Some(ADMIN.into()),
        ..config()
    }
}

/// A request to the admin API with `key`.
pub async fn admin(app: &Router, method: &str, uri: &str, key: &str, body: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST)
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, request).await
}

/// The journal's entries, through `GET /admin/requests[?query]`.
pub async fn journal(app: &Router, query: &str) -> Vec<JournalEntry> {
    let reply = admin(app, "GET", &format!("/admin/requests{query}"), ADMIN, "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    serde_json::from_value(reply.json()["requests"].clone()).unwrap()
}

async fn as_key(app: &Router, uri: &str, key: &str, headers: &[(&str, &str)]) -> Reply {
    let mut builder = Request::get(uri)
        .header("host", HOST)
        .header("authorization", format!("Bearer {key}"));
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    send(app, builder.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_journal_records_an_if_none_match_round_trip_and_never_the_key() {
    let app = app(Config {
        api_keys: vec![SECRET.into()],
        ..admin_config()
    });
    let first = as_key(&app, BALANCE, SECRET, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    // The key also in another header: the journal shows its name there too.
    let again = as_key(
        &app,
        BALANCE,
        SECRET,
        &[("if-none-match", first.etag()), ("x-debug", SECRET)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    let op = "BalanceSummaryV3_GetByBillingPeriod";
    let entries = journal(&app, &format!("?operation={op}")).await;
    let seen: Vec<(u16, Option<&str>)> = entries
        .iter()
        .map(|e| (e.status, e.header("if-none-match")))
        .collect();
    assert_eq!(seen, [(200, None), (304, Some(first.etag()))]);
    for e in &entries {
        assert_eq!(
            (e.method.as_str(), e.target.as_str(), e.operation.as_deref()),
            ("GET", BALANCE, Some(op))
        );
        assert_eq!(e.key.as_deref(), Some("key-1"));
        assert_eq!(e.header("authorization"), Some("bearer key-1"));
        assert_eq!(e.listener, "api");
        assert!(e.time.ends_with('Z'), "{}", e.time);
    }
    assert_eq!(entries[0].bytes as usize, first.body.len());
    assert_eq!(entries[1].bytes, 0);
    assert_eq!(entries[1].header("x-debug"), Some("key-1"));

    let only_304 = journal(&app, "?status=304").await;
    assert_eq!(only_304.len(), 1);
    let raw = admin(&app, "GET", "/admin/requests", ADMIN, "").await;
    assert!(!raw.text().contains(SECRET), "{}", raw.text());
    assert!(!raw.text().contains(ADMIN));

    let cleared = admin(&app, "DELETE", "/admin/requests", ADMIN, "").await;
    assert_eq!(cleared.json()["cleared"], 2);
    assert!(
        journal(&app, "").await.is_empty(),
        "admin requests are not journaled"
    );
}

#[tokio::test]
async fn streamed_bodies_are_counted_and_unknown_keys_redacted() {
    let app = app(admin_config());
    let page = call(
        &app,
        "/v3/enrollments/100/billingPeriods/201805/usagedetails",
    )
    .await;
    let wrong = as_key(&app, BALANCE, "not-a-key", &[]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let entries = journal(&app, "").await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].bytes as usize, page.body.len());
    assert_eq!(
        entries[0].operation.as_deref(),
        Some("UsageDetailsV3_GetByBillingPeriod")
    );
    assert_eq!(entries[1].key, None);
    assert_eq!(entries[1].header("authorization"), Some("[redacted]"));
    let raw = admin(&app, "GET", "/admin/requests", ADMIN, "").await;
    assert!(!raw.text().contains("not-a-key"));
}

#[tokio::test]
async fn the_journal_is_a_bounded_ring_and_can_be_off() {
    let app = app(Config {
        journal_size: 3,
        ..admin_config()
    });
    for _ in 0..5 {
        call(&app, BALANCE).await;
    }
    let reply = admin(&app, "GET", "/admin/requests", ADMIN, "").await;
    assert_eq!(reply.json()["capacity"], 3);
    let seqs: Vec<u64> = journal(&app, "").await.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [2, 3, 4]);
    let off = ea_mock_server::app(Config {
        journal_size: 0,
        ..admin_config()
    });
    call(&off, BALANCE).await;
    assert!(journal(&off, "").await.is_empty());
}

#[tokio::test]
async fn bad_filters_are_400_with_json() {
    let app = app(admin_config());
    for query in ["?status=abc", "?colour=red"] {
        let reply = admin(&app, "GET", &format!("/admin/requests{query}"), ADMIN, "").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["error"]["code"], "400");
    }
}

#[tokio::test]
async fn the_admin_api_is_off_without_its_key_and_refuses_api_keys() {
    let off = small_app();
    for (method, uri) in [("GET", "/admin/requests"), ("POST", "/admin/faults")] {
        let reply = admin(&off, method, uri, KEY, "{}").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {uri}");
        assert!(reply.message().contains("--admin-key"));
    }
    // Without an admin key, the data version still takes an API key, as it always did.
    let reply = admin(&off, "GET", "/admin/data-version", KEY, "").await;
    assert_eq!(reply.status, StatusCode::OK);

    let on = app(admin_config());
    for uri in ["/admin/requests", "/admin/faults", "/admin/data-version"] {
        let reply = admin(&on, "GET", uri, KEY, "").await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{uri} with an API key"
        );
        assert_eq!(reply.json()["error"]["code"], "401");
        let reply = admin(&on, "GET", uri, ADMIN, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{uri} with the admin key");
    }
    // The admin key is not an API key.
    let reply = call_with_key(&on, BALANCE, ADMIN).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = admin(&on, "PUT", "/admin/requests", ADMIN, "").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn call_with_key(app: &Router, uri: &str, key: &str) -> Reply {
    as_key(app, uri, key, &[]).await
}

#[tokio::test]
async fn the_admin_key_must_differ_from_api_keys() {
    let config = Config {
        api_keys: vec!["same".into()],
        admin_key: Some("same".into()),
        ..config()
    };
    let err = config.validate().unwrap_err();
    assert_eq!(err.flag, "admin-key");
    assert!(!err.to_string().contains("same"));
}

#[tokio::test]
async fn blob_downloads_are_journaled_with_the_signature_redacted() {
    let config = Config {
        report_delay_ms: 0,
        ..admin_config()
    };
    let state = ea_mock_server::state::AppState::new(&config);
    let api = ea_mock_server::router(state.clone());
    let blob = ea_mock_server::blob_router(state);
    let submitted = submit(&api, REPORT_SUBMIT.1, &[]).await;
    let done = poll(&api, &submitted).await;
    let link = done.json()["blobPath"].as_str().unwrap().to_owned();
    let file = send(
        &blob,
        Request::get(path_of(&link)).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    let entries = journal(&api, "?listener=blob").await;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert!(entry.target.contains("sig=REDACTED"), "{}", entry.target);
    assert_eq!((entry.status, entry.bytes as usize), (200, file.body.len()));
    assert_eq!(
        (entry.key.as_deref(), entry.operation.as_deref()),
        (None, None)
    );
    let signature = link
        .split("sig=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let raw = admin(&api, "GET", "/admin/requests", ADMIN, "").await;
    assert!(!raw.text().contains(signature));
    let api_entries = journal(&api, "?listener=api").await;
    let ops: Vec<Option<&str>> = api_entries.iter().map(|e| e.operation.as_deref()).collect();
    assert_eq!(ops, [Some(REPORT_SUBMIT.0), Some(REPORT_POLL)]);
}
