//! The CSV download: the same rows as the JSON pages, one line each, under a header
//! of the JSON field names (not the portal's CSV captions, so a column means exactly
//! what the JSON field of the same name means). RFC 4180: CRLF line ends, fields with
//! a comma, quote or line break quoted, quotes doubled; numbers as in the JSON,
//! dates RFC 3339, booleans `true`/`false`.

use std::sync::Arc;

use serde_json::Value;

use super::usage::{row_at, row_count, usage_detail};
use crate::body::{Document, Payload};
use crate::resolve::Days;
use crate::state::Enrollment;

/// Column names, in the order of the fields of the usage row model.
pub const USAGE_COLUMNS: [&str; 40] = [
    "serviceName",
    "serviceTier",
    "location",
    "chargesBilledSeparately",
    "partNumber",
    "resourceGuid",
    "offerId",
    "cost",
    "accountId",
    "productId",
    "resourceLocationId",
    "consumedServiceId",
    "departmentId",
    "accountOwnerEmail",
    "accountName",
    "serviceAdministratorId",
    "subscriptionId",
    "subscriptionGuid",
    "subscriptionName",
    "date",
    "product",
    "meterId",
    "meterCategory",
    "meterSubCategory",
    "meterRegion",
    "meterName",
    "consumedQuantity",
    "resourceRate",
    "resourceLocation",
    "consumedService",
    "instanceId",
    "serviceInfo1",
    "serviceInfo2",
    "additionalInfo",
    "tags",
    "storeServiceIdentifier",
    "departmentName",
    "costCenter",
    "unitOfMeasure",
    "resourceGroup",
];

/// The header line.
pub fn header() -> Vec<u8> {
    let mut line = USAGE_COLUMNS.join(",").into_bytes();
    line.extend_from_slice(b"\r\n");
    line
}

/// One line for a JSON row object (columns it lacks are left empty).
pub fn write_record(row: &Value, buf: &mut Vec<u8>) {
    for (i, column) in USAGE_COLUMNS.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        match row.get(column) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => write_field(s, buf),
            Some(other) => write_field(&other.to_string(), buf),
        }
    }
    buf.extend_from_slice(b"\r\n");
}

fn write_field(s: &str, buf: &mut Vec<u8>) {
    if s.contains([',', '"', '\r', '\n']) {
        buf.push(b'"');
        buf.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// The whole download for `days`, generated as it is sent.
pub fn usage_csv(e: Arc<Enrollment>, data_seed: u64, days: Days) -> Payload {
    let rows = 0..row_count(&e, days);
    let render = move |i: u64, buf: &mut Vec<u8>| {
        let row = row_at(&e, data_seed, days, i);
        let value =
            serde_json::to_value(usage_detail(&e.universe, &row)).expect("a model serializes");
        write_record(&value, buf);
    };
    Payload::Document(Document::new(
        header(),
        rows,
        b"",
        Box::new(render),
        Vec::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::universe;
    use chrono::NaiveDate;
    use serde_json::json;

    #[test]
    fn columns_are_the_model_fields_in_order() {
        let e = Enrollment::build(&Config::default(), "100");
        let row = universe::usage_row(
            &e.universe,
            1,
            NaiveDate::from_ymd_opt(2018, 5, 1).unwrap(),
            0,
        );
        let value = serde_json::to_value(usage_detail(&e.universe, &row)).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, USAGE_COLUMNS);
    }

    #[test]
    fn columns_are_the_spec_properties() {
        let spec: Value = serde_json::from_str(crate::SPEC_JSON).unwrap();
        let props = spec["definitions"]["UsageDetailsDeNormalizedTitaniumJuly"]["properties"]
            .as_object()
            .unwrap();
        let mut from_spec: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut ours = USAGE_COLUMNS.to_vec();
        from_spec.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, from_spec, "a new spec field needs a CSV column");
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let mut buf = Vec::new();
        let row = json!({
            "serviceName": "plain",
            "serviceTier": "a,b",
            "location": "say \"hi\"",
            "chargesBilledSeparately": false,
            "cost": 0.5,
            "tags": "{\"k\":\"v\"}",
            "accountId": 7,
            "meterName": "two\nlines",
        });
        write_record(&row, &mut buf);
        let line = String::from_utf8(buf).unwrap();
        assert!(
            line.starts_with("plain,\"a,b\",\"say \"\"hi\"\"\",false,,,,0.5,7,"),
            "{line}"
        );
        assert!(line.contains(",\"two\nlines\","), "{line}");
        assert!(line.contains(",\"{\"\"k\"\":\"\"v\"\"}\","), "{line}");
        assert!(line.ends_with("\r\n"));
        assert_eq!(
            line.matches(',').count() - 1,
            USAGE_COLUMNS.len() - 1,
            "{line}"
        );
    }
}
