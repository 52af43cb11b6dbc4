//! Low-level SVG writing shared by the charts: the root element, text, lines, markers,
//! axes and the legend.
//!
//! Every element carries a `h2h-chart__*` class for the page's stylesheet *and* inline
//! presentation attributes in GOV.UK colours, because the same SVG is also rendered
//! standalone (PDF exports) where no stylesheet applies. Presentation attributes lose to
//! CSS, so a stylesheet can still restyle everything.

use std::fmt::Write as _;

use crate::ChartText;
use crate::category::{Category, Shape};
use crate::format::{N, escape, format_decimal, sanitize_id, text_width};
use crate::scale::{Scale, nice_ticks, step_decimals};

/// GOV.UK text colour.
pub(crate) const TEXT: &str = "#0b0c0c";
/// GOV.UK secondary text colour (7:1 on white, so fine for small text).
pub(crate) const SECONDARY: &str = "#505a5f";
/// GOV.UK blue.
pub(crate) const BLUE: &str = "#1d70b8";
/// GOV.UK light blue.
pub(crate) const LIGHT_BLUE: &str = "#5694ca";
/// GOV.UK green.
pub(crate) const GREEN: &str = "#00703c";
/// GOV.UK red.
pub(crate) const RED: &str = "#d4351c";
/// GOV.UK orange.
pub(crate) const ORANGE: &str = "#f47738";
/// GOV.UK mid grey, for gridlines.
pub(crate) const GREY: &str = "#b1b4b6";
/// GOV.UK light grey, for the selected row's background.
pub(crate) const LIGHT_GREY: &str = "#f3f2f1";
/// White.
pub(crate) const WHITE: &str = "#ffffff";

/// Font stack used when no stylesheet sets one; GOV.UK Frontend falls back to Arial too.
const FONT: &str = "arial, sans-serif";

/// Body text size in user units.
pub(crate) const FONT_SIZE: f64 = 14.0;
/// Axis tick label size.
pub(crate) const TICK_SIZE: f64 = 13.0;

/// Dash pattern of benchmark lines.
pub(crate) const DASH_BENCHMARK: &str = "8 4";
/// Dash pattern of target lines.
pub(crate) const DASH_TARGET: &str = "12 4 3 4";
/// Dot pattern of the SPC mean.
pub(crate) const DOT_MEAN: &str = "2 2";
/// Dot pattern of SPC process limits.
pub(crate) const DOT_LIMITS: &str = "2 5";
/// Dash pattern of 95% control limits in funnel plots.
pub(crate) const DASH_LIMIT_95: &str = "6 4";

/// How the root element is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sizing {
    /// `width="100%"`, height from the viewBox's aspect ratio: fills its container.
    Fluid,
    /// Fixed `width` and `height` in pixels, for inline sparklines.
    Fixed,
}

/// Writes the opening `<svg>` with its accessible name and description.
///
/// With `text` the SVG is `role="img"` labelled by its `<title>` and `<desc>`; without, it is
/// decorative and hidden from assistive technology (the caller shows the numbers elsewhere).
pub(crate) fn open(
    out: &mut String,
    kind: &str,
    width: f64,
    height: f64,
    sizing: Sizing,
    text: Option<&ChartText<'_>>,
) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"h2h-chart h2h-chart--{kind}\" \
         viewBox=\"0 0 {} {}\"",
        N(width),
        N(height)
    );
    match sizing {
        Sizing::Fluid => out.push_str(" width=\"100%\" style=\"max-width:100%;height:auto\""),
        Sizing::Fixed => {
            let _ = write!(out, " width=\"{}\" height=\"{}\"", N(width), N(height));
        }
    }
    let _ = write!(out, " font-family=\"{FONT}\"");
    match text {
        Some(text) => {
            let id = sanitize_id(text.id);
            let _ = write!(
                out,
                " id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
                 <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
                escape(text.title),
                escape(text.description)
            );
        }
        None => out.push_str(" aria-hidden=\"true\" focusable=\"false\">"),
    }
}

/// Closes the root element.
pub(crate) fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// Horizontal alignment of text relative to its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A piece of text. `y` is the baseline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text<'a> {
    pub x: f64,
    pub y: f64,
    pub content: &'a str,
    pub class: &'a str,
    pub anchor: Anchor,
    pub size: f64,
    pub fill: &'a str,
    pub bold: bool,
    /// A white backdrop and outline behind the text so it stays legible over lines.
    pub halo: bool,
    /// A tooltip (the full text when `content` was shortened).
    pub tooltip: Option<&'a str>,
}

impl<'a> Text<'a> {
    /// Plain body text at `x`, `y` with the given class.
    pub(crate) fn new(x: f64, y: f64, content: &'a str, class: &'a str) -> Self {
        Self {
            x,
            y,
            content,
            class,
            anchor: Anchor::Start,
            size: FONT_SIZE,
            fill: TEXT,
            bold: false,
            halo: false,
            tooltip: None,
        }
    }

    pub(crate) fn anchor(self, anchor: Anchor) -> Self {
        Self { anchor, ..self }
    }

    pub(crate) fn size(self, size: f64) -> Self {
        Self { size, ..self }
    }

    pub(crate) fn fill(self, fill: &'a str) -> Self {
        Self { fill, ..self }
    }

    pub(crate) fn bold(self, bold: bool) -> Self {
        Self { bold, ..self }
    }

    pub(crate) fn halo(self) -> Self {
        Self { halo: true, ..self }
    }

    pub(crate) fn tooltip(self, tooltip: Option<&'a str>) -> Self {
        Self { tooltip, ..self }
    }

    pub(crate) fn write(&self, out: &mut String) {
        if self.halo {
            // The stroke halo only covers the glyphs; a backdrop also covers the gaps
            // between words, where dotted lines would otherwise show through.
            let width = text_width(self.content, self.size) + 4.0;
            let x = match self.anchor {
                Anchor::Start => self.x - 2.0,
                Anchor::Middle => self.x - width / 2.0,
                Anchor::End => self.x - width + 2.0,
            };
            let _ = write!(
                out,
                "<rect class=\"h2h-chart__label-backdrop\" x=\"{}\" y=\"{}\" width=\"{}\" \
                 height=\"{}\" fill=\"{WHITE}\" fill-opacity=\"0.85\"/>",
                N(x),
                N(self.y - self.size * 0.9),
                N(width),
                N(self.size * 1.15)
            );
        }
        let _ = write!(
            out,
            "<text class=\"{}\" x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{}\"",
            self.class,
            N(self.x),
            N(self.y),
            N(self.size),
            self.fill
        );
        if self.anchor != Anchor::Start {
            let _ = write!(out, " text-anchor=\"{}\"", self.anchor.as_str());
        }
        if self.bold {
            out.push_str(" font-weight=\"bold\"");
        }
        if self.halo {
            let _ = write!(
                out,
                " stroke=\"{WHITE}\" stroke-width=\"4\" stroke-linejoin=\"round\" paint-order=\"stroke\""
            );
        }
        out.push('>');
        if let Some(tooltip) = self.tooltip {
            let _ = write!(out, "<title>{}</title>", escape(tooltip));
        }
        out.push_str(&escape(self.content));
        out.push_str("</text>");
    }
}

/// A stroke style for lines and paths.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stroke<'a> {
    pub class: &'a str,
    pub colour: &'a str,
    pub width: f64,
    pub dash: Option<&'a str>,
}

impl Stroke<'_> {
    fn attributes(&self, out: &mut String) {
        let _ = write!(
            out,
            " fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"",
            self.colour,
            N(self.width)
        );
        if let Some(dash) = self.dash {
            let _ = write!(out, " stroke-dasharray=\"{dash}\"");
        }
    }
}

/// A straight line.
pub(crate) fn line(out: &mut String, stroke: &Stroke<'_>, x1: f64, y1: f64, x2: f64, y2: f64) {
    let _ = write!(
        out,
        "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"",
        stroke.class,
        N(x1),
        N(y1),
        N(x2),
        N(y2)
    );
    stroke.attributes(out);
    out.push_str("/>");
}

/// A polyline through each run of points; separate runs are separate subpaths, which is how
/// gaps in a series stay gaps. Nothing is written when no run has two points.
pub(crate) fn polyline(out: &mut String, stroke: &Stroke<'_>, runs: &[Vec<(f64, f64)>]) {
    let mut d = String::new();
    for run in runs.iter().filter(|run| run.len() >= 2) {
        for (i, (x, y)) in run.iter().enumerate() {
            if !d.is_empty() {
                d.push(' ');
            }
            let command = if i == 0 { 'M' } else { 'L' };
            let _ = write!(d, "{command}{} {}", N(*x), N(*y));
        }
    }
    if d.is_empty() {
        return;
    }
    let _ = write!(out, "<path class=\"{}\" d=\"{d}\"", stroke.class);
    stroke.attributes(out);
    out.push_str(" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>");
}

/// A vertical confidence-interval whisker with caps, from `y_low` to `y_high` at `x`.
pub(crate) fn whisker_vertical(out: &mut String, x: f64, y_low: f64, y_high: f64, cap: f64) {
    let _ = write!(
        out,
        "<path class=\"h2h-chart__interval\" d=\"M{} {} L{} {} M{} {} L{} {} M{} {} L{} {}\" \
         fill=\"none\" stroke=\"{TEXT}\" stroke-width=\"1.5\"/>",
        N(x),
        N(y_low),
        N(x),
        N(y_high),
        N(x - cap),
        N(y_low),
        N(x + cap),
        N(y_low),
        N(x - cap),
        N(y_high),
        N(x + cap),
        N(y_high),
    );
}

/// A horizontal confidence-interval whisker with caps, from `x_low` to `x_high` at `y`.
pub(crate) fn whisker_horizontal(out: &mut String, y: f64, x_low: f64, x_high: f64, cap: f64) {
    let _ = write!(
        out,
        "<path class=\"h2h-chart__interval\" d=\"M{} {} L{} {} M{} {} L{} {} M{} {} L{} {}\" \
         fill=\"none\" stroke=\"{TEXT}\" stroke-width=\"1.5\"/>",
        N(x_low),
        N(y),
        N(x_high),
        N(y),
        N(x_low),
        N(y - cap),
        N(x_low),
        N(y + cap),
        N(x_high),
        N(y - cap),
        N(x_high),
        N(y + cap),
    );
}

/// A data point marker. `None` is a plain series point (a small blue circle); a category
/// gets its own colour *and* shape so it can be told apart without colour.
pub(crate) fn marker(
    out: &mut String,
    category: Option<Category>,
    cx: f64,
    cy: f64,
    r: f64,
    selected: bool,
    tooltip: Option<&str>,
) {
    let (class, fill, stroke, stroke_width, shape) = match category {
        None => (
            "h2h-chart__point".to_owned(),
            BLUE,
            WHITE,
            1.0,
            Shape::Circle,
        ),
        Some(category) => {
            let mut class = format!("h2h-chart__point h2h-chart__point--{}", category.modifier());
            if selected {
                class.push_str(" h2h-chart__point--selected");
            }
            // A dark outline keeps every shape at well over 3:1 against white, whatever
            // the fill (orange and light blue alone would not be).
            let (stroke, width) = match category.shape() {
                Shape::HollowCircle => (SECONDARY, 1.5),
                _ => (TEXT, 1.0),
            };
            let width = if selected { width + 1.0 } else { width };
            (class, category.fill(), stroke, width, category.shape())
        }
    };
    let style = format!(
        "fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-linejoin=\"round\"",
        N(stroke_width)
    );
    let tag = match shape {
        Shape::Circle | Shape::HollowCircle => {
            let _ = write!(
                out,
                "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\" {style}",
                N(cx),
                N(cy),
                N(r)
            );
            "circle"
        }
        Shape::TriangleUp | Shape::TriangleDown | Shape::ArrowUp | Shape::ArrowDown => {
            let d = shape_path(shape, cx, cy, r);
            let _ = write!(out, "<path class=\"{class}\" d=\"{d}\" {style}");
            "path"
        }
    };
    match tooltip {
        Some(tooltip) => {
            let _ = write!(out, "><title>{}</title></{tag}>", escape(tooltip));
        }
        None => out.push_str("/>"),
    }
}

/// The outline of a non-circular marker of radius `r` centred on `cx`, `cy`.
fn shape_path(shape: Shape, cx: f64, cy: f64, r: f64) -> String {
    // Triangles are drawn slightly larger than circles of the same `r` because they cover
    // less area; their centroid sits at the centre so they line up with the data.
    let t = r * 1.3;
    let points: Vec<(f64, f64)> = match shape {
        Shape::TriangleUp => vec![(0.0, -t), (t * 0.95, t * 0.6), (-t * 0.95, t * 0.6)],
        Shape::TriangleDown => vec![(0.0, t), (t * 0.95, -t * 0.6), (-t * 0.95, -t * 0.6)],
        Shape::ArrowUp => arrow(r, -1.0),
        Shape::ArrowDown => arrow(r, 1.0),
        Shape::Circle | Shape::HollowCircle => Vec::new(),
    };
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let command = if i == 0 { 'M' } else { 'L' };
        let _ = write!(d, "{command}{} {}", N(cx + x), N(cy + y));
    }
    d.push('Z');
    d
}

/// An arrow (head and stem) pointing up (`direction` −1) or down (+1).
fn arrow(r: f64, direction: f64) -> Vec<(f64, f64)> {
    let h = r * 1.25;
    let stem = r * 0.45;
    [
        (0.0, -h),
        (h, 0.0),
        (stem, 0.0),
        (stem, h),
        (-stem, h),
        (-stem, 0.0),
        (-h, 0.0),
    ]
    .into_iter()
    .map(|(x, y)| (x, y * -direction))
    .collect()
}

/// A centred "No data" message, used whenever there is nothing to plot.
pub(crate) fn no_data(out: &mut String, cx: f64, cy: f64, size: f64) {
    Text::new(cx, cy + size * 0.35, "No data", "h2h-chart__no-data")
        .anchor(Anchor::Middle)
        .size(size)
        .fill(SECONDARY)
        .write(out);
}

/// A value axis: nice ticks over the data, their labels and the scale onto the plot.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub ticks: Vec<f64>,
    pub labels: Vec<String>,
    pub scale: Scale,
}

impl Axis {
    /// Ticks covering `values` (non-finite ones ignored) and, when asked, zero, mapped onto
    /// `r0..r1`.
    pub(crate) fn new(
        values: impl IntoIterator<Item = f64>,
        include_zero: bool,
        r0: f64,
        r1: f64,
        approx_ticks: usize,
    ) -> Self {
        let (min, max) = extent(values.into_iter().chain(include_zero.then_some(0.0)));
        let ticks = nice_ticks(min, max, approx_ticks);
        let decimals = match ticks.as_slice() {
            [a, b, ..] => step_decimals(b - a),
            _ => 0,
        };
        let labels = ticks.iter().map(|t| format_decimal(*t, decimals)).collect();
        let scale = Scale::from_ticks(&ticks, r0, r1);
        Self {
            ticks,
            labels,
            scale,
        }
    }

    /// The widest tick label's estimated width.
    pub(crate) fn label_width(&self) -> f64 {
        self.labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE))
            .fold(0.0, f64::max)
    }

    /// Horizontal gridlines from `x0` to `x1` with labels right-aligned left of `x0`.
    pub(crate) fn draw_y(&self, out: &mut String, x0: f64, x1: f64) {
        out.push_str("<g class=\"h2h-chart__axis h2h-chart__axis--y\">");
        for (tick, label) in self.ticks.iter().zip(&self.labels) {
            let y = self.scale.map(*tick);
            line(out, &GRIDLINE, x0, y, x1, y);
            Text::new(x0 - 6.0, y + TICK_SIZE * 0.35, label, "h2h-chart__tick")
                .anchor(Anchor::End)
                .size(TICK_SIZE)
                .fill(SECONDARY)
                .write(out);
        }
        out.push_str("</g>");
    }

    /// Vertical gridlines from `y0` to `y1` with labels centred below `y1`, nudged inwards
    /// where they would run past `0..=max_x`.
    pub(crate) fn draw_x(&self, out: &mut String, y0: f64, y1: f64, max_x: f64) {
        out.push_str("<g class=\"h2h-chart__axis h2h-chart__axis--x\">");
        for (tick, label) in self.ticks.iter().zip(&self.labels) {
            let x = self.scale.map(*tick);
            line(out, &GRIDLINE, x, y0, x, y1);
            let half = text_width(label, TICK_SIZE) / 2.0;
            let centre = x.min(max_x - half - 1.0).max(half + 1.0);
            Text::new(centre, y1 + 16.0, label, "h2h-chart__tick")
                .anchor(Anchor::Middle)
                .size(TICK_SIZE)
                .fill(SECONDARY)
                .write(out);
        }
        out.push_str("</g>");
    }
}

/// Gridlines: thin and light, since they only help reading values off the axis.
pub(crate) const GRIDLINE: Stroke<'static> = Stroke {
    class: "h2h-chart__gridline",
    colour: GREY,
    width: 0.5,
    dash: None,
};

/// The axis baseline.
pub(crate) const BASELINE: Stroke<'static> = Stroke {
    class: "h2h-chart__axis-line",
    colour: TEXT,
    width: 1.0,
    dash: None,
};

/// The smallest and largest finite values, or `(NaN, NaN)` when there are none (which
/// [`nice_ticks`] turns into 0..1).
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::NAN, f64::NAN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// What a legend entry shows beside its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A short line in a stroke style, optionally with a plain series point on it.
    Line {
        stroke: Stroke<'static>,
        point: bool,
    },
    /// A category marker.
    Marker(Category),
    /// A confidence-interval whisker, horizontal as in bar charts.
    Whisker,
    /// A confidence-interval whisker, vertical as in time series.
    WhiskerVertical,
    /// A category's bar with its marker, for bar charts.
    Bar(Category),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

const LEGEND_ROW: f64 = 22.0;
const SWATCH_WIDTH: f64 = 28.0;

/// Lays the legend out in rows from `x`, wrapping at `max_x`, with the first row's centre
/// line at `y`. Returns the markup and the height used (zero when there are no items).
pub(crate) fn legend(items: &[LegendItem], x: f64, y: f64, max_x: f64) -> (String, f64) {
    if items.is_empty() {
        return (String::new(), 0.0);
    }
    let mut out = String::from("<g class=\"h2h-chart__legend\">");
    let mut cx = x;
    let mut cy = y;
    for item in items {
        let swatch_width = swatch_width(item.swatch);
        let width = swatch_width + 6.0 + text_width(&item.label, FONT_SIZE);
        if cx > x && cx + width > max_x {
            cx = x;
            cy += LEGEND_ROW;
        }
        let _ = write!(out, "<g class=\"h2h-chart__legend-item\">");
        swatch(&mut out, item.swatch, cx, cy);
        Text::new(
            cx + swatch_width + 6.0,
            cy + FONT_SIZE * 0.35,
            &item.label,
            "h2h-chart__legend-label",
        )
        .write(&mut out);
        out.push_str("</g>");
        cx += width + 18.0;
    }
    out.push_str("</g>");
    (out, cy - y + LEGEND_ROW)
}

/// Markers need less room than line samples.
fn swatch_width(swatch: Swatch) -> f64 {
    match swatch {
        Swatch::Marker(_) => 14.0,
        Swatch::WhiskerVertical => 14.0,
        Swatch::Line { .. } | Swatch::Whisker | Swatch::Bar(_) => SWATCH_WIDTH,
    }
}

fn swatch(out: &mut String, swatch: Swatch, x: f64, y: f64) {
    let mid = x + swatch_width(swatch) / 2.0;
    match swatch {
        Swatch::Line { stroke, point } => {
            line(out, &stroke, x, y, x + SWATCH_WIDTH, y);
            if point {
                marker(out, None, mid, y, 3.5, false, None);
            }
        }
        Swatch::Marker(category) => marker(out, Some(category), mid, y, 5.0, false, None),
        Swatch::Whisker => whisker_horizontal(out, y, x + 4.0, x + SWATCH_WIDTH - 4.0, 5.0),
        Swatch::WhiskerVertical => whisker_vertical(out, mid, y + 7.0, y - 7.0, 4.0),
        Swatch::Bar(category) => {
            marker(out, Some(category), x + 7.0, y, 5.0, false, None);
            bar_rect(
                out,
                category,
                false,
                x + 16.0,
                y - 6.0,
                SWATCH_WIDTH - 16.0,
                12.0,
            );
        }
    }
}

/// A bar coloured by category, outlined so its extent is clear against white whatever the
/// fill; a selected bar gets a heavier outline.
pub(crate) fn bar_rect(
    out: &mut String,
    category: Category,
    selected: bool,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
) {
    let selected_class = if selected {
        " h2h-chart__bar--selected"
    } else {
        ""
    };
    let (stroke, stroke_width) = match (category, selected) {
        (_, true) => (TEXT, 2.5),
        (Category::NotCompared, false) => (SECONDARY, 1.0),
        (_, false) => (TEXT, 0.75),
    };
    let _ = write!(
        out,
        "<rect class=\"h2h-chart__bar h2h-chart__bar--{}{selected_class}\" x=\"{}\" y=\"{}\" \
         width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
        category.modifier(),
        N(x),
        N(y),
        N(width.max(0.0)),
        N(height.max(0.0)),
        bar_fill(category),
        N(stroke_width)
    );
}

/// Bars use the category colours; "not compared" bars are light grey rather than white so
/// they still read as bars.
fn bar_fill(category: Category) -> &'static str {
    match category {
        Category::NotCompared => LIGHT_GREY,
        other => other.fill(),
    }
}

/// Legend entries for the categories that occur in `present`, in [`Category::ALL`] order.
pub(crate) fn category_items(
    present: impl IntoIterator<Item = Category>,
    bars: bool,
) -> Vec<LegendItem> {
    let mut seen = [false; 6];
    for category in present {
        if let Some(i) = Category::ALL.iter().position(|c| *c == category)
            && let Some(slot) = seen.get_mut(i)
        {
            *slot = true;
        }
    }
    Category::ALL
        .iter()
        .zip(seen)
        .filter(|(_, seen)| *seen)
        .map(|(category, _)| LegendItem {
            swatch: if bars {
                Swatch::Bar(*category)
            } else {
                Swatch::Marker(*category)
            },
            label: category.label().to_owned(),
        })
        .collect()
}
