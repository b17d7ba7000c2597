//! The generator against the published document's quirks: one fixture spec each. Every fixture's
//! generated code is pinned by a snapshot and its crate is compiled; every broken spec is refused
//! with the file and JSON pointer of the problem.

#[path = "support/scratch_workspace.rs"]
mod scratch_workspace;

use ea_codegen::{GenerateOptions, generate};
use std::path::{Path, PathBuf};

fn options(spec: &Path, crate_name: &str) -> GenerateOptions {
    let mut o = GenerateOptions::new(spec);
    o.crate_name = crate_name.to_string();
    o
}

/// The valid fixtures, as paths relative to codegen/ (the test's working directory).
fn valid_fixtures() -> Vec<PathBuf> {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("tests/fixtures")
        .expect("tests/fixtures exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_file())
        .collect();
    // The document split across files (its own folder: only its root is a fixture of its own).
    fixtures.push(PathBuf::from(
        "tests/fixtures/split/specification/jobs/jobs.json",
    ));
    fixtures.sort();
    assert!(
        fixtures.len() >= 10,
        "expected the ten quirk fixtures, found {fixtures:?}"
    );
    fixtures
}

fn source_of(files: &[ea_codegen::GeneratedFile]) -> String {
    ["src/models.rs", "src/client.rs", "src/operations.rs"]
        .iter()
        .map(|p| {
            let f = files
                .iter()
                .find(|f| f.path == Path::new(p))
                .expect("file generated");
            // Drop the two header lines: they name the command, not the fixture.
            let body: String = f.contents.lines().skip(2).collect::<Vec<_>>().join("\n");
            format!("// ===== {p}\n{body}\n")
        })
        .collect()
}

#[test]
fn snapshots_of_every_fixture() {
    insta::glob!("fixtures/*.*", |path| {
        let files = generate(&options(path, "fixture")).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(source_of(&files));
    });
}

/// A document split over three files in nested folders: one crate, the imported names stable,
/// the clash of the two `Resource`s resolved by the file's name, every input named in the header.
#[test]
fn a_document_split_across_files_generates_one_crate() {
    let root = Path::new("tests/fixtures/split/specification/jobs/jobs.json");
    let files = generate(&options(root, "fixture")).unwrap_or_else(|e| panic!("{e}"));
    let models = &files
        .iter()
        .find(|f| f.path == Path::new("src/models.rs"))
        .unwrap()
        .contents;
    assert!(
        models.contains(
            "// From: jobs.json, ../../common-types/v1/types.json, shared.json, ../../common-types/v1/address.yaml\n"
        ),
        "{}",
        &models[..300]
    );
    insta::assert_snapshot!("split_across_files", source_of(&files));

    // The same files in another folder give the same bytes: nothing absolute gets in.
    let elsewhere = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("split-elsewhere/deeper");
    let _ = std::fs::remove_dir_all(&elsewhere);
    for rel in [
        "specification/jobs/jobs.json",
        "specification/jobs/shared.json",
        "common-types/v1/types.json",
        "common-types/v1/address.yaml",
    ] {
        let to = elsewhere.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new("tests/fixtures/split").join(rel), &to).unwrap();
    }
    let moved = generate(&options(
        &elsewhere.join("specification/jobs/jobs.json"),
        "fixture",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(moved, files, "the same bytes from another folder");

    // The freshness check notices an edit of a file the root only refers to.
    let crate_dir = elsewhere.join("crate");
    ea_codegen::write::write(&crate_dir, &moved).unwrap();
    let types = elsewhere.join("common-types/v1/types.json");
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&types).unwrap()).unwrap();
    edited["definitions"]["Resource"]["properties"]["kind"] = serde_json::json!({"type": "string"});
    let edited = serde_json::to_string_pretty(&edited).unwrap();
    std::fs::write(&types, edited).unwrap();
    let regenerated = generate(&options(
        &elsewhere.join("specification/jobs/jobs.json"),
        "fixture",
    ))
    .unwrap();
    let stale = ea_codegen::write::check(&crate_dir, &regenerated).unwrap();
    assert!(
        stale.iter().any(|f| f.path == Path::new("src/models.rs")),
        "{stale:?}"
    );

    // The build script sees the same files as the generator and watches every one of them.
    let (_, inputs) =
        ea_codegen::pipeline::generate_with_inputs(&options(root, "fixture")).unwrap();
    assert_eq!(
        inputs,
        [
            root.to_path_buf(),
            PathBuf::from(
                "tests/fixtures/split/specification/jobs/../../common-types/v1/types.json"
            ),
            PathBuf::from("tests/fixtures/split/specification/jobs/shared.json"),
            PathBuf::from(
                "tests/fixtures/split/specification/jobs/../../common-types/v1/address.yaml"
            ),
        ]
    );
}

/// The refusals of documents split across files name the file and the pointer at fault.
#[test]
fn split_documents_are_refused_with_the_file_and_pointer_at_fault() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "missing-file.json",
            "missing-file.json",
            "/definitions/A/$ref",
        ),
        (
            "missing-pointer.json",
            "missing-pointer.json",
            "/definitions/A/properties/x/$ref",
        ),
        ("cycle.json", "parts/cycle-c.json", "/definitions/C/$ref"),
        ("url.json", "url.json", "/definitions/A/$ref"),
        (
            "error-in-other-file.json",
            "parts/types.json",
            "/definitions/Bad/properties/v/oneOf",
        ),
    ];
    let dir = Path::new("tests/fixtures/split-invalid");
    for (name, file, pointer) in cases {
        let error = generate(&options(&dir.join(name), "broken"))
            .err()
            .unwrap_or_else(|| panic!("{name} was accepted"));
        assert_eq!(error.file, dir.join(file), "{error}");
        assert_eq!(error.pointer, *pointer, "{error}");
        insta::assert_snapshot!(format!("refused_split__{name}"), error.to_string());
    }
}

#[test]
fn a_spec_without_servers_gets_no_default_base_url() {
    let files = generate(&options(Path::new("tests/fixtures/no-servers.yaml"), "x")).unwrap();
    let client = &files
        .iter()
        .find(|f| f.path == Path::new("src/client.rs"))
        .unwrap()
        .contents;
    assert!(client.contains("base_url: None,"), "{client}");
    assert!(
        !client.contains("pub fn new("),
        "no Client::new without a base URL"
    );
    assert!(client.contains("header: \"Authorization\""));
    assert!(client.contains("scheme: Some(\"Bearer\")"));
    let cli = &files
        .iter()
        .find(|f| f.path == Path::new("src/cli.rs"))
        .unwrap()
        .contents;
    assert!(
        !cli.contains("default_value = \"http"),
        "--base-url has no default"
    );
}

#[test]
fn broken_specs_are_refused_with_file_and_pointer() {
    let cases: &[(&str, &str)] = &[
        ("bad-json.json", "line"),
        ("bad-yaml.yaml", "line"),
        ("unresolved-ref.json", "/definitions/"),
        ("recursive.json", "/definitions/"),
        ("unsupported-keyword.json", "oneOf"),
        ("openapi31.json", "/openapi"),
        ("unknown-version.json", ""),
    ];
    for (name, expected) in cases {
        let path = Path::new("tests/fixtures/invalid").join(name);
        let error = generate(&options(&path, "broken")).expect_err(name);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{}: ", path.display())),
            "{name}: {message}"
        );
        assert!(
            message.contains(expected),
            "{name}: {message} should mention {expected:?}"
        );
        insta::assert_snapshot!(format!("refused__{name}"), message);
    }
}

/// Asserts that the in-memory document `spec` is refused at `pointer` with `words` in the message.
#[track_caller]
fn assert_refused_inline(spec: &str, pointer: &str, words: &str) {
    let error = ea_codegen::generate_from_str(
        Path::new("inline.json"),
        spec,
        &options(Path::new("inline.json"), "x"),
    )
    .err()
    .unwrap_or_else(|| panic!("accepted: {spec}"));
    assert_eq!(error.file, Path::new("inline.json"), "{error}");
    assert_eq!(error.pointer, pointer, "{error}");
    assert!(error.message.contains(words), "{error}");
}

/// `x-ea-csv` mistakes are refused at the node that has them, in the file as written.
#[test]
fn csv_layouts_are_checked_with_pointers() {
    let spec = |ext: &str, schema: &str| {
        format!(
            r#"{{"swagger":"2.0","info":{{"title":"t","version":"1"}},"paths":{{"/a":{{"get":{{"produces":["application/octet-stream"],"responses":{{"200":{{"description":"","schema":{schema}}}}},"x-ea-csv":{ext}}}}}}},"definitions":{{"Row":{{"type":"object","required":["id"],"properties":{{"id":{{"type":"string"}},"tags":{{"type":"array","items":{{"type":"string"}}}},"n":{{"type":"integer"}}}}}}}}}}"#
        )
    };
    let bytes = r#"{"type":"string","format":"binary"}"#;
    let cases: &[(String, &str, &str)] = &[
        (
            spec(
                r#"{"rowSchema":"Row","title":"t","columns":[{"caption":"Id","property":"id"}]}"#,
                r##"{"$ref":"#/definitions/Row"}"##,
            )
            .replace("application/octet-stream", "application/json"),
            "/paths/~1a/get/x-ea-csv",
            "byte stream",
        ),
        (
            spec(r#"{"rowSchema":"Nope","title":"t","columns":[]}"#, bytes),
            "/paths/~1a/get/x-ea-csv/rowSchema",
            "\"Nope\"",
        ),
        (
            spec(
                r#"{"rowSchema":"Row","title":"t","columns":[{"caption":"Id","property":"idd"}]}"#,
                bytes,
            ),
            "/paths/~1a/get/x-ea-csv/columns/0/property",
            "no property \"idd\"",
        ),
        (
            spec(
                r#"{"rowSchema":"Row","title":"t","columns":[{"caption":"Id","property":"id"},{"caption":"Tags","property":"tags"}]}"#,
                bytes,
            ),
            "/paths/~1a/get/x-ea-csv/columns/1/property",
            "does not fit in a CSV cell",
        ),
        (
            spec(
                r#"{"rowSchema":"Row","title":"t","columns":[{"caption":"Id","property":"id"},{"caption":"ID","property":"n"}]}"#,
                bytes,
            ),
            "/paths/~1a/get/x-ea-csv/columns/1",
            "listed twice",
        ),
        (
            spec(
                r#"{"rowSchema":"Row","title":"t","columns":[{"caption":"N","property":"n"}]}"#,
                bytes,
            ),
            "/paths/~1a/get/x-ea-csv/columns",
            "required property \"id\"",
        ),
        (
            spec(
                r#"{"rowSchema":"Row","columns":[{"caption":"Id","property":"id"}]}"#,
                bytes,
            ),
            "/paths/~1a/get/x-ea-csv/title",
            "non-empty string",
        ),
        (
            spec(
                r#"{"rowSchema":"Row","title":"t","columns":[{"caption":"Id","property":"id"}],"skip":2}"#,
                bytes,
            ),
            "/paths/~1a/get/x-ea-csv/skip",
            "unknown x-ea-csv key",
        ),
    ];
    for (spec, pointer, words) in cases.iter() {
        assert_refused_inline(spec, pointer, words);
    }
}

#[test]
fn long_running_operations_are_checked_with_pointers() {
    let spec = |ext: &str, poll_method: &str| {
        format!(
            r##"{{"swagger":"2.0","info":{{"title":"t","version":"1"}},"paths":{{"/a":{{"post":{{"operationId":"A_Post","produces":["application/json"],"responses":{{"200":{{"description":"","schema":{{"$ref":"#/definitions/Job"}}}}}},"x-ea-long-running":{ext}}}}},"/a/{{id}}":{{"{poll_method}":{{"operationId":"A_Get","produces":["application/json"],"parameters":[{{"name":"id","in":"path","required":true,"type":"string"}}],"responses":{{"200":{{"description":"","schema":{{"$ref":"#/definitions/Job"}}}}}}}}}}}},"definitions":{{"Job":{{"type":"object","properties":{{"poll":{{"type":"string"}},"state":{{"type":"integer"}},"result":{{"type":"string"}},"at":{{"type":"string","format":"date-time"}},"tags":{{"type":"array","items":{{"type":"string"}}}}}}}}}}}}"##
        )
    };
    let states = r#""states":[{"value":1,"name":"Running","outcome":"running"},{"value":2,"name":"Done","outcome":"succeeded"}]"#;
    let ext = |rest: &str| {
        format!(
            r#"{{"pollOperation":"A_Get","pollLink":"poll","status":"state","resultLink":"result",{states}{rest}}}"#
        )
    };
    let cases: Vec<(String, &str, &str)> = vec![
        (
            spec(&ext(""), "post"),
            "/paths/~1a/post/x-ea-long-running/pollOperation",
            "must be a GET",
        ),
        (
            spec(
                &ext("").replace("A_Get\",\"pollLink", "B_Get\",\"pollLink"),
                "get",
            ),
            "/paths/~1a/post/x-ea-long-running/pollOperation",
            "no operation has the id \"B_Get\"",
        ),
        (
            spec(
                &ext("").replace("\"pollLink\":\"poll\"", "\"pollLink\":\"tags\""),
                "get",
            ),
            "/paths/~1a/post/x-ea-long-running/pollLink",
            "must be a string",
        ),
        (
            spec(
                &ext("").replace("\"resultLink\":\"result\"", "\"resultLink\":\"nope\""),
                "get",
            ),
            "/paths/~1a/post/x-ea-long-running/resultLink",
            "no property \"nope\"",
        ),
        (
            spec(
                &ext(r#","resultValidity":{"from":"poll","seconds":60}"#),
                "get",
            ),
            "/paths/~1a/post/x-ea-long-running/resultValidity/from",
            "must be a date-time",
        ),
        (
            spec(&ext(r#","pollIntervalSeconds":0"#), "get"),
            "/paths/~1a/post/x-ea-long-running/pollIntervalSeconds",
            "from 1 to 3600",
        ),
        (
            spec(&ext(r#","resultCsv":"A_Get""#), "get"),
            "/paths/~1a/post/x-ea-long-running/resultCsv",
            "no x-ea-csv layout",
        ),
        (
            spec(&ext(r#","retries":3"#), "get"),
            "/paths/~1a/post/x-ea-long-running/retries",
            "unknown x-ea-long-running key",
        ),
        (
            spec(&ext("").replace("succeeded", "failed"), "get"),
            "/paths/~1a/post/x-ea-long-running/states",
            "no state has the outcome succeeded",
        ),
        (
            spec(&ext("").replace("\"value\":2", "\"value\":1"), "get"),
            "/paths/~1a/post/x-ea-long-running/states/1",
            "listed twice",
        ),
        (
            spec(
                &ext("").replace("\"outcome\":\"running\"", "\"outcome\":\"later\""),
                "get",
            ),
            "/paths/~1a/post/x-ea-long-running/states/0",
            "outcome",
        ),
    ];
    for (spec, pointer, words) in cases.iter() {
        assert_refused_inline(spec, pointer, words);
    }
    // The same document with a GET poll is accepted.
    let good = spec(
        &ext(r#","resultValidity":{"from":"at","seconds":60}"#),
        "get",
    );
    ea_codegen::generate_from_str(
        Path::new("inline.json"),
        &good,
        &options(Path::new("inline.json"), "x"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// `x-ea-splittable` mistakes are refused at the key at fault.
#[test]
fn splittable_ranges_are_checked_with_pointers() {
    let spec = |ext: &str, required: bool| {
        format!(
            r##"{{"swagger":"2.0","info":{{"title":"t","version":"1"}},"paths":{{"/a":{{"get":{{"produces":["application/json"],"parameters":[{{"name":"from","in":"query","required":true,"type":"string","format":"date-time"}},{{"name":"to","in":"query","required":{required},"type":"string","format":"date-time"}}],"responses":{{"200":{{"description":"","schema":{{"$ref":"#/definitions/Page"}}}}}},"x-ea-splittable":{ext}}}}}}},"definitions":{{"Page":{{"type":"object","properties":{{"value":{{"type":"array","items":{{"type":"string"}}}},"nextLink":{{"type":"string"}}}}}}}}}}"##
        )
    };
    let cases: &[(String, &str, &str)] = &[
        (
            spec(r#"{"start":"from","end":"to","unit":"week"}"#, true),
            "/paths/~1a/get/x-ea-splittable/unit",
            "day",
        ),
        (
            spec(r#"{"start":"from","end":"until","unit":"day"}"#, true),
            "/paths/~1a/get/x-ea-splittable/end",
            "no query parameter \"until\"",
        ),
        (
            spec(r#"{"start":"from","end":"to","unit":"day"}"#, false),
            "/paths/~1a/get/x-ea-splittable/end",
            "required date-time",
        ),
        (
            spec(r#"{"start":"from","end":"to","unit":"day","max":3}"#, true),
            "/paths/~1a/get/x-ea-splittable/max",
            "unknown x-ea-splittable key",
        ),
    ];
    for (spec, pointer, words) in cases.iter() {
        assert_refused_inline(spec, pointer, words);
    }
    let good = spec(r#"{"start":"from","end":"to","unit":"day"}"#, true);
    let files = ea_codegen::generate_from_str(
        Path::new("inline.json"),
        &good,
        &options(Path::new("inline.json"), "x"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let client = &files
        .iter()
        .find(|f| f.path == Path::new("src/client.rs"))
        .unwrap()
        .contents;
    assert!(
        client.contains("pub fn stream_split("),
        "the builder gets the split stream"
    );
}

#[test]
fn lower_refuses_what_the_crate_cannot_express() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{"requestBody":{"content":{"text/plain":{"schema":{"type":"string"}}}},"responses":{"200":{"description":""}}}}}}"#,
            "/paths/~1a/post/requestBody",
            "request bodies other than JSON",
        ),
        (
            r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a/{id}":{"get":{"responses":{"200":{"description":""}}}}}}"#,
            "/paths/~1a~1{id}/get",
            "{id}",
        ),
        (
            r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"parameters":[{"name":"c","in":"cookie","schema":{"type":"string"}}],"responses":{"200":{"description":""}}}}}}"#,
            "/paths/~1a/get/parameters/0",
            "cookie",
        ),
    ];
    for (spec, pointer, words) in cases.iter().chain(&[(
        // A recursive schema in an OpenAPI 3.0 file is reported where that file has it (not
        // under Swagger 2.0's `definitions`).
        r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"Node":{"type":"object","allOf":[{"$ref":"#/components/schemas/Node"}]}}}}"##,
        "/components/schemas/Node",
        "recursive schema",
    )]) {
        assert_refused_inline(spec, pointer, words);
    }
}

/// Generates every fixture (and spec/ with Decimal money fields) into one scratch workspace and
/// runs `cargo check` on it offline, against this workspace's Cargo.lock, so no fixture can
/// yield a crate that does not build.
#[test]
fn every_fixture_crate_compiles() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("fixture-crates");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let mut members = Vec::new();
    for fixture in valid_fixtures() {
        let stem = fixture.file_stem().unwrap().to_string_lossy().to_string();
        let name = format!("fixture-{stem}");
        let files = generate(&options(&fixture, &name)).unwrap_or_else(|e| panic!("{e}"));
        ea_codegen::write::write(&root.join(&stem), &files).unwrap();
        members.push(stem);
    }
    let mut decimal = options(Path::new("../spec/ea-reporting-v3.json"), "spec-decimal");
    decimal.decimal_fields = vec![
        "*cost".into(),
        "*Price".into(),
        "amount".into(),
        "*Balance".into(),
    ];
    let files = generate(&decimal).unwrap();
    let models = &files
        .iter()
        .find(|f| f.path == Path::new("src/models.rs"))
        .unwrap()
        .contents;
    assert!(
        models.contains("pub cost: Option<rust_decimal::Decimal>"),
        "decimal mapping applied"
    );
    assert!(
        models.contains("crate::runtime::decimal::option"),
        "decimals are read and written through their digits"
    );
    ea_codegen::write::write(&root.join("spec-decimal"), &files).unwrap();
    members.push("spec-decimal".into());

    // The build-script entry point: generate into an OUT_DIR-like folder and `include!` the result
    // at the root of a crate that has the generated crate's dependencies.
    let out_dir = root.join("build-script-out");
    let include =
        ea_codegen::build_script::generate_into("../spec/ea-reporting-v3.json", &out_dir).unwrap();
    let user = root.join("build-script-user");
    std::fs::create_dir_all(user.join("src")).unwrap();
    let manifest = std::fs::read_to_string(out_dir.join("ea-reporting/Cargo.toml")).unwrap();
    // Same dependencies and features, another name, and no `[[bin]]` table (the user crate has no main.rs).
    let mut in_bin = false;
    let manifest: String = manifest
        .replace("name = \"ea-reporting\"", "name = \"build-script-user\"")
        .lines()
        .filter(|line| {
            if line.starts_with('[') {
                in_bin = line.trim() == "[[bin]]";
            }
            !in_bin
        })
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(user.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        user.join("src/lib.rs"),
        format!(
            "//! Uses the client through `include!`.\ninclude!({:?});\n",
            include.display().to_string()
        ),
    )
    .unwrap();
    members.push("build-script-user".into());

    scratch_workspace::check_offline(
        &root,
        &members,
        &tmp.join("fixture-target"),
        "a generated fixture crate does not build",
    );
}

/// The fixture check above runs offline against a copy of this workspace's Cargo.lock, so every
/// crate a generated manifest can name (any feature, with or without `--decimal-fields`) must be
/// pinned there at a version the manifest accepts; otherwise the check passes only where an
/// earlier build happened to leave the crate in the registry cache (issue 9). A crate that only
/// generated code uses belongs in codegen's `[dev-dependencies]`, so `cargo test` fetches it.
#[test]
fn every_dependency_a_generated_crate_can_name_is_pinned_in_cargo_lock() {
    let lock: toml_edit::DocumentMut = std::fs::read_to_string("../Cargo.lock")
        .unwrap()
        .parse()
        .expect("Cargo.lock parses");
    let locked: Vec<(String, semver::Version)> = lock["package"]
        .as_array_of_tables()
        .expect("[[package]] tables")
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_string();
            let version = semver::Version::parse(p["version"].as_str().unwrap()).unwrap();
            (name, version)
        })
        .collect();

    let mut decimal = options(Path::new("../spec/ea-reporting-v3.json"), "with-decimal");
    decimal.decimal_fields = vec!["*cost".into()];
    let plain = options(Path::new("../spec/ea-reporting-v3.json"), "plain");
    let mut checked = 0;
    for o in [plain, decimal] {
        let files = generate(&o).unwrap();
        let manifest: toml_edit::DocumentMut = files
            .iter()
            .find(|f| f.path == Path::new("Cargo.toml"))
            .unwrap()
            .contents
            .parse()
            .expect("the generated Cargo.toml parses");
        for table in ["dependencies", "dev-dependencies"] {
            let Some(table) = manifest.get(table).and_then(|t| t.as_table()) else {
                continue;
            };
            for (name, spec) in table {
                let requirement = spec
                    .as_str()
                    .or_else(|| spec.get("version").and_then(|v| v.as_str()))
                    .unwrap_or_else(|| panic!("{name}: no version in the generated manifest"));
                let requirement = semver::VersionReq::parse(requirement).unwrap();
                assert!(
                    locked
                        .iter()
                        .any(|(n, v)| n == name && requirement.matches(v)),
                    "a generated crate can depend on {name} {requirement}, which Cargo.lock does \
                     not pin; add it to codegen's [dev-dependencies] so the workspace resolves and \
                     fetches it"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 25, "read both manifests ({checked} dependencies)");
}

/// The Azure constructs the generator cannot express are refused at the node that has them, in
/// the file as written (Swagger 2.0 pointers), never dropped.
#[test]
fn azure_constructs_that_cannot_work_are_refused_with_pointers() {
    let doc = |paths: &str, definitions: &str| {
        format!(
            r##"{{"swagger":"2.0","info":{{"title":"t","version":"1"}},"host":"h","paths":{paths},"definitions":{definitions}}}"##
        )
    };
    let get = |params: &str| {
        format!(
            r##"{{"get":{{"operationId":"Op","parameters":{params},"responses":{{"200":{{"description":"","schema":{{"$ref":"#/definitions/A"}}}}}}}}}}"##
        )
    };
    let a = r##"{"A":{"type":"object","properties":{"x":{"type":"string"}}}}"##;
    let scope = r##"{"name":"scope","in":"path","required":true,"type":"string","x-ms-skip-url-encoding":true}"##;
    let cases: Vec<(String, &str, &str)> = vec![
        (
            doc(
                "{}",
                r##"{"Base":{"properties":{"size":{"type":"string"}}},"Child":{"allOf":[{"$ref":"#/definitions/Base"}],"properties":{"size":{"type":"integer"}}}}"##,
            ),
            "/definitions/Child/properties/size",
            "has another type here than at /definitions/Base/properties/size",
        ),
        (
            doc(
                "{}",
                r##"{"Base":{"discriminator":"kind","required":["kind"],"properties":{"kind":{"type":"string"}}},"Mid":{"discriminator":"kind","allOf":[{"$ref":"#/definitions/Base"}],"x-ms-discriminator-value":"mid"},"Leaf":{"allOf":[{"$ref":"#/definitions/Mid"}],"x-ms-discriminator-value":"leaf"}}"##,
            ),
            "/definitions/Mid",
            "nested discriminator on the same property",
        ),
        (
            doc(
                "{}",
                r##"{"Base":{"properties":{"kind":{"type":"string"}}},"Sub":{"allOf":[{"$ref":"#/definitions/Base"}],"x-ms-discriminator-value":"sub"}}"##,
            ),
            "/definitions/Sub/x-ms-discriminator-value",
            "no parent in allOf has a discriminator",
        ),
        (
            doc(
                &format!(
                    r##"{{"/{{scope}}/x/{{other}}":{}}}"##,
                    get(&format!(
                        r##"[{scope},{}]"##,
                        scope.replace("\"scope\"", "\"other\"")
                    ))
                ),
                a,
            ),
            "/paths/~1{scope}~1x~1{other}/get",
            "more than one path parameter with x-ms-skip-url-encoding",
        ),
        (
            doc(
                &format!(
                    r##"{{"/a":{}}}"##,
                    get(
                        r##"[{"name":"q","in":"query","type":"string","x-ms-skip-url-encoding":true}]"##
                    )
                ),
                a,
            ),
            "/paths/~1a/get/parameters/0/x-ms-skip-url-encoding",
            "path parameters only",
        ),
        (
            doc(
                r##"{"/a":{"put":{"consumes":["application/xml"],"parameters":[{"name":"b","in":"body","schema":{"$ref":"#/definitions/A"}}],"responses":{"204":{"description":""}}}}}"##,
                a,
            ),
            "/paths/~1a/put/requestBody",
            "request bodies other than JSON are not supported (this one is application/xml)",
        ),
        (
            doc(
                r##"{"/a":{"put":{"x-ms-long-running-operation":true,"responses":{"200":{"description":""}}}}}"##,
                a,
            ),
            "/paths/~1a/put/x-ms-long-running-operation",
            "Azure long-running operations",
        ),
        (
            doc("{}", r##"{"A":{"type":"object","x-ms-brand-new":1}}"##),
            "/definitions/A/x-ms-brand-new",
            "unknown AutoRest extension `x-ms-brand-new`",
        ),
        (
            doc("{}", r##"{"A":{"type":"object","propertys":{}}}"##),
            "/definitions/A/propertys",
            "unknown keyword `propertys`",
        ),
    ];
    for (text, pointer, message) in cases {
        let file = Path::new("azure-case.json");
        let error = ea_codegen::generate_from_str(file, &text, &options(file, "broken"))
            .err()
            .unwrap_or_else(|| panic!("accepted: {text}"));
        assert_eq!(error.pointer, pointer, "{error}\n{text}");
        assert!(error.message.contains(message), "{error}");
    }
}

/// The audit's table lists every keyword and extension of every fixture and of spec/: one that
/// is missing has had no decision made about it (handled, ignored or refused).
#[test]
fn every_keyword_of_every_fixture_is_in_the_audit_table() {
    let mut files: Vec<PathBuf> = valid_fixtures();
    files.push(PathBuf::from("../spec/ea-reporting-v3.json"));
    for rel in [
        "specification/jobs/shared.json",
        "common-types/v1/types.json",
        "common-types/v1/address.yaml",
    ] {
        files.push(Path::new("tests/fixtures/split").join(rel));
    }
    for file in files {
        let doc = ea_codegen::load::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let unlisted = ea_codegen::lower::audit::unlisted(&doc);
        assert!(
            unlisted.is_empty(),
            "{}: not in the audit table: {unlisted:?}",
            file.display()
        );
    }
}
