//! Lenient timestamps: the service (ASP.NET) emits offset-less values such
//! as `2018-08-01T00:00:00` that strict RFC 3339 parsers reject, yet the docs
//! say all values are UTC. Generated `date-time` fields use these helpers.

use std::borrow::Cow;
use std::cell::Cell;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// How [`format()`] writes a timestamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// RFC 3339 with `Z`: what strict parsers expect.
    #[default]
    Rfc3339,
    /// The service's offset-less form, `2019-05-01T00:00:00` (a fraction only when set): what
    /// clients of the real service were written against.
    Service,
}

thread_local! {
    /// The style of this thread; serde's `with` functions take no arguments, so a writer that
    /// wants the service's form (the mock) sets it around its serialisation.
    static STYLE: Cell<Style> = const { Cell::new(Style::Rfc3339) };
}

/// Runs `f` with timestamps written in `style` on this thread, restoring the previous style
/// afterwards (also when `f` panics).
pub fn with_style<R>(style: Style, f: impl FnOnce() -> R) -> R {
    struct Restore(Style);
    impl Drop for Restore {
        fn drop(&mut self) {
            STYLE.set(self.0);
        }
    }
    let _restore = Restore(STYLE.replace(style));
    f()
}

/// Parses RFC 3339 (any offset, converted to UTC), an offset-less
/// `yyyy-MM-ddTHH:mm:ss[.f{1,9}]` read as UTC (a space instead of `T` is
/// accepted too), or a bare `yyyy-MM-dd` read as midnight UTC. Spaces after the
/// time's colons (`2019-05-01T00: 00: 00`, seen in real responses) are ignored.
pub fn parse_lenient(s: &str) -> Result<DateTime<Utc>, String> {
    let original = s.trim();
    if let Some(dt) = parse_plain(original.as_bytes()) {
        return Ok(dt);
    }
    let t: Cow<'_, str> = if original.contains(": ") {
        Cow::Owned(original.split(": ").collect::<Vec<_>>().join(":"))
    } else {
        Cow::Borrowed(original)
    };
    let t = t.as_ref();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.to_utc());
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, pattern) {
            return Ok(naive.and_utc());
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let shown: String = original.chars().take(64).collect();
    Err(format!(
        "invalid date-time {shown:?}: expected RFC 3339, yyyy-MM-ddTHH:mm:ss[.fffffff] (UTC) or yyyy-MM-dd"
    ))
}

/// The two forms every service answer has, read without a format string: `yyyy-MM-dd` and
/// `yyyy-MM-ddTHH:mm:ss` (UTC). `None` for anything else (the general parser decides).
fn parse_plain(b: &[u8]) -> Option<DateTime<Utc>> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if !(b.len() == 10 || (b.len() == 19 && b[10] == b'T' && b[13] == b':' && b[16] == b':'))
        || b[4] != b'-'
        || b[7] != b'-'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    let time = if b.len() == 19 {
        chrono::NaiveTime::from_hms_opt(digits(11..13)?, digits(14..16)?, digits(17..19)?)?
    } else {
        chrono::NaiveTime::MIN
    };
    Some(date.and_time(time).and_utc())
}

/// Formats in this thread's [`Style`] (RFC 3339 with `Z` unless [`with_style`] says otherwise),
/// printing fractional seconds only when set.
pub fn format(dt: &DateTime<Utc>) -> String {
    match STYLE.get() {
        Style::Rfc3339 => dt.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        Style::Service => format_service(dt),
    }
}

/// The service's offset-less form: `2019-05-01T00:00:00`, with `.fff` (3, 6 or 9 digits) only
/// when the fraction is not zero.
pub fn format_service(dt: &DateTime<Utc>) -> String {
    let mut out = Vec::with_capacity(29);
    write_service(dt, &mut out);
    String::from_utf8(out).expect("digits and punctuation are ASCII")
}

/// Appends [`format_service`]'s text, digit by digit (a strftime pattern is parsed on every call,
/// and a mock writes one of these per row).
pub fn write_service(dt: &DateTime<Utc>, out: &mut Vec<u8>) {
    use chrono::{Datelike, Timelike};
    let nanos = dt.nanosecond();
    if !(0..=9999).contains(&dt.year()) || nanos >= 1_000_000_000 {
        // Years without four digits and leap seconds: rare enough for chrono's formatter.
        out.extend_from_slice(dt.format("%Y-%m-%dT%H:%M:%S%.f").to_string().as_bytes());
        return;
    }
    write_date(dt.date_naive(), out);
    out.push(b'T');
    push_digits(out, dt.hour(), 2);
    out.push(b':');
    push_digits(out, dt.minute(), 2);
    out.push(b':');
    push_digits(out, dt.second(), 2);
    if nanos != 0 {
        out.push(b'.');
        if nanos.is_multiple_of(1_000_000) {
            push_digits(out, nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            push_digits(out, nanos / 1_000, 6);
        } else {
            push_digits(out, nanos, 9);
        }
    }
}

/// Appends `yyyy-MM-dd`.
pub fn write_date(date: NaiveDate, out: &mut Vec<u8>) {
    use chrono::Datelike;
    if !(0..=9999).contains(&date.year()) {
        out.extend_from_slice(date.format("%Y-%m-%d").to_string().as_bytes());
        return;
    }
    push_digits(out, date.year() as u32, 4);
    out.push(b'-');
    push_digits(out, date.month(), 2);
    out.push(b'-');
    push_digits(out, date.day(), 2);
}

/// `value` in exactly `width` decimal digits, zero-padded (`value` must fit).
fn push_digits(out: &mut Vec<u8>, value: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    let mut v = value;
    for slot in out[start..].iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// `#[serde(with = "crate::runtime::datetime::required")]` for `DateTime<Utc>`.
pub mod required {
    use std::fmt;

    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer, de};

    /// Writes the timestamp via [`super::format`].
    pub fn serialize<S: Serializer>(dt: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format(dt))
    }

    /// Reads a string via [`super::parse_lenient`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        deserializer.deserialize_str(LenientVisitor)
    }

    pub(super) struct LenientVisitor;

    impl de::Visitor<'_> for LenientVisitor {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            super::parse_lenient(v).map_err(E::custom)
        }
    }
}

/// `#[serde(default, skip_serializing_if = "Option::is_none", with =
/// "crate::runtime::datetime::option")]` for `Option<DateTime<Utc>>`:
/// `null` or a missing field become `None`.
pub mod option {
    use std::fmt;

    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer, de};

    /// Writes `Some` via [`super::format`] and `None` as `null`.
    pub fn serialize<S: Serializer>(
        dt: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match dt {
            Some(dt) => serializer.serialize_some(&super::format(dt)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None`, a string via [`super::parse_lenient`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> de::Visitor<'de> for OptionVisitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time string or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(super::required::LenientVisitor).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde::{Deserialize, Serialize};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn accepted_forms() {
        let base = utc(2018, 8, 1, 0, 0, 0);
        let ns = |n: u32| base + chrono::Duration::nanoseconds(i64::from(n));
        let cases: &[(&str, DateTime<Utc>)] = &[
            ("2018-08-01T00:00:00Z", base),
            ("2018-08-01T00:00:00", base),
            ("2018-08-01", base),
            (" 2018-08-01T00:00:00 ", base),
            ("2018-08-01 00:00:00", base),
            ("2018-08-01T02:00:00+02:00", base),
            ("2018-07-31T19:00:00-05:00", base),
            ("2018-08-01T00:00:00.0000000", base),
            ("2018-08-01T00:00:00.1", ns(100_000_000)),
            ("2018-08-01T00:00:00.1290704", ns(129_070_400)),
            ("2018-08-01T00:00:00.1290704Z", ns(129_070_400)),
            ("2018-08-01T00:00:00.123456789", ns(123_456_789)),
            ("2017-04-30T11:59:59Z", utc(2017, 4, 30, 11, 59, 59)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_lenient(input), Ok(*expected), "{input}");
        }
    }

    #[test]
    fn spaces_after_the_time_colons_are_ignored() {
        assert_eq!(
            parse_lenient("2019-05-01T23: 59: 59"),
            Ok(utc(2019, 5, 1, 23, 59, 59))
        );
        let err = parse_lenient("2019-05-01T23: 59: xx").unwrap_err();
        assert!(err.contains("\"2019-05-01T23: 59: xx\""), "{err}");
    }

    #[test]
    fn the_service_form_is_chronos_strftime_form() {
        let base = utc(2019, 5, 1, 23, 59, 59);
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..5000i64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let nanos = match i % 4 {
                0 => 0,
                1 => (seed % 1000) as i64 * 1_000_000,
                2 => (seed % 1_000_000) as i64 * 1_000,
                _ => (seed % 1_000_000_000) as i64,
            };
            let dt = base
                + chrono::Duration::seconds((seed % 4_000_000_000) as i64 - 2_000_000_000)
                + chrono::Duration::nanoseconds(nanos);
            let expected = dt.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string();
            assert_eq!(format_service(&dt), expected);
            assert_eq!(parse_lenient(&expected), Ok(dt));
        }
        let far = Utc.with_ymd_and_hms(12345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(format_service(&far), "+12345-01-02T03:04:05");
    }

    #[test]
    fn the_service_style_is_offset_less_and_scoped() {
        let dt = utc(2019, 5, 1, 23, 59, 59);
        let with_ms = dt + chrono::Duration::milliseconds(250);
        assert_eq!(format_service(&dt), "2019-05-01T23:59:59");
        assert_eq!(format_service(&with_ms), "2019-05-01T23:59:59.250");
        let (inside, nested) = with_style(Style::Service, || {
            let nested = with_style(Style::Rfc3339, || format(&dt));
            (format(&dt), nested)
        });
        assert_eq!(inside, "2019-05-01T23:59:59");
        assert_eq!(nested, "2019-05-01T23:59:59Z");
        assert_eq!(format(&dt), "2019-05-01T23:59:59Z", "restored");
        let caught = std::panic::catch_unwind(|| with_style(Style::Service, || panic!("boom")));
        assert!(caught.is_err());
        assert_eq!(
            format(&dt),
            "2019-05-01T23:59:59Z",
            "restored after a panic"
        );
        for parsed in [&inside, &nested] {
            assert_eq!(parse_lenient(parsed), Ok(dt));
        }
    }

    #[test]
    fn garbage_rejected_with_message() {
        for input in [
            "",
            "yesterday",
            "2018-13-01",
            "2018-08-01T25:00:00",
            "201808",
            "2018-08-01T00:00:00+99:00",
        ] {
            let err = parse_lenient(input).unwrap_err();
            assert!(err.starts_with("invalid date-time"), "{input}: {err}");
            assert!(err.contains(input.trim()), "{err}");
        }
        let long = "9".repeat(500);
        assert!(parse_lenient(&long).unwrap_err().len() < 200);
    }

    #[test]
    fn format_uses_z_and_auto_fraction() {
        assert_eq!(format(&utc(2017, 1, 1, 0, 0, 0)), "2017-01-01T00:00:00Z");
        let with_ms = utc(2017, 1, 1, 0, 0, 0) + chrono::Duration::milliseconds(250);
        assert_eq!(format(&with_ms), "2017-01-01T00:00:00.250Z");
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "required")]
        date: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "option")]
        end: Option<DateTime<Utc>>,
    }

    #[test]
    fn serde_helpers_round_trip() {
        let row: Row =
            serde_json::from_str(r#"{"date":"2018-08-01T00:00:00","end":"2018-08-02"}"#).unwrap();
        assert_eq!(row.date, utc(2018, 8, 1, 0, 0, 0));
        assert_eq!(row.end, Some(utc(2018, 8, 2, 0, 0, 0)));
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"{"date":"2018-08-01T00:00:00Z","end":"2018-08-02T00:00:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);

        for input in [
            r#"{"date":"2018-08-01"}"#,
            r#"{"date":"2018-08-01","end":null}"#,
        ] {
            let row: Row = serde_json::from_str(input).unwrap();
            assert_eq!(row.end, None, "{input}");
            assert_eq!(
                serde_json::to_string(&row).unwrap(),
                r#"{"date":"2018-08-01T00:00:00Z"}"#
            );
        }

        let err = serde_json::from_str::<Row>(r#"{"date":"soon"}"#).unwrap_err();
        assert!(
            err.to_string().contains("invalid date-time \"soon\""),
            "{err}"
        );
        let err = serde_json::from_str::<Row>(r#"{"date":"2018-08-01","end":5}"#).unwrap_err();
        assert!(err.to_string().contains("a date-time string"), "{err}");
        assert!(serde_json::from_str::<Row>(r#"{"end":null}"#).is_err());
    }
}
