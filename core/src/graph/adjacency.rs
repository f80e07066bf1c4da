//! Per node, the nodes it points to, every list in one vector: a graph of thousands of
//! resources builds and frees two vectors instead of one per resource.

use std::ops::Index;

/// Lists of node numbers, one per node in node order, each sorted and without
/// duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Adjacency {
    /// Node `i`'s list is `targets[start[i]..start[i + 1]]`.
    start: Vec<u32>,
    targets: Vec<u32>,
}

impl Adjacency {
    /// No nodes yet, room for `nodes` nodes and `targets` targets in all.
    pub(crate) fn with_capacity(nodes: usize, targets: usize) -> Self {
        let mut start = Vec::with_capacity(nodes + 1);
        start.push(0);
        Adjacency { start, targets: Vec::with_capacity(targets) }
    }

    /// Adds the next node, pointing to `targets` (in any order, repeats dropped).
    pub(crate) fn push(&mut self, targets: impl IntoIterator<Item = u32>) {
        let begin = *self.start.last().expect("start holds 0") as usize;
        self.targets.extend(targets);
        let list = &mut self.targets[begin..];
        list.sort_unstable();
        // Dedup in place: `Vec::dedup` would take the whole vector.
        let mut kept = 0;
        for read in 0..list.len() {
            if kept == 0 || list[read] != list[kept - 1] {
                list[kept] = list[read];
                kept += 1;
            }
        }
        self.targets.truncate(begin + kept);
        self.start.push(self.targets.len() as u32);
    }

    /// Adds `other`'s nodes after these.
    pub(crate) fn append(&mut self, other: Adjacency) {
        let offset = self.targets.len() as u32;
        self.targets.extend(other.targets);
        self.start.extend(other.start[1..].iter().map(|s| s + offset));
    }

    /// How many nodes there are.
    pub(crate) fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// How many targets all lists hold together.
    pub(crate) fn target_count(&self) -> usize {
        self.targets.len()
    }

    /// The lists in node order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &[u32]> + '_ {
        self.start.windows(2).map(|w| &self.targets[w[0] as usize..w[1] as usize])
    }
}

impl Index<usize> for Adjacency {
    type Output = [u32];

    fn index(&self, node: usize) -> &[u32] {
        &self.targets[self.start[node] as usize..self.start[node + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::Adjacency;

    #[test]
    fn lists_come_back_sorted_without_repeats() {
        let mut a = Adjacency::with_capacity(3, 4);
        a.push([3, 1, 3, 2, 1]);
        a.push([]);
        a.push([0, 0]);
        assert_eq!(a.len(), 3);
        assert_eq!(a.target_count(), 4);
        assert_eq!((&a[0], &a[1], &a[2]), (&[1, 2, 3][..], &[][..], &[0][..]));
        assert_eq!(a.iter().collect::<Vec<_>>(), [&[1, 2, 3][..], &[], &[0]]);
        assert_eq!(Adjacency::with_capacity(0, 0).iter().count(), 0);
    }

    #[test]
    fn appended_nodes_follow_with_their_lists() {
        let mut a = Adjacency::with_capacity(2, 2);
        a.push([2]);
        a.push([]);
        let mut b = Adjacency::with_capacity(2, 3);
        b.push([0, 1]);
        b.push([3]);
        a.append(b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [&[2][..], &[], &[0, 1], &[3]]);
        assert_eq!(a.target_count(), 4);
    }
}
