//! Balance summaries already answered, kept with their ETag.
//!
//! A balance summary is a pure function of (enrollment, operation, billing period, last
//! day with data, data version) and the server's fixed settings, and clients poll it:
//! working out its ETag (the identity text, hashed) and rendering it cost more than the
//! rest of the request. So the first answer is kept, and later ones are a lookup, a
//! clone of two buffers and the `If-None-Match` check.
//!
//! Each worker thread also keeps its own copy of the answers it last gave. On a server
//! answering the same poll from every core, a lookup in the shared map alone wrote to
//! memory all cores share (the read lock's counter, the buffers' reference counts), and
//! that cache line moving between cores cost more than the rest of the lookup; a thread's
//! own copy is read and counted by that thread only.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

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
#[derive(Debug)]
pub struct AnswerMemo {
    /// Tells this memo's answers from another's in a thread's copies (an address could be
    /// reused by a later memo; this number is not).
    id: u64,
    answers: RwLock<HashMap<AnswerKey, Answer>>,
}

impl Default for AnswerMemo {
    fn default() -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        AnswerMemo {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            answers: RwLock::default(),
        }
    }
}

/// A thread's own copies: (memo id, key, answer), newest first.
type Near = Vec<(u64, AnswerKey, Answer)>;

thread_local! {
    static NEAR: RefCell<Near> = const { RefCell::new(Vec::new()) };
}

impl AnswerMemo {
    /// Most answers kept at once.
    pub const CAPACITY: usize = 1024;

    /// Most answers a thread keeps its own copy of (a poller asks for a few periods).
    pub const NEAR_CAPACITY: usize = 8;

    /// The answer for `key`, if kept: this thread's copy, else a copy of the shared one
    /// (made this thread's). An answer is a pure function of its key, so a copy never goes
    /// stale; clearing the shared map leaves it right.
    pub fn get(&self, key: &AnswerKey) -> Option<Answer> {
        NEAR.with(|near| {
            let mut near = near.borrow_mut();
            if let Some(at) = near
                .iter()
                .position(|(id, k, _)| *id == self.id && k == key)
            {
                near[..=at].rotate_right(1);
                return Some(near[0].2.clone());
            }
            let shared = self.shared(key)?;
            let own = Answer {
                etag: HeaderValue::from_bytes(shared.etag.as_bytes())
                    .expect("an ETag copied is still one"),
                body: Bytes::copy_from_slice(&shared.body),
            };
            near.truncate(Self::NEAR_CAPACITY - 1);
            near.insert(0, (self.id, *key, own.clone()));
            Some(own)
        })
    }

    /// The answer for `key` in the shared map.
    fn shared(&self, key: &AnswerKey) -> Option<Answer> {
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

    #[test]
    fn a_threads_copy_is_the_answer_and_stays_bounded() {
        let memo = AnswerMemo::default();
        memo.put(key(1), answer("one"));
        let first = memo.get(&key(1)).unwrap();
        let again = memo.get(&key(1)).unwrap();
        assert_eq!(
            (first.body.clone(), first.etag.clone()),
            (again.body, again.etag)
        );
        assert_eq!(first.body, "one");
        for v in 2..(AnswerMemo::NEAR_CAPACITY as u64 * 3) {
            memo.put(key(v), answer("x"));
            assert_eq!(memo.get(&key(v)).unwrap().body, "x");
        }
        NEAR.with(|near| assert!(near.borrow().len() <= AnswerMemo::NEAR_CAPACITY));
        assert_eq!(
            memo.get(&key(1)).unwrap().body,
            "one",
            "back from the shared map"
        );
    }

    #[test]
    fn another_memo_never_answers_from_this_ones_copies() {
        let (a, b) = (AnswerMemo::default(), AnswerMemo::default());
        a.put(key(1), answer("a"));
        assert_eq!(a.get(&key(1)).unwrap().body, "a");
        assert!(b.get(&key(1)).is_none(), "the same key in another memo");
        b.put(key(1), answer("b"));
        assert_eq!(b.get(&key(1)).unwrap().body, "b");
        assert_eq!(a.get(&key(1)).unwrap().body, "a");
    }
}
