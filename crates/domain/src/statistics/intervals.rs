//! Proportions (Wilson), counts and crude rates (exact Poisson or Byar) and means (Student's t).

use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};

use super::{
    Confidence, Estimate, Interval, Method, StatisticsError, finite, non_negative, positive,
};

/// Below this many events, counts and rates use exact Poisson limits; from it, Byar's method.
const EXACT_BELOW: f64 = 10.0;

/// The Wilson score interval for the proportion `numerator / denominator`, as a fraction
/// (multiply by 100 for a percentage).
///
/// The numerator may be a non-integer (weighted data) but must lie in `0..=denominator`,
/// and the denominator must be greater than zero.
pub fn wilson_interval(
    numerator: f64,
    denominator: f64,
    confidence: Confidence,
) -> Result<Interval, StatisticsError> {
    check_proportion(numerator, denominator)?;
    Ok(wilson(numerator, denominator, confidence.z()))
}

/// Wilson limits for already-validated inputs.
fn wilson(x: f64, n: f64, z: f64) -> Interval {
    let z2 = z * z;
    let root = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let denominator = 2.0 * (n + z2);
    Interval::new(
        (2.0 * x + z2 - root) / denominator,
        (2.0 * x + z2 + root) / denominator,
    )
}

/// Checks a proportion's numerator and denominator.
fn check_proportion(numerator: f64, denominator: f64) -> Result<(), StatisticsError> {
    non_negative("numerator", numerator)?;
    positive("denominator", denominator)?;
    if numerator > denominator {
        return Err(StatisticsError::NumeratorExceedsDenominator {
            numerator,
            denominator,
        });
    }
    Ok(())
}

/// A proportion `numerator / denominator × multiplier` with Wilson score limits at 95 % and
/// 99.8 %, scaled by the same multiplier (1 for a fraction, 100 for a percentage), as
/// PHEindicatormethods' `phe_proportion`. Grouped data must be summed before calling this.
pub fn proportion(
    numerator: f64,
    denominator: f64,
    multiplier: f64,
) -> Result<Estimate, StatisticsError> {
    check_proportion(numerator, denominator)?;
    positive("multiplier", multiplier)?;
    let limits = |c: Confidence| wilson(numerator, denominator, c.z()).scaled(multiplier);
    Ok(Estimate {
        value: Some(numerator / denominator * multiplier),
        ci_95: limits(Confidence::Percent95),
        ci_99_8: limits(Confidence::Percent99_8),
        method: Method::Wilson,
    })
}

/// Byar's lower limit for a count; `None` when it would be negative (or the count is zero).
fn byars_lower(observed: f64, z: f64) -> Option<f64> {
    if observed <= 0.0 {
        return None;
    }
    let lower = observed * (1.0 - 1.0 / (9.0 * observed) - z / (3.0 * observed.sqrt())).powi(3);
    (lower >= 0.0).then_some(lower)
}

/// Byar's upper limit for a count.
fn byars_upper(observed: f64, z: f64) -> f64 {
    let next = observed + 1.0;
    next * (1.0 - 1.0 / (9.0 * next) + z / (3.0 * next.sqrt())).powi(3)
}

/// Byar's approximation to the Poisson confidence interval of a count of `observed` events,
/// whatever its size (PHEindicatormethods' `byars_lower` / `byars_upper`). The lower limit is
/// `None` when the formula makes it negative, as it does for 1 event at 99.8 %.
pub fn byars_interval(observed: f64, confidence: Confidence) -> Result<Interval, StatisticsError> {
    non_negative("count", observed)?;
    let z = confidence.z();
    Ok(Interval {
        lower: byars_lower(observed, z),
        upper: Some(byars_upper(observed, z)),
    })
}

/// The chi-square quantile at probability `p` with `freedom` degrees of freedom.
fn chi_square_quantile(freedom: f64, p: f64) -> Result<f64, StatisticsError> {
    let distribution = ChiSquared::new(freedom).map_err(|error| StatisticsError::Distribution {
        distribution: "chi-square",
        reason: error.to_string(),
    })?;
    Ok(distribution.inverse_cdf(p))
}

/// The exact Poisson confidence interval of a count: lower = χ²((1 − c)/2, 2O)/2 (0 when
/// there are no events), upper = χ²(c + (1 − c)/2, 2O + 2)/2.
pub fn exact_poisson_interval(
    observed: f64,
    confidence: Confidence,
) -> Result<Interval, StatisticsError> {
    non_negative("count", observed)?;
    exact(observed, confidence)
}

/// Exact limits for an already-validated count.
fn exact(observed: f64, confidence: Confidence) -> Result<Interval, StatisticsError> {
    let lower = if observed == 0.0 {
        0.0
    } else {
        chi_square_quantile(2.0 * observed, confidence.lower_tail())? / 2.0
    };
    let upper = chi_square_quantile(2.0 * observed + 2.0, confidence.upper_tail())? / 2.0;
    Ok(Interval::new(lower, upper))
}

/// The limits of a count as `phe_rate` chooses them: exact below 10 events, Byar from 10.
fn switched(observed: f64, confidence: Confidence) -> Result<Interval, StatisticsError> {
    if observed < EXACT_BELOW {
        exact(observed, confidence)
    } else {
        let z = confidence.z();
        Ok(Interval {
            lower: byars_lower(observed, z),
            upper: Some(byars_upper(observed, z)),
        })
    }
}

/// The method `phe_rate` uses for a count of `observed` events.
pub(crate) fn poisson_method(observed: f64) -> Method {
    if observed < EXACT_BELOW {
        Method::Exact
    } else {
        Method::Byars
    }
}

/// Poisson limits for a count of `observed` events chosen as `phe_rate` chooses them.
pub(crate) fn poisson_interval(
    observed: f64,
    confidence: Confidence,
) -> Result<Interval, StatisticsError> {
    switched(observed, confidence)
}

/// A count's confidence interval and how it was computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountInterval {
    /// The limits, in events.
    pub interval: Interval,
    /// [`Method::Exact`] below 10 events, [`Method::Byars`] from 10.
    pub method: Method,
}

/// The confidence interval of a bare count of events, with the same switch as crude rates:
/// exact Poisson limits below 10 events, Byar's from 10 (for Byar's method at any size, as
/// the `count_byars` reference rows use it, see [`byars_interval`]).
pub fn count_interval(
    observed: f64,
    confidence: Confidence,
) -> Result<CountInterval, StatisticsError> {
    non_negative("count", observed)?;
    Ok(CountInterval {
        interval: switched(observed, confidence)?,
        method: poisson_method(observed),
    })
}

/// A crude rate `observed / denominator × multiplier` with Poisson limits scaled the same
/// way, as PHEindicatormethods' `phe_rate`: exact below 10 events, Byar from 10. The count
/// may exceed the denominator (a rate is not a proportion).
pub fn rate(observed: f64, denominator: f64, multiplier: f64) -> Result<Estimate, StatisticsError> {
    non_negative("numerator", observed)?;
    positive("denominator", denominator)?;
    positive("multiplier", multiplier)?;
    let scale = multiplier / denominator;
    Ok(Estimate {
        value: Some(observed / denominator * multiplier),
        ci_95: switched(observed, Confidence::Percent95)?.scaled(scale),
        ci_99_8: switched(observed, Confidence::Percent99_8)?.scaled(scale),
        method: poisson_method(observed),
    })
}

/// A mean with its count, sum and sample standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanEstimate {
    /// How many values there were.
    pub count: usize,
    /// Their sum.
    pub sum: f64,
    /// The sample standard deviation (divisor n − 1); `None` for a single value.
    pub standard_deviation: Option<f64>,
    /// The mean and its Student's t limits (missing for a single value).
    pub estimate: Estimate,
}

/// The mean of `values` with limits mean ± |t((1 − c)/2, n − 1)| · s/√n, s the sample
/// standard deviation, as PHEindicatormethods' `phe_mean`.
pub fn mean(values: &[f64]) -> Result<MeanEstimate, StatisticsError> {
    if values.is_empty() {
        return Err(StatisticsError::NoValues("values"));
    }
    for &value in values {
        finite("value", value)?;
    }
    let count = values.len();
    let n = count as f64;
    let sum: f64 = values.iter().sum();
    let mean = sum / n;
    let (standard_deviation, ci_95, ci_99_8) = if count < 2 {
        (None, Interval::MISSING, Interval::MISSING)
    } else {
        let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        let sd = (squares / (n - 1.0)).sqrt();
        let t =
            StudentsT::new(0.0, 1.0, n - 1.0).map_err(|error| StatisticsError::Distribution {
                distribution: "Student's t",
                reason: error.to_string(),
            })?;
        let limits = |c: Confidence| {
            let half = t.inverse_cdf(c.upper_tail()).abs() * sd / n.sqrt();
            Interval::new(mean - half, mean + half)
        };
        (
            Some(sd),
            limits(Confidence::Percent95),
            limits(Confidence::Percent99_8),
        )
    };
    Ok(MeanEstimate {
        count,
        sum,
        standard_deviation,
        estimate: Estimate {
            value: Some(mean),
            ci_95,
            ci_99_8,
            method: Method::StudentsT,
        },
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const C95: Confidence = Confidence::Percent95;
    const C998: Confidence = Confidence::Percent99_8;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
    }

    #[test]
    fn wilson_with_no_events_starts_at_zero() {
        let interval = wilson_interval(0.0, 10.0, C95).unwrap();
        assert_eq!(interval.lower, Some(0.0));
        let upper = interval.upper.unwrap();
        assert!(upper > 0.0 && upper < 1.0, "{upper}");
    }

    #[test]
    fn wilson_accepts_a_non_integer_numerator() {
        let interval = wilson_interval(0.445, 1.0, C95).unwrap();
        assert!(close(
            interval.lower.unwrap(),
            0.043_817_447_720_588_22,
            1e-9
        ));
        assert!(close(
            interval.upper.unwrap(),
            0.933_462_127_697_915_6,
            1e-9
        ));
    }

    #[test]
    fn proportion_errors_say_what_is_wrong() {
        let error = proportion(12.0, 10.0, 100.0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the numerator 12 is larger than the denominator 10"
        );
        let error = proportion(0.0, 0.0, 100.0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the denominator 0 must be greater than zero"
        );
        let error = proportion(-1.0, 10.0, 100.0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the numerator -1 is negative: it must be zero or more"
        );
        assert!(matches!(
            proportion(f64::NAN, 10.0, 1.0),
            Err(StatisticsError::NotFinite { .. })
        ));
        assert!(matches!(
            proportion(1.0, 10.0, 0.0),
            Err(StatisticsError::NotPositive {
                what: "multiplier",
                ..
            })
        ));
    }

    #[test]
    fn rate_with_no_events_uses_exact_limits_from_zero() {
        let estimate = rate(0.0, 1.0, 1.0).unwrap();
        assert_eq!(estimate.method, Method::Exact);
        assert_eq!(estimate.ci_95.lower, Some(0.0));
        // qchisq(0.975, 2) / 2 = -ln(0.025)
        assert!(close(
            estimate.ci_95.upper.unwrap(),
            -(0.025_f64.ln()),
            1e-10
        ));
        assert!(close(estimate.ci_95.upper.unwrap(), 3.688_879_454, 1e-9));
    }

    #[test]
    fn rate_switches_to_byar_at_ten_events() {
        assert_eq!(rate(9.0, 100.0, 1.0).unwrap().method, Method::Exact);
        assert_eq!(rate(10.0, 100.0, 1.0).unwrap().method, Method::Byars);
        assert_eq!(rate(250.0, 220.0, 1.0).unwrap().method, Method::Byars);
        assert!(rate(1.0, 0.0, 1.0).is_err());
        assert!(rate(-1.0, 10.0, 1.0).is_err());
    }

    #[test]
    fn byar_lower_limit_below_zero_is_missing() {
        let interval = byars_interval(1.0, C998).unwrap();
        assert_eq!(interval.lower, None);
        assert!(close(interval.upper.unwrap(), 9.362_180_217_908_362, 1e-9));
        assert!(byars_interval(1.0, C95).unwrap().lower.is_some());
        assert_eq!(byars_interval(0.0, C95).unwrap().lower, None);
    }

    #[test]
    fn count_interval_reports_its_method() {
        let small = count_interval(3.0, C95).unwrap();
        assert_eq!(small.method, Method::Exact);
        assert_eq!(small.interval, exact_poisson_interval(3.0, C95).unwrap());
        let large = count_interval(65.0, C95).unwrap();
        assert_eq!(large.method, Method::Byars);
        assert_eq!(large.interval, byars_interval(65.0, C95).unwrap());
    }

    #[test]
    fn mean_of_one_value_has_no_limits() {
        let result = mean(&[4.0]).unwrap();
        assert_eq!(result.estimate.value, Some(4.0));
        assert_eq!(result.standard_deviation, None);
        assert_eq!(result.estimate.ci_95, Interval::MISSING);
        assert!(mean(&[]).is_err());
        assert!(mean(&[1.0, f64::INFINITY]).is_err());
    }

    fn within(interval: Interval, value: f64) -> bool {
        interval.lower.is_none_or(|l| l <= value) && interval.upper.is_none_or(|u| value <= u)
    }

    fn nested(inner: Interval, outer: Interval) -> bool {
        let lower = match (inner.lower, outer.lower) {
            (Some(i), Some(o)) => o <= i,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        let upper = match (inner.upper, outer.upper) {
            (Some(i), Some(o)) => i <= o,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        lower && upper
    }

    proptest! {
        #[test]
        fn wilson_limits_bracket_the_value_within_the_range(
            n in 1.0e-3f64..1.0e9,
            share in 0.0f64..=1.0,
            multiplier in prop::sample::select(vec![1.0, 100.0, 1000.0]),
        ) {
            let x = n * share;
            let estimate = proportion(x, n, multiplier).unwrap();
            let value = estimate.value.unwrap();
            for c in Confidence::ALL {
                let interval = estimate.interval(c);
                let (lower, upper) = (interval.lower.unwrap(), interval.upper.unwrap());
                let slack = 1e-12 * multiplier;
                prop_assert!(lower >= -slack && upper <= multiplier + slack, "{lower} {upper}");
                prop_assert!(lower <= value + slack && value <= upper + slack, "{lower} {value} {upper}");
            }
            prop_assert!(nested(estimate.ci_95, estimate.ci_99_8));
        }

        #[test]
        fn rate_limits_bracket_the_value(
            observed in prop_oneof![0u32..30, 0u32..100_000],
            denominator in 1.0f64..1.0e7,
        ) {
            let estimate = rate(f64::from(observed), denominator, 100_000.0).unwrap();
            let value = estimate.value.unwrap();
            for c in Confidence::ALL {
                prop_assert!(within(estimate.interval(c), value * (1.0 + 1e-12)));
                prop_assert!(within(estimate.interval(c), value * (1.0 - 1e-12)));
            }
            prop_assert!(nested(estimate.ci_95, estimate.ci_99_8));
        }

        #[test]
        fn byar_limits_bracket_the_count(observed in 0.0f64..1.0e6) {
            let inner = byars_interval(observed, C95).unwrap();
            let outer = byars_interval(observed, C998).unwrap();
            prop_assert!(within(inner, observed) && within(outer, observed));
            prop_assert!(nested(inner, outer));
        }

        #[test]
        fn mean_limits_bracket_the_mean(values in prop::collection::vec(-1.0e6f64..1.0e6, 2..40)) {
            let result = mean(&values).unwrap();
            let value = result.estimate.value.unwrap();
            prop_assert!(within(result.estimate.ci_95, value));
            prop_assert!(nested(result.estimate.ci_95, result.estimate.ci_99_8));
        }
    }
}
