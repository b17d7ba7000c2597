//! Field-level fakers for `#[dummy(faker = "crate::runtime::fakers::X")]`, so
//! generated models produce data that looks like the real service's (GUIDs,
//! regions, billing periods, amounts) rather than random strings. All draw
//! from the supplied RNG only, so a seeded RNG gives reproducible data.

use chrono::{DateTime, Utc};
use fake::{Dummy, RngExt};

/// Lowercase `8-4-4-4-12` hex GUID (version 4 layout).
#[derive(Clone, Copy, Debug, Default)]
pub struct Guid;
/// An address on a reserved example domain (never a real mailbox).
#[derive(Clone, Copy, Debug, Default)]
pub struct Email;
/// "First Last".
#[derive(Clone, Copy, Debug, Default)]
pub struct PersonName;
/// A fictitious company name.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompanyName;
/// An Azure region name such as `westeurope`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Region;
/// An ISO 4217 currency the service bills in.
#[derive(Clone, Copy, Debug, Default)]
pub struct CurrencyCode;
/// A billing period `yyyyMM` between 201405 (first data) and 202612.
#[derive(Clone, Copy, Debug, Default)]
pub struct BillingPeriodId;
/// The `tags` column: a small JSON object serialized to a string.
#[derive(Clone, Copy, Debug, Default)]
pub struct TagsJson;
/// An ARM virtual-machine resource id.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceId;
/// A short lowercase word.
#[derive(Clone, Copy, Debug, Default)]
pub struct Word;
/// A whole-second UTC instant between 2014-05-01 and 2026-12-31.
#[derive(Clone, Copy, Debug, Default)]
pub struct UtcDateTime;
/// An amount 0.00–10,000.00 in whole cents.
#[derive(Clone, Copy, Debug, Default)]
pub struct Money;
/// A quantity 0–1000 with at most 4 decimals.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quantity;
/// An `i32` in 1–999,999 (ids, account numbers).
#[derive(Clone, Copy, Debug, Default)]
pub struct PositiveI32;
/// An `i64` in 1–9,999,999,999.
#[derive(Clone, Copy, Debug, Default)]
pub struct PositiveI64;

const FIRST_NAMES: &[&str] = &[
    "Avery", "Blake", "Carmen", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keira",
    "Luca", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
];
const LAST_NAMES: &[&str] = &[
    "Almeida", "Berg", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Schmidt",
    "Tanaka", "Weber",
];
const COMPANIES: &[&str] = &[
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Adventure Works",
    "Tailspin Toys",
    "Wide World Importers",
    "Litware",
    "Proseware",
    "Woodgrove Bank",
    "Alpine Ski House",
    "Coho Winery",
    "Trey Research",
];
const COMPANY_SUFFIXES: &[&str] = &["Ltd", "Inc.", "GmbH", "LLC", "Corp.", "S.A."];
const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];
/// Azure regions as usage meters name them (`meterRegion`) and as ARM names them (`location`).
/// The first ten are the regions the mock server's price catalogue uses, in its order; the
/// mock takes them from here, so the list exists once.
pub const AZURE_REGIONS: &[(&str, &str)] = &[
    ("US West", "westus"),
    ("US East", "eastus"),
    ("US East 2", "eastus2"),
    ("US Central", "centralus"),
    ("EU North", "northeurope"),
    ("EU West", "westeurope"),
    ("UK South", "uksouth"),
    ("AP Southeast", "southeastasia"),
    ("JA East", "japaneast"),
    ("AU East", "australiaeast"),
    ("US West 2", "westus2"),
    ("US North Central", "northcentralus"),
    ("US South Central", "southcentralus"),
    ("UK West", "ukwest"),
    ("FR Central", "francecentral"),
    ("DE West Central", "germanywestcentral"),
    ("SE Central", "swedencentral"),
    ("AP East", "eastasia"),
    ("JA West", "japanwest"),
    ("BR South", "brazilsouth"),
    ("CA Central", "canadacentral"),
    ("IN Central", "centralindia"),
    ("KR Central", "koreacentral"),
    ("ZA North", "southafricanorth"),
];
const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "AUD", "CAD", "CHF", "DKK", "INR", "NOK", "SEK", "BRL",
];
const WORDS: &[&str] = &[
    "alpha", "amber", "birch", "cedar", "delta", "ember", "fjord", "gamma", "harbor", "iris",
    "jade", "kite", "lumen", "maple", "nova", "onyx", "pine", "quartz", "river", "sierra", "tango",
    "umber", "vega", "willow",
];
const TAG_KEYS: &[&str] = &["env", "costCenter", "owner", "project", "department", "app"];

fn pick<R: RngExt + ?Sized>(rng: &mut R, list: &[&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())]
}

impl Dummy<Guid> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &Guid, rng: &mut R) -> String {
        v4_guid(rng.random())
    }
}

/// `n` as a lowercase 8-4-4-4-12 GUID with the version-4 and RFC 4122 variant bits set, so
/// any 128 random (or hashed) bits make a plausible v4 UUID. The mock server uses it too.
pub fn v4_guid(n: u128) -> String {
    let n = (n & !(0xf << 76)) | (0x4 << 76);
    let n = (n & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl Dummy<Email> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &Email, rng: &mut R) -> String {
        let first = pick(rng, FIRST_NAMES).to_ascii_lowercase();
        let last = pick(rng, LAST_NAMES).to_ascii_lowercase();
        let domain = pick(rng, EMAIL_DOMAINS);
        format!("{first}.{last}@{domain}")
    }
}

impl Dummy<PersonName> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &PersonName, rng: &mut R) -> String {
        let first = pick(rng, FIRST_NAMES);
        format!("{first} {}", pick(rng, LAST_NAMES))
    }
}

impl Dummy<CompanyName> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &CompanyName, rng: &mut R) -> String {
        let name = pick(rng, COMPANIES);
        format!("{name} {}", pick(rng, COMPANY_SUFFIXES))
    }
}

impl Dummy<Region> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &Region, rng: &mut R) -> String {
        AZURE_REGIONS[rng.random_range(0..AZURE_REGIONS.len())]
            .1
            .to_owned()
    }
}

impl Dummy<CurrencyCode> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &CurrencyCode, rng: &mut R) -> String {
        pick(rng, CURRENCIES).to_owned()
    }
}

impl Dummy<BillingPeriodId> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &BillingPeriodId, rng: &mut R) -> String {
        // Months since 2014-05, up to 2026-12 inclusive.
        let offset = rng.random_range(0..=(2026 - 2014) * 12 + (12 - 5));
        let months = 2014 * 12 + 4 + offset;
        format!("{}{:02}", months / 12, months % 12 + 1)
    }
}

impl Dummy<TagsJson> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &TagsJson, rng: &mut R) -> String {
        let count = rng.random_range(0..=3);
        let mut tags = serde_json::Map::new();
        for _ in 0..count {
            let key = pick(rng, TAG_KEYS);
            tags.insert(key.to_owned(), serde_json::Value::from(pick(rng, WORDS)));
        }
        serde_json::Value::Object(tags).to_string()
    }
}

impl Dummy<ResourceId> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &ResourceId, rng: &mut R) -> String {
        let subscription = String::dummy_with_rng(&Guid, rng);
        let group = pick(rng, WORDS);
        let vm = pick(rng, WORDS);
        let n = rng.random_range(1..100);
        format!(
            "/subscriptions/{subscription}/resourceGroups/rg-{group}/providers/Microsoft.Compute/virtualMachines/vm-{vm}-{n:02}"
        )
    }
}

impl Dummy<Word> for String {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &Word, rng: &mut R) -> String {
        pick(rng, WORDS).to_owned()
    }
}

/// 2014-05-01T00:00:00Z and 2026-12-31T23:59:59Z as Unix seconds.
const FIRST_INSTANT: i64 = 1_398_902_400;
const LAST_INSTANT: i64 = 1_798_761_599;

impl Dummy<UtcDateTime> for DateTime<Utc> {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &UtcDateTime, rng: &mut R) -> DateTime<Utc> {
        let secs = rng.random_range(FIRST_INSTANT..=LAST_INSTANT);
        DateTime::from_timestamp(secs, 0).expect("range is within chrono's limits")
    }
}

impl Dummy<Money> for f64 {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &Money, rng: &mut R) -> f64 {
        f64::from(rng.random_range(0..=1_000_000u32)) / 100.0
    }
}

impl Dummy<Quantity> for f64 {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &Quantity, rng: &mut R) -> f64 {
        f64::from(rng.random_range(0..=10_000_000u32)) / 10_000.0
    }
}

impl Dummy<PositiveI32> for i32 {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &PositiveI32, rng: &mut R) -> i32 {
        rng.random_range(1..=999_999)
    }
}

impl Dummy<PositiveI64> for i64 {
    fn dummy_with_rng<R: RngExt + ?Sized>(_: &PositiveI64, rng: &mut R) -> i64 {
        rng.random_range(1..=9_999_999_999)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fake::Fake;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[derive(Debug, PartialEq, Dummy)]
    struct Row {
        #[dummy(faker = "Guid")]
        id: String,
        #[dummy(faker = "Email")]
        email: Option<String>,
        #[dummy(faker = "PersonName")]
        name: String,
        #[dummy(faker = "CompanyName")]
        company: String,
        #[dummy(faker = "Region")]
        region: String,
        #[dummy(faker = "CurrencyCode")]
        currency: String,
        #[dummy(faker = "BillingPeriodId")]
        period: String,
        #[dummy(faker = "TagsJson")]
        tags: String,
        #[dummy(faker = "ResourceId")]
        instance: String,
        #[dummy(faker = "Word")]
        word: String,
        #[dummy(faker = "UtcDateTime")]
        date: DateTime<Utc>,
        #[dummy(faker = "Money")]
        cost: f64,
        #[dummy(faker = "Quantity")]
        quantity: f64,
        #[dummy(faker = "PositiveI32")]
        account: i32,
        #[dummy(faker = "PositiveI64")]
        subscription: i64,
    }

    fn rows(seed: u64) -> Vec<Row> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..200)
            .map(|_| fake::Faker.fake_with_rng::<Row, _>(&mut rng))
            .collect()
    }

    fn is_guid(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
            && s.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
    }

    #[test]
    fn seeded_rng_is_reproducible() {
        assert_eq!(rows(7), rows(7));
        assert_ne!(rows(7), rows(8));
    }

    #[test]
    fn values_are_in_range() {
        let first = DateTime::parse_from_rfc3339("2014-05-01T00:00:00Z").unwrap();
        let last = DateTime::parse_from_rfc3339("2026-12-31T23:59:59Z").unwrap();
        let all = rows(7);
        for r in &all {
            assert!(is_guid(&r.id), "{}", r.id);
            assert_eq!(&r.id[14..15], "4");
            if let Some(email) = &r.email {
                let (local, domain) = email.split_once('@').unwrap();
                assert!(
                    local.contains('.') && EMAIL_DOMAINS.contains(&domain),
                    "{email}"
                );
            }
            assert_eq!(r.name.split(' ').count(), 2, "{}", r.name);
            assert!(!r.company.is_empty());
            assert!(AZURE_REGIONS.iter().any(|(_, arm)| *arm == r.region));
            assert!(CURRENCIES.contains(&r.currency.as_str()));
            let period: u32 = r.period.parse().unwrap();
            assert!(
                (201405..=202612).contains(&period) && (1..=12).contains(&(period % 100)),
                "{period}"
            );
            let tags: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&r.tags).unwrap();
            assert!(tags.len() <= 3);
            let segments: Vec<&str> = r.instance.split('/').collect();
            assert_eq!(segments[1], "subscriptions");
            assert!(is_guid(segments[2]));
            assert_eq!(
                segments[3..7],
                [
                    "resourceGroups",
                    segments[4],
                    "providers",
                    "Microsoft.Compute"
                ]
            );
            assert_eq!(segments[7], "virtualMachines");
            assert!(r.word.chars().all(|c| c.is_ascii_lowercase()));
            assert!(r.date >= first && r.date <= last, "{}", r.date);
            assert_eq!(r.date.timestamp_subsec_nanos(), 0);
            assert!((0.0..=10_000.0).contains(&r.cost));
            assert_eq!((r.cost * 100.0).round() / 100.0, r.cost);
            assert!((0.0..=1000.0).contains(&r.quantity));
            assert_eq!((r.quantity * 10_000.0).round() / 10_000.0, r.quantity);
            assert!((1..=999_999).contains(&r.account));
            assert!((1..=9_999_999_999).contains(&r.subscription));
        }
        assert!(all.iter().any(|r| r.email.is_none()) && all.iter().any(|r| r.email.is_some()));
        let periods: std::collections::HashSet<&str> =
            all.iter().map(|r| r.period.as_str()).collect();
        assert!(periods.len() > 50, "periods should spread over the range");
    }

    #[test]
    fn billing_period_bounds_are_reachable() {
        let mut rng = StdRng::seed_from_u64(7);
        let periods: std::collections::HashSet<String> = (0..20_000)
            .map(|_| BillingPeriodId.fake_with_rng::<String, _>(&mut rng))
            .collect();
        assert!(periods.contains("201405") && periods.contains("202612"));
        assert_eq!(periods.len(), 152);
    }
}
