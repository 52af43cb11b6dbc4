//! The Results Based Accountability scorecard as a document ([`ScorecardDocument`]) and its
//! renderers: a standalone HTML file laid out like the Gwent report (the pathway, each
//! section's measures with the periods before, each breakdown as a table beside its bar chart,
//! the terminology appendix), an Excel workbook (a cover, a table sheet per section with
//! numbers stored as numbers, a terminology sheet) and an A4 PDF (`pdf.rs`,
//! `templates/scorecard.typ`). The pack carries the same document as its scorecard section.
//!
//! The model holds plain figures, already worked out by the web layer from the records, so
//! this crate does not depend on the records engine.

use askama::Template;
use rust_xlsxwriter::{
    DocProperties, Format, FormatAlign, Table, TableColumn, Workbook, XlsxError,
};
use serde::Serialize;

/// Shorthand for a figure that is not available (the measure's file was not in the extract,
/// or the cell does not apply).
const NOT_AVAILABLE: &str = "[x]";

/// A scorecard ready to lay out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardDocument {
    /// The title, e.g. `Scorecard: Gwent, 2023/24`.
    pub title: String,
    /// The area's name.
    pub area_name: String,
    /// The area's code.
    pub area_code: String,
    /// The period in words.
    pub period_label: String,
    /// The period's code.
    pub period_code: String,
    /// The protective marking: client-level figures are unpublished management information.
    pub marking: Option<String>,
    /// The date it was prepared (ISO), which the PDF gives as its date.
    pub prepared_on: String,
    /// The extracts the figures come from, in words.
    pub sources: Vec<String>,
    /// Whether any of them is generated demo data.
    pub generated: bool,
    /// The codes of the periods before, oldest first, for the trend columns.
    pub trend_periods: Vec<String>,
    /// The referral pathway, in order.
    pub funnel: Vec<FunnelLine>,
    /// The pathway as an SVG bar chart.
    pub funnel_chart: String,
    /// The four sections.
    pub sections: Vec<ScorecardSection>,
    /// Each measure's label and definition, for the terminology appendix.
    pub terms: Vec<(String, String)>,
}

/// One stage of the referral pathway.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelLine {
    /// The stage.
    pub label: String,
    /// Its count (`None`: no data).
    pub value: Option<u64>,
    /// Percent of the stage before.
    pub of_previous: Option<f64>,
    /// Percent of referrals.
    pub of_referrals: Option<f64>,
}

/// A section of measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardSection {
    /// Its title, e.g. `How much did we do?`.
    pub title: String,
    /// Its measures.
    pub measures: Vec<ScorecardLine>,
    /// The breakdowns of its measures.
    pub breakdowns: Vec<BreakdownTable>,
}

/// One measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardLine {
    /// The stable id.
    pub id: String,
    /// The label.
    pub label: String,
    /// Its count (`None`: no data).
    pub value: Option<u64>,
    /// The denominator of its percent.
    pub denominator: Option<u64>,
    /// The percent, unrounded.
    pub percent: Option<f64>,
    /// What the percent is of, in words (`of referrals`).
    pub percent_of: String,
    /// Its values in the periods before, oldest first.
    pub trend: Vec<Option<u64>>,
}

/// A measure's breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownTable {
    /// The measure's id.
    pub measure_id: String,
    /// The measure's label.
    pub label: String,
    /// The heading of the percent column (`Percent of closures`).
    pub percent_heading: String,
    /// Its categories in order.
    pub rows: Vec<BreakdownLine>,
    /// The breakdown as an SVG bar chart.
    pub chart: String,
}

/// One category of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownLine {
    /// The key.
    pub key: String,
    /// The label.
    pub label: String,
    /// The count.
    pub value: u64,
    /// The percent, unrounded.
    pub percent: Option<f64>,
}

/// A count as shown: thousands separated, `no data` when absent.
fn shown(value: &Option<u64>) -> String {
    match value {
        Some(v) => {
            let digits = v.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }
        None => String::from("no data"),
    }
}

/// A percent as shown: a whole number, as the report does.
fn percent(value: &Option<f64>) -> String {
    value.map_or_else(String::new, |p| format!("{p:.0}%"))
}

impl FunnelLine {
    /// The count as shown.
    pub fn value_text(&self) -> String {
        shown(&self.value)
    }

    /// The percent of the stage before as shown.
    pub fn of_previous_text(&self) -> String {
        percent(&self.of_previous)
    }

    /// The percent of referrals as shown.
    pub fn of_referrals_text(&self) -> String {
        percent(&self.of_referrals)
    }
}

impl ScorecardLine {
    /// The count as shown.
    pub fn value_text(&self) -> String {
        shown(&self.value)
    }

    /// The counts of the periods before as shown, oldest first.
    pub fn trend_texts(&self) -> Vec<String> {
        self.trend.iter().map(shown).collect()
    }

    /// The percent with what it is of (`45% of referrals`), or empty.
    pub fn percent_text(&self) -> String {
        match self.percent {
            Some(_) => format!("{} {}", percent(&self.percent), self.percent_of)
                .trim_end()
                .to_owned(),
            None => String::new(),
        }
    }
}

impl BreakdownLine {
    /// The count as shown.
    pub fn value_text(&self) -> String {
        shown(&Some(self.value))
    }

    /// The percent as shown.
    pub fn percent_text(&self) -> String {
        percent(&self.percent)
    }
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct ScorecardPage<'a> {
    doc: &'a ScorecardDocument,
    styles: &'static str,
}

/// The scorecard's standalone HTML.
pub(crate) fn html(doc: &ScorecardDocument) -> Result<String, askama::Error> {
    ScorecardPage {
        doc,
        styles: include_str!("../templates/pack.css"),
    }
    .render()
}

/// A table sheet: its name, its title, its column headings and its rows.
type SheetTable = (String, String, Vec<String>, Vec<Vec<Cell>>);

enum Cell {
    Text(String),
    Number(f64, u8),
    NotAvailable,
}

fn count(value: Option<u64>) -> Cell {
    // Counts of records are far below 2^53, so they are exact as numbers.
    value.map_or(Cell::NotAvailable, |v| Cell::Number(v as f64, 0))
}

fn share(value: Option<f64>) -> Cell {
    value.map_or(Cell::NotAvailable, |v| Cell::Number(v, 1))
}

/// The scorecard's workbook: a cover, a table sheet per section (measures with the periods
/// before, then their breakdown categories) and a terminology sheet.
pub(crate) fn xlsx(doc: &ScorecardDocument) -> Result<Vec<u8>, crate::ReportError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&doc.title)
            .set_subject(format!("{}, {}", doc.area_name, doc.period_label)),
    );
    let title = Format::new().set_bold().set_font_size(15);
    let header = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let whole = Format::new().set_num_format("#,##0");
    let one = Format::new().set_num_format("0.0");
    let shorthand = Format::new().set_align(FormatAlign::Right);

    let cover = workbook.add_worksheet();
    cover.set_name("Cover")?;
    cover.set_column_width(0, 100)?;
    cover.write_string_with_format(0, 0, &doc.title, &title)?;
    let mut row = 1;
    if let Some(marking) = &doc.marking {
        cover.write_string_with_format(row, 0, marking, &header)?;
        row += 1;
    }
    let mut line = |text: &str| -> Result<(), XlsxError> {
        cover.write_string_with_format(row, 0, text, &wrap)?;
        row += 1;
        Ok(())
    };
    line(&format!("Area: {} ({})", doc.area_name, doc.area_code))?;
    line(&format!(
        "Period: {} ({})",
        doc.period_label, doc.period_code
    ))?;
    line(&format!("Prepared: {}", doc.prepared_on))?;
    if doc.generated {
        line("Generated demo data: these are not real records of any service.")?;
    }
    for source in &doc.sources {
        line(&format!("Source: {source}"))?;
    }
    line(
        "Percent columns are percentages (0 to 100) to one decimal place; [x] marks a figure that is not available: the measure's file was not in the extract, or the cell does not apply.",
    )?;
    for (n, section) in (1..).zip(&doc.sections) {
        line(&format!("Table {n}: {}", section.title))?;
    }
    line(&format!("Table {}: Terminology", doc.sections.len() + 1))?;

    let mut tables: Vec<SheetTable> = Vec::new();
    for (n, section) in (1..).zip(&doc.sections) {
        let mut columns = vec![
            String::from("Measure id"),
            String::from("Measure"),
            String::from("Category"),
        ];
        columns.extend(doc.trend_periods.iter().map(|p| format!("Number in {p}")));
        columns.extend([
            format!("Number in {}", doc.period_code),
            String::from("Denominator"),
            String::from("Percent"),
        ]);
        let mut rows = Vec::new();
        for m in &section.measures {
            let mut cells = vec![
                Cell::Text(m.id.clone()),
                Cell::Text(m.label.clone()),
                Cell::Text(String::from("All")),
            ];
            cells.extend(
                (0..doc.trend_periods.len()).map(|i| count(m.trend.get(i).copied().flatten())),
            );
            cells.extend([count(m.value), count(m.denominator), share(m.percent)]);
            rows.push(cells);
            if let Some(b) = section.breakdowns.iter().find(|b| b.measure_id == m.id) {
                for r in &b.rows {
                    let mut cells = vec![
                        Cell::Text(m.id.clone()),
                        Cell::Text(m.label.clone()),
                        Cell::Text(r.label.clone()),
                    ];
                    cells.extend((0..doc.trend_periods.len()).map(|_| Cell::NotAvailable));
                    cells.extend([count(Some(r.value)), Cell::NotAvailable, share(r.percent)]);
                    rows.push(cells);
                }
            }
        }
        tables.push((
            format!("Table_{n}"),
            format!(
                "Table {n}: {} ({}, {})",
                section.title, doc.area_name, doc.period_label
            ),
            columns,
            rows,
        ));
    }
    let n = doc.sections.len() + 1;
    tables.push((
        String::from("Terminology"),
        format!("Table {n}: Terminology"),
        vec![String::from("Measure"), String::from("Definition")],
        doc.terms
            .iter()
            .map(|(t, d)| vec![Cell::Text(t.clone()), Cell::Text(d.clone())])
            .collect(),
    ));
    for (number, (name, heading, columns, rows)) in (1..).zip(&tables) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        sheet.write_string_with_format(0, 0, heading, &title)?;
        sheet.write_string(1, 0, "This worksheet contains one table.")?;
        let header_row = 2;
        let mut table_columns = Vec::new();
        for (c, h) in (0..).zip(columns) {
            let width = if columns.len() == 2 && c == 1 {
                100.0
            } else if c == 1 || c == 2 {
                36.0
            } else {
                16.0
            };
            sheet.set_column_width(c, width)?;
            sheet.write_string_with_format(header_row, c, h, &header)?;
            table_columns.push(TableColumn::new().set_header(h));
        }
        let mut last = header_row;
        for cells in rows {
            last += 1;
            for (c, cell) in (0..).zip(cells) {
                match cell {
                    Cell::Text(t) => sheet.write_string_with_format(last, c, t, &wrap)?,
                    Cell::Number(v, 0) => sheet.write_number_with_format(last, c, *v, &whole)?,
                    Cell::Number(v, _) => sheet.write_number_with_format(last, c, *v, &one)?,
                    Cell::NotAvailable => {
                        sheet.write_string_with_format(last, c, NOT_AVAILABLE, &shorthand)?
                    }
                };
            }
        }
        if last > header_row {
            let last_column = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
            sheet.add_table(
                header_row,
                0,
                last,
                last_column,
                &Table::new()
                    .set_name(format!("Scorecard_{number}"))
                    .set_columns(&table_columns),
            )?;
            sheet.set_freeze_panes(header_row + 1, 0)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}
