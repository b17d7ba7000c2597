//! Usage details: one generated row ([`UsageRowSpec`]) joined with the universe into
//! the API's row model, and the JSON pages that carry them.

use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;

use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageDetail;

use super::{EA_OFFER_ID, midnight, small_id};
use crate::body::{Document, Payload};
use crate::domain::Days;
use crate::state::Enrollment;
use crate::universe::{self, DayUsage, Universe, UsageRowSpec};
use crate::view::View;
use crate::wire::{self, Timestamps};

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

/// Row number `offset` of `days` as `view` sees them (its rows only, in the same order).
pub fn row_at_in(
    e: &Enrollment,
    view: &View,
    data_seed: u64,
    days: Days,
    offset: u64,
) -> UsageRowSpec {
    let (day, index) = place_in(e, view, days, offset);
    universe::usage_row(&e.universe, data_seed, day, index)
}

/// The day and the index in the day of row `offset` of `days` as `view` sees them.
fn place_in(e: &Enrollment, view: &View, days: Days, offset: u64) -> (NaiveDate, u64) {
    let per_day = view.usage_per_day(e);
    (
        days.nth(offset / per_day),
        view.usage_slot(e, offset % per_day),
    )
}

/// [`fill_usage_detail`] of [`row_at_in`], with the enrollment's kept slot
/// ([`Enrollment::usage_slot`]) instead of a new row: what pages and the CSV render.
pub fn fill_usage_detail_at(
    e: &Enrollment,
    view: &View,
    data_seed: u64,
    days: Days,
    offset: u64,
    d: &mut UsageDetail,
) {
    let (day, index) = place_in(e, view, days, offset);
    let slot = e.usage_slot(index);
    let usage = universe::usage_on(&e.universe, data_seed, day, index, &slot);
    let facts = Facts {
        date: day,
        subscription: slot.subscription,
        meter: slot.meter,
        resource_group: &slot.resource_group,
        instance_id: &slot.instance_id,
        tags: &slot.tags,
        additional_info: &e.universe.meters[slot.meter].additional_info,
        usage,
    };
    fill_facts(&e.universe, &facts, d);
}

/// A usage row's own facts, wherever they are kept (a [`UsageRowSpec`], or a kept slot and
/// its day): what [`fill_facts`] joins with the universe.
struct Facts<'a> {
    date: NaiveDate,
    subscription: usize,
    meter: usize,
    resource_group: &'a str,
    instance_id: &'a str,
    tags: &'a str,
    additional_info: &'a str,
    usage: DayUsage,
}

/// Number of usage rows of `days` that `view` sees.
pub fn row_count_in(e: &Enrollment, view: &View, days: Days) -> u64 {
    days.count().saturating_mul(view.usage_per_day(e))
}

/// The API's row for a generated usage row.
pub fn usage_detail(u: &Universe, row: &UsageRowSpec) -> UsageDetail {
    let mut detail = UsageDetail::default();
    fill_usage_detail(u, row, &mut detail);
    detail
}

/// [`usage_detail`] into an existing row, reusing its strings' memory: a page
/// renders every row through one such row, with no allocation once it has grown.
pub fn fill_usage_detail(u: &Universe, row: &UsageRowSpec, d: &mut UsageDetail) {
    let facts = Facts {
        date: row.date,
        subscription: row.subscription,
        meter: row.meter,
        resource_group: &row.resource_group,
        instance_id: &row.instance_id,
        tags: &row.tags,
        additional_info: &row.additional_info,
        usage: DayUsage {
            consumed_quantity: row.consumed_quantity,
            resource_rate: row.resource_rate,
            cost: row.cost,
        },
    };
    fill_facts(u, &facts, d);
}

/// The one rule joining a row's facts with the universe into the API's row.
fn fill_facts(u: &Universe, row: &Facts<'_>, d: &mut UsageDetail) {
    let sub = &u.subscriptions[row.subscription];
    let account = u.account_of(row.subscription);
    let department = u.department_of(row.subscription);
    let meter = &u.meters[row.meter];
    set(&mut d.service_name, &meter.service_name);
    set(&mut d.service_tier, &meter.service_tier);
    set(&mut d.location, &meter.region);
    d.charges_billed_separately = Some(false);
    set(&mut d.part_number, &meter.part_number);
    set(&mut d.resource_guid, &meter.resource_guid);
    set(&mut d.offer_id, EA_OFFER_ID);
    d.cost = Some(row.usage.cost);
    d.account_id = Some(account.id);
    d.product_id = Some(small_id("product", &meter.product, 1000, 9000));
    d.resource_location_id = Some(small_id("location", &meter.location, 1, 99));
    d.consumed_service_id = Some(small_id("service", &meter.consumed_service, 1, 99));
    d.department_id = Some(department.id);
    set(&mut d.account_owner_email, &account.owner_email);
    set(&mut d.account_name, &account.name);
    set(&mut d.service_administrator_id, &sub.service_admin);
    d.subscription_id = Some(sub.id);
    set(&mut d.subscription_guid, &sub.guid);
    set(&mut d.subscription_name, &sub.name);
    d.date = Some(midnight(row.date));
    set(&mut d.product, &meter.product);
    set(&mut d.meter_id, &meter.id);
    set(&mut d.meter_category, &meter.category);
    set(&mut d.meter_sub_category, &meter.sub_category);
    set(&mut d.meter_region, &meter.region);
    set(&mut d.meter_name, &meter.name);
    d.consumed_quantity = Some(row.usage.consumed_quantity);
    d.resource_rate = Some(row.usage.resource_rate);
    set(&mut d.resource_location, &meter.location);
    set(&mut d.consumed_service, &meter.consumed_service);
    set(&mut d.instance_id, row.instance_id);
    set(&mut d.service_info1, "");
    set(&mut d.service_info2, "");
    set(&mut d.additional_info, row.additional_info);
    set(&mut d.tags, row.tags);
    set(&mut d.store_service_identifier, "");
    set(&mut d.department_name, &department.name);
    set(&mut d.cost_center, &account.cost_center);
    set(&mut d.unit_of_measure, &meter.unit_of_measure);
    set(&mut d.resource_group, row.resource_group);
}

/// `Some(value)`, in the string already there if any.
fn set(slot: &mut Option<String>, value: &str) {
    match slot {
        Some(s) => {
            s.clear();
            s.push_str(value);
        }
        None => *slot = Some(value.to_owned()),
    }
}

/// A page envelope `{"id", "data": [rows of `rows`], "nextLink"}`; `nextLink` is `null` on
/// the last page, as the service wrote it (clients index `page["nextLink"]` directly). Rows are
/// generated as the body is sent.
pub fn usage_page(
    e: Arc<Enrollment>,
    data_seed: u64,
    days: Days,
    rows: Range<u64>,
    id: &str,
    next_link: Option<&str>,
    timestamps: Timestamps,
) -> Payload {
    usage_page_in(
        e,
        Arc::new(View::enterprise()),
        data_seed,
        days,
        rows,
        id,
        next_link,
        timestamps,
    )
}

/// [`usage_page`] of the rows `view` sees (`rows` counts those).
#[allow(clippy::too_many_arguments)]
pub fn usage_page_in(
    e: Arc<Enrollment>,
    view: Arc<View>,
    data_seed: u64,
    days: Days,
    rows: Range<u64>,
    id: &str,
    next_link: Option<&str>,
    timestamps: Timestamps,
) -> Payload {
    let mut prefix = br#"{"id":"#.to_vec();
    serde_json::to_writer(&mut prefix, id).expect("a string serializes");
    prefix.extend_from_slice(br#","data":["#);
    let mut suffix = b"]".to_vec();
    suffix.extend_from_slice(br#","nextLink":"#);
    match next_link {
        Some(link) => serde_json::to_writer(&mut suffix, link).expect("a string serializes"),
        None => suffix.extend_from_slice(b"null"),
    }
    suffix.push(b'}');
    let mut detail = UsageDetail::default();
    let render = move |i: u64, buf: &mut Vec<u8>| {
        fill_usage_detail_at(&e, &view, data_seed, days, i, &mut detail);
        wire::to_writer(buf, &detail, timestamps, &[]);
    };
    Payload::Document(Document::new(prefix, rows, b",", Box::new(render), suffix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::test_support::d;

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

    #[test]
    fn a_kept_slot_renders_the_row_a_new_one_does() {
        let kept = Enrollment::build(&Config::default(), "100");
        let config = Config {
            subscriptions: 100,
            rows_per_day: 700,
            ..Config::default()
        };
        let unkept = Enrollment::build(&config, "100");
        assert!(unkept.usage_rows_per_day > crate::state::MAX_KEPT_SLOTS);
        let days = Days::new(d(2018, 5, 30), d(2018, 6, 2));
        for e in [&kept, &unkept] {
            let department = e.universe.departments[0].id;
            let views = [
                View::enterprise(),
                View::of(e, crate::keys::KeyScope::Department(department)).unwrap(),
            ];
            for view in &views {
                let n = row_count_in(e, view, days);
                let mut reused = UsageDetail::default();
                // Each slot twice (two days), in and out of order.
                for offset in (0..n).step_by(7).chain([n - 1, 0, n / 2]) {
                    fill_usage_detail_at(e, view, 5, days, offset, &mut reused);
                    let row = row_at_in(e, view, 5, days, offset);
                    assert_eq!(reused, usage_detail(&e.universe, &row), "row {offset}");
                }
            }
        }
    }

    #[test]
    fn a_reused_row_is_the_same_as_a_new_one() {
        let e = Enrollment::build(&Config::default(), "100");
        let mut reused = UsageDetail::default();
        for i in [0, 1, 2, 79, 3, 40] {
            let row = universe::usage_row(&e.universe, 1, d(2018, 5, 1 + (i % 28) as u32), i);
            fill_usage_detail(&e.universe, &row, &mut reused);
            assert_eq!(reused, usage_detail(&e.universe, &row), "row {i}");
        }
    }
}
