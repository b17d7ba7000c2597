//! Faults on demand: forced statuses, a reproducible fault rate, latency, rate limits.

use std::time::{Duration, Instant};

use axum::body::Body;
use ea_mock_server::{Config, app};
use http::StatusCode;
use tower::ServiceExt;

use crate::common::*;

const URI: &str = "/v3/enrollments/100/billingperiods/201805/balancesummary";

#[tokio::test]
async fn x_mock_status_forces_each_documented_status() {
    let app = small_app();
    for (status, code) in [
        (400, "400"),
        (401, "401"),
        (404, "404"),
        (429, "429"),
        (500, "500"),
        (503, "503"),
    ] {
        let reply = call_with(&app, URI, &[("x-mock-status", &status.to_string())]).await;
        assert_eq!(reply.status.as_u16(), status);
        assert_eq!(reply.json()["error"]["code"], code);
        match status {
            429 => assert_eq!(
                reply.header("x-ms-ratelimit-microsoft.consumption-retry-after"),
                Some("0")
            ),
            503 => assert_eq!(reply.header("retry-after"), Some("0")),
            _ => {}
        }
    }
    let reply = call_with(&app, URI, &[("prefer", "code=503")]).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    // One request only: the next one is served normally.
    assert_eq!(call(&app, URI).await.status, StatusCode::OK);
}

#[tokio::test]
async fn unsupported_forced_status_is_400() {
    let reply = call_with(&small_app(), URI, &[("x-mock-status", "418")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.message().contains("x-mock-status"));
}

#[tokio::test]
async fn retry_after_is_configurable() {
    let app = app(Config {
        retry_after_secs: 30,
        ..config()
    });
    let reply = call_with(&app, URI, &[("x-mock-status", "503")]).await;
    assert_eq!(reply.header("retry-after"), Some("30"));
}

/// The outcome of one request: status, or "drop" when the body breaks off.
async fn outcome(app: &axum::Router) -> String {
    let response = app
        .clone()
        .oneshot(get(URI).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    match axum::body::to_bytes(response.into_body(), usize::MAX).await {
        Ok(_) => status.as_u16().to_string(),
        Err(_) => format!("{}-drop", status.as_u16()),
    }
}

#[tokio::test]
async fn fault_rate_is_reproducible_for_a_seed() {
    let run = |seed: u64| async move {
        let app = app(Config {
            fault_rate: 0.5,
            seed,
            ..config()
        });
        let mut seq = Vec::new();
        for _ in 0..40 {
            seq.push(outcome(&app).await);
        }
        seq
    };
    let (a, b, c) = (run(1).await, run(1).await, run(2).await);
    assert_eq!(a, b, "same seed, same sequence");
    assert_ne!(a, c);
    for kind in ["200", "500", "503", "429", "200-drop"] {
        assert!(a.iter().any(|o| o == kind), "{kind} missing from {a:?}");
    }
}

#[tokio::test]
async fn full_fault_rate_never_serves_a_clean_200() {
    let app = app(Config {
        fault_rate: 1.0,
        ..config()
    });
    for _ in 0..20 {
        assert_ne!(outcome(&app).await, "200");
    }
}

#[tokio::test]
async fn latency_is_added() {
    let app = app(Config {
        latency_ms: 120,
        ..config()
    });
    let started = Instant::now();
    assert_eq!(call(&app, URI).await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn rate_limit_answers_429_per_key() {
    let app = app(Config {
        rate_limit: Some(2),
        api_keys: vec!["a".into(), "b".into()],
        ..config()
    });
    let with_key = |key: &'static str| {
        let app = app.clone();
        async move {
            let request = http::Request::get(URI)
                .header("authorization", format!("Bearer {key}"))
                .body(Body::empty())
                .unwrap();
            send(&app, request).await
        }
    };
    assert_eq!(with_key("a").await.status, StatusCode::OK);
    assert_eq!(with_key("a").await.status, StatusCode::OK);
    let third = with_key("a").await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        third.header("x-ms-ratelimit-microsoft.consumption-retry-after"),
        Some("1")
    );
    assert_eq!(third.json()["error"]["code"], "429");
    assert_eq!(
        with_key("b").await.status,
        StatusCode::OK,
        "other keys have their own budget"
    );
}
