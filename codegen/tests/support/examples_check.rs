//! Replays x-ms-examples through generated clients (written by tests/azure_specs.rs, which
//! fills in the cases). A local server records each request and answers with the example's
//! success body; the request must match the example's parameters and the decoded answer must
//! serialise back to the example's body.
//!
//! Normalisations, on both sides: `null` members are dropped (the models leave absent values
//! out), numbers are compared as numbers (`100.0` is `100`), and strings that are date-times
//! are compared as instants (an offset-less time is UTC; the models write RFC 3339). Members an
//! example has that the spec does not declare are dropped by the models; the few there are
//! are listed, each by name, in `UNDECLARED`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Run = fn(String) -> Pin<Box<dyn Future<Output = Result<Value, String>>>>;
/// The generated server side's `match_request`: the id of the operation a request is.
type Match = fn(&str, &str, Option<&str>) -> Result<&'static str, String>;

struct Case {
    file: &'static str,
    method: &'static str,
    path: &'static str,
    unencoded: &'static [&'static str],
    query: &'static [&'static str],
    body: Option<&'static str>,
    id: &'static str,
    run: Run,
    matches: Match,
}

#[derive(Default)]
struct Exchange {
    reply: Vec<u8>,
    seen: Option<(String, String, Vec<u8>)>,
}

// @CASE_FNS

const CASES: &[Case] = &[
// @CASES
];

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn instant(s: &str) -> Option<String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc).to_rfc3339());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().to_rfc3339());
        }
    }
    None
}

fn normalise(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(v.clone(), Value::Number),
        Value::String(s) => instant(s).map_or(v.clone(), Value::String),
        _ => v.clone(),
    }
}

/// Members that some examples carry but the spec does not declare on that object (the models
/// keep the fields the spec names): (example file name, member). Each was checked by hand
/// against the document: `LotProperties` declares `OrganizationType`, not `orgType`;
/// `EventProperties` declares no `billingAccountName`.
const UNDECLARED: &[(&str, &str)] = &[
    ("EventsGetByBillingAccount-Primary.json", "billingAccountName"),
    ("EventsGetByBillingAccountWithFilters-Primary.json", "billingAccountName"),
    ("LotsListByBillingAccount-Primary.json", "orgType"),
    ("LotsListByBillingAccount-Contributor.json", "orgType"),
    ("LotsListByBillingAccountWithFilters-Primary.json", "orgType"),
];

/// Every difference of two normalised values, by pointer: (pointer, member, what).
fn differences(at: &str, want: &Value, got: &Value, out: &mut Vec<(String, String, String)>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let p = format!("{at}/{k}");
                match g.get(k) {
                    None => out.push((p, k.clone(), "missing in the client's JSON".into())),
                    Some(gv) => differences(&p, wv, gv, out),
                }
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push((format!("{at}/{k}"), k.clone(), "not in the example".into()));
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                differences(&format!("{at}/{i}"), wv, gv, out);
            }
        }
        _ if want == got => {}
        _ => out.push((at.to_string(), String::new(), format!("example {want}, client {got}"))),
    }
}

/// The differences that are not an undeclared member of this example, as one message.
fn difference(file: &str, at: &str, want: &Value, got: &Value) -> Option<String> {
    let mut all = Vec::new();
    differences(at, want, got, &mut all);
    let name = file.rsplit('/').next().unwrap_or(file);
    let real: Vec<String> = all
        .into_iter()
        .filter(|(_, member, what)| {
            !(what.starts_with("missing") && UNDECLARED.contains(&(name, member.as_str())))
        })
        .map(|(p, _, what)| format!("{p}: {what}"))
        .collect();
    (!real.is_empty()).then(|| real.join("; "))
}

async fn serve(listener: tokio::net::TcpListener, exchange: Arc<Mutex<Exchange>>) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break 0,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        if head_end == 0 {
            continue;
        }
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let length = head
            .lines()
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let mut line = head.lines().next().unwrap_or_default().split(' ');
        let method = line.next().unwrap_or_default().to_string();
        let target = line.next().unwrap_or_default().to_string();
        let reply = {
            let mut ex = exchange.lock().unwrap();
            ex.seen = Some((method, target, buf[head_end..].to_vec()));
            ex.reply.clone()
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            reply.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.write_all(&reply).await;
    }
}

/// What is wrong with the request the client sent for `case`, if anything.
fn check_request(case: &Case, params: &Value, seen: &(String, String, Vec<u8>)) -> Option<String> {
    let (method, target, body) = seen;
    if method != case.method {
        return Some(format!("method {method}, want {}", case.method));
    }
    let url = url::Url::parse(&format!("http://h{target}")).ok()?;
    let mut want_path = case.path.to_string();
    for (name, value) in params.as_object().into_iter().flatten() {
        let value = text(value);
        want_path = want_path.replace(&format!("{{{name}}}"), &value);
        let _ = case.unencoded;
    }
    let path: Vec<String> = url
        .path()
        .split('/')
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    if path.join("/") != want_path {
        return Some(format!("path {}, want {want_path}", path.join("/")));
    }
    // The server side of the same crate takes the request for the same operation.
    match (case.matches)(method, url.path(), url.query()) {
        Ok(id) if id == case.id => {}
        Ok(other) => return Some(format!("the server side matched {other}, want {}", case.id)),
        Err(e) => return Some(format!("the server side refused it: {e}")),
    }
    let mut got: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut want: Vec<(String, String)> = case
        .query
        .iter()
        .filter_map(|q| params.get(*q).map(|v| (q.to_string(), text(v))))
        .collect();
    for pairs in [&mut got, &mut want] {
        for (_, v) in pairs.iter_mut() {
            if let Some(t) = instant(v) {
                *v = t;
            }
        }
        pairs.sort();
    }
    if got != want {
        return Some(format!("query {got:?}, want {want:?}"));
    }
    if let Some(name) = case.body {
        let sent: Value = serde_json::from_slice(body).ok()?;
        if let Some(d) = difference(case.file, "body", &normalise(&params[name]), &normalise(&sent)) {
            return Some(format!("request body: {d}"));
        }
    }
    None
}

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let exchange = Arc::new(Mutex::new(Exchange::default()));
    tokio::spawn(serve(listener, exchange.clone()));
    let mut failures = 0;
    for case in CASES {
        let example: Value = serde_json::from_str(&std::fs::read_to_string(case.file).unwrap()).unwrap();
        let responses = example["responses"].as_object().cloned().unwrap_or_default();
        let success = ["200", "201", "202", "204"].iter().find_map(|c| responses.get(*c));
        let body = success.and_then(|r| r.get("body")).cloned();
        {
            let mut ex = exchange.lock().unwrap();
            ex.reply = body.as_ref().map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
            ex.seen = None;
        }
        let answer = (case.run)(base.clone()).await;
        let seen = exchange.lock().unwrap().seen.take();
        let problem = match (answer, seen) {
            (Err(e), _) => Some(format!("the client failed: {e}")),
            (_, None) => Some("no request arrived".to_string()),
            (Ok(answer), Some(seen)) => check_request(case, &example["parameters"], &seen).or_else(|| {
                match body {
                    Some(want) if !answer.is_null() => difference(case.file, "", &normalise(&want), &normalise(&answer))
                        .map(|d| format!("response body: {d}")),
                    _ => None,
                }
            }),
        };
        match problem {
            None => println!("ok   {}", case.file),
            Some(p) => {
                failures += 1;
                println!("FAIL {}: {p}", case.file);
            }
        }
    }
    // @EXTRA
    println!("{} examples, {failures} failed", CASES.len());
    if failures > 0 {
        std::process::exit(1);
    }
}
