//! The scorecard page of an area (`/areas/{code}/scorecard?period=`), laid out like the
//! Gwent report: the referral pathway funnel, then each section's measures with their counts,
//! percentages and values in the previous four periods of the same kind, each breakdown as a
//! table beside a small bar chart, and the definitions as a terminology appendix; and the same
//! scorecard as a file (`/areas/{code}/scorecard/download?format=html|xlsx|pdf&period=`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use h2h_charts::{BarRow, Category, ChartText, ComparisonBars, SparklineOptions};
use h2h_domain::{AreaCode, Period};
use h2h_records::Scorecard;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::pages::{Layout, Page, layout};
use crate::scorecards::{FunnelStage, Trend};
use crate::views::thousands;

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/areas/{code}/scorecard", get(scorecard_page))
        .route("/areas/{code}/scorecard/download", get(download))
}

/// What a download link sends.
#[derive(Deserialize)]
struct DownloadQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    format: String,
}

/// The scorecard as a file: HTML, Excel or PDF, each an attachment named after the area
/// and period.
async fn download(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    crate::auth::Remote(remote): crate::auth::Remote,
    Path(code): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    match scorecard_file(&state, &viewer, &remote, &code, &query).await {
        Ok(response) => response,
        Err(error) => crate::pages::error_page(&error),
    }
}

async fn scorecard_file(
    state: &AppState,
    viewer: &crate::auth::Viewer,
    remote: &str,
    code: &str,
    query: &DownloadQuery,
) -> Result<Response, WebError> {
    let snapshot = state.snapshot().await?;
    let not_found = || WebError::NotFound(format!("There is no area with the code {code}."));
    let parsed = AreaCode::parse(code).map_err(|_| not_found())?;
    let area = snapshot.area(&parsed).ok_or_else(not_found)?;
    // Built from client-level records: never opened by publication.
    crate::auth::require(viewer, &snapshot, h2h_domain::Permission::View, &area.code)?;
    let none_held = || {
        WebError::NotFound(
            "No client-level records are held yet: an extract is loaded with h2h import records."
                .to_owned(),
        )
    };
    let period = match query.period.trim() {
        "" => snapshot.records.default_period().ok_or_else(none_held)?,
        text => Period::parse(text).map_err(|e| {
            WebError::BadRequest(format!(
                "{e}. Enter a period such as 2023/24, 2023/24-H2 or 2023/24-Q3."
            ))
        })?,
    };
    let format = match query.format.trim() {
        "" => h2h_reports::ReportFormat::Html,
        text => h2h_reports::ReportFormat::parse(text)
            .map_err(|e| WebError::BadRequest(format!("{e}.")))?,
    };
    let today = time::OffsetDateTime::now_utc().date();
    let doc = scorecard_document(&snapshot, area, &period, today).ok_or_else(none_held)?;
    // Typesetting a PDF takes a good fraction of a second of CPU: off the async runtime, so
    // other requests are served meanwhile.
    let bytes = tokio::task::spawn_blocking(move || h2h_reports::render_scorecard(&doc, format))
        .await
        .map_err(|e| WebError::Report(format!("the scorecard was not finished: {e}")))?
        .map_err(|e| WebError::Report(e.to_string()))?;
    let file_name = format!(
        "h2h-scorecard-{}-{}.{}",
        area.code,
        period.code().replace('/', "-"),
        format.extension()
    );
    let detail = format!("{} {}", period.code(), format.extension());
    crate::auth::audit(
        state,
        &viewer.actor(),
        "export.scorecard",
        area.code.as_str(),
        "ok",
        &detail,
        remote,
    )
    .await;
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct ScorecardQuery {
    period: Option<String>,
}

struct MeasureRow {
    label: String,
    trend: Vec<String>,
    value: String,
    percent: String,
    sparkline: String,
}

struct BreakdownView {
    id: String,
    label: String,
    base: String,
    rows: Vec<(String, String, String)>,
    chart: String,
}

struct SectionView {
    id: String,
    title: String,
    measures: Vec<MeasureRow>,
    breakdowns: Vec<BreakdownView>,
}

struct FunnelRow {
    label: &'static str,
    value: String,
    of_previous: String,
    of_referrals: String,
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct ScorecardPage {
    layout: Layout,
    code: String,
    name: String,
    kind_label: &'static str,
    period_input: String,
    period_label: String,
    /// The period shown, as its code: the download links ask for it.
    period_code: String,
    error: Option<String>,
    sources: Vec<String>,
    generated: bool,
    /// Whether any current extract has a record of the area.
    has_records: bool,
    /// Whether any extract is held at all.
    has_extracts: bool,
    trend_periods: Vec<String>,
    sections: Vec<SectionView>,
    funnel: Vec<FunnelRow>,
    funnel_chart: String,
    terms: Vec<(&'static str, &'static str)>,
}

fn count(v: Option<u64>) -> String {
    v.map_or_else(|| String::from("no data"), thousands)
}

fn pct(p: Option<f64>) -> String {
    p.map_or_else(String::new, |p| format!("{p:.0}%"))
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// What a measure's percent is of, in words.
fn percent_of(id: &str) -> &'static str {
    match h2h_records::measure(id).and_then(|m| m.denominator) {
        Some("referrals") => "of referrals",
        Some("assessments") => "of assessments",
        Some("care_plans") => "of care plans",
        Some("brief_interventions") => "of brief interventions",
        Some("caseload") => "of the caseload",
        Some("modalities") => "of clients in treatment",
        Some("closures") => "of closures",
        Some("reoffending_checked") => "of those checked",
        Some(_) => "of those with an arrest since",
        None => "",
    }
}

fn bars(id: &str, title: &str, description: &str, rows: &[(String, f64)]) -> String {
    let bar_rows: Vec<BarRow<'_>> = rows
        .iter()
        .map(|(label, value)| BarRow {
            label,
            value: Some(*value),
            interval: None,
            category: Category::NotCompared,
            selected: false,
        })
        .collect();
    h2h_charts::comparison_bars(&ComparisonBars {
        text: ChartText {
            id,
            title,
            description,
        },
        unit_label: "Number",
        rows: &bar_rows,
        benchmark: None,
        decimals: Some(0),
        width: 420.0,
    })
}

fn sections(card: &Scorecard, trend: &Trend) -> Vec<SectionView> {
    card.sections
        .iter()
        .map(|section| {
            let mut measures = Vec::new();
            let mut breakdowns = Vec::new();
            for m in &section.measures {
                let values = trend.values.get(m.id).cloned().unwrap_or_default();
                let previous: Vec<String> = values
                    .iter()
                    .take(values.len().saturating_sub(1))
                    .map(|v| count(*v))
                    .collect();
                let points: Vec<Option<f64>> = values.iter().map(|v| v.map(|v| v as f64)).collect();
                let percent = match m.percent {
                    Some(p) => format!("{p:.0}% {}", percent_of(m.id)),
                    None => String::new(),
                };
                measures.push(MeasureRow {
                    label: m.label.to_owned(),
                    trend: previous,
                    value: count(m.value),
                    percent,
                    sparkline: h2h_charts::sparkline(&points, &SparklineOptions::default()),
                });
                if m.breakdown.is_empty() {
                    continue;
                }
                let id = format!("breakdown-{}", m.id);
                let rows: Vec<(String, f64)> = m
                    .breakdown
                    .iter()
                    .filter(|b| b.value > 0 || m.id != "substances")
                    .map(|b| (b.label.clone(), b.value as f64))
                    .collect();
                let title = format!("{}: breakdown", m.label);
                let description = format!(
                    "Bar chart of {} by category in {}; the table beside it gives the numbers.",
                    m.label.to_lowercase(),
                    card.period.code
                );
                breakdowns.push(BreakdownView {
                    chart: bars(&id, &title, &description, &rows),
                    id,
                    label: m.label.to_owned(),
                    base: match m.id {
                        "signposted" => String::from("Percent of brief interventions"),
                        "completions" => String::from("Percent of closures"),
                        _ => String::from("Percent"),
                    },
                    rows: m
                        .breakdown
                        .iter()
                        .map(|b| (b.label.clone(), thousands(b.value), pct(b.percent)))
                        .collect(),
                });
            }
            SectionView {
                id: slug(section.title),
                title: section.title.to_owned(),
                measures,
                breakdowns,
            }
        })
        .collect()
}

fn funnel_rows(stages: &[FunnelStage]) -> Vec<FunnelRow> {
    stages
        .iter()
        .map(|s| FunnelRow {
            label: s.label,
            value: count(s.value),
            of_previous: pct(s.of_previous),
            of_referrals: pct(s.of_referrals),
        })
        .collect()
}

async fn scorecard_page(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    Path(code): Path<String>,
    Query(query): Query<ScorecardQuery>,
) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let not_found = || WebError::NotFound(format!("There is no area with the code {code}."));
        let parsed = AreaCode::parse(&code).map_err(|_| not_found())?;
        let area = snapshot.area(&parsed).ok_or_else(not_found)?;
        // Built from client-level records: never opened by publication.
        crate::auth::require(&viewer, &snapshot, h2h_domain::Permission::View, &area.code)?;
        let records = &snapshot.records;
        let fallback = records
            .default_period()
            .or_else(|| Period::financial_year(2024).ok());
        let asked = query.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let (period, error) = match asked.map(Period::parse) {
            Some(Ok(p)) => (Some(p), None),
            Some(Err(e)) => (fallback, Some(format!("The period could not be read: {e}"))),
            None => (fallback, None),
        };
        let members = snapshot.scorecard_members(&area.code);
        let has_records = records.has_records_for(&members);
        let mut page = ScorecardPage {
            layout: layout(&snapshot, "home"),
            code: area.code.to_string(),
            name: area.name.clone(),
            kind_label: area.kind.label(),
            period_input: asked.map_or_else(|| period.map(|p| p.code()).unwrap_or_default(), str::to_owned),
            period_label: period.map(|p| p.label()).unwrap_or_default(),
            period_code: period.map(|p| p.code()).unwrap_or_default(),
            error,
            sources: records
                .current
                .iter()
                .map(|l| {
                    format!(
                        "{}, version {}, imported {} ({} rows)",
                        l.meta.service,
                        l.meta.version,
                        l.meta.submitted_at.get(..10).unwrap_or(&l.meta.submitted_at),
                        thousands(l.meta.total_rows)
                    )
                })
                .collect(),
            generated: records.current.iter().any(|l| l.meta.service.contains("generated")),
            has_records,
            has_extracts: !records.current.is_empty(),
            trend_periods: Vec::new(),
            sections: Vec::new(),
            funnel: Vec::new(),
            funnel_chart: String::new(),
            terms: h2h_records::catalogue()
                .iter()
                .map(|m| (m.label, m.definition))
                .collect(),
        };
        if let Some(period) = period
            && let Some(card) = snapshot.scorecard(area, &period)
        {
            let area_ref = crate::snapshot::area_ref(area);
            let trend = crate::scorecards::trend(records, &area_ref, &members, &period, 4);
            page.trend_periods = trend.periods.iter().take(trend.periods.len().saturating_sub(1)).cloned().collect();
            let stages = crate::scorecards::funnel(&card);
            let rows: Vec<(String, f64)> = stages
                .iter()
                .map(|s| (s.label.to_owned(), s.value.unwrap_or(0) as f64))
                .collect();
            page.funnel_chart = bars(
                "funnel",
                "The referral pathway",
                &format!(
                    "Bar chart of the people at each stage from referral to completion in {}; the table gives the numbers.",
                    card.period.code
                ),
                &rows,
            );
            page.funnel = funnel_rows(&stages);
            page.sections = sections(&card, &trend);
        }
        Ok(page)
    }
    .await
    .into()
}

/// The scorecard of an area and period as the reports' document model (HTML, Excel and PDF
/// files, and the pack's scorecard section), with the four periods before, prepared on
/// `today` and marked as unpublished management information; `None` when no extract is held.
pub fn scorecard_document(
    snapshot: &crate::snapshot::Snapshot,
    area: &h2h_domain::Area,
    period: &Period,
    today: time::Date,
) -> Option<h2h_reports::ScorecardDocument> {
    use h2h_reports::{
        BreakdownLine, BreakdownTable, FunnelLine, ScorecardDocument, ScorecardLine,
        ScorecardSection,
    };
    let card = snapshot.scorecard(area, period)?;
    let records = &snapshot.records;
    let members = snapshot.scorecard_members(&area.code);
    let area_ref = crate::snapshot::area_ref(area);
    let trend = crate::scorecards::trend(records, &area_ref, &members, period, 4);
    let before = trend.periods.len().saturating_sub(1);
    let stages = crate::scorecards::funnel(&card);
    let funnel_rows: Vec<(String, f64)> = stages
        .iter()
        .map(|s| (s.label.to_owned(), s.value.unwrap_or(0) as f64))
        .collect();
    let sections = card
        .sections
        .iter()
        .map(|section| ScorecardSection {
            title: section.title.to_owned(),
            measures: section
                .measures
                .iter()
                .map(|m| ScorecardLine {
                    id: m.id.to_owned(),
                    label: m.label.to_owned(),
                    value: m.value,
                    denominator: m.denominator,
                    percent: m.percent,
                    percent_of: percent_of(m.id).to_owned(),
                    trend: trend
                        .values
                        .get(m.id)
                        .map(|v| v.iter().take(before).copied().collect())
                        .unwrap_or_default(),
                })
                .collect(),
            breakdowns: section
                .measures
                .iter()
                .filter(|m| !m.breakdown.is_empty())
                .map(|m| {
                    let rows: Vec<(String, f64)> = m
                        .breakdown
                        .iter()
                        .filter(|b| b.value > 0 || m.id != "substances")
                        .map(|b| (b.label.clone(), b.value as f64))
                        .collect();
                    BreakdownTable {
                        measure_id: m.id.to_owned(),
                        label: m.label.to_owned(),
                        percent_heading: match m.id {
                            "signposted" => String::from("Percent of brief interventions"),
                            "completions" => String::from("Percent of closures"),
                            _ => String::from("Percent"),
                        },
                        chart: bars(
                            &format!("breakdown-{}", m.id),
                            &format!("{}: breakdown", m.label),
                            &format!(
                                "Bar chart of {} by category in {}; the table beside it gives the numbers.",
                                m.label.to_lowercase(),
                                card.period.code
                            ),
                            &rows,
                        ),
                        rows: m
                            .breakdown
                            .iter()
                            .map(|b| BreakdownLine {
                                key: b.key.clone(),
                                label: b.label.clone(),
                                value: b.value,
                                percent: b.percent,
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    Some(ScorecardDocument {
        title: format!("Scorecard: {}, {}", area.name, period.label()),
        area_name: area.name.clone(),
        area_code: area.code.to_string(),
        period_label: period.label(),
        period_code: period.code(),
        marking: Some(crate::report::PACK_MARKING.to_owned()),
        prepared_on: crate::contract::iso(today),
        sources: records
            .current
            .iter()
            .map(|l| {
                format!(
                    "{}, version {}, imported {}",
                    l.meta.service, l.meta.version, l.meta.submitted_at
                )
            })
            .collect(),
        generated: records
            .current
            .iter()
            .any(|l| l.meta.service.contains("generated")),
        trend_periods: trend.periods.iter().take(before).cloned().collect(),
        funnel_chart: bars(
            "funnel",
            "The referral pathway",
            &format!(
                "Bar chart of the people at each stage from referral to completion in {}; the table gives the numbers.",
                card.period.code
            ),
            &funnel_rows,
        ),
        funnel: stages
            .iter()
            .map(|s| FunnelLine {
                label: s.label.to_owned(),
                value: s.value,
                of_previous: s.of_previous,
                of_referrals: s.of_referrals,
            })
            .collect(),
        sections,
        terms: h2h_records::catalogue()
            .iter()
            .map(|m| (m.label.to_owned(), m.definition.to_owned()))
            .collect(),
    })
}
