//! Reserved instances: purchases (charges), daily usage (details) and usage summaries,
//! all from the universe's reservations, so the three always agree.

use crate::wire::Scales;
use chrono::NaiveDate;
use ea_reporting::models::{
    RIPurchaseHistoryV3Properties, ReservationDetailV2, ReservationSummaryV2,
};

use super::midnight;
use crate::domain::Days;
use crate::domain::{BillingPeriod, Grain};
use crate::universe::{
    Reservation, ReservationDay, Universe, purchases, reservation_day, reservation_price_share,
    round6,
};

fn years(r: &Reservation) -> u32 {
    if r.term == "P3Y" { 3 } else { 1 }
}

/// The service printed `amount` with 15 decimals and `quantity` with one (`13180.000000000000000`,
/// `10.0`; wire-format.md S2).
pub const CHARGE_SCALES: Scales = &[("amount", 15), ("quantity", 1)];

/// Purchases (first ones and renewals) made within `days`, oldest first.
pub fn charges(u: &Universe, days: Days) -> Vec<RIPurchaseHistoryV3Properties> {
    let mut bought: Vec<(NaiveDate, &Reservation)> = u
        .reservations
        .iter()
        .flat_map(|r| {
            purchases(r)
                .take_while(move |day| *day <= days.last)
                .filter(move |day| *day >= days.first)
                .map(move |day| (day, r))
        })
        .collect();
    bought.sort_by_key(|(day, r)| (*day, r.purchase_time));
    bought
        .into_iter()
        .map(|(day, r)| {
            let sub = &u.subscriptions[r.subscription];
            let account = u.account_of(r.subscription);
            let years = years(r);
            let hours = 24.0 * 365.0 * f64::from(years);
            let amount =
                r.hourly_price * hours * f64::from(r.quantity) * reservation_price_share(&r.term);
            let unit = if years == 1 { "Year" } else { "Years" };
            RIPurchaseHistoryV3Properties {
                purchasing_enrollment: Some(u.enrollment.clone()),
                arm_sku_name: Some(r.sku_name.clone()),
                term: Some(r.term.clone()),
                region: Some(r.region.clone()),
                purchasing_subscription_guid: Some(sub.guid.clone()),
                purchasing_subscription_name: Some(sub.name.clone()),
                account_name: Some(account.name.clone()),
                account_owner_email: Some(account.owner_email.clone()),
                department_name: Some(u.department_of(r.subscription).name.clone()),
                cost_center: Some(account.cost_center.clone()),
                current_enrollment: Some(u.enrollment.clone()),
                event_date: Some(day.and_time(r.purchase_time).and_utc()),
                reservation_order_id: Some(r.order_id.clone()),
                description: Some(format!("{} {} {years} {unit}", r.sku_name, r.region)),
                event_type: Some("Purchase".to_owned()),
                quantity: Some(f64::from(r.quantity)),
                amount: Some((amount * 100.0).round() / 100.0),
                currency: Some(u.currency.clone()),
                reservation_order_name: Some(r.order_name.clone()),
            }
        })
        .collect()
}

/// The virtual machine a reservation's discount applies to.
fn instance_id(u: &Universe, index: usize, r: &Reservation) -> String {
    let sub = &u.subscriptions[r.subscription];
    let group = &sub.resource_groups[0];
    format!(
        "/subscriptions/{}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/vm-ri-{:03}",
        sub.guid,
        index + 1
    )
}

/// Each active (reservation, day) of `days`, by day then reservation.
fn active_days<'a>(
    u: &'a Universe,
    data_seed: u64,
    days: Days,
) -> impl Iterator<Item = (NaiveDate, usize, &'a Reservation, ReservationDay)> + 'a {
    days.iter().flat_map(move |day| {
        u.reservations
            .iter()
            .enumerate()
            .filter_map(move |(i, r)| reservation_day(r, data_seed, day).map(|x| (day, i, r, x)))
    })
}

/// One row per active reservation and day.
pub fn details(u: &Universe, data_seed: u64, days: Days) -> Vec<ReservationDetailV2> {
    active_days(u, data_seed, days)
        .map(|(day, i, r, x)| ReservationDetailV2 {
            reservation_order_id: Some(r.order_id.clone()),
            reservation_id: Some(r.reservation_id.clone()),
            usage_date: Some(midnight(day)),
            sku_name: Some(r.sku_name.clone()),
            instance_id: Some(instance_id(u, i, r)),
            total_reserved_quantity: Some(f64::from(r.quantity)),
            reserved_hours: Some(x.reserved_hours),
            used_hours: Some(x.used_hours),
        })
        .collect()
}

/// Daily summaries (the same hours as [`details`]) or monthly ones (sums over the
/// month's days in the range; utilization average = used / reserved, minimum and
/// maximum over the daily averages), by date then reservation.
pub fn summaries(
    u: &Universe,
    data_seed: u64,
    grain: Grain,
    days: Days,
) -> Vec<ReservationSummaryV2> {
    let row = |r: &Reservation, date: NaiveDate, x: ReservationDay| ReservationSummaryV2 {
        reservation_order_id: Some(r.order_id.clone()),
        reservation_id: Some(r.reservation_id.clone()),
        sku_name: Some(r.sku_name.clone()),
        reserved_hours: Some(x.reserved_hours),
        usage_date: Some(midnight(date)),
        used_hours: Some(x.used_hours),
        min_utilization_percentage: Some(x.min_utilization),
        avg_utilization_percentage: Some(x.avg_utilization),
        max_utilization_percentage: Some(x.max_utilization),
    };
    match grain {
        Grain::Daily => active_days(u, data_seed, days)
            .map(|(day, _, r, x)| row(r, day, x))
            .collect(),
        Grain::Monthly => months(days)
            .flat_map(|month| {
                u.reservations.iter().filter_map(move |r| {
                    let total = month_total(r, data_seed, month)?;
                    Some((month.first, r, total))
                })
            })
            .map(|(first, r, x)| row(r, BillingPeriod::containing(first).start(), x))
            .collect(),
    }
}

/// `days` split by calendar month.
fn months(days: Days) -> impl Iterator<Item = Days> {
    let mut next = (days.count() > 0).then_some(days.first);
    std::iter::from_fn(move || {
        let first = next?;
        let last = BillingPeriod::containing(first).end().min(days.last);
        next = last.succ_opt().filter(|d| *d <= days.last);
        Some(Days::new(first, last))
    })
}

fn month_total(r: &Reservation, data_seed: u64, month: Days) -> Option<ReservationDay> {
    let daily: Vec<ReservationDay> = month
        .iter()
        .filter_map(|day| reservation_day(r, data_seed, day))
        .collect();
    if daily.is_empty() {
        return None;
    }
    let reserved: f64 = daily.iter().map(|x| x.reserved_hours).sum();
    let used = round6(daily.iter().map(|x| x.used_hours).sum());
    let min = daily
        .iter()
        .map(|x| x.avg_utilization)
        .fold(f64::INFINITY, f64::min);
    let max = daily.iter().map(|x| x.avg_utilization).fold(0.0, f64::max);
    Some(ReservationDay {
        reserved_hours: round6(reserved),
        used_hours: used,
        min_utilization: min,
        avg_utilization: round6(used / reserved * 100.0),
        max_utilization: max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{d, universe};

    fn everything() -> Days {
        Days::new(d(2015, 1, 1), d(2027, 12, 31))
    }

    #[test]
    fn charges_are_the_purchases_in_range() {
        let u = universe();
        let first_year = Days::new(d(2017, 11, 1), d(2018, 5, 31));
        let firsts = charges(&u, first_year);
        assert_eq!(firsts.len(), u.reservations.len());
        for c in &firsts {
            let r = u
                .reservations
                .iter()
                .find(|r| Some(&r.order_id) == c.reservation_order_id.as_ref())
                .unwrap();
            assert_eq!(c.event_date.unwrap().date_naive(), r.purchase_date);
            assert_eq!(c.quantity, Some(f64::from(r.quantity)));
            assert!(c.amount.unwrap() > 0.0);
        }
        let dates: Vec<_> = charges(&u, everything())
            .iter()
            .map(|c| c.event_date.unwrap())
            .collect();
        assert!(dates.len() > u.reservations.len(), "renewals are charged");
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");
        let first = u
            .reservations
            .iter()
            .map(|r| r.purchase_date)
            .min()
            .unwrap();
        assert_eq!(charges(&u, Days::new(first, first)).len(), 1);
        assert!(charges(&u, Days::new(d(2015, 1, 1), d(2017, 10, 31))).is_empty());
    }

    #[test]
    fn details_and_daily_summaries_agree() {
        let u = universe();
        let r = &u.reservations[0];
        let days = Days::new(r.purchase_date, r.purchase_date + chrono::Days::new(40));
        let det = details(&u, 3, days);
        let sum = summaries(&u, 3, Grain::Daily, days);
        assert_eq!(det.len(), sum.len());
        for (a, b) in det.iter().zip(&sum) {
            assert_eq!(a.reservation_id, b.reservation_id);
            assert_eq!(a.usage_date, b.usage_date);
            assert_eq!(a.reserved_hours, b.reserved_hours);
            assert_eq!(a.used_hours, b.used_hours);
        }
        assert!(
            det.iter()
                .all(|x| days.contains(x.usage_date.unwrap().date_naive()))
        );
    }

    #[test]
    fn monthly_summaries_sum_the_days() {
        let u = universe();
        let r = &u.reservations[0];
        let start = BillingPeriod::containing(r.purchase_date).succ().start();
        let days = Days::new(start, BillingPeriod::containing(start).succ().end());
        let monthly: Vec<_> = summaries(&u, 3, Grain::Monthly, days)
            .into_iter()
            .filter(|s| s.reservation_id.as_ref() == Some(&r.reservation_id))
            .collect();
        assert_eq!(monthly.len(), 2);
        let daily = summaries(
            &u,
            3,
            Grain::Daily,
            Days::of_period(BillingPeriod::containing(start)),
        );
        let used: f64 = daily
            .iter()
            .filter(|s| s.reservation_id.as_ref() == Some(&r.reservation_id))
            .map(|s| s.used_hours.unwrap())
            .sum();
        assert!((monthly[0].used_hours.unwrap() - used).abs() < 1e-6);
        assert_eq!(monthly[0].usage_date.unwrap().date_naive(), start);
        let m = &monthly[0];
        assert!(m.min_utilization_percentage <= m.avg_utilization_percentage);
        assert!(m.avg_utilization_percentage <= m.max_utilization_percentage);
    }

    #[test]
    fn months_split_ranges() {
        let split: Vec<String> = months(Days::new(d(2018, 1, 30), d(2018, 3, 2)))
            .map(|m| m.to_string())
            .collect();
        assert_eq!(
            split,
            [
                "2018-01-30..2018-01-31",
                "2018-02-01..2018-02-28",
                "2018-03-01..2018-03-02"
            ]
        );
        assert_eq!(months(Days::new(d(2018, 1, 2), d(2018, 1, 1))).count(), 0);
    }
}
