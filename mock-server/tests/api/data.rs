//! The data: consistent with the universe, with itself and across operations.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use ea_mock_server::universe::Universe;
use ea_mock_server::{Config, app};
use http::StatusCode;
use serde_json::Value;

use crate::common::*;

/// The day of a date-time written as the service did (`2018-05-01T00:00:00`, no offset).
fn date(v: &Value) -> NaiveDate {
    NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S")
        .unwrap_or_else(|e| panic!("{v}: {e}"))
        .date()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[tokio::test]
async fn usage_rows_reference_the_universe_and_the_price_sheet() {
    let app = small_app();
    let universe = Universe::build(42, "100", 2);
    let (rows, pages) = all_usage_rows(
        &app,
        "/v3/enrollments/100/billingPeriods/201805/usagedetails",
    )
    .await;
    assert_eq!(rows.len(), 31 * 6);
    assert_eq!(pages, (31 * 6usize).div_ceil(50));
    let prices: HashMap<String, f64> =
        call(&app, "/v3/enrollments/100/billingperiods/201805/pricesheet")
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["meterId"].as_str().unwrap().to_owned(),
                    f(&p["unitPrice"]),
                )
            })
            .collect();
    let subs: HashSet<&str> = universe
        .subscriptions
        .iter()
        .map(|s| s.guid.as_str())
        .collect();
    let mut seen = HashSet::new();
    for row in &rows {
        let (q, r, cost) = (
            f(&row["consumedQuantity"]),
            f(&row["resourceRate"]),
            f(&row["cost"]),
        );
        assert!((cost - q * r).abs() <= 5e-7, "{row}");
        let day = date(&row["date"]);
        assert!(day >= NaiveDate::from_ymd_opt(2018, 5, 1).unwrap());
        assert!(day <= NaiveDate::from_ymd_opt(2018, 5, 31).unwrap());
        assert!(subs.contains(row["subscriptionGuid"].as_str().unwrap()));
        let meter = row["meterId"].as_str().unwrap();
        assert_eq!(
            prices.get(meter),
            Some(&r),
            "price-sheet meters are the usage meters"
        );
        assert!(
            seen.insert((day, row["instanceId"].as_str().unwrap().to_owned())),
            "duplicate {row}"
        );
        let tags = row["tags"].as_str().unwrap();
        assert!(tags.is_empty() || serde_json::from_str::<Value>(tags).is_ok());
    }
}

#[tokio::test]
async fn custom_range_rows_stay_in_range_and_stop_at_today() {
    let app = small_app();
    let (rows, _) = all_usage_rows(
        &app,
        "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-06-10&endTime=2018-07-20",
    )
    .await;
    let days: HashSet<NaiveDate> = rows.iter().map(|r| date(&r["date"])).collect();
    let expected: HashSet<NaiveDate> = (10..=15)
        .map(|d| NaiveDate::from_ymd_opt(2018, 6, d).unwrap())
        .collect();
    assert_eq!(days, expected, "no data after today (2018-06-15)");
}

#[tokio::test]
async fn balance_summary_agrees_with_usage_and_marketplace() {
    let app = small_app();
    for (period, summary) in [
        (
            "201805",
            "/v3/enrollments/100/billingperiods/201805/balancesummary",
        ),
        ("201806", "/v3/enrollments/100/balancesummary"),
    ] {
        let b = call(&app, summary).await.json();
        assert_eq!(b["billingPeriodId"], period);
        let (rows, _) = all_usage_rows(
            &app,
            &format!("/v3/enrollments/100/billingPeriods/{period}/usagedetails"),
        )
        .await;
        let usage: f64 = rows.iter().map(|r| f(&r["cost"])).sum();
        let market: f64 = call(
            &app,
            &format!("/v3/enrollments/100/billingperiods/{period}/marketplacecharges"),
        )
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| f(&m["extendedCost"]))
        .sum();
        assert!(
            (f(&b["totalUsage"]) - usage).abs() < 1e-6,
            "{period}: {b} vs {usage}"
        );
        assert!((f(&b["utilized"]) + f(&b["serviceOverage"]) - usage).abs() < 1e-6);
        assert!((f(&b["azureMarketplaceServiceCharges"]) - market).abs() < 1e-6);
        let available = f(&b["beginningBalance"]) + f(&b["newPurchases"]) + f(&b["adjustments"]);
        assert!((f(&b["endingBalance"]) - (available - f(&b["utilized"]))).abs() < 1e-6);
        assert!(
            (f(&b["totalOverage"]) - f(&b["serviceOverage"]) - f(&b["chargesBilledSeparately"]))
                .abs()
                < 1e-9
        );
    }
}

#[tokio::test]
async fn billing_periods_are_newest_first_and_their_links_work() {
    let app = small_app();
    let list = call(&app, "/v2/enrollments/100/billingperiods")
        .await
        .json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 36);
    let ids: Vec<&str> = list
        .iter()
        .map(|p| p["billingPeriodId"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "201806");
    assert_eq!(ids[35], "201507");
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    assert_eq!(list[1]["billingStart"], "2018-05-01T00:00:00");
    assert_eq!(list[1]["billingEnd"], "2018-05-31T23:59:59");
    for link in [
        "balanceSummary",
        "usageDetails",
        "marketplaceCharges",
        "priceSheet",
    ] {
        let path = list[1][link].as_str().unwrap();
        assert!(
            path.starts_with("/v3/enrollments/100/billing") && path.contains("/201805/"),
            "{path}"
        );
        let reply = call(&app, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{link}: {path}");
    }
}

#[tokio::test]
async fn marketplace_charges_come_from_offers() {
    let app = small_app();
    let universe = Universe::build(42, "100", 2);
    let charges = call(
        &app,
        "/v3/enrollments/100/billingperiods/201805/marketplacecharges",
    )
    .await
    .json();
    let charges = charges.as_array().unwrap();
    assert_eq!(charges.len(), 31, "one row a day for 2 subscriptions");
    for c in charges {
        let offer = universe
            .marketplace_offers
            .iter()
            .find(|o| o.meter_id == c["meterId"].as_str().unwrap())
            .expect("an offer of the universe");
        assert_eq!(c["offerName"], offer.offer_name.as_str());
        assert_eq!(f(&c["resourceRate"]), offer.resource_rate);
        assert!(
            (f(&c["extendedCost"]) - f(&c["consumedQuantity"]) * f(&c["resourceRate"])).abs()
                <= 5e-7
        );
        assert_eq!(date(&c["usageStartDate"]), date(&c["usageEndDate"]));
    }
}

#[tokio::test]
async fn reservations_come_from_the_universe() {
    let app = small_app();
    let universe = Universe::build(42, "100", 2);
    let orders: HashSet<&str> = universe
        .reservations
        .iter()
        .map(|r| r.order_id.as_str())
        .collect();
    let charges = call(
        &app,
        "/v3/enrollments/100/reservationcharges?startDate=2015-07-01&endDate=2018-06-15",
    )
    .await
    .json();
    let bought_by_today = universe
        .reservations
        .iter()
        .filter(|r| r.purchase_date <= today())
        .count();
    assert_eq!(charges.as_array().unwrap().len(), bought_by_today);
    for c in charges.as_array().unwrap() {
        assert!(orders.contains(c["reservationOrderId"].as_str().unwrap()));
        assert_eq!(c["eventType"], "Purchase");
    }
    let range = "startDate=2016-01-01&endDate=2018-06-15";
    let details = call(
        &app,
        &format!("/v2/enrollments/100/reservationdetails?{range}"),
    )
    .await
    .json();
    let daily = call(
        &app,
        &format!("/v2/enrollments/100/reservationsummaries?grain=daily&{range}"),
    )
    .await
    .json();
    let details = details.as_array().unwrap();
    assert_eq!(details.len(), daily.as_array().unwrap().len());
    for (d, s) in details.iter().zip(daily.as_array().unwrap()) {
        assert!(orders.contains(d["reservationOrderId"].as_str().unwrap()));
        assert_eq!(d["usedHours"], s["usedHours"]);
        assert!(f(&d["usedHours"]) <= f(&d["reservedHours"]));
    }
    let monthly = call(
        &app,
        &format!("/v2/enrollments/100/reservationsummaries?grain=monthly&{range}"),
    )
    .await
    .json();
    let used_monthly: f64 = monthly
        .as_array()
        .unwrap()
        .iter()
        .map(|m| f(&m["usedHours"]))
        .sum();
    let used_daily: f64 = details.iter().map(|d| f(&d["usedHours"])).sum();
    assert!((used_monthly - used_daily).abs() < 1e-3);
}

#[tokio::test]
async fn recommendations_name_the_look_back_period() {
    let app = small_app();
    for (query, name) in [
        ("", "Last7Days"),
        ("?lookBackPeriod=30", "Last30Days"),
        ("?lookBackPeriod=60", "Last60Days"),
    ] {
        let recs = call(
            &app,
            &format!("/v2/enrollments/100/SharedReservationRecommendations{query}"),
        )
        .await
        .json();
        let recs = recs.as_array().unwrap();
        assert!(!recs.is_empty());
        assert!(
            recs.iter()
                .all(|r| r["lookBackPeriod"] == name && r.get("subscriptionId").is_none())
        );
    }
}

/// Same seed and flags → the same bytes from two independent servers (as after a
/// restart or on another machine); another seed → other data.
#[tokio::test]
async fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b) = (small_app(), small_app());
    let c = app(Config {
        seed: 7,
        ..config()
    });
    for (op, uri) in OPERATIONS {
        let (ra, rb, rc) = (
            call(&a, uri).await,
            call(&b, uri).await,
            call(&c, uri).await,
        );
        assert_eq!(ra.status, StatusCode::OK, "{op}: {}", ra.text());
        assert_eq!(ra.body, rb.body, "{op}");
        assert_eq!(ra.etag(), rb.etag(), "{op}");
        assert_ne!(ra.etag(), rc.etag(), "{op}");
        if op != "BillingPeriodsV2_Get" {
            assert_ne!(ra.body, rc.body, "{op}");
        }
    }
}

#[tokio::test]
async fn data_version_changes_values_but_not_the_world() {
    let uri = "/v3/enrollments/100/billingPeriods/201805/usagedetails";
    let v1 = call(&small_app(), uri).await;
    let v2 = call(
        &app(Config {
            data_version: 2,
            ..config()
        }),
        uri,
    )
    .await;
    assert_ne!(v1.etag(), v2.etag());
    let (r1, r2) = (&v1.json()["data"][0], &v2.json()["data"][0]);
    assert_eq!(r1["instanceId"], r2["instanceId"], "same resources");
    assert_eq!(r1["subscriptionGuid"], r2["subscriptionGuid"]);
    let q = |v: &Reply| -> Vec<f64> {
        v.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| f(&r["consumedQuantity"]))
            .collect()
    };
    assert_ne!(q(&v1), q(&v2), "refreshed numbers");
}

#[tokio::test]
async fn sizes_are_configurable() {
    let app = app(Config {
        subscriptions: 5,
        rows_per_day: 4,
        page_size: 7,
        ..config()
    });
    let (rows, pages) = all_usage_rows(
        &app,
        "/v3/enrollments/100/billingPeriods/201802/usagedetails",
    )
    .await;
    assert_eq!(rows.len(), 28 * 20);
    assert_eq!(pages, (28usize * 20).div_ceil(7));
    let subs: HashSet<&str> = rows
        .iter()
        .map(|r| r["subscriptionGuid"].as_str().unwrap())
        .collect();
    assert_eq!(subs.len(), 5);
}
