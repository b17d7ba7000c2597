//! The JSON text the service wrote (../shared/ea-api/wire-format.md), for models the generated
//! crate serialises in RFC 3339 with shortest numbers: offset-less timestamps, and the numbers
//! the service held as .NET decimals printed with their scale (`1.000000000000000`), which
//! serde_json cannot write from an `f64`. Everything else is serde_json's own output.

use std::io;

use clap::ValueEnum;
use ea_reporting::runtime::datetime::{self, Style};
use ea_reporting::runtime::numbers;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// `--timestamps`: how date-times are written.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Timestamps {
    /// As the service wrote them: `2019-05-01T00:00:00`, no offset (the values are UTC).
    #[default]
    Service,
    /// RFC 3339 with `Z`: `2019-05-01T00:00:00Z`.
    Rfc3339,
}

impl Timestamps {
    fn style(self) -> Style {
        match self {
            Timestamps::Service => Style::Service,
            Timestamps::Rfc3339 => Style::Rfc3339,
        }
    }
}

/// The smallest number of decimals a JSON number field is written with, by field name: the
/// scale of the .NET decimal the service printed. Fields not listed are written shortest (with
/// one decimal at least, as serde_json writes floats); no number gets an exponent.
pub type Scales = &'static [(&'static str, usize)];

/// Appends `value` as JSON to `buf` the way the service wrote it.
pub fn to_writer<T: Serialize + ?Sized>(
    buf: &mut Vec<u8>,
    value: &T,
    timestamps: Timestamps,
    scales: Scales,
) {
    datetime::with_style(timestamps.style(), || {
        let formatter = ScaledNumbers {
            scales,
            key: String::new(),
            in_key: false,
        };
        let mut serializer = serde_json::Serializer::with_formatter(&mut *buf, formatter);
        value
            .serialize(&mut serializer)
            .expect("a model serializes into memory");
    });
}

/// `value` as the service wrote it.
pub fn to_vec<T: Serialize + ?Sized>(value: &T, timestamps: Timestamps, scales: Scales) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    to_writer(&mut buf, value, timestamps, scales);
    buf
}

/// serde_json's compact output, but numbers under a key of `scales` get at least that many
/// decimals. It remembers the key being written, which serde_json hands it in fragments.
struct ScaledNumbers {
    scales: Scales,
    key: String,
    in_key: bool,
}

impl Formatter for ScaledNumbers {
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        self.key.clear();
        CompactFormatter.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_key = false;
        CompactFormatter.end_object_key(w)
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key && !self.scales.is_empty() {
            self.key.push_str(fragment);
        }
        w.write_all(fragment.as_bytes())
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        if !value.is_finite() {
            return CompactFormatter.write_f64(w, value);
        }
        // Positional always (the service printed decimals, never `1e-7`); at least one decimal,
        // as serde_json writes a float, unless the field has its own scale.
        let scale = self
            .scales
            .iter()
            .find(|(name, _)| *name == self.key)
            .map_or(1, |&(_, scale)| scale);
        let mut ryu = ryu::Buffer::new();
        w.write_all(numbers::plain_decimal_in(&mut ryu, value, scale).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn unscaled_numbers_are_plain_decimals_with_one_decimal_at_least() {
        #[derive(Serialize)]
        struct N {
            n: f64,
        }
        let values = (0..5000).map(|i| f64::from(i) * 0.731 - 900.0 + f64::from(i).powi(4) * 1e-12);
        for v in values.chain([0.0, -0.0, 1e-7, 1e21, 24.0, 0.000004776818159]) {
            let text = String::from_utf8(to_vec(&N { n: v }, Timestamps::Service, &[])).unwrap();
            assert_eq!(
                text,
                format!(r#"{{"n":{}}}"#, numbers::plain_decimal(v, 1)),
                "{v}"
            );
        }
    }

    #[derive(Serialize)]
    struct Charge {
        #[serde(rename = "extendedCost")]
        extended_cost: f64,
        quantity: f64,
        other: f64,
        #[serde(with = "ea_reporting::runtime::datetime::required")]
        date: chrono::DateTime<Utc>,
        nested: Vec<Inner>,
    }

    #[derive(Serialize)]
    struct Inner {
        quantity: f64,
        name: &'static str,
    }

    #[test]
    fn numbers_follow_their_key_and_timestamps_the_style() {
        let charge = Charge {
            extended_cost: 3.5,
            quantity: 10.0,
            other: 2.0,
            date: Utc.with_ymd_and_hms(2019, 5, 1, 23, 59, 59).unwrap(),
            nested: vec![Inner {
                quantity: 4.0,
                name: "quantity",
            }],
        };
        const SCALES: Scales = &[("extendedCost", 15), ("quantity", 1)];
        let text = String::from_utf8(to_vec(&charge, Timestamps::Service, SCALES)).unwrap();
        assert_eq!(
            text,
            r#"{"extendedCost":3.500000000000000,"quantity":10.0,"other":2.0,"date":"2019-05-01T23:59:59","nested":[{"quantity":4.0,"name":"quantity"}]}"#
        );
        let text = String::from_utf8(to_vec(&charge, Timestamps::Rfc3339, &[])).unwrap();
        assert_eq!(text, serde_json::to_string(&charge).unwrap());
        assert!(text.contains(r#""date":"2019-05-01T23:59:59Z""#), "{text}");
        let tiny = Inner {
            quantity: 1e-7,
            name: "x",
        };
        let text = String::from_utf8(to_vec(&tiny, Timestamps::Service, &[])).unwrap();
        assert_eq!(
            text, r#"{"quantity":0.0000001,"name":"x"}"#,
            "never an exponent"
        );
    }
}
