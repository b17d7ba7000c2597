//! Numbers read and written through their text, for decimal types (`rust_decimal::Decimal`
//! with `--decimal-fields`): the service printed .NET decimals with their scale
//! (`13180.000000000000000`), and a detour through `f64` would keep the value but not the digits.
//! Generic over `FromStr + Display`, so the runtime names no decimal crate.
//!
//! A number is taken as the JSON text serde_json saw (its `RawValue`), so the digits survive with
//! serde_json's deserializer; through a `serde_json::Value` (which holds an `f64`) the value does,
//! not the trailing zeros. A quoted number is accepted too.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

fn parse<T: FromStr, E: serde::de::Error>(raw: &RawValue) -> Result<T, E>
where
    T::Err: Display,
{
    let text = raw.get().trim();
    let text = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted,
        None => text,
    };
    // An exponent (`4.7e-6`, what a `Value` that held the number as an f64 gives back) is
    // turned into positional digits first: decimal parsers want those.
    let positional;
    let as_float = || text.parse::<f64>().ok().filter(|f| f.is_finite());
    let text = match text.contains(['e', 'E']).then(as_float).flatten() {
        Some(f) => {
            positional = super::numbers::plain_decimal(f, 0);
            positional.as_str()
        }
        _ => text,
    };
    text.parse()
        .map_err(|e| E::custom(format!("invalid decimal {text:?}: {e}")))
}

fn raw_number<T: Display, E: serde::ser::Error>(value: &T) -> Result<Box<RawValue>, E> {
    let text = value.to_string();
    if !text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        return Err(E::custom(format!("{text:?} is not a JSON number")));
    }
    RawValue::from_string(text).map_err(|e| E::custom(format!("not a JSON number: {e}")))
}

/// `#[serde(with = "crate::runtime::decimal::required")]`.
pub mod required {
    use super::*;

    /// Writes the value's text as a JSON number (every digit it has).
    pub fn serialize<T: Display, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        raw_number(value)?.serialize(serializer)
    }

    /// Reads a JSON number (or a quoted one) through its text.
    pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error>
    where
        T::Err: Display,
    {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        if raw.get() == "null" {
            return Err(D::Error::custom("a decimal is required, found null"));
        }
        parse(&raw)
    }
}

/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::runtime::decimal::option")]`.
pub mod option {
    use super::*;

    /// Writes `Some` like [`required::serialize`], `None` as `null`.
    pub fn serialize<T: Display, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_some(&raw_number(v)?),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None`, a number (or a quoted one) through its text.
    pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error>
    where
        T::Err: Display,
    {
        let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
        match raw {
            None => Ok(None),
            Some(raw) if raw.get() == "null" => Ok(None),
            Some(raw) => parse(&raw).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decimal stand-in that remembers its text, as `rust_decimal::Decimal` keeps its scale.
    #[derive(Debug, Clone, PartialEq)]
    struct Text(String);

    impl FromStr for Text {
        type Err = String;
        fn from_str(s: &str) -> Result<Self, String> {
            s.parse::<f64>().map_err(|e| e.to_string())?;
            Ok(Text(s.to_owned()))
        }
    }

    impl Display for Text {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "required")]
        amount: Text,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "option")]
        rate: Option<Text>,
    }

    #[test]
    fn digits_survive_a_round_trip() {
        let json = r#"{"amount":13180.000000000000000,"rate":0.000004776818159}"#;
        let row: Row = serde_json::from_str(json).unwrap();
        assert_eq!(row.amount, Text("13180.000000000000000".into()));
        assert_eq!(serde_json::to_string(&row).unwrap(), json);
        let via_value: Row = serde_json::from_value(serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(via_value.rate, row.rate);
    }

    #[test]
    fn null_missing_quoted_and_bad_values() {
        let row: Row = serde_json::from_str(r#"{"amount":"1.50","rate":null}"#).unwrap();
        assert_eq!(
            row,
            Row {
                amount: Text("1.50".into()),
                rate: None
            }
        );
        assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"amount":1.50}"#);
        let row: Row = serde_json::from_str(r#"{"amount":2}"#).unwrap();
        assert_eq!(row.rate, None);
        for bad in [
            r#"{"amount":null}"#,
            r#"{"amount":"lots"}"#,
            r#"{"amount":true}"#,
        ] {
            let err = serde_json::from_str::<Row>(bad).unwrap_err().to_string();
            assert!(err.contains("decimal"), "{bad}: {err}");
        }
        let not_a_number = Row {
            amount: Text("NaN".into()),
            rate: None,
        };
        assert!(serde_json::to_string(&not_a_number).is_err());
    }
}
