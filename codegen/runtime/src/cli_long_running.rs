//! The generated command-line program's subcommand for a long-running operation: submit, show
//! the status while waiting (a spinner on a terminal, a line per change otherwise), then write
//! the result as its host sent it, or as typed rows.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;

use super::cli_support::{
    ByteOutputArgs, CliError, Columns, CsvLayout, Format, RowOutputArgs, RowWriter, Sink, spinner,
    write_object,
};
use super::long_running::{Finished, LongRunning, Poller, Progress};
use super::response::Response;
use super::service_csv::ServiceCsv;

/// Flags of a long-running operation's subcommand.
#[derive(Clone, Debug, clap::Args)]
pub struct LongRunningArgs {
    /// Only submit: write the first answer (JSON) and exit without waiting.
    #[arg(long)]
    pub no_wait: bool,
    /// Seconds between polls when the service does not say (default: the spec's interval).
    #[arg(long, value_name = "SECONDS")]
    pub poll_interval: Option<f64>,
    /// Give up after polling this long (exit code 8).
    #[arg(long, value_name = "SECONDS", default_value_t = 7200.0)]
    pub deadline: f64,
    /// What to write: `raw` (the result file as its host sent it), or its rows as `json`,
    /// `jsonl` or `csv` (where the spec declares the result's CSV layout).
    #[arg(long, value_enum, default_value_t = ResultFormat::Raw)]
    pub format: ResultFormat,
    /// With `--format csv`: `json-names` or `service` (see the other subcommands).
    #[arg(long, value_enum, default_value_t = CsvLayout::JsonNames)]
    pub csv_layout: CsvLayout,
    /// Write to FILE instead of stdout (`-` is stdout); replaced only once everything arrived.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--format` of a long-running subcommand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultFormat {
    /// The result's bytes, unchanged.
    #[default]
    Raw,
    /// Its rows as one JSON array.
    Json,
    /// Its rows as JSON Lines.
    Jsonl,
    /// Its rows as CSV.
    Csv,
}

impl LongRunningArgs {
    /// The poller as the flags set it, reporting status changes on stderr.
    pub fn configure<R: LongRunning, T>(
        &self,
        poller: Poller<R, T>,
    ) -> Result<Poller<R, T>, CliError> {
        let seconds = |flag: &str, s: f64| {
            Duration::try_from_secs_f64(s)
                .map_err(|_| CliError::Usage(format!("{flag}: {s} is not a number of seconds")))
        };
        let mut poller = poller.deadline(seconds("--deadline", self.deadline)?);
        if let Some(interval) = self.poll_interval {
            poller = poller.interval(seconds("--poll-interval", interval)?);
        }
        let mut status = StatusLine::new();
        Ok(poller.on_progress(move |p| status.show(p)))
    }

    fn rows_args(&self, format: Format) -> RowOutputArgs {
        RowOutputArgs {
            format,
            csv_layout: self.csv_layout,
            target: self.target(),
        }
    }

    fn target(&self) -> ByteOutputArgs {
        ByteOutputArgs {
            output: self.output.clone(),
            etag_file: None,
        }
    }
}

/// `--no-wait`: the first answer as one JSON document.
pub fn write_submitted<R: Serialize>(
    args: &LongRunningArgs,
    columns: Columns,
    response: Response<R>,
) -> Result<(), CliError> {
    write_object(&args.rows_args(Format::Json), columns, response)
}

/// Waits, then writes the result's bytes (`--format raw`, the only format for results without
/// a CSV layout).
pub async fn wait_raw<R: LongRunning, T: 'static>(
    args: &LongRunningArgs,
    poller: Poller<R, T>,
) -> Result<(), CliError> {
    if args.format != ResultFormat::Raw {
        return Err(CliError::Usage(
            "--format: the spec declares no CSV layout of this result, so only raw".into(),
        ));
    }
    let finished = args.configure(poller)?.wait().await?;
    write_raw(args, &finished).await
}

/// Waits, then writes the result: its bytes, or its typed rows.
pub async fn wait_rows<R, T>(
    args: &LongRunningArgs,
    poller: Poller<R, T>,
    columns: Columns,
) -> Result<(), CliError>
where
    R: LongRunning,
    T: ServiceCsv + Serialize + Send + 'static,
{
    let format = match args.format {
        ResultFormat::Raw => None,
        ResultFormat::Json => Some(Format::Json),
        ResultFormat::Jsonl => Some(Format::Jsonl),
        ResultFormat::Csv => Some(Format::Csv),
    };
    // Usage errors before the (long) wait.
    if let Some(format) = format {
        args.rows_args(format)
            .check(&columns)
            .map_err(CliError::Usage)?;
    } else if args.csv_layout != CsvLayout::JsonNames {
        return Err(CliError::Usage(
            "--csv-layout goes with --format csv".into(),
        ));
    }
    let finished = args.configure(poller)?.wait().await?;
    let Some(format) = format else {
        return write_raw(args, &finished).await;
    };
    let rows_args = args.rows_args(format);
    let mut rows = finished.rows().await?.into_body();
    let sink = Sink::open(args.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    let mut writer =
        RowWriter::for_args(&rows_args, columns, sink).map_err(CliError::io(&context))?;
    while let Some(row) = rows.next().await {
        writer.write_row(&row?).map_err(CliError::io(&context))?;
    }
    writer.finish().map_err(CliError::io(&context))?.commit()
}

async fn write_raw<R, T>(
    args: &LongRunningArgs,
    finished: &Finished<R, T>,
) -> Result<(), CliError> {
    let mut body = finished.download().await?.into_body();
    let mut sink = Sink::open(args.output.as_deref())?;
    let context = format!("writing {}", sink.describe());
    while let Some(chunk) = body.next().await {
        sink.write_all(&chunk?).map_err(CliError::io(&context))?;
    }
    sink.commit()
}

/// Status changes on stderr: a spinner with the state on a terminal, else one line each. The
/// result link is never printed (its query is a credential).
struct StatusLine {
    spinner: Option<indicatif::ProgressBar>,
}

impl StatusLine {
    fn new() -> Self {
        let spinner = io::stderr()
            .is_terminal()
            .then(|| spinner("{spinner} {msg} [{elapsed}]"));
        StatusLine { spinner }
    }

    fn show<R>(&mut self, progress: &Progress<R>) {
        let line = format!(
            "status {} after {:.1} s",
            progress.status,
            progress.elapsed.as_secs_f64()
        );
        match &self.spinner {
            Some(bar) => bar.set_message(line),
            None => {
                let _ = writeln!(io::stderr(), "{line}");
            }
        }
    }
}

impl Drop for StatusLine {
    fn drop(&mut self) {
        if let Some(bar) = &self.spinner {
            bar.finish_and_clear();
        }
    }
}
