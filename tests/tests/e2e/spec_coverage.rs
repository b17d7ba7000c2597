//! spec/ea-reporting-v3.json covers every endpoint and every response field the EA Reporting
//! documentation gives. The expected lists live here, written from the documentation, so a
//! spec edit that drops an endpoint, a parameter or a field fails this test.

use serde_json::{Value, json};

const SPEC: &str = include_str!("../../../spec/ea-reporting-v3.json");

/// A parameter as (name, in, required).
type Param = (&'static str, &'static str, bool);

/// (path, parameters other than Authorization, 200 schema)
/// 200 schema: `M` = a model by name, `[M]` = array of a model, `csv` = a binary (CSV) download.
const ENDPOINTS: &[(&str, &[Param], &str)] = &[
    // Balance summary (v3): current and by billing period.
    (
        "/v3/enrollments/{enrollmentNumber}/balancesummary",
        &[("enrollmentNumber", "path", true)],
        "BalanceSummaryV3",
    ),
    (
        "/v3/enrollments/{enrollmentNumber}/billingperiods/{billingPeriod}/balancesummary",
        &[
            ("enrollmentNumber", "path", true),
            ("billingPeriod", "path", true),
        ],
        "BalanceSummaryV3",
    ),
    // Usage details JSON, paged (v3): current, by billing period, by custom date.
    (
        "/v3/enrollments/{enrollmentNumber}/usagedetails",
        &[("enrollmentNumber", "path", true)],
        "PagedJsonDataTitaniumJuly",
    ),
    (
        "/v3/enrollments/{enrollmentNumber}/billingPeriods/{billingPeriod}/usagedetails",
        &[
            ("enrollmentNumber", "path", true),
            ("billingPeriod", "path", true),
        ],
        "PagedJsonDataTitaniumJuly",
    ),
    (
        "/v3/enrollments/{enrollmentNumber}/usagedetailsbycustomdate",
        &[
            ("enrollmentNumber", "path", true),
            ("startTime", "query", true),
            ("endTime", "query", true),
        ],
        "PagedJsonDataTitaniumJuly",
    ),
    // Usage details CSV download (v3): by billing period or by custom date, one path.
    (
        "/v3/enrollments/{enrollmentNumber}/usagedetails/download",
        &[
            ("enrollmentNumber", "path", true),
            ("billingPeriod", "query", false),
            ("startTime", "query", false),
            ("endTime", "query", false),
        ],
        "csv",
    ),
    // Marketplace charges (v3): current, by billing period, by custom date.
    (
        "/v3/enrollments/{enrollmentNumber}/marketplacecharges",
        &[("enrollmentNumber", "path", true)],
        "[MarketplacePropertiesV3]",
    ),
    (
        "/v3/enrollments/{enrollmentNumber}/billingperiods/{billingPeriod}/marketplacecharges",
        &[
            ("enrollmentNumber", "path", true),
            ("billingPeriod", "path", true),
        ],
        "[MarketplacePropertiesV3]",
    ),
    (
        "/v3/enrollments/{enrollmentNumber}/marketplacechargesbycustomdate",
        &[
            ("enrollmentNumber", "path", true),
            ("startTime", "query", true),
            ("endTime", "query", true),
        ],
        "[MarketplacePropertiesV3]",
    ),
    // Price sheet (v3): current and by billing period.
    (
        "/v3/enrollments/{enrollmentNumber}/pricesheet",
        &[("enrollmentNumber", "path", true)],
        "[PriceSheetV3]",
    ),
    (
        "/v3/enrollments/{enrollmentNumber}/billingperiods/{billingPeriod}/pricesheet",
        &[
            ("enrollmentNumber", "path", true),
            ("billingPeriod", "path", true),
        ],
        "[PriceSheetV3]",
    ),
    // Billing periods (v2).
    (
        "/v2/enrollments/{enrollmentNumber}/billingperiods",
        &[("enrollmentNumber", "path", true)],
        "[BillingPeriodV2]",
    ),
    // Reservation charges (v3).
    (
        "/v3/enrollments/{enrollmentNumber}/reservationcharges",
        &[
            ("enrollmentNumber", "path", true),
            ("startDate", "query", true),
            ("endDate", "query", true),
        ],
        "[RIPurchaseHistoryV3Properties]",
    ),
    // Reservation details and summaries (v2).
    (
        "/v2/enrollments/{enrollmentNumber}/reservationdetails",
        &[
            ("enrollmentNumber", "path", true),
            ("startDate", "query", true),
            ("endDate", "query", true),
        ],
        "[ReservationDetailV2]",
    ),
    (
        "/v2/enrollments/{enrollmentNumber}/reservationsummaries",
        &[
            ("enrollmentNumber", "path", true),
            ("grain", "query", true),
            ("startDate", "query", false),
            ("endDate", "query", false),
        ],
        "[ReservationSummaryV2]",
    ),
    // Shared and single reservation recommendations (v2).
    (
        "/v2/enrollments/{enrollmentNumber}/SharedReservationRecommendations",
        &[
            ("enrollmentNumber", "path", true),
            ("lookBackPeriod", "query", false),
        ],
        "[ReservationRecommendationV2]",
    ),
    (
        "/v2/enrollments/{enrollmentNumber}/SingleReservationRecommendations",
        &[
            ("enrollmentNumber", "path", true),
            ("lookBackPeriod", "query", false),
        ],
        "[ReservationRecommendationV2]",
    ),
];

/// The asynchronous report (api-facts.md 1c): (method, path, query parameters, 2xx statuses), all
/// answering the report object.
const REPORT_ENDPOINTS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "post",
        "/v3/enrollments/{enrollmentNumber}/usagedetails/submit",
        &["billingPeriod", "startTime", "endTime"],
        &["200", "202"],
    ),
    (
        "get",
        "/v3/enrollments/{enrollmentNumber}/usagedetails/reports/{reportId}",
        &[],
        &["200"],
    ),
];

const S: &str = "string";
const DT: &str = "string/date-time";
const I32: &str = "integer/int32";
const I64: &str = "integer/int64";
const F64: &str = "number/double";
const B: &str = "boolean";

/// Every response model with every field as the documentation and the generated clients give it.
const MODELS: &[(&str, &[(&str, &str)])] = &[
    (
        "UsageReportV3",
        &[
            ("id", S),
            ("enrollmentNumber", S),
            ("requestedOn", DT),
            ("status", I32),
            ("blobPath", S),
            ("reportUrl", S),
            ("startDate", DT),
            ("endDate", DT),
        ],
    ),
    (
        "BalanceSummaryV3",
        &[
            ("id", S),
            ("billingPeriodId", S),
            ("currencyCode", S),
            ("beginningBalance", F64),
            ("endingBalance", F64),
            ("newPurchases", F64),
            ("adjustments", F64),
            ("utilized", F64),
            ("serviceOverage", F64),
            ("chargesBilledSeparately", F64),
            ("totalOverage", F64),
            ("totalUsage", F64),
            ("azureMarketplaceServiceCharges", F64),
            ("newPurchasesDetails", "[DetailsV3]"),
            ("adjustmentDetails", "[DetailsV3]"),
        ],
    ),
    ("DetailsV3", &[("name", S), ("value", F64)]),
    (
        "BillingPeriodV2",
        &[
            ("billingPeriodId", S),
            ("billingStart", DT),
            ("billingEnd", DT),
            ("balanceSummary", S),
            ("usageDetails", S),
            ("marketplaceCharges", S),
            ("priceSheet", S),
        ],
    ),
    (
        "PagedJsonDataTitaniumJuly",
        &[
            ("id", S),
            ("data", "[UsageDetailsDeNormalizedTitaniumJuly]"),
            ("nextLink", S),
        ],
    ),
    (
        "UsageDetailsDeNormalizedTitaniumJuly",
        &[
            ("serviceName", S),
            ("serviceTier", S),
            ("location", S),
            ("chargesBilledSeparately", B),
            ("partNumber", S),
            ("resourceGuid", S),
            ("offerId", S),
            ("cost", F64),
            ("accountId", I32),
            ("productId", I32),
            ("resourceLocationId", I32),
            ("consumedServiceId", I32),
            ("departmentId", I32),
            ("accountOwnerEmail", S),
            ("accountName", S),
            ("serviceAdministratorId", S),
            ("subscriptionId", I64),
            ("subscriptionGuid", S),
            ("subscriptionName", S),
            ("date", DT),
            ("product", S),
            ("meterId", S),
            ("meterCategory", S),
            ("meterSubCategory", S),
            ("meterRegion", S),
            ("meterName", S),
            ("consumedQuantity", F64),
            ("resourceRate", F64),
            ("resourceLocation", S),
            ("consumedService", S),
            ("instanceId", S),
            ("serviceInfo1", S),
            ("serviceInfo2", S),
            ("additionalInfo", S),
            ("tags", S),
            ("storeServiceIdentifier", S),
            ("departmentName", S),
            ("costCenter", S),
            ("unitOfMeasure", S),
            ("resourceGroup", S),
        ],
    ),
    (
        "MarketplacePropertiesV3",
        &[
            ("id", S),
            ("subscriptionGuid", S),
            ("subscriptionName", S),
            ("meterId", S),
            ("usageStartDate", DT),
            ("usageEndDate", DT),
            ("offerName", S),
            ("resourceGroup", S),
            ("instanceId", S),
            ("additionalInfo", S),
            ("tags", S),
            ("orderNumber", S),
            ("unitOfMeasure", S),
            ("costCenter", S),
            ("accountId", I32),
            ("accountName", S),
            ("accountOwnerId", S),
            ("departmentId", I32),
            ("departmentName", S),
            ("publisherName", S),
            ("planName", S),
            ("consumedQuantity", F64),
            ("resourceRate", F64),
            ("extendedCost", F64),
            ("isRecurringCharge", B),
        ],
    ),
    (
        "PriceSheetV3",
        &[
            ("offerId", S),
            ("id", S),
            ("billingPeriodId", S),
            ("meterId", S),
            ("meterName", S),
            ("unitOfMeasure", S),
            ("includedQuantity", F64),
            ("partNumber", S),
            ("unitPrice", F64),
            ("currencyCode", S),
        ],
    ),
    (
        "RIPurchaseHistoryV3Properties",
        &[
            ("purchasingEnrollment", S),
            ("armSkuName", S),
            ("term", S),
            ("region", S),
            ("purchasingSubscriptionGuid", S),
            ("purchasingSubscriptionName", S),
            ("accountName", S),
            ("accountOwnerEmail", S),
            ("departmentName", S),
            ("costCenter", S),
            ("currentEnrollment", S),
            ("eventDate", DT),
            ("reservationOrderId", S),
            ("description", S),
            ("eventType", S),
            ("quantity", F64),
            ("amount", F64),
            ("currency", S),
            ("reservationOrderName", S),
        ],
    ),
    (
        "ReservationDetailV2",
        &[
            ("reservationOrderId", S),
            ("reservationId", S),
            ("usageDate", DT),
            ("skuName", S),
            ("instanceId", S),
            ("totalReservedQuantity", F64),
            ("reservedHours", F64),
            ("usedHours", F64),
        ],
    ),
    (
        "ReservationSummaryV2",
        &[
            ("reservationOrderId", S),
            ("reservationId", S),
            ("skuName", S),
            ("reservedHours", F64),
            ("usageDate", DT),
            ("usedHours", F64),
            ("minUtilizationPercentage", F64),
            ("avgUtilizationPercentage", F64),
            ("maxUtilizationPercentage", F64),
        ],
    ),
    (
        "ReservationRecommendationV2",
        &[
            ("subscriptionId", S),
            ("lookBackPeriod", S),
            ("meterId", S),
            ("skuName", S),
            ("term", S),
            ("region", S),
            ("costWithNoRI", F64),
            ("recommendedQuantity", F64),
            ("totalCostWithRI", F64),
            ("netSavings", F64),
            ("firstUsageDate", DT),
        ],
    ),
];

/// The documented status codes every operation declares, besides 200.
const STATUSES: &[&str] = &["304", "400", "401", "404", "429", "500", "503"];

fn spec() -> Value {
    serde_json::from_str(SPEC).expect("spec/ea-reporting-v3.json is JSON")
}

fn deref<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved $ref {r}")),
        None => node,
    }
}

fn schema_kind(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or_default().to_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!("[{}]", schema_kind(&schema["items"])),
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("binary") => {
            "csv".into()
        }
        Some(t) => match schema.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t}/{f}"),
            None => t.to_string(),
        },
        None => "<untyped>".into(),
    }
}

#[test]
fn document_is_swagger_2_in_the_published_style() {
    let doc = spec();
    assert_eq!(doc["swagger"], "2.0");
    assert_eq!(doc["host"], "consumption.azure.com");
    assert_eq!(doc["schemes"], serde_json::json!(["https"]));
    assert!(
        doc.get("securityDefinitions").is_none(),
        "the service published no securityDefinitions"
    );
    assert_eq!(
        doc["info"]["title"],
        "Enterprise Reporting v3 APIs (preview)"
    );
}

#[test]
fn every_documented_endpoint_is_in_the_spec() {
    let doc = spec();
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for (path, params, schema) in ENDPOINTS {
        let Some(op) = paths.get(*path).and_then(|p| p.get("get")) else {
            missing.push(format!("GET {path}"));
            continue;
        };
        let declared = op["parameters"].as_array().expect("parameters");
        let auth = &declared[0];
        assert_eq!(
            auth["name"], "Authorization",
            "{path}: Authorization comes first"
        );
        assert_eq!(auth["in"], "header");
        assert_eq!(auth["required"], true);
        assert_eq!(
            auth["description"],
            "Specify the value in this format: \"bearer {API_KEY}\""
        );
        for (name, location, required) in *params {
            match declared
                .iter()
                .find(|p| p["name"] == *name && p["in"] == *location)
            {
                Some(p) => assert_eq!(p["required"], *required, "{path}: {name} required"),
                None => missing.push(format!("GET {path}: parameter {name} in {location}")),
            }
        }
        let ok = &op["responses"]["200"];
        assert_eq!(schema_kind(&ok["schema"]), *schema, "{path}: 200 schema");
        assert!(
            ok["headers"].get("ETag").is_some(),
            "{path}: 200 declares ETag"
        );
        let produces: Vec<&str> = op["produces"]
            .as_array()
            .expect("produces")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for mime in [
            "application/json",
            "text/json",
            "text/html",
            "application/xml",
            "text/xml",
        ] {
            assert!(produces.contains(&mime), "{path}: produces {mime}");
        }
        if *schema == "csv" {
            assert_eq!(
                produces.first(),
                Some(&"application/octet-stream"),
                "{path}: produces the service's CSV content type first"
            );
        }
        for status in STATUSES {
            let Some(response) = op["responses"].get(*status) else {
                missing.push(format!("GET {path}: response {status}"));
                continue;
            };
            let response = deref(&doc, response);
            if *status == "304" {
                assert!(
                    response["headers"].get("ETag").is_some(),
                    "{path}: 304 declares ETag"
                );
            } else {
                assert_eq!(
                    schema_kind(&response["schema"]),
                    "ErrorResponse",
                    "{path}: {status} body"
                );
            }
        }
        let r429 = deref(&doc, &op["responses"]["429"]);
        assert!(
            r429["headers"]
                .get("x-ms-ratelimit-microsoft.consumption-retry-after")
                .is_some()
        );
        let r503 = deref(&doc, &op["responses"]["503"]);
        assert!(r503["headers"].get("Retry-After").is_some());
    }
    assert!(missing.is_empty(), "the spec lacks: {missing:#?}");
    assert_eq!(
        paths.len(),
        ENDPOINTS.len() + REPORT_ENDPOINTS.len(),
        "the spec has endpoints this list does not know"
    );
}

#[test]
fn the_asynchronous_report_is_in_the_spec() {
    let doc = spec();
    for (method, path, query, statuses) in REPORT_ENDPOINTS {
        let op = &doc["paths"][*path][*method];
        assert!(op.is_object(), "{method} {path}");
        let params = op["parameters"].as_array().expect("parameters");
        assert_eq!(params[0]["name"], "Authorization", "{path}");
        for name in *query {
            let p = params
                .iter()
                .find(|p| p["name"] == *name)
                .unwrap_or_else(|| panic!("{path}: {name}"));
            assert_eq!((&p["in"], &p["required"]), (&json!("query"), &json!(false)));
        }
        assert!(
            params.iter().all(|p| p["in"] != "body"),
            "{path}: no request body"
        );
        for status in *statuses {
            assert_eq!(
                schema_kind(&op["responses"][*status]["schema"]),
                "UsageReportV3",
                "{path} {status}"
            );
        }
        for status in STATUSES.iter().filter(|s| **s != "304") {
            assert!(op["responses"].get(*status).is_some(), "{path}: {status}");
        }
    }
    let lro = &doc["paths"][REPORT_ENDPOINTS[0].1]["post"]["x-ea-long-running"];
    assert_eq!(lro["pollOperation"], "UsageDetailsReportV3_Get");
    let states: Vec<(i64, &str)> = lro["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["value"].as_i64().unwrap(), s["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            (1, "Queued"),
            (2, "InProgress"),
            (3, "Completed"),
            (4, "Failed"),
            (5, "NoDataFound"),
            (6, "ReadyToDownload"),
            (7, "TimedOut")
        ],
        "the documented status values"
    );
}

#[test]
fn every_documented_field_is_in_its_model() {
    let doc = spec();
    let mut missing = Vec::new();
    for (model, fields) in MODELS {
        let Some(props) = doc["definitions"]
            .get(*model)
            .and_then(|m| m["properties"].as_object())
        else {
            missing.push(format!("definition {model}"));
            continue;
        };
        for (field, kind) in *fields {
            match props.get(*field) {
                Some(schema) => assert_eq!(schema_kind(schema), *kind, "{model}.{field}"),
                None => missing.push(format!("{model}.{field}")),
            }
        }
        let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
        let order: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(order, names, "{model}: fields in the documented order");
    }
    assert!(missing.is_empty(), "the spec lacks: {missing:#?}");
}

#[test]
fn operation_ids_are_unique() {
    let doc = spec();
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").values())
        .map(|op| op["operationId"].as_str().expect("operationId"))
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate operationId");
}
