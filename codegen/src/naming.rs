//! Every naming decision of the generator: Rust identifiers from spec names, and distinct,
//! stable, readable names for operations whose operationIds are missing or shared.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::{BTreeMap, HashSet};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_OK: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];
/// Keywords that cannot be raw identifiers: these get a trailing underscore.
const RAW_FORBIDDEN: &[&str] = &["self", "Self", "super", "crate", "extern", "_"];

/// Replaces every character that cannot appear in an identifier with a word break.
fn words_only(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// A snake_case Rust identifier for a field, parameter or method, as written in source.
pub fn snake_ident(name: &str) -> String {
    let mut s = words_only(name).to_snake_case();
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    keyword_safe(s)
}

/// An UpperCamelCase Rust type or variant name. Names that already are valid UpperCamel
/// identifiers (the spec's .NET class names such as `RIPurchaseHistoryV3Properties`) are kept as they are.
pub fn type_ident(name: &str) -> String {
    let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    let mut s = if valid {
        name.to_string()
    } else {
        words_only(name).to_upper_camel_case()
    };
    if s.is_empty() {
        s = "Value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("V{s}");
    }
    keyword_safe(s)
}

/// Turns a keyword into a usable identifier.
fn keyword_safe(s: String) -> String {
    if RAW_FORBIDDEN.contains(&s.as_str()) {
        format!("{s}_")
    } else if RAW_OK.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// Returns `name`, or `name2`, `name3`, ... whichever is not taken yet, and marks it taken.
pub fn unique(name: &str, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.to_string()) {
        return name.to_string();
    }
    (2..)
        .map(|n| format!("{}{n}", name.trim_start_matches("r#")))
        .find(|candidate| taken.insert(candidate.clone()))
        .expect("an unbounded range always yields a free name")
}

/// What naming needs to know of an operation.
#[derive(Debug, Clone)]
pub struct OperationKey {
    /// The spec's operationId, if any.
    pub operation_id: Option<String>,
    /// HTTP method, any case.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Names of the path parameters and required query parameters, in spec order.
    pub key_params: Vec<String>,
}

/// The base name of an operation before de-duplication: its operationId, or one derived from
/// method and path when it has none.
fn base_name(key: &OperationKey) -> String {
    match key.operation_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => snake_ident(id).trim_start_matches("r#").to_string(),
        _ => {
            let literals: Vec<String> = literal_segments(&key.path)
                .map(|s| s.to_snake_case())
                .collect();
            let mut name = key.method.to_lowercase();
            for literal in literals {
                name.push('_');
                name.push_str(&literal);
            }
            snake_ident(&name).trim_start_matches("r#").to_string()
        }
    }
}

fn literal_segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
}

/// snake_case method names, one per operation, unique and stable.
///
/// Operations that share an operationId (the published document has three
/// `MarketplacesV3_GetMarketplaces`) are told apart by the parameters only they take
/// (`..._by_billing_period`, `..._by_start_time_and_end_time`); failing that by the path
/// segments only they have; failing that by their position.
pub fn operation_method_names(keys: &[OperationKey]) -> Vec<String> {
    let bases: Vec<String> = keys.iter().map(base_name).collect();
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, base) in bases.iter().enumerate() {
        groups.entry(base.as_str()).or_default().push(i);
    }
    let mut names = bases.clone();
    for (base, members) in &groups {
        if members.len() < 2 {
            continue;
        }
        let by_params = distinguishing_suffixes(
            members,
            |i| {
                keys[i]
                    .key_params
                    .iter()
                    .map(|p| p.to_snake_case())
                    .collect()
            },
            "by",
            "_and_",
        );
        let chosen = if all_distinct(&by_params) {
            by_params
        } else {
            let by_literals = distinguishing_suffixes(
                members,
                |i| {
                    literal_segments(&keys[i].path)
                        .map(|s| s.to_snake_case())
                        .collect()
                },
                "",
                "_",
            );
            if all_distinct(&by_literals) {
                by_literals
            } else {
                members
                    .iter()
                    .enumerate()
                    .map(|(n, _)| {
                        if n == 0 {
                            String::new()
                        } else {
                            format!("{}", n + 1)
                        }
                    })
                    .collect()
            }
        };
        for (&i, suffix) in members.iter().zip(chosen) {
            names[i] = match suffix.as_str() {
                "" => base.to_string(),
                s if s.chars().all(|c| c.is_ascii_digit()) => format!("{base}{s}"),
                s => format!("{base}_{s}"),
            };
        }
    }
    let mut taken = HashSet::new();
    names.iter().map(|n| unique(n, &mut taken)).collect()
}

/// For each member, the words it has that not every member has, joined into a suffix.
fn distinguishing_suffixes(
    members: &[usize],
    words_of: impl Fn(usize) -> Vec<String>,
    prefix: &str,
    joiner: &str,
) -> Vec<String> {
    let sets: Vec<Vec<String>> = members.iter().map(|&i| words_of(i)).collect();
    sets.iter()
        .map(|words| {
            let own: Vec<&str> = words
                .iter()
                .filter(|w| !sets.iter().all(|other| other.contains(w)))
                .map(String::as_str)
                .collect();
            match (own.is_empty(), prefix.is_empty()) {
                (true, _) => String::new(),
                (false, true) => own.join(joiner),
                (false, false) => format!("{prefix}_{}", own.join(joiner)),
            }
        })
        .collect()
}

fn all_distinct(suffixes: &[String]) -> bool {
    let set: HashSet<&String> = suffixes.iter().collect();
    set.len() == suffixes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: Option<&str>, path: &str, params: &[&str]) -> OperationKey {
        OperationKey {
            operation_id: id.map(str::to_string),
            method: "GET".into(),
            path: path.into(),
            key_params: params.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn snake_identifiers() {
        assert_eq!(
            snake_ident("UsageDetailsV3_GetByBillingPeriod"),
            "usage_details_v3_get_by_billing_period"
        );
        assert_eq!(snake_ident("billingPeriodId"), "billing_period_id");
        assert_eq!(snake_ident("costWithNoRI"), "cost_with_no_ri");
        assert_eq!(snake_ident("serviceInfo1"), "service_info1");
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("x-ms-ratelimit"), "x_ms_ratelimit");
        assert_eq!(snake_ident("7days"), "n7days");
        assert_eq!(snake_ident(""), "value");
    }

    #[test]
    fn type_identifiers_keep_dotnet_names() {
        assert_eq!(
            type_ident("RIPurchaseHistoryV3Properties"),
            "RIPurchaseHistoryV3Properties"
        );
        assert_eq!(
            type_ident("UsageDetailsDeNormalizedTitaniumJuly"),
            "UsageDetailsDeNormalizedTitaniumJuly"
        );
        assert_eq!(type_ident("daily"), "Daily");
        assert_eq!(type_ident("Last7Days"), "Last7Days");
        assert_eq!(type_ident("7"), "V7");
        assert_eq!(
            type_ident("Microsoft.Compute/virtualMachines"),
            "MicrosoftComputeVirtualMachines"
        );
        assert_eq!(type_ident("Self"), "Self_");
        assert_eq!(type_ident(""), "Value");
    }

    #[test]
    fn unique_appends_numbers() {
        let mut taken = HashSet::new();
        assert_eq!(unique("a", &mut taken), "a");
        assert_eq!(unique("a", &mut taken), "a2");
        assert_eq!(unique("a", &mut taken), "a3");
        assert_eq!(unique("r#type", &mut taken), "r#type");
        assert_eq!(unique("r#type", &mut taken), "type2");
    }

    #[test]
    fn duplicate_operation_ids_get_names_from_their_parameters() {
        let e = "/v3/enrollments/{enrollmentNumber}";
        let keys = [
            key(
                Some("MarketplacesV3_GetMarketplaces"),
                &format!("{e}/marketplacechargesbycustomdate"),
                &["enrollmentNumber", "startTime", "endTime"],
            ),
            key(
                Some("MarketplacesV3_GetMarketplaces"),
                &format!("{e}/marketplacecharges"),
                &["enrollmentNumber"],
            ),
            key(
                Some("MarketplacesV3_GetMarketplaces"),
                &format!("{e}/billingperiods/{{billingPeriod}}/marketplacecharges"),
                &["enrollmentNumber", "billingPeriod"],
            ),
            key(
                Some("PriceSheetsV3_Get"),
                &format!("{e}/pricesheet"),
                &["enrollmentNumber"],
            ),
            key(
                Some("PriceSheetsV3_Get"),
                &format!("{e}/billingperiods/{{billingPeriod}}/pricesheet"),
                &["enrollmentNumber", "billingPeriod"],
            ),
        ];
        assert_eq!(
            operation_method_names(&keys),
            [
                "marketplaces_v3_get_marketplaces_by_start_time_and_end_time",
                "marketplaces_v3_get_marketplaces",
                "marketplaces_v3_get_marketplaces_by_billing_period",
                "price_sheets_v3_get",
                "price_sheets_v3_get_by_billing_period",
            ]
        );
    }

    #[test]
    fn same_parameters_fall_back_to_path_then_position() {
        let keys = [key(Some("Op"), "/v1/a", &[]), key(Some("Op"), "/v1/b", &[])];
        assert_eq!(operation_method_names(&keys), ["op_a", "op_b"]);
        let keys = [key(Some("Op"), "/v1/a", &[]), key(Some("Op"), "/v1/a", &[])];
        assert_eq!(operation_method_names(&keys), ["op", "op2"]);
    }

    #[test]
    fn missing_operation_id_is_derived_from_method_and_path() {
        let keys = [key(
            None,
            "/v3/enrollments/{enrollmentNumber}/usagedetails",
            &["enrollmentNumber"],
        )];
        assert_eq!(
            operation_method_names(&keys),
            ["get_v3_enrollments_usagedetails"]
        );
    }

    #[test]
    fn derived_names_do_not_clash_with_given_ones() {
        // A derived name equal to a given operationId joins its group and is told apart by path.
        let keys = [key(Some("get_v1_a"), "/v1/x", &[]), key(None, "/v1/a", &[])];
        assert_eq!(operation_method_names(&keys), ["get_v1_a_x", "get_v1_a_a"]);
    }
}
