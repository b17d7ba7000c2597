//! The `Authorization: bearer <key>` check the real service does.
//!
//! The docs write `bearer`, clients send `Bearer`; the scheme is case-insensitive
//! (RFC 9110 §11.1). Error messages never repeat the presented key, because they end
//! up in response bodies and logs.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};

/// Which configured key a request used: an index into `Config::effective_api_keys()`.
/// Rate limits are counted per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub usize);

/// Why a request is not authorized; every variant maps to 401.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header, or an empty one.
    #[error("the Authorization header is missing; send `Authorization: bearer <API key>`")]
    Missing,
    /// The header is not `bearer <token>`; the reason never includes the token.
    #[error("the Authorization header is malformed ({0}); expected `bearer <API key>`")]
    Malformed(&'static str),
    /// Well-formed, but the key is not one this server accepts.
    #[error("the API key is not valid for this enrollment (unknown, expired or disabled)")]
    UnknownKey,
    /// A valid key, but of another enrollment (or of a department or account this enrollment
    /// does not have).
    #[error(
        "the API key is not valid for this enrollment (it belongs to another, or to a department or account this one has not got)"
    )]
    WrongEnrollment,
}

impl AuthError {
    /// The status the real API answers with for any key problem.
    pub const fn status(self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        crate::problem::error_response(self.status(), self.to_string())
    }
}

/// Checks an `Authorization` header value against the accepted keys.
///
/// Accepts `<scheme> <token>` where the scheme is `bearer` in any case, separated by
/// one or more spaces/tabs, with exactly one token. Returns the index of the first key
/// equal to the token. (The server goes through `crate::keys::KeyRing`, which binds keys too.)
#[cfg(test)]
pub fn check_authorization(
    header: Option<&HeaderValue>,
    keys: &[String],
) -> Result<KeyId, AuthError> {
    let token = bearer_token(header)?;
    // Look at every key so the time taken does not reveal which one nearly matched.
    let mut found = None;
    for (i, key) in keys.iter().enumerate() {
        if constant_time_eq(token.as_bytes(), key.as_bytes()) && found.is_none() {
            found = Some(KeyId(i));
        }
    }
    found.ok_or(AuthError::UnknownKey)
}

/// The token of `bearer <token>` (scheme in any case, one token), or why there is none.
pub fn bearer_token(header: Option<&HeaderValue>) -> Result<&str, AuthError> {
    let Some(header) = header else {
        return Err(AuthError::Missing);
    };
    let value = header
        .to_str()
        .map_err(|_| AuthError::Malformed("it contains non-ASCII bytes"))?;
    let mut parts = value.split_ascii_whitespace();
    let Some(scheme) = parts.next() else {
        return Err(AuthError::Missing);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed("the scheme is not bearer"));
    }
    let Some(token) = parts.next() else {
        return Err(AuthError::Malformed("no key after the scheme"));
    };
    if parts.next().is_some() {
        return Err(AuthError::Malformed("more than one token after the scheme"));
    }
    Ok(token)
}

/// Equality whose running time depends only on the lengths, not on where bytes differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec!["key-one".into(), "key-two".into()]
    }

    fn check(value: &str) -> Result<KeyId, AuthError> {
        check_authorization(Some(&HeaderValue::from_str(value).unwrap()), &keys())
    }

    #[test]
    fn accepts_any_case_of_bearer() {
        assert_eq!(check("bearer key-one"), Ok(KeyId(0)));
        assert_eq!(check("Bearer key-two"), Ok(KeyId(1)));
        assert_eq!(check("BEARER key-one"), Ok(KeyId(0)));
        assert_eq!(check("bEaReR key-two"), Ok(KeyId(1)));
    }

    #[test]
    fn tolerates_extra_whitespace_between_and_around() {
        assert_eq!(check("Bearer   key-one"), Ok(KeyId(0)));
        assert_eq!(check("Bearer\tkey-two"), Ok(KeyId(1)));
    }

    #[test]
    fn missing_or_empty_header_is_missing() {
        assert_eq!(check_authorization(None, &keys()), Err(AuthError::Missing));
        assert_eq!(check(""), Err(AuthError::Missing));
        assert_eq!(check("   "), Err(AuthError::Missing));
    }

    #[test]
    fn wrong_shapes_are_malformed() {
        for v in [
            "Basic a2V5LW9uZQ==",
            "key-one",
            "Bearer",
            "Bearer key-one extra",
            "Bearerkey-one",
        ] {
            assert!(matches!(check(v), Err(AuthError::Malformed(_))), "{v}");
        }
        let non_ascii = HeaderValue::from_bytes(b"Bearer k\xe9y").unwrap();
        assert!(matches!(
            check_authorization(Some(&non_ascii), &keys()),
            Err(AuthError::Malformed(_))
        ));
    }

    #[test]
    fn unknown_key_is_rejected_and_keys_are_case_sensitive() {
        assert_eq!(check("Bearer key-three"), Err(AuthError::UnknownKey));
        assert_eq!(check("Bearer KEY-ONE"), Err(AuthError::UnknownKey));
        assert_eq!(check("Bearer key-on"), Err(AuthError::UnknownKey));
        let none: [String; 0] = [];
        let h = HeaderValue::from_static("Bearer key-one");
        assert_eq!(
            check_authorization(Some(&h), &none),
            Err(AuthError::UnknownKey)
        );
    }

    #[test]
    fn duplicate_keys_resolve_to_the_first() {
        let dup = vec!["same".to_owned(), "same".to_owned()];
        let h = HeaderValue::from_static("bearer same");
        assert_eq!(check_authorization(Some(&h), &dup), Ok(KeyId(0)));
    }

    #[test]
    fn messages_never_echo_the_key() {
        for v in [
            "Bearer secret-xyz",
            "Bearer secret-xyz more",
            "Token secret-xyz",
            "secret-xyz",
        ] {
            let err = check(v).unwrap_err();
            assert!(!err.to_string().contains("secret-xyz"), "{err}");
            assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
        }
    }

    #[test]
    fn into_response_is_401() {
        assert_eq!(
            AuthError::UnknownKey.into_response().status(),
            StatusCode::UNAUTHORIZED
        );
    }
}
