//! `src/cli.rs` and `src/main.rs` (feature `cli`): a command-line program generated from the spec
//! like the client, so a new operation or parameter in the spec is a new subcommand or flag.
//!
//! Only what the spec decides is generated here: subcommand and flag names, their types and help,
//! which client method each calls and which CSV columns its rows have. Output formats, the ETag
//! file, progress and exit codes are spec-independent and live in the runtime's `cli_support`.

use super::{EmitOptions, ident, ty};
use crate::ir::{Api, LongRunning, Operation, Param, ResponseKind, TypeRef};
use crate::naming::unique;
use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Argument ids the program itself uses (the output flags of `cli_support`, the global
/// `--base-url`, clap's own, and the field holding the output flags): a parameter with one of
/// these names gets its location as a prefix (`--query-format`).
const RESERVED_ARGS: &[&str] = &[
    "format",
    "output",
    "etag_file",
    "base_url",
    "target",
    "help",
    "version",
    "cli_output",
    "csv_layout",
    "no_wait",
    "poll_interval",
    "deadline",
    "concurrency",
];

/// Subcommand names clap keeps for itself.
const RESERVED_COMMANDS: &[&str] = &["help"];

/// How the program is invoked: one subcommand per operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliCommand {
    /// kebab-case of the client method name, e.g. `usage-details-v3-get-by-billing-period`.
    pub name: String,
    /// A shorter name without version and `get` words (`usage-details-by-billing-period`), when
    /// that is distinct from every other name and alias.
    pub alias: Option<String>,
}

/// The subcommand of every operation, in spec order.
pub fn commands(api: &Api) -> Vec<CliCommand> {
    let mut taken: HashSet<String> = RESERVED_COMMANDS.iter().map(|s| s.to_string()).collect();
    let names: Vec<String> = api
        .operations
        .iter()
        .map(|op| {
            let kebab = op.method_name.trim_start_matches("r#").replace('_', "-");
            let base = if RESERVED_COMMANDS.contains(&kebab.as_str()) {
                format!("{kebab}-operation")
            } else {
                kebab
            };
            unique(&base, &mut taken)
        })
        .collect();
    let aliases: Vec<String> = names.iter().map(|n| short_alias(n)).collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for alias in &aliases {
        *uses.entry(alias.as_str()).or_default() += 1;
    }
    names
        .iter()
        .zip(&aliases)
        .map(|(name, alias)| CliCommand {
            name: name.clone(),
            alias: (!alias.is_empty()
                && alias != name
                && uses[alias.as_str()] == 1
                && !taken.contains(alias))
            .then(|| alias.clone()),
        })
        .collect()
}

/// `usage-details-v3-get-by-billing-period` → `usage-details-by-billing-period`: the words a
/// person would type, without API versions, `get` and a word repeated right after itself.
fn short_alias(name: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for word in name.split('-') {
        let version = word.len() > 1
            && word.starts_with('v')
            && word[1..].chars().all(|c| c.is_ascii_digit());
        if version || word == "get" || words.last() == Some(&word) {
            continue;
        }
        words.push(word);
    }
    words.join("-")
}

/// `src/main.rs`: parse, run, exit. A fixed text (not prettyplease output), so it is
/// rustfmt-clean as the crate root that `#[rustfmt::skip]` cannot cover.
pub(super) fn main_rs(options: &EmitOptions, header: &str) -> String {
    let krate = options.crate_name.replace('-', "_");
    format!(
        "{header}
//! `{name}`: the command-line program of the `{name}` crate (feature `cli`).

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {{
    {krate}::cli::run({krate}::cli::Cli::parse()).await
}}
",
        name = options.crate_name,
    )
}

pub(super) fn cli_rs(api: &Api, options: &EmitOptions) -> TokenStream {
    let view = with_defaults_optional(api);
    let api = &view;
    let commands = commands(api);
    let bin = &options.crate_name;
    let about = format!(
        "{}: one subcommand per operation, output as JSON, JSON Lines or CSV",
        api.title.trim()
    );
    let base_url_env = &options.env.base_url;
    let base_url_arg = match &api.base_url {
        Some(url) => quote! {
            /// Root URL of the service, e.g. a mock server.
            #[arg(long, global = true, env = #base_url_env, value_name = "URL", default_value = #url)]
            pub base_url: String,
        },
        None => quote! {
            /// Root URL of the service (the spec names none), e.g. a mock server.
            #[arg(long, global = true, env = #base_url_env, value_name = "URL")]
            pub base_url: String,
        },
    };
    let api_key_env = &options.env.api_key;
    let after_help = after_help(&options.env);
    let module_doc =
        format!(" The key comes from `{api_key_env}` only; `--etag-file` makes repeated downloads");
    let run_doc = format!(
        " Calls the operation the command line names with the key from `{api_key_env}`, writes its"
    );
    let execute_doc = format!(
        " exit code): for driving the program in-process, where setting `{api_key_env}` is unsafe."
    );
    let variants = api
        .operations
        .iter()
        .zip(&commands)
        .map(|(op, command)| variant(op, command));
    let args = api.operations.iter().map(args_struct);
    let runners = api.operations.iter().map(|op| runner(op, columns(api, op)));
    let arms = api.operations.iter().map(|op| {
        let v = ident(&op.variant_name);
        let f = runner_name(op);
        quote! { Command::#v(args) => #f(&client, args).await, }
    });
    let fields = fields_impls(api);
    let client_binding = if api.operations.is_empty() {
        quote! { _client }
    } else {
        quote! { client }
    };
    quote! {
        //! The command-line program (feature `cli`): one subcommand per operation of the spec, its
        //! parameters as typed flags, output as JSON, JSON Lines or CSV to stdout or a file.
        //!
        #![doc = #module_doc]
        //! conditional; failures exit with a code per class (see [`AFTER_HELP`]).

        /// Shown after `--help`: the environment variables and the exit codes.
        pub const AFTER_HELP: &str = #after_help;

        /// The parsed command line.
        #[derive(Debug, clap::Parser)]
        #[command(
            name = #bin,
            version,
            about = #about,
            after_help = AFTER_HELP,
            arg_required_else_help = true
        )]
        pub struct Cli {
            #base_url_arg
            /// The operation to call.
            #[command(subcommand)]
            pub command: Command,
        }

        /// One subcommand per operation of the spec.
        #[derive(Debug, clap::Subcommand)]
        pub enum Command {
            #(#variants)*
        }

        #(#args)*

        #[doc = #run_doc]
        /// output and gives the exit code of the outcome (see `--help`).
        pub async fn run(cli: Cli) -> std::process::ExitCode {
            let result = match crate::runtime::cli_support::api_key_from_env(#api_key_env) {
                Ok(api_key) => execute(cli, &api_key).await,
                Err(e) => Err(e),
            };
            crate::runtime::cli_support::exit(result)
        }

        /// Like [`run`], with the key given and the outcome as a `Result` (its `exit()` is the
        #[doc = #execute_doc]
        pub async fn execute(
            cli: Cli,
            api_key: &str,
        ) -> Result<(), crate::runtime::cli_support::CliError> {
            let #client_binding = crate::Client::from(crate::runtime::cli_support::client(&crate::client::SERVICE, &cli.base_url, api_key)?);
            match cli.command {
                #(#arms)*
            }
        }

        #(#runners)*

        #(#fields)*

        #[cfg(test)]
        mod tests {
            #[test]
            fn the_command_line_is_well_formed() {
                <super::Cli as clap::CommandFactory>::command().debug_assert();
            }
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn variant(op: &Operation, command: &CliCommand) -> TokenStream {
    let v = ident(&op.variant_name);
    let args = args_name(op);
    let name = &command.name;
    let alias = command
        .alias
        .as_ref()
        .map(|a| quote! { visible_alias = #a, });
    let summary = op
        .summary
        .as_deref()
        .or(op.description.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let route = format!("{} {}", op.http_method, op.path);
    let about = summary
        .and_then(|s| s.lines().next())
        .map(str::trim)
        .unwrap_or(&route)
        .to_string();
    let mut long = Vec::new();
    if let Some(summary) = summary {
        long.push(summary.to_string());
    }
    if op.summary.is_some()
        && let Some(description) = op.description.as_deref().map(str::trim)
        && !description.is_empty()
    {
        long.push(description.to_string());
    }
    long.push(format!("`{route}` (operation `{}`).", op.id));
    long.push(match &op.response {
        ResponseKind::Paged { .. } => "Paged: every page is fetched (following nextLink) and its rows are written as they arrive. With --etag-file the ETag is that of the first page.".to_string(),
        ResponseKind::Bytes { accept } => format!("Downloads `{accept}`: the bytes are written as they arrive."),
        ResponseKind::Empty => "The response has no body: nothing is written.".to_string(),
        ResponseKind::Json(TypeRef::Vec(_)) => "A list: one row per item.".to_string(),
        ResponseKind::Json(_) => "One object: one row.".to_string(),
    });
    let long_about = long.join("\n\n");
    quote! {
        #[command(
            name = #name,
            #alias
            about = #about,
            long_about = #long_about,
            after_help = AFTER_HELP
        )]
        #v(#args),
    }
}

fn args_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Args", op.variant_name.trim_start_matches("r#"))
}

fn runner_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("run_{}", op.method_name.trim_start_matches("r#"))
}

/// The struct field of each parameter (a raw identifier where the name is a keyword), away from
/// the names the program uses itself.
fn param_fields(op: &Operation) -> Vec<String> {
    let mut taken: HashSet<String> = RESERVED_ARGS.iter().map(|s| s.to_string()).collect();
    if op.body.is_some() {
        taken.insert("body".into());
    }
    op.params
        .iter()
        .map(|p| {
            let plain = p.rust_name.trim_start_matches("r#");
            let base =
                if taken.contains(plain) && (RESERVED_ARGS.contains(&plain) || plain == "body") {
                    format!("{}_{plain}", p.location.as_str())
                } else {
                    p.rust_name.clone()
                };
            unique(&base, &mut taken)
        })
        .collect()
}

/// The API as the command line sees it: a parameter the client fills in (`api-version`) is an
/// optional flag there, which overrides the value when given.
fn with_defaults_optional(api: &Api) -> Api {
    let mut api = api.clone();
    for p in api
        .operations
        .iter_mut()
        .flat_map(|op| op.params.iter_mut())
    {
        if p.default.is_some() {
            p.required = false;
        }
    }
    api
}

/// `--body`: the request body as JSON text, or `@file` to read it from a file.
fn body_field(op: &Operation) -> TokenStream {
    let Some(body) = &op.body else {
        return quote! {};
    };
    // Boxed: a body model is large, and the subcommand enum holds every command's flags.
    let t = ty(&body.ty, &quote! { crate::models:: });
    let t = quote! { Box<#t> };
    let help = "The request body: JSON text, or @FILE to read it from a file.";
    let field_ty = if body.required {
        t.clone()
    } else {
        quote! { Option<#t> }
    };
    quote! {
        #[arg(
            id = "body",
            long = "body",
            value_name = "JSON",
            help = #help,
            action = clap::ArgAction::Set,
            value_parser = crate::runtime::cli_support::json_arg::<#t>,
        )]
        pub body: #field_ty,
    }
}

fn args_struct(op: &Operation) -> TokenStream {
    let name = args_name(op);
    let mut fields: Vec<TokenStream> = op
        .params
        .iter()
        .zip(param_fields(op))
        .map(|(p, field)| param_field(p, &field))
        .collect();
    fields.push(body_field(op));
    let output = match &op.response {
        ResponseKind::Json(_) if op.long_running.is_some() => {
            quote! { crate::runtime::cli_long_running::LongRunningArgs }
        }
        ResponseKind::Json(_) | ResponseKind::Paged { .. } => {
            quote! { crate::runtime::cli_support::RowOutputArgs }
        }
        ResponseKind::Bytes { .. } => quote! { crate::runtime::cli_support::ByteOutputArgs },
        ResponseKind::Empty => quote! { crate::runtime::cli_support::ConditionalArgs },
    };
    let doc = format!(" Flags of `{}`.", op.id);
    let concurrency = if op.splittable.is_some() {
        quote! {
            /// Fetch the range as days side by side, at most N requests at once (fewer after a
            /// 429); 1 is the single request's chain of pages, which --etag-file needs.
            #[arg(long, value_name = "N", default_value_t = crate::runtime::cli_support::DEFAULT_CONCURRENCY)]
            pub concurrency: usize,
        }
    } else {
        quote! {}
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, clap::Args)]
        pub struct #name {
            #(#fields)*
            #concurrency
            #[command(flatten)]
            pub cli_output: #output,
        }
    }
}

fn param_field(p: &Param, field: &str) -> TokenStream {
    let f = ident(field);
    let id = field.trim_start_matches("r#");
    let long = id.replace('_', "-");
    let description = p
        .doc
        .as_deref()
        .map(one_line)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("The {} parameter `{}`.", p.location.as_str(), p.name));
    let hint = match &p.ty {
        TypeRef::DateTime => " Accepts yyyy-MM-dd (midnight UTC) or RFC 3339.",
        TypeRef::Date => " Format yyyy-MM-dd.",
        TypeRef::Bool => " true or false.",
        _ => "",
    };
    let help = format!("{description}{hint}");
    let value_name = match &p.ty {
        TypeRef::DateTime => "DATETIME".to_string(),
        TypeRef::Date => "DATE".to_string(),
        TypeRef::I32 | TypeRef::I64 => "INT".to_string(),
        TypeRef::F32 | TypeRef::F64 | TypeRef::Decimal => "NUMBER".to_string(),
        TypeRef::Bool => "BOOL".to_string(),
        _ => id.to_shouty_snake_case(),
    };
    let parser = match &p.ty {
        TypeRef::DateTime => quote! { value_parser = crate::runtime::datetime::parse_lenient, },
        TypeRef::Bool => quote! { value_parser = crate::runtime::cli_support::param::<bool>, },
        TypeRef::Enum(e) => {
            let e = ident(e);
            quote! {
                value_parser = crate::runtime::cli_support::enum_parser::<crate::models::#e>(&crate::models::#e::KNOWN),
                ignore_case = true,
            }
        }
        _ => quote! {},
    };
    let base = ty(&p.ty, &quote! { crate::models:: });
    let field_ty = if p.required {
        base
    } else {
        quote! { Option<#base> }
    };
    quote! {
        #[arg(
            id = #id,
            long = #long,
            value_name = #value_name,
            help = #help,
            action = clap::ArgAction::Set,
            #parser
        )]
        pub #f: #field_ty,
    }
}

/// `let request = client.<method>(<required>);` and a setter call for each optional parameter
/// given on the command line.
fn build_request(op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let (required, optional) = call_args(op);
    if optional.is_empty() {
        quote! { let request = client.#method(#(#required),*); }
    } else {
        quote! {
            let mut request = client.#method(#(#required),*);
            #(#optional)*
        }
    }
}

/// The arguments of the client method (required parameters), and a setter call for each
/// optional parameter that was given.
fn call_args(op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for (p, field) in op.params.iter().zip(param_fields(op)) {
        let f = ident(&field);
        let setter = ident(&p.rust_name);
        match (&p.ty, p.required) {
            (TypeRef::String, true) => required.push(quote! { &args.#f }),
            (TypeRef::Enum(_), true) => required.push(quote! { args.#f.clone() }),
            (_, true) => required.push(quote! { args.#f }),
            (t, false) => {
                let given = if super::is_copy(t) {
                    quote! { args.#f }
                } else {
                    quote! { args.#f.clone() }
                };
                optional.push(quote! {
                    if let Some(value) = #given {
                        request = request.#setter(value);
                    }
                });
            }
        }
    }
    if let Some(body) = &op.body {
        if body.required {
            required.push(quote! { *args.body.clone() });
        } else {
            optional.push(quote! {
                if let Some(value) = args.body.clone() {
                    request = request.body(*value);
                }
            });
        }
    }
    (required, optional)
}

/// The model whose fields are the CSV columns of an operation's rows, if its rows are objects.
fn row_model(response: &ResponseKind) -> Option<&str> {
    let row = match response {
        ResponseKind::Json(TypeRef::Vec(item)) => item.as_ref(),
        ResponseKind::Json(t) => t,
        ResponseKind::Paged { item, .. } => item,
        ResponseKind::Bytes { .. } | ResponseKind::Empty => return None,
    };
    match row {
        TypeRef::Model(name) => Some(name),
        _ => None,
    }
}

/// Models with fields that some operation has as rows; the others are written as one JSON value.
fn row_models(api: &Api) -> BTreeSet<&str> {
    api.operations
        .iter()
        .filter_map(|op| row_model(&op.response))
        .filter(|name| {
            api.models
                .iter()
                .any(|m| m.rust_name == *name && !m.fields.is_empty())
        })
        .collect()
}

/// The CSV columns of an operation's rows; for rows that also have a service CSV layout, that
/// layout and the title line for the command's parameters (`--csv-layout service`).
fn columns(api: &Api, op: &Operation) -> TokenStream {
    let Some(model) = row_model(&op.response).filter(|m| row_models(api).contains(m)) else {
        return quote! { crate::runtime::cli_support::Columns::Value };
    };
    let m = ident(model);
    let fields = quote! { <crate::models::#m as crate::runtime::cli_support::Fields>::FIELDS };
    let has_layout = api
        .models
        .iter()
        .any(|x| x.rust_name == model && x.csv.is_some());
    if !has_layout {
        return quote! { crate::runtime::cli_support::Columns::Fields(#fields) };
    }
    service_columns(&m, &fields, op)
}

/// The columns of rows with a service CSV layout: the fields, the layout, and its title line
/// filled in from the parameters of `op` that the title names.
fn service_columns(m: &proc_macro2::Ident, fields: &TokenStream, op: &Operation) -> TokenStream {
    let values = op.params.iter().zip(param_fields(op)).map(|(p, field)| {
        let (name, f) = (&p.name, ident(&field));
        if p.required {
            quote! { (#name, crate::runtime::ParamValue::to_param(&args.#f)) }
        } else {
            quote! {
                (#name, args.#f.as_ref().map(crate::runtime::ParamValue::to_param).unwrap_or_default())
            }
        }
    });
    quote! {
        {
            let layout = &<crate::models::#m as crate::runtime::service_csv::ServiceCsv>::LAYOUT;
            let params: Vec<(&str, String)> = vec![#(#values),*];
            let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
            crate::runtime::cli_support::Columns::Service {
                fields: #fields,
                layout,
                title: crate::runtime::service_csv::title_for(layout, &params),
            }
        }
    }
}

/// `impl Fields` (the CSV header: JSON names in spec order) for every row model.
fn fields_impls(api: &Api) -> Vec<TokenStream> {
    let rows = row_models(api);
    api.models
        .iter()
        .filter(|m| rows.contains(m.rust_name.as_str()))
        .map(|m| {
            let name = ident(&m.rust_name);
            quote! {
                impl crate::runtime::cli_support::Fields for crate::models::#name {
                    const FIELDS: &'static [&'static str] = crate::models::#name::JSON_FIELDS;
                }
            }
        })
        .collect()
}

/// The body of one subcommand: read the saved ETag, call the client (conditionally when there
/// is one), write the output.
fn runner(op: &Operation, columns: TokenStream) -> TokenStream {
    let name = runner_name(op);
    let args_ty = args_name(op);
    if let Some(lro) = &op.long_running {
        return long_running_runner(op, lro, columns);
    }
    let etag_file = match &op.response {
        ResponseKind::Json(_) | ResponseKind::Paged { .. } => {
            quote! { args.cli_output.target.etag_file.as_deref() }
        }
        _ => quote! { args.cli_output.etag_file.as_deref() },
    };
    let build = build_request(op);
    let fetch = quote! {
        #build
        let response = match &etag {
            Some(etag) => match request.if_none_match(etag).await? {
                crate::runtime::Conditional::Modified(response) => response,
                crate::runtime::Conditional::NotModified(_) => {
                    crate::runtime::cli_support::not_modified(etag_file);
                    return Ok(());
                }
            },
            None => request.send().await?,
        };
    };
    let body = match &op.response {
        ResponseKind::Json(TypeRef::Vec(_)) => quote! {
            #fetch
            crate::runtime::cli_support::write_list(&args.cli_output, #columns, response)
        },
        ResponseKind::Json(_) => quote! {
            #fetch
            crate::runtime::cli_support::write_object(&args.cli_output, #columns, response)
        },
        ResponseKind::Paged { .. } => {
            let split = if op.splittable.is_some() {
                quote! {
                    if args.concurrency > 1 && etag.is_none() {
                        #build
                        let rows = request.stream_split(args.concurrency);
                        return crate::runtime::cli_support::write_rows(&args.cli_output, #columns, rows).await;
                    }
                }
            } else {
                quote! {}
            };
            quote! {
                #split
                #build
                // One conditional request decides; when the data changed, its page is the first
                // of the stream and is not fetched again.
                let pages = match &etag {
                    Some(etag) => match request.pages_if_none_match(etag).await? {
                        crate::runtime::Conditional::Modified(response) => response.into_body(),
                        crate::runtime::Conditional::NotModified(_) => {
                            crate::runtime::cli_support::not_modified(etag_file);
                            return Ok(());
                        }
                    },
                    None => request.pages(),
                };
                crate::runtime::cli_support::write_pages(&args.cli_output, #columns, pages).await
            }
        }
        ResponseKind::Bytes { .. } => quote! {
            #fetch
            crate::runtime::cli_support::write_bytes(&args.cli_output, response).await
        },
        ResponseKind::Empty => quote! {
            #fetch
            crate::runtime::cli_support::finish_empty(&args.cli_output, response)
        },
    };
    quote! {
        async fn #name(
            client: &crate::Client,
            args: #args_ty,
        ) -> Result<(), crate::runtime::cli_support::CliError> {
            let etag_file = #etag_file;
            let etag = crate::runtime::cli_support::read_etag(etag_file)?;
            #body
        }
    }
}

/// The body of a long-running operation's subcommand: submit (and with `--no-wait` write the
/// first answer), else wait with the status on stderr and write the result.
fn long_running_runner(op: &Operation, lro: &LongRunning, columns: TokenStream) -> TokenStream {
    let name = runner_name(op);
    let args_ty = args_name(op);
    let write = match &lro.result_rows {
        Some(row) => {
            let rows = result_columns(op, row);
            quote! { crate::runtime::cli_long_running::wait_rows(&args.cli_output, request.wait(), #rows).await }
        }
        None => {
            quote! { crate::runtime::cli_long_running::wait_raw(&args.cli_output, request.wait()).await }
        }
    };
    let build = build_request(op);
    quote! {
        async fn #name(
            client: &crate::Client,
            args: #args_ty,
        ) -> Result<(), crate::runtime::cli_support::CliError> {
            #build
            if args.cli_output.no_wait {
                let response = request.send().await?;
                return crate::runtime::cli_long_running::write_submitted(&args.cli_output, #columns, response);
            }
            #write
        }
    }
}

/// The columns of a long-running result's rows: the row model's fields and its CSV layout,
/// titled from the submit's parameters.
fn result_columns(op: &Operation, row: &str) -> TokenStream {
    let m = ident(row);
    let fields = quote! { <crate::models::#m as crate::runtime::cli_support::Fields>::FIELDS };
    service_columns(&m, &fields, op)
}

/// The runtime's `AFTER_HELP_TEMPLATE` (environment and exit codes) with this crate's variables
/// filled in, as `--help` prints it and the README shows it, so the two cannot drift apart.
pub(super) fn after_help(env: &super::CliEnv) -> String {
    let source = include_str!("../../runtime/src/cli_support.rs");
    let file = syn::parse_file(source).expect("the runtime parses");
    let width = env.api_key.len().max(env.base_url.len());
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Const(c) if c.ident == "AFTER_HELP_TEMPLATE" => match c.expr.as_ref() {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(
                    s.value()
                        .replace("{API_KEY}  ", &format!("{:width$}  ", env.api_key))
                        .replace("{BASE_URL}  ", &format!("{:width$}  ", env.base_url))
                        .replace("{API_KEY}", &env.api_key),
                ),
                _ => None,
            },
            _ => None,
        })
        .expect("cli_support defines AFTER_HELP_TEMPLATE as a string literal")
}
