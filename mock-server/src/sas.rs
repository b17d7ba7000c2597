//! The links to report files, signed like Azure Storage shared-access signatures (SAS).
//!
//! The real service answered `blobPath` with a storage URL carrying a SAS query, valid for an
//! hour after `requestedOn`, fetched without the API key (wire-format.md, "CSV, asynchronous
//! report"). The mock writes the same shape, `…/usage-reports/<e>/<id>.csv?sv=…&sr=b&sp=r&st=…
//! &se=…&spr=http&sig=…`, so clients that parse or log such links meet what they will meet in
//! production, and checks it the way storage does: the signature covers the path and every
//! signed field, and the window is checked against the clock. Pure functions: the clock is a
//! parameter.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SubsecRound, Utc};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::report::ReportKeys;

/// `sv`: the storage service version the link is written for.
pub const SERVICE_VERSION: &str = "2018-03-28";
/// The container the report files are in.
pub const CONTAINER: &str = "usage-reports";
/// `sr`: the link names one blob.
const RESOURCE: &str = "b";
/// `sp`: read only.
const PERMISSIONS: &str = "r";
/// `spr`: the mock serves plain HTTP.
const PROTOCOL: &str = "http";
/// The query parameter holding the signature, which logs must never show.
pub const SIGNATURE_PARAM: &str = "sig";
/// The storage account in the canonical resource of the string to sign.
const ACCOUNT: &str = "eamock";

/// The path of a report's file on the blob listener: `/usage-reports/<enrollment>/<id>.csv`.
pub fn blob_path(enrollment: &str, id_text: &str) -> String {
    format!("/{CONTAINER}/{enrollment}/{id_text}.csv")
}

/// The enrollment and report id a blob path names, if it has the shape of [`blob_path`].
pub fn parse_blob_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?.strip_prefix(CONTAINER)?;
    let (enrollment, file) = rest.strip_prefix('/')?.split_once('/')?;
    let id = file.strip_suffix(".csv")?;
    let plain = |s: &str| !s.is_empty() && !s.contains('/');
    (plain(enrollment) && plain(id)).then_some((enrollment, id))
}

/// When a link is valid: from `requestedOn` (whole seconds, as `st` is written) for `ttl_secs`.
pub fn window(requested_on: DateTime<Utc>, ttl_secs: u64) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = requested_on.trunc_subsecs(0);
    let ttl = i64::try_from(ttl_secs)
        .ok()
        .and_then(chrono::Duration::try_seconds)
        .unwrap_or(chrono::Duration::MAX);
    (start, start.checked_add_signed(ttl).unwrap_or(start))
}

/// The whole link: `origin` + [`blob_path`] + the SAS query.
pub fn blob_url(
    origin: &str,
    path: &str,
    requested_on: DateTime<Utc>,
    ttl_secs: u64,
    keys: &ReportKeys,
) -> String {
    let (start, expiry) = window(requested_on, ttl_secs);
    let (st, se) = (sas_time(start), sas_time(expiry));
    let fields = Fields {
        sv: SERVICE_VERSION,
        sr: RESOURCE,
        sp: PERMISSIONS,
        st: &st,
        se: &se,
        spr: PROTOCOL,
    };
    let sig = STANDARD.encode(keys.sas_mac(string_to_sign(path, &fields).as_bytes()));
    format!(
        "{origin}{path}?sv={SERVICE_VERSION}&sr={RESOURCE}&sp={PERMISSIONS}&st={st}&se={se}\
         &spr={PROTOCOL}&{SIGNATURE_PARAM}={}",
        utf8_percent_encode(&sig, NON_ALPHANUMERIC)
    )
}

/// Why storage refuses a link: each is a 403 `AuthenticationFailed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SasError {
    /// No `sig`, or `st`/`se` missing or not a time.
    NotWellFormed,
    /// The signature is not the one of this path and these fields (tampered, or another key).
    Mismatch {
        /// What the signature was checked against, as storage reports it.
        string_to_sign: String,
    },
    /// `se` is not after `st`.
    ExpiryNotAfterStart {
        /// `st`.
        start: DateTime<Utc>,
        /// `se`.
        expiry: DateTime<Utc>,
    },
    /// `now` is outside `[st, se)`.
    OutsideWindow {
        /// `st`.
        start: DateTime<Utc>,
        /// `se`.
        expiry: DateTime<Utc>,
        /// The clock.
        now: DateTime<Utc>,
    },
}

impl SasError {
    /// The `AuthenticationErrorDetail` storage writes for it.
    pub fn detail(&self) -> String {
        match self {
            SasError::NotWellFormed => "Signature fields not well formed.".to_owned(),
            SasError::Mismatch { string_to_sign } => {
                format!("Signature did not match. String to sign used was {string_to_sign}")
            }
            SasError::ExpiryNotAfterStart { start, expiry } => format!(
                "Signed expiry time [{}] must be after signed start time [{}]",
                http_date(*expiry),
                http_date(*start)
            ),
            SasError::OutsideWindow { start, expiry, now } => format!(
                "Signature not valid in the specified time frame: Start [{}] - Expiry [{}] - \
                 Current [{}]",
                http_date(*start),
                http_date(*expiry),
                http_date(*now)
            ),
        }
    }
}

/// Checks the SAS query of a request for `path` at `now`.
pub fn verify(
    path: &str,
    query: Option<&str>,
    keys: &ReportKeys,
    now: DateTime<Utc>,
) -> Result<(), SasError> {
    let params = Params::parse(query.unwrap_or(""))?;
    let sig = params.get(SIGNATURE_PARAM).ok_or(SasError::NotWellFormed)?;
    let (st, se) = (
        params.get("st").ok_or(SasError::NotWellFormed)?,
        params.get("se").ok_or(SasError::NotWellFormed)?,
    );
    let time = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| SasError::NotWellFormed)
    };
    let (start, expiry) = (time(st)?, time(se)?);
    let field = |name| params.get(name).unwrap_or("");
    let fields = Fields {
        sv: field("sv"),
        sr: field("sr"),
        sp: field("sp"),
        st,
        se,
        spr: field("spr"),
    };
    let string_to_sign = string_to_sign(path, &fields);
    let matches = STANDARD
        .decode(sig)
        .is_ok_and(|tag| keys.verify_sas_mac(string_to_sign.as_bytes(), &tag));
    if !matches {
        return Err(SasError::Mismatch { string_to_sign });
    }
    if expiry <= start {
        return Err(SasError::ExpiryNotAfterStart { start, expiry });
    }
    if now < start || now >= expiry {
        return Err(SasError::OutsideWindow { start, expiry, now });
    }
    Ok(())
}

/// The signed fields of a link.
struct Fields<'a> {
    sv: &'a str,
    sr: &'a str,
    sp: &'a str,
    st: &'a str,
    se: &'a str,
    spr: &'a str,
}

/// Storage's string to sign for a blob SAS: permissions, start, expiry, the canonical
/// resource, identifier and IP (unused), protocol, version, resource, then the five
/// response-header overrides (unused).
fn string_to_sign(path: &str, f: &Fields<'_>) -> String {
    format!(
        "{}\n{}\n{}\n/blob/{ACCOUNT}{path}\n\n\n{}\n{}\n{}\n\n\n\n\n",
        f.sp, f.st, f.se, f.spr, f.sv, f.sr
    )
}

/// A query's parameters, percent-decoded (a `+` stays a `+`: storage clients encode it as `%2B`,
/// and a raw one is still meant as itself in base64). The first of a repeated name wins.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: &str) -> Result<Self, SasError> {
        let mut pairs = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_decode_str(s)
                    .decode_utf8()
                    .map(|v| v.into_owned())
                    .map_err(|_| SasError::NotWellFormed)
            };
            pairs.push((decode(name)?, decode(value)?));
        }
        Ok(Params(pairs))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `st`/`se` as storage writes them: RFC 3339 in whole seconds with `Z`.
fn sas_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An HTTP date (`Fri, 15 Jun 2018 10:00:00 GMT`), as storage writes times in messages and
/// `Last-Modified`.
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Replaces the value of every `sig` parameter of a query with `REDACTED`, for logs: the
/// signature is the secret part of a link (whoever has it can read the file).
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            if percent_decode_str(name)
                .decode_utf8_lossy()
                .eq_ignore_ascii_case(SIGNATURE_PARAM)
            {
                format!("{name}=REDACTED")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn keys() -> ReportKeys {
        ReportKeys::new(42, None)
    }

    fn requested_on() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 6, 15, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(250)
    }

    const PATH: &str = "/usage-reports/100/abc.csv";

    fn link(ttl: u64) -> (String, String) {
        let url = blob_url("http://127.0.0.1:10000", PATH, requested_on(), ttl, &keys());
        let (path, query) = url
            .strip_prefix("http://127.0.0.1:10000")
            .unwrap()
            .split_once('?')
            .unwrap();
        (path.to_owned(), query.to_owned())
    }

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 6, 15, 10, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    #[test]
    fn links_have_the_shape_of_a_storage_sas() {
        let (path, query) = link(3600);
        assert_eq!(path, PATH);
        let names: Vec<&str> = query
            .split('&')
            .map(|p| p.split_once('=').unwrap().0)
            .collect();
        assert_eq!(names, ["sv", "sr", "sp", "st", "se", "spr", "sig"]);
        assert!(
            query.starts_with(
                "sv=2018-03-28&sr=b&sp=r&st=2018-06-15T10:00:00Z&se=2018-06-15T11:00:00Z&spr=http&sig="
            ),
            "{query}"
        );
        let sig = query.rsplit_once("sig=").unwrap().1;
        assert!(
            sig.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'%'),
            "percent-encoded base64: {sig}"
        );
    }

    #[test]
    fn a_link_is_valid_in_its_window_only() {
        let (path, query) = link(3600);
        assert_eq!(verify(&path, Some(&query), &keys(), at(0)), Ok(()));
        assert_eq!(verify(&path, Some(&query), &keys(), at(3599)), Ok(()));
        let late = verify(&path, Some(&query), &keys(), at(3600)).unwrap_err();
        assert!(matches!(late, SasError::OutsideWindow { .. }));
        assert_eq!(
            late.detail(),
            "Signature not valid in the specified time frame: Start [Fri, 15 Jun 2018 10:00:00 \
             GMT] - Expiry [Fri, 15 Jun 2018 11:00:00 GMT] - Current [Fri, 15 Jun 2018 11:00:00 GMT]"
        );
        let early = verify(&path, Some(&query), &keys(), at(-1)).unwrap_err();
        assert!(matches!(early, SasError::OutsideWindow { .. }));
        let (path, query) = link(0);
        let none = verify(&path, Some(&query), &keys(), at(0)).unwrap_err();
        assert!(
            none.detail().starts_with("Signed expiry time ["),
            "{none:?}"
        );
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let (path, query) = link(3600);
        let mismatch = |path: &str, query: &str| {
            matches!(
                verify(path, Some(query), &keys(), at(1)),
                Err(SasError::Mismatch { .. })
            )
        };
        assert!(mismatch("/usage-reports/100/abd.csv", &query));
        assert!(mismatch(
            &path,
            &query.replace("se=2018-06-15T11", "se=2018-06-16T11")
        ));
        assert!(mismatch(&path, &query.replace("sp=r", "sp=rw")));
        assert!(mismatch(&path, &query.replace("sv=2018-03-28&", "")));
        let sig_at = query.find("sig=").unwrap() + 4;
        let mut flipped = query.clone();
        let c = if &query[sig_at..sig_at + 1] == "A" {
            "B"
        } else {
            "A"
        };
        flipped.replace_range(sig_at..sig_at + 1, c);
        assert!(mismatch(&path, &flipped));
        assert!(
            mismatch(&path, &format!("{}sig=%%%", &query[..sig_at - 4])),
            "not base64"
        );
        let other = ReportKeys::new(7, None);
        assert!(matches!(
            verify(&path, Some(&query), &other, at(1)),
            Err(SasError::Mismatch { .. })
        ));
        let detail = verify(&path, Some(&flipped), &keys(), at(1))
            .unwrap_err()
            .detail();
        assert!(
            detail.starts_with(
                "Signature did not match. String to sign used was r\n2018-06-15T10:00:00Z\n"
            ),
            "{detail}"
        );
    }

    #[test]
    fn missing_fields_are_not_well_formed() {
        let (path, query) = link(3600);
        let without_sig = query.split("&sig=").next().unwrap().to_owned();
        for q in [
            None,
            Some(""),
            Some(without_sig.as_str()),
            Some("sig=abc&se=2018-06-15T11:00:00Z"),
            Some("sig=abc&st=yesterday&se=2018-06-15T11:00:00Z"),
            Some("sig=%FF&st=2018-06-15T10:00:00Z&se=2018-06-15T11:00:00Z"),
        ] {
            assert_eq!(
                verify(&path, q, &keys(), at(1)),
                Err(SasError::NotWellFormed),
                "{q:?}"
            );
        }
    }

    #[test]
    fn blob_paths_round_trip() {
        assert_eq!(blob_path("100", "x_y-z"), "/usage-reports/100/x_y-z.csv");
        assert_eq!(
            parse_blob_path("/usage-reports/100/x_y-z.csv"),
            Some(("100", "x_y-z"))
        );
        for bad in [
            "/usage-reports/100/x.txt",
            "/usage-reports/100/.csv",
            "/usage-reports//x.csv",
            "/usage-reports/100/a/b.csv",
            "/other/100/x.csv",
            "/usage-reportsx/100/x.csv",
            "/",
        ] {
            assert_eq!(parse_blob_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn logs_never_see_the_signature() {
        assert_eq!(
            redact_query("sv=1&sig=abc%2B&se=2"),
            "sv=1&sig=REDACTED&se=2"
        );
        assert_eq!(redact_query("SIG=x&%73ig=y"), "SIG=REDACTED&%73ig=REDACTED");
        assert_eq!(redact_query("a=sig"), "a=sig");
    }
}
