//! The JSON contract: what the API returns and the command line prints with `--format json`.
//! These types are separate from the domain's so that the contract changes only on purpose.

use h2h_domain::{Area, Metric, Outcome, Period, PopulationEstimate, Reference, Target};
use serde::Serialize;
use utoipa::ToSchema;

/// A metric of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricJson {
    /// Stable identifier.
    pub id: String,
    /// The label in its framework document (`H5`, `S12`), if any.
    pub reference: Option<String>,
    /// Short name.
    pub name: String,
    /// The outcome it serves.
    pub outcome: Option<String>,
    /// `headline`, `supporting`, `additional`, `local` or `programme`.
    pub tier: String,
    /// `count`, `proportion`, `rate` or `value`.
    pub unit: String,
    /// 100 for proportions, the population base for rates.
    pub multiplier: Option<u32>,
    /// `higher_is_better`, `lower_is_better` or `no_judgement`.
    pub polarity: String,
    /// What it measures.
    pub definition: String,
    /// What is counted on top.
    pub numerator: Option<String>,
    /// What it is divided by.
    pub denominator: Option<String>,
    /// The data source.
    pub source: String,
    /// Who publishes it.
    pub publisher: Option<String>,
    /// `monthly`, `quarterly`, `annual` or `irregular`.
    pub frequency: Option<String>,
    /// The lowest geography it is published for.
    pub lowest_geography: Option<String>,
    /// Breakdowns the publisher gives.
    pub breakdowns: Vec<String>,
    /// Known limitations.
    pub limitations: Option<String>,
    /// The national metrics this one is a local version of.
    pub maps_to: Vec<String>,
    /// Where the facts came from.
    pub provenance: Vec<String>,
    /// Fields whose content is an assumption not confirmed by a source.
    pub unconfirmed: Vec<String>,
}

impl From<&Metric> for MetricJson {
    fn from(m: &Metric) -> Self {
        Self {
            id: m.id.to_string(),
            reference: m.reference.clone(),
            name: m.name.clone(),
            outcome: m.outcome.as_ref().map(ToString::to_string),
            tier: m.tier.code().to_owned(),
            unit: m.unit.code().to_owned(),
            multiplier: m.multiplier,
            polarity: m.polarity.code().to_owned(),
            definition: m.definition.clone(),
            numerator: m.numerator.clone(),
            denominator: m.denominator.clone(),
            source: m.source.clone(),
            publisher: m.publisher.clone(),
            frequency: m.frequency.map(|f| f.code().to_owned()),
            lowest_geography: m.lowest_geography.clone(),
            breakdowns: m.breakdowns.clone(),
            limitations: m.limitations.clone(),
            maps_to: m.maps_to.iter().map(ToString::to_string).collect(),
            provenance: m.provenance.clone(),
            unconfirmed: m.unconfirmed.clone(),
        }
    }
}

/// One of the six framework outcomes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeJson {
    /// Stable identifier.
    pub id: String,
    /// The outcome as the framework words it.
    pub name: String,
    /// `strategic` or `intermediate`.
    pub kind: String,
    /// What it covers.
    pub description: String,
}

impl From<&Outcome> for OutcomeJson {
    fn from(o: &Outcome) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.clone(),
            kind: o.kind.code().to_owned(),
            description: o.description.clone(),
        }
    }
}

/// An area with its parents and population.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaJson {
    /// GSS code or custom code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind: `country`, `region`, `county`, `unitary`, `metropolitan_district`,
    /// `london_borough`, `district`, `pfa`, `csp`, `cdp`, `dip_area` or `custom`.
    pub kind: String,
    /// Codes of the areas it lies directly within.
    pub parents: Vec<String>,
    /// Mid-2023 population, all ages, where known.
    pub population: Option<u64>,
}

impl From<&Area> for AreaJson {
    fn from(a: &Area) -> Self {
        Self {
            code: a.code.to_string(),
            name: a.name.clone(),
            kind: a.kind.code().to_owned(),
            parents: a.parents.iter().map(ToString::to_string).collect(),
            population: a.population,
        }
    }
}

/// A population estimate for an age band.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PopulationJson {
    /// Year of the mid-year estimate.
    pub year: i32,
    /// Ages: `all`, `18+`, `15-64`, or a single year such as `42`.
    pub age_band: String,
    /// Persons.
    pub population: u64,
}

impl From<&PopulationEstimate> for PopulationJson {
    fn from(p: &PopulationEstimate) -> Self {
        Self {
            year: p.year,
            age_band: p.age_band.code(),
            population: p.population,
        }
    }
}

/// An area with the areas within it and its population estimates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaDetailJson {
    /// The area.
    #[serde(flatten)]
    pub area: AreaJson,
    /// The areas directly within it.
    pub children: Vec<AreaJson>,
    /// Its population estimates by year and age band.
    pub populations: Vec<PopulationJson>,
}

/// A reporting period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodJson {
    /// Canonical code, such as `2024/25-Q1`.
    pub code: String,
    /// `month`, `quarter`, `half`, `financial_year`, `calendar_year`, `pooled_years` or
    /// `rolling_12_months`.
    pub kind: String,
    /// For people, such as "Q1 2024/25 (April to June 2024)".
    pub label: String,
    /// First day (ISO 8601).
    pub start: String,
    /// Last day, inclusive (ISO 8601).
    pub end: String,
    /// The financial year containing it, if it lies in one.
    pub financial_year: Option<String>,
}

impl From<&Period> for PeriodJson {
    fn from(p: &Period) -> Self {
        Self {
            code: p.code(),
            kind: p.kind().code().to_owned(),
            label: p.label(),
            start: p.start().to_string(),
            end: p.end().to_string(),
            financial_year: p.financial_year_of().map(|fy| fy.code()),
        }
    }
}

/// A target or ambition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetJson {
    /// The metric.
    pub metric_id: String,
    /// The area.
    pub area_code: String,
    /// The period by which it is to be met.
    pub period: String,
    /// The figure, in the metric's displayed unit.
    pub target: f64,
    /// `ambition`, `trajectory` or `threshold`.
    pub kind: String,
    /// `level`, `cumulative` or `counterfactual`.
    pub basis: String,
    /// Starting period.
    pub baseline_period: Option<String>,
    /// Starting figure.
    pub baseline: Option<f64>,
    /// The target in words.
    pub note: Option<String>,
}

impl From<&Target> for TargetJson {
    fn from(t: &Target) -> Self {
        Self {
            metric_id: t.metric_id.to_string(),
            area_code: t.area_code.to_string(),
            period: t.period.code(),
            target: t.target,
            kind: t.kind.code().to_owned(),
            basis: t.basis.code().to_owned(),
            baseline_period: t.baseline_period.map(|p| p.code()),
            baseline: t.baseline,
            note: t.note.clone(),
        }
    }
}

/// A document or page the catalogue cites in metrics' `provenance`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferenceJson {
    /// The id `provenance` lists cite.
    pub id: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// Where it can be read, if public.
    pub url: Option<String>,
}

impl From<&Reference> for ReferenceJson {
    fn from(r: &Reference) -> Self {
        Self {
            id: r.id.clone(),
            title: r.title.clone(),
            publisher: r.publisher.clone(),
            url: r.url.clone(),
        }
    }
}

/// An indicator: one metric for an area and period (`indicators --format json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorJson {
    /// The metric.
    pub metric_id: String,
    /// The metric's name.
    pub metric_name: String,
    /// The area.
    pub area_code: String,
    /// The period's canonical code.
    pub period: String,
    /// `name=category`, or `null` for the total.
    pub breakdown: Option<String>,
    /// `count`, `proportion`, `rate` or `value`.
    pub unit: String,
    /// 100 for proportions, the population base for rates.
    pub multiplier: Option<u32>,
    /// The count or numerator (`null` when suppressed).
    pub numerator: Option<f64>,
    /// The denominator.
    pub denominator: Option<f64>,
    /// The value in the displayed unit: a percentage for proportions, per `multiplier` for
    /// rates, the count for counts, the published figure for `value` metrics.
    pub value: Option<f64>,
    /// Lower 95% confidence limit.
    pub lower_95: Option<f64>,
    /// Upper 95% confidence limit.
    pub upper_95: Option<f64>,
    /// Lower 99.8% confidence limit.
    pub lower_99_8: Option<f64>,
    /// Upper 99.8% confidence limit.
    pub upper_99_8: Option<f64>,
    /// How the limits were computed: `wilson`, `exact`, `byars`; `null` for a publisher's.
    pub method: Option<String>,
    /// The benchmark area and its value.
    pub benchmark: Option<BenchmarkJson>,
    /// `better`, `similar`, `worse`, `higher`, `lower` or `not_compared` (`null` when
    /// suppressed).
    pub comparison: Option<String>,
    /// `increasing`, `decreasing`, `no_change` or `cannot_be_calculated`.
    pub trend: String,
    /// The nearest target and its status.
    pub target: Option<IndicatorTargetJson>,
    /// Whether disclosure control withheld the figures.
    pub suppressed: bool,
    /// `OFFICIAL-SENSITIVE` when the figures include unpublished management information
    /// (absent from outputs marked for publication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
    /// `provisional`, `final` or `revised`.
    pub status: String,
    /// The publisher or return the figure came in, for an area's own figure.
    pub source: Option<String>,
    /// How many member areas were summed, or `null` for an area's own figure.
    pub summed_members: Option<usize>,
}

/// The benchmark of an indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenchmarkJson {
    /// The benchmark area.
    pub area_code: String,
    /// Its value for the same metric, period and breakdown.
    pub value: f64,
}

/// A target and its status for an indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorTargetJson {
    /// The period by which it is to be met.
    pub period: String,
    /// The figure.
    pub target: f64,
    /// `ambition`, `trajectory` or `threshold`.
    pub kind: String,
    /// `level`, `cumulative` or `counterfactual`.
    pub basis: String,
    /// `met`, `on_track`, `off_track` or `not_assessed`.
    pub status: String,
    /// Progress from baseline to target, 0 to 1.
    pub progress: Option<f64>,
    /// Why, in plain words.
    pub reason: String,
}

/// A file received: a return or definitions, as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionJson {
    /// Its number.
    pub id: i64,
    /// `values`, `metrics`, `targets` or `areas`.
    pub kind: String,
    /// The file's name as given.
    pub file_name: String,
    /// SHA-256 of the content as received.
    pub content_sha256: String,
    /// Who sent it.
    pub submitted_by: String,
    /// When (RFC 3339, UTC).
    pub submitted_at: String,
    /// The publisher or publication named.
    pub source: Option<String>,
    /// Whether it holds published statistics.
    pub published: bool,
    /// Rows stored as new values or revisions.
    pub accepted: u64,
    /// Rows refused.
    pub rejected: u64,
    /// Rows identical to the value already held.
    pub unchanged: u64,
}

impl From<&h2h_store::Submission> for SubmissionJson {
    fn from(s: &h2h_store::Submission) -> Self {
        Self {
            id: s.id,
            kind: s.kind.clone(),
            file_name: s.file_name.clone(),
            content_sha256: s.content_sha256.clone(),
            submitted_by: s.submitted_by.clone(),
            submitted_at: s.submitted_at.clone(),
            source: s.source.clone(),
            published: s.published,
            accepted: s.accepted,
            rejected: s.rejected,
            unchanged: s.unchanged,
        }
    }
}

/// A row refused on import, with its reason and its cells as received.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedRowJson {
    /// The line (or spreadsheet row).
    pub line: u64,
    /// The column at fault.
    pub column: String,
    /// The value found.
    pub value: String,
    /// Why it was refused.
    pub reason: String,
    /// The row as received: `[column, text]` pairs.
    pub raw: Vec<(String, String)>,
}

impl From<&h2h_store::RejectedRowRecord> for RejectedRowJson {
    fn from(r: &h2h_store::RejectedRowRecord) -> Self {
        Self {
            line: r.line,
            column: r.column.clone(),
            value: r.value.clone(),
            reason: r.reason.clone(),
            raw: r.raw.clone(),
        }
    }
}

/// One revision of a value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionJson {
    /// 1 for the first figure, then 2, 3...
    pub revision: i64,
    /// Whether it is the value's current figure.
    pub current: bool,
    /// The submission it came in.
    pub submission_id: Option<i64>,
    /// The count or numerator.
    pub numerator: Option<f64>,
    /// The denominator.
    pub denominator: Option<f64>,
    /// The value as given.
    pub value: Option<f64>,
    /// `provisional`, `final` or `revised`.
    pub status: String,
    /// The publisher or return.
    pub source: Option<String>,
    /// The sender's note.
    pub note: Option<String>,
}

impl From<&h2h_store::StoredObservation> for RevisionJson {
    fn from(s: &h2h_store::StoredObservation) -> Self {
        let o = &s.observation;
        Self {
            revision: s.revision,
            current: s.is_current,
            submission_id: s.submission_id,
            numerator: o.numerator,
            denominator: o.denominator,
            value: o.value,
            status: o.status.code().to_owned(),
            source: o.source.clone(),
            note: o.note.clone(),
        }
    }
}

/// An early warning: a special-cause signal in an area's recent monthly or quarterly series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningJson {
    /// The metric.
    pub metric_id: String,
    /// The metric's name.
    pub metric_name: String,
    /// The period it is raised for.
    pub period: String,
    /// `beyond_limits`, `shift`, `trend` or `two_of_three`.
    pub rule: String,
    /// `high` or `low`.
    pub direction: String,
    /// `special_cause_improving`, `special_cause_concerning` or `special_cause_neither`.
    pub variation: String,
    /// The pattern in plain words.
    pub message: String,
    /// Whether the chart had the 12 points Making Data Count asks for.
    pub limits_reliable: bool,
}

/// The health check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthJson {
    /// `ok` when the database answers.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The installed catalogue's version.
    pub catalogue_version: Option<String>,
    /// The installed geography's version.
    pub geography_version: Option<String>,
}

/// An error answer from the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorJson {
    /// What went wrong, in words a person can act on.
    pub error: String,
}

/// A plan held, as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSummaryJson {
    /// The plan's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The area it belongs to.
    pub area_code: String,
    /// How many actions it has.
    pub actions: u64,
}

impl From<&h2h_store::PlanSummary> for PlanSummaryJson {
    fn from(plan: &h2h_store::PlanSummary) -> Self {
        Self {
            id: plan.id,
            title: plan.title.clone(),
            area_code: plan.area_code.as_str().to_owned(),
            actions: plan.actions,
        }
    }
}

/// A delivery plan as `h2h plan show --format json` and the API give it: the plan and its
/// actions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanShowJson {
    /// The plan.
    pub plan: PlanJson,
    /// Its actions, in plan order.
    pub actions: Vec<PlanActionJson>,
}

/// A delivery plan's heading.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanJson {
    /// The plan's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The area it belongs to.
    pub area_code: String,
    /// The date overdue actions are judged against (ISO).
    pub as_of: String,
    /// How many actions it has.
    pub actions: usize,
    /// How many of them are overdue.
    pub overdue: usize,
}

/// An action of a plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanActionJson {
    /// The action's id in the store.
    pub id: i64,
    /// Its version, which moves on every change.
    pub version: i64,
    /// Its number or code in the plan.
    pub action_no: String,
    /// What is to be done.
    pub action: String,
    /// The theme it sits under.
    pub theme: Option<String>,
    /// The objective it serves.
    pub objective: String,
    /// Who leads the objective.
    pub objective_lead: Option<String>,
    /// The outcome it serves.
    pub outcome: Option<String>,
    /// Who leads it.
    pub leads: Vec<String>,
    /// Resources, as written.
    pub resources: Option<String>,
    /// The deadline as written.
    pub deadline_text: String,
    /// The date read from the deadline (ISO), if it names one.
    pub deadline_date: Option<String>,
    /// `not_started`, `red`, `amber`, `green`, `blue` (complete) or `closed`.
    pub status: String,
    /// The status in words, such as `Red: off track`.
    pub status_label: String,
    /// Whether the deadline date has passed and the action is neither complete nor closed.
    pub overdue: bool,
    /// The date of the latest dated update (ISO).
    pub last_updated: Option<String>,
    /// How impact is measured, as written.
    pub measures: Option<String>,
    /// The metrics it is meant to move.
    pub metric_ids: Vec<String>,
    /// Where it applies, as written.
    pub coverage: Option<String>,
    /// Its history, in date order (undated first).
    pub updates: Vec<ActionUpdateJson>,
}

/// An entry in an action's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionUpdateJson {
    /// The date it is about (ISO), if it has one.
    pub date: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub text: String,
    /// The local authority it is about, if one.
    pub area_code: Option<String>,
    /// The status set with it.
    pub status: String,
}

/// A date as ISO text, `YYYY-MM-DD`.
pub(crate) fn iso(date: time::Date) -> String {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    format!("{year:04}-{month:02}-{day:02}")
}

impl PlanShowJson {
    /// A stored plan with each action judged overdue or not on `as_of`.
    pub fn new(plan: &h2h_store::StoredPlan, as_of: time::Date) -> Self {
        let actions: Vec<PlanActionJson> = plan
            .actions
            .iter()
            .map(|stored| {
                let a = &stored.action;
                PlanActionJson {
                    id: stored.id,
                    version: stored.version,
                    action_no: a.action_no.clone(),
                    action: a.action.clone(),
                    theme: a.theme.clone(),
                    objective: a.objective.clone(),
                    objective_lead: a.objective_lead.clone(),
                    outcome: a.outcome.clone(),
                    leads: a.leads.clone(),
                    resources: a.resources.clone(),
                    deadline_text: a.deadline.text.clone(),
                    deadline_date: a.deadline.date.map(iso),
                    status: a.status.code().to_owned(),
                    status_label: a.status.label().to_owned(),
                    overdue: a.is_overdue(as_of),
                    last_updated: a.last_updated().map(iso),
                    measures: a.measures.clone(),
                    metric_ids: a.metric_ids.iter().map(|m| m.as_str().to_owned()).collect(),
                    coverage: a.coverage.clone(),
                    updates: a
                        .updates
                        .iter()
                        .map(|u| ActionUpdateJson {
                            date: u.date.map(iso),
                            author: u.author.clone(),
                            text: u.text.clone(),
                            area_code: u.area_code.as_ref().map(|c| c.as_str().to_owned()),
                            status: u.status.code().to_owned(),
                        })
                        .collect(),
                }
            })
            .collect();
        Self {
            plan: PlanJson {
                id: plan.id,
                title: plan.title.clone(),
                area_code: plan.area_code.as_str().to_owned(),
                as_of: iso(as_of),
                actions: actions.len(),
                overdue: actions.iter().filter(|a| a.overdue).count(),
            },
            actions,
        }
    }
}

/// A signed report: its decision record and its frozen files' digests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignedReportJson {
    /// Its number.
    pub id: i64,
    /// The area it reports on.
    pub area_code: String,
    /// The period's canonical code.
    pub period: String,
    /// 1 for the first signed for the area and period, then 2, 3...
    pub version: i64,
    /// Its title.
    pub title: String,
    /// The decision's reference.
    pub reference: String,
    /// The decision, point by point.
    pub decisions: Vec<String>,
    /// Who decided.
    pub decision_maker: String,
    /// Their role.
    pub role: String,
    /// Interests recorded.
    pub interests: String,
    /// The date signed (ISO).
    pub signed_on: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Each frozen file: format and SHA-256 digest.
    pub files: Vec<SignedFileJson>,
}

/// A frozen file of a signed report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignedFileJson {
    /// `html`, `xlsx` or `pdf`.
    pub format: String,
    /// The SHA-256 digest of its bytes.
    pub sha256: String,
    /// Where to fetch it.
    pub href: String,
}

impl From<&h2h_store::SignedReport> for SignedReportJson {
    fn from(r: &h2h_store::SignedReport) -> Self {
        Self {
            id: r.id,
            area_code: r.area_code.to_string(),
            period: r.period.clone(),
            version: r.version,
            title: r.title.clone(),
            reference: r.decision.reference.clone(),
            decisions: r.decision.decisions.clone(),
            decision_maker: r.decision.decision_maker.clone(),
            role: r.decision.role.clone(),
            interests: r.decision.interests.clone(),
            signed_on: iso(r.decision.signed_on),
            recorded_at: r.recorded_at.clone(),
            files: r
                .files
                .iter()
                .map(|(format, sha256)| SignedFileJson {
                    format: format.clone(),
                    sha256: sha256.clone(),
                    href: format!("/reports/{}/{format}", r.id),
                })
                .collect(),
        }
    }
}
