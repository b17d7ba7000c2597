//! Plumbing of the generated command-line program (feature `cli`) that no
//! spec changes: output writers (JSON, JSON Lines, CSV), the `--etag-file`
//! round trip, the progress bar and the error → exit-code table. The
//! generated `cli.rs` only says which operation to call with which flags.

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use serde::Serialize;
use serde_json::Value;

use super::client::Client;
use super::error::Error;
use super::etag::ETag;
use super::paging::Page;
use super::params::ParamValue;
use super::response::{ByteStream, Response};
use super::service_csv::Layout;

/// Shown after `--help` (and in the README), so scripts can branch on the
/// exit code without parsing messages. `{API_KEY}` and `{BASE_URL}` stand for the program's
/// environment variables, which the generator names after the crate (`<CRATE>_API_KEY`,
/// `<CRATE>_BASE_URL`) and fills in, padding keeps the columns. The API key is read from the
/// environment only, never a flag: flags show up in `ps` and shell history.
pub const AFTER_HELP_TEMPLATE: &str = "\
Environment:
  {API_KEY}  the API key (required; never taken as a flag, where `ps` would show it)
  {BASE_URL}  the service root, like --base-url (e.g. a mock server)

Exit codes:
  0  success, or not modified (304) with --etag-file: nothing written
  1  other error: bad request (400), other status, invalid argument, unreadable response, output file
  2  usage: unknown or missing flags, bad values, {API_KEY} not set
  3  authentication failed (401): wrong or expired key
  4  not found (404)
  5  throttled (429), still after retries
  6  server error (500, 503 or another 5xx), still after retries
  7  network: connection, TLS, timeout or a body cut off
  8  a long-running operation failed, ran past --deadline, or its result link expired or was refused";

/// Exit codes, one per class of failure (see [`AFTER_HELP_TEMPLATE`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Any failure without a class of its own.
    Other = 1,
    /// The command line (or the environment) is wrong; clap uses 2 too.
    Usage = 2,
    /// 401.
    Auth = 3,
    /// 404.
    NotFound = 4,
    /// 429.
    Throttled = 5,
    /// 500, 503 and other 5xx.
    Server = 6,
    /// Below HTTP: connect, TLS, timeout, body read.
    Network = 7,
    /// A long-running operation ended without a result that could be fetched.
    Operation = 8,
}

impl Exit {
    /// The class of a client error.
    pub fn of(error: &Error) -> Exit {
        match error {
            Error::Unauthorized(_) => Exit::Auth,
            Error::NotFound(_) => Exit::NotFound,
            Error::TooManyRequests { .. } => Exit::Throttled,
            Error::ServerError(_) | Error::ServiceUnavailable { .. } => Exit::Server,
            Error::UnexpectedStatus(e) if e.status.is_server_error() => Exit::Server,
            Error::Transport(_) => Exit::Network,
            Error::OperationFailed { .. }
            | Error::PollDeadline { .. }
            | Error::ResultLinkExpired { .. }
            | Error::ResultLinkRefused(_) => Exit::Operation,
            Error::PartFailed { error, .. } => Exit::of(error),
            Error::BadRequest(_)
            | Error::MissingLink { .. }
            | Error::UnexpectedStatus(_)
            | Error::Decode(_)
            | Error::InvalidArgument { .. }
            | Error::ForeignNextLink { .. } => Exit::Other,
        }
    }
}

/// Why a command failed; printed as one line on stderr.
#[derive(Debug)]
pub enum CliError {
    /// The client failed (a status, the network, a bad argument, ...).
    Api(Error),
    /// Reading or writing a local file (or stdout) failed.
    Io {
        /// What was being done, e.g. `writing usage.csv`.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The command line or environment is unusable (exit code 2).
    Usage(String),
    /// A local input is malformed, e.g. the ETag file (exit code 1).
    Invalid(String),
}

impl CliError {
    /// The process exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Api(e) => Exit::of(e),
            CliError::Usage(_) => Exit::Usage,
            CliError::Io { .. } | CliError::Invalid(_) => Exit::Other,
        }
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> CliError {
        let context = context.into();
        move |source| CliError::Io { context, source }
    }

    /// A reader that went away (`| head`) is not a failure worth a message.
    fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Api(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            CliError::Api(e @ Error::Decode(_)) => e.to_string(),
            CliError::Api(e) if e.status().is_some() => format!("HTTP {e}"),
            CliError::Api(e) => with_sources(e),
            CliError::Io { context, source } => format!("{context}: {source}"),
            CliError::Usage(m) | CliError::Invalid(m) => m.clone(),
        };
        f.write_str(&one_line(&text))
    }
}

impl std::error::Error for CliError {}

/// Transport errors say little at the top ("error sending request"); the
/// cause ("connection refused") is in the chain.
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Prints the failure, if any, and turns it into the process exit code.
pub fn exit(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // Nothing sensible is left to do if stderr is gone too.
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::from(e.exit() as u8)
        }
    }
}

/// The key from the environment variable `name`; its absence is a usage error (exit 2).
pub fn api_key_from_env(name: &str) -> Result<String, CliError> {
    std::env::var(name)
        .ok()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{name} is not set: put the API key in that environment variable"
            ))
        })
}

/// A client of `service` for `base_url` with `api_key` and the default retry policy.
pub fn client(
    service: &'static super::service::Service,
    base_url: &str,
    api_key: &str,
) -> Result<Client, CliError> {
    Ok(Client::builder(service)
        .base_url(base_url)
        .api_key(api_key)
        .build()?)
}

/// A flag value read like the service reads the parameter (`True` is a
/// boolean, numbers are trimmed), so the flag accepts what the API does.
pub fn param<T: ParamValue>(value: &str) -> Result<T, String> {
    T::parse_param(value)
}

/// The value parser of `--body`: JSON text, or `@path` for a file that holds it, read into the
/// operation's body type (so a malformed body is a usage error before anything is sent).
pub fn json_arg<T: serde::de::DeserializeOwned>(value: &str) -> Result<T, String> {
    let text = match value.strip_prefix('@') {
        Some(path) => fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?,
        None => value.to_owned(),
    };
    serde_json::from_str(&text).map_err(|e| format!("not a valid body: {e}"))
}

/// The value parser of a generated enumeration: only its listed values (in
/// any letter case), which `--help` shows and clap suggests from.
pub fn enum_parser<T>(
    known: &'static [&'static str],
) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: ParamValue + Clone + Send + Sync + 'static,
{
    clap::builder::TypedValueParser::try_map(
        clap::builder::PossibleValuesParser::new(known.iter().copied()),
        |value: String| T::parse_param(&value),
    )
}

/// `--format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document (rows of paged operations as one array), pretty-printed.
    #[default]
    Json,
    /// JSON Lines: one compact JSON row per line.
    Jsonl,
    /// CSV with a header row of the model's JSON field names; nested values as JSON text.
    Csv,
}

/// `--csv-layout`: whose CSV `--format csv` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvLayout {
    /// A header of the model's JSON field names, values as JSON writes them.
    #[default]
    JsonNames,
    /// The service's own download layout (the spec's `x-ea-csv`): a title line, a blank line,
    /// its captions in its order, `True`/`False`, `yyyy-MM-dd` dates, CRLF; for loaders written
    /// against the real service. Only for rows that have such a layout.
    Service,
}

/// Output flags of operations that return JSON.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct RowOutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// With `--format csv`: `json-names` (the model's field names) or `service` (the layout of
    /// the service's own CSV download, where the spec declares one for these rows).
    #[arg(long, value_enum, default_value_t = CsvLayout::JsonNames)]
    pub csv_layout: CsvLayout,
    /// Where the data goes and whether it is downloaded at all.
    #[command(flatten)]
    pub target: ByteOutputArgs,
}

impl RowOutputArgs {
    /// Whether these flags can write rows of `columns`: `--csv-layout service` needs
    /// `--format csv` and rows the spec gives a service layout.
    pub fn check(&self, columns: &Columns) -> Result<(), String> {
        if self.csv_layout == CsvLayout::Service {
            if self.format != Format::Csv {
                return Err("--csv-layout service goes with --format csv".into());
            }
            if !matches!(columns, Columns::Service { .. }) {
                return Err("--csv-layout service: the spec declares no service CSV layout (x-ea-csv) for the rows of this command".into());
            }
        }
        Ok(())
    }
}

/// Output flags of operations that return bytes (CSV downloads).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ByteOutputArgs {
    /// Write to FILE instead of stdout (`-` is stdout). FILE is replaced only once everything has
    /// arrived, so a failed run leaves the previous one in place.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Remember the ETag in FILE: it is sent as If-None-Match, and when the data has not changed
    /// (304) nothing is written and the exit code is 0; otherwise FILE gets the new ETag.
    #[arg(long, value_name = "FILE")]
    pub etag_file: Option<PathBuf>,
}

/// Flags of operations without a response body.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ConditionalArgs {
    /// Remember the ETag in FILE and send it as If-None-Match (304: exit code 0).
    #[arg(long, value_name = "FILE")]
    pub etag_file: Option<PathBuf>,
}

/// Which CSV columns a row has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Columns {
    /// The JSON field names of a model, in spec order.
    Fields(&'static [&'static str]),
    /// A model that is also the row of a service's CSV layout: its field names, the layout, and
    /// the title line for this request (see [`title_for`](super::service_csv::title_for)).
    Service {
        /// The JSON field names, in spec order.
        fields: &'static [&'static str],
        /// The service's layout of these rows.
        layout: &'static Layout,
        /// The title line.
        title: String,
    },
    /// Rows that are not objects (strings, numbers, maps): one `value` column.
    Value,
}

impl Columns {
    fn header(&self) -> &'static [&'static str] {
        match self {
            Columns::Fields(fields) | Columns::Service { fields, .. } => fields,
            Columns::Value => &["value"],
        }
    }

    fn cells<'a>(&self, row: &'a Value) -> Vec<Cow<'a, str>> {
        match (self, row) {
            (Columns::Fields(fields) | Columns::Service { fields, .. }, Value::Object(map)) => {
                fields.iter().map(|f| cell(map.get(*f))).collect()
            }
            (Columns::Fields(fields) | Columns::Service { fields, .. }, other) => {
                let mut cells = vec![Cow::Borrowed(""); fields.len()];
                if let Some(first) = cells.first_mut() {
                    *first = cell(Some(other));
                }
                cells
            }
            (Columns::Value, value) => vec![cell(Some(value))],
        }
    }
}

/// The JSON field names of a generated model in spec order: the CSV header.
pub trait Fields {
    /// Field names as they appear in JSON.
    const FIELDS: &'static [&'static str];
}

/// One CSV cell: strings bare, `null` and missing empty, numbers and
/// booleans as JSON writes them, objects and arrays as JSON text.
fn cell(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// Writes rows one at a time in the chosen format, so paged data streams
/// through in constant memory. JSON output is byte-identical to
/// `serde_json::to_string_pretty` of the whole array, plus a newline.
pub struct RowWriter<W: Write> {
    out: Out<W>,
    columns: Columns,
    rows: u64,
}

enum Out<W: Write> {
    Json(W),
    Jsonl(W),
    /// Boxed: the CSV writer carries its own buffer.
    Csv(Box<csv::Writer<W>>),
    /// The service's layout, one record at a time through `line`.
    ServiceCsv {
        out: W,
        layout: &'static Layout,
        line: Vec<u8>,
    },
}

impl<W: Write> fmt::Debug for RowWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowWriter")
            .field("columns", &self.columns)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl<W: Write> RowWriter<W> {
    /// Starts the output as `args` ask: [`RowWriter::new`], or the service's CSV layout with
    /// `--csv-layout service` (refused, before anything is written, when the rows have none or
    /// the format is not CSV).
    pub fn for_args(args: &RowOutputArgs, columns: Columns, mut out: W) -> io::Result<Self> {
        if args.csv_layout == CsvLayout::JsonNames {
            return RowWriter::new(args.format, columns, out);
        }
        args.check(&columns)
            .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
        let Columns::Service { layout, title, .. } = &columns else {
            unreachable!("check accepts the service layout only for such rows");
        };
        let layout: &'static Layout = layout;
        out.write_all(&layout.preamble(title))?;
        Ok(RowWriter {
            out: Out::ServiceCsv {
                out,
                layout,
                line: Vec::with_capacity(512),
            },
            columns,
            rows: 0,
        })
    }

    /// Starts the output (the CSV header is written at once, so even no
    /// rows give a file that names its columns).
    pub fn new(format: Format, columns: Columns, out: W) -> io::Result<Self> {
        let out = match format {
            Format::Json => Out::Json(out),
            Format::Jsonl => Out::Jsonl(out),
            Format::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(columns.header())?;
                Out::Csv(Box::new(csv))
            }
        };
        Ok(RowWriter {
            out,
            columns,
            rows: 0,
        })
    }

    /// Writes one row.
    pub fn write_row<T: Serialize + ?Sized>(&mut self, row: &T) -> io::Result<()> {
        match &mut self.out {
            Out::Json(out) => {
                let text = serde_json::to_string_pretty(row)?;
                out.write_all(if self.rows == 0 { b"[\n  " } else { b",\n  " })?;
                out.write_all(text.replace('\n', "\n  ").as_bytes())?;
            }
            Out::Jsonl(out) => {
                serde_json::to_writer(&mut *out, row)?;
                out.write_all(b"\n")?;
            }
            Out::Csv(csv) => {
                let value = serde_json::to_value(row)?;
                let cells = self.columns.cells(&value);
                csv.write_record(cells.iter().map(|c| c.as_bytes()))?;
            }
            Out::ServiceCsv { out, layout, line } => {
                line.clear();
                layout.write_json_record(&serde_json::to_value(row)?, line);
                out.write_all(line)?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Pushes buffered rows on, so a reader sees each page as it arrives.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Out::Json(out) | Out::Jsonl(out) | Out::ServiceCsv { out, .. } => out.flush(),
            Out::Csv(csv) => csv.flush(),
        }
    }

    /// How many rows were written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Closes the output (the JSON array) and hands back the writer.
    pub fn finish(self) -> io::Result<W> {
        let mut out = match self.out {
            Out::Json(mut out) => {
                out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
                out
            }
            Out::Jsonl(out) | Out::ServiceCsv { out, .. } => out,
            Out::Csv(csv) => csv.into_inner().map_err(|e| e.into_error())?,
        };
        out.flush()?;
        Ok(out)
    }
}

/// Writes one object: a pretty document (JSON) or one row (JSON Lines,
/// CSV). Serialised from the typed value, so fields keep spec order.
pub fn write_document<T: Serialize + ?Sized, W: Write>(
    format: Format,
    columns: Columns,
    value: &T,
    mut out: W,
) -> io::Result<W> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, value)?;
        out.write_all(b"\n")?;
        out.flush()?;
        return Ok(out);
    }
    let mut writer = RowWriter::new(format, columns, out)?;
    writer.write_row(value)?;
    writer.finish()
}

/// Where output goes: stdout, or a temporary file beside the target that
/// replaces it on [`Sink::commit`] (and is removed if the run fails), so a
/// scheduled job never leaves a half-written file where a good one was.
pub struct Sink {
    inner: SinkInner,
}

enum SinkInner {
    Stdout(BufWriter<io::Stdout>),
    Direct {
        path: PathBuf,
        file: BufWriter<File>,
    },
    Replace {
        temp: PathBuf,
        target: PathBuf,
        file: Option<BufWriter<File>>,
    },
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sink(")?;
        f.write_str(&self.describe())?;
        f.write_str(")")
    }
}

impl Sink {
    /// Opens `path` (or stdout for `None` and `-`).
    pub fn open(path: Option<&Path>) -> Result<Sink, CliError> {
        let Some(path) = path.filter(|p| *p != Path::new("-")) else {
            return Ok(Sink {
                inner: SinkInner::Stdout(BufWriter::with_capacity(64 * 1024, io::stdout())),
            });
        };
        // Devices and pipes (/dev/null, a FIFO) are written in place: renaming over them would
        // replace the device with a file.
        let special = fs::metadata(path).is_ok_and(|m| !m.is_file());
        let open_error = CliError::io(format!("cannot write {}", path.display()));
        if special {
            let file = File::create(path).map_err(open_error)?;
            return Ok(Sink {
                inner: SinkInner::Direct {
                    path: path.to_path_buf(),
                    file: BufWriter::with_capacity(64 * 1024, file),
                },
            });
        }
        let temp = temp_beside(path)?;
        let file = File::create(&temp).map_err(open_error)?;
        Ok(Sink {
            inner: SinkInner::Replace {
                temp,
                target: path.to_path_buf(),
                file: Some(BufWriter::with_capacity(64 * 1024, file)),
            },
        })
    }

    /// Whether the output is the terminal's stdout (then no progress bar:
    /// it would mix with the rows).
    fn is_stdout(&self) -> bool {
        matches!(self.inner, SinkInner::Stdout(_))
    }

    pub(crate) fn describe(&self) -> String {
        match &self.inner {
            SinkInner::Stdout(_) => "stdout".to_string(),
            SinkInner::Direct { path, .. } | SinkInner::Replace { target: path, .. } => {
                path.display().to_string()
            }
        }
    }

    /// Flushes and, for a file, moves it into place.
    pub fn commit(mut self) -> Result<(), CliError> {
        let context = format!("writing {}", self.describe());
        match &mut self.inner {
            SinkInner::Stdout(out) => out.flush().map_err(CliError::io(context)),
            SinkInner::Direct { file, .. } => file.flush().map_err(CliError::io(context)),
            SinkInner::Replace { temp, target, file } => {
                let file = file.take().expect("a sink is committed once");
                let moved = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|file| {
                        file.sync_all()?;
                        drop(file);
                        fs::rename(&*temp, &*target)
                    });
                moved.map_err(|e| {
                    let _ = fs::remove_file(&*temp);
                    CliError::io(context)(e)
                })
            }
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            SinkInner::Stdout(out) => out.write(buf),
            SinkInner::Direct { file, .. } => file.write(buf),
            SinkInner::Replace { file, .. } => {
                file.as_mut().expect("written before commit").write(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            SinkInner::Stdout(out) => out.flush(),
            SinkInner::Direct { file, .. } => file.flush(),
            SinkInner::Replace { file, .. } => file.as_mut().map_or(Ok(()), |f| f.flush()),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let SinkInner::Replace {
            temp,
            file: Some(_),
            ..
        } = &self.inner
        {
            // Not committed: the run failed, the previous output stays.
            let _ = fs::remove_file(temp);
        }
    }
}

/// `dir/.name.<pid>.tmp`: same directory, so the final rename is atomic.
fn temp_beside(path: &Path) -> Result<PathBuf, CliError> {
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Invalid(format!("{} is not a file name", path.display())))?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(format!(".{}.tmp", std::process::id()));
    Ok(path.with_file_name(temp))
}

/// Reads the ETag saved by an earlier run. A missing or empty file means
/// "no ETag yet"; anything else that is not an ETag is an error rather than
/// a silent full download.
pub fn read_etag(path: Option<&Path>) -> Result<Option<ETag>, CliError> {
    let Some(path) = path else { return Ok(None) };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::io(format!("reading {}", path.display()))(e)),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    ETag::parse(&text).map(Some).map_err(|_| {
        CliError::Invalid(format!(
            "{} does not hold an ETag (expected \"...\" or W/\"...\"); delete it to download again",
            path.display()
        ))
    })
}

/// Saves the ETag of what was just written (atomically), or removes the
/// file when the response had none, so it never describes older data.
pub fn save_etag(path: Option<&Path>, etag: Option<&ETag>) -> Result<(), CliError> {
    let Some(path) = path else { return Ok(()) };
    let context = || format!("saving the ETag to {}", path.display());
    match etag {
        Some(etag) => {
            let temp = temp_beside(path)?;
            fs::write(&temp, format!("{etag}\n"))
                .and_then(|()| fs::rename(&temp, path))
                .map_err(|e| {
                    let _ = fs::remove_file(&temp);
                    CliError::io(context())(e)
                })
        }
        None => {
            note(&format!(
                "the response has no ETag; {} removed, the next run downloads again",
                path.display()
            ));
            match fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(CliError::io(context())(e)),
                _ => Ok(()),
            }
        }
    }
}

/// The message for a 304 on stderr: nothing was written, and that is
/// success (exit code 0), so a scheduled job can run as often as it likes.
pub fn not_modified(etag_file: Option<&Path>) {
    let file = etag_file.map_or(String::new(), |p| format!(" (ETag in {})", p.display()));
    note(&format!("not modified (304){file}: nothing written"));
}

fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// Writes a list response, one row per item, and saves its ETag.
pub fn write_list<T: Serialize>(
    args: &RowOutputArgs,
    columns: Columns,
    response: Response<Vec<T>>,
) -> Result<(), CliError> {
    args.check(&columns).map_err(CliError::Usage)?;
    let etag = response.etag();
    let sink = Sink::open(args.target.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    let rows = || -> io::Result<Sink> {
        let mut writer = RowWriter::for_args(args, columns, sink)?;
        for row in response.body() {
            writer.write_row(row)?;
        }
        writer.finish()
    };
    rows().map_err(CliError::io(context))?.commit()?;
    save_etag(args.target.etag_file.as_deref(), etag.as_ref())
}

/// Writes a single-object response (one document or one row) and saves its ETag.
pub fn write_object<T: Serialize>(
    args: &RowOutputArgs,
    columns: Columns,
    response: Response<T>,
) -> Result<(), CliError> {
    args.check(&columns).map_err(CliError::Usage)?;
    let etag = response.etag();
    let sink = Sink::open(args.target.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    write_document(args.format, columns, response.body(), sink)
        .map_err(CliError::io(context))?
        .commit()?;
    save_etag(args.target.etag_file.as_deref(), etag.as_ref())
}

/// Writes the rows of every page as pages arrive, one page in memory, with
/// a progress bar on a terminal; saves the ETag of the first page.
pub async fn write_pages<P, S>(
    args: &RowOutputArgs,
    columns: Columns,
    mut pages: S,
) -> Result<(), CliError>
where
    P: Page,
    P::Item: Serialize,
    S: Stream<Item = Result<Response<P>, Error>> + Unpin,
{
    args.check(&columns).map_err(CliError::Usage)?;
    let first = pages.next().await.transpose()?;
    let etag = first.as_ref().and_then(Response::etag);
    let sink = Sink::open(args.target.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    let progress = Progress::rows(show_progress(&sink));
    let mut writer = RowWriter::for_args(args, columns, sink).map_err(CliError::io(&context))?;
    let mut next = first;
    while let Some(page) = next {
        let (items, _) = page.into_body().into_parts();
        for item in &items {
            writer.write_row(item).map_err(CliError::io(&context))?;
        }
        writer.flush().map_err(CliError::io(&context))?;
        progress.page(items.len() as u64);
        next = pages.next().await.transpose()?;
    }
    let sink = writer.finish().map_err(CliError::io(&context))?;
    sink.commit()?;
    progress.finish();
    save_etag(args.target.etag_file.as_deref(), etag.as_ref())
}

/// `--concurrency` of a range fetched as days side by side: four requests hide most of each
/// page's latency (a month is 31 short chains) while staying a small load per key; a 429 lowers
/// it anyway (AIMD), so a higher start would mostly buy throttling.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// Writes rows as they arrive (a range fetched in parts: `--concurrency`), with a progress bar
/// on a terminal. There is no ETag: the parts are separate requests.
pub async fn write_rows<T, S>(
    args: &RowOutputArgs,
    columns: Columns,
    mut rows: S,
) -> Result<(), CliError>
where
    T: Serialize,
    S: Stream<Item = Result<T, Error>> + Unpin,
{
    args.check(&columns).map_err(CliError::Usage)?;
    if args.target.etag_file.is_some() {
        return Err(CliError::Usage(
            "--etag-file needs the single request: give --concurrency 1".into(),
        ));
    }
    let sink = Sink::open(args.target.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    let progress = Progress::rows(show_progress(&sink));
    let mut writer = RowWriter::for_args(args, columns, sink).map_err(CliError::io(&context))?;
    while let Some(row) = rows.next().await {
        writer.write_row(&row?).map_err(CliError::io(&context))?;
        progress.rows_read(1);
    }
    let sink = writer.finish().map_err(CliError::io(&context))?;
    sink.commit()?;
    progress.finish();
    Ok(())
}

/// Writes a byte stream as it arrives and saves its ETag.
pub async fn write_bytes(
    args: &ByteOutputArgs,
    response: Response<ByteStream>,
) -> Result<(), CliError> {
    let etag = response.etag();
    let mut sink = Sink::open(args.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    let progress = Progress::bytes(show_progress(&sink));
    let mut body = response.into_body();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        sink.write_all(&chunk).map_err(CliError::io(&context))?;
        progress.bytes_read(chunk.len() as u64);
    }
    sink.commit()?;
    progress.finish();
    save_etag(args.etag_file.as_deref(), etag.as_ref())
}

/// Finishes an operation without a body: only the ETag is kept.
pub fn finish_empty(args: &ConditionalArgs, response: Response<()>) -> Result<(), CliError> {
    save_etag(args.etag_file.as_deref(), response.etag().as_ref())
}

/// A progress bar on stderr only when a person watches it: stderr is a
/// terminal and the data is not going to that same terminal.
fn show_progress(sink: &Sink) -> bool {
    io::stderr().is_terminal() && !(sink.is_stdout() && io::stdout().is_terminal())
}

/// A bar of unknown length on stderr drawn with `template`, ticking on its own.
pub(crate) fn spinner(template: &str) -> indicatif::ProgressBar {
    let style = indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr())
            .with_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Rows and pages (or bytes) so far; a no-op when hidden.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    pages: std::cell::Cell<u64>,
}

impl Progress {
    fn new(show: bool, template: &str) -> Progress {
        let bar = show.then(|| {
            let bar = spinner(template);
            bar.set_message("0");
            bar
        });
        Progress {
            bar,
            pages: std::cell::Cell::new(0),
        }
    }

    fn rows(show: bool) -> Progress {
        Progress::new(show, "{spinner} {human_pos} rows, {msg} pages [{elapsed}]")
    }

    fn bytes(show: bool) -> Progress {
        Progress::new(
            show,
            "{spinner} {bytes} ({binary_bytes_per_sec}) [{elapsed}]",
        )
    }

    fn page(&self, rows: u64) {
        self.pages.set(self.pages.get() + 1);
        if let Some(bar) = &self.bar {
            bar.inc(rows);
            bar.set_message(self.pages.get().to_string());
        }
    }

    fn rows_read(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn bytes_read(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Leaves the final count on screen.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // A failed run clears the bar so the error line stands alone.
        if let Some(bar) = &self.bar
            && !bar.is_finished()
        {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_arguments_are_json_text_or_a_file() {
        let v: Value = json_arg(r#"{"a":1}"#).unwrap();
        assert_eq!(v["a"], 1);
        let path = std::env::temp_dir().join(format!("ea-body-{}.json", std::process::id()));
        fs::write(&path, r#"[true]"#).unwrap();
        let v: Vec<bool> = json_arg(&format!("@{}", path.display())).unwrap();
        assert_eq!(v, [true]);
        let _ = fs::remove_file(&path);
        assert!(
            json_arg::<Value>("{")
                .unwrap_err()
                .contains("not a valid body")
        );
        assert!(
            json_arg::<Value>("@/no/such/file")
                .unwrap_err()
                .contains("cannot read")
        );
    }
    use crate::test_server::SERVICE;
    use http::{HeaderMap, HeaderValue, StatusCode};
    use serde_json::json;

    const FIELDS: Columns = Columns::Fields(&["name", "cost", "tags", "when", "ok"]);

    /// A typed row like a generated model: JSON keys in declaration order, absent ones skipped.
    #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
    struct Row {
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cost: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tags: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        when: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        ok: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra: Option<String>,
    }

    fn rows() -> Vec<Row> {
        vec![
            Row {
                name: Some("plain".into()),
                cost: Some(json!(1.5)),
                tags: Some(json!({"a": "b"})),
                when: Some("2026-10-01T00:00:00Z".into()),
                ok: Some(true),
                extra: None,
            },
            Row {
                name: Some("comma, \"quote\"\nnewline".into()),
                cost: Some(Value::Null),
                tags: Some(json!([1, 2])),
                extra: Some("ignored".into()),
                ..Row::default()
            },
            Row {
                cost: Some(json!(0)),
                ..Row::default()
            },
        ]
    }

    fn written<T: Serialize>(format: Format, columns: Columns, rows: &[T]) -> String {
        let mut writer = RowWriter::new(format, columns, Vec::new()).unwrap();
        for row in rows {
            writer.write_row(row).unwrap();
        }
        assert_eq!(writer.rows(), rows.len() as u64);
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn csv_escapes_and_orders_by_header() {
        assert_eq!(
            written(Format::Csv, FIELDS, &rows()),
            "name,cost,tags,when,ok\n\
             plain,1.5,\"{\"\"a\"\":\"\"b\"\"}\",2026-10-01T00:00:00Z,true\n\
             \"comma, \"\"quote\"\"\nnewline\",,\"[1,2]\",,\n\
             ,0,,,\n"
        );
        assert_eq!(
            written::<Row>(Format::Csv, FIELDS, &[]),
            "name,cost,tags,when,ok\n"
        );
    }

    #[test]
    fn csv_of_non_objects_uses_a_value_column() {
        let values = [json!("a,b"), json!(7), json!({"k": 1}), Value::Null];
        assert_eq!(
            written(Format::Csv, Columns::Value, &values),
            "value\n\"a,b\"\n7\n\"{\"\"k\"\":1}\"\n\"\"\n"
        );
        assert_eq!(
            written(Format::Csv, Columns::Fields(&["a", "b"]), &[json!("x")]),
            "a,b\nx,\n"
        );
    }

    #[test]
    fn json_lines_are_one_compact_row_each() {
        assert_eq!(
            written(Format::Jsonl, FIELDS, &rows()),
            "{\"name\":\"plain\",\"cost\":1.5,\"tags\":{\"a\":\"b\"},\"when\":\"2026-10-01T00:00:00Z\",\"ok\":true}\n\
             {\"name\":\"comma, \\\"quote\\\"\\nnewline\",\"cost\":null,\"tags\":[1,2],\"extra\":\"ignored\"}\n\
             {\"cost\":0}\n"
        );
        assert_eq!(written::<Row>(Format::Jsonl, FIELDS, &[]), "");
    }

    #[test]
    fn streamed_json_equals_the_pretty_array() {
        for n in 0..=3 {
            let rows = &rows()[..n];
            let expected = serde_json::to_string_pretty(rows).unwrap() + "\n";
            assert_eq!(written(Format::Json, FIELDS, rows), expected, "{n} rows");
            let whole = write_document(Format::Json, FIELDS, rows, Vec::new()).unwrap();
            assert_eq!(String::from_utf8(whole).unwrap(), expected);
        }
    }

    #[test]
    fn a_single_object_is_one_document_or_one_row() {
        let object = Row {
            name: Some("n".into()),
            cost: Some(json!(2)),
            ..Row::default()
        };
        let out = |format| {
            String::from_utf8(write_document(format, FIELDS, &object, Vec::new()).unwrap()).unwrap()
        };
        assert_eq!(
            out(Format::Json),
            "{\n  \"name\": \"n\",\n  \"cost\": 2\n}\n"
        );
        assert_eq!(out(Format::Jsonl), "{\"name\":\"n\",\"cost\":2}\n");
        assert_eq!(out(Format::Csv), "name,cost,tags,when,ok\nn,2,,,\n");
    }

    fn api_error(status: u16, body: &str) -> Box<super::super::ApiError> {
        Box::new(super::super::ApiError::new(
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            bytes::Bytes::from(body.to_owned()),
        ))
    }

    #[test]
    fn exit_codes_per_class() {
        let transport = reqwest::Client::new().get("not a url").build().unwrap_err();
        let cases: Vec<(Error, u8)> = vec![
            (Error::BadRequest(api_error(400, "")), 1),
            (Error::Unauthorized(api_error(401, "")), 3),
            (Error::NotFound(api_error(404, "")), 4),
            (
                Error::TooManyRequests {
                    error: api_error(429, ""),
                    retry_after: Some(Duration::from_secs(3)),
                },
                5,
            ),
            (Error::ServerError(api_error(500, "")), 6),
            (
                Error::ServiceUnavailable {
                    error: api_error(503, ""),
                    retry_after: None,
                },
                6,
            ),
            (Error::UnexpectedStatus(api_error(507, "")), 6),
            (Error::UnexpectedStatus(api_error(403, "")), 1),
            (Error::Transport(transport), 7),
            (
                Error::InvalidArgument {
                    name: "base_url".into(),
                    reason: "bad".into(),
                },
                1,
            ),
            (
                Error::ForeignNextLink {
                    next_link: "https://elsewhere/".into(),
                    expected_origin: "http://127.0.0.1".into(),
                },
                1,
            ),
        ];
        for (error, code) in cases {
            let shown = format!("{error:?}");
            let e = CliError::from(error);
            assert_eq!(e.exit() as u8, code, "{shown}");
            assert!(
                AFTER_HELP_TEMPLATE.contains(&format!("\n  {code}  ")),
                "{code} is documented"
            );
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        assert_eq!(CliError::Usage("x".into()).exit(), Exit::Usage);
        assert_eq!(CliError::Invalid("x".into()).exit(), Exit::Other);
        let io = CliError::io("writing x")(io::Error::other("disk full"));
        assert_eq!(io.exit(), Exit::Other);
        assert_eq!(io.to_string(), "writing x: disk full");
    }

    #[test]
    fn error_line_names_status_and_service_message() {
        let body = r#"{"error":{"code":"InvalidKey","message":"The key\nhas expired"}}"#;
        let e = CliError::from(Error::Unauthorized(api_error(401, body)));
        assert_eq!(
            e.to_string(),
            "HTTP 401 Unauthorized: The key has expired (code InvalidKey)"
        );
        let e = CliError::from(Error::TooManyRequests {
            error: api_error(429, ""),
            retry_after: Some(Duration::from_secs(2)),
        });
        assert_eq!(
            e.to_string(),
            "HTTP 429 Too Many Requests (retry after 2 s)"
        );
    }

    #[test]
    fn bad_base_url_or_key_is_an_invalid_argument() {
        for (base_url, key) in [("ftp://example.invalid", "k"), ("http://127.0.0.1:1", " ")] {
            let error = client(&SERVICE, base_url, key).unwrap_err();
            assert_eq!(error.exit(), Exit::Other, "{error}");
            assert!(error.to_string().starts_with("invalid argument"), "{error}");
        }
        assert!(client(&SERVICE, "http://127.0.0.1:1", "key").is_ok());
    }

    /// A fresh directory under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("ea-cli-support-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn entries(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn etag_file_round_trip() {
        let dir = Scratch::new("etag");
        let file = dir.0.join("usage.etag");
        assert_eq!(read_etag(None).unwrap(), None);
        assert_eq!(read_etag(Some(&file)).unwrap(), None, "missing file");
        let tag = ETag::parse("W/\"v1-abc\"").unwrap();
        save_etag(Some(&file), Some(&tag)).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "W/\"v1-abc\"\n");
        assert_eq!(read_etag(Some(&file)).unwrap(), Some(tag));
        assert_eq!(dir.entries(), ["usage.etag"], "no temporary file left");
        save_etag(Some(&file), None).unwrap();
        assert!(!file.exists(), "a response without ETag removes the file");
        save_etag(Some(&file), None).unwrap();
        fs::write(&file, " \n").unwrap();
        assert_eq!(read_etag(Some(&file)).unwrap(), None, "empty file");
        fs::write(&file, "not-quoted").unwrap();
        let error = read_etag(Some(&file)).unwrap_err();
        assert_eq!(error.exit(), Exit::Other);
        assert!(
            error.to_string().contains("does not hold an ETag"),
            "{error}"
        );
    }

    #[test]
    fn output_file_is_replaced_only_on_commit() {
        let dir = Scratch::new("sink");
        let target = dir.0.join("out.csv");
        fs::write(&target, "previous").unwrap();
        let mut sink = Sink::open(Some(&target)).unwrap();
        sink.write_all(b"half").unwrap();
        drop(sink);
        assert_eq!(fs::read_to_string(&target).unwrap(), "previous");
        assert_eq!(dir.entries(), ["out.csv"]);
        let mut sink = Sink::open(Some(&target)).unwrap();
        sink.write_all(b"new").unwrap();
        sink.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(dir.entries(), ["out.csv"]);
        assert!(Sink::open(Some(Path::new("-"))).unwrap().is_stdout());
    }

    #[derive(Debug, serde::Deserialize)]
    struct TestPage {
        data: Vec<Row>,
    }

    impl Page for TestPage {
        type Item = Row;
        const NEXT_LINK_FIELD: &'static str = "nextLink";

        fn into_parts(self) -> (Vec<Row>, Option<String>) {
            (self.data, None)
        }
    }

    fn page(rows: Vec<Row>, etag: &str) -> Result<Response<TestPage>, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::ETAG, HeaderValue::from_str(etag).unwrap());
        Ok(Response::new(
            StatusCode::OK,
            headers,
            TestPage { data: rows },
        ))
    }

    fn args(dir: &Scratch, format: Format) -> RowOutputArgs {
        RowOutputArgs {
            format,
            csv_layout: CsvLayout::JsonNames,
            target: ByteOutputArgs {
                output: Some(dir.0.join("rows.out")),
                etag_file: Some(dir.0.join("rows.etag")),
            },
        }
    }

    #[test]
    fn the_service_layout_writes_its_own_preamble_and_cells() {
        use crate::service_csv::{CellKind, Column};
        static LAYOUT: Layout = Layout {
            title: "Rows for {p}",
            range_title: None,
            columns: &[
                Column {
                    caption: "Cost",
                    field: "cost",
                    kind: CellKind::Number,
                },
                Column {
                    caption: "When",
                    field: "when",
                    kind: CellKind::DateTime,
                },
                Column {
                    caption: "Ok",
                    field: "ok",
                    kind: CellKind::Bool,
                },
            ],
        };
        let columns = Columns::Service {
            fields: &["ok", "cost", "when"],
            layout: &LAYOUT,
            title: "Rows for 201805".into(),
        };
        let mut args = RowOutputArgs {
            format: Format::Csv,
            csv_layout: CsvLayout::Service,
            ..RowOutputArgs::default()
        };
        let mut writer = RowWriter::for_args(&args, columns.clone(), Vec::new()).unwrap();
        writer
            .write_row(&json!({"ok": true, "cost": 1e-7, "when": "2018-05-01T00:00:00Z"}))
            .unwrap();
        writer.write_row(&json!({"cost": 2.5})).unwrap();
        assert_eq!(
            String::from_utf8(writer.finish().unwrap()).unwrap(),
            "Rows for 201805\r\n\r\nCost,When,Ok\r\n0.0000001,2018-05-01,True\r\n2.5,,\r\n"
        );
        assert_eq!(args.check(&columns), Ok(()));
        assert!(
            args.check(&FIELDS)
                .unwrap_err()
                .contains("no service CSV layout")
        );
        args.format = Format::Json;
        assert!(args.check(&columns).unwrap_err().contains("--format csv"));
        assert!(RowWriter::for_args(&args, columns, Vec::new()).is_err());
        args.csv_layout = CsvLayout::JsonNames;
        assert_eq!(args.check(&FIELDS), Ok(()));
    }

    #[tokio::test]
    async fn pages_stream_into_the_file_and_keep_the_first_etag() {
        let dir = Scratch::new("pages");
        let mut all = rows();
        let last = all.split_off(2);
        let expected = written(Format::Csv, FIELDS, &rows());
        let pages = futures_util::stream::iter(vec![
            page(all, "\"p1\""),
            page(Vec::new(), "\"p2\""),
            page(last, "\"p3\""),
        ]);
        write_pages(&args(&dir, Format::Csv), FIELDS, pages)
            .await
            .unwrap();
        assert_eq!(
            fs::read_to_string(dir.0.join("rows.out")).unwrap(),
            expected
        );
        assert_eq!(
            fs::read_to_string(dir.0.join("rows.etag")).unwrap(),
            "\"p1\"\n"
        );
        assert_eq!(dir.entries(), ["rows.etag", "rows.out"]);
    }

    #[tokio::test]
    async fn a_failed_page_leaves_no_output_and_no_etag() {
        let dir = Scratch::new("failed");
        let pages = futures_util::stream::iter(vec![
            page(rows(), "\"p1\""),
            Err(Error::ServerError(api_error(500, "{\"message\":\"boom\"}"))),
        ]);
        let error = write_pages(&args(&dir, Format::Jsonl), FIELDS, pages)
            .await
            .unwrap_err();
        assert_eq!(error.exit(), Exit::Server);
        assert_eq!(error.to_string(), "HTTP 500 Internal Server Error: boom");
        assert!(dir.entries().is_empty(), "{:?}", dir.entries());
    }

    #[tokio::test]
    async fn bytes_are_written_as_they_come() {
        let dir = Scratch::new("bytes");
        let chunks = futures_util::stream::iter(vec![
            Ok(bytes::Bytes::from_static(b"a,b\n")),
            Ok(bytes::Bytes::from_static(b"1,2\n")),
        ]);
        let mut headers = HeaderMap::new();
        headers.insert(http::header::ETAG, HeaderValue::from_static("\"csv1\""));
        let response = Response::new(StatusCode::OK, headers, ByteStream::new(chunks));
        let args = args(&dir, Format::Json).target;
        write_bytes(&args, response).await.unwrap();
        assert_eq!(
            fs::read_to_string(dir.0.join("rows.out")).unwrap(),
            "a,b\n1,2\n"
        );
        assert_eq!(
            read_etag(args.etag_file.as_deref())
                .unwrap()
                .unwrap()
                .as_str(),
            "\"csv1\""
        );
    }
}
