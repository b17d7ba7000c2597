//! The asynchronous usage report without shared state: the report id *is* the report.
//!
//! Submit writes everything a later poll or blob download needs into the id (enrollment,
//! requested days, whether they were a billing period, the last day with data at submit time,
//! `requestedOn` in milliseconds, the data version and the outcome) and signs it with an HMAC.
//! So any instance started with the same flags answers a poll of any other's id the same way,
//! a restart loses nothing, and nothing grows with the number of reports. The state of a report
//! is a pure function of its id, the `--report-delay-ms` and the clock ([`status_at`]).
//!
//! The keys are derived from `--report-secret`, or from `--seed` without one: one key signs ids,
//! another the blob links (`crate::sas`), so neither signature can stand in for the other.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::domain::{BillingPeriod, Days};
use crate::resolve::CsvTitle;

type HmacSha256 = Hmac<Sha256>;

/// The `status` values of the report object (api-facts.md 1c).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    /// 1: waiting to start.
    Queued = 1,
    /// 2: being generated.
    InProgress = 2,
    /// 3: done; `blobPath` names the file.
    Completed = 3,
    /// 4: failed.
    Failed = 4,
    /// 5: the range has no usage.
    NoDataFound = 5,
    /// 6: done (another name the service used; the mock answers 3).
    ReadyToDownload = 6,
    /// 7: took too long.
    TimedOut = 7,
}

impl ReportStatus {
    /// The number on the wire.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// Whether the report will not change any more.
    pub const fn is_terminal(self) -> bool {
        !matches!(self, ReportStatus::Queued | ReportStatus::InProgress)
    }
}

/// How a report ends, decided at submit time and carried in its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A file with the rows (status 3).
    Completed,
    /// Status 4, asked for with `x-mock-report-outcome: failed`.
    Failed,
    /// Status 7, asked for with `x-mock-report-outcome: timed-out`.
    TimedOut,
    /// Status 5: the days have no usage rows, or `x-mock-report-outcome: no-data`.
    NoDataFound,
}

impl Outcome {
    /// The status a finished report has.
    pub const fn status(self) -> ReportStatus {
        match self {
            Outcome::Completed => ReportStatus::Completed,
            Outcome::Failed => ReportStatus::Failed,
            Outcome::TimedOut => ReportStatus::TimedOut,
            Outcome::NoDataFound => ReportStatus::NoDataFound,
        }
    }

    const fn byte(self) -> u8 {
        match self {
            Outcome::Completed => 0,
            Outcome::Failed => 1,
            Outcome::TimedOut => 2,
            Outcome::NoDataFound => 3,
        }
    }

    const fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Outcome::Completed),
            1 => Some(Outcome::Failed),
            2 => Some(Outcome::TimedOut),
            3 => Some(Outcome::NoDataFound),
            _ => None,
        }
    }
}

/// Everything a report is, as its id carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportId {
    /// The enrollment it was requested for.
    pub enrollment: String,
    /// The days asked for: the billing period's, or the range's (before the cut at today).
    pub requested: Days,
    /// The billing period, when one was asked for.
    pub period: Option<BillingPeriod>,
    /// The last day with data when it was submitted ("today" then): the file holds the days
    /// up to it, so it never changes once written.
    pub through: NaiveDate,
    /// `requestedOn`, in milliseconds since the Unix epoch.
    pub requested_on_ms: i64,
    /// The data version its rows come from.
    pub data_version: u64,
    /// How it ends.
    pub outcome: Outcome,
}

/// Why a text is not a report id of this server; both are a 404 to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not base64, too short, or fields out of range.
    #[error("the report id is malformed")]
    Malformed,
    /// The MAC does not match (another secret or seed, or tampered with).
    #[error("the report id is not signed by this server")]
    BadSignature,
}

const VERSION: u8 = 1;
const MAC_LEN: usize = 16;
/// Version, outcome, kind, three days, requestedOn, data version, enrollment length.
const FIXED_LEN: usize = 1 + 1 + 1 + 4 * 3 + 8 + 8 + 1;
const KIND_RANGE: u8 = 0;
const KIND_PERIOD: u8 = 1;

impl ReportId {
    /// What the CSV's title line names: the period, or the requested range.
    pub fn title(&self) -> CsvTitle {
        match self.period {
            Some(period) => CsvTitle::Period(period),
            None => CsvTitle::Range(self.requested),
        }
    }

    /// The days the file holds: the requested ones up to [`Self::through`].
    pub fn days_with_data(&self) -> Days {
        self.requested.until(self.through)
    }

    /// `requestedOn` as a date-time.
    pub fn requested_on(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.requested_on_ms).unwrap_or_default()
    }

    /// The id's text: URL-safe base64 (no padding) of the fields and a truncated HMAC-SHA256.
    pub fn encode(&self, keys: &ReportKeys) -> String {
        let mut bytes = Vec::with_capacity(FIXED_LEN + self.enrollment.len() + MAC_LEN);
        bytes.push(VERSION);
        bytes.push(self.outcome.byte());
        bytes.push(if self.period.is_some() {
            KIND_PERIOD
        } else {
            KIND_RANGE
        });
        for day in [self.requested.first, self.requested.last, self.through] {
            bytes.extend_from_slice(&day.num_days_from_ce().to_le_bytes());
        }
        bytes.extend_from_slice(&self.requested_on_ms.to_le_bytes());
        bytes.extend_from_slice(&self.data_version.to_le_bytes());
        // Enrollment numbers are validated to 1-20 digits, so the length fits a byte.
        let enrollment = &self.enrollment.as_bytes()[..self.enrollment.len().min(255)];
        bytes.push(enrollment.len() as u8);
        bytes.extend_from_slice(enrollment);
        let tag = keys.id_mac(&bytes);
        bytes.extend_from_slice(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads an id [`Self::encode`] wrote with the same keys.
    pub fn decode(text: &str, keys: &ReportKeys) -> Result<ReportId, IdError> {
        // An id is short; refuse to decode a huge path segment at all.
        if text.len() > 256 {
            return Err(IdError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| IdError::Malformed)?;
        if bytes.len() < FIXED_LEN + MAC_LEN {
            return Err(IdError::Malformed);
        }
        let (payload, tag) = bytes.split_at(bytes.len() - MAC_LEN);
        if !keys.verify_id_mac(payload, tag) {
            return Err(IdError::BadSignature);
        }
        parse(payload).ok_or(IdError::Malformed)
    }
}

/// The fields of a payload whose MAC was checked; `None` if any is out of range.
fn parse(payload: &[u8]) -> Option<ReportId> {
    let mut r = Reader(payload);
    if r.byte()? != VERSION {
        return None;
    }
    let outcome = Outcome::from_byte(r.byte()?)?;
    let kind = r.byte()?;
    let mut day = || NaiveDate::from_num_days_from_ce_opt(i32::from_le_bytes(r.array()?));
    let (first, last, through) = (day()?, day()?, day()?);
    let requested_on_ms = i64::from_le_bytes(r.array()?);
    let data_version = u64::from_le_bytes(r.array()?);
    let len = usize::from(r.byte()?);
    let enrollment = std::str::from_utf8(r.take(len)?).ok()?.to_owned();
    if !r.0.is_empty() || last < first {
        return None;
    }
    let requested = Days::new(first, last);
    let period = match kind {
        KIND_RANGE => None,
        KIND_PERIOD => {
            let period = BillingPeriod::containing(first);
            if requested != Days::of_period(period) {
                return None;
            }
            Some(period)
        }
        _ => return None,
    };
    Some(ReportId {
        enrollment,
        requested,
        period,
        through,
        requested_on_ms,
        data_version,
        outcome,
    })
}

/// Reads fields off the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

/// The two keys of one server: for report ids and for blob links.
#[derive(Clone, PartialEq, Eq)]
pub struct ReportKeys {
    id: [u8; 32],
    sas: [u8; 32],
}

/// Keys stay out of logs and `Debug` output.
impl fmt::Debug for ReportKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReportKeys([redacted])")
    }
}

impl ReportKeys {
    /// The keys of `--report-secret`, or of `--seed` without one.
    pub fn new(seed: u64, secret: Option<&str>) -> Self {
        let master: [u8; 32] = match secret {
            Some(secret) => Sha256::new()
                .chain_update(b"ea-mock-report-secret\0")
                .chain_update(secret.as_bytes())
                .finalize()
                .into(),
            None => Sha256::new()
                .chain_update(b"ea-mock-report-seed\0")
                .chain_update(seed.to_le_bytes())
                .finalize()
                .into(),
        };
        Self {
            id: hmac(&master, &[b"report-id"]),
            sas: hmac(&master, &[b"blob-sas"]),
        }
    }

    /// The keys a server started with `config` uses.
    pub fn from_config(config: &Config) -> Self {
        Self::new(config.seed, config.report_secret.as_deref())
    }

    fn id_mac(&self, payload: &[u8]) -> [u8; 32] {
        hmac(&self.id, &[payload])
    }

    fn verify_id_mac(&self, payload: &[u8], tag: &[u8]) -> bool {
        keyed(&self.id)
            .chain_update(payload)
            .verify_truncated_left(tag)
            .is_ok()
    }

    /// HMAC-SHA256 of `message` with the blob-link key.
    pub(crate) fn sas_mac(&self, message: &[u8]) -> [u8; 32] {
        hmac(&self.sas, &[message])
    }

    /// Whether `tag` is the blob-link MAC of `message`, in constant time.
    pub(crate) fn verify_sas_mac(&self, message: &[u8], tag: &[u8]) -> bool {
        tag.len() == 32
            && keyed(&self.sas)
                .chain_update(message)
                .verify_slice(tag)
                .is_ok()
    }
}

fn keyed(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length")
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Where a report is on its timeline at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Its status.
    pub status: ReportStatus,
    /// Seconds until the status changes (rounded up; 0 only for a submit with no delay); `None`
    /// once terminal.
    pub retry_after_secs: Option<u64>,
}

/// The state of `id` at `now` for a report that takes `delay`: queued for the first third,
/// in progress until `delay` has passed, then its outcome's status. A `now` before
/// `requestedOn` (another instance's clock) counts as the moment of submission.
pub fn status_at(id: &ReportId, delay: Duration, now: DateTime<Utc>) -> Timeline {
    let elapsed = now
        .timestamp_millis()
        .saturating_sub(id.requested_on_ms)
        .max(0);
    timeline(id.outcome, delay, elapsed)
}

/// What submit answers: queued, whatever the delay (a report is never finished at the moment
/// it is asked for), with the wait until the first change after submission: 0 with no delay,
/// so a client polls at once.
pub fn at_submit(delay: Duration) -> Timeline {
    let next = next_change_ms(delay, 0);
    Timeline {
        status: ReportStatus::Queued,
        retry_after_secs: Some(next.map_or(0, seconds_rounded_up)),
    }
}

fn timeline(outcome: Outcome, delay: Duration, elapsed_ms: i64) -> Timeline {
    let (queued_until, done_at) = bounds_ms(delay);
    let status = if elapsed_ms < queued_until {
        ReportStatus::Queued
    } else if elapsed_ms < done_at {
        ReportStatus::InProgress
    } else {
        outcome.status()
    };
    Timeline {
        status,
        retry_after_secs: next_change_ms(delay, elapsed_ms).map(seconds_rounded_up),
    }
}

/// Milliseconds from `elapsed_ms` to the next change of state, if one is still to come.
fn next_change_ms(delay: Duration, elapsed_ms: i64) -> Option<i64> {
    let (queued_until, done_at) = bounds_ms(delay);
    [queued_until, done_at]
        .into_iter()
        .find(|&at| at > elapsed_ms)
        .map(|at| at - elapsed_ms)
}

/// When a report stops being queued and when it is finished, in ms after `requestedOn`.
fn bounds_ms(delay: Duration) -> (i64, i64) {
    let done_at = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    (done_at / 3, done_at)
}

fn seconds_rounded_up(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    fn keys() -> ReportKeys {
        ReportKeys::new(42, None)
    }

    fn range_id() -> ReportId {
        ReportId {
            enrollment: "100".into(),
            requested: Days::new(d(2018, 3, 1), d(2018, 5, 31)),
            period: None,
            through: d(2018, 6, 15),
            requested_on_ms: 1_700_000_000_123,
            data_version: 1,
            outcome: Outcome::Completed,
        }
    }

    fn period_id() -> ReportId {
        let may = BillingPeriod {
            year: 2018,
            month: 5,
        };
        ReportId {
            requested: Days::of_period(may),
            period: Some(may),
            outcome: Outcome::TimedOut,
            data_version: 7,
            ..range_id()
        }
    }

    #[test]
    fn ids_round_trip_and_are_url_safe() {
        for id in [range_id(), period_id()] {
            let text = id.encode(&keys());
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{text}"
            );
            assert_eq!(ReportId::decode(&text, &keys()), Ok(id.clone()));
            assert_eq!(text, id.encode(&keys()), "deterministic");
        }
        assert_eq!(
            period_id().title(),
            CsvTitle::Period(period_id().period.unwrap())
        );
        assert_eq!(range_id().title(), CsvTitle::Range(range_id().requested));
    }

    #[test]
    fn other_keys_and_tampering_are_refused() {
        let text = range_id().encode(&keys());
        for other in [ReportKeys::new(43, None), ReportKeys::new(42, Some("s"))] {
            assert_eq!(ReportId::decode(&text, &other), Err(IdError::BadSignature));
        }
        // The same secret gives the same keys whatever the seed.
        let a = ReportKeys::new(1, Some("shared"));
        assert_eq!(a, ReportKeys::new(2, Some("shared")));
        let mut bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            let tampered = URL_SAFE_NO_PAD.encode(&bytes);
            assert!(ReportId::decode(&tampered, &keys()).is_err(), "byte {i}");
            bytes[i] ^= 1;
        }
        for junk in ["", "x", "!!!!", &"A".repeat(300), &text[..text.len() - 2]] {
            assert!(ReportId::decode(junk, &keys()).is_err(), "{junk}");
        }
    }

    #[test]
    fn a_signed_payload_with_fields_out_of_range_is_malformed() {
        let sign = |payload: &[u8]| {
            let mut bytes = payload.to_vec();
            bytes.extend_from_slice(&keys().id_mac(payload)[..MAC_LEN]);
            URL_SAFE_NO_PAD.encode(bytes)
        };
        let good = URL_SAFE_NO_PAD.decode(range_id().encode(&keys())).unwrap();
        let payload = &good[..good.len() - MAC_LEN];
        let mut bad_version = payload.to_vec();
        bad_version[0] = 9;
        let mut bad_outcome = payload.to_vec();
        bad_outcome[1] = 9;
        // A "period" whose days are not a whole month.
        let mut bad_period = payload.to_vec();
        bad_period[2] = KIND_PERIOD;
        let mut trailing = payload.to_vec();
        trailing.push(0);
        for payload in [bad_version, bad_outcome, bad_period, trailing] {
            assert_eq!(
                ReportId::decode(&sign(&payload), &keys()),
                Err(IdError::Malformed)
            );
        }
    }

    #[test]
    fn the_days_with_data_stop_at_the_day_of_submission() {
        let id = ReportId {
            requested: Days::new(d(2018, 6, 1), d(2018, 8, 31)),
            ..range_id()
        };
        assert_eq!(
            id.days_with_data(),
            Days::new(d(2018, 6, 1), d(2018, 6, 15))
        );
        assert_eq!(
            id.requested_on().to_rfc3339(),
            "2023-11-14T22:13:20.123+00:00"
        );
    }

    #[test]
    fn the_timeline_moves_from_queued_through_in_progress_to_the_outcome() {
        let id = range_id();
        let at = |ms: i64| {
            status_at(
                &id,
                Duration::from_millis(3000),
                DateTime::from_timestamp_millis(id.requested_on_ms + ms).unwrap(),
            )
        };
        let queued = |secs| Timeline {
            status: ReportStatus::Queued,
            retry_after_secs: Some(secs),
        };
        let running = |secs| Timeline {
            status: ReportStatus::InProgress,
            retry_after_secs: Some(secs),
        };
        let done = Timeline {
            status: ReportStatus::Completed,
            retry_after_secs: None,
        };
        assert_eq!(at(-5_000), queued(1), "a clock behind counts as submission");
        assert_eq!(at(0), queued(1));
        assert_eq!(at(999), queued(1));
        assert_eq!(at(1000), running(2));
        assert_eq!(at(1001), running(2));
        assert_eq!(at(1999), running(2));
        assert_eq!(at(2000), running(1));
        assert_eq!(at(2999), running(1));
        assert_eq!(at(3000), done);
        assert_eq!(at(86_400_000), done);
        let slow = status_at(&id, Duration::from_secs(600), id.requested_on());
        assert_eq!(slow, queued(200));
    }

    #[test]
    fn outcomes_end_the_timeline_with_their_status() {
        for (outcome, status) in [
            (Outcome::Completed, ReportStatus::Completed),
            (Outcome::Failed, ReportStatus::Failed),
            (Outcome::TimedOut, ReportStatus::TimedOut),
            (Outcome::NoDataFound, ReportStatus::NoDataFound),
        ] {
            let id = ReportId {
                outcome,
                ..range_id()
            };
            let t = status_at(&id, Duration::ZERO, id.requested_on());
            assert_eq!((t.status, t.retry_after_secs), (status, None));
            assert!(status.is_terminal());
        }
        assert_eq!(ReportStatus::TimedOut.code(), 7);
        assert!(!ReportStatus::InProgress.is_terminal());
    }

    #[test]
    fn submit_is_always_queued_and_says_when_to_look_again() {
        let secs = |ms| at_submit(Duration::from_millis(ms));
        assert_eq!(secs(0).status, ReportStatus::Queued);
        assert_eq!(secs(0).retry_after_secs, Some(0), "no delay: poll at once");
        assert_eq!(secs(2).retry_after_secs, Some(1));
        assert_eq!(secs(3000).retry_after_secs, Some(1));
        assert_eq!(secs(9000).retry_after_secs, Some(3));
        assert_eq!(
            secs(10_000).retry_after_secs,
            Some(4),
            "3333 ms, rounded up"
        );
    }
}
