//! Failures on demand, so clients can test their error handling and retries.
//!
//! Three sources: a request header forcing a status, a reproducible random fault rate,
//! and a per-key rate limit. All are pure with respect to their inputs (time is passed
//! in), so they are tested without sleeping.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::HeaderMap;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::auth::KeyId;
use crate::stable_hash::StableHasher;

/// Request header naming the status the mock must answer with.
pub const FORCE_STATUS_HEADER: &str = "x-mock-status";

/// The same name, parsed once (a `&str` name is parsed again on every lookup).
const FORCE_STATUS: http::HeaderName = http::HeaderName::from_static(FORCE_STATUS_HEADER);

/// Prism-style preference header (`Prefer: code=503`); `http` has no constant for it.
const PREFER: http::HeaderName = http::HeaderName::from_static("prefer");

/// Statuses a request may force: the error statuses the API documents.
pub const FORCEABLE_STATUSES: [u16; 6] = [400, 401, 404, 429, 500, 503];

/// An injected failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and the usual error body (and retry header for 429/503).
    Status(u16),
    /// Close the connection without an answer, like a network failure.
    Drop,
}

/// The faults a random pick chooses from, equally likely.
pub const RANDOM_FAULTS: [Fault; 4] = [
    Fault::Status(500),
    Fault::Status(503),
    Fault::Status(429),
    Fault::Drop,
];

/// The status a request forces, from `x-mock-status: 503` or, failing that, a
/// Prism-style `Prefer: code=503` preference (other preferences are ignored).
///
/// `Ok(None)` when neither is present; `Err(message)` (for a 400) when the value is not
/// one of [`FORCEABLE_STATUSES`] or `x-mock-status` is sent more than once.
pub fn forced_status(headers: &HeaderMap) -> Result<Option<u16>, String> {
    // Nearly every request has neither: a look at its few names costs less than the two
    // lookups below, each of which hashes its name.
    if !headers.keys().any(|n| *n == FORCE_STATUS || *n == PREFER) {
        return Ok(None);
    }
    let mut explicit = headers.get_all(&FORCE_STATUS).iter();
    if let Some(value) = explicit.next() {
        if explicit.next().is_some() {
            return Err(format!("{FORCE_STATUS_HEADER} must be sent at most once"));
        }
        let text = value.to_str().unwrap_or("");
        return allowed_status(FORCE_STATUS_HEADER, text.trim()).map(Some);
    }
    for line in headers.get_all(PREFER) {
        let Ok(line) = line.to_str() else { continue };
        for preference in line.split(',') {
            // preference = token [ "=" word ] *( ";" parameter ); only the head matters.
            let head = preference.split(';').next().unwrap_or("");
            let Some((name, value)) = head.split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("code") {
                let value = value.trim().trim_matches('"');
                return allowed_status("Prefer code", value).map(Some);
            }
        }
    }
    Ok(None)
}

fn allowed_status(source: &str, value: &str) -> Result<u16, String> {
    value
        .parse::<u16>()
        .ok()
        .filter(|s| FORCEABLE_STATUSES.contains(s))
        .ok_or_else(|| {
            let shown: String = value.chars().take(20).collect();
            format!("{source} '{shown}' is not supported; use one of 400, 401, 404, 429, 500, 503")
        })
}

/// Injects faults into a share of requests, reproducibly: the n-th request's fate is a
/// pure function of (seed, n), so a failing CI run replays the same way.
#[derive(Debug)]
pub struct FaultInjector {
    rate: f64,
    seed: u64,
    counter: AtomicU64,
}

impl FaultInjector {
    /// `rate` is the probability of a fault per request, clamped to 0.0–1.0 (NaN → 0).
    pub fn new(rate: f64, seed: u64) -> Self {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        Self {
            rate,
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// The fault for the next request, if any; advances the request counter.
    pub fn next_fault(&self) -> Option<Fault> {
        if self.rate <= 0.0 {
            return None;
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.fault_at(n)
    }

    /// The fault of request number `n` (0-based), without touching the counter.
    pub fn fault_at(&self, n: u64) -> Option<Fault> {
        let seed = StableHasher::new()
            .str("fault")
            .u64(self.seed)
            .u64(n)
            .finish();
        let mut rng = StdRng::seed_from_u64(seed);
        // random::<f64>() is in [0, 1): rate 1.0 always faults, rate 0.0 never.
        (rng.random::<f64>() < self.rate)
            .then(|| RANDOM_FAULTS[rng.random_range(0..RANDOM_FAULTS.len())])
    }
}

/// Per-key limit of `limit` requests per fixed window (one second by default).
///
/// A window opens at a key's first request after the previous window ended; requests
/// beyond the limit inside it are refused with the seconds until it ends (at least 1).
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<KeyId, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

impl RateLimiter {
    /// `limit` requests per second per key.
    pub fn per_second(limit: u32) -> Self {
        Self::new(limit, Duration::from_secs(1))
    }

    /// `limit` requests per `window` per key.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request by `key` at `now`: `Ok` if allowed, else `Err(retry_after_secs)`.
    /// Refused requests do not count.
    pub fn check(&self, key: KeyId, now: Instant) -> Result<(), u64> {
        // A panic elsewhere cannot leave a window half-updated, so poisoning is harmless.
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows.entry(key).or_insert(Window {
            start: now,
            count: 0,
        });
        if now.saturating_duration_since(w.start) >= self.window {
            *w = Window {
                start: now,
                count: 0,
            };
        }
        if w.count < self.limit {
            w.count += 1;
            return Ok(());
        }
        let remaining = (w.start + self.window)
            .saturating_duration_since(now)
            .min(self.window);
        let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
        Err(secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;
    use http::HeaderValue;

    #[test]
    fn no_override_is_none() {
        assert_eq!(forced_status(&HeaderMap::new()), Ok(None));
        assert_eq!(
            forced_status(&headers(&[("prefer", "return=minimal")])),
            Ok(None)
        );
    }

    #[test]
    fn x_mock_status_accepts_documented_statuses() {
        for s in FORCEABLE_STATUSES {
            let mut h = HeaderMap::new();
            h.insert(FORCE_STATUS_HEADER, HeaderValue::from(s));
            assert_eq!(forced_status(&h), Ok(Some(s)));
        }
        assert_eq!(
            forced_status(&headers(&[("X-Mock-Status", " 503 ")])),
            Ok(Some(503))
        );
    }

    #[test]
    fn x_mock_status_rejects_others() {
        for bad in ["200", "304", "418", "502", "abc", "", "5030", "-1"] {
            let err = forced_status(&headers(&[("x-mock-status", bad)])).unwrap_err();
            assert!(
                err.contains("x-mock-status") && err.contains("400, 401, 404"),
                "{bad}: {err}"
            );
        }
        let twice = headers(&[("x-mock-status", "500"), ("x-mock-status", "500")]);
        assert!(forced_status(&twice).unwrap_err().contains("at most once"));
    }

    #[test]
    fn prefer_code() {
        assert_eq!(
            forced_status(&headers(&[("prefer", "code=503")])),
            Ok(Some(503))
        );
        assert_eq!(
            forced_status(&headers(&[("Prefer", "Code = 429")])),
            Ok(Some(429))
        );
        assert_eq!(
            forced_status(&headers(&[("prefer", "return=minimal, code=\"404\"; x=1")])),
            Ok(Some(404))
        );
        assert_eq!(
            forced_status(&headers(&[("prefer", "wait=5"), ("prefer", "code=401")])),
            Ok(Some(401))
        );
        assert!(
            forced_status(&headers(&[("prefer", "code=200")]))
                .unwrap_err()
                .contains("Prefer code")
        );
        assert_eq!(
            forced_status(&headers(&[("prefer", "dynamic=true, codex=1")])),
            Ok(None)
        );
    }

    #[test]
    fn x_mock_status_wins_over_prefer() {
        let h = headers(&[("prefer", "code=404"), ("x-mock-status", "500")]);
        assert_eq!(forced_status(&h), Ok(Some(500)));
    }

    #[test]
    fn rate_zero_never_and_one_always() {
        let never = FaultInjector::new(0.0, 1);
        assert!((0..1000).all(|_| never.next_fault().is_none()));
        let always = FaultInjector::new(1.0, 1);
        assert!((0..1000).all(|_| always.next_fault().is_some()));
        assert!((0..100).all(|n| FaultInjector::new(f64::NAN, 1).fault_at(n).is_none()));
        assert!((0..100).all(|n| FaultInjector::new(7.0, 1).fault_at(n).is_some()));
    }

    #[test]
    fn faults_are_reproducible_per_seed() {
        let a = FaultInjector::new(0.5, 42);
        let b = FaultInjector::new(0.5, 42);
        let seq_a: Vec<_> = (0..200).map(|_| a.next_fault()).collect();
        let seq_b: Vec<_> = (0..200).map(|_| b.next_fault()).collect();
        assert_eq!(seq_a, seq_b);
        assert_eq!(seq_a, (0..200).map(|n| a.fault_at(n)).collect::<Vec<_>>());
        let c = FaultInjector::new(0.5, 43);
        assert_ne!(seq_a, (0..200).map(|n| c.fault_at(n)).collect::<Vec<_>>());
    }

    #[test]
    fn fault_rate_and_kinds_are_as_configured() {
        let inj = FaultInjector::new(0.3, 7);
        let faults: Vec<Fault> = (0..10_000).filter_map(|n| inj.fault_at(n)).collect();
        let share = faults.len() as f64 / 10_000.0;
        assert!((0.27..0.33).contains(&share), "{share}");
        for kind in RANDOM_FAULTS {
            let n = faults.iter().filter(|f| **f == kind).count();
            assert!(n > faults.len() / 8, "{kind:?}: {n}");
        }
    }

    #[test]
    fn rate_limiter_fixed_window() {
        let rl = RateLimiter::per_second(2);
        let t0 = Instant::now();
        let k = KeyId(0);
        assert_eq!(rl.check(k, t0), Ok(()));
        assert_eq!(rl.check(k, t0 + Duration::from_millis(100)), Ok(()));
        assert_eq!(rl.check(k, t0 + Duration::from_millis(200)), Err(1));
        assert_eq!(rl.check(k, t0 + Duration::from_millis(999)), Err(1));
        // The window ends exactly one second after it opened.
        assert_eq!(rl.check(k, t0 + Duration::from_millis(1000)), Ok(()));
        assert_eq!(rl.check(k, t0 + Duration::from_millis(1500)), Ok(()));
        assert_eq!(rl.check(k, t0 + Duration::from_millis(1600)), Err(1));
    }

    #[test]
    fn rate_limiter_keys_are_independent() {
        let rl = RateLimiter::per_second(1);
        let t0 = Instant::now();
        assert_eq!(rl.check(KeyId(0), t0), Ok(()));
        assert_eq!(rl.check(KeyId(0), t0), Err(1));
        assert_eq!(rl.check(KeyId(1), t0), Ok(()));
        assert_eq!(rl.check(KeyId(1), t0), Err(1));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let rl = RateLimiter::new(1, Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(rl.check(KeyId(0), t0), Ok(()));
        assert_eq!(rl.check(KeyId(0), t0), Err(10));
        assert_eq!(rl.check(KeyId(0), t0 + Duration::from_millis(500)), Err(10));
        assert_eq!(
            rl.check(KeyId(0), t0 + Duration::from_millis(9_001)),
            Err(1)
        );
    }

    #[test]
    fn earlier_instants_stay_in_the_window() {
        let rl = RateLimiter::per_second(1);
        let t1 = Instant::now() + Duration::from_secs(5);
        assert_eq!(rl.check(KeyId(0), t1), Ok(()));
        assert_eq!(rl.check(KeyId(0), t1 - Duration::from_secs(3)), Err(1));
    }

    #[test]
    fn rate_limiter_is_thread_safe() {
        let rl = std::sync::Arc::new(RateLimiter::per_second(50));
        let t0 = Instant::now();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let rl = rl.clone();
                std::thread::spawn(move || {
                    (0..100).filter(|_| rl.check(KeyId(0), t0).is_ok()).count()
                })
            })
            .collect();
        let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(allowed, 50);
    }
}
