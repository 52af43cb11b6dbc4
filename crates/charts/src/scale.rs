//! Axis ticks and the linear mapping from data values to SVG coordinates.

/// The most ticks [`nice_ticks`] will ever return, so no input can make a chart allocate or
/// draw without bound.
const MAX_TICKS: f64 = 200.0;

/// "Nice" axis ticks covering `min..=max`: multiples of a step of 1, 2, 2.5 or 5 × 10ⁿ,
/// about `approx_count` intervals apart, starting at or below `min` and ending at or above
/// `max`.
///
/// - `nice_ticks(0.0, 97.0, 5)` is `[0, 20, 40, 60, 80, 100]`.
/// - `nice_ticks(0.3, 0.9, 5)` is `[0.2, 0.4, 0.6, 0.8, 1.0]`.
/// - The bounds may come in either order; a non-finite bound is ignored (both non-finite
///   gives `0..=1`).
/// - Equal bounds still give a range: `0` gives `0..=1`, any other value is widened by 10% of
///   its magnitude each side, so a flat series gets a real axis.
/// - Ticks are rounded to the step's decimals, so there is no `0.6000000000000001`.
///
/// The result always has at least two values, except at the very edge of the `f64` range,
/// where spans overflow; there it is just the (finite) bounds.
pub fn nice_ticks(min: f64, max: f64, approx_count: usize) -> Vec<f64> {
    let (mut lo, mut hi) = match (min.is_finite(), max.is_finite()) {
        (true, true) => (min.min(max), min.max(max)),
        (true, false) => (min, min),
        (false, true) => (max, max),
        (false, false) => (0.0, 1.0),
    };
    if lo == hi {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let pad = lo.abs() * 0.1;
            lo -= pad;
            hi += pad;
        }
    }
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 || !lo.is_finite() || !hi.is_finite() {
        return finite_bounds(lo, hi);
    }
    let count = approx_count.clamp(1, 50) as f64;
    let step = nice_step(span / count);
    if !(step.is_finite() && step > 0.0) {
        return finite_bounds(lo, hi);
    }
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    let intervals = last - first;
    // At the edge of the f64 range the outer ticks themselves can overflow.
    let outer_finite = (first * step).is_finite() && (last * step).is_finite();
    if !outer_finite || !intervals.is_finite() || !(1.0..=MAX_TICKS).contains(&intervals) {
        return finite_bounds(lo, hi);
    }
    let decimals = step_decimals(step);
    // `intervals` is a whole number in 1..=MAX_TICKS (checked above), so the cast is exact.
    let intervals = intervals as usize;
    let rounded: Vec<f64> = (0..=intervals)
        .map(|i| round_to((first + i as f64) * step, decimals))
        .collect();
    // Rounding to a step far below the decimals shown can pull the outer ticks inside the
    // range; then the exact multiples of the step are the ticks.
    let covers =
        rounded.first().is_some_and(|&t| t <= lo) && rounded.last().is_some_and(|&t| t >= hi);
    if covers {
        rounded
    } else {
        (0..=intervals).map(|i| (first + i as f64) * step).collect()
    }
}

/// The bounds themselves when no nicer ticks can be computed, dropping any that are not
/// finite so callers never see NaN or infinity.
fn finite_bounds(lo: f64, hi: f64) -> Vec<f64> {
    let ticks: Vec<f64> = [lo, hi].into_iter().filter(|v| v.is_finite()).collect();
    if ticks.is_empty() {
        vec![0.0, 1.0]
    } else {
        ticks
    }
}

/// The smallest of 1, 2, 2.5, 5 and 10 × 10ⁿ that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return f64::NAN;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    // Allow for the rounding in log10/powf, which can put `raw` a hair above 1 × 10ⁿ.
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// How many decimals a tick step needs to be written exactly: 20 → 0, 2.5 → 1, 0.25 → 2.
pub(crate) fn step_decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    for decimals in 0..=12 {
        let scaled = step * 10f64.powi(decimals);
        if (scaled - scaled.round()).abs() <= 1e-6 * scaled.max(1.0) {
            // `decimals` is in 0..=12.
            return decimals as usize;
        }
    }
    12
}

/// Rounds to `decimals` places, leaving values alone where scaling would overflow, and turns
/// `-0` into `0`.
fn round_to(value: f64, decimals: usize) -> f64 {
    let factor = 10f64.powi(i32::try_from(decimals).unwrap_or(12));
    let scaled = value * factor;
    let rounded = if scaled.is_finite() {
        scaled.round() / factor
    } else {
        value
    };
    // Adding +0.0 turns -0.0 into +0.0.
    rounded + 0.0
}

/// A linear map from a data domain to a coordinate range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `d0..=d1` onto `r0..=r1` (either may be reversed, as for a y axis).
    pub(crate) fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Self { d0, d1, r0, r1 }
    }

    /// A scale over the first and last of `ticks`.
    pub(crate) fn from_ticks(ticks: &[f64], r0: f64, r1: f64) -> Self {
        let d0 = ticks.first().copied().unwrap_or(0.0);
        let d1 = ticks.last().copied().unwrap_or(1.0);
        Self::new(d0, d1, r0, r1)
    }

    /// The coordinate of `value`; a degenerate domain maps everything to the middle of the
    /// range rather than dividing by zero.
    pub(crate) fn map(&self, value: f64) -> f64 {
        let span = self.d1 - self.d0;
        let middle = (self.r0 + self.r1) / 2.0;
        if !(span.is_finite() && span != 0.0 && value.is_finite()) {
            return middle;
        }
        let out = self.r0 + (value - self.d0) / span * (self.r1 - self.r0);
        if out.is_finite() { out } else { middle }
    }

    /// Whether `value` lies within the domain (inclusive, either orientation).
    pub(crate) fn contains(&self, value: f64) -> bool {
        let lo = self.d0.min(self.d1);
        let hi = self.d0.max(self.d1);
        value >= lo && value <= hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_to_ninety_seven() {
        assert_eq!(
            nice_ticks(0.0, 97.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
    }

    #[test]
    fn fractions_are_rounded_cleanly() {
        assert_eq!(nice_ticks(0.3, 0.9, 5), vec![0.2, 0.4, 0.6, 0.8, 1.0]);
    }

    #[test]
    fn steps_of_two_and_a_half() {
        assert_eq!(nice_ticks(0.0, 10.0, 4), vec![0.0, 2.5, 5.0, 7.5, 10.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn large_values() {
        assert_eq!(
            nice_ticks(0.0, 4321.0, 5),
            vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]
        );
    }

    #[test]
    fn flat_series_gets_a_range() {
        let ticks = nice_ticks(5.0, 5.0, 5);
        assert!(ticks.len() >= 2);
        assert!(ticks[0] <= 4.5 && *ticks.last().unwrap() >= 5.5);
        assert_eq!(nice_ticks(0.0, 0.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let negative = nice_ticks(-3.0, -3.0, 5);
        assert!(negative[0] < -3.0 && *negative.last().unwrap() > -3.0);
    }

    #[test]
    fn negative_ranges() {
        assert_eq!(
            nice_ticks(-97.0, 0.0, 5),
            vec![-100.0, -80.0, -60.0, -40.0, -20.0, 0.0]
        );
        assert_eq!(
            nice_ticks(-12.0, 7.0, 4),
            vec![-15.0, -10.0, -5.0, 0.0, 5.0, 10.0]
        );
    }

    #[test]
    fn reversed_bounds_are_accepted() {
        assert_eq!(nice_ticks(97.0, 0.0, 5), nice_ticks(0.0, 97.0, 5));
    }

    #[test]
    fn non_finite_bounds_are_ignored() {
        assert_eq!(
            nice_ticks(f64::NAN, f64::NAN, 5),
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        let ticks = nice_ticks(f64::NEG_INFINITY, 10.0, 5);
        assert!(ticks.iter().all(|t| t.is_finite()));
        assert!(ticks[0] <= 10.0 && *ticks.last().unwrap() >= 10.0);
    }

    #[test]
    fn extreme_spans_do_not_blow_up() {
        for (lo, hi) in [
            (-f64::MAX, f64::MAX),
            (f64::MAX, f64::MAX),
            (0.0, f64::MIN_POSITIVE),
            (5e-324, 5e-324),
            (1e16, 1e16 + 2.0),
            (0.0, f64::MAX),
            (-f64::MAX, 0.0),
        ] {
            let ticks = nice_ticks(lo, hi, 5);
            assert!(!ticks.is_empty() && ticks.len() <= 201, "{lo} {hi}");
            assert!(ticks.iter().all(|t| t.is_finite()));
        }
    }

    #[test]
    fn a_zero_count_still_gives_ticks() {
        assert_eq!(nice_ticks(0.0, 97.0, 0), vec![0.0, 100.0]);
    }

    #[test]
    fn step_decimals_cover_common_steps() {
        assert_eq!(step_decimals(20.0), 0);
        assert_eq!(step_decimals(2.5), 1);
        assert_eq!(step_decimals(0.2), 1);
        assert_eq!(step_decimals(0.25), 2);
        assert_eq!(step_decimals(0.005), 3);
    }

    #[test]
    fn scale_maps_and_guards() {
        let y = Scale::new(0.0, 100.0, 200.0, 0.0);
        assert_eq!(y.map(0.0), 200.0);
        assert_eq!(y.map(50.0), 100.0);
        let flat = Scale::new(1.0, 1.0, 0.0, 10.0);
        assert_eq!(flat.map(1.0), 5.0);
        assert_eq!(y.map(f64::NAN), 100.0);
    }
}
