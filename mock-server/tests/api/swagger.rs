//! The Swagger endpoint: the document names the origin it was fetched from, the page and its
//! vendored assets are served without a key, the service's old paths redirect to the page.

use axum::body::Body;
use ea_mock_server::{Config, app};
use http::{Request, StatusCode};
use serde_json::Value;

use crate::common::*;

/// The document as a client at `host` (plus `extra` headers) fetches it, without a key.
async fn document(app: &axum::Router, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get("/swagger/docs/v3");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

fn on_disk() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/ea-reporting-v3.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Everything but `host`, `schemes` and `basePath` is the spec file's.
fn assert_rest_is_the_spec(doc: &Value) {
    let (mut doc, mut spec) = (doc.clone(), on_disk());
    for key in ["host", "schemes", "basePath"] {
        doc.as_object_mut().unwrap().remove(key);
        spec.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(doc, spec);
}

#[tokio::test]
async fn the_document_names_the_origin_it_was_fetched_from() {
    let app = small_app();
    let reply = document(&app, &[("host", "127.0.0.1:41234")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let doc = reply.json();
    assert_eq!(doc["host"], "127.0.0.1:41234");
    assert_eq!(doc["schemes"], serde_json::json!(["http"]));
    assert!(doc.get("basePath").is_none());
    assert_rest_is_the_spec(&doc);

    let forwarded = document(
        &app,
        &[
            ("host", "10.0.0.7:8080"),
            ("x-forwarded-host", "mock.ci.example:8443"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await
    .json();
    assert_eq!(forwarded["host"], "mock.ci.example:8443");
    assert_eq!(forwarded["schemes"], serde_json::json!(["https"]));
    assert_rest_is_the_spec(&forwarded);
}

#[tokio::test]
async fn a_public_url_sets_the_base_path() {
    let app = app(Config {
        public_url: Some("https://gateway.example/ea-mock".into()),
        ..config()
    });
    let doc = document(&app, &[("host", "127.0.0.1:1")]).await.json();
    assert_eq!(doc["host"], "gateway.example");
    assert_eq!(doc["schemes"], serde_json::json!(["https"]));
    assert_eq!(doc["basePath"], "/ea-mock");
    assert_rest_is_the_spec(&doc);
}

#[tokio::test]
async fn a_host_that_is_not_an_authority_gets_400_not_a_document() {
    let app = small_app();
    for headers in [
        vec![("host", "evil.example/steal")],
        vec![("host", "user@evil.example")],
        vec![("host", "ok:1"), ("x-forwarded-host", "a b")],
        vec![],
    ] {
        let reply = document(&app, &headers).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{headers:?}");
        assert_eq!(reply.json()["error"]["code"], "400");
        assert!(
            reply.message().contains("Swagger document"),
            "{}",
            reply.message()
        );
    }
}

#[tokio::test]
async fn the_page_and_its_assets_need_no_key_and_no_network() {
    let app = small_app();
    let fetch = |uri: &'static str| {
        let app = app.clone();
        async move {
            let request = Request::get(uri).header("host", "mock.test");
            send(&app, request.body(Body::empty()).unwrap()).await
        }
    };
    let page = fetch("/swagger/ui/index").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(
        html.contains(r#"<script src="assets/swagger-ui-bundle.js">"#),
        "{html}"
    );
    assert!(html.contains(r#"url: "../docs/v3""#));
    assert!(html.contains(r#"data-enrollment="&quot;100&quot;""#));
    assert!(
        !html.contains("https://") && !html.contains("http://"),
        "no CDN"
    );
    let script = fetch("/swagger/ui/assets/swagger-ui-bundle.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.len() > 500_000, "the whole bundle is vendored");
    let css = fetch("/swagger/ui/assets/swagger-ui.css").await;
    assert_eq!(css.status, StatusCode::OK);
    for (from, to) in [
        ("/swagger", "swagger/ui/index"),
        ("/swagger/", "ui/index"),
        ("/swagger/ui", "ui/index"),
        ("/swagger/ui/", "index"),
    ] {
        let reply = fetch(from).await;
        assert!(reply.status.is_redirection(), "{from}: {}", reply.status);
        assert_eq!(reply.header("location"), Some(to), "{from}");
    }
}
