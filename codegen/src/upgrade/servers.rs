//! `host`, `basePath` and `schemes` → `servers`.

use serde_json::{Value, json};

use super::convert::Converter;
use crate::error::{Result, push_pointer};

impl Converter<'_> {
    /// `servers` from `host`, `basePath` and `schemes` (or an operation's own `schemes`).
    pub(super) fn servers(&self, op_schemes: Option<(&Value, &str)>) -> Result<Vec<Value>> {
        let host = match self.root.get("host") {
            Some(v) => Some(self.string(v, "/host", "`host`")?),
            None => None,
        };
        let base_path = match self.root.get("basePath") {
            Some(v) => self.string(v, "/basePath", "`basePath`")?,
            None => "",
        };
        let (schemes_value, schemes_pointer) = match op_schemes {
            Some(given) => (Some(given.0), given.1.to_owned()),
            None => (self.root.get("schemes"), "/schemes".to_owned()),
        };
        let mut schemes = Vec::new();
        if let Some(v) = schemes_value {
            for (i, scheme) in self
                .array(v, &schemes_pointer, "`schemes`")?
                .iter()
                .enumerate()
            {
                let pointer = push_pointer(&schemes_pointer, &i.to_string());
                let scheme = self.string(scheme, &pointer, "a scheme")?;
                if !matches!(scheme, "http" | "https" | "ws" | "wss") {
                    return Err(self.err(
                        &pointer,
                        format!("unknown scheme {scheme:?} (expected http, https, ws or wss)"),
                    ));
                }
                schemes.push(scheme);
            }
        }
        let Some(host) = host else {
            // No host: the API lives on the document's own origin, under basePath.
            if base_path.is_empty() || op_schemes.is_some() {
                return Ok(Vec::new());
            }
            let url = base_path.trim_end_matches('/');
            return Ok(vec![
                json!({ "url": if url.is_empty() { "/" } else { url } }),
            ]);
        };
        if schemes.is_empty() {
            // 2.0 says "the scheme used to access the document"; https is the only sane guess.
            schemes.push("https");
        }
        Ok(schemes
            .into_iter()
            .map(|scheme| {
                let url = format!("{scheme}://{host}{base_path}");
                json!({ "url": url.trim_end_matches('/') })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::upgrade::test_support::*;

    #[test]
    fn host_base_path_and_schemes_become_servers() {
        let out = up(swagger(
            json!({"host": "consumption.azure.com:443", "basePath": "/api/", "schemes": ["https", "http"]}),
        ));
        assert_eq!(
            out["servers"],
            json!([{"url": "https://consumption.azure.com:443/api"}, {"url": "http://consumption.azure.com:443/api"}])
        );
        let out = up(swagger(
            json!({"host": "consumption.azure.com:443", "schemes": ["https"]}),
        ));
        assert_eq!(
            out["servers"],
            json!([{"url": "https://consumption.azure.com:443"}])
        );
        let out = up(swagger(json!({"host": "example.com", "basePath": "/"})));
        assert_eq!(out["servers"], json!([{"url": "https://example.com"}]));
    }

    #[test]
    fn without_host_base_path_alone_or_no_servers() {
        let out = up(swagger(json!({"basePath": "/v3/", "schemes": ["https"]})));
        assert_eq!(out["servers"], json!([{"url": "/v3"}]));
        let out = up(swagger(json!({"schemes": ["https"]})));
        assert!(out.get("servers").is_none());
    }
}
