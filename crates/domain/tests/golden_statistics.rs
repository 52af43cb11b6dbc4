//! Golden tests: every row of every reference CSV in `fixtures/reference` (expected values read
//! from PHEindicatormethods v2.1.0's own test workbooks; see that folder's `README.md`) is
//! recomputed by `h2h_domain::statistics` and compared with the README's tolerances: relative
//! 1e-9, 1e-8 for exact-Poisson limits, 1e-7 for t-based means and 1e-5 for funnel limits (the
//! CSV is rounded to 6 decimal places). An empty cell is a missing (NA) expected value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use h2h_domain::Polarity;
use h2h_domain::statistics::{
    Comparison, Confidence, DsrBand, ESP1976, ESP2013, Estimate, FunnelSignificance, Interval,
    IsrBand, Method, Rag5, byars_interval, compare_two_level, compare_with_benchmark,
    count_interval, directly_standardised_rate, expected_count, funnel_baseline,
    indirectly_standardised_rate, indirectly_standardised_ratio, mean, observed_count, proportion,
    proportion_funnel_limits, proportion_funnel_significance, quantile_groups, rate,
    reference_rate,
};

const RELATIVE: f64 = 1e-9;
const EXACT_POISSON: f64 = 1e-8;
const STUDENTS_T: f64 = 1e-7;
const FUNNEL: f64 = 1e-5;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference")
}

/// One CSV row as column name → cell text.
type Row = BTreeMap<String, String>;

fn read(file: &str) -> Vec<Row> {
    let path = reference_dir().join(file);
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn text<'a>(row: &'a Row, column: &str) -> &'a str {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column} in {row:?}"))
}

/// A cell as a number; `None` when empty.
fn cell(row: &Row, column: &str) -> Option<f64> {
    let text = text(row, column).trim();
    (!text.is_empty()).then(|| {
        text.parse()
            .unwrap_or_else(|e| panic!("{column} = {text:?}: {e}"))
    })
}

fn number(row: &Row, column: &str) -> f64 {
    cell(row, column).unwrap_or_else(|| panic!("{column} is empty in {row:?}"))
}

/// Asserts `actual` matches the expected cell: both missing, or within `tolerance` relatively.
fn check(what: &str, row: &Row, column: &str, actual: Option<f64>, tolerance: f64) {
    let expected = cell(row, column);
    match (expected, actual) {
        (None, None) => {}
        (Some(e), Some(a)) => {
            let scale = e.abs().max(a.abs());
            assert!(
                (a - e).abs() <= tolerance * scale,
                "{what}: {column} expected {e}, got {a} (relative error {:e}, tolerance {tolerance:e})",
                (a - e).abs() / scale
            );
        }
        (e, a) => panic!("{what}: {column} expected {e:?}, got {a:?}"),
    }
}

fn check_limits(what: &str, row: &Row, estimate: &Estimate, tolerance: f64) {
    check(what, row, "lower95_0cl", estimate.ci_95.lower, tolerance);
    check(what, row, "upper95_0cl", estimate.ci_95.upper, tolerance);
    check(what, row, "lower99_8cl", estimate.ci_99_8.lower, tolerance);
    check(what, row, "upper99_8cl", estimate.ci_99_8.upper, tolerance);
}

fn describe(row: &Row) -> String {
    let source = row.get("source").map_or("", String::as_str);
    let area = row
        .get("area")
        .or_else(|| row.get("area_code"))
        .map_or("", String::as_str);
    format!("{source} {area}")
}

#[test]
fn proportions_match_wilson() {
    let rows = read("proportion_wilson.csv");
    assert_eq!(rows.len(), 30);
    for row in &rows {
        let what = describe(row);
        assert_eq!(text(row, "method"), "Wilson");
        let estimate = proportion(
            number(row, "numerator"),
            number(row, "denominator"),
            number(row, "multiplier"),
        )
        .unwrap();
        assert_eq!(estimate.method, Method::Wilson);
        check(&what, row, "value", estimate.value, RELATIVE);
        check_limits(&what, row, &estimate, RELATIVE);
    }
}

#[test]
fn rates_match_exact_and_byars() {
    let rows = read("rate_byars_exact.csv");
    assert_eq!(rows.len(), 26);
    for row in &rows {
        let what = describe(row);
        let estimate = rate(
            number(row, "numerator"),
            number(row, "denominator"),
            number(row, "multiplier"),
        )
        .unwrap();
        assert_eq!(estimate.method.label(), text(row, "method"), "{what}");
        let tolerance = match estimate.method {
            Method::Exact => EXACT_POISSON,
            _ => RELATIVE,
        };
        check(&what, row, "value", estimate.value, RELATIVE);
        check_limits(&what, row, &estimate, tolerance);
    }
}

#[test]
fn counts_match_byars() {
    let rows = read("count_byars.csv");
    assert_eq!(rows.len(), 7);
    for row in &rows {
        let what = describe(row);
        let observed = number(row, "observed");
        let confidence = Confidence::new(
            text(row, "confidence")
                .trim_end_matches('%')
                .parse()
                .unwrap(),
        )
        .unwrap();
        let interval = byars_interval(observed, confidence).unwrap();
        check(&what, row, "byars_lower", interval.lower, RELATIVE);
        check(&what, row, "byars_upper", interval.upper, RELATIVE);
        // From 10 events the switched count interval is Byar's too.
        if observed >= 10.0 {
            let switched = count_interval(observed, confidence).unwrap();
            assert_eq!(switched.method, Method::Byars);
            assert_eq!(switched.interval, interval, "{what}");
        }
    }
}

/// The age-band inputs of `dsr_inputs.csv`, by area, in file order.
fn dsr_inputs() -> BTreeMap<String, Vec<Row>> {
    let rows = read("dsr_inputs.csv");
    assert_eq!(rows.len(), 75);
    let mut areas: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in rows {
        areas
            .entry(text(&row, "area").to_owned())
            .or_default()
            .push(row);
    }
    areas
}

#[test]
fn dsr_inputs_use_the_shipped_standard_populations() {
    let areas = dsr_inputs();
    assert_eq!(areas.len(), 4);
    for (area, rows) in &areas {
        let standard = if area == "testdata_1976" {
            ESP1976
        } else {
            ESP2013
        };
        let weights: Vec<f64> = rows.iter().map(|r| number(r, "stdpop")).collect();
        assert_eq!(weights, standard.weights, "{area}");
    }
}

#[test]
fn directly_standardised_rates_match_dobson() {
    let areas = dsr_inputs();
    let rows = read("dsr_dobson.csv");
    assert_eq!(rows.len(), 8);
    for row in &rows {
        let what = describe(row);
        let inputs = &areas[text(row, "area")];
        let standard = match text(row, "stdpop") {
            "esp2013" => ESP2013,
            "esp1976" => ESP1976,
            other => panic!("unknown standard population {other}"),
        };
        let counts: Vec<Option<f64>> = inputs.iter().map(|r| cell(r, "count")).collect();
        let populations: Vec<f64> = inputs.iter().map(|r| number(r, "pop")).collect();
        let multiplier = number(row, "multiplier");
        let result = standard
            .standardise(&counts, &populations, multiplier)
            .unwrap();
        // The same through the band-by-band entry point, with the file's own weights.
        let bands: Vec<DsrBand> = inputs
            .iter()
            .map(|r| DsrBand {
                count: cell(r, "count"),
                population: number(r, "pop"),
                standard_population: number(r, "stdpop"),
            })
            .collect();
        assert_eq!(
            directly_standardised_rate(&bands, multiplier).unwrap(),
            result
        );
        assert_eq!(result.estimate.method.label(), text(row, "method"));
        check(
            &what,
            row,
            "total_count",
            Some(result.total_count),
            RELATIVE,
        );
        check(
            &what,
            row,
            "total_pop",
            Some(result.total_population),
            RELATIVE,
        );
        check(&what, row, "value", result.estimate.value, RELATIVE);
        check_limits(&what, row, &result.estimate, RELATIVE);
    }
}

#[test]
fn indirectly_standardised_ratios_and_rates_match() {
    let areas = dsr_inputs();
    let reference = read("isr_refdata.csv");
    assert_eq!(reference.len(), 19);
    let rows = read("isr_ratio_rate.csv");
    assert_eq!(rows.len(), 12);
    for row in &rows {
        let what = describe(row);
        let inputs = &areas[text(row, "area")];
        assert_eq!(inputs.len(), reference.len());
        let bands: Vec<IsrBand> = inputs
            .iter()
            .zip(&reference)
            .map(|(input, reference)| {
                assert_eq!(text(input, "ageband"), text(reference, "ageband"));
                IsrBand {
                    count: cell(input, "count"),
                    population: number(input, "pop"),
                    reference_count: number(reference, "refcount"),
                    reference_population: number(reference, "refpop"),
                }
            })
            .collect();
        let observed = observed_count(&bands).unwrap();
        let expected = expected_count(&bands).unwrap();
        let statistic = text(row, "statistic");
        let result = if let Some(per) = statistic.strip_prefix("indirectly standardised rate per ")
        {
            let multiplier: f64 = per.parse().unwrap();
            let reference_rate = reference_rate(&bands, multiplier).unwrap();
            indirectly_standardised_rate(observed, expected, reference_rate).unwrap()
        } else if let Some(times) = statistic.strip_prefix("indirectly standardised ratio x ") {
            indirectly_standardised_ratio(observed, expected, times.parse().unwrap()).unwrap()
        } else {
            panic!("unknown statistic {statistic}");
        };
        assert_eq!(
            result.estimate.method.label(),
            text(row, "method"),
            "{what}"
        );
        let tolerance = match result.estimate.method {
            Method::Exact => EXACT_POISSON,
            _ => RELATIVE,
        };
        check(&what, row, "observed", Some(result.observed), RELATIVE);
        check(&what, row, "expected", Some(result.expected), RELATIVE);
        check(&what, row, "ref_rate", result.reference_rate, RELATIVE);
        check(&what, row, "value", result.estimate.value, RELATIVE);
        check_limits(&what, row, &result.estimate, tolerance);
    }
}

#[test]
fn means_match_students_t() {
    let inputs = read("mean_inputs.csv");
    assert_eq!(inputs.len(), 26);
    let rows = read("mean_students_t.csv");
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let what = describe(row);
        let area = text(row, "area");
        let values: Vec<f64> = inputs
            .iter()
            .filter(|input| area == "No grouping" || text(input, "area") == area)
            .map(|input| number(input, "value"))
            .collect();
        let result = mean(&values).unwrap();
        check(
            &what,
            row,
            "value_count",
            Some(result.count as f64),
            RELATIVE,
        );
        check(&what, row, "value_sum", Some(result.sum), RELATIVE);
        check(&what, row, "stdev", result.standard_deviation, RELATIVE);
        check(&what, row, "value", result.estimate.value, RELATIVE);
        check_limits(&what, row, &result.estimate, STUDENTS_T);
    }
}

/// The 303 funnel inputs as (numerator, denominator, expected label).
fn funnel_inputs() -> Vec<(f64, f64, String)> {
    let rows = read("funnel_proportion_significance.csv");
    assert_eq!(rows.len(), 303);
    rows.iter()
        .map(|row| {
            (
                number(row, "numerator"),
                number(row, "denominator"),
                text(row, "expected_significance").to_owned(),
            )
        })
        .collect()
}

fn funnel_baseline_of_inputs() -> f64 {
    let pairs: Vec<(f64, f64)> = funnel_inputs().iter().map(|(x, n, _)| (*x, *n)).collect();
    funnel_baseline(&pairs).unwrap()
}

#[test]
fn funnel_limits_match() {
    let baseline = funnel_baseline_of_inputs();
    let rows = read("funnel_proportion_limits.csv");
    assert_eq!(rows.len(), 100);
    for row in &rows {
        let population = number(row, "population");
        let what = format!("population {population}");
        let limits = proportion_funnel_limits(baseline, population, 100.0).unwrap();
        check(
            &what,
            row,
            "lower_2s_limit_pct",
            Some(limits.lower_2s),
            FUNNEL,
        );
        check(
            &what,
            row,
            "upper_2s_limit_pct",
            Some(limits.upper_2s),
            FUNNEL,
        );
        check(
            &what,
            row,
            "lower_3s_limit_pct",
            Some(limits.lower_3s),
            FUNNEL,
        );
        check(
            &what,
            row,
            "upper_3s_limit_pct",
            Some(limits.upper_3s),
            FUNNEL,
        );
        check(&what, row, "baseline_pct", Some(limits.baseline), FUNNEL);
    }
}

#[test]
fn funnel_significance_matches() {
    let baseline = funnel_baseline_of_inputs();
    let inputs = funnel_inputs();
    for (numerator, denominator, expected) in &inputs {
        let significance: FunnelSignificance =
            proportion_funnel_significance(*numerator, *denominator, baseline).unwrap();
        assert_eq!(
            significance.label(),
            expected,
            "{numerator}/{denominator} against {baseline}"
        );
    }
}

#[test]
fn deciles_match_phe_quantile() {
    let rows = read("quantile_deciles.csv");
    assert_eq!(rows.len(), 45);
    let mut groups: BTreeMap<(String, String), Vec<&Row>> = BTreeMap::new();
    for row in &rows {
        let key = (
            text(row, "indsexref").to_owned(),
            text(row, "parent_code").to_owned(),
        );
        groups.entry(key).or_default().push(row);
    }
    let mut checked = 0;
    for group in groups.values() {
        let invert = match text(group[0], "invert") {
            "TRUE" => true,
            "FALSE" => false,
            other => panic!("invert = {other}"),
        };
        let polarity = match text(group[0], "polarity") {
            "RAG - Low is good" => Polarity::LowerIsBetter,
            "RAG - High is good" => Polarity::HigherIsBetter,
            other => panic!("polarity = {other}"),
        };
        assert_eq!(
            h2h_domain::statistics::invert_for_polarity(polarity),
            invert
        );
        let values: Vec<Option<f64>> = group.iter().map(|r| cell(r, "value")).collect();
        let deciles = quantile_groups(&values, 10, invert).unwrap();
        for (row, decile) in group.iter().zip(deciles) {
            check(
                &describe(row),
                row,
                "expected_decile_in_group",
                decile.map(f64::from),
                0.0,
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 45);
}

fn polarity(label: &str) -> Polarity {
    match label {
        "HighIsGood" => Polarity::HigherIsBetter,
        "LowIsGood" => Polarity::LowerIsBetter,
        "NoJudgement" => Polarity::NoJudgement,
        other => panic!("polarity {other}"),
    }
}

fn comparison(label: &str) -> Comparison {
    match label {
        "Better" => Comparison::Better,
        "Same" | "Similar" => Comparison::Similar,
        "Worse" => Comparison::Worse,
        "Higher" => Comparison::Higher,
        "Lower" => Comparison::Lower,
        other => panic!("comparison {other}"),
    }
}

#[test]
fn benchmark_comparisons_match_the_derived_outcomes() {
    let rows = read("benchmark_significance_derived.csv");
    assert_eq!(rows.len(), 48);
    for row in &rows {
        let what = format!(
            "{} vs {} ({})",
            describe(row),
            text(row, "benchmark_value"),
            text(row, "polarity")
        );
        let estimate =
            proportion(number(row, "numerator"), number(row, "denominator"), 1.0).unwrap();
        check(&what, row, "value", estimate.value, RELATIVE);
        check_limits(&what, row, &estimate, RELATIVE);
        let polarity = polarity(text(row, "polarity"));
        let benchmark = Some(number(row, "benchmark_value"));
        let at = |interval: Interval| {
            compare_with_benchmark(estimate.value, interval, benchmark, polarity)
        };
        assert_eq!(
            at(estimate.ci_95),
            comparison(text(row, "outcome_95")),
            "{what} at 95%"
        );
        assert_eq!(
            at(estimate.ci_99_8),
            comparison(text(row, "outcome_99_8")),
            "{what} at 99.8%"
        );
        let rag: Rag5 = compare_two_level(
            estimate.value,
            estimate.ci_95,
            estimate.ci_99_8,
            benchmark,
            polarity,
        );
        assert_eq!(rag.label(), text(row, "outcome_rag5"), "{what} RAG5");
    }
}

/// When the shared reference folder sits beside the repository, the fixtures are byte-for-byte
/// copies of it.
#[test]
fn fixtures_are_identical_to_the_shared_reference() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    if !shared.is_dir() {
        return;
    }
    let mut names: Vec<String> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut ours: Vec<String> = std::fs::read_dir(reference_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    ours.sort();
    assert_eq!(
        ours, names,
        "the fixture files differ from shared/reference"
    );
    for name in &names {
        let theirs = std::fs::read(shared.join(name)).unwrap();
        let mine = std::fs::read(reference_dir().join(name)).unwrap();
        assert!(
            theirs == mine,
            "fixtures/reference/{name} differs from shared/reference/{name}"
        );
    }
}
