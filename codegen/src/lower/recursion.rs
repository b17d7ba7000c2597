//! Models that reach themselves (through an array or a map: upgrade refuses direct cycles).
//! Their types compile as they are; only fake data needs care, or it would never end.

use std::collections::{HashMap, HashSet};

use super::Lowerer;
use crate::ir::{Faker, TypeRef};

impl Lowerer<'_> {
    /// Every optional, array or map field whose type leads back to its own model invents an
    /// empty value: each cycle passes through one such field, so fake data stays finite.
    pub(super) fn break_fake_cycles(&mut self) {
        let mut edges: HashMap<String, Vec<String>> = HashMap::new();
        for m in &self.models {
            let targets = m.fields.iter().flat_map(|f| named_types(&f.ty)).collect();
            edges.insert(m.rust_name.clone(), targets);
        }
        for u in &self.unions {
            let targets = u.variants.iter().map(|v| v.model.clone()).collect();
            edges.insert(u.rust_name.clone(), targets);
        }
        for m in &mut self.models {
            for f in &mut m.fields {
                let indirect = f.is_optional() || matches!(f.ty, TypeRef::Vec(_) | TypeRef::Map(_));
                if indirect
                    && named_types(&f.ty)
                        .iter()
                        .any(|t| reaches(&edges, t, &m.rust_name))
                {
                    f.faker = Faker::Empty;
                }
            }
        }
    }
}

/// The generated types a type names, through arrays and maps.
fn named_types(ty: &TypeRef) -> Vec<String> {
    match ty {
        TypeRef::Model(n) => vec![n.clone()],
        TypeRef::Vec(t) | TypeRef::Map(t) => named_types(t),
        _ => Vec::new(),
    }
}

fn reaches(edges: &HashMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut seen = HashSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if seen.insert(at.clone()) {
            stack.extend(edges.get(&at).into_iter().flatten().cloned());
        }
    }
    false
}

impl Lowerer<'_> {
    /// Boxes every field through which its model contains itself by value (a tree whose node
    /// names its parent, a subtype with a field of its base's type): without the pointer the
    /// type would have no finite size.
    pub(super) fn box_value_cycles(&mut self) {
        let mut edges: HashMap<String, Vec<String>> = HashMap::new();
        for m in &self.models {
            let direct = m.fields.iter().filter_map(|f| match &f.ty {
                TypeRef::Model(n) => Some(n.clone()),
                _ => None,
            });
            edges.insert(m.rust_name.clone(), direct.collect());
        }
        for u in &self.unions {
            let variants = u.variants.iter().map(|v| v.model.clone()).collect();
            edges.insert(u.rust_name.clone(), variants);
        }
        for m in &mut self.models {
            for f in &mut m.fields {
                if let TypeRef::Model(n) = &f.ty
                    && reaches(&edges, n, &m.rust_name)
                {
                    f.boxed = true;
                }
            }
        }
    }
}
