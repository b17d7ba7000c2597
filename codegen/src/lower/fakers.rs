//! The faker of each field, so generated fake data looks like the real thing.

use crate::ir::{Faker, TypeRef};

/// Picks the faker for a field from its format and name, so fake data looks like the real thing.
pub fn choose_faker(json_name: &str, ty: &TypeRef) -> Faker {
    let n = json_name.to_ascii_lowercase();
    let has = |s: &str| n.contains(s);
    let runtime = Faker::Runtime;
    match ty {
        TypeRef::DateTime => runtime("UtcDateTime"),
        TypeRef::String => {
            if has("email") || n.ends_with("ownerid") || n.ends_with("administratorid") {
                runtime("Email")
            } else if n == "billingperiodid" || n == "billingperiod" {
                runtime("BillingPeriodId")
            } else if n == "tags" || n == "additionalinfo" {
                runtime("TagsJson")
            } else if has("currency") {
                runtime("CurrencyCode")
            } else if has("region") || has("location") {
                runtime("Region")
            } else if n == "instanceid" {
                runtime("ResourceId")
            } else if has("guid") || n == "id" || n.ends_with("id") {
                runtime("Guid")
            } else if n.ends_with("name") {
                runtime("CompanyName")
            } else {
                runtime("Word")
            }
        }
        TypeRef::F64 => {
            const MONEY: &[&str] = &[
                "cost",
                "amount",
                "price",
                "rate",
                "balance",
                "charge",
                "saving",
                "purchase",
                "adjustment",
                "utilized",
                "overage",
                "usage",
                "value",
            ];
            if MONEY.iter().any(|m| has(m)) {
                runtime("Money")
            } else {
                runtime("Quantity")
            }
        }
        TypeRef::I32 => runtime("PositiveI32"),
        TypeRef::I64 => runtime("PositiveI64"),
        _ => Faker::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::choose_faker;
    use crate::ir::{Faker, TypeRef};

    #[test]
    fn fakers_follow_format_and_name() {
        assert_eq!(
            choose_faker("date", &TypeRef::DateTime),
            Faker::Runtime("UtcDateTime")
        );
        assert_eq!(
            choose_faker("accountOwnerEmail", &TypeRef::String),
            Faker::Runtime("Email")
        );
        assert_eq!(
            choose_faker("accountOwnerId", &TypeRef::String),
            Faker::Runtime("Email")
        );
        assert_eq!(
            choose_faker("subscriptionGuid", &TypeRef::String),
            Faker::Runtime("Guid")
        );
        assert_eq!(
            choose_faker("meterId", &TypeRef::String),
            Faker::Runtime("Guid")
        );
        assert_eq!(
            choose_faker("billingPeriodId", &TypeRef::String),
            Faker::Runtime("BillingPeriodId")
        );
        assert_eq!(
            choose_faker("meterRegion", &TypeRef::String),
            Faker::Runtime("Region")
        );
        assert_eq!(
            choose_faker("tags", &TypeRef::String),
            Faker::Runtime("TagsJson")
        );
        assert_eq!(
            choose_faker("extendedCost", &TypeRef::F64),
            Faker::Runtime("Money")
        );
        assert_eq!(
            choose_faker("consumedQuantity", &TypeRef::F64),
            Faker::Runtime("Quantity")
        );
        assert_eq!(
            choose_faker("chargesBilledSeparately", &TypeRef::Bool),
            Faker::Default
        );
    }
}
