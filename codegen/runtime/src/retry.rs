//! Retry policy: the service throttles (429) and has maintenance windows
//! (503), so every request is retried with backoff or the server's hint.

use std::time::{Duration, SystemTime};

use chrono::DateTime;
use http::{HeaderMap, StatusCode};

/// How often and how long to wait before re-sending a failed request.
///
/// All fields are public so callers can tune one value with struct update
/// syntax: `RetryPolicy { max_retries: 5, ..RetryPolicy::default() }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// Backoff before the first retry when the server gave no hint.
    pub initial_backoff: Duration,
    /// Upper bound of the exponential backoff.
    pub max_backoff: Duration,
    /// A server retry hint longer than this makes the client give up at once
    /// and report the hint instead of blocking the caller.
    pub max_retry_after: Duration,
    /// Randomise backoffs so many clients do not retry in lockstep.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 retries, 500 ms doubling up to 30 s, server hints up to 120 s, jitter.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries, for callers doing their own retrying.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Delay before retry number `retry` (0-based), or `None` to give up.
    ///
    /// Gives up when `retry >= max_retries` or when the server's hint exceeds
    /// `max_retry_after`. A server hint is used as-is; otherwise the backoff
    /// is `initial_backoff * 2^retry` capped at `max_backoff`, and with jitter
    /// half of it is fixed and half scaled by `jitter_sample` (in `0..=1`).
    /// Pure, so the schedule can be tested without a clock or RNG.
    pub fn delay(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        jitter_sample: f64,
    ) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        if let Some(hint) = retry_after {
            return (hint <= self.max_retry_after).then_some(hint);
        }
        let factor = 2u32.saturating_pow(retry);
        let backoff = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        if !self.jitter {
            return Some(backoff);
        }
        let sample = if jitter_sample.is_nan() {
            0.0
        } else {
            jitter_sample.clamp(0.0, 1.0)
        };
        let fixed = backoff / 2;
        Some(fixed + (backoff - fixed).mul_f64(sample))
    }
}

/// Whether a response status is worth retrying: 429, 500, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// The wait a response asks for. One precedence, for the retry loop and for the errors alike:
/// each of `hint_headers` in order (the throttle headers the spec declares on its 429 and 503
/// answers), then `Retry-After` if it is not among them. `Retry-After` is delta-seconds or an
/// HTTP-date (relative to `now`; a past date gives zero); any other header is seconds. A header
/// that is present but unreadable is passed over.
pub fn retry_after_from_headers(
    headers: &HeaderMap,
    hint_headers: &[&str],
    now: SystemTime,
) -> Option<Duration> {
    let standard = http::header::RETRY_AFTER.as_str();
    hint_headers
        .iter()
        .copied()
        .chain(
            (!hint_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(standard)))
            .then_some(standard),
        )
        .find_map(|name| {
            let value = headers.get(name)?.to_str().ok()?.trim();
            if name.eq_ignore_ascii_case(standard) {
                standard_retry_after(value, now)
            } else {
                parse_seconds(value)
            }
        })
}

/// `Retry-After` as delta-seconds or an HTTP-date (a past date gives zero).
fn standard_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Some(d) = parse_seconds(value) {
        return Some(d);
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(at.to_utc());
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Non-negative seconds, integral or fractional.
fn parse_seconds(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if !value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    Duration::try_from_secs_f64(value.parse::<f64>().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn default_and_none() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, 3);
        assert_eq!(p.initial_backoff, MS(500));
        assert_eq!(p.max_backoff, S(30));
        assert_eq!(p.max_retry_after, S(120));
        assert!(p.jitter);
        assert_eq!(RetryPolicy::none().max_retries, 0);
        assert_eq!(RetryPolicy::none().delay(0, None, 0.5), None);
    }

    #[test]
    fn delay_table() {
        let plain = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        let jittery = RetryPolicy::default();
        let long = RetryPolicy {
            max_retries: 100,
            jitter: false,
            ..RetryPolicy::default()
        };
        /// policy, retry, server hint, jitter sample, expected delay.
        type Case<'a> = (
            &'a RetryPolicy,
            u32,
            Option<Duration>,
            f64,
            Option<Duration>,
        );
        let cases: &[Case] = &[
            (&plain, 0, None, 0.0, Some(MS(500))),
            (&plain, 1, None, 0.9, Some(MS(1000))),
            (&plain, 2, None, 0.9, Some(MS(2000))),
            (&plain, 3, None, 0.0, None),
            (&plain, 0, Some(S(7)), 0.0, Some(S(7))),
            (&plain, 0, Some(S(120)), 0.0, Some(S(120))),
            (&plain, 0, Some(S(121)), 0.0, None),
            (&plain, 3, Some(S(1)), 0.0, None),
            (&plain, 0, Some(Duration::ZERO), 0.0, Some(Duration::ZERO)),
            (&long, 6, None, 0.0, Some(S(30))),
            (&long, 40, None, 0.0, Some(S(30))),
            (&long, 99, None, 0.0, Some(S(30))),
            (&long, 100, None, 0.0, None),
            (&jittery, 0, None, 0.0, Some(MS(250))),
            (&jittery, 0, None, 1.0, Some(MS(500))),
            (&jittery, 1, None, 0.5, Some(MS(750))),
            (&jittery, 2, None, 0.25, Some(MS(1250))),
            (&jittery, 0, None, -3.0, Some(MS(250))),
            (&jittery, 0, None, 7.0, Some(MS(500))),
            (&jittery, 0, None, f64::NAN, Some(MS(250))),
            (&jittery, 0, Some(S(4)), 0.0, Some(S(4))),
        ];
        for (i, (policy, retry, hint, sample, expected)) in cases.iter().enumerate() {
            assert_eq!(policy.delay(*retry, *hint, *sample), *expected, "case {i}");
        }
    }

    #[test]
    fn retryable_statuses() {
        for (code, expected) in [
            (429, true),
            (500, true),
            (502, true),
            (503, true),
            (504, true),
            (200, false),
            (304, false),
            (400, false),
            (401, false),
            (404, false),
            (501, false),
            (505, false),
        ] {
            assert_eq!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                expected,
                "{code}"
            );
        }
    }

    /// A throttle header as a spec may declare it.
    const THROTTLE: &str = "x-ms-ratelimit-example-retry-after";

    #[test]
    fn declared_retry_after_is_also_read_as_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + S(1_000_000_000);
        let mut headers = HeaderMap::new();
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Sun, 09 Sep 2001 01:47:40 GMT"),
        );
        assert_eq!(
            retry_after_from_headers(&headers, &["Retry-After"], now),
            Some(S(60))
        );
    }

    #[test]
    fn retry_after_headers_table() {
        // 2001-09-09T01:46:40Z
        let now = SystemTime::UNIX_EPOCH + S(1_000_000_000);
        let ms = THROTTLE;
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<Duration>);
        let cases: &[Case] = &[
            (&[], None),
            (&[("retry-after", "30")], Some(S(30))),
            (&[("retry-after", " 0 ")], Some(Duration::ZERO)),
            (&[("retry-after", "1.5")], Some(MS(1500))),
            (&[("retry-after", "-5")], None),
            (&[("retry-after", "soon")], None),
            (
                &[("retry-after", "Sun, 09 Sep 2001 01:47:40 GMT")],
                Some(S(60)),
            ),
            (
                &[("retry-after", "Sun, 09 Sep 2001 01:00:00 GMT")],
                Some(Duration::ZERO),
            ),
            (&[(ms, "12")], Some(S(12))),
            // The declared header first, then Retry-After; an unreadable one is passed over.
            (&[("retry-after", "5"), (ms, "12")], Some(S(12))),
            (&[("retry-after", "5"), (ms, "garbage")], Some(S(5))),
            (&[("retry-after", "garbage"), (ms, "12")], Some(S(12))),
            (&[(ms, "NaN")], None),
        ];
        for (pairs, expected) in cases {
            let mut headers = HeaderMap::new();
            for (k, v) in *pairs {
                headers.insert(
                    http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                );
            }
            assert_eq!(
                retry_after_from_headers(&headers, &[THROTTLE], now),
                *expected,
                "{pairs:?}"
            );
            // Without declared headers only Retry-After counts.
            let standard_only = pairs.iter().find(|(k, _)| *k == "retry-after");
            if standard_only.is_none() {
                assert_eq!(
                    retry_after_from_headers(&headers, &[], now),
                    None,
                    "{pairs:?}"
                );
            }
        }
    }
}
