//! Endpoints around the API: readiness and the data version.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::auth;
use crate::problem::{JSON_UTF8, error_response};
use crate::state::AppState;

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
    if let Err(e) = auth::check_authorization(headers.get(AUTHORIZATION), &state.keys) {
        return e.into_response();
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
    if let Err(e) = auth::check_authorization(headers.get(AUTHORIZATION), &state.keys) {
        return e.into_response();
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
