//! CSV in a service's own layout, declared in the spec (`x-ea-csv` on an operation): a title
//! line, a blank line, a header of captions in the service's order, then one line per record.
//! Values are written as the service wrote them: numbers in positional notation (never an
//! exponent), booleans `True`/`False`, dates `yyyy-MM-dd`, text quoted when it must be (RFC 4180,
//! quotes doubled), CRLF line ends.
//!
//! Generated models named by such a layout implement [`ServiceCsv`]: typed cell by cell in the
//! layout's order, so that writing (a mock, a file for existing loaders) and reading ([`rows`], a
//! download turned into models in bounded memory) need no per-row allocation beyond the model.

use std::fmt::Display;
use std::pin::Pin;
use std::str::FromStr;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use futures_util::{Stream, StreamExt};
use http::StatusCode;

use super::csv_fields::{self, Scan};
use super::datetime;
use super::error::{DecodeError, Error};
use super::response::ByteStream;

/// A service's CSV layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The title line for one billing period, with `{name}` placeholders (see [`fill`]).
    pub title: &'static str,
    /// The title line for a date range, if the layout names one.
    pub range_title: Option<&'static str>,
    /// The columns, in the service's order.
    pub columns: &'static [Column],
}

/// One column of a [`Layout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The caption in the header line (`Cost`); a localised header says `Coût (Cost)`.
    pub caption: &'static str,
    /// The JSON name of the model field it holds (`cost`).
    pub field: &'static str,
    /// How the value is written.
    pub kind: CellKind,
}

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text, quoted when it holds a comma, quote or line break.
    Text,
    /// A number in positional notation.
    Number,
    /// `True` or `False`.
    Bool,
    /// A date-time: `yyyy-MM-dd` at midnight, else `yyyy-MM-ddTHH:mm:ss`.
    DateTime,
}

impl Layout {
    /// The lines before the first record: `title`, a blank line, the header; CRLF each.
    pub fn preamble(&self, title: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(title.len() + 16 * self.columns.len());
        out.extend_from_slice(title.as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_text(column.caption, &mut out);
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// The record of a row given as its JSON object, for writers that hold rows as JSON (the
    /// command-line program): the same bytes as [`ServiceCsv::write_record`] of the model.
    pub fn write_json_record(&self, row: &serde_json::Value, out: &mut Vec<u8>) {
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            use serde_json::Value;
            match (row.get(column.field), column.kind) {
                (None | Some(Value::Null), _) => {}
                (Some(Value::Bool(b)), _) => write_bool(*b, out),
                (Some(Value::Number(n)), _) => match n.as_f64() {
                    Some(f) if n.is_f64() => write_f64(f, out),
                    _ => out.extend_from_slice(n.to_string().as_bytes()),
                },
                (Some(Value::String(s)), CellKind::DateTime) => match datetime::parse_lenient(s) {
                    Ok(dt) => write_date_time(&dt, out),
                    Err(_) => write_text(s, out),
                },
                (Some(Value::String(s)), _) => write_text(s, out),
                (Some(other), _) => write_text(&other.to_string(), out),
            }
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// `template` with each `{name}` replaced by its value from `values` (a date-time value by its
/// day, `yyyy-MM-dd`), and placeholders without a value by nothing.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..open + close];
        if let Some((_, value)) = values.iter().find(|(n, _)| *n == name) {
            out.push_str(&day_of(value));
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A date-time parameter's day (`2018-05-03T00:00:00Z` → `2018-05-03`); other text as it is.
fn day_of(value: &str) -> std::borrow::Cow<'_, str> {
    match datetime::parse_lenient(value) {
        Ok(dt) if value.len() > "yyyy-MM-dd".len() => dt.format("%Y-%m-%d").to_string().into(),
        _ => value.into(),
    }
}

/// Names of the `{placeholders}` of a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
}

/// The title line of the answer to a request with these parameters (name, text; an absent
/// optional parameter left out or empty): the range title when the parameters fill all its
/// placeholders, else the title.
pub fn title_for(layout: &Layout, params: &[(&str, &str)]) -> String {
    let has = |name: &str| params.iter().any(|(n, v)| *n == name && !v.is_empty());
    match layout.range_title {
        Some(range) if placeholders(range).all(has) && placeholders(range).next().is_some() => {
            fill(range, params)
        }
        _ => fill(layout.title, params),
    }
}

/// A model that is the row of a [`Layout`] (implemented by generated code).
pub trait ServiceCsv: Sized {
    /// The layout.
    const LAYOUT: Layout;

    /// Writes the row's cells in the layout's order.
    fn write_cells(&self, cells: &mut CellWriter<'_>);

    /// Reads a row from its cells (by layout position).
    fn read_cells(cells: &Cells<'_>) -> Result<Self, CellError>;

    /// Reads a row from its cells into `self`, reusing its text buffers (generated models do;
    /// by default it is a fresh row). What [`RowReader::next_into`] calls.
    fn read_cells_into(&mut self, cells: &Cells<'_>) -> Result<(), CellError> {
        *self = Self::read_cells(cells)?;
        Ok(())
    }

    /// One record line, CRLF-terminated.
    fn write_record(&self, out: &mut Vec<u8>) {
        let mut cells = CellWriter { out, first: true };
        self.write_cells(&mut cells);
        cells.out.extend_from_slice(b"\r\n");
    }
}

/// Writes the cells of one record.
#[derive(Debug)]
pub struct CellWriter<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl CellWriter<'_> {
    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    /// The next cell.
    pub fn cell<T: Cell>(&mut self, value: &T) {
        self.separate();
        value.write_cell(self.out);
    }

    /// The next cell, from a type's `Display` (types the runtime does not know, such as a
    /// decimal type); empty for `None`.
    pub fn display<T: Display>(&mut self, value: Option<&T>) {
        self.separate();
        if let Some(v) = value {
            write_text(&v.to_string(), self.out);
        }
    }
}

/// The cells of one record, by layout position.
#[derive(Debug)]
pub struct Cells<'a> {
    record: &'a [&'a str],
    /// Layout position → record position (`None`: the header lacks that column).
    positions: &'a [Option<usize>],
}

impl Cells<'_> {
    fn text(&self, column: usize) -> &str {
        self.positions
            .get(column)
            .copied()
            .flatten()
            .and_then(|i| self.record.get(i).copied())
            .unwrap_or("")
    }

    /// The value of layout column `column`.
    pub fn get<T: Cell>(&self, column: usize) -> Result<T, CellError> {
        T::read_cell(self.text(column)).map_err(|message| CellError { column, message })
    }

    /// Reads layout column `column` into `value`, reusing what it holds (a string's buffer).
    pub fn get_into<T: Cell>(&self, column: usize, value: &mut T) -> Result<(), CellError> {
        value
            .read_into(self.text(column))
            .map_err(|message| CellError { column, message })
    }

    /// The value of layout column `column` through `FromStr` (`None` when empty).
    pub fn parse<T: FromStr>(&self, column: usize) -> Result<Option<T>, CellError>
    where
        T::Err: Display,
    {
        match self.text(column) {
            "" => Ok(None),
            text => text.parse().map(Some).map_err(|e: T::Err| CellError {
                column,
                message: format!("{text:?}: {e}"),
            }),
        }
    }

    /// Like [`Cells::parse`], for a required value.
    pub fn parse_required<T: FromStr>(&self, column: usize) -> Result<T, CellError>
    where
        T::Err: Display,
    {
        self.parse(column)?.ok_or_else(|| CellError {
            column,
            message: "a value is required".into(),
        })
    }
}

/// A cell that cannot be read into its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Layout position of the column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A value that fits in one cell.
pub trait Cell: Sized {
    /// Whether an empty cell is a value of this type (text: the service wrote `""` for "no
    /// value", so an empty text cell reads as `Some("")`, as the JSON has it) rather than `None`.
    const EMPTY_IS_A_VALUE: bool = false;

    /// Appends the cell's text.
    fn write_cell(&self, out: &mut Vec<u8>);
    /// Reads the cell's text.
    fn read_cell(text: &str) -> Result<Self, String>;

    /// Reads the cell's text into `self`, reusing what it holds (a string's buffer).
    fn read_into(&mut self, text: &str) -> Result<(), String> {
        *self = Self::read_cell(text)?;
        Ok(())
    }
}

impl<T: Cell> Cell for Option<T> {
    fn write_cell(&self, out: &mut Vec<u8>) {
        if let Some(v) = self {
            v.write_cell(out);
        }
    }

    fn read_cell(text: &str) -> Result<Self, String> {
        if text.is_empty() && !T::EMPTY_IS_A_VALUE {
            Ok(None)
        } else {
            T::read_cell(text).map(Some)
        }
    }

    fn read_into(&mut self, text: &str) -> Result<(), String> {
        match self {
            _ if text.is_empty() && !T::EMPTY_IS_A_VALUE => *self = None,
            Some(value) => value.read_into(text)?,
            None => *self = Some(T::read_cell(text)?),
        }
        Ok(())
    }
}

impl Cell for String {
    const EMPTY_IS_A_VALUE: bool = true;

    fn write_cell(&self, out: &mut Vec<u8>) {
        write_text(self, out);
    }

    fn read_cell(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }

    fn read_into(&mut self, text: &str) -> Result<(), String> {
        self.clear();
        self.push_str(text);
        Ok(())
    }
}

impl Cell for bool {
    fn write_cell(&self, out: &mut Vec<u8>) {
        write_bool(*self, out);
    }

    fn read_cell(text: &str) -> Result<Self, String> {
        match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(true),
            t if t.eq_ignore_ascii_case("false") => Ok(false),
            _ => Err(format!("{text:?} is not True or False")),
        }
    }
}

macro_rules! number_cells {
    ($($t:ty => $write:expr),* $(,)?) => {$(
        impl Cell for $t {
            fn write_cell(&self, out: &mut Vec<u8>) {
                #[allow(clippy::redundant_closure_call)]
                ($write)(*self, out);
            }

            fn read_cell(text: &str) -> Result<Self, String> {
                text.trim()
                    .parse()
                    .map_err(|e| format!("{text:?} is not a number of type {}: {e}", stringify!($t)))
            }
        }
    )*};
}

number_cells! {
    i32 => |v: i32, out: &mut Vec<u8>| out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
    i64 => |v: i64, out: &mut Vec<u8>| out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
    f32 => |v: f32, out: &mut Vec<u8>| write_f64(f64::from(v), out),
    f64 => write_f64,
}

impl Cell for DateTime<Utc> {
    fn write_cell(&self, out: &mut Vec<u8>) {
        write_date_time(self, out);
    }

    fn read_cell(text: &str) -> Result<Self, String> {
        datetime::parse_lenient(text)
    }
}

impl Cell for NaiveDate {
    fn write_cell(&self, out: &mut Vec<u8>) {
        datetime::write_date(*self, out);
    }

    fn read_cell(text: &str) -> Result<Self, String> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|e| format!("{text:?}: {e}"))
    }
}

/// Text, quoted (quotes doubled) when it holds a comma, quote or line break.
pub fn write_text(s: &str, out: &mut Vec<u8>) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for part in s.split_inclusive('"') {
            out.extend_from_slice(part.as_bytes());
            if part.ends_with('"') {
                out.push(b'"');
            }
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// `True` or `False`.
pub fn write_bool(b: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if b { b"True" } else { b"False" });
}

/// A number in positional notation, shortest (`0.000004776818159`, `0`, `12.5`).
pub fn write_f64(v: f64, out: &mut Vec<u8>) {
    if v.is_finite() {
        let mut ryu = ryu::Buffer::new();
        out.extend_from_slice(super::numbers::plain_decimal_in(&mut ryu, v, 0).as_bytes());
    }
}

/// `yyyy-MM-dd` at midnight, else the service's offset-less date-time.
pub fn write_date_time(dt: &DateTime<Utc>, out: &mut Vec<u8>) {
    if dt.time() == NaiveTime::MIN {
        datetime::write_date(dt.date_naive(), out);
    } else {
        datetime::write_service(dt, out);
    }
}

/// Rows read from a CSV body.
pub type Rows<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// Reads a CSV body in `T`'s layout as it arrives, one record in memory at a time. Lines before
/// the header (a title, blank lines, a UTF-8 byte-order mark) are skipped: the header is the
/// first record of more than one field. Captions are matched to the layout by name, also in the
/// localised form `Localised (Name)`; columns the layout does not know are ignored, and a layout
/// column the header lacks reads as empty.
pub fn rows<T: ServiceCsv + Send + 'static>(body: ByteStream) -> Rows<T> {
    Box::pin(futures_util::stream::unfold(
        reader::<T>(body),
        |mut state| async move {
            let item = state.next_row().await?;
            Some((item, state))
        },
    ))
}

/// Like [`rows`], as a reader whose [`RowReader::next_into`] fills one row again and again.
pub fn reader<T: ServiceCsv>(body: ByteStream) -> RowReader<T> {
    RowReader {
        body,
        input: Input::default(),
        output: Vec::with_capacity(1024),
        fields: Vec::with_capacity(64),
        texts: Vec::with_capacity(64),
        positions: None,
        line: 0,
        newlines: 0,
        records: 0,
        _row: std::marker::PhantomData::<fn() -> T>,
    }
}

impl<T> std::fmt::Debug for RowReader<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowReader")
            .field("line", &self.line)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

/// Reads a CSV body in `T`'s layout (see [`rows`]).
pub struct RowReader<T> {
    body: ByteStream,
    input: Input,
    /// The last record: where its fields are (in its bytes, `Input::record`, or in `output`,
    /// the text of its quoted fields).
    output: Vec<u8>,
    fields: Vec<csv_fields::Field>,
    /// The buffer of the list of a record's fields as text, kept empty between records.
    texts: Vec<&'static str>,
    /// Line ends read so far.
    newlines: u64,
    /// Layout position → header position, once the header is read.
    positions: Option<Vec<Option<usize>>>,
    /// The line the current record ends on, for errors.
    line: u64,
    /// Records read so far.
    records: u64,
    _row: std::marker::PhantomData<fn() -> T>,
}

impl<T: ServiceCsv> RowReader<T> {
    /// The next row; `None` at the end of the body.
    pub async fn next_row(&mut self) -> Option<Result<T, Error>> {
        self.next_with(T::read_cells).await
    }

    /// Reads the next row into `row`, reusing its text buffers (as `csv`'s `read_record` reuses
    /// a record): no allocation per row once the buffers are large enough. `None` at the end
    /// of the body; after an error `row` may hold part of the failed record.
    pub async fn next_into(&mut self, row: &mut T) -> Option<Result<(), Error>> {
        self.next_with(|cells| row.read_cells_into(cells)).await
    }

    async fn next_with<R>(
        &mut self,
        read: impl FnOnce(&Cells<'_>) -> Result<R, CellError>,
    ) -> Option<Result<R, Error>> {
        loop {
            if let Err(e) = self.next_record().await? {
                return Some(Err(e));
            }
            let spare = std::mem::take(&mut self.texts);
            let record = match self.record_fields(spare) {
                Ok(record) => record,
                Err(e) => return Some(Err(e)),
            };
            let Some(positions) = &self.positions else {
                let header = (record.len() > 1).then(|| header_positions(T::LAYOUT, &record));
                self.texts = recycle(record);
                self.positions = header;
                continue;
            };
            let cells = Cells {
                record: &record,
                positions,
            };
            let line = self.line;
            let result = read(&cells).map_err(|e| {
                let caption = T::LAYOUT.columns.get(e.column).map_or("?", |c| c.caption);
                decode_error(
                    format!("line {line}, column {caption}"),
                    e.message,
                    record.join(","),
                )
            });
            self.texts = recycle(record);
            return Some(result);
        }
    }

    /// Reads the next record into `fields` and `output`; `None` at the end.
    async fn next_record(&mut self) -> Option<Result<(), Error>> {
        loop {
            let (input, at_eof) = self.input.unread();
            match csv_fields::next_record(input, at_eof, &mut self.output, &mut self.fields) {
                Scan::Record {
                    consumed,
                    terminated,
                    newlines,
                } => {
                    self.input.consume(consumed);
                    self.newlines += newlines;
                    // The line it ends on; a last record without a line end is on the next.
                    self.line = self.newlines + u64::from(!terminated);
                    self.records += 1;
                    if self.records == 1 {
                        self.drop_byte_order_mark();
                    }
                    return Some(Ok(()));
                }
                Scan::End => return None,
                Scan::NeedMore if self.input.carry_more() => {}
                Scan::NeedMore => match self.body.next().await {
                    Some(Ok(chunk)) => self.input.chunk = chunk,
                    Some(Err(e)) => return Some(Err(e)),
                    None => self.input.ended = true,
                },
            }
        }
    }

    /// Drops byte-order marks at the start of the first field of the first record.
    fn drop_byte_order_mark(&mut self) {
        const BOM: &[u8] = "\u{feff}".as_bytes();
        if let Some(first) = self.fields.first_mut() {
            let from = if first.unquoted {
                &self.output[..]
            } else {
                self.input.record()
            };
            while from[first.start..first.end].starts_with(BOM) {
                first.start += BOM.len();
            }
        }
    }

    /// The fields of the record just read, as text (in `list`'s buffer): the record's bytes
    /// and its quoted fields' text are checked to be UTF-8 once each.
    fn record_fields<'a>(&'a self, list: Vec<&'static str>) -> Result<Vec<&'a str>, Error> {
        let not_utf8 = |bytes: &[u8], e: String| {
            decode_error(
                format!("line {}", self.line),
                format!("not UTF-8: {e}"),
                String::from_utf8_lossy(bytes).into_owned(),
            )
        };
        let record = self.input.record();
        let text = std::str::from_utf8(record).map_err(|e| not_utf8(record, e.to_string()))?;
        let quoted =
            std::str::from_utf8(&self.output).map_err(|e| not_utf8(&self.output, e.to_string()))?;
        let mut fields = recycle(list);
        for field in &self.fields {
            let (from, bytes) = if field.unquoted {
                (quoted, &self.output[..])
            } else {
                (text, record)
            };
            // Never fails on a record that is UTF-8 (fields end at ASCII separators); checked
            // all the same, as slicing is.
            let value = from.get(field.start..field.end).ok_or_else(|| {
                not_utf8(
                    &bytes[field.start..field.end],
                    "a field ends inside a character".into(),
                )
            })?;
            fields.push(value);
        }
        Ok(fields)
    }
}

/// A body's bytes as the record scanner reads them. A record is read in place, in the chunk
/// it arrived in; only a record that spans chunks is copied (into `carry`, with as much of the
/// next chunk as it needs: a line, or if that is not enough, the rest of the chunk), so that
/// the body is not copied once more on its way to the rows.
#[derive(Debug, Default)]
struct Input {
    /// The chunk being read, from `pos`.
    chunk: Bytes,
    pos: usize,
    /// A record that spans chunks (from `carry_pos`), while `carrying`.
    carry: Vec<u8>,
    carry_pos: usize,
    carrying: bool,
    /// Whether the body has no more chunks.
    ended: bool,
    /// The last record: in `carry` or in `chunk`, and where.
    record: (bool, std::ops::Range<usize>),
}

impl Input {
    /// The bytes not yet read, and whether nothing follows them.
    fn unread(&mut self) -> (&[u8], bool) {
        if self.carrying && self.carry_pos == self.carry.len() {
            self.carrying = false;
        }
        if self.carrying {
            let at_eof = self.ended && self.pos == self.chunk.len();
            (&self.carry[self.carry_pos..], at_eof)
        } else {
            (&self.chunk[self.pos..], self.ended)
        }
    }

    /// Marks the record at the start of the unread bytes as read.
    fn consume(&mut self, len: usize) {
        let at = if self.carrying {
            &mut self.carry_pos
        } else {
            &mut self.pos
        };
        self.record = (self.carrying, *at..*at + len);
        *at += len;
    }

    /// The bytes of the last record read.
    fn record(&self) -> &[u8] {
        match &self.record {
            (true, range) => &self.carry[range.clone()],
            (false, range) => &self.chunk[range.clone()],
        }
    }

    /// After the unread bytes proved to end inside a record: moves them to `carry` and adds
    /// what the chunk still holds (a line if nothing of it was taken yet, else all of it).
    /// `false` when the chunk is spent and the next one is needed (set `chunk`, or `ended`).
    fn carry_more(&mut self) -> bool {
        if !self.carrying {
            self.carry.clear();
            self.carry.extend_from_slice(&self.chunk[self.pos..]);
            (self.carry_pos, self.carrying) = (0, true);
            self.pos = self.chunk.len();
        } else if self.carry_pos > 0 {
            self.carry.drain(..self.carry_pos);
            self.carry_pos = 0;
        }
        let rest = &self.chunk[self.pos..];
        if rest.is_empty() {
            self.chunk = Bytes::new();
            self.pos = 0;
            return false;
        }
        let take = match memchr::memchr(b'\n', rest) {
            Some(k) if self.pos == 0 => k + 1,
            _ => rest.len(),
        };
        self.carry.extend_from_slice(&rest[..take]);
        self.pos += take;
        true
    }
}

/// An empty list of text in the buffer of `list` (the standard library collects a mapped
/// `Vec` in place), so that a reader keeps one buffer across records whose text it borrows.
fn recycle<'b>(mut list: Vec<&str>) -> Vec<&'b str> {
    list.clear();
    list.into_iter().map(|_| "").collect()
}

/// The English name of a caption: `Coût (Cost)` → `Cost`, `Cost` → `Cost`.
pub fn caption_name(caption: &str) -> &str {
    let caption = caption.trim();
    if let Some(inner) = caption.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
    {
        return inner[open + 1..].trim();
    }
    caption
}

fn header_positions(layout: Layout, header: &[&str]) -> Vec<Option<usize>> {
    layout
        .columns
        .iter()
        .map(|column| {
            header
                .iter()
                .position(|caption| caption_name(caption).eq_ignore_ascii_case(column.caption))
        })
        .collect()
}

fn decode_error(path: String, message: String, record: String) -> Error {
    Error::Decode(DecodeError {
        status: StatusCode::OK,
        path,
        message,
        snippet: record.chars().take(200).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use chrono::TimeZone;

    #[derive(Debug, Default, PartialEq)]
    struct Row {
        cost: Option<f64>,
        date: Option<DateTime<Utc>>,
        name: Option<String>,
        billed: Option<bool>,
        id: i64,
    }

    impl ServiceCsv for Row {
        const LAYOUT: Layout = Layout {
            title: "Report for {period}",
            range_title: None,
            columns: &[
                Column {
                    caption: "Id",
                    field: "id",
                    kind: CellKind::Number,
                },
                Column {
                    caption: "Cost",
                    field: "cost",
                    kind: CellKind::Number,
                },
                Column {
                    caption: "Date",
                    field: "date",
                    kind: CellKind::DateTime,
                },
                Column {
                    caption: "Name",
                    field: "name",
                    kind: CellKind::Text,
                },
                Column {
                    caption: "Billed",
                    field: "billed",
                    kind: CellKind::Bool,
                },
            ],
        };

        fn write_cells(&self, w: &mut CellWriter<'_>) {
            w.cell(&self.id);
            w.cell(&self.cost);
            w.cell(&self.date);
            w.cell(&self.name);
            w.cell(&self.billed);
        }

        fn read_cells(c: &Cells<'_>) -> Result<Self, CellError> {
            Ok(Row {
                id: c.get(0)?,
                cost: c.get(1)?,
                date: c.get(2)?,
                name: c.get(3)?,
                billed: c.get(4)?,
            })
        }

        fn read_cells_into(&mut self, c: &Cells<'_>) -> Result<(), CellError> {
            c.get_into(0, &mut self.id)?;
            c.get_into(1, &mut self.cost)?;
            c.get_into(2, &mut self.date)?;
            c.get_into(3, &mut self.name)?;
            c.get_into(4, &mut self.billed)
        }
    }

    fn row(id: i64) -> Row {
        Row {
            cost: Some(0.000004776818159),
            date: Some(Utc.with_ymd_and_hms(2019, 4, 1, 0, 0, 0).unwrap()),
            name: Some(format!("{{  \"k\": \"v,{id}\"}}")),
            billed: Some(id % 2 == 0),
            id,
        }
    }

    #[test]
    fn titles_name_the_period_or_the_range() {
        let layout = Layout {
            title: "Report for {billingPeriod}",
            range_title: Some("Report from {startTime} to {endTime}"),
            columns: &[],
        };
        assert_eq!(
            title_for(&layout, &[("billingPeriod", "201904")]),
            "Report for 201904"
        );
        assert_eq!(
            title_for(
                &layout,
                &[
                    ("billingPeriod", ""),
                    ("startTime", "2019-04-03T00:00:00Z"),
                    ("endTime", "2019-04-09")
                ]
            ),
            "Report from 2019-04-03 to 2019-04-09"
        );
        assert_eq!(
            title_for(&layout, &[("startTime", "2019-04-03")]),
            "Report for "
        );
        assert_eq!(fill("{a}{b} {c", &[("a", "1"), ("b", "2")]), "12 {c");
    }

    fn document(rows: &[Row]) -> Vec<u8> {
        let title = fill(Row::LAYOUT.title, &[("period", "201904")]);
        let mut out = Row::LAYOUT.preamble(&title);
        for r in rows {
            r.write_record(&mut out);
        }
        out
    }

    #[test]
    fn writes_the_service_layout() {
        let text = String::from_utf8(document(&[row(1), Row::default()])).unwrap();
        assert_eq!(
            text,
            "Report for 201904\r\n\r\nId,Cost,Date,Name,Billed\r\n\
             1,0.000004776818159,2019-04-01,\"{  \"\"k\"\": \"\"v,1\"\"}\",False\r\n\
             0,,,,\r\n"
        );
        let mut later = Vec::new();
        Row {
            date: Some(Utc.with_ymd_and_hms(2019, 4, 1, 8, 11, 10).unwrap()),
            cost: Some(1e21),
            ..Row::default()
        }
        .write_record(&mut later);
        assert_eq!(later, b"0,1000000000000000000000,2019-04-01T08:11:10,,\r\n");
    }

    #[test]
    fn json_records_are_the_typed_records() {
        for r in [row(1), row(2), Row::default()] {
            let json = serde_json::json!({
                "id": r.id, "cost": r.cost, "name": r.name, "billed": r.billed,
                "date": r.date.map(|d| datetime::format(&d)),
            });
            let (mut typed, mut via_json) = (Vec::new(), Vec::new());
            r.write_record(&mut typed);
            Row::LAYOUT.write_json_record(&json, &mut via_json);
            assert_eq!(String::from_utf8(typed), String::from_utf8(via_json));
        }
    }

    fn read(bytes: Vec<u8>, chunk: usize) -> Vec<Result<Row, Error>> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(rows::<Row>(body(&bytes, chunk)).collect())
    }

    #[test]
    fn reads_back_what_it_writes_in_any_chunking() {
        let mut written: Vec<Row> = (0..50).map(row).collect();
        written.push(Row {
            name: Some(String::new()),
            ..Row::default()
        });
        // Cells of many lines: records that span chunks by more than a line.
        for (at, lines) in [(3, 1), (20, 40), (21, 3)] {
            written[at].name = Some("line,\r\n\"quoted\"\n".repeat(lines));
        }
        let bytes = document(&written);
        for chunk in (1..=160).chain([4096]) {
            let back: Vec<Row> = read(bytes.clone(), chunk)
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert_eq!(back, written, "chunks of {chunk}");
        }
    }

    fn body(bytes: &[u8], chunk: usize) -> ByteStream {
        let chunks: Vec<Result<Bytes, Error>> = bytes
            .chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        ByteStream::new(futures_util::stream::iter(chunks))
    }

    #[test]
    fn a_reused_row_holds_each_record_and_nothing_of_the_last() {
        // Text, then empty cells (an empty name is a value, the rest none), then text again:
        // a value left over from the record before would show.
        let written = [
            row(1),
            Row {
                name: Some(String::new()),
                ..Row::default()
            },
            Row {
                name: Some("x".into()),
                cost: Some(2.5),
                ..Row::default()
            },
            row(4),
        ];
        let bytes = document(&written);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for chunk in [1, 5, 4096] {
            let mut reader = reader::<Row>(body(&bytes, chunk));
            let mut reused = Row::default();
            let mut seen = Vec::new();
            let mut buffers = Vec::new();
            while let Some(result) = runtime.block_on(reader.next_into(&mut reused)) {
                result.unwrap();
                seen.push(Row {
                    name: reused.name.clone(),
                    ..reused
                });
                buffers.push(reused.name.as_ref().map(|n| (n.as_ptr(), n.capacity())));
            }
            assert_eq!(seen, written, "chunks of {chunk}");
            // The name's buffer is the first record's throughout: filled, not reallocated.
            assert!(
                buffers.windows(2).all(|w| w[0] == w[1]),
                "chunks of {chunk}: {buffers:?}"
            );
            let fresh: Vec<Row> = read(bytes.clone(), chunk)
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert_eq!(fresh, seen, "next_row and next_into agree");
        }
    }

    #[test]
    fn localised_captions_bom_lf_and_column_order_are_handled() {
        let text = "\u{feff}Rapport (Report) 201904\n\nNom (Name),Inconnu (Unknown),Coût (Cost),ID (Id),Facturé (Billed)\n\
                    \"a \"\"b\"\"\",x,0.5,7,True\n";
        let rows: Vec<Row> = read(text.as_bytes().to_vec(), 5)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            [Row {
                cost: Some(0.5),
                name: Some("a \"b\"".into()),
                billed: Some(true),
                id: 7,
                date: None,
            }]
        );
    }

    #[test]
    fn a_bad_cell_names_its_record_and_column() {
        let text = "T\r\n\r\nId,Cost\r\n1,2\r\n2,lots\r\n";
        let results = read(text.as_bytes().to_vec(), 4096);
        assert!(results[0].is_ok());
        let Err(Error::Decode(e)) = &results[1] else {
            panic!("{:?}", results[1]);
        };
        assert_eq!(e.path, "line 5, column Cost");
        assert!(e.message.contains("\"lots\""), "{}", e.message);
        assert_eq!(e.snippet, "2,lots");
        let required = read(b"T\r\n\r\nId,Cost\r\n,1\r\n".to_vec(), 4096);
        assert!(matches!(&required[0], Err(Error::Decode(e)) if e.path.contains("column Id")));
    }

    #[test]
    fn the_list_of_a_records_text_keeps_its_buffer() {
        let list: Vec<&str> = Vec::with_capacity(64);
        let at = list.as_ptr().addr();
        let text = String::from("a,b");
        let mut borrowed = recycle(list);
        borrowed.extend(text.split(','));
        let again: Vec<&'static str> = recycle(borrowed);
        assert!(again.is_empty());
        assert_eq!((again.as_ptr().addr(), again.capacity()), (at, 64));
    }

    #[test]
    fn a_record_that_is_not_utf8_is_an_error_naming_its_line() {
        for chunk in [4096, 3, 1] {
            let mut bytes = b"T\r\n\r\nId,Name\r\n1,\"a\r\nb\"\r\n2,caf".to_vec();
            bytes.extend_from_slice(b"\xe9\r\n3,c\r\n");
            let results = read(bytes, chunk);
            assert_eq!(results.len(), 3, "chunks of {chunk}");
            assert_eq!(results[0].as_ref().unwrap().name.as_deref(), Some("a\r\nb"));
            let Err(Error::Decode(e)) = &results[1] else {
                panic!("chunks of {chunk}: {:?}", results[1]);
            };
            // The quoted line break counts: the bad record ends on line 6.
            assert_eq!(e.path, "line 6", "chunks of {chunk}");
            assert!(e.message.starts_with("not UTF-8"), "{}", e.message);
            assert_eq!(e.snippet, "2,caf\u{fffd}\r\n");
            assert_eq!(results[2].as_ref().unwrap().id, 3, "reading goes on");
        }
    }

    #[test]
    fn numbers_are_the_shortest_positional_text() {
        let values = (0..5000).map(|i| f64::from(i) * 0.731 - 900.0 + f64::from(i).powi(4) * 1e-12);
        for v in values.chain([
            0.0,
            -0.0,
            1e-7,
            1e21,
            24.0,
            0.000004776818159,
            123456789012.5,
        ]) {
            let mut out = Vec::new();
            write_f64(v, &mut out);
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text, crate::numbers::plain_decimal(v, 0), "{v}");
            assert_eq!(text.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{v}");
        }
    }

    #[test]
    fn captions_name_their_english_column() {
        assert_eq!(caption_name("Coût (Cost)"), "Cost");
        assert_eq!(caption_name(" Cost "), "Cost");
        assert_eq!(
            caption_name("Adresse e-mail du propriétaire du compte (AccountOwnerEmail)"),
            "AccountOwnerEmail"
        );
    }
}
