//! The real geography of England and Wales and its populations, from the ONS and mySociety
//! files shipped under `data/geography` and `data/population` (provenance in `data/SOURCES.md`).
//!
//! Areas are held on their current codes: the 2024 recoding of Barnsley and Sheffield is
//! applied on load, and every retired code that maps to exactly one current area is kept as a
//! [`CodeChange`] so that older data can be read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use h2h_domain::geography::{ENGLAND_AND_WALES, POPULATION_YEAR, sum_estimates};
use h2h_domain::{AgeBand, Area, AreaCode, AreaKind, CodeChange, Geography, PopulationEstimate};

use crate::csv_table::{CsvTable, IngestError, Row};

/// The files this module reads, by name, as shipped in the repository.
const SPINE: (&str, &str) = (
    "lad23_utla_region_pfa_lookup_ew.csv",
    include_str!("../../../data/geography/lad23_utla_region_pfa_lookup_ew.csv"),
);
const CSP_LOOKUP: (&str, &str) = (
    "ons_lad23_csp23_pfa23_lookup_dec2023.csv",
    include_str!("../../../data/geography/ons_lad23_csp23_pfa23_lookup_dec2023.csv"),
);
const POLICE_FORCE_AREAS: (&str, &str) = (
    "police_force_areas_ew_2023_derived.csv",
    include_str!("../../../data/geography/police_force_areas_ew_2023_derived.csv"),
);
pub(crate) const MYSOCIETY: (&str, &str) = (
    "mysociety_uk_local_authorities_current.csv",
    include_str!("../../../data/geography/mysociety_uk_local_authorities_current.csv"),
);
const CODE_CHANGES: (&str, &str) = (
    "code_changes.csv",
    include_str!("../../../data/geography/code_changes.csv"),
);
const AGE_BANDS: (&str, &str) = (
    "ons_mye2023_population_age_bands_derived.csv",
    include_str!("../../../data/population/ons_mye2023_population_age_bands_derived.csv"),
);
const SINGLE_YEARS: (&str, &str) = (
    "ons_mye2023_persons_single_year_of_age.csv",
    include_str!("../../../data/population/ons_mye2023_persons_single_year_of_age.csv"),
);
const TOTALS: (&str, &str) = (
    "ons_mye_population_mid2011_to_mid2023.csv",
    include_str!("../../../data/population/ons_mye_population_mid2011_to_mid2023.csv"),
);

/// Bumped when the way the files are read changes, so stores reinstall the geography.
const READER_REVISION: u32 = 1;

/// A version label for the shipped geography: changes whenever a shipped file or the reader
/// changes, so a store knows when to reinstall it.
pub fn shipped_version() -> String {
    // FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let files = [
        SPINE,
        CSP_LOOKUP,
        POLICE_FORCE_AREAS,
        MYSOCIETY,
        CODE_CHANGES,
        AGE_BANDS,
        SINGLE_YEARS,
        TOTALS,
    ];
    for byte in files.iter().flat_map(|(_, text)| text.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("r{READER_REVISION}-{hash:016x}")
}

/// Reads the geography shipped with the product.
pub fn shipped_geography() -> Result<Geography, IngestError> {
    let table = |(name, text): (&str, &str)| CsvTable::parse(name, text);
    let code_changes = read_code_changes(&table(CODE_CHANGES)?, &table(MYSOCIETY)?)?;
    let recode = code_changes
        .iter()
        .map(|c| (c.old_code.as_str().to_owned(), c.new_code.clone()))
        .collect();
    let mut builder = Builder {
        recode,
        ..Builder::default()
    };
    builder.read_spine(&table(SPINE)?)?;
    builder.read_police_force_areas(&table(POLICE_FORCE_AREAS)?)?;
    builder.read_community_safety_partnerships(&table(CSP_LOOKUP)?)?;
    builder.read_age_bands(&table(AGE_BANDS)?)?;
    builder.read_single_years(&table(SINGLE_YEARS)?)?;
    builder.read_totals(&table(TOTALS)?)?;
    builder.sum_groupings();
    Ok(builder.finish(code_changes))
}

#[derive(Default)]
struct Builder {
    recode: HashMap<String, AreaCode>,
    areas: BTreeMap<AreaCode, Area>,
    /// Lower-tier authorities by the grouping areas they make up, for summing populations.
    members: BTreeMap<AreaCode, BTreeSet<AreaCode>>,
    /// Lower-tier authorities split between several community safety partnerships.
    split: BTreeSet<AreaCode>,
    populations: BTreeMap<AreaCode, Vec<PopulationEstimate>>,
}

impl Builder {
    /// Parses a code column, mapping a retired code to its successor.
    fn code(&self, row: &Row<'_>, column: &str) -> Result<AreaCode, IngestError> {
        let code = row.parse_with(column, AreaCode::parse)?;
        Ok(self.recode.get(code.as_str()).cloned().unwrap_or(code))
    }

    fn add(&mut self, code: &AreaCode, name: &str, kind: AreaKind, parents: &[&AreaCode]) {
        self.areas.entry(code.clone()).or_insert_with(|| Area {
            code: code.clone(),
            name: name.to_owned(),
            kind,
            parents: Vec::new(),
            population: None,
        });
        for parent in parents {
            self.add_parent(code, parent);
        }
    }

    fn add_parent(&mut self, code: &AreaCode, parent: &AreaCode) {
        if let Some(area) = self.areas.get_mut(code)
            && !area.parents.contains(parent)
        {
            area.parents.push(parent.clone());
        }
    }

    fn read_spine(&mut self, table: &CsvTable) -> Result<(), IngestError> {
        table.require(&[
            "LAD23CD", "LAD23NM", "LAD_TYPE", "UTLA23CD", "UTLA23NM", "RGN23CD", "RGN23NM",
            "CTRY23CD", "CTRY23NM",
        ])?;
        let england_and_wales =
            AreaCode::parse(ENGLAND_AND_WALES).map_err(|e| IngestError::Malformed {
                file: table.file().to_owned(),
                message: e.to_string(),
            })?;
        self.add(
            &england_and_wales,
            "England and Wales",
            AreaKind::Country,
            &[],
        );
        for row in table.rows() {
            let country = self.code(&row, "CTRY23CD")?;
            self.add(
                &country,
                row.get("CTRY23NM"),
                AreaKind::Country,
                &[&england_and_wales],
            );
            let region = self.code(&row, "RGN23CD")?;
            // Wales has no region: its authorities sit directly in the country.
            if region != country {
                self.add(&region, row.get("RGN23NM"), AreaKind::Region, &[&country]);
            }
            let lad = self.code(&row, "LAD23CD")?;
            let kind = match row.get("LAD_TYPE") {
                "Unitary Authority" => AreaKind::Unitary,
                "Metropolitan District" => AreaKind::MetropolitanDistrict,
                "London Borough" => AreaKind::LondonBorough,
                "Non-metropolitan District" => AreaKind::District,
                _ => return Err(row.error("LAD_TYPE", "is not a known type of local authority")),
            };
            let upper = self.code(&row, "UTLA23CD")?;
            if upper == lad {
                self.add(&lad, row.get("LAD23NM"), kind, &[&region]);
            } else {
                self.add(&upper, row.get("UTLA23NM"), AreaKind::County, &[&region]);
                self.add(&lad, row.get("LAD23NM"), kind, &[&upper]);
                self.members.entry(upper).or_default().insert(lad.clone());
            }
            for ancestor in [region, country, england_and_wales.clone()] {
                self.members
                    .entry(ancestor)
                    .or_default()
                    .insert(lad.clone());
            }
            self.members.entry(lad.clone()).or_default().insert(lad);
        }
        Ok(())
    }

    fn read_police_force_areas(&mut self, table: &CsvTable) -> Result<(), IngestError> {
        table.require(&["PFA23CD", "PFA23NM", "RGN23CD", "LAD23_CODES"])?;
        for row in table.rows() {
            let pfa = self.code(&row, "PFA23CD")?;
            let region = self.code(&row, "RGN23CD")?;
            if !self.areas.contains_key(&region) {
                return Err(row.error("RGN23CD", "is not a region of the geography lookup"));
            }
            self.add(&pfa, row.get("PFA23NM"), AreaKind::Pfa, &[&region]);
            for lad in row.get("LAD23_CODES").split(';') {
                let lad = AreaCode::parse(lad).map_err(|e| row.error("LAD23_CODES", e.reason))?;
                let lad = self.recode.get(lad.as_str()).cloned().unwrap_or(lad);
                if !self.areas.contains_key(&lad) {
                    return Err(row.error(
                        "LAD23_CODES",
                        format!("names {lad}, which is not a local authority"),
                    ));
                }
                self.add_parent(&lad, &pfa);
                self.members.entry(pfa.clone()).or_default().insert(lad);
            }
        }
        Ok(())
    }

    fn read_community_safety_partnerships(&mut self, table: &CsvTable) -> Result<(), IngestError> {
        table.require(&["LAD23CD", "CSP23CD", "CSP23NM", "PFA23CD"])?;
        let mut partnerships_of: BTreeMap<AreaCode, usize> = BTreeMap::new();
        for row in table.rows() {
            let lad = self.code(&row, "LAD23CD")?;
            let csp = self.code(&row, "CSP23CD")?;
            let pfa = self.code(&row, "PFA23CD")?;
            if !self.areas.contains_key(&lad) || !self.areas.contains_key(&pfa) {
                return Err(row.error("LAD23CD", "is not in the geography lookup"));
            }
            self.add(&csp, row.get("CSP23NM"), AreaKind::Csp, &[&pfa]);
            self.add_parent(&lad, &csp);
            self.members.entry(csp).or_default().insert(lad.clone());
            *partnerships_of.entry(lad).or_default() += 1;
        }
        self.split = partnerships_of
            .into_iter()
            .filter_map(|(lad, n)| (n > 1).then_some(lad))
            .collect();
        Ok(())
    }

    fn push_population(&mut self, code: AreaCode, estimate: PopulationEstimate) {
        if self.areas.contains_key(&code) {
            self.populations.entry(code).or_default().push(estimate);
        }
    }

    fn read_age_bands(&mut self, table: &CsvTable) -> Result<(), IngestError> {
        let bands = [
            ("All ages", AgeBand::ALL_AGES),
            (
                "Aged 0-14",
                AgeBand {
                    from: 0,
                    to: Some(14),
                },
            ),
            (
                "Aged 15-64",
                AgeBand {
                    from: 15,
                    to: Some(64),
                },
            ),
            ("Aged 65+", AgeBand { from: 65, to: None }),
            (
                "Aged 16-64",
                AgeBand {
                    from: 16,
                    to: Some(64),
                },
            ),
            ("Aged 18+", AgeBand { from: 18, to: None }),
            (
                "Aged 18-64",
                AgeBand {
                    from: 18,
                    to: Some(64),
                },
            ),
        ];
        let columns: Vec<&str> = bands.iter().map(|(c, _)| *c).collect();
        table.require(&columns)?;
        for row in table.rows() {
            let code = self.code(&row, "Code")?;
            for (column, age_band) in bands {
                let population = row.parse_with(column, str::parse::<u64>)?;
                self.push_population(
                    code.clone(),
                    PopulationEstimate {
                        year: POPULATION_YEAR,
                        age_band,
                        population,
                    },
                );
            }
        }
        Ok(())
    }

    fn read_single_years(&mut self, table: &CsvTable) -> Result<(), IngestError> {
        table.require(&["Code", "0", "90+"])?;
        for row in table.rows() {
            let code = self.code(&row, "Code")?;
            for age in 0..=90u8 {
                let (column, age_band) = if age == 90 {
                    (String::from("90+"), AgeBand { from: 90, to: None })
                } else {
                    (age.to_string(), AgeBand::single(age))
                };
                let population = row.parse_with(&column, str::parse::<u64>)?;
                self.push_population(
                    code.clone(),
                    PopulationEstimate {
                        year: POPULATION_YEAR,
                        age_band,
                        population,
                    },
                );
            }
        }
        Ok(())
    }

    fn read_totals(&mut self, table: &CsvTable) -> Result<(), IngestError> {
        table.require(&["Code", "Mid-2011", "Mid-2023"])?;
        // Mid-2023 comes from the age-band file; this one adds the earlier years.
        for row in table.rows() {
            let code = self.code(&row, "Code")?;
            for year in 2011..POPULATION_YEAR {
                let population = row.parse_with(&format!("Mid-{year}"), str::parse::<u64>)?;
                self.push_population(
                    code.clone(),
                    PopulationEstimate {
                        year,
                        age_band: AgeBand::ALL_AGES,
                        population,
                    },
                );
            }
        }
        Ok(())
    }

    /// Sums lower-tier populations into police force areas and community safety partnerships,
    /// band by band; a partnership holding part of a split authority gets none, since its share
    /// is not published.
    fn sum_groupings(&mut self) {
        let groupings: Vec<(AreaCode, BTreeSet<AreaCode>)> = self
            .members
            .iter()
            .filter(|(code, _)| {
                self.areas
                    .get(*code)
                    .is_some_and(|a| matches!(a.kind, AreaKind::Pfa | AreaKind::Csp))
            })
            .map(|(code, members)| (code.clone(), members.clone()))
            .collect();
        for (code, members) in groupings {
            let is_csp = self
                .areas
                .get(&code)
                .is_some_and(|a| a.kind == AreaKind::Csp);
            if is_csp && members.iter().any(|m| self.split.contains(m)) {
                continue;
            }
            let parts: Vec<Vec<PopulationEstimate>> = members
                .iter()
                .map(|m| self.populations.get(m).cloned().unwrap_or_default())
                .collect();
            let estimates = sum_estimates(&parts);
            self.populations.insert(code, estimates);
        }
    }

    fn finish(mut self, code_changes: Vec<CodeChange>) -> Geography {
        for (code, area) in &mut self.areas {
            area.population = self.populations.get(code).and_then(|estimates| {
                estimates
                    .iter()
                    .find(|e| e.year == POPULATION_YEAR && e.age_band == AgeBand::ALL_AGES)
                    .map(|e| e.population)
            });
        }
        let mut areas: Vec<Area> = self.areas.into_values().collect();
        // England and Wales heads the list; then each kind in code order.
        areas.sort_by_key(|a| (a.kind, a.code.as_str() != ENGLAND_AND_WALES, a.code.clone()));
        Geography {
            areas,
            code_changes,
            populations: self.populations,
        }
    }
}

/// Reads the shipped recodings, then every retired English or Welsh authority that mySociety
/// records as replaced by exactly one current authority (the 2019-2023 reorganisations).
fn read_code_changes(
    shipped: &CsvTable,
    mysociety: &CsvTable,
) -> Result<Vec<CodeChange>, IngestError> {
    shipped.require(&["old_code", "new_code", "effective", "reason"])?;
    let mut changes = Vec::new();
    for row in shipped.rows() {
        changes.push(CodeChange {
            old_code: row.parse_with("old_code", AreaCode::parse)?,
            new_code: row.parse_with("new_code", AreaCode::parse)?,
            effective: row.optional("effective").map(str::to_owned),
            reason: row.get("reason").to_owned(),
        });
    }
    mysociety.require(&[
        "local-authority-code",
        "gss-code",
        "nation",
        "end-date",
        "replaced-by",
        "former-gss-codes",
        "nice-name",
    ])?;
    let gss_of: HashMap<String, String> = mysociety
        .rows()
        .map(|r| {
            (
                r.get("local-authority-code").to_owned(),
                r.get("gss-code").to_owned(),
            )
        })
        .collect();
    for row in mysociety.rows() {
        if !matches!(row.get("nation"), "England" | "Wales") {
            continue;
        }
        let Ok(code) = AreaCode::parse(row.get("gss-code")) else {
            continue;
        };
        let successor = row.get("replaced-by");
        let single_successor = !successor.is_empty() && !successor.contains(',');
        if !row.get("end-date").is_empty()
            && single_successor
            && let Some(new) = gss_of.get(successor).and_then(|g| AreaCode::parse(g).ok())
        {
            changes.push(CodeChange {
                reason: format!(
                    "{} was abolished and became part of {new}",
                    row.get("nice-name")
                ),
                old_code: code.clone(),
                new_code: new,
                effective: row.optional("end-date").map(str::to_owned),
            });
        }
        for former in row
            .get("former-gss-codes")
            .split(',')
            .filter(|f| !f.trim().is_empty())
        {
            if let Ok(old) = AreaCode::parse(former) {
                changes.push(CodeChange {
                    reason: format!("{} was recoded", row.get("nice-name")),
                    old_code: old,
                    new_code: code.clone(),
                    effective: None,
                });
            }
        }
    }
    // A chain (old → middle → current) resolves to the current code.
    let direct: HashMap<AreaCode, AreaCode> = changes
        .iter()
        .map(|c| (c.old_code.clone(), c.new_code.clone()))
        .collect();
    for change in &mut changes {
        let mut steps = 0;
        while let Some(next) = direct.get(&change.new_code) {
            if steps > 8 || next == &change.new_code {
                break;
            }
            change.new_code = next.clone();
            steps += 1;
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> AreaCode {
        AreaCode::parse(text).unwrap()
    }

    fn count(geography: &Geography, filter: impl Fn(&Area) -> bool) -> usize {
        geography.areas.iter().filter(|a| filter(a)).count()
    }

    #[test]
    fn the_shipped_geography_has_every_tier() {
        let g = shipped_geography().unwrap();
        let english = |a: &Area| a.code.as_str().starts_with('E');
        assert_eq!(count(&g, |a| a.kind == AreaKind::Country), 3);
        assert_eq!(count(&g, |a| a.kind == AreaKind::Region), 9);
        assert_eq!(count(&g, |a| a.kind == AreaKind::Pfa), 43);
        assert_eq!(count(&g, |a| a.kind == AreaKind::Csp), 314);
        assert_eq!(count(&g, |a| a.kind.is_upper_tier() && english(a)), 153);
        assert_eq!(count(&g, |a| a.kind.is_upper_tier() && !english(a)), 22);
        assert_eq!(count(&g, |a| a.kind.is_lower_tier()), 318);
        assert!(
            g.areas
                .iter()
                .all(|a| a.code.as_str() == ENGLAND_AND_WALES || !a.parents.is_empty())
        );
    }

    #[test]
    fn an_authority_knows_its_region_force_and_partnership() {
        let g = shipped_geography().unwrap();
        let durham = g.area(&code("E06000047")).unwrap();
        assert_eq!(durham.name, "County Durham");
        assert_eq!(durham.kind, AreaKind::Unitary);
        for parent in ["E12000001", "E23000008"] {
            assert!(
                durham.parents.contains(&code(parent)),
                "{parent} in {:?}",
                durham.parents
            );
        }
        assert!(
            durham
                .parents
                .iter()
                .any(|p| g.area(p).is_some_and(|a| a.kind == AreaKind::Csp))
        );
        assert_eq!(durham.population, Some(532_182));
        let district = g.area(&code("E07000008")).unwrap();
        assert_eq!(district.kind, AreaKind::District);
        assert!(
            district.parents.contains(&code("E10000003")),
            "Cambridge is in Cambridgeshire"
        );
    }

    #[test]
    fn barnsley_and_sheffield_carry_their_2024_codes() {
        let g = shipped_geography().unwrap();
        let barnsley = g.area(&code("E08000016")).unwrap();
        assert_eq!(
            (barnsley.code.as_str(), barnsley.name.as_str()),
            ("E08000038", "Barnsley")
        );
        assert_eq!(g.area(&code("E08000039")).unwrap().name, "Sheffield");
        assert!(g.areas.iter().all(|a| a.code.as_str() != "E08000016"));
        assert!(g.populations.contains_key(&code("E08000038")));
    }

    #[test]
    fn retired_authorities_map_to_their_successors() {
        let g = shipped_geography().unwrap();
        assert_eq!(
            g.area(&code("E07000026")).unwrap().name,
            "Cumberland",
            "Allerdale"
        );
        assert_eq!(
            g.area(&code("E07000150")).unwrap().name,
            "North Northamptonshire",
            "Corby"
        );
    }

    #[test]
    fn force_populations_sum_their_authorities() {
        let g = shipped_geography().unwrap();
        let total: u64 = g
            .areas
            .iter()
            .filter(|a| a.kind == AreaKind::Pfa)
            .filter_map(|a| a.population)
            .sum();
        assert_eq!(total, 60_854_727);
        assert_eq!(
            g.area(&code("E23000001")).unwrap().population,
            Some(8_931_847)
        );
        let adults = g.populations[&code("E23000008")]
            .iter()
            .find(|e| e.age_band == AgeBand { from: 18, to: None })
            .unwrap();
        assert!(adults.population > 0);
    }

    #[test]
    fn partnerships_sharing_an_authority_have_no_population() {
        let g = shipped_geography().unwrap();
        let poole = g
            .areas
            .iter()
            .find(|a| a.kind == AreaKind::Csp && a.name == "Poole")
            .unwrap();
        assert_eq!(poole.population, None);
        let hartlepool = g.area(&code("E22000027")).unwrap();
        assert_eq!(
            hartlepool.population,
            g.area(&code("E06000001")).unwrap().population
        );
    }
}
