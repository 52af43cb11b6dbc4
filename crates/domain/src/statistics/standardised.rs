//! Directly standardised rates (Dobson) and indirectly standardised ratios and rates.

use super::intervals::{poisson_interval, poisson_method};
use super::{
    Confidence, Estimate, Interval, Method, StandardPopulation, StatisticsError, non_negative,
    positive,
};

/// A directly standardised rate on fewer total events than this is suppressed.
pub const DSR_MINIMUM_COUNT: f64 = 10.0;

/// One age band of the input to a directly standardised rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DsrBand {
    /// Events in the band; a missing count is taken as zero.
    pub count: Option<f64>,
    /// The band's population (greater than zero).
    pub population: f64,
    /// The band's weight in the standard population.
    pub standard_population: f64,
}

/// A directly standardised rate with the totals it was computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandardisedRate {
    /// The total number of events.
    pub total_count: f64,
    /// The total population.
    pub total_population: f64,
    /// The rate per multiplier and its Dobson limits; all missing when fewer than
    /// [`DSR_MINIMUM_COUNT`] events were observed.
    pub estimate: Estimate,
}

/// Attaches a band number (from 1) to an error about that band.
fn in_band(band: usize, error: StatisticsError) -> StatisticsError {
    StatisticsError::AgeBand {
        band: band + 1,
        problem: Box::new(error),
    }
}

/// The directly standardised rate per `multiplier` over age bands, with Dobson limits, as
/// PHEindicatormethods' `calculate_dsr`:
///
/// DSR = Σ(Oᵢwᵢ/nᵢ)/Σwᵢ · m, var = Σ(Oᵢ(wᵢ/nᵢ)²)/(Σwᵢ)², limits = DSR + √(var/O)·(Byar(O) − O)·m
/// with O = ΣOᵢ and Byar's limits of the total count at both levels.
///
/// With fewer than 10 events in total the value and limits are `None` (the totals are kept).
/// Missing counts are zero; populations must be greater than zero and standard populations zero
/// or more (adding up to more than zero).
pub fn directly_standardised_rate(
    bands: &[DsrBand],
    multiplier: f64,
) -> Result<StandardisedRate, StatisticsError> {
    positive("multiplier", multiplier)?;
    if bands.is_empty() {
        return Err(StatisticsError::NoAgeBands);
    }
    let mut total_count = 0.0;
    let mut total_population = 0.0;
    let mut total_weight = 0.0;
    let mut weighted = 0.0;
    let mut variance = 0.0;
    for (index, band) in bands.iter().enumerate() {
        let count =
            non_negative("count", band.count.unwrap_or(0.0)).map_err(|e| in_band(index, e))?;
        let population = positive("population", band.population).map_err(|e| in_band(index, e))?;
        let weight = non_negative("standard population", band.standard_population)
            .map_err(|e| in_band(index, e))?;
        total_count += count;
        total_population += population;
        total_weight += weight;
        weighted += count * weight / population;
        variance += count * (weight / population).powi(2);
    }
    if total_weight <= 0.0 {
        return Err(StatisticsError::EmptyStandardPopulation);
    }
    let estimate = if total_count < DSR_MINIMUM_COUNT {
        Estimate {
            value: None,
            ci_95: Interval::MISSING,
            ci_99_8: Interval::MISSING,
            method: Method::Dobson,
        }
    } else {
        let dsr = weighted / total_weight;
        let variance = variance / (total_weight * total_weight);
        let spread = (variance / total_count).sqrt();
        let limits = |confidence: Confidence| -> Result<Interval, StatisticsError> {
            let byar = super::byars_interval(total_count, confidence)?;
            let dobson = |limit: Option<f64>| {
                limit.map(|limit| (dsr + spread * (limit - total_count)) * multiplier)
            };
            Ok(Interval {
                lower: dobson(byar.lower),
                upper: dobson(byar.upper),
            })
        };
        Estimate {
            value: Some(dsr * multiplier),
            ci_95: limits(Confidence::Percent95)?,
            ci_99_8: limits(Confidence::Percent99_8)?,
            method: Method::Dobson,
        }
    };
    Ok(StandardisedRate {
        total_count,
        total_population,
        estimate,
    })
}

impl StandardPopulation {
    /// The directly standardised rate of `counts` in `populations`, one per band of this
    /// standard population in its order (see [`directly_standardised_rate`]).
    pub fn standardise(
        &self,
        counts: &[Option<f64>],
        populations: &[f64],
        multiplier: f64,
    ) -> Result<StandardisedRate, StatisticsError> {
        let mismatch = |found, what| StatisticsError::BandCountMismatch {
            standard: self.name,
            expected: self.len(),
            found,
            what,
        };
        if counts.len() != self.len() {
            return Err(mismatch(counts.len(), "counts"));
        }
        if populations.len() != self.len() {
            return Err(mismatch(populations.len(), "populations"));
        }
        let bands: Vec<DsrBand> = counts
            .iter()
            .zip(populations)
            .zip(self.weights)
            .map(|((&count, &population), &standard_population)| DsrBand {
                count,
                population,
                standard_population,
            })
            .collect();
        directly_standardised_rate(&bands, multiplier)
    }
}

/// One age band of the input to an indirectly standardised ratio or rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsrBand {
    /// Events in the band locally; a missing count is taken as zero.
    pub count: Option<f64>,
    /// The local population (zero or more).
    pub population: f64,
    /// Events in the band in the reference population (zero or more).
    pub reference_count: f64,
    /// The reference population (greater than zero).
    pub reference_population: f64,
}

/// The observed events, Σ counts (missing counts are zero).
pub fn observed_count(bands: &[IsrBand]) -> Result<f64, StatisticsError> {
    bands
        .iter()
        .enumerate()
        .try_fold(0.0, |total, (index, band)| {
            Ok(total
                + non_negative("count", band.count.unwrap_or(0.0))
                    .map_err(|e| in_band(index, e))?)
        })
}

/// The expected events, E = Σ(reference countᵢ / reference populationᵢ × populationᵢ).
pub fn expected_count(bands: &[IsrBand]) -> Result<f64, StatisticsError> {
    if bands.is_empty() {
        return Err(StatisticsError::NoAgeBands);
    }
    bands
        .iter()
        .enumerate()
        .try_fold(0.0, |total, (index, band)| {
            let check = || -> Result<f64, StatisticsError> {
                let population = non_negative("population", band.population)?;
                let reference_count = non_negative("reference count", band.reference_count)?;
                let reference_population =
                    positive("reference population", band.reference_population)?;
                Ok(reference_count / reference_population * population)
            };
            Ok(total + check().map_err(|e| in_band(index, e))?)
        })
}

/// The crude reference rate per `multiplier`, Σ reference counts / Σ reference populations × m.
pub fn reference_rate(bands: &[IsrBand], multiplier: f64) -> Result<f64, StatisticsError> {
    positive("multiplier", multiplier)?;
    if bands.is_empty() {
        return Err(StatisticsError::NoAgeBands);
    }
    let mut counts = 0.0;
    let mut populations = 0.0;
    for (index, band) in bands.iter().enumerate() {
        counts +=
            non_negative("reference count", band.reference_count).map_err(|e| in_band(index, e))?;
        populations += positive("reference population", band.reference_population)
            .map_err(|e| in_band(index, e))?;
    }
    Ok(counts / populations * multiplier)
}

/// An indirectly standardised ratio or rate with the counts it was computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndirectlyStandardised {
    /// The observed events, O.
    pub observed: f64,
    /// The expected events, E.
    pub expected: f64,
    /// The reference rate the ratio was scaled by (`None` for a ratio).
    pub reference_rate: Option<f64>,
    /// The ratio or rate and its limits: exact Poisson limits of O below 10 events, Byar's from
    /// 10, divided by E and scaled like the value.
    pub estimate: Estimate,
}

/// O/E × `scale` with the count's limits divided by E and scaled the same way.
fn indirect(
    observed: f64,
    expected: f64,
    scale: f64,
    reference_rate: Option<f64>,
) -> Result<IndirectlyStandardised, StatisticsError> {
    non_negative("observed count", observed)?;
    positive("expected count", expected)?;
    let factor = scale / expected;
    Ok(IndirectlyStandardised {
        observed,
        expected,
        reference_rate,
        estimate: Estimate {
            value: Some(observed / expected * scale),
            ci_95: poisson_interval(observed, Confidence::Percent95)?.scaled(factor),
            ci_99_8: poisson_interval(observed, Confidence::Percent99_8)?.scaled(factor),
            method: poisson_method(observed),
        },
    })
}

/// The indirectly standardised ratio O/E × `reference_value` (1, or 100 for the usual
/// standardised mortality ratio), as PHEindicatormethods' `calculate_ISRatio`.
pub fn indirectly_standardised_ratio(
    observed: f64,
    expected: f64,
    reference_value: f64,
) -> Result<IndirectlyStandardised, StatisticsError> {
    positive("reference value", reference_value)?;
    indirect(observed, expected, reference_value, None)
}

/// The indirectly standardised rate O/E × `reference_rate` (see [`reference_rate`]), as
/// PHEindicatormethods' `calculate_ISRate`.
pub fn indirectly_standardised_rate(
    observed: f64,
    expected: f64,
    reference_rate: f64,
) -> Result<IndirectlyStandardised, StatisticsError> {
    non_negative("reference rate", reference_rate)?;
    indirect(observed, expected, reference_rate, Some(reference_rate))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::ESP2013;
    use super::*;

    #[test]
    fn dsr_below_ten_events_is_suppressed_but_keeps_its_totals() {
        let mut counts = vec![Some(0.0); ESP2013.len()];
        counts[2] = None;
        counts[18] = Some(9.0);
        let populations = vec![100.0; ESP2013.len()];
        let result = ESP2013
            .standardise(&counts, &populations, 100_000.0)
            .unwrap();
        assert_eq!(result.total_count, 9.0);
        assert_eq!(result.total_population, 1900.0);
        assert_eq!(result.estimate.value, None);
        assert_eq!(result.estimate.ci_95, Interval::MISSING);
        assert_eq!(result.estimate.ci_99_8, Interval::MISSING);
    }

    #[test]
    fn dsr_of_a_constant_rate_is_that_rate() {
        let counts = vec![Some(10.0); ESP2013.len()];
        let populations = vec![1000.0; ESP2013.len()];
        let result = ESP2013.standardise(&counts, &populations, 1000.0).unwrap();
        let value = result.estimate.value.unwrap();
        assert!((value - 10.0).abs() < 1e-12, "{value}");
        let ci = result.estimate.ci_95;
        assert!(ci.lower.unwrap() < value && value < ci.upper.unwrap());
    }

    #[test]
    fn dsr_errors_name_the_band() {
        let counts = vec![Some(1.0); ESP2013.len()];
        let mut populations = vec![100.0; ESP2013.len()];
        populations[3] = 0.0;
        let error = ESP2013
            .standardise(&counts, &populations, 1.0)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "age band 4: the population 0 must be greater than zero"
        );
        let error = ESP2013
            .standardise(&counts[1..], &populations, 1.0)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "the standard population ESP2013 has 19 age bands but 18 counts were given"
        );
        assert_eq!(
            directly_standardised_rate(&[], 1.0),
            Err(StatisticsError::NoAgeBands)
        );
    }

    #[test]
    fn isr_with_few_events_uses_exact_limits_and_zero_reference_counts() {
        let bands = [
            IsrBand {
                count: Some(2.0),
                population: 100.0,
                reference_count: 0.0,
                reference_population: 1000.0,
            },
            IsrBand {
                count: None,
                population: 100.0,
                reference_count: 50.0,
                reference_population: 1000.0,
            },
        ];
        assert_eq!(observed_count(&bands), Ok(2.0));
        let expected = expected_count(&bands).unwrap();
        assert!((expected - 5.0).abs() < 1e-12);
        let ratio = indirectly_standardised_ratio(2.0, expected, 100.0).unwrap();
        assert_eq!(ratio.estimate.method, Method::Exact);
        assert!((ratio.estimate.value.unwrap() - 40.0).abs() < 1e-9);
        assert!(indirectly_standardised_ratio(2.0, 0.0, 1.0).is_err());
        let rate = reference_rate(&bands, 1000.0).unwrap();
        assert!((rate - 25.0).abs() < 1e-12);
    }

    fn ordered(estimate: &Estimate) -> bool {
        let Some(value) = estimate.value else {
            return estimate.ci_95 == Interval::MISSING && estimate.ci_99_8 == Interval::MISSING;
        };
        let (Some(l95), Some(u95), Some(l998), Some(u998)) = (
            estimate.ci_95.lower,
            estimate.ci_95.upper,
            estimate.ci_99_8.lower,
            estimate.ci_99_8.upper,
        ) else {
            return false;
        };
        let slack = 1e-12 * value.abs().max(1.0);
        l998 <= l95 + slack && l95 <= value + slack && value <= u95 + slack && u95 <= u998 + slack
    }

    proptest! {
        #[test]
        fn dsr_limits_bracket_the_rate(
            bands in prop::collection::vec((0u32..200, 1.0f64..1.0e5), ESP2013.len()),
        ) {
            let counts: Vec<Option<f64>> = bands.iter().map(|&(c, _)| Some(f64::from(c))).collect();
            let populations: Vec<f64> = bands.iter().map(|&(_, p)| p).collect();
            let result = ESP2013.standardise(&counts, &populations, 100_000.0).unwrap();
            prop_assert_eq!(result.estimate.value.is_some(), result.total_count >= DSR_MINIMUM_COUNT);
            prop_assert!(ordered(&result.estimate), "{:?}", result);
        }

        #[test]
        fn isr_limits_bracket_the_ratio(observed in 0u32..5000, expected in 0.1f64..5000.0) {
            let result = indirectly_standardised_ratio(f64::from(observed), expected, 100.0).unwrap();
            prop_assert!(ordered(&result.estimate), "{:?}", result);
        }
    }
}
