//! A funnel plot: each area's value against its denominator, within control limits.

use std::fmt::Write as _;

use crate::category::Category;
use crate::format::{N, format_number, sanitize_id, text_width};
use crate::svg::{
    self, Anchor, Axis, BASELINE, DASH_LIMIT_95, FONT_SIZE, LegendItem, SECONDARY, Sizing, Stroke,
    Swatch, TEXT, Text,
};
use crate::{ChartText, ReferenceLine, dimension, tick_count};

/// One area in a [`funnel_plot`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FunnelPoint<'a> {
    /// The area's name, used in the point's tooltip and, when selected, on the chart.
    pub label: &'a str,
    /// The denominator (population or count), on the x axis.
    pub denominator: f64,
    /// The value, on the y axis.
    pub value: f64,
    /// Where the point falls against the limits: its colour and shape.
    pub category: Category,
    /// Whether this is the area the page is about: a larger, outlined marker with its name.
    pub selected: bool,
}

/// The input of [`funnel_plot`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelPlot<'a> {
    /// Title, description and id prefix (also used for the plot's clip path id).
    pub text: ChartText<'a>,
    /// The x axis label, such as "Number in treatment".
    pub x_label: &'a str,
    /// The value axis label with the unit, such as "%".
    pub unit_label: &'a str,
    /// The areas. Points with a non-finite denominator or value are left out.
    pub points: &'a [FunnelPoint<'a>],
    /// The baseline (usually the national value), drawn as a horizontal line.
    pub baseline: Option<ReferenceLine<'a>>,
    /// The 95% (2σ) control limits as `(denominator, lower, upper)`, in any order.
    pub limits_95: &'a [(f64, f64, f64)],
    /// The 99.8% (3σ) control limits as `(denominator, lower, upper)`, in any order.
    pub limits_998: &'a [(f64, f64, f64)],
    /// Whether the value axis must include zero.
    pub include_zero: bool,
    /// Width of the viewBox; 640 by default. The SVG scales to its container.
    pub width: f64,
    /// Height of the plot and its axes; the legend adds rows below. 400 by default.
    pub height: f64,
}

impl Default for FunnelPlot<'_> {
    fn default() -> Self {
        Self {
            text: ChartText::default(),
            x_label: "",
            unit_label: "",
            points: &[],
            baseline: None,
            limits_95: &[],
            limits_998: &[],
            include_zero: false,
            width: 640.0,
            height: 400.0,
        }
    }
}

const TOP: f64 = 34.0;
const BOTTOM: f64 = 46.0;

const BASELINE_LINE: Stroke<'static> = Stroke {
    class: "h2h-chart__benchmark",
    colour: TEXT,
    width: 2.0,
    dash: None,
};

const LIMIT_95: Stroke<'static> = Stroke {
    class: "h2h-chart__limit h2h-chart__limit--95",
    colour: SECONDARY,
    width: 1.5,
    dash: Some(DASH_LIMIT_95),
};

const LIMIT_998: Stroke<'static> = Stroke {
    class: "h2h-chart__limit h2h-chart__limit--998",
    colour: SECONDARY,
    width: 1.5,
    dash: Some("2 3"),
};

/// A funnel plot: points at (denominator, value), shaped and coloured by category, the
/// baseline, and the 95% and 99.8% control limit curves (clipped to the plot). The value axis
/// covers the points, the baseline and the limits over the points' range of denominators.
/// The selected point is drawn last, larger, with its name. With no plottable point it says
/// "No data".
pub fn funnel_plot(chart: &FunnelPlot<'_>) -> String {
    let width = dimension(chart.width, 640.0, 240.0, 4000.0);
    let height = dimension(chart.height, 400.0, 160.0, 4000.0);
    let points: Vec<&FunnelPoint<'_>> = chart
        .points
        .iter()
        .filter(|p| p.denominator.is_finite() && p.value.is_finite())
        .collect();
    let mut out = String::new();
    if points.is_empty() {
        svg::open(
            &mut out,
            "funnel",
            width,
            height,
            Sizing::Fluid,
            Some(&chart.text),
        );
        svg::no_data(&mut out, width / 2.0, height / 2.0, 16.0);
        svg::close(&mut out);
        return out;
    }
    let baseline = chart.baseline.filter(|b| b.value.is_finite());
    let limits_95 = sorted_limits(chart.limits_95);
    let limits_998 = sorted_limits(chart.limits_998);

    let (min_x, max_x) = svg::extent(points.iter().map(|p| p.denominator));
    let in_range = |x: f64| x >= min_x && x <= max_x;
    let plot_bottom = height - BOTTOM;
    let y_axis = Axis::new(
        points
            .iter()
            .map(|p| p.value)
            .chain(baseline.map(|b| b.value))
            .chain(
                limits_95
                    .iter()
                    .chain(&limits_998)
                    .filter(|(x, _, _)| in_range(*x))
                    .flat_map(|(_, lo, hi)| [*lo, *hi]),
            ),
        chart.include_zero,
        plot_bottom,
        TOP,
        tick_count(plot_bottom - TOP, 60.0),
    );
    let left = (y_axis.label_width() + 10.0).max(24.0);
    let right = width - 16.0;
    let x_axis = Axis::new(
        points.iter().map(|p| p.denominator),
        true,
        left,
        right,
        tick_count(right - left, 90.0),
    );
    let x_at = |v: f64| x_axis.scale.map(v);
    let y_at = |v: f64| y_axis.scale.map(v);

    let legend_items = legend_items(&points, baseline, &limits_95, &limits_998);
    let (legend, legend_height) = svg::legend(&legend_items, 8.0, height + 8.0, width - 4.0);
    svg::open(
        &mut out,
        "funnel",
        width,
        height + legend_height + 6.0,
        Sizing::Fluid,
        Some(&chart.text),
    );

    Text::new(4.0, 16.0, chart.unit_label, "h2h-chart__axis-label")
        .fill(SECONDARY)
        .write(&mut out);
    y_axis.draw_y(&mut out, left, right);
    x_axis.draw_x(&mut out, TOP, plot_bottom, width);
    svg::line(&mut out, &BASELINE, left, plot_bottom, right, plot_bottom);
    Text::new(
        (left + right) / 2.0,
        plot_bottom + 38.0,
        chart.x_label,
        "h2h-chart__axis-label",
    )
    .anchor(Anchor::Middle)
    .fill(SECONDARY)
    .write(&mut out);

    // Limits run off the plot at small denominators; the clip path keeps them inside it.
    let clip_id = format!("{}-plot", sanitize_id(chart.text.id));
    let _ = write!(
        out,
        "<defs><clipPath id=\"{clip_id}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\
         </clipPath></defs><g class=\"h2h-chart__limits\" clip-path=\"url(#{clip_id})\">",
        N(left),
        N(TOP),
        N(right - left),
        N(plot_bottom - TOP)
    );
    for (limits, stroke) in [(&limits_998, LIMIT_998), (&limits_95, LIMIT_95)] {
        let at = |x: f64, y: f64| (x_at(x), y_at(y));
        let upper: Vec<(f64, f64)> = limits.iter().map(|(x, _, hi)| at(*x, *hi)).collect();
        let lower: Vec<(f64, f64)> = limits.iter().map(|(x, lo, _)| at(*x, *lo)).collect();
        svg::polyline(&mut out, &stroke, &[upper, lower]);
    }
    out.push_str("</g>");

    if let Some(baseline) = baseline {
        let y = y_at(baseline.value);
        svg::line(&mut out, &BASELINE_LINE, left, y, right, y);
    }

    // Selected points last so nothing covers them.
    let ordered = points
        .iter()
        .filter(|p| !p.selected)
        .chain(points.iter().filter(|p| p.selected));
    for point in ordered {
        let tooltip = format!(
            "{}: {} (denominator {})",
            point.label,
            format_number(point.value),
            format_number(point.denominator)
        );
        let (x, y) = (x_at(point.denominator), y_at(point.value));
        let r = if point.selected { 6.5 } else { 4.5 };
        svg::marker(
            &mut out,
            Some(point.category),
            x,
            y,
            r,
            point.selected,
            Some(&tooltip),
        );
        if point.selected && !point.label.is_empty() {
            // The name goes right of the point unless that would run off the chart.
            let fits_right = x + 12.0 + text_width(point.label, FONT_SIZE) <= width - 2.0;
            let (tx, anchor) = if fits_right {
                (x + 12.0, Anchor::Start)
            } else {
                (x - 12.0, Anchor::End)
            };
            Text::new(
                tx,
                y + FONT_SIZE * 0.35,
                point.label,
                "h2h-chart__point-label",
            )
            .anchor(anchor)
            .bold(true)
            .halo()
            .write(&mut out);
        }
    }

    out.push_str(&legend);
    svg::close(&mut out);
    out
}

/// Limit points whose three values are all finite, sorted by denominator so the curves are
/// drawn in order; incomplete ones are dropped rather than drawn as spikes.
fn sorted_limits(limits: &[(f64, f64, f64)]) -> Vec<(f64, f64, f64)> {
    let mut sorted: Vec<(f64, f64, f64)> = limits
        .iter()
        .copied()
        .filter(|(x, lo, hi)| x.is_finite() && lo.is_finite() && hi.is_finite())
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    sorted
}

fn legend_items(
    points: &[&FunnelPoint<'_>],
    baseline: Option<ReferenceLine<'_>>,
    limits_95: &[(f64, f64, f64)],
    limits_998: &[(f64, f64, f64)],
) -> Vec<LegendItem> {
    let mut items = svg::category_items(points.iter().map(|p| p.category), false);
    if let Some(baseline) = baseline {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: BASELINE_LINE,
                point: false,
            },
            label: if baseline.label.is_empty() {
                "Baseline".to_owned()
            } else {
                baseline.label.to_owned()
            },
        });
    }
    if limits_95.len() >= 2 {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: LIMIT_95,
                point: false,
            },
            label: "95% control limits".to_owned(),
        });
    }
    if limits_998.len() >= 2 {
        items.push(LegendItem {
            swatch: Swatch::Line {
                stroke: LIMIT_998,
                point: false,
            },
            label: "99.8% control limits".to_owned(),
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_plottable_points_say_no_data() {
        let points = [FunnelPoint {
            label: "Nowhere",
            denominator: f64::NAN,
            value: 3.0,
            ..FunnelPoint::default()
        }];
        let svg = funnel_plot(&FunnelPlot {
            points: &points,
            ..FunnelPlot::default()
        });
        assert!(svg.contains(">No data</text>"));
    }

    #[test]
    fn limits_are_clipped_and_in_the_legend() {
        let points = [FunnelPoint {
            label: "Leeds",
            denominator: 500.0,
            value: 48.0,
            category: Category::Similar,
            selected: true,
        }];
        let svg = funnel_plot(&FunnelPlot {
            text: ChartText {
                id: "f",
                ..ChartText::default()
            },
            points: &points,
            limits_95: &[(100.0, 40.0, 60.0), (1000.0, 47.0, 53.0)],
            ..FunnelPlot::default()
        });
        assert!(svg.contains("clip-path=\"url(#f-plot)\""));
        assert!(svg.contains(">95% control limits<"));
        assert!(!svg.contains("99.8%"));
        assert!(svg.contains(">Leeds</text>"));
    }
}
