//! The published figures shipped under `data/published`, turned into values returns and
//! loaded through the same import as any partner's return, so each figure is traceable to a
//! recorded submission naming its publisher.
//!
//! Local authority series on older boundaries are recast onto current authorities by summing
//! the counts of the retired districts each current authority is made of (the 2019-2023
//! reorganisations merged whole districts); county rows are kept only for counties that still
//! exist, since a retired county's successor is already the sum of its districts.

use std::collections::{BTreeMap, HashMap};

use h2h_domain::AreaCode;
use h2h_domain::geography::{ENGLAND, ENGLAND_AND_WALES};
use h2h_store::Store;

use crate::csv_table::{CsvTable, IngestError};
use crate::submit::{ImportError, Sender, ValuesImport, import_values};

/// A return generated from a shipped file.
#[derive(Debug, Clone)]
pub struct GeneratedReturn {
    /// A name for the submission: the shipped file it comes from.
    pub file_name: &'static str,
    /// The publisher and publication.
    pub source: &'static str,
    /// The return, as `values.csv` text.
    pub csv: String,
}

const FINGERTIPS_DEATHS: (&str, &str) = (
    "data/published/ohid_fingertips_92432_drug_misuse_deaths_2022_24.csv",
    include_str!("../../../data/published/ohid_fingertips_92432_drug_misuse_deaths_2022_24.csv"),
);
const POISONING_BY_LA: (&str, &str) = (
    "data/published/ons_drug_poisoning_deaths_registered_by_la_1993_2020.csv",
    include_str!(
        "../../../data/published/ons_drug_poisoning_deaths_registered_by_la_1993_2020.csv"
    ),
);
const POISONING_BY_REGION: (&str, &str) = (
    "data/published/ons_drug_poisoning_deaths_registered_by_region_substance.csv",
    include_str!(
        "../../../data/published/ons_drug_poisoning_deaths_registered_by_region_substance.csv"
    ),
);
const DEATHS_ANNUAL: (&str, &str) = (
    "data/published/ons_drug_deaths_registered_england_wales_annual.csv",
    include_str!("../../../data/published/ons_drug_deaths_registered_england_wales_annual.csv"),
);
const IN_TREATMENT: (&str, &str) = (
    "data/published/ohid_ndtms_england_numbers_in_treatment_2009_10_to_2021_22.csv",
    include_str!(
        "../../../data/published/ohid_ndtms_england_numbers_in_treatment_2009_10_to_2021_22.csv"
    ),
);

/// One row of a generated return.
struct Row {
    metric: &'static str,
    area: String,
    period: String,
    breakdown: String,
    numerator: String,
    value: String,
}

fn to_csv(rows: &[Row]) -> Result<String, IngestError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: &dyn std::fmt::Display| IngestError::Malformed {
        file: String::from("generated return"),
        message: e.to_string(),
    };
    writer
        .write_record([
            "metric_id",
            "area_code",
            "period",
            "breakdown",
            "numerator",
            "value",
        ])
        .map_err(|e| fail(&e))?;
    for r in rows {
        writer
            .write_record([
                r.metric,
                &r.area,
                &r.period,
                &r.breakdown,
                &r.numerator,
                &r.value,
            ])
            .map_err(|e| fail(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

/// The shipped published figures as returns. `current` maps every code that may appear
/// (current and retired) to its current code; `kinds` gives each current code's GSS entity.
pub fn published_returns(
    current: &HashMap<AreaCode, AreaCode>,
) -> Result<Vec<GeneratedReturn>, IngestError> {
    Ok(vec![
        GeneratedReturn {
            file_name: FINGERTIPS_DEATHS.0,
            source: "OHID Fingertips indicator 92432, Deaths from drug misuse, 2022-24",
            csv: to_csv(&fingertips_deaths()?)?,
        },
        GeneratedReturn {
            file_name: POISONING_BY_LA.0,
            source: "ONS, Drug poisoning deaths at local authority level, England and Wales, 2020 registrations",
            csv: to_csv(&poisoning_by_local_authority(current)?)?,
        },
        GeneratedReturn {
            file_name: POISONING_BY_REGION.0,
            source: "ONS, Deaths related to drug poisoning by region and substance, 1993 to 2020 registrations",
            csv: to_csv(&opiate_poisoning_by_region()?)?,
        },
        GeneratedReturn {
            file_name: DEATHS_ANNUAL.0,
            source: "ONS, Deaths related to drug poisoning in England and Wales, 2021 registrations",
            csv: to_csv(&annual_deaths()?)?,
        },
        GeneratedReturn {
            file_name: IN_TREATMENT.0,
            source: "OHID, NDTMS adult substance misuse treatment statistics (ViewIt), 2009/10 to 2021/22",
            csv: to_csv(&adults_in_treatment()?)?,
        },
    ])
}

/// Loads the shipped published figures. Loading them again changes nothing.
pub async fn load_published(store: &dyn Store) -> Result<Vec<ValuesImport>, ImportError> {
    let areas = store.areas(None).await?;
    let changes = store.code_changes().await?;
    let current: HashMap<AreaCode, AreaCode> = areas
        .into_iter()
        .map(|a| (a.code.clone(), a.code))
        .chain(changes.into_iter().map(|c| (c.old_code, c.new_code)))
        .collect();
    let mut imports = Vec::new();
    for generated in published_returns(&current)? {
        let sender = Sender {
            submitted_by: "h2h (shipped published figures)",
            source: Some(generated.source),
            published: true,
        };
        imports.push(
            import_values(
                store,
                generated.file_name,
                generated.csv.as_bytes(),
                None,
                sender,
            )
            .await?,
        );
    }
    Ok(imports)
}

fn fingertips_deaths() -> Result<Vec<Row>, IngestError> {
    let table = CsvTable::parse(FINGERTIPS_DEATHS.0, FINGERTIPS_DEATHS.1)?;
    table.require(&["area_code", "time_period", "value"])?;
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for row in table.rows() {
        let (area, value) = (row.get("area_code"), row.get("value"));
        // Unitary authorities appear as both lower and upper tier with the same value.
        if value.is_empty() || !seen.insert(area.to_owned()) {
            continue;
        }
        rows.push(Row {
            metric: "cdof.h5_drug_misuse_deaths",
            area: area.to_owned(),
            period: row.get("time_period").replace(" - ", "-"),
            breakdown: String::new(),
            numerator: String::new(),
            value: value.to_owned(),
        });
    }
    Ok(rows)
}

fn poisoning_by_local_authority(
    current: &HashMap<AreaCode, AreaCode>,
) -> Result<Vec<Row>, IngestError> {
    let table = CsvTable::parse(POISONING_BY_LA.0, POISONING_BY_LA.1)?;
    table.require(&["code", "2020", "1993"])?;
    let years: Vec<String> = table
        .headers()
        .iter()
        .filter(|h| h.parse::<i32>().is_ok())
        .cloned()
        .collect();
    // (current code, year) → deaths, summing retired districts into their successors.
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for row in table.rows() {
        let Ok(code) = AreaCode::parse(row.get("code")) else {
            continue;
        };
        let entity = code.gss_entity().unwrap_or_default();
        let is_district = matches!(entity, "E06" | "E07" | "E08" | "E09" | "W06");
        let target = match current.get(&code) {
            Some(now) if is_district => now.clone(),
            // Regions, countries and still-existing counties, on unchanged codes.
            Some(now) if now == &code && matches!(entity, "E10" | "E12" | "E92" | "W92") => code,
            _ => continue,
        };
        for year in &years {
            let deaths = row.parse_with(year, str::parse::<u64>)?;
            *counts
                .entry((target.to_string(), year.clone()))
                .or_default() += deaths;
        }
    }
    Ok(counts
        .into_iter()
        .map(|((area, year), deaths)| Row {
            metric: "ons.drug_poisoning_deaths",
            area,
            period: year,
            breakdown: String::new(),
            numerator: deaths.to_string(),
            value: String::new(),
        })
        .collect())
}

fn opiate_poisoning_by_region() -> Result<Vec<Row>, IngestError> {
    let table = CsvTable::parse(POISONING_BY_REGION.0, POISONING_BY_REGION.1)?;
    table.require(&[
        "Year of death registration",
        "Usual residence code",
        "Substance",
        "Deaths",
    ])?;
    let mut rows = Vec::new();
    for row in table.rows() {
        let code = row.get("Usual residence code");
        // Totals come from the local authority file; non-residents (J99) are no area.
        if !row.get("Substance").starts_with("02") || code.starts_with('J') {
            continue;
        }
        rows.push(Row {
            metric: "ons.drug_poisoning_deaths",
            area: code.to_owned(),
            period: row.get("Year of death registration").to_owned(),
            breakdown: String::from("substance=any_opiate"),
            numerator: row.get("Deaths").to_owned(),
            value: String::new(),
        });
    }
    Ok(rows)
}

fn annual_deaths() -> Result<Vec<Row>, IngestError> {
    let table = CsvTable::parse(DEATHS_ANNUAL.0, DEATHS_ANNUAL.1)?;
    table.require(&["year", "drug_poisoning", "drug_misuse"])?;
    let mut rows = Vec::new();
    for row in table.rows() {
        let year = row.get("year");
        let mut push = |metric, breakdown: &str, column| {
            rows.push(Row {
                metric,
                area: String::from(ENGLAND_AND_WALES),
                period: year.to_owned(),
                breakdown: breakdown.to_owned(),
                numerator: row.get(column).to_owned(),
                value: String::new(),
            });
        };
        push("ons.drug_misuse_deaths", "", "drug_misuse");
        push("ons.drug_poisoning_deaths", "", "drug_poisoning");
        push(
            "ons.drug_poisoning_deaths",
            "substance=any_opiate",
            "any_opiate",
        );
        push(
            "ons.drug_poisoning_deaths",
            "substance=heroin_morphine",
            "heroin_morphine",
        );
    }
    Ok(rows)
}

fn adults_in_treatment() -> Result<Vec<Row>, IngestError> {
    let table = CsvTable::parse(IN_TREATMENT.0, IN_TREATMENT.1)?;
    table.require(&[
        "ReportingPeriod_Data",
        "DrugGroup_Data",
        "Gender_Data",
        "AgeGroup_Data",
        "Num_InTreatment_AllInTx",
    ])?;
    let mut rows = Vec::new();
    for row in table.rows() {
        let dimensions = [
            ("substance", row.get("DrugGroup_Data").to_lowercase()),
            ("sex", row.get("Gender_Data").to_lowercase()),
            ("age", row.get("AgeGroup_Data").to_lowercase()),
        ];
        let broken_down: Vec<&(&str, String)> =
            dimensions.iter().filter(|(_, v)| v != "total").collect();
        // The total and one-way breakdowns; cross-classified rows need nested breakdowns.
        let breakdown = match broken_down.as_slice() {
            [] => String::new(),
            [(name, category)] => format!("{name}={}", category_code(name, category)),
            _ => continue,
        };
        rows.push(Row {
            metric: "ohid.adults_in_treatment",
            area: String::from(ENGLAND),
            period: row.get("ReportingPeriod_Data").to_owned(),
            breakdown,
            numerator: row.get("Num_InTreatment_AllInTx").to_owned(),
            value: String::new(),
        });
    }
    Ok(rows)
}

/// NDTMS labels as breakdown categories: `non-opiates only` is `non_opiates_only`, `M` is
/// `male`.
fn category_code(dimension: &str, label: &str) -> String {
    match (dimension, label) {
        ("sex", "m") => String::from("male"),
        ("sex", "f") => String::from("female"),
        _ => label
            .replace(" & ", "_and_")
            .replace([' ', '-'], "_")
            .replace("__", "_"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndtms_labels_become_breakdown_codes() {
        assert_eq!(
            category_code("substance", "alcohol & non-opiates"),
            "alcohol_and_non_opiates"
        );
        assert_eq!(
            category_code("substance", "non-opiates only"),
            "non_opiates_only"
        );
        assert_eq!(category_code("age", "18-29"), "18_29");
        assert_eq!(category_code("sex", "f"), "female");
    }
}
