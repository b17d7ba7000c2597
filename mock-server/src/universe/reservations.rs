//! Reserved-instance purchases and usage per reservation and day, as pure functions
//! of their inputs, so charges, details (daily), daily summaries and monthly summaries
//! always agree. Reservations auto-renew: active from the first purchase on, with a
//! purchase at the start of every term.

use chrono::{Months, NaiveDate, Timelike};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::{Reservation, round6};
use crate::stable_hash::StableHasher;

/// One reservation's use on one day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReservationDay {
    /// Instance-hours reserved that day: `quantity × 24`, less on the purchase day
    /// (reserved from the purchase time on).
    pub reserved_hours: f64,
    /// Instance-hours used, at most `reserved_hours`.
    pub used_hours: f64,
    /// Lowest hourly utilization of the day, percent.
    pub min_utilization: f64,
    /// `used_hours / reserved_hours`, percent.
    pub avg_utilization: f64,
    /// Highest hourly utilization of the day, percent.
    pub max_utilization: f64,
}

/// The purchase days: the first purchase and every renewal (one per term), forever.
pub fn purchases(r: &Reservation) -> impl Iterator<Item = NaiveDate> + '_ {
    let months = if r.term == "P3Y" { 36 } else { 12 };
    (0u32..).map_while(move |k| r.purchase_date.checked_add_months(Months::new(months * k)))
}

/// The reservation's use on `day`, or `None` before its first purchase.
/// `seed` is the rows' seed (see [`super::data_seed`]), so a data refresh changes it.
pub fn reservation_day(r: &Reservation, seed: u64, day: NaiveDate) -> Option<ReservationDay> {
    if day < r.purchase_date {
        return None;
    }
    let hours_per_instance = if day == r.purchase_date {
        // The purchase minute's hour counts as reserved, like a partial first day.
        24.0 - f64::from(r.purchase_time.hour())
    } else {
        24.0
    };
    let reserved_hours = f64::from(r.quantity) * hours_per_instance;
    let mut rng = StdRng::seed_from_u64(
        StableHasher::new()
            .str("reservation-day")
            .u64(seed)
            .str(&r.reservation_id)
            .i64(day.to_epoch_days().into())
            .finish(),
    );
    let share = if rng.random_bool(0.3) {
        1.0
    } else {
        rng.random_range(0.5..1.0)
    };
    let used_hours = round6(reserved_hours * share);
    let avg = round6(used_hours / reserved_hours * 100.0);
    let (min, max) = if used_hours >= reserved_hours {
        (100.0, 100.0)
    } else {
        (
            round6(rng.random_range(0.0..=avg)),
            round6(rng.random_range(avg..=100.0)),
        )
    };
    Some(ReservationDay {
        reserved_hours,
        used_hours,
        min_utilization: min,
        avg_utilization: avg,
        max_utilization: max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::universe::Universe;

    #[test]
    fn active_from_the_first_purchase_and_renewed_every_term() {
        let u = Universe::build(42, "100", 4);
        for r in &u.reservations {
            let before = r.purchase_date.pred_opt().unwrap();
            assert_eq!(reservation_day(r, 1, before), None);
            assert!(reservation_day(r, 1, r.purchase_date).is_some());
            let far = r.purchase_date + Months::new(120);
            assert!(reservation_day(r, 1, far).is_some());
            let months = if r.term == "P3Y" { 36 } else { 12 };
            let dates: Vec<NaiveDate> = purchases(r).take(3).collect();
            assert_eq!(
                dates,
                [
                    r.purchase_date,
                    r.purchase_date + Months::new(months),
                    r.purchase_date + Months::new(2 * months)
                ]
            );
            // A renewal day is a full day, not a partial first day.
            let renewal = reservation_day(r, 1, dates[1]).unwrap();
            assert_eq!(renewal.reserved_hours, f64::from(r.quantity) * 24.0);
        }
    }

    #[test]
    fn hours_and_percentages_are_consistent() {
        let u = Universe::build(7, "100", 4);
        for r in &u.reservations {
            let first = reservation_day(r, 3, r.purchase_date).unwrap();
            let expected_first = f64::from(r.quantity) * (24.0 - f64::from(r.purchase_time.hour()));
            assert_eq!(first.reserved_hours, expected_first);
            for offset in 1..60 {
                let day = r.purchase_date + chrono::Days::new(offset);
                let x = reservation_day(r, 3, day).unwrap();
                assert_eq!(x.reserved_hours, f64::from(r.quantity) * 24.0);
                assert!(x.used_hours > 0.0 && x.used_hours <= x.reserved_hours);
                assert!(x.min_utilization <= x.avg_utilization);
                assert!(x.avg_utilization <= x.max_utilization);
                assert!(x.max_utilization <= 100.0);
                assert!((x.avg_utilization - x.used_hours / x.reserved_hours * 100.0).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn pure_and_seed_dependent() {
        let u = Universe::build(42, "100", 4);
        let r = &u.reservations[0];
        let day = r.purchase_date + chrono::Days::new(10);
        assert_eq!(reservation_day(r, 1, day), reservation_day(r, 1, day));
        let differs = (10..40).any(|o| {
            let day = r.purchase_date + chrono::Days::new(o);
            reservation_day(r, 1, day) != reservation_day(r, 2, day)
        });
        assert!(differs);
    }
}
