//! The generator on Microsoft's published Microsoft.Consumption documents (Swagger 2.0 with
//! AutoRest's extensions), read from `../shared/azure-specs` beside this repository: they are
//! Microsoft's, so they are not copied here. Each generates a crate that compiles with
//! `-D warnings` and every feature. With `CI=true` the documents must be there; elsewhere the
//! test says it skipped them, so a clone without `../shared` still passes.

#[path = "support/scratch_workspace.rs"]
mod scratch_workspace;

use ea_codegen::{GenerateOptions, generate};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The versions under `stable/`, oldest first.
const VERSIONS: [&str; 3] = ["2017-11-30", "2019-10-01", "2023-11-01"];

/// `shared/azure-specs/.../stable`, next to the repository.
fn stable_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/azure-specs/consumption/resource-manager/Microsoft.Consumption/stable")
}

/// The documents, or `None` (after saying so) when they are not there outside CI.
fn documents() -> Option<Vec<(&'static str, PathBuf)>> {
    let docs: Vec<(&str, PathBuf)> = VERSIONS
        .iter()
        .map(|v| (*v, stable_dir().join(v).join("consumption.json")))
        .collect();
    let missing: Vec<&PathBuf> = docs
        .iter()
        .map(|(_, p)| p)
        .filter(|p| !p.is_file())
        .collect();
    if missing.is_empty() {
        return Some(docs);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the Azure documents are missing: {missing:?}");
    }
    eprintln!("skipped: the Azure documents are not there ({missing:?})");
    None
}

fn crate_name(version: &str) -> String {
    format!("azure-consumption-{}", version.replace('-', ""))
}

#[test]
fn every_azure_document_generates_a_crate_that_compiles() {
    let Some(docs) = documents() else { return };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("azure-crates");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let mut members = Vec::new();
    for (version, path) in &docs {
        let mut options = GenerateOptions::new(path);
        options.crate_name = crate_name(version);
        let files = generate(&options).unwrap_or_else(|e| panic!("{version}: {e}"));
        ea_codegen::write::write(&root.join(version), &files).unwrap();
        members.push(version.to_string());
    }
    scratch_workspace::check_offline(
        &root,
        &members,
        &tmp.join("azure-target"),
        "a crate generated from an Azure document does not build",
    );
}

/// The audit's table lists every keyword and AutoRest extension the three documents use.
#[test]
fn every_keyword_of_the_azure_documents_is_in_the_audit_table() {
    let Some(docs) = documents() else { return };
    for (version, path) in docs {
        let doc = ea_codegen::load::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let unlisted = ea_codegen::lower::audit::unlisted(&doc);
        assert!(
            unlisted.is_empty(),
            "{version}: not in the audit table: {unlisted:?}"
        );
    }
}

/// One x-ms-examples file of an operation, as the check program replays it.
struct Case {
    version: &'static str,
    operation: ea_codegen::ir::Operation,
    file: PathBuf,
    /// The Swagger name of the operation's body parameter, if it has one.
    body_name: Option<String>,
}

/// The operations' example files that exist (2019-10-01 comes without its examples).
fn cases(version: &'static str, path: &Path) -> Vec<Case> {
    let api = ea_codegen::pipeline::load_api(path, None, &[]).unwrap_or_else(|e| panic!("{e}"));
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (_, item) in raw["paths"].as_object().unwrap() {
        for (_, op) in item.as_object().unwrap() {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            let operation = api
                .operations
                .iter()
                .find(|o| o.operation_id.as_deref() == Some(id))
                .unwrap_or_else(|| panic!("{id} lowered"))
                .clone();
            let body_name = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| match p.get("$ref").and_then(|r| r.as_str()) {
                    Some(r) => raw["parameters"][r.trim_start_matches("#/parameters/")].clone(),
                    None => p.clone(),
                })
                .find(|p| p["in"] == "body")
                .map(|p| p["name"].as_str().unwrap().to_string());
            for (_, example) in op["x-ms-examples"].as_object().into_iter().flatten() {
                let file = path
                    .parent()
                    .unwrap()
                    .join(example["$ref"].as_str().unwrap());
                if file.is_file() {
                    out.push(Case {
                        version,
                        operation: operation.clone(),
                        file,
                        body_name: body_name.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The document ships no example of a request with a body (Budgets_CreateOrUpdate's example
/// file is not among the copies), so one is made from the Get example: its answer as the PUT's
/// body and answer, replayed like the others (method, path, query, the JSON body sent).
fn budget_put_case(version: &'static str, path: &Path, root: &Path) -> Case {
    let get = cases(version, path)
        .into_iter()
        .find(|c| c.operation.operation_id.as_deref() == Some("Budgets_Get"))
        .expect("the Budget example");
    let mut example: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&get.file).unwrap()).unwrap();
    let budget = example["responses"]["200"]["body"].clone();
    let put = ea_codegen::pipeline::load_api(path, None, &[])
        .unwrap()
        .operations
        .into_iter()
        .find(|o| o.operation_id.as_deref() == Some("Budgets_CreateOrUpdate"))
        .expect("Budgets_CreateOrUpdate");
    example["parameters"]["parameters"] = budget;
    let file = root.join("BudgetPut.json");
    std::fs::write(&file, serde_json::to_string_pretty(&example).unwrap()).unwrap();
    Case {
        version,
        operation: put,
        file,
        body_name: Some("parameters".into()),
    }
}

/// A Rust expression of type `ty` for an example's parameter value.
fn literal(ty: &ea_codegen::ir::TypeRef, value: &serde_json::Value, krate: &str) -> String {
    use ea_codegen::ir::TypeRef;
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match ty {
        TypeRef::String => format!("{text:?}"),
        TypeRef::Enum(e) => format!("{krate}::models::{e}::from_wire({text:?})"),
        TypeRef::DateTime => {
            format!("{krate}::runtime::datetime::parse_lenient({text:?}).unwrap()")
        }
        TypeRef::Date => format!("{text:?}.parse::<chrono::NaiveDate>().unwrap()"),
        TypeRef::I32 => format!("{text}_i32"),
        TypeRef::I64 => format!("{text}_i64"),
        TypeRef::F32 => format!("{text}_f32"),
        TypeRef::F64 => format!("{text}_f64"),
        TypeRef::Bool => text,
        other => panic!("no literal for {other:?}"),
    }
}

/// The check program's function for one case: calls the generated client method with the
/// example's parameters (and body) against the local server, and returns the answer re-serialised.
fn case_fn(index: usize, case: &Case) -> Option<String> {
    let krate = crate_name(case.version).replace('-', "_");
    let example: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&case.file).unwrap()).unwrap();
    let params = &example["parameters"];
    let op = &case.operation;
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let Some(value) = params.get(&p.name) else {
            if p.is_argument() {
                return None; // The example lacks a required value: nothing to replay.
            }
            continue;
        };
        let lit = literal(&p.ty, value, &krate);
        let setter = p.rust_name.trim_start_matches("r#");
        if p.is_argument() {
            args.push(if matches!(p.ty, ea_codegen::ir::TypeRef::String) {
                format!("&{lit}")
            } else {
                lit
            });
        } else if p.default.is_none() || p.default.as_deref() != value.as_str() {
            setters.push(format!(".{setter}({lit})"));
        }
    }
    if let Some(body) = &op.body {
        let name = case.body_name.as_deref().unwrap_or("body");
        let value = params.get(name)?;
        let expr = format!(
            "serde_json::from_value(serde_json::json!({value})).expect(\"the example's body reads into the body model\")"
        );
        if body.required {
            args.push(expr);
        } else {
            setters.push(format!(".body({expr})"));
        }
    }
    let method = &op.method_name;
    let answer = match &op.response {
        ea_codegen::ir::ResponseKind::Empty | ea_codegen::ir::ResponseKind::Bytes { .. } => {
            "serde_json::Value::Null"
        }
        _ => "serde_json::to_value(response.body()).unwrap()",
    };
    Some(format!(
        "async fn case_{index}(client: &{krate}::Client) -> Result<serde_json::Value, String> {{\n    let response = client.{method}({}){}.send().await.map_err(|e| e.to_string())?;\n    let _ = &response;\n    Ok({answer})\n}}\n",
        args.join(", "),
        setters.join("")
    ))
}

/// A usage detail of a kind the document does not list is kept whole, not refused, and is
/// written back as it came (checked in the replay program, on 2023-11-01's `UsageDetail`).
const UNKNOWN_KIND_CHECK: &str = r#"
    let future = serde_json::json!({"kind": "future", "id": "x", "properties": {"cost": 1}});
    let detail: azure_consumption_20231101::models::UsageDetail =
        serde_json::from_value(future.clone()).unwrap();
    if !matches!(detail, azure_consumption_20231101::models::UsageDetail::Unknown(_))
        || serde_json::to_value(&detail).unwrap() != future
    {
        failures += 1;
        println!("FAIL an unknown kind of UsageDetail is not kept: {detail:?}");
    }
    let modern = serde_json::json!({"kind": "modern", "properties": {"costInUSD": 2.5}});
    match serde_json::from_value(modern) {
        Ok(azure_consumption_20231101::models::UsageDetail::Modern(m)) if m.properties.cost_in_usd == Some(2.5) => {}
        other => {
            failures += 1;
            println!("FAIL a modern UsageDetail is not read as one: {other:?}");
        }
    }
"#;

/// Every x-ms-examples file of 2017-11-30 and 2023-11-01 is replayed through the generated
/// client against a local server: the request the client method builds from the example's
/// parameters must have the example's path, query and body, and the example's 200 body must
/// read into the operation's model and write back to the same JSON, modulo the normalisations
/// the check program names (nulls dropped, numbers compared as numbers, date-times as instants).
#[test]
fn every_azure_example_round_trips_through_the_generated_client() {
    let Some(docs) = documents() else { return };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("azure-examples");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("check/src")).unwrap();
    let mut members = vec!["\"check\"".to_string()];
    let mut deps = String::new();
    let mut fns = String::new();
    let mut table = String::new();
    let mut replayed = 0;
    let mut skipped = Vec::new();
    for (version, path) in docs.iter().filter(|(v, _)| *v != "2019-10-01") {
        let name = crate_name(version);
        let mut options = GenerateOptions::new(path);
        options.crate_name = name.clone();
        let files = generate(&options).unwrap_or_else(|e| panic!("{version}: {e}"));
        ea_codegen::write::write(&root.join(version), &files).unwrap();
        members.push(format!("{version:?}"));
        deps.push_str(&format!(
            "{name} = {{ path = \"../{version}\", features = [\"server\"] }}\n"
        ));
        let krate = name.replace('-', "_");
        let mut version_cases = cases(version, path);
        if *version == "2023-11-01" {
            version_cases.push(budget_put_case(version, path, &root));
        }
        for case in version_cases {
            let index = replayed + skipped.len();
            let Some(f) = case_fn(index, &case) else {
                skipped.push(case.file.display().to_string());
                continue;
            };
            fns.push_str(&f);
            let op = &case.operation;
            let unencoded: Vec<String> = op
                .params
                .iter()
                .filter(|p| p.skip_url_encoding)
                .map(|p| format!("{:?}", p.name))
                .collect();
            let query: Vec<String> = op
                .params
                .iter()
                .filter(|p| p.location == ea_codegen::ir::ParamLocation::Query)
                .map(|p| format!("{:?}", p.name))
                .collect();
            let body = match (&op.body, &case.body_name) {
                (Some(_), Some(n)) => format!("Some({n:?})"),
                _ => "None".into(),
            };
            table.push_str(&format!(
                "    Case {{ file: {:?}, method: {:?}, path: {:?}, unencoded: &[{}], query: &[{}], body: {body}, id: {:?}, matches: |m, p, q| {krate}::operations::match_request(&m.parse().unwrap(), p, q, &http::HeaderMap::new()).map(|o| o.id()).map_err(|e| format!(\"{{e:?}}\")), run: |base| Box::pin(async move {{ let client = {krate}::Client::builder().base_url(base).api_key(\"key\").retry_policy({krate}::RetryPolicy::none()).build().unwrap(); case_{index}(&client).await }}) }},\n",
                case.file.display().to_string(),
                op.http_method,
                op.path,
                unencoded.join(", "),
                query.join(", "),
                op.id,
            ));
            replayed += 1;
        }
    }
    assert!(replayed >= 60, "only {replayed} examples replayed");
    std::fs::write(
        root.join("check/Cargo.toml"),
        format!(
            "[package]\nname = \"check\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{deps}serde_json = \"1\"\nchrono = {{ version = \"0.4\", default-features = false, features = [\"std\"] }}\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"net\", \"io-util\"] }}\npercent-encoding = \"2\"\nurl = \"2\"\nhttp = \"1\"\n"
        ),
    )
    .unwrap();
    let program = include_str!("support/examples_check.rs")
        .replace("// @CASE_FNS", &fns)
        .replace("// @CASES", &table)
        .replace("// @EXTRA", UNKNOWN_KIND_CHECK);
    std::fs::write(root.join("check/src/main.rs"), program).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy("../Cargo.lock", root.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["run", "--offline", "--quiet", "-p", "check"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", tmp.join("azure-target"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}");
    assert!(
        output.status.success(),
        "examples did not round-trip (skipped, lacking a required parameter: {skipped:?}):\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
