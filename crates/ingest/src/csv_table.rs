//! A small reader for tables with a header row, from a CSV file or a sheet of an Excel
//! workbook: columns found by name, case-insensitively and in any order, with errors that say
//! where a value came from (file, line and column; or file, sheet, row and column).

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};

/// The most cells (rows times columns) read from one sheet. Far above any real return, it
/// stops a small, sparse workbook (one cell in `A1`, one in `XFD1048576`) from asking for
/// gigabytes when its rows are laid out in full.
const MAX_SHEET_CELLS: usize = 10_000_000;

/// Why a file could not be read, with where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The file is not readable CSV, or not a readable workbook.
    #[error("{file}: {message}")]
    Malformed {
        /// The file's name (with the sheet, for a workbook).
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A required column is missing from the header.
    #[error("{file}: the header has no column {column:?}")]
    MissingColumn {
        /// The file's name (with the sheet, for a workbook).
        file: String,
        /// The column that was expected.
        column: String,
    },
    /// A value of a CSV file could not be used.
    #[error("{file}, line {line}, column {column}: {value:?} {reason}")]
    BadValue {
        /// The file's name.
        file: String,
        /// The 1-based line number in the file.
        line: u64,
        /// The column's name.
        column: String,
        /// The value found.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// A cell of a workbook's sheet could not be used (boxed, to keep results small).
    #[error("{0}")]
    BadCell(Box<CellProblem>),
}

/// Where a workbook's bad cell is, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, sheet {sheet}, row {row}, column {column}: {value:?} {reason}")]
pub struct CellProblem {
    /// The workbook's file name.
    pub file: String,
    /// The sheet's name.
    pub sheet: String,
    /// The 1-based row number, as the spreadsheet shows it.
    pub row: u64,
    /// The column's name (from the header row).
    pub column: String,
    /// The cell's value, as text.
    pub value: String,
    /// What was expected.
    pub reason: String,
}

impl IngestError {
    /// An error about one value: [`IngestError::BadValue`] for a CSV file (`sheet` is `None`),
    /// [`IngestError::BadCell`] for a workbook's sheet, where "line" would mislead.
    pub fn bad_value(
        file: &str,
        sheet: Option<&str>,
        line: u64,
        column: &str,
        value: &str,
        reason: impl Into<String>,
    ) -> Self {
        let (file, column, value, reason) = (
            file.to_owned(),
            column.to_owned(),
            value.to_owned(),
            reason.into(),
        );
        match sheet {
            None => Self::BadValue {
                file,
                line,
                column,
                value,
                reason,
            },
            Some(sheet) => Self::BadCell(Box::new(CellProblem {
                file,
                sheet: sheet.to_owned(),
                row: line,
                column,
                value,
                reason,
            })),
        }
    }
}

/// The values of every record, as received (untrimmed), one per header column, in one
/// buffer: a million-row return would otherwise be a million records of two allocations
/// each, or a dozen million small strings.
#[derive(Default)]
struct Fields {
    /// Every value of every record, one after another.
    text: String,
    /// Where each value ends in `text`, record by record: record `r`'s value `c` is
    /// `ends[r * width + c]`, and starts where the value before it ends.
    ends: Vec<usize>,
    /// The values in a record: the header's.
    width: usize,
}

impl Fields {
    fn with_width(width: usize) -> Self {
        Self {
            width,
            ..Self::default()
        }
    }

    fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// Value `column` of record `record`.
    fn get(&self, record: usize, column: usize) -> Option<&str> {
        if column >= self.width {
            return None;
        }
        let at = record.checked_mul(self.width)?.checked_add(column)?;
        let end = *self.ends.get(at)?;
        let start = match at.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// Every value of record `record`.
    fn record(&self, record: usize) -> impl Iterator<Item = &str> {
        (0..self.width).filter_map(move |column| self.get(record, column))
    }
}

/// A parsed table: its file (and sheet), header index and records with their line numbers.
pub struct CsvTable {
    file: String,
    sheet: Option<String>,
    /// Each lower-cased column name with its first position. A short list searched in
    /// order beats hashing the name on every look-up of every row.
    columns: Vec<(String, usize)>,
    headers: Vec<String>,
    /// The line (CSV) or row (sheet) each record starts on.
    lines: Vec<u64>,
    fields: Fields,
}

/// One record of a [`CsvTable`], able to look values up by column name.
pub struct Row<'a> {
    table: &'a CsvTable,
    index: usize,
    line: u64,
}

/// The kinds of file [`CsvTable::read`] accepts, for its error message.
const ACCEPTED_KINDS: &str =
    "expected a .csv or .txt file (comma-separated, UTF-8) or an Excel workbook (.xlsx or .xlsm)";

impl CsvTable {
    /// Parses `text` as CSV with a header row. `file` names it in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Self, IngestError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let malformed = |error: csv::Error| IngestError::Malformed {
            file: file.to_owned(),
            message: describe_csv_error(&error),
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(malformed)?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let mut lines = LineIndex::new(text.as_bytes());
        let mut records = Vec::new();
        let mut fields = Fields::with_width(headers.len());
        // About the length of a short return's row, to size the buffers once.
        let expected = text.len() / 48;
        records.reserve(expected);
        fields.text.reserve(text.len());
        fields.ends.reserve(expected.saturating_mul(headers.len()));
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).map_err(malformed)? {
            let byte = record.position().map_or(0, csv::Position::byte);
            records.push(lines.line_at(usize::try_from(byte).unwrap_or(usize::MAX)));
            for value in &record {
                fields.push(value);
            }
        }
        Ok(Self::new(file, None, headers, records, fields))
    }

    /// Reads a table from a file's bytes, choosing by the name's extension: `.csv` and `.txt`
    /// are CSV and must be UTF-8; `.xlsx` and `.xlsm` are Excel workbooks, read from `sheet`
    /// or else the first visible worksheet. `sheet` is ignored for CSV, which has none.
    pub fn read(file_name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Self, IngestError> {
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "csv" | "txt" => Self::parse(file_name, utf8(file_name, bytes)?),
            "xlsx" | "xlsm" => Self::from_xlsx(file_name, bytes, sheet),
            "xls" => Err(IngestError::Malformed {
                file: file_name.to_owned(),
                message: format!(
                    "is an Excel 97-2003 workbook, which h2h does not read; save it as .xlsx \
                     ({ACCEPTED_KINDS})"
                ),
            }),
            _ => Err(IngestError::Malformed {
                file: file_name.to_owned(),
                message: format!("is not a kind of file h2h reads: {ACCEPTED_KINDS}"),
            }),
        }
    }

    /// Reads a sheet of an Excel workbook (`.xlsx`, `.xlsm`): the one named `sheet`, or else
    /// the first visible worksheet. The header is the first row with any value in it; rows
    /// with no value at all are skipped, as blank lines of a CSV file are.
    ///
    /// Cells become text as a CSV export would write them: numbers in their shortest
    /// decimal form (`12`, not `12.0`), dates as `YYYY-MM-DD` (with `THH:MM:SS` when they
    /// have a time), booleans as `true`/`false`, errors as Excel shows them (`#DIV/0!`),
    /// empty cells as empty text. Formulas give their last calculated value. Line numbers
    /// are the sheet's 1-based row numbers.
    pub fn from_xlsx(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Self, IngestError> {
        let malformed = |message: String| IngestError::Malformed {
            file: file.to_owned(),
            message,
        };
        check_cell_references(bytes).map_err(malformed)?;
        let mut workbook = Xlsx::new(Cursor::new(bytes))
            .map_err(|e| malformed(format!("is not a readable Excel workbook: {e}")))?;
        let name = choose_sheet(workbook.sheets_metadata(), sheet).map_err(malformed)?;
        let place = format!("{file}, sheet {name}");
        let unreadable = |e: calamine::XlsxError| IngestError::Malformed {
            file: place.clone(),
            message: format!("cannot be read: {e}"),
        };
        // Cells are streamed and kept sparse (by row, then column): a dense range would be
        // sized by the two cells furthest apart, however few cells there are.
        let mut rows: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
        {
            let mut cells = workbook.worksheet_cells_reader(&name).map_err(unreadable)?;
            while let Some(cell) = cells.next_cell().map_err(unreadable)? {
                let text = cell_text(cell.get_value());
                if !text.trim().is_empty() {
                    let (row, column) = cell.get_position();
                    rows.entry(row).or_default().insert(column, text);
                }
            }
        }
        let mut rows = rows.into_iter();
        let Some((_, header_cells)) = rows.next() else {
            return Ok(Self::new(
                file,
                Some(name),
                Vec::new(),
                Vec::new(),
                Fields::default(),
            ));
        };
        let rows: Vec<(u32, BTreeMap<u32, String>)> = rows.collect();
        // The table's columns are those of the header row and any other column with a value
        // in it: a note beside the table is kept under a made-up name, "(column M)", and so
        // reported as an unknown column rather than lost.
        let mut used: BTreeMap<u32, String> = header_cells
            .into_iter()
            .map(|(column, name)| (column, name.trim().to_owned()))
            .collect();
        for (_, cells) in &rows {
            for &column in cells.keys() {
                used.entry(column)
                    .or_insert_with(|| format!("(column {})", column_letters(column)));
            }
        }
        if rows.len().saturating_mul(used.len()) > MAX_SHEET_CELLS {
            return Err(IngestError::Malformed {
                file: place,
                message: format!(
                    "is too large: {} rows by {} columns; h2h reads up to {MAX_SHEET_CELLS} cells \
                     from a sheet",
                    rows.len(),
                    used.len()
                ),
            });
        }
        let positions: HashMap<u32, usize> = used
            .keys()
            .enumerate()
            .map(|(index, &column)| (column, index))
            .collect();
        let headers: Vec<String> = used.into_values().collect();
        let mut records = Vec::with_capacity(rows.len());
        let mut fields = Fields::with_width(headers.len());
        for (row, cells) in rows {
            let mut values = vec![String::new(); headers.len()];
            for (column, text) in cells {
                // Every column of a row's cells is in `positions`, by construction.
                if let Some(slot) = positions
                    .get(&column)
                    .and_then(|&index| values.get_mut(index))
                {
                    *slot = text;
                }
            }
            records.push(u64::from(row) + 1);
            for value in &values {
                fields.push(value);
            }
        }
        Ok(Self::new(file, Some(name), headers, records, fields))
    }

    /// Builds the column index; where a name repeats, the first column of that name wins.
    fn new(
        file: &str,
        sheet: Option<String>,
        headers: Vec<String>,
        lines: Vec<u64>,
        fields: Fields,
    ) -> Self {
        let mut columns: Vec<(String, usize)> = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            let name = h.to_lowercase();
            if !columns.iter().any(|(known, _)| *known == name) {
                columns.push((name, i));
            }
        }
        Self {
            file: file.to_owned(),
            sheet,
            columns,
            headers,
            lines,
            fields,
        }
    }

    /// The file's name, as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The sheet the table was read from, for a workbook; `None` for CSV.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// Where the table is, for messages about it as a whole: the file, and the sheet if any.
    pub fn place(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}, sheet {sheet}", self.file),
            None => self.file.clone(),
        }
    }

    /// The header's column names, in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Fails unless every named column is in the header.
    pub fn require(&self, names: &[&str]) -> Result<(), IngestError> {
        match names
            .iter()
            .find(|n| self.column_index(&n.to_lowercase()).is_none())
        {
            Some(missing) => Err(IngestError::MissingColumn {
                file: self.place(),
                column: (*missing).to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// Fails when one of the named columns appears more than once in the header, since
    /// either of its values could be the one meant.
    pub fn require_unique(&self, names: &[&str]) -> Result<(), IngestError> {
        for name in names {
            let count = self
                .headers
                .iter()
                .filter(|h| h.eq_ignore_ascii_case(name))
                .count();
            if count > 1 {
                return Err(IngestError::Malformed {
                    file: self.place(),
                    message: format!(
                        "the header has the column {name:?} {count} times; keep only one"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The header's columns that are not among `known` (compared case-insensitively), in
    /// file order: kept aside and reported as a warning, not an error.
    pub fn unknown_columns(&self, known: &[&str]) -> Vec<String> {
        self.headers
            .iter()
            .filter(|h| !known.iter().any(|k| k.eq_ignore_ascii_case(h)))
            .cloned()
            .collect()
    }

    /// How many rows the table has, not counting the header.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The position of the column with this lower-cased name.
    fn column_index(&self, lower_case_name: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(name, _)| name == lower_case_name)
            .map(|&(_, index)| index)
    }

    /// The row at `index` (0-based, in file order), if there is one.
    pub fn row(&self, index: usize) -> Option<Row<'_>> {
        self.lines.get(index).map(|&line| Row {
            table: self,
            index,
            line,
        })
    }

    /// The rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.lines
            .iter()
            .enumerate()
            .map(move |(index, &line)| Row {
                table: self,
                index,
                line,
            })
    }
}

impl<'a> Row<'a> {
    /// The 1-based line of the file the row started on; for a workbook, its row number.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The file's name.
    pub fn file(&self) -> &str {
        &self.table.file
    }

    /// The sheet, for a workbook.
    pub fn sheet(&self) -> Option<&str> {
        self.table.sheet()
    }

    /// The trimmed value of a column; empty when the column is absent.
    pub fn get(&self, column: &str) -> &'a str {
        // Callers name columns in lower case; only other spellings pay for lowering.
        let index = match self.table.column_index(column) {
            Some(index) => Some(index),
            None if column.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.table.column_index(&column.to_lowercase())
            }
            None => None,
        };
        index
            .and_then(|i| self.table.fields.get(self.index, i))
            .map_or("", |v| v.trim())
    }

    /// The value of a column, or `None` when it is blank.
    pub fn optional(&self, column: &str) -> Option<&'a str> {
        Some(self.get(column)).filter(|v| !v.is_empty())
    }

    /// The row as received: each header column with its untrimmed value, in file order, so
    /// that a rejected row can be kept exactly as it was sent.
    pub fn raw(&self) -> Vec<(String, String)> {
        self.table
            .headers
            .iter()
            .cloned()
            .zip(self.table.fields.record(self.index).map(str::to_owned))
            .collect()
    }

    /// Parses a column's value with `parse`, turning its error into one that names the place.
    pub fn parse_with<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, IngestError> {
        let value = self.get(column);
        parse(value).map_err(|error| self.error(column, error.to_string()))
    }

    /// An error about a column's value in this row.
    pub fn error(&self, column: &str, reason: impl Into<String>) -> IngestError {
        IngestError::bad_value(
            &self.table.file,
            self.table.sheet.as_deref(),
            self.line(),
            column,
            self.get(column),
            reason,
        )
    }
}

/// Line numbers from byte offsets. The csv crate's own line count is wrong for `\r\n` line
/// ends (Excel's), lone `\r` and blank lines, so lines are counted here: `\r\n`, `\n` and
/// a lone `\r` each end a line, as a text editor shows them.
struct LineIndex<'t> {
    text: &'t [u8],
    /// The offset just after each line end, in order.
    starts: Vec<usize>,
    /// How many of `starts` lay at or before the last offset asked about: records come in
    /// file order, so each look-up walks on from the last rather than searching afresh.
    passed: usize,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t [u8]) -> Self {
        let starts = text
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n')))
            .map(|(i, _)| i + 1)
            .collect();
        Self {
            text,
            starts,
            passed: 0,
        }
    }

    /// The 1-based line of the record the csv crate places at `byte`. That offset may be
    /// that of the blank lines before the record, or of the `\n` of the previous line's
    /// `\r\n`; no record starts with a line end, so those are skipped first.
    fn line_at(&mut self, byte: usize) -> u64 {
        let mut at = byte;
        while matches!(self.text.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        let last = self.passed.checked_sub(1).and_then(|i| self.starts.get(i));
        if last.is_some_and(|&start| start > at) {
            // Asked about an earlier offset than before: search from the start.
            self.passed = self.starts.partition_point(|&start| start <= at);
        }
        while self
            .starts
            .get(self.passed)
            .is_some_and(|&start| start <= at)
        {
            self.passed += 1;
        }
        u64::try_from(self.passed).map_or(u64::MAX, |n| n.saturating_add(1))
    }
}

/// The text as UTF-8, or an error naming the first byte that is not.
fn utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, IngestError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let offset = error.valid_up_to();
        let byte = bytes.get(offset).copied().unwrap_or_default();
        // A UTF-16 byte order mark is what Excel's "Unicode text" export starts with.
        let hint = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            "it looks like UTF-16 text; save it as \"CSV UTF-8\""
        } else {
            "save it as \"CSV UTF-8\""
        };
        IngestError::Malformed {
            file: file.to_owned(),
            message: format!(
                "is not UTF-8 text: the byte at offset {offset} (0x{byte:02X}) is not valid UTF-8; \
                 {hint}"
            ),
        }
    })
}

/// The csv crate's error in words: a row of the wrong length names its line and the counts.
fn describe_csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = pos.as_ref().map_or(0, csv::Position::line);
            format!(
                "line {line} has {len} values but the header has {expected_len} columns; every \
                 row needs one value (perhaps empty) per column"
            )
        }
        _ => error.to_string(),
    }
}

/// Picks the sheet to read: the named one (exactly, or else ignoring case and surrounding
/// spaces), or the first visible worksheet, or the first sheet of all.
fn choose_sheet(sheets: &[calamine::Sheet], wanted: Option<&str>) -> Result<String, String> {
    if let Some(wanted) = wanted {
        let found = sheets.iter().find(|s| s.name == wanted).or_else(|| {
            sheets
                .iter()
                .find(|s| s.name.trim().eq_ignore_ascii_case(wanted.trim()))
        });
        return match found {
            Some(sheet) => Ok(sheet.name.clone()),
            None => Err(format!(
                "has no sheet {wanted:?}; its sheets are: {}",
                sheets
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    sheets
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .or_else(|| sheets.first())
        .map(|s| s.name.clone())
        .ok_or_else(|| "has no sheets".to_owned())
}

/// The largest row and column numbers a spreadsheet has (Excel's, and LibreOffice's).
const MAX_ROW: u64 = 1_048_576;
const MAX_COLUMN: u64 = 16_384;

/// Refuses a workbook whose cell references (`<c r="B7">`, `<row r="7">`, `<dimension
/// ref="A1:F20">`) no spreadsheet could have. calamine reads them with unchecked arithmetic,
/// which overflows (a panic where overflow checks are on, as in tests and debug builds) on a
/// column of many letters, a row of many digits or a range that runs backwards; found by the
/// `values_xlsx` fuzz target. Anything else wrong with the file is left for calamine to
/// report, so this pass fails only on a reference.
fn check_cell_references(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index(index) else {
            continue;
        };
        let is_xml = part
            .name()
            .is_ok_and(|name| name.to_ascii_lowercase().ends_with(".xml"));
        if !is_xml {
            continue;
        }
        // Read as calamine reads a sheet, so that the same tags are seen.
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
        let config = reader.config_mut();
        config.check_end_names = false;
        config.check_comments = false;
        config.expand_empty_elements = true;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let tag = match reader.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Start(tag) | quick_xml::events::Event::Empty(tag)) => {
                    tag
                }
                Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                Ok(_) => continue,
            };
            let (attribute, is_range) = match tag.local_name().as_ref() {
                "c" | "row" => ("r", false),
                "dimension" => ("ref", true),
                _ => continue,
            };
            for (key, value) in raw_attributes(tag.attributes_raw()) {
                if key == attribute && !possible_reference(value, is_range) {
                    return Err(format!(
                        "is damaged: a worksheet refers to cell {value:?}, which no spreadsheet \
                         has (columns run from A to XFD and rows from 1 to {MAX_ROW})"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The `key="value"` pairs of a tag's attribute text, split as calamine splits them: up to
/// `=`, then a value in single or double quotes. Stops at the first malformed attribute,
/// where calamine stops too.
fn raw_attributes(raw: &str) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    let mut rest = raw;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let after = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let Some(quote) = after.chars().next().filter(|&q| q == '"' || q == '\'') else {
            break;
        };
        let body = after.get(1..).unwrap_or_default();
        let (value, remaining) = body.split_once(quote).unwrap_or((body, ""));
        pairs.push((
            key.trim_end_matches(|c: char| c.is_ascii_whitespace()),
            value,
        ));
        rest = remaining;
    }
    pairs
}

/// Whether `text` is a cell (`B7`, or `7` for a row) a spreadsheet can have, or for a range,
/// one cell or two (`A1:F20`) with the second not above or left of the first.
fn possible_reference(text: &str, is_range: bool) -> bool {
    let cells: Vec<&str> = if is_range {
        text.split(':').collect()
    } else {
        vec![text]
    };
    let mut parsed = Vec::new();
    for cell in &cells {
        let letters = cell.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (column, row) = cell.split_at(letters.min(cell.len()));
        if letters > 3
            || row.is_empty()
            || row.len() > 7
            || !row.bytes().all(|b| b.is_ascii_digit())
        {
            return false;
        }
        let column = column.bytes().fold(0u64, |n, b| {
            n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1
        });
        let row = row.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        if column > MAX_COLUMN || row == 0 || row > MAX_ROW {
            return false;
        }
        parsed.push((row, column));
    }
    match parsed.as_slice() {
        [_] => true,
        [(top, left), (bottom, right)] => top <= bottom && left <= right,
        _ => false,
    }
}

/// A cell as CSV text (see [`CsvTable::from_xlsx`]).
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
            if (hour, minute, second, milli) == (0, 0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            }
        }
        DataRef::DateTime(dt) => number_text(dt.as_f64()),
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// A number in its shortest decimal form that reads back as the same number: `12` for a
/// whole number, never an exponent (Rust's `Display` for `f64` has both properties).
fn number_text(value: f64) -> String {
    if value == 0.0 {
        // Also turns -0 into 0.
        "0".to_owned()
    } else {
        value.to_string()
    }
}

/// A 0-based column index as the spreadsheet's letters: 0 is `A`, 26 is `AA`.
fn column_letters(column: u32) -> String {
    let mut n = u64::from(column) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_in_any_case_and_order() {
        let table = CsvTable::parse("t.csv", "\u{feff}B,a\n 2 ,1\n").unwrap();
        let row = table.rows().next().unwrap();
        assert_eq!((row.get("A"), row.get("b"), row.line()), ("1", "2", 2));
        assert!(table.require(&["a", "c"]).is_err());
        assert_eq!(
            row.raw(),
            [("B".to_owned(), " 2 ".to_owned()), ("a".into(), "1".into())]
        );
    }

    #[test]
    fn errors_name_file_line_column_and_value() {
        let table = CsvTable::parse("t.csv", "n\nx\n").unwrap();
        let row = table.rows().next().unwrap();
        let error = row
            .parse_with("n", str::parse::<u32>)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "t.csv, line 2, column n: \"x\" invalid digit found in string"
        );
    }

    #[test]
    fn ragged_rows_are_malformed() {
        let error = CsvTable::parse("t.csv", "a,b\n1,2\n1\n").err().unwrap();
        assert!(matches!(error, IngestError::Malformed { .. }));
        assert_eq!(
            error.to_string(),
            "t.csv: line 3 has 1 values but the header has 2 columns; every row needs one value \
             (perhaps empty) per column"
        );
    }

    #[test]
    fn line_numbers_count_every_kind_of_line_end_and_blank_lines() {
        let lines = |text: &str| -> Vec<u64> {
            let table = CsvTable::parse("t.csv", text).unwrap();
            table.rows().map(|r| r.line()).collect()
        };
        assert_eq!(lines("a,b\n\"x\ny\",1\n\n2,3\n"), [2, 5]);
        assert_eq!(lines("a,b\r\n1,1\r\n\r\n2,3\r\n"), [2, 4]);
        assert_eq!(lines("a,b\r1,2\r3,4\r"), [2, 3]);
        assert_eq!(lines("\u{feff}\n\na,b\n1,2"), [4]);
        assert_eq!(lines("a,b\r\n\"x\r\ny\",1\r\n2,3"), [2, 4]);
    }

    #[test]
    fn read_chooses_by_extension() {
        let table = CsvTable::read("Return.CSV", b"a\n1\n", Some("ignored")).unwrap();
        assert_eq!(table.rows().count(), 1);
        assert!(CsvTable::read("r.txt", b"a\n1\n", None).is_ok());
        let error = CsvTable::read("r.ods", b"", None)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            error,
            "r.ods: is not a kind of file h2h reads: expected a .csv or .txt file \
             (comma-separated, UTF-8) or an Excel workbook (.xlsx or .xlsm)"
        );
        let error = CsvTable::read("noextension", b"", None).err().unwrap();
        assert!(
            error.to_string().contains("is not a kind of file"),
            "{error}"
        );
        let error = CsvTable::read("old.xls", b"", None).err().unwrap();
        assert!(error.to_string().contains("save it as .xlsx"), "{error}");
    }

    #[test]
    fn csv_must_be_utf8_and_the_first_bad_byte_is_named() {
        let error = CsvTable::read("r.csv", b"a\nok\n\xe9t\xe9\n", None)
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            error,
            "r.csv: is not UTF-8 text: the byte at offset 5 (0xE9) is not valid UTF-8; save it \
             as \"CSV UTF-8\""
        );
        let error = CsvTable::read("r.csv", b"\xff\xfea\x00", None)
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("offset 0 (0xFF)"), "{error}");
        assert!(error.contains("UTF-16"), "{error}");
    }

    #[test]
    fn unknown_and_repeated_columns_are_found() {
        let table = CsvTable::parse("t.csv", "a,Extra,A\n1,2,3\n").unwrap();
        assert_eq!(table.unknown_columns(&["a"]), ["Extra"]);
        assert_eq!(table.rows().next().unwrap().get("a"), "1");
        assert_eq!(
            table.require_unique(&["a"]).unwrap_err().to_string(),
            "t.csv: the header has the column \"a\" 2 times; keep only one"
        );
    }

    #[test]
    fn numbers_are_written_shortest() {
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number_text(45.5), "45.5");
        assert_eq!(number_text(1e21), "1000000000000000000000");
        assert_eq!(number_text(1.5e-7), "0.00000015");
    }

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        let letters: Vec<String> = [0, 25, 26, 701, 702, 16383]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(letters, ["A", "Z", "AA", "ZZ", "AAA", "XFD"]);
    }

    mod xlsx {
        use super::*;
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

        fn workbook() -> Vec<u8> {
            let mut book = Workbook::new();
            let date = Format::new().set_num_format("yyyy-mm-dd");
            let notes = book.add_worksheet();
            notes.set_name("Notes").unwrap();
            notes.write_string(0, 0, "Read me").unwrap();
            let sheet = book.add_worksheet();
            sheet.set_name("Returns").unwrap();
            // A blank first row: the header is the first row with anything in it.
            for (col, name) in ["Metric_ID", "period", "numerator", "when", "flag"]
                .iter()
                .enumerate()
            {
                sheet
                    .write_string(1, u16::try_from(col).unwrap(), *name)
                    .unwrap();
            }
            sheet.write_string(2, 0, "local.a").unwrap();
            sheet.write_string(2, 1, "2024/25-Q1").unwrap();
            sheet.write_number(2, 2, 12.0).unwrap();
            let when = ExcelDateTime::from_ymd(2024, 6, 30).unwrap();
            sheet
                .write_datetime_with_format(2, 3, &when, &date)
                .unwrap();
            sheet.write_boolean(2, 4, true).unwrap();
            // Row 4 is left empty and skipped; row 5 has a fraction and a blank cell.
            sheet.write_string(4, 0, "local.b").unwrap();
            sheet.write_number(4, 2, 0.125).unwrap();
            book.save_to_buffer().unwrap()
        }

        #[test]
        fn a_named_sheet_reads_back_as_csv_would() {
            let bytes = workbook();
            let table = CsvTable::from_xlsx("r.xlsx", &bytes, Some("returns")).unwrap();
            assert_eq!(table.sheet(), Some("Returns"));
            assert_eq!(
                table.headers(),
                ["Metric_ID", "period", "numerator", "when", "flag"]
            );
            let rows: Vec<Vec<(String, String)>> = table.rows().map(|r| r.raw()).collect();
            let values: Vec<Vec<&str>> = rows
                .iter()
                .map(|r| r.iter().map(|(_, v)| v.as_str()).collect())
                .collect();
            assert_eq!(
                values,
                [
                    vec!["local.a", "2024/25-Q1", "12", "2024-06-30", "true"],
                    vec!["local.b", "", "0.125", "", ""],
                ]
            );
            let lines: Vec<u64> = table.rows().map(|r| r.line()).collect();
            assert_eq!(lines, [3, 5]);
            let row = table.rows().nth(1).unwrap();
            assert_eq!(row.get("metric_id"), "local.b");
            assert_eq!(
                row.error("numerator", "is not whole").to_string(),
                "r.xlsx, sheet Returns, row 5, column numerator: \"0.125\" is not whole"
            );
            assert_eq!(
                table.require(&["area_code"]).unwrap_err().to_string(),
                "r.xlsx, sheet Returns: the header has no column \"area_code\""
            );
        }

        #[test]
        fn the_first_sheet_is_the_default_and_a_wrong_name_lists_the_sheets() {
            let bytes = workbook();
            let table = CsvTable::read("r.XLSX", &bytes, None).unwrap();
            assert_eq!(table.sheet(), Some("Notes"));
            assert_eq!(table.headers(), ["Read me"]);
            let error = CsvTable::read("r.xlsm", &bytes, Some("Data"))
                .err()
                .unwrap()
                .to_string();
            assert_eq!(
                error,
                "r.xlsm: has no sheet \"Data\"; its sheets are: Notes, Returns"
            );
        }

        #[test]
        fn a_value_under_no_header_is_kept_under_its_column_letter() {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            sheet.write_string(0, 0, "a").unwrap();
            sheet.write_string(1, 0, "1").unwrap();
            sheet.write_string(1, 2, "stray").unwrap();
            let bytes = book.save_to_buffer().unwrap();
            let table = CsvTable::from_xlsx("r.xlsx", &bytes, None).unwrap();
            assert_eq!(table.unknown_columns(&["a"]), ["(column C)"]);
            assert_eq!(
                table.rows().next().unwrap().raw(),
                [
                    ("a".to_owned(), "1".to_owned()),
                    ("(column C)".into(), "stray".into())
                ]
            );
        }

        #[test]
        fn impossible_cell_references_are_refused_before_calamine_reads_them() {
            for (good, is_range) in [
                ("A1", false),
                ("xfd1048576", false),
                ("7", false),
                ("A1:F20", true),
                ("B2", true),
            ] {
                assert!(possible_reference(good, is_range), "{good}");
            }
            for (bad, is_range) in [
                ("AAAAAAAAAA1", false),
                ("A99999999999", false),
                ("XFE1", false),
                ("A0", false),
                ("A", false),
                ("", false),
                ("A1$", false),
                ("B2:A1", true),
                ("A2:B1", true),
                ("A1:B2:C3", true),
            ] {
                assert!(!possible_reference(bad, is_range), "{bad}");
            }
            assert_eq!(
                raw_attributes(r#" r="A1" s = '3' t="s"  x"#),
                [("r", "A1"), ("s", "3"), ("t", "s")]
            );
            // A workbook with a column of ten letters, which overflowed calamine's arithmetic.
            let bytes = workbook();
            let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
            let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for index in 0..archive.len() {
                let mut part = archive.by_index(index).unwrap();
                let name = part.name().unwrap().into_owned();
                let mut text = Vec::new();
                std::io::Read::read_to_end(&mut part, &mut text).unwrap();
                if name == "xl/worksheets/sheet2.xml" {
                    let damaged = String::from_utf8(text)
                        .unwrap()
                        .replace("r=\"A3\"", "r=\"AAAAAAAAAA3\"");
                    text = damaged.into_bytes();
                }
                out.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut out, &text).unwrap();
            }
            let damaged = out.finish().unwrap().into_inner();
            let error = CsvTable::from_xlsx("r.xlsx", &damaged, Some("Returns"))
                .err()
                .unwrap();
            assert_eq!(
                error.to_string(),
                "r.xlsx: is damaged: a worksheet refers to cell \"AAAAAAAAAA3\", which no \
                 spreadsheet has (columns run from A to XFD and rows from 1 to 1048576)"
            );
        }

        #[test]
        fn an_empty_sheet_has_no_columns() {
            let mut book = Workbook::new();
            book.add_worksheet();
            let bytes = book.save_to_buffer().unwrap();
            let table = CsvTable::from_xlsx("r.xlsx", &bytes, None).unwrap();
            assert!(table.headers().is_empty());
            assert_eq!(table.rows().count(), 0);
        }

        #[test]
        fn bytes_that_are_not_a_workbook_are_malformed() {
            let error = CsvTable::read("r.xlsx", b"metric_id\n", None)
                .err()
                .unwrap();
            assert!(matches!(error, IngestError::Malformed { .. }), "{error}");
            assert!(
                error
                    .to_string()
                    .starts_with("r.xlsx: is not a readable Excel workbook: "),
                "{error}"
            );
        }
    }
}
