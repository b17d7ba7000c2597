//! `nextLink` paging: absolute links on the server's own origin, opaque checked tokens.

use ea_mock_server::{Config, app};
use http::StatusCode;
use serde_json::Value;

use crate::common::*;

const PERIOD: &str = "/v3/enrollments/100/billingPeriods/201805/usagedetails";

#[tokio::test]
async fn pages_link_on_the_host_origin_and_the_last_has_no_link() {
    let app = small_app();
    let first = call(&app, PERIOD).await.json();
    let link = first["nextLink"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("http://{HOST}{PERIOD}?$skiptoken=")),
        "{link}"
    );
    assert_eq!(first["data"].as_array().unwrap().len(), 50);
    let mut page = first;
    let mut count = 50;
    while let Some(link) = page["nextLink"].as_str() {
        page = call(&app, &path_of(link)).await.json();
        count += page["data"].as_array().unwrap().len();
    }
    assert_eq!(count, 31 * 6);
    // The last page carries the key with null, as the service wrote it.
    assert_eq!(
        page.get("nextLink"),
        Some(&Value::Null),
        "last page: {page}"
    );
}

#[tokio::test]
async fn query_parameters_are_kept_in_the_link() {
    let uri =
        "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-05-01&endTime=2018-05-31";
    let page = call(&small_app(), uri).await.json();
    let link = page["nextLink"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("http://{HOST}{uri}&$skiptoken=")),
        "{link}"
    );
}

#[tokio::test]
async fn forwarded_headers_and_public_url_set_the_origin() {
    let app = small_app();
    let reply = call_with(
        &app,
        PERIOD,
        &[
            ("x-forwarded-host", "reports.example:8443"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    let link = reply.json()["nextLink"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with("https://reports.example:8443/v3/"),
        "{link}"
    );

    let public = app_with_public_url();
    let link = call(&public, PERIOD).await.json()["nextLink"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        link.starts_with("https://mock.ci.example/base/v3/"),
        "{link}"
    );
}

fn app_with_public_url() -> axum::Router {
    app(Config {
        public_url: Some("https://mock.ci.example/base".into()),
        ..config()
    })
}

#[tokio::test]
async fn tampered_or_foreign_tokens_are_400() {
    let app = small_app();
    let link = call(&app, PERIOD).await.json()["nextLink"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = link.rsplit_once('=').unwrap().1.to_owned();
    // The same token on the same query works, as often as asked.
    for _ in 0..2 {
        assert_eq!(call(&app, &path_of(&link)).await.status, StatusCode::OK);
    }
    let mut forged = token.clone().into_bytes();
    forged[15] = if forged[15] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    for uri in [
        format!("{PERIOD}?$skiptoken={forged}"),
        format!("{PERIOD}?$skiptoken=abc"),
        format!("/v3/enrollments/100/billingPeriods/201804/usagedetails?$skiptoken={token}"),
        format!("{PERIOD}?$skiptoken={token}&$skiptoken={token}"),
    ] {
        let reply = call(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            reply.message().contains("$skiptoken"),
            "{}",
            reply.message()
        );
    }
    // Tokens depend on the seed: another server's token is foreign.
    let other = app_with_seed(9);
    assert_eq!(
        call(&other, &path_of(&link)).await.status,
        StatusCode::BAD_REQUEST
    );
}

fn app_with_seed(seed: u64) -> axum::Router {
    app(Config { seed, ..config() })
}

#[tokio::test]
async fn empty_results_are_one_page_without_link() {
    let app = small_app();
    let page = call(
        &app,
        "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-07-01&endTime=2018-07-31",
    )
    .await
    .json();
    assert_eq!(page["data"], serde_json::json!([]));
    assert_eq!(page.get("nextLink"), Some(&Value::Null));
    let none = app_without_usage();
    let page = call(&none, PERIOD).await.json();
    assert_eq!(page["data"], serde_json::json!([]));
}

fn app_without_usage() -> axum::Router {
    app(Config {
        rows_per_day: 0,
        ..config()
    })
}

#[tokio::test]
async fn page_ids_are_distinct_guids() {
    let app = small_app();
    let first = call(&app, PERIOD).await.json();
    let second = call(&app, &path_of(first["nextLink"].as_str().unwrap()))
        .await
        .json();
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
}
