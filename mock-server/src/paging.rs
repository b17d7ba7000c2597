//! Usage-detail pages and their `nextLink`s.
//!
//! A page is addressed by the offset of its first row in the (day, index-in-day) order,
//! so the server keeps no paging state. The offset travels in an opaque `$skiptoken`
//! query parameter: 16 hex digits of offset and 16 of a keyed checksum over the seed,
//! the request's scope and the offset, so a tampered or foreign token is refused.
//! The generated request matcher ignores query parameters it does not know, so the
//! `nextLink` is simply the request URL plus the token.

use crate::stable_hash::StableHasher;
use ea_reporting::runtime::server::QueryParams;

/// Query parameter that carries the page token.
pub const SKIPTOKEN: &str = "$skiptoken";

/// The token for the page starting at `offset` of the rows selected by `scope`.
pub fn encode_token(secret: u64, scope: &str, offset: u64) -> String {
    format!("{offset:016x}{:016x}", mac(secret, scope, offset))
}

/// The offset in `token`, if this server issued it for `scope`.
pub fn decode_token(secret: u64, scope: &str, token: &str) -> Result<u64, String> {
    let invalid = || {
        format!(
            "{SKIPTOKEN} is not valid for this request (tampered, truncated or from another query)"
        )
    };
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let offset = u64::from_str_radix(&token[..16], 16).map_err(|_| invalid())?;
    let sum = u64::from_str_radix(&token[16..], 16).map_err(|_| invalid())?;
    if sum != mac(secret, scope, offset) {
        return Err(invalid());
    }
    Ok(offset)
}

fn mac(secret: u64, scope: &str, offset: u64) -> u64 {
    StableHasher::new()
        .str("skiptoken")
        .u64(secret)
        .str(scope)
        .u64(offset)
        .finish()
}

/// The `$skiptoken` of a raw query string (name matched ignoring case and
/// percent-encoding, like every other parameter); an error if it is given twice.
pub fn skiptoken(query: Option<&str>) -> Result<Option<String>, String> {
    let mut found = None;
    for (name, value) in QueryParams::parse(query).iter() {
        if name.eq_ignore_ascii_case(SKIPTOKEN) {
            if found.is_some() {
                return Err(format!("{SKIPTOKEN} must be given at most once"));
            }
            found = Some(value.to_owned());
        }
    }
    Ok(found)
}

/// The URL of the next page: `origin` + `path` + the request's query with its
/// `$skiptoken` replaced by `token`. Other parameters keep their original encoding.
pub fn next_link(origin: &str, path: &str, query: Option<&str>, token: &str) -> String {
    let mut link = format!("{origin}{path}?");
    for raw in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let is_token = QueryParams::parse(Some(raw))
            .iter()
            .next()
            .is_some_and(|(name, _)| name.eq_ignore_ascii_case(SKIPTOKEN));
        if is_token {
            continue;
        }
        link.push_str(raw);
        link.push('&');
    }
    link.push_str(SKIPTOKEN);
    link.push('=');
    link.push_str(token);
    link
}

/// The rows `[start, end)` of the page beginning at `offset`, and whether more follow.
pub fn page_bounds(offset: u64, page_size: u64, total: u64) -> (u64, u64, bool) {
    let end = offset.saturating_add(page_size).min(total);
    (offset, end, end < total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_bind_to_scope_and_secret() {
        let t = encode_token(42, "scope-a", 2000);
        assert_eq!(t.len(), 32);
        assert_eq!(decode_token(42, "scope-a", &t), Ok(2000));
        assert!(decode_token(43, "scope-a", &t).is_err(), "other seed");
        assert!(decode_token(42, "scope-b", &t).is_err(), "other query");
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let t = encode_token(1, "s", 1000);
        let forged = format!("{:016x}{}", 2000, &t[16..]);
        assert!(decode_token(1, "s", &forged).is_err());
        for bad in [
            "",
            "xyz",
            &t[..31],
            &format!("{t}0"),
            &t.replace(&t[..1], "g"),
        ] {
            let err = decode_token(1, "s", bad).unwrap_err();
            assert!(err.starts_with(SKIPTOKEN), "{err}");
        }
    }

    #[test]
    fn token_is_pinned() {
        // nextLinks handed out before a restart must keep working after it.
        assert_eq!(
            encode_token(42, "x", 1000),
            "00000000000003e8".to_owned() + &format!("{:016x}", mac(42, "x", 1000))
        );
        assert_eq!(mac(0, "", 0), {
            StableHasher::new()
                .str("skiptoken")
                .u64(0)
                .str("")
                .u64(0)
                .finish()
        });
    }

    #[test]
    fn reads_the_skiptoken_parameter() {
        assert_eq!(skiptoken(None), Ok(None));
        assert_eq!(skiptoken(Some("a=1")), Ok(None));
        assert_eq!(skiptoken(Some("a=1&$skiptoken=ab")), Ok(Some("ab".into())));
        assert_eq!(skiptoken(Some("%24SkipToken=ab")), Ok(Some("ab".into())));
        assert!(skiptoken(Some("$skiptoken=a&$skiptoken=b")).is_err());
    }

    #[test]
    fn next_link_replaces_the_token_and_keeps_other_parameters() {
        assert_eq!(
            next_link("http://h:1", "/v3/x", None, "T"),
            "http://h:1/v3/x?$skiptoken=T"
        );
        assert_eq!(
            next_link(
                "http://h:1",
                "/v3/x",
                Some("startTime=2018-01-01T00%3A00%3A00Z&$skiptoken=OLD&endTime=2018-01-02"),
                "NEW"
            ),
            "http://h:1/v3/x?startTime=2018-01-01T00%3A00%3A00Z&endTime=2018-01-02&$skiptoken=NEW"
        );
        assert_eq!(
            next_link("https://p/prefix", "/v3/x", Some("%24skiptoken=OLD"), "N"),
            "https://p/prefix/v3/x?$skiptoken=N"
        );
    }

    #[test]
    fn page_bounds_cover_every_row_once() {
        assert_eq!(page_bounds(0, 1000, 2480), (0, 1000, true));
        assert_eq!(page_bounds(2000, 1000, 2480), (2000, 2480, false));
        assert_eq!(page_bounds(0, 1000, 1000), (0, 1000, false));
        assert_eq!(page_bounds(0, 1000, 0), (0, 0, false));
    }
}
