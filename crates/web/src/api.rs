//! The JSON API under `/api/v1`. Each handler carries its OpenAPI description, and the router
//! is built from the same handlers, so the document cannot miss a route.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use h2h_domain::{AreaCode, MetricId, Period, PeriodKind, Tier};
use serde::Deserialize;
use utoipa::openapi::OpenApi;
use utoipa::{IntoParams, OpenApi as _};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::attendance::{AttendanceAnalysisJson, PartnershipJson, PartnershipSummaryJson};
use crate::auth::{self, Sight, Viewer};
use crate::contract::{
    AreaDetailJson, AreaJson, ErrorJson, HealthJson, IndicatorJson, MetricJson, OutcomeJson,
    PeriodJson, PlanShowJson, PlanSummaryJson, PopulationJson, ReferenceJson, RejectedRowJson,
    RevisionJson, SignedReportJson, SubmissionJson, TargetJson, WarningJson,
};
use crate::error::{ApiError, WebError};
use crate::snapshot::Snapshot;
use h2h_domain::Permission;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "h2h",
        description = "Performance management for drug-strategy partnerships: the outcomes framework, areas and periods."
    ),
    tags(
        (name = "framework", description = "Outcomes, metrics and targets of the framework catalogue"),
        (name = "geography", description = "Areas of England and Wales and partnerships' own groupings"),
        (name = "periods", description = "Reporting periods"),
        (name = "indicators", description = "Metrics' figures with intervals, comparisons, trends and targets"),
        (name = "returns", description = "Files received, the rows they were refused and the revisions of values"),
        (name = "plans", description = "Delivery plans: actions, leads, deadlines, statuses and updates"),
        (name = "partnerships", description = "Combating Drugs Partnerships: members, meetings and attendance"),
        (name = "records", description = "Client-level record extracts and the Results Based Accountability scorecard"),
        (name = "service", description = "Service health")
    ),
    modifiers(&AccessDoc)
)]
struct ApiDoc;

/// Tags whose routes are open to everyone: the catalogue, geography, periods and health.
const PUBLIC_TAGS: &[&str] = &["framework", "geography", "periods", "service"];

/// Documents how the API is signed in to (an optional bearer token) and the answers that
/// follow from it: 401 for a token that is not valid (or none, where one is needed), and
/// 403 on routes with partnerships' data for an account that does not cover the area.
struct AccessDoc;

impl utoipa::Modify for AccessDoc {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token made on the account page or with `h2h users token`; it acts \
                         with its account's role and areas.",
                    ))
                    .build(),
            ),
        );
        // Either no token (published figures and the catalogue) or a bearer token.
        openapi.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]);
    }
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_outcomes))
        .routes(routes!(list_metrics))
        .routes(routes!(get_metric))
        .routes(routes!(list_targets))
        .routes(routes!(list_references))
        .routes(routes!(list_areas))
        .routes(routes!(get_area))
        .routes(routes!(list_indicators))
        .routes(routes!(list_warnings))
        .routes(routes!(list_submissions))
        .routes(routes!(list_rejected_rows))
        .routes(routes!(submitted_file))
        .routes(routes!(value_history))
        .routes(routes!(parse_period))
        .routes(routes!(list_periods))
        .routes(routes!(list_plans))
        .routes(routes!(get_plan))
        .routes(routes!(list_partnerships))
        .routes(routes!(get_partnership))
        .routes(routes!(get_attendance))
        .routes(routes!(list_signed_reports))
        .routes(routes!(get_signed_report))
        .routes(routes!(crate::records_api::get_scorecard))
        .routes(routes!(crate::records_api::list_record_extracts))
        .routes(routes!(health))
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> OpenApi {
    router_and_document().1
}

/// The API's router and its OpenAPI document, with the answers that access control adds to
/// every route (401, and 403 on routes with partnerships' data).
pub(crate) fn router_and_document() -> (axum::Router<AppState>, OpenApi) {
    let (router, mut openapi) = router().split_for_parts();
    add_access_answers(&mut openapi);
    (router, openapi)
}

fn add_access_answers(openapi: &mut OpenApi) {
    use utoipa::openapi::{Ref, ResponseBuilder, content::ContentBuilder};
    let answer = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorJson")))
                    .build(),
            )
            .build()
    };
    for item in openapi.paths.paths.values_mut() {
        for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
            let public = operation
                .tags
                .as_ref()
                .is_some_and(|tags| tags.iter().any(|t| PUBLIC_TAGS.contains(&t.as_str())));
            let responses = &mut operation.responses.responses;
            responses.entry(String::from("401")).or_insert_with(|| {
                answer("The API token is not valid, or the data need someone signed in").into()
            });
            if !public {
                responses.entry(String::from("403")).or_insert_with(|| {
                    answer("The account does not cover the area, or its role does not allow this")
                        .into()
                });
            }
        }
    }
}

/// The six outcomes of the framework.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "framework",
    responses((status = 200, description = "The outcomes in framework order", body = [OutcomeJson])))]
async fn list_outcomes(State(state): State<AppState>) -> Result<Json<Vec<OutcomeJson>>, ApiError> {
    let snapshot = state.snapshot().await?;
    Ok(Json(
        snapshot.outcomes.iter().map(OutcomeJson::from).collect(),
    ))
}

/// Filter for the metric catalogue.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct MetricsQuery {
    /// Only metrics of this tier: `headline`, `supporting`, `additional`, `local`, `programme`.
    tier: Option<String>,
}

/// The metric catalogue.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "framework", params(MetricsQuery),
    responses(
        (status = 200, description = "Metrics in catalogue order", body = [MetricJson]),
        (status = 400, description = "Unknown tier", body = ErrorJson)))]
async fn list_metrics(
    State(state): State<AppState>,
    Query(query): Query<MetricsQuery>,
) -> Result<Json<Vec<MetricJson>>, ApiError> {
    let tier = match query.tier.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(Tier::parse(t).map_err(|e| WebError::BadRequest(e.to_string()))?),
        None => None,
    };
    let snapshot = state.snapshot().await?;
    Ok(Json(
        snapshot
            .metrics
            .iter()
            .filter(|m| tier.is_none_or(|t| m.tier == t))
            .map(MetricJson::from)
            .collect(),
    ))
}

/// One metric.
#[utoipa::path(get, path = "/api/v1/metrics/{id}", tag = "framework",
    params(("id" = String, Path, description = "Metric id")),
    responses(
        (status = 200, description = "The metric", body = MetricJson),
        (status = 404, description = "No such metric", body = ErrorJson)))]
async fn get_metric(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<MetricJson>, ApiError> {
    let id = MetricId::parse(&id).map_err(|e| WebError::NotFound(e.to_string()))?;
    let snapshot = state.snapshot().await?;
    let metric = snapshot
        .metric(&id)
        .ok_or_else(|| WebError::NotFound(format!("there is no metric {id}")))?;
    Ok(Json(MetricJson::from(metric)))
}

/// Filter for targets.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct TargetsQuery {
    /// Only targets for this metric.
    metric: Option<String>,
    /// Only targets for this area.
    area: Option<String>,
}

/// Targets and ambitions, including the national ambitions shipped with the catalogue.
#[utoipa::path(get, path = "/api/v1/targets", tag = "framework", params(TargetsQuery),
    responses((status = 200, description = "Targets", body = [TargetJson])))]
async fn list_targets(
    State(state): State<AppState>,
    Query(query): Query<TargetsQuery>,
) -> Result<Json<Vec<TargetJson>>, ApiError> {
    let snapshot = state.snapshot().await?;
    let targets = &snapshot.targets;
    let metric = query.metric.filter(|m| !m.is_empty());
    let area = query
        .area
        .filter(|a| !a.is_empty())
        .map(|a| a.to_ascii_uppercase());
    Ok(Json(
        targets
            .iter()
            .filter(|t| metric.as_deref().is_none_or(|m| t.metric_id.as_str() == m))
            .filter(|t| {
                area.as_deref()
                    .is_none_or(|a| t.area_code.as_str().eq_ignore_ascii_case(a))
            })
            .map(TargetJson::from)
            .collect(),
    ))
}

/// The documents and pages the catalogue cites, by the ids metrics' `provenance` lists use.
#[utoipa::path(get, path = "/api/v1/references", tag = "framework",
    responses((status = 200, description = "References in catalogue order", body = [ReferenceJson])))]
async fn list_references(
    State(state): State<AppState>,
) -> Result<Json<Vec<ReferenceJson>>, ApiError> {
    let snapshot = state.snapshot().await?;
    Ok(Json(
        snapshot
            .references
            .iter()
            .map(ReferenceJson::from)
            .collect(),
    ))
}

/// Filter for areas.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct AreasQuery {
    /// A kind (`country`, `region`, `county`, `unitary`, `metropolitan_district`,
    /// `london_borough`, `district`, `pfa`, `csp`, `cdp`, `dip_area`, `custom`) or a group
    /// (`upper_tier`, `lower_tier`).
    kind: Option<String>,
    /// Part of a name or code.
    q: Option<String>,
}

/// Areas, optionally of one kind or matching a search.
#[utoipa::path(get, path = "/api/v1/areas", tag = "geography", params(AreasQuery),
    responses(
        (status = 200, description = "Areas", body = [AreaJson]),
        (status = 400, description = "Unknown kind", body = ErrorJson)))]
async fn list_areas(
    State(state): State<AppState>,
    Query(query): Query<AreasQuery>,
) -> Result<Json<Vec<AreaJson>>, ApiError> {
    let snapshot = state.snapshot().await?;
    let areas = crate::views::find_areas(&snapshot, query.kind.as_deref(), query.q.as_deref())?;
    Ok(Json(areas.into_iter().map(AreaJson::from).collect()))
}

/// One area, with the areas within it and its population estimates. A retired code answers
/// with the area that replaced it.
#[utoipa::path(get, path = "/api/v1/areas/{code}", tag = "geography",
    params(("code" = String, Path, description = "Area code")),
    responses(
        (status = 200, description = "The area", body = AreaDetailJson),
        (status = 404, description = "No such area", body = ErrorJson)))]
async fn get_area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<AreaDetailJson>, ApiError> {
    let code = AreaCode::parse(&code).map_err(|e| WebError::NotFound(e.to_string()))?;
    let snapshot = state.snapshot().await?;
    let area = snapshot
        .area(&code)
        .ok_or_else(|| WebError::NotFound(format!("there is no area {code}")))?;
    Ok(Json(AreaDetailJson {
        area: AreaJson::from(area),
        children: snapshot
            .children(&area.code)
            .into_iter()
            .map(AreaJson::from)
            .collect(),
        populations: snapshot
            .populations(&area.code)
            .iter()
            .map(PopulationJson::from)
            .collect(),
    }))
}

/// What to compute indicators for.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct IndicatorsQuery {
    /// The area's code.
    area: String,
    /// The period, in any accepted form.
    period: String,
    /// The area to compare with (default: England, or Wales for Welsh areas).
    benchmark: Option<String>,
    /// `true` to apply disclosure control for publication.
    published: Option<bool>,
}

/// Every metric with a value for an area and period: value, numerator, denominator,
/// confidence limits, benchmark, comparison, trend and target status.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorsQuery),
    responses(
        (status = 200, description = "Indicators in catalogue order", body = [IndicatorJson]),
        (status = 400, description = "Bad period", body = ErrorJson),
        (status = 404, description = "Unknown area", body = ErrorJson)))]
async fn list_indicators(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<IndicatorsQuery>,
) -> Result<Json<Vec<IndicatorJson>>, ApiError> {
    let period = Period::parse(&query.period).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let snapshot = state.snapshot().await?;
    let area = known_area(&snapshot, &query.area)?;
    let sight = auth::area_sight(&state, &snapshot, &viewer, &area).await?;
    let benchmark = match query.benchmark.as_deref().filter(|b| !b.is_empty()) {
        Some(code) => Some(known_area(&snapshot, code)?),
        None => None,
    };
    let today = time::OffsetDateTime::now_utc().date();
    Ok(Json(crate::indicators::indicator_rows(
        &snapshot.engine,
        &area,
        &period,
        benchmark.as_ref(),
        query.published.unwrap_or(false) || sight == Sight::Published,
        today,
    )))
}

/// The area whose warnings to list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct WarningsQuery {
    /// The area's code.
    area: String,
}

/// Early warnings of an area: special-cause signals (Making Data Count's rules on an XmR
/// chart) in the latest point of each metric's monthly or quarterly series.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "indicators", params(WarningsQuery),
    responses(
        (status = 200, description = "Warnings in catalogue order", body = [WarningJson]),
        (status = 404, description = "Unknown area", body = ErrorJson)))]
async fn list_warnings(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<WarningsQuery>,
) -> Result<Json<Vec<WarningJson>>, ApiError> {
    let snapshot = state.snapshot().await?;
    let area = known_area(&snapshot, &query.area)?;
    auth::require(&viewer, &snapshot, Permission::View, &area)?;
    Ok(Json(crate::indicators::warning_rows(
        &snapshot.engine,
        &area,
    )))
}

/// Every file received, newest first.
#[utoipa::path(get, path = "/api/v1/submissions", tag = "returns",
    responses((status = 200, description = "Submissions, newest first", body = [SubmissionJson])))]
async fn list_submissions(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<SubmissionJson>>, ApiError> {
    auth::require_national(&viewer, Permission::View)?;
    let submissions = state.store.submissions().await?;
    Ok(Json(submissions.iter().map(SubmissionJson::from).collect()))
}

/// The rows a submission was refused, with reasons and the cells as received.
#[utoipa::path(get, path = "/api/v1/submissions/{id}/rejected", tag = "returns",
    params(("id" = i64, Path, description = "Submission number")),
    responses((status = 200, description = "Rejected rows in line order", body = [RejectedRowJson])))]
async fn list_rejected_rows(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RejectedRowJson>>, ApiError> {
    auth::require_national(&viewer, Permission::View)?;
    let rows = state.store.rejected_rows(id).await?;
    Ok(Json(rows.iter().map(RejectedRowJson::from).collect()))
}

/// A submission's file, byte for byte as it was received: the source of every value it
/// brought. Every download is in the audit log.
#[utoipa::path(get, path = "/api/v1/submissions/{id}/file", tag = "returns",
    params(("id" = i64, Path, description = "Submission number")),
    responses((status = 200, description = "The file as received: CSV (text/csv) or an Excel workbook"),
        (status = 404, description = "There is no such submission", body = ErrorJson)))]
async fn submitted_file(
    State(state): State<AppState>,
    viewer: Viewer,
    auth::Remote(remote): auth::Remote,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    auth::require_national(&viewer, Permission::View)?;
    let file = state
        .store
        .submitted_file(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no submission {id}.")))?;
    let extension = file
        .file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let media_type = match extension.as_deref() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("xlsm") => "application/vnd.ms-excel.sheet.macroEnabled.12",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    // The name as the sender gave it, kept to characters safe in a header.
    let name: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    auth::audit(
        &state,
        &viewer.actor(),
        "export.submission",
        &id.to_string(),
        "ok",
        &file.file_name,
        &remote,
    )
    .await;
    Ok((
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        file.content,
    )
        .into_response())
}

/// The signed reports, of one area or of all, newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(PlansQuery),
    responses((status = 200, description = "Signed reports, newest first", body = [SignedReportJson]),
        (status = 400, description = "The area code is not valid", body = ErrorJson)))]
async fn list_signed_reports(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<PlansQuery>,
) -> Result<Json<Vec<SignedReportJson>>, ApiError> {
    let area = query.area()?;
    let snapshot = state.snapshot().await?;
    let visible = scoped_list(&viewer, &snapshot, area.as_ref())?;
    let reports = state.store.signed_reports(area.as_ref()).await?;
    Ok(Json(
        reports
            .iter()
            .filter(|r| visible(&r.area_code))
            .map(SignedReportJson::from)
            .collect(),
    ))
}

/// A signed report: its decision record and the digests of its frozen files.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports",
    params(("id" = i64, Path, description = "Signed report number")),
    responses((status = 200, description = "The signed report", body = SignedReportJson),
        (status = 404, description = "No such report", body = ErrorJson)))]
async fn get_signed_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<SignedReportJson>, ApiError> {
    let report = state
        .store
        .signed_report(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no signed report {id}.")))?;
    let snapshot = state.snapshot().await?;
    auth::require(&viewer, &snapshot, Permission::View, &report.area_code)?;
    Ok(Json(SignedReportJson::from(&report)))
}

/// Which plans (or signed reports) to list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct PlansQuery {
    /// Only the plans of this area.
    area: Option<String>,
}

impl PlansQuery {
    /// The area asked for, if any.
    fn area(&self) -> Result<Option<AreaCode>, WebError> {
        self.area
            .as_deref()
            .map(AreaCode::parse)
            .transpose()
            .map_err(|e| WebError::BadRequest(e.to_string()))
    }
}

/// The delivery plans held, by area and title.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", params(PlansQuery),
    responses((status = 200, description = "Plans by area and title", body = [PlanSummaryJson]),
        (status = 400, description = "The area code is not valid", body = ErrorJson)))]
async fn list_plans(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<PlansQuery>,
) -> Result<Json<Vec<PlanSummaryJson>>, ApiError> {
    let area = query.area()?;
    let snapshot = state.snapshot().await?;
    let visible = scoped_list(&viewer, &snapshot, area.as_ref())?;
    let plans = state.store.plans(area.as_ref()).await?;
    Ok(Json(
        plans
            .iter()
            .filter(|p| visible(&p.area_code))
            .map(PlanSummaryJson::from)
            .collect(),
    ))
}

/// The date a plan's overdue actions are judged against.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct PlanQuery {
    /// `YYYY-MM-DD`; today when absent.
    as_of: Option<String>,
}

/// A delivery plan with every action: leads, deadline as written and as a date, status,
/// whether it is overdue, linked metrics and its updates.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Plan number"), PlanQuery),
    responses((status = 200, description = "The plan and its actions", body = PlanShowJson),
        (status = 400, description = "The date is not valid", body = ErrorJson),
        (status = 404, description = "No such plan", body = ErrorJson)))]
async fn get_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(query): Query<PlanQuery>,
) -> Result<Json<PlanShowJson>, ApiError> {
    let as_of = match query.as_of.as_deref() {
        None => time::OffsetDateTime::now_utc().date(),
        Some(text) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text.trim(), format).map_err(|_| {
                WebError::BadRequest(format!("{text:?} is not a date: expected YYYY-MM-DD"))
            })?
        }
    };
    let plan = state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("there is no plan {id}")))?;
    let snapshot = state.snapshot().await?;
    auth::require(&viewer, &snapshot, Permission::View, &plan.area_code)?;
    Ok(Json(PlanShowJson::new(&plan, as_of)))
}

/// Which value's history to show.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct HistoryQuery {
    /// The metric.
    metric: String,
    /// The area.
    area: String,
    /// The period, in any accepted form.
    period: String,
    /// `name=category`, or absent for the total.
    breakdown: Option<String>,
}

/// Every revision of one value, oldest first: figures are never overwritten.
#[utoipa::path(get, path = "/api/v1/values/history", tag = "returns", params(HistoryQuery),
    responses(
        (status = 200, description = "Revisions, oldest first", body = [RevisionJson]),
        (status = 400, description = "Bad metric, period or breakdown", body = ErrorJson),
        (status = 404, description = "Unknown area", body = ErrorJson)))]
async fn value_history(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<Vec<RevisionJson>>, ApiError> {
    let bad = |m: String| WebError::BadRequest(m);
    let snapshot = state.snapshot().await?;
    let key = h2h_domain::ValueKey {
        metric_id: MetricId::parse(&query.metric).map_err(|e| bad(e.to_string()))?,
        area_code: known_area(&snapshot, &query.area)?,
        period: Period::parse(&query.period).map_err(|e| bad(e.to_string()))?,
        breakdown: match query.breakdown.as_deref().filter(|b| !b.is_empty()) {
            Some(text) => Some(h2h_domain::Breakdown::parse(text).map_err(|e| bad(e.to_string()))?),
            None => None,
        },
    };
    auth::require(&viewer, &snapshot, Permission::View, &key.area_code)?;
    let revisions = state.store.observation_history(&key).await?;
    Ok(Json(revisions.iter().map(RevisionJson::from).collect()))
}

/// Which areas' entries a list may show: within the one asked for, which the viewer must
/// see; or, for a list of all, those the viewer sees. Anonymous viewers list nothing.
fn scoped_list<'a>(
    viewer: &'a Viewer,
    snapshot: &'a Snapshot,
    area: Option<&AreaCode>,
) -> Result<impl Fn(&AreaCode) -> bool + 'a, WebError> {
    match area {
        Some(area) => {
            auth::require(viewer, snapshot, Permission::View, area)?;
        }
        None => {
            auth::require_signed_in(viewer)?;
        }
    }
    Ok(move |code: &AreaCode| auth::may(viewer, snapshot, Permission::View, code))
}

/// The current code of a known area, or a not-found error naming the code.
fn known_area(snapshot: &Snapshot, code: &str) -> Result<AreaCode, WebError> {
    let parsed = AreaCode::parse(code).map_err(|e| WebError::NotFound(e.to_string()))?;
    snapshot
        .area(&parsed)
        .map(|a| a.code.clone())
        .ok_or_else(|| WebError::NotFound(format!("there is no area {parsed}")))
}

/// A period to read.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ParseQuery {
    /// A period in any accepted form: `2024/25-Q1`, `Q1 2024/25`, `Apr 2024`, `2021-23`...
    text: String,
}

/// Reads a period in any accepted form and answers its canonical code, kind and dates.
#[utoipa::path(get, path = "/api/v1/periods/parse", tag = "periods", params(ParseQuery),
    responses(
        (status = 200, description = "The period", body = PeriodJson),
        (status = 400, description = "Not a period, with what was expected", body = ErrorJson)))]
async fn parse_period(Query(query): Query<ParseQuery>) -> Result<Json<PeriodJson>, ApiError> {
    let period = Period::parse(&query.text).map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(Json(PeriodJson::from(&period)))
}

/// A range of periods to list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct PeriodsQuery {
    /// `month`, `quarter`, `half`, `financial_year` or `calendar_year`.
    kind: String,
    /// The first period of the range, in any accepted form.
    from: String,
    /// The last period of the range, in any accepted form.
    to: String,
}

/// The most periods one request lists.
const MAX_PERIODS: usize = 600;

/// Every period of a kind that lies within a range, in order.
#[utoipa::path(get, path = "/api/v1/periods", tag = "periods", params(PeriodsQuery),
    responses(
        (status = 200, description = "The periods", body = [PeriodJson]),
        (status = 400, description = "Bad kind or range", body = ErrorJson)))]
async fn list_periods(
    Query(query): Query<PeriodsQuery>,
) -> Result<Json<Vec<PeriodJson>>, ApiError> {
    let bad = |m: String| ApiError(WebError::BadRequest(m));
    let from = Period::parse(&query.from).map_err(|e| bad(e.to_string()))?;
    let to = Period::parse(&query.to).map_err(|e| bad(e.to_string()))?;
    let kind = [
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Half,
        PeriodKind::FinancialYear,
        PeriodKind::CalendarYear,
    ]
    .into_iter()
    .find(|k| k.code() == query.kind)
    .ok_or_else(|| bad(format!("{:?} is not a kind of period that can be listed: expected month, quarter, half, financial_year or calendar_year", query.kind)))?;
    let mut periods = Vec::new();
    let mut current = first_of_kind(kind, &from).map_err(|e| bad(e.to_string()))?;
    while current.start() <= to.end() {
        if current.end() <= to.end() {
            periods.push(PeriodJson::from(&current));
        }
        if periods.len() > MAX_PERIODS {
            return Err(bad(format!(
                "the range holds more than {MAX_PERIODS} periods; ask for a shorter one"
            )));
        }
        let next = current.next();
        if next == current {
            break;
        }
        current = next;
    }
    Ok(Json(periods))
}

/// The first period of `kind` that starts on or after the start of `from`.
fn first_of_kind(kind: PeriodKind, from: &Period) -> Result<Period, h2h_domain::PeriodError> {
    let start = from.start();
    let (year, month) = (start.year(), u8::from(start.month()));
    let fy = if month >= 4 { year } else { year - 1 };
    let months_into_fy = (month + 8) % 12; // April is 0, March is 11.
    let candidate = match kind {
        PeriodKind::Quarter => Period::quarter(fy, months_into_fy / 3 + 1)?,
        PeriodKind::Half => Period::half(fy, months_into_fy / 6 + 1)?,
        PeriodKind::FinancialYear => Period::financial_year(fy)?,
        PeriodKind::CalendarYear => Period::calendar_year(year)?,
        _ => Period::month(year, month)?,
    };
    Ok(if candidate.start() < start {
        candidate.next()
    } else {
        candidate
    })
}

/// Every partnership with members recorded.
#[utoipa::path(get, path = "/api/v1/partnerships", tag = "partnerships",
    responses((status = 200, description = "Partnerships by code", body = [PartnershipSummaryJson])))]
async fn list_partnerships(
    State(state): State<AppState>,
) -> Result<Json<Vec<PartnershipSummaryJson>>, ApiError> {
    let snapshot = state.snapshot().await?;
    let data = &snapshot.partnerships;
    Ok(Json(
        data.partnerships
            .iter()
            .map(|p| PartnershipSummaryJson::new(data, p))
            .collect(),
    ))
}

/// The financial year an attendance record or analysis covers.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct YearQuery {
    /// A financial year such as `2024/25` (default: the latest with a main meeting).
    year: Option<String>,
}

/// Reads an optional financial year from a query.
pub(crate) fn query_year(text: Option<&str>) -> Result<Option<h2h_domain::Period>, WebError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => crate::attendance::read_year(text)
            .map(Some)
            .map_err(WebError::BadRequest),
    }
}

/// A partnership: its leadership, members, each member's attendance at main meetings in a
/// financial year, and every meeting with who attended.
#[utoipa::path(get, path = "/api/v1/partnerships/{code}", tag = "partnerships",
    params(("code" = String, Path, description = "The partnership's area code"), YearQuery),
    responses(
        (status = 200, description = "The partnership", body = PartnershipJson),
        (status = 400, description = "Not a financial year", body = ErrorJson),
        (status = 404, description = "No such partnership", body = ErrorJson)))]
async fn get_partnership(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
) -> Result<Json<PartnershipJson>, ApiError> {
    let window = query_year(query.year.as_deref())?;
    let snapshot = state.snapshot().await?;
    let not_found = || WebError::NotFound(format!("There is no partnership with the code {code}."));
    let parsed = AreaCode::parse(&code).map_err(|_| not_found())?;
    let data = &snapshot.partnerships;
    let partnership = data.partnership(&parsed).ok_or_else(not_found)?;
    auth::area_sight(&state, &snapshot, &viewer, &parsed).await?;
    Ok(Json(PartnershipJson::new(data, partnership, window)))
}

/// The filters of the attendance analysis.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct AttendanceQuery {
    /// A financial year such as `2024/25` (default: the latest with a main meeting).
    year: Option<String>,
    /// Only the partnerships of this region (a code such as `E12000007`).
    region: Option<String>,
}

/// The national attendance analysis: for each member type, the share of partnerships whose
/// main meetings it attends (at least one organisation of the type at half or more of them),
/// overall and by region.
#[utoipa::path(get, path = "/api/v1/attendance", tag = "partnerships", params(AttendanceQuery),
    responses(
        (status = 200, description = "The analysis", body = AttendanceAnalysisJson),
        (status = 400, description = "Not a financial year or not a region", body = ErrorJson)))]
async fn get_attendance(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<AttendanceQuery>,
) -> Result<Json<AttendanceAnalysisJson>, ApiError> {
    auth::require_national(&viewer, Permission::View)?;
    let window = query_year(query.year.as_deref())?;
    let snapshot = state.snapshot().await?;
    let region = match query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(text) => Some(
            AreaCode::parse(text)
                .ok()
                .and_then(|c| snapshot.area(&c))
                .filter(|a| a.kind == h2h_domain::AreaKind::Region)
                .map(|a| a.code.clone())
                .ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "{text:?} is not a region: expected a code such as E12000007"
                    ))
                })?,
        ),
    };
    Ok(Json(AttendanceAnalysisJson::new(
        &snapshot.partnerships,
        window,
        region.as_ref(),
    )))
}

/// Whether the service and its database answer.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses(
        (status = 200, description = "Healthy", body = HealthJson),
        (status = 500, description = "The database does not answer", body = ErrorJson)))]
pub(crate) async fn health(State(state): State<AppState>) -> Result<Json<HealthJson>, ApiError> {
    state.store.ping().await?;
    let reference = state.store.reference_state().await?;
    Ok(Json(HealthJson {
        status: String::from("ok"),
        database: match state.store.backend() {
            h2h_store::Backend::Sqlite => String::from("sqlite"),
            h2h_store::Backend::Postgres => String::from("postgres"),
        },
        catalogue_version: reference.catalogue_version,
        geography_version: reference.geography_version,
    }))
}
