//! The HTTP client behind every generated operation: authentication,
//! retries, conditional requests and decoding live here once, so generated
//! methods only describe paths, parameters and result types.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::TryStreamExt;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{self, Error};
use super::etag::ETag;
use super::response::{ByteStream, Conditional, NotModified, Response, decode_json};
use super::retry::{RetryPolicy, retry_after_from_headers};
use super::service::{Auth, Service};

/// Default connect timeout: bounds a dead network without limiting slow
/// downloads (synchronous CSV reports can take an hour).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// RFC 3986 unreserved characters stay literal; everything else is escaped.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An EA API access key. Never printed: `Debug` shows `ApiKey(***)` and
/// `Display` shows `***`, so keys do not leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// The secret itself, for building the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        ApiKey(key.to_owned())
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        ApiKey(key)
    }
}

/// One request as a generated operation describes it; the client adds the
/// base URL, authentication and standard headers.
#[derive(Clone, Debug)]
pub struct ApiRequest {
    /// HTTP method.
    pub method: Method,
    /// Percent-encoded path starting with `/`, relative to the base URL.
    pub path: String,
    /// Query parameters (unencoded), in order.
    pub query: Vec<(&'static str, String)>,
    /// The Swagger `operationId`, for diagnostics.
    pub operation_id: &'static str,
    /// The `Accept` header value.
    pub accept: &'static str,
    /// Header parameters of the operation (unvalidated), in order.
    pub headers: Vec<(&'static str, String)>,
    /// Sent without the API key, and its URL kept out of errors: for a link to another origin
    /// that carries its own credentials (a storage URL with a signature in its query).
    pub anonymous: bool,
    /// The request body and its `Content-Type`, if any; an `Err` when the value could not be
    /// written (reported as an invalid argument when the request is sent).
    pub body: Option<Result<(&'static str, Bytes), String>>,
    /// Told of every 429 answer before it is retried (or returned), with the wait it asked for:
    /// how a caller that runs requests side by side learns to run fewer.
    pub on_throttle: Option<ThrottleHook>,
}

/// A callback for [`ApiRequest::on_throttle`].
#[derive(Clone)]
pub struct ThrottleHook(pub std::sync::Arc<dyn Fn(Option<Duration>) + Send + Sync>);

impl fmt::Debug for ThrottleHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ThrottleHook")
    }
}

impl ApiRequest {
    /// A request with any method, accepting JSON.
    pub fn new(method: Method, operation_id: &'static str, path: String) -> Self {
        ApiRequest {
            method,
            path,
            query: Vec::new(),
            operation_id,
            accept: "application/json",
            headers: Vec::new(),
            anonymous: false,
            body: None,
            on_throttle: None,
        }
    }

    /// A GET request; `path` must already be percent-encoded (see
    /// [`encode_path_segment`]) and start with `/`.
    pub fn get(operation_id: &'static str, path: String) -> Self {
        ApiRequest::new(Method::GET, operation_id, path)
    }

    /// A POST request without body (used by the asynchronous CSV submit).
    pub fn post(operation_id: &'static str, path: String) -> Self {
        ApiRequest::new(Method::POST, operation_id, path)
    }

    /// Appends a query parameter; the value is encoded by the client.
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// Appends a query parameter only when a value is given.
    pub fn query_opt(self, name: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds a header parameter. The client's own `Authorization`,
    /// `Accept`, `User-Agent` and `If-None-Match` cannot be overridden.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the `Accept` header (default `application/json`).
    pub fn accept(mut self, mime: &'static str) -> Self {
        self.accept = mime;
        self
    }

    /// Sets a JSON body, sent with `Content-Type: content_type` (`application/json`).
    pub fn json_body<T: serde::Serialize + ?Sized>(
        mut self,
        content_type: &'static str,
        body: &T,
    ) -> Self {
        self.body = Some(
            serde_json::to_vec(body)
                .map(|bytes| (content_type, Bytes::from(bytes)))
                .map_err(|e| e.to_string()),
        );
        self
    }

    /// The body's bytes, if it has one (as sent).
    pub fn body_bytes(&self) -> Option<&[u8]> {
        match &self.body {
            Some(Ok((_, bytes))) => Some(bytes),
            _ => None,
        }
    }

    /// Sends it without the API key and keeps its URL out of transport errors (see
    /// [`ApiRequest::anonymous`](ApiRequest#structfield.anonymous)).
    pub fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }
}

/// Percent-encodes a path parameter, leaving only RFC 3986 unreserved
/// characters literal, so a value can never add path segments or a query.
pub fn encode_path_segment(s: &str) -> String {
    utf8_percent_encode(s, PATH_SEGMENT).to_string()
}

/// Percent-encodes a path parameter declared `x-ms-skip-url-encoding` (an ARM scope such as
/// `subscriptions/1/resourceGroups/g`): like [`encode_path_segment`] but `/` stays, so the
/// value may span segments. Dot segments and empty segments are still refused when the
/// request is sent, so such a value cannot climb out of its route.
pub fn encode_path_value(s: &str) -> String {
    s.split('/')
        .map(encode_path_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Configures a [`Client`]; obtained from [`Client::builder`]. `C` is what [`ClientBuilder::build`]
/// returns: this crate's [`Client`], or a generated crate's client around it.
pub struct ClientBuilder<C = Client> {
    client: PhantomData<fn() -> C>,
    service: &'static Service,
    base_url: Option<String>,
    api_key: Option<ApiKey>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    retry_policy: RetryPolicy,
    user_agent: String,
    http_client: Option<reqwest::Client>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry_policy", &self.retry_policy)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client)
            .finish()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder for `service` with its defaults (base URL, user agent) and the default timeouts
    /// and retry policy.
    pub fn new(service: &'static Service) -> Self {
        ClientBuilder {
            client: PhantomData,
            service,
            base_url: service.base_url.map(str::to_owned),
            api_key: None,
            timeout: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry_policy: RetryPolicy::default(),
            user_agent: service.user_agent.to_owned(),
            http_client: None,
        }
    }

    /// Serve from another root, e.g. a mock server; a path prefix is kept.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// The key, sent as the service's auth header says (`Authorization: bearer <key>`, say);
    /// required when the service declares authentication.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Limit for each attempt, from sending until the body is fully read
    /// (for streamed downloads that includes reading the stream). Default:
    /// none.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limit for establishing a connection. Default: 30 s. Ignored with
    /// [`ClientBuilder::http_client`], as reqwest sets it per client only.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How failed requests are retried. Default: [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The `User-Agent` header. Default: the generated crate's `<name>/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use this reqwest client (proxies, custom TLS roots, shared pool)
    /// instead of building one. `timeout` and `user_agent` are then applied
    /// per request; `connect_timeout` cannot be and is ignored.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Validates the settings and builds the client.
    ///
    /// Fails with [`Error::InvalidArgument`] when the key is missing, empty
    /// or not header-safe, when the base URL is not an absolute http(s) URL
    /// without credentials, query or fragment, or when the user agent is not
    /// header-safe; with [`Error::Transport`] if reqwest cannot build.
    pub fn build(self) -> Result<C, Error> {
        let auth = match (self.service.auth, &self.api_key) {
            (None, _) => None,
            (Some(_), None) => return Err(invalid("api_key", "an API key is required")),
            (Some(auth), Some(key)) => {
                Some(auth_header(auth, key).map_err(|reason| invalid("api_key", reason))?)
            }
        };
        let base_url = match &self.base_url {
            Some(url) => parse_base_url(url)?,
            None => {
                return Err(invalid(
                    "base_url",
                    "the spec names no server, so the base URL must be given",
                ));
            }
        };
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            invalid(
                "user_agent",
                "contains characters not allowed in an HTTP header",
            )
        })?;
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .user_agent(user_agent.clone())
                .connect_timeout(self.connect_timeout)
                .build()?,
        };
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth: Ok(auth),
                retry_after_headers: self.service.retry_after_headers,
                user_agent,
                timeout: self.timeout,
                retry_policy: self.retry_policy,
            }),
        }))
    }
}

/// The HTTP core of a generated client: sends requests, retries, decodes, pages. Cheap to clone
/// (shared connection pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    /// The auth header, if the service has one. `Err` holds why the key given to
    /// [`Client::new`] is unusable; it is reported by every request instead of panicking in the
    /// constructor.
    auth: Result<Option<(HeaderName, HeaderValue)>, &'static str>,
    /// The service's throttle headers, for retry hints.
    retry_after_headers: &'static [&'static str],
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    retry_policy: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("api_key", &"***")
            .field("user_agent", &self.inner.user_agent)
            .field("timeout", &self.inner.timeout)
            .field("retry_policy", &self.inner.retry_policy)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `service` with its defaults.
    ///
    /// An empty or non-header-safe key does not panic here; every request
    /// then fails with [`Error::InvalidArgument`] (use [`Client::builder`] to
    /// reject it up front).
    ///
    /// # Panics
    /// Only if the TLS backend cannot be initialised, like
    /// `reqwest::Client::new`, or if the service has no default base URL or its defaults are
    /// unusable: a generated crate offers `Client::new` only when its spec names a server.
    pub fn new(service: &'static Service, api_key: impl Into<ApiKey>) -> Client {
        let key = api_key.into();
        let user_agent = HeaderValue::from_str(service.user_agent)
            .expect("the service's user agent is header-safe");
        let http = reqwest::Client::builder()
            .user_agent(user_agent.clone())
            .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
            .build()
            .expect("TLS backend cannot be initialised");
        Client {
            inner: Arc::new(Inner {
                http,
                base_url: Url::parse(service.base_url.expect("the service names a base URL"))
                    .expect("the service's base URL is valid"),
                auth: match service.auth {
                    Some(auth) => auth_header(auth, &key).map(Some),
                    None => Ok(None),
                },
                retry_after_headers: service.retry_after_headers,
                user_agent,
                timeout: None,
                retry_policy: RetryPolicy::default(),
            }),
        }
    }

    /// Starts configuring a client for `service` (base URL, timeouts, retries, ...).
    pub fn builder(service: &'static Service) -> ClientBuilder<Client> {
        ClientBuilder::new(service)
    }

    /// The root every request path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// How failed requests are retried.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry_policy
    }

    /// The service's own headers that say how long to wait (besides `Retry-After`).
    pub fn retry_after_headers(&self) -> &'static [&'static str] {
        self.inner.retry_after_headers
    }

    /// Plumbing for generated methods: sends `req` and decodes a JSON body.
    pub async fn execute_json<T: DeserializeOwned>(
        &self,
        req: ApiRequest,
    ) -> Result<Response<T>, Error> {
        let url = self.url_for(&req)?;
        let page = self.fetch_bytes(&req, &url).await?;
        decode_response(page)
    }

    /// Plumbing for generated methods: sends `req` with `If-None-Match`;
    /// a 304 becomes [`Conditional::NotModified`].
    pub async fn execute_json_if_none_match<T: DeserializeOwned>(
        &self,
        req: ApiRequest,
        etag: &ETag,
    ) -> Result<Conditional<T>, Error> {
        let url = self.url_for(&req)?;
        match self.send(&req, &url, Some(etag), Finish::Buffer).await? {
            Outcome::NotModified(not_modified) => Ok(Conditional::NotModified(not_modified)),
            Outcome::Buffered(page) => decode_response(page).map(Conditional::Modified),
            Outcome::Streaming(resp) => {
                decode_response(read_body(resp).await?).map(Conditional::Modified)
            }
        }
    }

    /// Plumbing for generated methods: sends `req` and streams the body
    /// (CSV downloads) without buffering it.
    pub async fn execute_bytes(&self, req: ApiRequest) -> Result<Response<ByteStream>, Error> {
        let url = self.url_for(&req)?;
        self.stream_from(&req, &url).await
    }

    /// Sends `req` to `url` (already resolved, maybe on another origin) with retries and
    /// streams the (successful) body.
    pub(crate) async fn stream_from(
        &self,
        req: &ApiRequest,
        url: &Url,
    ) -> Result<Response<ByteStream>, Error> {
        match self.send(req, url, None, Finish::Stream).await? {
            Outcome::Streaming(resp) => Ok(stream_body(resp, req.anonymous)),
            Outcome::Buffered(page) => Ok(page.map(ByteStream::from_bytes)),
            Outcome::NotModified(_) => unreachable!("no If-None-Match was sent"),
        }
    }

    /// Plumbing for generated methods: streamed body with `If-None-Match`.
    pub async fn execute_bytes_if_none_match(
        &self,
        req: ApiRequest,
        etag: &ETag,
    ) -> Result<Conditional<ByteStream>, Error> {
        let url = self.url_for(&req)?;
        match self.send(&req, &url, Some(etag), Finish::Stream).await? {
            Outcome::NotModified(not_modified) => Ok(Conditional::NotModified(not_modified)),
            Outcome::Streaming(resp) => Ok(Conditional::Modified(stream_body(resp, req.anonymous))),
            Outcome::Buffered(page) => Ok(Conditional::Modified(page.map(ByteStream::from_bytes))),
        }
    }

    /// Resolves a request against the base URL (prefix path kept).
    pub fn url_for(&self, req: &ApiRequest) -> Result<Url, Error> {
        check_path(&req.path)?;
        let mut url = self.inner.base_url.clone();
        let path = format!("{}{}", url.path().trim_end_matches('/'), req.path);
        url.set_path(&path);
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// Sends `req` to `url` (already resolved) with retries and reads the
    /// whole (successful) body.
    pub(crate) async fn fetch_bytes(
        &self,
        req: &ApiRequest,
        url: &Url,
    ) -> Result<Response<Bytes>, Error> {
        match self.send(req, url, None, Finish::Buffer).await? {
            Outcome::Buffered(page) => Ok(page),
            Outcome::Streaming(resp) => read_body(resp).await,
            Outcome::NotModified(_) => unreachable!("no If-None-Match was sent"),
        }
    }

    /// Like [`Client::fetch_bytes`] with `If-None-Match`: the whole body, or
    /// the 304 when the data has not changed.
    pub(crate) async fn fetch_bytes_if_none_match(
        &self,
        req: &ApiRequest,
        url: &Url,
        etag: &ETag,
    ) -> Result<Result<Response<Bytes>, NotModified>, Error> {
        match self.send(req, url, Some(etag), Finish::Buffer).await? {
            Outcome::NotModified(not_modified) => Ok(Err(not_modified)),
            Outcome::Buffered(page) => Ok(Ok(page)),
            Outcome::Streaming(resp) => read_body(resp).await.map(Ok),
        }
    }

    /// Sends one logical request, retrying per the policy, and returns a
    /// 2xx response (or 304 when `if_none_match` was given). Error bodies
    /// are read here so they can be reported. With [`Finish::Buffer`] the
    /// body is read inside the retry loop, so a GET whose connection drops
    /// mid-body is retried like one that failed to connect.
    async fn send(
        &self,
        req: &ApiRequest,
        url: &Url,
        if_none_match: Option<&ETag>,
        finish: Finish,
    ) -> Result<Outcome, Error> {
        let inner = &*self.inner;
        let headers = self.headers_for(req, if_none_match)?;
        // Only idempotent requests are retried (RFC 9110 §9.2.2): repeating a POST or PATCH
        // could act twice, repeating a PUT or DELETE leaves the same state.
        let idempotent = matches!(
            req.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        );
        let body = match &req.body {
            Some(Ok(body)) => Some(body.clone()),
            Some(Err(reason)) => return Err(invalid("body", reason.clone())),
            None => None,
        };
        let mut retry = 0;
        loop {
            let mut body_failed = false;
            let mut request = inner
                .http
                .request(req.method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(timeout) = inner.timeout {
                request = request.timeout(timeout);
            }
            if let Some((content_type, bytes)) = &body {
                request = request
                    .header(header::CONTENT_TYPE, *content_type)
                    .body(bytes.clone());
            }
            let error = match request.send().await {
                Ok(mut resp) => {
                    let status = resp.status();
                    if status == StatusCode::NOT_MODIFIED && if_none_match.is_some() {
                        return Ok(Outcome::NotModified(not_modified(&mut resp)));
                    }
                    if status.is_success() {
                        match finish {
                            Finish::Stream => return Ok(Outcome::Streaming(resp)),
                            Finish::Buffer => match read_body(resp).await {
                                Ok(page) => return Ok(Outcome::Buffered(page)),
                                Err(error) => {
                                    body_failed = true;
                                    error
                                }
                            },
                        }
                    } else {
                        let headers = resp.headers().clone();
                        // A failed read of an error body still leaves the status.
                        let body = resp.bytes().await.unwrap_or_default();
                        error::from_response(status, headers, body, inner.retry_after_headers)
                    }
                }
                Err(e) => transport(e, req.anonymous),
            };
            if let (Error::TooManyRequests { retry_after, .. }, Some(hook)) =
                (&error, &req.on_throttle)
            {
                (hook.0)(*retry_after);
            }
            if !idempotent || !(body_failed || error.is_retryable()) {
                return Err(error);
            }
            let hint = error.retry_after().or_else(|| {
                error.api_error().and_then(|e| {
                    retry_after_from_headers(
                        &e.headers,
                        inner.retry_after_headers,
                        SystemTime::now(),
                    )
                })
            });
            match inner.retry_policy.delay(retry, hint, fastrand::f64()) {
                Some(delay) => {
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
                None => return Err(error),
            }
        }
    }
}

impl Client {
    /// The headers of every attempt: header parameters first, then the
    /// client's own, which therefore always win.
    fn headers_for(
        &self,
        req: &ApiRequest,
        if_none_match: Option<&ETag>,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        for (name, value) in &req.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(name, "not a valid header name"))?;
            let header_value = HeaderValue::from_str(value)
                .map_err(|_| invalid(name, "contains characters not allowed in an HTTP header"))?;
            headers.append(header_name, header_value);
        }
        if req.anonymous {
            // A header parameter of that name must not smuggle a key in either.
            if let Ok(Some((name, _))) = &self.inner.auth {
                headers.remove(name);
            }
        } else {
            let auth = self
                .inner
                .auth
                .clone()
                .map_err(|reason| invalid("api_key", reason))?;
            if let Some((name, value)) = auth {
                headers.insert(name, value);
            }
        }
        let accept = HeaderValue::from_str(req.accept)
            .map_err(|_| invalid("accept", "not a valid header value"))?;
        headers.insert(header::ACCEPT, accept);
        headers.insert(header::USER_AGENT, self.inner.user_agent.clone());
        match if_none_match {
            Some(tag) => headers.insert(header::IF_NONE_MATCH, tag.to_header_value()),
            None => headers.remove(header::IF_NONE_MATCH),
        };
        Ok(headers)
    }
}

fn invalid(name: &str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// The auth header `auth` describes, `<scheme> <key>` or the key alone, marked sensitive so it
/// is never logged by the stack.
fn auth_header(auth: Auth, key: &ApiKey) -> Result<(HeaderName, HeaderValue), &'static str> {
    let name = HeaderName::from_bytes(auth.header.as_bytes())
        .map_err(|_| "the service's auth header is not a valid header name")?;
    let key = key.expose().trim();
    if key.is_empty() {
        return Err("the API key is empty");
    }
    let value = match auth.scheme {
        Some(scheme) => format!("{scheme} {key}"),
        None => key.to_owned(),
    };
    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| "the API key contains characters not allowed in an HTTP header")?;
    value.set_sensitive(true);
    Ok((name, value))
}

fn parse_base_url(raw: &str) -> Result<Url, Error> {
    let url = Url::parse(raw)
        .map_err(|e| invalid("base_url", format!("{raw:?} is not an absolute URL: {e}")))?;
    let reason = if !matches!(url.scheme(), "http" | "https") {
        "must use http or https"
    } else if !url.username().is_empty() || url.password().is_some() {
        "must not contain credentials"
    } else if url.query().is_some() || url.fragment().is_some() {
        "must not have a query or fragment"
    } else {
        return Ok(url);
    };
    Err(invalid("base_url", format!("{raw:?} {reason}")))
}

/// Rejects paths the URL parser would rewrite: empty segments (an empty
/// path parameter) and dot segments, which would climb out of the route.
fn check_path(path: &str) -> Result<(), Error> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(invalid("path", format!("{path:?} must start with '/'")));
    };
    for segment in rest.split('/') {
        let dots = segment.to_ascii_lowercase().replace("%2e", ".");
        if segment.is_empty() || dots == "." || dots == ".." {
            return Err(invalid(
                "path",
                format!(
                    "{path:?} has an empty or dot segment (is a path parameter empty or \"..\"?)"
                ),
            ));
        }
    }
    Ok(())
}

/// How [`Client::send`] hands back a successful response.
#[derive(Debug, Clone, Copy)]
enum Finish {
    /// As a live response, for streaming downloads.
    Stream,
    /// Read whole, inside the retry loop.
    Buffer,
}

/// What [`Client::send`] got.
#[derive(Debug)]
enum Outcome {
    Streaming(reqwest::Response),
    Buffered(Response<Bytes>),
    NotModified(NotModified),
}

async fn read_body(mut resp: reqwest::Response) -> Result<Response<Bytes>, Error> {
    let status = resp.status();
    let headers = std::mem::take(resp.headers_mut());
    let body = resp.bytes().await?;
    Ok(Response::new(status, headers, body))
}

pub(crate) fn decode_response<T: DeserializeOwned>(
    resp: Response<Bytes>,
) -> Result<Response<T>, Error> {
    let (status, headers, body) = resp.into_parts();
    let value = decode_json(status, &body)?;
    Ok(Response::new(status, headers, value))
}

fn stream_body(mut resp: reqwest::Response, anonymous: bool) -> Response<ByteStream> {
    let status = resp.status();
    let headers = std::mem::take(resp.headers_mut());
    let body = ByteStream::new(
        resp.bytes_stream()
            .map_err(move |e| transport(e, anonymous)),
    );
    Response::new(status, headers, body)
}

/// A transport error; for an anonymous request without its URL, whose query may be a credential.
fn transport(e: reqwest::Error, anonymous: bool) -> Error {
    Error::Transport(if anonymous { e.without_url() } else { e })
}

fn not_modified(resp: &mut reqwest::Response) -> NotModified {
    let headers = std::mem::take(resp.headers_mut());
    NotModified {
        status: resp.status(),
        etag: ETag::from_headers(&headers),
        headers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::{Reply, serve};
    use crate::test_server::{SERVICE, THROTTLE};

    #[tokio::test]
    async fn a_get_whose_body_is_cut_off_is_retried() {
        let server = serve(|r| {
            let reply = Reply::json(200, r#"{"id":"x","endingBalance":1.5}"#);
            if r.index == 0 {
                reply.truncated()
            } else {
                reply
            }
        })
        .await;
        let client = client_for(&server.base, fast_retries(2));
        let resp = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/a".into()))
            .await
            .unwrap();
        assert_eq!(resp.body()["endingBalance"], 1.5);
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn a_post_is_never_retried() {
        let server = serve(|_| Reply::json(503, "{}").header("Retry-After", "0")).await;
        let client = client_for(&server.base, fast_retries(3));
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::post("op", "/a".into()))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_put_sends_its_json_body_and_is_retried() {
        let server = serve(|r| match r.index {
            0 => Reply::json(503, "{}").header("Retry-After", "0"),
            _ => Reply::json(200, r#"{"ok":true}"#),
        })
        .await;
        let client = client_for(&server.base, fast_retries(3));
        let body = serde_json::json!({"name": "b", "amount": 1.5});
        let request =
            ApiRequest::new(Method::PUT, "op", "/a".into()).json_body("application/json", &body);
        // Key order depends on serde_json's features in the build: compare values.
        let sent = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
        assert_eq!(sent(request.body_bytes().unwrap()), body);
        let resp = client
            .execute_json::<serde_json::Value>(request)
            .await
            .unwrap();
        assert_eq!(resp.body()["ok"], true);
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "PUT is idempotent: retried");
        for r in &requests {
            assert_eq!(r.method, "PUT");
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(sent(&r.body), body);
        }
    }

    #[tokio::test]
    async fn a_patch_with_a_body_is_never_retried_and_delete_is() {
        let server = serve(|_| Reply::json(503, "{}").header("Retry-After", "0")).await;
        let client = client_for(&server.base, fast_retries(2));
        let request = ApiRequest::new(Method::PATCH, "op", "/a".into())
            .json_body("application/json", &serde_json::json!({"a": 1}));
        let err = client
            .execute_json::<serde_json::Value>(request)
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(server.requests().len(), 1);
        let _ = client
            .execute_bytes(ApiRequest::new(Method::DELETE, "op", "/a".into()))
            .await
            .unwrap_err();
        assert_eq!(
            server.requests().len(),
            4,
            "DELETE: one try and two retries"
        );
    }

    #[test]
    fn unencoded_path_values_keep_slashes_and_are_still_checked() {
        assert_eq!(
            encode_path_value("subscriptions/1 2/resourceGroups/g?x"),
            "subscriptions/1%202/resourceGroups/g%3Fx"
        );
        let client = client_for("http://127.0.0.1:1", RetryPolicy::none());
        let ok = ApiRequest::get(
            "op",
            format!("/{}/providers/x", encode_path_value("subscriptions/1")),
        );
        assert_eq!(
            client.url_for(&ok).unwrap().as_str(),
            "http://127.0.0.1:1/subscriptions/1/providers/x"
        );
        for bad in ["subscriptions/../../admin", "a//b", "/a", "a/./b", ".."] {
            let req = ApiRequest::get("op", format!("/{}/providers/x", encode_path_value(bad)));
            assert!(client.url_for(&req).is_err(), "{bad}");
        }
    }

    fn fast_retries(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            initial_backoff: Duration::ZERO,
            ..RetryPolicy::default()
        }
    }

    fn client_for(base: &str, policy: RetryPolicy) -> Client {
        Client::builder(&SERVICE)
            .base_url(base)
            .api_key("secret-key")
            .retry_policy(policy)
            .build()
            .unwrap()
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Balance {
        id: String,
        #[serde(rename = "endingBalance")]
        ending_balance: f64,
    }

    #[test]
    fn api_key_is_redacted() {
        let key = ApiKey::from("hunter2");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
        assert_eq!(key.to_string(), "***");
        assert_eq!(ApiKey::from(String::from("hunter2")).expose(), "hunter2");
        let builder = Client::builder(&SERVICE).api_key("hunter2");
        assert!(!format!("{builder:?}").contains("hunter2"));
        let client = builder.build().unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("api.example.test"), "{debug}");
        let (name, value) = client.inner.auth.as_ref().unwrap().as_ref().unwrap();
        assert_eq!(name, "authorization");
        assert!(value.is_sensitive());
    }

    #[test]
    fn encode_path_segment_table() {
        let cases = [
            ("100", "100"),
            ("201801", "201801"),
            ("a-b.c_d~e", "a-b.c_d~e"),
            ("a b", "a%20b"),
            ("../x", "..%2Fx"),
            ("a?b#c&d", "a%3Fb%23c%26d"),
            ("é", "%C3%A9"),
            ("50%", "50%25"),
        ];
        for (input, expected) in cases {
            assert_eq!(encode_path_segment(input), expected, "{input}");
        }
    }

    #[test]
    fn builder_validation_table() {
        let cases: Vec<(ClientBuilder, &str)> = vec![
            (Client::builder(&SERVICE), "api_key"),
            (Client::builder(&SERVICE).api_key("  "), "api_key"),
            (Client::builder(&SERVICE).api_key("a\nb"), "api_key"),
            (
                Client::builder(&SERVICE).api_key("k").base_url("not a url"),
                "base_url",
            ),
            (
                Client::builder(&SERVICE)
                    .api_key("k")
                    .base_url("ftp://example.com"),
                "base_url",
            ),
            (
                Client::builder(&SERVICE)
                    .api_key("k")
                    .base_url("https://u:p@example.com"),
                "base_url",
            ),
            (
                Client::builder(&SERVICE)
                    .api_key("k")
                    .base_url("https://example.com/?a=1"),
                "base_url",
            ),
            (
                Client::builder(&SERVICE)
                    .api_key("k")
                    .user_agent("bad\u{7f}"),
                "user_agent",
            ),
        ];
        for (builder, expected) in cases {
            match builder.build() {
                Err(Error::InvalidArgument { name, .. }) => assert_eq!(name, expected),
                other => panic!("expected invalid {expected}, got {other:?}"),
            }
        }
        let client = Client::builder(&SERVICE)
            .api_key("k")
            .base_url("http://127.0.0.1:9/mock/")
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/mock/");
        assert_eq!(client.retry_policy(), &RetryPolicy::none());
        assert_eq!(
            Client::new(&SERVICE, "k").base_url().as_str(),
            "https://api.example.test/"
        );
    }

    #[test]
    fn url_building() {
        let client = client_for("http://127.0.0.1:9/prefix/", RetryPolicy::none());
        let req = ApiRequest::get(
            "op",
            format!(
                "/v3/enrollments/{}/usagedetails",
                encode_path_segment("1 0")
            ),
        )
        .query("startTime", "2017-01-01T00:00:00Z")
        .query_opt("endTime", None::<String>)
        .query_opt("note", Some("a b&c"));
        assert_eq!(
            client.url_for(&req).unwrap().as_str(),
            "http://127.0.0.1:9/prefix/v3/enrollments/1%200/usagedetails?startTime=2017-01-01T00%3A00%3A00Z&note=a+b%26c"
        );
        for bad in [
            "v3/x",
            "/v3//x",
            "/v3/../x",
            "/v3/%2e%2E/x",
            "/v3/./x",
            "/v3/x/",
        ] {
            let req = ApiRequest::get("op", bad.to_owned());
            assert!(
                matches!(client.url_for(&req), Err(Error::InvalidArgument { ref name, .. }) if name == "path"),
                "{bad}"
            );
        }
    }

    #[test]
    fn futures_and_streams_are_send() {
        fn is_send<T: Send + 'static>(_: &T) {}
        let client = Client::new(&SERVICE, "k");
        let etag = ETag::new_strong("x");
        let c = client.clone();
        is_send(&async move {
            c.execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
                .await
        });
        let c = client.clone();
        let tag = etag.clone();
        is_send(&async move {
            c.execute_json_if_none_match::<Balance>(ApiRequest::get("op", "/x".into()), &tag)
                .await
        });
        let c = client.clone();
        is_send(&async move { c.execute_bytes(ApiRequest::get("op", "/x".into())).await });
        let c = client.clone();
        is_send(&async move {
            c.execute_bytes_if_none_match(ApiRequest::get("op", "/x".into()), &etag)
                .await
        });
    }

    #[tokio::test]
    async fn sends_standard_headers_and_decodes() {
        let server = serve(|_| {
            Reply::json(
                200,
                r#"{"id":"enrollments/100/billingperiods/201507","endingBalance":1.1}"#,
            )
            .header("ETag", "\"v1\"")
        })
        .await;
        let client = client_for(&server.base, RetryPolicy::none());
        let req = ApiRequest::get("getBalance", "/v3/enrollments/100/balancesummary".into())
            .query("x", "1 2");
        let resp: Response<Balance> = client.execute_json(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.etag(), Some(ETag::new_strong("v1")));
        assert_eq!(resp.body().ending_balance, 1.1);
        assert_eq!(resp.into_body().id, "enrollments/100/billingperiods/201507");

        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/v3/enrollments/100/balancesummary?x=1+2");
        assert_eq!(r.header("authorization"), Some("bearer secret-key"));
        assert_eq!(r.header("accept"), Some("application/json"));
        let ua = SERVICE.user_agent;
        assert_eq!(r.header("user-agent"), Some(ua));
        assert_eq!(r.header("if-none-match"), None);
    }

    #[tokio::test]
    async fn header_parameters_are_sent_but_cannot_override_the_key() {
        let server = serve(|_| Reply::json(200, "{}")).await;
        let client = client_for(&server.base, RetryPolicy::none());
        let req = ApiRequest::get("op", "/x".into())
            .header("x-ms-client-request-id", "r-1")
            .header("Authorization", "bearer stolen")
            .header("If-None-Match", "\"forged\"");
        let _: Response<serde_json::Value> = client.execute_json(req).await.unwrap();
        let r = &server.requests()[0];
        assert_eq!(r.header("x-ms-client-request-id"), Some("r-1"));
        let auth: Vec<_> = r
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .collect();
        assert_eq!(auth.len(), 1);
        assert_eq!(auth[0].1, "bearer secret-key");
        assert_eq!(r.header("if-none-match"), None);

        for (name, value) in [("bad name", "v"), ("x-ok", "bad\nvalue")] {
            let req = ApiRequest::get("op", "/x".into()).header(name, value);
            let err = client
                .execute_json::<serde_json::Value>(req)
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument { name: ref n, .. } if n == name),
                "{err:?}"
            );
        }
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn custom_http_client_and_user_agent_are_used() {
        let server = serve(|_| Reply::json(200, "{}")).await;
        let mut defaults = http::HeaderMap::new();
        defaults.insert("x-pool", HeaderValue::from_static("shared"));
        let http = reqwest::Client::builder()
            .default_headers(defaults)
            .build()
            .unwrap();
        let client = Client::builder(&SERVICE)
            .base_url(&server.base)
            .api_key("k")
            .user_agent("my-tool/2")
            .http_client(http)
            .build()
            .unwrap();
        let _: Response<serde_json::Value> = client
            .execute_json(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap();
        let r = &server.requests()[0];
        assert_eq!(r.header("x-pool"), Some("shared"));
        assert_eq!(r.header("user-agent"), Some("my-tool/2"));
        assert_eq!(r.header("authorization"), Some("bearer k"));
    }

    #[test]
    fn without_a_default_base_url_the_builder_asks_for_one() {
        static NO_SERVER: Service = Service {
            base_url: None,
            ..SERVICE
        };
        let err = Client::builder(&NO_SERVER)
            .api_key("k")
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "base_url"),
            "{err:?}"
        );
        let client = Client::builder(&NO_SERVER)
            .api_key("k")
            .base_url("http://127.0.0.1:1/api")
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:1/api");
    }

    #[tokio::test]
    async fn retries_until_success() {
        let server = serve(|r| match r.index {
            0 => Reply::json(503, "{}").header("Retry-After", "0"),
            1 => Reply::json(429, "{}").header(THROTTLE, "0"),
            2 => Reply::json(502, "bad gateway"),
            _ => Reply::json(200, "[1,2,3]"),
        })
        .await;
        let client = client_for(&server.base, fast_retries(3));
        let resp: Response<Vec<u8>> = client
            .execute_json(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap();
        assert_eq!(resp.into_body(), [1, 2, 3]);
        assert_eq!(server.requests().len(), 4);
        assert!(
            server
                .requests()
                .iter()
                .all(|r| r.header("authorization") == Some("bearer secret-key"))
        );
    }

    #[tokio::test]
    async fn gives_up_after_max_retries_keeping_retry_after() {
        let server = serve(|_| {
            Reply::json(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
            )
            .header(THROTTLE, "0")
        })
        .await;
        let client = client_for(&server.base, fast_retries(2));
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::TooManyRequests { retry_after: Some(d), .. } if d == Duration::ZERO),
            "{err:?}"
        );
        assert_eq!(
            err.api_error().unwrap().message.as_deref(),
            Some("slow down")
        );
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn long_retry_after_is_reported_not_waited() {
        let server = serve(|_| Reply::json(429, "").header(THROTTLE, "600")).await;
        let client = client_for(&server.base, fast_retries(3));
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(600)));
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn server_errors_exhaust_retries() {
        let server = serve(|_| Reply::json(500, r#"{"Message":"An error has occurred."}"#)).await;
        let client = client_for(&server.base, fast_retries(2));
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ServerError(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "500 Internal Server Error: An error has occurred."
        );
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn client_errors_are_not_retried() {
        let server = serve(|r| match r.index {
            0 => Reply::json(
                401,
                r#"{"error":{"code":"Unauthorized","message":"Key expired"}}"#,
            ),
            _ => Reply::json(404, ""),
        })
        .await;
        let client = client_for(&server.base, fast_retries(3));
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "401 Unauthorized: Key expired (code Unauthorized)"
        );
        let err = client
            .execute_bytes(ApiRequest::get("op", "/x".into()).accept("text/csv"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn decode_failure_names_the_field() {
        let server = serve(|_| Reply::json(200, r#"{"id":"x","endingBalance":"lots"}"#)).await;
        let client = client_for(&server.base, RetryPolicy::none());
        let err = client
            .execute_json::<Balance>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.path, "endingBalance");
        assert!(d.snippet.contains("\"lots\""), "{}", d.snippet);
        assert_eq!(err.status(), Some(StatusCode::OK));
    }

    #[tokio::test]
    async fn conditional_json_requests() {
        let server = serve(|r| {
            if r.header("if-none-match") == Some("\"v1\"") {
                Reply::new(304).header("ETag", "\"v1\"")
            } else {
                Reply::json(200, r#"{"id":"a","endingBalance":2}"#).header("ETag", "\"v2\"")
            }
        })
        .await;
        let client = client_for(&server.base, RetryPolicy::none());
        let req = || ApiRequest::get("op", "/x".into());
        let unchanged = client
            .execute_json_if_none_match::<Balance>(req(), &ETag::new_strong("v1"))
            .await
            .unwrap();
        let Conditional::NotModified(nm) = unchanged else {
            panic!("{unchanged:?}")
        };
        assert_eq!(nm.status, StatusCode::NOT_MODIFIED);
        assert_eq!(nm.etag, Some(ETag::new_strong("v1")));

        let changed = client
            .execute_json_if_none_match::<Balance>(req(), &ETag::parse("W/\"v0\"").unwrap())
            .await
            .unwrap();
        let resp = changed.modified().expect("modified");
        assert_eq!(resp.etag(), Some(ETag::new_strong("v2")));
        assert_eq!(resp.body().ending_balance, 2.0);

        let headers: Vec<_> = server
            .requests()
            .iter()
            .map(|r| r.header("if-none-match").map(str::to_owned))
            .collect();
        assert_eq!(
            headers,
            [Some("\"v1\"".to_owned()), Some("W/\"v0\"".to_owned())]
        );
    }

    #[tokio::test]
    async fn not_modified_without_if_none_match_is_unexpected() {
        let server = serve(|_| Reply::new(304)).await;
        let client = client_for(&server.base, RetryPolicy::none());
        let err = client
            .execute_json::<Balance>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::UnexpectedStatus(ref e) if e.status == StatusCode::NOT_MODIFIED),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn byte_downloads_stream_the_body() {
        let csv: String = (0..5000).map(|i| format!("{i},row,{}\n", i * 3)).collect();
        let body = csv.clone();
        let server = serve(move |r| {
            if r.header("if-none-match").is_some() {
                Reply::new(304)
            } else {
                Reply::new(200)
                    .header("Content-Type", "text/csv")
                    .body(body.clone().into_bytes())
            }
        })
        .await;
        let client = client_for(&server.base, RetryPolicy::none());
        let req = || {
            ApiRequest::get(
                "download",
                "/v3/enrollments/100/usagedetails/download".into(),
            )
            .accept("text/csv")
        };
        let resp = client.execute_bytes(req()).await.unwrap();
        assert_eq!(resp.headers()["content-type"], "text/csv");
        assert_eq!(
            resp.into_body().collect_bytes().await.unwrap(),
            csv.as_bytes()
        );
        assert_eq!(server.requests()[0].header("accept"), Some("text/csv"));

        let cond = client
            .execute_bytes_if_none_match(req(), &ETag::new_strong("x"))
            .await
            .unwrap();
        assert!(cond.is_not_modified());
    }

    #[tokio::test]
    async fn connection_refused_is_a_retryable_transport_error() {
        // Bound but never listening: connections are refused, and no other test can be given
        // the port while this one runs (a dropped listener's port can be handed out again).
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        let client = client_for(&format!("http://{addr}"), fast_retries(1));
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Transport(ref e) if e.is_connect()),
            "{err:?}"
        );
        assert!(err.is_retryable());
        assert!(std::error::Error::source(&err).is_some());
    }

    #[tokio::test]
    async fn timeouts_are_transport_errors() {
        let server = serve(|_| Reply::hang()).await;
        let client = Client::builder(&SERVICE)
            .base_url(&server.base)
            .api_key("k")
            .timeout(Duration::from_millis(100))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client
            .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Transport(ref e) if e.is_timeout()),
            "{err:?}"
        );
        assert!(err.is_retryable());
    }

    #[tokio::test]
    async fn unusable_key_from_new_fails_every_request_without_sending() {
        let server = serve(|_| Reply::json(200, "{}")).await;
        for key in ["", "line\nbreak"] {
            let client = Client::new(&SERVICE, key);
            // Point the default client at the loopback server by rebuilding
            // only the inner URL; the key handling is what is under test.
            let client = Client {
                inner: Arc::new(Inner {
                    base_url: Url::parse(&server.base).unwrap(),
                    http: client.inner.http.clone(),
                    auth: client.inner.auth.clone(),
                    retry_after_headers: client.inner.retry_after_headers,
                    user_agent: client.inner.user_agent.clone(),
                    timeout: None,
                    retry_policy: RetryPolicy::none(),
                }),
            };
            let err = client
                .execute_json::<serde_json::Value>(ApiRequest::get("op", "/x".into()))
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument { ref name, .. } if name == "api_key"),
                "{err:?}"
            );
        }
        assert!(server.requests().is_empty());
    }
}
