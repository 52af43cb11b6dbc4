//! Partnership pages: the partnerships held, a partnership with its members, meetings and
//! each member's attendance record, and the national attendance analysis with its chart.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use h2h_charts::{BarRow, Category, ChartText, ComparisonBars, comparison_bars};
use h2h_domain::{AreaCode, Attendance, MeetingKind, MemberType};
use serde::Deserialize;

use crate::AppState;
use crate::api::query_year;
use crate::attendance::{AttendanceAnalysisJson, PartnershipJson, TypeAttendanceJson};
use crate::error::WebError;
use crate::pages::{Layout, Page, layout};

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/partnerships", get(partnerships))
        .route("/partnerships/{code}", get(partnership))
        .route("/attendance", get(attendance))
}

/// A partnership as a row of the list.
struct PartnershipRow {
    code: String,
    name: String,
    members: usize,
    meetings: usize,
}

#[derive(Template)]
#[template(path = "partnerships.html")]
struct PartnershipsPage {
    layout: Layout,
    /// Region name and its partnerships.
    regions: Vec<(String, Vec<PartnershipRow>)>,
    generated: usize,
}

async fn partnerships(State(state): State<AppState>) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let data = &snapshot.partnerships;
        let mut regions: Vec<(String, Vec<PartnershipRow>)> = Vec::new();
        let mut listed: Vec<(&str, &h2h_domain::Partnership)> = data
            .partnerships
            .iter()
            .map(|p| {
                (
                    data.region(&p.code)
                        .map_or("No single region", |r| data.name(r)),
                    p,
                )
            })
            .collect();
        listed.sort_by(|a, b| a.0.cmp(b.0).then(a.1.name.cmp(&b.1.name)));
        for (region, p) in listed {
            let row = PartnershipRow {
                code: p.code.to_string(),
                name: p.name.clone(),
                members: p.members.len(),
                meetings: data.meetings_of(&p.code).count(),
            };
            match regions.last_mut() {
                Some((name, rows)) if name == region => rows.push(row),
                _ => regions.push((region.to_owned(), vec![row])),
            }
        }
        Ok(PartnershipsPage {
            layout: layout(&snapshot, "partnerships"),
            regions,
            generated: data.partnerships.iter().filter(|p| p.generated).count(),
        })
    }
    .await
    .into()
}

/// The financial year asked for.
#[derive(Debug, Default, Deserialize)]
struct YearFilter {
    #[serde(default)]
    year: String,
}

/// Members of one type.
struct TypeGroup {
    label: &'static str,
    members: Vec<String>,
}

/// A member's attendance record, as shown.
struct RecordRow {
    organisation: String,
    member_type: &'static str,
    held: u32,
    attended: u32,
    apologies: u32,
    absent: u32,
    regular: bool,
}

/// A meeting, as shown: counts and each attendance in words.
struct MeetingRow {
    date: String,
    kind: &'static str,
    title: String,
    attended: Vec<String>,
    apologies: Vec<String>,
    absent: Vec<String>,
}

#[derive(Template)]
#[template(path = "partnership.html")]
struct PartnershipPage {
    layout: Layout,
    code: String,
    name: String,
    sro: String,
    chair: String,
    generated: bool,
    region: Option<(String, String)>,
    local_authorities: Vec<(String, String)>,
    plans: Vec<(i64, String)>,
    window: String,
    years: Vec<String>,
    groups: Vec<TypeGroup>,
    records: Vec<RecordRow>,
    meetings: Vec<MeetingRow>,
}

async fn partnership(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    Path(code): Path<String>,
    Query(filter): Query<YearFilter>,
) -> Page {
    async {
        let window = query_year(Some(&filter.year))?;
        let snapshot = state.snapshot().await?;
        let not_found =
            || WebError::NotFound(format!("There is no partnership with the code {code}."));
        let parsed = AreaCode::parse(&code).map_err(|_| not_found())?;
        let data = &snapshot.partnerships;
        let p = data.partnership(&parsed).ok_or_else(not_found)?;
        crate::auth::area_sight(&state, &snapshot, &viewer, &parsed).await?;
        let shown = PartnershipJson::new(data, p, window);
        let label =
            |code: &str| MemberType::parse(code).map_or("Other organisation", |t| t.label());
        let groups = MemberType::ALL
            .iter()
            .filter_map(|t| {
                let members: Vec<String> = p
                    .members
                    .iter()
                    .filter(|m| m.member_type == *t)
                    .map(|m| m.name.clone())
                    .collect();
                (!members.is_empty()).then_some(TypeGroup {
                    label: t.label(),
                    members,
                })
            })
            .collect();
        let mut years: Vec<String> = data
            .meetings_of(&p.code)
            .filter(|m| m.kind == MeetingKind::Main)
            .filter_map(|m| h2h_domain::Period::financial_year_containing(m.date))
            .map(|w| w.label())
            .collect();
        years.dedup();
        let meetings = data
            .meetings_of(&p.code)
            .map(|m| {
                let named = |wanted: Attendance| {
                    m.attendance
                        .iter()
                        .filter(|a| a.attendance == wanted)
                        .map(|a| a.organisation.clone())
                        .collect()
                };
                MeetingRow {
                    date: crate::contract::iso(m.date),
                    kind: m.kind.label(),
                    title: m.title.clone(),
                    attended: named(Attendance::Attended),
                    apologies: named(Attendance::Apologies),
                    absent: named(Attendance::Absent),
                }
            })
            .collect();
        let region = data
            .region(&p.code)
            .map(|r| (r.to_string(), data.name(r).to_owned()));
        Ok(PartnershipPage {
            layout: layout(&snapshot, "partnerships"),
            code: p.code.to_string(),
            name: p.name.clone(),
            sro: p.sro.clone(),
            chair: p.chair.clone(),
            generated: p.generated,
            region,
            local_authorities: p
                .local_authorities
                .iter()
                .map(|a| (a.to_string(), data.name(a).to_owned()))
                .collect(),
            plans: state
                .store
                .plans(Some(&p.code))
                .await?
                .into_iter()
                .map(|plan| (plan.id, plan.title))
                .collect(),
            window: shown.window.clone().unwrap_or_default(),
            years,
            groups,
            records: shown
                .attendance
                .iter()
                .map(|r| RecordRow {
                    organisation: r.organisation.clone(),
                    member_type: label(&r.member_type),
                    held: r.held,
                    attended: r.attended,
                    apologies: r.apologies,
                    absent: r.absent,
                    regular: r.attends_regularly,
                })
                .collect(),
            meetings,
        })
    }
    .await
    .into()
}

/// The analysis's filters: the year, and the type whose regional picture is drawn.
#[derive(Debug, Default, Deserialize)]
struct AnalysisFilter {
    #[serde(default)]
    year: String,
    #[serde(default, rename = "type")]
    member_type: String,
}

#[derive(Template)]
#[template(path = "attendance.html")]
struct AttendancePage {
    layout: Layout,
    analysis: AttendanceAnalysisJson,
    year: String,
    years: Vec<String>,
    headlines: Vec<String>,
    chart: String,
    /// Region names, in the column order of the regional table.
    regions: Vec<String>,
    chosen: TypeAttendanceJson,
    types: Vec<(&'static str, &'static str)>,
    region_chart: String,
}

async fn attendance(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    Query(filter): Query<AnalysisFilter>,
) -> Page {
    async {
        crate::auth::require_national(&viewer, h2h_domain::Permission::View)?;
        let window = query_year(Some(&filter.year))?;
        let chosen_type = match filter.member_type.trim() {
            "" => MemberType::Pcc,
            text => MemberType::parse(text).map_err(|e| WebError::BadRequest(e.to_string()))?,
        };
        let snapshot = state.snapshot().await?;
        let data = &snapshot.partnerships;
        let analysis = AttendanceAnalysisJson::new(data, window, None);
        let mut years: Vec<String> = data
            .meetings
            .iter()
            .filter(|m| m.kind == MeetingKind::Main)
            .filter_map(|m| h2h_domain::Period::financial_year_containing(m.date))
            .map(|w| w.label())
            .collect();
        years.sort();
        years.dedup();
        let by_type = |t: MemberType| analysis.types.iter().find(|e| e.member_type == t.code());
        let mut headlines: Vec<String> = [MemberType::Police, MemberType::Prison]
            .iter()
            .filter_map(|t| by_type(*t).and_then(|e| e.headline.clone()))
            .collect();
        headlines.extend(analysis.local_authority_headline.clone());
        headlines.extend(by_type(MemberType::Pcc).and_then(|e| e.regional_headline.clone()));
        let rows: Vec<BarRow<'_>> = analysis
            .types
            .iter()
            .map(|t| BarRow {
                label: t.label.as_str(),
                value: t.percent.map(f64::from),
                interval: None,
                category: Category::NotCompared,
                selected: t.member_type == chosen_type.code(),
            })
            .collect();
        let window_label = analysis.window.clone().unwrap_or_default();
        let description = analysis
            .types
            .iter()
            .filter_map(|t| Some(format!("{}: {}%", t.label, t.percent?)))
            .collect::<Vec<_>>()
            .join("; ");
        let title =
            format!("Share of partnerships whose main meetings each type attends, {window_label}");
        let chart = comparison_bars(&ComparisonBars {
            text: ChartText {
                id: "attendance-by-type",
                title: &title,
                description: &description,
            },
            unit_label: "% of partnerships",
            rows: &rows,
            decimals: Some(0),
            ..ComparisonBars::default()
        });
        let chosen = by_type(chosen_type)
            .cloned()
            .unwrap_or_else(|| TypeAttendanceJson {
                member_type: chosen_type.code().to_owned(),
                label: chosen_type.label().to_owned(),
                count: 0,
                of: 0,
                percent: None,
                headline: None,
                regional_headline: None,
                regions: Vec::new(),
            });
        let region_rows: Vec<BarRow<'_>> = chosen
            .regions
            .iter()
            .map(|r| BarRow {
                label: r.region_name.as_str(),
                value: r.percent.map(f64::from),
                interval: None,
                category: Category::NotCompared,
                selected: false,
            })
            .collect();
        let region_title = format!(
            "{} attendance at main meetings by region, {window_label}",
            chosen.label
        );
        let region_description = chosen
            .regions
            .iter()
            .filter_map(|r| {
                Some(format!(
                    "{}: {}% of {} partnerships",
                    r.region_name, r.percent?, r.of
                ))
            })
            .collect::<Vec<_>>()
            .join("; ");
        let overall = chosen.percent.map(f64::from);
        let region_chart = comparison_bars(&ComparisonBars {
            text: ChartText {
                id: "attendance-by-region",
                title: &region_title,
                description: &region_description,
            },
            unit_label: "% of partnerships",
            rows: &region_rows,
            benchmark: overall.map(|value| h2h_charts::ReferenceLine {
                label: "All partnerships",
                value,
            }),
            decimals: Some(0),
            ..ComparisonBars::default()
        });
        let regions = analysis
            .types
            .first()
            .map(|t| t.regions.iter().map(|r| r.region_name.clone()).collect())
            .unwrap_or_default();
        Ok(AttendancePage {
            layout: layout(&snapshot, "partnerships"),
            year: filter.year.clone(),
            years,
            headlines,
            chart,
            regions,
            types: MemberType::ALL
                .iter()
                .map(|t| (t.code(), t.label()))
                .collect(),
            chosen,
            region_chart,
            analysis,
        })
    }
    .await
    .into()
}
