//! Turning stored rows back into domain values. Anything that no longer parses is reported as
//! [`StoreError::Corrupt`] rather than trusted.

use std::collections::HashMap;

use h2h_domain::{
    AgeBand, Area, AreaCode, AreaKind, CodeChange, Metric, Outcome, OutcomeId, OutcomeKind,
    PopulationEstimate, Target,
};

use crate::StoreError;

pub(crate) type OutcomeRow = (String, String, String, String);
pub(crate) type AreaRow = (String, String, String, Option<i64>);
pub(crate) type LinkRow = (String, String);
pub(crate) type CodeChangeRow = (String, String, Option<String>, String);
pub(crate) type PopulationRow = (i64, String, i64);

fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

pub(crate) fn code(text: &str) -> Result<AreaCode, StoreError> {
    AreaCode::parse(text).map_err(|e| corrupt("area code", e))
}

pub(crate) fn outcome((id, name, kind, description): OutcomeRow) -> Result<Outcome, StoreError> {
    Ok(Outcome {
        id: OutcomeId::parse(&id).map_err(|e| corrupt("outcome", e))?,
        name,
        kind: OutcomeKind::parse(&kind).map_err(|e| corrupt("outcome", e))?,
        description,
    })
}

pub(crate) fn metric(definition: &str) -> Result<Metric, StoreError> {
    serde_json::from_str(definition).map_err(|e| corrupt("metric definition", e))
}

pub(crate) fn target(definition: &str) -> Result<Target, StoreError> {
    serde_json::from_str(definition).map_err(|e| corrupt("target definition", e))
}

pub(crate) fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Refused(format!("cannot store value: {e}")))
}

/// Assembles areas from their rows and the parent links of those areas.
pub(crate) fn areas(rows: Vec<AreaRow>, links: Vec<LinkRow>) -> Result<Vec<Area>, StoreError> {
    let mut parents: HashMap<String, Vec<AreaCode>> = HashMap::new();
    for (area, parent) in links {
        parents.entry(area).or_default().push(code(&parent)?);
    }
    rows.into_iter()
        .map(|(area_code, name, kind, population)| {
            Ok(Area {
                parents: parents.remove(&area_code).unwrap_or_default(),
                code: code(&area_code)?,
                name,
                kind: AreaKind::parse(&kind).map_err(|e| corrupt("area kind", e))?,
                population: population.and_then(|p| u64::try_from(p).ok()),
            })
        })
        .collect()
}

pub(crate) fn code_change(
    (old, new, effective, reason): CodeChangeRow,
) -> Result<CodeChange, StoreError> {
    Ok(CodeChange {
        old_code: code(&old)?,
        new_code: code(&new)?,
        effective,
        reason,
    })
}

pub(crate) fn population(
    (year, band, population): PopulationRow,
) -> Result<PopulationEstimate, StoreError> {
    Ok(PopulationEstimate {
        year: i32::try_from(year).map_err(|e| corrupt("population year", e))?,
        age_band: AgeBand::parse(&band).ok_or_else(|| corrupt("age band", &band))?,
        population: u64::try_from(population).map_err(|e| corrupt("population", e))?,
    })
}
