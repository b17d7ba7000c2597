//! Helpers the unit tests of several modules share.

use chrono::NaiveDate;
use http::{HeaderMap, HeaderValue};

use crate::universe::Universe;

/// A date, for tables of test cases.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The universe of the default seed and enrollment with four subscriptions.
pub fn universe() -> Universe {
    Universe::build(42, "100", 4)
}

/// A header map from (name, value) pairs, repeated names appended.
pub fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_static(v));
    }
    h
}
