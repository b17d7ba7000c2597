//! The API itself: every request not routed to `/health`, `/swagger` or `/admin`.
//!
//! A request's way through: latency → auth (401) → the key's enrollment (401) → run-time
//! fault rules (`crate::scenarios`) → rate limit (429) → forced status
//! (`x-mock-status` / `Prefer: code=`) → random fault → match the generated
//! `Operation` (404 / 405 / 400) → domain checks and enrollment (400) → the key's view
//! (`crate::view`) → ETag of the request's identity and view → `If-None-Match` (304) →
//! generate the body (JSON, or streamed CSV). Each step is a small function; the failure of one is the response. The
//! asynchronous report's operations leave after the domain checks for `crate::report_api`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use ea_reporting::operations::match_request;
use ea_reporting::runtime::server::MatchError;
use http::header::{ALLOW, AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG};
use http::request::Parts;
use http::{HeaderValue, Method, StatusCode};

use crate::auth::{AuthError, KeyId};
use crate::body::Payload;
use crate::conditional::{self, Precondition};
use crate::domain::Days;
use crate::faults::{self, Fault};
use crate::keys::{Caller, KeyScope};
use crate::logging::RequestNote;
use crate::memo::{Answer, AnswerKey};
use crate::paging;
use crate::problem::{self, error_response};
use crate::render::{self, PagePlan, usage};
use crate::resolve::{Query, Resolution, Resolved, resolve};
use crate::scenarios::{Facts, FaultAction};
use crate::stable_hash::StableHasher;
use crate::state::{AppState, Enrollment};
use crate::view::View;
use crate::wire::Timestamps;
use crate::{auth, origin, report_api, totals, universe};

/// Handles one API request (the router's fallback): the answer carries its [`RequestNote`] in
/// its extensions, for the layers around the router.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let (mut response, note) = answer_noted(&state, request).await;
    response.extensions_mut().insert(note);
    response
}

/// The answer to one API request and what was learned on the way, side by side (an extension
/// is a map and a box per request; [`crate::front`] hands the note to the journal itself).
pub async fn answer_noted(state: &AppState, request: Request) -> (Response, RequestNote) {
    let (parts, _body) = request.into_parts();
    if !state.latency.is_zero() {
        Box::pin(tokio::time::sleep(state.latency)).await;
    }
    let mut note = RequestNote::default();
    let response = match respond(state, &parts, &mut note).await {
        Ok(response) | Err(response) => response,
    };
    (response, note)
}

async fn respond(
    state: &AppState,
    parts: &Parts,
    note: &mut RequestNote,
) -> Result<Response, Response> {
    // HEAD is answered like GET; hyper leaves the body out.
    let method = if parts.method == Method::HEAD {
        Method::GET
    } else {
        parts.method.clone()
    };
    // Matched first (rules name operations), answered in the documented order: a bad key is a
    // 401 even on an unknown path.
    let matched = match_request(&method, parts.uri.path(), parts.uri.query(), &parts.headers);
    note.operation = matched.as_ref().ok().map(|op| op.id());
    let gate = admit(state, parts, note, note.operation);
    if !gate.delay.is_zero() {
        Box::pin(tokio::time::sleep(gate.delay)).await;
    }
    let (cut, scope) = match gate.admission {
        Admission::Admitted { cut, scope } => (cut, scope),
        Admission::Refused(response) => return Err(response),
    };
    // The operation is dropped here, not held across the awaits below.
    let resolution = resolve(
        &matched.map_err(match_error)?,
        state.today(),
        |e| state.enrollment(e).is_some(),
        &state.enrollment_numbers,
    )
    .map_err(bad_request)?;
    let resolved = match resolution {
        Resolution::Data(resolved) => resolved,
        // The asynchronous report: no ETag, no memo; its answer moves with the clock.
        Resolution::Report(call) => {
            if scope != KeyScope::Enterprise {
                return Err(bad_request(
                    "the mock serves the asynchronous report to enterprise keys only: its file \
                     would hold the whole enrollment"
                        .to_owned(),
                ));
            }
            return Ok(report_api::respond(state, parts, call, cut));
        }
    };
    // Read once: the key of a kept answer and its ETag must name the same version.
    let version = state.data_version();
    // Only the whole enrollment's answers are kept (one slot per period, not per view).
    let memo = memo_key(version, &resolved).filter(|_| scope == KeyScope::Enterprise);
    if let Some(key) = &memo
        && !cut
        && let Some(kept) = state
            .enrollment(&resolved.enrollment)
            .and_then(|e| e.answers.get(key))
    {
        return Ok(remembered(&method, &parts.headers, kept));
    }
    // Boxed: a kept answer's way stays small (every request's future is moved into a box
    // by the router; this one's state is most of its size).
    Box::pin(fresh(
        state, parts, &method, resolved, scope, cut, version, memo,
    ))
    .await
}

/// The answer made anew: the key's view, the plan and its ETag, `304` or the body.
#[allow(clippy::too_many_arguments)]
async fn fresh(
    state: &AppState,
    parts: &Parts,
    method: &Method,
    resolved: Resolved,
    scope: KeyScope,
    cut: bool,
    version: u64,
    memo: Option<AnswerKey>,
) -> Result<Response, Response> {
    let view = state
        .enrollment(&resolved.enrollment)
        .and_then(|e| View::of(e, scope))
        .ok_or_else(|| AuthError::WrongEnrollment.into_response())?;
    let view = Arc::new(view);
    let plan = plan(state, parts, resolved, view, version, memo).map_err(bad_request)?;
    if conditional::evaluate(method, &parts.headers, &plan.etag) == Precondition::NotModified {
        return Ok(conditional::not_modified(&plan.etag));
    }
    Ok(answer(plan, cut, state.timestamps).await)
}

/// The key under which the answer is kept (balance summaries only; see [`crate::memo`]).
fn memo_key(version: u64, resolved: &Resolved) -> Option<AnswerKey> {
    match resolved.query {
        Query::BalanceSummary { period, days } => {
            Some((resolved.operation, period, days.last, version))
        }
        _ => None,
    }
}

/// A kept answer: `304` when `If-None-Match` matches its ETag, else the `200`.
fn remembered(method: &Method, headers: &http::HeaderMap, kept: Answer) -> Response {
    let etag = kept.etag.to_str().expect("an ETag is visible ASCII");
    if conditional::evaluate(method, headers, etag) == Precondition::NotModified {
        return conditional::not_modified(etag);
    }
    let mut response = Response::new(axum::body::Body::from(kept.body));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(render::JSON));
    headers.insert(ETAG, kept.etag);
    response
}

/// Whether a request gets past auth, rate limit, forced status and random faults.
enum Admission {
    /// Go on; `cut` means an injected dropped connection (the body will break off).
    Admitted { cut: bool, scope: KeyScope },
    /// Answer this instead.
    Refused(Response),
}

/// An [`Admission`] and the delay a fault rule adds before it.
struct Gate {
    admission: Admission,
    delay: std::time::Duration,
}

impl From<Admission> for Gate {
    fn from(admission: Admission) -> Self {
        Gate {
            admission,
            delay: std::time::Duration::ZERO,
        }
    }
}

/// The enrollment number a path names (`…/enrollments/{e}/…`, any case), if it names one.
fn enrollment_in_path(path: &str) -> Option<&str> {
    let mut segments = path.split('/');
    segments.find(|s| s.eq_ignore_ascii_case("enrollments"))?;
    segments.next().filter(|s| !s.is_empty())
}

fn admit(
    state: &AppState,
    parts: &Parts,
    note: &mut RequestNote,
    operation: Option<&'static str>,
) -> Gate {
    let caller = match auth::bearer_token(parts.headers.get(AUTHORIZATION))
        .and_then(|token| state.key_ring.authenticate(token))
    {
        Ok(caller) => caller,
        Err(e) => return Admission::Refused(e.into_response()).into(),
    };
    let Caller { id, name, binding } = caller;
    note.key = Some(id);
    // The path is read only for a key bound to one enrollment.
    if binding.enrollment.is_some()
        && enrollment_in_path(parts.uri.path()).is_some_and(|e| !binding.allows(e))
    {
        note.key_name = Some(name);
        return Admission::Refused(AuthError::WrongEnrollment.into_response()).into();
    }
    let facts = Facts {
        operation,
        path: parts.uri.path(),
        key: Some(&name),
    };
    let hit = state.scenarios.take(&facts, Instant::now());
    // Moved, not cloned: every clone of a key's name counts on memory all cores share.
    note.key_name = Some(name);
    let scope = binding.scope;
    let mut delay = std::time::Duration::ZERO;
    if let Some(hit) = hit {
        note.rule = Some(hit.rule);
        note.fault = Some("rule");
        delay = hit.latency;
        let admission = match hit.action {
            Some(FaultAction::Status(code)) => {
                let why = format!("fault rule {}", hit.rule);
                Some(Admission::Refused(fault_response(
                    code,
                    state.retry_after_secs,
                    &why,
                )))
            }
            Some(FaultAction::Drop) => Some(Admission::Admitted { cut: true, scope }),
            None => None,
        };
        if let Some(admission) = admission {
            return Gate { admission, delay };
        }
    }
    Gate {
        admission: admit_faults(state, parts, note, id, scope),
        delay,
    }
}

/// Rate limit, forced status and random faults, for the authenticated key `id`.
fn admit_faults(
    state: &AppState,
    parts: &Parts,
    note: &mut RequestNote,
    id: KeyId,
    scope: KeyScope,
) -> Admission {
    if let Some(limiter) = &state.rate_limiter
        && let Err(secs) = limiter.check(id, Instant::now())
    {
        note.fault = Some("rate-limit");
        return Admission::Refused(problem::throttled(secs));
    }
    match faults::forced_status(&parts.headers) {
        Err(message) => {
            return Admission::Refused(error_response(StatusCode::BAD_REQUEST, message));
        }
        Ok(Some(code)) => {
            note.fault = Some("forced");
            return Admission::Refused(fault_response(code, state.retry_after_secs, FORCED));
        }
        Ok(None) => {}
    }
    match state.faults.next_fault() {
        Some(Fault::Status(code)) => {
            note.fault = Some("injected");
            Admission::Refused(fault_response(code, state.retry_after_secs, INJECTED))
        }
        Some(Fault::Drop) => {
            note.fault = Some("injected-drop");
            Admission::Admitted { cut: true, scope }
        }
        None => Admission::Admitted { cut: false, scope },
    }
}

/// Everything the answer to a resolved request is made from.
struct Plan {
    resolved: Resolved,
    enrollment: Arc<Enrollment>,
    view: Arc<View>,
    data_seed: u64,
    etag: String,
    page: Option<PagePlan>,
    /// Where to keep the answer, if it is kept.
    memo: Option<AnswerKey>,
}

/// The ETag of the answer and, for usage, its page: all without generating any data.
fn plan(
    state: &AppState,
    parts: &Parts,
    resolved: Resolved,
    view: Arc<View>,
    version: u64,
    memo: Option<AnswerKey>,
) -> Result<Plan, String> {
    let enrollment = state
        .enrollment(&resolved.enrollment)
        .expect("resolve checked the enrollment")
        .clone();
    let mut identity = format!(
        "{:016x}|{}{}",
        state.fingerprint,
        resolved.identity(),
        view.tag()
    );
    let page = match resolved.query {
        Query::UsagePage { requested, days } => {
            let (page, extra) =
                plan_page(state, &enrollment, &view, &resolved, requested, days, parts)?;
            identity.push_str(&extra);
            Some(page)
        }
        _ => None,
    };
    Ok(Plan {
        etag: conditional::compute_etag(state.seed, version, &identity),
        data_seed: universe::data_seed(state.seed, version),
        resolved,
        enrollment,
        view,
        page,
        memo,
    })
}

/// The `200`: generates (or starts streaming) the body and sets its headers.
async fn answer(plan: Plan, cut: bool, timestamps: Timestamps) -> Response {
    let Plan {
        resolved,
        enrollment,
        view,
        data_seed,
        etag,
        page,
        memo,
    } = plan;
    let totals = match resolved.query {
        Query::BalanceSummary { period, days } => Some(
            totals::period_totals_in(enrollment.clone(), view.clone(), data_seed, period, days)
                .await,
        ),
        _ => None,
    };
    let rendered = render::render_in(
        &enrollment,
        &view,
        data_seed,
        &resolved.query,
        page,
        totals,
        timestamps,
    );
    let etag = HeaderValue::from_str(&etag).expect("an ETag is visible ASCII");
    if let (Some(key), Payload::Bytes(body)) = (memo, &rendered.payload) {
        let kept = Answer {
            etag: etag.clone(),
            body: body.clone(),
        };
        enrollment.answers.put(key, kept);
    }
    let mut response = Response::new(rendered.payload.into_body(cut));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(rendered.content_type),
    );
    headers.insert(ETAG, etag);
    if let Query::UsageCsv { days, .. } = resolved.query {
        let name = format!(
            "attachment; filename=\"usagedetails-{}-{}-{}.csv\"",
            resolved.enrollment, days.first, days.last
        );
        if let Ok(value) = HeaderValue::from_str(&name) {
            headers.insert(CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// Which rows the requested usage page holds, its `id` and `nextLink`, and what to add
/// to the ETag identity (the page, and the origin its `nextLink` names).
fn plan_page(
    state: &AppState,
    e: &Enrollment,
    view: &View,
    resolved: &Resolved,
    requested: Days,
    days: Days,
    parts: &Parts,
) -> Result<(PagePlan, String), String> {
    let scope = format!(
        "{:016x}|{}|{}|{requested}{}",
        state.fingerprint,
        resolved.operation,
        resolved.enrollment,
        view.tag()
    );
    let offset = match paging::skiptoken(parts.uri.query())? {
        None => 0,
        Some(token) => paging::decode_token(state.seed, &scope, &token)?,
    };
    let total = usage::row_count_in(e, view, days);
    if offset > 0 && offset >= total {
        return Err(format!("{} points past the last row", paging::SKIPTOKEN));
    }
    let (start, end, more) = paging::page_bounds(offset, state.page_size, total);
    let origin = origin::request_origin(state.public_url.as_deref(), &parts.headers, &parts.uri);
    let next_link = more.then(|| {
        let token = paging::encode_token(state.seed, &scope, end);
        paging::next_link(&origin, parts.uri.path(), parts.uri.query(), &token)
    });
    let id = render::guid(
        StableHasher::new()
            .str("page-id")
            .u64(state.seed)
            .str(&scope)
            .u64(offset),
    );
    let extra = format!("|page={offset}|origin={origin}");
    let plan = PagePlan {
        rows: start..end,
        id,
        next_link,
    };
    Ok((plan, extra))
}

const FORCED: &str = "forced by the x-mock-status or Prefer request header";
const INJECTED: &str = "injected fault, --fault-rate";

/// The answer to a forced or injected status, with the documented retry headers.
fn fault_response(code: u16, retry_after_secs: u64, why: &str) -> Response {
    match code {
        429 => problem::throttled(retry_after_secs),
        503 => problem::unavailable(retry_after_secs),
        other => {
            let status = StatusCode::from_u16(other).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            error_response(status, format!("{reason} ({why})"))
        }
    }
}

fn bad_request(message: String) -> Response {
    error_response(StatusCode::BAD_REQUEST, message)
}

/// 404 for an unknown path, 405 (with `Allow`) for a wrong method, else 400; the
/// matcher's message names the parameter and why.
fn match_error(err: MatchError) -> Response {
    match &err {
        MatchError::UnknownPath { .. } => error_response(StatusCode::NOT_FOUND, err.to_string()),
        MatchError::MethodNotAllowed { allowed, .. } => {
            let mut response = error_response(StatusCode::METHOD_NOT_ALLOWED, err.to_string());
            if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                response.headers_mut().insert(ALLOW, value);
            }
            response
        }
        MatchError::MissingParameter { .. } | MatchError::InvalidParameter { .. } => {
            error_response(StatusCode::BAD_REQUEST, err.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::RATE_LIMIT_RETRY_AFTER;
    use http::header::{IF_NONE_MATCH, RETRY_AFTER};
    use tower::ServiceExt;

    async fn get(app: &axum::Router, uri: &str, etag: Option<&str>) -> (u16, String, Vec<u8>) {
        let mut request = http::Request::get(uri).header(AUTHORIZATION, "bearer ea-mock-key");
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = app
            .clone()
            .oneshot(request.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let etag = response.headers()[ETAG].to_str().unwrap().to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, etag, body.to_vec())
    }

    #[tokio::test]
    async fn kept_balance_summaries_are_the_answers_they_keep() {
        let state = AppState::new(&crate::Config {
            today: chrono::NaiveDate::from_ymd_opt(2018, 6, 15),
            ..crate::Config::default()
        });
        let app = crate::router(state.clone());
        let by_period = "/v3/enrollments/100/billingperiods/201806/balancesummary";
        let current = "/v3/enrollments/100/balancesummary";
        let first = get(&app, by_period, None).await;
        assert_eq!(first.0, 200);
        assert_eq!(state.enrollments[0].answers.len(), 1, "kept");
        assert_eq!(get(&app, by_period, None).await, first, "the kept answer");
        let (status, etag, body) = get(&app, by_period, Some(&first.1)).await;
        assert_eq!(
            (status, etag.as_str(), body.len()),
            (304, first.1.as_str(), 0)
        );
        // The current period is the same body under another operation, so another tag.
        let now = get(&app, current, None).await;
        assert_eq!(now.2, first.2);
        assert_ne!(now.1, first.1);
        assert_eq!(get(&app, current, None).await, now);
        // Another data version: another tag and other figures, then kept too.
        state.bump_data_version();
        let next = get(&app, by_period, None).await;
        assert_ne!(next.1, first.1);
        assert_ne!(next.2, first.2);
        assert_eq!(get(&app, by_period, None).await, next);
        assert_eq!(state.enrollments[0].answers.len(), 3);
    }

    #[test]
    fn fault_responses_carry_retry_headers() {
        let r = fault_response(429, 0, FORCED);
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[&RATE_LIMIT_RETRY_AFTER], "0");
        let r = fault_response(503, 7, INJECTED);
        assert_eq!(r.headers()[RETRY_AFTER], "7");
        assert_eq!(
            fault_response(500, 1, INJECTED).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            fault_response(401, 1, FORCED).status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn the_enrollment_of_a_path() {
        assert_eq!(
            enrollment_in_path("/v3/enrollments/100/usagedetails"),
            Some("100")
        );
        assert_eq!(
            enrollment_in_path("/v2/Enrollments/7/billingperiods"),
            Some("7")
        );
        assert_eq!(enrollment_in_path("/v3/enrollments/"), None);
        assert_eq!(enrollment_in_path("/health"), None);
    }

    #[test]
    fn match_errors_map_to_statuses() {
        let r = match_error(MatchError::MethodNotAllowed {
            method: "POST".into(),
            allowed: vec!["GET"],
        });
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[ALLOW], "GET");
        let r = match_error(MatchError::UnknownPath { path: "/x".into() });
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = match_error(MatchError::MissingParameter {
            name: "startTime",
            location: "query",
        });
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}
