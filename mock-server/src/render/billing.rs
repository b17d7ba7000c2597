//! Billing periods (with the routes of their data) and price sheets.

use ea_reporting::models::{BillingPeriodV2, PriceSheetV3};

use super::{EA_OFFER_ID, end_of_day, midnight, small_id};
use crate::domain::BillingPeriod;
use crate::state::Enrollment;
use crate::universe::Universe;

/// How many periods the billing-period list goes back, the current one included.
pub const LISTED_PERIODS: usize = 36;

/// The periods from `current` back (newest first), at most [`LISTED_PERIODS`] and none
/// before May 2014, each with the paths of its balance summary, usage, marketplace
/// charges and price sheet. `usageDetails` is left out when the server generates no
/// usage rows, as the API leaves out data sets a period does not have.
pub fn billing_periods(e: &Enrollment, current: BillingPeriod) -> Vec<BillingPeriodV2> {
    let n = &e.universe.enrollment;
    std::iter::successors(Some(current), |p| Some(p.previous()))
        .take_while(|p| *p >= BillingPeriod::FIRST)
        .take(LISTED_PERIODS)
        .map(|p| BillingPeriodV2 {
            billing_period_id: Some(p.id()),
            billing_start: Some(midnight(p.start())),
            billing_end: Some(end_of_day(p.end())),
            balance_summary: Some(format!(
                "/v3/enrollments/{n}/billingperiods/{p}/balancesummary"
            )),
            usage_details: (e.usage_rows_per_day > 0)
                .then(|| format!("/v3/enrollments/{n}/billingPeriods/{p}/usagedetails")),
            marketplace_charges: Some(format!(
                "/v3/enrollments/{n}/billingperiods/{p}/marketplacecharges"
            )),
            price_sheet: Some(format!("/v3/enrollments/{n}/billingperiods/{p}/pricesheet")),
        })
        .collect()
}

/// The price of every meter of the universe (a superset of the meters usage rows
/// use, at the same rates).
pub fn price_sheet(u: &Universe, period: BillingPeriod) -> Vec<PriceSheetV3> {
    u.meters
        .iter()
        .map(|m| {
            let product = small_id("product", &m.product, 1000, 9000);
            PriceSheetV3 {
                offer_id: Some(EA_OFFER_ID.to_owned()),
                id: Some(format!(
                    "enrollments/{}/billingperiods/{period}/products/{product}/pricesheets",
                    u.enrollment
                )),
                billing_period_id: Some(period.id()),
                meter_id: Some(m.id.clone()),
                meter_name: Some(m.name.clone()),
                unit_of_measure: Some(m.unit_of_measure.clone()),
                included_quantity: Some(m.included_quantity),
                part_number: Some(m.part_number.clone()),
                unit_price: Some(m.unit_price),
                currency_code: Some(u.currency.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn periods_newest_first_with_links() {
        let e = Enrollment::build(&Config::default(), "100");
        let list = billing_periods(
            &e,
            BillingPeriod {
                year: 2018,
                month: 6,
            },
        );
        assert_eq!(list.len(), 36);
        assert_eq!(list[0].billing_period_id.as_deref(), Some("201806"));
        assert_eq!(list[1].billing_period_id.as_deref(), Some("201805"));
        assert_eq!(list[35].billing_period_id.as_deref(), Some("201507"));
        assert_eq!(
            list[0].usage_details.as_deref(),
            Some("/v3/enrollments/100/billingPeriods/201806/usagedetails")
        );
        assert_eq!(
            list[0].billing_end.unwrap().to_rfc3339(),
            "2018-06-30T23:59:59+00:00"
        );
        let early = billing_periods(
            &e,
            BillingPeriod {
                year: 2014,
                month: 7,
            },
        );
        assert_eq!(early.len(), 3, "nothing before 201405");
    }

    #[test]
    fn no_usage_link_without_usage_rows() {
        let e = Enrollment::build(
            &Config {
                rows_per_day: 0,
                ..Config::default()
            },
            "100",
        );
        let list = billing_periods(
            &e,
            BillingPeriod {
                year: 2018,
                month: 6,
            },
        );
        assert!(list.iter().all(|p| p.usage_details.is_none()));
    }
}
