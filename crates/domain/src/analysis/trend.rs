//! The recent-trend marker of the public health profiles (Fingertips `TrendMarkerCalculator`).
//!
//! The marker looks at the five most recent points of a series of consecutive, equal-length,
//! non-overlapping periods (the caller's job: Fingertips uses annual figures with no break in
//! the series) and says whether they rise or fall significantly:
//!
//! * **Proportions** with a numerator and denominator for every point: the Cochran–Armitage
//!   χ² test for trend, with t = 1..5 from oldest to newest,
//!   χ² = ΣN·(ΣN·Σtx − Σx·ΣtN)² / (Σx·(ΣN − Σx)·(ΣN·Σt²N − (ΣtN)²)); the slopes checked for a
//!   steady direction are least-squares slopes of the logits ln(x/(N − x)).
//! * **Everything else** (and proportions without counts): weighted least squares of the value
//!   on t with weights wₜ = 1/((UCI − LCI)/3.92)² from the 95% limits, χ² = (β̂/SE)².
//!
//! The trend is significant when χ² > 9.54953570608324 (Φ⁻¹(0.999)², 99.8% two-sided) **and**
//! the slope keeps its sign when each of the five points is left out in turn (six fits in all,
//! none of them flat). A significant trend is `increasing` or `decreasing` by the direction of
//! the figures, never by polarity: colouring it better or worse is a display rule.

use serde::{Deserialize, Serialize};

use crate::metric::{Unit, vocabulary};

/// How many of the most recent points the marker uses, and the fewest it needs.
pub const TREND_POINTS: usize = 5;

/// The χ² a trend must exceed: Φ⁻¹(0.999)², i.e. significance at 99.8% (Excel `CHIINV(0.002,1)`).
pub const TREND_CHI_SQUARE_CRITICAL: f64 = 9.54953570608324;

/// The width of a 95% confidence interval in standard errors (2 × 1.96).
const WIDTH_95_IN_SE: f64 = 3.92;

vocabulary!(
    /// The recent-trend marker: the codes are part of the command-line and API contract.
    Trend, "trend" {
        /// The figures rise significantly over the last five points.
        Increasing => "increasing",
        /// The figures fall significantly over the last five points.
        Decreasing => "decreasing",
        /// No significant rise or fall.
        NoChange => "no_change",
        /// Too few points, or figures that cannot be used (missing limits, invalid counts).
        CannotBeCalculated => "cannot_be_calculated",
    }
);

vocabulary!(
    /// The test used for the marker.
    TrendMethod, "trend method" {
        /// Cochran–Armitage χ² test for trend in proportions, from numerators and denominators.
        CochranArmitage => "cochran_armitage",
        /// Weighted least squares on the values, weighted by their 95% limits.
        WeightedLeastSquares => "weighted_least_squares",
    }
);

/// One point of a series, oldest first when passed to [`recent_trend`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The figure in the metric's displayed unit.
    pub value: f64,
    /// The lower 95% confidence limit, in the same unit.
    pub lower_95: Option<f64>,
    /// The upper 95% confidence limit, in the same unit.
    pub upper_95: Option<f64>,
    /// The numerator, for proportions.
    pub numerator: Option<f64>,
    /// The denominator, for proportions.
    pub denominator: Option<f64>,
}

impl TrendPoint {
    /// A figure with its 95% limits (rates, counts, modelled values).
    pub fn with_limits(value: f64, lower_95: f64, upper_95: f64) -> Self {
        Self {
            value,
            lower_95: Some(lower_95),
            upper_95: Some(upper_95),
            numerator: None,
            denominator: None,
        }
    }

    /// A proportion from its numerator and denominator; the value is the percentage.
    pub fn proportion(numerator: f64, denominator: f64) -> Self {
        let value = if denominator > 0.0 {
            numerator / denominator * 100.0
        } else {
            f64::NAN
        };
        Self {
            value,
            lower_95: None,
            upper_95: None,
            numerator: Some(numerator),
            denominator: Some(denominator),
        }
    }
}

/// The marker with the workings behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendResult {
    /// The marker.
    pub trend: Trend,
    /// The test used; `None` when the marker cannot be calculated.
    pub method: Option<TrendMethod>,
    /// The χ² statistic of the test, when it could be computed.
    pub chi_square: Option<f64>,
    /// The slope over the five points: change in value per period for weighted least squares,
    /// change in the logit per period for proportions.
    pub slope: Option<f64>,
    /// Whether the slope kept its sign when each point was left out in turn.
    pub steady: Option<bool>,
    /// How many points were used (5, or 0 when the marker cannot be calculated).
    pub points_used: usize,
    /// The outcome in plain words.
    pub reason: String,
}

impl TrendResult {
    fn cannot(reason: impl Into<String>) -> Self {
        Self {
            trend: Trend::CannotBeCalculated,
            method: None,
            chi_square: None,
            slope: None,
            steady: None,
            points_used: 0,
            reason: reason.into(),
        }
    }
}

/// The recent-trend marker of a series given oldest first; only the last five points are used.
///
/// For [`Unit::Proportion`] metrics whose last five points all carry a numerator and a
/// denominator the Cochran–Armitage test is used; otherwise the weighted least-squares test on
/// the 95% limits. Fewer than five points, a non-finite figure, a missing or empty 95%
/// interval (for least squares) or an invalid count (a denominator of zero or less, a
/// numerator below zero or above the denominator) make it `cannot_be_calculated`.
pub fn recent_trend(points: &[TrendPoint], unit: Unit) -> TrendResult {
    let Some(recent) = points
        .len()
        .checked_sub(TREND_POINTS)
        .and_then(|from| points.get(from..))
    else {
        return TrendResult::cannot(format!(
            "the trend needs {TREND_POINTS} points and there are {}",
            points.len()
        ));
    };
    let counts: Option<Vec<(f64, f64)>> = recent
        .iter()
        .map(|p| p.numerator.zip(p.denominator))
        .collect();
    match counts {
        Some(counts) if unit == Unit::Proportion => cochran_armitage(&counts),
        _ => weighted_least_squares(recent),
    }
}

/// A point for a straight-line fit: time, value and weight.
#[derive(Debug, Clone, Copy)]
struct FitPoint {
    t: f64,
    y: f64,
    w: f64,
}

/// The weighted least-squares slope of y on t; `None` when t does not vary.
fn slope(points: impl Iterator<Item = FitPoint>) -> Option<f64> {
    let (mut s1, mut s_ty, mut s_t, mut s_y, mut s_tt) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for p in points {
        s1 += p.w;
        s_ty += p.w * p.t * p.y;
        s_t += p.w * p.t;
        s_y += p.w * p.y;
        s_tt += p.w * p.t * p.t;
    }
    let d = s1 * s_tt - s_t * s_t;
    (d > 0.0 && d.is_finite()).then(|| (s1 * s_ty - s_t * s_y) / d)
}

/// Whether the slope keeps the sign `sign` (±1) when each point is left out in turn.
fn steady(points: &[FitPoint], sign: f64) -> bool {
    (0..points.len()).all(|left_out| {
        let kept = points
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != left_out)
            .map(|(_, p)| *p);
        slope(kept).is_some_and(|b| b * sign > 0.0)
    })
}

/// Times 1..n for n points, oldest first.
fn times(n: usize) -> impl Iterator<Item = f64> {
    (1..=n).map(|t| t as f64)
}

fn verdict(
    method: TrendMethod,
    chi_square: f64,
    direction: f64,
    slope: f64,
    fits: &[FitPoint],
) -> TrendResult {
    let sign = if direction > 0.0 {
        1.0
    } else if direction < 0.0 {
        -1.0
    } else {
        0.0
    };
    let steady = sign != 0.0 && slope * sign > 0.0 && steady(fits, sign);
    let significant = chi_square > TREND_CHI_SQUARE_CRITICAL;
    let (trend, reason) = match (significant, steady) {
        (true, true) if sign > 0.0 => (
            Trend::Increasing,
            format!(
                "a significant rise over the last {TREND_POINTS} points (χ² = {chi_square:.2})"
            ),
        ),
        (true, true) => (
            Trend::Decreasing,
            format!(
                "a significant fall over the last {TREND_POINTS} points (χ² = {chi_square:.2})"
            ),
        ),
        (true, false) => (
            Trend::NoChange,
            format!(
                "χ² = {chi_square:.2} is significant but the direction changes when one point \
                 is left out, so no steady trend"
            ),
        ),
        (false, _) => (
            Trend::NoChange,
            format!(
                "no significant change over the last {TREND_POINTS} points (χ² = {chi_square:.2}, \
                 needs more than {TREND_CHI_SQUARE_CRITICAL:.2})"
            ),
        ),
    };
    TrendResult {
        trend,
        method: Some(method),
        chi_square: Some(chi_square),
        slope: Some(slope),
        steady: Some(steady),
        points_used: fits.len(),
        reason,
    }
}

/// The Cochran–Armitage test on (numerator, denominator) pairs, oldest first.
fn cochran_armitage(counts: &[(f64, f64)]) -> TrendResult {
    let valid = counts
        .iter()
        .all(|&(x, n)| x.is_finite() && n.is_finite() && n > 0.0 && (0.0..=n).contains(&x));
    if !valid {
        return TrendResult::cannot(
            "a numerator or denominator is missing or invalid (the denominator must be above \
             zero and the numerator between zero and the denominator)",
        );
    }
    let (mut s_n, mut s_x, mut s_tx, mut s_tn, mut s_ttn) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (t, &(x, n)) in times(counts.len()).zip(counts) {
        s_n += n;
        s_x += x;
        s_tx += t * x;
        s_tn += t * n;
        s_ttn += t * t * n;
    }
    let direction = s_n * s_tx - s_x * s_tn;
    let denominator = s_x * (s_n - s_x) * (s_n * s_ttn - s_tn * s_tn);
    if denominator <= 0.0 || !denominator.is_finite() {
        return TrendResult {
            trend: Trend::NoChange,
            method: Some(TrendMethod::CochranArmitage),
            chi_square: None,
            slope: Some(0.0),
            steady: None,
            points_used: counts.len(),
            reason: "every proportion is 0% or every proportion is 100%, so no change".to_owned(),
        };
    }
    let chi_square = s_n * direction * direction / denominator;
    // Logits for the direction check; a count of 0 or N takes the usual half-count correction,
    // since its logit is infinite.
    let fits: Vec<FitPoint> = times(counts.len())
        .zip(counts)
        .map(|(t, &(x, n))| {
            let y = if x > 0.0 && x < n {
                (x / (n - x)).ln()
            } else {
                ((x + 0.5) / (n - x + 0.5)).ln()
            };
            FitPoint { t, y, w: 1.0 }
        })
        .collect();
    let logit_slope = slope(fits.iter().copied()).unwrap_or(0.0);
    verdict(
        TrendMethod::CochranArmitage,
        chi_square,
        direction,
        logit_slope,
        &fits,
    )
}

/// The weighted least-squares test on values with 95% limits, oldest first.
fn weighted_least_squares(points: &[TrendPoint]) -> TrendResult {
    let mut fits = Vec::with_capacity(points.len());
    for (t, p) in times(points.len()).zip(points) {
        let (Some(lower), Some(upper)) = (p.lower_95, p.upper_95) else {
            return TrendResult::cannot("a point has no 95% confidence limits");
        };
        let se = (upper - lower) / WIDTH_95_IN_SE;
        let w = 1.0 / (se * se);
        if !(p.value.is_finite() && se > 0.0 && w.is_finite()) {
            return TrendResult::cannot(
                "a point has a missing value or 95% limits that are not a proper interval",
            );
        }
        fits.push(FitPoint { t, y: p.value, w });
    }
    let (mut s1, mut s_t, mut s_tt) = (0.0, 0.0, 0.0);
    for p in &fits {
        s1 += p.w;
        s_t += p.w * p.t;
        s_tt += p.w * p.t * p.t;
    }
    let d = s1 * s_tt - s_t * s_t;
    let Some(beta) = slope(fits.iter().copied()) else {
        return TrendResult::cannot("the weights are too extreme to fit a line");
    };
    // SE(β̂)² = S1 / D, so (β̂ / SE)² = β̂² · D / S1.
    let chi_square = beta * beta * d / s1;
    if !chi_square.is_finite() {
        return TrendResult::cannot("the weights are too extreme to fit a line");
    }
    verdict(
        TrendMethod::WeightedLeastSquares,
        chi_square,
        beta,
        beta,
        &fits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(values: &[f64], half_width: f64) -> Vec<TrendPoint> {
        values
            .iter()
            .map(|&v| TrendPoint::with_limits(v, v - half_width, v + half_width))
            .collect()
    }

    fn proportions(pairs: &[(f64, f64)]) -> Vec<TrendPoint> {
        pairs
            .iter()
            .map(|&(x, n)| TrendPoint::proportion(x, n))
            .collect()
    }

    #[test]
    fn codes_are_the_cli_contract() {
        let codes: Vec<_> = Trend::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(
            codes,
            [
                "increasing",
                "decreasing",
                "no_change",
                "cannot_be_calculated"
            ]
        );
    }

    #[test]
    fn fewer_than_five_points_cannot_be_calculated() {
        let r = recent_trend(&limits(&[1.0, 2.0, 3.0, 4.0], 1.96), Unit::Rate);
        assert_eq!(r.trend, Trend::CannotBeCalculated);
        assert_eq!(r.points_used, 0);
        let r = recent_trend(&[], Unit::Proportion);
        assert_eq!(r.trend, Trend::CannotBeCalculated);
    }

    #[test]
    fn unit_slope_with_unit_standard_errors_has_chi_square_ten() {
        // Limits ±1.96 give SE 1 and weight 1; y = t gives β̂ = 1, D = 5·55 − 15² = 50,
        // SE² = 5/50, so χ² = 10 > 9.55.
        let r = recent_trend(&limits(&[1.0, 2.0, 3.0, 4.0, 5.0], 1.96), Unit::Rate);
        assert_eq!(r.method, Some(TrendMethod::WeightedLeastSquares));
        assert!((r.chi_square.unwrap_or_default() - 10.0).abs() < 1e-9);
        assert!((r.slope.unwrap_or_default() - 1.0).abs() < 1e-12);
        assert_eq!(r.trend, Trend::Increasing);
        // y = 0.9t: χ² = 8.1, not significant.
        let r = recent_trend(&limits(&[0.9, 1.8, 2.7, 3.6, 4.5], 1.96), Unit::Rate);
        assert!((r.chi_square.unwrap_or_default() - 8.1).abs() < 1e-9);
        assert_eq!(r.trend, Trend::NoChange);
        // Falling the same way is decreasing.
        let r = recent_trend(&limits(&[5.0, 4.0, 3.0, 2.0, 1.0], 1.96), Unit::Count);
        assert_eq!(r.trend, Trend::Decreasing);
    }

    #[test]
    fn only_the_last_five_points_count() {
        let mut values = vec![100.0];
        values.extend([1.0, 2.0, 3.0, 4.0, 5.0]);
        let r = recent_trend(&limits(&values, 1.96), Unit::Rate);
        assert_eq!(r.trend, Trend::Increasing);
        assert_eq!(r.points_used, 5);
    }

    #[test]
    fn flat_and_noisy_series_show_no_change() {
        let r = recent_trend(&limits(&[7.0; 5], 1.0), Unit::Rate);
        assert_eq!(r.trend, Trend::NoChange);
        assert_eq!(r.chi_square, Some(0.0));
        let r = recent_trend(&limits(&[10.0, 12.0, 9.0, 11.0, 10.0], 2.0), Unit::Rate);
        assert_eq!(r.trend, Trend::NoChange);
        let r = recent_trend(&proportions(&[(100.0, 1000.0); 5]), Unit::Proportion);
        assert_eq!(r.method, Some(TrendMethod::CochranArmitage));
        assert_eq!(r.trend, Trend::NoChange);
        let r = recent_trend(
            &proportions(&[
                (50.0, 500.0),
                (56.0, 500.0),
                (47.0, 500.0),
                (53.0, 500.0),
                (51.0, 500.0),
            ]),
            Unit::Proportion,
        );
        assert_eq!(r.trend, Trend::NoChange);
    }

    #[test]
    fn cochran_armitage_matches_the_hand_calculation() {
        // N = 100, x = 10..50: ΣN = 500, Σx = 150, Σtx = 550, ΣtN = 1500, Σt²N = 5500;
        // χ² = 500·(500·550 − 150·1500)² / (150·350·(500·5500 − 1500²)) = 1.25e12 / 2.625e10.
        let r = recent_trend(
            &proportions(&[
                (10.0, 100.0),
                (20.0, 100.0),
                (30.0, 100.0),
                (40.0, 100.0),
                (50.0, 100.0),
            ]),
            Unit::Proportion,
        );
        assert!((r.chi_square.unwrap_or_default() - 1.25e12 / 2.625e10).abs() < 1e-9);
        assert_eq!(r.trend, Trend::Increasing);
    }

    #[test]
    fn rising_proportions_with_large_denominators_increase() {
        let r = recent_trend(
            &proportions(&[
                (1000.0, 10000.0),
                (1100.0, 10000.0),
                (1200.0, 10000.0),
                (1300.0, 10000.0),
                (1400.0, 10000.0),
            ]),
            Unit::Proportion,
        );
        assert_eq!(r.trend, Trend::Increasing);
        assert_eq!(r.steady, Some(true));
    }

    #[test]
    fn a_sign_flip_on_leaving_one_out_is_no_change() {
        // Equal weights, y = 1, 0, 0, 0, 10: β̂ = 1.8, χ² = 32.4, but without the last point
        // the slope is negative.
        let r = recent_trend(&limits(&[1.0, 0.0, 0.0, 0.0, 10.0], 1.96), Unit::Rate);
        assert!((r.chi_square.unwrap_or_default() - 32.4).abs() < 1e-9);
        assert_eq!(r.steady, Some(false));
        assert_eq!(r.trend, Trend::NoChange);
        // The same shape in proportions.
        let r = recent_trend(
            &proportions(&[
                (200.0, 1000.0),
                (100.0, 1000.0),
                (100.0, 1000.0),
                (100.0, 1000.0),
                (400.0, 1000.0),
            ]),
            Unit::Proportion,
        );
        assert!(r.chi_square.unwrap_or_default() > TREND_CHI_SQUARE_CRITICAL);
        assert_eq!(r.trend, Trend::NoChange);
    }

    #[test]
    fn missing_limits_for_non_proportions_cannot_be_calculated() {
        let mut points = limits(&[1.0, 2.0, 3.0, 4.0, 5.0], 1.96);
        if let Some(p) = points.get_mut(2) {
            p.upper_95 = None;
        }
        let r = recent_trend(&points, Unit::Rate);
        assert_eq!(r.trend, Trend::CannotBeCalculated);
        // A zero-width interval is no interval either.
        let r = recent_trend(&limits(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.0), Unit::Value);
        assert_eq!(r.trend, Trend::CannotBeCalculated);
        // Counts on a rate are not used: the rate needs its limits.
        let counts = proportions(&[(1.0, 10.0); 5]);
        assert_eq!(
            recent_trend(&counts, Unit::Rate).trend,
            Trend::CannotBeCalculated
        );
    }

    #[test]
    fn proportions_without_counts_fall_back_to_limits() {
        let r = recent_trend(&limits(&[1.0, 2.0, 3.0, 4.0, 5.0], 1.96), Unit::Proportion);
        assert_eq!(r.method, Some(TrendMethod::WeightedLeastSquares));
        assert_eq!(r.trend, Trend::Increasing);
    }

    #[test]
    fn invalid_counts_cannot_be_calculated() {
        let mut points = proportions(&[(10.0, 100.0); 5]);
        if let Some(p) = points.get_mut(1) {
            p.numerator = Some(120.0);
        }
        assert_eq!(
            recent_trend(&points, Unit::Proportion).trend,
            Trend::CannotBeCalculated
        );
    }

    #[test]
    fn zero_counts_use_the_half_count_correction() {
        let r = recent_trend(
            &proportions(&[
                (0.0, 1000.0),
                (30.0, 1000.0),
                (60.0, 1000.0),
                (90.0, 1000.0),
                (120.0, 1000.0),
            ]),
            Unit::Proportion,
        );
        assert_eq!(r.trend, Trend::Increasing);
        let r = recent_trend(&proportions(&[(0.0, 50.0); 5]), Unit::Proportion);
        assert_eq!(r.trend, Trend::NoChange);
    }

    /// Published Fingertips series and the markers Fingertips shows for them (the
    /// FingertipsNext golden tests `CheckDiabetesTrendMarkersAreCorrect` and others).
    #[test]
    fn fingertips_golden_series() {
        // 241 Diabetes QOF prevalence, England, 2020..2024: increasing.
        let diabetes = proportions(&[
            (3455176.0, 48783947.0),
            (3491868.0, 49122259.0),
            (3625401.0, 49956777.0),
            (3774801.0, 50649129.0),
            (3938080.0, 51441896.0),
        ]);
        assert_eq!(
            recent_trend(&diabetes, Unit::Proportion).trend,
            Trend::Increasing
        );
        // 30309 MMR one dose at 2, Yorkshire and the Humber, 2020..2024: decreasing.
        let mmr = proportions(&[
            (57274.0, 61834.0),
            (55865.0, 60511.0),
            (53681.0, 59074.0),
            (51767.0, 57508.0),
            (53185.0, 59028.0),
        ]);
        assert_eq!(
            recent_trend(&mmr, Unit::Proportion).trend,
            Trend::Decreasing
        );
        // 41203 Preventable sight loss (crude rate with limits), 2020..2024: increasing.
        let sight = [
            TrendPoint::with_limits(2.935, 2.7841, 3.0919),
            TrendPoint::with_limits(1.93028, 1.8085, 2.058),
            TrendPoint::with_limits(2.7567, 2.6113, 2.9082),
            TrendPoint::with_limits(2.8701, 2.7225, 3.0237),
            TrendPoint::with_limits(3.0121, 2.8616, 3.1683),
        ];
        assert_eq!(recent_trend(&sight, Unit::Rate).trend, Trend::Increasing);
    }
}
