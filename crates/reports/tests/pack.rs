//! The pack renders as a standalone HTML page, as a workbook whose figures are numbers, and
//! as an A4 PDF whose pages poppler can draw and read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{Data, Reader, Xlsx};
use h2h_reports::{
    AttendanceRow, AttendanceSection, BenchmarkLine, ChartFigure, DataTable, Decision, Definition,
    ExceptionLine, Figure, IndicatorLine, Judgement, OutcomeGroup, Pack, PlanStatus, ReportFormat,
    STANDARD_NOTES, StatusRow, render_pack,
};

fn judgement(code: &str, label: &str, symbol: &str) -> Judgement {
    Judgement {
        code: code.to_owned(),
        label: label.to_owned(),
        symbol: symbol.to_owned(),
    }
}

fn line(id: &str, value: f64, suppressed: bool) -> IndicatorLine {
    let figure = |v: f64| Figure::new(Some(v), format!("{v:.1}"), 1);
    IndicatorLine {
        metric_id: id.to_owned(),
        metric_name: format!("Metric <{id}> & more"),
        period: "2023/24".to_owned(),
        unit: "proportion".to_owned(),
        unit_label: "%".to_owned(),
        value: if suppressed {
            Figure::new(None, "[c]", 1)
        } else {
            figure(value)
        },
        lower_95: figure(value - 3.7),
        upper_95: figure(value + 4.1),
        lower_99_8: figure(value - 5.6),
        upper_99_8: figure(value + 6.6),
        numerator: Figure::new(Some(120.0), "120", 0),
        denominator: Figure::new(Some(480.0), "480", 0),
        england: Some(BenchmarkLine {
            value: figure(23.1),
            comparison: judgement("similar", "Similar", "●"),
        }),
        region: None,
        trend: judgement("no_change", "No significant change", "→"),
        target: None,
        suppressed,
        unpublished: true,
        status: "final".to_owned(),
        source: "Local return".to_owned(),
    }
}

fn pack() -> Pack {
    Pack {
        title: "County Durham: partnership performance pack, 2023/24".to_owned(),
        area_code: "E06000047".to_owned(),
        area_name: "County Durham".to_owned(),
        period_code: "2023/24".to_owned(),
        period_label: "2023/24".to_owned(),
        marking: Some("OFFICIAL-SENSITIVE: unpublished management information".to_owned()),
        prepared_on: "2024-06-30".to_owned(),
        england_name: "England".to_owned(),
        region_name: Some("North East".to_owned()),
        outcomes: vec![OutcomeGroup {
            heading: "Reducing drug use".to_owned(),
            kind: "strategic".to_owned(),
            indicators: vec![line("local.a", 25.0, false), line("local.b", 0.0, true)],
            charts: vec![ChartFigure {
                title: "Completions rose in 2023/24".to_owned(),
                caption: "Source: local return, 2019/20 to 2023/24".to_owned(),
                svg: "<svg role=\"img\" aria-labelledby=\"t\"><title id=\"t\">chart</title></svg>"
                    .to_owned(),
                print: None,
                table: DataTable {
                    columns: vec!["Period".to_owned(), "Value".to_owned()],
                    rows: vec![vec!["2023/24".to_owned(), "25.0".to_owned()]],
                },
            }],
        }],
        plans: vec![PlanStatus {
            title: "Delivery plan 2022-2025".to_owned(),
            as_of: "2024-06-30".to_owned(),
            statuses: vec![judgement("red", "Red: off track", "✖")],
            summary: vec![StatusRow {
                objective: "Break supply chains".to_owned(),
                counts: vec![2],
                overdue: 1,
                total: 2,
            }],
            total: StatusRow {
                objective: "All objectives".to_owned(),
                counts: vec![2],
                overdue: 1,
                total: 2,
            },
            exceptions: vec![ExceptionLine {
                action_no: "5".to_owned(),
                action: "Expand outreach".to_owned(),
                leads: "Public health".to_owned(),
                deadline: "31/03/2024".to_owned(),
                status: judgement("red", "Red: off track", "✖"),
                reasons: "red: off track, overdue".to_owned(),
                latest_update: "2024-05-01: recruitment delayed".to_owned(),
            }],
        }],
        definitions: vec![Definition {
            metric_id: "local.a".to_owned(),
            name: "Metric a".to_owned(),
            definition: "What a measures".to_owned(),
            unit: "proportion".to_owned(),
            source: "Local return".to_owned(),
            frequency: "annual".to_owned(),
            limitations: String::new(),
        }],
        notes: vec!["Figures for 2023/24 are provisional.".to_owned()],
        attendance: Some(AttendanceSection {
            partnership: "County Durham and Darlington".to_owned(),
            sro: "Director of Public Health".to_owned(),
            chair: "Police and Crime Commissioner".to_owned(),
            window: "2023/24".to_owned(),
            meetings_held: 4,
            rows: vec![AttendanceRow {
                organisation: "Durham Constabulary".to_owned(),
                member_type: "Police force".to_owned(),
                attended: 3,
                apologies: 1,
                absent: 0,
                regularly: true,
            }],
            rule: "A member attends regularly when it attends at least half of the main meetings."
                .to_owned(),
        }),
        decision: None,
        distribution: None,
        national_attendance: None,
        scorecard: None,
    }
}

#[test]
fn the_html_pack_stands_alone_with_marking_tables_charts_and_escaped_text() {
    let html = String::from_utf8(render_pack(&pack(), ReportFormat::Html).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("OFFICIAL-SENSITIVE: unpublished management information")
            .count(),
        2,
        "marked at the top and the foot"
    );
    assert!(html.contains("Metric &#60;local.a&#62; &#38; more"));
    assert!(!html.contains("<local.a>"), "names are escaped");
    assert!(html.contains("<svg role=\"img\""), "the chart is inline");
    assert!(html.contains("Completions rose in 2023/24"));
    assert!(html.contains("Expand outreach"));
    assert!(html.contains("[c]"), "a withheld figure shows [c]");
    assert!(
        !html.contains("rel=\"stylesheet\""),
        "no external stylesheet"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "nothing fetched"
    );
    let notes = &html[html.find("id=\"notes-heading\"").unwrap()..];
    assert_eq!(
        notes.matches("<li>").count(),
        STANDARD_NOTES.len() + 1,
        "every note is listed"
    );
    assert!(html.contains("Wilson score limits for proportions"));
    assert!(html.contains("Figures for 2023/24 are provisional."));
}

#[test]
fn the_workbook_has_a_cover_notes_and_one_table_a_sheet_with_numbers_as_numbers() {
    let bytes = render_pack(&pack(), ReportFormat::Xlsx).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Cover",
            "Notes",
            "Framework",
            "Plan 1 status",
            "Plan 1 exceptions",
            "Attendance",
            "Definitions"
        ]
    );
    let attendance = workbook.worksheet_range("Attendance").unwrap();
    assert_eq!(
        attendance.get_value((3, 2)).cloned(),
        Some(Data::Float(3.0))
    );
    let framework = workbook.worksheet_range("Framework").unwrap();
    let cell = |row: u32, column: u32| framework.get_value((row, column)).cloned();
    assert!(matches!(cell(0, 0), Some(Data::String(t)) if t.starts_with("Table 1: ")));
    assert_eq!(
        cell(2, 5),
        Some(Data::String("Value [note 1] [note 5] [note 6]".to_owned()))
    );
    assert_eq!(cell(3, 5), Some(Data::Float(25.0)), "a value is a number");
    assert_eq!(cell(3, 10), Some(Data::Float(120.0)));
    assert_eq!(cell(4, 5), Some(Data::String("[c]".to_owned())), "withheld");
    assert_eq!(
        cell(4, 10),
        Some(Data::String("[c]".to_owned())),
        "its numerator too"
    );
    assert_eq!(
        cell(3, 14),
        Some(Data::String("[x]".to_owned())),
        "no region figure"
    );
    let notes = workbook.worksheet_range("Notes").unwrap();
    assert_eq!(
        notes.get_value((3 + 6, 1)).cloned(),
        Some(Data::String(
            "Figures for 2023/24 are provisional.".to_owned()
        )),
        "the pack's own note follows the six standard ones"
    );
    let status = workbook.worksheet_range("Plan 1 status").unwrap();
    assert_eq!(status.get_value((3, 1)).cloned(), Some(Data::Float(2.0)));
    let cover = workbook.worksheet_range("Cover").unwrap();
    assert_eq!(
        cover.get_value((1, 0)).cloned(),
        Some(Data::String(
            "OFFICIAL-SENSITIVE: unpublished management information".to_owned()
        ))
    );
}

#[test]
fn formats_are_read_in_any_case() {
    assert_eq!(ReportFormat::parse(" XLSX ").unwrap(), ReportFormat::Xlsx);
    assert_eq!(ReportFormat::parse("Pdf").unwrap(), ReportFormat::Pdf);
    assert_eq!(ReportFormat::Pdf.extension(), "pdf");
    assert_eq!(ReportFormat::Pdf.media_type(), "application/pdf");
    let error = ReportFormat::parse("docx").unwrap_err().to_string();
    assert!(error.contains("html, xlsx or pdf"), "{error}");
}

/// The test pack with two real charts from `h2h-charts` beside the stub one, so the page
/// images show how the PDF draws them.
fn pack_with_real_charts() -> Pack {
    use h2h_charts::{
        BarRow, Category, ChartText, ComparisonBars, SeriesPoint, TimeSeries, comparison_bars,
        time_series,
    };
    let mut pack = pack();
    let points = [
        ("2019/20", 21.0, Category::Similar),
        ("2020/21", 22.4, Category::Similar),
        ("2021/22", 23.9, Category::Similar),
        ("2022/23", 24.2, Category::Similar),
        ("2023/24", 25.0, Category::Better),
    ]
    .map(|(period, value, category)| SeriesPoint {
        period,
        value: Some(value),
        interval: Some((value - 3.7, value + 4.1)),
        category: Some(category),
    });
    let series = time_series(&TimeSeries {
        text: ChartText {
            id: "m1-series",
            title: "Metric a, County Durham, 2019/20 to 2023/24",
            description: "Rising from 21.0% to 25.0%.",
        },
        unit_label: "%",
        series_label: "County Durham",
        points: &points,
        include_zero: false,
        ..TimeSeries::default()
    });
    let areas = [
        "County Durham",
        "Darlington",
        "Gateshead",
        "Hartlepool",
        "Sunderland",
    ];
    let rows: Vec<BarRow> = areas
        .iter()
        .enumerate()
        .map(|(i, label)| BarRow {
            label,
            value: Some(20.0 + 2.0 * i as f64),
            interval: Some((17.0 + 2.0 * i as f64, 23.0 + 2.0 * i as f64)),
            category: Category::Similar,
            selected: i == 0,
        })
        .collect();
    let bars = comparison_bars(&ComparisonBars {
        text: ChartText {
            id: "m1-areas",
            title: "Metric a by local authority, 2023/24",
            description: "County Durham is similar to the others.",
        },
        unit_label: "%",
        rows: &rows,
        ..ComparisonBars::default()
    });
    let group = &mut pack.outcomes[0];
    let table = group.charts[0].table.clone();
    for (title, svg) in [
        ("Metric a rose to 25.0%", series),
        ("Metric a by area", bars),
    ] {
        group.charts.push(ChartFigure {
            title: title.to_owned(),
            caption: "Source: local return. Latest period: 2023/24.".to_owned(),
            svg,
            print: None,
            table: table.clone(),
        });
    }
    pack
}

/// Runs a poppler tool, or says it is not there.
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
    match std::process::Command::new(tool).args(args).output() {
        Ok(output) => {
            assert!(
                output.status.success(),
                "{tool} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Some(output)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{tool}: {e}"),
    }
}

#[test]
fn the_pdf_pack_has_pages_poppler_draws_with_the_title_marking_and_metrics() {
    let pack = pack_with_real_charts();
    let bytes = render_pack(&pack, ReportFormat::Pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");

    // The pages are kept in the target directory, to be looked at.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pack-pdf");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pack.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let prefix = dir.join("page");
    let drawn = poppler(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "50".as_ref(),
            file.as_ref(),
            prefix.as_ref(),
        ],
    );
    if drawn.is_none() {
        // CI installs poppler-utils (.ci/run), so there it must run.
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftoppm (Debian package poppler-utils) is needed in CI"
        );
        println!("skipped: pdftoppm (poppler-utils) is not installed");
        return;
    }
    let pages = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".png"))
        })
        .count();
    assert!(
        pages >= 3,
        "cover, summary, outcome, plan, definitions: {pages} pages"
    );
    println!("{pages} pages drawn in {}", dir.display());

    let text = poppler(
        "pdftotext",
        &["-layout".as_ref(), file.as_ref(), "-".as_ref()],
    )
    .expect("pdftotext comes with pdftoppm");
    // Words as read, whatever the line breaks.
    let text = String::from_utf8(text.stdout).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("County Durham: partnership performance pack, 2023/24"));
    assert!(
        text.matches("OFFICIAL-SENSITIVE: unpublished management information")
            .count()
            >= 2 * pages,
        "the marking heads and foots every page"
    );
    assert!(text.contains("Metric <local.a> & more"), "names as written");
    assert!(text.contains(&format!("Page 1 of {pages}")));
    assert!(text.contains("Expand outreach"));
    assert!(text.contains("Wilson score limits for proportions"));
    assert!(text.contains("Figures for 2023/24 are provisional."));
}

#[test]
fn a_pdf_without_marking_names_no_marking_and_is_tagged_with_its_title() {
    let mut pack = pack();
    pack.marking = None;
    let bytes = render_pack(&pack, ReportFormat::Pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pack-pdf-unmarked");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pack.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let Some(text) = poppler("pdftotext", &[file.as_ref(), "-".as_ref()]) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "poppler-utils is needed in CI"
        );
        println!("skipped: pdftotext (poppler-utils) is not installed");
        return;
    };
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(!text.contains("OFFICIAL"), "no marking");
    assert!(text.contains("Metric a"));
    let info = poppler("pdfinfo", &[file.as_ref()]).expect("pdfinfo comes with pdftotext");
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(
        info.contains("Title:           County Durham: partnership performance pack, 2023/24"),
        "{info}"
    );
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
}

#[test]
fn a_signed_pack_opens_with_its_decision_record() {
    let mut signed = pack();
    signed.decision = Some(Decision {
        reference: "PCCG-2014-066".to_owned(),
        subject: "Annual report 2013/14".to_owned(),
        summary: "To record the decision.".to_owned(),
        decisions: vec![
            "I commend the report.".to_owned(),
            "I have received it.".to_owned(),
        ],
        decision_maker: "Ian Johnston QPM".to_owned(),
        role: "Police and Crime Commissioner for Gwent".to_owned(),
        declaration: "I confirm I have considered whether or not I have any interest.".to_owned(),
        interests: "None".to_owned(),
        contact: String::new(),
        signed_on: "2014-08-18".to_owned(),
        version: 2,
    });
    let html = String::from_utf8(render_pack(&signed, ReportFormat::Html).unwrap()).unwrap();
    let decision = html.find("Decision record PCCG-2014-066").unwrap();
    assert!(
        decision < html.find("Contents").unwrap(),
        "the decision comes first"
    );
    assert!(html.contains("<li>I have received it.</li>"));
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(
        render_pack(&signed, ReportFormat::Xlsx).unwrap(),
    ))
    .unwrap();
    assert_eq!(workbook.sheet_names()[2], "Decision");
    let sheet = workbook.worksheet_range("Decision").unwrap();
    assert_eq!(
        sheet.get_value((0, 0)).cloned(),
        Some(Data::String(
            "Table 1: Decision record PCCG-2014-066".to_owned()
        ))
    );
}
