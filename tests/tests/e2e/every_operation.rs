//! All 17 operations of the generated client against the mock started through its public
//! in-process entry point (`MockServer::start`), for two seeds: each answers 200 with an
//! ETag and data that deserializes and makes sense, its conditional form answers "not
//! modified" to that ETag, and the paged ones page through exactly the generated rows.

use ea_reporting::runtime::service_csv::ServiceCsv;
use std::collections::{HashMap, HashSet};

use ea_mock_server::{Config, MockServer};
use ea_reporting::models::{Grain, LookBackPeriod, UsageDetailsDeNormalizedTitaniumJuly};
use ea_reporting::{Client, Conditional};
use futures_util::TryStreamExt;

use crate::support::*;

/// Calls `$call`, checks the 200 and its ETag, then calls `$conditional` (which may use
/// the ETag as `$tag`) and checks it answers 304 with the same ETag. Yields the body.
macro_rules! round_trip {
    ($name:expr, $call:expr, |$tag:ident| $conditional:expr) => {{
        let name = $name;
        let response = $call.await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.status(), 200, "{name}");
        let $tag = response.etag().unwrap_or_else(|| panic!("{name}: no ETag"));
        match $conditional
            .await
            .unwrap_or_else(|e| panic!("{name} with If-None-Match: {e}"))
        {
            Conditional::NotModified(not_modified) => {
                assert_eq!(not_modified.status, 304, "{name}");
                assert_eq!(not_modified.etag.as_ref(), Some(&$tag), "{name}");
            }
            Conditional::Modified(_) => panic!("{name}: modified although nothing changed"),
        }
        (response.into_body(), $tag)
    }};
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// What one seed's run saw, to compare the seeds.
#[derive(Debug, PartialEq)]
struct Seen {
    meter_ids: Vec<String>,
    first_usage_row: UsageDetailsDeNormalizedTitaniumJuly,
    etags: Vec<String>,
}

async fn every_operation(seed: u64) -> Seen {
    let config = small_config(seed);
    let server = MockServer::start(config.clone()).await.unwrap();
    let c: Client = client(&server.url());
    let e = ENROLLMENT;
    let (may1, may31) = (at(2018, 5, 1), at(2018, 5, 31));
    let mut etags = Vec::new();

    // 1, 2: balance summaries.
    let (current_balance, tag) = round_trip!(
        "balance summary, current period",
        c.balance_summary_v3_get_by_current_billing_period(e).send(),
        |tag| c
            .balance_summary_v3_get_by_current_billing_period(e)
            .if_none_match(&tag)
    );
    etags.push(tag.as_str().to_owned());
    assert_eq!(current_balance.billing_period_id.as_deref(), Some("201806"));
    let (balance, _) = round_trip!(
        "balance summary, 201805",
        c.balance_summary_v3_get_by_billing_period(e, PERIOD).send(),
        |tag| c
            .balance_summary_v3_get_by_billing_period(e, PERIOD)
            .if_none_match(&tag)
    );
    assert_eq!(balance.billing_period_id.as_deref(), Some(PERIOD));
    assert!(
        balance
            .currency_code
            .as_deref()
            .is_some_and(|c| c.len() == 3)
    );

    // 3: usage by billing period — one page, its conditional forms, and every page.
    let (page, _) = round_trip!(
        "usage details, 201805, first page",
        c.usage_details_v3_get_by_billing_period(e, PERIOD).send(),
        |tag| c
            .usage_details_v3_get_by_billing_period(e, PERIOD)
            .if_none_match(&tag)
    );
    assert_eq!(page.data.as_ref().map(Vec::len), Some(40));
    assert!(page.next_link.is_some());
    let tag = c
        .usage_details_v3_get_by_billing_period(e, PERIOD)
        .send()
        .await
        .unwrap()
        .etag()
        .unwrap();
    assert!(
        c.usage_details_v3_get_by_billing_period(e, PERIOD)
            .pages_if_none_match(&tag)
            .await
            .unwrap()
            .is_not_modified()
    );
    let expected = library_rows(&config, 1, period_days());
    let rows: Vec<_> = c
        .usage_details_v3_get_by_billing_period(e, PERIOD)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 12 * 31);
    assert!(
        rows == expected,
        "seed {seed}: the rows differ from the library's"
    );
    let pages: Vec<_> = c
        .usage_details_v3_get_by_billing_period(e, PERIOD)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 10);
    assert_eq!(pages[0].etag(), Some(tag));

    // 4: usage by custom date — the same month, the same rows.
    let (page, _) = round_trip!(
        "usage details, custom dates",
        c.usage_details_v3_get_by_custom_date(e, may1, may31).send(),
        |tag| c
            .usage_details_v3_get_by_custom_date(e, may1, may31)
            .if_none_match(&tag)
    );
    assert_eq!(page.data.as_ref().map(Vec::len), Some(40));
    let tag = c
        .usage_details_v3_get_by_custom_date(e, may1, may31)
        .send()
        .await
        .unwrap()
        .etag()
        .unwrap();
    assert!(
        c.usage_details_v3_get_by_custom_date(e, may1, may31)
            .pages_if_none_match(&tag)
            .await
            .unwrap()
            .is_not_modified()
    );
    let by_range: Vec<_> = c
        .usage_details_v3_get_by_custom_date(e, may1, may31)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        by_range == rows,
        "custom dates of May = billing period 201805"
    );
    let range_pages: Vec<_> = c
        .usage_details_v3_get_by_custom_date(e, may1, may31)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(range_pages.len(), 10);

    // 5: usage of the current period: 1–15 June.
    let (page, _) = round_trip!(
        "usage details, current period",
        c.usage_details_v3_get_by_current_billing_period(e).send(),
        |tag| c
            .usage_details_v3_get_by_current_billing_period(e)
            .if_none_match(&tag)
    );
    assert_eq!(page.data.as_ref().map(Vec::len), Some(40));
    let tag = c
        .usage_details_v3_get_by_current_billing_period(e)
        .send()
        .await
        .unwrap()
        .etag()
        .unwrap();
    assert!(
        c.usage_details_v3_get_by_current_billing_period(e)
            .pages_if_none_match(&tag)
            .await
            .unwrap()
            .is_not_modified()
    );
    let june: Vec<_> = c
        .usage_details_v3_get_by_current_billing_period(e)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(june.len(), 12 * 15, "no data after today");
    let june_days = ea_mock_server::domain::Days::new(day(2018, 6, 1), today());
    assert!(june == library_rows(&config, 1, june_days));
    let june_pages: Vec<_> = c
        .usage_details_v3_get_by_current_billing_period(e)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(june_pages.len(), 5);

    // The balance agrees with the usage of its period.
    let usage_total: f64 = rows.iter().filter_map(|r| r.cost).sum();
    let total_usage = balance.total_usage.expect("totalUsage");
    assert!(
        close(total_usage, usage_total),
        "totalUsage {total_usage} vs Σ cost {usage_total}"
    );

    // 6: the CSV download, parsed as CSV.
    let (csv, tag) = round_trip!(
        "usage CSV, 201805",
        c.usage_details_download_v3_get(e)
            .billing_period(PERIOD)
            .send(),
        |tag| c
            .usage_details_download_v3_get(e)
            .billing_period(PERIOD)
            .if_none_match(&tag)
    );
    etags.push(tag.as_str().to_owned());
    let (header, records) = parse_csv(&csv.collect_bytes().await.unwrap());
    let captions: Vec<&str> = <UsageDetailsDeNormalizedTitaniumJuly as ServiceCsv>::LAYOUT
        .columns
        .iter()
        .map(|c| c.caption)
        .collect();
    assert_eq!(header, captions);
    assert_eq!(records.len(), rows.len());
    let mut digester = Digester::default();
    rows.iter().for_each(|r| digester.add_row(r));
    assert_eq!(digest_csv(&header, &records), digester.finish());
    let (range_csv, _) = round_trip!(
        "usage CSV, custom dates",
        c.usage_details_download_v3_get(e)
            .start_time(may1)
            .end_time(may31)
            .send(),
        |tag| c
            .usage_details_download_v3_get(e)
            .start_time(may1)
            .end_time(may31)
            .if_none_match(&tag)
    );
    let (_, range_records) = parse_csv(&range_csv.collect_bytes().await.unwrap());
    assert_eq!(range_records, records);

    // 7, 8, 9: marketplace charges.
    let (market, _) = round_trip!(
        "marketplace, 201805",
        c.marketplaces_v3_get_marketplaces_by_billing_period(e, PERIOD)
            .send(),
        |tag| c
            .marketplaces_v3_get_marketplaces_by_billing_period(e, PERIOD)
            .if_none_match(&tag)
    );
    assert_eq!(
        market.len(),
        2 * 31,
        "one row a day for every two subscriptions"
    );
    for row in &market {
        let start = row.usage_start_date.expect("usageStartDate");
        assert!(start >= may1 && start < at(2018, 6, 1), "{start}");
        assert!(row.extended_cost.is_some_and(|c| c >= 0.0));
    }
    let market_total: f64 = market.iter().filter_map(|m| m.extended_cost).sum();
    let charged = balance.azure_marketplace_service_charges.unwrap();
    assert!(close(charged, market_total), "{charged} vs {market_total}");
    let (market_range, _) = round_trip!(
        "marketplace, custom dates",
        c.marketplaces_v3_get_marketplaces_by_custom_date(e, may1, may31)
            .send(),
        |tag| c
            .marketplaces_v3_get_marketplaces_by_custom_date(e, may1, may31)
            .if_none_match(&tag)
    );
    assert_eq!(market_range, market);
    let (market_now, _) = round_trip!(
        "marketplace, current period",
        c.marketplaces_v3_get_marketplaces(e).send(),
        |tag| c.marketplaces_v3_get_marketplaces(e).if_none_match(&tag)
    );
    assert_eq!(market_now.len(), 2 * 15);

    // 10, 11: price sheets — every meter usage uses, at its rate.
    let (prices, tag) = round_trip!(
        "price sheet, current",
        c.price_sheets_v3_get(e).send(),
        |tag| c.price_sheets_v3_get(e).if_none_match(&tag)
    );
    etags.push(tag.as_str().to_owned());
    assert!((30..=60).contains(&prices.len()), "{} meters", prices.len());
    let (may_prices, _) = round_trip!(
        "price sheet, 201805",
        c.price_sheets_v3_get_by_billing_period(e, PERIOD).send(),
        |tag| c
            .price_sheets_v3_get_by_billing_period(e, PERIOD)
            .if_none_match(&tag)
    );
    assert!(
        may_prices
            .iter()
            .all(|p| p.billing_period_id.as_deref() == Some(PERIOD))
    );
    let rate: HashMap<&str, f64> = may_prices
        .iter()
        .map(|p| (p.meter_id.as_deref().unwrap(), p.unit_price.unwrap()))
        .collect();
    for row in &rows {
        let meter = row.meter_id.as_deref().unwrap();
        assert_eq!(row.resource_rate, rate.get(meter).copied(), "meter {meter}");
    }

    // 12: billing periods, newest first.
    let (periods, _) = round_trip!(
        "billing periods",
        c.billing_periods_v2_get(e).send(),
        |tag| c.billing_periods_v2_get(e).if_none_match(&tag)
    );
    let ids: Vec<_> = periods
        .iter()
        .map(|p| p.billing_period_id.clone().unwrap())
        .collect();
    assert_eq!(ids.len(), 36);
    assert_eq!(ids[0], "201806");
    assert_eq!(ids[1], PERIOD);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert_eq!(
        periods[1].usage_details.as_deref(),
        Some("/v3/enrollments/100/billingPeriods/201805/usagedetails")
    );

    // 13: reservation charges.
    let jan1 = at(2018, 1, 1);
    let (charges, _) = round_trip!(
        "reservation charges",
        c.reserved_instances_v3_get(e, jan1, may31).send(),
        |tag| c
            .reserved_instances_v3_get(e, jan1, may31)
            .if_none_match(&tag)
    );
    for charge in &charges {
        let when = charge.event_date.expect("eventDate");
        assert!(when >= jan1 && when < at(2018, 6, 1), "{when}");
    }

    // 14: reservation details.
    let (details, _) = round_trip!(
        "reservation details",
        c.reserved_instances_v2_get_reservation_details(e, may1, may31)
            .send(),
        |tag| c
            .reserved_instances_v2_get_reservation_details(e, may1, may31)
            .if_none_match(&tag)
    );
    assert!(
        !details.is_empty(),
        "reservations were bought Nov 2017 – May 2018"
    );
    for detail in &details {
        let when = detail.usage_date.unwrap();
        assert!(when >= may1 && when <= may31, "{when}");
        assert!(detail.used_hours.unwrap() <= detail.reserved_hours.unwrap() + 1e-9);
    }

    // 15: reservation summaries, daily (with the range) and monthly (without).
    let (daily, _) = round_trip!(
        "reservation summaries, daily",
        c.reserved_instances_v2_get_reservation_summaries(e, Grain::Daily)
            .start_date(may1)
            .end_date(may31)
            .send(),
        |tag| c
            .reserved_instances_v2_get_reservation_summaries(e, Grain::Daily)
            .start_date(may1)
            .end_date(may31)
            .if_none_match(&tag)
    );
    assert_eq!(
        daily.len(),
        details.len(),
        "details and daily summaries agree"
    );
    let (monthly, _) = round_trip!(
        "reservation summaries, monthly",
        c.reserved_instances_v2_get_reservation_summaries(e, Grain::Monthly)
            .send(),
        |tag| c
            .reserved_instances_v2_get_reservation_summaries(e, Grain::Monthly)
            .if_none_match(&tag)
    );
    assert!(!monthly.is_empty());
    let may_reservations: HashSet<_> = details.iter().map(|d| d.reservation_id.clone()).collect();
    let may_summaries: HashSet<_> = monthly
        .iter()
        .filter(|s| s.usage_date == Some(may1))
        .map(|s| s.reservation_id.clone())
        .collect();
    assert_eq!(may_summaries, may_reservations, "May's monthly rows");

    // 16, 17: recommendations.
    let (shared, _) = round_trip!(
        "shared recommendations",
        c.reservation_recommendations_v2_get_shared(e)
            .look_back_period(LookBackPeriod::Last30Days)
            .send(),
        |tag| c
            .reservation_recommendations_v2_get_shared(e)
            .look_back_period(LookBackPeriod::Last30Days)
            .if_none_match(&tag)
    );
    assert!(!shared.is_empty());
    assert!(
        shared
            .iter()
            .all(|r| r.look_back_period.as_deref() == Some("Last30Days")),
        "{shared:?}"
    );
    let (single, _) = round_trip!(
        "single recommendations",
        c.reservation_recommendations_v2_get_single(e).send(),
        |tag| c
            .reservation_recommendations_v2_get_single(e)
            .if_none_match(&tag)
    );
    assert!(
        single
            .iter()
            .all(|r| r.look_back_period.as_deref() == Some("Last7Days")
                && r.subscription_id.is_some())
    );

    server.shutdown().await.unwrap();
    Seen {
        meter_ids: prices.into_iter().filter_map(|p| p.meter_id).collect(),
        first_usage_row: rows.into_iter().next().unwrap(),
        etags,
    }
}

#[tokio::test]
async fn every_operation_answers_for_seed_42() {
    every_operation(42).await;
}

#[tokio::test]
async fn every_operation_answers_for_seed_7_and_the_seeds_differ() {
    let seven = every_operation(7).await;
    // The price sheet lists exactly the universe's meters, and seed 42's are others.
    let meters = |seed| -> Vec<String> {
        ea_mock_server::universe::Universe::build(seed, ENROLLMENT, 3)
            .meters
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(seven.meter_ids, meters(7));
    let other: HashSet<String> = meters(42).into_iter().collect();
    assert!(seven.meter_ids.iter().all(|m| !other.contains(m)));
    // The other seed's first row, straight from the library, differs.
    let forty_two = library_rows(&small_config(42), 1, period_days());
    assert_ne!(seven.first_usage_row, forty_two[0]);
    assert!(
        seven.etags.iter().all(|t| t.len() == 18),
        "{:?}",
        seven.etags
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_answers_on_another_server() {
    let a = MockServer::start(small_config(3)).await.unwrap();
    let b = MockServer::start(Config {
        page_size: 40,
        ..small_config(3)
    })
    .await
    .unwrap();
    let (ca, cb) = (client(&a.url()), client(&b.url()));
    let pa = ca.price_sheets_v3_get(ENROLLMENT).send().await.unwrap();
    let pb = cb.price_sheets_v3_get(ENROLLMENT).send().await.unwrap();
    assert_eq!(pa.etag(), pb.etag());
    assert_eq!(pa.body(), pb.body());
    let other = MockServer::start(small_config(4)).await.unwrap();
    let po = client(&other.url())
        .price_sheets_v3_get(ENROLLMENT)
        .send()
        .await
        .unwrap();
    assert_ne!(po.etag(), pa.etag());
    assert_ne!(po.body(), pa.body());
}
