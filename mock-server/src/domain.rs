//! The mock's domain types: billing periods, runs of days, and the validated forms of the
//! generated enums the service's parameters take. The request-side checks that produce them are
//! in `validate`; what a response holds is in `resolve`.

use std::fmt;

use chrono::{Datelike, Days as ChronoDays, NaiveDate};
use ea_reporting::models;

/// A billing period: one calendar month, written `yyyyMM` in URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BillingPeriod {
    /// Calendar year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

impl BillingPeriod {
    /// The oldest period with data: May 2014.
    pub const FIRST: BillingPeriod = BillingPeriod {
        year: 2014,
        month: 5,
    };

    /// The period containing `date`.
    pub fn containing(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// First day of the month.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("month is 1-12")
    }

    /// Last day of the month.
    pub fn end(self) -> NaiveDate {
        self.succ()
            .start()
            .pred_opt()
            .expect("not the first day of time")
    }

    /// Number of days in the month.
    pub fn days(self) -> u32 {
        self.end().day()
    }

    /// The `yyyyMM` form used in paths and `billingPeriodId`.
    pub fn id(self) -> String {
        format!("{:04}{:02}", self.year, self.month)
    }

    /// The month before (no lower bound; compare with [`Self::FIRST`]).
    pub fn previous(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn succ(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Months since year 0; differences count calendar months.
    pub(crate) fn ordinal(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }
}

impl fmt::Display for BillingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}", self.year, self.month)
    }
}

/// An inclusive run of days; empty when `last < first` (e.g. a range in the future).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Days {
    /// First day.
    pub first: NaiveDate,
    /// Last day, included.
    pub last: NaiveDate,
}

impl Days {
    /// The days from `first` to `last`, both included.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Self {
        Self { first, last }
    }

    /// Every day of a billing period.
    pub fn of_period(period: BillingPeriod) -> Self {
        Self::new(period.start(), period.end())
    }

    /// The same days without those after `today`: there is no data for the future.
    pub fn until(self, today: NaiveDate) -> Self {
        Self::new(self.first, self.last.min(today))
    }

    /// Number of days (0 when empty).
    pub fn count(self) -> u64 {
        if self.last < self.first {
            0
        } else {
            (self.last - self.first).num_days() as u64 + 1
        }
    }

    /// The `i`-th day (0-based); `i` must be below [`Self::count`].
    pub fn nth(self, i: u64) -> NaiveDate {
        self.first + ChronoDays::new(i)
    }

    /// The days in order.
    pub fn iter(self) -> impl Iterator<Item = NaiveDate> {
        (0..self.count()).map(move |i| self.nth(i))
    }

    /// Whether `day` is one of the days.
    pub fn contains(self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

/// `grain` of reservation summaries, once validated: the generated [`models::Grain`] without
/// its `Unknown` case, which the mock answers with 400.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grain {
    /// One row per reservation per day.
    Daily,
    /// One row per reservation per month.
    Monthly,
}

impl Grain {
    /// The wire form, as the generated enum writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Daily => models::Grain::KNOWN[0],
            Grain::Monthly => models::Grain::KNOWN[1],
        }
    }
}

/// `lookBackPeriod` of reservation recommendations, once validated: the generated
/// [`models::LookBackPeriod`] without its `Unknown` case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LookBackPeriod {
    /// 7 days.
    Last7Days,
    /// 30 days.
    Last30Days,
    /// 60 days.
    Last60Days,
}

impl LookBackPeriod {
    /// Length in days.
    pub const fn days(self) -> u32 {
        match self {
            LookBackPeriod::Last7Days => 7,
            LookBackPeriod::Last30Days => 30,
            LookBackPeriod::Last60Days => 60,
        }
    }

    /// The form the response uses in its `lookBackPeriod` field: the generated enum's variant
    /// name, which the spec's `x-ms-enum` gives.
    pub const fn as_str(self) -> &'static str {
        match self {
            LookBackPeriod::Last7Days => "Last7Days",
            LookBackPeriod::Last30Days => "Last30Days",
            LookBackPeriod::Last60Days => "Last60Days",
        }
    }
}
