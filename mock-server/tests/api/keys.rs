//! Keys bound to enrollments, departments and accounts (`--key`, minted keys): 401 for another
//! enrollment, and a scoped key's rows and totals are exactly its part of the enrollment's.

use axum::Router;
use axum::body::Body;
use ea_mock_server::Config;
use ea_mock_server::keys::{self, MintOptions};
use ea_mock_server::render::balance_summary;
use ea_mock_server::totals::PeriodTotals;
use ea_mock_server::universe::{self, Universe, round6};
use http::{Request, StatusCode};
use serde_json::Value;

use crate::common::*;

/// An unbound key that reads everything, next to the bound ones.
const ALL: &str = "all-key";
const SUBSCRIPTIONS: usize = 5;

/// Five subscriptions over three accounts, pages of 7 rows (a department's month is several
/// pages), two enrollments.
fn scoped_config(keys: Vec<String>) -> Config {
    Config {
        subscriptions: SUBSCRIPTIONS,
        page_size: 7,
        enrollments: vec!["100".into(), "200".into()],
        api_keys: vec![ALL.into()],
        keys,
        ..config()
    }
}

fn universe_100() -> Universe {
    Universe::build(config().seed, "100", SUBSCRIPTIONS)
}

/// A department with some, but not all, of the subscriptions.
fn some_department(u: &Universe) -> i32 {
    let counts = |id: i32| {
        (0..u.subscriptions.len())
            .filter(|&s| u.department_of(s).id == id)
            .count()
    };
    u.departments
        .iter()
        .map(|d| d.id)
        .find(|&id| (1..u.subscriptions.len()).contains(&counts(id)))
        .expect("a department with part of the subscriptions")
}

async fn call_as(app: &Router, uri: &str, key: &str) -> Reply {
    let request = Request::get(uri)
        .header("host", HOST)
        .header("authorization", format!("Bearer {key}"))
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

/// Every row of a paged usage request with `key`, and the number of pages.
async fn rows_as(app: &Router, uri: &str, key: &str) -> (Vec<Value>, usize) {
    let (mut rows, mut pages, mut next) = (Vec::new(), 0, Some(uri.to_owned()));
    while let Some(uri) = next {
        let reply = call_as(app, &uri, key).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let page = reply.json();
        rows.extend(page["data"].as_array().unwrap().iter().cloned());
        pages += 1;
        next = page["nextLink"].as_str().map(path_of);
    }
    (rows, pages)
}

fn sum(rows: &[Value], field: &str) -> f64 {
    round6(rows.iter().map(|r| r[field].as_f64().unwrap()).sum())
}

const USAGE_201805: &str = "/v3/enrollments/100/billingPeriods/201805/usagedetails";
const MARKET_201805: &str = "/v3/enrollments/100/billingperiods/201805/marketplacecharges";
const BALANCE_201805: &str = "/v3/enrollments/100/billingperiods/201805/balancesummary";

#[tokio::test]
async fn a_key_used_for_another_enrollment_is_401_with_the_services_body() {
    let app = app(scoped_config(vec!["k100=100".into()]));
    let other = call_as(&app, "/v3/enrollments/200/balancesummary", "k100").await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other.json()["error"]["code"], "401");
    assert!(other.message().contains("not valid for this enrollment"));
    assert!(!other.text().contains("k100"), "the key is not echoed");
    assert!(other.header("etag").is_none());
    // Also where the enrollment is not served at all, and whatever the path's case.
    let unknown = call_as(&app, "/v3/ENROLLMENTS/999/balancesummary", "k100").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let own = call_as(&app, "/v3/enrollments/100/balancesummary", "k100").await;
    assert_eq!(own.status, StatusCode::OK);
    // The unbound key still reads both.
    for e in ["100", "200"] {
        let reply = call_as(&app, &format!("/v3/enrollments/{e}/balancesummary"), ALL).await;
        assert_eq!(reply.status, StatusCode::OK, "{e}");
    }
    // A department the enrollment does not have is not this enrollment's key either.
    let app = crate::keys::app(scoped_config(vec!["ghost=100:department=-5".into()]));
    let reply = call_as(&app, BALANCE_201805, "ghost").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn with_only_bound_keys_the_default_key_is_gone() {
    let app = app(Config {
        keys: vec!["k100=100".into()],
        ..config()
    });
    assert_eq!(
        call_as(&app, BALANCE_201805, KEY).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call_as(&app, BALANCE_201805, "k100").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_department_keys_rows_and_balance_summary_are_exactly_its_departments() {
    let u = universe_100();
    let dept = some_department(&u);
    let app = app(scoped_config(vec![format!("dept=100:department={dept}")]));

    let (all_rows, all_pages) = rows_as(&app, USAGE_201805, ALL).await;
    let (rows, pages) = rows_as(&app, USAGE_201805, "dept").await;
    let want: Vec<Value> = all_rows
        .iter()
        .filter(|r| r["departmentId"] == dept)
        .cloned()
        .collect();
    assert!(!want.is_empty() && want.len() < all_rows.len());
    assert_eq!(
        rows, want,
        "the full view's rows of the department, in order"
    );
    assert_eq!(pages, rows.len().div_ceil(7), "pages of the view's rows");
    assert!(pages < all_pages);

    let all_market = call_as(&app, MARKET_201805, ALL).await.json();
    let market = call_as(&app, MARKET_201805, "dept").await.json();
    let want_market: Vec<Value> = all_market
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["departmentId"] == dept)
        .cloned()
        .collect();
    assert_eq!(market.as_array().unwrap(), &want_market);

    // The summary, recomputed from the rows the key got.
    let first_day: Vec<Value> = rows
        .iter()
        .filter(|r| r["date"].as_str().unwrap().starts_with("2018-05-01"))
        .cloned()
        .collect();
    let totals = PeriodTotals {
        usage_cost: sum(&rows, "cost"),
        marketplace_cost: sum(&want_market, "extendedCost"),
        first_day_usage_cost: sum(&first_day, "cost"),
    };
    let period = ea_mock_server::domain::BillingPeriod {
        year: 2018,
        month: 5,
    };
    let want = balance_summary(&u, universe::data_seed(config().seed, 1), period, totals);
    let summary = call_as(&app, BALANCE_201805, "dept").await;
    assert_eq!(summary.status, StatusCode::OK);
    assert_eq!(summary.json(), serde_json::to_value(&want).unwrap());
    let whole = call_as(&app, BALANCE_201805, ALL).await;
    assert_ne!(whole.json()["totalUsage"], summary.json()["totalUsage"]);

    // Each view has its own ETags, and a 304 for its own.
    assert_ne!(whole.etag(), summary.etag());
    let first = call_as(&app, USAGE_201805, ALL).await;
    let scoped = call_as(&app, USAGE_201805, "dept").await;
    assert_ne!(first.etag(), scoped.etag());
    let mut request = Request::get(USAGE_201805)
        .header("host", HOST)
        .header("authorization", "Bearer dept")
        .header("if-none-match", scoped.etag());
    assert_eq!(
        send(&app, request.body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::NOT_MODIFIED
    );
    request = Request::get(USAGE_201805)
        .header("host", HOST)
        .header("authorization", "Bearer dept")
        .header("if-none-match", first.etag());
    assert_eq!(
        send(&app, request.body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::OK,
        "the enterprise view's tag is not the department's"
    );
}

#[tokio::test]
async fn an_account_key_sees_its_account_in_json_and_csv() {
    let u = universe_100();
    let account = u.accounts[1].id;
    let app = app(scoped_config(vec![format!("acct=100:account={account}")]));
    let uri =
        "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-05-01&endTime=2018-05-03";
    let (all_rows, _) = rows_as(&app, uri, ALL).await;
    let (rows, _) = rows_as(&app, uri, "acct").await;
    let want: Vec<Value> = all_rows
        .into_iter()
        .filter(|r| r["accountId"] == account)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(rows, want);
    let csv = call_as(
        &app,
        "/v3/enrollments/100/usagedetails/download?startTime=2018-05-01&endTime=2018-05-03",
        "acct",
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    // Title, blank line, header, then one line per row.
    assert_eq!(
        csv.text().split("\r\n").filter(|l| !l.is_empty()).count(),
        2 + rows.len()
    );
    // The asynchronous report would hold the whole enrollment: refused to a scoped key.
    let request = Request::post(
        "/v3/enrollments/100/usagedetails/submit?startTime=2018-05-01&endTime=2018-05-03",
    )
    .header("host", HOST)
    .header("authorization", "Bearer acct")
    .body(Body::empty())
    .unwrap();
    assert_eq!(send(&app, request).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn minted_keys_are_bound_by_their_claims() {
    let u = universe_100();
    let dept = some_department(&u);
    let config = Config {
        accept_minted_keys: true,
        ..scoped_config(Vec::new())
    };
    let seed = config.seed;
    let app = app(config.clone());
    let minted = keys::mint(
        seed,
        &MintOptions {
            enrollment: "100".into(),
            department: Some(dept),
            ..MintOptions::default()
        },
    );
    let (all_rows, _) = rows_as(&app, USAGE_201805, ALL).await;
    let (rows, _) = rows_as(&app, USAGE_201805, &minted).await;
    let want: Vec<Value> = all_rows
        .into_iter()
        .filter(|r| r["departmentId"] == dept)
        .collect();
    assert_eq!(rows, want);
    let other = call_as(&app, "/v3/enrollments/200/balancesummary", &minted).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    // Another seed's key, or a mock that does not accept minted keys: 401.
    let foreign = keys::mint(
        seed + 1,
        &MintOptions {
            enrollment: "100".into(),
            ..MintOptions::default()
        },
    );
    assert_eq!(
        call_as(&app, BALANCE_201805, &foreign).await.status,
        StatusCode::UNAUTHORIZED
    );
    let closed = crate::keys::app(Config {
        accept_minted_keys: false,
        ..config
    });
    assert_eq!(
        call_as(&closed, BALANCE_201805, &minted).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// `app` under a name the tests above can use next to their local bindings.
fn app(config: Config) -> Router {
    ea_mock_server::app(config)
}

#[test]
fn the_binary_mints_keys_the_mock_accepts() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ea-mock-server"))
        .args([
            "mint-key",
            "--enrollment",
            "100",
            "--department",
            "7",
            "--seed",
            "9",
        ])
        .env_remove("EA_MOCK_SEED")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.trim();
    assert_eq!(stdout.lines().count(), 1);
    let claims = keys::verify_minted(&keys::mint_secret(9), key).expect("signed for seed 9");
    assert_eq!(
        (
            claims.enrollment_number.as_str(),
            claims.department_id.as_str()
        ),
        ("100", "7")
    );
    assert_eq!(claims.report_view, keys::ReportView::Department);
    assert!(keys::verify_minted(&keys::mint_secret(42), key).is_none());
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_ea-mock-server"))
        .args(["mint-key", "--enrollment", "x1"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_ea-mock-server"))
        .args(["mint-key"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
