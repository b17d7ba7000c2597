//! Balance summaries already answered, kept with their ETag.
//!
//! A balance summary is a pure function of (enrollment, operation, billing period, last
//! day with data, data version) and the server's fixed settings, and clients poll it:
//! working out its ETag (the identity text, hashed) and rendering it cost more than the
//! rest of the request. So the first answer is kept, and later ones are a lookup, a
//! clone of two shared buffers and the `If-None-Match` check.

use std::collections::HashMap;
use std::sync::RwLock;

use bytes::Bytes;
use chrono::NaiveDate;
use http::HeaderValue;

use crate::domain::BillingPeriod;

/// What an answer depends on, besides the enrollment (one memo per enrollment) and the
/// server's settings: operation id, billing period, last day with data, data version.
pub type AnswerKey = (&'static str, BillingPeriod, NaiveDate, u64);

/// A `200` answer: its `ETag` and JSON body.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The `ETag` header value.
    pub etag: HeaderValue,
    /// The body.
    pub body: Bytes,
}

/// Answers by key; forgets them all once it holds [`AnswerMemo::CAPACITY`] (every
/// period of three years for both balance operations, over a few data versions and
/// days, fits many times).
#[derive(Debug, Default)]
pub struct AnswerMemo {
    answers: RwLock<HashMap<AnswerKey, Answer>>,
}

impl AnswerMemo {
    /// Most answers kept at once.
    pub const CAPACITY: usize = 1024;

    /// The answer for `key`, if kept.
    pub fn get(&self, key: &AnswerKey) -> Option<Answer> {
        let answers = self.answers.read().unwrap_or_else(|e| e.into_inner());
        answers.get(key).cloned()
    }

    /// Keeps `answer` for `key`.
    pub fn put(&self, key: AnswerKey, answer: Answer) {
        let mut answers = self.answers.write().unwrap_or_else(|e| e.into_inner());
        if answers.len() >= Self::CAPACITY {
            answers.clear();
        }
        answers.insert(key, answer);
    }

    /// Number of answers kept.
    pub fn len(&self) -> usize {
        self.answers.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version: u64) -> AnswerKey {
        (
            "BalanceSummaryV3_GetByBillingPeriod",
            BillingPeriod {
                year: 2018,
                month: 5,
            },
            NaiveDate::from_ymd_opt(2018, 5, 31).unwrap(),
            version,
        )
    }

    fn answer(body: &'static str) -> Answer {
        Answer {
            etag: HeaderValue::from_static("\"0123456789abcdef\""),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn keeps_answers_by_key() {
        let memo = AnswerMemo::default();
        assert!(memo.get(&key(1)).is_none());
        memo.put(key(1), answer("one"));
        assert_eq!(memo.get(&key(1)).unwrap().body, "one");
        assert!(memo.get(&key(2)).is_none(), "another data version");
        memo.put(key(2), answer("two"));
        assert_eq!(memo.len(), 2);
    }

    #[test]
    fn stays_bounded() {
        let memo = AnswerMemo::default();
        for v in 0..(AnswerMemo::CAPACITY as u64 * 3) {
            memo.put(key(v), answer("x"));
            assert!(memo.len() <= AnswerMemo::CAPACITY);
        }
        assert!(!memo.is_empty());
    }
}
