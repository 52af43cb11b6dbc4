//! Indicators for the API, the pages and the command line: the engine loaded from the store,
//! and rows in the JSON contract of `cli.md`, with disclosure control for outputs marked for
//! publication.

use h2h_domain::analysis::{Cell, DEFAULT_THRESHOLD, suppress};
use h2h_domain::indicators::{Indicator, IndicatorEngine};
use h2h_domain::{Area, AreaCode, Metric, Period, Target, Unit};
use h2h_store::{Store, StoreError, StoredObservation};

use crate::contract::{BenchmarkJson, IndicatorJson, IndicatorTargetJson, WarningJson};

/// The protective marking of unpublished management information.
pub const MARKING: &str = "OFFICIAL-SENSITIVE";

/// Loads every current value, with the metrics, areas and targets, into an engine.
pub async fn load_engine(store: &dyn Store) -> Result<IndicatorEngine, StoreError> {
    let values = store.current_observations(None).await?;
    Ok(engine_from(
        store.metrics().await?,
        store.areas(None).await?,
        values,
        store.targets().await?,
    ))
}

/// An engine over stored values.
pub fn engine_from(
    metrics: Vec<Metric>,
    areas: Vec<Area>,
    values: Vec<StoredObservation>,
    targets: Vec<Target>,
) -> IndicatorEngine {
    let values = values.into_iter().map(|s| (s.observation, s.published));
    IndicatorEngine::new(metrics, areas, values, targets)
}

/// The indicators of an area and period as contract rows. With `published`, disclosure
/// control is applied: counts and numerators from 1 to 4 are suppressed, and a second cell of
/// each breakdown (with its total) so that none can be worked out by subtraction.
pub fn indicator_rows(
    engine: &IndicatorEngine,
    area: &AreaCode,
    period: &Period,
    benchmark: Option<&AreaCode>,
    published: bool,
    today: time::Date,
) -> Vec<IndicatorJson> {
    let indicators = engine.indicators(area, period, benchmark, today);
    let suppressed = if published {
        suppression(&indicators)
    } else {
        vec![false; indicators.len()]
    };
    indicators
        .iter()
        .zip(suppressed)
        .map(|(indicator, suppressed)| row(engine, indicator, suppressed, published))
        .collect()
}

/// Which rows are withheld: primary cells (1 to 4) and the secondary cells chosen so each
/// breakdown's categories and total cannot reveal them. Rows without a count are never cells.
pub(crate) fn suppression(indicators: &[Indicator]) -> Vec<bool> {
    let cells: Vec<Cell> = indicators
        .iter()
        .map(|i| match (i.unit, i.figures.numerator) {
            (Unit::Count | Unit::Proportion | Unit::Rate, Some(n)) if n.is_finite() && n >= 0.0 => {
                Cell::new(n.round() as u64)
            }
            // Not a count: never small, never chosen as a complement.
            _ => Cell::new(u64::MAX),
        })
        .collect();
    // One group per metric and breakdown dimension: its categories with the metric's total.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, indicator) in indicators.iter().enumerate() {
        let Some(breakdown) = &indicator.breakdown else {
            continue;
        };
        let total = indicators
            .iter()
            .position(|t| t.metric_id == indicator.metric_id && t.breakdown.is_none());
        let existing = groups.iter_mut().find(|g| {
            g.iter().any(|&j| {
                indicators.get(j).is_some_and(|other| {
                    other.metric_id == indicator.metric_id
                        && other
                            .breakdown
                            .as_ref()
                            .is_some_and(|b| b.name == breakdown.name)
                })
            })
        });
        match existing {
            Some(group) => group.push(i),
            None => groups.push(total.into_iter().chain([i]).collect()),
        }
    }
    suppress(&cells, &groups, DEFAULT_THRESHOLD)
        .into_iter()
        .map(|s| s.is_suppressed())
        .collect()
}

fn row(
    engine: &IndicatorEngine,
    indicator: &Indicator,
    suppressed: bool,
    published: bool,
) -> IndicatorJson {
    let f = &indicator.figures;
    let hide = |v: Option<f64>| if suppressed { None } else { v };
    let metric = engine.metric(&indicator.metric_id);
    IndicatorJson {
        metric_id: indicator.metric_id.to_string(),
        metric_name: metric.map(|m| m.name.clone()).unwrap_or_default(),
        area_code: indicator.area_code.to_string(),
        period: indicator.period.code(),
        breakdown: indicator.breakdown.as_ref().map(ToString::to_string),
        unit: indicator.unit.code().to_owned(),
        multiplier: metric.and_then(|m| m.multiplier),
        numerator: hide(f.numerator),
        denominator: if suppressed { None } else { f.denominator },
        value: hide(f.value),
        lower_95: hide(f.ci_95.lower),
        upper_95: hide(f.ci_95.upper),
        lower_99_8: hide(f.ci_99_8.lower),
        upper_99_8: hide(f.ci_99_8.upper),
        method: f.method.map(|m| m.code().to_owned()),
        benchmark: indicator
            .benchmark
            .as_ref()
            .map(|(code, value)| BenchmarkJson {
                area_code: code.to_string(),
                value: *value,
            }),
        comparison: if suppressed {
            None
        } else {
            Some(indicator.comparison.code().to_owned())
        },
        trend: indicator.trend.trend.code().to_owned(),
        target: indicator
            .target
            .as_ref()
            .map(|(target, assessment)| IndicatorTargetJson {
                period: target.period.code(),
                target: target.target,
                kind: target.kind.code().to_owned(),
                basis: target.basis.code().to_owned(),
                status: assessment.status.code().to_owned(),
                progress: assessment.progress,
                reason: assessment.reason.clone(),
            }),
        suppressed,
        marking: (!published && !indicator.provenance.published).then(|| MARKING.to_owned()),
        status: indicator.provenance.status.code().to_owned(),
        source: indicator.provenance.source.clone(),
        summed_members: indicator.provenance.summed_members,
    }
}

/// An area's early warnings as contract rows.
pub fn warning_rows(engine: &IndicatorEngine, area: &AreaCode) -> Vec<WarningJson> {
    engine
        .early_warnings(area)
        .into_iter()
        .map(|w| WarningJson {
            metric_name: engine
                .metric(&w.metric_id)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            metric_id: w.metric_id.to_string(),
            period: w.period.code(),
            rule: w.warning.rule.code().to_owned(),
            direction: w.warning.direction.code().to_owned(),
            variation: w.warning.variation.code().to_owned(),
            message: w.warning.message,
            limits_reliable: w.limits_reliable,
        })
        .collect()
}
