//! A client generated from a spec whose every runtime fact differs from the EA document's
//! (codegen/tests/fixtures/service-facts.json: a base URL with a path, an `X-Facts-Key` API key
//! header, `@odata.nextLink`, its own throttle header), through the build-script entry point
//! (`build.rs`), run against a loopback server: the facts reach the runtime from the spec.

include!(concat!(env!("OUT_DIR"), "/ea_reporting.rs"));

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use futures_util::TryStreamExt;

#[derive(Default)]
struct Seen {
    /// `page` and the request headers, in arrival order.
    requests: Vec<(u32, HeaderMap)>,
    throttled_once: bool,
}

#[derive(Clone)]
struct Server {
    base: String,
    seen: Arc<Mutex<Seen>>,
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

/// Page 1 links to 2; page 2 is throttled once (the spec's own header says 0 s, `Retry-After`
/// says an hour: a client that read `Retry-After` first would give up); page 2 links to 3,
/// the last page, which has no link.
async fn things(
    State(server): State<Server>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> AxumResponse {
    let page = q.page.unwrap_or(1);
    let mut seen = server.seen.lock().unwrap();
    seen.requests.push((page, headers));
    let link = |n: u32| format!("{}/api/v2/things?page={n}", server.base);
    let body = match page {
        1 => serde_json::json!({"value": [{"id": 1}, {"id": 2}], "@odata.nextLink": link(2)}),
        2 if !seen.throttled_once => {
            seen.throttled_once = true;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("x-facts-retry-after", "0"), ("retry-after", "3600")],
                "{}",
            )
                .into_response();
        }
        2 => serde_json::json!({"value": [{"id": 3}], "@odata.nextLink": link(3)}),
        _ => serde_json::json!({"value": [{"id": 4, "name": "last"}]}),
    };
    axum::Json(body).into_response()
}

async fn start() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server {
        base: format!("http://{}", listener.local_addr().unwrap()),
        seen: Arc::default(),
    };
    let app = axum::Router::new()
        .route("/api/v2/things", axum::routing::get(things))
        .with_state(server.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    server
}

/// A client of the generated crate for `server`, with the key the tests expect.
fn client_of(server: &Server) -> Client {
    Client::builder()
        .base_url(format!("{}/api/v2", server.base))
        .api_key("facts-secret")
        .build()
        .unwrap()
}

#[test]
fn the_defaults_come_from_the_spec_and_the_crate() {
    assert_eq!(
        client::SERVICE.base_url,
        Some("https://facts.example.test:8443/api/v2")
    );
    let auth = client::SERVICE.auth.expect("the spec declares a key");
    assert_eq!((auth.header, auth.scheme), ("X-Facts-Key", None));
    assert_eq!(
        client::SERVICE.retry_after_headers,
        ["x-facts-retry-after", "Retry-After"]
    );
    // The user agent names the crate that compiles the client: here, this test crate.
    assert_eq!(
        client::SERVICE.user_agent,
        concat!("ea-e2e/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        Client::new("k").base_url().as_str(),
        "https://facts.example.test:8443/api/v2"
    );
    assert_eq!(
        <models::ThingList as runtime::Page>::NEXT_LINK_FIELD,
        "@odata.nextLink"
    );
}

#[tokio::test]
async fn pages_to_the_end_with_the_specs_key_header_link_field_and_throttle_header() {
    let server = start().await;
    let client = client_of(&server);

    let things: Vec<models::Thing> = client.things_list().stream().try_collect().await.unwrap();
    let ids: Vec<Option<i32>> = things.iter().map(|t| t.id).collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3), Some(4)]);
    assert_eq!(things[3].name.as_deref(), Some("last"));

    let seen = server.seen.lock().unwrap();
    let pages: Vec<u32> = seen.requests.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        pages,
        [1, 2, 2, 3],
        "page 2 retried once after the throttle, then the end"
    );
    for (page, headers) in &seen.requests {
        assert_eq!(headers["x-facts-key"], "facts-secret", "page {page}");
        assert!(!headers.contains_key("authorization"), "page {page}");
        assert_eq!(
            headers["user-agent"],
            concat!("ea-e2e/", env!("CARGO_PKG_VERSION")),
            "page {page}"
        );
    }
}

#[tokio::test]
async fn pages_also_follow_the_specs_link_field() {
    let server = start().await;
    let client = client_of(&server);
    let pages: Vec<_> = client.things_list().pages().try_collect().await.unwrap();
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.body().value.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [2, 1, 1]);
}
