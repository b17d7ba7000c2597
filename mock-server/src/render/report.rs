//! The report object submit and every poll answer (`UsageReportV3`), written like every other
//! mock JSON through the wire formatter (service timestamps by default, `--timestamps rfc3339`
//! honoured): `requestedOn` with its milliseconds, `startDate`/`endDate` the first and last
//! requested day at midnight, `blobPath` empty until the file exists.

use ea_reporting::models::UsageReportV3;

use super::midnight;
use crate::report::{ReportId, ReportStatus};
use crate::wire::{self, Timestamps};

/// The report object of `id` (whose text is `id_text`) in state `status`.
pub fn usage_report(
    id: &ReportId,
    id_text: &str,
    status: ReportStatus,
    blob_path: &str,
    report_url: &str,
) -> UsageReportV3 {
    UsageReportV3 {
        id: Some(id_text.to_owned()),
        enrollment_number: Some(id.enrollment.clone()),
        requested_on: Some(id.requested_on()),
        status: Some(status.code()),
        blob_path: Some(blob_path.to_owned()),
        report_url: Some(report_url.to_owned()),
        start_date: Some(midnight(id.requested.first)),
        end_date: Some(midnight(id.requested.last)),
    }
}

/// The JSON text of a report object.
pub fn report_json(report: &UsageReportV3, timestamps: Timestamps) -> Vec<u8> {
    wire::to_vec(report, timestamps, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Days;
    use crate::report::Outcome;
    use crate::test_support::d;

    #[test]
    fn fields_in_the_service_form() {
        let id = ReportId {
            enrollment: "100".into(),
            requested: Days::new(d(2018, 3, 1), d(2018, 5, 31)),
            period: None,
            through: d(2018, 6, 15),
            requested_on_ms: 1_529_056_800_250,
            data_version: 1,
            outcome: Outcome::Completed,
        };
        let report = usage_report(&id, "abc", ReportStatus::Queued, "", "http://x/r");
        let text = String::from_utf8(report_json(&report, Timestamps::Service)).unwrap();
        assert_eq!(
            text,
            r#"{"id":"abc","enrollmentNumber":"100","requestedOn":"2018-06-15T10:00:00.250","status":1,"blobPath":"","reportUrl":"http://x/r","startDate":"2018-03-01T00:00:00","endDate":"2018-05-31T00:00:00"}"#
        );
        let text = String::from_utf8(report_json(&report, Timestamps::Rfc3339)).unwrap();
        assert!(
            text.contains(r#""requestedOn":"2018-06-15T10:00:00.250Z""#),
            "{text}"
        );
        assert!(
            text.contains(r#""endDate":"2018-05-31T00:00:00Z""#),
            "{text}"
        );
    }
}
