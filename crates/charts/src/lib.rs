//! Accessible, deterministic SVG charts rendered as strings.
//!
//! The web pages are server-rendered and must work without JavaScript, so charts are plain
//! inline SVG produced here: a [`sparkline`] beside a table row, a [`time_series`] for one
//! metric in one area, [`comparison_bars`] across areas and a [`funnel_plot`].
//!
//! Every chart:
//! - is `role="img"` with a `<title>` and `<desc>` the caller writes (ids from
//!   [`ChartText::id`]), so screen readers get a text alternative; the page should also
//!   show the numbers in a table;
//! - never uses colour alone: comparison [`Category`]s also differ by marker shape, lines by
//!   dash pattern, and a text legend names each element that is present;
//! - carries `h2h-chart__*` classes for the stylesheet plus inline GOV.UK colours, so it
//!   renders the same standalone (PDF exports);
//! - is deterministic: coordinates have at most two decimals, and the same input gives the
//!   same bytes;
//! - tolerates any input: NaN and infinite values are ignored, and an empty chart says
//!   "No data" rather than panicking.
//!
//! ```
//! use h2h_charts::{ChartText, SparklineOptions, sparkline};
//!
//! let svg = sparkline(&[Some(1.0), None, Some(3.0), Some(2.5)], &SparklineOptions::default());
//! assert!(svg.starts_with("<svg"));
//! assert!(svg.contains("aria-hidden=\"true\""));
//! ```

mod category;
mod comparison_bars;
mod format;
mod funnel;
mod scale;
mod sparkline;
mod svg;
mod time_series;

pub use category::Category;
pub use comparison_bars::{BarRow, ComparisonBars, comparison_bars};
pub use format::{escape, format_decimal, format_number};
pub use funnel::{FunnelPlot, FunnelPoint, funnel_plot};
pub use scale::nice_ticks;
pub use sparkline::{SparklineOptions, sparkline};
pub use time_series::{BenchmarkSeries, SeriesPoint, SpcLimits, TimeSeries, time_series};

/// The text alternative of a chart: the id prefix of its `<title>` and `<desc>` and their
/// content.
///
/// The root `<svg>` gets `id`, and `aria-labelledby="{id}-title {id}-desc"`. The id is made
/// safe first: characters other than ASCII letters, digits, `-` and `_` become `-`, and one
/// that does not start with a letter is prefixed with `h2h-chart-`. Ids must be unique on
/// the page, so use one per chart.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChartText<'a> {
    /// The id prefix, such as `"trend-E08000035"`.
    pub id: &'a str,
    /// A short accessible name, such as "Successful completions in Leeds, 2019-20 to 2023-24".
    pub title: &'a str,
    /// What the chart shows in words: the trend, the latest value and how it compares, so
    /// someone who cannot see the chart learns what it says.
    pub description: &'a str,
}

/// A labelled reference value drawn as a straight line across the plot: a target, a
/// benchmark or a funnel baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReferenceLine<'a> {
    /// What the line is, shown on the chart and in the legend, such as "England" or
    /// "Target: 60%".
    pub label: &'a str,
    /// Its value on the value axis. A non-finite value means the line is left out.
    pub value: f64,
}

/// A dimension from the caller, or `default` when it is not a sensible positive size.
fn dimension(value: f64, default: f64, min: f64, max: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value.clamp(min, max)
    } else {
        default
    }
}

/// About how many tick intervals fit `length` user units with `spacing` between ticks, so
/// narrow charts get fewer, non-overlapping labels.
fn tick_count(length: f64, spacing: f64) -> usize {
    let count = (length / spacing).floor();
    if count.is_finite() {
        // Clamped to 2..=10 first, so the cast is exact.
        count.clamp(2.0, 10.0) as usize
    } else {
        5
    }
}

/// The value when it is finite.
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// An interval with both ends finite, ordered low to high.
fn finite_interval(interval: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match interval {
        Some((a, b)) if a.is_finite() && b.is_finite() => Some((a.min(b), a.max(b))),
        _ => None,
    }
}
