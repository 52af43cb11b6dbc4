//! The pack as an Excel workbook laid out as the Government Analysis Function's guidance on
//! releasing statistics in spreadsheets asks: a cover sheet with the contents, a notes sheet,
//! then one table per sheet starting in cell A1 with its title, marked up as an Excel table,
//! no merged cells, numbers stored as numbers with number formats, and shorthand in place of
//! blanks: `[c]` for a figure withheld by disclosure control, `[x]` for one not available.

use rust_xlsxwriter::{
    DocProperties, Format, FormatAlign, Table, TableColumn, Workbook, Worksheet, XlsxError,
};

use crate::pack::{
    AttendanceSection, COMPARISON_HEADINGS, Decision, Distribution, Figure,
    NationalAttendanceSection, Pack, PackScorecard, PlanStatus, TREND_HEADINGS,
};

/// Shorthand for a figure withheld to protect confidentiality.
const WITHHELD: &str = "[c]";
/// Shorthand for a figure that is not available.
const NOT_AVAILABLE: &str = "[x]";

/// A cell of a table sheet.
enum Cell {
    Text(String),
    Number(f64, u8),
    Withheld,
    NotAvailable,
}

impl Cell {
    fn figure(figure: &Figure, suppressed: bool) -> Self {
        match figure.value {
            _ if suppressed => Self::Withheld,
            Some(value) => Self::Number(value, figure.decimals),
            None => Self::NotAvailable,
        }
    }

    fn count(value: usize) -> Self {
        // Counts of actions are far below 2^52, so they are exact as numbers.
        Self::Number(value as f64, 0)
    }
}

/// One table on a sheet of its own.
struct TableSheet {
    /// The sheet's tab name (at most 31 characters).
    name: String,
    /// The title in A1.
    title: String,
    /// Column headings.
    columns: Vec<String>,
    /// Column widths, in characters.
    widths: Vec<f64>,
    rows: Vec<Vec<Cell>>,
}

/// The pack's workbook.
pub(crate) fn pack(pack: &Pack) -> Result<Vec<u8>, crate::ReportError> {
    let mut tables: Vec<TableSheet> = pack.decision.iter().map(decision_table).collect();
    tables.push(framework_table(pack));
    tables.extend(pack.scorecard.iter().map(|s| scorecard_table(pack, s)));
    for (number, plan) in (1..).zip(&pack.plans) {
        tables.extend(plan_tables(plan, number));
    }
    tables.extend(pack.attendance.iter().map(attendance_table));
    tables.extend(pack.distribution.iter().map(distribution_table));
    tables.extend(
        pack.national_attendance
            .iter()
            .map(national_attendance_table),
    );
    tables.push(definitions_table(pack));
    for (number, table) in (1..).zip(tables.iter_mut()) {
        table.title = format!("Table {number}: {}", table.title);
    }

    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&pack.title)
            .set_subject(format!("{}, {}", pack.area_name, pack.period_label))
            .set_author("h2h"),
    );
    let formats = Formats::new();
    cover(workbook.add_worksheet(), pack, &tables, &formats)?;
    notes(workbook.add_worksheet(), pack, &formats)?;
    for (number, table) in (1..).zip(&tables) {
        write_table(workbook.add_worksheet(), table, number, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

struct Formats {
    title: Format,
    bold: Format,
    wrap: Format,
    header: Format,
    shorthand: Format,
    decimals: Vec<Format>,
}

impl Formats {
    fn new() -> Self {
        Self {
            title: Format::new().set_bold().set_font_size(15),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            header: Format::new().set_bold().set_text_wrap(),
            shorthand: Format::new().set_align(FormatAlign::Right),
            decimals: (0..=4)
                .map(|places: usize| {
                    let pattern = if places == 0 {
                        "#,##0".to_owned()
                    } else {
                        format!("#,##0.{}", "0".repeat(places))
                    };
                    Format::new().set_num_format(&pattern)
                })
                .collect(),
        }
    }

    fn number(&self, decimals: u8) -> &Format {
        let last = self.decimals.len().saturating_sub(1);
        let index = usize::from(decimals).min(last);
        &self.decimals[index]
    }
}

fn cover(
    sheet: &mut Worksheet,
    pack: &Pack,
    tables: &[TableSheet],
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Cover")?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 90)?;
    sheet.write_string_with_format(0, 0, &pack.title, &formats.title)?;
    let mut row = 1;
    if let Some(marking) = &pack.marking {
        sheet.write_string_with_format(row, 0, marking, &formats.bold)?;
        row += 1;
    }
    let facts = [
        ("Area", format!("{} ({})", pack.area_name, pack.area_code)),
        (
            "Period",
            format!("{} ({})", pack.period_label, pack.period_code),
        ),
        (
            "Compared with",
            match &pack.region_name {
                Some(region) => format!("{} and {region}", pack.england_name),
                None => pack.england_name.clone(),
            },
        ),
        ("Prepared", pack.prepared_on.clone()),
        (
            "About these tables",
            "The outcomes framework figures for the area, its scorecard where client-level records cover it, its delivery plan status and the \
             definitions of the metrics. Notes on methods and shorthand are on the Notes sheet."
                .to_owned(),
        ),
    ];
    row += 1;
    for (label, text) in facts {
        sheet.write_string_with_format(row, 0, label, &formats.bold)?;
        sheet.write_string_with_format(row, 1, &text, &formats.wrap)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Contents", &formats.bold)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "Sheet", &formats.header)?;
    sheet.write_string_with_format(row, 1, "What it holds", &formats.header)?;
    row += 1;
    sheet.write_string(row, 0, "Notes")?;
    sheet.write_string(row, 1, "Notes on methods, symbols and shorthand")?;
    for table in tables {
        row += 1;
        sheet.write_string(row, 0, &table.name)?;
        sheet.write_string(row, 1, &table.title)?;
    }
    Ok(())
}

fn notes(sheet: &mut Worksheet, pack: &Pack, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Notes")?;
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 110)?;
    sheet.write_string_with_format(0, 0, "Notes", &formats.title)?;
    sheet.write_string(1, 0, "This worksheet contains one table.")?;
    sheet.write_string(2, 0, "Note number")?;
    sheet.write_string(2, 1, "Note text")?;
    let mut last_row = 2;
    for (number, note) in (1..).zip(pack.all_notes()) {
        last_row += 1;
        sheet.write_string(last_row, 0, format!("note {number}"))?;
        sheet.write_string_with_format(last_row, 1, note, &formats.wrap)?;
    }
    let columns = [
        TableColumn::new().set_header("Note number"),
        TableColumn::new().set_header("Note text"),
    ];
    if last_row > 2 {
        sheet.add_table(
            2,
            0,
            last_row,
            1,
            &Table::new().set_name("Notes").set_columns(&columns),
        )?;
    }
    Ok(())
}

fn write_table(
    sheet: &mut Worksheet,
    table: &TableSheet,
    number: usize,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(&table.name)?;
    sheet.write_string_with_format(0, 0, &table.title, &formats.title)?;
    sheet.write_string(1, 0, "This worksheet contains one table.")?;
    let header_row = 2;
    let mut columns = Vec::with_capacity(table.columns.len());
    for ((column, heading), width) in (0..).zip(&table.columns).zip(&table.widths) {
        sheet.set_column_width(column, *width)?;
        sheet.write_string_with_format(header_row, column, heading, &formats.header)?;
        columns.push(TableColumn::new().set_header(heading));
    }
    let mut last_row = header_row;
    for cells in &table.rows {
        last_row += 1;
        for (column, cell) in (0..).zip(cells) {
            match cell {
                Cell::Text(text) => {
                    sheet.write_string_with_format(last_row, column, text, &formats.wrap)?
                }
                Cell::Number(value, decimals) => sheet.write_number_with_format(
                    last_row,
                    column,
                    *value,
                    formats.number(*decimals),
                )?,
                Cell::Withheld => sheet.write_string_with_format(
                    last_row,
                    column,
                    WITHHELD,
                    &formats.shorthand,
                )?,
                Cell::NotAvailable => sheet.write_string_with_format(
                    last_row,
                    column,
                    NOT_AVAILABLE,
                    &formats.shorthand,
                )?,
            };
        }
    }
    if last_row == header_row {
        sheet.write_string(header_row + 1, 0, "There are no rows in this table.")?;
        return Ok(());
    }
    let last_column = u16::try_from(table.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.add_table(
        header_row,
        0,
        last_row,
        last_column,
        &Table::new()
            .set_name(format!("Table_{number}"))
            .set_columns(&columns),
    )?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(())
}

fn framework_table(pack: &Pack) -> TableSheet {
    let region = pack.region_name.as_deref().unwrap_or("Region");
    let england = &pack.england_name;
    let columns = vec![
        "Outcome".to_owned(),
        "Metric id".to_owned(),
        "Metric".to_owned(),
        "Period".to_owned(),
        "Unit".to_owned(),
        "Value [note 1] [note 5] [note 6]".to_owned(),
        "Lower 95% limit [note 2]".to_owned(),
        "Upper 95% limit [note 2]".to_owned(),
        "Lower 99.8% limit [note 2]".to_owned(),
        "Upper 99.8% limit [note 2]".to_owned(),
        "Numerator".to_owned(),
        "Denominator".to_owned(),
        format!("{england} value"),
        format!("Compared with {england} [note 3]"),
        format!("{region} value"),
        format!("Compared with {region} [note 3]"),
        "Trend [note 4]".to_owned(),
        "Target".to_owned(),
        "Target period".to_owned(),
        "Target status".to_owned(),
        "Data status".to_owned(),
        "Unpublished management information".to_owned(),
        "Source".to_owned(),
    ];
    let widths = vec![
        28.0, 22.0, 40.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 16.0, 12.0,
        16.0, 18.0, 12.0, 12.0, 16.0, 12.0, 14.0, 40.0,
    ];
    let rows = pack
        .indicators()
        .map(|(group, line)| {
            let hidden = line.suppressed;
            let benchmark = |b: &Option<crate::pack::BenchmarkLine>| match b {
                Some(b) => [
                    Cell::figure(&b.value, false),
                    Cell::Text(b.comparison.label.clone()),
                ],
                None => [Cell::NotAvailable, Cell::Text("Not compared".to_owned())],
            };
            let [england_value, england_comparison] = benchmark(&line.england);
            let [region_value, region_comparison] = benchmark(&line.region);
            let (target, target_period, target_status) = match &line.target {
                Some(t) => (
                    Cell::figure(&t.target, false),
                    Cell::Text(t.period.clone()),
                    Cell::Text(t.status.label.clone()),
                ),
                None => (
                    Cell::NotAvailable,
                    Cell::NotAvailable,
                    Cell::Text("No target".to_owned()),
                ),
            };
            vec![
                Cell::Text(group.heading.clone()),
                Cell::Text(line.metric_id.clone()),
                Cell::Text(line.metric_name.clone()),
                Cell::Text(line.period.clone()),
                Cell::Text(line.unit_label.clone()),
                Cell::figure(&line.value, hidden),
                Cell::figure(&line.lower_95, hidden),
                Cell::figure(&line.upper_95, hidden),
                Cell::figure(&line.lower_99_8, hidden),
                Cell::figure(&line.upper_99_8, hidden),
                Cell::figure(&line.numerator, hidden),
                Cell::figure(&line.denominator, hidden),
                england_value,
                if hidden {
                    Cell::Withheld
                } else {
                    england_comparison
                },
                region_value,
                if hidden {
                    Cell::Withheld
                } else {
                    region_comparison
                },
                Cell::Text(line.trend.label.clone()),
                target,
                target_period,
                target_status,
                Cell::Text(line.status.clone()),
                Cell::Text(if line.unpublished { "Yes" } else { "No" }.to_owned()),
                Cell::Text(line.source.clone()),
            ]
        })
        .collect();
    TableSheet {
        name: "Framework".to_owned(),
        title: format!(
            "Outcomes framework figures for {}, latest in {}",
            pack.area_name, pack.period_label
        ),
        columns,
        widths,
        rows,
    }
}

/// The scorecard in long form: each measure's row (category `All`), then its breakdown's
/// categories, with the periods before, counts and percents as numbers. Without a scorecard
/// the title says why and the table has no rows.
fn scorecard_table(pack: &Pack, scorecard: &PackScorecard) -> TableSheet {
    let Some(doc) = &scorecard.document else {
        return TableSheet {
            name: "Scorecard".to_owned(),
            title: format!(
                "Results Based Accountability scorecard for {}, {}: {}",
                pack.area_name, pack.period_label, scorecard.absence
            ),
            columns: vec!["Section".to_owned(), "Measure id".to_owned()],
            widths: vec![28.0, 24.0],
            rows: Vec::new(),
        };
    };
    let count = |v: Option<u64>| {
        // Counts of records are far below 2^53, so they are exact as numbers.
        v.map_or(Cell::NotAvailable, |v| Cell::Number(v as f64, 0))
    };
    let share = |v: Option<f64>| v.map_or(Cell::NotAvailable, |v| Cell::Number(v, 1));
    let mut columns = vec![
        "Section".to_owned(),
        "Measure id".to_owned(),
        "Measure".to_owned(),
        "Category".to_owned(),
    ];
    columns.extend(doc.trend_periods.iter().map(|p| format!("Number in {p}")));
    columns.extend([
        format!("Number in {}", doc.period_code),
        "Denominator".to_owned(),
        "Percent".to_owned(),
    ]);
    let mut widths = vec![24.0, 24.0, 40.0, 30.0];
    widths.extend(std::iter::repeat_n(12.0, columns.len() - widths.len()));
    let before = doc.trend_periods.len();
    let mut rows = Vec::new();
    for section in &doc.sections {
        for m in &section.measures {
            let mut cells = vec![
                Cell::Text(section.title.clone()),
                Cell::Text(m.id.clone()),
                Cell::Text(m.label.clone()),
                Cell::Text("All".to_owned()),
            ];
            cells.extend((0..before).map(|i| count(m.trend.get(i).copied().flatten())));
            cells.extend([count(m.value), count(m.denominator), share(m.percent)]);
            rows.push(cells);
            for b in section.breakdowns.iter().filter(|b| b.measure_id == m.id) {
                for r in &b.rows {
                    let mut cells = vec![
                        Cell::Text(section.title.clone()),
                        Cell::Text(m.id.clone()),
                        Cell::Text(m.label.clone()),
                        Cell::Text(r.label.clone()),
                    ];
                    cells.extend((0..before).map(|_| Cell::NotAvailable));
                    cells.extend([count(Some(r.value)), Cell::NotAvailable, share(r.percent)]);
                    rows.push(cells);
                }
            }
        }
    }
    TableSheet {
        name: "Scorecard".to_owned(),
        title: format!(
            "Results Based Accountability scorecard for {}, {}, from client-level records [note 6]",
            doc.area_name, doc.period_label
        ),
        columns,
        widths,
        rows,
    }
}

fn plan_tables(plan: &PlanStatus, number: usize) -> [TableSheet; 2] {
    let mut columns = vec!["Objective".to_owned()];
    columns.extend(plan.statuses.iter().map(|s| s.label.clone()));
    columns.push("Overdue".to_owned());
    columns.push("Total".to_owned());
    let mut widths = vec![60.0];
    widths.extend(std::iter::repeat_n(12.0, columns.len() - 1));
    let rows = plan
        .summary
        .iter()
        .chain(std::iter::once(&plan.total))
        .map(|row| {
            let mut cells = vec![Cell::Text(row.objective.clone())];
            cells.extend(row.counts.iter().map(|c| Cell::count(*c)));
            cells.push(Cell::count(row.overdue));
            cells.push(Cell::count(row.total));
            cells
        })
        .collect();
    let summary = TableSheet {
        name: format!("Plan {number} status"),
        title: format!(
            "{}: actions by delivery status on {}",
            plan.title, plan.as_of
        ),
        columns,
        widths,
        rows,
    };
    let exceptions = TableSheet {
        name: format!("Plan {number} exceptions"),
        title: format!(
            "{}: actions red, amber, overdue or without an update for 90 days on {}",
            plan.title, plan.as_of
        ),
        columns: [
            "Action",
            "What is to be done",
            "Lead",
            "Deadline",
            "Status",
            "Why listed",
            "Latest update",
        ]
        .map(str::to_owned)
        .to_vec(),
        widths: vec![10.0, 60.0, 30.0, 20.0, 18.0, 24.0, 60.0],
        rows: plan
            .exceptions
            .iter()
            .map(|line| {
                vec![
                    Cell::Text(line.action_no.clone()),
                    Cell::Text(line.action.clone()),
                    Cell::Text(line.leads.clone()),
                    Cell::Text(line.deadline.clone()),
                    Cell::Text(line.status.label.clone()),
                    Cell::Text(line.reasons.clone()),
                    Cell::Text(line.latest_update.clone()),
                ]
            })
            .collect(),
    };
    [summary, exceptions]
}

fn definitions_table(pack: &Pack) -> TableSheet {
    TableSheet {
        name: "Definitions".to_owned(),
        title: "Definitions and sources of the metrics".to_owned(),
        columns: [
            "Metric id",
            "Metric",
            "Definition",
            "Unit",
            "Source",
            "Frequency",
            "Limitations",
        ]
        .map(str::to_owned)
        .to_vec(),
        widths: vec![22.0, 40.0, 70.0, 12.0, 40.0, 14.0, 50.0],
        rows: pack
            .definitions
            .iter()
            .map(|d| {
                [
                    &d.metric_id,
                    &d.name,
                    &d.definition,
                    &d.unit,
                    &d.source,
                    &d.frequency,
                    &d.limitations,
                ]
                .map(|text| Cell::Text(text.clone()))
                .into_iter()
                .collect()
            })
            .collect(),
    }
}

fn decision_table(decision: &Decision) -> TableSheet {
    let mut rows = vec![
        ("Reference", decision.reference.clone()),
        ("Subject", decision.subject.clone()),
        ("Summary", decision.summary.clone()),
    ];
    rows.extend(
        decision
            .decisions
            .iter()
            .map(|point| ("Decision", point.clone())),
    );
    rows.extend([
        ("Declaration", decision.declaration.clone()),
        ("Interests recorded", decision.interests.clone()),
        ("Signed by", decision.decision_maker.clone()),
        ("Role", decision.role.clone()),
        ("Date signed", decision.signed_on.clone()),
        ("Contact officer", decision.contact.clone()),
        ("Version", decision.version.to_string()),
    ]);
    TableSheet {
        name: "Decision".to_owned(),
        title: format!("Decision record {}", decision.reference),
        columns: vec!["Field".to_owned(), "Entry".to_owned()],
        widths: vec![22.0, 100.0],
        rows: rows
            .into_iter()
            .map(|(field, entry)| vec![Cell::Text(field.to_owned()), Cell::Text(entry)])
            .collect(),
    }
}

fn attendance_table(attendance: &AttendanceSection) -> TableSheet {
    TableSheet {
        name: "Attendance".to_owned(),
        title: format!(
            "{}: attendance at the {} main meetings of {}",
            attendance.partnership, attendance.meetings_held, attendance.window
        ),
        columns: [
            "Organisation",
            "Type",
            "Main meetings attended",
            "Apologies",
            "Absent",
            "Main meetings held",
            "Attends regularly",
        ]
        .map(str::to_owned)
        .to_vec(),
        widths: vec![50.0, 30.0, 14.0, 12.0, 12.0, 14.0, 14.0],
        rows: attendance
            .rows
            .iter()
            .map(|row| {
                vec![
                    Cell::Text(row.organisation.clone()),
                    Cell::Text(row.member_type.clone()),
                    Cell::Number(f64::from(row.attended), 0),
                    Cell::Number(f64::from(row.apologies), 0),
                    Cell::Number(f64::from(row.absent), 0),
                    Cell::Number(f64::from(attendance.meetings_held), 0),
                    Cell::Text(if row.regularly { "Yes" } else { "No" }.to_owned()),
                ]
            })
            .collect(),
    }
}

fn distribution_table(distribution: &Distribution) -> TableSheet {
    let mut columns = vec![
        "Metric id".to_owned(),
        "Metric".to_owned(),
        "Period".to_owned(),
        "Areas".to_owned(),
    ];
    columns.extend(COMPARISON_HEADINGS.iter().map(|h| format!("{h} [note 3]")));
    columns.extend(TREND_HEADINGS.iter().map(|h| format!("{h} [note 4]")));
    let mut widths = vec![22.0, 40.0, 12.0, 10.0];
    widths.extend(std::iter::repeat_n(12.0, columns.len() - widths.len()));
    TableSheet {
        name: "Distribution".to_owned(),
        title: format!(
            "{} by comparison and trend, metric by metric",
            distribution.areas
        ),
        columns,
        widths,
        rows: distribution
            .lines
            .iter()
            .map(|line| {
                let mut cells = vec![
                    Cell::Text(line.metric_id.clone()),
                    Cell::Text(line.metric_name.clone()),
                    Cell::Text(line.period.clone()),
                    Cell::Number(f64::from(line.areas), 0),
                ];
                cells.extend(
                    line.comparisons
                        .iter()
                        .map(|c| Cell::Number(f64::from(*c), 0)),
                );
                cells.extend(line.trends.iter().map(|c| Cell::Number(f64::from(*c), 0)));
                cells
            })
            .collect(),
    }
}

fn national_attendance_table(national: &NationalAttendanceSection) -> TableSheet {
    let mut columns = vec![
        "Member type".to_owned(),
        "Partnerships attended".to_owned(),
        "Partnerships analysed".to_owned(),
        "Percentage of all partnerships".to_owned(),
    ];
    columns.extend(
        national
            .regions
            .iter()
            .map(|r| format!("Percentage in {r}")),
    );
    let mut widths = vec![34.0, 14.0, 14.0, 14.0];
    widths.extend(std::iter::repeat_n(14.0, columns.len() - widths.len()));
    let percent = |p: Option<u32>| p.map_or(Cell::NotAvailable, |p| Cell::Number(f64::from(p), 0));
    TableSheet {
        name: "National attendance".to_owned(),
        title: format!(
            "Share of partnerships whose main meetings each member type attends, {}",
            national.window
        ),
        columns,
        widths,
        rows: national
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![
                    Cell::Text(row.member_type.clone()),
                    Cell::Number(f64::from(row.count), 0),
                    Cell::Number(f64::from(row.of), 0),
                    percent(row.percent),
                ];
                cells.extend(row.by_region.iter().map(|p| percent(*p)));
                cells
            })
            .collect(),
    }
}
