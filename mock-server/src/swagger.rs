//! The Swagger endpoint the service advertised ("A Swagger endpoint is available at
//! <https://consumption.azure.com/swagger/ui/index>"): the document at `/swagger/docs/v3`, with
//! `host`, `schemes` and `basePath` naming the origin the caller reached the mock on (as
//! Swashbuckle filled them in from the request), and a Swagger UI at `/swagger/ui/index` whose
//! "Try it out" calls the mock with the key typed into the page. The UI's assets come from the
//! `swagger-ui-dist` crate, which vendors them: nothing is fetched at build time or by the page.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde_json::Value;

use crate::admin::method_not_allowed;
use crate::origin::{DocumentOrigin, document_origin};
use crate::problem::{JSON_UTF8, error_response};
use crate::state::AppState;

/// Where the Swagger UI's script and style sheet are served.
const ASSETS: &str = "/swagger/ui/assets";

/// The routes: the document, the page, the redirects to it. The assets are added by [`assets`].
pub fn routes() -> Router<AppState> {
    let get_only = || async { method_not_allowed("GET, HEAD") };
    Router::new()
        .route("/swagger/docs/v3", get(document).fallback(get_only))
        .route("/swagger/ui/index", get(page).fallback(get_only))
        .route(
            "/swagger",
            get(|| async { Redirect::to("swagger/ui/index") }),
        )
        .route("/swagger/", get(|| async { Redirect::to("ui/index") }))
        .route("/swagger/ui", get(|| async { Redirect::to("ui/index") }))
        .route("/swagger/ui/", get(|| async { Redirect::to("index") }))
}

/// The vendored Swagger UI assets (`swagger-ui.css`, `swagger-ui-bundle.js`), under [`ASSETS`].
pub fn assets() -> Router {
    swagger_ui_dist::generate_routes(swagger_ui_dist::ApiDefinition {
        uri_prefix: ASSETS,
        api_definition: swagger_ui_dist::OpenApiSource::Uri("/swagger/docs/v3"),
        title: Some("Enterprise Reporting v3 APIs (mock)"),
    })
}

/// `GET /swagger/docs/v3` (no key needed): the embedded document, its `host`, `schemes` and
/// `basePath` set to the caller's origin; `400` when the request names no usable host.
pub async fn document(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match document_origin(state.public_url.as_deref(), &headers) {
        Ok(origin) => {
            let mut response = Response::new(served_document(crate::SPEC_JSON, &origin).into());
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
            response
        }
        Err(why) => error_response(
            StatusCode::BAD_REQUEST,
            format!("Cannot serve the Swagger document: {why}."),
        ),
    }
}

/// `spec` (the document's text) with `host`, `schemes` and `basePath` naming `origin`; every
/// other member as it was, in its place (the document is written the way serde_json writes it,
/// which a test checks, so re-serialising it changes nothing else).
pub fn served_document(spec: &str, origin: &DocumentOrigin) -> String {
    let mut doc: serde_json::Map<String, Value> =
        serde_json::from_str(spec).expect("the embedded spec is a JSON object");
    doc.insert("host".into(), Value::String(origin.authority.clone()));
    doc.insert(
        "schemes".into(),
        Value::Array(vec![Value::String(origin.scheme.clone())]),
    );
    if origin.base_path.is_empty() {
        doc.shift_remove("basePath");
    } else {
        // After `host`, where Swashbuckle put it.
        let at = doc
            .keys()
            .position(|k| k == "host")
            .map_or(doc.len(), |i| i + 1);
        doc.shift_insert(
            at,
            "basePath".into(),
            Value::String(origin.base_path.clone()),
        );
    }
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// `GET /swagger/ui/index` (no key needed): the Swagger UI over `/swagger/docs/v3`, with a key
/// field: the key goes into every operation's `Authorization` parameter as `bearer <key>`, and
/// `enrollmentNumber` starts as the first enrollment served.
pub async fn page(State(state): State<AppState>) -> Response {
    let enrollment = state
        .enrollment_numbers
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let enrollment = serde_json::to_string(enrollment).expect("a string serializes");
    let html = PAGE.replace("__ENROLLMENT__", &html_escape(&enrollment));
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page. Paths are relative, so the page also works under a path prefix.
const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Enterprise Reporting v3 APIs (ea-mock-server)</title>
  <link rel="stylesheet" href="assets/swagger-ui.css">
  <style>
    #ea-key { font-family: sans-serif; padding: 12px 20px; background: #1b1b1b; color: #fff; display: flex; gap: 12px; align-items: center; }
    #ea-key input { width: 28em; padding: 4px; }
    #ea-key-state { color: #9fe89f; }
  </style>
</head>
<body data-enrollment="__ENROLLMENT__">
  <form id="ea-key" autocomplete="off">
    <strong>ea-mock-server</strong>
    <label>API key <input id="ea-key-input" type="password" placeholder="ea-mock-key"></label>
    <button id="ea-key-apply" type="submit">Use key</button>
    <span id="ea-key-state">no key: operations answer 401</span>
  </form>
  <div id="swagger-ui"></div>
  <script src="assets/swagger-ui-bundle.js"></script>
  <script>
    (function () {
      var STORE = "ea-mock-api-key";
      var enrollment = JSON.parse(document.body.dataset.enrollment || '""');
      function key() { return window.sessionStorage.getItem(STORE) || ""; }
      function show() {
        document.getElementById("ea-key-state").textContent =
          key() ? "key set: Try it out sends Authorization: bearer <key>" : "no key: operations answer 401";
      }
      var renders = 0;
      function render() {
        var generation = ++renders;
        window.ui = SwaggerUIBundle({
          url: "../docs/v3",
          dom_id: "#swagger-ui",
          deepLinking: true,
          // Which rendering is on screen (the key re-renders the page), for tests to wait on.
          onComplete: function () { document.body.dataset.rendered = String(generation); },
          // Every operation declares the Authorization header (the service's document has no
          // security scheme): fill it, and the enrollment, for "Try it out".
          parameterMacro: function (operation, parameter) {
            if (parameter.in === "header" && parameter.name.toLowerCase() === "authorization" && key()) {
              return "bearer " + key();
            }
            if (parameter.in === "path" && parameter.name === "enrollmentNumber" && enrollment) {
              return enrollment;
            }
            return undefined;
          },
          requestInterceptor: function (request) {
            if (key() && !request.headers.Authorization) {
              request.headers.Authorization = "bearer " + key();
            }
            return request;
          }
        });
      }
      document.getElementById("ea-key").addEventListener("submit", function (event) {
        event.preventDefault();
        window.sessionStorage.setItem(STORE, document.getElementById("ea-key-input").value.trim());
        show();
        render();
      });
      show();
      render();
    })();
  </script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(scheme: &str, authority: &str, base_path: &str) -> DocumentOrigin {
        DocumentOrigin {
            scheme: scheme.into(),
            authority: authority.into(),
            base_path: base_path.into(),
        }
    }

    #[test]
    fn the_document_is_written_the_way_serde_json_writes_it() {
        let served = served_document(
            crate::SPEC_JSON,
            &origin("https", "consumption.azure.com", ""),
        );
        assert_eq!(
            served,
            crate::SPEC_JSON,
            "nothing but host and schemes may change"
        );
    }

    #[test]
    fn host_schemes_and_base_path_name_the_origin() {
        let served = served_document(crate::SPEC_JSON, &origin("http", "127.0.0.1:9", "/ea"));
        let doc: Value = serde_json::from_str(&served).unwrap();
        assert_eq!(doc["host"], "127.0.0.1:9");
        assert_eq!(doc["schemes"], serde_json::json!(["http"]));
        assert_eq!(doc["basePath"], "/ea");
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        let host = keys.iter().position(|k| *k == "host").unwrap();
        assert_eq!(keys[host + 1], "basePath");
        let mut original: Value = serde_json::from_str(crate::SPEC_JSON).unwrap();
        let mut rest = doc.clone();
        for key in ["host", "schemes", "basePath"] {
            original.as_object_mut().unwrap().remove(key);
            rest.as_object_mut().unwrap().remove(key);
        }
        assert_eq!(rest, original);
    }

    #[test]
    fn the_page_names_the_enrollment_safely() {
        assert_eq!(html_escape(r#""<a&b>""#), "&quot;&lt;a&amp;b&gt;&quot;");
        assert!(PAGE.contains("url: \"../docs/v3\""));
        assert!(!PAGE.contains("http"), "no CDN, no absolute URL: {PAGE}");
    }
}
