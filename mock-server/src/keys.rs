//! API keys and what they may read.
//!
//! The real keys belonged to one enrollment and one view of it (the whole enterprise, a
//! department or an account; ../shared/ea-api/wire-format.md, "API keys"). The mock knows three
//! kinds of key:
//!
//! - `--api-key KEY` (and the default `ea-mock-key`): any served enrollment, the whole of it. The
//!   quick start, as before keys were bound.
//! - `--key KEY=ENROLLMENT[:department=ID|account=ID]` (also `--keys-file`, `EA_MOCK_KEYS`): one
//!   enrollment, and in it everything, one department or one account.
//! - minted keys (`--accept-minted-keys`): JWTs shaped like the service's, signed by the mock
//!   ([`mint`]); their claims decide the binding, so code that decodes its key can be tested too.
//!
//! Every key has a *name* (`key-1`, `key-2`, … in flag order; `minted:<Id claim>`), which is
//! what logs and the request journal show instead of the key.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{AuthError, KeyId, constant_time_eq};
use crate::stable_hash::StableHasher;

/// `iss` of the service's keys.
pub const ISSUER: &str = "ea.microsoftazure.com";
/// `aud` of the service's keys.
pub const AUDIENCE: &str = "client.ea.microsoftazure.com";
/// How long a minted key is valid: the documented six-month expiry, 183 days.
pub const VALIDITY_DAYS: i64 = 183;

/// What part of an enrollment a key sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum KeyScope {
    /// Everything (the service's `Enterprise` and `System` views).
    #[default]
    Enterprise,
    /// One department (its `departmentId`).
    Department(i32),
    /// One account (its `accountId`).
    Account(i32),
}

impl fmt::Display for KeyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyScope::Enterprise => f.write_str("enterprise"),
            KeyScope::Department(id) => write!(f, "department={id}"),
            KeyScope::Account(id) => write!(f, "account={id}"),
        }
    }
}

/// Which enrollment (or any) and which part of it a key reads.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KeyBinding {
    /// The one enrollment the key is for; `None`: any served enrollment (`--api-key`).
    pub enrollment: Option<String>,
    /// The part of the enrollment it sees.
    pub scope: KeyScope,
}

impl KeyBinding {
    /// Whether the key may read `enrollment` at all.
    pub fn allows(&self, enrollment: &str) -> bool {
        self.enrollment.as_deref().is_none_or(|e| e == enrollment)
    }
}

/// One `--key KEY=ENROLLMENT[:department=ID|account=ID]`. Its `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// The key as clients send it.
    pub key: String,
    /// The enrollment it belongs to.
    pub enrollment: String,
    /// The part of it the key sees.
    pub scope: KeyScope,
}

impl fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec")
            .field("key", &"[redacted]")
            .field("enrollment", &self.enrollment)
            .field("scope", &self.scope)
            .finish()
    }
}

impl FromStr for KeySpec {
    type Err = String;

    /// Parses `KEY=ENROLLMENT[:department=ID|account=ID]`. Errors never repeat the key.
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let Some((key, binding)) = text.split_once('=') else {
            return Err("expected KEY=ENROLLMENT[:department=ID|account=ID]".into());
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            return Err("the key must be non-empty visible ASCII without commas or '='".into());
        }
        let (enrollment, scope) = match binding.split_once(':') {
            None => (binding, KeyScope::Enterprise),
            Some((enrollment, scope)) => (enrollment, parse_scope(scope)?),
        };
        if enrollment.is_empty()
            || enrollment.len() > 20
            || !enrollment.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!(
                "{enrollment:?} is not an enrollment number (1 to 20 digits)"
            ));
        }
        Ok(KeySpec {
            key: key.to_owned(),
            enrollment: enrollment.to_owned(),
            scope,
        })
    }
}

fn parse_scope(text: &str) -> Result<KeyScope, String> {
    let (kind, id) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected department=ID or account=ID"))?;
    let id: i32 = id
        .trim()
        .parse()
        .map_err(|_| format!("{id:?} is not a numeric id"))?;
    match kind.trim().to_ascii_lowercase().as_str() {
        "department" => Ok(KeyScope::Department(id)),
        "account" => Ok(KeyScope::Account(id)),
        other => Err(format!(
            "{other:?}: a key is scoped to a department or an account"
        )),
    }
}

/// The key specs of a keys file: one per line, `#` starts a comment, blank lines are skipped.
/// An error names the line (never its key).
pub fn parse_keys_file(text: &str) -> Result<Vec<KeySpec>, String> {
    let mut specs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        specs.push(
            line.parse()
                .map_err(|e: String| format!("line {}: {e}", n + 1))?,
        );
    }
    Ok(specs)
}

/// The `ReportView` claim of the service's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ReportView {
    /// The published test key's view: the whole enrollment.
    System,
    /// The whole enrollment.
    #[default]
    Enterprise,
    /// One department (`DepartmentId`).
    Department,
    /// One account (`AccountId`).
    Account,
}

/// What a minted key says.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MintOptions {
    /// `EnrollmentNumber`.
    pub enrollment: String,
    /// `ReportView`; with a department or an account given and this left `Enterprise`, the view
    /// becomes `Department` or `Account`.
    pub view: ReportView,
    /// `DepartmentId` (for the department view).
    pub department: Option<i32>,
    /// `AccountId` (for the account view).
    pub account: Option<i32>,
    /// `PartnerId` (default `0`).
    pub partner_id: Option<String>,
    /// `nbf`; default: now. `exp` is 183 days later.
    pub not_before: Option<DateTime<Utc>>,
}

/// The claims of a key, named as the service named them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Not before (Unix seconds).
    pub nbf: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// The enrollment.
    #[serde(rename = "EnrollmentNumber")]
    pub enrollment_number: String,
    /// The key's id.
    #[serde(rename = "Id")]
    pub id: String,
    /// The view.
    #[serde(rename = "ReportView")]
    pub report_view: ReportView,
    /// The partner (`0`: none).
    #[serde(rename = "PartnerId")]
    pub partner_id: String,
    /// The department (`0`: none).
    #[serde(rename = "DepartmentId")]
    pub department_id: String,
    /// The account (`0`: none).
    #[serde(rename = "AccountId")]
    pub account_id: String,
}

impl Claims {
    /// The binding the claims describe, or why they describe none.
    pub fn binding(&self) -> Result<KeyBinding, &'static str> {
        let id = |text: &str| text.trim().parse::<i32>().ok().filter(|id| *id != 0);
        let scope = match self.report_view {
            ReportView::System | ReportView::Enterprise => KeyScope::Enterprise,
            ReportView::Department => KeyScope::Department(
                id(&self.department_id).ok_or("a department key without a DepartmentId")?,
            ),
            ReportView::Account => KeyScope::Account(
                id(&self.account_id).ok_or("an account key without an AccountId")?,
            ),
        };
        Ok(KeyBinding {
            enrollment: Some(self.enrollment_number.clone()),
            scope,
        })
    }
}

/// The HS256 secret minted keys are signed with: derived from `--seed`, so every instance with
/// the same seed accepts the keys another minted.
pub fn mint_secret(seed: u64) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"ea-mock-server minted API keys\0");
    hash.update(seed.to_be_bytes());
    hash.finalize().into()
}

/// A key shaped like the service's (a JWT with its issuer, audience and claims), signed with
/// the secret of `seed` (HS256). A mock started with that seed and `--accept-minted-keys`
/// accepts it, bound as its claims say.
pub fn mint(seed: u64, options: &MintOptions) -> String {
    let claims = claims_for(options);
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&mint_secret(seed)),
    )
    .expect("HS256 over serializable claims cannot fail")
}

/// The claims [`mint`] signs.
pub fn claims_for(options: &MintOptions) -> Claims {
    let nbf = options.not_before.unwrap_or_else(Utc::now).timestamp();
    let view = match (options.view, options.department, options.account) {
        (ReportView::Enterprise, Some(_), _) => ReportView::Department,
        (ReportView::Enterprise, None, Some(_)) => ReportView::Account,
        (view, _, _) => view,
    };
    let number = |n: Option<i32>| n.unwrap_or(0).to_string();
    let id = crate::render::guid(
        StableHasher::new()
            .str("minted-key")
            .str(&options.enrollment)
            .str(&format!("{view:?}"))
            .str(&number(options.department))
            .str(&number(options.account))
            .u64(nbf as u64),
    );
    Claims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        nbf,
        exp: nbf + VALIDITY_DAYS * 86_400,
        enrollment_number: options.enrollment.clone(),
        id,
        report_view: view,
        partner_id: options.partner_id.clone().unwrap_or_else(|| "0".into()),
        department_id: number(options.department),
        account_id: number(options.account),
    }
}

/// The claims of a minted key, if it is one this secret signed, with the service's issuer and
/// audience, and valid now (`nbf` ≤ now < `exp`, a minute's leeway).
pub fn verify_minted(secret: &[u8], token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
        .ok()
        .map(|data| data.claims)
}

/// Who sent a request: the key's number (rate limits count per key), its name (what logs and
/// the journal show) and what it may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The key's number.
    pub id: KeyId,
    /// `key-N` or `minted:<Id>`.
    pub name: Arc<str>,
    /// What it may read.
    pub binding: KeyBinding,
}

/// A configured key.
struct Entry {
    key: String,
    /// A search for `key`, set up once: the journal looks for keys in every request's text.
    finder: memchr::memmem::Finder<'static>,
    name: Arc<str>,
    binding: KeyBinding,
}

/// Every key the server accepts. Its `Debug` shows only names.
pub struct KeyRing {
    entries: Vec<Entry>,
    minted: Option<[u8; 32]>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field(
                "names",
                &self.entries.iter().map(|e| &*e.name).collect::<Vec<_>>(),
            )
            .field("accept_minted", &self.minted.is_some())
            .finish()
    }
}

/// Minted keys' numbers start here, far from the configured keys' (`0..n`).
const MINTED_KEY_IDS: usize = 1 << 20;

impl KeyRing {
    /// `unbound` keys read any enrollment (named first, `key-1`…), then the `bound` ones; with
    /// `minted_secret`, minted keys signed with it are accepted too.
    pub fn new(unbound: &[String], bound: &[KeySpec], minted_secret: Option<[u8; 32]>) -> Self {
        let unbound = unbound.iter().map(|k| (k.clone(), KeyBinding::default()));
        let bound = bound.iter().map(|s| {
            let binding = KeyBinding {
                enrollment: Some(s.enrollment.clone()),
                scope: s.scope,
            };
            (s.key.clone(), binding)
        });
        let entries = unbound
            .chain(bound)
            .enumerate()
            .map(|(i, (key, binding))| Entry {
                finder: memchr::memmem::Finder::new(key.as_bytes()).into_owned(),
                key,
                name: format!("key-{}", i + 1).into(),
                binding,
            })
            .collect();
        Self {
            entries,
            minted: minted_secret,
        }
    }

    /// The configured keys' text (to search the places a key must never reach).
    pub fn secrets(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.key.clone()).collect()
    }

    /// The names of the configured keys, in order.
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.to_string()).collect()
    }

    /// The caller presenting `token`: the first configured key equal to it (compared in
    /// constant time, every key looked at), else a minted key this server accepts.
    pub fn authenticate(&self, token: &str) -> Result<Caller, AuthError> {
        let mut found = None;
        for (i, entry) in self.entries.iter().enumerate() {
            if constant_time_eq(token.as_bytes(), entry.key.as_bytes()) && found.is_none() {
                found = Some(Caller {
                    id: KeyId(i),
                    name: entry.name.clone(),
                    binding: entry.binding.clone(),
                });
            }
        }
        if let Some(caller) = found {
            return Ok(caller);
        }
        let secret = self.minted.as_ref().ok_or(AuthError::UnknownKey)?;
        let claims = verify_minted(secret, token).ok_or(AuthError::UnknownKey)?;
        let binding = claims.binding().map_err(|_| AuthError::UnknownKey)?;
        let number = StableHasher::new()
            .str("minted-id")
            .str(&claims.id)
            .finish();
        Ok(Caller {
            id: KeyId(MINTED_KEY_IDS + (number % (1 << 30)) as usize),
            name: format!("minted:{}", claims.id).into(),
            binding,
        })
    }

    /// Replaces every configured key inside `text` by its name (for the journal: headers or a
    /// query that carry a key in another place than `Authorization`).
    ///
    /// Borrows `text` when it holds no key (as nearly every request's text does).
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for entry in &self.entries {
            if !entry.key.is_empty() && entry.finder.find(out.as_bytes()).is_some() {
                out = out.replace(&entry.key, &entry.name).into();
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs_parse_with_and_without_scope() {
        let spec: KeySpec = "k1=100".parse().unwrap();
        assert_eq!(
            (spec.key.as_str(), spec.enrollment.as_str(), spec.scope),
            ("k1", "100", KeyScope::Enterprise)
        );
        let spec: KeySpec = "k2=200:department=7".parse().unwrap();
        assert_eq!(spec.scope, KeyScope::Department(7));
        let spec: KeySpec = " k3=200:Account=123456 ".parse().unwrap();
        assert_eq!(spec.scope, KeyScope::Account(123_456));
        for bad in [
            "k1",
            "=100",
            "k1=",
            "k1=10a",
            "k1=100:team=3",
            "k1=100:department",
            "k1=100:department=x",
            "k 1=100",
        ] {
            let err = bad.parse::<KeySpec>().unwrap_err();
            assert!(!err.contains("k1"), "{bad}: {err}");
        }
    }

    #[test]
    fn keys_files_skip_comments_and_name_bad_lines() {
        let text = "# CI keys\nk1=100\n\n  k2=100:department=7  # finance\n";
        let specs = parse_keys_file(text).unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[1].scope, KeyScope::Department(7));
        let err = parse_keys_file("k1=100\nsecret-key\n").unwrap_err();
        assert!(
            err.starts_with("line 2:") && !err.contains("secret-key"),
            "{err}"
        );
    }

    #[test]
    fn debug_never_shows_keys() {
        let spec: KeySpec = "top-secret=100".parse().unwrap();
        assert!(!format!("{spec:?}").contains("top-secret"));
        let ring = KeyRing::new(&["other-secret".into()], &[spec], None);
        let text = format!("{ring:?}");
        assert!(!text.contains("secret") && text.contains("key-2"), "{text}");
    }

    #[test]
    fn the_ring_names_keys_in_order_and_binds_them() {
        let ring = KeyRing::new(
            &["any".into()],
            &["dept=100:department=7".parse().unwrap()],
            None,
        );
        let any = ring.authenticate("any").unwrap();
        assert_eq!((any.id, &*any.name), (KeyId(0), "key-1"));
        assert!(any.binding.allows("100") && any.binding.allows("200"));
        let dept = ring.authenticate("dept").unwrap();
        assert_eq!(&*dept.name, "key-2");
        assert!(dept.binding.allows("100") && !dept.binding.allows("200"));
        assert_eq!(dept.binding.scope, KeyScope::Department(7));
        assert_eq!(ring.authenticate("nope"), Err(AuthError::UnknownKey));
        assert_eq!(ring.redact("x=any&y=dept"), "x=key-1&y=key-2");
    }

    #[test]
    fn minted_keys_carry_the_services_claims() {
        let nbf = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let claims = claims_for(&MintOptions {
            enrollment: "100".into(),
            department: Some(7),
            not_before: Some(nbf),
            ..MintOptions::default()
        });
        assert_eq!(
            (claims.iss.as_str(), claims.aud.as_str()),
            (ISSUER, AUDIENCE)
        );
        assert_eq!(claims.exp - claims.nbf, 183 * 86_400);
        assert_eq!(claims.report_view, ReportView::Department);
        assert_eq!(
            (claims.department_id.as_str(), claims.account_id.as_str()),
            ("7", "0")
        );
        let value = serde_json::to_value(&claims).unwrap();
        for name in [
            "EnrollmentNumber",
            "Id",
            "ReportView",
            "PartnerId",
            "DepartmentId",
            "AccountId",
        ] {
            assert!(value.get(name).is_some(), "{name}");
        }
        assert_eq!(
            claims.binding(),
            Ok(KeyBinding {
                enrollment: Some("100".into()),
                scope: KeyScope::Department(7)
            })
        );
    }

    #[test]
    fn minted_keys_are_accepted_only_with_the_right_secret_and_time() {
        let key = mint(
            42,
            &MintOptions {
                enrollment: "100".into(),
                account: Some(5),
                ..MintOptions::default()
            },
        );
        assert_eq!(key.split('.').count(), 3, "a JWT");
        let accepting = KeyRing::new(&[], &[], Some(mint_secret(42)));
        let caller = accepting.authenticate(&key).unwrap();
        assert!(caller.name.starts_with("minted:"));
        assert_eq!(caller.binding.scope, KeyScope::Account(5));
        let other_seed = KeyRing::new(&[], &[], Some(mint_secret(43)));
        assert!(other_seed.authenticate(&key).is_err());
        assert!(KeyRing::new(&[], &[], None).authenticate(&key).is_err());
        let expired = mint(
            42,
            &MintOptions {
                enrollment: "100".into(),
                not_before: DateTime::from_timestamp(1_000_000_000, 0),
                ..MintOptions::default()
            },
        );
        assert!(accepting.authenticate(&expired).is_err(), "expired in 2002");
        let future = mint(
            42,
            &MintOptions {
                enrollment: "100".into(),
                not_before: Some(Utc::now() + chrono::Duration::days(2)),
                ..MintOptions::default()
            },
        );
        assert!(accepting.authenticate(&future).is_err(), "not yet valid");
    }
}
