//! The API as served on a socket: a request whose path cannot be one of the router's own routes
//! (`/health`, `/swagger…`, `/admin…`) goes straight to the API's handler; every other request
//! goes to the router, whose fallback is the same handler.
//!
//! Why not the router alone: its dispatch (the route table, the original URI and the path's
//! parameters stored in the request's extensions, a boxed clone of the route, the handler's state
//! cloned twice, the journal's layer around each route) cost a sixth of the mock's rate on its
//! smallest answer (docs/benchmarks.md), more than the API's own work on a kept answer. In
//! process, [`crate::router`] is the same API through the router (`oneshot` tests, embedding in
//! another axum app); a test (`tests/api/front.rs`) holds the two to the same answers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::Request;
use axum::response::Response;

use crate::api;
use crate::journal::{Listener, Pending};
use crate::state::AppState;

/// The first path segments under which the router has routes of its own. Every route of
/// `server::routes` must start with one of them; a request under any other goes to the
/// API's handler without the router. Sending the router more than it routes is harmless (its
/// fallback is the same handler), so the comparison errs that way: it ignores case.
pub const ROUTED_SEGMENTS: [&str; 3] = ["health", "swagger", "admin"];

/// Whether `path` can only be answered by the API's handler.
pub fn is_api_only(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let first = rest.split('/').next().unwrap_or("");
    !first.is_empty()
        && !ROUTED_SEGMENTS
            .iter()
            .any(|routed| first.eq_ignore_ascii_case(routed))
}

/// The served API (see the module's doc). It journals the requests it hands to the handler
/// itself, the note beside the answer rather than in its extensions (a map and a box per
/// request); the router journals the rest.
#[derive(Clone, Debug)]
pub struct Front {
    state: AppState,
    /// [`crate::router`]: journal, access log, the router's own routes, the API as fallback.
    router: Router,
    /// Access logging is a layer of the router: with it on, everything goes through the router.
    direct: bool,
}

impl Front {
    /// The API of `state`, `router` answering what is not the handler's alone.
    pub fn new(state: AppState, router: Router, logging: bool) -> Self {
        Front {
            state,
            router,
            direct: !logging,
        }
    }
}

impl tower_service::Service<Request> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Neither the handler nor a router ever waits to be ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if self.direct && is_api_only(request.uri().path()) {
            let state = self.state.clone();
            let pending = Pending::of(&state, Listener::Api, &request);
            Box::pin(async move {
                let (response, note) = api::answer_noted(&state, request).await;
                Ok(match pending {
                    Some(pending) => pending.record_noted(response, note),
                    None => response,
                })
            })
        } else {
            let mut router = self.router.clone();
            Box::pin(tower_service::Service::call(&mut router, request))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_router_s_own_paths_go_to_the_router() {
        for path in [
            "/health",
            "/health/",
            "/HEALTH",
            "/swagger",
            "/swagger/ui/index",
            "/swagger/ui/assets/swagger-ui.css",
            "/admin",
            "/admin/requests",
            "/Admin/faults/3",
            "/",
            "",
            "//v3/enrollments",
        ] {
            assert!(!is_api_only(path), "{path}");
        }
        for path in [
            "/v3/enrollments/100/billingperiods/201805/balancesummary",
            "/v2/enrollments/100/usagedetails",
            "/healthz",
            "/swaggerish",
            "/administrator",
            "/nothing",
        ] {
            assert!(is_api_only(path), "{path}");
        }
    }
}
