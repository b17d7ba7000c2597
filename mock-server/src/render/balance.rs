//! Balance summaries that agree with the period's usage and marketplace rows.
//!
//! Formula (all amounts rounded to 6 decimals, like every generated amount):
//!
//! ```text
//! U  = Σ cost of the period's usage rows, days up to today      (PeriodTotals)
//! M  = Σ extendedCost of the period's marketplace rows          (PeriodTotals)
//! S  = Σ cost of the usage rows of the period's first day       (scale)
//! beginningBalance  B = round2(S × days in month × f),  f seeded in [0.6, 1.6)
//! newPurchases      N = round2(S × 365 × g) in the enrollment's anniversary month
//!                       (g seeded in [0.8, 1.2)), else 0; listed in newPurchasesDetails
//! adjustments       A = Σ adjustmentDetails (a seeded credit in about 30 % of periods)
//! available           = B + N + A
//! utilized            = min(U, available)
//! serviceOverage      = U − utilized
//! chargesBilledSeparately = 0    (no generated usage row is billed separately)
//! totalOverage        = serviceOverage + chargesBilledSeparately
//! totalUsage          = utilized + totalOverage                 (= U)
//! endingBalance       = available − utilized
//! azureMarketplaceServiceCharges = M
//! ```
//!
//! Seeds come from (data seed, enrollment, period), so the figures are pure functions
//! too. Periods are not chained (one period's ending balance is not the next one's
//! beginning balance): that would need every row since 2014 for each answer.

use chrono::Datelike;
use ea_reporting::models::{BalanceSummaryV3, DetailsV3};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::domain::BillingPeriod;
use crate::stable_hash::{StableHasher, fnv1a64};
use crate::totals::PeriodTotals;
use crate::universe::{Universe, round6};

/// Rounds to cents.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The balance summary of `period`.
pub fn balance_summary(
    u: &Universe,
    data_seed: u64,
    period: BillingPeriod,
    totals: PeriodTotals,
) -> BalanceSummaryV3 {
    let mut rng = StdRng::seed_from_u64(
        StableHasher::new()
            .str("balance")
            .u64(data_seed)
            .str(&u.enrollment)
            .str(&period.id())
            .finish(),
    );
    let scale = totals.first_day_usage_cost;
    let month_days = f64::from(period.days());
    let beginning = round2(scale * month_days * rng.random_range(0.6..1.6));
    let anniversary_month = (fnv1a64(u.enrollment.as_bytes()) % 12) as u32 + 1;
    let purchase = rng.random_range(0.8..1.2);
    let new_purchases = if period.start().month() == anniversary_month {
        round2(scale * 365.0 * purchase)
    } else {
        0.0
    };
    let credit = rng
        .random_bool(0.3)
        .then(|| round2(rng.random_range(50.0..500.0) * u.currency_factor));
    let adjustments = credit.unwrap_or(0.0);
    let available = round6(beginning + new_purchases + adjustments);
    let usage = totals.usage_cost;
    let utilized = usage.min(available);
    let service_overage = round6(usage - utilized);
    let billed_separately = 0.0;
    let total_overage = round6(service_overage + billed_separately);
    BalanceSummaryV3 {
        id: Some(format!(
            "enrollments/{}/billingperiods/{period}/balancesummaries",
            u.enrollment
        )),
        billing_period_id: Some(period.id()),
        currency_code: Some(u.currency.clone()),
        beginning_balance: Some(beginning),
        ending_balance: Some(round6(available - utilized)),
        new_purchases: Some(new_purchases),
        adjustments: Some(adjustments),
        utilized: Some(utilized),
        service_overage: Some(service_overage),
        charges_billed_separately: Some(billed_separately),
        total_overage: Some(total_overage),
        total_usage: Some(round6(utilized + total_overage)),
        azure_marketplace_service_charges: Some(totals.marketplace_cost),
        new_purchases_details: Some(if new_purchases > 0.0 {
            vec![DetailsV3 {
                name: Some("Azure Monetary Commitment".to_owned()),
                value: Some(new_purchases),
            }]
        } else {
            Vec::new()
        }),
        adjustment_details: Some(
            credit
                .map(|value| DetailsV3 {
                    name: Some("Promo Credit".to_owned()),
                    value: Some(value),
                })
                .into_iter()
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(usage: f64) -> PeriodTotals {
        PeriodTotals {
            usage_cost: usage,
            marketplace_cost: 12.5,
            first_day_usage_cost: 100.0,
        }
    }

    #[test]
    fn figures_follow_the_formula() {
        let u = Universe::build(42, "100", 4);
        for month in 1..=12 {
            for usage in [0.0, 1000.0, 3100.0, 10_000.0] {
                let period = BillingPeriod { year: 2018, month };
                let b = balance_summary(&u, 1, period, totals(usage));
                let g = |x: Option<f64>| x.unwrap();
                let available = g(b.beginning_balance) + g(b.new_purchases) + g(b.adjustments);
                assert!((g(b.utilized) - usage.min(available)).abs() < 1e-6);
                assert!((g(b.total_usage) - usage).abs() < 1e-6);
                assert!((g(b.service_overage) + g(b.utilized) - usage).abs() < 1e-6);
                assert!((g(b.ending_balance) - (available - g(b.utilized))).abs() < 1e-6);
                assert!(g(b.ending_balance) >= -1e-6);
                assert_eq!(g(b.total_overage), g(b.service_overage));
                assert_eq!(b.azure_marketplace_service_charges, Some(12.5));
                let details: f64 = b
                    .adjustment_details
                    .unwrap()
                    .iter()
                    .map(|d| d.value.unwrap())
                    .sum();
                assert_eq!(details, g(b.adjustments));
                let purchases: f64 = b
                    .new_purchases_details
                    .unwrap()
                    .iter()
                    .map(|d| d.value.unwrap())
                    .sum();
                assert_eq!(purchases, g(b.new_purchases));
            }
        }
    }

    #[test]
    fn one_anniversary_month_a_year() {
        let u = Universe::build(42, "100", 4);
        let purchases = (1..=12)
            .filter(|&month| {
                let b = balance_summary(&u, 1, BillingPeriod { year: 2017, month }, totals(1.0));
                b.new_purchases.unwrap() > 0.0
            })
            .count();
        assert_eq!(purchases, 1);
    }
}
