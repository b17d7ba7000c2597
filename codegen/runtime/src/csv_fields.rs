//! The fields of one CSV record, found eight bytes at a time (and with `memchr` in long fields)
//! instead of by a byte-at-a-time state machine.
//!
//! It reads what `csv_core::Reader` reads with its defaults (comma, `"` quotes doubled inside a
//! quoted field, `\r`, `\n` or `\r\n` ending a record, blank lines skipped, nothing ever an
//! error: a quote inside an unquoted field is text, text after a closing quote is kept, an
//! unclosed quote runs to the end), and a test holds the two to the same fields on awkward input
//! in every chunking. It exists for speed: a service CSV line is mostly unquoted runs, which a
//! word-at-a-time search crosses eight bytes at a step, so typed rows cost little more than the
//! raw records of the `csv` crate (docs/benchmarks.md).

use memchr::{memchr, memchr3};

/// What [`next_record`] found at the start of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A record: its fields are in `fields`; `consumed` bytes of input (the blank lines before
    /// it and its line end included) are done with, and hold `newlines` line ends (`\n`, `\r`
    /// or `\r\n`; counted on the way, so that a reader numbering lines needs no second pass).
    Record {
        consumed: usize,
        terminated: bool,
        newlines: u64,
    },
    /// The input ends inside a record (or before one) and more may come: call again with more.
    NeedMore,
    /// Nothing but blank lines up to the end of the body.
    End,
}

/// Where a field's text is: a range of the input (a field without quotes, most of them, is
/// never copied) or, when `unquoted` is set, of `out` (a quoted field's text without its quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    pub start: usize,
    pub end: usize,
    pub unquoted: bool,
}

/// Reads the record at the start of `input` into `fields` (and the text of its quoted fields,
/// unquoted, into `out`), as `csv_core` does. `at_eof` says that no more input follows.
pub(crate) fn next_record(
    input: &[u8],
    at_eof: bool,
    out: &mut Vec<u8>,
    fields: &mut Vec<Field>,
) -> Scan {
    out.clear();
    fields.clear();
    let need_more_or = |scan: Scan| if at_eof { scan } else { Scan::NeedMore };
    let mut i = input
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(input.len());
    if i == input.len() {
        return need_more_or(Scan::End);
    }
    let mut newlines = line_ends(&input[..i]);
    let at_end = |newlines| Scan::Record {
        consumed: input.len(),
        terminated: false,
        newlines,
    };
    loop {
        // A field: a quoted part first, if it starts with a quote.
        let quoted = (input[i] == b'"').then_some(out.len());
        if quoted.is_some() {
            i += 1;
            loop {
                let Some(k) = find_quote(&input[i..]) else {
                    if !at_eof {
                        return Scan::NeedMore;
                    }
                    out.extend_from_slice(&input[i..]);
                    let start = quoted.unwrap_or_default();
                    newlines += line_ends(&out[start..]);
                    fields.push(Field {
                        start,
                        end: out.len(),
                        unquoted: true,
                    });
                    return at_end(newlines);
                };
                out.extend_from_slice(&input[i..i + k]);
                i += k + 1;
                match input.get(i) {
                    Some(b'"') => {
                        out.push(b'"');
                        i += 1;
                    }
                    None if !at_eof => return Scan::NeedMore,
                    _ => break,
                }
            }
            // Its text is the input's with doubled quotes made single, which joins no `\r` to a
            // `\n`: its line ends are the input's, counted in one pass per field.
            newlines += line_ends(&out[quoted.unwrap_or_default()..]);
        }
        // The unquoted part (all of it, or what follows a closing quote) up to a separator.
        let (k, last) = match find_separator(&input[i..]) {
            Some(k) => (k, false),
            None if !at_eof => return Scan::NeedMore,
            None => (input.len() - i, true),
        };
        fields.push(match quoted {
            Some(start) => {
                out.extend_from_slice(&input[i..i + k]);
                Field {
                    start,
                    end: out.len(),
                    unquoted: true,
                }
            }
            None => Field {
                start: i,
                end: i + k,
                unquoted: false,
            },
        });
        if last {
            return at_end(newlines);
        }
        i += k;
        match input[i] {
            b',' => {
                i += 1;
                if i == input.len() {
                    if !at_eof {
                        return Scan::NeedMore;
                    }
                    // `a,` at the very end: an empty last field.
                    fields.push(Field {
                        start: i,
                        end: i,
                        unquoted: false,
                    });
                    return at_end(newlines);
                }
            }
            // A `\n` after this `\r` (here or in the next chunk) is a blank line to the next call.
            // `\r\n` is one line end: a `\r` at the end of the input waits for the next byte, so
            // that the pair is never split between two records' counts.
            b'\r' => {
                i += 1;
                match input.get(i) {
                    Some(b'\n') => i += 1,
                    None if !at_eof => return Scan::NeedMore,
                    _ => {}
                }
                return Scan::Record {
                    consumed: i,
                    terminated: true,
                    newlines: newlines + 1,
                };
            }
            _ => {
                return Scan::Record {
                    consumed: i + 1,
                    terminated: true,
                    newlines: newlines + 1,
                };
            }
        }
    }
}

/// How far a field's end is looked for eight bytes at a time (below) before `memchr` is
/// called: most fields of a service CSV are short (numbers, dates, flags, identifiers), and for
/// them the call's set-up costs more than its search.
const SHORT: usize = 64;

/// The bytes of `word` equal to `byte`, as the high bit of each: exact for the lowest such
/// byte (a false mark can only sit above a true one), which is all that is asked of it.
fn marks(word: u64, byte: u8) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zeroed = word ^ (ONES * u64::from(byte));
    zeroed.wrapping_sub(ONES) & !zeroed & HIGHS
}

/// The first byte of `text` that is one of `bytes`.
fn find_any<const N: usize>(
    text: &[u8],
    bytes: [u8; N],
    long: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let short = text.len().min(SHORT);
    let mut words = text[..short].chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let found = bytes.iter().fold(0, |found, &b| found | marks(word, b));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    if let Some(k) = words.remainder().iter().position(|b| bytes.contains(b)) {
        return Some(at + k);
    }
    long(&text[short..]).map(|k| short + k)
}

/// The first `,`, `\r` or `\n` of `text`.
fn find_separator(text: &[u8]) -> Option<usize> {
    find_any(text, [b',', b'\r', b'\n'], |rest| {
        memchr3(b',', b'\r', b'\n', rest)
    })
}

/// The first `"` of `text`.
fn find_quote(text: &[u8]) -> Option<usize> {
    find_any(text, [b'"'], |rest| memchr(b'"', rest))
}

/// The line ends of `text`: each `\n`, and each `\r` not followed by one (as `csv_core` ends
/// records; a `\r` at the end of `text` counts). Blank lines and quoted parts are short, when
/// there are any, so this is never a pass over a whole record.
fn line_ends(text: &[u8]) -> u64 {
    memchr::memchr2_iter(b'\r', b'\n', text)
        .filter(|&at| text[at] == b'\n' || text.get(at + 1) != Some(&b'\n'))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_separator_or_quote_as_a_byte_search_does() {
        // Every length up to past the word-at-a-time part, each byte of interest at every
        // place, with and without others after it (a false mark lies above a true one).
        let specials = [
            b',',
            b'\r',
            b'\n',
            b'"',
            0x80,
            0xff,
            0x2b,
            0x0b,
            0x22 ^ 0x80,
        ];
        for len in 0..SHORT + 20 {
            for at in 0..len.max(1) {
                for &first in &specials {
                    for &later in &specials {
                        let mut text = vec![b'a'; len];
                        if at < len {
                            text[at] = first;
                        }
                        if at + 1 < len {
                            text[at + 1] = later;
                        }
                        let naive = |set: &[u8]| text.iter().position(|b| set.contains(b));
                        assert_eq!(find_separator(&text), naive(b",\r\n"), "{text:?}");
                        assert_eq!(find_quote(&text), naive(b"\""), "{text:?}");
                    }
                }
            }
        }
    }

    /// Every record of `input` fed in pieces of `chunk` bytes, as the stream reader does.
    fn fields_chunked(input: &[u8], chunk: usize) -> Vec<Vec<Vec<u8>>> {
        let (mut buf, mut fed, mut pos) = (Vec::new(), 0, 0);
        let (mut out, mut fields, mut records) = (Vec::new(), Vec::new(), Vec::new());
        loop {
            let at_eof = fed == input.len();
            let input_now = &buf[pos..];
            match next_record(input_now, at_eof, &mut out, &mut fields) {
                Scan::Record {
                    consumed, newlines, ..
                } => {
                    let done = &input_now[..consumed];
                    let ends = (0..consumed).filter(|&at| {
                        done[at] == b'\n' || (done[at] == b'\r' && done.get(at + 1) != Some(&b'\n'))
                    });
                    assert_eq!(newlines, ends.count() as u64, "line ends of {done:?}");
                    let text = |f: &Field| {
                        let from = if f.unquoted { &out[..] } else { input_now };
                        from[f.start..f.end].to_vec()
                    };
                    records.push(fields.iter().map(text).collect());
                    pos += consumed;
                }
                Scan::End => return records,
                Scan::NeedMore => {
                    assert!(!at_eof, "NeedMore at the end of the input");
                    let next = (fed + chunk).min(input.len());
                    buf.extend_from_slice(&input[fed..next]);
                    fed = next;
                }
            }
        }
    }

    /// csv_core's records of `input` (given whole; its output offsets accumulate over calls).
    fn fields_of_csv_core(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv_core::Reader::new();
        let (mut out, mut ends) = (vec![0; 4096], vec![0; 256]);
        let (mut records, mut at, mut out_len, mut ends_len) = (Vec::new(), 0, 0, 0);
        loop {
            let (result, read, written, n) =
                reader.read_record(&input[at..], &mut out[out_len..], &mut ends[ends_len..]);
            at += read;
            out_len += written;
            ends_len += n;
            match result {
                csv_core::ReadRecordResult::Record => {
                    let mut start = 0;
                    records.push(
                        ends[..ends_len]
                            .iter()
                            .map(|&end| {
                                let field = out[start..end].to_vec();
                                start = end;
                                field
                            })
                            .collect(),
                    );
                    (out_len, ends_len) = (0, 0);
                }
                csv_core::ReadRecordResult::End => return records,
                csv_core::ReadRecordResult::InputEmpty => {}
                other => panic!("test buffers too small: {other:?}"),
            }
        }
    }

    #[test]
    fn reads_what_csv_core_reads_in_every_chunking() {
        let inputs: &[&[u8]] = &[
            b"",
            b"\r\n\n",
            b"a",
            b"a,",
            b",",
            b"a,b\r\nc,d\r\n",
            b"\xef\xbb\xbftitle\r\n\r\nA,B\r\n1,2",
            b"x,\"quoted, with comma\",y\n",
            b"\"a \"\"b\"\" c\",\"\"\r\n\"\"\"\"\r\n",
            b"\"line\r\nbreak\",z\r\n",
            b"ab\"c,d\"e\"\"f\n",
            b"\"ab\"cd,e\n",
            b"\"unclosed, to the end\r\n",
            b"cr\ronly\rlines",
            b"a,b\r",
            b"\"{  \"\"k\"\": \"\"v\"\",  \"\"k2\"\": \"\"v2\"\"}\",2018-05-01,True\r\n",
            b"\n\n,,\n\n",
        ];
        for input in inputs {
            let expected = fields_of_csv_core(input);
            for chunk in 1..=input.len().max(1) {
                // csv_core drops a byte-order mark itself; the stream reader does it after.
                let mut ours = fields_chunked(input, chunk);
                if let Some(first) = ours.first_mut().and_then(|r| r.first_mut())
                    && first.starts_with(b"\xef\xbb\xbf")
                {
                    first.drain(..3);
                }
                assert_eq!(
                    ours,
                    expected,
                    "{:?} in chunks of {chunk}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn says_whether_a_record_ended_with_its_line() {
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        assert_eq!(
            next_record(b"a,b\r\nc", true, &mut out, &mut ends),
            Scan::Record {
                consumed: 5,
                terminated: true,
                newlines: 1
            }
        );
        assert_eq!(
            next_record(b"c", true, &mut out, &mut ends),
            Scan::Record {
                consumed: 1,
                terminated: false,
                newlines: 0
            }
        );
        assert_eq!(
            next_record(b"c", false, &mut out, &mut ends),
            Scan::NeedMore
        );
        assert_eq!(next_record(b"\r\n", true, &mut out, &mut ends), Scan::End);
        // A `\r` at the end waits for the next byte: it may be the first half of `\r\n`.
        assert_eq!(
            next_record(b"a\r", false, &mut out, &mut ends),
            Scan::NeedMore
        );
        assert_eq!(
            next_record(b"a\r", true, &mut out, &mut ends),
            Scan::Record {
                consumed: 2,
                terminated: true,
                newlines: 1
            }
        );
        assert_eq!(
            next_record(b"\n\r\n\"a\nb\",c\n\n", true, &mut out, &mut ends),
            Scan::Record {
                consumed: 11,
                terminated: true,
                newlines: 4
            }
        );
    }
}
