//! Stage 2: Swagger 2.0 → OpenAPI 3.0.3, on the JSON tree.
//!
//! Our own pass rather than a library: the published document is Swashbuckle output (a small,
//! regular subset of 2.0), key order must survive (it drives the order of generated code), and
//! anything outside that subset must stop with the JSON pointer of the offending node instead
//! of turning into silently wrong code. Pointers in errors always refer to the *input* document.
//! OpenAPI 3.0.x documents pass through unchanged after the same reference and recursion checks.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result, push_pointer};

/// The OpenAPI version a converted Swagger 2.0 document declares.
pub const TARGET_VERSION: &str = "3.0.3";

/// Media type assumed when neither the operation nor the document says (`produces`/`consumes`).
const DEFAULT_MEDIA_TYPE: &str = "application/json";

/// Keys of a Swagger 2.0 non-body parameter (or response header) that describe its value and so
/// move into the 3.0 `schema`. `x-nullable` and `x-ms-enum` describe the value too.
const VALUE_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
    "x-ms-enum",
];

/// JSON Schema keywords a Swagger 2.0 schema cannot contain. Seeing one means the document is
/// not what it claims to be, and guessing its meaning would generate wrong types.
const UNSUPPORTED_SCHEMA_KEYWORDS: &[&str] = &[
    "oneOf",
    "anyOf",
    "not",
    "const",
    "if",
    "then",
    "else",
    "prefixItems",
    "contains",
    "additionalItems",
    "patternProperties",
    "propertyNames",
    "dependencies",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$defs",
];

/// Upgrades `doc` (read from `file`) to OpenAPI 3.0: converts Swagger 2.0, passes 3.0.x through,
/// refuses everything else.
pub fn upgrade(file: &Path, doc: Value) -> Result<Value> {
    let Value::Object(root) = &doc else {
        let message = match &doc {
            Value::Null => "the document is empty".to_owned(),
            other => format!(
                "the document must be a JSON object, found {}",
                kind_of(other)
            ),
        };
        return Err(Error::at(file, "", message));
    };
    if let Some(version) = root.get("openapi") {
        let Some(version) = version.as_str() else {
            return Err(Error::at(
                file,
                "/openapi",
                format!(
                    "`openapi` must be a string such as \"3.0.3\", found {}",
                    kind_of(version)
                ),
            ));
        };
        if version == "3.0" || version.starts_with("3.0.") {
            check_refs(file, &doc)?;
            check_recursion(file, &doc)?;
            return Ok(doc);
        }
        let message = if version == "3.1" || version.starts_with("3.1.") {
            "OpenAPI 3.1 is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
                .to_owned()
        } else {
            format!(
                "OpenAPI version {version:?} is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
            )
        };
        return Err(Error::at(file, "/openapi", message));
    }
    match root.get("swagger") {
        // YAML turns an unquoted `swagger: 2.0` into a number; the intent is unambiguous.
        Some(v) if v.as_str() == Some("2.0") || v.as_f64() == Some(2.0) => {}
        Some(v) => {
            return Err(Error::at(
                file,
                "/swagger",
                format!(
                    "Swagger version {v} is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
                ),
            ));
        }
        None => {
            return Err(Error::at(
                file,
                "",
                "neither `swagger: \"2.0\"` nor `openapi: 3.0.x` is set; the generator reads Swagger 2.0 and OpenAPI 3.0.x",
            ));
        }
    }
    let converted = Converter::new(file, &doc, root)?.document()?;
    // Report recursion where the author wrote it: under `definitions`.
    check_recursion(file, &converted).map_err(|mut e| {
        if let Some(rest) = e.pointer.strip_prefix("/components/schemas/") {
            e.pointer = format!("/definitions/{rest}");
        }
        e
    })?;
    Ok(converted)
}

/// Refuses schemas that contain themselves through `$ref` (via properties, items, allOf, ...):
/// the generated client does not box types, so such a model would not compile.
/// Reads `components.schemas` of an OpenAPI 3.0 document; the error names the first schema, in
/// document order, that reaches itself.
pub fn check_recursion(file: &Path, doc: &Value) -> Result<()> {
    const PREFIX: &str = "#/components/schemas/";
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
    for (name, schema) in schemas {
        let mut targets = Vec::new();
        let _ = walk_refs(schema, "", false, &mut |reference: &str, _| {
            if let Some(target) =
                reference
                    .strip_prefix(PREFIX)
                    .and_then(percent_decode)
                    .map(|rest| {
                        let token = rest.split('/').next().unwrap_or_default();
                        token.replace("~1", "/").replace("~0", "~")
                    })
                && schemas.contains_key(&target)
                && !targets.contains(&target)
            {
                targets.push(target);
            }
            Ok(())
        });
        edges.insert(name, targets);
    }
    for name in schemas.keys() {
        if let Some(cycle) = cycle_through(&edges, name) {
            return Err(Error::at(
                file,
                push_pointer("/components/schemas", name),
                format!(
                    "recursive schema: {} (the generated client does not box types, so a schema cannot contain itself)",
                    cycle.join(" -> ")
                ),
            ));
        }
    }
    Ok(())
}

/// The shortest chain of schema names from `start` back to itself, if there is one.
fn cycle_through(edges: &HashMap<&str, Vec<String>>, start: &str) -> Option<Vec<String>> {
    let mut parent: HashMap<&str, &str> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in edges.get(node).into_iter().flatten() {
            if next == start {
                let mut chain = vec![start.to_owned()];
                let mut at = node;
                while at != start {
                    chain.push(at.to_owned());
                    at = parent[at];
                }
                chain.push(start.to_owned());
                chain.reverse();
                return Some(chain);
            }
            if !parent.contains_key(next.as_str()) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Checks every `$ref` of an OpenAPI 3.0 document: local and resolvable.
fn check_refs(file: &Path, doc: &Value) -> Result<()> {
    walk_refs(doc, "", false, &mut |reference: &str, pointer: &str| {
        if !reference.starts_with("#/") {
            return Err(Error::at(file, pointer, external_ref_message(reference)));
        }
        if resolve(doc, reference).is_none() {
            return Err(Error::at(file, pointer, unresolved_ref_message(reference)));
        }
        Ok(())
    })
}

/// Maps whose keys are names chosen by the author rather than keywords: below them a key such as
/// `example` is a name, not literal data to skip.
const NAMED_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "definitions",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "examples",
    "links",
    "callbacks",
    "paths",
    "content",
    "encoding",
    "variables",
];

/// Calls `f(reference, pointer of the $ref node)` for every string `$ref` in `value`, skipping
/// literal data (`example`, `default`, `enum`, an Example's `value`) and vendor extensions,
/// where a `$ref` key is content rather than a reference.
fn walk_refs(
    value: &Value,
    pointer: &str,
    named: bool,
    f: &mut dyn FnMut(&str, &str) -> Result<()>,
) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = push_pointer(pointer, key);
                if !named {
                    if key == "$ref" {
                        if let Value::String(reference) = child {
                            f(reference, &child_pointer)?;
                        }
                        continue;
                    }
                    if matches!(key.as_str(), "example" | "default" | "enum" | "value")
                        || key.starts_with("x-")
                    {
                        continue;
                    }
                }
                let child_named = !named && NAMED_MAPS.contains(&key.as_str()) && child.is_object();
                walk_refs(child, &child_pointer, child_named, f)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_refs(item, &push_pointer(pointer, &i.to_string()), false, f)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn external_ref_message(reference: &str) -> String {
    format!(
        "external $ref not supported: {reference:?} (only local references such as \"#/definitions/Name\")"
    )
}

fn unresolved_ref_message(reference: &str) -> String {
    format!("unresolved $ref {reference:?}: the document has no such node")
}

/// The RFC 6901 pointer a local reference (`#/a/b%20c`) names, with URI escapes undone.
fn local_pointer(reference: &str) -> Option<String> {
    percent_decode(reference.strip_prefix('#')?)
}

/// The node a local reference names in `doc`.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = local_pointer(reference)?;
    if pointer.is_empty() {
        return None;
    }
    doc.pointer(&pointer)
}

/// Undoes `%XX` escapes (a `$ref` is a URI, so its fragment may be escaped).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A short name for a JSON value's kind, for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What a `$ref` at a given place must point to.
#[derive(Debug, Clone, Copy)]
enum RefKind {
    Schema,
    Parameter,
    Response,
}

impl RefKind {
    /// (2.0 prefix, 3.0 prefix).
    fn prefixes(self) -> (&'static str, &'static str) {
        match self {
            RefKind::Schema => ("#/definitions/", "#/components/schemas/"),
            RefKind::Parameter => ("#/parameters/", "#/components/parameters/"),
            RefKind::Response => ("#/responses/", "#/components/responses/"),
        }
    }
}

/// A parameter list entry with any `$ref` followed.
#[derive(Debug)]
struct Param<'a> {
    /// The rewritten reference, when the entry was a `$ref`.
    reference: Option<String>,
    /// The parameter object in the original document.
    obj: &'a Map<String, Value>,
    /// Where `obj` sits in the original document.
    pointer: String,
    name: &'a str,
    location: &'a str,
}

/// The Swagger 2.0 → OpenAPI 3.0 conversion of one document.
struct Converter<'a> {
    file: &'a Path,
    doc: &'a Value,
    root: &'a Map<String, Value>,
    produces: Vec<String>,
    consumes: Vec<String>,
}

impl<'a> Converter<'a> {
    fn new(file: &'a Path, doc: &'a Value, root: &'a Map<String, Value>) -> Result<Self> {
        let mut converter = Converter {
            file,
            doc,
            root,
            produces: Vec::new(),
            consumes: Vec::new(),
        };
        if let Some(v) = root.get("produces") {
            converter.produces = converter.media_types(v, "/produces")?;
        }
        if let Some(v) = root.get("consumes") {
            converter.consumes = converter.media_types(v, "/consumes")?;
        }
        Ok(converter)
    }

    fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::at(self.file, pointer, message)
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        pointer: &str,
        what: &str,
    ) -> Result<&'v Map<String, Value>> {
        value.as_object().ok_or_else(|| {
            self.err(
                pointer,
                format!("{what} must be a JSON object, found {}", kind_of(value)),
            )
        })
    }

    fn array<'v>(&self, value: &'v Value, pointer: &str, what: &str) -> Result<&'v Vec<Value>> {
        value.as_array().ok_or_else(|| {
            self.err(
                pointer,
                format!("{what} must be an array, found {}", kind_of(value)),
            )
        })
    }

    fn string<'v>(&self, value: &'v Value, pointer: &str, what: &str) -> Result<&'v str> {
        value.as_str().ok_or_else(|| {
            self.err(
                pointer,
                format!("{what} must be a string, found {}", kind_of(value)),
            )
        })
    }

    fn media_types(&self, value: &Value, pointer: &str) -> Result<Vec<String>> {
        self.array(value, pointer, "a media type list")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                self.string(v, &push_pointer(pointer, &i.to_string()), "a media type")
                    .map(str::to_owned)
            })
            .collect()
    }

    /// The operation's list if it has a non-empty one, else the document's, else JSON.
    fn effective(
        &self,
        op: &Map<String, Value>,
        key: &str,
        pointer: &str,
        global: &[String],
    ) -> Result<Vec<String>> {
        let own = match op.get(key) {
            Some(v) => self.media_types(v, &push_pointer(pointer, key))?,
            None => Vec::new(),
        };
        Ok(if !own.is_empty() {
            own
        } else if !global.is_empty() {
            global.to_vec()
        } else {
            vec![DEFAULT_MEDIA_TYPE.to_owned()]
        })
    }

    /// Checks a `$ref` (at `pointer`, the `$ref` node itself) and rewrites it to its 3.0 place.
    fn rewrite_ref(&self, value: &Value, pointer: &str, kind: RefKind) -> Result<String> {
        let reference = self.string(value, pointer, "`$ref`")?;
        if !reference.starts_with("#/") {
            return Err(self.err(pointer, external_ref_message(reference)));
        }
        if resolve(self.doc, reference).is_none() {
            return Err(self.err(pointer, unresolved_ref_message(reference)));
        }
        let (from, to) = kind.prefixes();
        match reference.strip_prefix(from) {
            Some(rest) => Ok(format!("{to}{rest}")),
            None => Err(self.err(
                pointer,
                format!("$ref {reference:?} must point into {from} here"),
            )),
        }
    }

    /// The whole document, top-level keys in their original order.
    fn document(&self) -> Result<Value> {
        let mut out = Map::new();
        let mut servers_done = false;
        for (key, value) in self.root {
            let pointer = push_pointer("", key);
            match key.as_str() {
                "swagger" => {
                    out.insert("openapi".into(), TARGET_VERSION.into());
                }
                "host" | "basePath" | "schemes" => {
                    if !servers_done {
                        servers_done = true;
                        let servers = self.servers(None)?;
                        if !servers.is_empty() {
                            out.insert("servers".into(), Value::Array(servers));
                        }
                    }
                }
                // Used while converting operations and responses.
                "produces" | "consumes" => {}
                "paths" => {
                    out.insert("paths".into(), self.paths(value, &pointer)?);
                }
                "definitions" => {
                    let schemas = self.definitions(value, &pointer)?;
                    add_component(&mut out, "schemas", schemas);
                }
                "parameters" => {
                    let parameters = self.component_parameters(value, &pointer)?;
                    add_component(&mut out, "parameters", parameters);
                }
                "responses" => {
                    let responses = self.component_responses(value, &pointer)?;
                    add_component(&mut out, "responses", responses);
                }
                "securityDefinitions" => {
                    let schemes = self.security_definitions(value, &pointer)?;
                    add_component(&mut out, "securitySchemes", schemes);
                }
                "info" | "security" | "tags" | "externalDocs" => {
                    out.insert(key.clone(), value.clone());
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {
                    return Err(self.err(
                        &pointer,
                        format!("unknown top-level field `{key}` in a Swagger 2.0 document"),
                    ));
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// `servers` from `host`, `basePath` and `schemes` (or an operation's own `schemes`).
    fn servers(&self, op_schemes: Option<(&Value, &str)>) -> Result<Vec<Value>> {
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

    fn definitions(&self, value: &Value, pointer: &str) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, schema) in self.object(value, pointer, "`definitions`")? {
            out.insert(
                name.clone(),
                self.schema(schema, &push_pointer(pointer, name))?,
            );
        }
        Ok(out)
    }

    /// Reusable non-body parameters. Body and formData ones have no 3.0 parameter form: they
    /// are checked here and inlined into each `requestBody` that references them.
    fn component_parameters(&self, value: &'a Value, pointer: &str) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, param) in self.object(value, pointer, "`parameters`")? {
            let param_pointer = push_pointer(pointer, name);
            if self
                .object(param, &param_pointer, "a parameter")?
                .contains_key("$ref")
            {
                return Err(self.err(
                    &push_pointer(&param_pointer, "$ref"),
                    "a reusable parameter cannot itself be a $ref",
                ));
            }
            let param = self.resolve_param(param, &param_pointer)?;
            match param.location {
                "body" => {
                    self.request_body(&param, &[DEFAULT_MEDIA_TYPE.to_owned()])?;
                }
                "formData" => {
                    self.form_body(&[&param], &[])?;
                }
                _ => {
                    out.insert(name.clone(), self.parameter(&param)?);
                }
            }
        }
        Ok(out)
    }

    fn component_responses(&self, value: &Value, pointer: &str) -> Result<Map<String, Value>> {
        let produces = if self.produces.is_empty() {
            vec![DEFAULT_MEDIA_TYPE.to_owned()]
        } else {
            self.produces.clone()
        };
        let mut out = Map::new();
        for (name, response) in self.object(value, pointer, "`responses`")? {
            let response_pointer = push_pointer(pointer, name);
            if self
                .object(response, &response_pointer, "a response")?
                .contains_key("$ref")
            {
                return Err(self.err(
                    &push_pointer(&response_pointer, "$ref"),
                    "a reusable response cannot itself be a $ref",
                ));
            }
            out.insert(
                name.clone(),
                self.response(response, &response_pointer, &produces)?,
            );
        }
        Ok(out)
    }

    fn security_definitions(&self, value: &Value, pointer: &str) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, scheme) in self.object(value, pointer, "`securityDefinitions`")? {
            out.insert(
                name.clone(),
                self.security_scheme(scheme, &push_pointer(pointer, name))?,
            );
        }
        Ok(out)
    }

    /// apiKey stays; basic becomes http/basic; oauth2's single `flow` becomes `flows`.
    fn security_scheme(&self, value: &Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "a security scheme")?;
        let type_pointer = push_pointer(pointer, "type");
        let kind = match obj.get("type") {
            Some(v) => self.string(v, &type_pointer, "`type`")?,
            None => return Err(self.err(pointer, "security scheme has no `type`")),
        };
        let mut out = Map::new();
        match kind {
            "apiKey" => return Ok(value.clone()),
            "basic" => {
                for (key, v) in obj {
                    if key == "type" {
                        out.insert("type".into(), "http".into());
                        out.insert("scheme".into(), "basic".into());
                    } else {
                        out.insert(key.clone(), v.clone());
                    }
                }
            }
            "oauth2" => {
                let flow_pointer = push_pointer(pointer, "flow");
                let flow = match obj.get("flow") {
                    Some(v) => self.string(v, &flow_pointer, "`flow`")?,
                    None => return Err(self.err(pointer, "oauth2 security scheme has no `flow`")),
                };
                let (name, urls): (&str, &[&str]) = match flow {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    other => {
                        return Err(
                            self.err(&flow_pointer, format!("unknown oauth2 flow {other:?}"))
                        );
                    }
                };
                let mut flow_obj = Map::new();
                for url in urls {
                    let v = obj.get(*url).ok_or_else(|| {
                        self.err(pointer, format!("oauth2 flow `{flow}` needs `{url}`"))
                    })?;
                    flow_obj.insert((*url).into(), v.clone());
                }
                flow_obj.insert(
                    "scopes".into(),
                    obj.get("scopes").cloned().unwrap_or_else(|| json!({})),
                );
                for (key, v) in obj {
                    match key.as_str() {
                        "flow" => {
                            out.insert("flows".into(), json!({ name: flow_obj.clone() }));
                        }
                        "authorizationUrl" | "tokenUrl" | "scopes" => {}
                        _ => {
                            out.insert(key.clone(), v.clone());
                        }
                    }
                }
            }
            other => {
                return Err(self.err(
                    &type_pointer,
                    format!(
                        "unknown security scheme type {other:?} (expected apiKey, basic or oauth2)"
                    ),
                ));
            }
        }
        Ok(Value::Object(out))
    }

    fn paths(&self, value: &'a Value, pointer: &str) -> Result<Value> {
        let mut out = Map::new();
        for (path, item) in self.object(value, pointer, "`paths`")? {
            let item_pointer = push_pointer(pointer, path);
            let converted = if path.starts_with("x-") {
                item.clone()
            } else {
                self.path_item(item, &item_pointer)?
            };
            out.insert(path.clone(), converted);
        }
        Ok(Value::Object(out))
    }

    fn path_item(&self, value: &'a Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "a path item")?;
        let shared = match obj.get("parameters") {
            Some(v) => self.param_list(v, &push_pointer(pointer, "parameters"))?,
            None => Vec::new(),
        };
        let mut out = Map::new();
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                    out.insert(key.clone(), self.operation(v, &key_pointer, &shared)?);
                }
                "parameters" => {
                    // Body and formData ones are pushed down into each operation's requestBody.
                    let kept = shared
                        .iter()
                        .filter(|p| !matches!(p.location, "body" | "formData"))
                        .map(|p| self.parameter_entry(p))
                        .collect::<Result<Vec<_>>>()?;
                    if !kept.is_empty() {
                        out.insert(key.clone(), Value::Array(kept));
                    }
                }
                "$ref" => {
                    return Err(self.err(&key_pointer, "$ref on a path item is not supported"));
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn param_list(&self, value: &'a Value, pointer: &str) -> Result<Vec<Param<'a>>> {
        self.array(value, pointer, "`parameters`")?
            .iter()
            .enumerate()
            .map(|(i, p)| self.resolve_param(p, &push_pointer(pointer, &i.to_string())))
            .collect()
    }

    /// Follows a parameter `$ref` (so body parameters can be told apart) and reads name and `in`.
    fn resolve_param(&self, value: &'a Value, pointer: &str) -> Result<Param<'a>> {
        let entry = self.object(value, pointer, "a parameter")?;
        let (reference, obj, pointer) = match entry.get("$ref") {
            Some(r) => {
                let reference =
                    self.rewrite_ref(r, &push_pointer(pointer, "$ref"), RefKind::Parameter)?;
                // rewrite_ref resolved it, so both lookups succeed.
                let target_pointer = r.as_str().and_then(local_pointer).unwrap_or_default();
                let target = self.doc.pointer(&target_pointer).unwrap_or(&Value::Null);
                let obj = self.object(target, &target_pointer, "a parameter")?;
                if obj.contains_key("$ref") {
                    return Err(self.err(
                        &push_pointer(&target_pointer, "$ref"),
                        "a reusable parameter cannot itself be a $ref",
                    ));
                }
                (Some(reference), obj, target_pointer)
            }
            None => (None, entry, pointer.to_owned()),
        };
        let name = match obj.get("name") {
            Some(v) => self.string(v, &push_pointer(&pointer, "name"), "`name`")?,
            None => return Err(self.err(&pointer, "parameter has no `name`")),
        };
        let in_pointer = push_pointer(&pointer, "in");
        let location = match obj.get("in") {
            Some(v) => self.string(v, &in_pointer, "`in`")?,
            None => return Err(self.err(&pointer, format!("parameter `{name}` has no `in`"))),
        };
        if !matches!(location, "query" | "header" | "path" | "formData" | "body") {
            return Err(self.err(
                &in_pointer,
                format!("unknown parameter location {location:?} (expected query, header, path, formData or body)"),
            ));
        }
        Ok(Param {
            reference,
            obj,
            pointer,
            name,
            location,
        })
    }

    fn operation(&self, value: &'a Value, pointer: &str, shared: &[Param<'a>]) -> Result<Value> {
        let op = self.object(value, pointer, "an operation")?;
        let own = match op.get("parameters") {
            Some(v) => self.param_list(v, &push_pointer(pointer, "parameters"))?,
            None => Vec::new(),
        };
        // Path-level body/formData parameters apply unless the operation redefines them.
        let inherited = shared.iter().filter(|s| {
            matches!(s.location, "body" | "formData")
                && !own
                    .iter()
                    .any(|o| o.name == s.name && o.location == s.location)
        });
        let mut bodies = Vec::new();
        let mut forms = Vec::new();
        for p in own.iter().chain(inherited) {
            match p.location {
                "body" => bodies.push(p),
                "formData" => forms.push(p),
                _ => {}
            }
        }
        if let Some(extra) = bodies.get(1) {
            return Err(self.err(
                &extra.pointer,
                "an operation can have only one body parameter",
            ));
        }
        if let (Some(body), Some(_)) = (bodies.first(), forms.first()) {
            return Err(self.err(
                &body.pointer,
                "an operation cannot have both body and formData parameters",
            ));
        }
        let consumes = self.effective(op, "consumes", pointer, &self.consumes)?;
        let produces = self.effective(op, "produces", pointer, &self.produces)?;
        let mut request_body = match (bodies.first(), forms.is_empty()) {
            (Some(body), _) => Some(self.request_body(body, &consumes)?),
            (None, false) => Some(self.form_body(&forms, &consumes)?),
            (None, true) => None,
        };
        if !op.contains_key("responses") {
            return Err(self.err(pointer, "operation has no `responses`"));
        }

        let mut out = Map::new();
        for (key, v) in op {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "consumes" | "produces" => {}
                "schemes" => {
                    let servers = self.servers(Some((v, &key_pointer)))?;
                    if !servers.is_empty() {
                        out.insert("servers".into(), Value::Array(servers));
                    }
                }
                "parameters" => {
                    let kept = own
                        .iter()
                        .filter(|p| !matches!(p.location, "body" | "formData"))
                        .map(|p| self.parameter_entry(p))
                        .collect::<Result<Vec<_>>>()?;
                    if !kept.is_empty() {
                        out.insert("parameters".into(), Value::Array(kept));
                    }
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".into(), body);
                    }
                }
                "responses" => {
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".into(), body);
                    }
                    out.insert(key.clone(), self.responses(v, &key_pointer, &produces)?);
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// A non-body parameter as it appears in a 3.0 list: a rewritten `$ref` or the converted object.
    fn parameter_entry(&self, param: &Param<'_>) -> Result<Value> {
        match &param.reference {
            Some(reference) => Ok(json!({ "$ref": reference })),
            None => self.parameter(param),
        }
    }

    /// A non-body parameter: value keywords move into `schema`, `collectionFormat` becomes
    /// `style`/`explode`, path parameters become required.
    fn parameter(&self, param: &Param<'_>) -> Result<Value> {
        let obj = param.obj;
        let pointer = &param.pointer;
        let is_path = param.location == "path";
        if let Some(v) = obj.get("type") {
            if v.as_str() == Some("file") {
                return Err(self.err(
                    &push_pointer(pointer, "type"),
                    "`type: file` is only allowed for formData parameters",
                ));
            }
        } else {
            return Err(self.err(pointer, format!("parameter `{}` has no `type`", param.name)));
        }
        if obj.contains_key("schema") {
            return Err(self.err(
                &push_pointer(pointer, "schema"),
                "only body parameters have a `schema` in Swagger 2.0",
            ));
        }
        let schema = self.value_schema(obj, pointer)?;
        let style = self.style(obj, param.location, pointer)?;
        let mut out = Map::new();
        let mut schema_slot = Some(schema);
        for (key, v) in obj {
            match key.as_str() {
                "required" if is_path => {
                    out.insert(key.clone(), true.into());
                }
                "allowEmptyValue" if param.location != "query" => {}
                "collectionFormat" => {}
                "x-example" => {
                    out.insert("example".into(), v.clone());
                }
                k if VALUE_KEYS.contains(&k) => {
                    if let Some(schema) = schema_slot.take() {
                        if is_path && !out.contains_key("required") {
                            out.insert("required".into(), true.into());
                        }
                        out.insert("schema".into(), schema);
                        if let Some((style, explode)) = style {
                            out.insert("style".into(), style.into());
                            if let Some(explode) = explode {
                                out.insert("explode".into(), explode.into());
                            }
                        }
                    }
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// The 3.0 `style` (and `explode`) of an array parameter, as swagger2openapi maps them.
    fn style(
        &self,
        obj: &Map<String, Value>,
        location: &str,
        pointer: &str,
    ) -> Result<Option<(&'static str, Option<bool>)>> {
        if obj.get("type").and_then(Value::as_str) != Some("array") {
            return Ok(None);
        }
        let format_pointer = push_pointer(pointer, "collectionFormat");
        let format = match obj.get("collectionFormat") {
            Some(v) => self.string(v, &format_pointer, "`collectionFormat`")?,
            None => "csv",
        };
        Ok(Some(match (format, location) {
            ("csv", "query") => ("form", Some(false)),
            ("csv", "path" | "header") => ("simple", None),
            ("multi", "query") => ("form", Some(true)),
            ("ssv", "query") => ("spaceDelimited", None),
            ("pipes", "query") => ("pipeDelimited", None),
            ("tsv", _) => {
                return Err(self.err(
                    &format_pointer,
                    "collectionFormat tsv has no OpenAPI 3.0 equivalent",
                ));
            }
            (other, _) => {
                return Err(self.err(
                    &format_pointer,
                    format!(
                        "collectionFormat {other:?} is not supported for {location} parameters"
                    ),
                ));
            }
        }))
    }

    /// The schema of a non-body parameter, form field or response header, built from its value
    /// keywords in their original order.
    fn value_schema(&self, obj: &Map<String, Value>, pointer: &str) -> Result<Value> {
        let is_file = obj.get("type").and_then(Value::as_str) == Some("file");
        let mut schema = Map::new();
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "type" => {
                    let kind = self.string(v, &key_pointer, "`type`")?;
                    if !matches!(
                        kind,
                        "string" | "number" | "integer" | "boolean" | "array" | "file"
                    ) {
                        return Err(
                            self.err(&key_pointer, format!("unknown parameter type {kind:?}"))
                        );
                    }
                    if is_file {
                        schema.insert("type".into(), "string".into());
                        schema.insert("format".into(), "binary".into());
                    } else {
                        schema.insert(key.clone(), v.clone());
                    }
                    if kind == "array" && !obj.contains_key("items") {
                        return Err(self.err(pointer, "array parameter has no `items`"));
                    }
                }
                "format" if is_file => {}
                "items" => {
                    schema.insert(key.clone(), self.items(v, &key_pointer)?);
                }
                "x-nullable" => {
                    schema.insert("nullable".into(), self.nullable(v, &key_pointer)?);
                }
                k if VALUE_KEYS.contains(&k) => {
                    schema.insert(key.clone(), v.clone());
                }
                _ => {}
            }
        }
        Ok(Value::Object(schema))
    }

    /// A 2.0 Items object (the element type of an array parameter) as a schema.
    fn items(&self, value: &Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "`items`")?;
        if obj.contains_key("$ref") {
            return self.schema(value, pointer);
        }
        if !obj.contains_key("type") {
            return Err(self.err(pointer, "`items` has no `type`"));
        }
        self.value_schema(obj, pointer)
    }

    fn nullable(&self, value: &Value, pointer: &str) -> Result<Value> {
        match value {
            Value::Bool(_) => Ok(value.clone()),
            other => Err(self.err(
                pointer,
                format!("`x-nullable` must be a boolean, found {}", kind_of(other)),
            )),
        }
    }

    /// `in: body` → `requestBody` with the schema under every consumed media type.
    fn request_body(&self, param: &Param<'_>, consumes: &[String]) -> Result<Value> {
        let obj = param.obj;
        let schema = match obj.get("schema") {
            Some(schema) => self.schema(schema, &push_pointer(&param.pointer, "schema"))?,
            None => return Err(self.err(&param.pointer, "body parameter has no `schema`")),
        };
        let mut out = Map::new();
        if let Some(description) = obj.get("description") {
            out.insert("description".into(), description.clone());
        }
        let content: Map<String, Value> = consumes
            .iter()
            .map(|mime| (mime.clone(), json!({ "schema": schema.clone() })))
            .collect();
        out.insert("content".into(), Value::Object(content));
        if let Some(required) = obj.get("required") {
            out.insert("required".into(), required.clone());
        }
        for (key, v) in obj {
            if key.starts_with("x-") {
                out.insert(key.clone(), v.clone());
            }
        }
        Ok(Value::Object(out))
    }

    /// `in: formData` parameters → one object schema under multipart/form-data (when consumed,
    /// or when a file is uploaded) or application/x-www-form-urlencoded.
    fn form_body(&self, params: &[&Param<'_>], consumes: &[String]) -> Result<Value> {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut has_file = false;
        for param in params {
            let obj = param.obj;
            if !obj.contains_key("type") {
                return Err(self.err(
                    &param.pointer,
                    format!("parameter `{}` has no `type`", param.name),
                ));
            }
            has_file |= obj.get("type").and_then(Value::as_str) == Some("file");
            let mut property = Map::new();
            if let Some(description) = obj.get("description") {
                property.insert("description".into(), description.clone());
            }
            if let Value::Object(schema) = self.value_schema(obj, &param.pointer)? {
                property.extend(schema);
            }
            properties.insert(param.name.to_owned(), Value::Object(property));
            if obj.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(param.name.to_owned()));
            }
        }
        let multipart = has_file || consumes.iter().any(|m| m == "multipart/form-data");
        let mime = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut schema = Map::new();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), Value::Object(properties));
        let any_required = !required.is_empty();
        if any_required {
            schema.insert("required".into(), Value::Array(required));
        }
        let mut out = Map::new();
        out.insert("content".into(), json!({ mime: { "schema": schema } }));
        if any_required {
            out.insert("required".into(), true.into());
        }
        Ok(Value::Object(out))
    }

    fn responses(&self, value: &Value, pointer: &str, produces: &[String]) -> Result<Value> {
        let mut out = Map::new();
        for (code, response) in self.object(value, pointer, "`responses`")? {
            let code_pointer = push_pointer(pointer, code);
            if code.starts_with("x-") {
                out.insert(code.clone(), response.clone());
                continue;
            }
            let is_status = code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit());
            if code != "default" && !is_status {
                return Err(self.err(
                    &code_pointer,
                    format!("{code:?} is not an HTTP status code or `default`"),
                ));
            }
            out.insert(
                code.clone(),
                self.response(response, &code_pointer, produces)?,
            );
        }
        Ok(Value::Object(out))
    }

    /// A response: `schema` (and `examples`) → `content` per produced media type, header value
    /// keywords → `schema`, and the `description` 3.0 requires.
    fn response(&self, value: &Value, pointer: &str, produces: &[String]) -> Result<Value> {
        let obj = self.object(value, pointer, "a response")?;
        if let Some(r) = obj.get("$ref") {
            let reference =
                self.rewrite_ref(r, &push_pointer(pointer, "$ref"), RefKind::Response)?;
            return Ok(json!({ "$ref": reference }));
        }
        let mut content = Map::new();
        if let Some(schema) = obj.get("schema") {
            let schema = self.schema(schema, &push_pointer(pointer, "schema"))?;
            for mime in produces {
                content.insert(mime.clone(), json!({ "schema": schema.clone() }));
            }
        }
        if let Some(examples) = obj.get("examples") {
            let examples_pointer = push_pointer(pointer, "examples");
            for (mime, example) in self.object(examples, &examples_pointer, "`examples`")? {
                let entry = content.entry(mime.clone()).or_insert_with(|| json!({}));
                if let Value::Object(entry) = entry {
                    entry.insert(
                        "examples".into(),
                        json!({ "response": { "value": example } }),
                    );
                }
            }
        }
        let mut out = Map::new();
        if !obj.contains_key("description") {
            out.insert("description".into(), "".into());
        }
        let mut content_slot = (!content.is_empty()).then_some(content);
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "schema" | "examples" => {
                    if let Some(content) = content_slot.take() {
                        out.insert("content".into(), Value::Object(content));
                    }
                }
                "headers" => {
                    out.insert(key.clone(), self.headers(v, &key_pointer)?);
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn headers(&self, value: &Value, pointer: &str) -> Result<Value> {
        let mut out = Map::new();
        for (name, header) in self.object(value, pointer, "`headers`")? {
            let header_pointer = push_pointer(pointer, name);
            let obj = self.object(header, &header_pointer, "a header")?;
            if !obj.contains_key("type") {
                return Err(self.err(&header_pointer, format!("header `{name}` has no `type`")));
            }
            if let Some(format) = obj.get("collectionFormat")
                && format.as_str() != Some("csv")
            {
                return Err(self.err(
                    &push_pointer(&header_pointer, "collectionFormat"),
                    "response headers support only collectionFormat csv",
                ));
            }
            let mut schema_slot = Some(self.value_schema(obj, &header_pointer)?);
            let mut converted = Map::new();
            for (key, v) in obj {
                match key.as_str() {
                    "collectionFormat" => {}
                    k if VALUE_KEYS.contains(&k) => {
                        if let Some(schema) = schema_slot.take() {
                            converted.insert("schema".into(), schema);
                        }
                    }
                    _ => {
                        converted.insert(key.clone(), v.clone());
                    }
                }
            }
            out.insert(name.clone(), Value::Object(converted));
        }
        Ok(Value::Object(out))
    }

    /// A 2.0 schema, recursively: `x-nullable` → `nullable`, `type: file` → binary string,
    /// string `discriminator` → object, `$ref`s checked and rewritten, JSON Schema keywords that
    /// 2.0 lacks refused. Vendor extensions stay for the lower stage.
    fn schema(&self, value: &Value, pointer: &str) -> Result<Value> {
        let obj = self.object(value, pointer, "a schema")?;
        let is_file = obj.get("type").and_then(Value::as_str) == Some("file");
        let mut out = Map::new();
        for (key, v) in obj {
            let key_pointer = push_pointer(pointer, key);
            match key.as_str() {
                "$ref" => {
                    out.insert(
                        key.clone(),
                        self.rewrite_ref(v, &key_pointer, RefKind::Schema)?.into(),
                    );
                }
                "type" => match v {
                    Value::String(kind) => {
                        if !matches!(
                            kind.as_str(),
                            "string"
                                | "number"
                                | "integer"
                                | "boolean"
                                | "array"
                                | "object"
                                | "file"
                        ) {
                            return Err(
                                self.err(&key_pointer, format!("unknown schema type {kind:?}"))
                            );
                        }
                        if is_file {
                            out.insert("type".into(), "string".into());
                            out.insert("format".into(), "binary".into());
                        } else {
                            out.insert(key.clone(), v.clone());
                        }
                    }
                    Value::Array(kinds) => {
                        // JSON Schema's `[T, "null"]` is 3.0's `type: T, nullable: true`.
                        let named: Vec<&str> = kinds.iter().filter_map(Value::as_str).collect();
                        let others: Vec<&str> =
                            named.iter().copied().filter(|k| *k != "null").collect();
                        if named.len() != kinds.len() || others.len() != 1 || named.len() > 2 {
                            return Err(self.err(
                                &key_pointer,
                                "`type` must name one type (optionally with \"null\")",
                            ));
                        }
                        out.insert(key.clone(), others[0].into());
                        if named.len() == 2 {
                            out.insert("nullable".into(), true.into());
                        }
                    }
                    other => {
                        return Err(self.err(
                            &key_pointer,
                            format!("`type` must be a string, found {}", kind_of(other)),
                        ));
                    }
                },
                "format" if is_file => {}
                "x-nullable" => {
                    out.insert("nullable".into(), self.nullable(v, &key_pointer)?);
                }
                "discriminator" => {
                    let property = self.string(
                        v,
                        &key_pointer,
                        "`discriminator` (a property name in Swagger 2.0)",
                    )?;
                    out.insert(key.clone(), json!({ "propertyName": property }));
                }
                "properties" => {
                    let mut properties = Map::new();
                    for (name, schema) in self.object(v, &key_pointer, "`properties`")? {
                        properties.insert(
                            name.clone(),
                            self.schema(schema, &push_pointer(&key_pointer, name))?,
                        );
                    }
                    out.insert(key.clone(), Value::Object(properties));
                }
                "items" => {
                    if v.is_array() {
                        return Err(self.err(
                            &key_pointer,
                            "unsupported keyword: tuple `items` (an array of schemas)",
                        ));
                    }
                    out.insert(key.clone(), self.schema(v, &key_pointer)?);
                }
                "allOf" => {
                    let parts = self
                        .array(v, &key_pointer, "`allOf`")?
                        .iter()
                        .enumerate()
                        .map(|(i, part)| {
                            self.schema(part, &push_pointer(&key_pointer, &i.to_string()))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    out.insert(key.clone(), Value::Array(parts));
                }
                "additionalProperties" => {
                    let converted = match v {
                        Value::Bool(_) => v.clone(),
                        _ => self.schema(v, &key_pointer)?,
                    };
                    out.insert(key.clone(), converted);
                }
                k if UNSUPPORTED_SCHEMA_KEYWORDS.contains(&k) => {
                    return Err(self.err(
                        &key_pointer,
                        format!("unsupported keyword `{k}`: Swagger 2.0 schemas do not have it"),
                    ));
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Adds a non-empty section to `components`, creating it where the first section appeared.
fn add_component(out: &mut Map<String, Value>, section: &str, entries: Map<String, Value>) {
    if entries.is_empty() {
        return;
    }
    let components = out.entry("components").or_insert_with(|| json!({}));
    if let Value::Object(components) = components {
        components.insert(section.into(), Value::Object(entries));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> &'static Path {
        Path::new("spec/test.json")
    }

    /// A minimal Swagger 2.0 document with `extra` keys appended in order.
    fn swagger(extra: Value) -> Value {
        let mut doc = json!({"swagger": "2.0", "info": {"title": "T", "version": "v1"}});
        let (Value::Object(doc_map), Value::Object(extra)) = (&mut doc, extra) else {
            unreachable!()
        };
        doc_map.extend(extra);
        if !doc_map.contains_key("paths") {
            doc_map.insert("paths".into(), json!({}));
        }
        doc
    }

    fn up(doc: Value) -> Value {
        upgrade(file(), doc).unwrap_or_else(|e| panic!("{e}"))
    }

    fn up_err(doc: Value) -> Error {
        upgrade(file(), doc).expect_err("the upgrade should fail")
    }

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    /// One GET operation at `/p` with the given fields.
    fn with_op(op: Value, extra: Value) -> Value {
        let mut doc = swagger(extra);
        doc["paths"] = json!({"/p": {"get": op}});
        doc
    }

    fn ok_response() -> Value {
        json!({"200": {"description": "OK"}})
    }

    // --- versions -------------------------------------------------------------------------

    #[test]
    fn swagger_2_becomes_openapi_303_with_key_order_kept() {
        let doc = swagger(json!({
            "host": "h", "schemes": ["https"], "paths": {}, "definitions": {"A": {"type": "string"}},
            "x-top": 1, "tags": [{"name": "t"}],
        }));
        let out = up(doc);
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(
            keys(&out),
            [
                "openapi",
                "info",
                "servers",
                "paths",
                "components",
                "x-top",
                "tags"
            ]
        );
    }

    #[test]
    fn numeric_swagger_version_from_yaml_is_accepted() {
        let mut doc = swagger(json!({}));
        doc["swagger"] = json!(2.0);
        assert_eq!(up(doc)["openapi"], "3.0.3");
    }

    #[test]
    fn openapi_30_passes_through_unchanged() {
        let doc = json!({
            "openapi": "3.0.1", "info": {"title": "T", "version": "1"}, "paths": {},
            "components": {"schemas": {"B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}, "A": {"type": "string", "nullable": true}}}
        });
        assert_eq!(up(doc.clone()), doc);
    }

    #[test]
    fn openapi_31_is_refused_at_openapi() {
        let e = up_err(json!({"openapi": "3.1.0", "info": {}, "paths": {}}));
        assert_eq!(e.pointer, "/openapi");
        assert_eq!(
            e.message,
            "OpenAPI 3.1 is not supported (the generator reads Swagger 2.0 and OpenAPI 3.0.x)"
        );
    }

    #[test]
    fn unknown_or_missing_versions_are_refused() {
        let e = up_err(json!({"swagger": "1.2", "info": {}}));
        assert_eq!(e.pointer, "/swagger");
        assert!(e.message.contains("not supported"), "{e}");
        let e = up_err(json!({"info": {}, "paths": {}}));
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("neither"), "{e}");
        let e = up_err(json!(["not", "an", "object"]));
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("JSON object"), "{e}");
        assert_eq!(up_err(json!({"openapi": "4.0.0"})).pointer, "/openapi");
        assert_eq!(up_err(json!({"openapi": 3.0})).pointer, "/openapi");
    }

    #[test]
    fn unknown_top_level_fields_are_refused() {
        let e = up_err(swagger(json!({"components": {}})));
        assert_eq!(e.pointer, "/components");
    }

    // --- servers --------------------------------------------------------------------------

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

    // --- components and $ref ---------------------------------------------------------------

    #[test]
    fn definitions_become_component_schemas_with_refs_rewritten() {
        let out = up(swagger(json!({"definitions": {
            "A": {"type": "object", "properties": {
                "b": {"$ref": "#/definitions/B"},
                "list": {"type": "array", "items": {"$ref": "#/definitions/B"}},
                "map": {"type": "object", "additionalProperties": {"$ref": "#/definitions/B"}}
            }},
            "B": {"type": "string"},
            "C": {"allOf": [{"$ref": "#/definitions/A"}, {"type": "object"}]}
        }})));
        let schemas = &out["components"]["schemas"];
        assert_eq!(keys(schemas), ["A", "B", "C"]);
        assert_eq!(keys(&schemas["A"]["properties"]), ["b", "list", "map"]);
        assert_eq!(
            schemas["A"]["properties"]["b"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(
            schemas["A"]["properties"]["list"]["items"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(
            schemas["A"]["properties"]["map"]["additionalProperties"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(schemas["C"]["allOf"][0]["$ref"], "#/components/schemas/A");
    }

    #[test]
    fn reusable_parameters_and_responses_become_components() {
        let doc = swagger(json!({
            "paths": {"/p/{id}": {"get": {
                "parameters": [{"$ref": "#/parameters/Id"}, {"$ref": "#/parameters/Body"}],
                "responses": {"200": {"$ref": "#/responses/Ok"}}
            }}},
            "parameters": {
                "Id": {"name": "id", "in": "path", "type": "string"},
                "Body": {"name": "body", "in": "body", "schema": {"type": "string"}}
            },
            "responses": {"Ok": {"description": "OK", "schema": {"type": "string"}}}
        }));
        let out = up(doc);
        assert_eq!(keys(&out["components"]), ["parameters", "responses"]);
        assert_eq!(
            out["components"]["parameters"],
            json!({"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}})
        );
        assert_eq!(
            out["components"]["responses"]["Ok"],
            json!({"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}})
        );
        let op = &out["paths"]["/p/{id}"]["get"];
        assert_eq!(
            op["parameters"],
            json!([{"$ref": "#/components/parameters/Id"}])
        );
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string"})
        );
        assert_eq!(
            op["responses"]["200"],
            json!({"$ref": "#/components/responses/Ok"})
        );
    }

    #[test]
    fn unresolved_ref_names_the_ref_node() {
        let e = up_err(swagger(
            json!({"definitions": {"Foo": {"properties": {"bar": {"$ref": "#/definitions/Missing"}}}}}),
        ));
        assert_eq!(e.pointer, "/definitions/Foo/properties/bar/$ref");
        assert!(e.message.contains("unresolved $ref"), "{e}");
        assert!(
            e.to_string()
                .starts_with("spec/test.json: at /definitions/Foo/properties/bar/$ref: ")
        );
    }

    #[test]
    fn external_and_misplaced_refs_are_refused() {
        let e = up_err(swagger(
            json!({"definitions": {"Foo": {"$ref": "other.json#/definitions/Foo"}}}),
        ));
        assert_eq!(e.pointer, "/definitions/Foo/$ref");
        assert!(e.message.starts_with("external $ref not supported"), "{e}");
        let e = up_err(with_op(
            json!({"parameters": [{"$ref": "#/definitions/A"}], "responses": ok_response()}),
            json!({"definitions": {"A": {"type": "string"}}}),
        ));
        assert_eq!(e.pointer, "/paths/~1p/get/parameters/0/$ref");
        assert!(e.message.contains("#/parameters/"), "{e}");
    }

    #[test]
    fn escaped_refs_resolve() {
        let out = up(swagger(json!({"definitions": {
            "A B": {"type": "string"},
            "C": {"properties": {"x": {"$ref": "#/definitions/A%20B"}}}
        }})));
        assert_eq!(
            out["components"]["schemas"]["C"]["properties"]["x"]["$ref"],
            "#/components/schemas/A%20B"
        );
    }

    #[test]
    fn security_definitions_become_security_schemes() {
        let out = up(swagger(json!({"securityDefinitions": {
            "key": {"type": "apiKey", "name": "Authorization", "in": "header", "description": "d"},
            "basic": {"type": "basic", "description": "b"},
            "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": {"r": "read"}},
            "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {}},
            "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t"},
            "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}
        }})));
        let schemes = &out["components"]["securitySchemes"];
        assert_eq!(
            schemes["key"],
            json!({"type": "apiKey", "name": "Authorization", "in": "header", "description": "d"})
        );
        assert_eq!(
            schemes["basic"],
            json!({"type": "http", "scheme": "basic", "description": "b"})
        );
        assert_eq!(keys(&schemes["basic"]), ["type", "scheme", "description"]);
        assert_eq!(
            schemes["implicit"],
            json!({"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {"r": "read"}}}})
        );
        assert_eq!(
            schemes["password"]["flows"],
            json!({"password": {"tokenUrl": "https://t", "scopes": {}}})
        );
        assert_eq!(
            schemes["app"]["flows"],
            json!({"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}})
        );
        assert_eq!(
            schemes["code"]["flows"],
            json!({"authorizationCode": {"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}})
        );
        let e = up_err(swagger(
            json!({"securityDefinitions": {"x": {"type": "magic"}}}),
        ));
        assert_eq!(e.pointer, "/securityDefinitions/x/type");
    }

    // --- parameters -----------------------------------------------------------------------

    #[test]
    fn non_body_parameter_values_move_into_schema() {
        let out = up(with_op(
            json!({"parameters": [{
                "name": "grain", "in": "query", "description": "d", "required": false,
                "type": "string", "enum": ["daily", "monthly"], "default": "daily",
                "x-ms-enum": {"name": "Grain", "modelAsString": true},
                "x-nullable": true, "x-ms-client-name": "Granularity", "x-example": "daily"
            }], "responses": ok_response()}),
            json!({}),
        ));
        let param = &out["paths"]["/p"]["get"]["parameters"][0];
        assert_eq!(
            keys(param),
            [
                "name",
                "in",
                "description",
                "required",
                "schema",
                "x-ms-client-name",
                "example"
            ]
        );
        assert_eq!(
            param["schema"],
            json!({"type": "string", "enum": ["daily", "monthly"], "default": "daily",
                   "x-ms-enum": {"name": "Grain", "modelAsString": true}, "nullable": true})
        );
        assert_eq!(
            keys(&param["schema"]),
            ["type", "enum", "default", "x-ms-enum", "nullable"]
        );
    }

    #[test]
    fn path_parameters_are_required() {
        let out = up(with_op(
            json!({"parameters": [
                {"name": "a", "in": "path", "type": "string"},
                {"name": "b", "in": "path", "required": false, "type": "integer", "format": "int32", "minimum": 1}
            ], "responses": ok_response()}),
            json!({}),
        ));
        let params = &out["paths"]["/p"]["get"]["parameters"];
        assert_eq!(
            params[0],
            json!({"name": "a", "in": "path", "required": true, "schema": {"type": "string"}})
        );
        assert_eq!(keys(&params[0]), ["name", "in", "required", "schema"]);
        assert_eq!(
            params[1],
            json!({"name": "b", "in": "path", "required": true, "schema": {"type": "integer", "format": "int32", "minimum": 1}})
        );
    }

    fn array_param(location: &str, format: Option<&str>) -> Result<Value> {
        let mut param =
            json!({"name": "a", "in": location, "type": "array", "items": {"type": "string"}});
        if let Some(format) = format {
            param["collectionFormat"] = format.into();
        }
        upgrade(
            file(),
            with_op(
                json!({"parameters": [param], "responses": ok_response()}),
                json!({}),
            ),
        )
        .map(|out| out["paths"]["/p"]["get"]["parameters"][0].clone())
    }

    #[test]
    fn collection_formats_become_style_and_explode() {
        let style = |location, format| {
            let p = array_param(location, format).unwrap();
            (p.get("style").cloned(), p.get("explode").cloned())
        };
        assert_eq!(
            style("query", None),
            (Some(json!("form")), Some(json!(false)))
        );
        assert_eq!(
            style("query", Some("csv")),
            (Some(json!("form")), Some(json!(false)))
        );
        assert_eq!(style("path", Some("csv")), (Some(json!("simple")), None));
        assert_eq!(style("header", None), (Some(json!("simple")), None));
        assert_eq!(
            style("query", Some("multi")),
            (Some(json!("form")), Some(json!(true)))
        );
        assert_eq!(
            style("query", Some("ssv")),
            (Some(json!("spaceDelimited")), None)
        );
        assert_eq!(
            style("query", Some("pipes")),
            (Some(json!("pipeDelimited")), None)
        );
        let p = array_param("query", Some("multi")).unwrap();
        assert_eq!(keys(&p), ["name", "in", "schema", "style", "explode"]);
        assert_eq!(
            p["schema"],
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            array_param("query", Some("tsv")).unwrap_err().pointer,
            "/paths/~1p/get/parameters/0/collectionFormat"
        );
        assert!(array_param("path", Some("multi")).is_err());
    }

    #[test]
    fn body_parameter_becomes_request_body_per_consumes() {
        let body = json!({"name": "b", "in": "body", "description": "the body", "required": true,
                          "schema": {"$ref": "#/definitions/A"}, "x-ms-client-flatten": true});
        let defs = json!({"A": {"type": "object"}});
        // Operation-level consumes win over the document's.
        let out = up(with_op(
            json!({"consumes": ["application/xml"], "parameters": [{"name": "q", "in": "query", "type": "string"}, body.clone()], "responses": ok_response()}),
            json!({"consumes": ["text/json"], "definitions": defs.clone()}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(keys(op), ["parameters", "requestBody", "responses"]);
        assert_eq!(
            op["requestBody"],
            json!({"description": "the body", "content": {"application/xml": {"schema": {"$ref": "#/components/schemas/A"}}},
                   "required": true, "x-ms-client-flatten": true})
        );
        // Else the document's; else JSON.
        let out = up(with_op(
            json!({"parameters": [body.clone()], "responses": ok_response()}),
            json!({"consumes": ["text/json", "application/json"], "definitions": defs.clone()}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(
            keys(&op["requestBody"]["content"]),
            ["text/json", "application/json"]
        );
        assert!(op.get("parameters").is_none());
        let out = up(with_op(
            json!({"parameters": [body], "responses": ok_response()}),
            json!({"definitions": defs}),
        ));
        assert_eq!(
            keys(&out["paths"]["/p"]["get"]["requestBody"]["content"]),
            ["application/json"]
        );
    }

    #[test]
    fn form_data_becomes_one_object_schema() {
        let params = json!([
            {"name": "file", "in": "formData", "type": "file", "required": true, "description": "upload"},
            {"name": "note", "in": "formData", "type": "string"}
        ]);
        let out = up(with_op(
            json!({"parameters": params, "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(
            out["paths"]["/p"]["get"]["requestBody"],
            json!({"content": {"multipart/form-data": {"schema": {
                "type": "object",
                "properties": {"file": {"description": "upload", "type": "string", "format": "binary"}, "note": {"type": "string"}},
                "required": ["file"]
            }}}, "required": true})
        );
        let out = up(with_op(
            json!({"parameters": [{"name": "note", "in": "formData", "type": "string"}], "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(
            keys(&out["paths"]["/p"]["get"]["requestBody"]["content"]),
            ["application/x-www-form-urlencoded"]
        );
        let out = up(with_op(
            json!({"consumes": ["multipart/form-data"], "parameters": [{"name": "note", "in": "formData", "type": "string"}], "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(
            keys(&out["paths"]["/p"]["get"]["requestBody"]["content"]),
            ["multipart/form-data"]
        );
    }

    #[test]
    fn path_level_parameters_stay_and_bodies_move_into_operations() {
        let mut doc = swagger(json!({}));
        doc["paths"] = json!({"/p/{id}": {
            "parameters": [{"name": "id", "in": "path", "type": "string"}, {"name": "b", "in": "body", "schema": {"type": "string"}}],
            "put": {"responses": ok_response()},
            "post": {"parameters": [{"name": "b", "in": "body", "schema": {"type": "integer"}}], "responses": ok_response()}
        }});
        let out = up(doc);
        let item = &out["paths"]["/p/{id}"];
        assert_eq!(
            item["parameters"],
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
        assert_eq!(
            item["put"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "string"})
        );
        assert_eq!(
            item["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({"type": "integer"})
        );
        assert_eq!(keys(&item["put"]), ["requestBody", "responses"]);
    }

    #[test]
    fn bad_parameters_are_refused_with_pointers() {
        let bad = |param: Value| {
            up_err(with_op(
                json!({"parameters": [param], "responses": ok_response()}),
                json!({}),
            ))
        };
        assert_eq!(
            bad(json!({"name": "a", "in": "query"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        assert_eq!(
            bad(json!({"name": "a", "in": "cookie", "type": "string"})).pointer,
            "/paths/~1p/get/parameters/0/in"
        );
        assert_eq!(
            bad(json!({"name": "a", "in": "query", "type": "file"})).pointer,
            "/paths/~1p/get/parameters/0/type"
        );
        assert_eq!(
            bad(json!({"in": "query", "type": "string"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        assert_eq!(
            bad(json!({"name": "a", "in": "query", "type": "array"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        assert_eq!(
            bad(json!({"name": "b", "in": "body"})).pointer,
            "/paths/~1p/get/parameters/0"
        );
        let e = up_err(with_op(
            json!({"parameters": [{"name": "a", "in": "body", "schema": {}}, {"name": "b", "in": "body", "schema": {}}], "responses": ok_response()}),
            json!({}),
        ));
        assert_eq!(e.pointer, "/paths/~1p/get/parameters/1");
    }

    // --- responses ------------------------------------------------------------------------

    #[test]
    fn response_schema_goes_under_every_produced_media_type() {
        let produces = json!([
            "application/json",
            "text/json",
            "text/html",
            "application/xml",
            "text/xml"
        ]);
        let out = up(with_op(
            json!({"responses": {"200": {"description": "OK", "schema": {"type": "array", "items": {"$ref": "#/definitions/A"}}}}}),
            json!({"produces": produces, "definitions": {"A": {"type": "object"}}}),
        ));
        let content = &out["paths"]["/p"]["get"]["responses"]["200"]["content"];
        assert_eq!(
            keys(content),
            [
                "application/json",
                "text/json",
                "text/html",
                "application/xml",
                "text/xml"
            ]
        );
        assert_eq!(
            content["text/xml"]["schema"]["items"]["$ref"],
            "#/components/schemas/A"
        );
        // Operation-level produces wins, and is removed after use.
        let out = up(with_op(
            json!({"produces": ["text/csv"], "schemes": ["https"], "responses": {"200": {"description": "OK", "schema": {"type": "file"}}}}),
            json!({"host": "h", "produces": produces}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(keys(op), ["servers", "responses"]);
        assert_eq!(op["servers"], json!([{"url": "https://h"}]));
        assert_eq!(
            op["responses"]["200"],
            json!({"description": "OK", "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}})
        );
    }

    #[test]
    fn responses_without_schema_get_no_content_and_keep_a_description() {
        let out = up(with_op(
            json!({"responses": {"204": {"description": "none"}, "default": {}, "x-r": 1}}),
            json!({}),
        ));
        let responses = &out["paths"]["/p"]["get"]["responses"];
        assert_eq!(responses["204"], json!({"description": "none"}));
        assert_eq!(responses["default"], json!({"description": ""}));
        assert_eq!(responses["x-r"], 1);
        let e = up_err(with_op(
            json!({"responses": {"OK": {"description": "x"}}}),
            json!({}),
        ));
        assert_eq!(e.pointer, "/paths/~1p/get/responses/OK");
        let e = up_err(with_op(json!({"summary": "s"}), json!({})));
        assert_eq!(e.pointer, "/paths/~1p/get");
    }

    #[test]
    fn response_headers_and_examples_are_converted() {
        let out = up(with_op(
            json!({"responses": {"200": {
                "description": "OK",
                "headers": {"ETag": {"description": "tag", "type": "string"}, "Retry-After": {"type": "integer", "format": "int32", "x-h": 1}},
                "schema": {"type": "string"},
                "examples": {"application/json": "hello", "text/plain": "hi"}
            }}}),
            json!({}),
        ));
        let response = &out["paths"]["/p"]["get"]["responses"]["200"];
        assert_eq!(keys(response), ["description", "headers", "content"]);
        assert_eq!(
            response["headers"],
            json!({"ETag": {"description": "tag", "schema": {"type": "string"}},
                   "Retry-After": {"schema": {"type": "integer", "format": "int32"}, "x-h": 1}})
        );
        assert_eq!(
            response["content"],
            json!({"application/json": {"schema": {"type": "string"}, "examples": {"response": {"value": "hello"}}},
                   "text/plain": {"examples": {"response": {"value": "hi"}}}})
        );
    }

    // --- schemas --------------------------------------------------------------------------

    #[test]
    fn schema_keywords_are_converted_recursively() {
        let out = up(swagger(json!({"definitions": {"A": {
            "type": "object",
            "discriminator": "kind",
            "required": ["kind"],
            "properties": {
                "kind": {"type": "string", "enum": ["a"], "x-ms-enum": {"name": "Kind", "modelAsString": false}},
                "maybe": {"type": "string", "x-nullable": true, "description": "d"},
                "never": {"type": "integer", "x-nullable": false},
                "blob": {"type": "file", "format": "whatever"},
                "list": {"type": "array", "items": {"type": "string", "x-nullable": true}},
                "map": {"type": "object", "additionalProperties": {"type": "number", "x-nullable": true}},
                "both": {"allOf": [{"type": "object", "x-nullable": true}]},
                "j": {"type": ["string", "null"]}
            },
            "x-ms-discriminator-value": "A"
        }}})));
        let a = &out["components"]["schemas"]["A"];
        assert_eq!(
            keys(a),
            [
                "type",
                "discriminator",
                "required",
                "properties",
                "x-ms-discriminator-value"
            ]
        );
        assert_eq!(a["discriminator"], json!({"propertyName": "kind"}));
        let p = &a["properties"];
        assert_eq!(
            keys(p),
            ["kind", "maybe", "never", "blob", "list", "map", "both", "j"]
        );
        assert_eq!(
            p["kind"]["x-ms-enum"],
            json!({"name": "Kind", "modelAsString": false})
        );
        assert_eq!(
            p["maybe"],
            json!({"type": "string", "nullable": true, "description": "d"})
        );
        assert_eq!(keys(&p["maybe"]), ["type", "nullable", "description"]);
        assert_eq!(p["never"], json!({"type": "integer", "nullable": false}));
        assert_eq!(p["blob"], json!({"type": "string", "format": "binary"}));
        assert_eq!(
            p["list"]["items"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            p["map"]["additionalProperties"],
            json!({"type": "number", "nullable": true})
        );
        assert_eq!(
            p["both"]["allOf"][0],
            json!({"type": "object", "nullable": true})
        );
        assert_eq!(p["j"], json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn operation_extensions_are_kept() {
        let pageable = json!({"nextLinkName": "nextLink", "itemName": "value"});
        let out = up(with_op(
            json!({"operationId": "X_Y", "x-ms-pageable": pageable.clone(), "responses": ok_response()}),
            json!({}),
        ));
        let op = &out["paths"]["/p"]["get"];
        assert_eq!(op["x-ms-pageable"], pageable);
        assert_eq!(keys(op), ["operationId", "x-ms-pageable", "responses"]);
    }

    #[test]
    fn keywords_swagger_2_lacks_are_refused() {
        for keyword in ["oneOf", "anyOf", "not"] {
            let mut inner = json!({"type": "object"});
            inner[keyword] = json!([{"type": "string"}]);
            let e = up_err(swagger(
                json!({"definitions": {"A": {"properties": {"p": inner}}}}),
            ));
            assert_eq!(e.pointer, format!("/definitions/A/properties/p/{keyword}"));
            assert!(e.message.starts_with("unsupported keyword"), "{e}");
        }
        // A property *named* like a keyword is fine.
        let out = up(swagger(
            json!({"definitions": {"A": {"properties": {"not": {"type": "string"}, "oneOf": {"type": "string"}}}}}),
        ));
        assert_eq!(
            keys(&out["components"]["schemas"]["A"]["properties"]),
            ["not", "oneOf"]
        );
        // So are refs inside examples, which are data.
        let out = up(swagger(
            json!({"definitions": {"A": {"type": "object", "example": {"$ref": "nowhere"}}}}),
        ));
        assert_eq!(
            out["components"]["schemas"]["A"]["example"],
            json!({"$ref": "nowhere"})
        );
    }

    // --- recursion ------------------------------------------------------------------------

    #[test]
    fn recursive_definitions_are_refused() {
        let cases = [
            json!({"Node": {"properties": {"next": {"$ref": "#/definitions/Node"}}}}),
            json!({"Node": {"properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}}}),
            json!({"Node": {"allOf": [{"$ref": "#/definitions/Node"}]}}),
        ];
        for definitions in cases {
            let e = up_err(swagger(json!({"definitions": definitions})));
            assert_eq!(e.pointer, "/definitions/Node");
            assert!(
                e.message.starts_with("recursive schema: Node -> Node"),
                "{e}"
            );
        }
        let e = up_err(swagger(json!({"definitions": {
            "Leaf": {"type": "string"},
            "A": {"properties": {"b": {"$ref": "#/definitions/B"}, "leaf": {"$ref": "#/definitions/Leaf"}}},
            "B": {"properties": {"c": {"$ref": "#/definitions/C"}}},
            "C": {"properties": {"a": {"$ref": "#/definitions/A"}}}
        }})));
        assert_eq!(e.pointer, "/definitions/A");
        assert!(
            e.message.starts_with("recursive schema: A -> B -> C -> A"),
            "{e}"
        );
    }

    #[test]
    fn shared_but_acyclic_references_are_fine() {
        up(swagger(json!({"definitions": {
            "A": {"properties": {"b": {"$ref": "#/definitions/B"}, "c": {"$ref": "#/definitions/C"}}},
            "B": {"properties": {"d": {"$ref": "#/definitions/D"}}},
            "C": {"properties": {"d": {"$ref": "#/definitions/D"}}},
            "D": {"type": "string"}
        }})));
    }

    #[test]
    fn recursion_and_refs_are_checked_in_openapi_30_too() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {
            "N": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/N"}}}
        }}});
        let e = up_err(doc);
        assert_eq!(e.pointer, "/components/schemas/N");
        let doc = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {
            "N": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/Gone"}}}
        }}});
        assert_eq!(
            up_err(doc).pointer,
            "/components/schemas/N/properties/n/$ref"
        );
        let doc = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}, "components": {"schemas": {
            "N": {"$ref": "https://example.com/n.json"}
        }}});
        assert!(
            up_err(doc)
                .message
                .starts_with("external $ref not supported")
        );
    }

    #[test]
    fn cycle_check_reads_only_component_schemas() {
        assert!(check_recursion(file(), &json!({"openapi": "3.0.3"})).is_ok());
    }
}
