//! Fault rules added at run time (`POST /admin/faults`, [`crate::MockServer::add_fault`]):
//! "the next 2 requests for usage details fail with 503", "drop every connection to this path
//! for 30 seconds", "add 2 s to key-3's requests". For tests of retry behaviour in code the
//! test does not control (a scheduled job, another language), where a request header cannot be
//! added and a start-up flag is too coarse.
//!
//! A rule names what it matches (an operation id, a path pattern, a key name; all optional, all
//! must hold), what it does (a status, or dropping the connection, and/or latency), and how long
//! it lives (a number of requests and/or seconds). Rules are checked in the order they were
//! added, after authentication and before the rate limit, forced statuses and random faults;
//! the first live rule that matches acts and is counted. Matching and expiry are pure
//! functions ([`matches()`], [`is_live`]) of the rule, the request's facts and the time passed in.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::MAX_LATENCY_MS;

/// Longest life of a rule, in seconds (a day): a rule outliving its test is a mistake.
pub const MAX_RULE_SECONDS: u64 = 86_400;

/// What a rule answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAction {
    /// This status, with the service's JSON error body (and retry header for 429 and 503).
    Status(u16),
    /// A `200` whose body breaks off: the connection is dropped mid-answer, as with the random
    /// `injected-drop` fault.
    Drop,
}

impl Serialize for FaultAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FaultAction::Status(code) => s.serialize_u16(*code),
            FaultAction::Drop => s.serialize_str("drop"),
        }
    }
}

impl<'de> Deserialize<'de> for FaultAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Status(u16),
            Word(String),
        }
        match Wire::deserialize(d)? {
            Wire::Status(code) => Ok(FaultAction::Status(code)),
            Wire::Word(w) if w.eq_ignore_ascii_case("drop") => Ok(FaultAction::Drop),
            Wire::Word(w) => Err(serde::de::Error::custom(format!(
                "status {w:?} is neither a number nor \"drop\""
            ))),
        }
    }
}

/// A rule, as `POST /admin/faults` takes it (camelCase JSON):
/// `{"operation": "UsageDetailsV3_GetByBillingPeriod", "status": 503, "times": 2}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultRule {
    /// Only requests matched to this operation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Only requests whose path matches: a glob (`*` any characters, `?` one) over the whole
    /// path, or, without wildcards, a prefix of it; ignoring case, as paths are matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only requests with this key (its name: `key-2`, `minted:<Id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The status to answer, or `"drop"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FaultAction>,
    /// Delay before the answer (either way), in milliseconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub latency_ms: u64,
    /// How many requests it acts on; without: until it expires or is cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// For how many seconds after it was added it acts; without: no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FaultRule {
    /// A rule for requests matched to `operation` (an id of the spec).
    pub fn for_operation(operation: impl Into<String>) -> Self {
        Self {
            operation: Some(operation.into()),
            ..Self::default()
        }
    }

    /// A rule for paths matching `pattern` (glob, or prefix without wildcards).
    pub fn for_path(pattern: impl Into<String>) -> Self {
        Self {
            path: Some(pattern.into()),
            ..Self::default()
        }
    }

    /// Answer `status`.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(FaultAction::Status(status));
        self
    }

    /// Drop the connection mid-answer.
    pub fn drop_connection(mut self) -> Self {
        self.status = Some(FaultAction::Drop);
        self
    }

    /// Wait `ms` before answering.
    pub fn latency_ms(mut self, ms: u64) -> Self {
        self.latency_ms = ms;
        self
    }

    /// Act on `n` requests, then expire.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Act for `secs` seconds after being added, then expire.
    pub fn seconds(mut self, secs: u64) -> Self {
        self.seconds = Some(secs);
        self
    }

    /// Act only on requests with the key named `name`.
    pub fn key(mut self, name: impl Into<String>) -> Self {
        self.key = Some(name.into());
        self
    }

    /// Why the rule cannot be added, if it cannot.
    pub fn validate(&self) -> Result<(), InvalidRule> {
        let bad = |m: String| Err(InvalidRule(m));
        match self.status {
            Some(FaultAction::Status(code)) if !(400..=599).contains(&code) => {
                return bad(format!("status {code} is not an error status (400-599)"));
            }
            None if self.latency_ms == 0 => {
                return bad("a rule needs a status (a number or \"drop\") or latencyMs".into());
            }
            _ => {}
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return bad(format!(
                "latencyMs {} is above {MAX_LATENCY_MS}",
                self.latency_ms
            ));
        }
        if self.times == Some(0) {
            return bad("times must be at least 1 (leave it out for no limit)".into());
        }
        if self.seconds.is_some_and(|s| s > MAX_RULE_SECONDS) {
            return bad(format!("seconds is above {MAX_RULE_SECONDS}"));
        }
        if let Some(path) = &self.path
            && !path.starts_with('/')
        {
            return bad(format!("path {path:?} must start with /"));
        }
        for (name, value) in [("operation", &self.operation), ("key", &self.key)] {
            if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
                return bad(format!(
                    "{name} must not be empty (leave it out to match any)"
                ));
            }
        }
        Ok(())
    }
}

/// Why a rule was refused (the message of the `400`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault rule: {0}")]
pub struct InvalidRule(pub String);

/// A rule's number; shown as `rule-N` (in the journal's `fault`, the admin API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u64);

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule-{}", self.0)
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What is known of a request when rules are checked.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts<'a> {
    /// The operation id it matched, if it matched one.
    pub operation: Option<&'a str>,
    /// Its path (no query).
    pub path: &'a str,
    /// The name of its key.
    pub key: Option<&'a str>,
}

/// Whether `rule` is about the request of `facts`.
pub fn matches(rule: &FaultRule, facts: &Facts<'_>) -> bool {
    let operation = rule
        .operation
        .as_deref()
        .is_none_or(|op| facts.operation == Some(op));
    let key = rule.key.as_deref().is_none_or(|k| facts.key == Some(k));
    let path = rule
        .path
        .as_deref()
        .is_none_or(|p| path_matches(p, facts.path));
    operation && key && path
}

/// A glob (`*`, `?`) over the whole path, or a prefix when there are no wildcards; ASCII case
/// ignored.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (pattern.to_ascii_lowercase(), path.to_ascii_lowercase());
    if !pattern.contains(['*', '?']) {
        return path.starts_with(&pattern);
    }
    glob(pattern.as_bytes(), path.as_bytes())
}

/// Iterative glob matching with one backtrack point (linear-ish, no recursion).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Whether a rule with `remaining` uses left (`None`: unlimited) and a window ending at `until`
/// (`None`: none) still acts at `now`.
pub fn is_live(remaining: Option<u64>, until: Option<Instant>, now: Instant) -> bool {
    remaining != Some(0) && until.is_none_or(|end| now < end)
}

/// A rule as listed by `GET /admin/faults`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleStatus {
    /// `rule-N`.
    pub id: RuleId,
    /// The rule as added.
    pub rule: FaultRule,
    /// Uses left, if limited.
    pub remaining: Option<u64>,
    /// Milliseconds left, if limited in time.
    pub remaining_ms: Option<u64>,
    /// Requests it acted on so far.
    pub hits: u64,
}

/// What the first matching live rule does to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Which rule.
    pub rule: RuleId,
    /// Its status or drop, if any.
    pub action: Option<FaultAction>,
    /// Its latency.
    pub latency: Duration,
}

#[derive(Debug)]
struct Live {
    id: RuleId,
    rule: FaultRule,
    remaining: Option<u64>,
    until: Option<Instant>,
    hits: u64,
}

/// The rules of one server.
#[derive(Debug, Default)]
pub struct Scenarios {
    rules: Mutex<Vec<Live>>,
    /// How many rules are kept, read without the lock: the common case is none.
    count: AtomicUsize,
    next_id: AtomicU64,
}

impl Scenarios {
    fn rules(&self) -> std::sync::MutexGuard<'_, Vec<Live>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `rule` at `now` (its time window starts then).
    pub fn add(&self, rule: FaultRule, now: Instant) -> Result<RuleId, InvalidRule> {
        rule.validate()?;
        let id = RuleId(self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let mut rules = self.rules();
        rules.push(Live {
            id,
            remaining: rule.times,
            until: rule.seconds.map(|s| now + Duration::from_secs(s)),
            rule,
            hits: 0,
        });
        self.count.store(rules.len(), Ordering::Relaxed);
        Ok(id)
    }

    /// The rule acting on the request of `facts` at `now`, counted as used; rules that have
    /// expired by then are forgotten.
    pub fn take(&self, facts: &Facts<'_>, now: Instant) -> Option<Hit> {
        if self.count.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut rules = self.rules();
        rules.retain(|r| is_live(r.remaining, r.until, now));
        let hit = rules.iter_mut().find(|r| matches(&r.rule, facts)).map(|r| {
            r.hits += 1;
            r.remaining = r.remaining.map(|n| n - 1);
            Hit {
                rule: r.id,
                action: r.rule.status,
                latency: Duration::from_millis(r.rule.latency_ms),
            }
        });
        rules.retain(|r| is_live(r.remaining, r.until, now));
        self.count.store(rules.len(), Ordering::Relaxed);
        hit
    }

    /// The live rules at `now`, in the order they are checked.
    pub fn list(&self, now: Instant) -> Vec<RuleStatus> {
        self.rules()
            .iter()
            .filter(|r| is_live(r.remaining, r.until, now))
            .map(|r| RuleStatus {
                id: r.id,
                rule: r.rule.clone(),
                remaining: r.remaining,
                remaining_ms: r
                    .until
                    .map(|end| end.saturating_duration_since(now).as_millis() as u64),
                hits: r.hits,
            })
            .collect()
    }

    /// Removes one rule; whether it was there.
    pub fn remove(&self, id: RuleId) -> bool {
        let mut rules = self.rules();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        self.count.store(rules.len(), Ordering::Relaxed);
        rules.len() != before
    }

    /// Removes every rule; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut rules = self.rules();
        let n = rules.len();
        rules.clear();
        self.count.store(0, Ordering::Relaxed);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USAGE: &str = "UsageDetailsV3_GetByBillingPeriod";

    fn facts(operation: Option<&'static str>, path: &'static str) -> Facts<'static> {
        Facts {
            operation,
            path,
            key: Some("key-1"),
        }
    }

    #[test]
    fn rules_parse_from_json() {
        let rule: FaultRule =
            serde_json::from_str(r#"{"operation":"Op","status":503,"times":2}"#).unwrap();
        assert_eq!(rule, FaultRule::for_operation("Op").status(503).times(2));
        let rule: FaultRule =
            serde_json::from_str(r#"{"path":"/v3/*","status":"drop","seconds":5}"#).unwrap();
        assert_eq!(rule.status, Some(FaultAction::Drop));
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            serde_json::json!({"path": "/v3/*", "status": "drop", "seconds": 5})
        );
        for bad in [
            r#"{"status":"teapot"}"#,
            r#"{"status":503,"colour":"red"}"#,
            r#"{"status":-1}"#,
        ] {
            assert!(serde_json::from_str::<FaultRule>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_refuses_rules_that_do_nothing_or_too_much() {
        assert!(
            FaultRule::for_operation("Op")
                .status(503)
                .validate()
                .is_ok()
        );
        assert!(FaultRule::default().latency_ms(5).validate().is_ok());
        for bad in [
            FaultRule::default(),
            FaultRule::default().status(200),
            FaultRule::default().status(503).times(0),
            FaultRule::default().latency_ms(MAX_LATENCY_MS + 1),
            FaultRule::default()
                .status(503)
                .seconds(MAX_RULE_SECONDS + 1),
            FaultRule::for_path("v3/*").status(503),
            FaultRule::for_operation(" ").status(503),
            FaultRule::default().status(503).key(""),
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn matching_needs_every_named_condition() {
        let path = "/v3/enrollments/100/billingPeriods/201805/usagedetails";
        let f = facts(Some(USAGE), path);
        assert!(matches(&FaultRule::default(), &f));
        assert!(matches(&FaultRule::for_operation(USAGE), &f));
        assert!(!matches(&FaultRule::for_operation("Other"), &f));
        assert!(!matches(
            &FaultRule::for_operation(USAGE),
            &facts(None, path)
        ));
        assert!(matches(&FaultRule::for_path("/v3/enrollments/100/"), &f));
        assert!(matches(&FaultRule::for_path("/V3/*/USAGEDETAILS"), &f));
        assert!(!matches(&FaultRule::for_path("/v3/*/marketplace*"), &f));
        assert!(matches(&FaultRule::default().key("key-1"), &f));
        assert!(!matches(&FaultRule::for_operation(USAGE).key("key-2"), &f));
    }

    #[test]
    fn globs() {
        for (pattern, text, want) in [
            ("/a/*", "/a/b/c", true),
            ("/a/*/c", "/a/b/c", true),
            ("/a/?/c", "/a/bb/c", false),
            ("/a/??/c", "/a/bb/c", true),
            ("*usage*", "/v3/usagedetails", true),
            ("/a*b*c", "/aXbYc", true),
            ("/a*b*c", "/aXbY", false),
            ("/a/*", "/b/a", false),
            ("/exact", "/exact/more", true),
            ("/exact", "/exac", false),
        ] {
            assert_eq!(path_matches(pattern, text), want, "{pattern} {text}");
        }
    }

    #[test]
    fn liveness_is_a_count_and_a_window() {
        let t0 = Instant::now();
        assert!(is_live(None, None, t0));
        assert!(is_live(Some(1), None, t0));
        assert!(!is_live(Some(0), None, t0));
        let end = t0 + Duration::from_secs(5);
        assert!(is_live(None, Some(end), t0 + Duration::from_millis(4_999)));
        assert!(!is_live(None, Some(end), end));
        assert!(!is_live(Some(3), Some(end), end + Duration::from_secs(1)));
    }

    #[test]
    fn rules_expire_by_count() {
        let scenarios = Scenarios::default();
        let t0 = Instant::now();
        let id = scenarios
            .add(FaultRule::for_operation(USAGE).status(503).times(2), t0)
            .unwrap();
        let f = facts(Some(USAGE), "/x");
        let hit = scenarios.take(&f, t0).unwrap();
        assert_eq!((hit.rule, hit.action), (id, Some(FaultAction::Status(503))));
        assert_eq!(scenarios.list(t0)[0].remaining, Some(1));
        assert!(scenarios.take(&facts(Some("Other"), "/x"), t0).is_none());
        assert!(scenarios.take(&f, t0).is_some());
        assert!(scenarios.take(&f, t0).is_none(), "used up");
        assert!(scenarios.list(t0).is_empty());
    }

    #[test]
    fn rules_expire_by_time_on_the_clock_passed_in() {
        let scenarios = Scenarios::default();
        let t0 = Instant::now();
        scenarios
            .add(FaultRule::default().status(500).seconds(10), t0)
            .unwrap();
        let f = facts(None, "/x");
        let listed = scenarios.list(t0 + Duration::from_secs(4));
        assert_eq!(listed[0].remaining_ms, Some(6_000));
        assert!(scenarios.take(&f, t0 + Duration::from_secs(9)).is_some());
        assert!(scenarios.take(&f, t0 + Duration::from_secs(10)).is_none());
        assert!(scenarios.list(t0).is_empty(), "forgotten once expired");
    }

    #[test]
    fn the_first_rule_added_wins_and_rules_can_be_removed() {
        let scenarios = Scenarios::default();
        let t0 = Instant::now();
        let a = scenarios
            .add(FaultRule::for_path("/v3/").status(503), t0)
            .unwrap();
        let b = scenarios.add(FaultRule::default().status(500), t0).unwrap();
        assert_eq!(a.to_string(), "rule-1");
        let f = facts(None, "/v3/x");
        assert_eq!(scenarios.take(&f, t0).unwrap().rule, a);
        assert_eq!(scenarios.take(&facts(None, "/v2/x"), t0).unwrap().rule, b);
        assert!(scenarios.remove(a) && !scenarios.remove(a));
        assert_eq!(scenarios.take(&f, t0).unwrap().rule, b);
        assert_eq!(scenarios.clear(), 1);
        assert!(scenarios.take(&f, t0).is_none());
    }
}
