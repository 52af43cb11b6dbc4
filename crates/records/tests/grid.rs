//! The national grid agrees exactly with the single-area scorecard.
#![allow(clippy::unwrap_used, clippy::panic)]

use h2h_domain::{AreaCode, Period};
use h2h_records::date::{NO_DATE, day_number};
use h2h_records::model::*;
use h2h_records::{AreaRef, scorecard, scorecard_grid};
use proptest::prelude::*;

fn periods() -> Vec<Period> {
    let mut p = Vec::new();
    for fy in 2022..2025 {
        for q in 1..=4 {
            p.push(Period::quarter(fy, q).unwrap());
        }
    }
    p.push(Period::half(2023, 1).unwrap());
    p.push(Period::half(2023, 2).unwrap());
    p.push(Period::financial_year(2023).unwrap());
    p.push(Period::financial_year(2022).unwrap());
    p.push(Period::month(2024, 2).unwrap());
    p.push(Period::rolling_twelve_months(2024, 6).unwrap());
    p.push(Period::rolling_twelve_months(2024, 9).unwrap());
    p
}

/// A random extract built straight into columns, with many dates on period boundaries.
fn random_extract(seed: u64, size: usize) -> Extract {
    let mut rng = fastrand::Rng::with_seed(seed);
    let ps = periods();
    let lo = day_number(time::macros::date!(2022 - 01 - 01));
    let hi = day_number(time::macros::date!(2025 - 12 - 31));
    let mut boundaries: Vec<i32> = Vec::new();
    for p in &ps {
        let (s, e) = (day_number(p.start()), day_number(p.end()));
        boundaries.extend([s - 1, s, s + 1, e - 1, e, e + 1]);
    }
    let date = |rng: &mut fastrand::Rng| {
        if rng.bool() {
            boundaries[rng.usize(..boundaries.len())]
        } else {
            rng.i32(lo..=hi)
        }
    };
    let n_areas = 4u16;
    let area = |rng: &mut fastrand::Rng| rng.u16(..n_areas);
    let client = |rng: &mut fastrand::Rng| rng.u32(..(size as u32 / 2 + 1));
    let present = |rng: &mut fastrand::Rng| rng.u8(..10) < 8;
    let mut x = Extract {
        areas: (1..=n_areas)
            .map(|i| AreaCode::parse(&format!("E0600000{i}")).unwrap())
            .collect(),
        clients: size as u32,
        unrecognised_substances: vec!["Pregabalin".into(), "Gabapentin".into()],
        ..Extract::default()
    };
    let n = |rng: &mut fastrand::Rng| rng.usize(0..=size);
    if present(&mut rng) {
        let mut t = Referrals::default();
        for _ in 0..n(&mut rng).max(1) {
            t.client.push(client(&mut rng));
            t.date.push(date(&mut rng));
            t.source.push(rng.u8(..6));
            t.area.push(area(&mut rng));
        }
        if present(&mut rng) {
            let mut s = Substances::default();
            for _ in 0..n(&mut rng) {
                s.referral.push(rng.u32(..t.date.len() as u32));
                s.client.push(client(&mut rng));
                s.rank.push(rng.u8(1..=3));
                s.substance.push(rng.u16(..x.substance_count() as u16));
            }
            x.substances = Some(s);
        }
        x.referrals = Some(t);
    }
    if present(&mut rng) {
        let mut t = DrugTests::default();
        for _ in 0..n(&mut rng) {
            t.client.push(if rng.u8(..10) < 3 {
                NO_CLIENT
            } else {
                rng.u32(..8)
            });
            t.date.push(date(&mut rng));
            t.basis.push(rng.u8(..4));
            t.result.push(rng.u8(..5));
            t.area.push(area(&mut rng));
        }
        x.drug_tests = Some(t);
    }
    if present(&mut rng) {
        let mut t = Assessments::default();
        for _ in 0..n(&mut rng) {
            t.client.push(client(&mut rng));
            t.date.push(date(&mut rng));
            t.kind.push(rng.u8(..2));
            t.area.push(area(&mut rng));
        }
        x.assessments = Some(t);
    }
    if present(&mut rng) {
        let mut t = Episodes::default();
        for _ in 0..n(&mut rng) {
            let cp = date(&mut rng);
            let ts = match rng.u8(..10) {
                0..3 => NO_DATE,
                3..5 => date(&mut rng).max(cp),
                _ => cp + rng.i32(0..200),
            };
            let closure = match rng.u8(..10) {
                0..4 => NO_DATE,
                4..6 => date(&mut rng).max(cp),
                _ => cp + rng.i32(0..400),
            };
            t.client.push(client(&mut rng));
            t.referral.push(NO_ROW);
            t.area.push(area(&mut rng));
            t.care_plan.push(cp);
            t.treatment_start.push(ts);
            t.prescribed.push(rng.bool());
            t.iom.push(rng.bool());
            t.closure.push(closure);
            t.reason
                .push(if closure == NO_DATE { 0 } else { rng.u8(1..=9) });
        }
        x.episodes = Some(t);
    }
    if present(&mut rng) {
        let mut t = BriefInterventions::default();
        for _ in 0..n(&mut rng) {
            t.date.push(date(&mut rng));
            t.area.push(area(&mut rng));
            t.setting.push(rng.u8(..2));
            t.signposted.push(rng.u8(..6));
        }
        x.brief_interventions = Some(t);
    }
    if present(&mut rng) {
        let mut t = OutcomeEvents::default();
        for _ in 0..n(&mut rng) {
            t.client.push(client(&mut rng));
            t.episode.push(NO_ROW);
            t.date.push(date(&mut rng));
            t.area.push(area(&mut rng));
            t.outcome.push(0);
            t.positive.push(rng.bool());
        }
        x.outcome_labels = vec!["abstinent".into()];
        x.outcome_events = Some(t);
    }
    if present(&mut rng) {
        let mut t = ReoffendingChecks::default();
        for _ in 0..n(&mut rng) {
            let closure = date(&mut rng);
            t.client.push(client(&mut rng));
            t.check_date.push(date(&mut rng));
            t.closure_date.push(closure);
            t.arrested_since.push(rng.bool());
            t.arrested_6_months.push(rng.bool());
            t.area.push(if rng.u8(..10) == 0 {
                NO_AREA
            } else {
                area(&mut rng)
            });
        }
        x.reoffending_checks = Some(t);
    }
    x
}

fn assert_agrees(x: &Extract, ps: &[Period]) {
    let grid = scorecard_grid(x, ps).unwrap();
    for (row, code) in grid.area_codes().iter().enumerate() {
        let area = AreaRef {
            code: code.to_string(),
            name: "n".into(),
        };
        for (p, period) in ps.iter().enumerate() {
            let g = grid.scorecard(row, p, &area).unwrap();
            let s = scorecard(x, &area, std::slice::from_ref(code), period);
            assert_eq!(g, s, "area {code} period {period}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_grid_agrees_with_the_scorecard(seed in any::<u64>(), size in 0usize..120) {
        let x = random_extract(seed, size);
        assert_agrees(&x, &periods());
    }
}

#[test]
fn periods_in_any_order_and_repeated() {
    let x = random_extract(7, 300);
    let mut ps = periods();
    ps.reverse();
    ps.push(ps[0]);
    assert_agrees(&x, &ps);
}

#[test]
fn long_rows_follow_the_scorecard() {
    let x = random_extract(11, 200);
    let ps = periods();
    let grid = scorecard_grid(&x, &ps).unwrap();
    let rows = grid.long_rows();
    assert!(!rows.is_empty());
    let mut csv = Vec::new();
    grid.write_long_csv(&mut csv).unwrap();
    assert_eq!(csv.iter().filter(|&&b| b == b'\n').count(), rows.len() + 1);
    let first = &rows[0];
    assert_eq!((first.measure, first.key.as_str()), ("referrals", ""));
}
