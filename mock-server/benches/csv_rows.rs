//! Reading the service-layout CSV download, in process on one thread: the generated client's
//! typed rows (`UsageDetailsDeNormalizedTitaniumJuly`, every cell parsed into its field), a new
//! row each (`runtime::service_csv::rows`, what `.rows()` gives) and one row filled again and
//! again (`RowReader::next_into`), against the `csv` crate's raw record rate on the same bytes
//! (`csv::Reader::read_byte_record` into one record, no field looked at): the share of the
//! parse limit that typing costs.
//!
//! ```text
//! cargo bench -p ea-mock-server --bench csv_rows -- --rows 400000
//! ```
//!
//! Flags: `--rows N` (at least N rows read each way, default 400,000, in whole months of the
//! default data), `--chunk BYTES` (the size of the body's chunks, as they come off a socket;
//! default 16,384). The bytes are the mock's own download of May 2018, rendered once before
//! timing. The three ways take turns, a month each. Prints one human line and one `RESULT kind=... rows=... bytes=... secs=...
//! rows_per_sec=... mb_per_sec=...` line per way, then `RESULT kind=share typed_of_raw=...`.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use chrono::NaiveDate;
use ea_mock_server::Config;
use ea_mock_server::body::Payload;
use ea_mock_server::domain::Days;
use ea_mock_server::render::csv;
use ea_mock_server::resolve::CsvTitle;
use ea_mock_server::state::Enrollment;
use ea_mock_server::universe;
use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as Row;
use ea_reporting::runtime::{ByteStream, service_csv};
use futures_util::StreamExt;

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

/// The month's download as one buffer.
fn month_csv() -> Vec<u8> {
    let config = Config::default();
    let e = Arc::new(Enrollment::build(&config, "100"));
    let seed = universe::data_seed(config.seed, config.data_version);
    let may = Days::new(
        NaiveDate::from_ymd_opt(2018, 5, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2018, 5, 31).expect("a date"),
    );
    match csv::usage_csv(e, seed, may, CsvTitle::Range(may)) {
        Payload::Bytes(bytes) => bytes.to_vec(),
        Payload::Document(doc) => doc.flat_map(|chunk| chunk.to_vec()).collect(),
    }
}

fn report(kind: &str, rows: u64, bytes: u64, secs: f64) -> f64 {
    let rate = rows as f64 / secs;
    println!(
        "csv {kind}: {rows} rows, {bytes} bytes in {secs:.3} s = {rate:.0} rows/s, {:.0} MB/s (one thread)",
        bytes as f64 / 1e6 / secs
    );
    println!(
        "RESULT kind={kind} rows={rows} bytes={bytes} secs={secs:.4} rows_per_sec={rate:.0} mb_per_sec={:.1}",
        bytes as f64 / 1e6 / secs
    );
    rate
}

/// Records of `body` by the `csv` crate, fields untouched (the title and blank line included,
/// as they are records too).
fn raw_records(body: &[u8]) -> u64 {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut record = ::csv::ByteRecord::new();
    let mut n = 0;
    while reader.read_byte_record(&mut record).expect("a record") {
        n += 1;
    }
    n
}

/// `body` in `chunk`-sized pieces, as a socket gives it.
fn chunked(body: &Bytes, chunk: usize) -> ByteStream {
    let pieces: Vec<Result<Bytes, ea_reporting::Error>> = (0..body.len())
        .step_by(chunk)
        .map(|at| Ok(body.slice(at..(at + chunk).min(body.len()))))
        .collect();
    ByteStream::new(futures_util::stream::iter(pieces))
}

/// Typed rows of `body`, a new row each (`service_csv::rows`, what `.rows()` gives).
async fn typed_rows(body: &Bytes, chunk: usize) -> u64 {
    let mut rows = service_csv::rows::<Row>(chunked(body, chunk));
    let mut n = 0;
    while let Some(row) = rows.next().await {
        std::hint::black_box(row.expect("a row"));
        n += 1;
    }
    n
}

/// Typed rows of `body` read into one row again and again (`RowReader::next_into`, as the
/// `csv` crate's raw rate reads into one record).
async fn typed_rows_into(body: &Bytes, chunk: usize) -> u64 {
    let mut reader = service_csv::reader::<Row>(chunked(body, chunk));
    let (mut row, mut n) = (Row::default(), 0);
    while let Some(done) = reader.next_into(&mut row).await {
        done.expect("a row");
        std::hint::black_box(&row);
        n += 1;
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let want: u64 = flag(&args, "--rows").map_or(400_000, |n| n.parse().expect("a count"));
    let chunk: usize = flag(&args, "--chunk").map_or(16_384, |n| n.parse().expect("a size"));
    let body = Bytes::from(month_csv());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let month_rows = runtime.block_on(typed_rows(&body, chunk));
    // The raw reader also returns the title and the header (it skips the blank line); the
    // rates are of data rows both ways.
    let raw_extra = raw_records(&body) - month_rows;
    let months = want.div_ceil(month_rows).max(1);
    let rows = months * month_rows;
    let bytes = months * body.len() as u64;

    // The three ways take turns month by month, each timed on its own, so that a slower spell
    // of a shared machine falls on all three alike rather than on whichever ran then.
    let mut secs = [0.0; 3];
    let timed = |secs: &mut f64, read: &mut dyn FnMut() -> u64| {
        let started = Instant::now();
        assert_eq!(read(), month_rows);
        *secs += started.elapsed().as_secs_f64();
    };
    for _ in 0..months {
        timed(&mut secs[0], &mut || {
            raw_records(std::hint::black_box(&body)) - raw_extra
        });
        timed(&mut secs[1], &mut || {
            runtime.block_on(typed_rows(&body, chunk))
        });
        timed(&mut secs[2], &mut || {
            runtime.block_on(typed_rows_into(&body, chunk))
        });
    }
    let raw = report("raw", rows, bytes, secs[0]);
    let typed = report("typed", rows, bytes, secs[1]);
    let reused = report("typed_into", rows, bytes, secs[2]);
    println!(
        "typed rows at {:.0}% of the raw record rate (a new row each), {:.0}% (one row reused)",
        100.0 * typed / raw,
        100.0 * reused / raw
    );
    println!(
        "RESULT kind=share typed_of_raw={:.3} typed_into_of_raw={:.3}",
        typed / raw,
        reused / raw
    );
}
