//! Metrics: what is measured, in which unit, and which direction is better.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::catalogue::OutcomeId;

/// A stable metric identifier: letters, digits, `.`, `_` and `-`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MetricId(String);

// Lets a map keyed by ids be searched with text as read, without building an id first.
impl std::borrow::Borrow<str> for MetricId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Why a text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {value:?} is not valid: {reason}")]
pub struct IdError {
    /// What sort of identifier was expected ("metric id", "area code").
    pub kind: &'static str,
    /// The text that was found.
    pub value: String,
    /// What was expected instead.
    pub reason: &'static str,
}

/// Checks the shape shared by metric ids and area codes; `extra` lists the punctuation allowed.
pub(crate) fn check_identifier(
    kind: &'static str,
    value: &str,
    extra: &[char],
) -> Result<(), IdError> {
    let error = |reason| IdError {
        kind,
        value: value.to_owned(),
        reason,
    };
    let mut chars = value.chars();
    match chars.next() {
        None => return Err(error("it is empty")),
        Some(first) if !first.is_ascii_alphanumeric() => {
            return Err(error("it must start with a letter or digit"));
        }
        Some(_) => {}
    }
    if value.len() > 64 {
        return Err(error("it is longer than 64 characters"));
    }
    if chars.any(|c| !(c.is_ascii_alphanumeric() || extra.contains(&c))) {
        return Err(error(if extra.contains(&'.') {
            "only letters, digits, '.', '_' and '-' are allowed"
        } else {
            "only letters, digits, '_' and '-' are allowed"
        }));
    }
    Ok(())
}

impl MetricId {
    /// Parses a metric id, saying what is wrong with it if it is not one.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let value = value.trim();
        check_identifier("metric id", value, &['.', '_', '-'])?;
        Ok(Self(value.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MetricId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for MetricId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MetricId> for String {
    fn from(id: MetricId) -> Self {
        id.0
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares a closed vocabulary: a `Copy` enum with its snake_case codes, parsing and display.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code used in files, the API and the command line.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code (case-insensitive), naming the accepted codes when it is not one.
            pub fn parse(value: &str) -> Result<Self, crate::metric::VocabularyError> {
                let wanted = value.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| crate::metric::VocabularyError {
                        what: $what,
                        value: value.to_owned(),
                        expected: Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::metric::VocabularyError;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }

        impl TryFrom<String> for $name {
            type Error = crate::metric::VocabularyError;
            fn try_from(value: String) -> Result<Self, Self::Error> { Self::parse(&value) }
        }

        impl From<$name> for &'static str {
            fn from(value: $name) -> Self { value.code() }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}
pub(crate) use vocabulary;

/// A value that is not one of a closed list of codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not known; expected one of: {expected}")]
pub struct VocabularyError {
    /// What sort of code was expected.
    pub what: &'static str,
    /// The text that was found.
    pub value: String,
    /// The accepted codes, comma-separated.
    pub expected: String,
}

vocabulary!(
    /// The unit a metric's figures are in, which decides how they are computed and shown.
    Unit, "unit" {
        /// A whole number of events or people.
        Count => "count",
        /// A numerator over a denominator, shown as a percentage.
        Proportion => "proportion",
        /// Events per `multiplier` population.
        Rate => "rate",
        /// A figure computed elsewhere (a modelled estimate, a standardised rate, a survey estimate).
        Value => "value",
    }
);

vocabulary!(
    /// Which direction of change is an improvement.
    Polarity, "polarity" {
        /// A higher figure is better.
        HigherIsBetter => "higher_is_better",
        /// A lower figure is better.
        LowerIsBetter => "lower_is_better",
        /// Neither direction is judged (activity-driven or ambiguous measures).
        NoJudgement => "no_judgement",
    }
);

vocabulary!(
    /// Where a metric sits in the framework.
    Tier, "tier" {
        /// One of the 11 headline metrics of the national framework.
        Headline => "headline",
        /// One of the 22 supporting metrics of the national framework.
        Supporting => "supporting",
        /// An OHID additional treatment and recovery metric.
        Additional => "additional",
        /// A partnership's own metric.
        Local => "local",
        /// A programme measure, such as the Drug Interventions Programme scorecard.
        Programme => "programme",
    }
);

vocabulary!(
    /// How often new figures are published or returned.
    Frequency, "frequency" {
        /// Every month.
        Monthly => "monthly",
        /// Every quarter.
        Quarterly => "quarterly",
        /// Every year (financial, calendar, academic or survey year).
        Annual => "annual",
        /// At irregular intervals (prevalence waves, biennial surveys).
        Irregular => "irregular",
    }
);

/// A metric of the catalogue: its definition and everything needed to compute, judge and cite it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// Stable identifier.
    pub id: MetricId,
    /// The label in the framework document (`H5`, `S12`, `L3`), where it has one.
    #[serde(default)]
    pub reference: Option<String>,
    /// Short name.
    pub name: String,
    /// The framework outcome it serves.
    #[serde(default)]
    pub outcome: Option<OutcomeId>,
    /// Where it sits in the framework.
    pub tier: Tier,
    /// The unit of its figures.
    pub unit: Unit,
    /// The multiplier: 100 for proportions (percentages), the population base for rates.
    #[serde(default)]
    pub multiplier: Option<u32>,
    /// Which direction is better.
    pub polarity: Polarity,
    /// What it measures, in words.
    pub definition: String,
    /// What is counted on top.
    #[serde(default)]
    pub numerator: Option<String>,
    /// What it is divided by.
    #[serde(default)]
    pub denominator: Option<String>,
    /// The data source (collection or survey).
    pub source: String,
    /// Who publishes it.
    #[serde(default)]
    pub publisher: Option<String>,
    /// How often it is published.
    #[serde(default)]
    pub frequency: Option<Frequency>,
    /// The lowest geography it is published for.
    #[serde(default)]
    pub lowest_geography: Option<String>,
    /// Breakdowns the publisher gives.
    #[serde(default)]
    pub breakdowns: Vec<String>,
    /// Known limitations, lags and caveats.
    #[serde(default)]
    pub limitations: Option<String>,
    /// The national metrics this one is a local version of.
    #[serde(default)]
    pub maps_to: Vec<MetricId>,
    /// Where the facts came from (seed documents and published pages).
    #[serde(default)]
    pub provenance: Vec<String>,
    /// Fields whose content could not be confirmed against a source and is an assumption.
    #[serde(default)]
    pub unconfirmed: Vec<String>,
}

impl Metric {
    /// Whether a field's content is marked as unconfirmed.
    pub fn is_unconfirmed(&self, field: &str) -> bool {
        self.unconfirmed.iter().any(|f| f == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_ids_accept_the_documented_characters_only() {
        assert!(MetricId::parse("local.completions").is_ok());
        assert!(MetricId::parse("cdof.h5_drug-deaths").is_ok());
        assert!(MetricId::parse("").is_err());
        assert!(MetricId::parse(".x").is_err());
        assert!(MetricId::parse("a b").is_err());
        assert!(MetricId::parse("é").is_err());
    }

    #[test]
    fn vocabularies_parse_case_insensitively_and_name_the_choices() {
        assert_eq!(Unit::parse("Proportion"), Ok(Unit::Proportion));
        let error = Polarity::parse("up").unwrap_err().to_string();
        assert!(
            error.contains("higher_is_better, lower_is_better, no_judgement"),
            "{error}"
        );
    }
}
