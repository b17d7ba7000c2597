//! Command-line and environment configuration of the mock.
//!
//! Every flag has an `EA_MOCK_*` twin because CI service containers are far easier to
//! configure through the environment than through arguments.

use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, ValueEnum};

use crate::keys::{self, KeySpec};
pub use crate::wire::Timestamps;

/// The key accepted when no `--api-key` is given, so a zero-config mock is usable.
pub const DEFAULT_API_KEY: &str = "ea-mock-key";

/// Largest `--page-size`; bigger pages defeat the point of paging tests.
pub const MAX_PAGE_SIZE: usize = 100_000;
/// Largest `--subscriptions` per enrollment.
pub const MAX_SUBSCRIPTIONS: usize = 1_000;
/// Largest `--rows-per-day` per subscription.
pub const MAX_ROWS_PER_DAY: u64 = 100_000;
/// Largest `--latency-ms` (one minute); more would only make client timeouts fire.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// Largest `--retry-after` (one hour), the longest back-off a client is asked for.
pub const MAX_RETRY_AFTER_SECS: u64 = 3_600;
/// Largest `--report-delay-ms` (one hour): real reports took minutes, and a longer run only
/// outlives the link it produces.
pub const MAX_REPORT_DELAY_MS: u64 = 3_600_000;
/// Largest `--report-link-ttl-secs` (seven days, the longest SAS lifetime worth testing).
pub const MAX_REPORT_LINK_TTL_SECS: u64 = 604_800;
/// The blob listener's port when `--blob-port` is not given: Azurite's blob port, so tools
/// configured for the storage emulator find it. With `--port 0`, the default is 0 instead.
pub const DEFAULT_BLOB_PORT: u16 = 10_000;

/// Requests the journal keeps by default.
pub const DEFAULT_JOURNAL_SIZE: usize = 1_000;

/// How log lines are written.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings of one mock-server process.
#[derive(Parser, Clone, PartialEq)]
#[command(
    name = "ea-mock-server",
    version,
    about = "Impersonates the Azure EA Reporting API"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "EA_MOCK_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free one.
    #[arg(long, env = "EA_MOCK_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Seed of all generated data: the same seed gives the same bytes.
    #[arg(long, env = "EA_MOCK_SEED", default_value_t = 42)]
    pub seed: u64,

    /// Accepted API key (repeatable; the variable takes a comma-separated list).
    /// Without any, the key `ea-mock-key` is accepted.
    #[arg(
        long = "api-key",
        value_name = "KEY",
        env = "EA_MOCK_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,

    /// Key bound to one enrollment, and in it to a department or an account:
    /// `KEY=ENROLLMENT[:department=ID|account=ID]` (repeatable; the variable takes a
    /// comma-separated list). A key used for another enrollment gets 401.
    #[arg(
        long = "key",
        value_name = "KEY=ENROLLMENT[:department=ID|account=ID]",
        env = "EA_MOCK_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub keys: Vec<String>,

    /// File of bound keys, one `KEY=ENROLLMENT[:department=ID|account=ID]` a line (`#` comments).
    #[arg(long = "keys-file", value_name = "FILE", env = "EA_MOCK_KEYS_FILE")]
    pub keys_file: Option<PathBuf>,

    /// Also accept keys minted by `ea-mock-server mint-key` with the same --seed (JWTs shaped
    /// like the service's); their claims decide the enrollment and view.
    #[arg(long = "accept-minted-keys", env = "EA_MOCK_ACCEPT_MINTED_KEYS")]
    pub accept_minted_keys: bool,

    /// Key of the admin API (/admin/requests, /admin/faults); without it those routes answer
    /// 404. With it, /admin/data-version needs it too.
    #[arg(
        long = "admin-key",
        value_name = "KEY",
        env = "EA_MOCK_ADMIN_KEY",
        hide_env_values = true
    )]
    pub admin_key: Option<String>,

    /// Requests kept in the request journal (GET /admin/requests); 0 turns it off.
    #[arg(
        long = "journal-size",
        value_name = "N",
        env = "EA_MOCK_JOURNAL_SIZE",
        default_value_t = DEFAULT_JOURNAL_SIZE
    )]
    pub journal_size: usize,

    /// Enrollment number served (repeatable; the variable takes a comma-separated list).
    #[arg(
        long = "enrollment",
        value_name = "NUMBER",
        env = "EA_MOCK_ENROLLMENTS",
        value_delimiter = ',',
        default_value = "100"
    )]
    pub enrollments: Vec<String>,

    /// Subscriptions per enrollment.
    #[arg(long, env = "EA_MOCK_SUBSCRIPTIONS", default_value_t = 4)]
    pub subscriptions: usize,

    /// Usage rows per subscription per day.
    #[arg(long, env = "EA_MOCK_ROWS_PER_DAY", default_value_t = 20)]
    pub rows_per_day: u64,

    /// Usage rows per page of the paged JSON endpoints.
    #[arg(long, env = "EA_MOCK_PAGE_SIZE", default_value_t = 1000)]
    pub page_size: usize,

    /// Base URL put in `nextLink` (e.g. behind a proxy); default: the request's own origin.
    #[arg(long, env = "EA_MOCK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Version of the data; another version changes every ETag and the row values (not
    /// the subscriptions, meters or resources), like a daily refresh.
    #[arg(long, env = "EA_MOCK_DATA_VERSION", default_value_t = 1)]
    pub data_version: u64,

    /// Share of requests (0.0–1.0) that fail with 500, 503, 429 or a dropped connection.
    #[arg(long, env = "EA_MOCK_FAULT_RATE", default_value_t = 0.0)]
    pub fault_rate: f64,

    /// Delay added before every response, in milliseconds.
    #[arg(long, env = "EA_MOCK_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Requests per second allowed per API key; beyond it 429. Unlimited when absent.
    #[arg(long, env = "EA_MOCK_RATE_LIMIT")]
    pub rate_limit: Option<u32>,

    /// Seconds put in the retry headers of forced and injected 429/503 answers
    /// (0 lets CI retry at once).
    #[arg(
        long = "retry-after",
        value_name = "SECS",
        env = "EA_MOCK_RETRY_AFTER",
        default_value_t = 1
    )]
    pub retry_after_secs: u64,

    /// Pretend today is this date (yyyy-MM-dd): fixes the current billing period and the
    /// last day with data, for reproducible snapshots. Default: the real UTC date.
    #[arg(long, value_name = "YYYY-MM-DD", env = "EA_MOCK_TODAY")]
    pub today: Option<NaiveDate>,

    /// Log format.
    #[arg(long, env = "EA_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// How date-times are written: `service`, offset-less as the real service wrote them
    /// (`2019-05-01T00:00:00`), or `rfc3339` (`2019-05-01T00:00:00Z`).
    #[arg(long, env = "EA_MOCK_TIMESTAMPS", value_enum, default_value_t = Timestamps::Service)]
    pub timestamps: Timestamps,

    /// Milliseconds an asynchronous usage report takes: queued for the first third, in
    /// progress until the end, then finished (0: finished at once).
    #[arg(
        long = "report-delay-ms",
        value_name = "MS",
        env = "EA_MOCK_REPORT_DELAY_MS",
        default_value_t = 3000
    )]
    pub report_delay_ms: u64,

    /// Secret that signs report ids and blob links; default: derived from --seed, so two
    /// instances with the same flags accept each other's ids.
    #[arg(
        long = "report-secret",
        value_name = "SECRET",
        env = "EA_MOCK_REPORT_SECRET",
        hide_env_values = true
    )]
    pub report_secret: Option<String>,

    /// Seconds a report's blob link is valid after the report was requested.
    #[arg(
        long = "report-link-ttl-secs",
        value_name = "SECS",
        env = "EA_MOCK_REPORT_LINK_TTL_SECS",
        default_value_t = 3600
    )]
    pub report_link_ttl_secs: u64,

    /// Port of the blob listener (the storage the report links point to); 0 picks a free one.
    /// With --port 0, the default 10000 (Azurite's blob port) becomes 0 too.
    #[arg(
        long = "blob-port",
        value_name = "PORT",
        env = "EA_MOCK_BLOB_PORT",
        default_value_t = DEFAULT_BLOB_PORT
    )]
    pub blob_port: u16,

    /// Origin written into report links (`blobPath`), e.g. behind a proxy or in a container;
    /// default: `http://<host>:<blob port>`.
    #[arg(
        long = "blob-public-url",
        value_name = "URL",
        env = "EA_MOCK_BLOB_PUBLIC_URL"
    )]
    pub blob_public_url: Option<String>,
}

/// Hand-written (not parsed) so that `EA_MOCK_*` variables in the environment of a
/// test run cannot change it. Must equal parsing an empty command line.
impl Default for Config {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 8080,
            seed: 42,
            api_keys: Vec::new(),
            keys: Vec::new(),
            keys_file: None,
            accept_minted_keys: false,
            admin_key: None,
            journal_size: DEFAULT_JOURNAL_SIZE,
            enrollments: vec!["100".to_owned()],
            subscriptions: 4,
            rows_per_day: 20,
            page_size: 1000,
            public_url: None,
            data_version: 1,
            fault_rate: 0.0,
            latency_ms: 0,
            rate_limit: None,
            retry_after_secs: 1,
            today: None,
            log_format: LogFormat::Text,
            timestamps: Timestamps::Service,
            report_delay_ms: 3000,
            report_secret: None,
            report_link_ttl_secs: 3600,
            blob_port: DEFAULT_BLOB_PORT,
            blob_public_url: None,
        }
    }
}

/// A configuration value out of range; names the flag and its variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --{flag} (EA_MOCK_{env}): {reason}")]
pub struct ConfigError {
    /// Flag name without dashes.
    pub flag: &'static str,
    /// Environment variable name without the `EA_MOCK_` prefix.
    pub env: &'static str,
    /// What is wrong; never contains an API key.
    pub reason: String,
}

fn invalid(flag: &'static str, env: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        flag,
        env,
        reason: reason.into(),
    }
}

impl Config {
    /// The port the blob listener binds: `--blob-port`, except that with `--port 0` the default
    /// [`DEFAULT_BLOB_PORT`] becomes 0 too. A mock on an ephemeral port is how tests start it
    /// (`Config { port: 0, ..Config::default() }`), and two of them could not run at once if
    /// both took port 10000 for their storage. (So `--port 0` cannot be paired with blob port
    /// 10000; any other blob port is kept.)
    pub fn effective_blob_port(&self) -> u16 {
        if self.port == 0 && self.blob_port == DEFAULT_BLOB_PORT {
            0
        } else {
            self.blob_port
        }
    }

    /// The keys that read any enrollment: the `--api-key`s, or [`DEFAULT_API_KEY`] if no key
    /// at all is configured (no `--api-key`, `--key` or `--keys-file`). A `KeyId` (the `auth`
    /// module's) of such a key is an index into this list; bound keys follow.
    pub fn effective_api_keys(&self) -> Vec<String> {
        if self.api_keys.is_empty() && self.keys.is_empty() && self.keys_file.is_none() {
            vec![DEFAULT_API_KEY.to_owned()]
        } else {
            self.api_keys.clone()
        }
    }

    /// The bound keys: `--key`s, then the lines of `--keys-file`. Errors name the flag and the
    /// entry's number or line, never the key.
    pub fn key_specs(&self) -> Result<Vec<KeySpec>, ConfigError> {
        let mut specs = Vec::new();
        for (i, text) in self.keys.iter().enumerate() {
            let spec = text
                .parse()
                .map_err(|e| invalid("key", "KEYS", format!("key #{}: {e}", i + 1)))?;
            specs.push(spec);
        }
        if let Some(path) = &self.keys_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                invalid("keys-file", "KEYS_FILE", format!("{}: {e}", path.display()))
            })?;
            let from_file = keys::parse_keys_file(&text).map_err(|e| {
                invalid("keys-file", "KEYS_FILE", format!("{}: {e}", path.display()))
            })?;
            specs.extend(from_file);
        }
        Ok(specs)
    }

    /// Checks ranges that clap cannot express; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.host.trim().is_empty() {
            return Err(invalid("host", "HOST", "must not be empty"));
        }
        for (i, key) in self.api_keys.iter().enumerate() {
            // Keys travel in an Authorization header as one token: visible ASCII only.
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(invalid(
                    "api-key",
                    "API_KEYS",
                    format!(
                        "key #{} must be non-empty visible ASCII without spaces or commas",
                        i + 1
                    ),
                ));
            }
        }
        self.validate_keys()?;
        if self.enrollments.is_empty() {
            return Err(invalid(
                "enrollment",
                "ENROLLMENTS",
                "at least one is required",
            ));
        }
        for e in &self.enrollments {
            if e.is_empty() || e.len() > 20 || !e.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    "enrollment",
                    "ENROLLMENTS",
                    format!("{e:?} is not an enrollment number (1 to 20 digits)"),
                ));
            }
        }
        if !(1..=MAX_SUBSCRIPTIONS).contains(&self.subscriptions) {
            return Err(invalid(
                "subscriptions",
                "SUBSCRIPTIONS",
                format!("{} is outside 1..={MAX_SUBSCRIPTIONS}", self.subscriptions),
            ));
        }
        if self.rows_per_day > MAX_ROWS_PER_DAY {
            return Err(invalid(
                "rows-per-day",
                "ROWS_PER_DAY",
                format!("{} is above {MAX_ROWS_PER_DAY}", self.rows_per_day),
            ));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(invalid(
                "page-size",
                "PAGE_SIZE",
                format!("{} is outside 1..={MAX_PAGE_SIZE}", self.page_size),
            ));
        }
        if let Some(url) = &self.public_url {
            check_public_url(url).map_err(|r| invalid("public-url", "PUBLIC_URL", r))?;
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            // Also catches NaN, which `contains` rejects.
            return Err(invalid(
                "fault-rate",
                "FAULT_RATE",
                format!("{} is outside 0.0..=1.0", self.fault_rate),
            ));
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(invalid(
                "latency-ms",
                "LATENCY_MS",
                format!("{} is above {MAX_LATENCY_MS}", self.latency_ms),
            ));
        }
        if self.rate_limit == Some(0) {
            return Err(invalid(
                "rate-limit",
                "RATE_LIMIT",
                "must be at least 1 (omit it for no limit)",
            ));
        }
        if self.retry_after_secs > MAX_RETRY_AFTER_SECS {
            return Err(invalid(
                "retry-after",
                "RETRY_AFTER",
                format!("{} is above {MAX_RETRY_AFTER_SECS}", self.retry_after_secs),
            ));
        }
        self.validate_report()?;
        if let Some(today) = self.today
            && today < crate::validate::FIRST_DATA_DAY
        {
            return Err(invalid(
                "today",
                "TODAY",
                format!(
                    "{today} is before {}, the first day with data",
                    crate::validate::FIRST_DATA_DAY
                ),
            ));
        }
        Ok(())
    }
}

impl Config {
    /// Bound keys, the admin key and the journal.
    fn validate_keys(&self) -> Result<(), ConfigError> {
        let specs = self.key_specs()?;
        if let Some(admin) = &self.admin_key {
            if admin.is_empty() || !admin.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(invalid(
                    "admin-key",
                    "ADMIN_KEY",
                    "must be non-empty visible ASCII without spaces",
                ));
            }
            let api = self.effective_api_keys();
            if api.contains(admin) || specs.iter().any(|s| &s.key == admin) {
                return Err(invalid(
                    "admin-key",
                    "ADMIN_KEY",
                    "must differ from every API key",
                ));
            }
        }
        if self.journal_size > crate::journal::MAX_JOURNAL_SIZE {
            return Err(invalid(
                "journal-size",
                "JOURNAL_SIZE",
                format!(
                    "{} is above {}",
                    self.journal_size,
                    crate::journal::MAX_JOURNAL_SIZE
                ),
            ));
        }
        Ok(())
    }

    /// The settings of the asynchronous report and its blob listener.
    fn validate_report(&self) -> Result<(), ConfigError> {
        if self.report_delay_ms > MAX_REPORT_DELAY_MS {
            return Err(invalid(
                "report-delay-ms",
                "REPORT_DELAY_MS",
                format!("{} is above {MAX_REPORT_DELAY_MS}", self.report_delay_ms),
            ));
        }
        if self.report_secret.as_ref().is_some_and(String::is_empty) {
            return Err(invalid(
                "report-secret",
                "REPORT_SECRET",
                "must not be empty (omit it to derive the key from --seed)",
            ));
        }
        if self.report_link_ttl_secs > MAX_REPORT_LINK_TTL_SECS {
            return Err(invalid(
                "report-link-ttl-secs",
                "REPORT_LINK_TTL_SECS",
                format!(
                    "{} is above {MAX_REPORT_LINK_TTL_SECS}",
                    self.report_link_ttl_secs
                ),
            ));
        }
        let blob_port = self.effective_blob_port();
        if blob_port != 0 && blob_port == self.port {
            return Err(invalid(
                "blob-port",
                "BLOB_PORT",
                format!("{blob_port} is also --port; the blob listener needs its own"),
            ));
        }
        if let Some(url) = &self.blob_public_url {
            check_public_url(url).map_err(|r| invalid("blob-public-url", "BLOB_PUBLIC_URL", r))?;
        }
        Ok(())
    }
}

/// `nextLink`s are built by appending a path, so only an absolute http(s) origin
/// (optionally with a path prefix) without query or fragment makes sense.
fn check_public_url(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|_| format!("{url:?} is not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(format!("{url:?} must start with http:// or https://")),
    }
    if uri.authority().is_none() {
        return Err(format!("{url:?} has no host"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(format!("{url:?} must not have a query or fragment"));
    }
    Ok(())
}

/// API keys are secrets even in a mock (CI logs are often public): print only their count.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("seed", &self.seed)
            .field("api_keys", &Redacted(self.api_keys.len()))
            .field("keys", &Redacted(self.keys.len()))
            .field("keys_file", &self.keys_file)
            .field("accept_minted_keys", &self.accept_minted_keys)
            .field("admin_key", &self.admin_key.as_ref().map(|_| Redacted(1)))
            .field("journal_size", &self.journal_size)
            .field("enrollments", &self.enrollments)
            .field("subscriptions", &self.subscriptions)
            .field("rows_per_day", &self.rows_per_day)
            .field("page_size", &self.page_size)
            .field("public_url", &self.public_url)
            .field("data_version", &self.data_version)
            .field("fault_rate", &self.fault_rate)
            .field("latency_ms", &self.latency_ms)
            .field("rate_limit", &self.rate_limit)
            .field("retry_after_secs", &self.retry_after_secs)
            .field("today", &self.today)
            .field("log_format", &self.log_format)
            .field("timestamps", &self.timestamps)
            .field("report_delay_ms", &self.report_delay_ms)
            .field(
                "report_secret",
                &self.report_secret.as_ref().map(|_| Redacted(1)),
            )
            .field("report_link_ttl_secs", &self.report_link_ttl_secs)
            .field("blob_port", &self.blob_port)
            .field("blob_public_url", &self.blob_public_url)
            .finish()
    }
}

struct Redacted(usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} redacted]", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    /// Parses `args` with every `env` binding removed, so the test run's environment
    /// cannot leak in.
    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        let cmd = Config::command().mut_args(|a| a.env(None::<&'static str>));
        let matches = cmd
            .try_get_matches_from(std::iter::once("ea-mock-server").chain(args.iter().copied()))?;
        Config::from_arg_matches(&matches)
    }

    #[test]
    fn clap_definition_is_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn default_equals_empty_command_line() {
        assert_eq!(parse(&[]).unwrap(), Config::default());
    }

    #[test]
    fn default_is_valid_and_uses_default_key() {
        let c = Config::default();
        c.validate().unwrap();
        assert_eq!(c.effective_api_keys(), vec![DEFAULT_API_KEY.to_owned()]);
    }

    #[test]
    fn every_flag_has_an_ea_mock_variable() {
        let cmd = Config::command();
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let env = arg
                .get_env()
                .unwrap_or_else(|| panic!("--{id} has no env var"));
            assert!(
                env.to_str().unwrap().starts_with("EA_MOCK_"),
                "{id}: {env:?}"
            );
        }
    }

    #[test]
    fn parses_all_flags() {
        let args = "--host 0.0.0.0 --port 0 --seed 7 --api-key k1 --api-key k2,k3 \
                    --enrollment 100 --enrollment 200 --subscriptions 9 --rows-per-day 3 \
                    --page-size 50 --public-url http://mock:8080 --data-version 5 \
                    --fault-rate 0.25 --latency-ms 10 --rate-limit 100 --log-format json \
                    --retry-after 0 --today 2018-06-15 --timestamps rfc3339 \
                    --report-delay-ms 0 --report-secret s3 --report-link-ttl-secs 60 \
                    --blob-port 0 --blob-public-url http://blob:10000";
        let c = parse(&args.split_whitespace().collect::<Vec<_>>()).unwrap();
        assert_eq!(c.host, "0.0.0.0");
        assert_eq!(c.port, 0);
        assert_eq!(c.seed, 7);
        assert_eq!(c.api_keys, ["k1", "k2", "k3"]);
        assert_eq!(c.effective_api_keys(), ["k1", "k2", "k3"]);
        assert_eq!(c.enrollments, ["100", "200"]);
        assert_eq!(c.subscriptions, 9);
        assert_eq!(c.rows_per_day, 3);
        assert_eq!(c.page_size, 50);
        assert_eq!(c.public_url.as_deref(), Some("http://mock:8080"));
        assert_eq!(c.data_version, 5);
        assert_eq!(c.fault_rate, 0.25);
        assert_eq!(c.latency_ms, 10);
        assert_eq!(c.rate_limit, Some(100));
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.retry_after_secs, 0);
        assert_eq!(c.today, NaiveDate::from_ymd_opt(2018, 6, 15));
        assert_eq!(c.timestamps, Timestamps::Rfc3339);
        assert_eq!(c.report_delay_ms, 0);
        assert_eq!(c.report_secret.as_deref(), Some("s3"));
        assert_eq!(c.report_link_ttl_secs, 60);
        assert_eq!((c.blob_port, c.effective_blob_port()), (0, 0));
        assert_eq!(c.blob_public_url.as_deref(), Some("http://blob:10000"));
        c.validate().unwrap();
        assert_eq!(
            parse(&[]).unwrap().timestamps,
            Timestamps::Service,
            "faithful by default"
        );
        assert!(parse(&["--timestamps", "iso"]).is_err());
    }

    #[test]
    fn rejects_malformed_today() {
        assert!(parse(&["--today", "2018-6-15x"]).is_err());
        assert!(parse(&["--today", "15/06/2018"]).is_err());
    }

    #[test]
    fn rejects_unknown_log_format() {
        assert!(parse(&["--log-format", "xml"]).is_err());
    }

    /// Environment variables are read. `set_var` is unsafe in edition 2024, so the test
    /// re-runs its own binary with the variables set and the child asserts.
    #[test]
    fn reads_environment_variables() {
        const CHILD: &str = "EA_MOCK_CONFIG_TEST_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let c = Config::try_parse_from(["ea-mock-server"]).unwrap();
            assert_eq!(c.api_keys, ["alpha", "beta"]);
            assert_eq!(c.port, 9999);
            assert_eq!(c.enrollments, ["1", "2"]);
            assert_eq!(c.fault_rate, 0.5);
            assert_eq!(c.log_format, LogFormat::Json);
            assert_eq!(c.keys, ["k1=100", "k2=100:department=7"]);
            assert_eq!(c.admin_key.as_deref(), Some("adm"));
            assert_eq!(c.journal_size, 5);
            assert!(c.accept_minted_keys);
            return;
        }
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        // Start from a clean slate: the parent's own EA_MOCK_* settings must not leak in.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("EA_MOCK_") {
                child.env_remove(name);
            }
        }
        let output = child
            .args([
                "--exact",
                "config::tests::reads_environment_variables",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("EA_MOCK_API_KEYS", "alpha,beta")
            .env("EA_MOCK_PORT", "9999")
            .env("EA_MOCK_ENROLLMENTS", "1,2")
            .env("EA_MOCK_FAULT_RATE", "0.5")
            .env("EA_MOCK_LOG_FORMAT", "json")
            .env("EA_MOCK_KEYS", "k1=100,k2=100:department=7")
            .env("EA_MOCK_ADMIN_KEY", "adm")
            .env("EA_MOCK_JOURNAL_SIZE", "5")
            .env("EA_MOCK_ACCEPT_MINTED_KEYS", "true")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        // Guard against a filter that matches nothing (0 tests also "succeeds").
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{stdout}"
        );
    }

    #[test]
    fn the_blob_port_defaults_to_azurites_unless_the_api_port_is_ephemeral() {
        let c = Config::default();
        assert_eq!(c.effective_blob_port(), DEFAULT_BLOB_PORT);
        let ephemeral = Config {
            port: 0,
            ..Config::default()
        };
        assert_eq!(ephemeral.effective_blob_port(), 0);
        let chosen = Config {
            port: 0,
            blob_port: 7,
            ..Config::default()
        };
        assert_eq!(chosen.effective_blob_port(), 7);
    }

    #[test]
    fn debug_redacts_the_report_secret() {
        let c = Config {
            report_secret: Some("report-secret-value".into()),
            ..Config::default()
        };
        let text = format!("{c:?}");
        assert!(!text.contains("report-secret-value"), "{text}");
    }

    #[test]
    fn debug_redacts_api_keys() {
        let c = Config {
            api_keys: vec!["super-secret-1".into(), "super-secret-2".into()],
            ..Config::default()
        };
        let text = format!("{c:?}");
        assert!(!text.contains("super-secret"), "{text}");
        assert!(text.contains("[2 redacted]"), "{text}");
        assert!(!format!("{c:#?}").contains("super-secret"));
    }

    fn flag_of(c: Config) -> &'static str {
        c.validate().unwrap_err().flag
    }

    #[test]
    fn validate_rejects_out_of_range_values() {
        let d = Config::default;
        assert_eq!(
            flag_of(Config {
                fault_rate: 1.5,
                ..d()
            }),
            "fault-rate"
        );
        assert_eq!(
            flag_of(Config {
                fault_rate: -0.1,
                ..d()
            }),
            "fault-rate"
        );
        assert_eq!(
            flag_of(Config {
                fault_rate: f64::NAN,
                ..d()
            }),
            "fault-rate"
        );
        assert_eq!(
            flag_of(Config {
                page_size: 0,
                ..d()
            }),
            "page-size"
        );
        assert_eq!(
            flag_of(Config {
                page_size: MAX_PAGE_SIZE + 1,
                ..d()
            }),
            "page-size"
        );
        assert_eq!(
            flag_of(Config {
                subscriptions: 0,
                ..d()
            }),
            "subscriptions"
        );
        assert_eq!(
            flag_of(Config {
                rows_per_day: MAX_ROWS_PER_DAY + 1,
                ..d()
            }),
            "rows-per-day"
        );
        assert_eq!(
            flag_of(Config {
                latency_ms: MAX_LATENCY_MS + 1,
                ..d()
            }),
            "latency-ms"
        );
        assert_eq!(
            flag_of(Config {
                rate_limit: Some(0),
                ..d()
            }),
            "rate-limit"
        );
        assert_eq!(
            flag_of(Config {
                retry_after_secs: MAX_RETRY_AFTER_SECS + 1,
                ..d()
            }),
            "retry-after"
        );
        assert_eq!(
            flag_of(Config {
                today: NaiveDate::from_ymd_opt(2014, 4, 30),
                ..d()
            }),
            "today"
        );
        assert_eq!(
            flag_of(Config {
                report_delay_ms: MAX_REPORT_DELAY_MS + 1,
                ..d()
            }),
            "report-delay-ms"
        );
        assert_eq!(
            flag_of(Config {
                report_secret: Some(String::new()),
                ..d()
            }),
            "report-secret"
        );
        assert_eq!(
            flag_of(Config {
                report_link_ttl_secs: MAX_REPORT_LINK_TTL_SECS + 1,
                ..d()
            }),
            "report-link-ttl-secs"
        );
        assert_eq!(
            flag_of(Config {
                blob_port: 8080,
                ..d()
            }),
            "blob-port"
        );
        assert_eq!(
            flag_of(Config {
                blob_public_url: Some("ftp://x".into()),
                ..d()
            }),
            "blob-public-url"
        );
        assert_eq!(
            flag_of(Config {
                host: " ".into(),
                ..d()
            }),
            "host"
        );
        assert_eq!(
            flag_of(Config {
                enrollments: vec![],
                ..d()
            }),
            "enrollment"
        );
        assert_eq!(
            flag_of(Config {
                enrollments: vec!["12a".into()],
                ..d()
            }),
            "enrollment"
        );
        assert_eq!(
            flag_of(Config {
                api_keys: vec![String::new()],
                ..d()
            }),
            "api-key"
        );
        assert_eq!(
            flag_of(Config {
                api_keys: vec!["a b".into()],
                ..d()
            }),
            "api-key"
        );
        for bad in [
            "ftp://x",
            "/relative",
            "http://x/?q=1",
            "http://x/#f",
            "not a url",
        ] {
            let c = Config {
                public_url: Some(bad.into()),
                ..d()
            };
            assert_eq!(flag_of(c), "public-url", "{bad}");
        }
        let ok = Config {
            public_url: Some("https://mock.example/prefix".into()),
            ..d()
        };
        ok.validate().unwrap();
        assert!(
            Config {
                rows_per_day: 0,
                fault_rate: 1.0,
                ..d()
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn bound_keys_come_from_flags_and_a_file() {
        let dir = std::env::temp_dir().join(format!("ea-mock-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("keys.txt");
        std::fs::write(
            &file,
            "# CI
file-key=100:account=5
",
        )
        .unwrap();
        let c = parse(&[
            "--key",
            "k1=100",
            "--key",
            "k2=100:department=7,k3=200",
            "--keys-file",
            file.to_str().unwrap(),
            "--accept-minted-keys",
            "--admin-key",
            "adm",
            "--journal-size",
            "0",
        ])
        .unwrap();
        c.validate().unwrap();
        let specs = c.key_specs().unwrap();
        let scopes: Vec<_> = specs
            .iter()
            .map(|s| (s.enrollment.as_str(), s.scope))
            .collect();
        use crate::keys::KeyScope;
        assert_eq!(
            scopes,
            [
                ("100", KeyScope::Enterprise),
                ("100", KeyScope::Department(7)),
                ("200", KeyScope::Enterprise),
                ("100", KeyScope::Account(5)),
            ]
        );
        assert!(
            c.effective_api_keys().is_empty(),
            "no default key next to bound ones"
        );
        assert!(c.accept_minted_keys && c.journal_size == 0);
        let text = format!("{c:?}");
        assert!(!text.contains("adm\"") && !text.contains("k1"), "{text}");
        std::fs::write(
            &file,
            "ok=100
secret-without-enrollment
",
        )
        .unwrap();
        let err = c.validate().unwrap_err();
        assert_eq!(err.flag, "keys-file");
        assert!(
            err.reason.contains("line 2") && !err.reason.contains("secret"),
            "{err}"
        );
        let bad = Config {
            keys: vec!["secret=abc".into()],
            ..Config::default()
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.flag, "key");
        assert!(!err.to_string().contains("secret"), "{err}");
        let missing = Config {
            keys_file: Some(dir.join("none.txt")),
            ..Config::default()
        };
        assert_eq!(missing.validate().unwrap_err().flag, "keys-file");
        assert_eq!(
            flag_of(Config {
                journal_size: crate::journal::MAX_JOURNAL_SIZE + 1,
                ..Config::default()
            }),
            "journal-size"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn validation_message_names_flag_and_variable_but_not_key() {
        let c = Config {
            api_keys: vec!["secret value".into()],
            ..Config::default()
        };
        let msg = c.validate().unwrap_err().to_string();
        assert!(
            msg.contains("--api-key") && msg.contains("EA_MOCK_API_KEYS"),
            "{msg}"
        );
        assert!(!msg.contains("secret"), "{msg}");
    }
}
