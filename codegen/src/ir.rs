//! The generator's own model of an API: what `lower` produces and `emit` consumes.
//! Every name in here is already a valid, unique Rust identifier; emit makes no naming decisions.

/// The whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title` of the spec.
    pub title: String,
    /// `info.version` of the spec.
    pub version: String,
    /// `info.description`, if any.
    pub description: Option<String>,
    /// The first server URL, the client's default base URL; `None` when the document names no
    /// absolute http(s) server (OpenAPI's default server is `/`, relative to wherever the
    /// document was found), so every client must be given one.
    pub base_url: Option<String>,
    /// How the API key is sent, from the security schemes or the auth header parameter the
    /// document declares; `None` when it declares neither.
    pub auth: Option<Auth>,
    /// Headers the document declares on its 429 and 503 responses that say how long to wait
    /// (all but `ETag`), in first-declared order, each once.
    pub retry_after_headers: Vec<String>,
    /// Structs, in spec order (inline object schemas follow their parent).
    pub models: Vec<Model>,
    /// Forward-compatible string enums, in first-use order.
    pub enums: Vec<EnumType>,
    /// Polymorphic schemas (a `discriminator` and its subtypes), in spec order.
    pub unions: Vec<Union>,
    /// Operations, in spec order (path, then method).
    pub operations: Vec<Operation>,
    /// The files the document was read from, the root first, relative to the root's folder
    /// (several when it refers to others with `$ref`).
    pub inputs: Vec<std::path::PathBuf>,
}

/// How the API key is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    /// The header that carries it.
    pub header: String,
    /// The word before the key in that header (`bearer`), or `None` for the key alone.
    pub scheme: Option<String>,
}

/// One struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The schema's name in the spec (JSON name).
    pub spec_name: String,
    /// The Rust type name.
    pub rust_name: String,
    /// Doc comment text.
    pub doc: Option<String>,
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// `Some` when the schema allows properties beyond `fields`: they are kept in a flattened map.
    pub additional: Option<TypeRef>,
    /// The CSV layout whose rows this model is, when an operation's `x-ea-csv` names it.
    pub csv: Option<CsvLayout>,
}

/// A service's CSV layout (`x-ea-csv`): a title line, a blank line, a header of captions, then
/// one line per record of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvLayout {
    /// The title line for a billing period, with `{name}` placeholders.
    pub title: String,
    /// The title line for a date range, if declared.
    pub range_title: Option<String>,
    /// The columns in the service's order.
    pub columns: Vec<CsvColumn>,
}

/// One column of a [`CsvLayout`].
#[derive(Debug, Clone, PartialEq)]
pub struct CsvColumn {
    /// The caption in the header line.
    pub caption: String,
    /// Index of the model field it holds, in [`Model::fields`].
    pub field: usize,
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Property name in JSON.
    pub json_name: String,
    /// Rust field name (may be a raw identifier such as `r#type`).
    pub rust_name: String,
    /// Doc comment text.
    pub doc: Option<String>,
    /// The value type, without the `Option` that `required`/`nullable` add.
    pub ty: TypeRef,
    /// Listed in the schema's `required`.
    pub required: bool,
    /// `nullable: true` (or Swagger's `x-nullable`).
    pub nullable: bool,
    /// How the `fake` feature invents a value for this field.
    pub faker: Faker,
    /// Held in a `Box`: through this field its model contains itself by value, which a Rust
    /// struct can only do behind a pointer.
    pub boxed: bool,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn is_optional(&self) -> bool {
        !self.required || self.nullable
    }
}

/// A Rust type a schema lowers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `chrono::DateTime<chrono::Utc>`, read leniently.
    DateTime,
    /// `chrono::NaiveDate`.
    Date,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `rust_decimal::Decimal`, written as a JSON number.
    Decimal,
    /// `bool`.
    Bool,
    /// `serde_json::Value`: a schema without a usable type.
    Json,
    /// A generated struct, by Rust name.
    Model(String),
    /// A generated enum, by Rust name.
    Enum(String),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
}

impl TypeRef {
    /// A date, number or boolean: one value, `Copy` in Rust (with `String`, what fits in a CSV cell).
    pub fn is_copy_scalar(&self) -> bool {
        matches!(
            self,
            TypeRef::DateTime
                | TypeRef::Date
                | TypeRef::I32
                | TypeRef::I64
                | TypeRef::F32
                | TypeRef::F64
                | TypeRef::Decimal
                | TypeRef::Bool
        )
    }
}

/// A schema with a `discriminator`: one Rust enum over its subtypes, chosen by the value of the
/// tag property; a value no subtype declares is kept whole in `Unknown`.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// The base schema's name in the spec.
    pub spec_name: String,
    /// The Rust enum name (references to the base schema use it).
    pub rust_name: String,
    /// Doc comment text.
    pub doc: Option<String>,
    /// The JSON name of the tag property.
    pub tag: String,
    /// The subtypes, in spec order.
    pub variants: Vec<UnionVariant>,
}

/// One subtype of a [`Union`].
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The tag value on the wire (`x-ms-discriminator-value`, else the schema's name).
    pub value: String,
    /// The Rust variant name.
    pub rust_name: String,
    /// The Rust struct of the subtype (or a nested union).
    pub model: String,
}

/// A forward-compatible string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    /// Rust type name.
    pub rust_name: String,
    /// Doc comment text.
    pub doc: Option<String>,
    /// Known values.
    pub variants: Vec<EnumVariant>,
}

/// One known value of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    /// The value on the wire.
    pub value: String,
    /// Rust variant name.
    pub rust_name: String,
    /// Doc comment text.
    pub doc: Option<String>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The spec's operationId (possibly shared with other operations), if any.
    pub operation_id: Option<String>,
    /// A unique id for logs and errors: the operationId, or the derived name when that is missing or shared.
    pub id: String,
    /// snake_case client method name, unique.
    pub method_name: String,
    /// UpperCamel name of the server-side `Operation` variant, unique.
    pub variant_name: String,
    /// HTTP method in upper case.
    pub http_method: String,
    /// Path template as in the spec, e.g. `/v3/enrollments/{enrollmentNumber}/usagedetails`.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `tags[0]`.
    pub tag: Option<String>,
    /// Path, query and header parameters in spec order (auth and `If-None-Match` excluded).
    pub params: Vec<Param>,
    /// The JSON request body, if the operation takes one.
    pub body: Option<RequestBody>,
    /// Whether the spec declares `If-None-Match` or a 304 response (conditional requests are offered either way).
    pub declares_conditional: bool,
    /// What a successful response holds.
    pub response: ResponseKind,
    /// For a byte-stream response declared CSV (`x-ea-csv`): the Rust name of its row model.
    pub csv_rows: Option<String>,
    /// For an operation that queues work and is polled (`x-ea-long-running`): how.
    pub long_running: Option<LongRunning>,
    /// For a paged operation whose range can be fetched in parts (`x-ea-splittable`): how.
    pub splittable: Option<Splittable>,
}

/// A paged operation's range split into days fetched side by side (`x-ea-splittable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splittable {
    /// Index in [`Operation::params`] of the range's first date-time.
    pub start: usize,
    /// Index of its last date-time.
    pub end: usize,
}

/// A long-running operation (`x-ea-long-running`): its answer names a link to poll; the status
/// property moves through `states`; a finished answer names a link to the result.
#[derive(Debug, Clone, PartialEq)]
pub struct LongRunning {
    /// The Rust name of the answer model (of the submit and of every poll).
    pub model: String,
    /// The `id` of the operation a poll of the link is.
    pub poll_operation: String,
    /// Index in the model's fields of the link to poll.
    pub poll_link: usize,
    /// Index of the status property.
    pub status: usize,
    /// The states, in spec order.
    pub states: Vec<LongRunningState>,
    /// The wait between polls when an answer does not say, in seconds.
    pub poll_interval_secs: u64,
    /// Index of the link to the result.
    pub result_link: usize,
    /// How long the result link is valid: the date-time field it starts at, and seconds.
    pub result_validity: Option<(usize, u64)>,
    /// The Rust row model of the result, when the result is CSV in an `x-ea-csv` layout.
    pub result_rows: Option<String>,
}

/// One state of a [`LongRunning`] operation's status property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongRunningState {
    /// The value on the wire, as text.
    pub value: String,
    /// Its name.
    pub name: String,
    /// What it means.
    pub outcome: LongRunningOutcome,
}

/// What a state means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongRunningOutcome {
    /// Poll again.
    Running,
    /// Finished with a result.
    Succeeded,
    /// Finished without one.
    Failed,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{name}` path segment.
    Path,
    /// A query-string pair.
    Query,
    /// A request header.
    Header,
}

impl ParamLocation {
    /// The OpenAPI `in` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub name: String,
    /// snake_case Rust name, unique within the operation.
    pub rust_name: String,
    /// Where it travels.
    pub location: ParamLocation,
    /// Doc text.
    pub doc: Option<String>,
    /// Value type (a scalar or an enum).
    pub ty: TypeRef,
    /// Whether it must be sent.
    pub required: bool,
    /// The value sent unless the caller sets another (`api-version`: the document's version;
    /// a required parameter's `default` or single `enum` value): such a parameter is a setter,
    /// not a method argument.
    pub default: Option<String>,
    /// `x-ms-skip-url-encoding` on a path parameter: its `/` are kept (an ARM scope).
    pub skip_url_encoding: bool,
}

impl Param {
    /// Whether the client method takes it as an argument (required and without a default).
    pub fn is_argument(&self) -> bool {
        self.required && self.default.is_none()
    }
}

/// The JSON body of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// Its type.
    pub ty: TypeRef,
    /// Whether it must be sent (a method argument) or may be left out (a setter).
    pub required: bool,
    /// The media type sent as `Content-Type`.
    pub content_type: String,
    /// `description`.
    pub doc: Option<String>,
}

/// What a successful (2xx) response holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    /// A JSON body of this type.
    Json(TypeRef),
    /// A JSON envelope with one page of items and a next-page link.
    Paged {
        /// The envelope struct (Rust name).
        envelope: String,
        /// The item type.
        item: TypeRef,
        /// Rust field name of the item array in the envelope.
        items_field: String,
        /// Whether the item array field is an `Option`.
        items_optional: bool,
        /// Rust field name of the next link in the envelope.
        next_link_field: String,
        /// JSON name of the next link (`nextLink`, `@odata.nextLink`).
        next_link_json: String,
        /// Whether the next-link field is an `Option`.
        next_link_optional: bool,
    },
    /// A byte stream (CSV and other downloads), requested with this `Accept`.
    Bytes {
        /// Media type to ask for.
        accept: String,
    },
    /// No body.
    Empty,
}

/// How the `fake` feature invents a field value: a faker in the generated runtime, or fake's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Faker {
    /// fake's `Faker` for the type.
    Default,
    /// The type's `Default` (empty): for a field through which a model reaches itself, so fake
    /// data is finite.
    Empty,
    /// A named faker in `crate::runtime::fakers`.
    Runtime(&'static str),
}
