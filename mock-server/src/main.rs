//! The `ea-mock-server` binary: flags/environment → validated config → listening
//! sockets (the API, and the blob listener of report links) → serve until SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ea_mock_server::config::DEFAULT_API_KEY;
use ea_mock_server::{Config, blob, logging, serve_with_blob, shutdown_signal};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    if let Err(e) = config.validate() {
        eprintln!("ea-mock-server: {e}");
        return ExitCode::from(2);
    }
    logging::init(config.log_format);
    let listener = match TcpListener::bind((config.host.as_str(), config.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "ea-mock-server: cannot listen on {}:{}: {e}",
                config.host, config.port
            );
            return ExitCode::from(1);
        }
    };
    let blob_port = config.effective_blob_port();
    let blob_listener = match TcpListener::bind((config.host.as_str(), blob_port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "ea-mock-server: cannot listen on {}:{blob_port} for report files \
                 (--blob-port, EA_MOCK_BLOB_PORT): {e}",
                config.host
            );
            return ExitCode::from(1);
        }
    };
    let (addr, blob_addr) = match (listener.local_addr(), blob_listener.local_addr()) {
        (Ok(addr), Ok(blob_addr)) => (addr, blob_addr),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("ea-mock-server: {e}");
            return ExitCode::from(1);
        }
    };
    // Scripts read these two lines (port 0 means the address is only known now).
    say(&format!("ea-mock-server listening on http://{addr}"));
    if config.api_keys.is_empty() {
        say(&format!(
            "API key: {DEFAULT_API_KEY} (default; choose keys with --api-key or EA_MOCK_API_KEYS)"
        ));
    } else {
        say(&format!("API keys: {} configured", config.api_keys.len()));
    }
    say(&format!(
        "report files on {}",
        blob::origin(&config, blob_addr.port())
    ));
    tracing::info!(%addr, %blob_addr, seed = config.seed, enrollments = ?config.enrollments, "listening");
    match serve_with_blob(listener, blob_listener, config, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("shut down");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ea-mock-server: {e}");
            ExitCode::from(1)
        }
    }
}

/// Prints a start-up line; a reader that has gone away (closed pipe) is no reason to stop
/// serving, unlike with `println!`.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}
