//! Sums over a billing period's rows, for balance summaries that agree with the usage
//! and marketplace data the same server returns.
//!
//! A sum is a pure function of (universe, data seed, period, last day), computed by
//! generating the rows one at a time (nothing is held), off the async workers, and
//! cached in a slot per period so later requests cost a lock and a copy.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::domain::BillingPeriod;
use crate::domain::Days;
use crate::state::Enrollment;
use crate::universe::{self, round6};
use crate::view::View;

/// Totals of one billing period, rounded to 6 decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodTotals {
    /// Σ `cost` of the period's usage rows up to the last day with data.
    pub usage_cost: f64,
    /// Σ `extendedCost` of the period's marketplace rows up to that day.
    pub marketplace_cost: f64,
    /// Σ `cost` of the usage rows of the period's first day: the scale the (fictional)
    /// commitment balance is sized from, stable while the period fills up.
    pub first_day_usage_cost: f64,
}

/// Generates and sums the rows of `days` (a period clipped to today).
pub fn compute(e: &Enrollment, data_seed: u64, period: BillingPeriod, days: Days) -> PeriodTotals {
    compute_in(e, &View::enterprise(), data_seed, period, days)
}

/// [`compute`] over the rows `view` sees: a department's summary is the sum of exactly the
/// rows its key gets from the usage and marketplace endpoints.
pub fn compute_in(
    e: &Enrollment,
    view: &View,
    data_seed: u64,
    period: BillingPeriod,
    days: Days,
) -> PeriodTotals {
    let u = &e.universe;
    let day_usage = |day: NaiveDate| -> f64 {
        (0..view.usage_per_day(e))
            .map(|j| {
                let index = view.usage_slot(e, j);
                universe::usage_on(u, data_seed, day, index, &e.usage_slot(index)).cost
            })
            .sum()
    };
    let usage: f64 = days.iter().map(day_usage).sum();
    let marketplace: f64 = days
        .iter()
        .flat_map(|day| {
            (0..view.marketplace_per_day(e)).map(move |j| {
                universe::marketplace_row(u, data_seed, day, view.marketplace_slot(j)).extended_cost
            })
        })
        .sum();
    PeriodTotals {
        usage_cost: round6(usage),
        marketplace_cost: round6(marketplace),
        first_day_usage_cost: round6(day_usage(period.start())),
    }
}

/// The totals of `period` up to `days.last` of the rows `view` sees, from the cache or computed
/// on a blocking thread (a month of a million rows takes a second or two). Only the whole
/// enrollment's are cached: a view's are a share of the work, and caching every department's
/// would multiply the slots.
pub async fn period_totals_in(
    e: Arc<Enrollment>,
    view: Arc<View>,
    data_seed: u64,
    period: BillingPeriod,
    days: Days,
) -> PeriodTotals {
    if !view.is_enterprise() {
        return tokio::task::spawn_blocking(move || compute_in(&e, &view, data_seed, period, days))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    }
    if let Some(t) = e.totals.get(period, data_seed, days.last) {
        return t;
    }
    let worker = e.clone();
    let totals = tokio::task::spawn_blocking(move || compute(&worker, data_seed, period, days))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    e.totals.put(period, data_seed, days.last, totals);
    totals
}

type Key = (u64, NaiveDate);
type Slot = Mutex<Option<(Key, PeriodTotals)>>;

/// One cache slot per billing period from May 2014 to December 2099; each holds the
/// totals of the latest (data seed, last day) asked for.
#[derive(Debug)]
pub struct TotalsMemo {
    slots: Box<[Slot]>,
}

const LAST_CACHED_YEAR: i32 = 2099;

impl TotalsMemo {
    /// An empty cache.
    pub fn new() -> Self {
        let count = slot_index(BillingPeriod {
            year: LAST_CACHED_YEAR,
            month: 12,
        })
        .expect("in range")
            + 1;
        Self {
            slots: (0..count).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// The cached totals, if they are for this data seed and last day.
    pub fn get(
        &self,
        period: BillingPeriod,
        data_seed: u64,
        last: NaiveDate,
    ) -> Option<PeriodTotals> {
        let slot = self.slots.get(slot_index(period)?)?;
        let guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        match *guard {
            Some((key, totals)) if key == (data_seed, last) => Some(totals),
            _ => None,
        }
    }

    /// Caches totals (replacing those of another data seed or day).
    pub fn put(
        &self,
        period: BillingPeriod,
        data_seed: u64,
        last: NaiveDate,
        totals: PeriodTotals,
    ) {
        if let Some(slot) = slot_index(period).and_then(|i| self.slots.get(i)) {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(((data_seed, last), totals));
        }
    }
}

impl Default for TotalsMemo {
    fn default() -> Self {
        Self::new()
    }
}

fn slot_index(period: BillingPeriod) -> Option<usize> {
    let months = (period.year - BillingPeriod::FIRST.year) * 12 + period.month as i32
        - BillingPeriod::FIRST.month as i32;
    usize::try_from(months).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn enrollment() -> Enrollment {
        Enrollment::build(&Config::default(), "100")
    }

    const MAY_2018: BillingPeriod = BillingPeriod {
        year: 2018,
        month: 5,
    };

    #[test]
    fn sums_every_row_of_the_days() {
        let e = enrollment();
        let days = Days::of_period(MAY_2018).until(NaiveDate::from_ymd_opt(2018, 5, 3).unwrap());
        let t = compute(&e, 7, MAY_2018, days);
        let mut by_hand = 0.0;
        for day in days.iter() {
            for i in 0..80 {
                by_hand += universe::usage_row(&e.universe, 7, day, i).cost;
            }
        }
        assert_eq!(t.usage_cost, round6(by_hand));
        let first: f64 = (0..80)
            .map(|i| universe::usage_row(&e.universe, 7, MAY_2018.start(), i).cost)
            .sum();
        assert_eq!(t.first_day_usage_cost, round6(first));
        assert!(t.marketplace_cost > 0.0);
    }

    #[test]
    fn memo_is_keyed_by_seed_and_day() {
        let memo = TotalsMemo::new();
        let last = NaiveDate::from_ymd_opt(2018, 5, 31).unwrap();
        let t = PeriodTotals {
            usage_cost: 1.0,
            marketplace_cost: 2.0,
            first_day_usage_cost: 3.0,
        };
        assert_eq!(memo.get(MAY_2018, 1, last), None);
        memo.put(MAY_2018, 1, last, t);
        assert_eq!(memo.get(MAY_2018, 1, last), Some(t));
        assert_eq!(memo.get(MAY_2018, 2, last), None);
        assert_eq!(memo.get(MAY_2018, 1, last.pred_opt().unwrap()), None);
        let far = BillingPeriod {
            year: 2300,
            month: 1,
        };
        memo.put(far, 1, last, t);
        assert_eq!(memo.get(far, 1, last), None, "outside the cached years");
        assert_eq!(slot_index(BillingPeriod::FIRST), Some(0));
    }

    #[tokio::test]
    async fn period_totals_caches() {
        let e = Arc::new(enrollment());
        let days = Days::of_period(MAY_2018);
        let all = Arc::new(View::enterprise());
        let a = period_totals_in(e.clone(), all.clone(), 1, MAY_2018, days).await;
        assert_eq!(e.totals.get(MAY_2018, 1, days.last), Some(a));
        assert_eq!(period_totals_in(e, all, 1, MAY_2018, days).await, a);
    }
}
