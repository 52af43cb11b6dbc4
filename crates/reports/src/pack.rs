//! The partnership performance pack as a document: what it says, already worked out, so that
//! each renderer (HTML, Excel, PDF) only lays it out. The web layer builds it from the store.
//! It serialises to JSON as it stands, which is how the PDF template reads it.

use serde::Serialize;

use crate::scorecard::ScorecardDocument;

/// A figure as a number (for spreadsheets) and as shown (for pages).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figure {
    /// The number, or `None` when there is none or it is withheld.
    pub value: Option<f64>,
    /// The figure as a reader sees it: rounded, with its unit where that helps, `[c]` when
    /// disclosure control withheld it, empty when there is none.
    pub text: String,
    /// Decimal places shown, which the spreadsheet's number format follows.
    pub decimals: u8,
}

impl Figure {
    /// A figure shown with `decimals` places.
    pub fn new(value: Option<f64>, text: impl Into<String>, decimals: u8) -> Self {
        Self {
            value,
            text: text.into(),
            decimals,
        }
    }

    /// No figure.
    pub fn none() -> Self {
        Self::default()
    }
}

/// A judgement (a comparison, a trend, a status) as a code, words and a symbol, so that it
/// never depends on colour alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Judgement {
    /// The stable code, such as `better` or `on_track`; it also names the CSS modifier.
    pub code: String,
    /// The words, such as `Better than England`.
    pub label: String,
    /// A symbol that tells it apart without colour, such as `▲`.
    pub symbol: String,
}

/// A benchmark's figure and how the area compares with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkLine {
    /// The benchmark area's figure for the same metric and period.
    pub value: Figure,
    /// How the area compares with it.
    pub comparison: Judgement,
}

/// A target and the area's status against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    /// The period by which it is to be met.
    pub period: String,
    /// The figure to reach.
    pub target: Figure,
    /// `met`, `on_track`, `off_track` or `not_assessed`.
    pub status: Judgement,
    /// Why, in plain words.
    pub reason: String,
}

/// One metric's latest figure for the area, as the framework summary shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorLine {
    /// The metric's id.
    pub metric_id: String,
    /// The metric's name.
    pub metric_name: String,
    /// The period of the figure (the latest that ends within the pack's period).
    pub period: String,
    /// `count`, `proportion`, `rate` or `value`.
    pub unit: String,
    /// The unit as a column heading says it: `%`, `per 100,000`, `number`.
    pub unit_label: String,
    /// The value in the displayed unit.
    pub value: Figure,
    /// Lower 95% confidence limit.
    pub lower_95: Figure,
    /// Upper 95% confidence limit.
    pub upper_95: Figure,
    /// Lower 99.8% confidence limit.
    pub lower_99_8: Figure,
    /// Upper 99.8% confidence limit.
    pub upper_99_8: Figure,
    /// The count or numerator.
    pub numerator: Figure,
    /// The denominator.
    pub denominator: Figure,
    /// England's figure and the comparison with it.
    pub england: Option<BenchmarkLine>,
    /// The region's figure and the comparison with it.
    pub region: Option<BenchmarkLine>,
    /// The five-point trend.
    pub trend: Judgement,
    /// The nearest target.
    pub target: Option<TargetLine>,
    /// Whether disclosure control withheld the figures.
    pub suppressed: bool,
    /// Whether the figure is unpublished management information.
    pub unpublished: bool,
    /// `provisional`, `final` or `revised`.
    pub status: String,
    /// Where the figure came from.
    pub source: String,
}

/// The metrics of one outcome of the framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeGroup {
    /// The outcome's name, or `Other metrics`.
    pub heading: String,
    /// `strategic`, `intermediate`, or empty for other metrics.
    pub kind: String,
    /// Its metrics with figures for the area.
    pub indicators: Vec<IndicatorLine>,
    /// Charts of its metrics, each with its data table.
    pub charts: Vec<ChartFigure>,
}

/// A chart with an active title, a caption naming source and period, and the table of the
/// figures it draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartFigure {
    /// What the chart shows, as a finding where there is one.
    pub title: String,
    /// Source and period.
    pub caption: String,
    /// The chart as accessible SVG.
    pub svg: String,
    /// A shorter form for the printed page, when the chart has more rows than a page draws
    /// legibly (every area of a kind compared); the table still lists every figure.
    pub print: Option<PrintChart>,
    /// The figures behind it.
    pub table: DataTable,
}

/// A chart shortened for print, and what it leaves out, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrintChart {
    /// The shortened chart as accessible SVG.
    pub svg: String,
    /// What it shows of the whole, such as the highest and lowest areas.
    pub note: String,
}

/// A plain table of text cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataTable {
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows of cells, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// A delivery plan's status for the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStatus {
    /// The plan's title.
    pub title: String,
    /// The date statuses and overdue flags were judged on.
    pub as_of: String,
    /// The delivery statuses, in the order of each row's counts.
    pub statuses: Vec<Judgement>,
    /// One row per objective.
    pub summary: Vec<StatusRow>,
    /// The whole plan.
    pub total: StatusRow,
    /// Actions that need the board's attention.
    pub exceptions: Vec<ExceptionLine>,
}

/// Counts of an objective's actions by delivery status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    /// The objective.
    pub objective: String,
    /// Actions in each status, in the order of [`PlanStatus::statuses`].
    pub counts: Vec<usize>,
    /// Overdue actions.
    pub overdue: usize,
    /// All actions.
    pub total: usize,
}

/// An action the board should look at, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionLine {
    /// Its number in the plan.
    pub action_no: String,
    /// What is to be done.
    pub action: String,
    /// Who leads it.
    pub leads: String,
    /// The deadline as written.
    pub deadline: String,
    /// Its delivery status.
    pub status: Judgement,
    /// Why it is listed: red, amber, overdue, no recent update.
    pub reasons: String,
    /// The latest update, with its date.
    pub latest_update: String,
}

/// A metric's definition for the appendix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// The metric's id.
    pub metric_id: String,
    /// Its name.
    pub name: String,
    /// What it measures.
    pub definition: String,
    /// Its unit.
    pub unit: String,
    /// Who publishes it, and where.
    pub source: String,
    /// How often it is published.
    pub frequency: String,
    /// What to bear in mind.
    pub limitations: String,
}

/// The decision record signed with a report, shown on its first page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The decision's reference.
    pub reference: String,
    /// What the report is.
    pub subject: String,
    /// Why the decision is recorded.
    pub summary: String,
    /// The decision, point by point.
    pub decisions: Vec<String>,
    /// Who decided.
    pub decision_maker: String,
    /// Their role.
    pub role: String,
    /// The declaration of interests they confirmed.
    pub declaration: String,
    /// The interests recorded, or `None`.
    pub interests: String,
    /// The contact officer, or empty.
    pub contact: String,
    /// The date signed (ISO).
    pub signed_on: String,
    /// The report's version for its area and period: 1, 2...
    pub version: i64,
}

/// A partnership's attendance at its main meetings in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceSection {
    /// The partnership's name.
    pub partnership: String,
    /// Its Senior Responsible Owner.
    pub sro: String,
    /// Its chair.
    pub chair: String,
    /// The year counted, such as `2024/25`.
    pub window: String,
    /// Main meetings held in it.
    pub meetings_held: u32,
    /// One row per member organisation.
    pub rows: Vec<AttendanceRow>,
    /// The rule for attending regularly, in words.
    pub rule: String,
}

/// One member's attendance at main meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceRow {
    /// The organisation.
    pub organisation: String,
    /// Its type, as a person reads it.
    pub member_type: String,
    /// Main meetings attended.
    pub attended: u32,
    /// Apologies sent.
    pub apologies: u32,
    /// Recorded absent.
    pub absent: u32,
    /// Whether it attends regularly under the rule.
    pub regularly: bool,
}

/// How the areas of a kind compare with the country and which way they are heading, metric
/// by metric: the national summary's distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distribution {
    /// The areas counted, such as `upper-tier local authorities`.
    pub areas: String,
    /// One line per metric.
    pub lines: Vec<DistributionLine>,
}

/// The areas of one metric counted by comparison and by trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionLine {
    /// The metric's id.
    pub metric_id: String,
    /// Its name.
    pub metric_name: String,
    /// The period compared.
    pub period: String,
    /// Areas with a figure.
    pub areas: u32,
    /// Counts by comparison: better, similar, worse, higher, lower, not compared.
    pub comparisons: [u32; 6],
    /// Counts by trend: increasing, decreasing, no significant change, cannot be calculated.
    pub trends: [u32; 4],
}

/// The headings of [`DistributionLine::comparisons`], in order.
pub const COMPARISON_HEADINGS: [&str; 6] = [
    "Better",
    "Similar",
    "Worse",
    "Higher",
    "Lower",
    "Not compared",
];

/// The headings of [`DistributionLine::trends`], in order.
pub const TREND_HEADINGS: [&str; 4] = [
    "Increasing",
    "Decreasing",
    "No significant change",
    "Cannot be calculated",
];

/// The national analysis of partnership attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NationalAttendanceSection {
    /// The year analysed.
    pub window: String,
    /// Partnerships with a main meeting in it.
    pub partnerships: u32,
    /// The findings, in sentences.
    pub headlines: Vec<String>,
    /// The regions' names, in the order of each row's shares.
    pub regions: Vec<String>,
    /// One row per member type.
    pub rows: Vec<TypeShareRow>,
}

/// The share of partnerships whose main meetings a member type attends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeShareRow {
    /// The member type.
    pub member_type: String,
    /// Partnerships it attends regularly.
    pub count: u32,
    /// Partnerships analysed.
    pub of: u32,
    /// The whole percentage.
    pub percent: Option<u32>,
    /// The percentage in each region (see [`NationalAttendanceSection::regions`]).
    pub by_region: Vec<Option<u32>>,
}

/// The pack's scorecard section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackScorecard {
    /// The scorecard, when a client-level extract covers the area.
    pub document: Option<ScorecardDocument>,
    /// What the section says in its place when there is none, such as that no client-level
    /// extract covers the area.
    pub absence: String,
}

/// The partnership performance pack for an area and period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pack {
    /// The title on the cover.
    pub title: String,
    /// The area's code.
    pub area_code: String,
    /// The area's name.
    pub area_name: String,
    /// The period's canonical code.
    pub period_code: String,
    /// The period in words.
    pub period_label: String,
    /// The protective marking, when the pack holds unpublished management information.
    pub marking: Option<String>,
    /// The date it was prepared (ISO).
    pub prepared_on: String,
    /// The name of the first benchmark (England).
    pub england_name: String,
    /// The name of the area's region, when it has one.
    pub region_name: Option<String>,
    /// The framework summary and a page per outcome.
    pub outcomes: Vec<OutcomeGroup>,
    /// The delivery plans' status summaries and exceptions.
    pub plans: Vec<PlanStatus>,
    /// The partnership's attendance record, when the area is a partnership with meetings.
    pub attendance: Option<AttendanceSection>,
    /// The signed decision, for a signed report.
    pub decision: Option<Decision>,
    /// For a country: how its areas compare, metric by metric.
    pub distribution: Option<Distribution>,
    /// For England: the national analysis of partnership attendance.
    pub national_attendance: Option<NationalAttendanceSection>,
    /// The Results Based Accountability scorecard of the area and period from client-level
    /// records, or why there is none; `None` leaves the section out.
    pub scorecard: Option<PackScorecard>,
    /// The definitions and sources of every metric shown.
    pub definitions: Vec<Definition>,
    /// Notes particular to this pack, numbered after [`STANDARD_NOTES`].
    pub notes: Vec<String>,
}

/// The notes every pack carries, numbered from 1 in this order; the Excel tables' headings
/// cite them as `[note 1]` to `[note 6]`.
pub const STANDARD_NOTES: [&str; 6] = [
    "Values are in the metric's displayed unit: a percentage for proportions, per the stated \
     population for rates, the number for counts, and the published figure for value metrics. \
     Each metric shows its latest period that ends within the pack's period.",
    "Confidence limits follow the methods of the public health profiles (PHEindicatormethods): \
     Wilson score limits for proportions; exact Poisson limits below 10 events and Byar's \
     method from 10 for counts and rates; a publisher's own limits for value metrics.",
    "Better, similar or worse: whether the benchmark's value lies outside the area's 95% \
     confidence interval, judged by the metric's polarity. Higher or lower where no direction \
     is better. Counts are not compared, since areas differ in size.",
    "The trend is the five-point test of the public health profiles over the latest five \
     periods: increasing, decreasing, no significant change, or cannot be calculated.",
    "[c] marks a figure withheld to protect confidentiality: counts from 1 to 4, the values \
     derived from them, and a second figure where the first could be worked out from a total.",
    "[x] marks a figure that is not available: not supplied, not applicable to the metric, or \
     not published for the benchmark area.",
];

impl Pack {
    /// Every indicator line, outcome by outcome.
    pub fn indicators(&self) -> impl Iterator<Item = (&OutcomeGroup, &IndicatorLine)> {
        self.outcomes
            .iter()
            .flat_map(|group| group.indicators.iter().map(move |line| (group, line)))
    }

    /// Every note in number order: the standard ones, then the pack's own.
    pub fn all_notes(&self) -> Vec<&str> {
        STANDARD_NOTES
            .iter()
            .copied()
            .chain(self.notes.iter().map(String::as_str))
            .collect()
    }

    /// Whether any figure was withheld by disclosure control.
    pub fn has_suppressed(&self) -> bool {
        self.indicators().any(|(_, line)| line.suppressed)
    }
}
