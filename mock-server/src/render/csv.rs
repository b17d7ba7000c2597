//! The CSV download: the same rows as the JSON pages, one line each, under a header
//! of the JSON field names (not the portal's CSV captions, so a column means exactly
//! what the JSON field of the same name means). RFC 4180: CRLF line ends, fields with
//! a comma, quote or line break quoted, quotes doubled; numbers as in the JSON,
//! dates RFC 3339, booleans `true`/`false`.

use std::sync::Arc;

use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageDetail;
use serde::Serialize;
use serde_json::Value;

use super::usage::{fill_usage_detail, row_at, row_count};
use crate::body::{Document, Payload};
use crate::domain::Days;
use crate::state::Enrollment;

/// Column names: the JSON names of the usage row model's fields, in its order, as the generator
/// emits them.
pub const USAGE_COLUMNS: &[&str] = UsageDetail::JSON_FIELDS;

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

/// The line of a usage row: the same as [`write_record`] of the row's JSON object (a
/// test checks it), written straight from the model's fields in [`USAGE_COLUMNS`]
/// order, without building that object.
pub fn write_usage_record(d: &UsageDetail, buf: &mut Vec<u8>) {
    let mut line = Line { buf, first: true };
    line.text(&d.service_name);
    line.text(&d.service_tier);
    line.text(&d.location);
    line.scalar(&d.charges_billed_separately);
    line.text(&d.part_number);
    line.text(&d.resource_guid);
    line.text(&d.offer_id);
    line.scalar(&d.cost);
    line.scalar(&d.account_id);
    line.scalar(&d.product_id);
    line.scalar(&d.resource_location_id);
    line.scalar(&d.consumed_service_id);
    line.scalar(&d.department_id);
    line.text(&d.account_owner_email);
    line.text(&d.account_name);
    line.text(&d.service_administrator_id);
    line.scalar(&d.subscription_id);
    line.text(&d.subscription_guid);
    line.text(&d.subscription_name);
    line.scalar(&d.date);
    line.text(&d.product);
    line.text(&d.meter_id);
    line.text(&d.meter_category);
    line.text(&d.meter_sub_category);
    line.text(&d.meter_region);
    line.text(&d.meter_name);
    line.scalar(&d.consumed_quantity);
    line.scalar(&d.resource_rate);
    line.text(&d.resource_location);
    line.text(&d.consumed_service);
    line.text(&d.instance_id);
    line.text(&d.service_info1);
    line.text(&d.service_info2);
    line.text(&d.additional_info);
    line.text(&d.tags);
    line.text(&d.store_service_identifier);
    line.text(&d.department_name);
    line.text(&d.cost_center);
    line.text(&d.unit_of_measure);
    line.text(&d.resource_group);
    line.buf.extend_from_slice(b"\r\n");
}

/// A CSV line being written, field by field.
struct Line<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl Line<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    fn text(&mut self, value: &Option<String>) {
        self.comma();
        if let Some(s) = value {
            write_field(s, self.buf);
        }
    }

    /// A number, boolean or date, written as its JSON text (a date without the quotes).
    fn scalar<T: Serialize>(&mut self, value: &Option<T>) {
        self.comma();
        if let Some(v) = value {
            let start = self.buf.len();
            serde_json::to_writer(&mut *self.buf, v).expect("a scalar serializes");
            if self.buf[start] == b'"' {
                // Only dates are strings here, and their text needs neither escapes
                // nor CSV quoting: drop the JSON quotes.
                self.buf.pop();
                self.buf.remove(start);
            }
        }
    }
}

/// The whole download for `days`, generated as it is sent.
pub fn usage_csv(e: Arc<Enrollment>, data_seed: u64, days: Days) -> Payload {
    let rows = 0..row_count(&e, days);
    let mut detail = UsageDetail::default();
    let render = move |i: u64, buf: &mut Vec<u8>| {
        let row = row_at(&e, data_seed, days, i);
        fill_usage_detail(&e.universe, &row, &mut detail);
        write_usage_record(&detail, buf);
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
    use crate::render::usage::usage_detail;
    use crate::universe;
    use chrono::NaiveDate;
    use serde_json::json;

    #[test]
    fn model_lines_are_the_lines_of_the_json_objects() {
        let e = Enrollment::build(&Config::default(), "100");
        for (day, i) in [(1, 0), (2, 1), (3, 17), (28, 79), (31, 5)] {
            let date = NaiveDate::from_ymd_opt(2018, 5, day).unwrap();
            let detail = usage_detail(&e.universe, &universe::usage_row(&e.universe, 1, date, i));
            let (mut direct, mut via_json) = (Vec::new(), Vec::new());
            write_usage_record(&detail, &mut direct);
            write_record(&serde_json::to_value(&detail).unwrap(), &mut via_json);
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(via_json).unwrap()
            );
        }
        // Fields left out (None) are empty in both.
        let empty = UsageDetail::default();
        let (mut direct, mut via_json) = (Vec::new(), Vec::new());
        write_usage_record(&empty, &mut direct);
        write_record(&serde_json::to_value(&empty).unwrap(), &mut via_json);
        assert_eq!(direct, via_json);
        // Quoting and odd numbers go the same way too.
        let odd = UsageDetail {
            service_name: Some("a,\"b\"\r\nc".into()),
            cost: Some(1e-7),
            consumed_quantity: Some(12345678901234.5),
            resource_rate: Some(-0.0),
            ..usage_detail(
                &e.universe,
                &universe::usage_row(
                    &e.universe,
                    1,
                    NaiveDate::from_ymd_opt(2018, 5, 1).unwrap(),
                    3,
                ),
            )
        };
        let (mut direct, mut via_json) = (Vec::new(), Vec::new());
        write_usage_record(&odd, &mut direct);
        write_record(&serde_json::to_value(&odd).unwrap(), &mut via_json);
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            String::from_utf8(via_json).unwrap()
        );
    }

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
