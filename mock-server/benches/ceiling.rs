//! The ceiling of this machine for the mock's small answers: a bare axum server whose
//! one handler returns a constant body, with the same response headers as the mock's
//! balance summary (`Content-Type`, `ETag`, `Content-Length`, `Date`), a body of the
//! same size, and the same runtime and socket settings (one worker per core,
//! TCP_NODELAY). Whatever the mock does beyond that (auth, matching the operation,
//! validation, ETag, rendering the model) shows as the distance to this figure.
//!
//! Not a measurement by itself: `bench/run.sh` starts it and drives it with wrk.
//!
//! ```text
//! cargo bench -p ea-mock-server --bench ceiling -- --port 0 --bytes 701
//! ceiling listening on http://127.0.0.1:PORT
//! ```
//!
//! Flags: `--port N` (0 = any free port, the default), `--bytes N` (body size, default
//! 701). Any path answers (so `/health` works for readiness). Stops on SIGINT/SIGTERM.

use std::io::Write;

use axum::Router;
use axum::response::IntoResponse;
use axum::serve::ListenerExt;
use bytes::Bytes;
use http::HeaderValue;
use http::header::{CONTENT_TYPE, ETAG};
use tokio::net::TcpListener;

fn flag(args: &[String], name: &str) -> Option<u64> {
    let at = args.iter().position(|a| a == name)?;
    let value = args.get(at + 1)?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} wants a number, not {value:?}")),
    )
}

/// A JSON-looking body of exactly `len` bytes.
fn body_of(len: usize) -> Bytes {
    let mut body = br#"{"padding":""#.to_vec();
    let tail = br#""}"#;
    let fill = len.saturating_sub(body.len() + tail.len());
    body.extend(std::iter::repeat_n(b'x', fill));
    body.extend_from_slice(tail);
    body.truncate(len);
    Bytes::from(body)
}

fn main() {
    // `cargo bench` passes `--bench`; everything not known is ignored.
    let args: Vec<String> = std::env::args().collect();
    let port = flag(&args, "--port").unwrap_or(0);
    let len = flag(&args, "--bytes").unwrap_or(701);
    let port = u16::try_from(port).expect("--port fits in 16 bits");
    let body = body_of(usize::try_from(len).expect("--bytes fits in memory"));

    // The same runtime as the mock's `#[tokio::main]`: one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let app = Router::new().fallback(move || {
            let body = body.clone();
            async move {
                (
                    [
                        (
                            CONTENT_TYPE,
                            HeaderValue::from_static("application/json; charset=utf-8"),
                        ),
                        (ETAG, HeaderValue::from_static("\"0123456789abcdef\"")),
                    ],
                    body,
                )
                    .into_response()
            }
        });
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("a bound address");
        // TCP_NODELAY on every connection, as the mock sets it.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ceiling listening on http://{addr}").and_then(|()| out.flush());
        drop(out);
        axum::serve(listener, app)
            .with_graceful_shutdown(ea_mock_server::shutdown_signal())
            .await
            .expect("serving");
    });
}
