//! Horizontal bars comparing many areas with a benchmark.

use std::fmt::Write as _;

use crate::category::Category;
use crate::format::{N, format_decimal, sensible_decimals, text_width, truncate_to_width};
use crate::svg::{
    self, Anchor, Axis, BASELINE, FONT_SIZE, LIGHT_GREY, LegendItem, SECONDARY, Sizing, Stroke,
    Swatch, TEXT, Text,
};
use crate::{ChartText, ReferenceLine, dimension, finite, finite_interval, tick_count};

/// One area's row in [`comparison_bars`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BarRow<'a> {
    /// The area's name, shown on the left (shortened with an ellipsis if very long; the
    /// full name is its tooltip).
    pub label: &'a str,
    /// The value; `None` (or non-finite) shows "No data" in place of a bar.
    pub value: Option<f64>,
    /// The 95% confidence interval (low, high), drawn as a whisker over the bar.
    pub interval: Option<(f64, f64)>,
    /// How the value compares with the benchmark: the bar's colour and the marker's shape.
    pub category: Category,
    /// Whether this is the area the page is about: bold label, outlined bar, shaded row.
    pub selected: bool,
}

/// The input of [`comparison_bars`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComparisonBars<'a> {
    /// Title, description and id prefix.
    pub text: ChartText<'a>,
    /// The value axis label with the unit, such as "%" or "Rate per 100,000".
    pub unit_label: &'a str,
    /// One row per area, drawn in the order given.
    pub rows: &'a [BarRow<'a>],
    /// An optional benchmark, drawn as a vertical line labelled with its name and value.
    pub benchmark: Option<ReferenceLine<'a>>,
    /// Decimals for the values shown in text (each row's value and the benchmark's), the
    /// same for every row so the column lines up; `None` picks them from the largest value
    /// (three significant figures: 45.2, 123, 0.123).
    pub decimals: Option<usize>,
    /// Width of the viewBox; 640 by default. The height follows from the number of rows.
    pub width: f64,
}

impl Default for ComparisonBars<'_> {
    fn default() -> Self {
        Self {
            text: ChartText::default(),
            unit_label: "",
            rows: &[],
            benchmark: None,
            decimals: None,
            width: 640.0,
        }
    }
}

const ROW: f64 = 24.0;
const BAR: f64 = 14.0;
const PLOT_TOP: f64 = 30.0;

const BENCHMARK: Stroke<'static> = Stroke {
    class: "h2h-chart__benchmark",
    colour: TEXT,
    width: 2.0,
    dash: None,
};

/// Horizontal bars, one row per area in the order given: the name on the left, a marker
/// whose shape shows the comparison category, the bar from zero coloured by category, its
/// 95% interval whisker and the value in text on the right. The benchmark is a labelled
/// vertical line; the selected area has a bold name, an outlined bar and a shaded row. The
/// height grows with the number of rows. With no rows it says "No data".
pub fn comparison_bars(chart: &ComparisonBars<'_>) -> String {
    let width = dimension(chart.width, 640.0, 320.0, 4000.0);
    let rows = chart.rows;
    let mut out = String::new();
    if rows.is_empty() {
        svg::open(
            &mut out,
            "comparison-bars",
            width,
            120.0,
            Sizing::Fluid,
            Some(&chart.text),
        );
        svg::no_data(&mut out, width / 2.0, 60.0, 16.0);
        svg::close(&mut out);
        return out;
    }

    let values: Vec<Option<f64>> = rows.iter().map(|r| finite(r.value)).collect();
    let intervals: Vec<Option<(f64, f64)>> =
        rows.iter().map(|r| finite_interval(r.interval)).collect();
    let benchmark = chart.benchmark.filter(|b| b.value.is_finite());
    let decimals = chart.decimals.map_or_else(
        || {
            let largest = values
                .iter()
                .flatten()
                .fold(0.0, |m: f64, v| m.max(v.abs()));
            sensible_decimals(largest)
        },
        |d| d.min(6),
    );
    let value_texts: Vec<String> = values
        .iter()
        .map(|v| v.map_or_else(|| "No data".to_owned(), |v| format_decimal(v, decimals)))
        .collect();

    // Bold text is wider, so measure names as if bold; the column is capped so long names
    // cannot squeeze the bars away.
    let widest_name = rows
        .iter()
        .map(|r| text_width(r.label, FONT_SIZE) * 1.08)
        .fold(0.0, f64::max);
    let label_width = (widest_name + 12.0).clamp(60.0, width * 0.38);
    let marker_x = label_width + 10.0;
    let value_width = value_texts
        .iter()
        .map(|t| text_width(t, FONT_SIZE))
        .fold(40.0, f64::max);
    let x0 = label_width + 24.0;
    let x1 = width - value_width - 16.0;

    let axis = Axis::new(
        values
            .iter()
            .flatten()
            .copied()
            .chain(intervals.iter().flatten().flat_map(|(lo, hi)| [*lo, *hi]))
            .chain(benchmark.map(|b| b.value)),
        true,
        x0,
        x1,
        tick_count(x1 - x0, 70.0),
    );
    let x_at = |v: f64| axis.scale.map(v);
    let plot_bottom = PLOT_TOP + ROW * rows.len() as f64;
    let chart_height = plot_bottom + 44.0;

    let legend_items = legend_items(rows, &intervals, benchmark);
    let (legend, legend_height) = svg::legend(&legend_items, 8.0, chart_height + 8.0, width - 4.0);
    svg::open(
        &mut out,
        "comparison-bars",
        width,
        chart_height + legend_height + 6.0,
        Sizing::Fluid,
        Some(&chart.text),
    );

    // Shading behind the selected row goes first so everything else draws over it.
    for (i, row) in rows.iter().enumerate() {
        if row.selected {
            let _ = write!(
                out,
                "<rect class=\"h2h-chart__row-highlight\" x=\"0\" y=\"{}\" width=\"{}\" \
                 height=\"{}\" fill=\"{LIGHT_GREY}\"/>",
                N(PLOT_TOP + ROW * i as f64),
                N(width),
                N(ROW)
            );
        }
    }
    axis.draw_x(&mut out, PLOT_TOP, plot_bottom, width);
    Text::new(
        (x0 + x1) / 2.0,
        plot_bottom + 38.0,
        chart.unit_label,
        "h2h-chart__axis-label",
    )
    .anchor(Anchor::Middle)
    .fill(SECONDARY)
    .write(&mut out);

    let zero = x_at(0.0);
    for (i, row) in rows.iter().enumerate() {
        let top = PLOT_TOP + ROW * i as f64;
        let mid = top + ROW / 2.0;
        let baseline = mid + FONT_SIZE * 0.35;
        out.push_str(if row.selected {
            "<g class=\"h2h-chart__row h2h-chart__row--selected\">"
        } else {
            "<g class=\"h2h-chart__row\">"
        });
        let name = truncate_to_width(row.label, FONT_SIZE * 1.08, label_width - 12.0);
        let tooltip = (name != row.label).then_some(row.label);
        Text::new(label_width, baseline, &name, "h2h-chart__row-label")
            .anchor(Anchor::End)
            .bold(row.selected)
            .tooltip(tooltip)
            .write(&mut out);
        svg::marker(
            &mut out,
            Some(row.category),
            marker_x,
            mid,
            5.0,
            row.selected,
            Some(row.category.label()),
        );
        let value = values.get(i).copied().flatten();
        if let Some(v) = value {
            let end = x_at(v);
            svg::bar_rect(
                &mut out,
                row.category,
                row.selected,
                zero.min(end),
                mid - BAR / 2.0,
                (end - zero).abs(),
                BAR,
            );
        }
        if let Some((lo, hi)) = intervals.get(i).copied().flatten() {
            svg::whisker_horizontal(&mut out, mid, x_at(lo), x_at(hi), 4.0);
        }
        let value_text = value_texts.get(i).map_or("No data", String::as_str);
        Text::new(width - 4.0, baseline, value_text, "h2h-chart__value")
            .anchor(Anchor::End)
            .fill(if value.is_some() { TEXT } else { SECONDARY })
            .bold(row.selected)
            .write(&mut out);
        out.push_str("</g>");
    }
    // The zero line goes over the bars so where they start is unmistakable.
    svg::line(&mut out, &BASELINE, zero, PLOT_TOP, zero, plot_bottom);

    if let Some(benchmark) = benchmark {
        let x = x_at(benchmark.value);
        svg::line(&mut out, &BENCHMARK, x, PLOT_TOP - 6.0, x, plot_bottom);
        let value = format_decimal(benchmark.value, decimals);
        let label = if benchmark.label.is_empty() {
            value
        } else {
            format!("{}: {value}", benchmark.label)
        };
        // Centred over the line, but kept inside the viewBox.
        let half = text_width(&label, FONT_SIZE) / 2.0;
        let centre = x.clamp(half + 2.0, (width - half - 2.0).max(half + 2.0));
        Text::new(
            centre,
            PLOT_TOP - 12.0,
            &label,
            "h2h-chart__benchmark-label",
        )
        .anchor(Anchor::Middle)
        .write(&mut out);
    }

    out.push_str(&legend);
    svg::close(&mut out);
    out
}

fn legend_items(
    rows: &[BarRow<'_>],
    intervals: &[Option<(f64, f64)>],
    benchmark: Option<ReferenceLine<'_>>,
) -> Vec<LegendItem> {
    let mut items = svg::category_items(rows.iter().map(|r| r.category), true);
    if intervals.iter().any(Option::is_some) {
        items.push(LegendItem {
            swatch: Swatch::Whisker,
            label: "95% confidence interval".to_owned(),
        });
    }
    if let Some(benchmark) = benchmark {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: BENCHMARK,
                point: false,
            },
            label: if benchmark.label.is_empty() {
                "Benchmark".to_owned()
            } else {
                benchmark.label.to_owned()
            },
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &'static str, value: Option<f64>, category: Category) -> BarRow<'static> {
        BarRow {
            label,
            value,
            interval: value.map(|v| (v - 2.0, v + 2.0)),
            category,
            selected: false,
        }
    }

    #[test]
    fn height_grows_with_rows() {
        let few = [row("A", Some(1.0), Category::Better)];
        let many: Vec<BarRow<'_>> = (0..10)
            .map(|_| row("A", Some(1.0), Category::Better))
            .collect();
        let height = |svg: &str| {
            let start = svg.find("viewBox=\"0 0 640 ").map(|i| i + 17).unwrap();
            svg[start..]
                .split('"')
                .next()
                .unwrap()
                .parse::<f64>()
                .unwrap()
        };
        let a = comparison_bars(&ComparisonBars {
            rows: &few,
            ..ComparisonBars::default()
        });
        let b = comparison_bars(&ComparisonBars {
            rows: &many,
            ..ComparisonBars::default()
        });
        assert!((height(&b) - height(&a) - 9.0 * ROW).abs() < 0.01);
    }

    #[test]
    fn selected_row_is_bold_and_outlined() {
        let mut rows = [
            row("Leeds", Some(40.0), Category::Worse),
            row("York", Some(50.0), Category::Similar),
        ];
        rows[0].selected = true;
        let svg = comparison_bars(&ComparisonBars {
            rows: &rows,
            ..ComparisonBars::default()
        });
        assert!(svg.contains("font-weight=\"bold\">Leeds</text>"));
        assert!(svg.contains("h2h-chart__bar--selected"));
        assert_eq!(svg.matches("h2h-chart__row--selected").count(), 1);
    }

    #[test]
    fn missing_values_say_no_data_per_row() {
        let rows = [row("Leeds", None, Category::NotCompared)];
        let svg = comparison_bars(&ComparisonBars {
            rows: &rows,
            ..ComparisonBars::default()
        });
        assert!(svg.contains(">No data</text>"));
        // Only the legend's swatch: no bar in the row.
        assert_eq!(svg.matches("<rect class=\"h2h-chart__bar").count(), 1);
    }

    #[test]
    fn negative_values_draw_bars_left_of_zero() {
        let rows = [row("Down", Some(-5.0), Category::Lower)];
        let svg = comparison_bars(&ComparisonBars {
            rows: &rows,
            ..ComparisonBars::default()
        });
        assert!(svg.contains("h2h-chart__bar--lower"));
    }
}
