//! Responses as the real service wrote them read into the generated models with every value
//! intact: the anonymised samples of ../shared/ea-api/samples (not ours, so read from there; with
//! `CI=true` their absence fails, elsewhere it is reported and skipped), and the project's own
//! fixtures in tests/fixtures/wire, written in the same layout with the same quirks (offset-less
//! and space-padded timestamps, decimals with their .NET scale, empty strings, the service's tag
//! spacing, a localised CSV header), which pin the same behaviour without ../shared.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use ea_reporting::models::{
    MarketplacePropertiesV3, RIPurchaseHistoryV3Properties,
    UsageDetailsDeNormalizedTitaniumJuly as UsageDetail,
};
use ea_reporting::runtime::ByteStream;
use ea_reporting::runtime::datetime::parse_lenient;
use ea_reporting::runtime::service_csv::{self, CellKind, ServiceCsv};
use futures_util::TryStreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const FILES: [&str; 3] = [
    "marketplace-charges.json",
    "reservation-charges.json",
    "usage-details-download-fr.csv",
];

fn shared_samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/ea-api/samples");
    if FILES.iter().all(|f| dir.join(f).is_file()) {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the service's samples are missing from {}",
        dir.display()
    );
    eprintln!(
        "skipped: the service's samples are not at {} (../shared is not beside the checkout)",
        dir.display()
    );
    None
}

fn own_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wire")
}

/// A JSON value the service wrote and the one the model gives back mean the same: equal text,
/// equal numbers, equal instants for timestamps (however the service spelled them).
fn same_value(field: &str, written: &Value, read: &Value) {
    match (written, read) {
        (Value::Number(a), Value::Number(b)) => {
            assert_eq!(a.as_f64(), b.as_f64(), "{field}: {a} read as {b}")
        }
        (Value::String(a), Value::String(b)) if a != b => {
            let (a_at, b_at) = (parse_lenient(a), parse_lenient(b));
            assert!(a_at.is_ok(), "{field}: {a:?} read as {b:?}");
            assert_eq!(a_at, b_at, "{field}: {a:?} read as {b:?}");
        }
        (a, b) => assert_eq!(a, b, "{field}"),
    }
}

/// Every record of a JSON array file reads into `T`, and every field comes back.
fn json_file_reads_intact<T: DeserializeOwned + Serialize>(path: &Path) -> Vec<T> {
    let text = std::fs::read_to_string(path).unwrap();
    let written: Vec<Value> = serde_json::from_str(&text).unwrap();
    let read: Vec<T> = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} does not deserialize: {e}", path.display()));
    assert_eq!(read.len(), written.len());
    for (written, read) in written.iter().zip(&read) {
        let back = serde_json::to_value(read).unwrap();
        let written = written.as_object().unwrap();
        assert_eq!(
            back.as_object().unwrap().len(),
            written.len(),
            "{}: no field lost or invented",
            path.display()
        );
        for (field, value) in written {
            same_value(field, value, &back[field]);
        }
    }
    read
}

fn check_marketplace(dir: &Path) {
    let rows: Vec<MarketplacePropertiesV3> =
        json_file_reads_intact(&dir.join("marketplace-charges.json"));
    for row in &rows {
        let start = row.usage_start_date.unwrap();
        let end = row.usage_end_date.unwrap();
        assert_eq!(
            end - start,
            chrono::Duration::seconds(86_399),
            "a whole day"
        );
        assert_eq!(start.time(), chrono::NaiveTime::MIN, "read as UTC midnight");
        assert!(
            row.id
                .as_deref()
                .unwrap()
                .ends_with("/instances('')/marketplaces")
        );
    }
    assert!(
        rows.iter().any(|r| r.meter_id.as_deref() == Some("")),
        "empty strings stay empty strings"
    );
}

fn check_reservations(dir: &Path) {
    let rows: Vec<RIPurchaseHistoryV3Properties> =
        json_file_reads_intact(&dir.join("reservation-charges.json"));
    for row in &rows {
        let at = row.event_date.unwrap();
        assert!(at > "2019-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(row.amount.unwrap() > 0.0 && row.quantity.unwrap() >= 1.0);
    }
}

/// The CSV read by position (as scripts did) and through the client's typed rows agree.
async fn check_csv(dir: &Path) {
    let bytes = std::fs::read(dir.join("usage-details-download-fr.csv")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .contains("UsageDetail Report for Billing Period")
    );
    assert_eq!(lines.next(), Some(""));
    let body = lines.collect::<Vec<_>>().join("\n");
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.as_bytes())
        .into_records()
        .map(Result::unwrap)
        .collect();
    let rows: Vec<UsageDetail> = service_csv::rows(ByteStream::from_bytes(bytes))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), records.len());
    assert!(!rows.is_empty());
    let layout = UsageDetail::LAYOUT;
    for (record, row) in records.iter().zip(&rows) {
        let json = serde_json::to_value(row).unwrap();
        for (i, column) in layout.columns.iter().enumerate() {
            let cell = &record[i];
            let value = &json[column.field];
            match column.kind {
                CellKind::Number if cell.is_empty() => assert!(value.is_null()),
                CellKind::Number => {
                    assert_eq!(
                        cell.parse::<f64>().ok(),
                        value.as_f64(),
                        "{}",
                        column.caption
                    )
                }
                CellKind::Bool => assert_eq!(
                    value.as_bool(),
                    Some(cell == "True"),
                    "{}: {cell}",
                    column.caption
                ),
                CellKind::DateTime => {
                    let day = NaiveDate::parse_from_str(cell, "%Y-%m-%d").unwrap();
                    assert_eq!(row.date.unwrap().date_naive(), day);
                }
                CellKind::Text => assert_eq!(value.as_str(), Some(cell), "{}", column.caption),
            }
        }
        // Positions that scripts of the service's era read (wire-format.md, C9).
        assert_eq!(record[7].parse::<f64>().ok(), row.cost);
        assert_eq!(record[9], row.date.unwrap().format("%Y-%m-%d").to_string());
        assert_eq!(Some(&record[11]), row.department_name.as_deref());
        assert_eq!(Some(&record[30]), row.subscription_name.as_deref());
        assert_eq!(Some(&record[31]), row.tags.as_deref());
    }
}

async fn check_dir(dir: &Path) {
    check_marketplace(dir);
    check_reservations(dir);
    check_csv(dir).await;
}

#[tokio::test]
async fn the_services_own_samples_read_intact() {
    if let Some(dir) = shared_samples() {
        check_dir(&dir).await;
    }
}

#[tokio::test]
async fn our_fixtures_in_the_services_layout_read_intact() {
    check_dir(&own_fixtures()).await;
}
