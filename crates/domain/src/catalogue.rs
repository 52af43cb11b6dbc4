//! The framework catalogue: outcomes, metrics and national ambitions, shipped as versioned data.
//!
//! The catalogue lives in `data/framework/catalogue.toml` at the root of the repository and is
//! embedded in the binary; [`Catalogue::shipped`] parses and checks it.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::metric::{IdError, Metric, MetricId, Tier, Unit, check_identifier, vocabulary};
use crate::period::Period;

/// The catalogue file as shipped with the product.
pub const SHIPPED_CATALOGUE: &str = include_str!("../../../data/framework/catalogue.toml");

/// An outcome identifier, such as `reduce_drug_use`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OutcomeId(String);

impl OutcomeId {
    /// Parses an outcome id (letters, digits, `_` and `-`).
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let value = value.trim();
        check_identifier("outcome id", value, &['_', '-'])?;
        Ok(Self(value.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OutcomeId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OutcomeId> for String {
    fn from(id: OutcomeId) -> Self {
        id.0
    }
}

impl fmt::Display for OutcomeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

vocabulary!(
    /// Whether an outcome is one of the strategy's aims or a means to them.
    OutcomeKind, "outcome kind" {
        /// Reduce drug use, drug-related crime, drug-related deaths and harm.
        Strategic => "strategic",
        /// Reduce supply, increase engagement in treatment, improve recovery.
        Intermediate => "intermediate",
    }
);

/// One of the six outcomes of the national framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Stable identifier.
    pub id: OutcomeId,
    /// The outcome as the framework words it.
    pub name: String,
    /// Strategic or intermediate.
    pub kind: OutcomeKind,
    /// What it covers, in a sentence or two.
    pub description: String,
}

vocabulary!(
    /// What sort of target a figure is.
    TargetKind, "target kind" {
        /// The end point to be reached by the period.
        Ambition => "ambition",
        /// An interim milestone on the way.
        Trajectory => "trajectory",
        /// A level that should not be crossed.
        Threshold => "threshold",
    }
);

vocabulary!(
    /// How a target relates to the metric's figures, which decides how progress is assessed.
    TargetBasis, "target basis" {
        /// The metric's value for the target period is compared with the target.
        Level => "level",
        /// The sum of the metric's values from the baseline period to the target period.
        Cumulative => "cumulative",
        /// An estimate against a counterfactual (deaths prevented, crimes prevented), which the
        /// metric's own figures cannot assess.
        Counterfactual => "counterfactual",
    }
);

/// A target or ambition for a metric in an area by a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The metric it applies to.
    pub metric_id: MetricId,
    /// The area it applies to.
    pub area_code: AreaCode,
    /// The period by which it is to be met.
    pub period: Period,
    /// The figure, in the metric's displayed unit.
    pub target: f64,
    /// Ambition, trajectory or threshold.
    #[serde(default = "default_target_kind")]
    pub kind: TargetKind,
    /// How the figure relates to the metric's values.
    #[serde(default = "default_target_basis")]
    pub basis: TargetBasis,
    /// The starting period, for progress.
    #[serde(default)]
    pub baseline_period: Option<Period>,
    /// The starting figure, for progress.
    #[serde(default)]
    pub baseline: Option<f64>,
    /// The target as its source words it.
    #[serde(default)]
    pub note: Option<String>,
    /// Where it comes from.
    #[serde(default)]
    pub provenance: Vec<String>,
}

fn default_target_kind() -> TargetKind {
    TargetKind::Ambition
}

fn default_target_basis() -> TargetBasis {
    TargetBasis::Level
}

/// A document or page the catalogue's facts come from, cited by its `id` in `provenance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// Short id used in `provenance` lists: `S0`..`S4` for the customer's source documents,
    /// `R1`.. for published pages, `N1`.. for the team's research notes, `spec-*` for h2h's
    /// own interchange specifications, `data-*` for shipped data files.
    pub id: String,
    /// Title, as a person would cite it.
    pub title: String,
    /// Who published it.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Where it can be read, if it is public.
    #[serde(default)]
    pub url: Option<String>,
}

/// The whole framework: outcomes, metrics and targets, with the catalogue's version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The catalogue's version (a date), bumped with every change to its content.
    pub version: String,
    /// The six outcomes.
    pub outcomes: Vec<Outcome>,
    /// Every metric: national, OHID additional, local and programme.
    pub metrics: Vec<Metric>,
    /// National ambitions and other shipped targets.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// The documents and pages cited in `provenance` lists.
    #[serde(default)]
    pub references: Vec<Reference>,
}

/// Why a catalogue file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file is not valid TOML of the expected shape.
    #[error("the catalogue is not well formed: {0}")]
    Syntax(#[from] toml::de::Error),
    /// The file parses but its content is inconsistent.
    #[error("the catalogue is inconsistent: {0}")]
    Inconsistent(String),
}

impl Catalogue {
    /// Parses and checks a catalogue.
    pub fn parse(text: &str) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue = toml::from_str(text)?;
        catalogue.check()?;
        Ok(catalogue)
    }

    /// The catalogue shipped with the product.
    pub fn shipped() -> Result<Self, CatalogueError> {
        Self::parse(SHIPPED_CATALOGUE)
    }

    /// Finds a metric by id.
    pub fn metric(&self, id: &MetricId) -> Option<&Metric> {
        self.metrics.iter().find(|m| &m.id == id)
    }

    /// Finds a reference by the id a `provenance` list cites it with.
    pub fn reference(&self, id: &str) -> Option<&Reference> {
        self.references.iter().find(|r| r.id == id)
    }

    /// Finds an outcome by id.
    pub fn outcome(&self, id: &OutcomeId) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| &o.id == id)
    }

    /// The metrics of one tier, in catalogue order.
    pub fn metrics_of_tier(&self, tier: Tier) -> impl Iterator<Item = &Metric> {
        self.metrics.iter().filter(move |m| m.tier == tier)
    }

    /// The metrics serving one outcome, in catalogue order.
    pub fn metrics_for_outcome<'a>(
        &'a self,
        outcome: &'a OutcomeId,
    ) -> impl Iterator<Item = &'a Metric> {
        self.metrics
            .iter()
            .filter(move |m| m.outcome.as_ref() == Some(outcome))
    }

    /// Checks the references between the parts: unique ids, known outcomes and mapped metrics,
    /// multipliers where the unit needs one, targets on known metrics.
    fn check(&self) -> Result<(), CatalogueError> {
        let mut problems = Vec::new();
        let mut outcome_ids = HashSet::new();
        for outcome in &self.outcomes {
            if !outcome_ids.insert(&outcome.id) {
                problems.push(format!("outcome {} is defined twice", outcome.id));
            }
        }
        let mut metric_ids = HashSet::new();
        for metric in &self.metrics {
            if !metric_ids.insert(&metric.id) {
                problems.push(format!("metric {} is defined twice", metric.id));
            }
        }
        for metric in &self.metrics {
            if let Some(outcome) = &metric.outcome
                && !outcome_ids.contains(outcome)
            {
                problems.push(format!(
                    "metric {} names unknown outcome {outcome}",
                    metric.id
                ));
            }
            for national in &metric.maps_to {
                if !metric_ids.contains(national) {
                    problems.push(format!(
                        "metric {} maps to unknown metric {national}",
                        metric.id
                    ));
                }
            }
            let needs_multiplier = matches!(metric.unit, Unit::Rate | Unit::Proportion);
            if needs_multiplier && metric.multiplier.is_none() {
                problems.push(format!(
                    "metric {} is a {} without a multiplier",
                    metric.id, metric.unit
                ));
            }
            if metric.unit == Unit::Proportion && metric.multiplier.is_some_and(|m| m != 100) {
                problems.push(format!(
                    "metric {} is a proportion whose multiplier is not 100",
                    metric.id
                ));
            }
        }
        for target in &self.targets {
            if !metric_ids.contains(&target.metric_id) {
                problems.push(format!(
                    "a target names unknown metric {}",
                    target.metric_id
                ));
            }
        }
        let mut reference_ids = HashSet::new();
        for reference in &self.references {
            if !reference_ids.insert(reference.id.as_str()) {
                problems.push(format!("reference {} is defined twice", reference.id));
            }
        }
        let citations = self
            .metrics
            .iter()
            .map(|m| (m.id.as_str(), &m.provenance))
            .chain(
                self.targets
                    .iter()
                    .map(|t| (t.metric_id.as_str(), &t.provenance)),
            );
        for (owner, provenance) in citations {
            for cited in provenance {
                if !reference_ids.contains(cited.as_str()) {
                    problems.push(format!(
                        "{owner} cites {cited:?}, which is not among the references"
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CatalogueError::Inconsistent(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
version = "2026-11-23"

[[outcomes]]
id = "reduce_drug_use"
name = "Reduce drug use"
kind = "strategic"
description = "Fewer people using drugs."

[[metrics]]
id = "cdof.drug_use"
name = "Drug use in the last year"
outcome = "reduce_drug_use"
tier = "headline"
unit = "value"
polarity = "lower_is_better"
definition = "Percentage of people reporting use of any illicit drug in the last year."
source = "Crime Survey for England and Wales"
provenance = ["R3"]

[[references]]
id = "R3"
title = "Appendix 2: National Combating Drugs Outcomes Framework"
publisher = "Home Office"
"#;

    #[test]
    fn a_minimal_catalogue_parses() {
        let catalogue = Catalogue::parse(MINIMAL).unwrap();
        assert_eq!(catalogue.metrics.len(), 1);
        assert_eq!(catalogue.metrics_of_tier(Tier::Headline).count(), 1);
    }

    #[test]
    fn unknown_references_are_reported_together() {
        let broken = MINIMAL.replace(
            "outcome = \"reduce_drug_use\"",
            "outcome = \"nope\"\nmaps_to = [\"cdof.missing\"]",
        );
        let message = Catalogue::parse(&broken).unwrap_err().to_string();
        assert!(message.contains("unknown outcome nope"), "{message}");
        assert!(message.contains("unknown metric cdof.missing"), "{message}");
    }

    #[test]
    fn every_citation_names_a_reference() {
        let broken = MINIMAL.replace("provenance = [\"R3\"]", "provenance = [\"R99\"]");
        let message = Catalogue::parse(&broken).unwrap_err().to_string();
        assert!(message.contains("cdof.drug_use cites \"R99\""), "{message}");
    }

    #[test]
    fn a_rate_needs_a_multiplier() {
        let broken = MINIMAL.replace("unit = \"value\"", "unit = \"rate\"");
        let message = Catalogue::parse(&broken).unwrap_err().to_string();
        assert!(message.contains("without a multiplier"), "{message}");
    }
}
