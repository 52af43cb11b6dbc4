//! The partnership performance pack of an area and period, built from the snapshot and the
//! area's delivery plans, for the renderers of `h2h-reports`. The command line and the web
//! application both call [`performance_pack`], so a downloaded pack and `h2h report` agree,
//! and its figures are the engine's, as in the JSON API.

use h2h_domain::analysis::{DEFAULT_THRESHOLD, TargetStatus};
use h2h_domain::indicators::Indicator;
use h2h_domain::{
    Area, AreaCode, AreaKind, DecisionRecord, DeliveryStatus, Metric, Period, PlanAction, Unit,
    status_summary,
};
use h2h_reports::{
    AttendanceRow, AttendanceSection, BenchmarkLine, ChartFigure, DataTable, Decision, Definition,
    Distribution, DistributionLine, ExceptionLine, Figure, IndicatorLine, Judgement,
    NationalAttendanceSection, OutcomeGroup, Pack, PackScorecard, PlanStatus, ReportFormat,
    StatusRow, TargetLine, TypeShareRow,
};
use h2h_store::{NewSignedReport, SignedReport, Store, StoreError, StoredPlan};
use sha2::{Digest, Sha256};
use time::Date;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::contract::iso;
use crate::error::WebError;
use crate::series::{SortBy, metric_series_to};
use crate::snapshot::Snapshot;
use crate::views::{comparison_words, figure_in_unit, target_status_label, trend_words};

/// The marking of a pack that holds unpublished management information.
pub const PACK_MARKING: &str = "OFFICIAL-SENSITIVE: unpublished management information";

/// Why a pack could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The area is not known.
    #[error("there is no area {0}: give a GSS code or the code of an imported area")]
    UnknownArea(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be written.
    #[error(transparent)]
    Render(#[from] h2h_reports::ReportError),
    /// The work stopped before it finished.
    #[error("the report was not finished: {0}")]
    Unfinished(String),
}

/// What a pack is for and as of when.
#[derive(Debug, Clone, Copy)]
pub struct PackRequest<'a> {
    /// The area.
    pub area: &'a AreaCode,
    /// The period: each metric shows its latest figure that ends within it.
    pub period: &'a Period,
    /// With disclosure control, for publication: counts from 1 to 4 and what derives from
    /// them are withheld as `[c]`, and the pack carries no protective marking.
    pub published: bool,
    /// The date statuses, targets and overdue actions are judged on.
    pub today: Date,
    /// Which other areas' figures the comparisons may show.
    pub visibility: &'a crate::auth::Visibility,
}

/// Builds the pack for `request` from `snapshot` and the area's plans in `store`.
pub async fn performance_pack(
    store: &dyn Store,
    snapshot: &Snapshot,
    request: PackRequest<'_>,
) -> Result<Pack, PackError> {
    let area = snapshot
        .area(request.area)
        .ok_or_else(|| PackError::UnknownArea(request.area.to_string()))?;
    let mut plans = Vec::new();
    for summary in store.plans(Some(&area.code)).await? {
        if let Some(plan) = store.plan(summary.id).await? {
            plans.push(plan_status(&plan, request.today));
        }
    }
    Ok(build(snapshot, area, request, plans))
}

fn build(
    snapshot: &Snapshot,
    area: &Area,
    request: PackRequest<'_>,
    plans: Vec<PlanStatus>,
) -> Pack {
    let engine = &snapshot.engine;
    let england = AreaCode::parse(h2h_domain::geography::ENGLAND).ok();
    let england_name = england
        .as_ref()
        .and_then(|code| snapshot.area(code))
        .map_or_else(|| "England".to_owned(), |a| a.name.clone());
    let region = region_of(snapshot, area);
    let mut groups: Vec<OutcomeGroup> = snapshot
        .outcomes
        .iter()
        .map(|o| OutcomeGroup {
            heading: o.name.clone(),
            kind: o.kind.code().to_owned(),
            indicators: Vec::new(),
            charts: Vec::new(),
        })
        .collect();
    let mut other = OutcomeGroup {
        heading: "Other metrics".to_owned(),
        kind: String::new(),
        indicators: Vec::new(),
        charts: Vec::new(),
    };
    let mut definitions = Vec::new();
    let mut unpublished = false;
    for metric in engine.metrics() {
        let Some(latest) = engine
            .periods(&metric.id, &area.code, None)
            .into_iter()
            .rfind(|p| p.end() <= request.period.end())
        else {
            continue;
        };
        // A count is not comparable with a larger area's count: counts have no benchmark.
        let comparable = metric.unit != Unit::Count;
        let with = |benchmark: Option<&AreaCode>| {
            engine.indicator(
                metric,
                &area.code,
                &latest,
                None,
                benchmark.filter(|_| comparable),
                request.today,
            )
        };
        let Some(against_england) = with(england.as_ref()) else {
            continue;
        };
        let against_region = region.and_then(|r| with(Some(&r.code)));
        unpublished |= !against_england.provenance.published;
        // The API's disclosure control, so the pack withholds exactly what it does.
        let suppressed = request.published
            && crate::indicators::suppression(std::slice::from_ref(&against_england))
                .first()
                .copied()
                .unwrap_or(false);
        let line = indicator_line(
            metric,
            &against_england,
            against_region.as_ref(),
            (&england_name, region.map(|r| r.name.as_str())),
            suppressed,
        );
        let position = metric
            .outcome
            .as_ref()
            .and_then(|id| snapshot.outcomes.iter().position(|o| o.id == *id));
        let group = match position.and_then(|i| groups.get_mut(i)) {
            Some(group) => group,
            None => &mut other,
        };
        let chart_prefix = format!("m{}-", definitions.len() + 1);
        if !suppressed {
            group.charts.extend(charts(
                snapshot,
                metric,
                area,
                &line,
                request,
                &chart_prefix,
            ));
        }
        group.indicators.push(line);
        definitions.push(definition(metric));
    }
    groups.push(other);
    groups.retain(|g| !g.indicators.is_empty());
    let scorecard = pack_scorecard(snapshot, area, request);
    // Client-level figures are unpublished management information too.
    let marked = unpublished || scorecard.document.is_some();
    let mut notes = Vec::new();
    if unpublished && !request.published {
        notes.push(
            "Figures marked unpublished are management information shared with the \
             partnership: not for further circulation."
                .to_owned(),
        );
    }
    if request.published {
        notes.push(format!(
            "Prepared for publication: disclosure control withheld counts from 1 to {} and the \
             figures derived from them.",
            DEFAULT_THRESHOLD - 1
        ));
    }
    Pack {
        title: if area.kind == AreaKind::Country {
            format!(
                "{}: national summary, {}",
                area.name,
                request.period.label()
            )
        } else {
            format!(
                "{}: partnership performance pack, {}",
                area.name,
                request.period.label()
            )
        },
        area_code: area.code.to_string(),
        area_name: area.name.clone(),
        period_code: request.period.code(),
        period_label: request.period.label(),
        marking: (marked && !request.published).then(|| PACK_MARKING.to_owned()),
        prepared_on: iso(request.today),
        england_name,
        region_name: region.map(|r| r.name.clone()),
        outcomes: groups,
        plans,
        attendance: attendance(snapshot, &area.code, request.period),
        decision: None,
        distribution: (area.kind == AreaKind::Country)
            .then(|| distribution(snapshot, area, request)),
        national_attendance: (area.code.as_str() == h2h_domain::geography::ENGLAND)
            .then(|| national_attendance(snapshot, request.period))
            .flatten(),
        scorecard: Some(scorecard),
        definitions,
        notes,
    }
}

/// The pack's scorecard section: the area's Results Based Accountability scorecard over the
/// current client-level extracts, built as the scorecard page and `/api/v1/scorecard` build
/// theirs, or why there is none. A pack prepared for publication leaves it out: client-level
/// counts are unpublished management information, and disclosure control is not applied to
/// them.
fn pack_scorecard(snapshot: &Snapshot, area: &Area, request: PackRequest<'_>) -> PackScorecard {
    let absent = |absence: String| PackScorecard {
        document: None,
        absence,
    };
    if request.published {
        return absent(
            "The scorecard from client-level records is unpublished management information, \
             so a pack prepared for publication leaves it out."
                .to_owned(),
        );
    }
    let uncovered = || {
        absent(format!(
            "No client-level extract covers {}, so there is no scorecard for it. The scorecard \
             is computed from the case records of a Drug Interventions Programme or treatment \
             service, loaded with h2h import records.",
            area.name
        ))
    };
    let members = snapshot.scorecard_members(&area.code);
    if !snapshot.records.has_records_for(&members) {
        return uncovered();
    }
    match crate::scorecard_page::scorecard_document(snapshot, area, request.period, request.today) {
        Some(document) => PackScorecard {
            document: Some(document),
            absence: String::new(),
        },
        None => uncovered(),
    }
}

/// The partnership's attendance at main meetings in the financial year that holds the end
/// of `period`, when the area is a partnership.
fn attendance(snapshot: &Snapshot, area: &AreaCode, period: &Period) -> Option<AttendanceSection> {
    let data = &snapshot.partnerships;
    let partnership = data.partnership(area)?;
    let window = Period::financial_year_containing(period.end())?;
    let record = h2h_domain::partnership::attendance_record(partnership, &data.meetings, window);
    Some(AttendanceSection {
        partnership: partnership.name.clone(),
        sro: partnership.sro.clone(),
        chair: partnership.chair.clone(),
        window: window.label(),
        meetings_held: record.first().map_or(0, |r| r.held),
        rows: record
            .iter()
            .map(|r| AttendanceRow {
                organisation: r.organisation.clone(),
                member_type: r.member_type.label().to_owned(),
                attended: r.attended,
                apologies: r.apologies,
                absent: r.absent,
                regularly: r.attends_regularly(),
            })
            .collect(),
        rule: "A member attends regularly when it attended at least half of the main \
               meetings held in the year; the national attendance analysis counts a \
               partnership for a member type when a member of that type attends regularly."
            .to_owned(),
    })
}

/// For a country: its upper-tier authorities counted, metric by metric, by how they compare
/// with it and by their trend, each metric at its latest period that ends within the pack's.
fn distribution(snapshot: &Snapshot, country: &Area, request: PackRequest<'_>) -> Distribution {
    use h2h_domain::analysis::Trend;
    use h2h_domain::statistics::Comparison;
    let engine = &snapshot.engine;
    let prefix = &country.code.as_str()[..1];
    let areas: Vec<&Area> = snapshot
        .areas(Some(h2h_domain::AreaKindFilter::UpperTier))
        .filter(|a| a.code.as_str().starts_with(prefix))
        .collect();
    let mut lines = Vec::new();
    for metric in engine.metrics() {
        let Some(latest) = engine
            .periods(&metric.id, &country.code, None)
            .into_iter()
            .rfind(|p| p.end() <= request.period.end())
        else {
            continue;
        };
        let comparable = metric.unit != Unit::Count;
        let mut line = DistributionLine {
            metric_id: metric.id.to_string(),
            metric_name: metric.name.clone(),
            period: latest.code(),
            areas: 0,
            comparisons: [0; 6],
            trends: [0; 4],
        };
        for area in &areas {
            let Some(indicator) = engine.indicator(
                metric,
                &area.code,
                &latest,
                None,
                Some(&country.code).filter(|_| comparable),
                request.today,
            ) else {
                continue;
            };
            line.areas += 1;
            let comparison = match indicator.comparison {
                Comparison::Better => 0,
                Comparison::Similar => 1,
                Comparison::Worse => 2,
                Comparison::Higher => 3,
                Comparison::Lower => 4,
                Comparison::NotCompared => 5,
            };
            let trend = match indicator.trend.trend {
                Trend::Increasing => 0,
                Trend::Decreasing => 1,
                Trend::NoChange => 2,
                Trend::CannotBeCalculated => 3,
            };
            line.comparisons[comparison] += 1;
            line.trends[trend] += 1;
        }
        if line.areas > 0 {
            lines.push(line);
        }
    }
    Distribution {
        areas: "upper-tier local authorities".to_owned(),
        lines,
    }
}

/// The national analysis of partnership attendance in the financial year that holds the end
/// of `period`, when any partnership met in it.
fn national_attendance(snapshot: &Snapshot, period: &Period) -> Option<NationalAttendanceSection> {
    let data = &snapshot.partnerships;
    let window = Period::financial_year_containing(period.end())?;
    let analysis = data.analysis(window, None);
    if analysis.partnerships_analysed == 0 {
        return None;
    }
    let regions: Vec<&AreaCode> = analysis.partnerships_by_region.keys().collect();
    Some(NationalAttendanceSection {
        window: window.label(),
        partnerships: analysis.partnerships_analysed,
        headlines: analysis
            .types
            .iter()
            .filter_map(|t| h2h_domain::partnership::headline(t.member_type, t.overall))
            .collect(),
        regions: regions
            .iter()
            .map(|code| data.name(code).to_owned())
            .collect(),
        rows: analysis
            .types
            .iter()
            .map(|t| TypeShareRow {
                member_type: t.member_type.label().to_owned(),
                count: t.overall.count,
                of: t.overall.of,
                percent: t.overall.percent(),
                by_region: regions
                    .iter()
                    .map(|code| t.by_region.get(*code).and_then(|s| s.percent()))
                    .collect(),
            })
            .collect(),
    })
}

/// The formats a signed report is frozen in.
pub const SIGNED_FORMATS: [ReportFormat; 3] =
    [ReportFormat::Html, ReportFormat::Xlsx, ReportFormat::Pdf];

/// Signs the annual report of `request`'s area and period with `decision`: builds the pack
/// with the decision record as its first page, renders it in every format of
/// [`SIGNED_FORMATS`] and freezes the files as the next version. Later revisions of the
/// figures never change it.
pub async fn sign_report(
    store: &dyn Store,
    snapshot: &Snapshot,
    request: PackRequest<'_>,
    decision: &DecisionRecord,
    recorded_at: &str,
) -> Result<SignedReport, PackError> {
    let mut pack = performance_pack(store, snapshot, request).await?;
    let period = request.period.code();
    let version = store
        .signed_reports(Some(request.area))
        .await?
        .iter()
        .filter(|r| r.period == period)
        .map(|r| r.version)
        .max()
        .unwrap_or(0)
        + 1;
    pack.title = format!(
        "{}: annual performance report, {}",
        pack.area_name, pack.period_label
    );
    pack.decision = Some(Decision {
        reference: decision.reference.clone(),
        subject: decision.subject.clone(),
        summary: decision.summary.clone(),
        decisions: decision.decisions.clone(),
        decision_maker: decision.decision_maker.clone(),
        role: decision.role.clone(),
        declaration: h2h_domain::decision::DECLARATION.to_owned(),
        interests: decision.interests.clone(),
        contact: decision.contact.clone().unwrap_or_default(),
        signed_on: iso(decision.signed_on),
        version,
    });
    let title = pack.title.clone();
    // Typesetting the PDF takes the better part of a second: off the async runtime.
    let files = tokio::task::spawn_blocking(move || {
        SIGNED_FORMATS
            .iter()
            .map(|format| {
                let bytes = h2h_reports::render_pack(&pack, *format)?;
                let digest = hex(&Sha256::digest(&bytes));
                Ok((format.extension(), bytes, digest))
            })
            .collect::<Result<Vec<_>, h2h_reports::ReportError>>()
    })
    .await
    .map_err(|e| PackError::Unfinished(e.to_string()))??;
    Ok(store
        .save_signed_report(&NewSignedReport {
            area_code: request.area,
            period: &period,
            version,
            title: &title,
            decision,
            files: &files,
            recorded_at,
        })
        .await?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The area's region: the nearest ancestor of kind region, if any.
fn region_of<'s>(snapshot: &'s Snapshot, area: &Area) -> Option<&'s Area> {
    let mut generation: Vec<&Area> = vec![];
    let mut parents: Vec<&AreaCode> = area.parents.iter().collect();
    // Local authorities sit at most three levels below a region (district, county, region).
    for _ in 0..3 {
        generation.clear();
        generation.extend(parents.iter().filter_map(|code| snapshot.area(code)));
        if let Some(region) = generation.iter().find(|a| a.kind == AreaKind::Region) {
            return Some(region);
        }
        parents = generation.iter().flat_map(|a| a.parents.iter()).collect();
    }
    None
}

fn decimals(metric: &Metric) -> u8 {
    if metric.unit == Unit::Count { 0 } else { 1 }
}

fn figure(metric: &Metric, value: Option<f64>, suppressed: bool) -> Figure {
    match value {
        _ if suppressed => Figure::new(None, "[c]", decimals(metric)),
        Some(v) => Figure::new(Some(v), figure_in_unit(metric, v), decimals(metric)),
        None => Figure::none(),
    }
}

fn plain(value: Option<f64>, suppressed: bool) -> Figure {
    match value {
        _ if suppressed => Figure::new(None, "[c]", 0),
        Some(v) => Figure::new(Some(v), crate::views::figure(v), 0),
        None => Figure::none(),
    }
}

fn indicator_line(
    metric: &Metric,
    against_england: &Indicator,
    against_region: Option<&Indicator>,
    (england_name, region_name): (&str, Option<&str>),
    suppressed: bool,
) -> IndicatorLine {
    let f = &against_england.figures;
    let benchmark = |indicator: &Indicator, name: &str| {
        let (_, value) = indicator.benchmark.as_ref()?;
        let (label, code, symbol) = comparison_words(indicator.comparison, name);
        Some(BenchmarkLine {
            value: figure(metric, Some(*value), false),
            comparison: if suppressed {
                Judgement {
                    code: "withheld".to_owned(),
                    label: "[c]".to_owned(),
                    symbol: String::new(),
                }
            } else {
                Judgement {
                    code: code.to_owned(),
                    label,
                    symbol: symbol.to_owned(),
                }
            },
        })
    };
    let (trend_label, trend_symbol) = trend_words(metric, against_england.trend.trend);
    IndicatorLine {
        metric_id: metric.id.to_string(),
        metric_name: metric.name.clone(),
        period: against_england.period.code(),
        unit: metric.unit.code().to_owned(),
        unit_label: unit_label(metric),
        value: figure(metric, f.value, suppressed),
        lower_95: figure(metric, f.ci_95.lower, suppressed),
        upper_95: figure(metric, f.ci_95.upper, suppressed),
        lower_99_8: figure(metric, f.ci_99_8.lower, suppressed),
        upper_99_8: figure(metric, f.ci_99_8.upper, suppressed),
        numerator: plain(f.numerator, suppressed),
        denominator: plain(f.denominator, suppressed),
        england: benchmark(against_england, england_name),
        region: against_region.and_then(|r| benchmark(r, region_name.unwrap_or("the region"))),
        trend: Judgement {
            code: against_england.trend.trend.code().to_owned(),
            label: trend_label.to_owned(),
            symbol: trend_symbol.to_owned(),
        },
        target: against_england
            .target
            .as_ref()
            .map(|(target, assessment)| TargetLine {
                period: target.period.code(),
                target: figure(metric, Some(target.target), false),
                status: Judgement {
                    code: assessment.status.code().to_owned(),
                    label: target_status_label(assessment.status).to_owned(),
                    symbol: target_symbol(assessment.status).to_owned(),
                },
                reason: assessment.reason.clone(),
            }),
        suppressed,
        unpublished: !against_england.provenance.published,
        status: against_england.provenance.status.code().to_owned(),
        source: against_england
            .provenance
            .source
            .clone()
            .unwrap_or_else(|| metric.source.clone()),
    }
}

fn target_symbol(status: TargetStatus) -> &'static str {
    match status {
        TargetStatus::Met => "✔",
        TargetStatus::OnTrack => "●",
        TargetStatus::OffTrack => "✖",
        TargetStatus::NotAssessed => "○",
    }
}

/// The unit as a column heading says it.
fn unit_label(metric: &Metric) -> String {
    match (metric.unit, metric.multiplier) {
        (Unit::Proportion, _) | (Unit::Value, Some(100)) => "%".to_owned(),
        (Unit::Rate | Unit::Value, Some(m)) if m > 1 => {
            format!("per {}", crate::views::thousands(u64::from(m)))
        }
        (Unit::Count, _) => "number".to_owned(),
        _ => "value".to_owned(),
    }
}

/// The metric's charts: its series with intervals and target, and the areas of its kind
/// compared, each with an active title, a caption and the table of its figures.
fn charts(
    snapshot: &Snapshot,
    metric: &Metric,
    area: &Area,
    line: &IndicatorLine,
    request: PackRequest<'_>,
    chart_prefix: &str,
) -> Vec<ChartFigure> {
    let series = metric_series_to(
        snapshot,
        metric,
        area,
        SortBy::ValueDescending,
        request.today,
        Some(request.period),
        chart_prefix,
        request.visibility,
    );
    let mut figures = Vec::new();
    let caption = |what: &str| {
        format!(
            "{what}. Source: {}. Latest period: {}.",
            line.source, line.period
        )
    };
    let finding = match &line.england {
        Some(england) => format!(
            "{} in {}: {} in {}, {}",
            metric.name,
            area.name,
            line.value.text,
            line.period,
            england.comparison.label.to_lowercase()
        ),
        None => format!(
            "{} in {}: {} in {}",
            metric.name, area.name, line.value.text, line.period
        ),
    };
    if series.rows.len() > 1 {
        figures.push(ChartFigure {
            title: finding.clone(),
            caption: caption("Each period's figure with its 95% confidence interval"),
            svg: series.chart,
            print: None,
            table: DataTable {
                columns: [
                    "Period",
                    "Value",
                    "95% interval",
                    "Numerator",
                    "Denominator",
                    "Benchmark",
                    "Compared",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: series
                    .rows
                    .into_iter()
                    .map(|r| {
                        vec![
                            r.period,
                            r.value,
                            r.interval,
                            r.numerator,
                            r.denominator,
                            r.benchmark,
                            r.comparison,
                        ]
                    })
                    .collect(),
            },
        });
    }
    if !series.areas_chart.is_empty() {
        figures.push(ChartFigure {
            title: format!("{}: {}", series.comparison_heading, metric.name),
            caption: caption(&if series.quintile_summary.is_empty() {
                "Each area with its 95% confidence interval".to_owned()
            } else {
                series.quintile_summary.clone()
            }),
            svg: series.areas_chart,
            print: series
                .print_areas_chart
                .map(|(svg, note)| h2h_reports::PrintChart { svg, note }),
            table: DataTable {
                columns: ["Area", "Value", "95% interval", "Compared", "Fifth"]
                    .map(str::to_owned)
                    .to_vec(),
                rows: series
                    .areas
                    .into_iter()
                    .map(|r| vec![r.name, r.value, r.interval, r.comparison, r.quintile])
                    .collect(),
            },
        });
    }
    figures
}

fn definition(metric: &Metric) -> Definition {
    Definition {
        metric_id: metric.id.to_string(),
        name: metric.name.clone(),
        definition: metric.definition.clone(),
        unit: unit_label(metric),
        source: metric.source.clone(),
        frequency: metric
            .frequency
            .map_or_else(|| "not stated".to_owned(), |f| f.code().replace('_', " ")),
        limitations: metric.limitations.clone().unwrap_or_default(),
    }
}

/// A plan's status summary and exceptions on `as_of`.
fn plan_status(plan: &StoredPlan, as_of: Date) -> PlanStatus {
    let actions: Vec<&PlanAction> = plan.actions.iter().map(|a| &a.action).collect();
    let (summary, total) = status_summary(&actions, as_of);
    let row = |counts: h2h_domain::StatusCounts| StatusRow {
        objective: counts.objective,
        counts: counts.counts,
        overdue: counts.overdue,
        total: counts.total,
    };
    let status = |s: DeliveryStatus| Judgement {
        code: s.code().to_owned(),
        label: s.label().to_owned(),
        symbol: s.symbol().to_owned(),
    };
    PlanStatus {
        title: plan.title.clone(),
        as_of: iso(as_of),
        statuses: DeliveryStatus::ALL.iter().map(|s| status(*s)).collect(),
        summary: summary.into_iter().map(row).collect(),
        total: row(total),
        exceptions: actions
            .iter()
            .filter(|a| a.is_exception(as_of))
            .map(|a| ExceptionLine {
                action_no: a.action_no.clone(),
                action: a.action.clone(),
                leads: a.leads.join("; "),
                deadline: a.deadline.text.clone(),
                status: status(a.status),
                reasons: a.exception_reasons(as_of).join(", "),
                latest_update: a
                    .updates
                    .last()
                    .map(|u| match u.date {
                        Some(date) => format!("{}: {}", iso(date), u.text),
                        None => u.text.clone(),
                    })
                    .unwrap_or_else(|| "No update recorded".to_owned()),
            })
            .collect(),
    }
}

/// The financial year that holds the end of the area's latest figure: the period its pack is
/// offered for by default.
pub fn default_period(snapshot: &Snapshot, area: &AreaCode) -> Option<Period> {
    let engine = &snapshot.engine;
    let latest_end = engine
        .metrics()
        .iter()
        .filter_map(|m| engine.periods(&m.id, area, None).into_iter().next_back())
        .map(|p| p.end())
        .max()?;
    Period::financial_year_containing(latest_end)
}

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new().route("/areas/{code}/pack", get(download))
}

/// What the pack form sends.
#[derive(Debug, Deserialize)]
struct PackQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    published: bool,
}

/// The pack as a file: HTML shown in the browser, Excel and PDF downloaded.
async fn download(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    crate::auth::Remote(remote): crate::auth::Remote,
    Path(code): Path<String>,
    Query(query): Query<PackQuery>,
) -> Response {
    match pack_file(&state, &viewer, &remote, &code, &query).await {
        Ok(response) => response,
        Err(error) => crate::pages::error_page(&error),
    }
}

async fn pack_file(
    state: &AppState,
    viewer: &crate::auth::Viewer,
    remote: &str,
    code: &str,
    query: &PackQuery,
) -> Result<Response, WebError> {
    let snapshot = state.snapshot().await?;
    let not_found = || WebError::NotFound(format!("There is no area with the code {code}."));
    let area = AreaCode::parse(code).map_err(|_| not_found())?;
    let area = snapshot.area(&area).ok_or_else(not_found)?.code.clone();
    let sight = crate::auth::area_sight(state, &snapshot, viewer, &area).await?;
    let visibility = crate::auth::Visibility::of(state, viewer).await?;
    let period = match query.period.trim() {
        "" => default_period(&snapshot, &area)
            .ok_or_else(|| WebError::NotFound(format!("There are no figures for {code} yet.")))?,
        text => Period::parse(text).map_err(|e| {
            WebError::BadRequest(format!(
                "{e}. Enter a period such as 2024/25 or 2024/25-Q2."
            ))
        })?,
    };
    let format = match query.format.trim() {
        "" => h2h_reports::ReportFormat::Html,
        text => h2h_reports::ReportFormat::parse(text)
            .map_err(|e| WebError::BadRequest(format!("{e}.")))?,
    };
    let published = query.published || sight == crate::auth::Sight::Published;
    let request = PackRequest {
        area: &area,
        period: &period,
        published,
        today: time::OffsetDateTime::now_utc().date(),
        visibility: &visibility,
    };
    let pack = performance_pack(state.store.as_ref(), &snapshot, request)
        .await
        .map_err(|e| match e {
            PackError::UnknownArea(_) => not_found(),
            PackError::Store(e) => WebError::Store(e),
            PackError::Render(e) => WebError::Report(e.to_string()),
            PackError::Unfinished(e) => WebError::Report(e),
        })?;
    // Typesetting a PDF takes the better part of a second of CPU: off the async runtime, so
    // other requests are served meanwhile.
    let bytes = tokio::task::spawn_blocking(move || h2h_reports::render_pack(&pack, format))
        .await
        .map_err(|e| WebError::Report(format!("the report was not finished: {e}")))?
        .map_err(|e| WebError::Report(e.to_string()))?;
    let file_name = format!(
        "h2h-pack-{}-{}.{}",
        area,
        period.code().replace('/', "-"),
        format.extension()
    );
    let detail = format!(
        "{} {}{}",
        period.code(),
        format.extension(),
        if published {
            ", published"
        } else {
            ", unpublished"
        }
    );
    crate::auth::audit(
        state,
        &viewer.actor(),
        "export.pack",
        area.as_str(),
        "ok",
        &detail,
        remote,
    )
    .await;
    let disposition = match format {
        h2h_reports::ReportFormat::Html => format!("inline; filename=\"{file_name}\""),
        h2h_reports::ReportFormat::Xlsx | h2h_reports::ReportFormat::Pdf => {
            format!("attachment; filename=\"{file_name}\"")
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
