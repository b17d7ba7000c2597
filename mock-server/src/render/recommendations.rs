//! Reserved-instance purchase recommendations for the virtual-machine meters of the
//! universe: what reserving would have saved over the look-back window.
//!
//! `costWithNoRI` = hourly price × 24 × look-back days × quantity × utilization;
//! `totalCostWithRI` = hourly price × 24 × look-back days × quantity × reservation price
//! share (60 % for P1Y, 40 % for P3Y); `netSavings` = the difference (utilization is
//! at least 60 %, so it is never negative).

use chrono::Days as ChronoDays;
use ea_reporting::models::ReservationRecommendationV2;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::midnight;
use crate::domain::LookBackPeriod;
use crate::resolve::Scope;
use crate::stable_hash::StableHasher;
use crate::universe::{Meter, Universe, reservation_price_share, round6};

/// ARM size of a virtual-machine meter (its `additionalInfo` `ServiceType`).
fn vm_sku(m: &Meter) -> Option<String> {
    if m.category != "Virtual Machines" {
        return None;
    }
    let info: serde_json::Value = serde_json::from_str(&m.additional_info).ok()?;
    info.get("ServiceType")?.as_str().map(str::to_owned)
}

/// Recommendations of `scope` made on `today` from the last `look_back` days.
pub fn recommendations(
    u: &Universe,
    data_seed: u64,
    scope: Scope,
    look_back: LookBackPeriod,
    today: chrono::NaiveDate,
) -> Vec<ReservationRecommendationV2> {
    let vms: Vec<(&Meter, String)> = u
        .meters
        .iter()
        .filter_map(|m| vm_sku(m).map(|sku| (m, sku)))
        .collect();
    let candidates: Vec<(Option<usize>, &Meter, &str)> = match scope {
        Scope::Shared => vms
            .iter()
            .map(|(m, sku)| (None, *m, sku.as_str()))
            .collect(),
        Scope::Single => (0..u.subscriptions.len())
            .flat_map(|s| vms.iter().map(move |(m, sku)| (Some(s), *m, sku.as_str())))
            .collect(),
    };
    let days = f64::from(look_back.days());
    candidates
        .into_iter()
        .filter_map(|(sub, meter, sku)| {
            let mut rng = StdRng::seed_from_u64(
                StableHasher::new()
                    .str("recommendation")
                    .u64(data_seed)
                    .str(&u.enrollment)
                    .u64(sub.map_or(u64::MAX, |s| s as u64))
                    .str(&meter.id)
                    .u64(u64::from(look_back.days()))
                    .finish(),
            );
            // Single scope recommends a size for a third of the subscriptions.
            if sub.is_some() && !rng.random_bool(1.0 / 3.0) {
                return None;
            }
            let quantity = f64::from(rng.random_range(1..=10u32));
            let utilization = rng.random_range(0.6..1.0);
            let term = if rng.random_bool(0.7) { "P1Y" } else { "P3Y" };
            let hours = 24.0 * days * quantity;
            let without = round6(meter.unit_price * hours * utilization);
            let with = round6(meter.unit_price * hours * reservation_price_share(term));
            let first_seen = rng.random_range(0..=u64::from(look_back.days() / 2));
            Some(ReservationRecommendationV2 {
                subscription_id: sub.map(|s| u.subscriptions[s].guid.clone()),
                look_back_period: Some(look_back.as_str().to_owned()),
                meter_id: Some(meter.id.clone()),
                sku_name: Some(sku.to_owned()),
                term: Some(term.to_owned()),
                region: Some(meter.location.clone()),
                cost_with_no_ri: Some(without),
                recommended_quantity: Some(quantity),
                total_cost_with_ri: Some(with),
                net_savings: Some(round6(without - with)),
                first_usage_date: Some(midnight(
                    today - ChronoDays::new(u64::from(look_back.days()))
                        + ChronoDays::new(first_seen),
                )),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, 6, 15).unwrap()
    }

    #[test]
    fn shared_covers_each_vm_meter() {
        let u = Universe::build(42, "100", 4);
        let recs = recommendations(&u, 1, Scope::Shared, LookBackPeriod::Last30Days, today());
        let vm_meters = u.meters.iter().filter(|m| vm_sku(m).is_some()).count();
        assert!(vm_meters > 0);
        assert_eq!(recs.len(), vm_meters);
        for r in &recs {
            assert_eq!(r.subscription_id, None);
            assert_eq!(r.look_back_period.as_deref(), Some("Last30Days"));
            assert!(r.sku_name.as_deref().unwrap().starts_with("Standard_"));
            let saved = r.cost_with_no_ri.unwrap() - r.total_cost_with_ri.unwrap();
            assert!((r.net_savings.unwrap() - saved).abs() < 1e-6 && saved >= 0.0);
            let first = r.first_usage_date.unwrap().date_naive();
            assert!(first >= today() - ChronoDays::new(30) && first <= today());
            assert!(u.meters.iter().any(|m| Some(&m.id) == r.meter_id.as_ref()));
        }
    }

    #[test]
    fn single_names_subscriptions_of_the_universe() {
        let u = Universe::build(42, "100", 12);
        let recs = recommendations(&u, 1, Scope::Single, LookBackPeriod::Last7Days, today());
        assert!(!recs.is_empty());
        for r in &recs {
            let sub = r.subscription_id.as_ref().unwrap();
            assert!(u.subscriptions.iter().any(|s| &s.guid == sub));
        }
    }
}
