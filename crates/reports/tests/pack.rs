//! The pack renders as a standalone HTML page and as a workbook whose figures are numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

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
    assert!(ReportFormat::parse("pdf").is_err());
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
