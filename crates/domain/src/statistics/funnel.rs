//! Funnel-plot control limits and outlier labels for proportions (PHEindicatormethods'
//! `calculate_funnel_limits` and `assign_funnel_significance`, the Fingertips technical guide).

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};

use super::{StatisticsError, non_negative, positive};

/// The probability of the 2σ ("0.025") limits.
const TWO_SIGMA: f64 = 0.975;
/// The probability of the 3σ ("0.001") limits.
const THREE_SIGMA: f64 = 0.999;

/// The funnel baseline p̄ = Σ numerators / Σ denominators, as a fraction, of `(numerator,
/// denominator)` pairs.
pub fn funnel_baseline(data: &[(f64, f64)]) -> Result<f64, StatisticsError> {
    if data.is_empty() {
        return Err(StatisticsError::NoValues("numerators and denominators"));
    }
    let mut numerators = 0.0;
    let mut denominators = 0.0;
    for &(numerator, denominator) in data {
        numerators += non_negative("numerator", numerator)?;
        denominators += positive("denominator", denominator)?;
    }
    if numerators > denominators {
        return Err(StatisticsError::NumeratorExceedsDenominator {
            numerator: numerators,
            denominator: denominators,
        });
    }
    Ok(numerators / denominators)
}

/// Which side of the funnel.
#[derive(Clone, Copy)]
enum Side {
    Low,
    High,
}

/// The observed proportion (× `multiplier`) at population `population` whose Wilson interval
/// at probability `p` just touches the baseline — PHEindicatormethods' `sigma_adjustment`,
/// unclamped.
fn sigma_adjustment(p: f64, population: f64, baseline: f64, side: Side, multiplier: f64) -> f64 {
    let z = Normal::standard().inverse_cdf(p);
    let z2 = z * z;
    let first = baseline * (population / z2 + 1.0);
    let adjustment = ((-8.0 * baseline * (population / z2 + 1.0)).powi(2)
        - 64.0
            * (1.0 / z2 + 1.0 / population)
            * baseline
            * (population * (baseline * (population / z2 + 2.0) - 1.0) + z2 * (baseline - 1.0)))
        .sqrt();
    let last = 1.0 / z2 + 1.0 / population;
    let limit = match side {
        Side::Low => (first - adjustment / 8.0) / last,
        Side::High => (first + adjustment / 8.0) / last,
    };
    limit / population * multiplier
}

/// Checks a funnel baseline (a fraction in `0..=1`).
fn check_baseline(baseline: f64) -> Result<f64, StatisticsError> {
    non_negative("baseline proportion", baseline)?;
    if baseline > 1.0 {
        return Err(StatisticsError::NumeratorExceedsDenominator {
            numerator: baseline,
            denominator: 1.0,
        });
    }
    Ok(baseline)
}

/// The control limits of a proportion funnel plot at one population size, × multiplier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelLimits {
    /// The population (denominator) the limits are for.
    pub population: f64,
    /// The lower 2σ (p = 0.975, "0.025") limit.
    pub lower_2s: f64,
    /// The upper 2σ limit.
    pub upper_2s: f64,
    /// The lower 3σ (p = 0.999, "0.001") limit.
    pub lower_3s: f64,
    /// The upper 3σ limit.
    pub upper_3s: f64,
    /// The baseline, × multiplier.
    pub baseline: f64,
}

/// The 2σ and 3σ funnel limits for a proportion at `population`, around the `baseline`
/// fraction, × `multiplier` (100 for percentages), clamped to `[0, multiplier]` (PHEindicatormethods
/// clamps to `[0, 100]`, the same thing for its percentages).
pub fn proportion_funnel_limits(
    baseline: f64,
    population: f64,
    multiplier: f64,
) -> Result<FunnelLimits, StatisticsError> {
    let baseline = check_baseline(baseline)?;
    positive("population", population)?;
    positive("multiplier", multiplier)?;
    let limit = |p, side| {
        sigma_adjustment(p, population, baseline, side, multiplier).clamp(0.0, multiplier)
    };
    Ok(FunnelLimits {
        population,
        lower_2s: limit(TWO_SIGMA, Side::Low),
        upper_2s: limit(TWO_SIGMA, Side::High),
        lower_3s: limit(THREE_SIGMA, Side::Low),
        upper_3s: limit(THREE_SIGMA, Side::High),
        baseline: baseline * multiplier,
    })
}

/// Where a proportion falls on a funnel plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FunnelSignificance {
    /// Below the lower 3σ limit.
    Low0_001,
    /// Below the lower 2σ limit, within 3σ.
    Low0_025,
    /// Within the 2σ limits.
    NotSignificant,
    /// Above the upper 2σ limit, within 3σ.
    High0_025,
    /// Above the upper 3σ limit.
    High0_001,
}

impl FunnelSignificance {
    /// The label PHEindicatormethods gives: "Low (0.001)", "Low (0.025)", "Not significant",
    /// "High (0.025)", "High (0.001)".
    pub fn label(self) -> &'static str {
        match self {
            FunnelSignificance::Low0_001 => "Low (0.001)",
            FunnelSignificance::Low0_025 => "Low (0.025)",
            FunnelSignificance::NotSignificant => "Not significant",
            FunnelSignificance::High0_025 => "High (0.025)",
            FunnelSignificance::High0_001 => "High (0.001)",
        }
    }

    /// The code in files and the API: `low_0_001`, `low_0_025`, `not_significant`,
    /// `high_0_025`, `high_0_001`.
    pub fn code(self) -> &'static str {
        match self {
            FunnelSignificance::Low0_001 => "low_0_001",
            FunnelSignificance::Low0_025 => "low_0_025",
            FunnelSignificance::NotSignificant => "not_significant",
            FunnelSignificance::High0_025 => "high_0_025",
            FunnelSignificance::High0_001 => "high_0_001",
        }
    }
}

impl fmt::Display for FunnelSignificance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where `numerator / denominator` falls against the funnel around `baseline` (a fraction;
/// see [`funnel_baseline`]), checked in the order of `assign_funnel_significance`: below 3σ,
/// below 2σ, above 3σ, above 2σ, else not significant. Comparisons are strict.
pub fn proportion_funnel_significance(
    numerator: f64,
    denominator: f64,
    baseline: f64,
) -> Result<FunnelSignificance, StatisticsError> {
    non_negative("numerator", numerator)?;
    positive("denominator", denominator)?;
    if numerator > denominator {
        return Err(StatisticsError::NumeratorExceedsDenominator {
            numerator,
            denominator,
        });
    }
    let baseline = check_baseline(baseline)?;
    // As PHEindicatormethods, on the percentage scale.
    let multiplier = 100.0;
    let value = multiplier * numerator / denominator;
    let limit = |p, side| sigma_adjustment(p, denominator, baseline, side, multiplier);
    Ok(if value < limit(THREE_SIGMA, Side::Low) {
        FunnelSignificance::Low0_001
    } else if value < limit(TWO_SIGMA, Side::Low) {
        FunnelSignificance::Low0_025
    } else if value > limit(THREE_SIGMA, Side::High) {
        FunnelSignificance::High0_001
    } else if value > limit(TWO_SIGMA, Side::High) {
        FunnelSignificance::High0_025
    } else {
        FunnelSignificance::NotSignificant
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_baseline_is_the_pooled_proportion() {
        assert_eq!(funnel_baseline(&[(1.0, 4.0), (3.0, 4.0)]), Ok(0.5));
        assert!(funnel_baseline(&[]).is_err());
        assert!(funnel_baseline(&[(1.0, 0.0)]).is_err());
    }

    #[test]
    fn labels_follow_the_limits() {
        let baseline = 0.5;
        assert_eq!(
            proportion_funnel_significance(500.0, 1000.0, baseline),
            Ok(FunnelSignificance::NotSignificant)
        );
        assert_eq!(
            proportion_funnel_significance(560.0, 1000.0, baseline),
            Ok(FunnelSignificance::High0_001)
        );
        assert_eq!(
            proportion_funnel_significance(535.0, 1000.0, baseline),
            Ok(FunnelSignificance::High0_025)
        );
        assert_eq!(
            proportion_funnel_significance(465.0, 1000.0, baseline),
            Ok(FunnelSignificance::Low0_025)
        );
        assert_eq!(
            proportion_funnel_significance(440.0, 1000.0, baseline),
            Ok(FunnelSignificance::Low0_001)
        );
        assert_eq!(FunnelSignificance::Low0_001.label(), "Low (0.001)");
    }

    proptest! {
        #[test]
        fn funnel_limits_are_ordered_and_clamped(
            baseline in 0.01f64..0.99,
            population in 1.0f64..1.0e7,
        ) {
            let l = proportion_funnel_limits(baseline, population, 100.0).unwrap();
            prop_assert!(0.0 <= l.lower_3s && l.lower_3s <= l.lower_2s);
            prop_assert!(l.lower_2s <= l.baseline + 1e-9 && l.baseline <= l.upper_2s + 1e-9);
            prop_assert!(l.upper_2s <= l.upper_3s && l.upper_3s <= 100.0);
        }
    }
}
