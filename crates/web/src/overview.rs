//! The area overview: every metric the area has figures for, at its latest period, with the
//! interval, the comparison with the benchmark, the recent trend and the target status, in
//! words and symbols as well as colour.

use h2h_domain::indicators::Indicator;
use h2h_domain::{Area, Metric, Unit};

use h2h_charts::{SparklineOptions, sparkline};

use crate::snapshot::Snapshot;
use crate::views::{
    comparison_words, figure_in_unit, interval_in_unit, target_status_label, trend_words,
};

/// The overview of one area.
pub(crate) struct Overview {
    /// Whether any figure shown is unpublished management information.
    pub marking: bool,
    /// Metrics grouped by outcome, in framework order, then the others.
    pub groups: Vec<OverviewGroup>,
    /// Special-cause signals in the latest monthly or quarterly figures.
    pub warnings: Vec<WarningLine>,
}

/// An early warning as the area page words it.
pub(crate) struct WarningLine {
    pub metric_id: String,
    pub metric_name: String,
    pub period: String,
    pub message: String,
    pub variation: String,
    pub limits_reliable: bool,
}

/// The metrics of one outcome.
pub(crate) struct OverviewGroup {
    /// The outcome, or "Other metrics".
    pub heading: String,
    /// One row a metric.
    pub rows: Vec<OverviewRow>,
}

/// One metric at its latest period.
pub(crate) struct OverviewRow {
    pub metric_id: String,
    pub name: String,
    pub period: String,
    pub value: String,
    pub interval: String,
    pub benchmark: String,
    pub comparison: String,
    pub comparison_class: &'static str,
    pub comparison_symbol: &'static str,
    pub trend: String,
    pub trend_symbol: &'static str,
    pub target: String,
    pub note: String,
    /// A decorative sparkline of up to ten periods (the metric's page has the numbers).
    pub sparkline: String,
}

/// How many periods a sparkline shows.
const SPARKLINE_PERIODS: usize = 10;

/// The overview of `area`; with `published`, as published: disclosure control applied
/// (counts from 1 to 4, and the cells that would reveal them, shown as `[c]`) and no marking.
pub(crate) fn overview(
    snapshot: &Snapshot,
    area: &Area,
    today: time::Date,
    published: bool,
) -> Overview {
    let engine = &snapshot.engine;
    let benchmark = engine.default_benchmark(&area.code);
    let benchmark_name = benchmark
        .as_ref()
        .and_then(|b| snapshot.area(b))
        .map_or_else(String::new, |a| a.name.clone());
    let mut marking = false;
    let mut latest_indicators: Vec<(&Metric, Indicator)> = Vec::new();
    for metric in engine.metrics() {
        let Some(latest) = engine
            .periods(&metric.id, &area.code, None)
            .into_iter()
            .next_back()
        else {
            continue;
        };
        let Some(indicator) =
            engine.indicator(metric, &area.code, &latest, None, benchmark.as_ref(), today)
        else {
            continue;
        };
        latest_indicators.push((metric, indicator));
    }
    let suppressed = if published {
        let indicators: Vec<Indicator> = latest_indicators.iter().map(|(_, i)| i.clone()).collect();
        crate::indicators::suppression(&indicators)
    } else {
        vec![false; latest_indicators.len()]
    };
    let mut rows_by_outcome: Vec<(Option<String>, OverviewRow)> = Vec::new();
    for ((metric, indicator), suppressed) in latest_indicators.iter().zip(suppressed) {
        marking |= !published && !indicator.provenance.published;
        let mut row = row(metric, indicator, &benchmark_name);
        if suppressed {
            row.value = String::from("[c]");
            row.interval = String::new();
            row.note = String::from(
                "[c] Withheld to protect confidentiality: a count from 1 to 4, or a figure that would reveal one",
            );
        } else {
            let history: Vec<Option<f64>> = engine
                .history(
                    metric,
                    &area.code,
                    &indicator.period,
                    None,
                    SPARKLINE_PERIODS,
                )
                .into_iter()
                .map(|(_, f)| f.value)
                .collect();
            if history.len() > 1 && (!published || indicator.provenance.published) {
                row.sparkline = sparkline(&history, &SparklineOptions::default());
            }
        }
        rows_by_outcome.push((metric.outcome.as_ref().map(ToString::to_string), row));
    }
    let mut groups: Vec<OverviewGroup> = snapshot
        .outcomes
        .iter()
        .map(|o| OverviewGroup {
            heading: o.name.clone(),
            rows: Vec::new(),
        })
        .collect();
    let mut other = OverviewGroup {
        heading: String::from("Other metrics"),
        rows: Vec::new(),
    };
    for (outcome, row) in rows_by_outcome {
        let position =
            outcome.and_then(|id| snapshot.outcomes.iter().position(|o| o.id.as_str() == id));
        match position.and_then(|i| groups.get_mut(i)) {
            Some(group) => group.rows.push(row),
            None => other.rows.push(row),
        }
    }
    groups.push(other);
    groups.retain(|g| !g.rows.is_empty());
    Overview {
        marking,
        groups,
        warnings: crate::indicators::warning_rows(engine, &area.code)
            .into_iter()
            .map(|w| WarningLine {
                variation: w.variation.replace('_', " "),
                metric_id: w.metric_id,
                metric_name: w.metric_name,
                period: w.period,
                message: w.message,
                limits_reliable: w.limits_reliable,
            })
            .collect(),
    }
}

fn row(metric: &Metric, indicator: &Indicator, benchmark_name: &str) -> OverviewRow {
    let f = &indicator.figures;
    let value = f
        .value
        .map_or_else(|| String::from("No value"), |v| figure_in_unit(metric, v));
    let interval = interval_in_unit(metric, &f.ci_95);
    let benchmark = indicator
        .benchmark
        .as_ref()
        .filter(|_| metric.unit != Unit::Count)
        .map(|(_, v)| format!("{benchmark_name} {}", figure_in_unit(metric, *v)))
        .unwrap_or_default();
    let (comparison, comparison_class, comparison_symbol) =
        comparison_words(indicator.comparison, benchmark_name);
    let (trend, trend_symbol) = trend_words(metric, indicator.trend.trend);
    let target = indicator
        .target
        .as_ref()
        .map(|(t, a)| {
            format!(
                "{}: {} by {}",
                target_status_label(a.status),
                crate::views::figure(t.target),
                t.period.code()
            )
        })
        .unwrap_or_default();
    let note = match (indicator.provenance.summed_members, metric.unit) {
        (Some(n), _) => format!("Sum of {n} member areas' figures"),
        (None, Unit::Value) => String::from("As published"),
        _ => String::new(),
    };
    OverviewRow {
        metric_id: metric.id.to_string(),
        name: metric.name.clone(),
        period: indicator.period.label(),
        value,
        interval,
        benchmark,
        comparison,
        comparison_class,
        comparison_symbol,
        trend: trend.to_owned(),
        trend_symbol,
        target,
        note,
        sparkline: String::new(),
    }
}
