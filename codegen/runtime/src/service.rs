//! The facts of one API that the runtime needs, all of them read from its spec by the generator:
//! a generated crate passes its own [`Service`] to every client it builds, so nothing in this
//! crate names a host, a header or a field of any one service.

/// How the API key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auth {
    /// The header that carries it (`Authorization`, or an `apiKey` scheme's header name).
    pub header: &'static str,
    /// The word sent before the key (`bearer` for `Authorization: bearer <key>`), or none when
    /// the header holds the key alone.
    pub scheme: Option<&'static str>,
}

/// What a generated client tells the runtime about its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The default base URL: the spec's first server; `None` when the spec names none, so
    /// every client is given one ([`ClientBuilder::base_url`](super::client::ClientBuilder::base_url)).
    pub base_url: Option<&'static str>,
    /// The default `User-Agent`: the generated crate's name and version.
    pub user_agent: &'static str,
    /// How the API key is sent; `None` when the spec declares no authentication.
    pub auth: Option<Auth>,
    /// The headers the spec declares on its 429 and 503 answers that say how long to wait, in the
    /// order they are consulted. `Retry-After` is consulted after them when not among them.
    pub retry_after_headers: &'static [&'static str],
}
