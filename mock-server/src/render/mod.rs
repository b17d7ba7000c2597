//! Response bodies: each `Query` turned into the generated crate's models and
//! serialised in the service's wire format ([`crate::wire`]) straight into the response
//! buffer (or, for the large ones, into one chunk at a time).

mod balance;
mod billing;
pub mod blob;
pub mod csv;
mod marketplace;
mod recommendations;
pub mod report;
mod reservations;
pub mod usage;

use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

pub use balance::balance_summary;
pub use billing::{LISTED_PERIODS, billing_periods, price_sheet};
pub use marketplace::marketplace_charge;

use crate::body::Payload;
use crate::resolve::Query;
use crate::stable_hash::StableHasher;
use crate::state::Enrollment;
use crate::totals::{self, PeriodTotals};
use crate::view::View;
use crate::wire::{self, Timestamps};

/// `offerId` of Enterprise Agreement usage.
pub const EA_OFFER_ID: &str = "MS-AZR-0017P";

/// Content type of JSON bodies.
pub const JSON: &str = "application/json; charset=utf-8";
/// Content type of the CSV download: exactly this, as the service sent it (loaders checked it,
/// wire-format.md C11).
pub const CSV: &str = "application/octet-stream";

/// Where a usage page sits, decided by the handler from the request.
#[derive(Clone, Debug, PartialEq)]
pub struct PagePlan {
    /// Row numbers of the page.
    pub rows: Range<u64>,
    /// The page's `id`.
    pub id: String,
    /// URL of the next page, if any.
    pub next_link: Option<String>,
}

/// A body and its content type.
#[derive(Debug)]
pub struct Rendered {
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub payload: Payload,
}

/// The body answering `query`, with date-times written as `timestamps` says. Usage pages
/// need their `page` (without it: an empty last page); balance summaries may get their
/// `totals` (else they are computed here).
pub fn render(
    e: &Arc<Enrollment>,
    data_seed: u64,
    query: &Query,
    page: Option<PagePlan>,
    totals: Option<PeriodTotals>,
    timestamps: Timestamps,
) -> Rendered {
    render_in(
        e,
        &Arc::new(View::enterprise()),
        data_seed,
        query,
        page,
        totals,
        timestamps,
    )
}

/// [`render`] for a key's view: usage rows, the CSV, marketplace charges and the balance
/// summary's totals are those of the rows it sees; the rest (price sheet, billing periods,
/// reservations, recommendations) is the enrollment's.
pub fn render_in(
    e: &Arc<Enrollment>,
    view: &Arc<View>,
    data_seed: u64,
    query: &Query,
    page: Option<PagePlan>,
    totals: Option<PeriodTotals>,
    timestamps: Timestamps,
) -> Rendered {
    let u = &e.universe;
    let json = |body: Vec<u8>| Rendered {
        content_type: JSON,
        payload: Payload::Bytes(body.into()),
    };
    match query {
        Query::BalanceSummary { period, days } => {
            let totals =
                totals.unwrap_or_else(|| totals::compute_in(e, view, data_seed, *period, *days));
            json(wire::to_vec(
                &balance_summary(u, data_seed, *period, totals),
                timestamps,
                &[],
            ))
        }
        Query::UsagePage { days, .. } => {
            let page = page.unwrap_or_else(|| PagePlan {
                rows: 0..0,
                id: String::new(),
                next_link: None,
            });
            Rendered {
                content_type: JSON,
                payload: usage::usage_page_in(
                    e.clone(),
                    view.clone(),
                    data_seed,
                    *days,
                    page.rows,
                    &page.id,
                    page.next_link.as_deref(),
                    timestamps,
                ),
            }
        }
        Query::UsageCsv { days, title } => Rendered {
            content_type: CSV,
            payload: csv::usage_csv_in(e.clone(), view.clone(), data_seed, *days, *title),
        },
        Query::Marketplace { days } => Rendered {
            content_type: JSON,
            payload: marketplace::marketplace_charges(
                e.clone(),
                view.clone(),
                data_seed,
                *days,
                timestamps,
            ),
        },
        Query::PriceSheet { period } => {
            json(wire::to_vec(&price_sheet(u, *period), timestamps, &[]))
        }
        Query::BillingPeriods { current } => {
            json(wire::to_vec(&billing_periods(e, *current), timestamps, &[]))
        }
        Query::ReservationCharges { days } => json(wire::to_vec(
            &reservations::charges(u, *days),
            timestamps,
            reservations::CHARGE_SCALES,
        )),
        Query::ReservationDetails { days } => json(wire::to_vec(
            &reservations::details(u, data_seed, *days),
            timestamps,
            &[],
        )),
        Query::ReservationSummaries { grain, days } => json(wire::to_vec(
            &reservations::summaries(u, data_seed, *grain, *days),
            timestamps,
            &[],
        )),
        Query::Recommendations {
            scope,
            look_back,
            today,
        } => json(wire::to_vec(
            &recommendations::recommendations(u, data_seed, *scope, *look_back, *today),
            timestamps,
            &[],
        )),
    }
}

/// Midnight UTC of `day`.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// 23:59:59 UTC of `day`, the end the API gives daily records and periods.
pub fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
        .and_utc()
}

/// A version-4-shaped GUID from a hash state: stable, yet looks like the real ones.
pub fn guid(h: StableHasher) -> String {
    let hi = h.str("guid-hi").finish();
    let lo = h.str("guid-lo").finish();
    ea_reporting::runtime::fakers::v4_guid((u128::from(hi) << 64) | u128::from(lo))
}

/// An obsolete numeric id (`productId`, `resourceLocationId`, ...) for a name: stable,
/// in `base..base + span`.
pub fn small_id(kind: &str, name: &str, base: i32, span: u32) -> i32 {
    let h = StableHasher::new().str(kind).str(name).finish();
    base + (h % u64::from(span)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_look_like_v4_and_are_stable() {
        let g = guid(StableHasher::new().u64(1));
        assert_eq!(g, guid(StableHasher::new().u64(1)));
        assert_ne!(g, guid(StableHasher::new().u64(2)));
        let parts: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn small_ids_stay_in_range() {
        for name in ["a", "b", "westus", "Microsoft.Compute"] {
            let id = small_id("k", name, 1000, 9000);
            assert!((1000..10_000).contains(&id));
            assert_eq!(id, small_id("k", name, 1000, 9000));
        }
    }

    #[test]
    fn day_bounds() {
        let day = NaiveDate::from_ymd_opt(2018, 5, 1).unwrap();
        assert_eq!(midnight(day).to_rfc3339(), "2018-05-01T00:00:00+00:00");
        assert_eq!(end_of_day(day).to_rfc3339(), "2018-05-01T23:59:59+00:00");
    }
}
