//! Turning stored rows back into domain values. Anything that no longer parses is reported as
//! [`StoreError::Corrupt`] rather than trusted.

use std::collections::HashMap;

use h2h_domain::{
    AgeBand, Area, AreaCode, AreaKind, CodeChange, Metric, Outcome, OutcomeId, OutcomeKind,
    PopulationEstimate, Target,
};

use crate::StoreError;
use crate::returns::{RejectedRowRecord, StoredObservation, Submission};

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

/// The columns of `observations` read back, decoded by `observation_row!`.
pub(crate) struct ObservationRow {
    pub(crate) id: i64,
    pub(crate) metric_id: String,
    pub(crate) area_code: String,
    pub(crate) period: String,
    pub(crate) breakdown: String,
    pub(crate) revision: i64,
    pub(crate) is_current: i64,
    pub(crate) numerator: Option<f64>,
    pub(crate) denominator: Option<f64>,
    pub(crate) value: Option<f64>,
    pub(crate) lower_ci: Option<f64>,
    pub(crate) upper_ci: Option<f64>,
    pub(crate) status: String,
    pub(crate) source: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) submission_id: Option<i64>,
    pub(crate) published: i64,
}

pub(crate) const OBSERVATION_COLUMNS: &str = "id, metric_id, area_code, period, breakdown, revision, is_current, \
     numerator, denominator, value, lower_ci, upper_ci, status, source, note, submission_id, published";

/// Decodes a row selected with `OBSERVATION_COLUMNS` (a macro, so each backend's row type is
/// concrete).
macro_rules! observation_row {
    ($row:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        Ok::<_, sqlx::Error>(crate::rows::ObservationRow {
            id: row.try_get("id")?,
            metric_id: row.try_get("metric_id")?,
            area_code: row.try_get("area_code")?,
            period: row.try_get("period")?,
            breakdown: row.try_get("breakdown")?,
            revision: row.try_get("revision")?,
            is_current: row.try_get("is_current")?,
            numerator: row.try_get("numerator")?,
            denominator: row.try_get("denominator")?,
            value: row.try_get("value")?,
            lower_ci: row.try_get("lower_ci")?,
            upper_ci: row.try_get("upper_ci")?,
            status: row.try_get("status")?,
            source: row.try_get("source")?,
            note: row.try_get("note")?,
            submission_id: row.try_get("submission_id")?,
            published: row.try_get("published")?,
        })
    }};
}
pub(crate) use observation_row;

pub(crate) fn observation(row: ObservationRow) -> Result<StoredObservation, StoreError> {
    Ok(StoredObservation {
        id: row.id,
        revision: row.revision,
        is_current: row.is_current != 0,
        submission_id: row.submission_id,
        published: row.published != 0,
        observation: h2h_domain::Observation {
            key: h2h_domain::ValueKey {
                metric_id: h2h_domain::MetricId::parse(&row.metric_id)
                    .map_err(|e| corrupt("metric id", e))?,
                area_code: code(&row.area_code)?,
                period: h2h_domain::Period::parse(&row.period).map_err(|e| corrupt("period", e))?,
                breakdown: if row.breakdown.is_empty() {
                    None
                } else {
                    Some(
                        h2h_domain::Breakdown::parse(&row.breakdown)
                            .map_err(|e| corrupt("breakdown", e))?,
                    )
                },
            },
            numerator: row.numerator,
            denominator: row.denominator,
            value: row.value,
            lower_ci: row.lower_ci,
            upper_ci: row.upper_ci,
            status: h2h_domain::ValueStatus::parse(&row.status)
                .map_err(|e| corrupt("status", e))?,
            source: row.source,
            note: row.note,
        },
    })
}

pub(crate) type SubmissionRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
);

pub(crate) const SUBMISSION_COLUMNS: &str = "id, kind, file_name, content_sha256, submitted_by, submitted_at, source, \
     published, accepted, rejected, unchanged";

pub(crate) fn submission(row: SubmissionRow) -> Submission {
    let (
        id,
        kind,
        file_name,
        content_sha256,
        submitted_by,
        submitted_at,
        source,
        published,
        accepted,
        rejected,
        unchanged,
    ) = row;
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    Submission {
        id,
        kind,
        file_name,
        content_sha256,
        submitted_by,
        submitted_at,
        source,
        published: published != 0,
        accepted: count(accepted),
        rejected: count(rejected),
        unchanged: count(unchanged),
    }
}

pub(crate) fn rejected_row(
    (line, column, value, reason, raw): (i64, String, String, String, String),
) -> Result<RejectedRowRecord, StoreError> {
    Ok(RejectedRowRecord {
        line: u64::try_from(line).unwrap_or_default(),
        column,
        value,
        reason,
        raw: serde_json::from_str(&raw).map_err(|e| corrupt("rejected row", e))?,
    })
}
