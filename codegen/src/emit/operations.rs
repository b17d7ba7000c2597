//! `src/operations.rs` (feature `server`): the server side of the spec. An `Operation` enum with
//! one variant per operation and its typed parameters, and `match_request`, which maps a request
//! to it or says precisely why not. The mock server matches on the enum exhaustively, so a new
//! operation in the spec is a compile error there until it is served.

use super::{doc, ident, ty};
use crate::ir::{Api, Operation, ParamLocation};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn operations_rs(api: &Api) -> TokenStream {
    let variants = api.operations.iter().map(variant);
    let ids = api.operations.iter().map(|op| {
        let v = ident(&op.variant_name);
        let id = &op.id;
        quote! { Operation::#v { .. } => #id }
    });
    let templates = api.operations.iter().map(|op| {
        let v = ident(&op.variant_name);
        let path = &op.path;
        quote! { Operation::#v { .. } => #path }
    });
    let routes = api.operations.iter().map(|op| {
        let id = &op.id;
        let method = &op.http_method;
        let path = &op.path;
        quote! { (#id, #method, #path) }
    });
    let count = proc_macro2::Literal::usize_unsuffixed(api.operations.len());
    // More literal segments first, so `/usagedetails/download` wins over a `{param}` in its place.
    let mut ordered: Vec<&Operation> = api.operations.iter().collect();
    ordered.sort_by_key(|op| {
        std::cmp::Reverse(
            op.path
                .split('/')
                .filter(|s| !s.is_empty() && !s.starts_with('{'))
                .count(),
        )
    });
    let arms = ordered.into_iter().map(route_arm);
    let uses_models = api
        .operations
        .iter()
        .flat_map(|op| &op.params)
        .any(|p| super::names_generated_type(&p.ty));
    let models_import = if uses_models {
        quote! { use crate::models; }
    } else {
        quote! {}
    };
    quote! {
        //! The server side of the spec: which operation a request is, with its parameters typed.
        //!
        //! Paths match ASCII-case-insensitively and query names likewise, as the real service
        //! (ASP.NET) routes and binds them.

        #models_import
        use crate::runtime::server::{MatchError, QueryParams};

        /// One variant per operation of the spec, carrying its parameters.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Operation {
            #(#variants)*
        }

        /// Every route of the spec as (operation id, method, path template), in spec order.
        pub const ROUTES: [(&str, &str, &str); #count] = [#(#routes),*];

        impl Operation {
            /// The operation's id (its operationId where that is unique in the spec).
            pub fn id(&self) -> &'static str {
                match self {
                    #(#ids,)*
                }
            }

            /// The path template the operation was matched on.
            pub fn path_template(&self) -> &'static str {
                match self {
                    #(#templates,)*
                }
            }
        }

        /// Maps a request to its operation, or says why it is none: an unknown path, a method
        /// the path does not allow, or a missing or malformed parameter (named).
        pub fn match_request(
            method: &http::Method,
            path: &str,
            query: Option<&str>,
            headers: &http::HeaderMap,
        ) -> Result<Operation, MatchError> {
            let segments = crate::runtime::server::path_segments(path);
            let query = QueryParams::parse(query);
            let _ = (&query, headers);
            let mut allowed: Vec<&'static str> = Vec::new();
            #(#arms)*
            if allowed.is_empty() {
                Err(MatchError::UnknownPath { path: path.to_string() })
            } else {
                Err(MatchError::MethodNotAllowed { method: method.to_string(), allowed })
            }
        }
    }
}

fn variant(op: &Operation) -> TokenStream {
    let name = ident(&op.variant_name);
    let summary = doc(op.summary.as_deref().or(op.description.as_deref()));
    let route = format!(" `{} {}`", op.http_method, op.path);
    let body_doc = match &op.body {
        Some(_) => quote! {
            #[doc = ""]
            #[doc = " Its JSON request body is not part of the match: the handler reads it from the request."]
        },
        None => quote! {},
    };
    let fields = op.params.iter().map(|p| {
        let n = ident(&p.rust_name);
        let t = ty(&p.ty, &quote! { models:: });
        let t = if p.required {
            t
        } else {
            quote! { Option<#t> }
        };
        let d = doc(p.doc.as_deref());
        quote! { #d #n: #t, }
    });
    let separator = if op.summary.is_some() || op.description.is_some() {
        quote! { #[doc = ""] }
    } else {
        quote! {}
    };
    quote! {
        #summary
        #separator
        #[doc = #route]
        #body_doc
        #name { #(#fields)* },
    }
}

fn route_arm(op: &Operation) -> TokenStream {
    let segments: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
    // A parameter that keeps its `/` (x-ms-skip-url-encoding) spans one or more segments: the
    // literals after it are matched from the end (lower allows one such parameter per path).
    let span = op
        .params
        .iter()
        .find(|p| p.skip_url_encoding)
        .and_then(|p| {
            let at = segments
                .iter()
                .position(|s| *s == format!("{{{}}}", p.name))?;
            Some(at)
        });
    let len = proc_macro2::Literal::usize_unsuffixed(segments.len());
    let index = |i: usize| {
        let lit = proc_macro2::Literal::usize_unsuffixed(i);
        match span {
            Some(at) if i > at => quote! { #lit + extra },
            _ => quote! { #lit },
        }
    };
    let literals = segments
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.starts_with('{'))
        .map(|(i, s)| {
            let i = index(i);
            quote! { crate::runtime::server::segment_matches(segments[#i], #s) }
        })
        .collect::<Vec<_>>();
    let name = ident(&op.variant_name);
    let method = &op.http_method;
    let fields = op.params.iter().map(|p| {
        let n = ident(&p.rust_name);
        let t = ty(&p.ty, &quote! { models:: });
        let wire = &p.name;
        let value = match p.location {
            ParamLocation::Path => {
                let i = segments.iter().position(|s| *s == format!("{{{wire}}}")).expect("lower checks path params");
                if p.skip_url_encoding {
                    let span = if i == 0 {
                        quote! { ..=extra }
                    } else {
                        let from = proc_macro2::Literal::usize_unsuffixed(i);
                        quote! { #from..=#from + extra }
                    };
                    return quote! { #n: crate::runtime::server::path_param_span::<#t>(#wire, &segments[#span])?, };
                }
                let i = index(i);
                return quote! { #n: crate::runtime::server::path_param::<#t>(#wire, segments[#i])?, };
            }
            ParamLocation::Query => quote! { query.get(#wire) },
            ParamLocation::Header => quote! { headers.get(#wire).and_then(|v| v.to_str().ok()) },
        };
        let location = p.location.as_str();
        if p.required {
            quote! { #n: crate::runtime::server::required::<#t>(#wire, #location, #value)?, }
        } else {
            quote! { #n: crate::runtime::server::optional::<#t>(#wire, #location, #value)?, }
        }
    });
    let matched = quote! {
        if method.as_str() == #method {
            return Ok(Operation::#name { #(#fields)* });
        }
        allowed.push(#method);
    };
    if span.is_some() {
        let matches = if literals.is_empty() {
            matched
        } else {
            quote! { if #(#literals)&&* { #matched } }
        };
        return quote! {
            if segments.len() >= #len {
                let extra = segments.len() - #len;
                #matches
            }
        };
    }
    quote! {
        if segments.len() == #len #(&& #literals)* {
            #matched
        }
    }
}
