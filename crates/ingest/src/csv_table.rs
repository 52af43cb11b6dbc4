//! A small reader for CSV files with a header row: columns found by name, case-insensitively
//! and in any order, with errors that say where a value came from.

use std::collections::HashMap;

/// Why a file could not be read, with where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The file is not readable CSV.
    #[error("{file}: {message}")]
    Malformed {
        /// The file's name.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A required column is missing from the header.
    #[error("{file}: the header has no column {column:?}")]
    MissingColumn {
        /// The file's name.
        file: String,
        /// The column that was expected.
        column: String,
    },
    /// A value could not be used.
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
}

/// A parsed CSV file: its name, header index and records with their line numbers.
pub struct CsvTable {
    file: String,
    columns: HashMap<String, usize>,
    headers: Vec<String>,
    records: Vec<csv::StringRecord>,
}

/// One record of a [`CsvTable`], able to look values up by column name.
pub struct Row<'a> {
    table: &'a CsvTable,
    record: &'a csv::StringRecord,
}

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
            message: error.to_string(),
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(malformed)?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_lowercase(), i))
            .collect();
        let records = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(malformed)?;
        Ok(Self {
            file: file.to_owned(),
            columns,
            headers,
            records,
        })
    }

    /// The file's name, as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The header's column names, in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Fails unless every named column is in the header.
    pub fn require(&self, names: &[&str]) -> Result<(), IngestError> {
        match names
            .iter()
            .find(|n| !self.columns.contains_key(&n.to_lowercase()))
        {
            Some(missing) => Err(IngestError::MissingColumn {
                file: self.file.clone(),
                column: (*missing).to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// The rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |record| Row {
            table: self,
            record,
        })
    }
}

impl Row<'_> {
    /// The 1-based line of the file the row started on.
    pub fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// The trimmed value of a column; empty when the column is absent.
    pub fn get(&self, column: &str) -> &str {
        self.table
            .columns
            .get(&column.to_lowercase())
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    /// The value of a column, or `None` when it is blank.
    pub fn optional(&self, column: &str) -> Option<&str> {
        Some(self.get(column)).filter(|v| !v.is_empty())
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
        IngestError::BadValue {
            file: self.table.file.clone(),
            line: self.line(),
            column: column.to_owned(),
            value: self.get(column).to_owned(),
            reason: reason.into(),
        }
    }
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
        assert!(matches!(
            CsvTable::parse("t.csv", "a,b\n1\n"),
            Err(IngestError::Malformed { .. })
        ));
    }
}
