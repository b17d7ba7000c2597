//! The generated models read what the service really sent: the documentation's example
//! payloads, .NET timestamps without an offset, fields and enum values a newer service adds;
//! and numbers survive a round trip bit for bit.

use chrono::{TimeZone, Utc};
use ea_reporting::models::{
    BalanceSummaryV3, BillingPeriodV2, Grain, LookBackPeriod, PagedJsonDataTitaniumJuly,
    PriceSheetV3, UsageDetailsDeNormalizedTitaniumJuly,
};
use rand::{RngExt, SeedableRng};

/// The v3 usage-details example of the documentation (one row, abridged "string" values kept).
const DOCS_USAGE_PAGE: &str = r#"{
  "id": "string",
  "data": [{
    "serviceName": "Storage", "serviceTier": "Premium Page Blobs", "location": "US West",
    "chargesBilledSeparately": false, "partNumber": "ABC-12345",
    "resourceGuid": "00000000-0000-0000-0000-000000000000", "offerId": "MS-AZR-0003P",
    "cost": 1, "accountId": 123456, "productId": 1234, "resourceLocationId": 12,
    "consumedServiceId": 1, "departmentId": 3456, "accountOwnerEmail": "account@live.com",
    "accountName": "Account Name", "serviceAdministratorId": "123", "subscriptionId": 0,
    "subscriptionGuid": "00000000-0000-0000-0000-000000000000", "subscriptionName": "Subscription Name",
    "date": "2018-08-01T00:00:00",
    "product": "Locally Redundant Storage Premium Storage - Page Blob/P10 - US West",
    "meterId": "00000000-0000-0000-0000-000000000000", "meterCategory": "Storage",
    "meterSubCategory": "Locally Redundant", "meterRegion": "California",
    "meterName": "Premium Storage - Page Blob/P10 (Units)", "consumedQuantity": 1, "resourceRate": 1,
    "resourceLocation": "uswest", "consumedService": "Microsoft.Compute", "instanceId": "Id",
    "serviceInfo1": "string", "serviceInfo2": "string", "additionalInfo": "string", "tags": "string",
    "storeServiceIdentifier": "string", "departmentName": "Department Name", "costCenter": "1234",
    "unitOfMeasure": "Units", "resourceGroup": "ResourceGroup"
  }],
  "nextLink": "string"
}"#;

#[test]
fn the_documented_usage_page_deserializes() {
    let page: PagedJsonDataTitaniumJuly = serde_json::from_str(DOCS_USAGE_PAGE).unwrap();
    let row = &page.data.as_ref().unwrap()[0];
    assert_eq!(row.service_name.as_deref(), Some("Storage"));
    assert_eq!(row.charges_billed_separately, Some(false));
    assert_eq!(row.account_id, Some(123_456));
    assert_eq!(row.subscription_id, Some(0));
    assert_eq!(row.cost, Some(1.0));
    // Offset-less .NET timestamp, read as UTC.
    assert_eq!(
        row.date,
        Some(Utc.with_ymd_and_hms(2018, 8, 1, 0, 0, 0).unwrap())
    );
    assert_eq!(page.next_link.as_deref(), Some("string"));
}

#[test]
fn the_three_timestamp_forms_read_as_utc() {
    let cases = [
        (
            "2017-04-01T00:00:00Z",
            Utc.with_ymd_and_hms(2017, 4, 1, 0, 0, 0).unwrap(),
        ),
        (
            "2017-04-01T02:00:00+02:00",
            Utc.with_ymd_and_hms(2017, 4, 1, 0, 0, 0).unwrap(),
        ),
        (
            "2017-04-01T00:00:00",
            Utc.with_ymd_and_hms(2017, 4, 1, 0, 0, 0).unwrap(),
        ),
        (
            "2017-08-29T06:56:29.1290704",
            Utc.with_ymd_and_hms(2017, 8, 29, 6, 56, 29).unwrap()
                + chrono::Duration::nanoseconds(129_070_400),
        ),
    ];
    for (text, expected) in cases {
        let json = format!(r#"{{"billingPeriodId":"201704","billingStart":"{text}"}}"#);
        let period: BillingPeriodV2 =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(period.billing_start, Some(expected), "{text}");
    }
    let bad = serde_json::from_str::<BillingPeriodV2>(r#"{"billingStart":"yesterday"}"#);
    assert!(
        bad.is_err(),
        "a malformed timestamp is an error, not a silent None"
    );
}

#[test]
fn timestamps_are_written_as_rfc3339_and_absent_fields_are_omitted() {
    let period = BillingPeriodV2 {
        billing_period_id: Some("201704".into()),
        billing_start: Some(Utc.with_ymd_and_hms(2017, 4, 1, 0, 0, 0).unwrap()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&period).unwrap(),
        r#"{"billingPeriodId":"201704","billingStart":"2017-04-01T00:00:00Z"}"#
    );
}

#[test]
fn fields_a_newer_service_adds_are_tolerated() {
    let json = r#"{"id":"x","endingBalance":1.1,"someFieldFrom2030":{"nested":[1,2]}}"#;
    let summary: BalanceSummaryV3 = serde_json::from_str(json).unwrap();
    assert_eq!(summary.ending_balance, Some(1.1));
}

#[test]
fn enum_values_a_newer_service_adds_are_kept() {
    let grain: Grain = serde_json::from_str(r#""weekly""#).unwrap();
    assert_eq!(grain, Grain::Unknown("weekly".into()));
    assert_eq!(serde_json::to_string(&grain).unwrap(), r#""weekly""#);
    assert_eq!(
        serde_json::from_str::<Grain>(r#""daily""#).unwrap(),
        Grain::Daily
    );
    assert_eq!(LookBackPeriod::from_wire("30"), LookBackPeriod::Last30Days);
    assert_eq!(LookBackPeriod::Last60Days.as_str(), "60");
}

#[test]
fn numbers_round_trip_bit_for_bit() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    for _ in 0..20_000 {
        // Money-like values with up to 10 decimals, and arbitrary doubles.
        let price = (rng.random_range(0..10_000_000_000_000u64) as f64)
            / 10f64.powi(rng.random_range(0..11));
        let raw = f64::from_bits(rng.random::<u64>());
        let quantity = if raw.is_finite() { raw } else { 0.5 };
        let sheet = PriceSheetV3 {
            unit_price: Some(price),
            included_quantity: Some(quantity),
            ..Default::default()
        };
        let back: PriceSheetV3 =
            serde_json::from_str(&serde_json::to_string(&sheet).unwrap()).unwrap();
        assert_eq!(
            back.unit_price.map(f64::to_bits),
            Some(price.to_bits()),
            "{price}"
        );
        assert_eq!(
            back.included_quantity.map(f64::to_bits),
            Some(quantity.to_bits()),
            "{quantity:e}"
        );
    }
}

#[test]
fn fake_data_is_seeded_and_looks_real() {
    use fake::{Fake, Faker};
    let make = |seed| -> Vec<UsageDetailsDeNormalizedTitaniumJuly> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..20).map(|_| Faker.fake_with_rng(&mut rng)).collect()
    };
    assert_eq!(make(7), make(7), "same seed, same rows");
    assert_ne!(make(7), make(8));
    for row in make(7) {
        if let Some(guid) = row.subscription_guid {
            assert_eq!(guid.len(), 36, "{guid}");
            assert_eq!(guid.matches('-').count(), 4, "{guid}");
        }
        if let Some(email) = row.account_owner_email {
            assert!(email.contains('@'), "{email}");
        }
        if let Some(date) = row.date {
            assert!(
                (2014..=2026).contains(&chrono::Datelike::year(&date)),
                "{date}"
            );
        }
        if let Some(tags) = row.tags {
            assert!(
                serde_json::from_str::<serde_json::Value>(&tags).is_ok(),
                "tags are JSON text: {tags}"
            );
        }
    }
}
