//! The file behind a report's `blobPath`: a UTF-8 byte order mark, then exactly the synchronous
//! download of the report's days (title line, blank line, the 40 captions, the rows, CRLF), as
//! the real report files were (wire-format.md, "CSV, asynchronous report"). The rows are those of
//! the JSON pages of the same days, in the same order, generated a chunk at a time as the body is
//! sent: 36 months stream in the memory of one chunk.

use std::sync::Arc;

use super::csv::usage_csv_after;
use crate::body::Payload;
use crate::report::ReportId;
use crate::state::Enrollment;
use crate::universe;

/// The UTF-8 byte order mark the report files start with (Excel reads the file as UTF-8 then).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Content type of the file: what blob storage answers for a blob uploaded without one, and
/// what the synchronous download sends (loaders checked it exactly, wire-format.md C11).
pub const CONTENT_TYPE: &str = "application/octet-stream";

/// The body of the file of `id`, with the rows of its data version.
pub fn report_file(e: Arc<Enrollment>, seed: u64, id: &ReportId) -> Payload {
    let data_seed = universe::data_seed(seed, id.data_version);
    Payload::Document(usage_csv_after(
        e,
        data_seed,
        id.days_with_data(),
        id.title(),
        BOM,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::{BillingPeriod, Days};
    use crate::render::csv::usage_csv;
    use crate::report::Outcome;
    use crate::test_support::d;

    fn bytes(payload: Payload) -> Vec<u8> {
        match payload {
            Payload::Bytes(b) => b.to_vec(),
            Payload::Document(doc) => doc.flat_map(|b| b.to_vec()).collect(),
        }
    }

    #[test]
    fn the_file_is_the_download_after_a_byte_order_mark() {
        let e = Arc::new(Enrollment::build(&Config::default(), "100"));
        let may = BillingPeriod {
            year: 2018,
            month: 5,
        };
        let id = ReportId {
            enrollment: "100".into(),
            requested: Days::of_period(may),
            period: Some(may),
            through: d(2018, 5, 20),
            requested_on_ms: 0,
            data_version: 3,
            outcome: Outcome::Completed,
        };
        let file = bytes(report_file(e.clone(), 42, &id));
        let days = Days::new(d(2018, 5, 1), d(2018, 5, 20));
        let download = bytes(usage_csv(e, universe::data_seed(42, 3), days, id.title()));
        assert_eq!(&file[..3], BOM);
        assert_eq!(file[3..], download[..]);
        let text = String::from_utf8(file[3..].to_vec()).unwrap();
        assert!(
            text.starts_with("UsageDetail Report for Billing Period - 201805\r\n\r\nAccountId,")
        );
        assert_eq!(text.matches("\r\n").count(), 3 + 20 * 80);
    }

    #[test]
    fn chunks_stay_small_however_long_the_range() {
        let e = Arc::new(Enrollment::build(&Config::default(), "100"));
        let days = Days::new(d(2015, 7, 1), d(2018, 6, 30));
        let id = ReportId {
            enrollment: "100".into(),
            requested: days,
            period: None,
            through: d(2018, 6, 30),
            requested_on_ms: 0,
            data_version: 1,
            outcome: Outcome::Completed,
        };
        let Payload::Document(doc) = report_file(e, 42, &id) else {
            panic!("a long range is generated, not built");
        };
        // Look at the first chunks only: each holds at most CHUNK_ITEMS rows.
        for chunk in doc.take(5) {
            assert!(chunk.len() < 1 << 20, "{} bytes", chunk.len());
        }
    }
}
