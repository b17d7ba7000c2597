//! Putting it together: the routers (the API, and the blob listener the asynchronous report's
//! links point to, on an origin of its own), serving them until shutdown, and a handle to run
//! the mock in-process (tests, downstream CI helpers).

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::ServiceExt as _;
use axum::middleware;
use axum::routing::get;
use axum::serve::{Listener, ListenerExt};
use futures_util::FutureExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::blob::{self, BlobRequests};
use crate::config::{Config, ConfigError};
use crate::journal::{self, Filter, JournalEntry};
use crate::keys::{self, MintOptions};
use crate::scenarios::{FaultRule, InvalidRule, RuleId, RuleStatus};
use crate::state::AppState;
use crate::{admin, api, front, logging, swagger};

/// The mock as an axum router, for in-process use (`tower::ServiceExt::oneshot`,
/// `axum::serve`).
///
/// # Panics
///
/// If `config` is invalid (see [`Config::validate`]); use [`try_app`] to get the error.
pub fn app(config: Config) -> Router {
    try_app(config).unwrap_or_else(|e| panic!("invalid ea-mock-server configuration: {e}"))
}

/// [`app`], or the first configuration error.
pub fn try_app(config: Config) -> Result<Router, ConfigError> {
    config.validate()?;
    Ok(router(AppState::new(&config)))
}

/// The blob listener as an axum router, for in-process use (`oneshot` tests of report
/// downloads). Report ids are stateless, so it serves the links of an [`app`] built from the
/// same `config`.
///
/// # Panics
///
/// If `config` is invalid (see [`Config::validate`]); use [`try_blob_app`] to get the error.
pub fn blob_app(config: Config) -> Router {
    try_blob_app(config).unwrap_or_else(|e| panic!("invalid ea-mock-server configuration: {e}"))
}

/// [`blob_app`], or the first configuration error.
pub fn try_blob_app(config: Config) -> Result<Router, ConfigError> {
    config.validate()?;
    Ok(blob_router(AppState::new(&config)))
}

/// The blob listener's routes over a built state (share the API's to count its requests).
pub fn blob_router(state: AppState) -> Router {
    blob::router(state)
}

/// The routes over a built state: the API through axum's router, for in-process use. A served
/// mock answers the same through [`served`].
pub fn router(state: AppState) -> Router {
    let journaled = state.clone();
    let router = routes(state);
    if journaled.journal.is_on() {
        router.layer(journal::JournalLayer::new(
            journaled,
            journal::Listener::Api,
        ))
    } else {
        router
    }
}

/// The router's own routes (each under one of [`front::ROUTED_SEGMENTS`]) and the API as its
/// fallback, with access logging when it is on; no journal.
fn routes(state: AppState) -> Router {
    let router = Router::new()
        .route(
            "/health",
            get(admin::health).fallback(|| async { admin::method_not_allowed("GET, HEAD") }),
        )
        .merge(swagger::routes())
        .route(
            "/admin/data-version",
            get(admin::get_data_version)
                .post(admin::post_data_version)
                .fallback(|| async { admin::method_not_allowed("GET, HEAD, POST") }),
        )
        .route(
            "/admin/requests",
            get(admin::get_requests)
                .delete(admin::delete_requests)
                .fallback(|| async { admin::method_not_allowed("GET, HEAD, DELETE") }),
        )
        .route(
            "/admin/faults",
            get(admin::get_faults)
                .post(admin::post_fault)
                .delete(admin::delete_faults)
                .fallback(|| async { admin::method_not_allowed("GET, HEAD, POST, DELETE") }),
        )
        .route(
            "/admin/faults/{id}",
            axum::routing::delete(admin::delete_fault)
                .fallback(|| async { admin::method_not_allowed("DELETE") }),
        )
        .fallback(api::handle)
        .with_state(state)
        .merge(swagger::assets());
    // A layer that would only pass requests on is left out: each costs a boxed future per
    // request, a tenth of the mock's own time on a small answer (docs/benchmarks.md).
    if access_logging() {
        router.layer(middleware::from_fn(logging::log_requests))
    } else {
        router
    }
}

fn access_logging() -> bool {
    tracing::enabled!(target: "ea_mock_server::access", tracing::Level::INFO)
}

/// The API as a served socket answers it: [`router`]'s answers, the API's own requests
/// handed to its handler without the router's dispatch (see [`front`]).
pub fn served(state: AppState) -> front::Front {
    front::Front::new(state.clone(), router(state), access_logging())
}

/// Serves the API of `config` on `listener` until SIGINT or SIGTERM, then finishes the requests
/// in flight. Only the API: report links name the configured blob origin; [`serve_with_blob`]
/// serves the blob listener too.
pub async fn serve(listener: TcpListener, config: Config) -> io::Result<()> {
    serve_with_shutdown(listener, config, shutdown_signal()).await
}

/// Serves until `signal` completes, then shuts down gracefully.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    config: Config,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    validated(&config)?;
    let api = served(AppState::new(&config));
    axum::serve(nodelay(listener), api.into_make_service())
        .with_graceful_shutdown(signal)
        .await
}

/// Serves the API on `api` and the blob listener on `blob` until `signal` completes, then shuts
/// both down gracefully. Report links name the blob listener's actual port (or
/// `--blob-public-url`).
pub async fn serve_with_blob(
    api: TcpListener,
    blob: TcpListener,
    config: Config,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    validated(&config)?;
    let state = bound_state(&config, &blob)?;
    serve_pair(api, blob, state, signal).await
}

/// `config` checked, its first error as an `InvalidInput` I/O error (what the serving
/// functions return).
fn validated(config: &Config) -> io::Result<()> {
    config
        .validate()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// The state of a server whose blob listener is `blob`.
fn bound_state(config: &Config, blob: &TcpListener) -> io::Result<AppState> {
    let port = blob.local_addr()?.port();
    Ok(AppState::with_blob_origin(
        config,
        blob::origin(config, port),
    ))
}

/// Both routers over one state, one shutdown signal for both.
async fn serve_pair(
    api: TcpListener,
    blob: TcpListener,
    state: AppState,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let signal = signal.boxed().shared();
    let api = axum::serve(nodelay(api), served(state.clone()).into_make_service())
        .with_graceful_shutdown(signal.clone())
        .into_future();
    let blob = axum::serve(nodelay(blob), blob::router(state))
        .with_graceful_shutdown(signal)
        .into_future();
    tokio::try_join!(api, blob).map(|_| ())
}

/// The listener with TCP_NODELAY on every connection. Without it (axum leaves it off), the
/// small last write of a streamed body (the chunked terminator) waits for the ACK of the
/// previous one, which the client delays by up to 40 ms: a paging client stalled on one page in
/// ten.
fn nodelay(listener: TcpListener) -> impl Listener<Io = TcpStream, Addr = SocketAddr> {
    listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    })
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `docker stop` and CI
/// runners send). The handlers are installed when this is called, not when the future is first
/// polled (axum polls it on a task of its own, maybe after the first requests), so a signal sent
/// as soon as the server listens still shuts it down gracefully. Call it inside a Tokio runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {}
                () = wait(terminate) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A mock running on a background task of the current Tokio runtime: the API and the blob
/// listener of its report links.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    blob_addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl MockServer {
    /// Binds `config.host:config.port` for the API and `config.host:<blob port>` for the blob
    /// listener (port 0 picks a free one; with `port: 0` the blob port defaults to 0 too, see
    /// [`Config::effective_blob_port`]) and starts serving both. Returns once both sockets
    /// accept connections.
    pub async fn start(config: Config) -> io::Result<MockServer> {
        validated(&config)?;
        let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
        let blob = TcpListener::bind((config.host.as_str(), config.effective_blob_port())).await?;
        let (addr, blob_addr) = (listener.local_addr()?, blob.local_addr()?);
        let state = bound_state(&config, &blob)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_pair(listener, blob, state.clone(), async {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            addr,
            blob_addr,
            state,
            stop: Some(stop),
            task,
        })
    }

    /// The bound address of the API.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, the base URL for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address of the blob listener.
    pub fn blob_addr(&self) -> SocketAddr {
        self.blob_addr
    }

    /// The origin report links (`blobPath`) name: `--blob-public-url` if set, else
    /// `http://<host>:<blob port>`.
    pub fn blob_url(&self) -> String {
        self.state.reports.blob_origin.clone()
    }

    /// What the blob listener has received so far (e.g. to prove the API key never reached it).
    pub fn blob_requests(&self) -> BlobRequests {
        self.state.blob_requests.snapshot()
    }

    /// The shared state (data version, settings).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What the mock has received (both listeners, not `/admin`), oldest first, as
    /// `GET /admin/requests` lists it; empty with `journal_size: 0`.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal.entries(&Filter::default())
    }

    /// The journal's entries for one operation id.
    pub fn journal_for(&self, operation: &str) -> Vec<JournalEntry> {
        self.state.journal.entries(&Filter {
            operation: Some(operation.to_owned()),
            ..Filter::default()
        })
    }

    /// Forgets the journal (`DELETE /admin/requests`).
    pub fn clear_journal(&self) {
        self.state.journal.clear();
    }

    /// Adds a fault rule (`POST /admin/faults`); its window, if any, starts now.
    pub fn add_fault(&self, rule: FaultRule) -> Result<RuleId, InvalidRule> {
        self.state.scenarios.add(rule, std::time::Instant::now())
    }

    /// The live fault rules (`GET /admin/faults`).
    pub fn faults(&self) -> Vec<RuleStatus> {
        self.state.scenarios.list(std::time::Instant::now())
    }

    /// Removes one fault rule; whether it was there.
    pub fn remove_fault(&self, id: RuleId) -> bool {
        self.state.scenarios.remove(id)
    }

    /// Removes every fault rule (`DELETE /admin/faults`).
    pub fn clear_faults(&self) {
        self.state.scenarios.clear();
    }

    /// A key shaped like the service's, signed for this server's seed ([`keys::mint`]); it is
    /// accepted when the server runs with `accept_minted_keys`.
    pub fn mint_key(&self, options: &MintOptions) -> String {
        keys::mint(self.state.seed, options)
    }

    /// Stops accepting on both listeners, finishes the requests in flight and waits for the
    /// server.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)))
    }
}
