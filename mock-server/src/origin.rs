//! The origin (`scheme://host[:port][/prefix]`) clients reach the server at, for
//! absolute `nextLink`s: the generated client follows a link only on its own origin,
//! so behind a proxy or in a container the link must name what the client used.
//!
//! Precedence: `--public-url`, then `X-Forwarded-Host` (+ `X-Forwarded-Proto`), then
//! the `Host` header, then the request target's authority, then `http://localhost`.

use http::uri::Authority;
use http::{HeaderMap, Uri};

const FORWARDED_HOST: &str = "x-forwarded-host";
const FORWARDED_PROTO: &str = "x-forwarded-proto";

/// The origin for links in the answer to a request with these `headers` and `uri`.
/// `public_url` must already be validated (see `Config::validate`).
pub fn request_origin(public_url: Option<&str>, headers: &HeaderMap, uri: &Uri) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_owned();
    }
    if let Some(host) = first_value(headers, FORWARDED_HOST).and_then(authority) {
        return format!("{}://{host}", forwarded_scheme(headers));
    }
    if let Some(host) = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(authority)
    {
        return format!("http://{host}");
    }
    match uri.authority() {
        Some(a) => format!("{}://{a}", uri.scheme_str().unwrap_or("http")),
        None => "http://localhost".to_owned(),
    }
}

/// Where a document served to this request should send its calls: the same precedence as
/// [`request_origin`], but strict, for the Swagger document (a tool would call whatever it
/// names): an `X-Forwarded-Host` or `Host` that is not a bare `host[:port]`, or no host at all,
/// is an error, never a document pointing elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOrigin {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`.
    pub authority: String,
    /// The path prefix of `--public-url` (`/ea`), or empty.
    pub base_path: String,
}

/// The [`DocumentOrigin`] of a request; `Err` says why the request names no usable host.
pub fn document_origin(
    public_url: Option<&str>,
    headers: &HeaderMap,
) -> Result<DocumentOrigin, String> {
    if let Some(url) = public_url {
        let uri: Uri = url
            .parse()
            .map_err(|_| format!("--public-url {url:?} is not a URL"))?;
        let authority = uri
            .authority()
            .ok_or_else(|| format!("--public-url {url:?} has no host"))?;
        return Ok(DocumentOrigin {
            scheme: uri.scheme_str().unwrap_or("http").to_owned(),
            authority: authority.as_str().to_owned(),
            base_path: uri.path().trim_end_matches('/').to_owned(),
        });
    }
    let (name, value, scheme) = match first_value(headers, FORWARDED_HOST) {
        Some(host) => ("X-Forwarded-Host", host, forwarded_scheme(headers)),
        None => {
            let host = headers
                .get(http::header::HOST)
                .ok_or("the request has no Host header")?;
            let host = host
                .to_str()
                .map_err(|_| "the Host header is not text".to_owned())?;
            ("Host", host, "http")
        }
    };
    let authority =
        authority(value).ok_or_else(|| format!("{name} {value:?} is not host[:port]"))?;
    Ok(DocumentOrigin {
        scheme: scheme.to_owned(),
        authority,
        base_path: String::new(),
    })
}

/// The scheme `X-Forwarded-Proto` names: `https` if it says so, else `http`.
fn forwarded_scheme(headers: &HeaderMap) -> &'static str {
    match first_value(headers, FORWARDED_PROTO) {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    }
}

/// First member of a possibly comma-separated header (proxies append to the list).
fn first_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?.to_str().ok()?;
    let first = value.split(',').next()?.trim();
    (!first.is_empty()).then_some(first)
}

/// `host[:port]` if the text is exactly that (no user info, path or junk), so a
/// forged header cannot smuggle anything else into a link.
fn authority(s: &str) -> Option<String> {
    let a: Authority = s.parse().ok()?;
    (!a.as_str().contains('@') && !a.host().is_empty()).then(|| a.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    fn origin(public: Option<&str>, pairs: &[(&'static str, &'static str)]) -> String {
        request_origin(public, &headers(pairs), &Uri::from_static("/v3/x"))
    }

    #[test]
    fn document_origins_are_strict() {
        let doc = |public: Option<&str>, pairs: &[(&'static str, &'static str)]| {
            document_origin(public, &headers(pairs))
        };
        assert_eq!(
            doc(None, &[("host", "127.0.0.1:8080")]),
            Ok(DocumentOrigin {
                scheme: "http".into(),
                authority: "127.0.0.1:8080".into(),
                base_path: String::new(),
            })
        );
        let forwarded = doc(
            None,
            &[
                ("host", "inner:1"),
                ("x-forwarded-host", "mock.example"),
                ("x-forwarded-proto", "https"),
            ],
        )
        .unwrap();
        assert_eq!(
            (forwarded.scheme.as_str(), forwarded.authority.as_str()),
            ("https", "mock.example")
        );
        let public = doc(Some("https://ci.example:8443/ea/"), &[("host", "x")]).unwrap();
        assert_eq!(
            (
                public.scheme.as_str(),
                public.authority.as_str(),
                public.base_path.as_str()
            ),
            ("https", "ci.example:8443", "/ea")
        );
        for bad in ["evil.example/path", "user@evil.example", "", "a b"] {
            let err = doc(None, &[("host", bad)]).unwrap_err();
            assert!(err.contains("Host"), "{bad}: {err}");
        }
        assert!(doc(None, &[("x-forwarded-host", "x/y"), ("host", "ok:1")]).is_err());
        assert!(doc(None, &[]).unwrap_err().contains("no Host"));
    }

    #[test]
    fn host_header() {
        assert_eq!(
            origin(None, &[("host", "127.0.0.1:8080")]),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin(None, &[("host", "[::1]:9")]), "http://[::1]:9");
    }

    #[test]
    fn forwarded_headers_win_over_host() {
        let h = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "mock.example:8443, inner:1"),
            ("x-forwarded-proto", "HTTPS"),
        ];
        assert_eq!(origin(None, &h), "https://mock.example:8443");
        let no_proto = [("x-forwarded-host", "mock.example")];
        assert_eq!(origin(None, &no_proto), "http://mock.example");
    }

    #[test]
    fn public_url_wins_over_everything() {
        let h = [("host", "a"), ("x-forwarded-host", "b")];
        assert_eq!(
            origin(Some("https://ci.example/mock/"), &h),
            "https://ci.example/mock"
        );
    }

    #[test]
    fn malformed_hosts_are_ignored() {
        let h = [
            ("x-forwarded-host", "evil.example/path?x"),
            ("host", "user@evil.example"),
        ];
        assert_eq!(origin(None, &h), "http://localhost");
        assert_eq!(
            origin(None, &[("x-forwarded-host", " ")]),
            "http://localhost"
        );
    }

    #[test]
    fn absolute_form_target_is_used_without_host() {
        let uri = Uri::from_static("http://10.0.0.1:81/v3/x");
        assert_eq!(
            request_origin(None, &HeaderMap::new(), &uri),
            "http://10.0.0.1:81"
        );
    }
}
