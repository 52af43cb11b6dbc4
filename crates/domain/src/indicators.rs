//! Indicators: a metric's figures for an area and period, with confidence intervals, a
//! benchmark comparison, the recent trend and progress against targets: what a partnership
//! board reads for each metric.
//!
//! The [`IndicatorEngine`] holds every current value in memory, indexed by metric, area and
//! breakdown. An area without a figure of its own takes the sum of its lower-tier members'
//! numerators and denominators (never an average of percentages), when every member has one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::Date;

use crate::analysis::{
    EarlyWarning, TargetAssessment, TargetFigure, Trend, TrendPoint, TrendResult, assess_target,
    recent_trend, xmr,
};
use crate::area::{Area, AreaCode};
use crate::catalogue::Target;
use crate::geography::{ENGLAND, ENGLAND_AND_WALES, WALES};
use crate::metric::{Metric, MetricId, Unit};
use crate::period::Period;
use crate::statistics::{
    Comparison, Confidence, Estimate, Interval, Method, compare_with_benchmark, count_interval,
    proportion, rate,
};
use crate::values::{Breakdown, Observation, ValueStatus};

/// A metric's figures for one area, period and breakdown, with their intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The count or numerator.
    pub numerator: Option<f64>,
    /// The denominator.
    pub denominator: Option<f64>,
    /// The value in the metric's displayed unit.
    pub value: Option<f64>,
    /// 95% confidence limits.
    pub ci_95: Interval,
    /// 99.8% confidence limits.
    pub ci_99_8: Interval,
    /// How the limits were computed, or `None` when they are the publisher's own or absent.
    pub method: Option<Method>,
}

/// Computes the value and limits of a metric from numerator, denominator or a given value:
/// Wilson for proportions, exact Poisson below 10 events and Byar from 10 for counts and
/// rates, and the publisher's own figure and 95% limits for `value` metrics.
pub fn figures(
    metric: &Metric,
    numerator: Option<f64>,
    denominator: Option<f64>,
    given: Given,
) -> Figures {
    let multiplier = f64::from(metric.multiplier.unwrap_or(match metric.unit {
        Unit::Proportion => 100,
        Unit::Rate => 100_000,
        _ => 1,
    }));
    let estimate: Option<Estimate> = match (metric.unit, numerator, denominator) {
        (Unit::Proportion, Some(x), Some(n)) => proportion(x, n, multiplier).ok(),
        (Unit::Rate, Some(x), Some(n)) => rate(x, n, multiplier).ok(),
        (Unit::Count, Some(x), _) => {
            let limits = |c| count_interval(x, c).ok();
            match (
                limits(Confidence::Percent95),
                limits(Confidence::Percent99_8),
            ) {
                (Some(a), Some(b)) => Some(Estimate {
                    value: Some(x),
                    ci_95: a.interval,
                    ci_99_8: b.interval,
                    method: a.method,
                }),
                _ => None,
            }
        }
        _ => None,
    };
    match estimate {
        Some(e) => Figures {
            numerator,
            denominator,
            value: e.value,
            ci_95: e.ci_95,
            ci_99_8: e.ci_99_8,
            method: Some(e.method),
        },
        None => Figures {
            numerator,
            denominator,
            value: given.value,
            ci_95: Interval {
                lower: given.lower_95,
                upper: given.upper_95,
            },
            ci_99_8: Interval::MISSING,
            method: None,
        },
    }
}

/// A figure and limits as published, for `value` metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Given {
    /// The published value.
    pub value: Option<f64>,
    /// Its published lower 95% limit.
    pub lower_95: Option<f64>,
    /// Its published upper 95% limit.
    pub upper_95: Option<f64>,
}

/// Where an indicator's figures came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// The value's status (provisional, final, revised); the least final of the members'
    /// when summed.
    pub status: ValueStatus,
    /// The publisher or return it came in, for a figure of the area's own.
    pub source: Option<String>,
    /// How many member areas were summed, or `None` for the area's own figure.
    pub summed_members: Option<usize>,
    /// Whether every figure used has been published (else it is management information).
    pub published: bool,
}

/// An indicator: figures, comparison, trend and target status for one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// The metric.
    pub metric_id: MetricId,
    /// The area.
    pub area_code: AreaCode,
    /// The period.
    pub period: Period,
    /// The breakdown, or `None` for the total.
    pub breakdown: Option<Breakdown>,
    /// The metric's unit.
    pub unit: Unit,
    /// The figures.
    pub figures: Figures,
    /// The benchmark area and its value, when it has one.
    pub benchmark: Option<(AreaCode, f64)>,
    /// The area's value against the benchmark, by polarity, at 95%.
    pub comparison: Comparison,
    /// The recent trend over the last five periods of the same kind.
    pub trend: TrendResult,
    /// The nearest target's assessment, if the metric has a target for the area.
    pub target: Option<(Target, TargetAssessment)>,
    /// Where the figures came from.
    pub provenance: Provenance,
}

/// A metric's values for one area: by breakdown (`None` for the total), then by period.
type AreaSeries = HashMap<Option<Breakdown>, BTreeMap<Period, Held>>;

/// A held value of a key: the observation and whether it has been published.
#[derive(Debug, Clone)]
struct Held {
    observation: Observation,
    published: bool,
    /// The figures, computed once when the engine is built.
    figures: Figures,
}

/// Every current value, indexed for computing indicators for any area and period.
pub struct IndicatorEngine {
    metrics: Vec<Metric>,
    metric_index: HashMap<MetricId, usize>,
    /// Lower-tier members of each area that has any.
    members: HashMap<AreaCode, Vec<AreaCode>>,
    /// Values by metric, then area (keyed so that look-ups borrow rather than clone).
    series: HashMap<MetricId, HashMap<AreaCode, AreaSeries>>,
    /// Breakdowns held per area and metric (including members' for summed areas).
    breakdowns: HashMap<AreaCode, HashMap<MetricId, BTreeSet<Option<Breakdown>>>>,
    /// The areas each lower-tier authority is summed into.
    groups_of: HashMap<AreaCode, Vec<AreaCode>>,
    targets: Vec<Target>,
}

impl IndicatorEngine {
    /// Indexes the metrics, areas, current values (each with whether it is published) and
    /// targets.
    pub fn new(
        metrics: Vec<Metric>,
        areas: Vec<Area>,
        values: impl IntoIterator<Item = (Observation, bool)>,
        targets: Vec<Target>,
    ) -> Self {
        let metric_index = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        let areas: HashMap<AreaCode, Area> =
            areas.into_iter().map(|a| (a.code.clone(), a)).collect();
        let members = lower_tier_members(&areas);
        let mut series: HashMap<MetricId, HashMap<AreaCode, AreaSeries>> = HashMap::new();
        let mut breakdowns: HashMap<AreaCode, HashMap<MetricId, BTreeSet<Option<Breakdown>>>> =
            HashMap::new();
        let metric_of: HashMap<MetricId, &Metric> =
            metrics.iter().map(|m| (m.id.clone(), m)).collect();
        for (observation, published) in values {
            let key = &observation.key;
            // A value for a metric no longer in the catalogue has nothing to be computed by.
            let Some(metric) = metric_of.get(&key.metric_id) else {
                continue;
            };
            let given = Given {
                value: observation.value,
                lower_95: observation.lower_ci,
                upper_95: observation.upper_ci,
            };
            let computed = figures(
                metric,
                observation.numerator,
                observation.denominator,
                given,
            );
            breakdowns
                .entry(key.area_code.clone())
                .or_default()
                .entry(key.metric_id.clone())
                .or_default()
                .insert(key.breakdown.clone());
            let (metric, area, breakdown, period) = (
                key.metric_id.clone(),
                key.area_code.clone(),
                key.breakdown.clone(),
                key.period,
            );
            series
                .entry(metric)
                .or_default()
                .entry(area)
                .or_default()
                .entry(breakdown)
                .or_default()
                .insert(
                    period,
                    Held {
                        observation,
                        published,
                        figures: computed,
                    },
                );
        }
        let mut groups_of: HashMap<AreaCode, Vec<AreaCode>> = HashMap::new();
        for (group, lower) in &members {
            for member in lower {
                groups_of
                    .entry(member.clone())
                    .or_default()
                    .push(group.clone());
            }
        }
        // A summed area can show the breakdowns its members hold.
        let mut inherited: Vec<(AreaCode, MetricId, BTreeSet<Option<Breakdown>>)> = Vec::new();
        for (member, groups) in &groups_of {
            if let Some(held) = breakdowns.get(member) {
                for (metric, set) in held {
                    for group in groups {
                        inherited.push((group.clone(), metric.clone(), set.clone()));
                    }
                }
            }
        }
        for (group, metric, set) in inherited {
            breakdowns
                .entry(group)
                .or_default()
                .entry(metric)
                .or_default()
                .extend(set);
        }
        Self {
            metrics,
            metric_index,
            members,
            series,
            breakdowns,
            groups_of,
            targets,
        }
    }

    /// The metrics, in catalogue order.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// A metric by id.
    pub fn metric(&self, id: &MetricId) -> Option<&Metric> {
        self.metric_index.get(id).and_then(|&i| self.metrics.get(i))
    }

    /// The area an area is compared with by default: England for English areas, Wales for
    /// Welsh ones; England and the countries themselves have none.
    pub fn default_benchmark(&self, area: &AreaCode) -> Option<AreaCode> {
        let code = area.as_str();
        if matches!(code, ENGLAND | WALES | ENGLAND_AND_WALES) {
            return None;
        }
        let english = self
            .lower_tier_of(area)
            .first()
            .map_or(code.starts_with('E'), |m| m.as_str().starts_with('E'));
        AreaCode::parse(if english { ENGLAND } else { WALES }).ok()
    }

    fn lower_tier_of(&self, area: &AreaCode) -> Vec<AreaCode> {
        self.members
            .get(area)
            .cloned()
            .unwrap_or_else(|| vec![area.clone()])
    }

    /// The figures of a key: the area's own, or the sum of its lower-tier members'.
    pub fn resolve(
        &self,
        metric: &Metric,
        area: &AreaCode,
        period: &Period,
        breakdown: Option<&Breakdown>,
    ) -> Option<(Figures, Provenance)> {
        // The breakdown is cloned once for the look-ups below (none for totals).
        let breakdown = breakdown.cloned();
        let by_area = self.series.get(&metric.id)?;
        let held_for = |area: &AreaCode| by_area.get(area)?.get(&breakdown)?.get(period);
        let own = held_for(area);
        if let Some(held) = own {
            let o = &held.observation;
            return Some((
                held.figures.clone(),
                Provenance {
                    status: o.status,
                    source: o.source.clone(),
                    summed_members: None,
                    published: held.published,
                },
            ));
        }
        if metric.unit == Unit::Value {
            return None;
        }
        let members = self.members.get(area)?;
        let mut numerator = 0.0;
        let mut denominator = 0.0;
        let mut status = ValueStatus::Final;
        let mut published = true;
        for member in members {
            let held = held_for(member)?;
            let o = &held.observation;
            numerator += o.numerator?;
            if metric.unit != Unit::Count {
                denominator += o.denominator?;
            }
            if o.status == ValueStatus::Provisional {
                status = ValueStatus::Provisional;
            }
            published &= held.published;
        }
        let denominator = (metric.unit != Unit::Count).then_some(denominator);
        Some((
            figures(metric, Some(numerator), denominator, Given::default()),
            Provenance {
                status,
                source: None,
                summed_members: Some(members.len()),
                published,
            },
        ))
    }

    /// Every indicator for an area and period, in catalogue order (totals before breakdowns),
    /// compared with `benchmark` or the default one; targets are judged as on `today`.
    pub fn indicators(
        &self,
        area: &AreaCode,
        period: &Period,
        benchmark: Option<&AreaCode>,
        today: Date,
    ) -> Vec<Indicator> {
        let benchmark = benchmark.cloned().or_else(|| self.default_benchmark(area));
        let by_metric = self.breakdowns.get(area);
        let mut out = Vec::new();
        for metric in &self.metrics {
            let Some(breakdowns) = by_metric.and_then(|m| m.get(&metric.id)) else {
                continue;
            };
            for breakdown in breakdowns {
                if let Some(indicator) = self.indicator(
                    metric,
                    area,
                    period,
                    breakdown.as_ref(),
                    benchmark.as_ref(),
                    today,
                ) {
                    out.push(indicator);
                }
            }
        }
        out
    }

    /// One indicator, when the key has figures.
    pub fn indicator(
        &self,
        metric: &Metric,
        area: &AreaCode,
        period: &Period,
        breakdown: Option<&Breakdown>,
        benchmark: Option<&AreaCode>,
        today: Date,
    ) -> Option<Indicator> {
        let (figures, provenance) = self.resolve(metric, area, period, breakdown)?;
        let benchmark_value = benchmark.filter(|b| *b != area).and_then(|b| {
            Some((
                b.clone(),
                self.resolve(metric, b, period, breakdown)?.0.value?,
            ))
        });
        // Counts are not compared across areas of different sizes; rates and proportions are.
        let comparison = if metric.unit == Unit::Count {
            Comparison::NotCompared
        } else {
            compare_with_benchmark(
                figures.value,
                figures.ci_95,
                benchmark_value.as_ref().map(|b| b.1),
                metric.polarity,
            )
        };
        let history = self.history(metric, area, period, breakdown, 5);
        let points: Vec<TrendPoint> = history
            .iter()
            .filter_map(|(_, f)| trend_point(metric, f))
            .collect();
        let trend = recent_trend(&points, metric.unit);
        let target = self.target(metric, area, period, breakdown, today);
        Some(Indicator {
            metric_id: metric.id.clone(),
            area_code: area.clone(),
            period: *period,
            breakdown: breakdown.cloned(),
            unit: metric.unit,
            figures,
            benchmark: benchmark_value,
            comparison,
            trend,
            target,
            provenance,
        })
    }

    /// The figures for up to `count` consecutive periods of `period`'s kind ending with it,
    /// oldest first, stopping at the first gap.
    pub fn history(
        &self,
        metric: &Metric,
        area: &AreaCode,
        period: &Period,
        breakdown: Option<&Breakdown>,
        count: usize,
    ) -> Vec<(Period, Figures)> {
        let mut out = Vec::with_capacity(count);
        let mut current = *period;
        while out.len() < count {
            let Some((figures, _)) = self.resolve(metric, area, &current, breakdown) else {
                break;
            };
            out.push((current, figures));
            let previous = current.previous();
            if previous == current {
                break;
            }
            current = previous;
        }
        out.reverse();
        out
    }

    /// Every period with figures for a metric, area and breakdown (the area's own or its
    /// members'), in order.
    pub fn periods(
        &self,
        metric: &MetricId,
        area: &AreaCode,
        breakdown: Option<&Breakdown>,
    ) -> BTreeSet<Period> {
        let breakdown = breakdown.cloned();
        let Some(by_area) = self.series.get(metric) else {
            return BTreeSet::new();
        };
        let of = |area: &AreaCode| by_area.get(area).and_then(|b| b.get(&breakdown));
        let mut periods: BTreeSet<Period> = of(area)
            .map(|s| s.keys().copied().collect())
            .unwrap_or_default();
        if let Some(members) = self.members.get(area) {
            for member in members {
                if let Some(s) = of(member) {
                    periods.extend(s.keys().copied());
                }
            }
        }
        periods
    }

    /// Every (area, period) pair that has figures for some metric: what a full recomputation
    /// covers.
    pub fn keys(&self) -> Vec<(AreaCode, Period)> {
        let mut keys = BTreeSet::new();
        for by_area in self.series.values() {
            for (area, by_breakdown) in by_area {
                let groups = self.groups_of.get(area).map_or(&[][..], Vec::as_slice);
                for period in by_breakdown.values().flat_map(|s| s.keys()) {
                    if keys.insert((area.clone(), *period)) {
                        for group in groups {
                            keys.insert((group.clone(), *period));
                        }
                    }
                }
            }
        }
        keys.into_iter().collect()
    }

    fn target(
        &self,
        metric: &Metric,
        area: &AreaCode,
        period: &Period,
        breakdown: Option<&Breakdown>,
        today: Date,
    ) -> Option<(Target, TargetAssessment)> {
        if breakdown.is_some() {
            return None;
        }
        let mut candidates: Vec<&Target> = self
            .targets
            .iter()
            .filter(|t| t.metric_id == metric.id && &t.area_code == area)
            .collect();
        // The nearest target at or after the period, else the latest before it.
        candidates.sort_by_key(|t| {
            (
                t.period < *period,
                if t.period < *period {
                    std::cmp::Reverse(t.period)
                } else {
                    std::cmp::Reverse(*period)
                },
                t.period,
            )
        });
        let target = candidates.first()?;
        let figures: Vec<TargetFigure> = self
            .periods(&metric.id, area, None)
            .into_iter()
            .filter(|p| p.kind() == target.period.kind() || p.kind() == period.kind())
            .filter_map(|p| {
                let (f, _) = self.resolve(metric, area, &p, None)?;
                Some(TargetFigure {
                    period: p,
                    value: f.value?,
                    lower_95: f.ci_95.lower,
                    upper_95: f.ci_95.upper,
                })
            })
            .collect();
        Some((
            (*target).clone(),
            assess_target(target, metric.polarity, &figures, today),
        ))
    }
}

fn trend_point(metric: &Metric, figures: &Figures) -> Option<TrendPoint> {
    let value = figures.value?;
    Some(
        match (metric.unit, figures.numerator, figures.denominator) {
            (Unit::Proportion, Some(x), Some(n)) => TrendPoint {
                value,
                lower_95: figures.ci_95.lower,
                upper_95: figures.ci_95.upper,
                numerator: Some(x),
                denominator: Some(n),
            },
            _ => TrendPoint {
                value,
                lower_95: figures.ci_95.lower,
                upper_95: figures.ci_95.upper,
                numerator: None,
                denominator: None,
            },
        },
    )
}

/// How many recent periods an early-warning chart covers.
pub const WARNING_PERIODS: usize = 36;

/// The fewest points an early-warning chart is drawn from.
pub const WARNING_MINIMUM_POINTS: usize = 12;

/// A special-cause signal in a metric's recent monthly or quarterly series for an area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaWarning {
    /// The metric.
    pub metric_id: MetricId,
    /// The period the signal is raised for (the latest).
    pub period: Period,
    /// The rule, direction, variation and message.
    pub warning: EarlyWarning,
    /// Whether the chart had enough points for reliable limits.
    pub limits_reliable: bool,
}

impl IndicatorEngine {
    /// The current early warnings of an area: for each metric whose latest figures are
    /// monthly or quarterly, an XmR chart over up to [`WARNING_PERIODS`] consecutive periods
    /// (at least [`WARNING_MINIMUM_POINTS`]) and the special-cause patterns that include the
    /// latest point, in catalogue order.
    pub fn early_warnings(&self, area: &AreaCode) -> Vec<AreaWarning> {
        let mut warnings = Vec::new();
        for metric in &self.metrics {
            let Some(latest) = self.periods(&metric.id, area, None).into_iter().next_back() else {
                continue;
            };
            if !matches!(
                latest.kind(),
                crate::period::PeriodKind::Month | crate::period::PeriodKind::Quarter
            ) {
                continue;
            }
            let values: Vec<f64> = self
                .history(metric, area, &latest, None, WARNING_PERIODS)
                .into_iter()
                .filter_map(|(_, f)| f.value)
                .collect();
            if values.len() < WARNING_MINIMUM_POINTS {
                continue;
            }
            let Ok(chart) = xmr(&values, metric.polarity) else {
                continue;
            };
            for warning in chart.current_warnings() {
                warnings.push(AreaWarning {
                    metric_id: metric.id.clone(),
                    period: latest,
                    warning: warning.clone(),
                    limits_reliable: chart.limits_reliable,
                });
            }
        }
        warnings
    }
}

/// The lower-tier authorities within each area, through any chain of parents.
fn lower_tier_members(areas: &HashMap<AreaCode, Area>) -> HashMap<AreaCode, Vec<AreaCode>> {
    let mut members: HashMap<AreaCode, Vec<AreaCode>> = HashMap::new();
    for area in areas.values().filter(|a| a.kind.is_lower_tier()) {
        let mut seen = BTreeSet::new();
        let mut frontier: Vec<&AreaCode> = area.parents.iter().collect();
        while let Some(code) = frontier.pop() {
            if !seen.insert(code.clone()) {
                continue;
            }
            if let Some(parent) = areas.get(code) {
                frontier.extend(parent.parents.iter());
            }
        }
        for ancestor in seen {
            members.entry(ancestor).or_default().push(area.code.clone());
        }
    }
    for list in members.values_mut() {
        list.sort();
    }
    members
}

/// Whether a trend can be read as improving for the metric (for display): `None` when
/// there is no judgement or no trend.
pub fn trend_is_improving(metric: &Metric, trend: Trend) -> Option<bool> {
    use crate::metric::Polarity;
    match (metric.polarity, trend) {
        (Polarity::HigherIsBetter, Trend::Increasing)
        | (Polarity::LowerIsBetter, Trend::Decreasing) => Some(true),
        (Polarity::HigherIsBetter, Trend::Decreasing)
        | (Polarity::LowerIsBetter, Trend::Increasing) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::AreaKind;
    use crate::catalogue::Catalogue;
    use crate::values::ValueKey;

    fn code(text: &str) -> AreaCode {
        AreaCode::parse(text).unwrap()
    }

    fn area(text: &str, kind: AreaKind, parents: &[&str]) -> Area {
        Area {
            code: code(text),
            name: text.to_owned(),
            kind,
            parents: parents.iter().map(|p| code(p)).collect(),
            population: None,
        }
    }

    fn observation(
        metric: &str,
        area: &str,
        period: &str,
        numerator: f64,
        denominator: Option<f64>,
    ) -> (Observation, bool) {
        (
            Observation {
                key: ValueKey {
                    metric_id: MetricId::parse(metric).unwrap(),
                    area_code: code(area),
                    period: Period::parse(period).unwrap(),
                    breakdown: None,
                },
                numerator: Some(numerator),
                denominator,
                value: None,
                lower_ci: None,
                upper_ci: None,
                status: ValueStatus::Final,
                source: None,
                note: None,
            },
            true,
        )
    }

    fn engine(values: Vec<(Observation, bool)>) -> IndicatorEngine {
        let catalogue = Catalogue::shipped().unwrap();
        let areas = vec![
            area(ENGLAND, AreaKind::Country, &[]),
            area("E12000001", AreaKind::Region, &[ENGLAND]),
            area("E06000047", AreaKind::Unitary, &["E12000001", "CDP"]),
            area("E06000005", AreaKind::Unitary, &["E12000001", "CDP"]),
            area("CDP", AreaKind::Cdp, &["E12000001"]),
        ];
        IndicatorEngine::new(catalogue.metrics, areas, values, Vec::new())
    }

    const COMPLETIONS: &str = "dip.completions";

    fn today() -> Date {
        Date::from_calendar_date(2026, time::Month::November, 23).unwrap()
    }

    #[test]
    fn a_grouping_sums_its_members_numerators_and_denominators() {
        let metric = "ons.drug_poisoning_deaths";
        let engine = engine(vec![
            observation(metric, "E06000047", "2020", 60.0, None),
            observation(metric, "E06000005", "2020", 15.0, None),
        ]);
        let m = engine
            .metric(&MetricId::parse(metric).unwrap())
            .unwrap()
            .clone();
        let (figures, provenance) = engine
            .resolve(&m, &code("CDP"), &Period::parse("2020").unwrap(), None)
            .unwrap();
        assert_eq!(figures.value, Some(75.0));
        assert_eq!(provenance.summed_members, Some(2));
        assert_eq!(figures.method, Some(Method::Byars));
        // With one member missing there is no sum.
        let partial = engine.resolve(&m, &code("CDP"), &Period::parse("2019").unwrap(), None);
        assert!(partial.is_none());
    }

    #[test]
    fn an_area_of_its_own_figure_takes_precedence_over_the_sum() {
        let metric = "ons.drug_poisoning_deaths";
        let engine = engine(vec![
            observation(metric, "E06000047", "2020", 60.0, None),
            observation(metric, "E06000005", "2020", 15.0, None),
            observation(metric, "E12000001", "2020", 389.0, None),
        ]);
        let m = engine
            .metric(&MetricId::parse(metric).unwrap())
            .unwrap()
            .clone();
        let (figures, provenance) = engine
            .resolve(
                &m,
                &code("E12000001"),
                &Period::parse("2020").unwrap(),
                None,
            )
            .unwrap();
        assert_eq!(
            (figures.value, provenance.summed_members),
            (Some(389.0), None)
        );
    }

    #[test]
    fn proportions_are_percentages_with_wilson_limits_and_a_comparison() {
        let mut values = Vec::new();
        for (area, x, n) in [
            ("E06000047", 120.0, 480.0),
            ("E06000005", 30.0, 100.0),
            (ENGLAND, 10_000.0, 20_000.0),
        ] {
            values.push(observation(COMPLETIONS, area, "2023/24", x, Some(n)));
        }
        let engine = engine(values);
        let indicators = engine.indicators(
            &code("E06000047"),
            &Period::parse("2023/24").unwrap(),
            None,
            today(),
        );
        let completions = indicators
            .iter()
            .find(|i| i.metric_id.as_str() == COMPLETIONS)
            .unwrap();
        assert_eq!(completions.figures.value, Some(25.0));
        let lower = completions.figures.ci_95.lower.unwrap();
        assert!((lower - 21.335).abs() < 0.001, "{lower}");
        assert_eq!(completions.benchmark.as_ref().map(|b| b.1), Some(50.0));
        assert_eq!(completions.comparison, Comparison::Worse);
        assert_eq!(completions.trend.trend, Trend::CannotBeCalculated);
        let cdp = engine.indicators(
            &code("CDP"),
            &Period::parse("2023/24").unwrap(),
            None,
            today(),
        );
        let summed = cdp
            .iter()
            .find(|i| i.metric_id.as_str() == COMPLETIONS)
            .unwrap();
        assert_eq!(summed.figures.numerator, Some(150.0));
        assert_eq!(summed.figures.denominator, Some(580.0));
    }

    #[test]
    fn a_run_above_the_mean_in_a_monthly_series_is_an_early_warning() {
        let month = |i: i32| {
            let start = Period::month(2023, 4).unwrap();
            (0..i).fold(start, |p, _| p.next())
        };
        let values = (0..14)
            .map(|i| {
                let numerator = if i < 7 {
                    20.0 + f64::from(i % 2)
                } else {
                    60.0 + f64::from(i % 2)
                };
                observation(
                    COMPLETIONS,
                    "E06000047",
                    &month(i).code(),
                    numerator,
                    Some(100.0),
                )
            })
            .collect();
        let engine = engine(values);
        let warnings = engine.early_warnings(&code("E06000047"));
        assert!(
            !warnings.is_empty(),
            "seven points above the mean raise a warning"
        );
        assert!(
            warnings
                .iter()
                .all(|w| w.metric_id.as_str() == COMPLETIONS && w.period == month(13))
        );
        assert!(
            warnings.iter().any(|w| w.warning.message.contains("above")),
            "{warnings:?}"
        );
        assert!(engine.early_warnings(&code("E06000005")).is_empty());
    }

    #[test]
    fn five_consecutive_periods_give_a_trend() {
        let values = (0..5)
            .map(|i| {
                observation(
                    COMPLETIONS,
                    "E06000047",
                    &format!("{}/{:02}", 2019 + i, (20 + i) % 100),
                    1000.0 + 200.0 * f64::from(i),
                    Some(4000.0),
                )
            })
            .collect();
        let engine = engine(values);
        let m = engine
            .metric(&MetricId::parse(COMPLETIONS).unwrap())
            .unwrap()
            .clone();
        let period = Period::parse("2023/24").unwrap();
        assert_eq!(
            engine
                .history(&m, &code("E06000047"), &period, None, 5)
                .len(),
            5
        );
        let indicator = engine
            .indicator(&m, &code("E06000047"), &period, None, None, today())
            .unwrap();
        assert_eq!(indicator.trend.trend, Trend::Increasing);
        assert_eq!(trend_is_improving(&m, indicator.trend.trend), Some(true));
    }
}
