//! Usage and marketplace rows, one at a time, as pure functions of their position.
//!
//! A row is addressed by `(day, index_in_day)` and rows are ordered that way, so any
//! page of any range can be produced without generating the rows before it — nothing
//! is held in memory beyond one page.
//!
//! Row `index_in_day = i` is a *slot*: a resource that reports every day. What the slot
//! is (subscription `i mod n`, meter, resource group, instance) comes from an RNG seeded
//! with hash(universe seed, enrollment, i); what it consumed that day comes from an RNG
//! seeded with hash(row seed, enrollment, day, i). So the same VM shows up day after day
//! with varying hours, as in real usage files, two slots never share an instance id, and
//! a data refresh (new row seed) changes the quantities but not the resources.

use chrono::{Datelike, NaiveDate};
use fake::Fake;
use fake::uuid::UUIDv4;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

use super::Universe;
use super::catalogue::{self, UsageProfile};
use crate::stable_hash::StableHasher;

/// One usage-detail row, by reference into the [`Universe`] (the JSON/CSV encoders
/// join it with the subscription, account, department and meter).
#[derive(Clone, Debug, PartialEq)]
pub struct UsageRowSpec {
    /// Day of consumption.
    pub date: NaiveDate,
    /// Index into [`Universe::subscriptions`].
    pub subscription: usize,
    /// Index into [`Universe::meters`].
    pub meter: usize,
    /// `resourceGroup`.
    pub resource_group: String,
    /// `instanceId`: a full ARM resource id inside the subscription and resource group.
    pub instance_id: String,
    /// `consumedQuantity`, rounded to 6 decimals.
    pub consumed_quantity: f64,
    /// `resourceRate`: the meter's unit price.
    pub resource_rate: f64,
    /// `cost` = `consumed_quantity × resource_rate`, rounded to 6 decimals (so it differs
    /// from the exact product by at most 5e-7).
    pub cost: f64,
    /// `tags`: JSON object text, or empty.
    pub tags: String,
    /// `additionalInfo`: JSON object text, or empty.
    pub additional_info: String,
}

/// A usage slot: the resource behind row `index_in_day` of every day ([`usage_slot`]).
#[derive(Clone, Debug, PartialEq)]
pub struct UsageSlot {
    /// Index into [`Universe::subscriptions`].
    pub subscription: usize,
    /// Index into [`Universe::meters`].
    pub meter: usize,
    /// The resource's size for monthly units (1–4).
    pub units: u32,
    /// `resourceGroup`.
    pub resource_group: String,
    /// `instanceId`.
    pub instance_id: String,
    /// `tags`: JSON object text, or empty.
    pub tags: String,
}

/// What a slot consumed on one day ([`usage_on`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayUsage {
    /// `consumedQuantity`, rounded to 6 decimals.
    pub consumed_quantity: f64,
    /// `resourceRate`: the meter's unit price.
    pub resource_rate: f64,
    /// `cost`, rounded to 6 decimals.
    pub cost: f64,
}

/// One marketplace-charge row, by reference into the [`Universe`].
#[derive(Clone, Debug, PartialEq)]
pub struct MarketplaceRowSpec {
    /// Day charged (`usageStartDate` is its midnight, `usageEndDate` 23:59:59).
    pub date: NaiveDate,
    /// Index into [`Universe::subscriptions`].
    pub subscription: usize,
    /// Index into [`Universe::marketplace_offers`].
    pub offer: usize,
    /// `resourceGroup`.
    pub resource_group: String,
    /// `instanceId`.
    pub instance_id: String,
    /// `consumedQuantity`, rounded to 6 decimals.
    pub consumed_quantity: f64,
    /// `resourceRate`: the offer's rate.
    pub resource_rate: f64,
    /// `extendedCost` = quantity × rate, rounded to 6 decimals.
    pub extended_cost: f64,
    /// `tags`: JSON object text, or empty.
    pub tags: String,
    /// `additionalInfo`: JSON object text.
    pub additional_info: String,
    /// `orderNumber` (GUID, stable per slot).
    pub order_number: String,
    /// `isRecurringCharge`.
    pub is_recurring_charge: bool,
}

/// The seed rows are generated from: mixes `--data-version` into `--seed`, so bumping
/// the version changes the numbers (as a data refresh would) while the universe —
/// subscriptions, meters, prices — stays the same.
pub fn data_seed(seed: u64, data_version: u64) -> u64 {
    StableHasher::new()
        .str("data")
        .u64(seed)
        .u64(data_version)
        .finish()
}

/// Usage rows per day: `rows_per_subscription` for every subscription. Valid
/// `index_in_day` values are `0..usage_rows_per_day(..)`.
pub fn usage_rows_per_day(universe: &Universe, rows_per_subscription: u64) -> u64 {
    universe.subscriptions.len() as u64 * rows_per_subscription
}

/// Marketplace rows per day: one third-party resource for every two subscriptions
/// (at least one), a realistic share next to first-party usage.
pub fn marketplace_rows_per_day(universe: &Universe) -> u64 {
    (universe.subscriptions.len() as u64).div_ceil(2).max(1)
}

/// Rounds to 6 decimal places, the precision of every generated amount.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn rng(kind: &str, seed: u64, enrollment: &str, day: Option<NaiveDate>, index: u64) -> StdRng {
    let mut h = StableHasher::new().str(kind).u64(seed).str(enrollment);
    if let Some(day) = day {
        h = h.i64(i64::from(day.num_days_from_ce()));
    }
    StdRng::seed_from_u64(h.u64(index).finish())
}

fn days_in_month(day: NaiveDate) -> u32 {
    crate::domain::BillingPeriod::containing(day).days()
}

/// The day's quantity for a profile; `units` is the slot's count for monthly units.
fn quantity(profile: UsageProfile, units: u32, day: NaiveDate, rng: &mut StdRng) -> f64 {
    let q = match profile {
        UsageProfile::Hours => {
            if rng.random_bool(0.85) {
                24.0
            } else {
                rng.random_range(0.25..24.0)
            }
        }
        UsageProfile::MonthShare => f64::from(units) / f64::from(days_in_month(day)),
        UsageProfile::Daily => 1.0,
        UsageProfile::Range(low, high) => rng.random_range(low..high),
    };
    round6(q).max(0.000_001)
}

/// Tags of a slot: empty for a quarter of resources, else environment, owner and cost
/// center as a JSON object (key order fixed, so the text is stable), spaced as the service
/// wrote it: `{  "key": "value",  "key2": "value2"}` (wire-format.md S1, S3).
fn tags(
    universe: &Universe,
    subscription: usize,
    resource_group: &str,
    rng: &mut StdRng,
) -> String {
    if rng.random_bool(0.25) {
        return String::new();
    }
    let env = resource_group.rsplit('-').next().unwrap_or("prod");
    let account = universe.account_of(subscription);
    format!(
        r#"{{  "environment": "{env}",  "owner": "{}",  "costCenter": "{}"}}"#,
        account.owner_email, account.cost_center
    )
}

/// ARM resource name: `<prefix>-<workload>-<env>-<slot>`, or without dashes for
/// storage accounts (which only allow lower-case letters and digits).
fn resource_name(prefix: &str, resource_type: &str, resource_group: &str, slot: u64) -> String {
    let core = resource_group.strip_prefix("rg-").unwrap_or(resource_group);
    if resource_type == catalogue::STORAGE_ACCOUNTS {
        format!("{prefix}{}{slot:03}", core.replace('-', ""))
    } else {
        format!("{prefix}-{core}-{slot:03}")
    }
}

fn instance_id(guid: &str, resource_group: &str, resource_type: &str, name: &str) -> String {
    format!(
        "/subscriptions/{guid}/resourceGroups/{resource_group}/providers/{resource_type}/{name}"
    )
}

/// Usage row `index_in_day` of `day`. Pure: the same arguments give the same row.
///
/// `seed` is the rows' seed, normally [`data_seed`]`(config.seed, config.data_version)`;
/// it drives the day's quantities, while the slot's resource comes from the universe.
/// Any `index_in_day` is accepted; the subscription is `index_in_day mod n`.
pub fn usage_row(
    universe: &Universe,
    seed: u64,
    day: NaiveDate,
    index_in_day: u64,
) -> UsageRowSpec {
    let slot = usage_slot(universe, index_in_day);
    let usage = usage_on(universe, seed, day, index_in_day, &slot);
    UsageRowSpec {
        date: day,
        subscription: slot.subscription,
        meter: slot.meter,
        instance_id: slot.instance_id,
        resource_group: slot.resource_group,
        consumed_quantity: usage.consumed_quantity,
        resource_rate: usage.resource_rate,
        cost: usage.cost,
        tags: slot.tags,
        additional_info: universe.meters[slot.meter].additional_info.clone(),
    }
}

/// What usage slot `index_in_day` is, whatever the day: its resource (the part of
/// [`usage_row`] that is the same every day, and so can be kept; see
/// [`crate::state::Enrollment::usage_slot`]).
pub fn usage_slot(universe: &Universe, index_in_day: u64) -> UsageSlot {
    let e = &universe.enrollment;
    let mut slot = rng("usage-slot", universe.seed, e, None, index_in_day);
    let subscription = (index_in_day % universe.subscriptions.len() as u64) as usize;
    let sub = &universe.subscriptions[subscription];
    let meter_index = slot.random_range(0..universe.meters.len());
    let meter = &universe.meters[meter_index];
    let resource_group = sub
        .resource_groups
        .choose(&mut slot)
        .expect("non-empty")
        .clone();
    let units = slot.random_range(1..=4u32);
    let name = resource_name(
        &meter.resource_prefix,
        &meter.resource_type,
        &resource_group,
        index_in_day,
    );
    let tags = tags(universe, subscription, &resource_group, &mut slot);
    UsageSlot {
        subscription,
        meter: meter_index,
        units,
        instance_id: instance_id(&sub.guid, &resource_group, &meter.resource_type, &name),
        resource_group,
        tags,
    }
}

/// What slot `index_in_day` (which is `slot`) consumed on `day`.
pub fn usage_on(
    universe: &Universe,
    seed: u64,
    day: NaiveDate,
    index_in_day: u64,
    slot: &UsageSlot,
) -> DayUsage {
    let meter = &universe.meters[slot.meter];
    let mut today = rng(
        "usage-day",
        seed,
        &universe.enrollment,
        Some(day),
        index_in_day,
    );
    let consumed_quantity = quantity(meter.usage_profile, slot.units, day, &mut today);
    DayUsage {
        consumed_quantity,
        resource_rate: meter.unit_price,
        cost: round6(consumed_quantity * meter.unit_price),
    }
}

/// Marketplace row `index_in_day` of `day`; same addressing and purity as [`usage_row`].
/// The universe must have at least one offer (every built universe has 3–6).
pub fn marketplace_row(
    universe: &Universe,
    seed: u64,
    day: NaiveDate,
    index_in_day: u64,
) -> MarketplaceRowSpec {
    let e = &universe.enrollment;
    let mut slot = rng("market-slot", universe.seed, e, None, index_in_day);
    let subscription = (index_in_day % universe.subscriptions.len() as u64) as usize;
    let sub = &universe.subscriptions[subscription];
    let offer_index = slot.random_range(0..universe.marketplace_offers.len());
    let offer = &universe.marketplace_offers[offer_index];
    let resource_group = sub
        .resource_groups
        .choose(&mut slot)
        .expect("non-empty")
        .clone();
    let name = resource_name("nva", "", &resource_group, index_in_day);
    let additional_info = catalogue::MARKETPLACE_INFO
        .choose(&mut slot)
        .expect("non-empty")
        .to_string();
    let order_number: String = UUIDv4.fake_with_rng(&mut slot);
    let tags = tags(universe, subscription, &resource_group, &mut slot);
    let instance = instance_id(
        &sub.guid,
        &resource_group,
        "Microsoft.Compute/virtualMachines",
        &name,
    );
    let [resource_group, instance, additional_info, order_number] = if offer.detached {
        Default::default()
    } else {
        [resource_group, instance, additional_info, order_number]
    };

    let mut today = rng("market-day", seed, e, Some(day), index_in_day);
    let consumed_quantity = quantity(offer.usage_profile, 1, day, &mut today);
    MarketplaceRowSpec {
        date: day,
        subscription,
        offer: offer_index,
        instance_id: instance,
        resource_group,
        consumed_quantity,
        resource_rate: offer.resource_rate,
        extended_cost: round6(consumed_quantity * offer.resource_rate),
        tags,
        additional_info,
        order_number,
        is_recurring_charge: offer.recurring,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{d, universe};
    use std::collections::HashSet;

    #[test]
    fn usage_row_is_pure() {
        let u = universe();
        let s = data_seed(42, 1);
        for i in [0, 1, 5, 79, 1_000_000] {
            assert_eq!(
                usage_row(&u, s, d(2018, 3, 7), i),
                usage_row(&u, s, d(2018, 3, 7), i)
            );
        }
        // Order of generation does not matter: a late page equals itself computed alone.
        let forward: Vec<_> = (0..80)
            .map(|i| usage_row(&u, s, d(2018, 3, 7), i))
            .collect();
        let backward: Vec<_> = (0..80)
            .rev()
            .map(|i| usage_row(&u, s, d(2018, 3, 7), i))
            .collect();
        assert!(forward.iter().eq(backward.iter().rev()));
    }

    #[test]
    fn cost_is_quantity_times_rate() {
        let u = universe();
        for day in 1..=28 {
            for i in 0..80 {
                let r = usage_row(&u, 1, d(2017, 2, day), i);
                assert_eq!(r.cost, round6(r.consumed_quantity * r.resource_rate));
                assert!((r.cost - r.consumed_quantity * r.resource_rate).abs() <= 5e-7);
                assert_eq!(r.resource_rate, u.meters[r.meter].unit_price);
                assert!(r.consumed_quantity > 0.0);
            }
        }
    }

    #[test]
    fn rows_reference_the_universe() {
        let u = universe();
        for i in 0..200 {
            let r = usage_row(&u, 7, d(2018, 1, 31), i);
            assert_eq!(r.date, d(2018, 1, 31));
            assert_eq!(r.subscription, (i % 4) as usize);
            let sub = &u.subscriptions[r.subscription];
            assert!(r.meter < u.meters.len());
            assert!(sub.resource_groups.contains(&r.resource_group));
            let prefix = format!(
                "/subscriptions/{}/resourceGroups/{}/providers/{}/",
                sub.guid, r.resource_group, u.meters[r.meter].resource_type
            );
            assert!(r.instance_id.starts_with(&prefix), "{}", r.instance_id);
            assert!(
                r.tags.is_empty() || serde_json::from_str::<serde_json::Value>(&r.tags).is_ok(),
                "{}",
                r.tags
            );
            assert!(
                r.additional_info.is_empty()
                    || serde_json::from_str::<serde_json::Value>(&r.additional_info).is_ok()
            );
        }
    }

    #[test]
    fn a_slot_is_the_same_resource_every_day() {
        let u = universe();
        let a = usage_row(&u, 3, d(2018, 1, 1), 11);
        let b = usage_row(&u, 3, d(2018, 2, 15), 11);
        assert_eq!(
            (a.subscription, a.meter, &a.instance_id, &a.tags),
            (b.subscription, b.meter, &b.instance_id, &b.tags)
        );
        let ids: HashSet<_> = (0..80)
            .map(|i| usage_row(&u, 3, d(2018, 1, 1), i).instance_id)
            .collect();
        assert_eq!(ids.len(), 80, "no two slots share an instance");
    }

    #[test]
    fn quantities_vary_by_day_and_seed() {
        let u = universe();
        let day = |seed, dd| {
            (0..80)
                .map(|i| usage_row(&u, seed, d(2018, 1, dd), i).consumed_quantity)
                .collect::<Vec<_>>()
        };
        assert_ne!(day(1, 1), day(1, 2));
        assert_ne!(day(1, 1), day(2, 1));
        assert_ne!(data_seed(42, 1), data_seed(42, 2));
    }

    #[test]
    fn month_share_divides_by_days_in_month() {
        let profile = UsageProfile::MonthShare;
        let mut r = StdRng::seed_from_u64(0);
        assert_eq!(
            quantity(profile, 1, d(2018, 2, 3), &mut r),
            round6(1.0 / 28.0)
        );
        assert_eq!(
            quantity(profile, 3, d(2018, 1, 3), &mut r),
            round6(3.0 / 31.0)
        );
        assert_eq!(quantity(UsageProfile::Daily, 1, d(2018, 1, 3), &mut r), 1.0);
        for _ in 0..1000 {
            let h = quantity(UsageProfile::Hours, 1, d(2018, 1, 3), &mut r);
            assert!((0.25..=24.0).contains(&h));
        }
    }

    #[test]
    fn a_days_usage_spans_categories() {
        let u = universe();
        let mut seen = HashSet::new();
        for i in 0..80 {
            seen.insert(format!(
                "{:?}",
                u.meters[usage_row(&u, 5, d(2018, 5, 1), i).meter].category
            ));
        }
        assert!(seen.len() >= 4, "{seen:?}");
    }

    #[test]
    fn resource_names_follow_azure_rules() {
        assert_eq!(
            resource_name("vm", "Microsoft.Compute/virtualMachines", "rg-web-prod", 7),
            "vm-web-prod-007"
        );
        assert_eq!(
            resource_name("st", "Microsoft.Storage/storageAccounts", "rg-web-prod", 12),
            "stwebprod012"
        );
    }

    #[test]
    fn marketplace_row_is_pure_and_consistent() {
        let u = universe();
        for i in 0..50 {
            let a = marketplace_row(&u, 9, d(2018, 4, 2), i);
            assert_eq!(a, marketplace_row(&u, 9, d(2018, 4, 2), i));
            let offer = &u.marketplace_offers[a.offer];
            assert_eq!(
                a.extended_cost,
                round6(a.consumed_quantity * a.resource_rate)
            );
            assert_eq!(a.resource_rate, offer.resource_rate);
            assert_eq!(a.is_recurring_charge, offer.recurring);
            assert_eq!(a.subscription, (i % 4) as usize);
            if offer.detached {
                let empty = [&a.resource_group, &a.instance_id, &a.additional_info];
                assert!(empty.iter().all(|s| s.is_empty()), "{a:?}");
                assert_eq!(a.order_number, "");
                continue;
            }
            assert!(
                u.subscriptions[a.subscription]
                    .resource_groups
                    .contains(&a.resource_group)
            );
            assert!(
                a.instance_id
                    .contains(&u.subscriptions[a.subscription].guid)
            );
            serde_json::from_str::<serde_json::Value>(&a.additional_info).unwrap();
            let b = marketplace_row(&u, 9, d(2018, 4, 3), i);
            assert_eq!(a.order_number, b.order_number, "order number is per slot");
        }
    }

    #[test]
    fn usage_rows_per_day_counts_all_subscriptions() {
        assert_eq!(usage_rows_per_day(&universe(), 20), 80);
    }

    #[test]
    fn marketplace_rows_per_day_is_half_the_subscriptions() {
        assert_eq!(marketplace_rows_per_day(&universe()), 2);
        assert_eq!(marketplace_rows_per_day(&Universe::build(1, "1", 1)), 1);
        assert_eq!(marketplace_rows_per_day(&Universe::build(1, "1", 7)), 4);
    }
}
