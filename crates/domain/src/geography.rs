//! The reference geography as a whole: areas with their parents, the history of their codes,
//! and their population estimates.

use std::collections::BTreeMap;

use crate::area::{AgeBand, Area, AreaCode};

/// A retired area code and the current code whose area includes all of the old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChange {
    /// The code no longer in use.
    pub old_code: AreaCode,
    /// The current code.
    pub new_code: AreaCode,
    /// When the change took effect (`YYYY-MM-DD`), where known.
    pub effective: Option<String>,
    /// Why the code changed.
    pub reason: String,
}

/// A mid-year population estimate for one age band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationEstimate {
    /// The year of the mid-year (30 June) estimate.
    pub year: i32,
    /// The ages counted.
    pub age_band: AgeBand,
    /// The number of people (persons).
    pub population: u64,
}

/// England and Wales together, the root of the hierarchy.
pub const ENGLAND_AND_WALES: &str = "K04000001";
/// England, the default benchmark for English areas.
pub const ENGLAND: &str = "E92000001";
/// Wales, the default benchmark for Welsh areas.
pub const WALES: &str = "W92000004";

/// The year of the population estimates that [`Area::population`] carries.
pub const POPULATION_YEAR: i32 = 2023;

/// Every area with its parents and population, the code changes, and the estimates by area.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    /// Every area, in a stable order.
    pub areas: Vec<Area>,
    /// Retired codes and their successors.
    pub code_changes: Vec<CodeChange>,
    /// Population estimates by area code.
    pub populations: BTreeMap<AreaCode, Vec<PopulationEstimate>>,
}

impl Geography {
    /// The current code for `code`: its successor if it was retired, else itself.
    pub fn current_code<'a>(&'a self, code: &'a AreaCode) -> &'a AreaCode {
        self.code_changes
            .iter()
            .find(|c| &c.old_code == code)
            .map_or(code, |c| &c.new_code)
    }

    /// Finds an area by code, following a code change if the code is retired.
    pub fn area(&self, code: &AreaCode) -> Option<&Area> {
        let current = self.current_code(code);
        self.areas.iter().find(|a| &a.code == current)
    }
}

/// Sums the estimates of non-overlapping areas into the estimates of the area they make up:
/// one estimate per year and age band that every part has, so a total is never partial.
pub fn sum_estimates(parts: &[Vec<PopulationEstimate>]) -> Vec<PopulationEstimate> {
    let mut sums: BTreeMap<(i32, AgeBand), (u64, usize)> = BTreeMap::new();
    for part in parts {
        for estimate in part {
            let entry = sums.entry((estimate.year, estimate.age_band)).or_default();
            entry.0 += estimate.population;
            entry.1 += 1;
        }
    }
    sums.into_iter()
        .filter(|(_, (_, count))| *count == parts.len())
        .map(|((year, age_band), (population, _))| PopulationEstimate {
            year,
            age_band,
            population,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(year: i32, population: u64) -> PopulationEstimate {
        PopulationEstimate {
            year,
            age_band: AgeBand::ALL_AGES,
            population,
        }
    }

    #[test]
    fn sums_keep_only_years_every_part_has() {
        let parts = vec![
            vec![estimate(2022, 10), estimate(2023, 11)],
            vec![estimate(2023, 5)],
        ];
        assert_eq!(sum_estimates(&parts), vec![estimate(2023, 16)]);
        assert!(sum_estimates(&[]).is_empty());
    }
}
