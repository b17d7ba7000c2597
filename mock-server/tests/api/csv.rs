//! The CSV download, in the service's layout (wire-format.md): title, blank line, the 40
//! captions in the service's order, the JSON pages' rows in the service's value forms, CRLF.

use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageDetail;
use ea_reporting::runtime::service_csv::{CellKind, ServiceCsv};
use http::StatusCode;
use serde_json::Value;

use crate::common::*;

/// The header as the service wrote it (wire-format.md), written out here so that the test does
/// not read it from the code under test.
pub const SERVICE_HEADER: &str = "AccountId,AccountName,AccountOwnerEmail,AdditionalInfo,ConsumedQuantity,ConsumedService,ConsumedServiceId,Cost,CostCenter,Date,DepartmentId,DepartmentName,InstanceId,MeterCategory,MeterId,MeterName,MeterRegion,MeterSubCategory,Product,ProductId,ResourceGroup,ResourceLocation,ResourceLocationId,ResourceRate,ServiceAdministratorId,ServiceInfo1,ServiceInfo2,StoreServiceIdentifier,SubscriptionGuid,SubscriptionId,SubscriptionName,Tags,UnitOfMeasure,PartNumber,ResourceGuid,OfferId,ChargesBilledSeparately,Location,ServiceName,ServiceTier";

/// Records of the body after the title and blank line (RFC 4180, via the `csv` crate).
pub fn records(text: &str) -> Vec<csv::StringRecord> {
    let mut lines = text.splitn(3, "\r\n");
    lines.next();
    assert_eq!(lines.next(), Some(""), "line 2 is blank");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines.next().unwrap().as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

/// The CSV text of a JSON value of a column, as the service wrote it.
fn expected_cell(value: &Value, kind: CellKind) -> String {
    match (value, kind) {
        (Value::Null, _) => String::new(),
        (Value::Bool(true), _) => "True".into(),
        (Value::Bool(false), _) => "False".into(),
        (Value::String(s), CellKind::DateTime) => {
            assert!(s.ends_with("T00:00:00"), "{s}");
            s[..10].to_owned()
        }
        (Value::String(s), _) => s.clone(),
        (Value::Number(n), _) => n.to_string(),
        (other, _) => panic!("{other}"),
    }
}

/// Each record holds the values of the JSON row at its position, in the service's forms.
pub fn assert_same_rows(records: &[csv::StringRecord], rows: &[Value]) {
    assert_eq!(records.len(), rows.len());
    let columns = UsageDetail::LAYOUT.columns;
    for (record, row) in records.iter().zip(rows) {
        assert_eq!(record.len(), 40);
        for (column, cell) in columns.iter().zip(record) {
            let json = &row[column.field];
            match (column.kind, json) {
                // Numbers: the same value, positional (no exponent).
                (CellKind::Number, Value::Number(n)) => {
                    assert!(!cell.contains(['e', 'E']), "{cell}");
                    assert_eq!(cell.parse::<f64>().unwrap(), n.as_f64().unwrap());
                }
                (kind, json) => {
                    assert_eq!(cell, expected_cell(json, kind), "{}", column.caption)
                }
            }
        }
        // Read by position, as the scripts of wire-format.md (C9) did.
        assert_eq!(
            record[7].parse::<f64>().unwrap(),
            row["cost"].as_f64().unwrap()
        );
        assert_eq!(&record[9], &row["date"].as_str().unwrap()[..10]);
        assert_eq!(&record[11], row["departmentName"].as_str().unwrap());
        assert_eq!(&record[30], row["subscriptionName"].as_str().unwrap());
        assert_eq!(&record[31], row["tags"].as_str().unwrap());
    }
}

#[tokio::test]
async fn csv_has_the_service_layout_and_the_rows_of_the_json() {
    let app = small_app();
    for (csv_query, title, json_uri) in [
        (
            "billingPeriod=201805",
            "UsageDetail Report for Billing Period - 201805",
            "/v3/enrollments/100/billingPeriods/201805/usagedetails".to_owned(),
        ),
        (
            "startTime=2018-06-03&endTime=2018-06-20",
            "UsageDetail Report for Date Range - 2018-06-03 - 2018-06-20",
            "/v3/enrollments/100/usagedetailsbycustomdate?startTime=2018-06-03&endTime=2018-06-20"
                .to_owned(),
        ),
    ] {
        let reply = call(
            &app,
            &format!("/v3/enrollments/100/usagedetails/download?{csv_query}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("content-type"),
            Some("application/octet-stream")
        );
        assert!(
            reply
                .header("content-disposition")
                .unwrap()
                .starts_with("attachment; filename=")
        );
        reply.etag();
        let text = reply.text();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        assert!(lines.iter().all(|l| l.ends_with("\r\n")), "CRLF line ends");
        assert_eq!(lines[0], format!("{title}\r\n"));
        assert_eq!(lines[1], "\r\n");
        assert_eq!(lines[2], format!("{SERVICE_HEADER}\r\n"));

        let records = records(&text);
        let (rows, _) = all_usage_rows(&app, &json_uri).await;
        assert_eq!(records.len() - 1, rows.len(), "{csv_query}");
        assert_eq!(
            records[0].iter().collect::<Vec<_>>().join(","),
            SERVICE_HEADER
        );
        assert_same_rows(&records[1..], &rows);
        // Quoted JSON text with doubled quotes, and the service's tag spacing.
        let tagged = text
            .lines()
            .find(|l| l.contains(",\"{  \"\"environment\"\": \"\""))
            .expect("a row with tags");
        assert!(tagged.contains(",False,"), "{tagged}");
    }
}

#[tokio::test]
async fn a_large_download_is_streamed_complete() {
    let app = ea_mock_server::app(ea_mock_server::Config {
        rows_per_day: 50,
        ..config()
    });
    let reply = call(
        &app,
        "/v3/enrollments/100/usagedetails/download?billingPeriod=201805",
    )
    .await;
    let records = records(&reply.text());
    assert_eq!(records.len(), 1 + 31 * 100);
    assert!(records.iter().all(|r| r.len() == 40));
}
