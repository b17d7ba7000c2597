//! Helpers for the generated request matcher used by the mock server: they
//! reproduce how the real ASP.NET service routes (case-insensitive paths,
//! case-insensitive query names) so the mock accepts what the service does.

use std::borrow::Cow;
use std::fmt;

use super::params::ParamValue;

/// Why a request does not match any generated operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    /// No operation has this path (answer 404).
    UnknownPath {
        /// The request path.
        path: String,
    },
    /// The path exists but not for this method (answer 405 with `Allow`).
    MethodNotAllowed {
        /// The request method.
        method: String,
        /// Methods the path supports.
        allowed: Vec<&'static str>,
    },
    /// A required parameter is absent or empty (answer 400).
    MissingParameter {
        /// Parameter name as in the spec.
        name: &'static str,
        /// `path`, `query` or `header`.
        location: &'static str,
    },
    /// A parameter does not parse as its declared type (answer 400).
    InvalidParameter {
        /// Parameter name as in the spec.
        name: &'static str,
        /// `path`, `query` or `header`.
        location: &'static str,
        /// The decoded value received.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::UnknownPath { path } => write!(f, "no operation matches path {path:?}"),
            MatchError::MethodNotAllowed { method, allowed } => {
                write!(
                    f,
                    "method {method} not allowed; allowed: {}",
                    allowed.join(", ")
                )
            }
            MatchError::MissingParameter { name, location } => {
                write!(f, "missing required {location} parameter `{name}`")
            }
            MatchError::InvalidParameter {
                name,
                location,
                value,
                reason,
            } => write!(
                f,
                "invalid {location} parameter `{name}` = {value:?}: {reason}"
            ),
        }
    }
}

impl std::error::Error for MatchError {}

/// A path's segments: on the stack up to sixteen (every route of the consumption specs has
/// fewer), so matching a request allocates nothing for them.
pub type PathSegments<'a> = smallvec::SmallVec<[&'a str; 16]>;

/// Non-empty path segments (leading, doubled and trailing slashes ignored).
pub fn path_segments(path: &str) -> PathSegments<'_> {
    let mut segments = PathSegments::new();
    let mut start = 0;
    for at in memchr::memchr_iter(b'/', path.as_bytes()) {
        if at > start {
            segments.push(&path[start..at]);
        }
        start = at + 1;
    }
    if start < path.len() {
        segments.push(&path[start..]);
    }
    segments
}

/// Compares a request segment with a literal of the route, ignoring ASCII
/// case as the real service does (`billingPeriods` vs `billingperiods`).
pub fn segment_matches(actual: &str, literal: &str) -> bool {
    // Most requests spell the route as the spec does: one comparison of bytes settles them.
    actual == literal || actual.eq_ignore_ascii_case(literal)
}

/// Percent-decodes a path segment (`+` stays `+`); invalid UTF-8 is an error.
pub fn decode_segment(s: &str) -> Result<String, String> {
    decoded_segment(s).map(Cow::into_owned)
}

/// [`decode_segment`], borrowing `s` when it holds no escape (most segments).
fn decoded_segment(s: &str) -> Result<Cow<'_, str>, String> {
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return Ok(Cow::Borrowed(s));
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_err(|e| format!("path segment {s:?} is not valid UTF-8 once decoded: {e}"))
}

/// Decoded query parameters in request order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Parses `application/x-www-form-urlencoded` text (`+` is a space);
    /// `None` or an empty string give no parameters.
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .filter(|(name, _)| !name.is_empty())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        QueryParams { pairs }
    }

    /// The first value whose name matches ignoring ASCII case, like ASP.NET
    /// binding (`startdate` binds `startDate`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All pairs in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether no parameter was given.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// A required parameter: absent or empty is [`MatchError::MissingParameter`]
/// (ASP.NET binds an empty value as null), unparsable is `InvalidParameter`.
pub fn required<T: ParamValue>(
    name: &'static str,
    location: &'static str,
    raw: Option<&str>,
) -> Result<T, MatchError> {
    optional(name, location, raw)?.ok_or(MatchError::MissingParameter { name, location })
}

/// A path parameter from its raw (still percent-encoded) segment: decoded,
/// then parsed; either failure is [`MatchError::InvalidParameter`].
pub fn path_param<T: ParamValue>(name: &'static str, raw_segment: &str) -> Result<T, MatchError> {
    let invalid = |value: &str, reason: String| MatchError::InvalidParameter {
        name,
        location: "path",
        value: value.to_owned(),
        reason,
    };
    let decoded = decoded_segment(raw_segment).map_err(|reason| invalid(raw_segment, reason))?;
    T::parse_param(&decoded).map_err(|reason| invalid(&decoded, reason))
}

/// A path parameter declared `x-ms-skip-url-encoding` (an ARM scope), from the raw segments it
/// spans: each decoded, joined with `/`, then parsed.
pub fn path_param_span<T: ParamValue>(
    name: &'static str,
    raw_segments: &[&str],
) -> Result<T, MatchError> {
    let mut decoded = Vec::with_capacity(raw_segments.len());
    for raw in raw_segments {
        decoded.push(
            decode_segment(raw).map_err(|reason| MatchError::InvalidParameter {
                name,
                location: "path",
                value: (*raw).to_owned(),
                reason,
            })?,
        );
    }
    let joined = decoded.join("/");
    T::parse_param(&joined).map_err(|reason| MatchError::InvalidParameter {
        name,
        location: "path",
        value: joined.clone(),
        reason,
    })
}

/// An optional parameter: absent or empty is `Ok(None)`.
pub fn optional<T: ParamValue>(
    name: &'static str,
    location: &'static str,
    raw: Option<&str>,
) -> Result<Option<T>, MatchError> {
    match raw {
        None => Ok(None),
        Some("") => Ok(None),
        Some(v) => T::parse_param(v)
            .map(Some)
            .map_err(|reason| MatchError::InvalidParameter {
                name,
                location,
                value: v.to_owned(),
                reason,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    #[test]
    fn segments() {
        let cases: &[(&str, &[&str])] = &[
            (
                "/v3/enrollments/100/usagedetails",
                &["v3", "enrollments", "100", "usagedetails"],
            ),
            (
                "/v3/enrollments/100/usagedetails/",
                &["v3", "enrollments", "100", "usagedetails"],
            ),
            ("v2//billingperiods", &["v2", "billingperiods"]),
            ("/", &[]),
            ("", &[]),
            ("//a///b//", &["a", "b"]),
            ("/caf%C3%A9/é/x", &["caf%C3%A9", "é", "x"]),
        ];
        for (path, expected) in cases {
            assert_eq!(path_segments(path).as_slice(), *expected, "{path}");
        }
    }

    #[test]
    fn literal_matching_ignores_ascii_case_only() {
        assert!(segment_matches("billingPeriods", "billingperiods"));
        assert!(segment_matches("USAGEDETAILS", "usagedetails"));
        assert!(!segment_matches("usagedetail", "usagedetails"));
        assert!(!segment_matches("straße", "STRASSE"));
    }

    #[test]
    fn a_span_of_segments_is_one_value() {
        let v: String =
            path_param_span("scope", &["subscriptions", "a%20b", "resourceGroups"]).unwrap();
        assert_eq!(v, "subscriptions/a b/resourceGroups");
        assert!(path_param_span::<String>("scope", &["%FF"]).is_err());
    }

    #[test]
    fn decoding_segments() {
        assert_eq!(decode_segment("100").unwrap(), "100");
        assert_eq!(decode_segment("a%20b%2Fc+d").unwrap(), "a b/c+d");
        assert_eq!(decode_segment("%C3%A9").unwrap(), "é");
        assert!(decode_segment("%FF").unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn query_parsing() {
        let q = QueryParams::parse(Some(
            "startdate=2017-01-01&endDate=2017-01-31&grain=daily&grain=monthly&note=a+b%2Bc&flag",
        ));
        assert_eq!(q.get("startDate"), Some("2017-01-01"));
        assert_eq!(q.get("ENDDATE"), Some("2017-01-31"));
        assert_eq!(q.get("grain"), Some("daily"));
        assert_eq!(q.get("note"), Some("a b+c"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.get("missing"), None);
        assert_eq!(q.iter().count(), 6);
        assert!(QueryParams::parse(None).is_empty());
        assert!(QueryParams::parse(Some("")).is_empty());
        assert!(QueryParams::parse(Some("&&=x")).is_empty());
    }

    #[test]
    fn required_and_optional() {
        assert_eq!(
            required::<i64>("enrollmentNumber", "path", Some("100")),
            Ok(100)
        );
        assert_eq!(
            required::<i64>("enrollmentNumber", "path", None),
            Err(MatchError::MissingParameter {
                name: "enrollmentNumber",
                location: "path"
            })
        );
        assert!(matches!(
            required::<String>("billingPeriod", "path", Some("")),
            Err(MatchError::MissingParameter { .. })
        ));
        let err = required::<DateTime<Utc>>("startTime", "query", Some("soon")).unwrap_err();
        let MatchError::InvalidParameter {
            name,
            value,
            reason,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((*name, value.as_str()), ("startTime", "soon"));
        assert!(reason.contains("invalid date-time"));
        assert!(
            err.to_string()
                .starts_with("invalid query parameter `startTime` = \"soon\"")
        );

        assert_eq!(optional::<bool>("flag", "query", None), Ok(None));
        assert_eq!(optional::<bool>("flag", "query", Some("")), Ok(None));
        assert_eq!(
            optional::<bool>("flag", "query", Some("True")),
            Ok(Some(true))
        );
        assert_eq!(
            optional::<DateTime<Utc>>("endTime", "query", Some("2017-01-10")),
            Ok(Some(Utc.with_ymd_and_hms(2017, 1, 10, 0, 0, 0).unwrap()))
        );
    }

    #[test]
    fn path_params_are_decoded_then_parsed() {
        assert_eq!(path_param::<i64>("enrollmentNumber", "100"), Ok(100));
        assert_eq!(path_param::<String>("name", "a%20b"), Ok("a b".to_owned()));
        let cases = [
            ("12x", "12x", "not a valid i64"),
            ("%31%32x", "12x", "not a valid i64"),
            ("%FF", "%FF", "UTF-8"),
        ];
        for (raw, value, reason) in cases {
            match path_param::<i64>("enrollmentNumber", raw) {
                Err(MatchError::InvalidParameter {
                    name,
                    location,
                    value: v,
                    reason: r,
                }) => {
                    assert_eq!(
                        (name, location, v.as_str()),
                        ("enrollmentNumber", "path", value)
                    );
                    assert!(r.contains(reason), "{r}");
                }
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn display_messages() {
        let cases = [
            (
                MatchError::UnknownPath { path: "/x".into() },
                "no operation matches path \"/x\"",
            ),
            (
                MatchError::MethodNotAllowed {
                    method: "POST".into(),
                    allowed: vec!["GET", "HEAD"],
                },
                "method POST not allowed; allowed: GET, HEAD",
            ),
            (
                MatchError::MissingParameter {
                    name: "billingPeriod",
                    location: "path",
                },
                "missing required path parameter `billingPeriod`",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
    }
}
