//! Numbers as .NET printed them: positional notation, never an exponent, with a chosen least
//! number of decimals (the scale of a `decimal`).

use std::borrow::Cow;

/// [`plain_decimal`] without allocating in the common case (ryu's shortest text has no exponent
/// and enough decimals, `24.0` → `24` at scale 0), for writers that emit one per field.
pub fn plain_decimal_in(ryu: &mut ryu::Buffer, value: f64, scale: usize) -> Cow<'_, str> {
    let shortest = ryu.format_finite(value);
    if shortest.contains('e') {
        return Cow::Owned(plain_decimal(value, scale));
    }
    let decimals = shortest.split_once('.').map_or(0, |(_, f)| f.len());
    match (scale, shortest.strip_suffix(".0")) {
        // ryu writes `.0` for a whole number and no other trailing zero.
        (0, Some(whole)) => Cow::Borrowed(whole),
        _ if decimals >= scale => Cow::Borrowed(shortest),
        _ => Cow::Owned(plain_decimal(value, scale)),
    }
}

/// `value` in positional notation (never an exponent, as .NET prints decimals) with at least
/// `scale` decimals: the shortest text that reads back as `value`, padded with zeros, so the
/// number a client parses is exactly the one written.
pub fn plain_decimal(value: f64, scale: usize) -> String {
    let mut ryu = ryu::Buffer::new();
    let shortest = ryu.format_finite(value);
    let (negative, unsigned) = match shortest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, shortest),
    };
    let (mantissa, exponent) = match unsigned.split_once('e') {
        Some((m, e)) => (m, e.parse::<i64>().expect("ryu writes an integer exponent")),
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = [int_part, frac_part].concat();
    // The decimal point sits after `point` digits of `digits` (may be <= 0 or past the end).
    let point = int_part.len() as i64 + exponent;
    let (int_digits, frac_digits) = if point <= 0 {
        (
            "0".to_owned(),
            "0".repeat(point.unsigned_abs() as usize) + &digits,
        )
    } else if point as usize >= digits.len() {
        (
            digits.clone() + &"0".repeat(point as usize - digits.len()),
            String::new(),
        )
    } else {
        let (i, f) = digits.split_at(point as usize);
        (i.to_owned(), f.to_owned())
    };
    let int_digits = match int_digits.trim_start_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let frac_digits = frac_digits.trim_end_matches('0');
    let mut out = String::with_capacity(int_digits.len() + scale.max(frac_digits.len()) + 2);
    if negative {
        out.push('-');
    }
    out.push_str(int_digits);
    let width = scale.max(frac_digits.len());
    if width > 0 {
        out.push('.');
        out.push_str(frac_digits);
        out.extend(std::iter::repeat_n('0', width - frac_digits.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_pad_to_the_scale_and_read_back_exactly() {
        let cases: &[(f64, usize, &str)] = &[
            (1.0, 15, "1.000000000000000"),
            (13180.0, 15, "13180.000000000000000"),
            (10.0, 1, "10.0"),
            (3.000067456, 15, "3.000067456000000"),
            (0.0, 15, "0.000000000000000"),
            (-0.0, 2, "-0.00"),
            (1e-7, 3, "0.0000001"),
            (4.776818159e-6, 15, "0.000004776818159"),
            (1.5e21, 0, "1500000000000000000000"),
            (-2.5, 0, "-2.5"),
            (123.456, 1, "123.456"),
            (0.1 + 0.2, 15, "0.30000000000000004"),
        ];
        for &(value, scale, text) in cases {
            assert_eq!(plain_decimal(value, scale), text, "{value} at {scale}");
            let back: f64 = text.parse().unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{text} reads back");
        }
        for &(value, scale, text) in cases {
            let mut ryu = ryu::Buffer::new();
            assert_eq!(
                plain_decimal_in(&mut ryu, value, scale),
                text,
                "{value} at {scale}"
            );
        }
        for i in 0..2000u32 {
            let value = f64::from(i) * 0.731 - 300.0 + f64::from(i).powi(3) * 1e-9;
            let text = plain_decimal(value, 15);
            for scale in [0, 1, 15] {
                let mut ryu = ryu::Buffer::new();
                assert_eq!(
                    plain_decimal_in(&mut ryu, value, scale),
                    plain_decimal(value, scale)
                );
            }
            assert!(!text.contains('e'), "{text}");
            assert_eq!(text.parse::<f64>().unwrap(), value, "{text}");
        }
    }
}
