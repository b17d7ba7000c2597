//! The generated command line (feature `cli`), checked at the source level for spec/ and every
//! fixture: one subcommand per operation, names and flags that clap accepts (distinct, clear of
//! the program's own), and a README and manifest that say how to install and run it. That the
//! code builds is `fixtures.rs`'s job; the generated crate's own tests run clap's `debug_assert`.

use ea_codegen::emit::cli::commands;
use ea_codegen::pipeline::load_api;
use ea_codegen::{GenerateOptions, GeneratedFile, generate};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

/// spec/ and every valid fixture.
fn specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(workspace().join("codegen/tests/fixtures"))
        .expect("fixtures directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    specs.sort();
    specs.push(workspace().join("spec/ea-reporting-v3.json"));
    specs
}

fn files_of(spec: &Path) -> Vec<GeneratedFile> {
    generate(&GenerateOptions::new(spec)).unwrap_or_else(|e| panic!("{e}"))
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == Path::new(path))
        .unwrap_or_else(|| panic!("{path} generated"))
        .contents
}

/// Every `key = "value"` in the source, in order (`name` does not match `value_name`).
fn attr_values<'a>(source: &'a str, key: &str) -> Vec<&'a str> {
    let needle = format!("{key} = \"");
    source
        .match_indices(&needle)
        .filter(|(at, _)| !source[..*at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        .map(|(at, _)| {
            let rest = &source[at + needle.len()..];
            &rest[..rest.find('"').expect("closing quote")]
        })
        .collect()
}

/// The body of the generated `run_<method>` function.
fn runner_of<'a>(cli: &'a str, method: &str) -> &'a str {
    let start = cli
        .find(&format!("async fn run_{method}("))
        .unwrap_or_else(|| panic!("no runner for {method}"));
    let rest = &cli[start..];
    &rest[..rest.find("\n}\n").expect("the runner ends")]
}

#[test]
fn every_operation_of_the_spec_has_a_subcommand() {
    let files = files_of(&workspace().join("spec/ea-reporting-v3.json"));
    let client = file(&files, "src/client.rs");
    let cli = file(&files, "src/cli.rs");
    // The client methods: one per operation, each returning its request builder.
    let methods: Vec<&str> = client
        .match_indices("    pub fn ")
        .map(|(at, needle)| &client[at + needle.len()..])
        .filter(|rest| rest[..rest.find('{').unwrap()].contains("-> builder::"))
        .map(|rest| &rest[..rest.find('(').unwrap()])
        .collect();
    assert_eq!(methods.len(), 19, "the EA spec has 19 operations");
    let names = attr_values(cli, "name");
    // The program's own name comes first, then one subcommand per operation.
    assert_eq!(names[0], "ea-reporting");
    let subcommands = &names[1..];
    assert_eq!(subcommands.len(), methods.len(), "{subcommands:?}");
    for method in &methods {
        let kebab = method.replace('_', "-");
        assert!(
            subcommands.contains(&kebab.as_str()),
            "no subcommand {kebab}"
        );
        assert!(
            cli.contains(&format!("run_{method}(&client, args).await")),
            "{method} is not dispatched"
        );
        // Every runner builds the operation's request, sends it conditionally with a saved
        // ETag, and paged operations stream their pages.
        let runner = runner_of(cli, method);
        assert!(
            runner.contains(&format!(".{method}(")),
            "the {method} subcommand does not call the client method"
        );
        // A long-running submit is never conditional: it submits, then waits and downloads.
        if *method == "usage_details_submit_v3_post" {
            assert!(runner.contains("request.wait()"), "{runner}");
            assert!(runner.contains("args.cli_output.no_wait"), "{runner}");
            continue;
        }
        assert!(
            runner.contains(".if_none_match(etag)")
                || runner.contains(".pages_if_none_match(etag)"),
            "the {method} subcommand does not honour --etag-file"
        );
    }
    for paged in [
        "usage_details_v3_get_by_custom_date",
        "usage_details_v3_get_by_current_billing_period",
        "usage_details_v3_get_by_billing_period",
    ] {
        assert!(
            runner_of(cli, paged).contains("request.pages()"),
            "{paged} does not stream its pages"
        );
    }
    assert!(
        runner_of(cli, "usage_details_download_v3_get").contains("request.if_none_match(etag)")
    );
    assert!(cli.contains("crate::runtime::cli_support::write_bytes("));
    assert!(cli.contains("value_parser = crate::runtime::datetime::parse_lenient"));
    assert!(cli.contains("models::LookBackPeriod::KNOWN"));
}

#[test]
fn subcommand_names_and_aliases_are_distinct_for_every_spec() {
    for spec in specs() {
        let api = load_api(&spec, None, &[]).unwrap_or_else(|e| panic!("{e}"));
        let commands = commands(&api);
        assert_eq!(commands.len(), api.operations.len(), "{}", spec.display());
        let mut seen = HashSet::new();
        for word in commands
            .iter()
            .flat_map(|c| std::iter::once(&c.name).chain(&c.alias))
        {
            assert!(
                seen.insert(word.clone()),
                "{}: {word} twice",
                spec.display()
            );
            assert_ne!(word, "help", "{}: clap's own subcommand", spec.display());
            assert!(
                word.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: {word}",
                spec.display()
            );
        }
    }
}

#[test]
fn short_aliases_drop_versions_and_get() {
    let api = load_api(&workspace().join("spec/ea-reporting-v3.json"), None, &[]).unwrap();
    let commands = commands(&api);
    let alias = |name: &str| {
        commands
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .alias
            .clone()
    };
    assert_eq!(
        alias("usage-details-v3-get-by-billing-period").as_deref(),
        Some("usage-details-by-billing-period")
    );
    assert_eq!(
        alias("marketplaces-v3-get-marketplaces").as_deref(),
        Some("marketplaces")
    );
    assert_eq!(
        alias("price-sheets-v3-get").as_deref(),
        Some("price-sheets")
    );

    let edge = load_api(
        &workspace().join("codegen/tests/fixtures/cli-edge-cases.json"),
        None,
        &[],
    )
    .unwrap();
    let edge: Vec<(String, Option<String>)> = commands_of(&edge);
    assert!(edge.contains(&("help-operation".into(), None)), "{edge:?}");
    assert!(edge.contains(&("things".into(), None)), "{edge:?}");
    // Its alias would be the other operation's name.
    assert!(edge.contains(&("things-v3-get".into(), None)), "{edge:?}");
    assert!(edge.contains(&("summary-get".into(), Some("summary".into()))));
}

fn commands_of(api: &ea_codegen::ir::Api) -> Vec<(String, Option<String>)> {
    commands(api)
        .into_iter()
        .map(|c| (c.name, c.alias))
        .collect()
}

#[test]
fn flags_are_distinct_and_clear_of_the_programs_own() {
    let own = [
        "format",
        "output",
        "etag-file",
        "base-url",
        "help",
        "version",
    ];
    for spec in specs() {
        let files = files_of(&spec);
        let cli = file(&files, "src/cli.rs");
        // Each args struct runs from `pub struct ...Args {` to its closing brace.
        for chunk in cli.split("pub struct ").skip(1) {
            let body = &chunk[..chunk.find("\n}").expect("struct end")];
            let longs = attr_values(body, "long");
            let ids = attr_values(body, "id");
            assert_eq!(longs.len(), ids.len(), "{}", spec.display());
            let unique: HashSet<&&str> = longs.iter().collect();
            assert_eq!(unique.len(), longs.len(), "{}: {longs:?}", spec.display());
            for long in &longs {
                assert!(!own.contains(long), "{}: --{long}", spec.display());
            }
        }
    }
}

#[test]
fn reserved_and_keyword_parameters_get_usable_flags() {
    let files = files_of(&workspace().join("codegen/tests/fixtures/cli-edge-cases.json"));
    let cli = file(&files, "src/cli.rs");
    let longs = attr_values(cli, "long");
    for expected in [
        "query-format",
        "query-output",
        "type",
        "include-deleted",
        "x-ms-client-request-id",
        "since",
    ] {
        assert!(longs.contains(&expected), "--{expected} missing: {longs:?}");
    }
    assert!(cli.contains("pub r#type: Option<String>"));
    insta::assert_snapshot!("cli_edge_cases", cli);
}

#[test]
fn manifest_readme_and_main_describe_the_program() {
    let files = files_of(&workspace().join("spec/ea-reporting-v3.json"));
    let manifest = file(&files, "Cargo.toml");
    assert!(manifest.contains(
        "[[bin]]\nname = \"ea-reporting\"\npath = \"src/main.rs\"\nrequired-features = [\"cli\"]"
    ));
    assert!(manifest.contains(
        "cli = [\"dep:clap\", \"dep:csv\", \"dep:indicatif\", \"tokio/rt-multi-thread\", \"tokio/macros\"]"
    ));
    let lib = file(&files, "src/lib.rs");
    assert!(lib.contains("#[cfg(feature = \"cli\")]\n#[rustfmt::skip]\npub mod cli;"));
    let main = file(&files, "src/main.rs");
    assert!(main.contains("ea_reporting::cli::run(ea_reporting::cli::Cli::parse()).await"));

    let readme = file(&files, "README.md");
    assert!(readme.contains("cargo install --path generated --features cli"));
    assert!(readme.contains(
        "EA_REPORTING_API_KEY=ea-mock-key ea-reporting usage-details-v3-get-by-billing-period \
         --base-url http://127.0.0.1:8080 --enrollment-number 100 --billing-period 202610 \
         --format csv --output usage.csv"
    ));
    // The exit-code table is the one `--help` prints, taken from the runtime.
    let runtime = include_str!("../runtime/src/cli_support.rs");
    for code in 0..=7 {
        let row = format!("\n  {code}  ");
        assert!(readme.contains(&row), "README lacks exit code {code}");
        assert!(runtime.contains(&row), "AFTER_HELP lacks exit code {code}");
    }
    assert!(readme.contains("EA_REPORTING_BASE_URL"));
    assert!(readme.contains("| `usage-details-v3-get-by-billing-period` |"));
}
