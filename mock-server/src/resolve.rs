//! From a matched [`Operation`] to a [`Query`]: the domain checks the real service
//! makes (billing period, date ranges, grain, look-back period, known enrollment) and
//! a normalised description of the data the response holds.
//!
//! This is the one place that matches on the generated `Operation` enum, and it does so
//! exhaustively (no wildcard arm): a new operation in the spec stops the build here
//! until it is served.

use chrono::{Months, NaiveDate};
use ea_reporting::models;
use ea_reporting::operations::Operation;

use crate::domain::Days;
use crate::domain::{BillingPeriod, Grain, LookBackPeriod};
use crate::validate::{self, MAX_CSV_RANGE_MONTHS, MAX_JSON_RANGE_MONTHS};

/// Months a monthly reservation summary covers when no dates are given: the current
/// month and the eleven before it.
pub const DEFAULT_MONTHLY_SUMMARY_MONTHS: u32 = 12;

/// Which reservation recommendations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Shared scope: one per SKU and region, for the whole enrollment.
    Shared,
    /// Single scope: per subscription.
    Single,
}

/// What a successful response contains, normalised. Together with the seed, the data
/// version and the server's size settings it determines the body completely.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// Balance summary of `period`, with usage up to `days.last`.
    BalanceSummary {
        /// The billing period.
        period: BillingPeriod,
        /// Its days up to today.
        days: Days,
    },
    /// A page of usage details (JSON).
    UsagePage {
        /// The days asked for (period or range), before clipping; page tokens are bound
        /// to these so they stay valid when a new day of data appears.
        requested: Days,
        /// The days with data: `requested` up to today.
        days: Days,
    },
    /// Usage details as CSV.
    UsageCsv {
        /// The days with data.
        days: Days,
        /// The title line of the file (it names the billing period or the requested range).
        title: CsvTitle,
    },
    /// Marketplace charges.
    Marketplace {
        /// The days with data.
        days: Days,
    },
    /// Price sheet of a period.
    PriceSheet {
        /// The billing period.
        period: BillingPeriod,
    },
    /// Billing periods, newest (`current`) first.
    BillingPeriods {
        /// The current billing period.
        current: BillingPeriod,
    },
    /// Reservation purchases in a range.
    ReservationCharges {
        /// The days with data.
        days: Days,
    },
    /// Daily reservation usage.
    ReservationDetails {
        /// The days with data.
        days: Days,
    },
    /// Reservation usage summaries.
    ReservationSummaries {
        /// Daily or monthly rows.
        grain: Grain,
        /// The days with data.
        days: Days,
    },
    /// Reservation purchase recommendations.
    Recommendations {
        /// Shared or single scope.
        scope: Scope,
        /// Days of usage looked at.
        look_back: LookBackPeriod,
        /// The day the recommendation is made on (it ends the look-back window).
        today: NaiveDate,
    },
}

impl Query {
    /// A stable text naming everything the body depends on besides seed, data version
    /// and size settings; part of the ETag identity.
    pub fn key(&self) -> String {
        match self {
            Query::BalanceSummary { period, days } => format!("period={period};days={days}"),
            Query::UsagePage { days, .. } => format!("days={days}"),
            Query::UsageCsv { days, title } => format!("csv;days={days};title={title:?}"),
            Query::Marketplace { days } => format!("days={days}"),
            Query::PriceSheet { period } => format!("period={period}"),
            Query::BillingPeriods { current } => format!("current={current}"),
            Query::ReservationCharges { days } => format!("days={days}"),
            Query::ReservationDetails { days } => format!("days={days}"),
            Query::ReservationSummaries { grain, days } => {
                format!("grain={};days={days}", grain.as_str())
            }
            Query::Recommendations {
                scope,
                look_back,
                today,
            } => format!(
                "scope={scope:?};lookBack={};today={today}",
                look_back.days()
            ),
        }
    }
}

/// A call of the asynchronous report's operations. Unlike a [`Query`], its answer is not a
/// function of the data alone (it moves with the clock and is signed), so `crate::report_api`
/// answers it, without ETags.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// Queue a report (`usagedetails/submit`).
    Submit {
        /// The days asked for (period or range), before the cut at today.
        requested: Days,
        /// What the file's title line names (and whether a billing period was asked for).
        title: CsvTitle,
        /// The day of the request: the last day the report can hold.
        today: NaiveDate,
    },
    /// The state of a queued report (`usagedetails/reports/{reportId}`); the id is checked by
    /// `crate::report_api`, which holds the keys.
    Poll {
        /// The id as the path gave it.
        report_id: String,
    },
}

/// A request the mock will answer: with data ([`Query`], the default) or about a report
/// ([`Report`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved<Q = Query> {
    /// Operation id from the spec.
    pub operation: &'static str,
    /// Enrollment number, one the server serves.
    pub enrollment: String,
    /// What to send.
    pub query: Q,
}

/// What [`resolve`] found a request to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// A data operation.
    Data(Resolved),
    /// One of the asynchronous report's operations.
    Report(Resolved<Report>),
}

impl Resolved {
    /// The request's identity for ETags: operation, enrollment and normalised query.
    pub fn identity(&self) -> String {
        format!(
            "{}|{}|{}",
            self.operation,
            self.enrollment,
            self.query.key()
        )
    }
}

/// Checks `op` and describes its answer, or says (for a 400) what is wrong.
///
/// `today` fixes the current billing period and the last day with data;
/// `known_enrollment` tells which enrollment numbers this server serves (`served` lists
/// them for the error message).
pub fn resolve(
    op: &Operation,
    today: NaiveDate,
    known_enrollment: impl Fn(&str) -> bool,
    served: &[String],
) -> Result<Resolution, String> {
    // The report's operations return from inside the match: still one exhaustive match.
    let report = |enrollment: &str, report: Result<Report, String>| {
        check_enrollment(enrollment, &known_enrollment, served)?;
        Ok(Resolution::Report(Resolved {
            operation: op.id(),
            enrollment: enrollment.to_owned(),
            query: report?,
        }))
    };
    let current = BillingPeriod::containing(today);
    let period = |s: &str| validate::parse_billing_period(s, today);
    let (enrollment, query): (&str, Result<Query, String>) = match op {
        Operation::BalanceSummaryV3GetByCurrentBillingPeriod { enrollment_number } => {
            (enrollment_number, Ok(balance_summary(current, today)))
        }
        Operation::BalanceSummaryV3GetByBillingPeriod {
            enrollment_number,
            billing_period,
        } => (
            enrollment_number,
            period(billing_period).map(|p| balance_summary(p, today)),
        ),
        Operation::UsageDetailsV3GetByCustomDate {
            enrollment_number,
            start_time,
            end_time,
        } => (
            enrollment_number,
            range(
                ("startTime", *start_time),
                ("endTime", *end_time),
                MAX_JSON_RANGE_MONTHS,
            )
            .map(|r| usage_page(r, today)),
        ),
        Operation::UsageDetailsV3GetByCurrentBillingPeriod { enrollment_number } => (
            enrollment_number,
            Ok(usage_page(Days::of_period(current), today)),
        ),
        Operation::UsageDetailsV3GetByBillingPeriod {
            enrollment_number,
            billing_period,
        } => (
            enrollment_number,
            period(billing_period).map(|p| usage_page(Days::of_period(p), today)),
        ),
        Operation::UsageDetailsDownloadV3Get {
            enrollment_number,
            billing_period,
            start_time,
            end_time,
        } => (
            enrollment_number,
            selection(
                billing_period.as_deref(),
                *start_time,
                *end_time,
                today,
                MAX_CSV_RANGE_MONTHS,
            )
            .map(|(days, title)| Query::UsageCsv {
                days: days.until(today),
                title,
            }),
        ),
        Operation::UsageDetailsSubmitV3Post {
            enrollment_number,
            billing_period,
            start_time,
            end_time,
        } => {
            let submit = selection(
                billing_period.as_deref(),
                *start_time,
                *end_time,
                today,
                MAX_JSON_RANGE_MONTHS,
            )
            .map(|(requested, title)| Report::Submit {
                requested,
                title,
                today,
            });
            return report(enrollment_number, submit);
        }
        Operation::UsageDetailsReportV3Get {
            enrollment_number,
            report_id,
        } => {
            let poll = Report::Poll {
                report_id: report_id.clone(),
            };
            return report(enrollment_number, Ok(poll));
        }
        Operation::MarketplacesV3GetMarketplacesByCustomDate {
            enrollment_number,
            start_time,
            end_time,
        } => (
            enrollment_number,
            range(
                ("startTime", *start_time),
                ("endTime", *end_time),
                MAX_JSON_RANGE_MONTHS,
            )
            .map(|r| marketplace(r, today)),
        ),
        Operation::MarketplacesV3GetMarketplaces { enrollment_number } => (
            enrollment_number,
            Ok(marketplace(Days::of_period(current), today)),
        ),
        Operation::MarketplacesV3GetMarketplacesByBillingPeriod {
            enrollment_number,
            billing_period,
        } => (
            enrollment_number,
            period(billing_period).map(|p| marketplace(Days::of_period(p), today)),
        ),
        Operation::PriceSheetsV3Get { enrollment_number } => {
            (enrollment_number, Ok(Query::PriceSheet { period: current }))
        }
        Operation::PriceSheetsV3GetByBillingPeriod {
            enrollment_number,
            billing_period,
        } => (
            enrollment_number,
            period(billing_period).map(|period| Query::PriceSheet { period }),
        ),
        Operation::BillingPeriodsV2Get { enrollment_number } => {
            (enrollment_number, Ok(Query::BillingPeriods { current }))
        }
        Operation::ReservedInstancesV3Get {
            enrollment_number,
            start_date,
            end_date,
        } => (
            enrollment_number,
            range(
                ("startDate", *start_date),
                ("endDate", *end_date),
                MAX_JSON_RANGE_MONTHS,
            )
            .map(|r| Query::ReservationCharges {
                days: r.until(today),
            }),
        ),
        Operation::ReservedInstancesV2GetReservationDetails {
            enrollment_number,
            start_date,
            end_date,
        } => (
            enrollment_number,
            range(
                ("startDate", *start_date),
                ("endDate", *end_date),
                MAX_JSON_RANGE_MONTHS,
            )
            .map(|r| Query::ReservationDetails {
                days: r.until(today),
            }),
        ),
        Operation::ReservedInstancesV2GetReservationSummaries {
            enrollment_number,
            grain,
            start_date,
            end_date,
        } => (
            enrollment_number,
            summaries(grain, *start_date, *end_date, today),
        ),
        Operation::ReservationRecommendationsV2GetShared {
            enrollment_number,
            look_back_period,
        } => (
            enrollment_number,
            recommendations(Scope::Shared, look_back_period.as_ref(), today),
        ),
        Operation::ReservationRecommendationsV2GetSingle {
            enrollment_number,
            look_back_period,
        } => (
            enrollment_number,
            recommendations(Scope::Single, look_back_period.as_ref(), today),
        ),
    };
    check_enrollment(enrollment, &known_enrollment, served)?;
    Ok(Resolution::Data(Resolved {
        operation: op.id(),
        enrollment: enrollment.to_owned(),
        query: query?,
    }))
}

/// An unknown enrollment is the more basic mistake, so it is reported before any parameter.
fn check_enrollment(
    enrollment: &str,
    known_enrollment: impl Fn(&str) -> bool,
    served: &[String],
) -> Result<(), String> {
    if known_enrollment(enrollment) {
        return Ok(());
    }
    Err(format!(
        "invalid EA number '{}': this server serves enrollment {}",
        shorten(enrollment),
        served.join(", ")
    ))
}

fn balance_summary(period: BillingPeriod, today: NaiveDate) -> Query {
    Query::BalanceSummary {
        period,
        days: Days::of_period(period).until(today),
    }
}

fn usage_page(requested: Days, today: NaiveDate) -> Query {
    Query::UsagePage {
        requested,
        days: requested.until(today),
    }
}

fn marketplace(days: Days, today: NaiveDate) -> Query {
    Query::Marketplace {
        days: days.until(today),
    }
}

type Named = (&'static str, chrono::DateTime<chrono::Utc>);

/// A custom range: both days from 2014-05-01, end not before start, at most
/// `max_months` calendar months.
fn range(
    (start_name, start): Named,
    (end_name, end): Named,
    max_months: u32,
) -> Result<Days, String> {
    let first = validate::check_date(start_name, start)?;
    let last = validate::check_date(end_name, end)?;
    validate::check_range(start_name, first, end_name, last, max_months)?;
    Ok(Days::new(first, last))
}

/// What the title line of a CSV download names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTitle {
    /// The billing period asked for.
    Period(BillingPeriod),
    /// The date range asked for (before it is cut at today).
    Range(Days),
}

/// The CSV download and the report submit take exactly one of `billingPeriod` or `startTime` +
/// `endTime`; a range may span `max_months` (1 for the download, 36 for the report).
fn selection(
    billing_period: Option<&str>,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
    today: NaiveDate,
    max_months: u32,
) -> Result<(Days, CsvTitle), String> {
    match (billing_period, start, end) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err("give either billingPeriod or startTime and endTime, not both".to_owned())
        }
        (Some(p), None, None) => validate::parse_billing_period(p, today)
            .map(|period| (Days::of_period(period), CsvTitle::Period(period))),
        (None, Some(s), Some(e)) => range(("startTime", s), ("endTime", e), max_months)
            .map(|days| (days, CsvTitle::Range(days))),
        (None, Some(_), None) => Err("endTime is required with startTime".to_owned()),
        (None, None, Some(_)) => Err("startTime is required with endTime".to_owned()),
        (None, None, None) => {
            Err("billingPeriod, or startTime and endTime, is required".to_owned())
        }
    }
}

fn summaries(
    grain: &models::Grain,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
    today: NaiveDate,
) -> Result<Query, String> {
    let grain = validate::known_grain(grain)?;
    let days = match (start, end) {
        (Some(s), Some(e)) => range(("startDate", s), ("endDate", e), MAX_JSON_RANGE_MONTHS)?,
        (None, None) if grain == Grain::Monthly => {
            let first = BillingPeriod::containing(today)
                .start()
                .checked_sub_months(Months::new(DEFAULT_MONTHLY_SUMMARY_MONTHS - 1))
                .expect("date in range")
                .max(validate::FIRST_DATA_DAY);
            Days::new(first, today)
        }
        (None, None) => return Err("startDate and endDate are required for the daily grain".into()),
        (Some(_), None) => return Err("endDate is required with startDate".into()),
        (None, Some(_)) => return Err("startDate is required with endDate".into()),
    };
    Ok(Query::ReservationSummaries {
        grain,
        days: days.until(today),
    })
}

fn recommendations(
    scope: Scope,
    look_back: Option<&models::LookBackPeriod>,
    today: NaiveDate,
) -> Result<Query, String> {
    let look_back = match look_back {
        None => LookBackPeriod::Last7Days,
        Some(value) => validate::known_look_back_period(value)?,
    };
    Ok(Query::Recommendations {
        scope,
        look_back,
        today,
    })
}

/// At most 40 characters of a user value, for error messages.
fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;
    use chrono::{TimeZone, Utc};

    fn at(y: i32, m: u32, day: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, 0, 0, 0).unwrap()
    }

    const TODAY: fn() -> NaiveDate = || d(2018, 6, 15);

    fn resolution(op: Operation) -> Result<Resolution, String> {
        resolve(&op, TODAY(), |e| e == "100", &["100".to_owned()])
    }

    fn run(op: Operation) -> Result<Resolved, String> {
        match resolution(op)? {
            Resolution::Data(r) => Ok(r),
            Resolution::Report(r) => panic!("a report operation: {r:?}"),
        }
    }

    fn run_report(op: Operation) -> Result<Resolved<Report>, String> {
        match resolution(op)? {
            Resolution::Report(r) => Ok(r),
            Resolution::Data(r) => panic!("a data operation: {r:?}"),
        }
    }

    fn e() -> String {
        "100".to_owned()
    }

    #[test]
    fn days_arithmetic() {
        let days = Days::new(d(2018, 2, 27), d(2018, 3, 2));
        assert_eq!(days.count(), 4);
        assert_eq!(days.nth(2), d(2018, 3, 1));
        assert_eq!(days.iter().last(), Some(d(2018, 3, 2)));
        assert!(days.contains(d(2018, 2, 28)) && !days.contains(d(2018, 3, 3)));
        assert_eq!(days.until(d(2018, 2, 27)).count(), 1);
        assert_eq!(days.until(d(2018, 2, 1)).count(), 0);
        assert_eq!(days.to_string(), "2018-02-27..2018-03-02");
    }

    #[test]
    fn current_period_is_clipped_to_today() {
        let r = run(Operation::UsageDetailsV3GetByCurrentBillingPeriod {
            enrollment_number: e(),
        })
        .unwrap();
        assert_eq!(r.operation, "UsageDetailsV3_GetByCurrentBillingPeriod");
        assert_eq!(
            r.query,
            Query::UsagePage {
                requested: Days::new(d(2018, 6, 1), d(2018, 6, 30)),
                days: Days::new(d(2018, 6, 1), d(2018, 6, 15)),
            }
        );
    }

    #[test]
    fn billing_period_errors_name_the_parameter() {
        for (p, why) in [
            ("2018-05", "yyyyMM"),
            ("201404", "before 201405"),
            ("201807", "future"),
        ] {
            let err = run(Operation::BalanceSummaryV3GetByBillingPeriod {
                enrollment_number: e(),
                billing_period: p.into(),
            })
            .unwrap_err();
            assert!(
                err.contains("billingPeriod") && err.contains(why),
                "{p}: {err}"
            );
        }
    }

    #[test]
    fn unknown_enrollment_is_reported_first() {
        let err = run(Operation::BalanceSummaryV3GetByBillingPeriod {
            enrollment_number: "999".into(),
            billing_period: "bad".into(),
        })
        .unwrap_err();
        assert!(err.starts_with("invalid EA number '999'"), "{err}");
    }

    #[test]
    fn custom_ranges() {
        let usage = |s, e_| {
            run(Operation::UsageDetailsV3GetByCustomDate {
                enrollment_number: e(),
                start_time: s,
                end_time: e_,
            })
        };
        assert!(usage(at(2015, 1, 1), at(2017, 12, 31)).is_ok());
        let err = usage(at(2015, 1, 1), at(2018, 1, 1)).unwrap_err();
        assert!(err.contains("at most 36"), "{err}");
        let err = usage(at(2017, 2, 1), at(2017, 1, 1)).unwrap_err();
        assert!(
            err.contains("endTime 2017-01-01 is before startTime"),
            "{err}"
        );
        let err = usage(at(2014, 4, 1), at(2014, 5, 1)).unwrap_err();
        assert!(err.starts_with("startTime 2014-04-01"), "{err}");
        // A range reaching into the future is served up to today.
        let r = usage(at(2018, 6, 1), at(2018, 7, 31)).unwrap();
        assert_eq!(
            r.query,
            Query::UsagePage {
                requested: Days::new(d(2018, 6, 1), d(2018, 7, 31)),
                days: Days::new(d(2018, 6, 1), d(2018, 6, 15)),
            }
        );
    }

    #[test]
    fn csv_takes_exactly_one_selection() {
        let csv = |bp: Option<&str>, s, e_| {
            run(Operation::UsageDetailsDownloadV3Get {
                enrollment_number: e(),
                billing_period: bp.map(Into::into),
                start_time: s,
                end_time: e_,
            })
        };
        let ok = csv(Some("201805"), None, None).unwrap();
        assert_eq!(
            ok.query,
            Query::UsageCsv {
                days: Days::new(d(2018, 5, 1), d(2018, 5, 31)),
                title: CsvTitle::Period(BillingPeriod {
                    year: 2018,
                    month: 5
                }),
            }
        );
        assert!(csv(None, Some(at(2018, 5, 1)), Some(at(2018, 5, 31))).is_ok());
        let cases = [
            (csv(Some("201805"), Some(at(2018, 5, 1)), None), "not both"),
            (csv(None, None, None), "is required"),
            (csv(None, Some(at(2018, 5, 1)), None), "endTime is required"),
            (
                csv(None, None, Some(at(2018, 5, 1))),
                "startTime is required",
            ),
            (
                csv(None, Some(at(2018, 4, 30)), Some(at(2018, 5, 1))),
                "at most 1 calendar month",
            ),
            (csv(Some("2018"), None, None), "billingPeriod"),
        ];
        for (result, want) in cases {
            let err = result.unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn report_submit_takes_one_selection_of_up_to_36_months() {
        let submit = |bp: Option<&str>, s, e_| {
            run_report(Operation::UsageDetailsSubmitV3Post {
                enrollment_number: e(),
                billing_period: bp.map(Into::into),
                start_time: s,
                end_time: e_,
            })
        };
        let ok = submit(None, Some(at(2015, 7, 1)), Some(at(2018, 6, 30))).unwrap();
        assert_eq!(ok.operation, "UsageDetailsSubmitV3_Post");
        assert_eq!(
            ok.query,
            Report::Submit {
                requested: Days::new(d(2015, 7, 1), d(2018, 6, 30)),
                title: CsvTitle::Range(Days::new(d(2015, 7, 1), d(2018, 6, 30))),
                today: TODAY(),
            }
        );
        let period = submit(Some("201805"), None, None).unwrap();
        assert!(matches!(
            period.query,
            Report::Submit {
                title: CsvTitle::Period(_),
                ..
            }
        ));
        for (result, want) in [
            (
                submit(None, Some(at(2015, 6, 30)), Some(at(2018, 6, 1))),
                "at most 36",
            ),
            (
                submit(Some("201805"), Some(at(2018, 5, 1)), None),
                "not both",
            ),
            (submit(None, None, None), "is required"),
            (submit(Some("201807"), None, None), "future"),
        ] {
            let err = result.unwrap_err();
            assert!(err.contains(want), "{err}");
        }
        let poll = run_report(Operation::UsageDetailsReportV3Get {
            enrollment_number: "100".into(),
            report_id: "x".into(),
        })
        .unwrap();
        assert_eq!(
            poll.query,
            Report::Poll {
                report_id: "x".into()
            }
        );
        let unknown = run_report(Operation::UsageDetailsReportV3Get {
            enrollment_number: "999".into(),
            report_id: "x".into(),
        })
        .unwrap_err();
        assert!(unknown.starts_with("invalid EA number"), "{unknown}");
    }

    #[test]
    fn summaries_grain_and_dates() {
        let sum = |grain, s, e_| {
            run(Operation::ReservedInstancesV2GetReservationSummaries {
                enrollment_number: e(),
                grain,
                start_date: s,
                end_date: e_,
            })
        };
        let monthly = sum(models::Grain::Monthly, None, None).unwrap();
        assert_eq!(
            monthly.query,
            Query::ReservationSummaries {
                grain: Grain::Monthly,
                days: Days::new(d(2017, 7, 1), d(2018, 6, 15)),
            }
        );
        let err = sum(models::Grain::Daily, None, None).unwrap_err();
        assert!(err.contains("required for the daily grain"), "{err}");
        let err = sum(models::Grain::Unknown("weekly".into()), None, None).unwrap_err();
        assert!(err.contains("grain 'weekly'"), "{err}");
        let err = sum(models::Grain::Monthly, Some(at(2018, 1, 1)), None).unwrap_err();
        assert!(err.contains("endDate is required"), "{err}");
    }

    #[test]
    fn recommendations_default_to_seven_days() {
        let r = run(Operation::ReservationRecommendationsV2GetShared {
            enrollment_number: e(),
            look_back_period: None,
        })
        .unwrap();
        assert_eq!(
            r.query,
            Query::Recommendations {
                scope: Scope::Shared,
                look_back: LookBackPeriod::Last7Days,
                today: TODAY(),
            }
        );
        let err = run(Operation::ReservationRecommendationsV2GetSingle {
            enrollment_number: e(),
            look_back_period: Some(models::LookBackPeriod::Unknown("14".into())),
        })
        .unwrap_err();
        assert!(err.starts_with("lookBackPeriod '14'"), "{err}");
    }

    #[test]
    fn identity_separates_operations_and_parameters() {
        let a = run(Operation::PriceSheetsV3Get {
            enrollment_number: e(),
        })
        .unwrap();
        let b = run(Operation::PriceSheetsV3GetByBillingPeriod {
            enrollment_number: e(),
            billing_period: "201806".into(),
        })
        .unwrap();
        let c = run(Operation::PriceSheetsV3GetByBillingPeriod {
            enrollment_number: e(),
            billing_period: "201805".into(),
        })
        .unwrap();
        assert_eq!(a.query, b.query);
        assert_ne!(a.identity(), b.identity());
        assert_ne!(b.identity(), c.identity());
    }
}
