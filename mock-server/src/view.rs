//! What a department or account key sees of an enrollment: the rows of its subscriptions.
//!
//! A day's usage row `i` belongs to subscription `i mod n` (`crate::universe`), and every
//! subscription has the same number of rows a day, so the rows of a set of subscriptions `S`
//! (sorted, `k` of them) are, in order, the slots `(j / k) * n + S[j mod k]` for
//! `j = 0..k * rows_per_subscription`. A view's row `j` is thus computed from `j` alone, like
//! the full view's: pages, page counts, `nextLink`s, the CSV and the totals work on a view's
//! rows without generating, let alone holding, the rows it does not see. Marketplace rows
//! follow the same rule over the few marketplace slots of a day.

use crate::keys::KeyScope;
use crate::state::Enrollment;
use crate::universe::Universe;

/// The subscriptions a key sees, and how its rows map onto the enrollment's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    scope: KeyScope,
    /// Sorted subscription indices; `None`: every subscription.
    subscriptions: Option<Box<[u64]>>,
    /// The marketplace slots of a day that belong to them; `None`: every slot.
    marketplace_slots: Option<Box<[u64]>>,
}

impl View {
    /// The whole enrollment.
    pub fn enterprise() -> View {
        View {
            scope: KeyScope::Enterprise,
            subscriptions: None,
            marketplace_slots: None,
        }
    }

    /// The view of `scope` in `e`, or `None` when the enrollment has no such department or
    /// account (the key belongs to another enrollment).
    pub fn of(e: &Enrollment, scope: KeyScope) -> Option<View> {
        let u = &e.universe;
        let keep: Box<[u64]> = match scope {
            KeyScope::Enterprise => return Some(View::enterprise()),
            KeyScope::Department(id) => {
                u.departments.iter().find(|d| d.id == id)?;
                subscriptions_where(u, |s| u.department_of(s).id == id)
            }
            KeyScope::Account(id) => {
                u.accounts.iter().find(|a| a.id == id)?;
                subscriptions_where(u, |s| u.account_of(s).id == id)
            }
        };
        let n = u.subscriptions.len() as u64;
        let slots = (0..e.marketplace_rows_per_day)
            .filter(|i| keep.binary_search(&(i % n)).is_ok())
            .collect();
        Some(View {
            scope,
            subscriptions: Some(keep),
            marketplace_slots: Some(slots),
        })
    }

    /// The scope it was made for.
    pub fn scope(&self) -> KeyScope {
        self.scope
    }

    /// Whether this is the whole enrollment.
    pub fn is_enterprise(&self) -> bool {
        self.subscriptions.is_none()
    }

    /// What to add to ETag identities and page-token scopes: nothing for the whole enrollment
    /// (so its tags stay what they were before keys had views), else `|view=<scope>`.
    pub fn tag(&self) -> String {
        if self.is_enterprise() {
            String::new()
        } else {
            format!("|view={}", self.scope)
        }
    }

    /// Usage rows a day in the view.
    pub fn usage_per_day(&self, e: &Enrollment) -> u64 {
        match &self.subscriptions {
            None => e.usage_rows_per_day,
            Some(keep) => keep.len() as u64 * rows_per_subscription(e),
        }
    }

    /// The enrollment's slot (index in the day) of the view's `j`-th usage row of a day.
    pub fn usage_slot(&self, e: &Enrollment, j: u64) -> u64 {
        match &self.subscriptions {
            None => j,
            Some(keep) => {
                let k = keep.len() as u64;
                (j / k) * e.universe.subscriptions.len() as u64 + keep[(j % k) as usize]
            }
        }
    }

    /// Marketplace rows a day in the view.
    pub fn marketplace_per_day(&self, e: &Enrollment) -> u64 {
        self.marketplace_slots
            .as_ref()
            .map_or(e.marketplace_rows_per_day, |s| s.len() as u64)
    }

    /// The enrollment's marketplace slot of the view's `j`-th marketplace row of a day.
    pub fn marketplace_slot(&self, j: u64) -> u64 {
        self.marketplace_slots
            .as_ref()
            .map_or(j, |slots| slots[j as usize])
    }
}

fn rows_per_subscription(e: &Enrollment) -> u64 {
    e.usage_rows_per_day / (e.universe.subscriptions.len() as u64).max(1)
}

fn subscriptions_where(u: &Universe, keep: impl Fn(usize) -> bool) -> Box<[u64]> {
    (0..u.subscriptions.len())
        .filter(|&s| keep(s))
        .map(|s| s as u64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::universe;

    fn enrollment(subscriptions: usize) -> Enrollment {
        Enrollment::build(
            &Config {
                subscriptions,
                rows_per_day: 3,
                ..Config::default()
            },
            "100",
        )
    }

    #[test]
    fn a_views_rows_are_the_enrollments_rows_of_its_subscriptions_in_order() {
        for subscriptions in [1, 2, 5, 9] {
            let e = enrollment(subscriptions);
            let u = &e.universe;
            let scopes = u
                .departments
                .iter()
                .map(|d| KeyScope::Department(d.id))
                .chain(u.accounts.iter().map(|a| KeyScope::Account(a.id)));
            for scope in scopes {
                let view = View::of(&e, scope).unwrap();
                let sees = |s: usize| match scope {
                    KeyScope::Department(id) => u.department_of(s).id == id,
                    KeyScope::Account(id) => u.account_of(s).id == id,
                    KeyScope::Enterprise => true,
                };
                let want: Vec<u64> = (0..e.usage_rows_per_day)
                    .filter(|i| sees((i % subscriptions as u64) as usize))
                    .collect();
                let got: Vec<u64> = (0..view.usage_per_day(&e))
                    .map(|j| view.usage_slot(&e, j))
                    .collect();
                assert_eq!(got, want, "{scope} of {subscriptions}");
                let want: Vec<u64> = (0..e.marketplace_rows_per_day)
                    .filter(|&i| {
                        let day = chrono::NaiveDate::from_ymd_opt(2018, 5, 1).unwrap();
                        sees(universe::marketplace_row(u, 1, day, i).subscription)
                    })
                    .collect();
                let got: Vec<u64> = (0..view.marketplace_per_day(&e))
                    .map(|j| view.marketplace_slot(j))
                    .collect();
                assert_eq!(got, want, "marketplace {scope} of {subscriptions}");
            }
        }
    }

    #[test]
    fn the_enterprise_view_is_everything_and_adds_no_tag() {
        let e = enrollment(4);
        let view = View::of(&e, KeyScope::Enterprise).unwrap();
        assert!(view.is_enterprise() && view.tag().is_empty());
        assert_eq!(view.usage_per_day(&e), e.usage_rows_per_day);
        assert_eq!(view.usage_slot(&e, 7), 7);
        let dept = e.universe.departments[0].id;
        let scoped = View::of(&e, KeyScope::Department(dept)).unwrap();
        assert_eq!(scoped.tag(), format!("|view=department={dept}"));
        assert!(View::of(&e, KeyScope::Department(-1)).is_none());
        assert!(View::of(&e, KeyScope::Account(-1)).is_none());
    }
}
