//! ETags and `If-None-Match` (RFC 9110 §8.8.3, §13.1.2).
//!
//! A response body is a pure function of (seed, data version, request identity), so its
//! ETag is a hash of those three — no body is buffered to hash it. When the header is
//! unclear the answer is "no match": a needless 200 is always correct, a wrong 304
//! hides data from the client.

use axum::body::Body;
use axum::response::Response;
use ea_reporting::ETag;
use http::header::{ETAG, IF_NONE_MATCH};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::stable_hash::StableHasher;

/// A strong ETag header value `"<16 lowercase hex>"` for a response.
///
/// `identity` must describe everything the body depends on besides seed and data version
/// (method, path, enrollment, normalized query, page). FNV-1a 64 keeps it stable across
/// machines and Rust versions.
pub fn compute_etag(seed: u64, data_version: u64, identity: &str) -> String {
    let h = StableHasher::new()
        .u64(seed)
        .u64(data_version)
        .str(identity)
        .finish();
    format!("\"{h:016x}\"")
}

/// What to do with a request given its conditional headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// Send the full response.
    Proceed,
    /// GET/HEAD whose representation the client already has: 304.
    NotModified,
    /// Any other method with a matching `If-None-Match`: 412 (RFC 9110 §13.1.2).
    Failed,
}

/// Evaluates `If-None-Match` for a request whose response would carry `etag`.
/// Lines that are not visible ASCII count as malformed.
pub fn evaluate(method: &Method, headers: &HeaderMap, etag: &str) -> Precondition {
    if !headers.contains_key(IF_NONE_MATCH) {
        return Precondition::Proceed;
    }
    let matched = ETag::parse(etag).is_ok_and(|ours| ours.matched_by(headers));
    if !matched {
        Precondition::Proceed
    } else if method == Method::GET || method == Method::HEAD {
        Precondition::NotModified
    } else {
        Precondition::Failed
    }
}

/// A bodiless 304 that still carries the ETag the 200 would have had (RFC 9110 §15.4.5).
pub fn not_modified(etag: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether any `If-None-Match` line matches `etag` under weak comparison: the runtime's rule
    /// ([`ETag::matched_by_if_none_match`]), the one the generated clients use too. A malformed
    /// `etag` matches nothing.
    fn if_none_match_matches(header_values: &[&str], etag: &str) -> bool {
        ETag::parse(etag)
            .is_ok_and(|ours| ours.matched_by_if_none_match(header_values.iter().copied()))
    }

    const TAG: &str = "\"v1-abc\"";

    fn m(lines: &[&str]) -> bool {
        if_none_match_matches(lines, TAG)
    }

    #[test]
    fn etag_is_strong_quoted_16_hex() {
        let e = compute_etag(42, 1, "GET /v3/enrollments/100/usagedetails");
        assert_eq!(e.len(), 18);
        assert!(e.starts_with('"') && e.ends_with('"'));
        assert!(
            e[1..17]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(HeaderValue::from_str(&e).is_ok());
    }

    #[test]
    fn etag_is_pinned_across_machines_and_versions() {
        // Values computed independently (Python FNV-1a 64 over the same byte encoding:
        // seed LE, version LE, identity length LE, identity). If they change, every
        // ETag a client stored becomes stale.
        assert_eq!(compute_etag(0, 0, ""), "\"81d23fd7003c2305\"");
        assert_eq!(compute_etag(42, 1, "x"), "\"f730377bbc8733b5\"");
    }

    #[test]
    fn etag_changes_with_each_input() {
        let base = compute_etag(42, 1, "a");
        assert_ne!(base, compute_etag(43, 1, "a"));
        assert_ne!(base, compute_etag(42, 2, "a"));
        assert_ne!(base, compute_etag(42, 1, "b"));
    }

    // The table in design/crates.md §5.
    #[test]
    fn crates_md_table() {
        assert!(!m(&[]), "no header → 200");
        assert!(m(&["\"v1-abc\""]), "same tag → 304");
        assert!(m(&["W/\"v1-abc\""]), "weak form of the tag → 304");
        assert!(!m(&["\"other\""]), "other tag → 200");
        assert!(!m(&["\"other\", *"]), "malformed list with * → 200");
    }

    #[test]
    fn star_matches_any_tag_only_when_alone() {
        assert!(m(&["*"]));
        assert!(m(&[" * "]));
        assert!(if_none_match_matches(&["*"], "W/\"whatever\""));
        assert!(!m(&["*, \"x\""]));
        assert!(
            !m(&["*", "\"x\""]),
            "star plus another line is not a lone star"
        );
        assert!(!m(&["**"]));
    }

    #[test]
    fn lists_within_and_across_lines() {
        assert!(m(&["\"a\", \"v1-abc\""]));
        assert!(m(&["\"a\",\"b\",W/\"v1-abc\""]));
        assert!(m(&["\"a\"", "\"v1-abc\""]));
        assert!(m(&["\"a\", \"b\"", "\"c\", \"v1-abc\""]));
        assert!(!m(&["\"a\", \"b\"", "\"c\""]));
        assert!(
            m(&[" ,, \"v1-abc\" ,\t"]),
            "empty members and OWS are skipped"
        );
    }

    #[test]
    fn weak_comparison_both_ways() {
        assert!(if_none_match_matches(&["\"x\""], "W/\"x\""));
        assert!(if_none_match_matches(&["W/\"x\""], "W/\"x\""));
        assert!(if_none_match_matches(&["W/\"x\""], "\"x\""));
        assert!(!if_none_match_matches(&["W/\"x\""], "\"y\""));
    }

    #[test]
    fn comparison_is_case_and_byte_exact() {
        assert!(!if_none_match_matches(&["\"ABC\""], "\"abc\""));
        assert!(!if_none_match_matches(&["\"abc \""], "\"abc\""));
        assert!(!m(&["v1-abc"]), "unquoted is malformed");
        assert!(!m(&["w/\"v1-abc\""]), "W/ is case-sensitive");
    }

    #[test]
    fn malformed_members_are_ignored_not_fatal() {
        assert!(m(&["garbage, \"v1-abc\""]));
        assert!(m(&["\"v1-abc\", W/", "abc\"def"]));
        assert!(!m(&["garbage"]));
        assert!(!m(&["\"v1-abc"]), "unterminated quote");
        assert!(!m(&["\"v1-\"abc\""]), "quote inside the tag");
        assert!(!m(&["\"v1-abc\" junk"]), "trailing junk in the member");
        assert!(!m(&[""]));
        assert!(!m(&[" , "]));
    }

    #[test]
    fn comma_inside_quotes_is_part_of_the_tag() {
        assert!(if_none_match_matches(&["\"a,b\""], "\"a,b\""));
        assert!(if_none_match_matches(&["\"x\", \"a,b\""], "\"a,b\""));
        assert!(!if_none_match_matches(&["\"a,b\""], "\"a\""));
    }

    #[test]
    fn empty_tag_is_valid() {
        assert!(if_none_match_matches(&["\"\""], "\"\""));
        assert!(!if_none_match_matches(&["\"\""], "\"x\""));
    }

    #[test]
    fn malformed_own_etag_never_matches() {
        assert!(!if_none_match_matches(&["*"], "no-quotes"));
        assert!(!if_none_match_matches(&["no-quotes"], "no-quotes"));
    }

    #[test]
    fn computed_etags_round_trip() {
        let e = compute_etag(1, 2, "id");
        assert!(if_none_match_matches(&[&e], &e));
        assert!(if_none_match_matches(&[&format!("W/{e}")], &e));
        assert!(!if_none_match_matches(&[&compute_etag(1, 3, "id")], &e));
    }

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IF_NONE_MATCH, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn evaluate_by_method() {
        let h = headers(&["\"a\"", "\"v1-abc\""]);
        assert_eq!(evaluate(&Method::GET, &h, TAG), Precondition::NotModified);
        assert_eq!(evaluate(&Method::HEAD, &h, TAG), Precondition::NotModified);
        assert_eq!(evaluate(&Method::POST, &h, TAG), Precondition::Failed);
        assert_eq!(
            evaluate(&Method::GET, &HeaderMap::new(), TAG),
            Precondition::Proceed
        );
        assert_eq!(
            evaluate(&Method::POST, &HeaderMap::new(), TAG),
            Precondition::Proceed
        );
        assert_eq!(
            evaluate(&Method::GET, &headers(&["\"zzz\""]), TAG),
            Precondition::Proceed
        );
    }

    #[test]
    fn evaluate_treats_non_ascii_lines_as_malformed() {
        let mut h = HeaderMap::new();
        h.append(
            IF_NONE_MATCH,
            HeaderValue::from_bytes(b"\"v1-abc\xff\"").unwrap(),
        );
        assert_eq!(evaluate(&Method::GET, &h, TAG), Precondition::Proceed);
        h.append(IF_NONE_MATCH, HeaderValue::from_static("\"v1-abc\""));
        assert_eq!(evaluate(&Method::GET, &h, TAG), Precondition::NotModified);
    }

    #[test]
    fn not_modified_keeps_the_etag_and_has_no_body() {
        let r = not_modified(TAG);
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[ETAG], TAG);
        assert!(r.headers().get(http::header::CONTENT_TYPE).is_none());
        use axum::body::HttpBody as _;
        assert_eq!(r.body().size_hint().exact(), Some(0));
    }
}
