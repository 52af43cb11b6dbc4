//! The scorecard as a PDF that poppler draws and reads, and the pack's scorecard section in
//! its three forms: with a scorecard, and saying plainly why there is none.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{Data, Reader, Xlsx};
use h2h_charts::{BarRow, Category, ChartText, ComparisonBars, comparison_bars};
use h2h_reports::{
    BreakdownLine, BreakdownTable, FunnelLine, Pack, PackScorecard, ReportFormat,
    ScorecardDocument, ScorecardLine, ScorecardSection, render_pack, render_scorecard,
};

const MARKING: &str = "OFFICIAL-SENSITIVE: unpublished management information";

fn bars(id: &str, rows: &[(&str, u64)]) -> String {
    let rows: Vec<BarRow> = rows
        .iter()
        .map(|(label, value)| BarRow {
            label,
            value: Some(*value as f64),
            interval: None,
            category: Category::NotCompared,
            selected: false,
        })
        .collect();
    comparison_bars(&ComparisonBars {
        text: ChartText {
            id,
            title: "A breakdown",
            description: "Bars of the numbers in the table beside it.",
        },
        unit_label: "Number",
        rows: &rows,
        benchmark: None,
        decimals: Some(0),
        width: 420.0,
    })
}

fn line(id: &str, label: &str, value: Option<u64>, denominator: Option<u64>) -> ScorecardLine {
    ScorecardLine {
        id: id.to_owned(),
        label: label.to_owned(),
        value,
        denominator,
        percent: value
            .zip(denominator)
            .filter(|(_, d)| *d > 0)
            .map(|(v, d)| 100.0 * v as f64 / d as f64),
        percent_of: if denominator.is_some() {
            "of referrals".to_owned()
        } else {
            String::new()
        },
        trend: vec![Some(280), None, Some(1_250), Some(301)],
    }
}

/// A Gwent-like scorecard: the pathway, four sections, breakdowns with their charts.
fn document() -> ScorecardDocument {
    let sources = [
        ("police", "Police", 61),
        ("probation", "Probation", 90),
        ("prison", "Prison", 40),
        ("court", "Court", 55),
        ("self", "Self <referral> & more", 30),
        ("other", "Other", 30),
    ];
    let referrals = BreakdownTable {
        measure_id: "referrals".to_owned(),
        label: "Number of referrals".to_owned(),
        percent_heading: "Percent".to_owned(),
        rows: sources
            .iter()
            .map(|(key, label, value)| BreakdownLine {
                key: (*key).to_owned(),
                label: (*label).to_owned(),
                value: *value,
                percent: Some(100.0 * *value as f64 / 306.0),
            })
            .collect(),
        chart: bars(
            "breakdown-referrals",
            &sources.map(|(_, label, value)| (label, value)),
        ),
    };
    let section = |title: &str, measures: Vec<ScorecardLine>, breakdowns: Vec<BreakdownTable>| {
        ScorecardSection {
            title: title.to_owned(),
            measures,
            breakdowns,
        }
    };
    ScorecardDocument {
        title: "Scorecard: Gwent, 2013/14".to_owned(),
        area_name: "Gwent".to_owned(),
        area_code: "W15000002".to_owned(),
        period_label: "2013/14".to_owned(),
        period_code: "2013/14".to_owned(),
        marking: Some(MARKING.to_owned()),
        prepared_on: "2014-08-18".to_owned(),
        sources: vec![
            "Gwent DIP, version 2, imported 2014-06-01".to_owned(),
            "Gwent treatment, version 1, imported 2014-06-02".to_owned(),
        ],
        generated: true,
        trend_periods: ["2009/10", "2010/11", "2011/12", "2012/13"]
            .map(str::to_owned)
            .to_vec(),
        funnel: [
            ("Referred", Some(306), None, Some(100.0)),
            ("Assessed", Some(250), Some(81.7), Some(81.7)),
            ("Care plan agreed", Some(200), Some(80.0), Some(65.4)),
            ("Engaged in treatment", Some(150), Some(75.0), Some(49.0)),
            ("Completed", None, None, None),
        ]
        .map(|(label, value, of_previous, of_referrals)| FunnelLine {
            label: label.to_owned(),
            value,
            of_previous,
            of_referrals,
        })
        .to_vec(),
        funnel_chart: bars(
            "funnel",
            &[
                ("Referred", 306),
                ("Assessed", 250),
                ("Care plan agreed", 200),
                ("Engaged in treatment", 150),
                ("Completed", 0),
            ],
        ),
        sections: vec![
            section(
                "How much did we do?",
                vec![
                    line("referrals", "Number of referrals", Some(306), None),
                    line("assessments", "Full assessments", Some(250), Some(306)),
                ],
                vec![referrals],
            ),
            section(
                "Activities",
                vec![line("caseload", "Caseload", Some(12_345), None)],
                Vec::new(),
            ),
            section(
                "How well did we do?",
                vec![line("closures", "Closures", None, None)],
                Vec::new(),
            ),
            section(
                "Is anyone better off?",
                vec![line("completions", "Completions", Some(40), Some(120))],
                Vec::new(),
            ),
        ],
        terms: vec![
            (
                "Number of referrals".to_owned(),
                "Referrals with a referral date in the period.".to_owned(),
            ),
            (
                "Caseload".to_owned(),
                "Episodes open at the period's end.".to_owned(),
            ),
        ],
    }
}

fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
    match std::process::Command::new(tool).args(args).output() {
        Ok(output) => {
            assert!(
                output.status.success(),
                "{tool}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Some(output)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{tool} (Debian package poppler-utils) is needed in CI"
            );
            println!("skipped: {tool} (poppler-utils) is not installed");
            None
        }
        Err(e) => panic!("{tool}: {e}"),
    }
}

/// Writes `bytes` to the target directory under `name`, draws its pages (80 dpi PNGs to look
/// at, and 30 dpi greyscale to measure) and gives each page's share of inked pixels and the
/// PDF's words; `None` without poppler.
fn draw(name: &str, bytes: &[u8]) -> Option<(Vec<f64>, String, String)> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("document.pdf");
    std::fs::write(&file, bytes).unwrap();
    let png = dir.join("page");
    poppler(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "80".as_ref(),
            file.as_ref(),
            png.as_ref(),
        ],
    )?;
    let grey = dir.join("grey");
    poppler(
        "pdftoppm",
        &[
            "-gray".as_ref(),
            "-r".as_ref(),
            "30".as_ref(),
            file.as_ref(),
            grey.as_ref(),
        ],
    )?;
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    pages.sort();
    let inked = pages
        .iter()
        .map(|page| {
            let bytes = std::fs::read(page).unwrap();
            // A binary PGM: four header fields, one whitespace, then a byte a pixel.
            let mut at = 0;
            for _ in 0..4 {
                while bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                while !bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
            }
            let pixels = &bytes[at + 1..];
            pixels.iter().filter(|&&p| p < 200).count() as f64 / pixels.len() as f64
        })
        .collect();
    let text = poppler("pdftotext", &[file.as_ref(), "-".as_ref()])?;
    let text = String::from_utf8(text.stdout).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let info = poppler("pdfinfo", &[file.as_ref()])?;
    println!("pages drawn in {}", dir.display());
    Some((inked, text, String::from_utf8(info.stdout).unwrap()))
}

#[test]
fn the_pdf_scorecard_has_its_sections_figures_charts_and_marking_on_every_page() {
    let started = std::time::Instant::now();
    let bytes = render_scorecard(&document(), ReportFormat::Pdf).unwrap();
    println!("scorecard PDF typeset in {:?}", started.elapsed());
    assert!(bytes.starts_with(b"%PDF"));
    let Some((pages, text, info)) = draw("scorecard-pdf", &bytes) else {
        return;
    };
    assert!(pages.len() >= 2, "{} pages", pages.len());
    for (n, inked) in pages.iter().enumerate() {
        assert!(*inked > 0.005, "page {} is blank: {inked}", n + 1);
    }
    for expected in [
        "Scorecard: Gwent, 2013/14",
        "Generated demo data",
        "Gwent treatment, version 1",
        "The referral pathway",
        "Care plan agreed",
        "How much did we do?",
        "Activities",
        "How well did we do?",
        "Is anyone better off?",
        "Self <referral> & more",
        "12,345",
        "1,250",
        "82% of referrals",
        "no data",
        "Terminology",
        "Episodes open at the period's end.",
    ] {
        assert!(
            text.contains(expected),
            "the PDF lacks {expected:?}: {text}"
        );
    }
    assert!(
        text.matches(MARKING).count() >= 2 * pages.len(),
        "the marking heads and foots every page"
    );
    assert!(text.contains(&format!("Page 1 of {}", pages.len())));
    assert!(
        info.contains("Title:           Scorecard: Gwent, 2013/14"),
        "{info}"
    );
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("(A4)"), "{info}");
}

#[test]
fn the_html_and_workbook_scorecards_carry_the_marking_and_date() {
    let html =
        String::from_utf8(render_scorecard(&document(), ReportFormat::Html).unwrap()).unwrap();
    assert_eq!(html.matches(MARKING).count(), 2, "at the top and the foot");
    assert!(html.contains("2014-08-18"));
    assert!(
        html.contains("Self &#60;referral&#62; &#38; more"),
        "escaped"
    );
    assert!(html.contains("<h2 id=\"scorecard-pathway\">The referral pathway</h2>"));
    assert!(html.contains("<h3>Number of referrals</h3>"));
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(
        render_scorecard(&document(), ReportFormat::Xlsx).unwrap(),
    ))
    .unwrap();
    let cover = workbook.worksheet_range("Cover").unwrap();
    assert_eq!(
        cover.get_value((1, 0)).cloned(),
        Some(Data::String(MARKING.to_owned()))
    );
}

/// A small pack with only the scorecard section to speak of.
fn pack(scorecard: PackScorecard) -> Pack {
    Pack {
        title: "Gwent: partnership performance pack, 2013/14".to_owned(),
        area_code: "W15000002".to_owned(),
        area_name: "Gwent".to_owned(),
        period_code: "2013/14".to_owned(),
        period_label: "2013/14".to_owned(),
        marking: Some(MARKING.to_owned()),
        prepared_on: "2014-08-18".to_owned(),
        england_name: "England".to_owned(),
        region_name: None,
        outcomes: Vec::new(),
        plans: Vec::new(),
        attendance: None,
        decision: None,
        distribution: None,
        national_attendance: None,
        scorecard: Some(scorecard),
        definitions: Vec::new(),
        notes: Vec::new(),
    }
}

fn with_scorecard() -> Pack {
    pack(PackScorecard {
        document: Some(document()),
        absence: String::new(),
    })
}

fn without_scorecard() -> Pack {
    pack(PackScorecard {
        document: None,
        absence: "No client-level extract covers Gwent, so there is no scorecard for it."
            .to_owned(),
    })
}

#[test]
fn the_pack_carries_the_scorecard_in_html_with_headings_below_its_own() {
    let html =
        String::from_utf8(render_pack(&with_scorecard(), ReportFormat::Html).unwrap()).unwrap();
    assert!(html.contains("<a href=\"#scorecard\">Results Based Accountability scorecard</a>"));
    let section = &html[html.find("id=\"scorecard-heading\"").unwrap()..];
    assert!(section.contains("<h3 id=\"scorecard-pathway\">The referral pathway</h3>"));
    assert!(section.contains("<h3 id=\"scorecard-section-4\">Is anyone better off?</h3>"));
    assert!(section.contains("<h4>Number of referrals</h4>"));
    assert!(section.contains("<strong>12,345</strong>"));
    assert!(section.contains("role=\"img\""), "the charts are inline");

    let html =
        String::from_utf8(render_pack(&without_scorecard(), ReportFormat::Html).unwrap()).unwrap();
    assert!(html.contains("No client-level extract covers Gwent"));
    assert!(!html.contains("The referral pathway"));
}

#[test]
fn the_pack_workbook_has_a_scorecard_sheet_with_numbers_as_numbers() {
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(
        render_pack(&with_scorecard(), ReportFormat::Xlsx).unwrap(),
    ))
    .unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["Cover", "Notes", "Framework", "Scorecard", "Definitions"]
    );
    let sheet = workbook.worksheet_range("Scorecard").unwrap();
    let cell = |row: u32, column: u32| sheet.get_value((row, column)).cloned();
    assert!(
        matches!(cell(0, 0), Some(Data::String(t)) if t.starts_with("Table 2: Results Based Accountability scorecard for Gwent"))
    );
    let header: Vec<String> = (0..sheet.width() as u32)
        .map(|c| cell(2, c).map(|v| v.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        header,
        [
            "Section",
            "Measure id",
            "Measure",
            "Category",
            "Number in 2009/10",
            "Number in 2010/11",
            "Number in 2011/12",
            "Number in 2012/13",
            "Number in 2013/14",
            "Denominator",
            "Percent"
        ]
    );
    assert_eq!(cell(3, 1), Some(Data::String("referrals".to_owned())));
    assert_eq!(cell(3, 8), Some(Data::Float(306.0)));
    assert_eq!(cell(3, 5), Some(Data::String("[x]".to_owned())), "no data");
    assert_eq!(cell(4, 3), Some(Data::String("Police".to_owned())));
    assert_eq!(cell(4, 8), Some(Data::Float(61.0)));
    let caseload = (3..sheet.height() as u32)
        .find(|r| cell(*r, 1) == Some(Data::String("caseload".to_owned())))
        .unwrap();
    assert_eq!(cell(caseload, 8), Some(Data::Float(12_345.0)));

    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(
        render_pack(&without_scorecard(), ReportFormat::Xlsx).unwrap(),
    ))
    .unwrap();
    let sheet = workbook.worksheet_range("Scorecard").unwrap();
    assert!(
        matches!(sheet.get_value((0, 0)), Some(Data::String(t)) if t.contains("No client-level extract covers Gwent"))
    );
}

#[test]
fn the_pdf_pack_carries_the_scorecard_or_says_why_not() {
    let bytes = render_pack(&with_scorecard(), ReportFormat::Pdf).unwrap();
    let Some((pages, text, _)) = draw("pack-scorecard-pdf", &bytes) else {
        return;
    };
    for (n, inked) in pages.iter().enumerate() {
        assert!(*inked > 0.005, "page {} is blank: {inked}", n + 1);
    }
    for expected in [
        "Results Based Accountability scorecard",
        "The referral pathway",
        "Is anyone better off?",
        "12,345",
        "Episodes open at the period's end.",
    ] {
        assert!(text.contains(expected), "the pack lacks {expected:?}");
    }
    let bytes = render_pack(&without_scorecard(), ReportFormat::Pdf).unwrap();
    let Some((_, text, _)) = draw("pack-no-scorecard-pdf", &bytes) else {
        return;
    };
    assert!(
        text.contains("No client-level extract covers Gwent, so there is no scorecard for it.")
    );
    assert!(!text.contains("The referral pathway"));
}
