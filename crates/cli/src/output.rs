//! Printing records as an aligned table, CSV or JSON.

use std::io::Write;

use anyhow::Context;
use serde::Serialize;

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// A JSON array, the same as the API's.
    Json,
    /// CSV with a header row.
    Csv,
}

/// A listing: column headers, and for each record its JSON object and its cells.
pub struct Listing<T> {
    /// Column names for the table and CSV.
    pub headers: &'static [&'static str],
    /// The records.
    pub records: Vec<T>,
    /// A record's cells, in header order.
    pub cells: fn(&T) -> Vec<String>,
}

impl<T: Serialize> Listing<T> {
    /// Prints the listing to standard output in `format`.
    pub fn print(&self, format: Format) -> anyhow::Result<()> {
        match self.write(format) {
            // A reader that stops early (`| head`) is not an error.
            Err(error) if is_broken_pipe(&error) => Ok(()),
            other => other,
        }
    }

    fn write(&self, format: Format) -> anyhow::Result<()> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &self.records)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(&mut out);
                writer.write_record(self.headers)?;
                for record in &self.records {
                    writer.write_record((self.cells)(record))?;
                }
                writer.flush()?;
            }
            Format::Table => {
                let rows: Vec<Vec<String>> = self.records.iter().map(self.cells).collect();
                let mut widths: Vec<usize> =
                    self.headers.iter().map(|h| h.chars().count()).collect();
                for row in &rows {
                    for (width, cell) in widths.iter_mut().zip(row) {
                        *width = (*width).max(cell.chars().count());
                    }
                }
                let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
                    let padded: Vec<String> = cells
                        .zip(&widths)
                        .map(|(cell, width)| format!("{cell:<width$}"))
                        .collect();
                    padded.join("  ").trim_end().to_owned()
                };
                writeln!(out, "{}", line(&mut self.headers.iter().copied()))?;
                for row in &rows {
                    writeln!(out, "{}", line(&mut row.iter().map(String::as_str)))?;
                }
            }
        }
        out.flush().context("cannot write to standard output")
    }
}

/// Prints one JSON document (an object rather than a listing) to standard output.
pub fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    let write = || -> anyhow::Result<()> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        out.flush().context("cannot write to standard output")
    };
    match write() {
        Err(error) if is_broken_pipe(&error) => Ok(()),
        other => other,
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
