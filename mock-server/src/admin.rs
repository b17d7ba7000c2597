//! Endpoints around the API: readiness, the data version, the request journal and the fault
//! rules.
//!
//! The admin API (`/admin/requests`, `/admin/faults`) has a key of its own, `--admin-key`, so a
//! team's code under test (which holds an API key) cannot read or steer it; without the flag
//! those routes answer 404. `/admin/data-version` predates it: without `--admin-key` it still
//! takes any API key, as it always did; with it, only the admin key.

use axum::body::Bytes;
use std::time::Instant;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::auth::{self, AuthError};
use crate::journal::Filter;
use crate::problem::{JSON_UTF8, error_response};
use crate::scenarios::{FaultRule, RuleId};
use crate::state::AppState;

/// The admin API's gate: the refusal, if any: 404 while it is off (no `--admin-key`), 401
/// without its key.
fn admin_refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let Some(admin) = &state.admin_key else {
        return Some(error_response(
            StatusCode::NOT_FOUND,
            "the admin API is off; start the mock with --admin-key (EA_MOCK_ADMIN_KEY)",
        ));
    };
    let token = match auth::bearer_token(headers.get(AUTHORIZATION)) {
        Ok(token) => token,
        Err(e) => return Some(e.into_response()),
    };
    (!auth::constant_time_eq(token.as_bytes(), admin.as_bytes())).then(|| {
        error_response(
            StatusCode::UNAUTHORIZED,
            "the admin API needs the admin key (--admin-key), not an API key",
        )
    })
}

/// `/admin/data-version`'s gate: the admin key when there is one, else any API key (as before
/// the admin key existed).
fn data_version_refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    if state.admin_key.is_some() {
        return admin_refusal(state, headers);
    }
    auth::bearer_token(headers.get(AUTHORIZATION))
        .and_then(|token| state.key_ring.authenticate(token))
        .err()
        .map(|e: AuthError| e.into_response())
}

fn json_response(value: &serde_json::Value) -> Response {
    let mut response = Response::new(
        serde_json::to_vec(value)
            .expect("a value serializes")
            .into(),
    );
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// `GET /health`: 200 once the server answers (no key needed), so CI can wait on it.
pub async fn health(State(state): State<AppState>) -> Response {
    json_response(&json!({
        "status": "ok",
        "enrollments": state.enrollment_numbers,
        "dataVersion": state.data_version(),
    }))
}

/// Body of `POST /admin/data-version` (optional).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SetVersion {
    data_version: u64,
}

/// `GET /admin/data-version` (key required): `{"dataVersion": n}`.
pub async fn get_data_version(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(response) = data_version_refusal(&state, &headers) {
        return response;
    }
    json_response(&json!({ "dataVersion": state.data_version() }))
}

/// `POST /admin/data-version` (key required): with no body, moves to the next data
/// version, as a daily refresh of the real data would; with `{"dataVersion": n}`, sets
/// it. Either way every ETag and every row value changes with it. Answers the new
/// version.
pub async fn post_data_version(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = data_version_refusal(&state, &headers) {
        return response;
    }
    let version = if body.iter().all(u8::is_ascii_whitespace) {
        state.bump_data_version()
    } else {
        match serde_json::from_slice::<SetVersion>(&body) {
            Ok(set) => {
                state.set_data_version(set.data_version);
                set.data_version
            }
            Err(e) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "the body must be empty or {{\"dataVersion\": <unsigned integer>}}: {e}"
                    ),
                );
            }
        }
    };
    tracing::info!(data_version = version, "data version changed");
    json_response(&json!({ "dataVersion": version }))
}

/// `GET /admin/requests[?operation=&status=&listener=]`: the journal, oldest first.
pub async fn get_requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(response) = admin_refusal(&state, &headers) {
        return response;
    }
    let filter = match Filter::parse(query.as_deref()) {
        Ok(filter) => filter,
        Err(message) => return error_response(StatusCode::BAD_REQUEST, message),
    };
    let mut response = Response::new(state.journal.listing_json(&filter).into());
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// `DELETE /admin/requests`: forgets the journal.
pub async fn delete_requests(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(response) = admin_refusal(&state, &headers) {
        return response;
    }
    json_response(&json!({ "cleared": state.journal.clear() }))
}

/// `GET /admin/faults`: the live rules, with what is left of them.
pub async fn get_faults(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(response) = admin_refusal(&state, &headers) {
        return response;
    }
    json_response(&json!({ "faults": state.scenarios.list(Instant::now()) }))
}

/// `POST /admin/faults` with a rule (see `crate::scenarios::FaultRule`): 201 and the rule as
/// listed; 400 with the reason for a body that is not a valid rule.
pub async fn post_fault(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = admin_refusal(&state, &headers) {
        return response;
    }
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                format!("the body must be a fault rule: {e}"),
            );
        }
    };
    let now = Instant::now();
    match state.scenarios.add(rule, now) {
        Ok(id) => {
            tracing::info!(rule = %id, "fault rule added");
            let listed = state.scenarios.list(now).into_iter().find(|r| r.id == id);
            let mut response = json_response(&json!({ "id": id, "fault": listed }));
            *response.status_mut() = StatusCode::CREATED;
            response
        }
        Err(e) => error_response(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// `DELETE /admin/faults`: removes every rule.
pub async fn delete_faults(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(response) = admin_refusal(&state, &headers) {
        return response;
    }
    json_response(&json!({ "cleared": state.scenarios.clear() }))
}

/// `DELETE /admin/faults/{id}` (`rule-3` or `3`): removes one rule; 404 if there is none.
pub async fn delete_fault(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = admin_refusal(&state, &headers) {
        return response;
    }
    let number = id.strip_prefix("rule-").unwrap_or(&id).parse::<u64>();
    match number {
        Ok(n) if state.scenarios.remove(RuleId(n)) => json_response(&json!({ "removed": id })),
        Ok(_) => error_response(StatusCode::NOT_FOUND, format!("no fault rule {id:?}")),
        Err(_) => error_response(
            StatusCode::BAD_REQUEST,
            format!("{id:?} is not a rule id (rule-N)"),
        ),
    }
}

/// 405 with a JSON body for the routes above (`allow` lists their methods).
pub fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed; allowed: {allow}"),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}
