//! Real sockets on loopback (ephemeral ports), driven by the generated client and
//! reqwest: what downstream CI will see.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ea_mock_server::faults::{Fault, FaultInjector};
use ea_mock_server::{Config, MockServer};
use ea_reporting::models::{Grain, LookBackPeriod};
use ea_reporting::{Client, Error, RetryPolicy};
use futures_util::{StreamExt, TryStreamExt};

use crate::common::*;

async fn start(config: Config) -> MockServer {
    MockServer::start(Config {
        host: "127.0.0.1".into(),
        port: 0,
        ..config
    })
    .await
    .unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .api_key(KEY)
        .retry_policy(RetryPolicy {
            max_retries: 8,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            jitter: false,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    format!("{s}T00:00:00Z").parse().unwrap()
}

#[tokio::test]
async fn the_generated_client_calls_every_operation() {
    let server = start(config()).await;
    let c = client(&server);
    let e = "100";
    let (s, t) = (at("2018-05-01"), at("2018-05-31"));
    let balance = c
        .balance_summary_v3_get_by_current_billing_period(e)
        .send()
        .await
        .unwrap();
    assert_eq!(balance.body().billing_period_id.as_deref(), Some("201806"));
    assert!(balance.etag().is_some());
    c.balance_summary_v3_get_by_billing_period(e, "201805")
        .send()
        .await
        .unwrap();
    let page = c
        .usage_details_v3_get_by_custom_date(e, s, t)
        .send()
        .await
        .unwrap();
    assert_eq!(page.body().data.as_ref().unwrap().len(), 50);
    c.usage_details_v3_get_by_current_billing_period(e)
        .send()
        .await
        .unwrap();
    c.usage_details_v3_get_by_billing_period(e, "201805")
        .send()
        .await
        .unwrap();
    let csv = c
        .usage_details_download_v3_get(e)
        .billing_period("201805")
        .send()
        .await
        .unwrap();
    let bytes = csv.into_body().collect_bytes().await.unwrap();
    // Title, blank line, header, then the rows.
    assert_eq!(
        bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        3 + 31 * 6
    );
    let rows: Vec<_> = c
        .usage_details_download_v3_get(e)
        .billing_period("201805")
        .rows()
        .await
        .unwrap()
        .into_body()
        .collect()
        .await;
    assert_eq!(rows.len(), 31 * 6);
    assert!(rows.iter().all(Result::is_ok));
    c.usage_details_download_v3_get(e)
        .start_time(s)
        .end_time(t)
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.marketplaces_v3_get_marketplaces_by_custom_date(e, s, t)
            .send()
            .await
            .unwrap()
            .body()
            .len(),
        31
    );
    c.marketplaces_v3_get_marketplaces(e).send().await.unwrap();
    c.marketplaces_v3_get_marketplaces_by_billing_period(e, "201805")
        .send()
        .await
        .unwrap();
    assert!(
        !c.price_sheets_v3_get(e)
            .send()
            .await
            .unwrap()
            .body()
            .is_empty()
    );
    c.price_sheets_v3_get_by_billing_period(e, "201805")
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.billing_periods_v2_get(e)
            .send()
            .await
            .unwrap()
            .body()
            .len(),
        36
    );
    let (rs, rt) = (at("2017-11-01"), at("2018-06-15"));
    assert!(
        !c.reserved_instances_v3_get(e, rs, rt)
            .send()
            .await
            .unwrap()
            .body()
            .is_empty()
    );
    assert!(
        !c.reserved_instances_v2_get_reservation_details(e, rs, rt)
            .send()
            .await
            .unwrap()
            .body()
            .is_empty()
    );
    c.reserved_instances_v2_get_reservation_summaries(e, Grain::Daily)
        .start_date(rs)
        .end_date(rt)
        .send()
        .await
        .unwrap();
    c.reserved_instances_v2_get_reservation_summaries(e, Grain::Monthly)
        .send()
        .await
        .unwrap();
    c.reservation_recommendations_v2_get_shared(e)
        .look_back_period(LookBackPeriod::Last60Days)
        .send()
        .await
        .unwrap();
    c.reservation_recommendations_v2_get_single(e)
        .send()
        .await
        .unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_client_streams_every_row_once() {
    let server = start(config()).await;
    let rows: Vec<_> = client(&server)
        .usage_details_v3_get_by_billing_period("100", "201805")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 31 * 6);
    let unique: HashSet<_> = rows
        .iter()
        .map(|r| (r.date, r.instance_id.clone()))
        .collect();
    assert_eq!(unique.len(), rows.len());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn next_links_name_the_origin_the_client_used() {
    let server = start(config()).await;
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/v3/enrollments/100/billingPeriods/201805/usagedetails",
            server.url()
        ))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = body["nextLink"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/v3/", server.url())), "{link}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn conditional_calls_get_not_modified() {
    let server = start(config()).await;
    let c = client(&server);
    let first = c
        .price_sheets_v3_get_by_billing_period("100", "201805")
        .send()
        .await
        .unwrap();
    let etag = first.etag().unwrap();
    let again = c
        .price_sheets_v3_get_by_billing_period("100", "201805")
        .if_none_match(&etag)
        .await
        .unwrap();
    assert!(again.is_not_modified());
    let other = c
        .price_sheets_v3_get_by_billing_period("100", "201804")
        .if_none_match(&etag)
        .await
        .unwrap();
    assert!(!other.is_not_modified());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn errors_reach_the_client_as_typed_errors() {
    let server = start(config()).await;
    let c = client(&server);
    let err = c
        .price_sheets_v3_get_by_billing_period("100", "201899")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    assert!(
        err.api_error()
            .unwrap()
            .message
            .as_deref()
            .unwrap()
            .contains("billingPeriod")
    );
    let err = c.price_sheets_v3_get("999").send().await.unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    let wrong = Client::builder()
        .base_url(server.url())
        .api_key("nope")
        .build()
        .unwrap();
    let err = wrong.price_sheets_v3_get("100").send().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    server.shutdown().await.unwrap();
}

/// With faults injected (500, 503, 429 and cut connections), the retrying client
/// still gets every row exactly once, identical to a fault-free server's.
#[tokio::test]
async fn retries_through_injected_faults_lose_and_duplicate_nothing() {
    let clean = start(config()).await;
    let faulty = start(Config {
        fault_rate: 0.3,
        seed: 42,
        ..config()
    })
    .await;
    let collect = |server: &MockServer| {
        client(server)
            .usage_details_v3_get_by_custom_date("100", at("2018-04-01"), at("2018-05-31"))
            .stream()
    };
    let want: Vec<_> = collect(&clean).try_collect().await.unwrap();
    let got: Vec<_> = collect(&faulty).try_collect().await.unwrap();
    assert_eq!(got.len(), 61 * 6);
    assert_eq!(got, want);
    clean.shutdown().await.unwrap();
    faulty.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_dropped_connection_cuts_the_body_after_the_headers() {
    let seed = (0..)
        .find(|s| FaultInjector::new(1.0, *s).fault_at(0) == Some(Fault::Drop))
        .unwrap();
    let server = start(Config {
        fault_rate: 1.0,
        seed,
        ..config()
    })
    .await;
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v3/enrollments/100/billingperiods/201805/pricesheet",
            server.url()
        ))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    assert!(response.bytes().await.is_err(), "the body must break off");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn concurrent_clients_see_the_same_rows() {
    let server = start(config()).await;
    let c = client(&server);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                c.usage_details_v3_get_by_billing_period("100", "201804")
                    .stream()
                    .try_collect::<Vec<_>>()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(results[0].len(), 30 * 6);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_stops_accepting() {
    let server = start(config()).await;
    let url = format!("{}/health", server.url());
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    server.shutdown().await.unwrap();
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    assert!(fresh.get(&url).send().await.is_err());
}
