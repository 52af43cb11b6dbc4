//! Edge cases of each measure's definition, through CSV files and the real reader.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Files, code, known, plus};
use h2h_domain::Period;
use h2h_records::{AreaRef, Scorecard, read_extract, scorecard};

const A: &str = "E06000047";
const B: &str = "E08000021";
const CUSTOM: &str = "TEES_VALLEY_DIP";

fn card(files: &Files, skip: &[&str], members: &[&str], period: &str) -> Scorecard {
    let dir = tempfile::tempdir().unwrap();
    files.write(dir.path(), skip);
    let read = read_extract(dir.path(), &known(&[A, B, CUSTOM])).unwrap();
    assert!(read.rejections.is_empty(), "{:#?}", read.rejections);
    let members: Vec<_> = members.iter().map(|c| code(c)).collect();
    let area = AreaRef {
        code: "X".into(),
        name: "X".into(),
    };
    scorecard(
        &read.extract,
        &area,
        &members,
        &Period::parse(period).unwrap(),
    )
}

fn value(card: &Scorecard, id: &str) -> Option<u64> {
    card.measure(id).unwrap().value
}

#[test]
fn periods_include_both_ends() {
    let mut f = Files::default();
    // Quarter 2024/25-Q1 is 2024-04-01..2024-06-30.
    for (i, d) in [
        "2024-03-31",
        "2024-04-01",
        "2024-05-15",
        "2024-06-30",
        "2024-07-01",
    ]
    .iter()
    .enumerate()
    {
        f.referrals.row(&[&format!("R{i}"), "C", d, "self", A]);
        f.brief_interventions
            .row(&[&format!("B{i}"), d, A, "outreach", "housing"]);
        f.assessments.row(&[&format!("A{i}"), "C", d, "full", A]);
        f.drug_tests
            .row(&[&format!("T{i}"), "", d, "voluntary", "refused", A]);
        f.outcome_events
            .row(&[&format!("O{i}"), "C", "", d, A, "abstinent", "1"]);
        f.reoffending_checks.row(&["C", d, "2020-01-01", "0", "0"]);
        f.episodes
            .row(&[&format!("E{i}"), "C", "", A, d, d, "n", "n", "", ""]);
    }
    let c = card(&f, &[], &[A], "2024/25-Q1");
    for id in [
        "referrals",
        "brief_interventions",
        "signposted",
        "assessments",
        "tests_voluntary",
        "positive_outcomes",
        "reoffending_checked",
        "care_plans",
        "engaged_in_treatment",
    ] {
        assert_eq!(value(&c, id), Some(3), "{id}");
    }
    // Open at the end: care plans on or before 2024-06-30.
    assert_eq!(value(&c, "caseload"), Some(4));
    assert_eq!(value(&c, "modalities"), Some(4));
    // Another area sees nothing, and percents over zero are null.
    let other = card(&f, &[], &[B], "2024/25-Q1");
    assert_eq!(value(&other, "referrals"), Some(0));
    let assessments = other.measure("assessments").unwrap();
    assert_eq!(
        (assessments.denominator, assessments.percent),
        (Some(0), None)
    );
    assert!(
        other
            .measure("referrals")
            .unwrap()
            .breakdown
            .iter()
            .all(|b| b.percent.is_none())
    );
}

#[test]
fn caseload_closure_on_the_last_day_and_missing_treatment_start() {
    let mut f = Files::default();
    let rows: [(&str, &str, &str, &str, &str); 7] = [
        // care plan, treatment start, prescribed, closure, reason
        (
            "2024-01-10",
            "2024-01-12",
            "y",
            "2024-06-30",
            "completed_drug_free",
        ), // closed on the last day
        ("2024-01-10", "", "y", "2024-07-01", "custody"), // closed the day after: open at the end
        ("2024-06-30", "2024-07-02", "n", "", ""), // care plan on the last day, treatment after
        ("2024-04-01", "", "n", "2024-04-01", "disengaged"), // closed the day it opened
        ("2024-03-01", "", "n", "2024-03-31", "other"), // closed the day before: not in the quarter
        ("2024-07-01", "2024-07-01", "y", "", ""), // after the quarter
        ("2024-05-01", "", "y", "", ""),           // never started treatment
    ];
    for (i, (cp, ts, rx, cl, reason)) in rows.iter().enumerate() {
        f.episodes.row(&[
            &format!("E{i}"),
            &format!("C{i}"),
            "",
            A,
            cp,
            ts,
            rx,
            if i == 1 { "y" } else { "n" },
            cl,
            reason,
        ]);
    }
    let c = card(&f, &[], &[A], "2024/25-Q1");
    assert_eq!(value(&c, "caseload"), Some(3)); // E1, E2, E6
    assert_eq!(value(&c, "caseload_iom"), Some(1));
    assert_eq!(value(&c, "modalities"), Some(5)); // E0, E1, E2, E3, E6
    let m = c.measure("modalities").unwrap();
    assert_eq!(
        (m.category("prescribed"), m.category("not_prescribed")),
        (Some(3), Some(2))
    );
    assert_eq!(value(&c, "care_plans"), Some(3)); // E2, E3, E6
    // E2's treatment starts after the end; E3 and E6 never started.
    assert_eq!(value(&c, "engaged_in_treatment"), Some(0));
    assert_eq!(value(&c, "prescribed"), Some(1));
    assert_eq!(value(&c, "closures"), Some(2)); // E0, E3
    assert_eq!(value(&c, "completions"), Some(1));
    assert_eq!(value(&c, "disengagements"), Some(1));
    let p = c.measure("prescribed_completions").unwrap();
    assert_eq!(
        (p.value, p.denominator, p.percent),
        (Some(1), Some(1), Some(100.0))
    );
    let completions = c.measure("completions").unwrap();
    assert_eq!(completions.category("completed_drug_free"), Some(1));
    assert_eq!(completions.percent, Some(50.0));
    assert_eq!(completions.breakdown[2].percent, Some(50.0));
}

#[test]
fn retention_bands_in_whole_weeks_rounded_down() {
    let mut f = Files::default();
    // Days from treatment start (or care plan) to closure, and the band.
    let cases: [(i64, &str); 6] = [
        (0, "0-11"),
        (83, "0-11"),
        (84, "12-23"),
        (167, "12-23"),
        (168, "24+"),
        (400, "24+"),
    ];
    for (i, (days, _)) in cases.iter().enumerate() {
        let closure = "2024-06-30";
        let from = plus(closure, -days);
        // Alternate: from the treatment start, or from the care plan where there is none.
        let (cp, ts) = if i % 2 == 0 {
            (plus(&from, -30), from.clone())
        } else {
            (from.clone(), String::new())
        };
        f.episodes.row(&[
            &format!("E{i}"),
            "C",
            "",
            A,
            &cp,
            &ts,
            "n",
            "n",
            closure,
            "transferred",
        ]);
    }
    let c = card(&f, &[], &[A], "2024/25-Q1");
    let closures = c.measure("closures").unwrap();
    let keys: Vec<_> = closures
        .breakdown
        .iter()
        .map(|b| (b.key.as_str(), b.value))
        .collect();
    assert_eq!(keys, [("0-11", 2), ("12-23", 2), ("24+", 2)]);
}

#[test]
fn treatment_tests_count_clients_once_and_breakdowns_keep_spec_order() {
    let mut f = Files::default();
    for (i, client) in ["C1", "C1", "C2", ""].iter().enumerate() {
        f.drug_tests.row(&[
            &format!("T{i}"),
            client,
            "2024-05-01",
            "in_treatment",
            "negative",
            A,
        ]);
    }
    f.episodes
        .row(&["E1", "C1", "", A, "2024-04-01", "", "n", "n", "", ""]);
    f.referrals.row(&["R1", "C1", "2024-05-01", "police", A]);
    f.referrals.row(&["R2", "C2", "2024-05-01", "police", A]);
    f.referrals.row(&["R3", "C3", "2024-05-01", "police", B]);
    for (r, rank, s) in [
        ("R1", "1", "Pregabalin"),
        ("R1", "2", "gabapentin"),
        ("R2", "1", "Gabapentin"),
        ("R2", "2", "Heroin"),
        ("R3", "1", "Zopiclone"),
    ] {
        f.substances.row(&[r, "C", rank, s]);
    }
    let c = card(&f, &[], &[A], "2024/25-Q1");
    let t = c.measure("treatment_tests").unwrap();
    assert_eq!(
        (t.value, t.denominator, t.percent),
        (Some(2), Some(1), Some(200.0))
    );
    let s = c.measure("substances").unwrap();
    assert_eq!((s.value, s.distinct), (Some(4), Some(3)));
    let tail: Vec<_> = s
        .breakdown
        .iter()
        .skip(19)
        .map(|b| (b.key.as_str(), b.value))
        .collect();
    // Unrecognised names follow the names records.md lists, largest first; Zopiclone is
    // another area's.
    assert_eq!(tail, [("gabapentin", 2), ("Pregabalin", 1)]);
    assert_eq!(s.breakdown[0].key, "heroin");
    assert_eq!(s.breakdown.len(), 21);
}

#[test]
fn an_area_of_several_members_and_a_custom_area() {
    let mut f = Files::default();
    for (i, area) in [A, B, B, CUSTOM].iter().enumerate() {
        f.episodes.row(&[
            &format!("E{i}"),
            "C",
            "",
            area,
            "2024-04-01",
            "",
            "n",
            "n",
            "",
            "",
        ]);
        f.outcome_events.row(&[
            &format!("O{i}"),
            "C",
            &format!("E{i}"),
            "2024-04-02",
            area,
            "employment",
            "true",
        ]);
    }
    let c = card(&f, &["referrals.csv"], &[B, A], "2024/25-Q1");
    let caseload = c.measure("caseload").unwrap();
    let items: Vec<_> = caseload
        .breakdown
        .iter()
        .map(|b| (b.key.as_str(), b.value))
        .collect();
    assert_eq!(items, [(B, 2), (A, 1)]);
    assert_eq!(c.measure("positive_outcomes").unwrap().category(A), Some(1));
    let mut named = c.clone();
    named.name_areas(|code| (code == A).then(|| "Hartlepool".to_owned()));
    let labels: Vec<_> = named
        .measure("caseload")
        .unwrap()
        .breakdown
        .iter()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels, [B, "Hartlepool"]);
    let custom = card(&f, &[], &[CUSTOM], "2024/25");
    assert_eq!(value(&custom, "caseload"), Some(1));
    assert_eq!(value(&custom, "referrals"), Some(0));
}

#[test]
fn json_shape() {
    let mut f = Files::default();
    f.referrals.row(&["R1", "C1", "2024-05-01", "police", A]);
    let c = card(&f, &["drug_tests.csv"], &[A], "2024/25-Q1");
    let json = serde_json::to_value(&c).unwrap();
    let first = &json["sections"][0]["measures"][0];
    assert_eq!(
        first,
        &serde_json::json!({"id": "referrals", "label": "Number of referrals", "value": 1,
            "denominator": null, "percent": null, "breakdown": [
                {"key": "police", "label": "Police", "value": 1, "percent": 100.0},
                {"key": "probation", "label": "Probation", "value": 0, "percent": 0.0},
                {"key": "prison", "label": "Prison", "value": 0, "percent": 0.0},
                {"key": "court", "label": "Court", "value": 0, "percent": 0.0},
                {"key": "self", "label": "Self", "value": 0, "percent": 0.0},
                {"key": "other", "label": "Other", "value": 0, "percent": 0.0}]})
    );
    let tests = &json["sections"][0]["measures"][1];
    assert_eq!(tests["status"], "no_data");
    assert!(tests["value"].is_null());
    assert_eq!(json["period"]["end"], "2024-06-30");
}
