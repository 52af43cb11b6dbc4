//! Look-ups and formatting shared by the pages and the API.

use h2h_domain::{Area, AreaKindFilter};

use crate::error::WebError;
use crate::snapshot::Snapshot;

/// Areas of a kind (or tier group) whose name or code contains `query`, case-insensitively.
pub(crate) fn find_areas<'a>(
    snapshot: &'a Snapshot,
    kind: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<&'a Area>, WebError> {
    let filter = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        Some(kind) => {
            Some(AreaKindFilter::parse(kind).map_err(|e| WebError::BadRequest(e.to_string()))?)
        }
        None => None,
    };
    let areas = snapshot.areas(filter);
    let query = query
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    Ok(match query {
        Some(q) => areas
            .into_iter()
            .filter(|a| {
                a.name.to_lowercase().contains(&q) || a.code.as_str().to_lowercase().contains(&q)
            })
            .collect(),
        None => areas.collect(),
    })
}

/// A whole number with thousands separators: `1234567` is `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure as people read it: whole numbers with separators, others to their precision.
pub(crate) fn figure(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let whole = format!("{value:.0}");
        match whole.strip_prefix('-') {
            Some(rest) => format!("-{}", thousands(rest.parse().unwrap_or_default())),
            None => thousands(whole.parse().unwrap_or_default()),
        }
    } else {
        format!("{value}")
    }
}

/// A figure in a metric's displayed unit: `25.0%`, `12.3 per 100,000`, `1,234`.
pub(crate) fn figure_in_unit(metric: &h2h_domain::Metric, value: f64) -> String {
    use h2h_domain::Unit;
    let decimals = |v: f64| {
        if v.abs() >= 1000.0 || v.fract() == 0.0 && metric.unit == Unit::Count {
            figure(v.round())
        } else {
            format!("{v:.1}")
        }
    };
    match (metric.unit, metric.multiplier) {
        (Unit::Proportion, _) | (Unit::Value, Some(100)) => format!("{value:.1}%"),
        (Unit::Rate | Unit::Value, Some(m)) if m > 1 => {
            format!("{} per {}", decimals(value), thousands(u64::from(m)))
        }
        (Unit::Count, _) => figure(value.round()),
        _ => decimals(value),
    }
}

/// A 95% interval in a metric's displayed unit, `21.3% to 29.1%`, or nothing when incomplete.
pub(crate) fn interval_in_unit(
    metric: &h2h_domain::Metric,
    interval: &h2h_domain::statistics::Interval,
) -> String {
    match (interval.lower, interval.upper) {
        (Some(l), Some(u)) => format!(
            "{} to {}",
            figure_in_unit(metric, l),
            figure_in_unit(metric, u)
        ),
        _ => String::new(),
    }
}

/// An optional population for a table cell.
pub(crate) fn population(value: Option<u64>) -> String {
    value.map_or_else(|| String::from("Not available"), thousands)
}

/// The plural of an English noun phrase as area kinds are named: `county` → `counties`,
/// `unitary authority` → `unitary authorities`, `district` → `districts`.
pub(crate) fn plural(noun: &str) -> String {
    let consonant_y = noun.ends_with('y')
        && !noun
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| "aeiou".contains(c));
    match noun.strip_suffix('y') {
        Some(stem) if consonant_y => format!("{stem}ies"),
        _ => format!("{noun}s"),
    }
}

/// A comparison in words, its CSS modifier and a symbol that tells it apart without colour:
/// `Better than England`, `better`, `▲`.
pub(crate) fn comparison_words(
    comparison: h2h_domain::statistics::Comparison,
    benchmark_name: &str,
) -> (String, &'static str, &'static str) {
    use h2h_domain::statistics::Comparison;
    match comparison {
        Comparison::Better => (format!("Better than {benchmark_name}"), "better", "▲"),
        Comparison::Worse => (format!("Worse than {benchmark_name}"), "worse", "▼"),
        Comparison::Similar => (format!("Similar to {benchmark_name}"), "similar", "●"),
        Comparison::Higher => (format!("Higher than {benchmark_name}"), "higher", "▲"),
        Comparison::Lower => (format!("Lower than {benchmark_name}"), "lower", "▼"),
        Comparison::NotCompared => (String::from("Not compared"), "not-compared", "○"),
    }
}

/// A trend in words, saying whether it is getting better where the metric has a direction,
/// and an arrow.
pub(crate) fn trend_words(
    metric: &h2h_domain::Metric,
    trend: h2h_domain::analysis::Trend,
) -> (&'static str, &'static str) {
    use h2h_domain::analysis::Trend;
    let improving = h2h_domain::indicators::trend_is_improving(metric, trend);
    match (trend, improving) {
        (Trend::Increasing, Some(true)) => ("Increasing and getting better", "↑"),
        (Trend::Increasing, Some(false)) => ("Increasing and getting worse", "↑"),
        (Trend::Increasing, None) => ("Increasing", "↑"),
        (Trend::Decreasing, Some(true)) => ("Decreasing and getting better", "↓"),
        (Trend::Decreasing, Some(false)) => ("Decreasing and getting worse", "↓"),
        (Trend::Decreasing, None) => ("Decreasing", "↓"),
        (Trend::NoChange, _) => ("No significant change", "→"),
        (Trend::CannotBeCalculated, _) => ("Cannot be calculated", "–"),
    }
}

/// A target status in words.
pub(crate) fn target_status_label(status: h2h_domain::analysis::TargetStatus) -> &'static str {
    use h2h_domain::analysis::TargetStatus;
    match status {
        TargetStatus::Met => "Met",
        TargetStatus::OnTrack => "On track",
        TargetStatus::OffTrack => "Off track",
        TargetStatus::NotAssessed => "Not assessed",
    }
}

/// The time now, as RFC 3339 text, for what the store records.
pub(crate) fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

/// A time as RFC 3339 text in UTC to the second (`2026-12-01T09:30:00Z`): one fixed width,
/// so that stored times compare as text.
pub(crate) fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The time `minutes` ago, as [`timestamp`] writes it.
pub(crate) fn time_ago_minutes(minutes: i64) -> String {
    timestamp(time::OffsetDateTime::now_utc() - time::Duration::minutes(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(60_854_727), "60,854,727");
        assert_eq!(figure(54_500.0), "54,500");
        assert_eq!(figure(-1200.0), "-1,200");
        assert_eq!(figure(2.5), "2.5");
        assert_eq!(population(None), "Not available");
    }
}
