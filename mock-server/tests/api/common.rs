//! Shared helpers: a small, fixed-date configuration and one-shot requests.

use axum::Router;
use axum::body::Body;
use chrono::NaiveDate;
use ea_mock_server::{Config, app};
use http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

pub const KEY: &str = "ea-mock-key";
pub const HOST: &str = "mock.test:8080";

/// The day the tests pretend it is: the current billing period is 201806.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2018, 6, 15).unwrap()
}

/// Small sizes so bodies stay short; 2 subscriptions × 3 rows = 6 usage rows a day.
pub fn config() -> Config {
    Config {
        today: Some(today()),
        subscriptions: 2,
        rows_per_day: 3,
        page_size: 50,
        retry_after_secs: 0,
        ..Config::default()
    }
}

pub fn small_app() -> Router {
    app(config())
}

/// A response, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub fn etag(&self) -> &str {
        self.header("etag").expect("an ETag")
    }

    /// The `message` of a JSON error body.
    pub fn message(&self) -> String {
        let v = self.json();
        assert!(v["error"]["code"].is_string(), "{v}");
        v["error"]["message"].as_str().unwrap().to_owned()
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// A GET with the default key and a Host header.
pub fn get(uri: &str) -> http::request::Builder {
    Request::get(uri)
        .header("host", HOST)
        .header("authorization", format!("Bearer {KEY}"))
}

/// A POST with the default key and a Host header (no body).
pub fn post(uri: &str) -> http::request::Builder {
    get(uri).method("POST")
}

pub async fn call(app: &Router, uri: &str) -> Reply {
    send(app, get(uri).body(Body::empty()).unwrap()).await
}

pub async fn call_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut builder = get(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    send(app, builder.body(Body::empty()).unwrap()).await
}

/// The path of an absolute link (what a client would request next).
pub fn path_of(link: &str) -> String {
    let rest = link.split_once("://").map_or(link, |(_, r)| r);
    rest[rest.find('/').unwrap()..].to_owned()
}

/// Every row of a paged usage request, following `nextLink`s.
pub async fn all_usage_rows(app: &Router, uri: &str) -> (Vec<Value>, usize) {
    let mut rows = Vec::new();
    let mut pages = 0;
    let mut next = Some(uri.to_owned());
    while let Some(uri) = next {
        let reply = call(app, &uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let page = reply.json();
        rows.extend(page["data"].as_array().unwrap().iter().cloned());
        pages += 1;
        next = page["nextLink"].as_str().map(path_of);
    }
    (rows, pages)
}

/// The asynchronous report's operations, which `OPERATIONS` leaves out (they have no ETag and
/// their answers move with the clock): the submit (a POST; id, path and query) and the poll,
/// whose path is the `reportUrl` the submit answers.
pub const REPORT_SUBMIT: (&str, &str) = (
    "UsageDetailsSubmitV3_Post",
    "/v3/enrollments/100/usagedetails/submit?startTime=2018-05-30&endTime=2018-05-31",
);
/// The poll's operation id.
pub const REPORT_POLL: &str = "UsageDetailsReportV3_Get";

/// Submits a report and returns the answer.
pub async fn submit(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut builder = post(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    send(app, builder.body(Body::empty()).unwrap()).await
}

/// Polls the `reportUrl` of a submit or poll answer.
pub async fn poll(app: &Router, report: &Reply) -> Reply {
    let url = report.json()["reportUrl"].as_str().unwrap().to_owned();
    call(app, &path_of(&url)).await
}

/// One request per data operation of the spec (operation id, path and query), with small
/// ranges so bodies stay short.
pub const OPERATIONS: [(&str, &str); 17] = [
    (
        "BalanceSummaryV3_GetByCurrentBillingPeriod",
        "/v3/enrollments/100/balancesummary",
    ),
    (
        "BalanceSummaryV3_GetByBillingPeriod",
        "/v3/enrollments/100/billingperiods/201805/balancesummary",
    ),
    (
        "UsageDetailsV3_GetByCustomDate",
        "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-05-30&endTime=2018-05-31",
    ),
    (
        "UsageDetailsV3_GetByCurrentBillingPeriod",
        "/v3/enrollments/100/usagedetails",
    ),
    (
        "UsageDetailsV3_GetByBillingPeriod",
        "/v3/enrollments/100/billingPeriods/201805/usagedetails",
    ),
    (
        "UsageDetailsDownloadV3_Get",
        "/v3/enrollments/100/usagedetails/download?startTime=2018-05-30&endTime=2018-05-31",
    ),
    (
        "MarketplacesV3_GetMarketplacesByCustomDate",
        "/v3/enrollments/100/marketplacechargesbycustomdate?startTime=2018-05-30&endTime=2018-05-31",
    ),
    (
        "MarketplacesV3_GetMarketplaces",
        "/v3/enrollments/100/marketplacecharges",
    ),
    (
        "MarketplacesV3_GetMarketplacesByBillingPeriod",
        "/v3/enrollments/100/billingperiods/201805/marketplacecharges",
    ),
    ("PriceSheetsV3_Get", "/v3/enrollments/100/pricesheet"),
    (
        "PriceSheetsV3_GetByBillingPeriod",
        "/v3/enrollments/100/billingperiods/201805/pricesheet",
    ),
    ("BillingPeriodsV2_Get", "/v2/enrollments/100/billingperiods"),
    (
        "ReservedInstancesV3_Get",
        "/v3/enrollments/100/reservationcharges?startDate=2015-07-01&endDate=2018-06-15",
    ),
    (
        "ReservedInstancesV2_GetReservationDetails",
        "/v2/enrollments/100/reservationdetails?startDate=2018-06-01&endDate=2018-06-02",
    ),
    (
        "ReservedInstancesV2_GetReservationSummaries",
        "/v2/enrollments/100/reservationsummaries?grain=monthly",
    ),
    (
        "ReservationRecommendationsV2_GetShared",
        "/v2/enrollments/100/SharedReservationRecommendations?lookBackPeriod=30",
    ),
    (
        "ReservationRecommendationsV2_GetSingle",
        "/v2/enrollments/100/SingleReservationRecommendations",
    ),
];
