//! Indicator statistics: the values, confidence intervals, standardisation, funnel limits,
//! quantiles and benchmark comparisons of public-health indicators, computed as
//! PHEindicatormethods v2.1.0 and Fingertips compute them.
//!
//! Every function here is checked against the reference vectors in `fixtures/reference`
//! (read from the package's own test workbooks; see its `README.md`) by the golden tests in
//! `tests/golden_statistics.rs`.
//!
//! * [`proportion`] and [`wilson_interval`]: Wilson score limits.
//! * [`rate`], [`count_interval`], [`byars_interval`] and [`exact_poisson_interval`]: exact
//!   Poisson limits below 10 events, Byar's approximation from 10.
//! * [`directly_standardised_rate`] (Dobson limits, with the [`ESP2013`] and [`ESP1976`] standard
//!   populations), [`indirectly_standardised_ratio`] and [`indirectly_standardised_rate`].
//! * [`mean`] with Student's t limits.
//! * [`proportion_funnel_limits`] and [`proportion_funnel_significance`].
//! * [`quantile_groups`] (PHEindicatormethods' `phe_quantile`) and [`QuintileBounds`]
//!   (Fingertips' quintile benchmarking).
//! * [`compare_with_benchmark`] and [`compare_two_level`]: the single-overlapping-interval
//!   rule at 95 % or 99.8 %, and the two-level five-category rule ([`Rag5`]).
//!
//! Missing results (R's `NA`) are `None`. Nothing here panics: invalid inputs are reported as a
//! [`StatisticsError`] that says what is wrong.

mod comparison;
mod funnel;
mod intervals;
mod quantiles;
mod standard_population;
mod standardised;

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};

pub use comparison::{
    Comparison, Rag5, compare_estimate, compare_two_level, compare_with_benchmark,
};
pub use funnel::{
    FunnelLimits, FunnelSignificance, funnel_baseline, proportion_funnel_limits,
    proportion_funnel_significance,
};
pub use intervals::{
    CountInterval, MeanEstimate, byars_interval, count_interval, exact_poisson_interval, mean,
    proportion, rate, wilson_interval,
};
pub use quantiles::{QuintileBounds, invert_for_polarity, quantile_groups};
pub use standard_population::{ESP1976, ESP2013, StandardPopulation};
pub use standardised::{
    DSR_MINIMUM_COUNT, DsrBand, IndirectlyStandardised, IsrBand, StandardisedRate,
    directly_standardised_rate, expected_count, indirectly_standardised_rate,
    indirectly_standardised_ratio, observed_count, reference_rate,
};

/// Why a statistic cannot be computed from the inputs given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatisticsError {
    /// An input is infinite or not a number.
    #[error("the {what} {value} is not a finite number")]
    NotFinite {
        /// Which input ("numerator", "denominator", "value" ...).
        what: &'static str,
        /// The value found.
        value: f64,
    },
    /// A count, numerator or population is negative.
    #[error("the {what} {value} is negative: it must be zero or more")]
    Negative {
        /// Which input.
        what: &'static str,
        /// The value found.
        value: f64,
    },
    /// A denominator, population or multiplier that must be positive is zero or negative.
    #[error("the {what} {value} must be greater than zero")]
    NotPositive {
        /// Which input.
        what: &'static str,
        /// The value found.
        value: f64,
    },
    /// A proportion's numerator is larger than its denominator.
    #[error("the numerator {numerator} is larger than the denominator {denominator}")]
    NumeratorExceedsDenominator {
        /// The numerator.
        numerator: f64,
        /// The denominator.
        denominator: f64,
    },
    /// A confidence level other than 95 % or 99.8 % was asked for.
    #[error("the confidence level {0} is not supported: use 0.95 (or 95) or 0.998 (or 99.8)")]
    UnsupportedConfidence(f64),
    /// An age band (numbered from 1) has an invalid population or count.
    #[error("age band {band}: {problem}")]
    AgeBand {
        /// The band's position in the input, counting from 1.
        band: usize,
        /// What is wrong with it.
        problem: Box<StatisticsError>,
    },
    /// No age bands were given.
    #[error("no age bands were given: a standardised rate needs at least one")]
    NoAgeBands,
    /// The counts and populations do not have one entry per band of the standard population.
    #[error(
        "the standard population {standard} has {expected} age bands but {found} {what} were given"
    )]
    BandCountMismatch {
        /// The standard population's name.
        standard: &'static str,
        /// How many bands it has.
        expected: usize,
        /// How many were given.
        found: usize,
        /// What was given ("counts", "populations").
        what: &'static str,
    },
    /// The standard populations add up to zero.
    #[error("the standard populations add up to zero: at least one band needs a positive weight")]
    EmptyStandardPopulation,
    /// No values were given where at least one is needed.
    #[error("no {0} were given: at least one is needed")]
    NoValues(&'static str),
    /// Fewer than two quantiles were asked for.
    #[error("the number of quantiles {0} is too small: ask for at least 2")]
    TooFewQuantiles(u32),
    /// The underlying distribution could not be built (this indicates an internal inconsistency).
    #[error("the {distribution} distribution could not be used: {reason}")]
    Distribution {
        /// Which distribution.
        distribution: &'static str,
        /// Its own explanation.
        reason: String,
    },
}

/// Checks that a value is finite.
pub(crate) fn finite(what: &'static str, value: f64) -> Result<f64, StatisticsError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(StatisticsError::NotFinite { what, value })
    }
}

/// Checks that a value is finite and zero or more.
pub(crate) fn non_negative(what: &'static str, value: f64) -> Result<f64, StatisticsError> {
    finite(what, value)?;
    if value < 0.0 {
        Err(StatisticsError::Negative { what, value })
    } else {
        Ok(value)
    }
}

/// Checks that a value is finite and greater than zero.
pub(crate) fn positive(what: &'static str, value: f64) -> Result<f64, StatisticsError> {
    finite(what, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(StatisticsError::NotPositive { what, value })
    }
}

/// The two confidence levels in use: 95 % (about two standard errors) and 99.8 % (about three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    /// 95 % confidence, z ≈ 1.95996.
    Percent95,
    /// 99.8 % confidence, z ≈ 3.09023.
    Percent99_8,
}

impl Confidence {
    /// Both levels, the narrower first.
    pub const ALL: [Confidence; 2] = [Confidence::Percent95, Confidence::Percent99_8];

    /// Reads a level given either as a fraction (0.95, 0.998) or as a percentage (95, 99.8);
    /// values above 1 are taken as percentages, as PHEindicatormethods does.
    pub fn new(level: f64) -> Result<Self, StatisticsError> {
        if level > 1.0 {
            Self::from_percent(level)
        } else {
            Self::from_fraction(level)
        }
    }

    /// Reads a level given as a fraction: 0.95 or 0.998.
    pub fn from_fraction(fraction: f64) -> Result<Self, StatisticsError> {
        Self::ALL
            .into_iter()
            .find(|c| (c.fraction() - fraction).abs() < 1e-9)
            .ok_or(StatisticsError::UnsupportedConfidence(fraction))
    }

    /// Reads a level given as a percentage: 95 or 99.8.
    pub fn from_percent(percent: f64) -> Result<Self, StatisticsError> {
        Self::ALL
            .into_iter()
            .find(|c| (c.percent() - percent).abs() < 1e-7)
            .ok_or(StatisticsError::UnsupportedConfidence(percent))
    }

    /// The level as a fraction, c: 0.95 or 0.998.
    pub fn fraction(self) -> f64 {
        match self {
            Confidence::Percent95 => 0.95,
            Confidence::Percent99_8 => 0.998,
        }
    }

    /// The level as a percentage: 95 or 99.8.
    pub fn percent(self) -> f64 {
        match self {
            Confidence::Percent95 => 95.0,
            Confidence::Percent99_8 => 99.8,
        }
    }

    /// The level as shown to people: "95%" or "99.8%".
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Percent95 => "95%",
            Confidence::Percent99_8 => "99.8%",
        }
    }

    /// The level as a code in files and the API: "95" or "99_8".
    pub fn code(self) -> &'static str {
        match self {
            Confidence::Percent95 => "95",
            Confidence::Percent99_8 => "99_8",
        }
    }

    /// The probability below the lower limit, (1 − c)/2.
    pub fn lower_tail(self) -> f64 {
        (1.0 - self.fraction()) / 2.0
    }

    /// The probability below the upper limit, c + (1 − c)/2.
    pub fn upper_tail(self) -> f64 {
        self.fraction() + (1.0 - self.fraction()) / 2.0
    }

    /// The standard normal quantile z = Φ⁻¹(c + (1 − c)/2): 1.959964… or 3.090232….
    pub fn z(self) -> f64 {
        Normal::standard().inverse_cdf(self.upper_tail())
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A confidence interval; a missing limit (R's `NA`) is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Interval {
    /// The lower limit.
    pub lower: Option<f64>,
    /// The upper limit.
    pub upper: Option<f64>,
}

impl Interval {
    /// An interval with both limits missing.
    pub const MISSING: Interval = Interval {
        lower: None,
        upper: None,
    };

    /// An interval with both limits present.
    pub fn new(lower: f64, upper: f64) -> Self {
        Interval {
            lower: Some(lower),
            upper: Some(upper),
        }
    }

    /// Whether both limits are present.
    pub fn is_complete(&self) -> bool {
        self.lower.is_some() && self.upper.is_some()
    }

    /// Whether `value` lies within the limits, inclusive; `None` when a limit is missing.
    pub fn contains(&self, value: f64) -> Option<bool> {
        match (self.lower, self.upper) {
            (Some(lower), Some(upper)) => Some(lower <= value && value <= upper),
            _ => None,
        }
    }

    /// The interval with both limits multiplied by `factor`.
    pub fn scaled(self, factor: f64) -> Self {
        Interval {
            lower: self.lower.map(|l| l * factor),
            upper: self.upper.map(|u| u * factor),
        }
    }
}

/// How an estimate's limits were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Wilson score interval (proportions).
    Wilson,
    /// Exact Poisson limits from chi-square quantiles (fewer than 10 events).
    Exact,
    /// Byar's approximation to the Poisson limits (10 events or more).
    Byars,
    /// Dobson's method (directly standardised rates).
    Dobson,
    /// Student's t distribution (means).
    StudentsT,
}

impl Method {
    /// The code in files and the API: `wilson`, `exact`, `byars`, `dobson`, `students_t`.
    pub fn code(self) -> &'static str {
        match self {
            Method::Wilson => "wilson",
            Method::Exact => "exact",
            Method::Byars => "byars",
            Method::Dobson => "dobson",
            Method::StudentsT => "students_t",
        }
    }

    /// The name PHEindicatormethods reports: "Wilson", "Exact", "Byars", "Dobson",
    /// "Student's t-distribution".
    pub fn label(self) -> &'static str {
        match self {
            Method::Wilson => "Wilson",
            Method::Exact => "Exact",
            Method::Byars => "Byars",
            Method::Dobson => "Dobson",
            Method::StudentsT => "Student's t-distribution",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A value with its 95 % and 99.8 % confidence intervals, in the unit asked for (the
/// multiplier is already applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The value; `None` when it is suppressed (a directly standardised rate on fewer than
    /// 10 events).
    pub value: Option<f64>,
    /// The 95 % confidence interval.
    pub ci_95: Interval,
    /// The 99.8 % confidence interval.
    pub ci_99_8: Interval,
    /// How the limits were computed.
    pub method: Method,
}

impl Estimate {
    /// The interval at the given level.
    pub fn interval(&self, confidence: Confidence) -> Interval {
        match confidence {
            Confidence::Percent95 => self.ci_95,
            Confidence::Percent99_8 => self.ci_99_8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_accepts_fractions_and_percentages() {
        assert_eq!(Confidence::new(0.95), Ok(Confidence::Percent95));
        assert_eq!(Confidence::new(95.0), Ok(Confidence::Percent95));
        assert_eq!(Confidence::new(0.998), Ok(Confidence::Percent99_8));
        assert_eq!(Confidence::new(99.8), Ok(Confidence::Percent99_8));
        let error = Confidence::new(0.9).unwrap_err().to_string();
        assert!(error.contains("0.95 (or 95) or 0.998 (or 99.8)"), "{error}");
        assert!(Confidence::new(f64::NAN).is_err());
    }

    #[test]
    fn z_values_are_the_normal_quantiles() {
        assert!((Confidence::Percent95.z() - 1.959_963_984_540_054).abs() < 1e-13);
        assert!((Confidence::Percent99_8.z() - 3.090_232_306_167_813_5).abs() < 1e-12);
    }

    #[test]
    fn interval_contains_only_when_complete() {
        let interval = Interval::new(1.0, 2.0);
        assert_eq!(interval.contains(1.0), Some(true));
        assert_eq!(interval.contains(2.5), Some(false));
        let open = Interval {
            lower: None,
            upper: Some(2.0),
        };
        assert_eq!(open.contains(1.0), None);
        assert_eq!(interval.scaled(10.0), Interval::new(10.0, 20.0));
    }
}
