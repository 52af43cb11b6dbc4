//! The errors that stop an extract being read or written as a whole.
//!
//! A bad row is not an error: it is a [`crate::Rejection`] kept beside the accepted rows.

use std::path::PathBuf;

/// Why an extract as a whole could not be read, generated or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The folder or one of its files could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The folder holds none of the files of `records.md`.
    #[error("{path} holds none of the extract's files (referrals.csv, drug_tests.csv, ...)")]
    NoFiles {
        /// The folder.
        path: PathBuf,
    },
    /// A file has no header row.
    #[error("{file}: the file is empty; it needs a header row naming its columns")]
    NoHeader {
        /// The file name.
        file: &'static str,
    },
    /// A required column is missing from a file's header.
    #[error("{file}: the header has no column `{column}`, which this file requires")]
    MissingColumn {
        /// The file name.
        file: &'static str,
        /// The column name.
        column: &'static str,
    },
    /// A column is named twice in a file's header.
    #[error("{file}: the header names the column `{column}` twice")]
    DuplicateColumn {
        /// The file name.
        file: &'static str,
        /// The column name as written.
        column: String,
    },
    /// The CSV could not be parsed at all past some point (not a row rule, which rejects the row).
    #[error("{file}: line {line}: {message}")]
    Csv {
        /// The file name.
        file: &'static str,
        /// The line where reading stopped.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// More distinct values than the columnar model can index (for example over 65,535 areas).
    #[error("{what}: more than {limit} distinct values")]
    TooMany {
        /// What overflowed.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// The generator was asked for something it cannot make.
    #[error("cannot generate: {0}")]
    Generate(String),
}

impl RecordsError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
