//! Request-domain checks the real service makes before it looks at data.
//!
//! Each check returns `Err(message)`; the message names the parameter and says why, and
//! becomes the text of a 400 body. Parameter values are echoed (they are not secrets)
//! but shortened, so a huge query cannot blow up the error body.

use chrono::{DateTime, NaiveDate, Utc};
use ea_reporting::models;

use crate::domain::BillingPeriod;
use crate::domain::{Grain, LookBackPeriod};

/// First day with data (the API has data "from 1 May 2014 onward").
pub const FIRST_DATA_DAY: NaiveDate = NaiveDate::from_ymd_opt(2014, 5, 1).unwrap();

/// Longest custom range of the JSON endpoints and the async CSV submit, in months.
pub const MAX_JSON_RANGE_MONTHS: u32 = 36;
/// Longest range of the synchronous CSV download, in months.
pub const MAX_CSV_RANGE_MONTHS: u32 = 1;

/// Parses the `billingPeriod` path segment: six digits `yyyyMM`, month 01–12, from
/// 201405 up to the month of `today` (future periods have no data yet).
pub fn parse_billing_period(s: &str, today: NaiveDate) -> Result<BillingPeriod, String> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "billingPeriod '{}' must be yyyyMM, six digits such as 201704",
            shown(s)
        ));
    }
    let year: i32 = s[..4].parse().expect("four digits");
    let month: u32 = s[4..].parse().expect("two digits");
    if !(1..=12).contains(&month) {
        return Err(format!(
            "billingPeriod '{s}' has month {month:02}; it must be 01 to 12"
        ));
    }
    let period = BillingPeriod { year, month };
    if period < BillingPeriod::FIRST {
        return Err(format!(
            "billingPeriod '{s}' is before {}; data is available from May 2014",
            BillingPeriod::FIRST
        ));
    }
    let current = BillingPeriod::containing(today);
    if period > current {
        return Err(format!(
            "billingPeriod '{s}' is in the future; the latest is {current}"
        ));
    }
    Ok(period)
}

/// The day of an already-parsed date-time parameter (the generated matcher reads
/// `yyyy-MM-dd` as midnight UTC and converts offsets to UTC), refusing days before
/// 2014-05-01.
pub fn check_date(name: &str, value: DateTime<Utc>) -> Result<NaiveDate, String> {
    let date = value.date_naive();
    if date < FIRST_DATA_DAY {
        return Err(format!(
            "{name} {date} is before {FIRST_DATA_DAY}; data is available from 1 May 2014"
        ));
    }
    Ok(date)
}

/// Checks a custom range: `end` not before `start`, spanning at most `max_months`.
///
/// Months are counted as **calendar months touched, both ends included**: 2017-01-31 to
/// 2017-02-01 spans 2 months; 2015-01-01 to 2017-12-31 spans 36. So with
/// `max_months = 1` both days must lie in the same calendar month, like a billing
/// period, and with 36 a range may cover at most 36 billing periods. Chosen because the
/// data is organised by billing period and this count has no end-of-month ambiguity.
pub fn check_range(
    start_name: &str,
    start: NaiveDate,
    end_name: &str,
    end: NaiveDate,
    max_months: u32,
) -> Result<(), String> {
    if end < start {
        return Err(format!("{end_name} {end} is before {start_name} {start}"));
    }
    let months = months_spanned(start, end);
    if months > i64::from(max_months) {
        let unit = if max_months == 1 { "month" } else { "months" };
        return Err(format!(
            "{start_name} {start} to {end_name} {end} spans {months} calendar months; \
             at most {max_months} calendar {unit} allowed"
        ));
    }
    Ok(())
}

/// Calendar months touched by `[start, end]`, both ends included (1 for the same month).
pub fn months_spanned(start: NaiveDate, end: NaiveDate) -> i64 {
    BillingPeriod::containing(end).ordinal() - BillingPeriod::containing(start).ordinal() + 1
}

/// Validates `grain` as the generated matcher parsed it: a known value, or one that differs
/// only in case (ASP.NET binds enums ignoring case). The served path never hands it an
/// `Unknown`: the matcher accepts only the listed values (in any case) and answers 400 to the
/// rest, so the tolerant branch serves values built in-process.
pub fn known_grain(grain: &models::Grain) -> Result<Grain, String> {
    fn known(grain: &models::Grain) -> Option<Grain> {
        match grain {
            models::Grain::Daily => Some(Grain::Daily),
            models::Grain::Monthly => Some(Grain::Monthly),
            models::Grain::Unknown(_) => None,
        }
    }
    known(grain)
        .or_else(|| {
            let wire = grain.as_str();
            let k = models::Grain::KNOWN
                .iter()
                .find(|k| k.eq_ignore_ascii_case(wire))?;
            known(&models::Grain::from_wire(k))
        })
        .ok_or_else(|| format!("grain '{}' must be daily or monthly", shown(grain.as_str())))
}

/// Validates `lookBackPeriod` as the generated matcher parsed it: the documented request form
/// `7`, `30`, `60`, and for an `Unknown` value also the response form
/// `Last7Days`/`Last30Days`/`Last60Days` (any case). The served path never hands it an
/// `Unknown`: the matcher accepts only `7`, `30`, `60` and answers 400 to the rest, so an echoed
/// `Last7Days` gets that 400; the tolerant branch serves values built in-process.
pub fn known_look_back_period(value: &models::LookBackPeriod) -> Result<LookBackPeriod, String> {
    let known = match value {
        models::LookBackPeriod::Unknown(s) => {
            let digits = strip_prefix_ignore_case(s, "last")
                .and_then(|rest| strip_suffix_ignore_case(rest, "days"))
                .unwrap_or(s);
            models::LookBackPeriod::from_wire(digits)
        }
        other => other.clone(),
    };
    match known {
        models::LookBackPeriod::Last7Days => Ok(LookBackPeriod::Last7Days),
        models::LookBackPeriod::Last30Days => Ok(LookBackPeriod::Last30Days),
        models::LookBackPeriod::Last60Days => Ok(LookBackPeriod::Last60Days),
        models::LookBackPeriod::Unknown(_) => Err(format!(
            "lookBackPeriod '{}' must be 7, 30 or 60 (or Last7Days, Last30Days, Last60Days)",
            shown(value.as_str())
        )),
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..cut])
}

/// At most 40 characters of a user value, for error messages.
fn shown(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Months;

    fn parse_grain(s: &str) -> Result<Grain, String> {
        known_grain(&models::Grain::from_wire(s))
    }

    fn parse_look_back_period(s: &str) -> Result<LookBackPeriod, String> {
        known_look_back_period(&models::LookBackPeriod::from_wire(s))
    }
    use crate::test_support::d;

    fn today() -> NaiveDate {
        d(2018, 6, 15)
    }

    #[test]
    fn billing_period_accepts_valid() {
        let p = parse_billing_period("201704", today()).unwrap();
        assert_eq!(
            p,
            BillingPeriod {
                year: 2017,
                month: 4
            }
        );
        assert_eq!(p.id(), "201704");
        assert_eq!(p.to_string(), "201704");
        assert_eq!(
            parse_billing_period("201405", today()).unwrap(),
            BillingPeriod::FIRST
        );
        assert_eq!(
            parse_billing_period("201806", today()).unwrap().id(),
            "201806"
        );
    }

    #[test]
    fn billing_period_rejects_bad_shapes_and_months() {
        for bad in [
            "",
            "2017",
            "2017-04",
            "20170",
            "2017040",
            "20170a",
            "+20174",
            "２０１７０４",
        ] {
            let err = parse_billing_period(bad, today()).unwrap_err();
            assert!(
                err.contains("billingPeriod") && err.contains("yyyyMM"),
                "{bad}: {err}"
            );
        }
        for bad in ["201700", "201713", "201799"] {
            let err = parse_billing_period(bad, today()).unwrap_err();
            assert!(err.contains("01 to 12"), "{bad}: {err}");
        }
    }

    #[test]
    fn billing_period_bounds() {
        let err = parse_billing_period("201404", today()).unwrap_err();
        assert!(err.contains("before 201405"), "{err}");
        assert!(parse_billing_period("000101", today()).is_err());
        let err = parse_billing_period("201807", today()).unwrap_err();
        assert!(err.contains("future") && err.contains("201806"), "{err}");
        // The current month is allowed on its first day too.
        assert!(parse_billing_period("201806", d(2018, 6, 1)).is_ok());
        assert!(parse_billing_period("201806", d(2018, 5, 31)).is_err());
    }

    #[test]
    fn billing_period_dates_and_navigation() {
        let feb16 = BillingPeriod {
            year: 2016,
            month: 2,
        };
        assert_eq!(feb16.start(), d(2016, 2, 1));
        assert_eq!(feb16.end(), d(2016, 2, 29));
        assert_eq!(feb16.days(), 29);
        assert_eq!(
            BillingPeriod {
                year: 2017,
                month: 2
            }
            .days(),
            28
        );
        let dec = BillingPeriod {
            year: 2017,
            month: 12,
        };
        assert_eq!(dec.end(), d(2017, 12, 31));
        assert_eq!(
            dec.succ(),
            BillingPeriod {
                year: 2018,
                month: 1
            }
        );
        assert_eq!(dec.succ().previous(), dec);
        assert_eq!(
            BillingPeriod {
                year: 2018,
                month: 1
            }
            .previous(),
            dec
        );
        assert_eq!(BillingPeriod::FIRST.previous().id(), "201404");
        assert_eq!(BillingPeriod::containing(d(2017, 4, 30)).id(), "201704");
        assert!(
            BillingPeriod::FIRST
                < BillingPeriod {
                    year: 2014,
                    month: 6
                }
        );
        assert!(
            BillingPeriod {
                year: 2014,
                month: 12
            } < BillingPeriod {
                year: 2015,
                month: 1
            }
        );
    }

    #[test]
    fn check_date_takes_the_utc_day_and_the_lower_bound() {
        use chrono::TimeZone;
        let at = |y, m, dd, h| Utc.with_ymd_and_hms(y, m, dd, h, 0, 0).unwrap();
        assert_eq!(
            check_date("startTime", at(2017, 1, 10, 23)),
            Ok(d(2017, 1, 10))
        );
        assert_eq!(
            check_date("startDate", at(2014, 5, 1, 0)),
            Ok(FIRST_DATA_DAY)
        );
        let err = check_date("startDate", at(2014, 4, 30, 23)).unwrap_err();
        assert!(err.starts_with("startDate 2014-04-30 is before"), "{err}");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(5000);
        let err = parse_billing_period(&long, d(2018, 6, 15)).unwrap_err();
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn range_order() {
        let err =
            check_range("startTime", d(2017, 1, 10), "endTime", d(2017, 1, 9), 36).unwrap_err();
        assert!(
            err.contains("endTime 2017-01-09 is before startTime 2017-01-10"),
            "{err}"
        );
        assert!(check_range("startTime", d(2017, 1, 10), "endTime", d(2017, 1, 10), 1).is_ok());
    }

    #[test]
    fn one_month_boundaries() {
        let ok = |s, e| check_range("startTime", s, "endTime", e, MAX_CSV_RANGE_MONTHS).is_ok();
        assert!(ok(d(2017, 1, 1), d(2017, 1, 31)));
        assert!(ok(d(2016, 2, 1), d(2016, 2, 29)));
        assert!(!ok(d(2017, 1, 31), d(2017, 2, 1)), "two calendar months");
        assert!(!ok(d(2017, 1, 15), d(2017, 2, 14)));
        let err = check_range("startTime", d(2017, 1, 1), "endTime", d(2017, 2, 1), 1).unwrap_err();
        assert!(
            err.contains("spans 2 calendar months") && err.contains("at most 1 calendar month "),
            "{err}"
        );
    }

    #[test]
    fn thirty_six_month_boundaries() {
        let ok = |s, e| check_range("startTime", s, "endTime", e, MAX_JSON_RANGE_MONTHS).is_ok();
        assert!(ok(d(2015, 1, 1), d(2017, 12, 31)));
        assert!(ok(d(2015, 1, 31), d(2017, 12, 1)));
        assert!(!ok(d(2015, 1, 1), d(2018, 1, 1)));
        assert!(!ok(d(2014, 12, 31), d(2017, 12, 1)));
        assert_eq!(months_spanned(d(2015, 1, 1), d(2017, 12, 31)), 36);
        assert_eq!(months_spanned(d(2017, 12, 31), d(2018, 1, 1)), 2);
        assert_eq!(months_spanned(d(2017, 5, 5), d(2017, 5, 5)), 1);
    }

    /// The last day a range starting at `start` may end on: the last day of the
    /// `max_months`-th calendar month.
    fn max_range_end(start: NaiveDate, max_months: u32) -> NaiveDate {
        let first = BillingPeriod::containing(start).start();
        let after = first
            .checked_add_months(Months::new(max_months))
            .expect("date in range");
        after.pred_opt().expect("date in range")
    }

    #[test]
    fn max_range_end_is_the_last_allowed_day() {
        for (start, months) in [
            (d(2015, 1, 17), 36),
            (d(2017, 1, 31), 1),
            (d(2016, 2, 29), 12),
        ] {
            let last = max_range_end(start, months);
            assert!(check_range("s", start, "e", last, months).is_ok());
            assert!(check_range("s", start, "e", last.succ_opt().unwrap(), months).is_err());
        }
        assert_eq!(max_range_end(d(2015, 1, 17), 36), d(2017, 12, 31));
        assert_eq!(max_range_end(d(2016, 1, 31), 2), d(2016, 2, 29));
    }

    #[test]
    fn grain() {
        assert_eq!(parse_grain("daily"), Ok(Grain::Daily));
        assert_eq!(parse_grain("Monthly"), Ok(Grain::Monthly));
        assert_eq!(parse_grain("DAILY"), Ok(Grain::Daily));
        assert_eq!(Grain::Monthly.as_str(), "monthly");
        let err = parse_grain("weekly").unwrap_err();
        assert!(
            err.contains("grain") && err.contains("daily or monthly"),
            "{err}"
        );
        assert!(parse_grain("").is_err());
    }

    #[test]
    fn look_back_period() {
        use LookBackPeriod::*;
        assert_eq!(parse_look_back_period("7"), Ok(Last7Days));
        assert_eq!(parse_look_back_period("30"), Ok(Last30Days));
        assert_eq!(parse_look_back_period("60"), Ok(Last60Days));
        assert_eq!(parse_look_back_period("Last7Days"), Ok(Last7Days));
        assert_eq!(parse_look_back_period("last30days"), Ok(Last30Days));
        assert_eq!(parse_look_back_period("LAST60DAYS"), Ok(Last60Days));
        for bad in [
            "",
            "14",
            "07",
            "Last14Days",
            "LastDays",
            "Last 7 Days",
            "7d",
            "Lastdays",
            "Läst7Däys",
            "Last7Däys",
        ] {
            let err = parse_look_back_period(bad).unwrap_err();
            assert!(err.starts_with("lookBackPeriod"), "{bad}: {err}");
        }
        assert_eq!(Last30Days.days(), 30);
        assert_eq!(Last60Days.as_str(), "Last60Days");
    }
}
