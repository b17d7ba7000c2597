//! Usage details: one generated row ([`UsageRowSpec`]) joined with the universe into
//! the API's row model, and the JSON pages that carry them.

use std::ops::Range;
use std::sync::Arc;

use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageDetail;

use super::{EA_OFFER_ID, midnight, small_id};
use crate::body::{Document, Payload};
use crate::resolve::Days;
use crate::state::Enrollment;
use crate::universe::{self, Universe, UsageRowSpec};

/// Row number `offset` of `days`, in (day, index-in-day) order.
pub fn row_at(e: &Enrollment, data_seed: u64, days: Days, offset: u64) -> UsageRowSpec {
    let per_day = e.usage_rows_per_day;
    universe::usage_row(
        &e.universe,
        data_seed,
        days.nth(offset / per_day),
        offset % per_day,
    )
}

/// Number of usage rows in `days`.
pub fn row_count(e: &Enrollment, days: Days) -> u64 {
    days.count().saturating_mul(e.usage_rows_per_day)
}

/// The API's row for a generated usage row.
pub fn usage_detail(u: &Universe, row: &UsageRowSpec) -> UsageDetail {
    let sub = &u.subscriptions[row.subscription];
    let account = u.account_of(row.subscription);
    let department = u.department_of(row.subscription);
    let meter = &u.meters[row.meter];
    UsageDetail {
        service_name: Some(meter.service_name.clone()),
        service_tier: Some(meter.service_tier.clone()),
        location: Some(meter.region.clone()),
        charges_billed_separately: Some(false),
        part_number: Some(meter.part_number.clone()),
        resource_guid: Some(meter.resource_guid.clone()),
        offer_id: Some(EA_OFFER_ID.to_owned()),
        cost: Some(row.cost),
        account_id: Some(account.id),
        product_id: Some(small_id("product", &meter.product, 1000, 9000)),
        resource_location_id: Some(small_id("location", &meter.location, 1, 99)),
        consumed_service_id: Some(small_id("service", &meter.consumed_service, 1, 99)),
        department_id: Some(department.id),
        account_owner_email: Some(account.owner_email.clone()),
        account_name: Some(account.name.clone()),
        service_administrator_id: Some(sub.service_admin.clone()),
        subscription_id: Some(sub.id),
        subscription_guid: Some(sub.guid.clone()),
        subscription_name: Some(sub.name.clone()),
        date: Some(midnight(row.date)),
        product: Some(meter.product.clone()),
        meter_id: Some(meter.id.clone()),
        meter_category: Some(meter.category.clone()),
        meter_sub_category: Some(meter.sub_category.clone()),
        meter_region: Some(meter.region.clone()),
        meter_name: Some(meter.name.clone()),
        consumed_quantity: Some(row.consumed_quantity),
        resource_rate: Some(row.resource_rate),
        resource_location: Some(meter.location.clone()),
        consumed_service: Some(meter.consumed_service.clone()),
        instance_id: Some(row.instance_id.clone()),
        service_info1: Some(String::new()),
        service_info2: Some(String::new()),
        additional_info: Some(row.additional_info.clone()),
        tags: Some(row.tags.clone()),
        store_service_identifier: Some(String::new()),
        department_name: Some(department.name.clone()),
        cost_center: Some(account.cost_center.clone()),
        unit_of_measure: Some(meter.unit_of_measure.clone()),
        resource_group: Some(row.resource_group.clone()),
    }
}

/// A page envelope `{"id", "data": [rows of `rows`], "nextLink"}`; `nextLink` is left
/// out on the last page. Rows are generated as the body is sent.
pub fn usage_page(
    e: Arc<Enrollment>,
    data_seed: u64,
    days: Days,
    rows: Range<u64>,
    id: &str,
    next_link: Option<&str>,
) -> Payload {
    let mut prefix = br#"{"id":"#.to_vec();
    serde_json::to_writer(&mut prefix, id).expect("a string serializes");
    prefix.extend_from_slice(br#","data":["#);
    let mut suffix = b"]".to_vec();
    if let Some(link) = next_link {
        suffix.extend_from_slice(br#","nextLink":"#);
        serde_json::to_writer(&mut suffix, link).expect("a string serializes");
    }
    suffix.push(b'}');
    let render = move |i: u64, buf: &mut Vec<u8>| {
        let row = row_at(&e, data_seed, days, i);
        serde_json::to_writer(buf, &usage_detail(&e.universe, &row)).expect("a model serializes");
    };
    Payload::Document(Document::new(prefix, rows, b",", Box::new(render), suffix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rows_are_ordered_by_day_then_index() {
        let e = Enrollment::build(&Config::default(), "100");
        let days = Days::new(d(2018, 5, 30), d(2018, 6, 2));
        assert_eq!(row_count(&e, days), 4 * 80);
        let r = row_at(&e, 1, days, 81);
        assert_eq!(r, universe::usage_row(&e.universe, 1, d(2018, 5, 31), 1));
        let last = row_at(&e, 1, days, 319);
        assert_eq!(last, universe::usage_row(&e.universe, 1, d(2018, 6, 2), 79));
    }

    #[test]
    fn detail_fills_every_field_from_the_universe() {
        let e = Enrollment::build(&Config::default(), "100");
        let row = universe::usage_row(&e.universe, 1, d(2018, 5, 1), 3);
        let detail = usage_detail(&e.universe, &row);
        let meter = &e.universe.meters[row.meter];
        assert_eq!(detail.meter_id.as_deref(), Some(meter.id.as_str()));
        assert_eq!(detail.resource_rate, Some(meter.unit_price));
        assert_eq!(detail.cost, Some(row.cost));
        assert_eq!(
            detail.date.unwrap().to_rfc3339(),
            "2018-05-01T00:00:00+00:00"
        );
        let value = serde_json::to_value(&detail).unwrap();
        assert_eq!(value.as_object().unwrap().len(), 40, "no field left out");
    }
}
