//! Comparison with a benchmark by overlapping confidence intervals, as Fingertips does it.

use std::fmt;

use crate::metric::Polarity;

use super::{Confidence, Estimate, Interval};

/// How a value compares with its benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Significantly better (the benchmark is outside the interval, on the worse side).
    Better,
    /// Not significantly different (the benchmark is inside the interval).
    Similar,
    /// Significantly worse.
    Worse,
    /// Significantly higher, for a metric whose direction is not judged.
    Higher,
    /// Significantly lower, for a metric whose direction is not judged.
    Lower,
    /// Not compared: the value, a limit or the benchmark is missing.
    NotCompared,
}

impl Comparison {
    /// Every outcome.
    pub const ALL: [Comparison; 6] = [
        Comparison::Better,
        Comparison::Similar,
        Comparison::Worse,
        Comparison::Higher,
        Comparison::Lower,
        Comparison::NotCompared,
    ];

    /// The code in files, the API and the command line: `better`, `similar`, `worse`,
    /// `higher`, `lower`, `not_compared`.
    pub fn code(self) -> &'static str {
        match self {
            Comparison::Better => "better",
            Comparison::Similar => "similar",
            Comparison::Worse => "worse",
            Comparison::Higher => "higher",
            Comparison::Lower => "lower",
            Comparison::NotCompared => "not_compared",
        }
    }

    /// Reads a code (see [`Comparison::code`]), ignoring case; `None` when it is not one.
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }

    /// The label shown to people: "Better", "Similar", "Worse", "Higher", "Lower",
    /// "Not compared".
    pub fn label(self) -> &'static str {
        match self {
            Comparison::Better => "Better",
            Comparison::Similar => "Similar",
            Comparison::Worse => "Worse",
            Comparison::Higher => "Higher",
            Comparison::Lower => "Lower",
            Comparison::NotCompared => "Not compared",
        }
    }

    /// Whether the difference is significant (better, worse, higher or lower).
    pub fn is_significant(self) -> bool {
        matches!(
            self,
            Comparison::Better | Comparison::Worse | Comparison::Higher | Comparison::Lower
        )
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Compares a value with a benchmark by the single-overlapping-interval rule: the benchmark
/// inside the interval (inclusive) is [`Comparison::Similar`]; otherwise a value above the
/// benchmark is better for a higher-is-better metric, worse for a lower-is-better one and
/// [`Comparison::Higher`] for one whose direction is not judged (and the mirror image below).
/// A missing value, limit or benchmark, or one that is not finite, is not compared.
pub fn compare_with_benchmark(
    value: Option<f64>,
    interval: Interval,
    benchmark: Option<f64>,
    polarity: Polarity,
) -> Comparison {
    let finite = |x: Option<f64>| x.filter(|x| x.is_finite());
    let (Some(value), Some(lower), Some(upper), Some(benchmark)) = (
        finite(value),
        finite(interval.lower),
        finite(interval.upper),
        finite(benchmark),
    ) else {
        return Comparison::NotCompared;
    };
    if lower <= benchmark && benchmark <= upper {
        return Comparison::Similar;
    }
    let higher = value > benchmark;
    match (polarity, higher) {
        (Polarity::HigherIsBetter, true) | (Polarity::LowerIsBetter, false) => Comparison::Better,
        (Polarity::HigherIsBetter, false) | (Polarity::LowerIsBetter, true) => Comparison::Worse,
        (Polarity::NoJudgement, true) => Comparison::Higher,
        (Polarity::NoJudgement, false) => Comparison::Lower,
    }
}

/// Compares an estimate with a benchmark using its interval at `confidence`.
pub fn compare_estimate(
    estimate: &Estimate,
    confidence: Confidence,
    benchmark: Option<f64>,
    polarity: Polarity,
) -> Comparison {
    compare_with_benchmark(
        estimate.value,
        estimate.interval(confidence),
        benchmark,
        polarity,
    )
}

/// The two-level comparison ("RAG5"): significance at 99.8 % first, then at 95 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rag5 {
    /// Better at 99.8 %.
    Better99_8,
    /// Better at 95 % but not at 99.8 %.
    Better95,
    /// Not significantly different at 95 %.
    Similar,
    /// Worse at 95 % but not at 99.8 %.
    Worse95,
    /// Worse at 99.8 %.
    Worse99_8,
    /// Higher at 99.8 % (direction not judged).
    Higher99_8,
    /// Higher at 95 % but not at 99.8 %.
    Higher95,
    /// Lower at 95 % but not at 99.8 %.
    Lower95,
    /// Lower at 99.8 %.
    Lower99_8,
    /// Not compared.
    NotCompared,
}

impl Rag5 {
    /// Every outcome.
    pub const ALL: [Rag5; 10] = [
        Rag5::Better99_8,
        Rag5::Better95,
        Rag5::Similar,
        Rag5::Worse95,
        Rag5::Worse99_8,
        Rag5::Higher99_8,
        Rag5::Higher95,
        Rag5::Lower95,
        Rag5::Lower99_8,
        Rag5::NotCompared,
    ];

    /// Builds the outcome from a comparison and the level it is significant at.
    fn from_parts(comparison: Comparison, level: Confidence) -> Self {
        use Confidence::{Percent95, Percent99_8};
        match (comparison, level) {
            (Comparison::Better, Percent99_8) => Rag5::Better99_8,
            (Comparison::Better, Percent95) => Rag5::Better95,
            (Comparison::Worse, Percent95) => Rag5::Worse95,
            (Comparison::Worse, Percent99_8) => Rag5::Worse99_8,
            (Comparison::Higher, Percent99_8) => Rag5::Higher99_8,
            (Comparison::Higher, Percent95) => Rag5::Higher95,
            (Comparison::Lower, Percent95) => Rag5::Lower95,
            (Comparison::Lower, Percent99_8) => Rag5::Lower99_8,
            (Comparison::Similar, _) => Rag5::Similar,
            (Comparison::NotCompared, _) => Rag5::NotCompared,
        }
    }

    /// The single-level comparison: better, similar, worse, higher, lower or not compared.
    pub fn comparison(self) -> Comparison {
        match self {
            Rag5::Better99_8 | Rag5::Better95 => Comparison::Better,
            Rag5::Similar => Comparison::Similar,
            Rag5::Worse95 | Rag5::Worse99_8 => Comparison::Worse,
            Rag5::Higher99_8 | Rag5::Higher95 => Comparison::Higher,
            Rag5::Lower95 | Rag5::Lower99_8 => Comparison::Lower,
            Rag5::NotCompared => Comparison::NotCompared,
        }
    }

    /// The highest level at which the difference is significant; `None` when it is not.
    pub fn level(self) -> Option<Confidence> {
        match self {
            Rag5::Better99_8 | Rag5::Worse99_8 | Rag5::Higher99_8 | Rag5::Lower99_8 => {
                Some(Confidence::Percent99_8)
            }
            Rag5::Better95 | Rag5::Worse95 | Rag5::Higher95 | Rag5::Lower95 => {
                Some(Confidence::Percent95)
            }
            Rag5::Similar | Rag5::NotCompared => None,
        }
    }

    /// The code in files and the API: `better_99_8`, `better_95`, `similar`, `worse_95`,
    /// `worse_99_8`, `higher_99_8`, `higher_95`, `lower_95`, `lower_99_8`, `not_compared`.
    pub fn code(self) -> &'static str {
        match self {
            Rag5::Better99_8 => "better_99_8",
            Rag5::Better95 => "better_95",
            Rag5::Similar => "similar",
            Rag5::Worse95 => "worse_95",
            Rag5::Worse99_8 => "worse_99_8",
            Rag5::Higher99_8 => "higher_99_8",
            Rag5::Higher95 => "higher_95",
            Rag5::Lower95 => "lower_95",
            Rag5::Lower99_8 => "lower_99_8",
            Rag5::NotCompared => "not_compared",
        }
    }

    /// The label shown to people: "Better (99.8%)", "Better (95%)", "Similar", …,
    /// "Not compared".
    pub fn label(self) -> &'static str {
        match self {
            Rag5::Better99_8 => "Better (99.8%)",
            Rag5::Better95 => "Better (95%)",
            Rag5::Similar => "Similar",
            Rag5::Worse95 => "Worse (95%)",
            Rag5::Worse99_8 => "Worse (99.8%)",
            Rag5::Higher99_8 => "Higher (99.8%)",
            Rag5::Higher95 => "Higher (95%)",
            Rag5::Lower95 => "Lower (95%)",
            Rag5::Lower99_8 => "Lower (99.8%)",
            Rag5::NotCompared => "Not compared",
        }
    }
}

impl fmt::Display for Rag5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The two-level comparison: significant at 99.8 % if the benchmark is outside the 99.8 %
/// interval, else at 95 % if it is outside the 95 % interval, else similar; not compared when
/// either comparison cannot be made.
pub fn compare_two_level(
    value: Option<f64>,
    ci_95: Interval,
    ci_99_8: Interval,
    benchmark: Option<f64>,
    polarity: Polarity,
) -> Rag5 {
    let wide = compare_with_benchmark(value, ci_99_8, benchmark, polarity);
    if wide != Comparison::Similar {
        return Rag5::from_parts(wide, Confidence::Percent99_8);
    }
    let narrow = compare_with_benchmark(value, ci_95, benchmark, polarity);
    Rag5::from_parts(narrow, Confidence::Percent95)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CI: Interval = Interval {
        lower: Some(2.7),
        upper: Some(3.6),
    };

    #[test]
    fn benchmark_inside_the_interval_is_similar() {
        let c = compare_with_benchmark(Some(3.0), CI, Some(3.6), Polarity::HigherIsBetter);
        assert_eq!(c, Comparison::Similar);
    }

    #[test]
    fn polarity_decides_better_or_worse() {
        let below = Some(4.0);
        assert_eq!(
            compare_with_benchmark(Some(3.0), CI, below, Polarity::HigherIsBetter),
            Comparison::Worse
        );
        assert_eq!(
            compare_with_benchmark(Some(3.0), CI, below, Polarity::LowerIsBetter),
            Comparison::Better
        );
        assert_eq!(
            compare_with_benchmark(Some(3.0), CI, below, Polarity::NoJudgement),
            Comparison::Lower
        );
        assert_eq!(
            compare_with_benchmark(Some(3.0), CI, Some(1.0), Polarity::NoJudgement),
            Comparison::Higher
        );
    }

    #[test]
    fn missing_parts_are_not_compared() {
        let open = Interval {
            lower: None,
            upper: Some(3.6),
        };
        assert_eq!(
            compare_with_benchmark(Some(3.0), open, Some(4.0), Polarity::HigherIsBetter),
            Comparison::NotCompared
        );
        assert_eq!(
            compare_with_benchmark(None, CI, Some(4.0), Polarity::HigherIsBetter),
            Comparison::NotCompared
        );
        assert_eq!(
            compare_with_benchmark(Some(3.0), CI, None, Polarity::HigherIsBetter),
            Comparison::NotCompared
        );
        assert_eq!(
            compare_two_level(Some(3.0), CI, open, Some(4.0), Polarity::HigherIsBetter),
            Rag5::NotCompared
        );
    }

    #[test]
    fn two_levels_report_the_highest_significant_level() {
        let wide = Interval::new(2.0, 4.5);
        let rag = compare_two_level(Some(3.0), CI, wide, Some(4.0), Polarity::HigherIsBetter);
        assert_eq!(rag, Rag5::Worse95);
        assert_eq!(rag.comparison(), Comparison::Worse);
        assert_eq!(rag.level(), Some(Confidence::Percent95));
        assert_eq!(rag.label(), "Worse (95%)");
        let rag = compare_two_level(Some(3.0), CI, wide, Some(5.0), Polarity::LowerIsBetter);
        assert_eq!(rag, Rag5::Better99_8);
        assert_eq!(rag.code(), "better_99_8");
        let rag = compare_two_level(Some(3.0), CI, wide, Some(3.5), Polarity::NoJudgement);
        assert_eq!(rag, Rag5::Similar);
        for rag in Rag5::ALL {
            if let Some(level) = rag.level() {
                assert_eq!(Rag5::from_parts(rag.comparison(), level), rag);
            }
        }
        for comparison in Comparison::ALL {
            assert_eq!(Comparison::parse(comparison.code()), Some(comparison));
        }
        assert_eq!(Comparison::parse("Same"), None);
        let codes: Vec<&str> = Comparison::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "better",
                "similar",
                "worse",
                "higher",
                "lower",
                "not_compared"
            ]
        );
    }
}
