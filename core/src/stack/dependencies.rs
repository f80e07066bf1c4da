//! The explicit requirements of the enabled resources and the toposort Heat validates
//! them in (`Stack.validate` walks `Stack.dependencies` in that order).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use super::resources::ResourceDefn;
use crate::graph::{Adjacency, Names};
use crate::template::environment::ResolvedType;
use crate::template::resource_types;

/// The explicit requirements of the resources, by position in the resource
/// definitions: what Heat's validation toposort and the graph read.
pub(super) struct Dependencies<'a> {
    defs: &'a [ResourceDefn],
    /// Per resource, the enabled resources it requires (`depends_on` and function
    /// references). Empty for a disabled resource and for one with an `external_id`.
    pub(super) requires: Adjacency,
}

/// The enabled resources in name order, the order Heat's toposort prefers and the
/// graph numbers them in.
pub(super) struct NameOrder {
    /// Positions of the enabled resources, sorted by name.
    pub(super) by_name: Vec<u32>,
    /// Per position, its index in `by_name` (`u32::MAX` for a disabled resource).
    pub(super) rank: Vec<u32>,
}

impl<'a> Dependencies<'a> {
    /// `requires` holds a list per resource of `defs`.
    pub(super) fn new(defs: &'a [ResourceDefn], requires: Adjacency) -> Self {
        debug_assert_eq!(requires.len(), defs.len());
        Dependencies { defs, requires }
    }

    /// The enabled resources (`enabled(i)`) in name order; `names` holds the
    /// resources' names by position (one buffer: sorting reads it, not the
    /// definitions, each far from the next in memory).
    pub(super) fn name_order(&self, names: &Names, enabled: impl Fn(usize) -> bool) -> NameOrder {
        let enabled = (0..self.defs.len() as u32).filter(|&i| enabled(i as usize));
        let by_name = crate::graph::sort_by_name(enabled, |i| names.get(i as usize));
        let mut rank = vec![u32::MAX; self.defs.len()];
        for (r, &i) in by_name.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        NameOrder { by_name, rank }
    }

    /// The requirements in the graph's numbering: per enabled resource in name order,
    /// the ranks of what it requires.
    pub(super) fn by_rank(&self, name_order: &NameOrder) -> Adjacency {
        let NameOrder { by_name, rank } = name_order;
        let mut out = Adjacency::with_capacity(by_name.len(), self.requires.target_count());
        for &i in by_name {
            out.push(self.requires[i as usize].iter().map(|&j| rank[j as usize]));
        }
        out
    }

    /// Heat's toposort with name order among ready resources: the smallest ready name
    /// first. The error lists the resources left in name order (cycle members and
    /// what depends on them).
    pub(super) fn toposort(&self, name_order: &NameOrder) -> Result<Vec<u32>, Vec<u32>> {
        let NameOrder { by_name, rank } = name_order;
        // Dependents of each resource, flattened: those of `i` are
        // `dependents[start[i]..start[i + 1]]`.
        let n = self.defs.len();
        let mut start = vec![0u32; n + 1];
        for reqs in self.requires.iter() {
            for &r in reqs {
                start[r as usize + 1] += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut dependents = vec![0u32; start[n] as usize];
        for (i, reqs) in self.requires.iter().enumerate() {
            for &r in reqs {
                dependents[fill[r as usize] as usize] = i as u32;
                fill[r as usize] += 1;
            }
        }
        let mut waiting: Vec<u32> = self.requires.iter().map(|r| r.len() as u32).collect();
        let mut ready: BinaryHeap<Reverse<u32>> = by_name
            .iter()
            .filter(|&&i| waiting[i as usize] == 0)
            .map(|&i| Reverse(rank[i as usize]))
            .collect();
        let mut order = Vec::with_capacity(by_name.len());
        while let Some(Reverse(r)) = ready.pop() {
            let i = by_name[r as usize];
            order.push(i);
            for &d in &dependents[start[i as usize] as usize..start[i as usize + 1] as usize] {
                waiting[d as usize] -= 1;
                if waiting[d as usize] == 0 {
                    ready.push(Reverse(rank[d as usize]));
                }
            }
        }
        if order.len() == by_name.len() {
            Ok(order)
        } else {
            Err(by_name.iter().copied().filter(|&i| waiting[i as usize] > 0).collect())
        }
    }

    /// Heat's message for the resources `left` (in name order) that the toposort
    /// could not order; `resolved(i)` is what resource `i`'s type resolved to.
    pub(super) fn cycle_message<'t>(
        &self,
        left: &[u32],
        resolved: impl Fn(usize) -> Option<&'t ResolvedType>,
    ) -> String {
        let defs = self.defs;
        let left_set: HashSet<u32> = left.iter().copied().collect();
        let node = |i: u32| {
            let i = i as usize;
            format!("{} \"{}\"", class_name(resolved(i)), defs[i].name)
        };
        let parts: Vec<String> = left
            .iter()
            .map(|&n| {
                let mut reqs: Vec<u32> = self.requires[n as usize]
                    .iter()
                    .copied()
                    .filter(|r| left_set.contains(r))
                    .collect();
                reqs.sort_unstable_by(|&x, &y| defs[x as usize].name.cmp(&defs[y as usize].name));
                let reqs: Vec<String> = reqs.into_iter().map(node).collect();
                format!("{}: {{{}}}", node(n), reqs.join(", "))
            })
            .collect();
        format!("Circular Dependency Found: {{{}}}", parts.join(", "))
    }
}

fn class_name(resolved: Option<&ResolvedType>) -> String {
    match resolved {
        Some(ResolvedType::Plugin(p)) => {
            resource_types::get(p).map(|t| t.class.clone()).unwrap_or_default()
        }
        _ => "TemplateResource".into(),
    }
}
