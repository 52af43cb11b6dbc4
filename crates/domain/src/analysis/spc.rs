//! Statistical process control as NHS England's "Making Data Count" draws it: the XmR chart
//! (individuals and moving ranges), its special-cause rules and the variation icon.
//!
//! * The **mean** is the mean of every point; the **moving ranges** are the absolute
//!   differences between consecutive points and the **average moving range** (MR̄) their mean.
//! * The **natural process limits** are mean ± 2.66 × MR̄ (2.66 = 3 / 1.128, three sigma
//!   estimated from the moving range). They can be computed from two points, but Making Data
//!   Count asks for at least 12 before they are relied on: [`XmrChart::limits_reliable`].
//! * The **special-cause rules** ([`SpcRule`]), each flagging every point that takes part:
//!   a point beyond a process limit; a run of 7 or more consecutive points on the same side of
//!   the mean (a point on the mean breaks the run); 6 or more consecutive points all increasing
//!   or all decreasing (an equal value breaks the run); two out of three consecutive points,
//!   all three on the same side of the mean, beyond two-thirds of the way to a process limit
//!   but not beyond it (the points close to the limit are flagged). Run lengths and the
//!   two-in-three rule can be changed with [`SpcOptions`].
//! * The **variation** of a point ([`Variation`]) is common cause when no rule flags it;
//!   otherwise it is improving or concerning by the metric's polarity, or neither for metrics
//!   with no better direction. The side of the mean decides the direction of a flagged point;
//!   a point flagged only as part of a trend takes the trend's direction. The chart's summary
//!   variation is the latest point's, as the Making Data Count variation icons show it.

use serde::{Deserialize, Serialize};

use crate::metric::{Polarity, vocabulary};

/// The multiple of the average moving range from the mean to each process limit (3 / d₂,
/// d₂ = 1.128 for ranges of two points).
pub const PROCESS_LIMIT_FACTOR: f64 = 2.66;

/// Moving ranges at or above this multiple of the average are screened out when
/// [`SpcOptions::screen_moving_ranges`] is set (the upper range limit, D₄ = 3.267).
pub const MOVING_RANGE_SCREEN_FACTOR: f64 = 3.267;

/// The number of points Making Data Count asks for before the limits are relied on.
pub const RELIABLE_LIMIT_POINTS: usize = 12;

/// The fewest points from which limits are computed (one moving range).
pub const MIN_POINTS: usize = 2;

vocabulary!(
    /// A special-cause rule of Making Data Count.
    SpcRule, "special-cause rule" {
        /// A point above the upper or below the lower process limit.
        BeyondLimits => "beyond_limits",
        /// A run of consecutive points on the same side of the mean (7 by default).
        Shift => "shift",
        /// Consecutive points all increasing or all decreasing (6 by default).
        Trend => "trend",
        /// Two out of three consecutive points close to a process limit.
        TwoOfThree => "two_of_three",
    }
);

vocabulary!(
    /// What a point, or the latest point of a chart, shows (the Making Data Count variation icon).
    Variation, "variation" {
        /// No special-cause rule flags it: the variation expected from the process.
        CommonCause => "common_cause",
        /// Special cause in the better direction for the metric.
        SpecialCauseImproving => "special_cause_improving",
        /// Special cause in the worse direction for the metric.
        SpecialCauseConcerning => "special_cause_concerning",
        /// Special cause for a metric with no better direction.
        SpecialCauseNeither => "special_cause_neither",
    }
);

vocabulary!(
    /// Which way a special cause points.
    Direction, "direction" {
        /// Above the mean, or rising.
        High => "high",
        /// Below the mean, or falling.
        Low => "low",
    }
);

impl Direction {
    fn from_sign(sign: i8) -> Option<Self> {
        match sign {
            s if s > 0 => Some(Direction::High),
            s if s < 0 => Some(Direction::Low),
            _ => None,
        }
    }

    /// The variation a special cause in this direction shows for a metric of this polarity.
    pub fn variation(self, polarity: Polarity) -> Variation {
        match (polarity, self) {
            (Polarity::NoJudgement, _) => Variation::SpecialCauseNeither,
            (Polarity::HigherIsBetter, Direction::High)
            | (Polarity::LowerIsBetter, Direction::Low) => Variation::SpecialCauseImproving,
            (Polarity::HigherIsBetter, Direction::Low)
            | (Polarity::LowerIsBetter, Direction::High) => Variation::SpecialCauseConcerning,
        }
    }
}

/// Settings for the special-cause rules; the defaults are the rules described in the module
/// documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpcOptions {
    /// The shortest run of points on one side of the mean that is a shift (7).
    pub shift_length: usize,
    /// The fewest consecutive points all increasing or all decreasing that are a trend (6).
    pub trend_length: usize,
    /// Whether the two-out-of-three rule is applied (yes).
    pub two_of_three: bool,
    /// Whether moving ranges of 3.267 × MR̄ or more are left out of the average moving range
    /// before the limits are set (no; NHS-R's `NHSRplotthedots` does this by default).
    pub screen_moving_ranges: bool,
}

impl Default for SpcOptions {
    fn default() -> Self {
        Self {
            shift_length: 7,
            trend_length: 6,
            two_of_three: true,
            screen_moving_ranges: false,
        }
    }
}

/// Why a series cannot be charted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpcError {
    /// Fewer than two points: there is no moving range.
    #[error("a process control chart needs at least {MIN_POINTS} points and there are {found}")]
    TooFewPoints {
        /// How many points there are.
        found: usize,
    },
    /// A point is not a finite number.
    #[error("point {index} is not a number")]
    NotFinite {
        /// Its position in the series, from 0.
        index: usize,
    },
}

/// One point of an XmR chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpcPoint {
    /// The figure.
    pub value: f64,
    /// The absolute difference from the previous point (none for the first point).
    pub moving_range: Option<f64>,
    /// The special-cause rules that flag it, in [`SpcRule::ALL`] order.
    pub rules: Vec<SpcRule>,
    /// Which way its special cause points, when a rule flags it.
    pub direction: Option<Direction>,
    /// What it shows, by polarity.
    pub variation: Variation,
}

/// A warning raised by a special-cause rule, for lists of warnings per area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlyWarning {
    /// The rule.
    pub rule: SpcRule,
    /// The position (from 0) of the first point of the pattern.
    pub first_index: usize,
    /// The position (from 0) of the last point of the pattern: the period it is raised for.
    pub index: usize,
    /// Which way it points.
    pub direction: Direction,
    /// Improving, concerning or neither, by polarity.
    pub variation: Variation,
    /// The pattern in plain words, such as "7 points in a row above the mean".
    pub message: String,
}

/// An XmR chart of a series: limits, flagged points and the latest point's variation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XmrChart {
    /// The mean of every point.
    pub mean: f64,
    /// The mean of the moving ranges used for the limits.
    pub average_moving_range: f64,
    /// mean + 2.66 × MR̄.
    pub upper_limit: f64,
    /// mean − 2.66 × MR̄ (not cut off at zero).
    pub lower_limit: f64,
    /// Two-thirds of the way from the mean to the upper limit.
    pub upper_near_limit: f64,
    /// Two-thirds of the way from the mean to the lower limit.
    pub lower_near_limit: f64,
    /// Whether there are at least 12 points, as Making Data Count asks before relying on limits.
    pub limits_reliable: bool,
    /// The metric's polarity, which decides improving and concerning.
    pub polarity: Polarity,
    /// The rule settings used.
    pub options: SpcOptions,
    /// Every point, in order.
    pub points: Vec<SpcPoint>,
    /// The variation of the latest point: the chart's variation icon.
    pub variation: Variation,
    warnings: Vec<EarlyWarning>,
}

impl XmrChart {
    /// The latest point.
    pub fn latest(&self) -> Option<&SpcPoint> {
        self.points.last()
    }

    /// Every special-cause pattern in the series, ordered by the period it is raised for: one
    /// warning per point beyond a limit, per run (shift or trend) and per cluster of points
    /// close to a limit.
    pub fn early_warnings(&self) -> &[EarlyWarning] {
        &self.warnings
    }

    /// The warnings whose pattern includes the latest point: what is happening now.
    pub fn current_warnings(&self) -> impl Iterator<Item = &EarlyWarning> {
        let last = self.points.len().saturating_sub(1);
        self.warnings.iter().filter(move |w| w.index == last)
    }
}

/// The XmR chart of a series, oldest first, with the default rules.
pub fn xmr(values: &[f64], polarity: Polarity) -> Result<XmrChart, SpcError> {
    xmr_with(values, polarity, SpcOptions::default())
}

/// The XmR chart of a series, oldest first, with the given rule settings.
pub fn xmr_with(
    values: &[f64],
    polarity: Polarity,
    options: SpcOptions,
) -> Result<XmrChart, SpcError> {
    if values.len() < MIN_POINTS {
        return Err(SpcError::TooFewPoints {
            found: values.len(),
        });
    }
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(SpcError::NotFinite { index });
    }
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let ranges: Vec<f64> = values.windows(2).map(|w| step(w).abs()).collect();
    let mut average_moving_range = average(&ranges);
    if options.screen_moving_ranges && average_moving_range > 0.0 {
        let cut = MOVING_RANGE_SCREEN_FACTOR * average_moving_range;
        let kept: Vec<f64> = ranges.iter().copied().filter(|r| *r < cut).collect();
        if !kept.is_empty() {
            average_moving_range = average(&kept);
        }
    }
    let reach = PROCESS_LIMIT_FACTOR * average_moving_range;
    let (upper_limit, lower_limit) = (mean + reach, mean - reach);
    let near = 2.0 / 3.0 * reach;
    let (upper_near_limit, lower_near_limit) = (mean + near, mean - near);

    let side: Vec<i8> = values.iter().map(|&v| sign(v - mean)).collect();
    let outside: Vec<bool> = values
        .iter()
        .map(|&v| v > upper_limit || v < lower_limit)
        .collect();
    let close: Vec<bool> = values
        .iter()
        .zip(&outside)
        .map(|(&v, &out)| !out && (v > upper_near_limit || v < lower_near_limit))
        .collect();

    let mut flags = vec![Flags::default(); n];
    let mut warnings = Vec::new();

    // A point beyond a limit.
    for (i, (&out, &s)) in outside.iter().zip(&side).enumerate() {
        if let (true, Some(direction)) = (out, Direction::from_sign(s)) {
            set(&mut flags, i, |f| f.beyond = true);
            let limit = match direction {
                Direction::High => "above the upper process limit",
                Direction::Low => "below the lower process limit",
            };
            warnings.push(warning(
                SpcRule::BeyondLimits,
                (i, i),
                direction,
                polarity,
                format!("a point {limit}"),
            ));
        }
    }

    // Runs on one side of the mean.
    for (start, end, s) in runs(&side) {
        let length = end - start + 1;
        let Some(direction) = Direction::from_sign(s) else {
            continue;
        };
        if length < options.shift_length.max(1) {
            continue;
        }
        for i in start..=end {
            set(&mut flags, i, |f| f.shift = true);
        }
        let where_ = match direction {
            Direction::High => "above",
            Direction::Low => "below",
        };
        warnings.push(warning(
            SpcRule::Shift,
            (start, end),
            direction,
            polarity,
            format!("{length} points in a row {where_} the mean"),
        ));
    }

    // Runs of increases or decreases: runs of equal non-zero signs among the differences.
    let steps: Vec<i8> = values.windows(2).map(|w| sign(step(w))).collect();
    for (first_step, last_step, s) in runs(&steps) {
        let Some(direction) = Direction::from_sign(s) else {
            continue;
        };
        // Steps j..=k join points j..=k+1.
        let (start, end) = (first_step, last_step + 1);
        let length = end - start + 1;
        if length < options.trend_length.max(2) {
            continue;
        }
        for i in start..=end {
            // A turning point ends one run and starts the next: it keeps the run it ends.
            set(&mut flags, i, |f| {
                if i != start || f.trend.is_none() {
                    f.trend = Some(direction);
                }
            });
        }
        let way = match direction {
            Direction::High => "increasing",
            Direction::Low => "decreasing",
        };
        warnings.push(warning(
            SpcRule::Trend,
            (start, end),
            direction,
            polarity,
            format!("{length} points in a row {way}"),
        ));
    }

    // Two out of three points close to a limit, all three on one side of the mean.
    if options.two_of_three {
        let mut cluster: Option<(usize, usize, i8)> = None;
        for start in 0..n.saturating_sub(2) {
            let window = start..start + 3;
            let sides = side.get(window.clone()).unwrap_or_default();
            let near_count = close
                .get(window.clone())
                .unwrap_or_default()
                .iter()
                .filter(|c| **c)
                .count();
            let s = sides.first().copied().unwrap_or(0);
            if s == 0 || sides.iter().any(|x| *x != s) || near_count < 2 {
                continue;
            }
            let flagged: Vec<usize> = window
                .filter(|&i| close.get(i).copied().unwrap_or(false))
                .collect();
            for &i in &flagged {
                set(&mut flags, i, |f| f.two_of_three = true);
            }
            let (first, last) = match (flagged.first(), flagged.last()) {
                (Some(&a), Some(&b)) => (a, b),
                _ => continue,
            };
            cluster = match cluster {
                Some((a, b, cs)) if cs == s && first <= b => Some((a, b.max(last), cs)),
                Some(done) => {
                    push_two_of_three(&mut warnings, done, polarity);
                    Some((first, last, s))
                }
                None => Some((first, last, s)),
            };
        }
        if let Some(done) = cluster {
            push_two_of_three(&mut warnings, done, polarity);
        }
    }

    warnings.sort_by_key(|w| (w.index, w.rule, w.first_index));

    let points: Vec<SpcPoint> = values
        .iter()
        .enumerate()
        .map(|(i, &value)| {
            let f = flags.get(i).copied().unwrap_or_default();
            let rules: Vec<SpcRule> = [
                (f.beyond, SpcRule::BeyondLimits),
                (f.shift, SpcRule::Shift),
                (f.trend.is_some(), SpcRule::Trend),
                (f.two_of_three, SpcRule::TwoOfThree),
            ]
            .into_iter()
            .filter_map(|(on, rule)| on.then_some(rule))
            .collect();
            let by_side = f.beyond || f.shift || f.two_of_three;
            let direction = if by_side {
                Direction::from_sign(side.get(i).copied().unwrap_or(0)).or(f.trend)
            } else {
                f.trend
            };
            let variation = direction.map_or(Variation::CommonCause, |d| d.variation(polarity));
            SpcPoint {
                value,
                moving_range: i.checked_sub(1).and_then(|j| ranges.get(j).copied()),
                rules,
                direction,
                variation,
            }
        })
        .collect();
    let variation = points
        .last()
        .map_or(Variation::CommonCause, |p| p.variation);

    Ok(XmrChart {
        mean,
        average_moving_range,
        upper_limit,
        lower_limit,
        upper_near_limit,
        lower_near_limit,
        limits_reliable: n >= RELIABLE_LIMIT_POINTS,
        polarity,
        options,
        points,
        variation,
        warnings,
    })
}

/// Which rules flag a point while the chart is worked out.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    beyond: bool,
    shift: bool,
    trend: Option<Direction>,
    two_of_three: bool,
}

fn set(flags: &mut [Flags], i: usize, change: impl FnOnce(&mut Flags)) {
    if let Some(f) = flags.get_mut(i) {
        change(f);
    }
}

fn average(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// The change across a window of two points.
fn step(window: &[f64]) -> f64 {
    match window {
        [a, b] => b - a,
        _ => 0.0,
    }
}

fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// Maximal runs of equal values: (first index, last index, value).
fn runs(values: &[i8]) -> Vec<(usize, usize, i8)> {
    let mut out: Vec<(usize, usize, i8)> = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        match out.last_mut() {
            Some((_, end, run)) if *run == v && *end + 1 == i => *end = i,
            _ => out.push((i, i, v)),
        }
    }
    out
}

fn warning(
    rule: SpcRule,
    (first_index, index): (usize, usize),
    direction: Direction,
    polarity: Polarity,
    message: String,
) -> EarlyWarning {
    EarlyWarning {
        rule,
        first_index,
        index,
        direction,
        variation: direction.variation(polarity),
        message,
    }
}

fn push_two_of_three(
    warnings: &mut Vec<EarlyWarning>,
    (first, last, s): (usize, usize, i8),
    polarity: Polarity,
) {
    if let Some(direction) = Direction::from_sign(s) {
        let limit = match direction {
            Direction::High => "upper",
            Direction::Low => "lower",
        };
        warnings.push(warning(
            SpcRule::TwoOfThree,
            (first, last),
            direction,
            polarity,
            format!("2 out of 3 points in a row close to the {limit} process limit"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_at(chart: &XmrChart, i: usize) -> Vec<SpcRule> {
        chart.points[i].rules.clone()
    }

    #[test]
    fn limits_are_mean_plus_or_minus_2_66_average_moving_range() {
        // Mean 11, moving ranges 2, 2, 2, 1 → MR̄ 1.75; then 10/12 alternating: MR̄ 2, 11 ± 5.32.
        let chart = xmr(&[10.0, 12.0, 10.0, 12.0, 11.0], Polarity::HigherIsBetter).unwrap();
        assert!((chart.mean - 11.0).abs() < 1e-12);
        assert!((chart.average_moving_range - (2.0 + 2.0 + 2.0 + 1.0) / 4.0).abs() < 1e-12);
        let chart = xmr(
            &[10.0, 12.0, 10.0, 12.0, 10.0, 12.0],
            Polarity::HigherIsBetter,
        )
        .unwrap();
        assert!((chart.average_moving_range - 2.0).abs() < 1e-12);
        assert!((chart.upper_limit - (11.0 + 5.32)).abs() < 1e-12);
        assert!((chart.lower_limit - (11.0 - 5.32)).abs() < 1e-12);
        assert!((chart.upper_near_limit - (11.0 + 5.32 * 2.0 / 3.0)).abs() < 1e-12);
        assert_eq!(chart.points[0].moving_range, None);
        assert_eq!(chart.points[1].moving_range, Some(2.0));
        assert!(!chart.limits_reliable);
        assert_eq!(chart.variation, Variation::CommonCause);
        assert!(chart.early_warnings().is_empty());
    }

    #[test]
    fn too_few_or_bad_points_are_errors() {
        assert_eq!(
            xmr(&[1.0], Polarity::HigherIsBetter),
            Err(SpcError::TooFewPoints { found: 1 })
        );
        assert_eq!(
            xmr(&[1.0, f64::NAN], Polarity::HigherIsBetter),
            Err(SpcError::NotFinite { index: 1 })
        );
        assert!(xmr(&[1.0, 2.0], Polarity::HigherIsBetter).is_ok());
    }

    #[test]
    fn twelve_points_make_reliable_limits() {
        let values: Vec<f64> = (0..12).map(|i| f64::from(i % 2)).collect();
        assert!(xmr(&values, Polarity::NoJudgement).unwrap().limits_reliable);
        assert!(
            !xmr(&values[..11], Polarity::NoJudgement)
                .unwrap()
                .limits_reliable
        );
    }

    #[test]
    fn a_point_beyond_a_limit_is_special_cause() {
        // Alternating 10/12 then 30: mean 12.5, MR̄ = (2·10 + 18)/11 ≈ 3.45, UPL ≈ 21.7.
        let mut values: Vec<f64> = (0..11)
            .map(|i| if i % 2 == 0 { 10.0 } else { 12.0 })
            .collect();
        values.push(30.0);
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        assert!(chart.upper_limit < 30.0);
        assert_eq!(rules_at(&chart, 11), vec![SpcRule::BeyondLimits]);
        assert_eq!(chart.variation, Variation::SpecialCauseImproving);
        let chart = xmr(&values, Polarity::LowerIsBetter).unwrap();
        assert_eq!(chart.variation, Variation::SpecialCauseConcerning);
        let chart = xmr(&values, Polarity::NoJudgement).unwrap();
        assert_eq!(chart.variation, Variation::SpecialCauseNeither);
        let current: Vec<_> = chart.current_warnings().collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].message, "a point above the upper process limit");
        assert_eq!(current[0].index, 11);
    }

    #[test]
    fn seven_in_a_row_above_the_mean_is_a_shift() {
        // Seven low then seven high points, alternating a little so there is no trend.
        let values = [
            5.0, 6.0, 5.0, 6.0, 5.0, 6.0, 5.0, 15.0, 16.0, 15.0, 16.0, 15.0, 16.0, 15.0,
        ];
        let chart = xmr(&values, Polarity::LowerIsBetter).unwrap();
        for i in 0..14 {
            assert!(rules_at(&chart, i).contains(&SpcRule::Shift), "point {i}");
        }
        assert_eq!(chart.points[13].direction, Some(Direction::High));
        assert_eq!(chart.variation, Variation::SpecialCauseConcerning);
        let messages: Vec<_> = chart
            .early_warnings()
            .iter()
            .map(|w| w.message.as_str())
            .collect();
        assert!(messages.contains(&"7 points in a row below the mean"));
        assert!(messages.contains(&"7 points in a row above the mean"));
        let shifts: Vec<_> = chart
            .current_warnings()
            .filter(|w| w.rule == SpcRule::Shift)
            .collect();
        assert_eq!(shifts.len(), 1);
        assert_eq!((shifts[0].first_index, shifts[0].index), (7, 13));
    }

    #[test]
    fn six_in_a_row_is_not_a_shift_and_the_mean_breaks_a_run() {
        // Mean 0: six above, one on the mean, then six below.
        let values = [
            1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 0.0, -1.0, -2.0, -1.0, -2.0, -1.0, -2.0,
        ];
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        assert!((chart.mean).abs() < 1e-12);
        assert!(
            chart
                .points
                .iter()
                .all(|p| !p.rules.contains(&SpcRule::Shift))
        );
    }

    #[test]
    fn six_points_rising_is_a_trend_and_five_is_not() {
        let values = [10.0, 12.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0];
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        // Points 2..=7 rise six times in a row.
        for i in 0..8 {
            let expected = i >= 2;
            assert_eq!(
                rules_at(&chart, i).contains(&SpcRule::Trend),
                expected,
                "point {i}"
            );
        }
        let trend: Vec<_> = chart
            .early_warnings()
            .iter()
            .filter(|w| w.rule == SpcRule::Trend)
            .collect();
        assert_eq!(trend.len(), 1);
        assert_eq!(trend[0].message, "6 points in a row increasing");
        assert_eq!(trend[0].variation, Variation::SpecialCauseImproving);
        let values = [10.0, 12.0, 9.0, 10.0, 11.0, 12.0, 13.0, 9.0];
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        assert!(
            chart
                .points
                .iter()
                .all(|p| !p.rules.contains(&SpcRule::Trend))
        );
        // An equal value breaks the run.
        let values = [9.0, 10.0, 11.0, 11.0, 12.0, 13.0, 14.0];
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        assert!(
            chart
                .points
                .iter()
                .all(|p| !p.rules.contains(&SpcRule::Trend))
        );
    }

    #[test]
    fn a_falling_trend_below_the_mean_is_concerning_when_higher_is_better() {
        let values = [20.0, 22.0, 21.0, 20.0, 19.0, 18.0, 17.0];
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        let last = chart.latest().unwrap();
        assert!(last.rules.contains(&SpcRule::Trend));
        assert_eq!(last.direction, Some(Direction::Low));
        assert_eq!(chart.variation, Variation::SpecialCauseConcerning);
    }

    #[test]
    fn a_trend_point_takes_the_trend_direction_unless_another_rule_places_it() {
        // Long low shift then a rise that ends still below the mean: the last point is in the
        // shift below the mean and in a rising trend; the side of the mean decides.
        let values = [
            30.0, 31.0, 30.0, 31.0, 30.0, 31.0, 30.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0,
        ];
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        let last = chart.latest().unwrap();
        assert!(last.rules.contains(&SpcRule::Shift));
        assert!(last.rules.contains(&SpcRule::Trend));
        assert_eq!(last.direction, Some(Direction::Low));
        assert_eq!(chart.variation, Variation::SpecialCauseConcerning);
    }

    #[test]
    fn two_out_of_three_close_to_a_limit() {
        // Twelve points alternating 9 and 11 then 16, 11.5, 16: mean 10.9, MR̄ = 36/14, upper
        // limit ≈ 17.74, upper near limit ≈ 15.46: two of three close to the upper limit.
        let mut values: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 9.0 } else { 11.0 })
            .collect();
        values.extend([16.0, 11.5, 16.0]);
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        assert!(chart.upper_near_limit < 16.0 && 16.0 < chart.upper_limit);
        assert!(11.5 > chart.mean && 11.5 < chart.upper_near_limit);
        assert_eq!(rules_at(&chart, 12), vec![SpcRule::TwoOfThree]);
        assert!(rules_at(&chart, 13).is_empty());
        assert_eq!(rules_at(&chart, 14), vec![SpcRule::TwoOfThree]);
        assert_eq!(chart.variation, Variation::SpecialCauseImproving);
        let w: Vec<_> = chart.current_warnings().collect();
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "2 out of 3 points in a row close to the upper process limit"
        );
        assert_eq!((w[0].first_index, w[0].index), (12, 14));
        // With the middle point below the mean the rule does not fire.
        let mut values: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 9.0 } else { 11.0 })
            .collect();
        values.extend([16.0, 9.0, 16.0]);
        let chart = xmr(&values, Polarity::HigherIsBetter).unwrap();
        assert!(
            chart
                .points
                .iter()
                .all(|p| !p.rules.contains(&SpcRule::TwoOfThree))
        );
        // And it can be switched off.
        let mut values: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 9.0 } else { 11.0 })
            .collect();
        values.extend([16.0, 11.5, 16.0]);
        let options = SpcOptions {
            two_of_three: false,
            ..SpcOptions::default()
        };
        let chart = xmr_with(&values, Polarity::HigherIsBetter, options).unwrap();
        assert_eq!(chart.variation, Variation::CommonCause);
    }

    #[test]
    fn a_flat_series_is_common_cause() {
        let chart = xmr(&[4.0; 15], Polarity::HigherIsBetter).unwrap();
        assert_eq!(chart.average_moving_range, 0.0);
        assert_eq!(chart.variation, Variation::CommonCause);
        assert!(chart.early_warnings().is_empty());
    }

    #[test]
    fn screening_drops_freak_moving_ranges() {
        let mut values: Vec<f64> = (0..20)
            .map(|i| if i % 2 == 0 { 9.0 } else { 11.0 })
            .collect();
        values[10] = 60.0;
        let plain = xmr(&values, Polarity::HigherIsBetter).unwrap();
        let options = SpcOptions {
            screen_moving_ranges: true,
            ..SpcOptions::default()
        };
        let screened = xmr_with(&values, Polarity::HigherIsBetter, options).unwrap();
        assert!(screened.average_moving_range < plain.average_moving_range);
        assert!((screened.average_moving_range - 2.0).abs() < 1e-12);
    }

    #[test]
    fn codes() {
        let codes: Vec<_> = Variation::ALL.iter().map(|v| v.code()).collect();
        assert_eq!(
            codes,
            [
                "common_cause",
                "special_cause_improving",
                "special_cause_concerning",
                "special_cause_neither"
            ]
        );
    }
}
