//! The API of client-level records: the scorecard of an area and period (the JSON of
//! `scorecard.md`, the same as `h2h scorecard --format json`) and the extract versions held.
//!
//! The records crate's types carry no OpenAPI schema, so the schemas here describe them
//! (`ScorecardJson` and its parts); the answers are the crate's own serialisation.

use axum::Json;
use axum::extract::{Query, State};
use h2h_domain::{AreaCode, Period};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::contract::ErrorJson;
use crate::error::{ApiError, WebError};

/// The area and period of a scorecard.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ScorecardQuery {
    /// The area's code: a local authority, police force area, region, country, partnership
    /// or custom area.
    area: String,
    /// The period in any accepted form (2024/25, 2024/25-H2, 2024/25-Q3, 2024-11...).
    period: String,
}

/// The area of a scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScorecardAreaJson {
    /// Its code.
    code: String,
    /// Its name.
    name: String,
}

/// The period of a scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScorecardPeriodJson {
    /// The canonical code, e.g. `2013/14-H2`.
    code: String,
    /// First day, ISO.
    start: String,
    /// Last day, ISO.
    end: String,
}

/// One category of a measure's breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScorecardBreakdownJson {
    /// The category's key.
    key: String,
    /// Its label.
    label: String,
    /// Its count.
    value: u64,
    /// Its percent of the breakdown's base, unrounded.
    percent: Option<f64>,
}

/// One measure's figures.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScorecardMeasureJson {
    /// The stable id (`scorecard.md`).
    id: String,
    /// The label a person reads.
    label: String,
    /// The count; null when the measure's records are absent.
    value: Option<u64>,
    /// The denominator of `percent`.
    denominator: Option<u64>,
    /// `100 × value / denominator`, unrounded; null when the denominator is 0 or missing.
    percent: Option<f64>,
    /// For `substances`: the number of different substances.
    distinct: Option<u64>,
    /// `no_data` when the measure's records are absent.
    status: Option<String>,
    /// The breakdown, in the spec's order.
    breakdown: Vec<ScorecardBreakdownJson>,
}

/// One section of the scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScorecardSectionJson {
    /// Its title, e.g. `How much did we do?`.
    title: String,
    /// Its measures in the catalogue's order.
    measures: Vec<ScorecardMeasureJson>,
}

/// The scorecard of `scorecard.md`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScorecardJson {
    /// The area.
    area: ScorecardAreaJson,
    /// The period.
    period: ScorecardPeriodJson,
    /// The four sections, in order.
    sections: Vec<ScorecardSectionJson>,
}

/// The Results Based Accountability scorecard of an area and period over every current
/// client-level extract (several services' counts summed measure by measure).
#[utoipa::path(get, path = "/api/v1/scorecard", tag = "records", params(ScorecardQuery),
    responses(
        (status = 200, description = "The scorecard", body = ScorecardJson),
        (status = 400, description = "The period is not valid", body = ErrorJson),
        (status = 404, description = "No such area, or no extract is held", body = ErrorJson)))]
pub(crate) async fn get_scorecard(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    Query(query): Query<ScorecardQuery>,
) -> Result<Json<h2h_records::Scorecard>, ApiError> {
    let code = AreaCode::parse(&query.area)
        .map_err(|_| WebError::NotFound(format!("there is no area {}", query.area)))?;
    let period = Period::parse(&query.period).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let snapshot = state.snapshot().await?;
    let area = snapshot
        .area(&code)
        .ok_or_else(|| WebError::NotFound(format!("there is no area {code}")))?;
    // Built from client-level records: never opened by publication.
    crate::auth::require(&viewer, &snapshot, h2h_domain::Permission::View, &area.code)?;
    let card = snapshot
        .scorecard(area, &period)
        .ok_or_else(|| WebError::NotFound(String::from("no client-level extract is held")))?;
    Ok(Json(card))
}

/// One file of an extract version.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecordFileJson {
    /// The file name.
    file: String,
    /// Whether it was in the extract.
    present: bool,
    /// Rows accepted.
    accepted: u64,
    /// Rows rejected.
    rejected: u64,
}

/// A client-level extract version.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecordExtractJson {
    /// Its id.
    id: i64,
    /// The service it comes from.
    service: String,
    /// 1 for the service's first extract, then 2, 3...
    version: i64,
    /// Whether it is the service's current version.
    current: bool,
    /// The content fingerprint of its files.
    fingerprint: String,
    /// Who imported it.
    submitted_by: String,
    /// When (RFC 3339).
    submitted_at: String,
    /// Accepted rows over every file.
    total_rows: u64,
    /// Rejected rows over every file (each kept with its reason).
    rejected_rows: u64,
    /// Warnings (unknown columns, unrecognised substance names).
    warnings: usize,
    /// Per file.
    files: Vec<RecordFileJson>,
}

/// Every client-level extract version held, newest first.
#[utoipa::path(get, path = "/api/v1/record-extracts", tag = "records",
    responses((status = 200, description = "Extract versions, newest first", body = [RecordExtractJson])))]
pub(crate) async fn list_record_extracts(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
) -> Result<Json<Vec<RecordExtractJson>>, ApiError> {
    crate::auth::require_national(&viewer, h2h_domain::Permission::View)?;
    let snapshot = state.snapshot().await?;
    Ok(Json(
        snapshot
            .records
            .versions
            .iter()
            .map(|e| RecordExtractJson {
                id: e.id,
                service: e.service.clone(),
                version: e.version,
                current: e.current,
                fingerprint: e.fingerprint.clone(),
                submitted_by: e.submitted_by.clone(),
                submitted_at: e.submitted_at.clone(),
                total_rows: e.total_rows,
                rejected_rows: e.rejected_rows,
                warnings: e.warnings.len(),
                files: e
                    .files
                    .iter()
                    .map(|f| RecordFileJson {
                        file: f.file.clone(),
                        present: f.present,
                        accepted: f.accepted,
                        rejected: f.rejected,
                    })
                    .collect(),
            })
            .collect(),
    ))
}
