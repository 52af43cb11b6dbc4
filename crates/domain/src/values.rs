//! Values: what a return says about a metric in an area and period, as received and checked.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::metric::{MetricId, vocabulary};
use crate::period::Period;

vocabulary!(
    /// How final a published or returned figure is.
    ValueStatus, "status" {
        /// May change when late data arrive.
        Provisional => "provisional",
        /// As published (the default).
        Final => "final",
        /// Changed since first published.
        Revised => "revised",
    }
);

/// A breakdown of a metric's total: a dimension and one of its categories, such as
/// `sex=female`. The total has no breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Breakdown {
    /// The dimension, such as `sex` or `substance`.
    pub name: String,
    /// The category, such as `female`.
    pub category: String,
}

/// Why a breakdown text is not `name=category`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("breakdown {0:?} is not of the form name=category (for example sex=female)")]
pub struct BreakdownError(pub String);

impl Breakdown {
    /// Parses `name=category`; names are lower-cased, both parts trimmed.
    pub fn parse(text: &str) -> Result<Self, BreakdownError> {
        let (name, category) = text
            .split_once('=')
            .ok_or_else(|| BreakdownError(text.to_owned()))?;
        let (name, category) = (name.trim().to_lowercase(), category.trim().to_owned());
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name || category.is_empty() || category.contains('=') {
            return Err(BreakdownError(text.to_owned()));
        }
        Ok(Self { name, category })
    }
}

impl TryFrom<String> for Breakdown {
    type Error = BreakdownError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Breakdown> for String {
    fn from(b: Breakdown) -> Self {
        b.to_string()
    }
}

impl fmt::Display for Breakdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.category)
    }
}

/// What identifies a value: a new figure for the same key is a revision of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ValueKey {
    /// The metric.
    pub metric_id: MetricId,
    /// The area, on its current code.
    pub area_code: AreaCode,
    /// The period.
    pub period: Period,
    /// The breakdown, or `None` for the total.
    pub breakdown: Option<Breakdown>,
}

/// One checked row of a return: the figures for a key. Which figures are present depends on
/// the metric's unit (checked on import): counts have a numerator; proportions and rates a
/// numerator and denominator; `value` metrics a value, perhaps with limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// What the figures are for.
    pub key: ValueKey,
    /// The count, or the numerator.
    pub numerator: Option<f64>,
    /// The denominator.
    pub denominator: Option<f64>,
    /// The figure as published, in the metric's displayed unit (a percentage for proportions).
    pub value: Option<f64>,
    /// A published lower confidence limit, for `value` metrics.
    pub lower_ci: Option<f64>,
    /// A published upper confidence limit, for `value` metrics.
    pub upper_ci: Option<f64>,
    /// Provisional, final or revised.
    pub status: ValueStatus,
    /// Publisher and publication.
    pub source: Option<String>,
    /// Anything the sender wanted to say about it.
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdowns_are_name_equals_category() {
        let b = Breakdown::parse(" Sex = female ").unwrap();
        assert_eq!((b.name.as_str(), b.category.as_str()), ("sex", "female"));
        assert_eq!(b.to_string(), "sex=female");
        for bad in ["", "sex", "=female", "sex=", "a b=c", "sex=a=b"] {
            assert!(Breakdown::parse(bad).is_err(), "{bad:?}");
        }
    }
}
