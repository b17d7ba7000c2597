//! A tiny scripted HTTP/1.1 responder on loopback for the runtime's tests:
//! one request per connection, requests recorded before the reply is sent,
//! so a test can inspect them as soon as the client call returns.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    /// 0-based arrival order.
    pub index: usize,
    /// `http://127.0.0.1:<port>` of this server.
    pub base: String,
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The body, as much as `Content-Length` announced.
    pub body: Vec<u8>,
}

impl Recorded {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    hang: bool,
    truncate: bool,
}

impl Reply {
    pub fn new(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            hang: false,
            truncate: false,
        }
    }

    /// Promise more body than is sent, then close: a connection dropped mid-body.
    pub fn truncated(mut self) -> Self {
        self.truncate = true;
        self
    }

    pub fn json(status: u16, body: &str) -> Self {
        Reply::new(status)
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body.as_bytes().to_vec())
    }

    /// Never answer (keeps the connection open), to provoke timeouts.
    pub fn hang() -> Self {
        Reply {
            hang: true,
            ..Reply::new(200)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

pub(crate) struct TestServer {
    pub base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server on `127.0.0.1:0` answering with `handler`.
pub(crate) async fn serve(
    handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let requests = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let task = tokio::spawn({
        let requests = requests.clone();
        let base = base.clone();
        async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (requests, handler, base) = (requests.clone(), handler.clone(), base.clone());
                tokio::spawn(async move {
                    let Some((head, rest)) = read_head(&stream).await else {
                        return;
                    };
                    let mut recorded = parse_head(&head, 0, &base);
                    let length = recorded
                        .header("content-length")
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    let Some(body) = read_body(&stream, rest, length).await else {
                        return;
                    };
                    recorded.body = body;
                    let recorded = {
                        let mut log = requests.lock().unwrap();
                        recorded.index = log.len();
                        log.push(recorded.clone());
                        recorded
                    };
                    let reply = handler(&recorded);
                    if reply.hang {
                        std::future::pending::<()>().await;
                    }
                    write_all(&stream, &render(&reply)).await;
                });
            }
        }
    });
    TestServer {
        base,
        requests,
        task,
    }
}

/// The head up to the blank line, and the bytes read after it (the start of the body).
async fn read_head(stream: &TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return String::from_utf8(buf).ok().map(|head| (head, rest));
        }
        stream.readable().await.ok()?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
    }
}

async fn read_body(stream: &TcpStream, mut body: Vec<u8>, length: usize) -> Option<Vec<u8>> {
    let mut chunk = [0u8; 4096];
    while body.len() < length {
        stream.readable().await.ok()?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
    }
    body.truncate(length);
    Some(body)
}

fn parse_head(head: &str, index: usize, base: &str) -> Recorded {
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Recorded {
        index,
        base: base.to_owned(),
        method,
        target,
        headers,
        body: Vec::new(),
    }
}

fn render(reply: &Reply) -> Vec<u8> {
    let reason = http::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", reply.status);
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    let promised = reply.body.len() + if reply.truncate { 100 } else { 0 };
    out.push_str(&format!(
        "Content-Length: {promised}\r\nConnection: close\r\n\r\n"
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&reply.body);
    bytes
}

async fn write_all(stream: &TcpStream, mut data: &[u8]) {
    while !data.is_empty() {
        if stream.writable().await.is_err() {
            return;
        }
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        }
    }
}

/// The service the runtime's tests talk to: a made-up API with the shapes the runtime handles
/// (a bearer key in `Authorization`, a throttle header of its own).
pub(crate) static SERVICE: crate::Service = crate::Service {
    base_url: Some("https://api.example.test"),
    user_agent: "example-client/1.2.3",
    auth: Some(crate::Auth {
        header: "Authorization",
        scheme: Some("bearer"),
    }),
    retry_after_headers: &[THROTTLE, "Retry-After"],
};

/// The throttle header of [`SERVICE`].
pub(crate) const THROTTLE: &str = "x-ms-ratelimit-example-retry-after";
