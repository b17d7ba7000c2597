//! Putting it together: the router, serving it on a listener until shutdown, and a
//! handle to run the mock in-process (tests, downstream CI helpers).

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Config, ConfigError};
use crate::state::AppState;
use crate::{admin, api, logging, swagger};

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

/// The routes over a built state.
pub fn router(state: AppState) -> Router {
    Router::new()
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
        .fallback(api::handle)
        .with_state(state)
        .merge(swagger::assets())
        .layer(middleware::from_fn(logging::log_requests))
}

/// Serves `config` on `listener` until SIGINT or SIGTERM, then finishes the requests in
/// flight.
pub async fn serve(listener: TcpListener, config: Config) -> io::Result<()> {
    serve_with_shutdown(listener, config, shutdown_signal()).await
}

/// Serves until `signal` completes, then shuts down gracefully.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    config: Config,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = try_app(config).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // Without TCP_NODELAY (axum leaves it off), the small last write of a streamed body
    // (the chunked terminator) waits for the ACK of the previous one, which the client
    // delays by up to 40 ms: a paging client stalled on one page in ten.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(signal)
        .await
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

/// A mock running on a background task of the current Tokio runtime.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl MockServer {
    /// Binds `config.host:config.port` (port 0 picks a free one) and starts serving.
    /// Returns once the socket accepts connections.
    pub async fn start(config: Config) -> io::Result<MockServer> {
        config
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_with_shutdown(listener, config, async {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, the base URL for clients.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes the requests in flight and waits for the server.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)))
    }
}
