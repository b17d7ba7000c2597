//! Conversion of parameter values to and from their URL text, shared by the
//! client (building requests) and the mock server (matching them), so both
//! sides agree on the wire format.

use chrono::{DateTime, Utc};

use super::datetime;

/// A type that can travel as a path or query parameter.
///
/// Generated enums implement it with their wire names.
pub trait ParamValue: Sized {
    /// The text placed in the URL (before percent-encoding).
    fn to_param(&self) -> String;
    /// Reads the decoded URL text back, explaining a failure in words.
    fn parse_param(s: &str) -> Result<Self, String>;
}

impl ParamValue for String {
    fn to_param(&self) -> String {
        self.clone()
    }

    fn parse_param(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
}

macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }

            fn parse_param(s: &str) -> Result<Self, String> {
                s.trim().parse::<$t>().map_err(|e| format!("{s:?} is not a valid {}: {e}", stringify!($t)))
            }
        }
    )*};
}

integer_param!(i32, i64, u32, u64);

impl ParamValue for f64 {
    fn to_param(&self) -> String {
        self.to_string()
    }

    fn parse_param(s: &str) -> Result<Self, String> {
        match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("{s:?} is not a finite number")),
        }
    }
}

impl ParamValue for bool {
    fn to_param(&self) -> String {
        self.to_string()
    }

    /// Case-insensitive, like ASP.NET model binding (`True` is common).
    fn parse_param(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if t.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(format!("{s:?} is not true or false"))
        }
    }
}

impl ParamValue for DateTime<Utc> {
    fn to_param(&self) -> String {
        datetime::format(self)
    }

    fn parse_param(s: &str) -> Result<Self, String> {
        datetime::parse_lenient(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn round_trip<T: ParamValue + PartialEq + std::fmt::Debug>(v: T, text: &str) {
        assert_eq!(v.to_param(), text);
        assert_eq!(T::parse_param(text).unwrap(), v);
    }

    #[test]
    fn round_trips() {
        round_trip(String::from("a b/c"), "a b/c");
        round_trip(100i32, "100");
        round_trip(-7i64, "-7");
        round_trip(8u32, "8");
        round_trip(1.5f64, "1.5");
        round_trip(2.0f64, "2");
        round_trip(true, "true");
        round_trip(
            Utc.with_ymd_and_hms(2017, 1, 10, 0, 0, 0).unwrap(),
            "2017-01-10T00:00:00Z",
        );
    }

    #[test]
    fn lenient_inputs() {
        assert_eq!(bool::parse_param("True"), Ok(true));
        assert_eq!(bool::parse_param("FALSE"), Ok(false));
        assert_eq!(i32::parse_param(" 42 "), Ok(42));
        assert_eq!(
            DateTime::<Utc>::parse_param("2017-01-01"),
            Ok(Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap())
        );
    }

    #[test]
    fn rejects_with_reason() {
        let cases: Vec<(Result<(), String>, &str)> = vec![
            (i32::parse_param("12x").map(drop), "not a valid i32"),
            (i32::parse_param("99999999999").map(drop), "not a valid i32"),
            (f64::parse_param("NaN").map(drop), "not a finite number"),
            (f64::parse_param("inf").map(drop), "not a finite number"),
            (bool::parse_param("yes").map(drop), "not true or false"),
            (
                DateTime::<Utc>::parse_param("tomorrow").map(drop),
                "invalid date-time",
            ),
        ];
        for (result, needle) in cases {
            let err = result.unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
    }
}
