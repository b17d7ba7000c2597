//! The crate around the code: `Cargo.toml`, `README.md` and `src/lib.rs`.

use super::{EmitOptions, Runtime, runtime};
use crate::ir::{Api, Operation, ResponseKind, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::fmt::Write as _;

pub(super) fn cargo_toml(api: &Api, options: &EmitOptions, header: &str) -> String {
    let header = header.replace("// ", "# ");
    let description = format!(
        "Async Rust client for {}, generated from its spec",
        api.title
    )
    .replace('"', "'");
    // The runtime's dependencies and features are the generated crate's: the generated code uses
    // some of them directly (serde, chrono, fake, clap), and an embedded runtime needs them all.
    let mut deps = runtime::dependencies(options.uses_decimal);
    if let Runtime::Path(path) = &options.runtime {
        deps.insert_str(
            0,
            &format!(
                "{} = {{ path = {path:?}, default-features = false }}\n",
                runtime::package()
            ),
        );
    }
    let mut features = String::from("default = []\n");
    for (name, mut enables) in runtime::features() {
        if let Runtime::Path(_) = options.runtime {
            enables.push(format!("{}/{name}", runtime::package()));
        }
        let comment = match name.as_str() {
            "server" => {
                "The server side of the spec: `operations::Operation` and `operations::match_request`."
                    .to_string()
            }
            "fake" => "`fake::Dummy` on every model, for test data.".to_string(),
            "cli" => format!(
                "The command-line program `{}`: one subcommand per operation.",
                options.crate_name
            ),
            _ => format!("The runtime's `{name}` feature."),
        };
        let list: Vec<String> = enables.iter().map(|e| format!("{e:?}")).collect();
        let _ = writeln!(features, "# {comment}\n{name} = [{}]", list.join(", "));
    }
    format!(
        r#"{header}
[package]
name = "{name}"
version = "{version}"
edition = "2024"
description = "{description}"
license = "MIT OR Apache-2.0"

[[bin]]
name = "{name}"
path = "src/main.rs"
required-features = ["cli"]

[features]
{features}
[dependencies]
{deps}"#,
        name = options.crate_name,
        version = options.crate_version,
    )
}

/// An operation whose required parameters are all strings, for examples.
fn example_operation(api: &Api) -> Option<&Operation> {
    api.operations
        .iter()
        .filter(|op| {
            op.params
                .iter()
                .all(|p| !p.required || p.ty == TypeRef::String)
        })
        .find(|op| {
            matches!(
                op.response,
                ResponseKind::Json(_) | ResponseKind::Paged { .. }
            )
        })
}

/// The client call that builds the example operation's request (its required arguments).
fn example_call(op: &Operation) -> String {
    let args: Vec<&str> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|_| "\"100\"")
        .collect();
    format!(
        "client.{}({})",
        op.method_name.trim_start_matches("r#"),
        args.join(", ")
    )
}

pub(super) fn lib_rs(api: &Api, options: &EmitOptions) -> TokenStream {
    let krate = options.crate_name.replace('-', "_");
    let mut lines = vec![format!(" # {}", api.title), String::new()];
    if let Some(description) = api
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        lines.extend(description.lines().map(|l| format!(" {}", l.trim_end())));
        lines.push(String::new());
    }
    lines.push(
        " An async client for this API, generated from its spec by ea-codegen: typed models \
         ([`models`]), one method per operation on [`Client`] (see [`client`]), conditional \
         requests with ETags, retries with backoff, and streams that follow `nextLink`."
            .to_string(),
    );
    if let Some(op) = example_operation(api) {
        lines.extend([
            String::new(),
            " ```no_run".to_string(),
            format!(" # async fn run() -> Result<(), {krate}::Error> {{"),
            match api.base_url {
                Some(_) => format!(" let client = {krate}::Client::new(\"API_KEY\");"),
                None => format!(
                    " let client = {krate}::Client::builder().base_url(\"http://127.0.0.1:8080\").api_key(\"API_KEY\").build()?;"
                ),
            },
            format!(" let response = {}.await?;", example_call(op)),
            " println!(\"{} {:?}\", response.status(), response.etag());".to_string(),
            " # Ok(())".to_string(),
            " # }".to_string(),
            " ```".to_string(),
        ]);
    }
    let runtime = match &options.runtime {
        Runtime::Embedded => quote! { pub mod runtime; },
        Runtime::Path(_) => {
            let package = Ident::new(&runtime::package().replace('-', "_"), Span::call_site());
            quote! { pub use #package as runtime; }
        }
    };
    quote! {
        #(#![doc = #lines])*

        #[rustfmt::skip]
        pub mod models;
        #[rustfmt::skip]
        pub mod client;
        #[cfg(feature = "server")]
        #[rustfmt::skip]
        pub mod operations;
        #[cfg(feature = "cli")]
        #[rustfmt::skip]
        pub mod cli;

        // Short enough that prettyplease and rustfmt agree on the layout: lib.rs is the crate
        // root, which `#[rustfmt::skip]` cannot cover.
        pub use client::{Client, ClientBuilder};
        #runtime
        pub use runtime::{ApiError, ApiKey, ByteStream, Conditional, ETag};
        pub use runtime::{Error, NotModified, Page};
        pub use runtime::{Response, RetryPolicy};
    }
}

pub(super) fn readme(api: &Api, options: &EmitOptions) -> String {
    let mut out = String::new();
    let krate = options.crate_name.replace('-', "_");
    let _ = writeln!(
        out,
        "<!-- @generated by ea-codegen. Do not edit by hand. Regenerate with: {} -->",
        options.regenerate_command
    );
    let _ = writeln!(out, "# {}\n", options.crate_name);
    let _ = writeln!(
        out,
        "An async Rust client for **{}** (version `{}`), generated from its spec by `ea-codegen`.\n",
        api.title, api.version
    );
    match &api.base_url {
        Some(url) => {
            let _ = writeln!(out, "Default base URL: `{url}`.\n");
        }
        None => {
            let _ = writeln!(
                out,
                "The spec names no server: every client is given its base URL (`Client::builder().base_url(..)`).\n"
            );
        }
    }
    let _ = writeln!(
        out,
        "## Use\n\n```rust,no_run\n# async fn run() -> Result<(), {krate}::Error> {{"
    );
    let _ = writeln!(out, "use {krate}::{{Client, Conditional}};\n");
    let _ = writeln!(
        out,
        "let client = Client::builder()\n    .api_key(std::env::var({:?}).unwrap_or_default())\n    .build()?;",
        options.env.api_key
    );
    if let Some(op) = example_operation(api) {
        let call = example_call(op);
        let _ = writeln!(out, "let response = {call}.send().await?;");
        let _ = writeln!(
            out,
            "println!(\"{{}} etag={{:?}}\", response.status(), response.etag());"
        );
        let _ = writeln!(out, "if let Some(etag) = response.etag() {{");
        let _ = writeln!(out, "    match {call}.if_none_match(&etag).await? {{");
        let _ = writeln!(
            out,
            "        Conditional::NotModified(_) => println!(\"unchanged\"),\n        Conditional::Modified(fresh) => println!(\"changed: {{:?}}\", fresh.etag()),\n    }}\n}}"
        );
    }
    let _ = writeln!(out, "# Ok(())\n# }}\n```\n");
    let mut hints: Vec<String> = api
        .retry_after_headers
        .iter()
        .map(|h| format!("`{h}`"))
        .collect();
    if !api
        .retry_after_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("retry-after"))
    {
        hints.push("`Retry-After`".into());
    }
    // Which requests are retried: the idempotent methods the API has (PUT and DELETE are, RFC
    // 9110), never POST or PATCH; said only when there are such others, so a GET-only API reads
    // as before.
    let idempotent_writes = api
        .operations
        .iter()
        .any(|op| matches!(op.http_method.as_str(), "PUT" | "DELETE"));
    let retried = if idempotent_writes {
        "GET, PUT and DELETE requests (idempotent; POST and PATCH never are)"
    } else {
        "GET requests"
    };
    let _ = writeln!(
        out,
        "Every method returns the body with its status and headers. Errors are one enum, `{krate}::Error`, keyed by status (400, 401, 404, 429 with its retry-after, 500, 503, other), plus transport, decode and invalid-argument errors. {retried} are retried on 429, 500, 502, 503, 504 and connection failures with jittered exponential backoff that honours the server's wait, read from {} in that order (see `RetryPolicy`). The API key never appears in `Debug` output.\n",
        hints.join(", then ")
    );
    let _ = writeln!(
        out,
        "## Features\n\n- `server`: `operations::Operation` (one variant per operation, parameters typed) and `operations::match_request`, for servers and mocks of this API.\n- `fake`: `fake::Dummy` on every model, with field fakers chosen from format and name.\n- `cli`: the command-line program `{}` (below).\n",
        options.crate_name
    );
    let _ = writeln!(
        out,
        "## Operations\n\n| method | path | Rust method | `{}` subcommand | returns |\n|---|---|---|---|---|",
        options.crate_name
    );
    for (op, command) in api.operations.iter().zip(super::cli::commands(api)) {
        let returns = match &op.response {
            ResponseKind::Json(t) => format!("`{}`", type_name(t)),
            ResponseKind::Paged { envelope, .. } => {
                format!("`{envelope}` (paged: `.pages()`, `.stream()`)")
            }
            ResponseKind::Bytes { accept } => format!("byte stream (`{accept}`)"),
            ResponseKind::Empty => "nothing".into(),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | `{}` | {} |",
            op.http_method,
            op.path,
            op.method_name.trim_start_matches("r#"),
            command.name,
            returns
        );
    }
    let _ = writeln!(
        out,
        "\nEach method takes the operation's required parameters and returns its request builder (`client::builder`): optional parameters are named setters; `.send()` (or `.await`) sends it, `.if_none_match(&etag)` sends it conditionally and returns `Conditional::NotModified` on 304, paged operations add `.pages()`, `.pages_if_none_match(&etag)` and `.stream()` (every row, following the next link), and CSV downloads whose layout the spec declares (`x-ea-csv`) add `.rows()` (typed rows, read as the body arrives).\n"
    );
    cli_section(&mut out, api, options);
    out
}

/// The README's command-line section: install, environment, output, examples, exit codes.
fn cli_section(out: &mut String, api: &Api, options: &EmitOptions) {
    let bin = &options.crate_name;
    let key_env = &options.env.api_key;
    let url_env = &options.env.base_url;
    let _ = writeln!(
        out,
        "## Command line (feature `cli`)\n\n\
         The crate also builds a program, `{bin}`, generated from the spec like the client: one subcommand per \
         operation (the table above; most have a shorter alias too), its parameters as flags \
         (`--enrollment-number`; date-times take `yyyy-MM-dd` or RFC 3339; enumerations only their listed values), \
         and the spec's descriptions as `--help`.\n\n\
         ```sh\ncargo install --path generated --features cli\n{bin} --help\n```\n\n\
         - The API key comes from `{key_env}` only: there is no flag for it, so it never shows in `ps` or shell history. \
         `--base-url` (or `{url_env}`) points the program elsewhere, e.g. at the mock server; the default is `{}`.\n\
         - `--format json|jsonl|csv` (default `json`) and `--output FILE` (default stdout; a file is replaced only once \
         everything has arrived, so a failed run leaves the previous one in place). CSV has a header row of the \
         model's JSON field names in spec order and one row per item (a single object is one row); nested values are JSON text. \
         With `--csv-layout service`, rows whose model the spec gives a service CSV layout (`x-ea-csv`) are written in \
         that layout instead: a title line, a blank line, the service's captions in its order, `True`/`False`, \
         `yyyy-MM-dd` dates, CRLF.\n\
         - Paged operations stream every page (following `nextLink`) and write rows as they arrive, in constant memory, \
         with a progress bar (rows and pages) when stderr is a terminal and none when it is not.\n\
         - CSV downloads are written byte for byte as they arrive.\n\
         - `--etag-file FILE` makes runs conditional: the saved ETag is sent as `If-None-Match`; when the data has not \
         changed (304) nothing is written, a note goes to stderr and the exit code is 0; otherwise the new ETag is saved \
         after the output is complete (for paged operations, the ETag of the first page).\n\
         - Failures are one line on stderr with the HTTP status and the service's message, and an exit code per class \
         (below).\n",
        api.base_url
            .as_deref()
            .unwrap_or("none: the spec names no server, so the flag is required")
    );
    if let Some((op, command)) = cli_example(api) {
        let flags: String = op
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| {
                format!(
                    " --{} {}",
                    p.rust_name.trim_start_matches("r#").replace('_', "-"),
                    example_value(p)
                )
            })
            .collect();
        let name = &command.name;
        let _ = writeln!(
            out,
            "Pull a month of usage into CSV from the mock server:\n\n```sh\n\
             {key_env}=ea-mock-key {bin} {name} --base-url http://127.0.0.1:8080{flags} --format csv --output usage.csv\n```\n\n\
             In a scheduled job, download again only when the data changed (with `--output`, a 304 leaves the file \
             as it is; a shell redirection would empty it), or stream the rows to another tool:\n\n```sh\n\
             export {key_env}=... {url_env}=http://127.0.0.1:8080\n\
             {bin} {name}{flags} --format csv --output usage.csv --etag-file usage.etag\n\
             {bin} {name}{flags} --format jsonl | gzip > usage.jsonl.gz\n```\n"
        );
    }
    let _ = writeln!(
        out,
        "```text\n{}\n```",
        super::cli::after_help(&options.env)
    );
}

/// The operation the README's CLI example uses: a paged one whose required parameters are all
/// strings, with the most of them (usage by billing period in the EA spec).
fn cli_example(api: &Api) -> Option<(&Operation, super::cli::CliCommand)> {
    let commands = super::cli::commands(api);
    api.operations
        .iter()
        .zip(commands)
        .filter(|(op, _)| {
            matches!(op.response, ResponseKind::Paged { .. })
                && op
                    .params
                    .iter()
                    .all(|p| !p.required || p.ty == TypeRef::String)
        })
        .max_by_key(|(op, _)| {
            (
                op.params.iter().filter(|p| p.required).count(),
                std::cmp::Reverse(op.path.len()),
            )
        })
}

fn example_value(p: &crate::ir::Param) -> &'static str {
    if p.name.to_ascii_lowercase().contains("period") {
        "202610"
    } else {
        "100"
    }
}

fn type_name(t: &TypeRef) -> String {
    match t {
        TypeRef::Model(n) | TypeRef::Enum(n) => n.clone(),
        TypeRef::Vec(inner) => format!("Vec<{}>", type_name(inner)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", type_name(inner)),
        other => format!("{other:?}").to_lowercase(),
    }
}
