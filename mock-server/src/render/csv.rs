//! The CSV download, in the service's layout (wire-format.md, declared by the spec's `x-ea-csv`
//! and written by the generated crate's `ServiceCsv`): a title line naming the billing period
//! or the requested range, a blank line, the 40 captions in the service's order, then the same
//! rows as the JSON pages, one line each; `Date` as `yyyy-MM-dd`, `True`/`False`, numbers in
//! positional notation, JSON text quoted with doubled quotes, CRLF line ends.

use std::sync::Arc;

use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageDetail;
use ea_reporting::runtime::service_csv::{ServiceCsv, title_for};

use super::usage::{fill_usage_detail_at, row_count_in};
use crate::body::{Document, Payload};
use crate::domain::Days;
use crate::resolve::CsvTitle;
use crate::state::Enrollment;
use crate::view::View;

/// The title line: the layout's, with the period (`201805`) or the range's first and last day
/// (`2018-05-01`, `2018-05-31`) filled in.
pub fn title(title: CsvTitle) -> String {
    let layout = UsageDetail::LAYOUT;
    match title {
        CsvTitle::Period(period) => title_for(&layout, &[("billingPeriod", &period.to_string())]),
        CsvTitle::Range(days) => title_for(
            &layout,
            &[
                ("startTime", &days.first.to_string()),
                ("endTime", &days.last.to_string()),
            ],
        ),
    }
}

/// The whole download for `days`, generated as it is sent.
pub fn usage_csv(e: Arc<Enrollment>, data_seed: u64, days: Days, title_line: CsvTitle) -> Payload {
    usage_csv_in(e, Arc::new(View::enterprise()), data_seed, days, title_line)
}

/// [`usage_csv`] of the rows `view` sees.
pub fn usage_csv_in(
    e: Arc<Enrollment>,
    view: Arc<View>,
    data_seed: u64,
    days: Days,
    title_line: CsvTitle,
) -> Payload {
    Payload::Document(usage_csv_viewed(e, view, data_seed, days, title_line, b""))
}

/// The download's text after `lead` (the report file starts with a byte order mark): one
/// document of rows rendered on demand from their index, through one reused row, so nothing
/// grows with the number of days.
pub fn usage_csv_after(
    e: Arc<Enrollment>,
    data_seed: u64,
    days: Days,
    title_line: CsvTitle,
    lead: &[u8],
) -> Document {
    usage_csv_viewed(
        e,
        Arc::new(View::enterprise()),
        data_seed,
        days,
        title_line,
        lead,
    )
}

/// [`usage_csv_after`] of the rows `view` sees.
fn usage_csv_viewed(
    e: Arc<Enrollment>,
    view: Arc<View>,
    data_seed: u64,
    days: Days,
    title_line: CsvTitle,
    lead: &[u8],
) -> Document {
    let rows = 0..row_count_in(&e, &view, days);
    let mut detail = UsageDetail::default();
    let render = move |i: u64, buf: &mut Vec<u8>| {
        fill_usage_detail_at(&e, &view, data_seed, days, i, &mut detail);
        detail.write_record(buf);
    };
    let mut prefix = lead.to_vec();
    prefix.extend_from_slice(&UsageDetail::LAYOUT.preamble(&title(title_line)));
    Document::new(prefix, rows, b"", Box::new(render), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::BillingPeriod;
    use crate::render::usage::usage_detail;
    use crate::universe;
    use chrono::NaiveDate;
    use serde_json::Value;

    #[test]
    fn titles_name_the_period_or_the_range() {
        let may = BillingPeriod {
            year: 2018,
            month: 5,
        };
        assert_eq!(
            title(CsvTitle::Period(may)),
            "UsageDetail Report for Billing Period - 201805"
        );
        let days = Days::new(
            NaiveDate::from_ymd_opt(2018, 5, 3).unwrap(),
            NaiveDate::from_ymd_opt(2018, 5, 9).unwrap(),
        );
        assert_eq!(
            title(CsvTitle::Range(days)),
            "UsageDetail Report for Date Range - 2018-05-03 - 2018-05-09"
        );
    }

    #[test]
    fn typed_lines_are_the_lines_of_the_json_objects() {
        let e = Enrollment::build(&Config::default(), "100");
        for (day, i) in [(1, 0), (2, 1), (3, 17), (28, 79), (31, 5)] {
            let date = NaiveDate::from_ymd_opt(2018, 5, day).unwrap();
            let detail = usage_detail(&e.universe, &universe::usage_row(&e.universe, 1, date, i));
            let (mut typed, mut via_json) = (Vec::new(), Vec::new());
            detail.write_record(&mut typed);
            let value: Value = serde_json::to_value(&detail).unwrap();
            UsageDetail::LAYOUT.write_json_record(&value, &mut via_json);
            assert_eq!(
                String::from_utf8(typed).unwrap(),
                String::from_utf8(via_json).unwrap()
            );
        }
    }

    #[test]
    fn columns_are_every_spec_property_once() {
        let spec: Value = serde_json::from_str(crate::SPEC_JSON).unwrap();
        let props = spec["definitions"]["UsageDetailsDeNormalizedTitaniumJuly"]["properties"]
            .as_object()
            .unwrap();
        let mut from_spec: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut ours: Vec<&str> = UsageDetail::LAYOUT
            .columns
            .iter()
            .map(|c| c.field)
            .collect();
        from_spec.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, from_spec, "a new spec field needs a CSV column");
    }
}
