//! Marketplace charges: generated rows joined with the universe's offers,
//! subscriptions and accounts, as a JSON array generated while it is sent.

use std::sync::Arc;

use ea_reporting::models::MarketplacePropertiesV3 as MarketplaceCharge;

use super::{end_of_day, midnight};
use crate::body::{Document, Payload};
use crate::domain::Days;
use crate::state::Enrollment;
use crate::universe::{self, MarketplaceRowSpec, Universe};
use crate::view::View;
use crate::wire::{self, Scales, Timestamps};

/// The service printed these .NET decimals with 15 decimals (`1.000000000000000`,
/// wire-format.md S1).
pub const CHARGE_SCALES: Scales = &[
    ("consumedQuantity", 15),
    ("resourceRate", 15),
    ("extendedCost", 15),
];

/// The API's row for a generated marketplace row.
pub fn marketplace_charge(u: &Universe, row: &MarketplaceRowSpec) -> MarketplaceCharge {
    let sub = &u.subscriptions[row.subscription];
    let account = u.account_of(row.subscription);
    let department = u.department_of(row.subscription);
    let offer = &u.marketplace_offers[row.offer];
    // Not a GUID: the service named the day's collection, the same for every row of the day
    // (wire-format.md S1).
    let id = format!(
        "enrollments/{}/dates/{}/instances('')/marketplaces",
        u.enrollment,
        row.date.format("%Y%m%d")
    );
    MarketplaceCharge {
        id: Some(id),
        subscription_guid: Some(sub.guid.clone()),
        subscription_name: Some(sub.name.clone()),
        meter_id: Some(offer.meter_id.clone()),
        usage_start_date: Some(midnight(row.date)),
        usage_end_date: Some(end_of_day(row.date)),
        offer_name: Some(offer.offer_name.clone()),
        resource_group: Some(row.resource_group.clone()),
        instance_id: Some(row.instance_id.clone()),
        additional_info: Some(row.additional_info.clone()),
        tags: Some(row.tags.clone()),
        order_number: Some(row.order_number.clone()),
        unit_of_measure: Some(offer.unit_of_measure.clone()),
        cost_center: Some(account.cost_center.clone()),
        account_id: Some(account.id),
        account_name: Some(account.name.clone()),
        account_owner_id: Some(account.owner_email.clone()),
        department_id: Some(department.id),
        department_name: Some(department.name.clone()),
        publisher_name: Some(offer.publisher_name.clone()),
        plan_name: Some(offer.plan_name.clone()),
        consumed_quantity: Some(row.consumed_quantity),
        resource_rate: Some(row.resource_rate),
        extended_cost: Some(row.extended_cost),
        is_recurring_charge: Some(row.is_recurring_charge),
    }
}

/// Every marketplace charge of `days` that `view` sees, in (day, index) order.
pub fn marketplace_charges(
    e: Arc<Enrollment>,
    view: Arc<View>,
    data_seed: u64,
    days: Days,
    timestamps: Timestamps,
) -> Payload {
    let per_day = view.marketplace_per_day(&e);
    let count = days.count().saturating_mul(per_day);
    let render = move |i: u64, buf: &mut Vec<u8>| {
        let (day, index) = (days.nth(i / per_day), view.marketplace_slot(i % per_day));
        let row = universe::marketplace_row(&e.universe, data_seed, day, index);
        let charge = marketplace_charge(&e.universe, &row);
        wire::to_writer(buf, &charge, timestamps, CHARGE_SCALES);
    };
    Payload::Document(Document::json_array(0..count, Box::new(render)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::NaiveDate;

    #[test]
    fn charge_agrees_with_its_offer() {
        let e = Enrollment::build(&Config::default(), "100");
        let day = NaiveDate::from_ymd_opt(2018, 5, 2).unwrap();
        let row = universe::marketplace_row(&e.universe, 1, day, 1);
        let c = marketplace_charge(&e.universe, &row);
        let offer = &e.universe.marketplace_offers[row.offer];
        assert_eq!(c.offer_name.as_deref(), Some(offer.offer_name.as_str()));
        assert_eq!(c.extended_cost, Some(row.extended_cost));
        assert_eq!(
            c.usage_start_date.unwrap().to_rfc3339(),
            "2018-05-02T00:00:00+00:00"
        );
        assert_eq!(
            c.usage_end_date.unwrap().to_rfc3339(),
            "2018-05-02T23:59:59+00:00"
        );
        assert_eq!(
            c.id.as_deref(),
            Some("enrollments/100/dates/20180502/instances('')/marketplaces")
        );
    }
}
