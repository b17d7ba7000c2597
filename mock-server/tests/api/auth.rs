//! `Authorization: bearer <key>`: 401 with a JSON body for anything else.

use axum::body::Body;
use ea_mock_server::{Config, app};
use http::{Request, StatusCode};

use crate::common::*;

const URI: &str = "/v3/enrollments/100/billingperiods/201805/balancesummary";

async fn with_auth(value: Option<&str>) -> Reply {
    let mut builder = Request::get(URI).header("host", HOST);
    if let Some(v) = value {
        builder = builder.header("authorization", v);
    }
    send(&small_app(), builder.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn missing_malformed_and_unknown_keys_are_401_with_json() {
    for (value, fragment) in [
        (None, "missing"),
        (Some(""), "missing"),
        (Some("Basic ZWEtbW9jay1rZXk="), "malformed"),
        (Some("Bearer"), "malformed"),
        (Some("ea-mock-key"), "malformed"),
        (Some("Bearer wrong-key"), "not valid"),
    ] {
        let reply = with_auth(value).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{value:?}");
        assert_eq!(
            reply.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(reply.json()["error"]["code"], "401");
        assert!(
            reply.message().contains(fragment),
            "{value:?}: {}",
            reply.message()
        );
        assert!(reply.header("etag").is_none());
    }
}

#[tokio::test]
async fn scheme_is_case_insensitive() {
    for scheme in ["bearer", "Bearer", "BEARER"] {
        let reply = with_auth(Some(&format!("{scheme} {KEY}"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn configured_keys_replace_the_default() {
    let app = app(Config {
        api_keys: vec!["alpha".into(), "beta".into()],
        ..config()
    });
    let call_key = |key: &'static str| {
        let app = app.clone();
        async move {
            let request = Request::get(URI)
                .header("authorization", format!("bearer {key}"))
                .body(Body::empty())
                .unwrap();
            send(&app, request).await.status
        }
    };
    assert_eq!(call_key("alpha").await, StatusCode::OK);
    assert_eq!(call_key("beta").await, StatusCode::OK);
    assert_eq!(call_key(KEY).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_and_spec_need_no_key_but_admin_does() {
    let app = small_app();
    for uri in ["/health", "/swagger/docs/v3"] {
        let request = Request::get(uri).header("host", "mock.test");
        let reply = send(&app, request.body(Body::empty()).unwrap()).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        reply.json();
    }
    let page = Request::get("/swagger/ui/index").header("host", "mock.test");
    let reply = send(&app, page.body(Body::empty()).unwrap()).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the Swagger page needs no key"
    );
    for method in ["GET", "POST"] {
        let request = Request::builder()
            .method(method)
            .uri("/admin/data-version")
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method}");
        reply.message();
    }
}

#[tokio::test]
async fn the_key_never_appears_in_responses() {
    let reply = with_auth(Some("Bearer super-secret-value")).await;
    assert!(!reply.text().contains("super-secret-value"));
}
