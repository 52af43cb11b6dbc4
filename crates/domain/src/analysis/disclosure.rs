//! Statistical disclosure control for published outputs (`cli.md`, `--published`).
//!
//! * **Primary suppression**: a count or numerator from 1 to `threshold − 1` (1 to 4 for the
//!   usual threshold of 5) is suppressed and shown as `[c]`. Zero is never suppressed for
//!   being small.
//! * **Secondary suppression**: cells are linked by additive groups, each a set of cells tied
//!   by one sum (the categories of a breakdown with their total, the areas within a parent
//!   with the parent). A group with exactly one suppressed cell gives it away by subtraction,
//!   so a second cell of that group is suppressed too: the smallest non-zero cell not yet
//!   suppressed (a zero only when nothing else is left), the lowest position on a tie. A
//!   secondary cell can leave another group it belongs to with a single suppressed cell, so the
//!   groups are checked again, in order, until nothing changes.
//! * **Derived values** (rates and percentages) are hidden when their numerator or their
//!   denominator is suppressed, since either could be recovered from the other and the value.
//!
//! A group of a single cell states no sum with other cells and is left alone.

use serde::{Deserialize, Serialize};

use crate::metric::vocabulary;

/// The usual threshold: counts from 1 to 4 are suppressed.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// The marker shown in place of a suppressed figure (the Analysis Function's "confidential").
pub const SUPPRESSED_MARKER: &str = "[c]";

/// A cell of a published table: a count, or the numerator of a rate or percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// The count.
    pub count: u64,
}

impl Cell {
    /// A cell holding `count`.
    pub fn new(count: u64) -> Self {
        Self { count }
    }
}

vocabulary!(
    /// Whether a cell is published.
    Suppression, "suppression" {
        /// Published as it is.
        Shown => "shown",
        /// Suppressed because it is a small number (1 to threshold − 1).
        Primary => "primary",
        /// Suppressed so that a primary cell cannot be worked out from a total.
        Secondary => "secondary",
    }
);

impl Suppression {
    /// Whether the cell is withheld.
    pub fn is_suppressed(self) -> bool {
        self != Suppression::Shown
    }

    /// The marker to show in its place, when it is withheld.
    pub fn marker(self) -> Option<&'static str> {
        self.is_suppressed().then_some(SUPPRESSED_MARKER)
    }
}

/// Whether a count is small enough to be suppressed for itself: from 1 to `threshold − 1`.
pub fn is_primary(count: u64, threshold: u64) -> bool {
    count >= 1 && count < threshold
}

/// Primary and secondary suppression of `cells`, one result per cell in the same order.
///
/// `groups` lists the positions of cells tied by one sum; positions outside `cells` and
/// repeated positions are ignored. On return every group of two or more cells has either no
/// suppressed cell or at least two, every count from 1 to `threshold − 1` is
/// [`Suppression::Primary`], and no zero is primary. The result depends only on the input.
pub fn suppress(cells: &[Cell], groups: &[Vec<usize>], threshold: u64) -> Vec<Suppression> {
    let mut state: Vec<Suppression> = cells
        .iter()
        .map(|c| {
            if is_primary(c.count, threshold) {
                Suppression::Primary
            } else {
                Suppression::Shown
            }
        })
        .collect();
    let groups: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            let mut g: Vec<usize> = g.iter().copied().filter(|&i| i < cells.len()).collect();
            g.sort_unstable();
            g.dedup();
            g
        })
        .filter(|g| g.len() >= 2)
        .collect();
    let suppressed =
        |state: &[Suppression], i: usize| state.get(i).is_some_and(|s| s.is_suppressed());
    // Every pass that changes anything suppresses at least one more cell, so this ends within
    // `cells.len()` passes.
    loop {
        let mut changed = false;
        for group in &groups {
            if group.iter().filter(|&&i| suppressed(&state, i)).count() != 1 {
                continue;
            }
            let pick = group
                .iter()
                .copied()
                .filter(|&i| !suppressed(&state, i))
                .filter_map(|i| cells.get(i).map(|c| (c.count == 0, c.count, i)))
                .min()
                .map(|(_, _, i)| i);
            if let Some(slot) = pick.and_then(|i| state.get_mut(i)) {
                *slot = Suppression::Secondary;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    state
}

/// A value derived from cells of the table, such as a rate or a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedValue {
    /// The position of its numerator among the cells.
    pub numerator: usize,
    /// The position of its denominator among the cells, when the denominator is one of them.
    pub denominator: Option<usize>,
}

impl DerivedValue {
    /// Whether it must be hidden, given the suppression of the cells: when its numerator or its
    /// denominator is suppressed, or its numerator is not among them (hidden to be safe).
    pub fn is_hidden(&self, suppression: &[Suppression]) -> bool {
        let hidden = |i: usize| suppression.get(i).is_none_or(|s| s.is_suppressed());
        hidden(self.numerator) || self.denominator.is_some_and(hidden)
    }
}

/// For each derived value, whether it must be hidden (see [`DerivedValue::is_hidden`]).
pub fn hide_derived(derived: &[DerivedValue], suppression: &[Suppression]) -> Vec<bool> {
    derived.iter().map(|d| d.is_hidden(suppression)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Suppression::{Primary, Secondary, Shown};
    use proptest::prelude::*;

    fn cells(counts: &[u64]) -> Vec<Cell> {
        counts.iter().map(|&c| Cell::new(c)).collect()
    }

    #[test]
    fn one_to_four_are_primary_and_zero_is_not() {
        let s = suppress(&cells(&[0, 1, 4, 5, 100]), &[], DEFAULT_THRESHOLD);
        assert_eq!(s, [Shown, Primary, Primary, Shown, Shown]);
        assert_eq!(Primary.marker(), Some("[c]"));
        assert_eq!(Shown.marker(), None);
        assert!(!is_primary(0, 5) && is_primary(4, 5) && !is_primary(5, 5));
        assert!(!is_primary(1, 1) && !is_primary(1, 0));
    }

    #[test]
    fn a_lone_primary_takes_the_smallest_non_zero_other_cell() {
        // Categories 3, 0, 10, 20 and their total 33.
        let s = suppress(&cells(&[3, 0, 10, 20, 33]), &[vec![0, 1, 2, 3, 4]], 5);
        assert_eq!(s, [Primary, Shown, Secondary, Shown, Shown]);
        // Two primaries protect each other.
        let s = suppress(&cells(&[3, 2, 10, 15]), &[vec![0, 1, 2, 3]], 5);
        assert_eq!(s, [Primary, Primary, Shown, Shown]);
        // Ties go to the lowest position.
        let s = suppress(&cells(&[3, 12, 12, 27]), &[vec![0, 1, 2, 3]], 5);
        assert_eq!(s, [Primary, Secondary, Shown, Shown]);
        // A zero only when nothing else is left.
        let s = suppress(&cells(&[3, 0]), &[vec![0, 1]], 5);
        assert_eq!(s, [Primary, Secondary]);
    }

    #[test]
    fn secondary_suppression_cascades_across_a_two_way_table() {
        //            col 1  col 2  total
        //   row 1      2     10     12
        //   row 2      8      9     17
        //   total     10     19     29
        let table = cells(&[2, 10, 12, 8, 9, 17, 10, 19, 29]);
        let groups = vec![
            vec![0, 1, 2],
            vec![3, 4, 5],
            vec![6, 7, 8],
            vec![0, 3, 6],
            vec![1, 4, 7],
            vec![2, 5, 8],
        ];
        let s = suppress(&table, &groups, 5);
        assert_eq!(
            s,
            [
                Primary, Secondary, Shown, Secondary, Secondary, Shown, Shown, Shown, Shown
            ]
        );
    }

    #[test]
    fn bad_positions_are_ignored() {
        let s = suppress(&cells(&[3, 10]), &[vec![0, 1, 1, 7], vec![0]], 5);
        assert_eq!(s, [Primary, Secondary]);
    }

    #[test]
    fn derived_values_follow_their_cells() {
        let s = [Primary, Shown, Secondary, Shown];
        let derived = [
            DerivedValue {
                numerator: 0,
                denominator: Some(1),
            },
            DerivedValue {
                numerator: 1,
                denominator: Some(3),
            },
            DerivedValue {
                numerator: 3,
                denominator: Some(2),
            },
            DerivedValue {
                numerator: 1,
                denominator: None,
            },
            DerivedValue {
                numerator: 9,
                denominator: None,
            },
        ];
        assert_eq!(hide_derived(&derived, &s), [true, false, true, false, true]);
    }

    fn table() -> impl Strategy<Value = (Vec<u64>, Vec<Vec<usize>>)> {
        prop::collection::vec(prop_oneof![Just(0u64), 1u64..5, 5u64..40], 2..14).prop_flat_map(
            |counts| {
                let n = counts.len();
                let group = prop::collection::vec(0..n, 2..=n.min(6));
                (Just(counts), prop::collection::vec(group, 0..8))
            },
        )
    }

    proptest! {
        #[test]
        fn suppression_leaves_nothing_recoverable((counts, groups) in table()) {
            let s = suppress(&cells(&counts), &groups, DEFAULT_THRESHOLD);
            prop_assert_eq!(s.len(), counts.len());
            for (count, state) in counts.iter().zip(&s) {
                prop_assert_eq!(*state == Primary, (1..5).contains(count));
                if *count == 0 {
                    prop_assert_ne!(*state, Primary);
                }
            }
            for group in &groups {
                let mut members = group.clone();
                members.sort_unstable();
                members.dedup();
                if members.len() < 2 {
                    continue;
                }
                let hidden = members.iter().filter(|&&i| s[i].is_suppressed()).count();
                prop_assert_ne!(hidden, 1, "group {:?} of {:?} gives {:?}", members, counts, s);
            }
            // The same input gives the same output.
            prop_assert_eq!(suppress(&cells(&counts), &groups, DEFAULT_THRESHOLD), s);
        }
    }
}
