//! The served API (`ea_mock_server::served`, what `MockServer` and the binary serve: the API's own
//! requests go to its handler without axum's router) answers exactly as the router does, both on
//! a socket: the same status, headers and body for every kind of request, and the same journal
//! entry.

use ea_mock_server::{Config, JournalEntry, MockServer};
use http::{HeaderMap, Method};

use std::future::IntoFuture;

use crate::common::*;

const ADMIN: &str = "front-admin";
const SUMMARY: &str = "/v3/enrollments/100/billingperiods/201805/balancesummary";

/// One request: method, path and query, headers.
type Case = (Method, String, Vec<(&'static str, String)>);

fn cases(etag: &str) -> Vec<Case> {
    let key = || ("authorization", format!("bearer {KEY}"));
    let get = |path: &str| (Method::GET, path.to_owned(), vec![key()]);
    let mut cases = vec![
        get(SUMMARY),
        (
            Method::GET,
            SUMMARY.into(),
            vec![key(), ("if-none-match", etag.to_owned())],
        ),
        (Method::HEAD, SUMMARY.into(), vec![key()]),
        (Method::GET, SUMMARY.into(), vec![]),
        (
            Method::GET,
            SUMMARY.into(),
            vec![("authorization", "bearer wrong".into())],
        ),
        (Method::POST, SUMMARY.into(), vec![key()]),
        (
            Method::GET,
            SUMMARY.into(),
            vec![key(), ("x-mock-status", "503".into())],
        ),
        (
            Method::GET,
            SUMMARY.into(),
            vec![key(), ("prefer", "code=429".into())],
        ),
        (
            Method::GET,
            SUMMARY.into(),
            vec![key(), ("x-mock-status", "418".into())],
        ),
        get("/v3/enrollments/100/billingperiods/201805/usagedetails"),
        get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-05-01&endTime=2018-05-02"),
        get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=nope&endTime=2018-05-02"),
        get("/v3/enrollments/100/usagedetails/download?billingPeriod=201805"),
        get("/v3/enrollments/999/billingperiods/201805/balancesummary"),
        get("/v3/nothing/here"),
        get("/healthz"),
        get("/administrator"),
    ];
    // The router's own paths, and paths next to them its fallback answers.
    for path in [
        "/health",
        "/health/",
        "/HEALTH",
        "/swagger/docs/v3",
        "/swagger/ui/index",
        "/swagger",
        "/admin/requests?operation=none",
    ] {
        cases.push(get(path));
    }
    cases.push((
        Method::GET,
        "/admin/faults".into(),
        vec![("authorization", format!("bearer {ADMIN}"))],
    ));
    cases
}

/// Status, headers without `date` (the clock's), body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

fn answer(status: u16, headers: &HeaderMap, body: &[u8]) -> Answer {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| *name != http::header::DATE)
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    (status, headers, body.to_vec())
}

/// What an entry says of the request and its answer (not its number, time or the headers
/// each client adds on its own).
type Gist = (
    String,
    String,
    Option<String>,
    Option<String>,
    u16,
    u64,
    Option<String>,
);

fn gist(e: &JournalEntry) -> Gist {
    (
        e.method.clone(),
        e.target.clone(),
        e.operation.clone(),
        e.key.clone(),
        e.status,
        e.bytes,
        e.fault.clone(),
    )
}

#[tokio::test]
async fn the_served_api_answers_as_the_router() {
    let server = MockServer::start(Config {
        host: "127.0.0.1".into(),
        port: 0,
        admin_key: Some(ADMIN.into()),
        ..config()
    })
    .await
    .unwrap();
    // The router over the same state (one world, one journal, one memo) on a socket of its own.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let routed_url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let routed_server = tokio::spawn(
        axum::serve(listener, ea_mock_server::router(server.state().clone()))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let first = http
        .get(format!("{routed_url}{SUMMARY}"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    server.clear_journal();
    let cases = cases(&etag);
    for (method, target, headers) in &cases {
        let mut answers = Vec::new();
        for url in [&routed_url, &server.url()] {
            // One Host for both, so links (and the ETags of pages holding them) name one origin.
            let mut request = http
                .request(method.clone(), format!("{url}{target}"))
                .header("host", HOST);
            for (name, value) in headers {
                request = request.header(*name, value.as_str());
            }
            let response = request.send().await.unwrap();
            let (status, headers) = (response.status().as_u16(), response.headers().clone());
            let body = response.bytes().await.unwrap();
            answers.push(answer(status, &headers, &body));
        }
        // Not assert_eq!: a page is too long to print; its length is shown.
        let shown = |a: &Answer| (a.0, a.1.clone(), a.2.len());
        assert!(
            answers[1] == answers[0],
            "{method} {target} {headers:?}: served {:?}, routed {:?}",
            shown(&answers[1]),
            shown(&answers[0])
        );
    }
    // Both ways journaled the same: entries in pairs (the router's first), alike but for the
    // headers each client adds.
    let journal = server.journal();
    assert_eq!(
        journal.len(),
        2 * (cases.len() - 2),
        "the two /admin requests are not journaled"
    );
    for pair in journal.chunks(2) {
        assert_eq!(gist(&pair[0]), gist(&pair[1]));
    }
    stop.send(()).unwrap();
    routed_server.await.unwrap().unwrap();
    server.shutdown().await.unwrap();
}
