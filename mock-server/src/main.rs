//! The `ea-mock-server` binary: flags/environment → validated config → listening
//! sockets (the API, and the blob listener of report links) → serve until SIGINT/SIGTERM.
//! `ea-mock-server mint-key …` prints a key shaped like the service's instead.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ea_mock_server::config::DEFAULT_API_KEY;
use ea_mock_server::keys::{self, MintOptions, ReportView};
use ea_mock_server::{Config, blob, logging, serve_with_blob, shutdown_signal};

/// `ea-mock-server mint-key`: prints a key shaped like the service's (a JWT with its issuer,
/// audience and claims, valid 183 days from now), signed for `--seed`. A mock with that seed and
/// `--accept-minted-keys` accepts it, bound as its claims say.
#[derive(Parser, Debug)]
#[command(name = "ea-mock-server mint-key")]
struct MintKey {
    /// The key's enrollment (`EnrollmentNumber`).
    #[arg(long)]
    enrollment: String,
    /// A department key (`ReportView` Department, `DepartmentId`).
    #[arg(long, conflicts_with = "account")]
    department: Option<i32>,
    /// An account key (`ReportView` Account, `AccountId`).
    #[arg(long)]
    account: Option<i32>,
    /// `ReportView` System instead of Enterprise (the published test key's view).
    #[arg(long)]
    system: bool,
    /// `PartnerId`.
    #[arg(long)]
    partner_id: Option<String>,
    /// Seed of the mock that will accept the key.
    #[arg(long, env = "EA_MOCK_SEED", default_value_t = 42)]
    seed: u64,
}

fn mint_key(args: impl Iterator<Item = std::ffi::OsString>) -> ExitCode {
    let args = match MintKey::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    if args.enrollment.is_empty() || !args.enrollment.bytes().all(|b| b.is_ascii_digit()) {
        eprintln!("ea-mock-server mint-key: --enrollment must be an enrollment number");
        return ExitCode::from(2);
    }
    let view = if args.system {
        ReportView::System
    } else {
        ReportView::Enterprise
    };
    let key = keys::mint(
        args.seed,
        &MintOptions {
            enrollment: args.enrollment,
            view,
            department: args.department,
            account: args.account,
            partner_id: args.partner_id,
            not_before: None,
        },
    );
    say(&key);
    ExitCode::SUCCESS
}
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args_os();
    if std::env::args_os().nth(1).is_some_and(|a| a == "mint-key") {
        let program = args.next();
        let _subcommand = args.next();
        return mint_key(program.into_iter().chain(args));
    }
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
    let unbound = config.effective_api_keys();
    let bound = config.key_specs().map_or(0, |specs| specs.len());
    if unbound.first().map(String::as_str) == Some(DEFAULT_API_KEY) && bound == 0 {
        say(&format!(
            "API key: {DEFAULT_API_KEY} (default; choose keys with --api-key or EA_MOCK_API_KEYS)"
        ));
    } else {
        // Names, not keys: logs and the journal show key-1, key-2, … in this order.
        let bound_note = if bound == 0 {
            String::new()
        } else {
            format!(" ({bound} bound to an enrollment)")
        };
        say(&format!(
            "API keys: {} configured{bound_note}",
            unbound.len() + bound
        ));
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
