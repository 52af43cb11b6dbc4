//! Quantiles: PHEindicatormethods' `phe_quantile` (deprivation deciles and the like) and
//! Fingertips' quintile benchmarking bounds.

use crate::metric::Polarity;

use super::StatisticsError;

/// Whether `phe_quantile` should invert for a metric of this polarity: for a lower-is-better
/// metric quantile 1 holds the highest (worst) values; otherwise quantile 1 holds the lowest.
pub fn invert_for_polarity(polarity: Polarity) -> bool {
    matches!(polarity, Polarity::LowerIsBetter)
}

/// Assigns each value of one group to a quantile 1..=`quantiles`, as PHEindicatormethods'
/// `phe_quantile`: with N valid (finite) values, rank with ties taking the lowest rank, of the
/// value (or of max − value when `invert`, so quantile 1 holds the highest values), and
/// q = ⌊(nq + 1) − ⌈((N + 1) − rank)/(N/nq)⌉⌋, with 0 read as 1.
///
/// Missing values get `None`; so does every value when there are fewer valid values than
/// quantiles.
pub fn quantile_groups(
    values: &[Option<f64>],
    quantiles: u32,
    invert: bool,
) -> Result<Vec<Option<u32>>, StatisticsError> {
    if quantiles < 2 {
        return Err(StatisticsError::TooFewQuantiles(quantiles));
    }
    let valid: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let n = valid.len() as f64;
    let nq = f64::from(quantiles);
    if n < nq {
        return Ok(vec![None; values.len()]);
    }
    let max = valid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let adjust = |v: f64| if invert { max - v } else { v };
    let mut adjusted: Vec<f64> = valid.iter().map(|&v| adjust(v)).collect();
    adjusted.sort_by(f64::total_cmp);
    Ok(values
        .iter()
        .map(|value| {
            let value = value.filter(|v| v.is_finite())?;
            let adjusted_value = adjust(value);
            // Rank with ties = "min": one more than the number of smaller values.
            let rank = adjusted.partition_point(|&a| a < adjusted_value) as f64 + 1.0;
            let q = ((nq + 1.0) - (((n + 1.0) - rank) / (n / nq)).ceil()).floor();
            // q lies in 0..=nq by construction.
            Some(if q < 1.0 { 1 } else { q as u32 })
        })
        .collect())
}

/// Fingertips' quintile bounds of a set of values: the minimum, the 20th, 40th, 60th and 80th
/// percentiles by linear interpolation (Excel's `PERCENTILE.INC`, R's `quantile(type = 7)`),
/// and the maximum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuintileBounds {
    bounds: [f64; 6],
}

impl QuintileBounds {
    /// The bounds of the finite values in `values`; `None` when there are fewer than 5.
    pub fn new(values: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.len() < 5 {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let first = *sorted.first()?;
        let last = *sorted.last()?;
        let step = 1.0 / 5.0;
        let mut bounds = [first, 0.0, 0.0, 0.0, 0.0, last];
        for (i, bound) in (1u32..).zip(bounds.iter_mut().skip(1).take(4)) {
            *bound = percentile(&sorted, step * f64::from(i))?;
        }
        Some(QuintileBounds { bounds })
    }

    /// The six bounds: minimum, four inner percentiles, maximum.
    pub fn bounds(&self) -> [f64; 6] {
        self.bounds
    }

    /// The quintile of `value`, 1 to 5, as Fingertips assigns it: the first inner bound (20th
    /// percentile, …, maximum) at or above the value. For a higher-is-better metric the order
    /// is reversed, so 1 is always the best fifth; for lower-is-better and no-judgement metrics
    /// 1 is the lowest fifth. `None` (Fingertips' category 0) for a missing value or one above
    /// the maximum.
    pub fn category(&self, value: Option<f64>, polarity: Polarity) -> Option<u8> {
        let value = value.filter(|v| v.is_finite())?;
        let index = (1u8..=5)
            .zip(self.bounds.iter().skip(1))
            .find(|&(_, &bound)| value <= bound)
            .map(|(index, _)| index)?;
        Some(match polarity {
            Polarity::HigherIsBetter => 6 - index,
            Polarity::LowerIsBetter | Polarity::NoJudgement => index,
        })
    }
}

/// The linearly interpolated percentile of sorted values, rounded to 10 decimal places as
/// Fingertips rounds it (so 1..=50 gives exactly 10.8, 20.6, 30.4, 40.2).
fn percentile(sorted: &[f64], fraction: f64) -> Option<f64> {
    let count = sorted.len();
    let n = (count as f64 - 1.0) * fraction + 1.0;
    if n == 1.0 {
        return sorted.first().copied();
    }
    if n == count as f64 {
        return sorted.last().copied();
    }
    // 1 <= n < count, so k - 1 and k index the slice.
    let k = n.trunc() as usize;
    let d = n - k as f64;
    let below = *sorted.get(k.checked_sub(1)?)?;
    let above = *sorted.get(k)?;
    Some(round_to_ten_places(below + d * (above - below)))
}

/// Rounds half away from zero to 10 decimal places, where that is representable.
fn round_to_ten_places(value: f64) -> f64 {
    let scaled = value * 1e10;
    if scaled.abs() < 4.5e15 {
        scaled.round() / 1e10
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingertips_quintile_bounds_of_one_to_fifty() {
        let values: Vec<f64> = (1..=50).map(f64::from).collect();
        let bounds = QuintileBounds::new(&values).unwrap().bounds();
        assert_eq!(bounds, [1.0, 10.8, 20.6, 30.4, 40.2, 50.0]);
    }

    #[test]
    fn quintile_categories_follow_polarity() {
        let values: Vec<f64> = (1..=50).map(f64::from).collect();
        let bounds = QuintileBounds::new(&values).unwrap();
        assert_eq!(bounds.category(Some(1.0), Polarity::LowerIsBetter), Some(1));
        assert_eq!(
            bounds.category(Some(10.8), Polarity::LowerIsBetter),
            Some(1)
        );
        assert_eq!(bounds.category(Some(10.9), Polarity::NoJudgement), Some(2));
        assert_eq!(
            bounds.category(Some(50.0), Polarity::LowerIsBetter),
            Some(5)
        );
        assert_eq!(
            bounds.category(Some(50.0), Polarity::HigherIsBetter),
            Some(1)
        );
        assert_eq!(
            bounds.category(Some(1.0), Polarity::HigherIsBetter),
            Some(5)
        );
        assert_eq!(bounds.category(None, Polarity::HigherIsBetter), None);
        assert_eq!(bounds.category(Some(51.0), Polarity::HigherIsBetter), None);
        assert_eq!(QuintileBounds::new(&[1.0, 2.0, 3.0, 4.0]), None);
    }

    #[test]
    fn deciles_of_too_few_values_are_missing() {
        let values = vec![Some(1.0), Some(2.0), None];
        assert_eq!(
            quantile_groups(&values, 10, false),
            Ok(vec![None, None, None])
        );
        assert!(quantile_groups(&values, 1, false).is_err());
    }

    #[test]
    fn quintiles_of_ten_values_pair_up() {
        let values: Vec<Option<f64>> = (1..=10).map(|v| Some(f64::from(v))).collect();
        let direct: Vec<Option<u32>> = quantile_groups(&values, 5, false)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(direct, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5].map(Some).to_vec());
        let inverted = quantile_groups(&values, 5, true).unwrap();
        assert_eq!(inverted, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1].map(Some).to_vec());
        assert!(invert_for_polarity(Polarity::LowerIsBetter));
        assert!(!invert_for_polarity(Polarity::HigherIsBetter));
    }
}
