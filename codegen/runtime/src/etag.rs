//! Entity tags: the service returns an `ETag` on every report and answers a
//! matching `If-None-Match` with 304, which saves re-downloading big data.

use std::fmt;
use std::str::FromStr;

use http::{HeaderMap, HeaderValue};

use super::error::Error;

/// An entity tag exactly as it appears on the wire (`"abc"` or `W/"abc"`),
/// validated so it can always be sent back in `If-None-Match`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// Parses a header value per RFC 9110 (`[W/]"<etagc>*"`).
    pub fn parse(value: &str) -> Result<ETag, Error> {
        let value = value.trim();
        let quoted = value.strip_prefix("W/").unwrap_or(value);
        let opaque = quoted
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .ok_or_else(|| invalid(value, "must be a quoted string, optionally prefixed by W/"))?;
        check_opaque(opaque).map_err(|reason| invalid(value, reason))?;
        Ok(ETag(value.to_owned()))
    }

    /// A strong tag around `opaque`, for servers computing their own tags.
    ///
    /// # Panics
    /// If `opaque` contains `"`, whitespace, control or non-ASCII characters;
    /// use [`ETag::try_new_strong`] for untrusted input.
    pub fn new_strong(opaque: &str) -> ETag {
        match ETag::try_new_strong(opaque) {
            Ok(tag) => tag,
            Err(e) => panic!("{e}"),
        }
    }

    /// Fallible [`ETag::new_strong`].
    pub fn try_new_strong(opaque: &str) -> Result<ETag, Error> {
        check_opaque(opaque).map_err(|reason| invalid(opaque, reason))?;
        Ok(ETag(format!("\"{opaque}\"")))
    }

    /// The tag as sent on the wire, quotes and `W/` included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a weak validator (`W/"..."`).
    pub fn is_weak(&self) -> bool {
        self.0.starts_with("W/")
    }

    /// The opaque part between the quotes.
    pub fn opaque(&self) -> &str {
        let quoted = self.0.strip_prefix("W/").unwrap_or(&self.0);
        &quoted[1..quoted.len() - 1]
    }

    /// Weak comparison (RFC 9110 §8.8.3.2), the one `If-None-Match` uses.
    pub fn weak_eq(&self, other: &ETag) -> bool {
        self.opaque() == other.opaque()
    }

    /// Whether an `If-None-Match` header value matches this current tag, so
    /// a server should answer 304. One line of [`ETag::matched_by_if_none_match`].
    pub fn matches_if_none_match(&self, header_value: &str) -> bool {
        self.matched_by_if_none_match([header_value])
    }

    /// Whether `If-None-Match` matches this current tag (RFC 9110 §13.1.2), so a server should
    /// answer 304 (or 412 for a method other than GET and HEAD). `lines` are every line of the
    /// header, which together form one comma-separated list; commas inside a quoted tag do not
    /// split it. `*` matches any tag, but only as the whole field value. Members are compared
    /// weakly (`W/"x"` equals `"x"`). A malformed member never matches and is passed over: a
    /// needless 200 is always correct, a wrong 304 hides data.
    ///
    /// This is the one copy of the rule: the generated clients and the mock server both use it.
    pub fn matched_by_if_none_match<'a>(&self, lines: impl IntoIterator<Item = &'a str>) -> bool {
        let members: Vec<&str> = lines.into_iter().flat_map(split_list).collect();
        if members == ["*"] {
            return true;
        }
        members
            .iter()
            .filter_map(|member| ETag::parse(member).ok())
            .any(|tag| tag.weak_eq(self))
    }

    /// [`ETag::matched_by_if_none_match`] on the `If-None-Match` lines of a request. A line
    /// that is not visible ASCII (obs-text) is malformed and never matches.
    pub fn matched_by(&self, headers: &HeaderMap) -> bool {
        self.matched_by_if_none_match(
            headers
                .get_all(http::header::IF_NONE_MATCH)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        )
    }

    /// The `ETag` response header, if present and well-formed.
    pub fn from_headers(headers: &HeaderMap) -> Option<ETag> {
        ETag::parse(headers.get(http::header::ETAG)?.to_str().ok()?).ok()
    }

    /// The tag as a header value (always valid, tags are visible ASCII).
    pub fn to_header_value(&self) -> HeaderValue {
        HeaderValue::from_str(&self.0).expect("validated ETag is a valid header value")
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ETag {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ETag::parse(s)
    }
}

/// etagc = %x21 / %x23-7E (obs-text is not accepted: it cannot be a `str`
/// header value portably).
fn check_opaque(opaque: &str) -> Result<(), &'static str> {
    if opaque
        .bytes()
        .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b))
    {
        Ok(())
    } else {
        Err("contains a character not allowed in an entity tag")
    }
}

fn invalid(value: &str, reason: &str) -> Error {
    Error::InvalidArgument {
        name: "etag".to_owned(),
        reason: format!("{value:?} {reason}"),
    }
}

/// Splits one line of an `If-None-Match` list on commas outside quotes; members are trimmed of
/// whitespace and empty ones dropped.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
        .into_iter()
        .map(|p| p.trim_matches([' ', '\t']))
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lines_form_one_list() {
        let tag = ETag::parse("\"b\"").unwrap();
        assert!(tag.matched_by_if_none_match(["\"a\"", " W/\"b\" , \"c\""]));
        assert!(!tag.matched_by_if_none_match(["\"a\"", "\"c\""]));
        // `*` only as the whole field value.
        assert!(tag.matched_by_if_none_match(["*"]));
        assert!(!tag.matched_by_if_none_match(["*", "\"a\""]));
        assert!(!tag.matched_by_if_none_match(["\"a\", *"]));
        // A comma inside the quotes is part of the tag.
        let odd = ETag::parse("\"x,y\"").unwrap();
        assert!(odd.matched_by_if_none_match(["\"q\", \"x,y\""]));
        let mut headers = HeaderMap::new();
        headers.append(
            http::header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\""),
        );
        headers.append(
            http::header::IF_NONE_MATCH,
            HeaderValue::from_bytes(b"\"b\xff\"").unwrap(),
        );
        assert!(!tag.matched_by(&headers), "an obs-text line is malformed");
        headers.append(
            http::header::IF_NONE_MATCH,
            HeaderValue::from_static("W/\"b\""),
        );
        assert!(tag.matched_by(&headers));
    }

    #[test]
    fn parse_table() {
        /// input, then (wire form, weak, opaque) when valid.
        type Case = (&'static str, Option<(&'static str, bool, &'static str)>);
        let cases: &[Case] = &[
            ("\"abc\"", Some(("\"abc\"", false, "abc"))),
            ("W/\"abc\"", Some(("W/\"abc\"", true, "abc"))),
            ("  \"v1-abc\" ", Some(("\"v1-abc\"", false, "v1-abc"))),
            ("\"\"", Some(("\"\"", false, ""))),
            ("abc", None),
            ("\"abc", None),
            ("w/\"abc\"", None),
            ("\"a\"b\"", None),
            ("\"a b\"", None),
            ("\"é\"", None),
            ("", None),
        ];
        for (input, expected) in cases {
            match (ETag::parse(input), expected) {
                (Ok(tag), Some((wire, weak, opaque))) => {
                    assert_eq!(tag.as_str(), *wire);
                    assert_eq!(tag.is_weak(), *weak);
                    assert_eq!(tag.opaque(), *opaque);
                    assert_eq!(tag.to_string(), *wire);
                    assert_eq!(input.parse::<ETag>().unwrap(), tag);
                }
                (Err(Error::InvalidArgument { name, .. }), None) => assert_eq!(name, "etag"),
                (other, _) => panic!("{input:?}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn strong_constructor() {
        assert_eq!(ETag::new_strong("0123abcd").as_str(), "\"0123abcd\"");
        assert!(ETag::try_new_strong("a\"b").is_err());
        assert!(std::panic::catch_unwind(|| ETag::new_strong("a b")).is_err());
    }

    #[test]
    fn header_round_trip() {
        let mut headers = HeaderMap::new();
        assert_eq!(ETag::from_headers(&headers), None);
        headers.insert(http::header::ETAG, HeaderValue::from_static("W/\"x1\""));
        let tag = ETag::from_headers(&headers).unwrap();
        assert_eq!(tag.to_header_value(), "W/\"x1\"");
        headers.insert(http::header::ETAG, HeaderValue::from_static("unquoted"));
        assert_eq!(ETag::from_headers(&headers), None);
    }

    #[test]
    fn if_none_match_table() {
        let current = ETag::new_strong("v1");
        let cases = [
            ("\"v1\"", true),
            ("W/\"v1\"", true),
            ("*", true),
            ("\"v0\", \"v1\"", true),
            ("\"a,b\", W/\"v1\"", true),
            ("\"v2\"", false),
            ("v1", false),
            ("", false),
        ];
        for (header, expected) in cases {
            assert_eq!(current.matches_if_none_match(header), expected, "{header}");
        }
    }
}
