//! `src/client.rs`: one async method per operation on the runtime's `Client`, plus a
//! conditional (`_if_none_match`) form of each, and page/row streams for paged operations.

use super::{doc, ident, ty};
use crate::ir::{
    Api, Field, LongRunning, LongRunningOutcome, Model, Operation, Param, ParamLocation,
    ResponseKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// `SERVICE`: the facts of the spec the runtime needs, as the IR carries them.
fn service(api: &Api) -> TokenStream {
    let base_url = match &api.base_url {
        Some(url) => quote! { Some(#url) },
        None => quote! { None },
    };
    let auth = match &api.auth {
        Some(auth) => {
            let header = &auth.header;
            let scheme = match &auth.scheme {
                Some(s) => quote! { Some(#s) },
                None => quote! { None },
            };
            quote! { Some(crate::runtime::Auth { header: #header, scheme: #scheme }) }
        }
        None => quote! { None },
    };
    let hints = &api.retry_after_headers;
    quote! {
        /// What the runtime needs to know of this API, from its spec: the default base URL (its
        /// first server), the user agent (this crate's name and version), how the key is sent and
        /// the headers its 429 and 503 answers use to say how long to wait.
        pub static SERVICE: crate::runtime::Service = crate::runtime::Service {
            base_url: #base_url,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
            auth: #auth,
            retry_after_headers: &[#(#hints),*],
        };
    }
}

pub(super) fn client_rs(api: &Api) -> TokenStream {
    let service = service(api);
    // Without a server in the spec there is no default base URL: only the builder, which asks for one.
    let new = if api.base_url.is_some() {
        quote! {
            /// A client for the service with default settings; an unusable key is reported by
            /// every request (use [`Client::builder`] to reject it up front).
            pub fn new(api_key: impl Into<crate::runtime::ApiKey>) -> Self {
                Client(crate::runtime::Client::new(&SERVICE, api_key))
            }
        }
    } else {
        quote! {}
    };
    let client_doc = format!(
        " The client of {}: one method per operation of its spec. Cheap to clone (one shared connection pool).",
        api.title
    );
    let pages = page_impls(api);
    let long_running = long_running_impls(api);
    let methods = api.operations.iter().map(methods);
    let request_fns = api.operations.iter().map(request_fn);
    let builder_structs = api.operations.iter().map(builder_struct);
    let uses_models = api.operations.iter().any(|op| {
        op.params.iter().any(|p| super::names_generated_type(&p.ty))
            || op
                .body
                .as_ref()
                .is_some_and(|b| super::names_generated_type(&b.ty))
            || matches!(&op.response, ResponseKind::Json(t) if super::names_generated_type(t))
            || matches!(&op.response, ResponseKind::Paged { .. })
            || op.long_running.is_some()
    });
    let (models_import, builder_models_import) = if uses_models {
        (quote! { use crate::models; }, quote! { use super::models; })
    } else {
        (quote! {}, quote! {})
    };
    quote! {
        //! One method per operation of the spec on [`Client`].
        //!
        //! Each returns the body with the status and headers (and so the ETag); the
        //! `_if_none_match` form sends an ETag and tells a 304 apart; paged operations also
        //! have `_pages` and `_stream` forms that follow `nextLink` one page at a time.
        #![allow(clippy::too_many_arguments)]

        #models_import
        use crate::runtime::client::ApiRequest;
        use crate::runtime::{Conditional, ETag, Error, Response};

        #service

        #[doc = #client_doc]
        ///
        /// The API key never appears in its `Debug` output.
        #[derive(Clone, Debug)]
        pub struct Client(crate::runtime::Client);

        /// Configures a [`Client`]; obtained from [`Client::builder`].
        pub type ClientBuilder = crate::runtime::ClientBuilder<Client>;

        impl From<crate::runtime::Client> for Client {
            fn from(http: crate::runtime::Client) -> Self {
                Client(http)
            }
        }

        impl Client {
            #new

            /// Starts configuring a client (base URL, key, timeouts, retries, user agent).
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new(&SERVICE)
            }

            /// The root every request path is appended to.
            pub fn base_url(&self) -> &url::Url {
                self.0.base_url()
            }

            /// How failed requests are retried.
            pub fn retry_policy(&self) -> &crate::runtime::RetryPolicy {
                self.0.retry_policy()
            }

            /// The HTTP core every operation goes through, for a request the spec does not describe.
            pub fn http(&self) -> &crate::runtime::Client {
                &self.0
            }
        }

        #(#pages)*

        #(#long_running)*

        impl Client {
            #(#methods)*
        }

        /// The request builders, one per operation, named like its `Operation` variant.
        pub mod builder {
            #builder_models_import
            use super::{ApiRequest, Client, Conditional, ETag, Error, Response};

            #(#builder_structs)*
        }

        #(#request_fns)*
    }
}

/// `impl Page` for every envelope a paged operation returns, once each.
fn page_impls(api: &Api) -> Vec<TokenStream> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for op in &api.operations {
        let ResponseKind::Paged {
            envelope,
            item,
            items_field,
            items_optional,
            next_link_field,
            next_link_json,
            next_link_optional,
        } = &op.response
        else {
            continue;
        };
        if !seen.insert(envelope.clone()) {
            continue;
        }
        let envelope_ty = ident(envelope);
        let item_ty = ty(item, &quote! { models:: });
        let items = ident(items_field);
        let next = ident(next_link_field);
        let items_expr = if *items_optional {
            quote! { self.#items.unwrap_or_default() }
        } else {
            quote! { self.#items }
        };
        let next_expr = if *next_link_optional {
            quote! { self.#next }
        } else {
            quote! { Some(self.#next) }
        };
        out.push(quote! {
            impl crate::runtime::Page for models::#envelope_ty {
                type Item = #item_ty;
                const NEXT_LINK_FIELD: &'static str = #next_link_json;
                fn into_parts(self) -> (Vec<Self::Item>, Option<String>) {
                    (#items_expr, #next_expr)
                }
            }
        });
    }
    out
}

/// `impl LongRunning` for the answer model of every long-running operation, once each.
fn long_running_impls(api: &Api) -> Vec<TokenStream> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for lro in api
        .operations
        .iter()
        .filter_map(|op| op.long_running.as_ref())
    {
        if !seen.insert(lro.model.clone()) {
            continue;
        }
        let model = api
            .models
            .iter()
            .find(|m| m.rust_name == lro.model)
            .expect("lower checks the model");
        out.push(long_running_impl(model, lro));
    }
    out
}

fn long_running_impl(model: &Model, lro: &LongRunning) -> TokenStream {
    let ty = ident(&model.rust_name);
    let states = lro.states.iter().map(|s| {
        let (value, name) = (&s.value, &s.name);
        let outcome = match s.outcome {
            LongRunningOutcome::Running => quote! { Running },
            LongRunningOutcome::Succeeded => quote! { Succeeded },
            LongRunningOutcome::Failed => quote! { Failed },
        };
        quote! {
            crate::runtime::long_running::State {
                value: #value,
                name: #name,
                outcome: crate::runtime::long_running::Outcome::#outcome,
            }
        }
    });
    let poll_operation = &lro.poll_operation;
    let interval = proc_macro2::Literal::u64_unsuffixed(lro.poll_interval_secs);
    let (validity, start) = match lro.result_validity {
        Some((from, seconds)) => {
            let seconds = proc_macro2::Literal::u64_unsuffixed(seconds);
            let field = &model.fields[from];
            let name = ident(&field.rust_name);
            let start = if field.is_optional() {
                quote! { self.#name }
            } else {
                quote! { Some(self.#name) }
            };
            (
                quote! { Some(std::time::Duration::from_secs(#seconds)) },
                start,
            )
        }
        None => (quote! { None }, quote! { None }),
    };
    let link = |field: &Field| {
        let name = ident(&field.rust_name);
        if field.is_optional() {
            quote! { self.#name.as_deref() }
        } else {
            quote! { Some(&self.#name) }
        }
    };
    let poll_link = link(&model.fields[lro.poll_link]);
    let result_link = link(&model.fields[lro.result_link]);
    let status_field = &model.fields[lro.status];
    let status_name = ident(&status_field.rust_name);
    let status = match (status_field.is_optional(), &status_field.ty) {
        (true, TypeRef::String) => quote! { self.#status_name.clone() },
        (false, TypeRef::String) => quote! { Some(self.#status_name.clone()) },
        (true, _) => quote! { self.#status_name.map(|value| value.to_string()) },
        (false, _) => quote! { Some(self.#status_name.to_string()) },
    };
    let doc = format!(
        " {} is the answer of a long-running operation (`x-ea-long-running`): polled at `{}` until `{}` ends.",
        model.rust_name, model.fields[lro.poll_link].json_name, status_field.json_name
    );
    quote! {
        #[doc = #doc]
        impl crate::runtime::long_running::LongRunning for models::#ty {
            const SPEC: crate::runtime::long_running::Spec = crate::runtime::long_running::Spec {
                poll_operation: #poll_operation,
                states: &[#(#states),*],
                poll_interval: std::time::Duration::from_secs(#interval),
                result_validity: #validity,
            };
            fn status_value(&self) -> Option<String> {
                #status
            }
            fn poll_link(&self) -> Option<&str> {
                #poll_link
            }
            fn result_link(&self) -> Option<&str> {
                #result_link
            }
            fn validity_start(&self) -> Option<chrono::DateTime<chrono::Utc>> {
                #start
            }
        }
    }
}

/// The Rust type of a parameter in a method signature.
fn param_ty(p: &Param) -> TokenStream {
    let base = match &p.ty {
        TypeRef::String => quote! { &str },
        other => ty(other, &quote! { models:: }),
    };
    if p.required {
        base
    } else {
        quote! { Option<#base> }
    }
}

/// `name: Type` of a parameter in a signature.
fn param_decl(p: &Param) -> TokenStream {
    let name = ident(&p.rust_name);
    let t = param_ty(p);
    quote! { #name: #t }
}

fn request_fn_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}_request", op.method_name.trim_start_matches("r#"))
}

fn method_docs(op: &Operation) -> TokenStream {
    let summary = doc(op.summary.as_deref().or(op.description.as_deref()));
    let description = if op.summary.is_some() {
        doc(op.description.as_deref())
    } else {
        quote! {}
    };
    let route = format!(" `{} {}` (operation `{}`).", op.http_method, op.path, op.id);
    let params: Vec<String> = op
        .params
        .iter()
        .map(|p| {
            let text = p
                .doc
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .unwrap_or("No description in the spec.");
            let optional = if p.required { "" } else { " Optional." };
            format!(
                " - `{}` ({} `{}`): {}{}",
                p.rust_name.trim_start_matches("r#"),
                p.location.as_str(),
                p.name,
                text.replace('\n', " "),
                optional
            )
        })
        .collect();
    let mut params = params;
    if let Some(body) = &op.body {
        let text = body
            .doc
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .unwrap_or("The request body.");
        let optional = if body.required { "" } else { " Optional." };
        params.push(format!(
            " - `body` (`{}` body): {}{optional}",
            body.content_type,
            text.replace('\n', " ")
        ));
    }
    let params_doc = if params.is_empty() {
        quote! {}
    } else {
        quote! { #[doc = ""] #[doc = " Parameters:"] #(#[doc = #params])* }
    };
    quote! {
        #summary
        #description
        #[doc = ""]
        #[doc = #route]
        #params_doc
    }
}

/// The Rust type a builder stores a parameter as (strings owned).
fn stored_ty(p: &Param) -> TokenStream {
    match &p.ty {
        TypeRef::String => quote! { String },
        other => ty(other, &quote! { models:: }),
    }
}

/// How a builder hands a stored parameter to the operation's request function.
fn stored_arg(p: &Param) -> TokenStream {
    let name = ident(&p.rust_name);
    match (&p.ty, p.required) {
        (TypeRef::String, true) => quote! { &self.#name },
        (TypeRef::String, false) => quote! { self.#name.as_deref() },
        (t, _) if super::is_copy(t) => quote! { self.#name },
        _ => quote! { self.#name.clone() },
    }
}

fn builder_ident(op: &Operation) -> proc_macro2::Ident {
    ident(&op.variant_name)
}

/// What `.send()` returns, and the two calls of the runtime behind `.send()` and
/// `.if_none_match()`.
fn body_and_calls(op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let json = (
        quote! { self.client.0.execute_json(self.request()).await },
        quote! { self.client.0.execute_json_if_none_match(self.request(), etag).await },
    );
    let (body_ty, (call, call_conditional)) = match &op.response {
        ResponseKind::Json(t) => (ty(t, &quote! { models:: }), json),
        ResponseKind::Paged { envelope, .. } => {
            let e = ident(envelope);
            (quote! { models::#e }, json)
        }
        ResponseKind::Bytes { .. } => (
            quote! { crate::runtime::ByteStream },
            (
                quote! { self.client.0.execute_bytes(self.request()).await },
                quote! { self.client.0.execute_bytes_if_none_match(self.request(), etag).await },
            ),
        ),
        ResponseKind::Empty => (
            quote! { () },
            (
                quote! { self.client.0.execute_bytes(self.request()).await.map(|response| response.map(|_| ())) },
                quote! {
                    match self.client.0.execute_bytes_if_none_match(self.request(), etag).await? {
                        Conditional::Modified(response) => Ok(Conditional::Modified(response.map(|_| ()))),
                        Conditional::NotModified(not_modified) => Ok(Conditional::NotModified(not_modified)),
                    }
                },
            ),
        ),
    };
    (body_ty, call, call_conditional)
}

/// The client method of an operation: its required parameters, and a builder back.
fn methods(op: &Operation) -> TokenStream {
    let docs = method_docs(op);
    let name = ident(&op.method_name);
    let builder = builder_ident(op);
    let mut decls: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| p.is_argument())
        .map(param_decl)
        .collect();
    let mut fields: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let n = ident(&p.rust_name);
            match (&p.ty, p.required, &p.default) {
                (TypeRef::String, true, Some(d)) => quote! { #n: #d.to_owned() },
                (TypeRef::Enum(e), true, Some(d)) => {
                    let e = ident(e);
                    quote! { #n: models::#e::from_wire(#d) }
                }
                (TypeRef::String, true, _) => quote! { #n: #n.to_owned() },
                (_, true, _) => quote! { #n },
                (_, false, _) => quote! { #n: None },
            }
        })
        .collect();
    if let Some(body) = &op.body {
        let t = ty(&body.ty, &quote! { models:: });
        if body.required {
            decls.push(quote! { body: #t });
            fields.push(quote! { body });
        } else {
            fields.push(quote! { body: None });
        }
    }
    let mut optional: Vec<String> = op
        .params
        .iter()
        .filter(|p| !p.is_argument())
        .map(|p| format!("`.{}(..)`", p.rust_name.trim_start_matches("r#")))
        .collect();
    if op.body.as_ref().is_some_and(|b| !b.required) {
        optional.push("`.body(..)`".into());
    }
    let how = match &op.response {
        ResponseKind::Paged { .. } => {
            "`.send()` (or `.await`) for one page, `.if_none_match(&etag)`, `.pages()`, `.pages_if_none_match(&etag)` and `.stream()` for every row"
        }
        ResponseKind::Json(_) if op.long_running.is_some() => {
            "`.send()` (or `.await`) for the first answer, `.if_none_match(&etag)`, and `.wait()` to poll it until it ends and fetch its result"
        }
        ResponseKind::Bytes { .. } if op.csv_rows.is_some() => {
            "`.send()` (or `.await`) for the bytes, `.if_none_match(&etag)`, and `.rows()` for typed rows"
        }
        _ => "`.send()` (or `.await`) and `.if_none_match(&etag)`",
    };
    let returns = if optional.is_empty() {
        format!(" Returns a request builder: {how}.")
    } else if op.params.iter().any(|p| p.default.is_some()) {
        format!(
            " Returns a request builder: its setters ({}) set the optional parameters and override the filled-in ones; {how}.",
            optional.join(", ")
        )
    } else {
        format!(
            " Returns a request builder: optional parameters are its setters ({}); {how}.",
            optional.join(", ")
        )
    };
    quote! {
        #docs
        #[doc = ""]
        #[doc = #returns]
        pub fn #name(&self, #(#decls),*) -> builder::#builder {
            builder::#builder { client: self.clone(), #(#fields),* }
        }
    }
}

/// The request builder of an operation (in `client::builder`, named like its `Operation`
/// variant): named setters for the optional parameters, and the ways to send it.
fn builder_struct(op: &Operation) -> TokenStream {
    let name = builder_ident(op);
    let plain = op.method_name.trim_start_matches("r#");
    let request_fn = request_fn_name(op);
    let doc = format!(
        " The request of [`Client::{plain}`](super::Client::{plain}): set its optional parameters, then send it."
    );
    let mut fields: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let n = ident(&p.rust_name);
            let t = stored_ty(p);
            if p.required {
                quote! { pub(super) #n: #t }
            } else {
                quote! { pub(super) #n: Option<#t> }
            }
        })
        .collect();
    if let Some(body) = &op.body {
        let t = ty(&body.ty, &quote! { models:: });
        fields.push(if body.required {
            quote! { pub(super) body: #t }
        } else {
            quote! { pub(super) body: Option<#t> }
        });
    }
    let mut setters: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| !p.is_argument())
        .map(|p| {
            let n = ident(&p.rust_name);
            let text = p
                .doc
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .unwrap_or("No description in the spec.")
                .replace('\n', " ");
            let doc = match &p.default {
                Some(d) => format!(
                    " {text} (`{}` in the {}; `{d}` unless set.)",
                    p.name,
                    p.location.as_str()
                ),
                None => format!(" {text} (`{}` in the {}.)", p.name, p.location.as_str()),
            };
            let (value, stored) = match &p.ty {
                TypeRef::String => (quote! { impl Into<String> }, quote! { value.into() }),
                _ => (stored_ty(p), quote! { value }),
            };
            let stored = if p.required {
                stored
            } else {
                quote! { Some(#stored) }
            };
            quote! {
                #[doc = #doc]
                pub fn #n(mut self, value: #value) -> Self {
                    self.#n = #stored;
                    self
                }
            }
        })
        .collect();
    if let Some(body) = op.body.as_ref().filter(|b| !b.required) {
        let t = ty(&body.ty, &quote! { models:: });
        setters.push(quote! {
            /// The request body (sent as JSON).
            pub fn body(mut self, value: #t) -> Self {
                self.body = Some(value);
                self
            }
        });
    }
    let mut args: Vec<TokenStream> = op.params.iter().map(stored_arg).collect();
    if let Some(body) = &op.body {
        args.push(match (body.required, &body.ty) {
            (true, _) => quote! { &self.body },
            (false, TypeRef::Vec(_) | TypeRef::String) => quote! { self.body.as_deref() },
            (false, _) => quote! { self.body.as_ref() },
        });
    }
    let (body_ty, call, call_conditional) = body_and_calls(op);
    let streams = match &op.response {
        ResponseKind::Paged { envelope, .. } => {
            let e = ident(envelope);
            let split = split_method(op, &e);
            quote! {
                /// Every page, following the next link one page at a time; a link to another
                /// origin ends the stream with an error and is never sent the key.
                pub fn pages(self) -> crate::runtime::paging::PageStream<models::#e> {
                    self.client.0.paginate_pages(self.request())
                }

                /// Like [`pages`](Self::pages), but the first page is asked for with
                /// `If-None-Match`: [`Conditional::NotModified`] when the data has not changed
                /// (304); otherwise every page, the first one not fetched again, inside a
                /// response that carries the first page's ETag.
                pub async fn pages_if_none_match(self, etag: &ETag) -> Result<Conditional<crate::runtime::paging::PageStream<models::#e>>, Error> {
                    self.client.0.paginate_pages_if_none_match(self.request(), etag).await
                }

                /// Every row of every page, decoded one page at a time (with at most one more
                /// page read ahead).
                pub fn stream(self) -> crate::runtime::paging::ItemStream<models::#e> {
                    self.client.0.paginate(self.request())
                }

                #split
            }
        }
        ResponseKind::Bytes { .. } => match &op.csv_rows {
            Some(row) => {
                let row = ident(row);
                quote! {
                    /// Sends the request and reads the CSV body into rows as it arrives (one
                    /// record in memory at a time): the title and blank lines are skipped, the
                    /// header's captions (also localised ones, `Coût (Cost)`) are matched to the
                    /// fields of the spec's `x-ea-csv` layout.
                    pub async fn rows(self) -> Result<Response<crate::runtime::service_csv::Rows<models::#row>>, Error> {
                        Ok(self.send().await?.map(crate::runtime::service_csv::rows))
                    }
                }
            }
            None => quote! {},
        },
        ResponseKind::Json(_) => match &op.long_running {
            Some(lro) => {
                let model = ident(&lro.model);
                let rows = match &lro.result_rows {
                    Some(row) => {
                        let row = ident(row);
                        quote! { models::#row }
                    }
                    None => quote! { () },
                };
                let doc = format!(
                    " Sends the request once (it queues work: never retried), then polls the link each answer names (operation `{}`, retried like every GET) until the status ends: every {} s unless an answer's `Retry-After` says otherwise; set `.interval(..)`, `.deadline(..)` and `.on_progress(..)` on the poller, then `.await` it for the finished answer (or call `.progress()` for a stream of the status changes). Its `download()` fetches the result without the API key{}.",
                    lro.poll_operation,
                    lro.poll_interval_secs,
                    if lro.result_rows.is_some() {
                        ", `rows()` reads it as typed rows"
                    } else {
                        ""
                    }
                );
                quote! {
                    #[doc = #doc]
                    pub fn wait(self) -> crate::runtime::long_running::Poller<models::#model, #rows> {
                        crate::runtime::long_running::Poller::new(self.client.0.clone(), self.request())
                    }
                }
            }
            None => quote! {},
        },
        _ => quote! {},
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent: `.send().await` or `.await`"]
        pub struct #name {
            pub(super) client: Client,
            #(#fields,)*
        }

        impl #name {
            #(#setters)*

            fn request(&self) -> ApiRequest {
                super::#request_fn(#(#args),*)
            }

            /// Sends the request: the body with the status and headers (and so the ETag).
            pub async fn send(self) -> Result<Response<#body_ty>, Error> {
                #call
            }

            /// Sends the request with `If-None-Match`: [`Conditional::NotModified`] when the
            /// data has not changed (304).
            pub async fn if_none_match(self, etag: &ETag) -> Result<Conditional<#body_ty>, Error> {
                #call_conditional
            }

            #streams
        }

        impl std::future::IntoFuture for #name {
            type Output = Result<Response<#body_ty>, Error>;
            type IntoFuture = futures_util::future::BoxFuture<'static, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

/// `.stream_split(concurrency)` of an operation whose range is splittable (`x-ea-splittable`).
fn split_method(op: &Operation, envelope: &proc_macro2::Ident) -> TokenStream {
    let Some(split) = &op.splittable else {
        return quote! {};
    };
    let start = ident(&op.params[split.start].rust_name);
    let end = ident(&op.params[split.end].rust_name);
    let doc = format!(
        " Every row of the range, fetched as days side by side (the spec's `x-ea-splittable`: `{}` to `{}`): each day's own chain of pages, at most `concurrency` requests in flight (halved on a 429, one more per window of pages after), the rows in the order of [`stream`](Self::stream), each once, memory bounded by the concurrency (at most `2 × concurrency` days started ahead of the reader, each holding at most two pages). A day that fails after its retries ends the stream with `Error::PartFailed` naming it.",
        op.params[split.start].name, op.params[split.end].name
    );
    quote! {
        #[doc = #doc]
        pub fn stream_split(self, concurrency: usize) -> crate::runtime::split::SplitStream<models::#envelope> {
            let parts = crate::runtime::split::days(self.#start, self.#end)
                .into_iter()
                .map(|(first, last)| {
                    let mut day = self.clone();
                    day.#start = first;
                    day.#end = last;
                    crate::runtime::split::Part {
                        label: first.date_naive().to_string(),
                        request: day.request(),
                    }
                })
                .collect();
            crate::runtime::split::SplitStream::new(self.client.0.clone(), parts, concurrency)
        }
    }
}

/// A free function that builds the request of an operation from its arguments.
fn request_fn(op: &Operation) -> TokenStream {
    let name = request_fn_name(op);
    let mut decls: Vec<TokenStream> = op.params.iter().map(param_decl).collect();
    if let Some(body) = &op.body {
        // An array body is taken as a slice.
        let t = match &body.ty {
            TypeRef::Vec(item) => {
                let item = ty(item, &quote! { models:: });
                quote! { [#item] }
            }
            TypeRef::String => quote! { str },
            other => ty(other, &quote! { models:: }),
        };
        decls.push(if body.required {
            quote! { body: &#t }
        } else {
            quote! { body: Option<&#t> }
        });
    }
    let id = &op.id;
    // Path arguments are percent-encoded into locals first: `format!` then takes only inline
    // names, which keeps the printed code readable.
    let mut format = String::new();
    let mut encoded = Vec::new();
    for segment in op.path.split('/').skip(1) {
        format.push('/');
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let p = op
                .params
                .iter()
                .find(|p| p.location == ParamLocation::Path && p.name == name)
                .expect("lower checks path params");
            let v = ident(&p.rust_name);
            let local = format!("{}_segment", p.rust_name.trim_start_matches("r#"));
            format.push_str(&format!("{{{local}}}"));
            let local = ident(&local);
            let encode = if p.skip_url_encoding {
                quote! { encode_path_value }
            } else {
                quote! { encode_path_segment }
            };
            encoded.push(match p.ty {
                TypeRef::String => quote! { let #local = crate::runtime::client::#encode(#v); },
                _ => quote! { let #local = crate::runtime::client::#encode(&crate::runtime::params::ParamValue::to_param(&#v)); },
            });
        } else {
            format.push_str(&segment.replace('{', "{{").replace('}', "}}"));
        }
    }
    let path = if encoded.is_empty() {
        quote! { #format.to_string() }
    } else {
        quote! { format!(#format) }
    };
    let accept = match &op.response {
        ResponseKind::Bytes { accept } => quote! { .accept(#accept) },
        _ => quote! {},
    };
    let method = &op.http_method;
    let constructor = if method == "GET" {
        quote! { ApiRequest::get(#id, #path) }
    } else {
        let m = format_ident!("{}", method);
        quote! { ApiRequest::new(http::Method::#m, #id, #path) }
    };
    let extras = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(|p| {
            let v = ident(&p.rust_name);
            let wire = &p.name;
            let add = match p.location {
                ParamLocation::Query => quote! { query },
                _ => quote! { header },
            };
            let value = match p.ty {
                TypeRef::String => quote! { value },
                _ => quote! { crate::runtime::params::ParamValue::to_param(&value) },
            };
            if p.required {
                quote! { let value = #v; request = request.#add(#wire, #value); }
            } else {
                quote! { if let Some(value) = #v { request = request.#add(#wire, #value); } }
            }
        });
    let mut extras: Vec<TokenStream> = extras.collect();
    if let Some(body) = &op.body {
        let content_type = &body.content_type;
        extras.push(if body.required {
            quote! { request = request.json_body(#content_type, body); }
        } else {
            quote! { if let Some(body) = body { request = request.json_body(#content_type, body); } }
        });
    }
    let body = if !extras.is_empty() {
        quote! {
            let mut request = #constructor #accept;
            #(#extras)*
            request
        }
    } else {
        quote! { #constructor #accept }
    };
    quote! {
        fn #name(#(#decls),*) -> ApiRequest {
            #(#encoded)*
            #body
        }
    }
}
