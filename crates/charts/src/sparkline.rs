//! A tiny inline trend line, for a table cell beside the numbers it summarises.

use std::fmt::Write as _;

use crate::format::N;
use crate::scale::Scale;
use crate::svg::{self, BLUE, Sizing, Stroke};
use crate::{ChartText, dimension, finite};

/// Size and accessibility of a [`sparkline`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SparklineOptions<'a> {
    /// Width in pixels (and user units); 120 by default.
    pub width: f64,
    /// Height in pixels; 32 by default.
    pub height: f64,
    /// `None` makes the sparkline decorative (`aria-hidden="true"`), which is right when the
    /// table beside it carries the numbers; `Some` makes it an image with this title and
    /// description.
    pub text: Option<ChartText<'a>>,
}

impl Default for SparklineOptions<'_> {
    fn default() -> Self {
        Self {
            width: 120.0,
            height: 32.0,
            text: None,
        }
    }
}

/// Space kept around the line so the end marker is not clipped.
const PAD: f64 = 4.0;

/// A sparkline: the values in order, joined by a line that breaks where a value is `None`
/// (or not finite), with the last value marked. Isolated values get a dot so they are not
/// lost. With no values it says "No data".
///
/// It has a fixed `width` and `height` (it sits inline in text), unlike the other charts.
pub fn sparkline(points: &[Option<f64>], options: &SparklineOptions<'_>) -> String {
    let width = dimension(options.width, 120.0, 16.0, 2000.0);
    let height = dimension(options.height, 32.0, 8.0, 1000.0);
    let mut out = String::new();
    svg::open(
        &mut out,
        "sparkline",
        width,
        height,
        Sizing::Fixed,
        options.text.as_ref(),
    );

    let values: Vec<Option<f64>> = points.iter().map(|p| finite(*p)).collect();
    let (min, max) = svg::extent(values.iter().flatten().copied());
    if !min.is_finite() {
        svg::no_data(
            &mut out,
            width / 2.0,
            height / 2.0,
            (height * 0.4).min(11.0),
        );
        svg::close(&mut out);
        return out;
    }

    // A flat series sits in the middle rather than on an edge.
    let (lo, hi) = if min < max {
        (min, max)
    } else {
        (min - 1.0, max + 1.0)
    };
    let x = Scale::new(
        0.0,
        (values.len().saturating_sub(1)).max(1) as f64,
        PAD,
        width - PAD,
    );
    let y = Scale::new(lo, hi, height - PAD, PAD);
    let single = values.len() == 1;
    let at = |i: usize, v: f64| {
        let px = if single { width / 2.0 } else { x.map(i as f64) };
        (px, y.map(v))
    };

    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, value) in values.iter().enumerate() {
        match (value, runs.last_mut()) {
            (Some(v), Some(run)) => run.push(at(i, *v)),
            (None, Some(run)) if !run.is_empty() => runs.push(Vec::new()),
            _ => {}
        }
    }
    let stroke = Stroke {
        class: "h2h-chart__series",
        colour: BLUE,
        width: 1.5,
        dash: None,
    };
    svg::polyline(&mut out, &stroke, &runs);

    let last = values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)));
    // Isolated values would be invisible as a line; a small dot shows them. The last value
    // gets the larger end marker instead.
    let present = |i: Option<usize>| i.and_then(|i| values.get(i)).is_some_and(Option::is_some);
    for (i, value) in values.iter().enumerate() {
        let isolated = !present(i.checked_sub(1)) && !present(i.checked_add(1));
        if let Some(v) = value
            && isolated
            && last.map(|(l, _)| l) != Some(i)
        {
            let (px, py) = at(i, *v);
            dot(&mut out, px, py, 1.5, "h2h-chart__point");
        }
    }
    if let Some((i, v)) = last {
        let (px, py) = at(i, v);
        dot(
            &mut out,
            px,
            py,
            2.5,
            "h2h-chart__point h2h-chart__point--last",
        );
    }
    svg::close(&mut out);
    out
}

fn dot(out: &mut String, cx: f64, cy: f64, r: f64, class: &str) {
    let _ = write!(
        out,
        "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{BLUE}\"/>",
        N(cx),
        N(cy),
        N(r)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorative_by_default() {
        let svg = sparkline(&[Some(1.0), Some(2.0)], &SparklineOptions::default());
        assert!(svg.contains("aria-hidden=\"true\""));
        assert!(!svg.contains("role=\"img\""));
        assert!(svg.contains("width=\"120\" height=\"32\""));
    }

    #[test]
    fn labelled_when_given_text() {
        let options = SparklineOptions {
            text: Some(ChartText {
                id: "s1",
                title: "Trend",
                description: "Rising",
            }),
            ..SparklineOptions::default()
        };
        let svg = sparkline(&[Some(1.0), Some(2.0)], &options);
        assert!(svg.contains("role=\"img\" aria-labelledby=\"s1-title s1-desc\""));
        assert!(svg.contains("<title id=\"s1-title\">Trend</title>"));
    }

    #[test]
    fn gaps_split_the_line() {
        let svg = sparkline(
            &[Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)],
            &SparklineOptions::default(),
        );
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
    }

    #[test]
    fn empty_and_all_missing_say_no_data() {
        for points in [&[][..], &[None, Some(f64::NAN), Some(f64::INFINITY)][..]] {
            let svg = sparkline(points, &SparklineOptions::default());
            assert!(svg.contains(">No data</text>"), "{svg}");
        }
    }

    #[test]
    fn a_single_value_is_marked() {
        let svg = sparkline(&[Some(5.0)], &SparklineOptions::default());
        assert!(svg.contains("h2h-chart__point--last"));
        assert!(!svg.contains("<path"));
    }
}
