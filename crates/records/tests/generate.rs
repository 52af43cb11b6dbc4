//! The generator writes extracts the reader accepts whole, the same for the same seed.
#![allow(clippy::unwrap_used, clippy::panic)]

use h2h_domain::{AreaCode, Period};
use h2h_records::{
    AreaRef, FileKind, KnownAreas, generate, read_extract, scorecard, scorecard_grid,
};

fn areas() -> Vec<(AreaCode, u64)> {
    [
        ("W06000018", 180_000),
        ("W06000019", 70_000),
        ("W06000020", 92_000),
        ("W06000021", 93_000),
        ("W06000022", 150_000),
    ]
    .iter()
    .map(|(c, p)| (AreaCode::parse(c).unwrap(), *p))
    .collect()
}

#[test]
fn generated_extracts_read_cleanly_and_repeat() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let summary = generate(40_000, 42, &areas(), 2014, a.path()).unwrap();
    generate(40_000, 42, &areas(), 2014, b.path()).unwrap();
    let known = KnownAreas::new(areas().into_iter().map(|a| a.0)).unwrap();
    let read = read_extract(a.path(), &known).unwrap();
    assert!(
        read.rejections.is_empty(),
        "{:#?}",
        &read.rejections[..read.rejections.len().min(5)]
    );
    assert_eq!(
        read.fingerprint,
        read_extract(b.path(), &known).unwrap().fingerprint
    );
    for (file, rows) in &summary.rows {
        let report = read.files.iter().find(|f| f.file == *file).unwrap();
        assert_eq!(report.accepted, *rows, "{file:?}");
        assert!(*rows > 0, "{file:?}");
    }
    assert_eq!(summary.rows[0], (FileKind::Referrals, 40_000));
    let rows = summary.total_rows() as f64 / 40_000.0;
    assert!((4.0..=6.5).contains(&rows), "{rows} rows per referral");
    // A few unrecognised names are kept and warned about.
    let names = &read.extract.unrecognised_substances;
    assert!(names.iter().any(|n| n == "Pregabalin"), "{names:?}");
    let c = generate(40_000, 43, &areas(), 2014, b.path()).unwrap();
    assert_ne!(c, summary);

    // The grid agrees with the scorecard on it, and the proportions look like the report's.
    let x = &read.extract;
    let periods: Vec<_> = (2014..2024)
        .flat_map(|y| [Period::half(y, 1).unwrap(), Period::half(y, 2).unwrap()])
        .collect();
    let grid = scorecard_grid(x, &periods).unwrap();
    assert_eq!(grid.area_codes().len(), 5);
    for (row, code) in grid.area_codes().iter().enumerate() {
        let area = AreaRef {
            code: code.to_string(),
            name: code.to_string(),
        };
        for (p, period) in periods.iter().enumerate().step_by(3) {
            assert_eq!(
                grid.scorecard(row, p, &area).unwrap(),
                scorecard(x, &area, std::slice::from_ref(code), period)
            );
        }
    }
    let members: Vec<_> = areas().into_iter().map(|a| a.0).collect();
    let area = AreaRef {
        code: "W15000002".into(),
        name: "Gwent".into(),
    };
    let card = scorecard(x, &area, &members, &Period::financial_year(2018).unwrap());
    let pct = |id: &str| card.measure(id).unwrap().percent.unwrap();
    assert!(
        (90.0..=100.0).contains(&pct("care_plans")),
        "{}",
        pct("care_plans")
    );
    assert!(
        (25.0..=37.0).contains(&pct("disengagements")),
        "{}",
        pct("disengagements")
    );
    let referrals = card.measure("referrals").unwrap();
    let prison = referrals
        .breakdown
        .iter()
        .find(|b| b.key == "prison")
        .unwrap()
        .percent
        .unwrap();
    assert!((40.0..=52.0).contains(&prison), "{prison}");
    assert!(card.measure("caseload").unwrap().value.unwrap() > 0);
    assert!(card.measure("reoffending_checked").unwrap().value.unwrap() > 0);

    // And it survives the binary encoding.
    assert_eq!(&h2h_records::Extract::from_bytes(&x.to_bytes()).unwrap(), x);
}
