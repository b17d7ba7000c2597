//! The facts of the service as a whole that the client runtime needs: how the API key is sent,
//! and which headers of a throttled answer say how long to wait.

use openapiv3::{APIKeyLocation, ReferenceOr, SecurityScheme, StatusCode};

use super::Lowerer;
use crate::error::{Result, push_pointer};
use crate::ir::Auth;

impl<'a> Lowerer<'a> {
    /// How the API key is sent. In order: the security scheme the document requires (its first
    /// top-level `security` requirement, else its first scheme); else an `Authorization` header
    /// parameter (the Swashbuckle style of the published EA document), whose description may give
    /// the format (`"bearer {API_KEY}"` → scheme `bearer`; otherwise the key is the whole value);
    /// else none.
    pub(super) fn lower_auth(&self) -> Result<Option<Auth>> {
        let schemes = self.doc.components.as_ref().map(|c| &c.security_schemes);
        let required = self
            .doc
            .security
            .as_ref()
            .and_then(|s| s.first())
            .and_then(|r| r.keys().next());
        let chosen = match (schemes, required) {
            (Some(schemes), Some(name)) => schemes.get_key_value(name),
            (Some(schemes), None) => schemes.first(),
            (None, _) => None,
        };
        if let Some((name, scheme)) = chosen {
            let pointer = push_pointer("/components/securitySchemes", name);
            let scheme = match scheme {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&pointer, "security scheme $ref is not supported"));
                }
            };
            return self.auth_of_scheme(scheme, &pointer).map(Some);
        }
        Ok(self.authorization_parameter())
    }

    fn auth_of_scheme(&self, scheme: &SecurityScheme, pointer: &str) -> Result<Auth> {
        match scheme {
            SecurityScheme::APIKey {
                location: APIKeyLocation::Header,
                name,
                ..
            } => Ok(Auth {
                header: name.clone(),
                scheme: None,
            }),
            SecurityScheme::APIKey { location, .. } => Err(self.err(
                pointer,
                format!(
                    "an API key in the {} is not supported (only in a header)",
                    match location {
                        APIKeyLocation::Query => "query",
                        _ => "cookie",
                    }
                ),
            )),
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
                Ok(Auth {
                    header: "Authorization".into(),
                    scheme: Some("Bearer".into()),
                })
            }
            SecurityScheme::HTTP { scheme, .. } => Err(self.err(
                pointer,
                format!("HTTP {scheme:?} authentication is not supported (only bearer)"),
            )),
            // The client is handed an access token and sends it as a bearer token.
            SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => Ok(Auth {
                header: "Authorization".into(),
                scheme: Some("Bearer".into()),
            }),
        }
    }

    /// The first `Authorization` header parameter of any operation (or of the components).
    fn authorization_parameter(&self) -> Option<Auth> {
        let inline = self.doc.paths.paths.values().filter_map(|item| match item {
            ReferenceOr::Item(item) => Some(item),
            ReferenceOr::Reference { .. } => None,
        });
        let parameters = inline
            .flat_map(|item| {
                item.parameters
                    .iter()
                    .chain(item.iter().flat_map(|(_, op)| op.parameters.iter()))
            })
            .chain(
                self.doc
                    .components
                    .iter()
                    .flat_map(|c| c.parameters.values()),
            );
        parameters
            .filter_map(|p| match p {
                ReferenceOr::Item(openapiv3::Parameter::Header { parameter_data, .. }) => {
                    Some(parameter_data)
                }
                _ => None,
            })
            .find(|data| data.name.eq_ignore_ascii_case("authorization"))
            .map(|data| Auth {
                header: data.name.clone(),
                scheme: data.description.as_deref().and_then(scheme_in_format),
            })
    }

    /// The headers of every 429 and 503 response (inline or a shared `#/components/responses`
    /// entry) but `ETag`, in first-declared order, each once (case-insensitively).
    pub(super) fn lower_retry_after_headers(&self) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for status in [429, 503] {
            for (path, item) in &self.doc.paths.paths {
                let ReferenceOr::Item(item) = item else {
                    continue; // Refused by `lower_operations` with its pointer.
                };
                for (method, op) in item.iter() {
                    let Some(response) = op.responses.responses.get(&StatusCode::Code(status))
                    else {
                        continue;
                    };
                    let pointer = push_pointer(
                        &push_pointer(
                            &push_pointer(&push_pointer("/paths", path), method),
                            "responses",
                        ),
                        &status.to_string(),
                    );
                    for name in self.resolve_response(response, &pointer)?.headers.keys() {
                        if !name.eq_ignore_ascii_case("etag")
                            && !out.iter().any(|h| h.eq_ignore_ascii_case(name))
                        {
                            out.push(name.clone());
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The scheme word of a format written in a description: `Specify the value in this format:
/// "bearer {API_KEY}"` → `bearer`. The format is a quoted `<word> {...}`.
fn scheme_in_format(description: &str) -> Option<String> {
    description
        .split('"')
        .skip(1)
        .step_by(2)
        .find_map(|quoted| {
            let (word, rest) = quoted.split_once(' ')?;
            let word_ok =
                !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            (word_ok && rest.trim_start().starts_with('{')).then(|| word.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::scheme_in_format;

    #[test]
    fn the_scheme_comes_from_a_quoted_format() {
        assert_eq!(
            scheme_in_format("Specify the value in this format: \"bearer {API_KEY}\"").as_deref(),
            Some("bearer")
        );
        assert_eq!(
            scheme_in_format("use \"SharedKey {key}\" here").as_deref(),
            Some("SharedKey")
        );
        assert_eq!(scheme_in_format("The API key"), None);
        assert_eq!(scheme_in_format("\"{API_KEY}\""), None);
        assert_eq!(scheme_in_format("say \"hello world\""), None);
    }
}
