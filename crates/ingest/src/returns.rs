//! Aggregate returns (`returns.md`): `values.csv` (a return of figures), `metrics.csv` (a
//! partnership's own metric definitions) and `targets.csv` (ambitions and trajectories), read
//! from a [`CsvTable`] (CSV or an Excel sheet) into the domain's types.
//!
//! Each row is checked against what the caller knows, an [`ImportContext`]: the metrics, the
//! areas (with retired codes mapped to current ones) and the framework's outcomes. A row that
//! breaks a rule is never dropped: it becomes a [`RejectedRow`], with its place, the column
//! and value at fault, the reason in plain words and the row exactly as received. A file is
//! refused as a whole only when its header lacks a required column or repeats one.
//!
//! # When a value must agree with its numerator and denominator
//! A `values.csv` row of a count, proportion or rate may give the `value` beside the figures
//! it is computed from. It must then agree with them, or the row is rejected, since either
//! could be the wrong one. The expected figure is `numerator / denominator × multiplier`
//! (the metric's multiplier; 100 for a proportion), or the numerator itself for a count.
//! The given value agrees when it differs from the expected figure by at most half a unit in
//! its own last decimal place: `45.3` agrees with 45.25 to 45.35, `45` with 44.5 to 45.5,
//! `45.35` with 45.345 to 45.355. So a value rounded to any number of decimals agrees, and a
//! value that is wrong beyond its rounding does not. One part in a billion of the expected
//! figure is added to the allowance so that binary floating point (a spreadsheet's
//! `=A2/B2*100` carried to 15 digits) never decides the matter. A rate whose metric has no
//! multiplier cannot be checked and is accepted as given; `value` metrics are figures
//! computed elsewhere (standardised rates, modelled estimates) and are never checked
//! against a numerator and denominator.

use std::collections::{HashMap, HashSet};
use std::fmt;

use h2h_domain::{
    AreaCode, Breakdown, Frequency, Metric, MetricId, Observation, OutcomeId, Period, PeriodError,
    Polarity, Target, TargetBasis, TargetKind, Tier, Unit, ValueKey, ValueStatus,
};

use crate::csv_table::{CsvTable, IngestError, Row};

/// The columns `values.csv` must have.
pub const VALUES_REQUIRED: [&str; 3] = ["metric_id", "area_code", "period"];
/// Every column `values.csv` may have; others are reported as ignored.
pub const VALUES_COLUMNS: [&str; 12] = [
    "metric_id",
    "area_code",
    "period",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "breakdown",
    "status",
    "source",
    "note",
];
/// The columns `metrics.csv` must have.
pub const METRICS_REQUIRED: [&str; 4] = ["metric_id", "name", "unit", "polarity"];
/// Every column `metrics.csv` may have; others are reported as ignored.
pub const METRICS_COLUMNS: [&str; 10] = [
    "metric_id",
    "name",
    "unit",
    "multiplier",
    "polarity",
    "outcome",
    "maps_to",
    "definition",
    "source",
    "frequency",
];
/// The columns `targets.csv` must have.
pub const TARGETS_REQUIRED: [&str; 4] = ["metric_id", "area_code", "period", "target"];
/// Every column `targets.csv` may have; others are reported as ignored.
pub const TARGETS_COLUMNS: [&str; 8] = [
    "metric_id",
    "area_code",
    "period",
    "target",
    "kind",
    "baseline_period",
    "baseline",
    "note",
];

/// What the rows of a return are checked against: the known metrics, the known area codes
/// (each mapped to the area's current code) and the framework's outcome ids.
#[derive(Debug, Clone, Default)]
pub struct ImportContext {
    metrics: HashMap<MetricId, Metric>,
    areas: HashMap<AreaCode, AreaCode>,
    outcomes: HashSet<OutcomeId>,
}

impl ImportContext {
    /// A context of `metrics` and `areas`, each pair being a code as it may appear in a file
    /// and the area's current code (a retired code maps to its successor). Every current code
    /// is known as itself too. Outcomes are added with [`ImportContext::with_outcomes`].
    pub fn new(metrics: &[Metric], areas: impl IntoIterator<Item = (AreaCode, AreaCode)>) -> Self {
        let mut context = Self::default().with_metrics(metrics.iter().cloned());
        let mut current_codes = Vec::new();
        for (code, current) in areas {
            current_codes.push(current.clone());
            context.areas.insert(code, current);
        }
        for current in current_codes {
            context.areas.entry(current.clone()).or_insert(current);
        }
        context
    }

    /// Adds metrics, replacing any of the same id: for instance local metrics just read from
    /// `metrics.csv`, so that values and targets for them can be read in the same import.
    pub fn with_metrics(mut self, metrics: impl IntoIterator<Item = Metric>) -> Self {
        self.metrics
            .extend(metrics.into_iter().map(|m| (m.id.clone(), m)));
        self
    }

    /// Adds the framework's outcome ids, which a local metric's `outcome` must be one of.
    pub fn with_outcomes(mut self, outcomes: impl IntoIterator<Item = OutcomeId>) -> Self {
        self.outcomes.extend(outcomes);
        self
    }

    /// The metric with this id, if it is known.
    pub fn metric(&self, id: &MetricId) -> Option<&Metric> {
        self.metrics.get(id)
    }

    /// The current code of a known area, if it is known.
    pub fn current_area(&self, code: &AreaCode) -> Option<&AreaCode> {
        self.areas.get(code)
    }

    /// Whether the outcome is one of the framework's.
    pub fn knows_outcome(&self, id: &OutcomeId) -> bool {
        self.outcomes.contains(id)
    }
}

/// A row that broke a rule, with where and why, kept as it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The file's name.
    pub file: String,
    /// The sheet, for a workbook; `None` for CSV.
    pub sheet: Option<String>,
    /// The 1-based line of a CSV file the row starts on, or the sheet's row number.
    pub line: u64,
    /// The column at fault.
    pub column: String,
    /// Its value (trimmed).
    pub value: String,
    /// What was wrong and what was expected, in plain words.
    pub reason: String,
    /// The whole row as received: each header column with its untrimmed value.
    pub raw: Vec<(String, String)>,
}

impl RejectedRow {
    /// A rejection of `row` for the value of `column`.
    pub(crate) fn new(row: &Row<'_>, column: &str, reason: impl Into<String>) -> Self {
        Self {
            file: row.file().to_owned(),
            sheet: row.sheet().map(str::to_owned),
            line: row.line(),
            column: column.to_owned(),
            value: row.get(column).to_owned(),
            reason: reason.into(),
            raw: row.raw(),
        }
    }

    /// The same problem as an [`IngestError`] (`BadValue` for CSV, `BadCell` for a sheet).
    pub fn to_error(&self) -> IngestError {
        IngestError::bad_value(
            &self.file,
            self.sheet.as_deref(),
            self.line,
            &self.column,
            &self.value,
            self.reason.clone(),
        )
    }
}

/// `file, line N, column C: "v" reason`, or `file, sheet S, row N, column C: "v" reason`.
impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_error().fmt(f)
    }
}

/// The result of reading a file of rows: what passed its checks and what was rejected.
#[derive(Debug, Clone)]
pub struct CheckedFile<T> {
    /// The file's name, for messages.
    pub file: String,
    /// Each accepted row's line (or sheet row) and what it holds: in file order, but for a
    /// values file, in the order of the values' keys.
    pub accepted: Vec<(u64, T)>,
    /// Each rejected row with its reason, in file order.
    pub rejected: Vec<RejectedRow>,
    /// Header columns that are not part of the format: kept aside, to be reported as a
    /// warning.
    pub ignored_columns: Vec<String>,
}

// Written out rather than derived: a derive would ask `T: Default`, which observations,
// metrics and targets are not.
impl<T> Default for CheckedFile<T> {
    fn default() -> Self {
        Self {
            file: String::new(),
            accepted: Vec::new(),
            rejected: Vec::new(),
            ignored_columns: Vec::new(),
        }
    }
}

/// The result of reading `values.csv`: checked observations and rejected rows.
pub type ValuesFile = CheckedFile<Observation>;

/// The result of reading `metrics.csv`: local metric definitions and rejected rows.
pub type MetricsFile = CheckedFile<Metric>;

/// The result of reading `targets.csv`: targets and rejected rows.
pub type TargetsFile = CheckedFile<Target>;

/// A row's check: the value, or the rejection (boxed, as rejections are large and rare).
pub(crate) type Checked<T> = Result<T, Box<RejectedRow>>;

/// A rejection of `row` for the value of `column`.
pub(crate) fn rejection(
    row: &Row<'_>,
    column: &str,
    reason: impl Into<String>,
) -> Box<RejectedRow> {
    Box::new(RejectedRow::new(row, column, reason))
}

/// Reads a return (`values.csv`). Fails as a whole only when the header lacks `metric_id`,
/// `area_code` or `period`, or repeats a column of the format; every other problem rejects
/// its row (see the module's documentation for the rules).
///
/// Within one file a key (metric, area on its current code, period, breakdown) may appear
/// once: a later row with the key of an accepted row is rejected, naming the earlier line.
/// The accepted values come in key order; the rejected rows in file order.
pub fn read_values(table: &CsvTable, context: &ImportContext) -> Result<ValuesFile, IngestError> {
    table.require(&VALUES_REQUIRED)?;
    table.require_unique(&VALUES_COLUMNS)?;
    let mut file = ValuesFile {
        file: table.file().to_owned(),
        ignored_columns: table.unknown_columns(&VALUES_COLUMNS),
        ..ValuesFile::default()
    };
    // Rows in file order with their position in the table, then sorted by key: a stable sort
    // keeps the earliest of a repeated key first, puts repeats side by side, and hands the
    // store its rows in the order of its index. A large file is checked, and sorted, a part
    // on each core.
    let started = std::time::Instant::now();
    let parts = parallel_parts(table.len());
    let part_len = table.len().div_ceil(parts).max(1);
    let mut checked: Vec<(usize, Observation)> = Vec::with_capacity(table.len());
    let check_part = |part: usize| -> CheckedPart {
        let mut accepted = Vec::with_capacity(part_len);
        let mut rejected = Vec::new();
        let mut periods = HashMap::new();
        let rows =
            (part * part_len..(part + 1) * part_len).map_while(|i| table.row(i).map(|r| (i, r)));
        for (index, row) in rows {
            match read_value_row(&row, context, &mut periods) {
                Ok(observation) => accepted.push((index, observation)),
                Err(rejection) => rejected.push(*rejection),
            }
        }
        (accepted, rejected)
    };
    // A small file is checked here; only a large one repays starting threads.
    let results: Vec<CheckedPart> = if parts == 1 {
        vec![check_part(0)]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..parts)
                .map(|part| scope.spawn(move || check_part(part)))
                .collect();
            workers.into_iter().filter_map(|w| w.join().ok()).collect()
        })
    };
    if results.len() != parts {
        return Err(IngestError::Malformed {
            file: table.file().to_owned(),
            message: "could not be checked: a worker thread failed".to_owned(),
        });
    }
    for (accepted, rejected) in results {
        checked.extend(accepted);
        file.rejected.extend(rejected);
    }
    tracing::debug!(elapsed = ?started.elapsed(), parts, "rows checked");
    let order = key_order(&checked, parts);
    tracing::debug!(elapsed = ?started.elapsed(), "rows put in key order");
    let mut checked: Vec<Option<(usize, Observation)>> = checked.into_iter().map(Some).collect();
    let mut repeats = false;
    file.accepted.reserve(checked.len());
    for position in order {
        let Some((index, observation)) = checked.get_mut(position).and_then(Option::take) else {
            continue;
        };
        let Some(row) = table.row(index) else {
            continue;
        };
        match file.accepted.last() {
            Some((earlier, held)) if held.key == observation.key => {
                repeats = true;
                file.rejected.push(*rejection(
                    &row,
                    "metric_id",
                    format!(
                        "repeats the metric, area, period and breakdown of {} {earlier}: each may \
                         appear only once in a file",
                        line_word(&row)
                    ),
                ));
            }
            _ => file.accepted.push((row.line(), observation)),
        }
    }
    if repeats {
        file.rejected.sort_by_key(|rejected| rejected.line);
    }
    tracing::debug!(elapsed = ?started.elapsed(), "accepted rows listed");
    Ok(file)
}

/// The positions of `checked` in the order of their keys, and of their positions among
/// equal keys.
///
/// Sorting the observations themselves would move a few hundred bytes a swap and compare
/// metric ids and area codes letter by letter. Instead each row gets a small key: the rank of
/// its metric and of its area among those of the file (ranked in text order, so the order is
/// the same), its period and breakdown. The keys are sorted a part on each core; the final
/// stable sort finds those sorted runs and only merges them.
fn key_order(checked: &[(usize, Observation)], parts: usize) -> Vec<usize> {
    type SortKey<'a> = (u32, u32, Period, Option<&'a Breakdown>, usize);
    fn ranks<'a>(codes: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
        let distinct: HashSet<&str> = codes.collect();
        let mut sorted: Vec<&str> = distinct.into_iter().collect();
        sorted.sort_unstable();
        sorted.into_iter().zip(0..).collect()
    }
    let metric_ranks = ranks(checked.iter().map(|(_, o)| o.key.metric_id.as_str()));
    let area_ranks = ranks(checked.iter().map(|(_, o)| o.key.area_code.as_str()));
    let mut keys: Vec<SortKey<'_>> = checked
        .iter()
        .enumerate()
        .map(|(position, (_, o))| {
            let key = &o.key;
            (
                metric_ranks
                    .get(key.metric_id.as_str())
                    .copied()
                    .unwrap_or(u32::MAX),
                area_ranks
                    .get(key.area_code.as_str())
                    .copied()
                    .unwrap_or(u32::MAX),
                key.period,
                key.breakdown.as_ref(),
                position,
            )
        })
        .collect();
    if parts == 1 {
        keys.sort_unstable();
    } else if !keys.is_sorted() {
        let run = keys.len().div_ceil(parts).max(1);
        std::thread::scope(|scope| {
            for chunk in keys.chunks_mut(run) {
                scope.spawn(move || chunk.sort_unstable());
            }
        });
        keys.sort();
    }
    keys.into_iter()
        .map(|(_, _, _, _, position)| position)
        .collect()
}

/// What one thread made of its part of a values file: the accepted observations with their
/// rows' positions in the table, and the rejected rows.
type CheckedPart = (Vec<(usize, Observation)>, Vec<RejectedRow>);

/// How many threads to check `rows` rows on: one per core, up to four, for files large
/// enough to repay starting them.
fn parallel_parts(rows: usize) -> usize {
    const ROWS_PER_THREAD: usize = 50_000;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    cores.min(4).min(rows / ROWS_PER_THREAD).max(1)
}

/// Checks one row of `values.csv`, in the order of its columns.
fn read_value_row<'r>(
    row: &Row<'r>,
    context: &ImportContext,
    periods: &mut HashMap<&'r str, Period>,
) -> Checked<Observation> {
    let metric = known_metric(row, context)?;
    let area_code = known_area(row, "area_code", context)?;
    // A return repeats a few periods many times: each distinct text is parsed once.
    let period = match row.optional("period").and_then(|text| periods.get(text)) {
        Some(&period) => period,
        None => {
            let period = period(row, "period")?;
            periods.insert(row.get("period"), period);
            period
        }
    };
    let breakdown = match row.optional("breakdown") {
        None => None,
        Some(text) => Some(Breakdown::parse(text).map_err(|_| {
            rejection(
                row,
                "breakdown",
                "is not of the form name=category (for example sex=female); leave it blank for \
                 the total",
            )
        })?),
    };
    let status = match row.optional("status") {
        None => ValueStatus::Final,
        Some(text) => ValueStatus::parse(text).map_err(|_| {
            rejection(
                row,
                "status",
                "is not a status: expected provisional, final (the default) or revised",
            )
        })?,
    };
    let numerator = optional_number(row, "numerator")?;
    let denominator = optional_number(row, "denominator")?;
    let value = optional_number(row, "value")?;
    let lower_ci = optional_number(row, "lower_ci")?;
    let upper_ci = optional_number(row, "upper_ci")?;

    let reject = |column: &str, reason: String| rejection(row, column, reason);
    let unit = metric.unit;
    let (what, numerator_is) = match unit {
        Unit::Count => ("a count", "the count"),
        Unit::Proportion => ("a proportion", "its numerator"),
        Unit::Rate => ("a rate", "its numerator (the events)"),
        Unit::Value => ("a value metric", "its numerator"),
    };
    if unit != Unit::Value {
        if numerator.is_none() {
            return Err(reject(
                "numerator",
                format!("is blank: {what} needs {numerator_is} in numerator"),
            ));
        }
        for column in ["lower_ci", "upper_ci"] {
            if row.optional(column).is_some() {
                return Err(reject(
                    column,
                    format!(
                        "is given but {what} has no published confidence limits (h2h computes \
                         them); only value metrics carry them: leave it blank"
                    ),
                ));
            }
        }
    }
    if let Some(n) = &numerator {
        if n.value < 0.0 {
            return Err(reject(
                "numerator",
                "is negative: expected zero or more".to_owned(),
            ));
        }
        let whole_because = match unit {
            Unit::Count => Some("a count is a whole number of events or people"),
            Unit::Rate => Some("a rate's numerator is a whole number of events"),
            Unit::Proportion | Unit::Value => None,
        };
        if let Some(because) = whole_because
            && n.value.fract() != 0.0
        {
            return Err(reject(
                "numerator",
                format!("is not a whole number: {because}"),
            ));
        }
    }
    match (unit, &denominator) {
        (Unit::Count, Some(_)) => {
            return Err(reject(
                "denominator",
                "is given but a count has no denominator: leave it blank".to_owned(),
            ));
        }
        (Unit::Proportion | Unit::Rate, None) => {
            let population = if unit == Unit::Rate {
                " (the population)"
            } else {
                ""
            };
            return Err(reject(
                "denominator",
                format!("is blank: {what} needs its denominator{population}"),
            ));
        }
        (_, Some(d)) if d.value <= 0.0 => {
            return Err(reject(
                "denominator",
                "is not positive: expected a number greater than zero".to_owned(),
            ));
        }
        (Unit::Proportion, Some(d)) => {
            if let Some(n) = &numerator
                && d.value < n.value
            {
                return Err(reject(
                    "denominator",
                    format!(
                        "is less than the numerator {}: a proportion's denominator is never less \
                         than its numerator",
                        n.text
                    ),
                ));
            }
        }
        _ => {}
    }
    if unit == Unit::Value && value.is_none() {
        return Err(reject(
            "value",
            "is blank: a value metric needs its value".to_owned(),
        ));
    }
    if let (Some(given), Some(n)) = (&value, &numerator) {
        let multiplier = match unit {
            Unit::Proportion => Some(f64::from(metric.multiplier.unwrap_or(100))),
            Unit::Rate => metric.multiplier.map(f64::from),
            Unit::Count | Unit::Value => None,
        };
        let expected = match (unit, &denominator, multiplier) {
            (Unit::Count, _, _) => Some(n.value),
            (_, Some(d), Some(m)) => Some(n.value / d.value * m),
            _ => None,
        };
        if let Some(expected) = expected
            && !given.agrees_with(expected)
        {
            let decimals = usize::try_from(given.decimals).unwrap_or(usize::MAX);
            // A spreadsheet cell formatted as a percentage holds the fraction (0.453).
            let fraction = unit == Unit::Proportion && given.agrees_with(expected / 100.0);
            let expected = rounded(expected, decimals);
            let reason = match (&denominator, multiplier) {
                (Some(d), Some(m)) if fraction => format!(
                    "does not agree with the numerator and denominator: {} / {} × {m} = \
                     {expected}; it looks like a fraction: give the value as a percentage",
                    n.text, d.text
                ),
                (Some(d), Some(m)) => format!(
                    "does not agree with the numerator and denominator: {} / {} × {m} = \
                     {expected}, not {}; correct one of them or leave value blank",
                    n.text, d.text, given.text
                ),
                _ => format!(
                    "does not agree with the numerator: a count's value is the count itself, \
                     {}; correct one of them or leave value blank",
                    n.text
                ),
            };
            return Err(reject("value", reason));
        }
    }
    if let Some(v) = &value {
        if let Some(lower) = &lower_ci
            && lower.value > v.value
        {
            return Err(reject(
                "lower_ci",
                format!(
                    "is above the value {}: a lower limit is at most the value",
                    v.text
                ),
            ));
        }
        if let Some(upper) = &upper_ci
            && upper.value < v.value
        {
            return Err(reject(
                "upper_ci",
                format!(
                    "is below the value {}: an upper limit is at least the value",
                    v.text
                ),
            ));
        }
    }
    Ok(Observation {
        key: ValueKey {
            metric_id: metric.id.clone(),
            area_code,
            period,
            breakdown,
        },
        numerator: numerator.map(|n| n.value),
        denominator: denominator.map(|d| d.value),
        value: value.map(|v| v.value),
        lower_ci: lower_ci.map(|l| l.value),
        upper_ci: upper_ci.map(|u| u.value),
        status,
        source: row.optional("source").map(str::to_owned),
        note: row.optional("note").map(str::to_owned),
    })
}

/// Reads local metric definitions (`metrics.csv`) into metrics of tier `local`. Fails as a
/// whole only when the header lacks `metric_id`, `name`, `unit` or `polarity`, or repeats a
/// column of the format.
///
/// A row may redefine a local metric the context knows, but not take the id of a national
/// one; `outcome` must be one of the context's outcomes; `maps_to` lists known metrics,
/// separated by `;`. A rate needs its multiplier; a proportion's is always 100.
pub fn read_metrics(table: &CsvTable, known: &ImportContext) -> Result<MetricsFile, IngestError> {
    table.require(&METRICS_REQUIRED)?;
    table.require_unique(&METRICS_COLUMNS)?;
    let mut file = MetricsFile {
        file: table.file().to_owned(),
        ignored_columns: table.unknown_columns(&METRICS_COLUMNS),
        ..MetricsFile::default()
    };
    let mut seen: HashMap<MetricId, u64> = HashMap::new();
    for row in table.rows() {
        let checked = read_metric_row(&row, known).and_then(|metric| match seen.get(&metric.id) {
            Some(&earlier) => Err(rejection(
                &row,
                "metric_id",
                format!(
                    "is defined again: it was first defined on {} {earlier}; define each metric once",
                    line_word(&row)
                ),
            )),
            None => {
                seen.insert(metric.id.clone(), row.line());
                Ok(metric)
            }
        });
        match checked {
            Ok(metric) => file.accepted.push((row.line(), metric)),
            Err(rejected) => file.rejected.push(*rejected),
        }
    }
    Ok(file)
}

/// Checks one row of `metrics.csv`.
fn read_metric_row(row: &Row<'_>, known: &ImportContext) -> Checked<Metric> {
    let reject = |column: &str, reason: String| rejection(row, column, reason);
    let id = match row.optional("metric_id") {
        None => {
            return Err(reject(
                "metric_id",
                "is blank: expected an id for the metric (letters, digits, '.', '_' and '-')"
                    .to_owned(),
            ));
        }
        Some(text) => MetricId::parse(text).map_err(|e| {
            reject(
                "metric_id",
                format!("is not a valid metric id: {}", e.reason),
            )
        })?,
    };
    if known.metric(&id).is_some_and(|m| m.tier != Tier::Local) {
        return Err(reject(
            "metric_id",
            "is the id of a national metric in the catalogue: choose another id for a local metric"
                .to_owned(),
        ));
    }
    let name = row
        .optional("name")
        .ok_or_else(|| reject("name", "is blank: every metric needs a name".to_owned()))?;
    let unit = Unit::parse(row.get("unit")).map_err(|_| {
        reject(
            "unit",
            "is not a unit: expected count, proportion, rate or value".to_owned(),
        )
    })?;
    let multiplier = multiplier(row, unit)?;
    let polarity = Polarity::parse(row.get("polarity")).map_err(|_| {
        reject(
            "polarity",
            "is not a polarity: expected higher_is_better, lower_is_better or no_judgement"
                .to_owned(),
        )
    })?;
    let outcome = match row.optional("outcome") {
        None => None,
        Some(text) => {
            let found = OutcomeId::parse(text)
                .ok()
                .filter(|id| known.knows_outcome(id));
            match found {
                Some(id) => Some(id),
                None => {
                    let mut ids: Vec<&str> = known.outcomes.iter().map(OutcomeId::as_str).collect();
                    ids.sort_unstable();
                    return Err(reject(
                        "outcome",
                        format!(
                            "is not an outcome of the framework: expected one of {}, or blank",
                            ids.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let mut maps_to = Vec::new();
    for part in row
        .get("maps_to")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let national = MetricId::parse(part)
            .ok()
            .filter(|m| known.metric(m).is_some());
        match national {
            Some(national) if national == id => {
                return Err(reject(
                    "maps_to",
                    "names the metric itself: expected the national metrics it is a local \
                     version of"
                        .to_owned(),
                ));
            }
            Some(national) => {
                if !maps_to.contains(&national) {
                    maps_to.push(national);
                }
            }
            None => {
                return Err(reject(
                    "maps_to",
                    format!(
                        "names {part:?}, which is not a known metric: expected the ids of \
                         national metrics, separated by ';'"
                    ),
                ));
            }
        }
    }
    let frequency = match row.optional("frequency") {
        None => None,
        Some(text) => Some(Frequency::parse(text).map_err(|_| {
            reject(
                "frequency",
                "is not a frequency: expected monthly, quarterly, annual or irregular, or blank"
                    .to_owned(),
            )
        })?),
    };
    Ok(Metric {
        id,
        reference: None,
        name: name.to_owned(),
        outcome,
        tier: Tier::Local,
        unit,
        multiplier,
        polarity,
        definition: row.get("definition").to_owned(),
        numerator: None,
        denominator: None,
        source: row.get("source").to_owned(),
        publisher: None,
        frequency,
        lowest_geography: None,
        breakdowns: Vec::new(),
        limitations: None,
        maps_to,
        provenance: Vec::new(),
        unconfirmed: Vec::new(),
    })
}

/// A metric's multiplier: required for a rate, 100 for a proportion, optional for a value
/// metric (the base of a figure computed elsewhere), absent for a count.
fn multiplier(row: &Row<'_>, unit: Unit) -> Checked<Option<u32>> {
    let reject = |reason: &str| rejection(row, "multiplier", reason);
    let given = match row.optional("multiplier") {
        None => None,
        Some(text) => {
            let number = parse_number(text).ok().map(|n| n.value);
            let whole = number
                .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(u32::MAX))
                .and_then(|n| format!("{n}").parse::<u32>().ok());
            match whole {
                Some(m) => Some(m),
                None => {
                    return Err(reject(
                        "is not a multiplier: expected a whole number greater than zero, such as \
                         100000",
                    ));
                }
            }
        }
    };
    match (unit, given) {
        (Unit::Rate, None) => Err(reject(
            "is blank: a rate needs a multiplier, the population base such as 100000",
        )),
        (Unit::Proportion, None | Some(100)) => Ok(Some(100)),
        (Unit::Proportion, Some(_)) => Err(reject(
            "is not 100: a proportion is shown as a percentage, so its multiplier is 100 (or \
             leave it blank)",
        )),
        (Unit::Count, Some(_)) => Err(reject(
            "is given but a count has no multiplier: leave it blank",
        )),
        (_, given) => Ok(given),
    }
}

/// Reads targets (`targets.csv`): kind `ambition` unless given, basis `level`. Fails as a
/// whole only when the header lacks `metric_id`, `area_code`, `period` or `target`, or
/// repeats a column of the format.
///
/// Targets are in the metric's displayed unit, so a proportion's is a percentage from 0 to
/// 100 and a count's or rate's is not negative. `baseline_period` and `baseline` come
/// together or not at all, and the baseline period ends before the target period does.
/// Within one file, a (metric, area, period, kind) may appear once.
pub fn read_targets(table: &CsvTable, context: &ImportContext) -> Result<TargetsFile, IngestError> {
    table.require(&TARGETS_REQUIRED)?;
    table.require_unique(&TARGETS_COLUMNS)?;
    let mut file = TargetsFile {
        file: table.file().to_owned(),
        ignored_columns: table.unknown_columns(&TARGETS_COLUMNS),
        ..TargetsFile::default()
    };
    let mut seen: HashMap<(MetricId, AreaCode, Period, TargetKind), u64> = HashMap::new();
    for row in table.rows() {
        let checked = read_target_row(&row, context).and_then(|target| {
            let key = (
                target.metric_id.clone(),
                target.area_code.clone(),
                target.period,
                target.kind,
            );
            match seen.get(&key) {
                Some(&earlier) => Err(rejection(
                    &row,
                    "metric_id",
                    format!(
                        "repeats the metric, area, period and kind of {} {earlier}: each target \
                         may appear only once in a file",
                        line_word(&row)
                    ),
                )),
                None => {
                    seen.insert(key, row.line());
                    Ok(target)
                }
            }
        });
        match checked {
            Ok(target) => file.accepted.push((row.line(), target)),
            Err(rejected) => file.rejected.push(*rejected),
        }
    }
    Ok(file)
}

/// Checks one row of `targets.csv`.
fn read_target_row(row: &Row<'_>, context: &ImportContext) -> Checked<Target> {
    let reject = |column: &str, reason: String| rejection(row, column, reason);
    let metric = known_metric(row, context)?;
    let area_code = known_area(row, "area_code", context)?;
    let period = period(row, "period")?;
    let target = optional_number(row, "target")?
        .ok_or_else(|| reject("target", "is blank: expected the target figure".to_owned()))?;
    check_in_unit(row, "target", metric.unit, target.value)?;
    let kind = match row.optional("kind") {
        None => TargetKind::Ambition,
        Some(text) => TargetKind::parse(text).map_err(|_| {
            reject(
                "kind",
                "is not a kind of target: expected ambition (the default), trajectory or \
                 threshold"
                    .to_owned(),
            )
        })?,
    };
    let (baseline_period, baseline) =
        match (row.optional("baseline_period"), row.optional("baseline")) {
            (None, None) => (None, None),
            (Some(_), None) => {
                return Err(reject(
                    "baseline",
                    "is blank but baseline_period is given: give both or neither".to_owned(),
                ));
            }
            (None, Some(_)) => {
                return Err(reject(
                    "baseline_period",
                    "is blank but baseline is given: give both or neither".to_owned(),
                ));
            }
            (Some(_), Some(_)) => {
                let baseline_period = self::period(row, "baseline_period")?;
                if baseline_period.end() >= period.end() {
                    return Err(reject(
                        "baseline_period",
                        format!(
                            "does not end before the target period {}: a baseline is the starting \
                         point",
                            period.code()
                        ),
                    ));
                }
                let baseline = optional_number(row, "baseline")?.map(|b| b.value);
                if let Some(baseline) = baseline {
                    check_in_unit(row, "baseline", metric.unit, baseline)?;
                }
                (Some(baseline_period), baseline)
            }
        };
    Ok(Target {
        metric_id: metric.id.clone(),
        area_code,
        period,
        target: target.value,
        kind,
        basis: TargetBasis::Level,
        baseline_period,
        baseline,
        note: row.optional("note").map(str::to_owned),
        provenance: Vec::new(),
    })
}

/// Checks that a target or baseline is a possible figure in the metric's displayed unit.
fn check_in_unit(row: &Row<'_>, column: &str, unit: Unit, value: f64) -> Checked<()> {
    match unit {
        Unit::Proportion if !(0.0..=100.0).contains(&value) => Err(rejection(
            row,
            column,
            "is outside 0 to 100: a proportion's figure is a percentage",
        )),
        Unit::Count | Unit::Rate if value < 0.0 => {
            Err(rejection(row, column, "is negative: expected zero or more"))
        }
        _ => Ok(()),
    }
}

/// "row" in a workbook, "line" in a CSV file.
pub(crate) fn line_word(row: &Row<'_>) -> &'static str {
    if row.sheet().is_some() { "row" } else { "line" }
}

/// The row's metric, which the context must know.
fn known_metric<'c>(row: &Row<'_>, context: &'c ImportContext) -> Checked<&'c Metric> {
    let Some(text) = row.optional("metric_id") else {
        return Err(rejection(
            row,
            "metric_id",
            "is blank: expected the id of a metric",
        ));
    };
    if let Some(metric) = context.metrics.get(text) {
        return Ok(metric);
    }
    MetricId::parse(text)
        .ok()
        .and_then(|id| context.metric(&id))
        .ok_or_else(|| {
            rejection(
                row,
                "metric_id",
                "is not a known metric: expected the id of a metric in the catalogue or one \
                 imported from metrics.csv",
            )
        })
}

/// The current code of the row's area, which the context must know.
pub(crate) fn known_area(
    row: &Row<'_>,
    column: &str,
    context: &ImportContext,
) -> Checked<AreaCode> {
    let Some(text) = row.optional(column) else {
        return Err(rejection(row, column, "is blank: expected an area code"));
    };
    if let Some(current) = context.areas.get(text) {
        return Ok(current.clone());
    }
    AreaCode::parse(text)
        .ok()
        .and_then(|code| context.current_area(&code).cloned())
        .ok_or_else(|| {
            rejection(
                row,
                column,
                "is not a known area: expected a GSS code (such as E06000047) or the code of an \
                 imported custom area",
            )
        })
}

/// A period in any accepted form, required.
fn period(row: &Row<'_>, column: &str) -> Checked<Period> {
    let Some(text) = row.optional(column) else {
        return Err(rejection(
            row,
            column,
            "is blank: expected a period such as 2024/25-Q1",
        ));
    };
    Period::parse(text).map_err(|error| rejection(row, column, period_reason(&error, text)))
}

/// The period error without the quoted input it starts with (the message shows the value
/// already), with a hint when a spreadsheet seems to have turned a period into a date.
fn period_reason(error: &PeriodError, text: &str) -> String {
    let message = error.to_string();
    let prefix = format!("{:?} ", error.input());
    let mut reason = message.strip_prefix(&prefix).unwrap_or(&message).to_owned();
    let bytes = text.as_bytes();
    let looks_like_date = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if looks_like_date {
        reason.push_str(
            "; a spreadsheet may have turned the period into a date: format the column as text",
        );
    }
    reason
}

/// A number as written in a file: its value, its text and the decimal places it was given to.
#[derive(Debug, Clone, PartialEq)]
struct Number<'a> {
    value: f64,
    text: &'a str,
    /// Decimal places of the written form (`45.30` has 2, `1.5E-05` has 6).
    decimals: u32,
}

impl Number<'_> {
    /// Whether `expected` rounds to this number at its own precision (module documentation).
    fn agrees_with(&self, expected: f64) -> bool {
        let places = i32::try_from(self.decimals).unwrap_or(i32::MAX).min(330);
        let tolerance = 0.5 * 10f64.powi(-places) + 1e-9 * expected.abs().max(1.0);
        (expected - self.value).abs() <= tolerance
    }
}

/// An optional number in a column: `None` when blank, a rejection when not a number.
fn optional_number<'r>(row: &Row<'r>, column: &str) -> Checked<Option<Number<'r>>> {
    match row.optional(column) {
        None => Ok(None),
        Some(text) => parse_number(text)
            .map(Some)
            .map_err(|reason| rejection(row, column, reason)),
    }
}

/// Parses a plain decimal number: an optional sign, digits with an optional decimal point,
/// and an optional exponent (as Excel writes very small or large numbers into CSV). Words
/// (`inf`, `NaN`), thousands separators and `%` are refused with a reason saying so.
fn parse_number(text: &str) -> Result<Number<'_>, String> {
    let not_a_number = || {
        let hint = if text.contains(',') {
            "; write it without thousands separators"
        } else if text.ends_with('%') {
            "; write it without the % sign"
        } else {
            ""
        };
        format!(
            "is not a number: expected digits with an optional decimal point, such as 12 or \
             45.5{hint}"
        )
    };
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (
            unsigned.get(..at).unwrap_or_default(),
            Some(unsigned.get(at + 1..).unwrap_or_default()),
        ),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
        return Err(not_a_number());
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(exponent) => {
            let magnitude = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
            if magnitude.is_empty() || !digits(magnitude) {
                return Err(not_a_number());
            }
            // Saturating, since only the size matters: an absurd exponent overflows f64 and
            // is refused below, or rounds to zero.
            let size = magnitude.bytes().fold(0i64, |acc, b| {
                acc.saturating_mul(10).saturating_add(i64::from(b - b'0'))
            });
            if exponent.starts_with('-') {
                -size
            } else {
                size
            }
        }
    };
    let value: f64 = text.parse().map_err(|_| not_a_number())?;
    if !value.is_finite() {
        return Err("is too large: expected a number of at most 15 or so digits".to_owned());
    }
    let fraction_len = i64::try_from(fraction.len()).unwrap_or(i64::MAX);
    let decimals = fraction_len.saturating_sub(exponent).clamp(0, 400);
    Ok(Number {
        // Writes -0 as 0, so that "-0" is not taken for a negative count.
        value: if value == 0.0 { 0.0 } else { value },
        text,
        decimals: u32::try_from(decimals).unwrap_or(400),
    })
}

/// `value` to `decimals` places, without trailing noise.
fn rounded(value: f64, decimals: usize) -> String {
    format!("{value:.prec$}", prec = decimals.min(17))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "metric_id,area_code,period,numerator,denominator,value,lower_ci,upper_ci,\
                          breakdown,status,source,note";

    /// A metric with only what the readers check filled in.
    pub(crate) fn metric(id: &str, tier: Tier, unit: Unit, multiplier: Option<u32>) -> Metric {
        Metric {
            id: MetricId::parse(id).unwrap(),
            reference: None,
            name: id.to_owned(),
            outcome: None,
            tier,
            unit,
            multiplier,
            polarity: Polarity::HigherIsBetter,
            definition: String::new(),
            numerator: None,
            denominator: None,
            source: String::new(),
            publisher: None,
            frequency: None,
            lowest_geography: None,
            breakdowns: Vec::new(),
            limitations: None,
            maps_to: Vec::new(),
            provenance: Vec::new(),
            unconfirmed: Vec::new(),
        }
    }

    fn context() -> ImportContext {
        let metrics = [
            metric("cnt", Tier::Local, Unit::Count, None),
            metric("pct", Tier::Local, Unit::Proportion, Some(100)),
            metric("rate", Tier::Local, Unit::Rate, Some(100_000)),
            metric("val", Tier::Local, Unit::Value, None),
            metric("cdof.h1", Tier::Headline, Unit::Count, None),
        ];
        let code = |c: &str| AreaCode::parse(c).unwrap();
        ImportContext::new(
            &metrics,
            [
                (code("E06000047"), code("E06000047")),
                // Gateshead's code before 2024 follows its successor.
                (code("E08000020"), code("E08000037")),
                (code("CDP-A"), code("CDP-A")),
            ],
        )
        .with_outcomes(["reduce_drug_use", "reduce_crime"].map(|o| OutcomeId::parse(o).unwrap()))
    }

    fn values(rows: &str) -> ValuesFile {
        let text = format!("{HEADER}\n{rows}");
        read_values(&CsvTable::parse("values.csv", &text).unwrap(), &context()).unwrap()
    }

    /// The one message for a file of one bad row.
    fn rejection(row: &str) -> String {
        let file = values(row);
        assert!(file.accepted.is_empty(), "{:?}", file.accepted);
        assert_eq!(file.rejected.len(), 1, "{:?}", file.rejected);
        file.rejected[0].to_string()
    }

    #[test]
    fn good_rows_of_every_unit_are_accepted() {
        let file = values(
            "cnt,e06000047,Q1 2024/25,12,,,,,,,OHID,first\n\
             pct,E08000020,2024-25,39,86,45.3,,,sex=Female,provisional,,\n\
             rate,CDP-A,Apr 2024,7,250000,2.8,,,,revised,,\n\
             val,E06000047,2021-23,,,-3.5,-4,-3,,,,\n\
             pct,E06000047,2024/25,0,10,,,,,FINAL,,\n",
        );
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
        // Accepted values come in key order; here they are read back in file order.
        assert!(file.accepted.is_sorted_by(|(_, a), (_, b)| a.key <= b.key));
        let mut accepted = file.accepted.clone();
        accepted.sort_by_key(|(line, _)| *line);
        let lines: Vec<u64> = accepted.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6]);
        let count = &accepted[0].1;
        assert_eq!(count.key.metric_id.as_str(), "cnt");
        assert_eq!(count.key.area_code.as_str(), "E06000047");
        assert_eq!(count.key.period.code(), "2024/25-Q1");
        assert_eq!(count.key.breakdown, None);
        assert_eq!(
            (count.numerator, count.denominator, count.value),
            (Some(12.0), None, None)
        );
        assert_eq!(count.status, ValueStatus::Final);
        assert_eq!(
            (count.source.as_deref(), count.note.as_deref()),
            (Some("OHID"), Some("first"))
        );
        let proportion = &accepted[1].1;
        assert_eq!(proportion.key.area_code.as_str(), "E08000037");
        assert_eq!(proportion.key.period.code(), "2024/25");
        assert_eq!(
            proportion
                .key
                .breakdown
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("sex=Female")
        );
        assert_eq!(proportion.value, Some(45.3));
        assert_eq!(proportion.status, ValueStatus::Provisional);
        assert_eq!(accepted[2].1.key.period.code(), "2024-04");
        assert_eq!(accepted[2].1.status, ValueStatus::Revised);
        let value = &accepted[3].1;
        assert_eq!(
            (value.value, value.lower_ci, value.upper_ci),
            (Some(-3.5), Some(-4.0), Some(-3.0))
        );
        assert_eq!(value.key.period.code(), "2021-2023");
        assert!(file.ignored_columns.is_empty());
    }

    #[test]
    fn only_the_three_key_columns_are_required() {
        let table = CsvTable::parse(
            "v.csv",
            "Period,AREA_CODE,metric_id,value,Comment\nQ1 2024/25,E06000047,val,3,hi\n",
        )
        .unwrap();
        let file = read_values(&table, &context()).unwrap();
        assert_eq!(file.accepted.len(), 1);
        assert_eq!(file.ignored_columns, ["Comment"]);
        let table = CsvTable::parse("v.csv", "metric_id,area,period\n").unwrap();
        assert_eq!(
            read_values(&table, &context()).unwrap_err().to_string(),
            "v.csv: the header has no column \"area_code\""
        );
        let table = CsvTable::parse("v.csv", "metric_id,area_code,period,value,Value\n").unwrap();
        assert_eq!(
            read_values(&table, &context()).unwrap_err().to_string(),
            "v.csv: the header has the column \"value\" 2 times; keep only one"
        );
    }

    #[test]
    fn a_metric_must_be_known() {
        assert_eq!(
            rejection("nope,E06000047,2024/25,1,,,,,,,,\n"),
            "values.csv, line 2, column metric_id: \"nope\" is not a known metric: expected the \
             id of a metric in the catalogue or one imported from metrics.csv"
        );
        assert_eq!(
            rejection(",E06000047,2024/25,1,,,,,,,,\n"),
            "values.csv, line 2, column metric_id: \"\" is blank: expected the id of a metric"
        );
        assert!(rejection("a b,E06000047,2024/25,1,,,,,,,,\n").contains("is not a known metric"));
    }

    #[test]
    fn an_area_must_be_known_and_is_stored_on_its_current_code() {
        assert_eq!(
            rejection("cnt,E06999999,2024/25,1,,,,,,,,\n"),
            "values.csv, line 2, column area_code: \"E06999999\" is not a known area: expected a \
             GSS code (such as E06000047) or the code of an imported custom area"
        );
        assert_eq!(
            rejection("cnt,,2024/25,1,,,,,,,,\n"),
            "values.csv, line 2, column area_code: \"\" is blank: expected an area code"
        );
        // Custom area codes are case-sensitive, unlike GSS codes.
        assert!(rejection("cnt,cdp-a,2024/25,1,,,,,,,,\n").contains("is not a known area"));
    }

    #[test]
    fn a_period_takes_any_accepted_form_and_says_what_is_wrong() {
        assert_eq!(
            rejection("cnt,E06000047,2024-13,1,,,,,,,,\n"),
            "values.csv, line 2, column period: \"2024-13\" is not a period: month 13 does not \
             exist (expected 1 to 12), nor is 2013 after 2024 for pooled years"
        );
        assert_eq!(
            rejection("cnt,E06000047,last year,1,,,,,,,,\n"),
            "values.csv, line 2, column period: \"last year\" is not a period: expected a month \
             (2024-04), quarter (2024/25-Q1), half (2024/25-H1), financial year (2024/25), \
             calendar year (2024), pooled years (2021-2023) or rolling twelve months (R12-2024-03)"
        );
        assert_eq!(
            rejection("cnt,E06000047,,1,,,,,,,,\n"),
            "values.csv, line 2, column period: \"\" is blank: expected a period such as 2024/25-Q1"
        );
    }

    #[test]
    fn a_period_turned_into_a_date_gets_a_hint() {
        assert!(rejection("cnt,E06000047,2024-04-01,1,,,,,,,,\n").ends_with(
            "; a spreadsheet may have turned the period into a date: format the column as text"
        ));
    }

    #[test]
    fn counts_proportions_and_rates_need_a_numerator() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,,,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"\" is blank: a count needs the count in \
             numerator"
        );
        assert_eq!(
            rejection("pct,E06000047,2024/25,,10,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"\" is blank: a proportion needs its \
             numerator in numerator"
        );
        assert_eq!(
            rejection("rate,E06000047,2024/25,,10,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"\" is blank: a rate needs its numerator \
             (the events) in numerator"
        );
    }

    #[test]
    fn a_numerator_is_not_negative() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,-1,,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"-1\" is negative: expected zero or more"
        );
        assert!(
            values("cnt,E06000047,2024/25,-0,,,,,,,,\n")
                .rejected
                .is_empty()
        );
    }

    #[test]
    fn a_count_and_a_rates_numerator_are_whole_numbers() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,1.5,,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"1.5\" is not a whole number: a count is a \
             whole number of events or people"
        );
        assert_eq!(
            rejection("rate,E06000047,2024/25,2.5,1000,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"2.5\" is not a whole number: a rate's \
             numerator is a whole number of events"
        );
        // A proportion's numerator may be weighted; "12.0" is whole.
        let file =
            values("pct,E06000047,2024/25,2.5,10,,,,,,,\ncnt,E06000047,2024/26,12.0,,,,,,,,\n");
        assert_eq!(file.rejected.len(), 1);
        assert!(
            file.rejected[0].reason.contains("financial year"),
            "{}",
            file.rejected[0]
        );
        let file =
            values("pct,E06000047,2024/25,2.5,10,,,,,,,\ncnt,E06000047,2024/25,12.0,,,,,,,,\n");
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
    }

    #[test]
    fn proportions_and_rates_need_a_positive_denominator() {
        assert_eq!(
            rejection("pct,E06000047,2024/25,1,,,,,,,,\n"),
            "values.csv, line 2, column denominator: \"\" is blank: a proportion needs its \
             denominator"
        );
        assert_eq!(
            rejection("rate,E06000047,2024/25,1,,,,,,,,\n"),
            "values.csv, line 2, column denominator: \"\" is blank: a rate needs its denominator \
             (the population)"
        );
        assert_eq!(
            rejection("rate,E06000047,2024/25,1,0,,,,,,,\n"),
            "values.csv, line 2, column denominator: \"0\" is not positive: expected a number \
             greater than zero"
        );
        assert!(rejection("pct,E06000047,2024/25,0,-5,,,,,,,\n").contains("is not positive"));
    }

    #[test]
    fn a_proportions_denominator_is_not_less_than_its_numerator() {
        assert_eq!(
            rejection("pct,E06000047,2024/25,11,10,,,,,,,\n"),
            "values.csv, line 2, column denominator: \"10\" is less than the numerator 11: a \
             proportion's denominator is never less than its numerator"
        );
        // A rate's may be: more events than people.
        assert!(
            values("rate,E06000047,2024/25,11,10,,,,,,,\n")
                .rejected
                .is_empty()
        );
    }

    #[test]
    fn a_count_has_no_denominator() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,1,5,,,,,,,\n"),
            "values.csv, line 2, column denominator: \"5\" is given but a count has no \
             denominator: leave it blank"
        );
    }

    #[test]
    fn a_value_metric_needs_its_value() {
        assert_eq!(
            rejection("val,E06000047,2024/25,,,,,,,,,\n"),
            "values.csv, line 2, column value: \"\" is blank: a value metric needs its value"
        );
        // Its numerator and denominator are not checked against it, but must be sensible.
        assert!(
            values("val,E06000047,2024/25,3,7,99,,,,,,\n")
                .rejected
                .is_empty()
        );
        assert!(rejection("val,E06000047,2024/25,-3,7,99,,,,,,\n").contains("is negative"));
        assert!(rejection("val,E06000047,2024/25,3,0,99,,,,,,\n").contains("is not positive"));
    }

    #[test]
    fn a_value_must_agree_with_its_numerator_and_denominator() {
        assert_eq!(
            rejection("pct,E06000047,2024/25,39,86,45.1,,,,,,\n"),
            "values.csv, line 2, column value: \"45.1\" does not agree with the numerator and \
             denominator: 39 / 86 × 100 = 45.3, not 45.1; correct one of them or leave value blank"
        );
        assert_eq!(
            rejection("rate,E06000047,2024/25,7,250000,2.9,,,,,,\n"),
            "values.csv, line 2, column value: \"2.9\" does not agree with the numerator and \
             denominator: 7 / 250000 × 100000 = 2.8, not 2.9; correct one of them or leave \
             value blank"
        );
        assert_eq!(
            rejection("pct,E06000047,2024/25,39,86,0.453,,,,,,\n"),
            "values.csv, line 2, column value: \"0.453\" does not agree with the numerator and \
             denominator: 39 / 86 × 100 = 45.349; it looks like a fraction: give the value as a \
             percentage"
        );
        assert_eq!(
            rejection("cnt,E06000047,2024/25,12,,13,,,,,,\n"),
            "values.csv, line 2, column value: \"13\" does not agree with the numerator: a \
             count's value is the count itself, 12; correct one of them or leave value blank"
        );
    }

    #[test]
    fn agreement_allows_half_a_unit_in_the_last_given_decimal() {
        // 39 / 86 × 100 = 45.3488...
        for good in [
            "45",
            "45.3",
            "45.35",
            "45.349",
            "45.3488",
            "45.34883720930233",
        ] {
            let row = format!("pct,E06000047,2024/25,39,86,{good},,,,,,\n");
            assert!(values(&row).rejected.is_empty(), "{good}");
        }
        for bad in ["46", "45.4", "45.34", "45.348", "45.3489"] {
            let row = format!("pct,E06000047,2024/25,39,86,{bad},,,,,,\n");
            assert_eq!(values(&row).rejected.len(), 1, "{bad}");
        }
        // The boundary itself agrees: 1 / 8 × 100 = 12.5 rounds either way.
        for edge in ["12", "13", "12.5"] {
            let row = format!("pct,E06000047,2024/25,1,8,{edge},,,,,,\n");
            assert!(values(&row).rejected.is_empty(), "{edge}");
        }
        // Exponents count their places: 1.5E-05 is given to 6 decimals.
        let row = "rate,E06000047,2024/25,3,20000000000,1.5E-05,,,,,,\n";
        assert!(values(row).rejected.is_empty());
        let parsed = parse_number("1.5E-05").unwrap();
        assert_eq!(parsed.decimals, 6);
        assert_eq!(parse_number("12e3").unwrap().decimals, 0);
    }

    #[test]
    fn confidence_limits_belong_to_value_metrics_and_bracket_the_value() {
        assert_eq!(
            rejection("pct,E06000047,2024/25,1,2,,40,60,,,,\n"),
            "values.csv, line 2, column lower_ci: \"40\" is given but a proportion has no \
             published confidence limits (h2h computes them); only value metrics carry them: \
             leave it blank"
        );
        assert!(rejection("cnt,E06000047,2024/25,1,,,,3,,,,\n").contains("column upper_ci"));
        assert_eq!(
            rejection("val,E06000047,2024/25,,,5.5,5.6,7,,,,\n"),
            "values.csv, line 2, column lower_ci: \"5.6\" is above the value 5.5: a lower limit \
             is at most the value"
        );
        assert_eq!(
            rejection("val,E06000047,2024/25,,,5.5,5,5.4,,,,\n"),
            "values.csv, line 2, column upper_ci: \"5.4\" is below the value 5.5: an upper limit \
             is at least the value"
        );
        assert!(
            values("val,E06000047,2024/25,,,5.5,5.5,5.5,,,,\n")
                .rejected
                .is_empty()
        );
        assert!(
            values("val,E06000047,2024/25,,,5.5,,5.6,,,,\n")
                .rejected
                .is_empty()
        );
    }

    #[test]
    fn a_breakdown_is_name_equals_category() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,1,,,,,female,,,\n"),
            "values.csv, line 2, column breakdown: \"female\" is not of the form name=category \
             (for example sex=female); leave it blank for the total"
        );
    }

    #[test]
    fn a_status_is_one_of_three() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,1,,,,,,draft,,\n"),
            "values.csv, line 2, column status: \"draft\" is not a status: expected provisional, \
             final (the default) or revised"
        );
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(
            rejection("cnt,E06000047,2024/25,twelve,,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"twelve\" is not a number: expected digits \
             with an optional decimal point, such as 12 or 45.5"
        );
        assert_eq!(
            rejection("cnt,E06000047,2024/25,\"1,234\",,,,,,,,\n"),
            "values.csv, line 2, column numerator: \"1,234\" is not a number: expected digits \
             with an optional decimal point, such as 12 or 45.5; write it without thousands \
             separators"
        );
        assert!(
            rejection("pct,E06000047,2024/25,1,2,50%,,,,,,\n")
                .ends_with("; write it without the % sign")
        );
        for bad in ["inf", "NaN", "-", ".", "1e", "1.2.3", "0x10", "1 2", "e5"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
        for good in ["0", "+1", "-2", ".5", "5.", "1e5", "1E+05", "007"] {
            assert!(parse_number(good).is_ok(), "{good}");
        }
        assert_eq!(
            parse_number(&"9".repeat(400)).unwrap_err(),
            "is too large: expected a number of at most 15 or so digits"
        );
    }

    #[test]
    fn a_repeated_key_rejects_the_later_row_naming_the_earlier() {
        let file = values(
            "cnt,E06000047,2024/25,1,,,,,,,,\n\
             cnt,E06000047,2024/25,1,,,,,sex=male,,,\n\
             cnt,E06000047,FY2024/25,2,,,,,,,,\n\
             cnt,E08000020,2024/25,2,,,,,,,,\n\
             cnt,E08000037,2024/25,2,,,,,,,,\n",
        );
        assert_eq!(file.accepted.len(), 3);
        let messages: Vec<String> = file.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "values.csv, line 4, column metric_id: \"cnt\" repeats the metric, area, period \
                 and breakdown of line 2: each may appear only once in a file",
                "values.csv, line 6, column metric_id: \"cnt\" repeats the metric, area, period \
                 and breakdown of line 5: each may appear only once in a file",
            ]
        );
        // A rejected row claims no key.
        let file = values("cnt,E06000047,2024/25,x,,,,,,,,\ncnt,E06000047,2024/25,1,,,,,,,,\n");
        assert_eq!((file.accepted.len(), file.rejected.len()), (1, 1));
    }

    #[test]
    fn a_rejected_row_is_kept_as_received() {
        let file = values("cnt, E06000047 ,2024/25,x,,,,,,,, a note \n");
        let rejected = &file.rejected[0];
        assert_eq!(
            (
                rejected.line,
                rejected.column.as_str(),
                rejected.value.as_str()
            ),
            (2, "numerator", "x")
        );
        assert_eq!(rejected.raw.len(), 12);
        assert_eq!(
            rejected.raw[1],
            ("area_code".to_owned(), " E06000047 ".to_owned())
        );
        assert_eq!(rejected.raw[11], ("note".to_owned(), " a note ".to_owned()));
        assert!(matches!(
            rejected.to_error(),
            IngestError::BadValue { line: 2, .. }
        ));
    }

    #[test]
    fn a_return_round_trips_through_a_workbook() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Returns").unwrap();
        let header = [
            "metric_id",
            "area_code",
            "period",
            "numerator",
            "denominator",
            "value",
        ];
        for (col, name) in header.iter().enumerate() {
            sheet
                .write_string(0, u16::try_from(col).unwrap(), *name)
                .unwrap();
        }
        sheet.write_string(1, 0, "pct").unwrap();
        sheet.write_string(1, 1, "E06000047").unwrap();
        sheet.write_string(1, 2, "2024/25-Q1").unwrap();
        sheet.write_number(1, 3, 39.0).unwrap();
        sheet.write_number(1, 4, 86.0).unwrap();
        // As a formula would leave it: all fifteen digits.
        sheet.write_number(1, 5, 39.0 / 86.0 * 100.0).unwrap();
        sheet.write_string(2, 0, "cnt").unwrap();
        sheet.write_string(2, 1, "E06000047").unwrap();
        sheet.write_string(2, 2, "2024/25-Q2").unwrap();
        sheet.write_number(2, 3, 7.5).unwrap();
        sheet.write_string(3, 0, "pct").unwrap();
        sheet.write_string(3, 1, "E06000047").unwrap();
        sheet.write_string(3, 2, "Q1 2024/25").unwrap();
        sheet.write_number(3, 3, 1.0).unwrap();
        sheet.write_number(3, 4, 2.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let table = CsvTable::read("return.xlsx", &bytes, None).unwrap();
        let file = read_values(&table, &context()).unwrap();
        assert_eq!(file.accepted.len(), 1);
        let (line, observation) = &file.accepted[0];
        assert_eq!(*line, 2);
        assert_eq!(
            (observation.numerator, observation.denominator),
            (Some(39.0), Some(86.0))
        );
        assert_eq!(observation.value, Some(39.0 / 86.0 * 100.0));
        let messages: Vec<String> = file.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "return.xlsx, sheet Returns, row 3, column numerator: \"7.5\" is not a whole \
                 number: a count is a whole number of events or people",
                "return.xlsx, sheet Returns, row 4, column metric_id: \"pct\" repeats the \
                 metric, area, period and breakdown of row 2: each may appear only once in a file",
            ]
        );
        assert_eq!(file.rejected[0].sheet.as_deref(), Some("Returns"));
        assert_eq!(
            file.rejected[0].raw[3],
            ("numerator".to_owned(), "7.5".to_owned())
        );
    }

    fn metrics(rows: &str) -> MetricsFile {
        let text = format!(
            "metric_id,name,unit,multiplier,polarity,outcome,maps_to,definition,source,frequency\n{rows}"
        );
        read_metrics(&CsvTable::parse("metrics.csv", &text).unwrap(), &context()).unwrap()
    }

    fn metric_rejection(row: &str) -> String {
        let file = metrics(row);
        assert!(file.accepted.is_empty(), "{:?}", file.accepted);
        assert_eq!(file.rejected.len(), 1, "{:?}", file.rejected);
        file.rejected[0].to_string()
    }

    #[test]
    fn local_metrics_are_read() {
        let file = metrics(
            "local.completions,Completions,count,,higher_is_better,reduce_drug_use,cdof.h1; \
             cdof.h1,Successful completions,NDTMS,Quarterly\n\
             local.share,Share in work,proportion,,higher_is_better,,,,,\n\
             local.share100,Share,Proportion,100,Lower_is_better,,,,,\n\
             local.rate,Arrest rate,rate,100000,lower_is_better,,,,,annual\n\
             local.model,Modelled,value,1000,no_judgement,,,,,\n\
             cnt,Redefined,count,,no_judgement,,,,,\n",
        );
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
        let m = &file.accepted[0].1;
        assert_eq!(m.id.as_str(), "local.completions");
        assert_eq!(
            (m.tier, m.unit, m.multiplier),
            (Tier::Local, Unit::Count, None)
        );
        assert_eq!(
            m.outcome.as_ref().map(OutcomeId::as_str),
            Some("reduce_drug_use")
        );
        assert_eq!(
            m.maps_to.iter().map(MetricId::as_str).collect::<Vec<_>>(),
            ["cdof.h1"]
        );
        assert_eq!(
            (m.definition.as_str(), m.source.as_str()),
            ("Successful completions", "NDTMS")
        );
        assert_eq!(m.frequency, Some(Frequency::Quarterly));
        assert!(m.provenance.is_empty() && m.unconfirmed.is_empty());
        let multipliers: Vec<Option<u32>> =
            file.accepted.iter().map(|(_, m)| m.multiplier).collect();
        assert_eq!(
            multipliers,
            [None, Some(100), Some(100), Some(100_000), Some(1000), None]
        );
        assert_eq!(file.accepted[2].1.polarity, Polarity::LowerIsBetter);
    }

    #[test]
    fn a_local_metric_has_a_valid_id_of_its_own() {
        assert_eq!(
            metric_rejection(",X,count,,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column metric_id: \"\" is blank: expected an id for the metric \
             (letters, digits, '.', '_' and '-')"
        );
        assert_eq!(
            metric_rejection("local x,X,count,,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column metric_id: \"local x\" is not a valid metric id: only \
             letters, digits, '.', '_' and '-' are allowed"
        );
        assert_eq!(
            metric_rejection("cdof.h1,X,count,,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column metric_id: \"cdof.h1\" is the id of a national metric in \
             the catalogue: choose another id for a local metric"
        );
        let file =
            metrics("local.a,A,count,,no_judgement,,,,,\nlocal.a,B,count,,no_judgement,,,,,\n");
        assert_eq!(
            file.rejected[0].to_string(),
            "metrics.csv, line 3, column metric_id: \"local.a\" is defined again: it was first \
             defined on line 2; define each metric once"
        );
    }

    #[test]
    fn a_metric_needs_a_name_unit_and_polarity() {
        assert_eq!(
            metric_rejection("local.a,,count,,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column name: \"\" is blank: every metric needs a name"
        );
        assert_eq!(
            metric_rejection("local.a,A,percent,,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column unit: \"percent\" is not a unit: expected count, \
             proportion, rate or value"
        );
        assert_eq!(
            metric_rejection("local.a,A,count,,up,,,,,\n"),
            "metrics.csv, line 2, column polarity: \"up\" is not a polarity: expected \
             higher_is_better, lower_is_better or no_judgement"
        );
    }

    #[test]
    fn multipliers_follow_the_unit() {
        assert_eq!(
            metric_rejection("local.a,A,rate,,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column multiplier: \"\" is blank: a rate needs a multiplier, \
             the population base such as 100000"
        );
        assert_eq!(
            metric_rejection("local.a,A,proportion,1000,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column multiplier: \"1000\" is not 100: a proportion is shown \
             as a percentage, so its multiplier is 100 (or leave it blank)"
        );
        assert_eq!(
            metric_rejection("local.a,A,count,10,no_judgement,,,,,\n"),
            "metrics.csv, line 2, column multiplier: \"10\" is given but a count has no \
             multiplier: leave it blank"
        );
        for bad in ["0", "1.5", "-100", "x", "99999999999"] {
            assert!(
                metric_rejection(&format!("local.a,A,rate,{bad},no_judgement,,,,,\n")).ends_with(
                    "is not a multiplier: expected a whole number greater than zero, \
                                such as 100000"
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn outcome_maps_to_and_frequency_must_be_known() {
        assert_eq!(
            metric_rejection("local.a,A,count,,no_judgement,reduce_harm,,,,\n"),
            "metrics.csv, line 2, column outcome: \"reduce_harm\" is not an outcome of the \
             framework: expected one of reduce_crime, reduce_drug_use, or blank"
        );
        assert_eq!(
            metric_rejection("local.a,A,count,,no_judgement,,cdof.h1;cdof.h9,,,\n"),
            "metrics.csv, line 2, column maps_to: \"cdof.h1;cdof.h9\" names \"cdof.h9\", which is \
             not a known metric: expected the ids of national metrics, separated by ';'"
        );
        assert_eq!(
            metric_rejection("cnt,A,count,,no_judgement,,cnt,,,\n"),
            "metrics.csv, line 2, column maps_to: \"cnt\" names the metric itself: expected the \
             national metrics it is a local version of"
        );
        assert_eq!(
            metric_rejection("local.a,A,count,,no_judgement,,,,,weekly\n"),
            "metrics.csv, line 2, column frequency: \"weekly\" is not a frequency: expected \
             monthly, quarterly, annual or irregular, or blank"
        );
    }

    fn targets(rows: &str) -> TargetsFile {
        let text =
            format!("metric_id,area_code,period,target,kind,baseline_period,baseline,note\n{rows}");
        read_targets(&CsvTable::parse("targets.csv", &text).unwrap(), &context()).unwrap()
    }

    fn target_rejection(row: &str) -> String {
        let file = targets(row);
        assert!(file.accepted.is_empty(), "{:?}", file.accepted);
        assert_eq!(file.rejected.len(), 1, "{:?}", file.rejected);
        file.rejected[0].to_string()
    }

    #[test]
    fn targets_are_read_with_their_defaults() {
        let file = targets(
            "pct,E08000020,2024-25,55.5,,,,Ambition from the plan\n\
             cnt,E06000047,2024/25-Q2,100,Trajectory,2023/24,80,\n\
             val,CDP-A,2024/25,-2,threshold,,,\n",
        );
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
        let t = &file.accepted[0].1;
        assert_eq!(
            (t.metric_id.as_str(), t.area_code.as_str(), t.period.code()),
            ("pct", "E08000037", "2024/25".to_owned())
        );
        assert_eq!(
            (t.target, t.kind, t.basis),
            (55.5, TargetKind::Ambition, TargetBasis::Level)
        );
        assert_eq!(t.note.as_deref(), Some("Ambition from the plan"));
        assert_eq!((t.baseline_period, t.baseline), (None, None));
        let t = &file.accepted[1].1;
        assert_eq!(t.kind, TargetKind::Trajectory);
        assert_eq!(
            t.baseline_period.map(|p| p.code()).as_deref(),
            Some("2023/24")
        );
        assert_eq!(t.baseline, Some(80.0));
        assert_eq!(file.accepted[2].1.kind, TargetKind::Threshold);
    }

    #[test]
    fn a_target_is_a_figure_in_the_metrics_unit() {
        assert_eq!(
            target_rejection("pct,E06000047,2024/25,,,,,\n"),
            "targets.csv, line 2, column target: \"\" is blank: expected the target figure"
        );
        assert_eq!(
            target_rejection("pct,E06000047,2024/25,101,,,,\n"),
            "targets.csv, line 2, column target: \"101\" is outside 0 to 100: a proportion's \
             figure is a percentage"
        );
        assert_eq!(
            target_rejection("rate,E06000047,2024/25,-1,,,,\n"),
            "targets.csv, line 2, column target: \"-1\" is negative: expected zero or more"
        );
        assert!(target_rejection("nope,E06000047,2024/25,1,,,,\n").contains("not a known metric"));
        assert!(target_rejection("cnt,E09999999,2024/25,1,,,,\n").contains("not a known area"));
        assert!(target_rejection("cnt,E06000047,soon,1,,,,\n").contains("is not a period"));
    }

    #[test]
    fn a_target_kind_is_one_of_three() {
        assert_eq!(
            target_rejection("cnt,E06000047,2024/25,1,goal,,,\n"),
            "targets.csv, line 2, column kind: \"goal\" is not a kind of target: expected \
             ambition (the default), trajectory or threshold"
        );
    }

    #[test]
    fn a_baseline_comes_with_its_period_before_the_target() {
        assert_eq!(
            target_rejection("cnt,E06000047,2024/25,1,,2023/24,,\n"),
            "targets.csv, line 2, column baseline: \"\" is blank but baseline_period is given: \
             give both or neither"
        );
        assert_eq!(
            target_rejection("cnt,E06000047,2024/25,1,,,5,\n"),
            "targets.csv, line 2, column baseline_period: \"\" is blank but baseline is given: \
             give both or neither"
        );
        assert_eq!(
            target_rejection("cnt,E06000047,2024/25,1,,2024/25,5,\n"),
            "targets.csv, line 2, column baseline_period: \"2024/25\" does not end before the \
             target period 2024/25: a baseline is the starting point"
        );
        assert!(
            target_rejection("pct,E06000047,2024/25,1,,2023/24,120,\n")
                .contains("column baseline: \"120\" is outside 0 to 100")
        );
        assert!(
            target_rejection("cnt,E06000047,2024/25,1,,2023/24,many,\n")
                .contains("is not a number")
        );
    }

    #[test]
    fn a_repeated_target_rejects_the_later_row() {
        let file = targets(
            "cnt,E06000047,2024/25,1,,,,\n\
             cnt,E06000047,2024/25,2,trajectory,,,\n\
             cnt,E06000047,FY2024/25,3,ambition,,,\n",
        );
        assert_eq!(file.accepted.len(), 2);
        assert_eq!(
            file.rejected[0].to_string(),
            "targets.csv, line 4, column metric_id: \"cnt\" repeats the metric, area, period and \
             kind of line 2: each target may appear only once in a file"
        );
    }

    /// Cells a fuzzed row is made of: valid and nearly valid values of every column.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            prop::sample::select(vec![
                "cnt",
                "pct",
                "rate",
                "val",
                "cdof.h1",
                "E06000047",
                "E08000020",
                "CDP-A",
                "2024/25",
                "2024-13",
                "Q1 2024/25",
                "2024-04-01",
                "0",
                "-0",
                "1",
                "12",
                "1.5",
                "1e308",
                "1e-320",
                "-1",
                "99999999999999999999",
                "45.3",
                "sex=female",
                "=",
                "final",
                "draft",
                "NaN",
                "inf",
                "1,2",
            ])
            .prop_map(str::to_owned),
            "[-+0-9.eE]{1,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn read_values_never_panics_on_arbitrary_text(text in any::<String>()) {
            if let Ok(table) = CsvTable::parse("fuzz.csv", &text) {
                let _ = read_values(&table, &context());
                let _ = read_metrics(&table, &context());
                let _ = read_targets(&table, &context());
            }
        }

        #[test]
        fn read_values_never_panics_on_arbitrary_rows(rows in prop::collection::vec(prop::collection::vec(cell(), 12), 0..6)) {
            let mut text = format!("{HEADER}\n");
            for row in rows {
                let quoted: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
                text.push_str(&quoted.join(","));
                text.push('\n');
            }
            let table = CsvTable::parse("fuzz.csv", &text).unwrap();
            let file = read_values(&table, &context()).unwrap();
            prop_assert_eq!(file.accepted.len() + file.rejected.len(), table.rows().count());
            let header = "metric_id,name,unit,multiplier,polarity,outcome,maps_to,definition,source,\
                          frequency,baseline_period,baseline";
            let renamed = text.replacen(HEADER, header, 1);
            let table = CsvTable::parse("fuzz.csv", &renamed).unwrap();
            let _ = read_metrics(&table, &context()).unwrap();
            let header = "metric_id,area_code,period,target,kind,baseline_period,baseline,note,a,b,c,d";
            let renamed = text.replacen(HEADER, header, 1);
            let table = CsvTable::parse("fuzz.csv", &renamed).unwrap();
            let _ = read_targets(&table, &context()).unwrap();
        }

        #[test]
        fn read_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            for name in ["fuzz.csv", "fuzz.xlsx"] {
                if let Ok(table) = CsvTable::read(name, &bytes, None) {
                    let _ = read_values(&table, &context());
                }
            }
        }

        #[test]
        fn read_never_panics_on_a_damaged_workbook(at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
            let mut bytes = sample_workbook();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            bytes.truncate(cut.index(bytes.len()).max(i + 1));
            if let Ok(table) = CsvTable::read("fuzz.xlsx", &bytes, Some("Returns")) {
                let _ = read_values(&table, &context());
            }
        }
    }

    fn sample_workbook() -> Vec<u8> {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Returns").unwrap();
        for (col, name) in ["metric_id", "area_code", "period", "numerator"]
            .iter()
            .enumerate()
        {
            sheet
                .write_string(0, u16::try_from(col).unwrap(), *name)
                .unwrap();
        }
        sheet.write_string(1, 0, "cnt").unwrap();
        sheet.write_string(1, 1, "E06000047").unwrap();
        sheet.write_string(1, 2, "2024/25").unwrap();
        sheet.write_number(1, 3, 3.0).unwrap();
        book.save_to_buffer().unwrap()
    }
}
