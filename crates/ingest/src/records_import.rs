//! Importing a client-level extract (`../shared/spec/records.md`): a folder of CSV files read
//! by the records engine, checked against the store's local authorities and custom areas,
//! encoded and saved as the service's next version, with every rejected row and warning.
//!
//! The same extract imported again (the same content fingerprint as the service's current
//! version) writes nothing; a different extract for the same service becomes its new current
//! version and the previous one is kept.

use std::path::Path;

use h2h_domain::AreaCode;
use h2h_records::{KnownAreas, ReadExtract, RecordsError, fingerprint_dir, read_extract};
use h2h_store::{
    NewRecordExtract, RecordExtract, RecordFileCount, RecordRejection, RecordWarning, Store,
    StoreError,
};

/// Why an extract could not be imported at all (rows rejected are not this).
#[derive(Debug, thiserror::Error)]
pub enum RecordsImportError {
    /// The folder or one of its files cannot be read as an extract.
    #[error(transparent)]
    Read(#[from] RecordsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What importing an extract did.
#[derive(Debug, Clone)]
pub struct RecordsImport {
    /// The version saved, or the current one when the extract was already held.
    pub extract: RecordExtract,
    /// Whether the extract was the service's current version already (then nothing was
    /// written, and the counts and rejections are the stored ones).
    pub unchanged: bool,
    /// Every rejected row, in the order found.
    pub rejected: Vec<RecordRejection>,
}

/// The codes an extract may use: the store's local authorities and custom areas
/// (partnerships, DIP areas and other groupings defined by users).
pub async fn known_areas(store: &dyn Store) -> Result<KnownAreas, RecordsImportError> {
    let codes: Vec<AreaCode> = store
        .areas(None)
        .await?
        .into_iter()
        .filter(|a| KnownAreas::is_local_authority_code(&a.code) || a.kind.is_grouping())
        .map(|a| a.code)
        .collect();
    Ok(KnownAreas::new(codes)?)
}

/// Imports the extract in `dir` as `service`'s next version, submitted by `submitted_by`.
///
/// The fingerprint comes first, so an extract already held costs one read of its bytes and
/// no parsing; a service's first extract is fingerprinted by the read itself.
pub async fn import_records(
    store: &dyn Store,
    dir: &Path,
    service: &str,
    submitted_by: &str,
) -> Result<RecordsImport, RecordsImportError> {
    let held = store
        .record_extracts(Some(service))
        .await?
        .into_iter()
        .find(|e| e.current);
    if let Some(current) = held {
        let fingerprint = fingerprint_dir(dir)?.to_string();
        if fingerprint == current.fingerprint {
            let rejected = store.record_rejections(current.id).await?;
            return Ok(RecordsImport {
                extract: current,
                unchanged: true,
                rejected,
            });
        }
    }
    let known = known_areas(store).await?;
    let started = std::time::Instant::now();
    let read = read_extract(dir, &known)?;
    let read_at = started.elapsed();
    let encoded = read.extract.to_bytes();
    tracing::debug!(read = ?read_at, encoded = ?started.elapsed(), bytes = encoded.len(), "extract read and encoded");
    let ReadExtract {
        extract,
        files,
        rejections,
        warnings,
        fingerprint,
    } = read;
    let total_rows = extract.total_rows() as u64;
    drop(extract);
    let files: Vec<RecordFileCount> = files
        .iter()
        .map(|f| RecordFileCount {
            file: f.file.file_name().to_owned(),
            present: f.present,
            accepted: f.accepted,
            rejected: f.rejected,
        })
        .collect();
    let warnings: Vec<RecordWarning> = warnings
        .into_iter()
        .map(|w| RecordWarning {
            file: w.file.to_owned(),
            line: w.line,
            column: w.column,
            message: w.message,
        })
        .collect();
    let rejected: Vec<RecordRejection> = rejections
        .into_iter()
        .map(|r| RecordRejection {
            file: r.file.to_owned(),
            line: r.line,
            column: r.column,
            value: r.value,
            reason: r.reason,
        })
        .collect();
    let fingerprint = fingerprint.to_string();
    let submitted_at = crate::submit::now();
    let saved = store
        .save_record_extract(&NewRecordExtract {
            service,
            fingerprint: &fingerprint,
            submitted_by,
            submitted_at: &submitted_at,
            files: &files,
            warnings: &warnings,
            rejected: &rejected,
            total_rows,
            encoded: &encoded,
        })
        .await?;
    tracing::debug!(saved = ?started.elapsed(), "extract saved");
    Ok(RecordsImport {
        extract: saved,
        unchanged: false,
        rejected,
    })
}
