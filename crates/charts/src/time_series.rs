//! A metric over periods for one area, with intervals, benchmark, target and SPC limits.

use crate::category::Category;
use crate::format::{format_decimal, format_number, sensible_decimals, text_width};
use crate::svg::{
    self, Anchor, Axis, BASELINE, BLUE, DASH_BENCHMARK, DASH_TARGET, DOT_LIMITS, DOT_MEAN, GREEN,
    LegendItem, SECONDARY, Sizing, Stroke, Swatch, TEXT, TICK_SIZE, Text,
};
use crate::{ChartText, ReferenceLine, dimension, finite, finite_interval, tick_count};

/// One period of a [`TimeSeries`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SeriesPoint<'a> {
    /// The period's label on the x axis, such as `2023-24` or `2024-Q1`.
    pub period: &'a str,
    /// The value; `None` (or a non-finite value) leaves a gap in the line.
    pub value: Option<f64>,
    /// The 95% confidence interval (low, high), drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    /// How the value compares with the benchmark, which sets the marker's colour and shape;
    /// `None` draws a plain point.
    pub category: Option<Category>,
}

/// A comparator drawn as a dashed line, such as England's value for the same periods.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BenchmarkSeries<'a> {
    /// Its name in the legend, such as "England".
    pub label: &'a str,
    /// Its values, by position matching [`TimeSeries::points`]; extra values are ignored.
    pub values: &'a [Option<f64>],
}

/// Statistical process control lines: the mean and the process limits (usually ±3σ).
/// A non-finite value leaves that line out.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpcLimits {
    /// The process mean.
    pub mean: f64,
    /// The lower process limit.
    pub lower: f64,
    /// The upper process limit.
    pub upper: f64,
}

/// The input of [`time_series`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeSeries<'a> {
    /// Title, description and id prefix.
    pub text: ChartText<'a>,
    /// The value axis label with the unit, such as "%" or "Rate per 100,000".
    pub unit_label: &'a str,
    /// The series' name in the legend, such as the area's name.
    pub series_label: &'a str,
    /// The periods in order.
    pub points: &'a [SeriesPoint<'a>],
    /// An optional comparator line.
    pub benchmark: Option<BenchmarkSeries<'a>>,
    /// An optional target, drawn as a horizontal dash-dot line with its label.
    pub target: Option<ReferenceLine<'a>>,
    /// Optional SPC mean and process limits, drawn as dotted lines.
    pub spc: Option<SpcLimits>,
    /// Whether the value axis must include zero (usual for counts and percentages).
    pub include_zero: bool,
    /// Width of the viewBox; 640 by default. The SVG scales to its container.
    pub width: f64,
    /// Height of the plot and its axes; the legend adds rows below. 300 by default.
    pub height: f64,
}

impl Default for TimeSeries<'_> {
    fn default() -> Self {
        Self {
            text: ChartText::default(),
            unit_label: "",
            series_label: "",
            points: &[],
            benchmark: None,
            target: None,
            spc: None,
            include_zero: true,
            width: 640.0,
            height: 300.0,
        }
    }
}

const SERIES: Stroke<'static> = Stroke {
    class: "h2h-chart__series",
    colour: BLUE,
    width: 2.0,
    dash: None,
};

const BENCHMARK: Stroke<'static> = Stroke {
    class: "h2h-chart__benchmark",
    colour: TEXT,
    width: 1.5,
    dash: Some(DASH_BENCHMARK),
};

const TARGET: Stroke<'static> = Stroke {
    class: "h2h-chart__target",
    colour: GREEN,
    width: 2.0,
    dash: Some(DASH_TARGET),
};

const SPC_MEAN: Stroke<'static> = Stroke {
    class: "h2h-chart__spc-mean",
    colour: SECONDARY,
    width: 1.5,
    dash: Some(DOT_MEAN),
};

const SPC_LIMIT: Stroke<'static> = Stroke {
    class: "h2h-chart__spc-limit",
    colour: SECONDARY,
    width: 1.5,
    dash: Some(DOT_LIMITS),
};

/// Above the plot: room for the unit label.
const TOP: f64 = 34.0;
/// Below the plot: room for the period labels.
const BOTTOM: f64 = 30.0;

/// A line chart of one metric over periods.
///
/// Periods are evenly spaced categories labelled with their codes (thinned when they would
/// overlap, always keeping the latest). The value axis has nice ticks and is labelled with
/// [`TimeSeries::unit_label`]. Missing values leave gaps. Intervals, the benchmark, the target
/// and SPC lines are drawn when given and only then listed in the legend. With no finite
/// value the chart says "No data".
pub fn time_series(chart: &TimeSeries<'_>) -> String {
    let width = dimension(chart.width, 640.0, 200.0, 4000.0);
    let height = dimension(chart.height, 300.0, 120.0, 4000.0);
    let points = chart.points;
    let values: Vec<Option<f64>> = points.iter().map(|p| finite(p.value)).collect();
    let intervals: Vec<Option<(f64, f64)>> =
        points.iter().map(|p| finite_interval(p.interval)).collect();
    let benchmark: Vec<Option<f64>> = match chart.benchmark {
        Some(b) => (0..points.len())
            .map(|i| finite(b.values.get(i).copied().flatten()))
            .collect(),
        None => Vec::new(),
    };
    let target = chart.target.filter(|t| t.value.is_finite());
    let spc = chart.spc.unwrap_or(SpcLimits {
        mean: f64::NAN,
        lower: f64::NAN,
        upper: f64::NAN,
    });
    let spc_lines: Vec<(f64, Stroke<'static>)> = [
        (spc.mean, SPC_MEAN),
        (spc.upper, SPC_LIMIT),
        (spc.lower, SPC_LIMIT),
    ]
    .into_iter()
    .filter(|(v, _)| v.is_finite())
    .collect();

    let mut out = String::new();
    let plot_bottom = height - BOTTOM;

    if values.iter().all(Option::is_none) {
        svg::open(
            &mut out,
            "time-series",
            width,
            height,
            Sizing::Fluid,
            Some(&chart.text),
        );
        svg::no_data(&mut out, width / 2.0, height / 2.0, 16.0);
        svg::close(&mut out);
        return out;
    }

    let axis = Axis::new(
        values
            .iter()
            .flatten()
            .copied()
            .chain(intervals.iter().flatten().flat_map(|(lo, hi)| [*lo, *hi]))
            .chain(benchmark.iter().flatten().copied())
            .chain(target.map(|t| t.value))
            .chain(spc_lines.iter().map(|(v, _)| *v)),
        chart.include_zero,
        plot_bottom,
        TOP,
        tick_count(plot_bottom - TOP, 45.0),
    );
    let left = (axis.label_width() + 10.0).max(24.0);
    let right = width - 12.0;
    let count = points.len().max(1) as f64;
    let band = (right - left) / count;
    let x_at = |i: usize| left + band * (i as f64 + 0.5);
    let y_at = |v: f64| axis.scale.map(v);

    let legend_items = legend_items(chart, &values, &intervals, &benchmark, target, &spc);
    let (legend, legend_height) = svg::legend(&legend_items, 8.0, height + 8.0, width - 4.0);
    let total_height = height + legend_height + 6.0;
    svg::open(
        &mut out,
        "time-series",
        width,
        total_height,
        Sizing::Fluid,
        Some(&chart.text),
    );

    Text::new(4.0, 16.0, chart.unit_label, "h2h-chart__axis-label")
        .fill(SECONDARY)
        .write(&mut out);
    axis.draw_y(&mut out, left, right);
    svg::line(&mut out, &BASELINE, left, plot_bottom, right, plot_bottom);
    let zero = y_at(0.0);
    if axis.scale.contains(0.0) && zero < plot_bottom - 0.5 {
        svg::line(&mut out, &BASELINE, left, zero, right, zero);
    }

    // Period labels, thinned so they do not overlap, counting back from the latest so the
    // most recent period is always labelled.
    let widest = points
        .iter()
        .map(|p| text_width(p.period, TICK_SIZE))
        .fold(0.0, f64::max);
    let every = if band > 0.0 {
        ((widest + 8.0) / band).ceil().max(1.0) as usize
    } else {
        1
    };
    out.push_str("<g class=\"h2h-chart__axis h2h-chart__axis--x\">");
    for (i, point) in points.iter().enumerate() {
        if (points.len() - 1 - i).is_multiple_of(every) {
            // Kept inside the viewBox: the first and last labels can be wider than a band.
            let half = text_width(point.period, TICK_SIZE) / 2.0;
            let centre = x_at(i).min(width - half - 1.0).max(half + 1.0);
            Text::new(centre, plot_bottom + 18.0, point.period, "h2h-chart__tick")
                .anchor(Anchor::Middle)
                .size(TICK_SIZE)
                .fill(SECONDARY)
                .write(&mut out);
        }
    }
    out.push_str("</g>");

    for (value, stroke) in &spc_lines {
        svg::line(&mut out, stroke, left, y_at(*value), right, y_at(*value));
    }
    if let Some(target) = target {
        svg::line(
            &mut out,
            &TARGET,
            left,
            y_at(target.value),
            right,
            y_at(target.value),
        );
    }

    if !benchmark.is_empty() {
        let runs = runs(&benchmark, |i, v| (x_at(i), y_at(v)));
        svg::polyline(&mut out, &BENCHMARK, &runs);
        // A lone benchmark value has no line to show it.
        for run in runs.iter().filter(|r| r.len() == 1) {
            if let Some((x, y)) = run.first() {
                svg::line(&mut out, &BENCHMARK, x - 6.0, *y, x + 6.0, *y);
            }
        }
    }

    let cap = (band * 0.2).clamp(2.0, 6.0);
    for (i, interval) in intervals.iter().enumerate() {
        if let Some((lo, hi)) = interval {
            svg::whisker_vertical(&mut out, x_at(i), y_at(*lo), y_at(*hi), cap);
        }
    }

    svg::polyline(&mut out, &SERIES, &runs(&values, |i, v| (x_at(i), y_at(v))));
    let radius = (band * 0.3).clamp(2.0, 5.0);
    for (i, (point, value)) in points.iter().zip(&values).enumerate() {
        if let Some(v) = value {
            let tooltip = point_tooltip(point.period, *v, intervals.get(i).copied().flatten());
            let r = if point.category.is_some() {
                radius
            } else {
                radius * 0.75
            };
            svg::marker(
                &mut out,
                point.category,
                x_at(i),
                y_at(*v),
                r,
                false,
                Some(&tooltip),
            );
        }
    }

    // The target's label sits on its line at the right, haloed so lines under it do not
    // make it unreadable.
    if let Some(target) = target {
        Text::new(
            right - 4.0,
            y_at(target.value) - 6.0,
            target.label,
            "h2h-chart__target-label",
        )
        .anchor(Anchor::End)
        .fill(GREEN)
        .halo()
        .write(&mut out);
    }

    out.push_str(&legend);
    svg::close(&mut out);
    out
}

/// Runs of consecutive present values as coordinates; a `None` ends a run.
fn runs(values: &[Option<f64>], at: impl Fn(usize, f64) -> (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => current.push(at(i, *v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The point's tooltip; the value and its interval share decimals so they read as a set.
fn point_tooltip(period: &str, value: f64, interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((lo, hi)) => {
            let decimals = sensible_decimals(value.abs().max(lo.abs()).max(hi.abs()));
            format!(
                "{period}: {} (95% confidence interval {} to {})",
                format_decimal(value, decimals),
                format_decimal(lo, decimals),
                format_decimal(hi, decimals)
            )
        }
        None => format!("{period}: {}", format_number(value)),
    }
}

fn legend_items(
    chart: &TimeSeries<'_>,
    values: &[Option<f64>],
    intervals: &[Option<(f64, f64)>],
    benchmark: &[Option<f64>],
    target: Option<ReferenceLine<'_>>,
    spc: &SpcLimits,
) -> Vec<LegendItem> {
    // The series swatch shows the plain point only if some points are drawn plain; when
    // every point has a category marker, those are listed instead.
    let plain_points = chart
        .points
        .iter()
        .zip(values)
        .any(|(p, v)| v.is_some() && p.category.is_none());
    let mut items = vec![LegendItem {
        swatch: Swatch::Line {
            stroke: SERIES,
            point: plain_points,
        },
        label: if chart.series_label.is_empty() {
            "Value".to_owned()
        } else {
            chart.series_label.to_owned()
        },
    }];
    items.extend(svg::category_items(
        chart
            .points
            .iter()
            .zip(values)
            .filter(|(_, v)| v.is_some())
            .filter_map(|(p, _)| p.category),
        false,
    ));
    if intervals.iter().any(Option::is_some) {
        items.push(LegendItem {
            swatch: Swatch::WhiskerVertical,
            label: "95% confidence interval".to_owned(),
        });
    }
    if let Some(b) = chart.benchmark
        && benchmark.iter().any(Option::is_some)
    {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: BENCHMARK,
                point: false,
            },
            label: if b.label.is_empty() {
                "Benchmark".to_owned()
            } else {
                b.label.to_owned()
            },
        });
    }
    if let Some(target) = target {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: TARGET,
                point: false,
            },
            label: if target.label.is_empty() {
                "Target".to_owned()
            } else {
                target.label.to_owned()
            },
        });
    }
    if spc.mean.is_finite() {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: SPC_MEAN,
                point: false,
            },
            label: "Mean".to_owned(),
        });
    }
    if spc.lower.is_finite() || spc.upper.is_finite() {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: SPC_LIMIT,
                point: false,
            },
            label: "Process limits".to_owned(),
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points() -> Vec<SeriesPoint<'static>> {
        vec![
            SeriesPoint {
                period: "2021-22",
                value: Some(40.0),
                interval: Some((36.0, 44.0)),
                category: None,
            },
            SeriesPoint {
                period: "2022-23",
                value: None,
                interval: None,
                category: None,
            },
            SeriesPoint {
                period: "2023-24",
                value: Some(47.5),
                interval: None,
                category: Some(Category::Better),
            },
        ]
    }

    #[test]
    fn optional_elements_appear_in_the_legend_only_when_present() {
        let points = points();
        let bare = time_series(&TimeSeries {
            points: &points,
            ..TimeSeries::default()
        });
        assert!(!bare.contains("h2h-chart__benchmark"));
        assert!(!bare.contains("h2h-chart__target"));
        assert!(!bare.contains(">Mean<"));
        assert!(bare.contains(">95% confidence interval<"));
        assert!(bare.contains(">Better<"));

        let full = time_series(&TimeSeries {
            points: &points,
            benchmark: Some(BenchmarkSeries {
                label: "England",
                values: &[Some(42.0), Some(43.0), Some(44.0)],
            }),
            target: Some(ReferenceLine {
                label: "Target: 50%",
                value: 50.0,
            }),
            spc: Some(SpcLimits {
                mean: 44.0,
                lower: 30.0,
                upper: 58.0,
            }),
            ..TimeSeries::default()
        });
        for needle in [">England<", ">Target: 50%<", ">Mean<", ">Process limits<"] {
            assert!(full.contains(needle), "{needle} missing");
        }
    }

    #[test]
    fn a_gap_splits_the_series_line() {
        let points = points();
        let svg = time_series(&TimeSeries {
            points: &points,
            ..TimeSeries::default()
        });
        // Two separate values around a gap make no line at all, just markers.
        assert!(!svg.contains("<path class=\"h2h-chart__series\""));
        assert!(svg.matches("<circle class=\"h2h-chart__point\"").count() >= 1);
    }

    #[test]
    fn no_values_says_no_data() {
        let svg = time_series(&TimeSeries::default());
        assert!(svg.contains(">No data</text>"));
        let missing = [SeriesPoint {
            period: "2024",
            value: Some(f64::NAN),
            ..SeriesPoint::default()
        }];
        let svg = time_series(&TimeSeries {
            points: &missing,
            ..TimeSeries::default()
        });
        assert!(svg.contains(">No data</text>"));
    }

    #[test]
    fn many_periods_are_thinned_but_the_latest_is_kept() {
        let labels: Vec<String> = (0..48).map(|i| format!("2020-{i:02}")).collect();
        let points: Vec<SeriesPoint<'_>> = labels
            .iter()
            .map(|l| SeriesPoint {
                period: l,
                value: Some(1.0),
                ..SeriesPoint::default()
            })
            .collect();
        let svg = time_series(&TimeSeries {
            points: &points,
            ..TimeSeries::default()
        });
        assert!(svg.contains(">2020-47</text>"));
        assert!(svg.matches("class=\"h2h-chart__tick\"").count() < 48 + 10);
        assert!(!svg.contains(">2020-46</text>"));
    }
}
