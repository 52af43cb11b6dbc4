//! The HTML pages. Handlers gather what a page shows into a view struct; templates only lay
//! it out. Every page works without JavaScript.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use h2h_domain::{
    AgeBand, Area, AreaCode, AreaKind, Metric, MetricId, OutcomeKind, PopulationEstimate, Tier,
    Unit,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::snapshot::Snapshot;
use crate::views::{figure, find_areas, plural, population, thousands};

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/", get(home))
        .route("/areas", get(areas))
        .route("/areas/{code}", get(area))
        .route("/areas/{code}/metrics/{id}", get(area_metric))
        .route("/framework", get(framework))
        .route("/framework/metrics/{id}", get(metric))
}

/// What the layout shows on every page.
pub(crate) struct Layout {
    pub(crate) section: &'static str,
    pub(crate) catalogue_version: String,
    /// Who is signed in: name and role, for the header.
    pub(crate) signed_in: Option<(String, &'static str)>,
    /// Whether the signed-in account is an administrator (the header links to the admin pages).
    pub(crate) is_admin: bool,
}

impl Layout {
    /// The layout of a page in `section`, with whoever is signed in to the current request.
    pub(crate) fn new(section: &'static str, catalogue_version: String) -> Self {
        let principal = crate::auth::current_principal();
        Self {
            section,
            catalogue_version,
            is_admin: principal
                .as_ref()
                .is_some_and(|p| p.may_nationally(h2h_domain::Permission::Administer)),
            signed_in: principal.map(|p| (p.display_name, p.role.label())),
        }
    }
}

pub(crate) fn layout(snapshot: &Snapshot, section: &'static str) -> Layout {
    Layout::new(section, snapshot.catalogue_version.clone())
}

/// A page answer: the rendered template, or an error page with the right status.
pub(crate) struct Page(Result<String, WebError>);

impl<T: Template> From<Result<T, WebError>> for Page {
    fn from(result: Result<T, WebError>) -> Self {
        Page(result.and_then(|t| t.render().map_err(WebError::from)))
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(html) => Html(html).into_response(),
            Err(error) => error_page(&error),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
}

pub(crate) fn error_page(error: &WebError) -> Response {
    let status = error.status();
    let page = ErrorPage {
        layout: Layout::new("", String::new()),
        heading: match status {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::BAD_REQUEST => "There is a problem with the request",
            StatusCode::UNAUTHORIZED => "Sign in to continue",
            StatusCode::FORBIDDEN => "You do not have access to this page",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            _ => "Sorry, there is a problem with the service",
        },
        message: error.public_message(),
    };
    let mut response = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, page.message).into_response(),
    };
    if matches!(error, WebError::Unauthenticated(_)) {
        response.extensions_mut().insert(crate::auth::SignInNeeded);
    }
    response
}

pub(crate) async fn not_found() -> Response {
    error_page(&WebError::NotFound(String::from(
        "If you typed the web address, check it is correct.",
    )))
}

/// An area as a row of a list.
struct AreaRow {
    code: String,
    name: String,
    kind_label: &'static str,
    population: String,
}

impl From<&Area> for AreaRow {
    fn from(area: &Area) -> Self {
        Self {
            code: area.code.to_string(),
            name: area.name.clone(),
            kind_label: area.kind.label(),
            population: population(area.population),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    partnerships: Vec<AreaRow>,
    regions: Vec<AreaRow>,
    /// Police force areas and partnerships with client-level records (at most 20).
    scorecards: Vec<AreaRow>,
}

async fn home(State(state): State<AppState>) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let rows = |pick: fn(AreaKind) -> bool| {
            snapshot
                .areas(None)
                .filter(|a| pick(a.kind))
                .map(AreaRow::from)
                .collect()
        };
        Ok(HomePage {
            layout: layout(&snapshot, "home"),
            partnerships: rows(AreaKind::is_grouping),
            regions: rows(|k| matches!(k, AreaKind::Country | AreaKind::Region)),
            scorecards: if snapshot.records.current.is_empty() {
                Vec::new()
            } else {
                snapshot
                    .areas(None)
                    .filter(|a| a.kind == AreaKind::Pfa || a.kind.is_grouping())
                    .filter(|a| {
                        snapshot
                            .records
                            .has_records_for(&snapshot.scorecard_members(&a.code))
                    })
                    .take(20)
                    .map(AreaRow::from)
                    .collect()
            },
        })
    }
    .await
    .into()
}

#[derive(Deserialize)]
struct AreasQuery {
    kind: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage {
    layout: Layout,
    heading: String,
    query: String,
    kind: String,
    kind_options: Vec<(&'static str, &'static str)>,
    areas: Vec<AreaRow>,
}

async fn areas(State(state): State<AppState>, Query(query): Query<AreasQuery>) -> Page {
    async {
        let kind = query.kind.unwrap_or_default();
        let text = query.q.unwrap_or_default();
        let snapshot = state.snapshot().await?;
        let found = find_areas(&snapshot, Some(&kind), Some(&text))?;
        let mut kind_options = vec![
            ("upper_tier", "Upper-tier local authorities"),
            ("lower_tier", "Lower-tier local authorities"),
        ];
        kind_options.extend(AreaKind::ALL.iter().map(|k| (k.code(), k.label())));
        let kind_name = kind_options
            .iter()
            .find(|(code, _)| *code == kind)
            .map(|(_, label)| *label);
        let heading = match (kind_name, text.trim().is_empty()) {
            (Some(label), true) => label.to_owned(),
            (_, false) => format!("Areas matching “{}”", text.trim()),
            (None, true) => String::from("All areas"),
        };
        Ok(AreasPage {
            layout: layout(&snapshot, "home"),
            heading,
            query: text,
            kind,
            kind_options,
            areas: found.into_iter().map(AreaRow::from).collect(),
        })
    }
    .await
    .into()
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    layout: Layout,
    area: AreaRow,
    breadcrumbs: Vec<AreaRow>,
    parent_groups: Vec<(String, Vec<AreaRow>)>,
    partnerships: Vec<AreaRow>,
    former_codes: Vec<(String, String)>,
    bands: Vec<(String, String, String)>,
    trend: Vec<(i32, String)>,
    child_groups: Vec<(String, Vec<AreaRow>)>,
    /// The area's delivery plans: id and title.
    plans: Vec<(i64, String)>,
    /// Whether the area is a partnership with members recorded.
    has_partnership: bool,
    /// Whether a current client-level extract has records for the area.
    has_scorecard: bool,
    overview: crate::overview::Overview,
    /// The period the performance pack is offered for: the financial year of the area's
    /// latest figure.
    pack_period: Option<String>,
    /// Whether the viewer sees the area fully (otherwise only as published).
    full: bool,
    /// Whether the viewer may sign the area's annual report.
    can_sign: bool,
}

async fn area(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    Path(code): Path<String>,
) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let not_found = || WebError::NotFound(format!("There is no area with the code {code}."));
        let parsed = AreaCode::parse(&code).map_err(|_| not_found())?;
        let area = snapshot.area(&parsed).ok_or_else(not_found)?;
        let sight = crate::auth::area_sight(&state, &snapshot, &viewer, &area.code).await?;
        let full = sight == crate::auth::Sight::Full;
        let parents: Vec<&Area> = area
            .parents
            .iter()
            .filter_map(|p| snapshot.area(p))
            .collect();
        let (partnerships, others): (Vec<&Area>, Vec<&Area>) =
            parents.iter().partition(|p| p.kind.is_grouping());
        let estimates = snapshot.populations(&area.code);
        let overview = crate::overview::overview(
            &snapshot,
            area,
            time::OffsetDateTime::now_utc().date(),
            !full,
        );
        let plans = if full {
            state.store.plans(Some(&area.code)).await?
        } else {
            Vec::new()
        };
        Ok(AreaPage {
            layout: layout(&snapshot, "home"),
            breadcrumbs: ancestry(&snapshot, area)
                .into_iter()
                .map(AreaRow::from)
                .collect(),
            parent_groups: group_by_kind(&others, |kind| kind.label().to_owned()),
            partnerships: partnerships.into_iter().map(AreaRow::from).collect(),
            former_codes: snapshot
                .former_codes(&area.code)
                .map(|c| (c.old_code.to_string(), c.reason.clone()))
                .collect(),
            bands: age_bands(estimates),
            trend: estimates
                .iter()
                .filter(|e| e.age_band == AgeBand::ALL_AGES)
                .map(|e| (e.year, thousands(e.population)))
                .collect(),
            child_groups: group_by_kind(&snapshot.children(&area.code), |kind| {
                plural(kind.label())
            }),
            plans: plans.into_iter().map(|p| (p.id, p.title)).collect(),
            overview,
            full,
            can_sign: crate::auth::may(
                &viewer,
                &snapshot,
                h2h_domain::Permission::Sign,
                &area.code,
            ),
            pack_period: crate::report::default_period(&snapshot, &area.code).map(|p| p.code()),
            has_partnership: full && snapshot.partnerships.partnership(&area.code).is_some(),
            has_scorecard: full
                && snapshot
                    .records
                    .has_records_for(&snapshot.scorecard_members(&area.code)),
            area: AreaRow::from(area),
        })
    }
    .await
    .into()
}

/// The chain of first parents from the top of the hierarchy down to `area`'s parent.
fn ancestry<'a>(snapshot: &'a Snapshot, area: &Area) -> Vec<&'a Area> {
    let mut chain = Vec::new();
    let mut current = area.parents.first();
    while let Some(code) = current {
        let Some(parent) = snapshot.area(code) else {
            break;
        };
        if chain.len() > 8 || chain.iter().any(|a: &&Area| a.code == parent.code) {
            break;
        }
        current = parent.parents.first();
        chain.push(parent);
    }
    chain.reverse();
    chain
}

fn group_by_kind(
    areas: &[&Area],
    heading: impl Fn(AreaKind) -> String,
) -> Vec<(String, Vec<AreaRow>)> {
    let mut groups: BTreeMap<AreaKind, Vec<AreaRow>> = BTreeMap::new();
    for area in areas {
        groups
            .entry(area.kind)
            .or_default()
            .push(AreaRow::from(*area));
    }
    groups
        .into_iter()
        .map(|(kind, rows)| (heading(kind), rows))
        .collect()
}

/// The headline age bands of the latest estimates, with each band's share of all ages.
fn age_bands(estimates: &[PopulationEstimate]) -> Vec<(String, String, String)> {
    let latest = estimates.iter().map(|e| e.year).max();
    let of_year: Vec<&PopulationEstimate> = estimates
        .iter()
        .filter(|e| Some(e.year) == latest)
        .collect();
    let total = of_year
        .iter()
        .find(|e| e.age_band == AgeBand::ALL_AGES)
        .map(|e| e.population);
    let bands = [
        AgeBand::ALL_AGES,
        AgeBand {
            from: 0,
            to: Some(14),
        },
        AgeBand {
            from: 15,
            to: Some(64),
        },
        AgeBand { from: 65, to: None },
        AgeBand { from: 18, to: None },
        AgeBand {
            from: 18,
            to: Some(64),
        },
    ];
    bands
        .iter()
        .filter_map(|band| {
            let estimate = of_year.iter().find(|e| e.age_band == *band)?;
            let share = match total {
                Some(t) if t > 0 => {
                    format!("{:.1}%", estimate.population as f64 * 100.0 / t as f64)
                }
                _ => String::new(),
            };
            let label = match band.code().as_str() {
                "all" => String::from("All ages"),
                code => format!("Aged {code}"),
            };
            Some((label, thousands(estimate.population), share))
        })
        .collect()
}

/// A metric as a line of the framework page.
struct MetricLine {
    id: String,
    reference: String,
    name: String,
    tier: &'static str,
    tier_colour: &'static str,
    unit: String,
    polarity: &'static str,
    frequency: String,
    maps_to: String,
}

fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Headline => "Headline metric",
        Tier::Supporting => "Supporting metric",
        Tier::Additional => "OHID additional metric",
        Tier::Local => "Local metric",
        Tier::Programme => "Programme measure",
    }
}

fn unit_label(metric: &Metric) -> String {
    match (metric.unit, metric.multiplier) {
        (Unit::Count, _) => String::from("Count"),
        (Unit::Proportion, _) => String::from("Percentage"),
        (Unit::Rate, Some(m)) => format!("Rate per {}", thousands(u64::from(m))),
        (Unit::Rate, None) => String::from("Rate"),
        (Unit::Value, Some(100)) => String::from("Estimate (percentage)"),
        (Unit::Value, Some(m)) => format!("Estimate per {}", thousands(u64::from(m))),
        (Unit::Value, None) => String::from("Estimate"),
    }
}

fn polarity_label(metric: &Metric) -> &'static str {
    match metric.polarity {
        h2h_domain::Polarity::HigherIsBetter => "Higher is better",
        h2h_domain::Polarity::LowerIsBetter => "Lower is better",
        h2h_domain::Polarity::NoJudgement => "No judgement of direction",
    }
}

impl MetricLine {
    fn new(metric: &Metric, all: &[Metric]) -> Self {
        Self {
            id: metric.id.to_string(),
            reference: metric.reference.clone().unwrap_or_default(),
            name: metric.name.clone(),
            tier: tier_label(metric.tier),
            tier_colour: match metric.tier {
                Tier::Headline => "blue",
                Tier::Supporting => "light-blue",
                Tier::Additional => "turquoise",
                Tier::Local => "purple",
                Tier::Programme => "grey",
            },
            unit: unit_label(metric),
            polarity: polarity_label(metric),
            frequency: metric
                .frequency
                .map(|f| f.code().replace('_', " "))
                .unwrap_or_default(),
            maps_to: metric
                .maps_to
                .iter()
                .map(|id| {
                    all.iter()
                        .find(|m| &m.id == id)
                        .map_or_else(|| id.to_string(), |m| m.name.clone())
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

struct Section {
    id: String,
    caption: String,
    name: String,
    description: String,
    metrics: Vec<MetricLine>,
}

struct AmbitionRow {
    note: String,
    metric_id: String,
    metric_name: String,
    period: String,
    figure: String,
    area: String,
}

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage {
    layout: Layout,
    headline_count: usize,
    supporting_count: usize,
    sections: Vec<Section>,
    ambitions: Vec<AmbitionRow>,
}

fn ambition_rows(snapshot: &Snapshot, only: Option<&MetricId>) -> Vec<AmbitionRow> {
    snapshot
        .targets
        .iter()
        .filter(|t| only.is_none_or(|id| &t.metric_id == id))
        .map(|target| AmbitionRow {
            note: target.note.clone().unwrap_or_default(),
            metric_id: target.metric_id.to_string(),
            metric_name: snapshot
                .metric(&target.metric_id)
                .map_or_else(|| target.metric_id.to_string(), |m| m.name.clone()),
            period: target.period.code(),
            figure: figure(target.target),
            area: snapshot
                .area(&target.area_code)
                .map_or_else(|| target.area_code.to_string(), |a| a.name.clone()),
        })
        .collect()
}

async fn framework(State(state): State<AppState>) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let (outcomes, metrics) = (&snapshot.outcomes, &snapshot.metrics);
        let lines = |pick: &dyn Fn(&Metric) -> bool| -> Vec<MetricLine> {
            metrics.iter().filter(|m| pick(m)).map(|m| MetricLine::new(m, metrics)).collect()
        };
        let mut sections: Vec<Section> = outcomes
            .iter()
            .map(|o| Section {
                id: o.id.to_string(),
                caption: match o.kind {
                    OutcomeKind::Strategic => String::from("Strategic outcome"),
                    OutcomeKind::Intermediate => String::from("Intermediate outcome"),
                },
                name: o.name.clone(),
                description: o.description.clone(),
                metrics: lines(&|m| {
                    matches!(m.tier, Tier::Headline | Tier::Supporting) && m.outcome.as_ref() == Some(&o.id)
                }),
            })
            .collect();
        let other = |id: &str, caption: &str, name: &str, description: &str, tier: Tier| Section {
            id: id.to_owned(),
            caption: caption.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            metrics: lines(&|m| m.tier == tier),
        };
        let others = vec![
            other("additional", "Office for Health Improvement and Disparities", "Additional treatment and recovery metrics",
                "Metrics OHID uses to monitor the treatment and recovery system in more detail than the national framework.", Tier::Additional),
            other("local", "Partnerships' own metrics", "Local metrics",
                "Metrics partnerships track locally, each mapped to the national metric it is a local version of.", Tier::Local),
            other("programme", "Programme measures", "Drug Interventions Programme scorecard",
                "The measures of the Results Based Accountability scorecard: how much did we do, how well did we do it, is anyone better off.", Tier::Programme),
        ]
        .into_iter()
        .filter(|s| !s.metrics.is_empty());
        sections.extend(others);
        Ok(FrameworkPage {
            layout: layout(&snapshot, "framework"),
            headline_count: metrics.iter().filter(|m| m.tier == Tier::Headline).count(),
            supporting_count: metrics.iter().filter(|m| m.tier == Tier::Supporting).count(),
            sections,
            ambitions: ambition_rows(&snapshot, None),
        })
    }
    .await
    .into()
}

fn citations(snapshot: &Snapshot, cited: &[String]) -> Vec<Citation> {
    cited
        .iter()
        .map(
            |id| match snapshot.references.iter().find(|r| &r.id == id) {
                Some(r) => Citation {
                    title: r.title.clone(),
                    publisher: r.publisher.clone().unwrap_or_default(),
                    url: r.url.clone().unwrap_or_default(),
                },
                None => Citation {
                    title: id.clone(),
                    publisher: String::new(),
                    url: String::new(),
                },
            },
        )
        .collect()
}

struct Field {
    label: &'static str,
    value: String,
    unconfirmed: bool,
}

#[derive(Template)]
#[template(path = "metric.html")]
struct MetricPage {
    layout: Layout,
    metric: Metric,
    tier_label: &'static str,
    reference: String,
    outcome: Option<(String, String)>,
    fields: Vec<Field>,
    maps_to: Vec<(String, String)>,
    local_versions: Vec<(String, String)>,
    targets: Vec<AmbitionRow>,
    provenance: Vec<Citation>,
}

/// A cited document: its title and publisher, and a link when it is public.
struct Citation {
    title: String,
    publisher: String,
    url: String,
}

async fn metric(State(state): State<AppState>, Path(id): Path<String>) -> Page {
    async {
        let not_found = || WebError::NotFound(format!("There is no metric {id} in the catalogue."));
        let id = MetricId::parse(&id).map_err(|_| not_found())?;
        let snapshot = state.snapshot().await?;
        let metrics = &snapshot.metrics;
        let metric = metrics
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(not_found)?
            .clone();
        let outcomes = &snapshot.outcomes;
        let outcome = metric
            .outcome
            .as_ref()
            .and_then(|o| outcomes.iter().find(|x| &x.id == o))
            .map(|o| (o.id.to_string(), o.name.clone()));
        let field = |label, name: &str, value: Option<String>| Field {
            label,
            value: value.unwrap_or_default(),
            unconfirmed: metric.is_unconfirmed(name),
        };
        let fields = vec![
            field("Outcome", "outcome", outcome.as_ref().map(|o| o.1.clone())),
            field("Unit", "unit", Some(unit_label(&metric))),
            field(
                "Polarity",
                "polarity",
                Some(polarity_label(&metric).to_owned()),
            ),
            field("Numerator", "numerator", metric.numerator.clone()),
            field("Denominator", "denominator", metric.denominator.clone()),
            field("Source", "source", Some(metric.source.clone())),
            field("Publisher", "publisher", metric.publisher.clone()),
            field(
                "Frequency",
                "frequency",
                metric.frequency.map(|f| f.code().to_owned()),
            ),
            field(
                "Lowest geography",
                "lowest_geography",
                metric.lowest_geography.clone(),
            ),
            field(
                "Breakdowns",
                "breakdowns",
                Some(metric.breakdowns.join(", ")).filter(|b| !b.is_empty()),
            ),
            field("Limitations", "limitations", metric.limitations.clone()),
            field("Identifier", "id", Some(metric.id.to_string())),
        ];
        let link = |m: &Metric| (m.id.to_string(), m.name.clone());
        Ok(MetricPage {
            layout: layout(&snapshot, "framework"),
            tier_label: tier_label(metric.tier),
            reference: metric.reference.clone().unwrap_or_default(),
            outcome,
            fields,
            maps_to: metric
                .maps_to
                .iter()
                .filter_map(|id| metrics.iter().find(|m| &m.id == id))
                .map(link)
                .collect(),
            local_versions: metrics
                .iter()
                .filter(|m| m.maps_to.contains(&metric.id))
                .map(link)
                .collect(),
            targets: ambition_rows(&snapshot, Some(&metric.id)),
            provenance: citations(&snapshot, &metric.provenance),
            metric,
        })
    }
    .await
    .into()
}

#[derive(Deserialize)]
struct SeriesQuery {
    sort: Option<String>,
}

/// A revision of the latest value, for the history table.
struct RevisionRow {
    revision: i64,
    value: String,
    numerator: String,
    denominator: String,
    status: &'static str,
    source: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "area_metric.html")]
struct AreaMetricPage {
    layout: Layout,
    area: AreaRow,
    metric_id: String,
    metric_name: String,
    definition: String,
    polarity: &'static str,
    series: crate::series::MetricSeries,
    sort: &'static str,
    revisions: Vec<RevisionRow>,
    revisions_period: String,
}

async fn area_metric(
    State(state): State<AppState>,
    viewer: crate::auth::Viewer,
    Path((code, id)): Path<(String, String)>,
    Query(query): Query<SeriesQuery>,
) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let area = AreaCode::parse(&code)
            .ok()
            .and_then(|c| snapshot.area(&c))
            .ok_or_else(|| WebError::NotFound(format!("There is no area with the code {code}.")))?;
        let metric = MetricId::parse(&id)
            .ok()
            .and_then(|m| snapshot.metric(&m))
            .ok_or_else(|| {
                WebError::NotFound(format!("There is no metric {id} in the catalogue."))
            })?;
        let sight = crate::auth::area_sight(&state, &snapshot, &viewer, &area.code).await?;
        let today = time::OffsetDateTime::now_utc().date();
        let latest = snapshot
            .engine
            .periods(&metric.id, &area.code, None)
            .into_iter()
            .next_back();
        if sight == crate::auth::Sight::Published {
            // A metric's series shows every figure as it is: open to those outside the area
            // only when the figures come from published statistics.
            let unpublished = latest
                .and_then(|p| {
                    snapshot
                        .engine
                        .indicator(metric, &area.code, &p, None, None, today)
                })
                .is_some_and(|i| !i.provenance.published);
            if unpublished {
                return Err(match viewer {
                    crate::auth::Viewer::Anonymous => WebError::Unauthenticated(format!(
                        "Sign in to see {} for {}: its figures are unpublished.",
                        metric.name, area.name
                    )),
                    crate::auth::Viewer::Signed(_) => WebError::Forbidden(format!(
                        "{} for {} is unpublished, and your account does not cover the area.",
                        metric.name, area.name
                    )),
                });
            }
        }
        let visibility = crate::auth::Visibility::of(&state, &viewer).await?;
        let sort = crate::series::SortBy::parse(query.sort.as_deref());
        let series =
            crate::series::metric_series(&snapshot, metric, area, sort, today, &visibility);
        let mut revisions = Vec::new();
        if let Some(period) = latest.filter(|_| sight == crate::auth::Sight::Full) {
            let key = h2h_domain::ValueKey {
                metric_id: metric.id.clone(),
                area_code: area.code.clone(),
                period,
                breakdown: None,
            };
            for stored in state.store.observation_history(&key).await? {
                let o = &stored.observation;
                revisions.push(RevisionRow {
                    revision: stored.revision,
                    value: o.value.map(figure).unwrap_or_default(),
                    numerator: o.numerator.map(figure).unwrap_or_default(),
                    denominator: o.denominator.map(figure).unwrap_or_default(),
                    status: o.status.code(),
                    source: o.source.clone().unwrap_or_default(),
                    current: stored.is_current,
                });
            }
        }
        Ok(AreaMetricPage {
            layout: layout(&snapshot, "home"),
            area: AreaRow::from(area),
            metric_id: metric.id.to_string(),
            metric_name: metric.name.clone(),
            definition: metric.definition.clone(),
            polarity: polarity_label(metric),
            series,
            sort: match sort {
                crate::series::SortBy::Name => "name",
                crate::series::SortBy::ValueAscending => "value",
                crate::series::SortBy::ValueDescending => "-value",
            },
            revisions,
            revisions_period: latest.map(|p| p.label()).unwrap_or_default(),
        })
    }
    .await
    .into()
}
