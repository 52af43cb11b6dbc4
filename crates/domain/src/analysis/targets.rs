//! Progress against targets and ambitions: met, on track, off track or not assessed, with the
//! reason in plain words. The rules are stated once, in [`RULES`], which the product shows to
//! users; the code below follows them point by point.
//!
//! Positions in time are the last days of periods: a figure "arrives" at the end of the period
//! it is for. Equal to a target counts as meeting it.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::catalogue::{Target, TargetBasis, TargetKind};
use crate::metric::{Polarity, vocabulary};
use crate::period::Period;

/// The rules for target status, as shown to users.
pub const RULES: &str = "\
How target status is worked out. \
A target is met when its figure is at or beyond the target in the better direction for the \
metric: at or above it when higher is better, at or below it when lower is better. For a level \
target on a metric with no better direction, the direction is the one from the baseline towards \
the target; without a baseline such a target is not assessed. \
Level targets (ambitions, trajectories and thresholds compared with the metric's figure): the \
figure judged is the latest one for a period ending on or before the last day of the target \
period; figures for later periods are not used. When there is a figure for the target period \
itself (the same first and last day), the target is met if that figure is at or beyond the \
target and off track (missed) if not. Before then: an ambition or trajectory whose latest \
figure is already at or beyond the target is on track; otherwise it is on track if the latest \
figure is at or beyond the straight line drawn from the baseline (at the end of the baseline \
period) to the target (at the end of the target period), read at the end of the latest \
figure's period, and off track if not; without a baseline value and period there is no line, \
so it is not assessed. A threshold has no line: before the target period ends it is on track \
while the latest figure is at or beyond it and off track otherwise. \
Cumulative targets: the figures for the periods from the start of the baseline period (or of \
the target period when no baseline period is given) to the end of the target period are added \
up; the baseline value is not added. When higher is better (or there is no better direction) \
the target is met as soon as the total reaches it, even before the target period ends; at the \
end of the target period a total short of it is off track (missed); before then the total is \
on track if it is at least the target's straight-line share of the time elapsed up to the end \
of the latest period counted, and off track if not. When lower is better the target is a cap: \
a total above it is off track, a total within it at the end of the target period is met, and \
before then the total is on track if it is no more than the straight-line share. Figures that \
overlap (months and quarters together) cannot be added up and are not assessed. \
Counterfactual targets (deaths or crimes prevented, estimated against what would otherwise have \
happened) cannot be assessed from the metric's own figures and are not assessed. \
Progress is how far the figure has moved from the baseline towards the target, (figure \
- baseline) / (target - baseline), shown between 0% and 100%; for a cumulative target it is \
the total as a share of the target. \
The 95% confidence limits of a figure do not change its status; when the value it is \
compared with lies within them, the reason says the difference may be chance.";

vocabulary!(
    /// Where a metric stands against a target.
    TargetStatus, "target status" {
        /// The target is met.
        Met => "met",
        /// Not met yet, but where it should be by now.
        OnTrack => "on_track",
        /// Behind where it should be, or missed.
        OffTrack => "off_track",
        /// The rules cannot judge it (no figures, no baseline, no direction, or a
        /// counterfactual target).
        NotAssessed => "not_assessed",
    }
);

/// A figure of the metric for the target's area, in the metric's displayed unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetFigure {
    /// The period it is for.
    pub period: Period,
    /// The figure.
    pub value: f64,
    /// Its lower 95% confidence limit, if it has one.
    pub lower_95: Option<f64>,
    /// Its upper 95% confidence limit, if it has one.
    pub upper_95: Option<f64>,
}

impl TargetFigure {
    /// A figure without confidence limits.
    pub fn new(period: Period, value: f64) -> Self {
        Self {
            period,
            value,
            lower_95: None,
            upper_95: None,
        }
    }
}

/// The status of a target with what it was judged on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetAssessment {
    /// Met, on track, off track or not assessed.
    pub status: TargetStatus,
    /// Why, in plain words.
    pub reason: String,
    /// How far from the baseline towards the target, 0 to 1; for cumulative targets the total
    /// as a share of the target.
    pub progress: Option<f64>,
    /// The figure judged: the latest figure, or the running total for cumulative targets.
    pub value: Option<f64>,
    /// The period of the figure judged (the latest period counted for cumulative targets).
    pub period: Option<Period>,
    /// What the figure was compared with: the target, or the trajectory's value at `period`.
    pub compared_with: Option<f64>,
    /// Whether the figure judged is the final one for the target period.
    pub is_final: bool,
    /// Whether `compared_with` lies within the figure's 95% limits, when it has them.
    pub within_limits: Option<bool>,
}

impl TargetAssessment {
    fn not_assessed(reason: impl Into<String>) -> Self {
        Self {
            status: TargetStatus::NotAssessed,
            reason: reason.into(),
            progress: None,
            value: None,
            period: None,
            compared_with: None,
            is_final: false,
            within_limits: None,
        }
    }
}

/// How far a figure has moved from the baseline towards the target, clamped to 0..=1: 0 at
/// (or behind) the baseline, 1 at (or beyond) the target. `None` when the target equals the
/// baseline or a number is not finite.
pub fn progress(value: f64, baseline: f64, target: f64) -> Option<f64> {
    let span = target - baseline;
    let share = (value - baseline) / span;
    (span != 0.0 && share.is_finite()).then(|| share.clamp(0.0, 1.0))
}

/// The status of `target` for a metric of `polarity`, from the metric's figures for the
/// target's area (in any order; figures that are not finite numbers are ignored) on `today`,
/// by the rules in [`RULES`].
pub fn assess_target(
    target: &Target,
    polarity: Polarity,
    figures: &[TargetFigure],
    today: Date,
) -> TargetAssessment {
    if !target.target.is_finite() {
        return TargetAssessment::not_assessed("the target is not a number");
    }
    let figures: Vec<TargetFigure> = figures
        .iter()
        .copied()
        .filter(|f| f.value.is_finite())
        .collect();
    match target.basis {
        TargetBasis::Counterfactual => TargetAssessment::not_assessed(
            "this target is estimated against what would otherwise have happened (a \
             counterfactual), which the metric's own figures cannot show",
        ),
        TargetBasis::Level => level(target, polarity, &figures, today),
        TargetBasis::Cumulative => cumulative(target, polarity, &figures, today),
    }
}

/// The better direction: `true` for higher.
fn better_is_higher(target: &Target, polarity: Polarity) -> Option<bool> {
    match polarity {
        Polarity::HigherIsBetter => Some(true),
        Polarity::LowerIsBetter => Some(false),
        Polarity::NoJudgement => target
            .baseline
            .filter(|b| b.is_finite() && *b != target.target)
            .map(|b| target.target > b),
    }
}

/// Whether `value` is at or beyond `reference` in the better direction, allowing for rounding.
fn at_or_beyond(value: f64, reference: f64, higher: bool) -> bool {
    let slack = 1e-9 * reference.abs().max(1.0);
    if higher {
        value >= reference - slack
    } else {
        value <= reference + slack
    }
}

/// Days from the end of `from` to the end of `to`.
fn days_between(from: Date, to: Date) -> f64 {
    (to - from).whole_days() as f64
}

/// A number for a sentence: at most two decimals (four below 1), no trailing zeros.
fn number(x: f64) -> String {
    let decimals = if x.abs() < 1.0 { 4 } else { 2 };
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

fn limits_note(within: Option<bool>, what: &str) -> String {
    if within == Some(true) {
        format!(
            "; {what} is within the figure's 95% confidence limits, so the difference may be chance"
        )
    } else {
        String::new()
    }
}

fn level(
    target: &Target,
    polarity: Polarity,
    figures: &[TargetFigure],
    today: Date,
) -> TargetAssessment {
    let Some(higher) = better_is_higher(target, polarity) else {
        return TargetAssessment::not_assessed(
            "the metric has no better direction and the target has no baseline to show which \
             way it points",
        );
    };
    let goal = target.target;
    let target_period = target.period;
    let target_end = target_period.end();
    // The latest figure ending by the end of the target period; among figures ending on the
    // same day, the longest (the one closest to the target period's own span).
    let Some(latest) = figures
        .iter()
        .filter(|f| f.period.end() <= target_end)
        .max_by_key(|f| (f.period.end(), std::cmp::Reverse(f.period.start())))
        .copied()
    else {
        return TargetAssessment::not_assessed(format!(
            "there is no figure for a period up to {}",
            target_period.label()
        ));
    };
    let value = latest.value;
    let within = |reference: f64| match (latest.lower_95, latest.upper_95) {
        (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() => {
            Some(lo <= reference && reference <= hi)
        }
        _ => None,
    };
    let progress = target
        .baseline
        .and_then(|baseline| progress(value, baseline, goal));
    let side = if higher { "above" } else { "below" };
    let assessment = |status, reason: String, compared_with: f64, is_final| TargetAssessment {
        status,
        reason,
        progress,
        value: Some(value),
        period: Some(latest.period),
        compared_with: Some(compared_with),
        is_final,
        within_limits: within(compared_with),
    };
    let figure = format!(
        "the figure for {} is {}",
        latest.period.label(),
        number(value)
    );
    let is_final =
        latest.period.start() == target_period.start() && latest.period.end() == target_end;
    if is_final {
        let note = limits_note(within(goal), "the target");
        return if at_or_beyond(value, goal, higher) {
            assessment(
                TargetStatus::Met,
                format!(
                    "met: {figure}, at or {side} the target of {}{note}",
                    number(goal)
                ),
                goal,
                true,
            )
        } else {
            assessment(
                TargetStatus::OffTrack,
                format!(
                    "missed: {figure}, short of the target of {}{note}",
                    number(goal)
                ),
                goal,
                true,
            )
        };
    }
    let waiting = if today > target_end {
        format!("the figure for {} is not in yet; ", target_period.label())
    } else {
        String::new()
    };
    if target.kind == TargetKind::Threshold || at_or_beyond(value, goal, higher) {
        let note = limits_note(within(goal), "the target");
        return if at_or_beyond(value, goal, higher) {
            assessment(
                TargetStatus::OnTrack,
                format!(
                    "{waiting}on track: {figure}, already at or {side} the target of {}, which is \
                     judged on the figure for {}{note}",
                    number(goal),
                    target_period.label()
                ),
                goal,
                false,
            )
        } else {
            assessment(
                TargetStatus::OffTrack,
                format!(
                    "{waiting}off track: {figure}, on the wrong side of the threshold of {}{note}",
                    number(goal)
                ),
                goal,
                false,
            )
        };
    }
    let (Some(baseline), Some(baseline_period)) = (target.baseline, target.baseline_period) else {
        return TargetAssessment {
            progress,
            value: Some(value),
            period: Some(latest.period),
            ..TargetAssessment::not_assessed(format!(
                "{waiting}{figure}, not yet at the target of {}, and without a baseline value and \
                 period there is no trajectory to judge progress by",
                number(goal)
            ))
        };
    };
    let whole = days_between(baseline_period.end(), target_end);
    if !(baseline.is_finite() && whole > 0.0) {
        return TargetAssessment::not_assessed(
            "the baseline is not a number or its period does not end before the target period",
        );
    }
    let elapsed = days_between(baseline_period.end(), latest.period.end()).clamp(0.0, whole);
    let expected = baseline + (goal - baseline) * elapsed / whole;
    let note = limits_note(within(expected), "the trajectory's value");
    if at_or_beyond(value, expected, higher) {
        assessment(
            TargetStatus::OnTrack,
            format!(
                "{waiting}on track: {figure}, at or {side} the {} the straight line from the \
                 baseline of {} to the target of {} gives for then{note}",
                number(expected),
                number(baseline),
                number(goal)
            ),
            expected,
            false,
        )
    } else {
        assessment(
            TargetStatus::OffTrack,
            format!(
                "{waiting}off track: {figure}, behind the {} the straight line from the baseline \
                 of {} to the target of {} gives for then{note}",
                number(expected),
                number(baseline),
                number(goal)
            ),
            expected,
            false,
        )
    }
}

fn cumulative(
    target: &Target,
    polarity: Polarity,
    figures: &[TargetFigure],
    today: Date,
) -> TargetAssessment {
    let goal = target.target;
    let target_period = target.period;
    let start_period = target.baseline_period.unwrap_or(target_period);
    let (start, end) = (start_period.start(), target_period.end());
    if start > end {
        return TargetAssessment::not_assessed(
            "the baseline period starts after the target period ends",
        );
    }
    let mut counted: Vec<TargetFigure> = figures
        .iter()
        .filter(|f| f.period.start() >= start && f.period.end() <= end)
        .copied()
        .collect();
    counted.sort_by_key(|f| (f.period.start(), f.period.end()));
    let overlap = counted
        .windows(2)
        .any(|w| matches!(w, [a, b] if b.period.start() <= a.period.end()));
    if overlap {
        return TargetAssessment::not_assessed(
            "the figures overlap (for example months and quarters together), so they cannot be \
             added up",
        );
    }
    let Some(last) = counted.last().map(|f| f.period) else {
        return TargetAssessment::not_assessed(format!(
            "there are no figures yet for the periods from {} to {}",
            start_period.label(),
            target_period.label()
        ));
    };
    let total: f64 = counted.iter().map(|f| f.value).sum();
    let months_counted: usize = counted.iter().map(|f| f.period.months().len()).sum();
    let months_elapsed = month_index(last.end()) - month_index(start) + 1;
    let gap_note = if i64::try_from(months_counted).unwrap_or(i64::MAX) < months_elapsed {
        format!(
            "; figures are missing for some periods (only {months_counted} of the \
             {months_elapsed} months to {} are counted)",
            last.label()
        )
    } else {
        String::new()
    };
    let is_final = last.end() == end;
    let whole = days_between(start, end) + 1.0;
    let elapsed = days_between(start, last.end()) + 1.0;
    let share = goal * elapsed / whole;
    let cap = polarity == Polarity::LowerIsBetter;
    let since = format!(
        "the total from {} to {} is {}",
        start_period.label(),
        last.label(),
        number(total)
    );
    let waiting = if today > end && !is_final {
        format!(
            "the figures to the end of {} are not all in yet; ",
            target_period.label()
        )
    } else {
        String::new()
    };
    let (status, reason, compared_with) = if cap {
        if total > goal && !at_or_beyond(total, goal, false) {
            (
                TargetStatus::OffTrack,
                format!(
                    "{waiting}off track: {since}, over the cap of {}",
                    number(goal)
                ),
                goal,
            )
        } else if is_final {
            (
                TargetStatus::Met,
                format!("met: {since}, within the cap of {}", number(goal)),
                goal,
            )
        } else if at_or_beyond(total, share, false) {
            (
                TargetStatus::OnTrack,
                format!(
                    "{waiting}on track: {since}, within the {} that a straight-line share of the \
                     cap of {} allows by then",
                    number(share),
                    number(goal)
                ),
                share,
            )
        } else {
            (
                TargetStatus::OffTrack,
                format!(
                    "{waiting}off track: {since}, over the {} that a straight-line share of the \
                     cap of {} allows by then",
                    number(share),
                    number(goal)
                ),
                share,
            )
        }
    } else if at_or_beyond(total, goal, true) {
        let early = if is_final { "" } else { " (met early)" };
        (
            TargetStatus::Met,
            format!(
                "met{early}: {since}, at or above the target of {}",
                number(goal)
            ),
            goal,
        )
    } else if is_final {
        (
            TargetStatus::OffTrack,
            format!("missed: {since}, short of the target of {}", number(goal)),
            goal,
        )
    } else if at_or_beyond(total, share, true) {
        (
            TargetStatus::OnTrack,
            format!(
                "{waiting}on track: {since}, at or above the {} a straight-line share of the \
                 target of {} needs by then",
                number(share),
                number(goal)
            ),
            share,
        )
    } else {
        (
            TargetStatus::OffTrack,
            format!(
                "{waiting}off track: {since}, behind the {} a straight-line share of the target \
                 of {} needs by then",
                number(share),
                number(goal)
            ),
            share,
        )
    };
    let progress = if cap || goal <= 0.0 {
        None
    } else {
        Some((total / goal).clamp(0.0, 1.0))
    };
    TargetAssessment {
        status,
        reason: format!("{reason}{gap_note}"),
        progress,
        value: Some(total),
        period: Some(last),
        compared_with: Some(compared_with),
        is_final,
        within_limits: None,
    }
}

/// Months since year 0 of the month a date falls in.
fn month_index(date: Date) -> i64 {
    i64::from(date.year()) * 12 + i64::from(u8::from(date.month()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::AreaCode;
    use crate::metric::MetricId;
    use time::Month;

    fn p(code: &str) -> Period {
        Period::parse(code).unwrap()
    }

    fn day(year: i32, month: Month, d: u8) -> Date {
        Date::from_calendar_date(year, month, d).unwrap()
    }

    fn target(period: &str, goal: f64, basis: TargetBasis) -> Target {
        Target {
            metric_id: MetricId::parse("local.test").unwrap(),
            area_code: AreaCode::parse("E06000047").unwrap(),
            period: p(period),
            target: goal,
            kind: TargetKind::Ambition,
            basis,
            baseline_period: None,
            baseline: None,
            note: None,
            provenance: Vec::new(),
        }
    }

    fn with_baseline(mut t: Target, period: &str, value: f64) -> Target {
        t.baseline_period = Some(p(period));
        t.baseline = Some(value);
        t
    }

    fn fig(period: &str, value: f64) -> TargetFigure {
        TargetFigure::new(p(period), value)
    }

    /// A "today" inside 2024/25.
    fn mid() -> Date {
        day(2024, Month::October, 1)
    }

    #[test]
    fn codes() {
        let codes: Vec<_> = TargetStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["met", "on_track", "off_track", "not_assessed"]);
        assert!(RULES.len() > 500);
    }

    #[test]
    fn progress_is_clamped() {
        assert_eq!(progress(30.0, 20.0, 40.0), Some(0.5));
        assert_eq!(progress(50.0, 20.0, 40.0), Some(1.0));
        assert_eq!(progress(10.0, 20.0, 40.0), Some(0.0));
        assert_eq!(progress(15.0, 20.0, 10.0), Some(0.5));
        assert_eq!(progress(15.0, 20.0, 20.0), None);
    }

    #[test]
    fn level_met_and_missed_on_the_target_period_figure() {
        let t = with_baseline(target("2024/25", 40.0, TargetBasis::Level), "2022/23", 30.0);
        let today = day(2025, Month::August, 1);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2024/25", 41.0)], today);
        assert_eq!(a.status, TargetStatus::Met);
        assert!(a.is_final);
        assert_eq!(a.progress, Some(1.0));
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2024/25", 40.0)], today);
        assert_eq!(a.status, TargetStatus::Met, "equal counts as met");
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2024/25", 35.0)], today);
        assert_eq!(a.status, TargetStatus::OffTrack);
        assert!(a.reason.starts_with("missed"));
        assert_eq!(a.progress, Some(0.5));
        // Lower is better turns it round.
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2024/25", 35.0)], today);
        assert_eq!(a.status, TargetStatus::Met);
        // The rolling twelve months to March 2025 is the same span as 2024/25.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("R12-2025-03", 41.0)],
            today,
        );
        assert_eq!(a.status, TargetStatus::Met);
        // Later figures are not used.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2024/25", 35.0), fig("2025/26", 45.0)],
            today,
        );
        assert_eq!(a.status, TargetStatus::OffTrack);
    }

    #[test]
    fn level_trajectory_before_the_target_period() {
        // Baseline 30 at the end of March 2023, target 40 at the end of March 2025; the end of
        // March 2024 is 366 of 731 days along, so the line gives 30 + 10 × 366/731 ≈ 35.01.
        let t = with_baseline(target("2024/25", 40.0, TargetBasis::Level), "2022/23", 30.0);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2023/24", 35.5)], mid());
        assert_eq!(a.status, TargetStatus::OnTrack);
        let expected = 30.0 + 10.0 * 366.0 / 731.0;
        assert!((a.compared_with.unwrap() - expected).abs() < 1e-9);
        assert!(!a.is_final);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2023/24", 34.0)], mid());
        assert_eq!(a.status, TargetStatus::OffTrack);
        assert!(a.reason.contains("behind"));
        // Quarterly figures read the line at the quarter's end: 30 + 10 × 457/731 ≈ 36.25.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2024/25-Q1", 36.5)],
            mid(),
        );
        assert_eq!(a.status, TargetStatus::OnTrack);
        // Already beyond the target before the target period ends: on track, not met.
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2023/24", 42.0)], mid());
        assert_eq!(a.status, TargetStatus::OnTrack);
        assert!(a.reason.contains("already"));
        // The latest figure is used.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2024/25-Q1", 31.0), fig("2023/24", 35.5)],
            mid(),
        );
        assert_eq!(a.period, Some(p("2024/25-Q1")));
        assert_eq!(a.status, TargetStatus::OffTrack);
    }

    #[test]
    fn level_lower_is_better_trajectory() {
        let t = with_baseline(target("2024/25", 20.0, TargetBasis::Level), "2022/23", 30.0);
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2023/24", 24.0)], mid());
        assert_eq!(a.status, TargetStatus::OnTrack);
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2023/24", 26.0)], mid());
        assert_eq!(a.status, TargetStatus::OffTrack);
    }

    #[test]
    fn level_without_baseline() {
        let t = target("2024/25", 40.0, TargetBasis::Level);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2023/24", 35.0)], mid());
        assert_eq!(a.status, TargetStatus::NotAssessed);
        assert_eq!(a.value, Some(35.0));
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2023/24", 45.0)], mid());
        assert_eq!(a.status, TargetStatus::OnTrack);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2024/25", 45.0)], mid());
        assert_eq!(a.status, TargetStatus::Met);
    }

    #[test]
    fn no_judgement_takes_its_direction_from_the_baseline() {
        let t = with_baseline(target("2024/25", 40.0, TargetBasis::Level), "2022/23", 30.0);
        let a = assess_target(&t, Polarity::NoJudgement, &[fig("2024/25", 41.0)], mid());
        assert_eq!(a.status, TargetStatus::Met);
        let t = with_baseline(target("2024/25", 20.0, TargetBasis::Level), "2022/23", 30.0);
        let a = assess_target(&t, Polarity::NoJudgement, &[fig("2024/25", 21.0)], mid());
        assert_eq!(a.status, TargetStatus::OffTrack);
        let t = target("2024/25", 40.0, TargetBasis::Level);
        let a = assess_target(&t, Polarity::NoJudgement, &[fig("2024/25", 41.0)], mid());
        assert_eq!(a.status, TargetStatus::NotAssessed);
    }

    #[test]
    fn thresholds_have_no_trajectory() {
        let mut t = with_baseline(target("2024/25", 40.0, TargetBasis::Level), "2022/23", 30.0);
        t.kind = TargetKind::Threshold;
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2023/24", 39.0)], mid());
        assert_eq!(a.status, TargetStatus::OnTrack);
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2023/24", 41.0)], mid());
        assert_eq!(a.status, TargetStatus::OffTrack);
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2024/25", 39.0)], mid());
        assert_eq!(a.status, TargetStatus::Met);
    }

    #[test]
    fn no_figures_is_not_assessed_and_late_figures_are_noted() {
        let t = with_baseline(target("2024/25", 40.0, TargetBasis::Level), "2022/23", 30.0);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[], mid());
        assert_eq!(a.status, TargetStatus::NotAssessed);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[fig("2025/26", 50.0)], mid());
        assert_eq!(a.status, TargetStatus::NotAssessed);
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[
                fig("2024/25-Q3", 39.0),
                TargetFigure::new(p("2024/25"), f64::NAN),
            ],
            day(2025, Month::May, 1),
        );
        assert_eq!(a.status, TargetStatus::OnTrack);
        assert!(a.reason.starts_with("the figure for 2024/25 is not in yet"));
    }

    #[test]
    fn limits_are_noted_but_do_not_change_the_status() {
        let t = with_baseline(target("2024/25", 40.0, TargetBasis::Level), "2022/23", 30.0);
        let figure = TargetFigure {
            lower_95: Some(37.0),
            upper_95: Some(41.0),
            ..fig("2024/25", 39.0)
        };
        let a = assess_target(&t, Polarity::HigherIsBetter, &[figure], mid());
        assert_eq!(a.status, TargetStatus::OffTrack);
        assert_eq!(a.within_limits, Some(true));
        assert!(a.reason.contains("may be chance"));
    }

    #[test]
    fn counterfactual_is_not_assessed() {
        let t = target("2024/25", 1000.0, TargetBasis::Counterfactual);
        let a = assess_target(&t, Polarity::LowerIsBetter, &[fig("2024/25", 10.0)], mid());
        assert_eq!(a.status, TargetStatus::NotAssessed);
        assert!(a.reason.contains("counterfactual"));
    }

    /// The shipped county lines ambition: 2,000 closed from April 2022 to March 2025.
    fn county_lines() -> Target {
        with_baseline(
            target("2024/25", 2000.0, TargetBasis::Cumulative),
            "2022/23",
            0.0,
        )
    }

    #[test]
    fn cumulative_met_early_on_track_off_track_and_missed() {
        let t = county_lines();
        // 2,100 by the end of 2023/24: met early.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2022/23", 1000.0), fig("2023/24", 1100.0)],
            mid(),
        );
        assert_eq!(a.status, TargetStatus::Met);
        assert!(a.reason.starts_with("met (met early)"));
        assert_eq!(a.value, Some(2100.0));
        assert_eq!(a.progress, Some(1.0));
        // 700 after one year of three: the straight-line share is 2000 × 365/1096 ≈ 666.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2022/23", 700.0)],
            mid(),
        );
        assert_eq!(a.status, TargetStatus::OnTrack);
        assert!((a.compared_with.unwrap() - 2000.0 * 365.0 / 1096.0).abs() < 1e-9);
        assert_eq!(a.progress, Some(0.35));
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2022/23", 600.0)],
            mid(),
        );
        assert_eq!(a.status, TargetStatus::OffTrack);
        // All three years in and short: missed.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[
                fig("2022/23", 600.0),
                fig("2023/24", 600.0),
                fig("2024/25", 600.0),
            ],
            day(2025, Month::June, 1),
        );
        assert_eq!(a.status, TargetStatus::OffTrack);
        assert!(a.reason.starts_with("missed"));
        assert!(a.is_final);
        // Figures before the baseline period are not counted.
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2021/22", 5000.0), fig("2022/23", 600.0)],
            mid(),
        );
        assert_eq!(a.value, Some(600.0));
    }

    #[test]
    fn cumulative_gaps_and_overlaps() {
        let t = county_lines();
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2022/23-Q1", 200.0), fig("2022/23-Q3", 200.0)],
            mid(),
        );
        assert!(a.reason.contains("only 6 of the 9 months"));
        let a = assess_target(
            &t,
            Polarity::HigherIsBetter,
            &[fig("2022/23", 700.0), fig("2022/23-Q1", 200.0)],
            mid(),
        );
        assert_eq!(a.status, TargetStatus::NotAssessed);
        let a = assess_target(&t, Polarity::HigherIsBetter, &[], mid());
        assert_eq!(a.status, TargetStatus::NotAssessed);
    }

    #[test]
    fn cumulative_caps() {
        // No more than 300 in 2024/25, counted monthly from April 2024.
        let t = target("2024/25", 300.0, TargetBasis::Cumulative);
        let months = |values: &[f64]| -> Vec<TargetFigure> {
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let (year, month) = if i < 9 { (2024, i + 4) } else { (2025, i - 8) };
                    fig(&format!("{year}-{month:02}"), v)
                })
                .collect()
        };
        let a = assess_target(&t, Polarity::LowerIsBetter, &months(&[20.0; 6]), mid());
        assert_eq!(a.status, TargetStatus::OnTrack);
        assert_eq!(a.progress, None);
        let a = assess_target(&t, Polarity::LowerIsBetter, &months(&[30.0; 6]), mid());
        assert_eq!(a.status, TargetStatus::OffTrack);
        let a = assess_target(
            &t,
            Polarity::LowerIsBetter,
            &months(&[100.0, 100.0, 101.0]),
            mid(),
        );
        assert_eq!(a.status, TargetStatus::OffTrack);
        assert!(a.reason.contains("over the cap"));
        let a = assess_target(
            &t,
            Polarity::LowerIsBetter,
            &months(&[25.0; 12]),
            day(2025, Month::May, 1),
        );
        assert_eq!(a.status, TargetStatus::Met);
        assert!(a.is_final);
    }
}
