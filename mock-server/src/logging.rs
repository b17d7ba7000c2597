//! Structured request logs: one event per request with method, path, status, time,
//! operation, which configured key was used (its number, never the key) and any
//! fault. Text or JSON lines on stderr, so stdout keeps only the start-up lines
//! scripts read.

use std::io::IsTerminal;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Level;
use tracing_subscriber::EnvFilter;

use crate::auth::KeyId;
use crate::config::LogFormat;

/// What the API handler learned about a request, for its log line (carried in the
/// response's extensions).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestNote {
    /// Operation id, once matched.
    pub operation: Option<&'static str>,
    /// The key used, once authenticated.
    pub key: Option<KeyId>,
    /// `forced`, `injected`, `injected-drop`, `rate-limit` or `rule` (then `rule` names it).
    pub fault: Option<&'static str>,
    /// The name of the key used (`key-2`, `minted:<Id>`), for the journal; never the key.
    /// The journal takes it (a clone would count on memory every core shares, per request),
    /// so a layer outside the journal finds `None` here.
    pub key_name: Option<std::sync::Arc<str>>,
    /// The run-time fault rule that acted, if one did.
    pub rule: Option<crate::scenarios::RuleId>,
}

/// Middleware writing the log line of every request.
pub async fn log_requests(request: Request, next: Next) -> Response {
    if !tracing::enabled!(target: "ea_mock_server::access", Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let note = response
        .extensions()
        .get::<RequestNote>()
        .cloned()
        .unwrap_or_default();
    tracing::info!(
        target: "ea_mock_server::access",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        operation = note.operation.unwrap_or("-"),
        key = note.key.map_or(-1, |k| k.0 as i64),
        fault = note.fault.unwrap_or("-"),
        rule = note.rule.map_or(0, |r| r.0),
        "request"
    );
    response
}

/// Middleware writing the log line of every request to the blob listener. It names the query
/// too (which link was used, and when it expires), with the value of `sig` replaced: the
/// signature is what makes a link a credential, and CI logs are often public. The path holds the
/// report id, which is signed but not secret.
pub async fn log_blob_requests(request: Request, next: Next) -> Response {
    if !tracing::enabled!(target: "ea_mock_server::access", Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(crate::sas::redact_query);
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "ea_mock_server::access",
        listener = "blob",
        method = %method,
        path = %path,
        query = query.as_deref().unwrap_or(""),
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Installs the global subscriber (level from `RUST_LOG`, default `info`). Does
/// nothing if one is already installed (e.g. by an embedding program).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.with_target(false).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
