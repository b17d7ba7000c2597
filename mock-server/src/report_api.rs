//! The answers to the asynchronous report's two API operations, once a request is admitted
//! (auth, rate limit, faults) and resolved (parameters, enrollment):
//!
//! - submit (`POST …/usagedetails/submit`) signs a new report id and answers `202` with the
//!   report object, queued;
//! - poll (`GET …/usagedetails/reports/{id}`) reads the id back and answers `200` with the
//!   report where its timeline is now, with `blobPath` once it is finished with a file.
//!
//! Neither has an ETag (the answer changes with the clock), and every answer that is not final
//! carries `Retry-After`. Nothing is stored: see `crate::report`.

use axum::response::Response;
use chrono::Utc;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::body::Payload;
use crate::problem::error_response;
use crate::render::report::{report_json, usage_report};
use crate::render::{self, usage};
use crate::report::{self, Outcome, ReportId, ReportStatus, Timeline};
use crate::resolve::{CsvTitle, Report, Resolved};
use crate::state::AppState;
use crate::{origin, sas};

/// Request header choosing how a submitted report ends: `failed`, `timed-out` or `no-data`.
pub const OUTCOME_HEADER: &str = "x-mock-report-outcome";

/// Why a report call is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Refusal {
    /// 400: a bad `x-mock-report-outcome`.
    BadRequest(String),
    /// 404: an id this server did not sign for this enrollment, or that does not decode.
    NotFound(String),
}

impl Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::BadRequest(message) => error_response(StatusCode::BAD_REQUEST, message),
            Refusal::NotFound(report_id) => {
                let shown: String = report_id.chars().take(40).collect();
                error_response(
                    StatusCode::NOT_FOUND,
                    format!("report '{shown}' was not found for this enrollment"),
                )
            }
        }
    }
}

/// The answer to a resolved report call; `cut` is an injected dropped connection.
pub fn respond(state: &AppState, parts: &Parts, call: Resolved<Report>, cut: bool) -> Response {
    answer(state, parts, call, cut).unwrap_or_else(Refusal::into_response)
}

fn answer(
    state: &AppState,
    parts: &Parts,
    call: Resolved<Report>,
    cut: bool,
) -> Result<Response, Refusal> {
    let Resolved {
        enrollment, query, ..
    } = call;
    match query {
        Report::Submit {
            requested,
            title,
            today,
        } => {
            let forced = outcome_header(&parts.headers).map_err(Refusal::BadRequest)?;
            // `resolve` checked the enrollment; a report of no enrollment has no data anyway.
            let e = state
                .enrollment(&enrollment)
                .ok_or_else(|| Refusal::NotFound(String::new()))?;
            let outcome = forced.unwrap_or_else(|| {
                if usage::row_count(e, requested.until(today)) == 0 {
                    Outcome::NoDataFound
                } else {
                    Outcome::Completed
                }
            });
            let id = ReportId {
                enrollment,
                requested,
                period: match title {
                    CsvTitle::Period(period) => Some(period),
                    CsvTitle::Range(_) => None,
                },
                through: today,
                requested_on_ms: Utc::now().timestamp_millis(),
                data_version: state.data_version(),
                outcome,
            };
            let timeline = report::at_submit(state.reports.delay);
            Ok(reply(
                state,
                parts,
                StatusCode::ACCEPTED,
                &id,
                timeline,
                cut,
            ))
        }
        Report::Poll { report_id } => {
            let id = ReportId::decode(&report_id, &state.reports.keys)
                .ok()
                .filter(|id| id.enrollment == enrollment)
                .ok_or(Refusal::NotFound(report_id))?;
            let timeline = report::status_at(&id, state.reports.delay, Utc::now());
            Ok(reply(state, parts, StatusCode::OK, &id, timeline, cut))
        }
    }
}

/// The outcome `x-mock-report-outcome` asks for: `Ok(None)` without the header, `Err` (for a
/// 400) for another value or the header sent twice.
pub fn outcome_header(headers: &HeaderMap) -> Result<Option<Outcome>, String> {
    let mut values = headers.get_all(OUTCOME_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(format!("{OUTCOME_HEADER} must be sent at most once"));
    }
    let text = value.to_str().unwrap_or("").trim();
    match text.to_ascii_lowercase().as_str() {
        "failed" => Ok(Some(Outcome::Failed)),
        "timed-out" => Ok(Some(Outcome::TimedOut)),
        "no-data" => Ok(Some(Outcome::NoDataFound)),
        _ => {
            let shown: String = text.chars().take(20).collect();
            Err(format!(
                "{OUTCOME_HEADER} '{shown}' is not supported; use failed, timed-out or no-data"
            ))
        }
    }
}

/// The report object of `id` in the state `timeline` gives, with `reportUrl` on the origin the
/// request came in on (the rule of `nextLink`) and `blobPath` on the blob origin.
fn reply(
    state: &AppState,
    parts: &Parts,
    status: StatusCode,
    id: &ReportId,
    timeline: Timeline,
    cut: bool,
) -> Response {
    let settings = &state.reports;
    let text = id.encode(&settings.keys);
    let origin = origin::request_origin(state.public_url.as_deref(), &parts.headers, &parts.uri);
    let report_url = format!(
        "{origin}/v3/enrollments/{}/usagedetails/reports/{text}",
        id.enrollment
    );
    let blob_path = if timeline.status == ReportStatus::Completed {
        sas::blob_url(
            &settings.blob_origin,
            &sas::blob_path(&id.enrollment, &text),
            id.requested_on(),
            settings.link_ttl_secs,
            &settings.keys,
        )
    } else {
        String::new()
    };
    let report = usage_report(id, &text, timeline.status, &blob_path, &report_url);
    let body = Payload::Bytes(report_json(&report, state.timestamps).into()).into_body(cut);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(render::JSON));
    if let Some(secs) = timeline.retry_after_secs {
        headers.insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    #[test]
    fn the_outcome_header_names_one_of_three_outcomes() {
        assert_eq!(outcome_header(&HeaderMap::new()), Ok(None));
        for (value, outcome) in [
            ("failed", Outcome::Failed),
            (" Timed-Out ", Outcome::TimedOut),
            ("no-data", Outcome::NoDataFound),
        ] {
            let h = headers(&[(OUTCOME_HEADER, value)]);
            assert_eq!(outcome_header(&h), Ok(Some(outcome)), "{value}");
        }
        for bad in ["completed", "", "fail"] {
            let h = headers(&[(OUTCOME_HEADER, bad)]);
            let err = outcome_header(&h).unwrap_err();
            assert!(err.contains("not supported"), "{err}");
        }
        let twice = headers(&[(OUTCOME_HEADER, "failed"), (OUTCOME_HEADER, "failed")]);
        assert!(outcome_header(&twice).unwrap_err().contains("at most once"));
    }
}
