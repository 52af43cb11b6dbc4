//! Client-level record extracts as stored: each version of a service's extract with its
//! per-file counts, warnings and rejected rows, and the encoded extract in chunks.
//!
//! The store does not know the extract's structure: it keeps the bytes the records engine
//! encoded (`Extract::to_bytes`) and gives them back whole.

use serde::{Deserialize, Serialize};

/// The largest chunk of an encoded extract in one row: 64 MiB, well inside SQLite's default
/// blob limit (1,000,000,000 bytes) and PostgreSQL's `bytea` limit (1 GiB).
pub const RECORD_CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// What one file of an extract held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFileCount {
    /// The file name, e.g. `referrals.csv`.
    pub file: String,
    /// Whether the file was in the extract.
    pub present: bool,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// A warning about an extract: an unknown column or an unrecognised substance name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordWarning {
    /// The file.
    pub file: String,
    /// The line, when the warning is about one row.
    pub line: Option<u64>,
    /// The column, when it is about one.
    pub column: Option<String>,
    /// What was found, in words.
    pub message: String,
}

/// A rejected row of an extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRejection {
    /// The file.
    pub file: String,
    /// The line (the header is line 1).
    pub line: u64,
    /// The column.
    pub column: String,
    /// The value found.
    pub value: String,
    /// Why the row was rejected, in words a person can act on.
    pub reason: String,
}

/// An extract to save as the service's next version.
#[derive(Debug, Clone)]
pub struct NewRecordExtract<'a> {
    /// The service the extract comes from (a DIP team, a provider...).
    pub service: &'a str,
    /// The content fingerprint of the extract's files.
    pub fingerprint: &'a str,
    /// Who imported it.
    pub submitted_by: &'a str,
    /// When (RFC 3339).
    pub submitted_at: &'a str,
    /// Per-file counts, in the spec's order of files.
    pub files: &'a [RecordFileCount],
    /// Warnings.
    pub warnings: &'a [RecordWarning],
    /// Rejected rows.
    pub rejected: &'a [RecordRejection],
    /// Accepted rows over every file.
    pub total_rows: u64,
    /// The encoded extract.
    pub encoded: &'a [u8],
}

/// A stored extract version, without its bytes or rejected rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordExtract {
    /// Its id.
    pub id: i64,
    /// The service.
    pub service: String,
    /// 1 for the service's first extract, then 2, 3...
    pub version: i64,
    /// The content fingerprint of its files.
    pub fingerprint: String,
    /// Who imported it.
    pub submitted_by: String,
    /// When (RFC 3339).
    pub submitted_at: String,
    /// Per-file counts.
    pub files: Vec<RecordFileCount>,
    /// Warnings.
    pub warnings: Vec<RecordWarning>,
    /// Accepted rows over every file.
    pub total_rows: u64,
    /// Rejected rows over every file.
    pub rejected_rows: u64,
    /// Size of the encoded extract.
    pub encoded_bytes: u64,
    /// Whether it is the service's current version.
    pub current: bool,
}

/// A stored extract's row: id, service, version, fingerprint, submitted by, at, files (JSON),
/// warnings (JSON), total rows, rejected rows, encoded bytes, current.
pub(crate) type RecordExtractRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
);

/// The columns of [`RecordExtractRow`].
pub(crate) const RECORD_EXTRACT_COLUMNS: &str = "id, service, version, fingerprint, submitted_by, \
     submitted_at, files, warnings, total_rows, rejected_rows, encoded_bytes, is_current";

/// A stored extract from its row.
pub(crate) fn record_extract(
    (
        id,
        service,
        version,
        fingerprint,
        submitted_by,
        submitted_at,
        files,
        warnings,
        total_rows,
        rejected_rows,
        encoded_bytes,
        current,
    ): RecordExtractRow,
) -> Result<RecordExtract, crate::StoreError> {
    let corrupt =
        |e: serde_json::Error| crate::StoreError::Corrupt(format!("record extract {id}: {e}"));
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(RecordExtract {
        id,
        service,
        version,
        fingerprint,
        submitted_by,
        submitted_at,
        files: serde_json::from_str(&files).map_err(corrupt)?,
        warnings: serde_json::from_str(&warnings).map_err(corrupt)?,
        total_rows: count(total_rows),
        rejected_rows: count(rejected_rows),
        encoded_bytes: count(encoded_bytes),
        current: current != 0,
    })
}
