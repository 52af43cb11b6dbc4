//! A metric for one area: its series over time with intervals and target, the same period
//! across comparable areas, and the revision history of its latest value.

use h2h_charts::{
    BarRow, Category, ChartText, ComparisonBars, ReferenceLine, SeriesPoint, TimeSeries,
    comparison_bars, time_series,
};
use h2h_domain::{Area, Metric, Period, Unit};

use crate::snapshot::Snapshot;
use crate::views::{figure_in_unit, interval_in_unit, plural};

/// A row of the series table.
pub(crate) struct SeriesRow {
    pub period: String,
    pub value: String,
    pub interval: String,
    pub numerator: String,
    pub denominator: String,
    pub benchmark: String,
    pub comparison: String,
}

/// A row of the comparison across areas.
pub(crate) struct AreaRow {
    pub code: String,
    pub name: String,
    pub value: String,
    pub interval: String,
    pub comparison: String,
    /// The area's fifth among the areas compared (Fingertips' quintiles), in words.
    pub quintile: String,
    pub selected: bool,
}

/// Everything the area-metric page shows.
pub(crate) struct MetricSeries {
    pub rows: Vec<SeriesRow>,
    pub chart: String,
    pub latest: Option<String>,
    pub comparison_heading: String,
    pub areas: Vec<AreaRow>,
    pub areas_chart: String,
    /// With more areas than a printed page can draw legibly ([`PRINTED_EACH_END`]): the
    /// highest and lowest areas and the area with its neighbours, and a note saying so.
    pub print_areas_chart: Option<(String, String)>,
    pub benchmark_name: String,
    pub unit_label: String,
    /// Where the area falls among the areas compared, as a sentence (empty when quintiles do
    /// not apply: counts, or fewer than five areas).
    pub quintile_summary: String,
    /// How many areas were left out of the comparison because the viewer may not see their
    /// unpublished figures.
    pub withheld_areas: usize,
}

/// How many of the highest and of the lowest areas a printed comparison draws, when there are
/// too many areas for a page: with the area and its neighbours at most 33 rows, which an A4
/// page draws with the names at about 9 points.
pub(crate) const PRINTED_EACH_END: usize = 15;

/// The rows of `bars` a printed page draws when there are more than it can show legibly: by
/// value, the [`PRINTED_EACH_END`] highest, the as many lowest, and the selected area with the
/// areas either side of it; highest first. `None` when every row fits.
fn printed_selection<'a>(bars: &[BarRow<'a>]) -> Option<Vec<BarRow<'a>>> {
    if bars.len() <= 2 * PRINTED_EACH_END + 3 {
        return None;
    }
    let mut order: Vec<&BarRow<'a>> = bars.iter().filter(|b| b.value.is_some()).collect();
    order.sort_by(|a, b| {
        b.value
            .partial_cmp(&a.value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut keep = vec![false; order.len()];
    for (i, k) in keep.iter_mut().enumerate() {
        *k = i < PRINTED_EACH_END || i + PRINTED_EACH_END >= order.len();
    }
    if let Some(at) = order.iter().position(|b| b.selected) {
        for i in at.saturating_sub(1)..=(at + 1).min(order.len().saturating_sub(1)) {
            if let Some(k) = keep.get_mut(i) {
                *k = true;
            }
        }
    }
    let mut chosen: Vec<BarRow<'a>> = order
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(b, _)| *b)
        .collect();
    if !chosen.iter().any(|b| b.selected)
        && let Some(selected) = bars.iter().find(|b| b.selected)
    {
        // The area without a figure still appears, showing "No data".
        chosen.push(*selected);
    }
    Some(chosen)
}

/// Sort orders of the comparison table (no JavaScript: links carry them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortBy {
    Name,
    ValueAscending,
    ValueDescending,
}

impl SortBy {
    pub(crate) fn parse(text: Option<&str>) -> Self {
        match text {
            Some("value") => Self::ValueAscending,
            Some("-value") => Self::ValueDescending,
            _ => Self::Name,
        }
    }
}

fn unit_label(metric: &Metric) -> String {
    match (metric.unit, metric.multiplier) {
        (Unit::Proportion, _) | (Unit::Value, Some(100)) => String::from("%"),
        (Unit::Rate | Unit::Value, Some(m)) if m > 1 => {
            format!("per {}", crate::views::thousands(u64::from(m)))
        }
        (Unit::Count, _) => String::from("count"),
        _ => String::new(),
    }
}

fn category(code: &str) -> Category {
    Category::from_code(code).unwrap_or(Category::NotCompared)
}

pub(crate) fn metric_series(
    snapshot: &Snapshot,
    metric: &Metric,
    area: &Area,
    sort: SortBy,
    today: time::Date,
    visibility: &crate::auth::Visibility,
) -> MetricSeries {
    metric_series_to(snapshot, metric, area, sort, today, None, "", visibility)
}

/// [`metric_series`] over the periods that end by `up_to`'s end (all, when `None`), with
/// `chart_prefix` before the charts' ids so that several charts can share a document.
#[allow(clippy::too_many_arguments)] // each is one independent choice of the caller's
pub(crate) fn metric_series_to(
    snapshot: &Snapshot,
    metric: &Metric,
    area: &Area,
    sort: SortBy,
    today: time::Date,
    up_to: Option<&Period>,
    chart_prefix: &str,
    visibility: &crate::auth::Visibility,
) -> MetricSeries {
    let engine = &snapshot.engine;
    // A count is not comparable with a larger area's count, so counts have no benchmark.
    let benchmark = engine
        .default_benchmark(&area.code)
        .filter(|_| metric.unit != Unit::Count);
    let benchmark_name = benchmark
        .as_ref()
        .and_then(|b| snapshot.area(b))
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let periods: Vec<Period> = engine
        .periods(&metric.id, &area.code, None)
        .into_iter()
        .filter(|p| up_to.is_none_or(|last| p.end() <= last.end()))
        .collect();
    let series_id = format!("{chart_prefix}series");
    let areas_id = format!("{chart_prefix}areas");
    let indicators: Vec<_> = periods
        .iter()
        .filter_map(|p| engine.indicator(metric, &area.code, p, None, benchmark.as_ref(), today))
        .collect();
    let text = |v: Option<f64>| v.map(|v| figure_in_unit(metric, v)).unwrap_or_default();
    let plain = |v: Option<f64>| v.map(crate::views::figure).unwrap_or_default();
    let rows: Vec<SeriesRow> = indicators
        .iter()
        .rev()
        .map(|i| SeriesRow {
            period: i.period.label(),
            value: text(i.figures.value),
            interval: interval_in_unit(metric, &i.figures.ci_95),
            numerator: plain(i.figures.numerator),
            denominator: plain(i.figures.denominator),
            benchmark: text(i.benchmark.as_ref().map(|b| b.1)),
            comparison: i.comparison.label().to_owned(),
        })
        .collect();
    let codes: Vec<String> = indicators.iter().map(|i| i.period.code()).collect();
    let points: Vec<SeriesPoint<'_>> = indicators
        .iter()
        .zip(&codes)
        .map(|(i, code)| SeriesPoint {
            period: code,
            value: i.figures.value,
            interval: i.figures.ci_95.lower.zip(i.figures.ci_95.upper),
            category: Some(category(i.comparison.code())),
        })
        .collect();
    let benchmark_values: Vec<Option<f64>> = indicators
        .iter()
        .map(|i| i.benchmark.as_ref().map(|b| b.1))
        .collect();
    let target = snapshot.targets.iter().find(|t| {
        t.metric_id == metric.id
            && t.area_code == area.code
            && t.basis == h2h_domain::TargetBasis::Level
    });
    let target_label = target
        .map(|t| format!("Target {}", t.period.code()))
        .unwrap_or_default();
    let unit = unit_label(metric);
    let title = format!("{} in {}", metric.name, area.name);
    let description = format!(
        "{} for each period from {} to {}, with 95% confidence intervals{}. The table below gives the figures.",
        metric.name,
        codes.first().map_or("", String::as_str),
        codes.last().map_or("", String::as_str),
        if benchmark_name.is_empty() {
            String::new()
        } else {
            format!(" and {benchmark_name} for comparison")
        }
    );
    let chart = time_series(&TimeSeries {
        text: ChartText {
            id: &series_id,
            title: &title,
            description: &description,
        },
        unit_label: &unit,
        series_label: &area.name,
        points: &points,
        benchmark: (!benchmark_name.is_empty()).then_some(h2h_charts::BenchmarkSeries {
            label: &benchmark_name,
            values: &benchmark_values,
        }),
        target: target.map(|t| ReferenceLine {
            label: &target_label,
            value: t.target,
        }),
        include_zero: true,
        ..TimeSeries::default()
    });

    // The latest period across areas of the same kind.
    let latest = periods.last().copied();
    let mut compared: Vec<Compared> = Vec::new();
    let mut withheld_areas = 0;
    if let Some(period) = latest {
        for other in snapshot.areas(Some(h2h_domain::AreaKindFilter::Kind(area.kind))) {
            let Some(i) = engine.indicator(
                metric,
                &other.code,
                &period,
                None,
                benchmark.as_ref(),
                today,
            ) else {
                continue;
            };
            if !visibility.shows_figure(snapshot, &other.code, i.provenance.published) {
                withheld_areas += 1;
                continue;
            }
            compared.push(Compared {
                row: AreaRow {
                    code: other.code.to_string(),
                    name: other.name.clone(),
                    value: text(i.figures.value),
                    interval: interval_in_unit(metric, &i.figures.ci_95),
                    comparison: i.comparison.label().to_owned(),
                    quintile: String::new(),
                    selected: other.code == area.code,
                },
                value: i.figures.value,
                interval: i.figures.ci_95.lower.zip(i.figures.ci_95.upper),
                category: category(i.comparison.code()),
            });
        }
    }
    let quintile_summary = assign_quintiles(metric, &mut compared, &area.name);
    match sort {
        SortBy::Name => compared.sort_by(|a, b| a.row.name.cmp(&b.row.name)),
        SortBy::ValueAscending => compared.sort_by(|a, b| {
            a.value
                .partial_cmp(&b.value)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
        SortBy::ValueDescending => compared.sort_by(|a, b| {
            b.value
                .partial_cmp(&a.value)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
    }
    let bars: Vec<BarRow<'_>> = compared
        .iter()
        .map(|c| BarRow {
            label: &c.row.name,
            value: c.value,
            interval: c.interval,
            category: c.category,
            selected: c.row.selected,
        })
        .collect();
    let benchmark_value = latest.and_then(|p| {
        let b = benchmark.as_ref()?;
        engine.resolve(metric, b, &p, None)?.0.value
    });
    let period_label = latest.map(|p| p.label()).unwrap_or_default();
    let kind_label = plural(&area.kind.label().to_lowercase());
    let bars_title = format!("{} in {period_label}: {kind_label} compared", metric.name);
    let bars_description = format!(
        "Each {} with its value and 95% confidence interval{}; the table below gives the figures.",
        area.kind.label().to_lowercase(),
        if benchmark_name.is_empty() {
            String::new()
        } else {
            format!(", against {benchmark_name}")
        }
    );
    let areas_chart = if compared.len() > 1 {
        comparison_bars(&ComparisonBars {
            text: ChartText {
                id: &areas_id,
                title: &bars_title,
                description: &bars_description,
            },
            unit_label: &unit,
            rows: &bars,
            benchmark: benchmark_value.map(|value| ReferenceLine {
                label: &benchmark_name,
                value,
            }),
            ..ComparisonBars::default()
        })
    } else {
        String::new()
    };
    let print_areas_chart = printed_selection(&bars).map(|rows| {
        let print_id = format!("{areas_id}-print");
        let shown = rows.len();
        let note = format!(
            "The chart shows the {PRINTED_EACH_END} highest and the {PRINTED_EACH_END} lowest of the {} {kind_label} and {} with its neighbours ({shown} areas); the table lists every area.",
            compared.len(),
            area.name
        );
        let svg = comparison_bars(&ComparisonBars {
            text: ChartText {
                id: &print_id,
                title: &bars_title,
                description: &note,
            },
            unit_label: &unit,
            rows: &rows,
            benchmark: benchmark_value.map(|value| ReferenceLine {
                label: &benchmark_name,
                value,
            }),
            ..ComparisonBars::default()
        });
        (svg, note)
    });
    MetricSeries {
        withheld_areas,
        rows,
        chart,
        latest: latest.map(|p| p.code()),
        comparison_heading: format!("{} in {period_label}", capitalise(&kind_label)),
        areas: compared.into_iter().map(|c| c.row).collect(),
        areas_chart,
        print_areas_chart,
        benchmark_name,
        unit_label: unit,
        quintile_summary,
    }
}

/// Puts each compared area in its fifth of the areas' values (Fingertips' quintile
/// benchmarking; 1 is the best fifth when the metric has a better direction, else the lowest),
/// and says where `area_name` falls. Counts are not put in fifths: areas differ in size.
fn assign_quintiles(metric: &Metric, compared: &mut [Compared], area_name: &str) -> String {
    if metric.unit == Unit::Count {
        return String::new();
    }
    let values: Vec<f64> = compared.iter().filter_map(|c| c.value).collect();
    let Some(bounds) = h2h_domain::statistics::QuintileBounds::new(&values) else {
        return String::new();
    };
    let judged = metric.polarity != h2h_domain::Polarity::NoJudgement;
    let words = |q: u8| match (q, judged) {
        (1, true) => "1 (best fifth)".to_owned(),
        (5, true) => "5 (worst fifth)".to_owned(),
        (1, false) => "1 (lowest fifth)".to_owned(),
        (5, false) => "5 (highest fifth)".to_owned(),
        (q, _) => q.to_string(),
    };
    let mut summary = String::new();
    for c in compared.iter_mut() {
        if let Some(q) = bounds.category(c.value, metric.polarity) {
            c.row.quintile = words(q);
            if c.row.selected {
                summary = format!(
                    "{area_name} is in quintile {} of the {} areas compared.",
                    c.row.quintile,
                    values.len()
                );
            }
        }
    }
    summary
}

/// An area in the comparison, with what its bar needs.
struct Compared {
    row: AreaRow,
    value: Option<f64>,
    interval: Option<(f64, f64)>,
    category: Category,
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use h2h_domain::{Catalogue, Polarity};

    fn compared(values: &[f64], selected: usize) -> Vec<Compared> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| Compared {
                row: AreaRow {
                    code: format!("E0600000{i}"),
                    name: format!("Area {i}"),
                    value: v.to_string(),
                    interval: String::new(),
                    comparison: String::new(),
                    quintile: String::new(),
                    selected: i == selected,
                },
                value: Some(v),
                interval: None,
                category: Category::NotCompared,
            })
            .collect()
    }

    fn proportion(polarity: Polarity) -> Metric {
        let catalogue = Catalogue::shipped().unwrap();
        let mut metric = catalogue
            .metrics
            .iter()
            .find(|m| m.unit == Unit::Proportion)
            .unwrap()
            .clone();
        metric.polarity = polarity;
        metric
    }

    #[test]
    fn areas_fall_in_fifths_best_first_when_higher_is_better() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let mut rows = compared(&values, 9);
        let summary = assign_quintiles(&proportion(Polarity::HigherIsBetter), &mut rows, "Area 9");
        let fifths: Vec<&str> = rows.iter().map(|r| r.row.quintile.as_str()).collect();
        assert_eq!(
            fifths,
            [
                "5 (worst fifth)",
                "5 (worst fifth)",
                "4",
                "4",
                "3",
                "3",
                "2",
                "2",
                "1 (best fifth)",
                "1 (best fifth)"
            ]
        );
        assert_eq!(
            summary,
            "Area 9 is in quintile 1 (best fifth) of the 10 areas compared."
        );
        let mut rows = compared(&values, 0);
        assign_quintiles(&proportion(Polarity::NoJudgement), &mut rows, "Area 0");
        assert_eq!(rows[0].row.quintile, "1 (lowest fifth)");
    }

    #[test]
    fn area_kinds_are_made_plural() {
        assert_eq!(plural("unitary authority"), "unitary authorities");
        assert_eq!(plural("county"), "counties");
        assert_eq!(plural("district"), "districts");
        assert_eq!(plural("dip area"), "dip areas");
        assert_eq!(plural("way"), "ways");
    }

    #[test]
    fn counts_and_fewer_than_five_areas_have_no_quintiles() {
        let mut rows = compared(&[1.0, 2.0, 3.0, 4.0], 0);
        assert!(assign_quintiles(&proportion(Polarity::HigherIsBetter), &mut rows, "A").is_empty());
        let mut count = proportion(Polarity::HigherIsBetter);
        count.unit = Unit::Count;
        let mut rows = compared(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0);
        assert!(assign_quintiles(&count, &mut rows, "A").is_empty());
        assert!(rows.iter().all(|r| r.row.quintile.is_empty()));
    }
}
