//! What every request handler shares: settings, the universes (built once at start)
//! and the few things that change at run time (data version, fault counter, rate
//! windows, balance totals). Handlers read it without locks, except the per-key rate
//! limiter (only when enabled) and a per-period slot when a balance total is cached.

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::blob::{self, BlobCounters};
use crate::config::{Config, Timestamps};
use crate::faults::{FaultInjector, RateLimiter};
use crate::journal::Journal;
use crate::keys::{self, KeyRing};
use crate::memo::AnswerMemo;
use crate::report::ReportKeys;
use crate::scenarios::Scenarios;
use crate::stable_hash::StableHasher;
use crate::totals::TotalsMemo;
use crate::universe::{self, Universe, UsageSlot};

/// One served enrollment with its generated world.
#[derive(Debug)]
pub struct Enrollment {
    /// The seeded world the data refers to.
    pub universe: Universe,
    /// Usage rows per day (`subscriptions × rows-per-day`).
    pub usage_rows_per_day: u64,
    /// Marketplace rows per day.
    pub marketplace_rows_per_day: u64,
    /// Cached period totals for balance summaries.
    pub totals: TotalsMemo,
    /// Balance summaries already answered.
    pub answers: AnswerMemo,
    /// Its usage slots, made at start (see [`Enrollment::usage_slot`]).
    slots: Vec<UsageSlot>,
}

/// Usage slots an enrollment makes at start and keeps: at about 400 bytes each, at most
/// 26 MiB (and about 1 µs each to make). Beyond it (a huge `--rows-per-day`), slots are made
/// for each row.
pub const MAX_KEPT_SLOTS: u64 = 65_536;

impl Enrollment {
    /// Builds the enrollment's universe; the slow part of start-up.
    pub fn build(config: &Config, number: &str) -> Self {
        let universe = Universe::build(config.seed, number, config.subscriptions);
        let usage_rows_per_day = universe::usage_rows_per_day(&universe, config.rows_per_day);
        let kept = if usage_rows_per_day <= MAX_KEPT_SLOTS {
            usage_rows_per_day
        } else {
            0
        };
        Self {
            slots: (0..kept)
                .map(|i| universe::usage_slot(&universe, i))
                .collect(),
            usage_rows_per_day,
            marketplace_rows_per_day: universe::marketplace_rows_per_day(&universe),
            universe,
            totals: TotalsMemo::new(),
            answers: AnswerMemo::default(),
        }
    }

    /// Usage slot `index_in_day` ([`universe::usage_slot`]): made once and kept, since a
    /// slot is the same every day and a month's pages ask for each one every day (making
    /// its names, ids and tags was a fifth of rendering a page). Made at start, with the
    /// universe.
    pub fn usage_slot(&self, index_in_day: u64) -> Cow<'_, UsageSlot> {
        match usize::try_from(index_in_day)
            .ok()
            .and_then(|i| self.slots.get(i))
        {
            Some(kept) => Cow::Borrowed(kept),
            None => Cow::Owned(universe::usage_slot(&self.universe, index_in_day)),
        }
    }

    /// The enrollment number.
    pub fn number(&self) -> &str {
        &self.universe.enrollment
    }
}

/// The settings of the asynchronous report. Reports themselves are not state: their ids carry
/// them (see `crate::report`).
#[derive(Debug)]
pub struct ReportSettings {
    /// Sign report ids and blob links.
    pub keys: ReportKeys,
    /// `--report-delay-ms`: how long a report takes.
    pub delay: Duration,
    /// `--report-link-ttl-secs`: how long a blob link is valid after `requestedOn`.
    pub link_ttl_secs: u64,
    /// The origin written into `blobPath`: `--blob-public-url`, or the blob listener's.
    pub blob_origin: String,
}

/// Shared state of one server; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// The fields behind [`AppState`].
pub struct Inner {
    /// `--seed`.
    pub seed: u64,
    /// Every configured key's text, in [`KeyRing`] order (a configured `KeyId` indexes this);
    /// for places that must prove a key never reached them.
    pub keys: Vec<String>,
    /// The accepted keys with their names and bindings.
    pub key_ring: KeyRing,
    /// `--admin-key`: the admin API is off without it.
    pub admin_key: Option<String>,
    /// What the mock received (`--journal-size`).
    pub journal: Journal,
    /// Fault rules added at run time.
    pub scenarios: Scenarios,
    /// Served enrollments, in flag order.
    pub enrollments: Vec<Arc<Enrollment>>,
    /// Their numbers, for error messages.
    pub enrollment_numbers: Vec<String>,
    /// Usage rows per page.
    pub page_size: u64,
    /// `--public-url`, if set.
    pub public_url: Option<String>,
    /// Hash of the size settings: bodies depend on them, so ETags and page tokens do.
    pub fingerprint: u64,
    /// Random faults.
    pub faults: FaultInjector,
    /// Per-key limit, if enabled.
    pub rate_limiter: Option<RateLimiter>,
    /// Delay before every API answer.
    pub latency: Duration,
    /// Seconds in the retry headers of forced/injected 429 and 503.
    pub retry_after_secs: u64,
    /// Fixed "today", if set.
    pub fixed_today: Option<NaiveDate>,
    /// How date-times are written.
    pub timestamps: Timestamps,
    /// The asynchronous report's settings.
    pub reports: ReportSettings,
    /// What the blob listener has received (a test proves the key never reaches it).
    pub blob_requests: BlobCounters,
    data_version: AtomicU64,
}

/// Keys are secrets even in a mock (CI logs are often public): only their count shows.
impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("seed", &self.seed)
            .field("keys", &format_args!("[{} redacted]", self.keys.len()))
            .field("key_ring", &self.key_ring)
            .field("admin_key", &self.admin_key.as_ref().map(|_| "[redacted]"))
            .field("journal", &self.journal.capacity())
            .field("enrollments", &self.enrollment_numbers)
            .field("page_size", &self.page_size)
            .field("public_url", &self.public_url)
            .field("data_version", &self.data_version.load(Ordering::Relaxed))
            .field("faults", &self.faults)
            .field("rate_limiter", &self.rate_limiter.is_some())
            .field("latency", &self.latency)
            .field("retry_after_secs", &self.retry_after_secs)
            .field("fixed_today", &self.fixed_today)
            .field("timestamps", &self.timestamps)
            .field("reports", &self.reports)
            .field("blob_requests", &self.blob_requests.snapshot())
            .finish_non_exhaustive()
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state; `config` must be valid (see `Config::validate`). Report links name
    /// the configured blob origin (`--blob-public-url`, or `http://<host>:<blob port>`).
    pub fn new(config: &Config) -> Self {
        Self::with_blob_origin(config, blob::configured_origin(config))
    }

    /// [`Self::new`], with report links naming `blob_origin` (the blob listener actually bound,
    /// e.g. on an ephemeral port).
    pub fn with_blob_origin(config: &Config, blob_origin: String) -> Self {
        let mut numbers: Vec<String> = Vec::new();
        for e in &config.enrollments {
            if !numbers.contains(e) {
                numbers.push(e.clone());
            }
        }
        let enrollments = numbers
            .iter()
            .map(|n| Arc::new(Enrollment::build(config, n)))
            .collect();
        let fingerprint = StableHasher::new()
            .str("sizes")
            .u64(config.subscriptions as u64)
            .u64(config.rows_per_day)
            .u64(config.page_size as u64)
            .str(&format!("{:?}", config.timestamps))
            .finish();
        // `config` is valid, so its keys file was read and parsed once already.
        let specs = config.key_specs().unwrap_or_default();
        let key_ring = KeyRing::new(
            &config.effective_api_keys(),
            &specs,
            config
                .accept_minted_keys
                .then(|| keys::mint_secret(config.seed)),
        );
        AppState(Arc::new(Inner {
            seed: config.seed,
            keys: key_ring.secrets(),
            key_ring,
            admin_key: config.admin_key.clone(),
            journal: Journal::new(config.journal_size),
            scenarios: Scenarios::default(),
            enrollments,
            enrollment_numbers: numbers,
            page_size: config.page_size as u64,
            public_url: config.public_url.clone(),
            fingerprint,
            faults: FaultInjector::new(config.fault_rate, config.seed),
            rate_limiter: config.rate_limit.map(RateLimiter::per_second),
            latency: Duration::from_millis(config.latency_ms),
            retry_after_secs: config.retry_after_secs,
            fixed_today: config.today,
            timestamps: config.timestamps,
            reports: ReportSettings {
                keys: ReportKeys::from_config(config),
                delay: Duration::from_millis(config.report_delay_ms),
                link_ttl_secs: config.report_link_ttl_secs,
                blob_origin,
            },
            blob_requests: BlobCounters::default(),
            data_version: AtomicU64::new(config.data_version),
        }))
    }

    /// The served enrollment with this number.
    pub fn enrollment(&self, number: &str) -> Option<&Arc<Enrollment>> {
        self.enrollments.iter().find(|e| e.number() == number)
    }

    /// Today (UTC), or the `--today` override.
    pub fn today(&self) -> NaiveDate {
        self.fixed_today.unwrap_or_else(|| Utc::now().date_naive())
    }

    /// The current data version.
    pub fn data_version(&self) -> u64 {
        self.data_version.load(Ordering::Relaxed)
    }

    /// Moves to the next data version (like a refresh of the real data); returns it.
    pub fn bump_data_version(&self) -> u64 {
        self.data_version.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Sets the data version.
    pub fn set_data_version(&self, version: u64) {
        self.data_version.store(version, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_one_universe_per_distinct_enrollment() {
        let config = Config {
            enrollments: vec!["100".into(), "200".into(), "100".into()],
            ..Config::default()
        };
        let state = AppState::new(&config);
        assert_eq!(state.enrollment_numbers, ["100", "200"]);
        assert_eq!(state.enrollment("200").unwrap().number(), "200");
        assert!(state.enrollment("300").is_none());
        assert_eq!(state.enrollment("100").unwrap().usage_rows_per_day, 80);
    }

    #[test]
    fn data_version_moves() {
        let state = AppState::new(&Config {
            data_version: 5,
            ..Config::default()
        });
        assert_eq!(state.data_version(), 5);
        assert_eq!(state.bump_data_version(), 6);
        state.set_data_version(1);
        assert_eq!(state.data_version(), 1);
    }

    #[test]
    fn fingerprint_follows_sizes_only() {
        let base = AppState::new(&Config::default()).fingerprint;
        let other_seed = AppState::new(&Config {
            seed: 9,
            ..Config::default()
        });
        assert_eq!(base, other_seed.fingerprint);
        let other_size = AppState::new(&Config {
            page_size: 10,
            ..Config::default()
        });
        assert_ne!(base, other_size.fingerprint);
    }

    #[test]
    fn debug_output_hides_the_keys() {
        let state = AppState::new(&Config {
            api_keys: vec!["top-secret".into()],
            ..Config::default()
        });
        let text = format!("{state:?}");
        assert!(
            !text.contains("top-secret") && text.contains("1 redacted"),
            "{text}"
        );
    }

    #[test]
    fn today_override() {
        let day = NaiveDate::from_ymd_opt(2018, 6, 15).unwrap();
        let state = AppState::new(&Config {
            today: Some(day),
            ..Config::default()
        });
        assert_eq!(state.today(), day);
    }
}
