//! What the fuzz targets share: a small, fixed context to check fuzzed returns against.

use h2h_domain::{AreaCode, Metric, MetricId, OutcomeId, Polarity, Tier, Unit};
use h2h_ingest::{CsvTable, ImportContext, read_metrics, read_plan, read_targets, read_values};

fn metric(id: &str, unit: Unit, multiplier: Option<u32>) -> Option<Metric> {
    Some(Metric {
        id: MetricId::parse(id).ok()?,
        reference: None,
        name: id.to_owned(),
        outcome: None,
        tier: Tier::Local,
        unit,
        multiplier,
        polarity: Polarity::HigherIsBetter,
        definition: String::new(),
        numerator: None,
        denominator: None,
        source: String::new(),
        publisher: None,
        frequency: None,
        lowest_geography: None,
        breakdowns: Vec::new(),
        limitations: None,
        maps_to: Vec::new(),
        provenance: Vec::new(),
        unconfirmed: Vec::new(),
    })
}

/// One metric of each unit, three areas (one of them retired) and two outcomes.
pub fn context() -> ImportContext {
    let metrics: Vec<Metric> = [
        metric("cnt", Unit::Count, None),
        metric("pct", Unit::Proportion, Some(100)),
        metric("rate", Unit::Rate, Some(100_000)),
        metric("val", Unit::Value, None),
    ]
    .into_iter()
    .flatten()
    .collect();
    let areas = [
        ("E06000047", "E06000047"),
        ("E08000020", "E08000037"),
        ("CDP-A", "CDP-A"),
    ]
    .into_iter()
    .filter_map(|(code, current)| {
        Some((AreaCode::parse(code).ok()?, AreaCode::parse(current).ok()?))
    });
    ImportContext::new(&metrics, areas).with_outcomes(OutcomeId::parse("reduce_drug_use").ok())
}

/// Reads `bytes` as a file named `name` and runs every reader of returns, and the reader of
/// delivery plans, over it, checking that each row is either accepted or rejected.
pub fn read_all(name: &str, bytes: &[u8], context: &ImportContext) {
    let Ok(table) = CsvTable::read(name, bytes, None) else {
        return;
    };
    let rows = table.rows().count();
    if let Ok(file) = read_values(&table, context) {
        assert_eq!(file.accepted.len() + file.rejected.len(), rows);
        for rejected in &file.rejected {
            let _ = rejected.to_string();
        }
    }
    if let Ok(file) = read_metrics(&table, context) {
        assert_eq!(file.accepted.len() + file.rejected.len(), rows);
    }
    if let Ok(file) = read_targets(&table, context) {
        assert_eq!(file.accepted.len() + file.rejected.len(), rows);
    }
    if let Ok(file) = read_plan(&table, context, "fuzz") {
        // Rows that continue an action add to it rather than to the count of plans, so each
        // row is in an action's history, an action, or the rejected list.
        let actions: usize = file.accepted.iter().map(|(_, plan)| plan.actions.len()).sum();
        assert!(actions + file.rejected.len() <= rows);
        for (_, plan) in &file.accepted {
            for action in &plan.actions {
                assert!(action.updates.is_sorted_by_key(|u| u.date));
            }
        }
    }
}
