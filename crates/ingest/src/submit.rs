//! Recording an aggregate return: the file as received, its rejected rows with reasons, and a
//! new revision for every value that is new or changed. Nothing is overwritten, and a file
//! already received changes nothing.

use std::collections::{BTreeSet, HashMap};

use h2h_domain::{MetricId, Observation, ValueKey};
use h2h_store::{
    NewRevision, NewSubmission, PackedContent, RejectedRowRecord, Store, StoreError,
    StoredObservation,
};
use sha2::{Digest, Sha256};

use crate::csv_table::{CsvTable, IngestError};
use crate::returns::{ImportContext, RejectedRow, read_values};

/// Why a return could not be imported at all (as opposed to rows being rejected).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as a table with the required columns.
    #[error(transparent)]
    File(#[from] IngestError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What importing a return did.
#[derive(Debug, Default)]
pub struct ValuesImport {
    /// The submission recorded, or the earlier one when the same file was already received.
    pub submission_id: Option<i64>,
    /// Whether this exact file had been received before (then nothing was written).
    pub already_received: bool,
    /// Rows stored as new values or new revisions.
    pub accepted: usize,
    /// Rows refused, with reasons.
    pub rejected: Vec<RejectedRow>,
    /// Rows identical to the value already held.
    pub unchanged: usize,
}

/// Who sends a return and what it says about itself.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    /// The account or person sending.
    pub submitted_by: &'a str,
    /// The publisher or publication, applied to rows that name none.
    pub source: Option<&'a str>,
    /// Whether the return holds published (official) statistics rather than unpublished
    /// management information.
    pub published: bool,
}

/// Builds the look-ups a return is checked against from the store.
pub async fn import_context(store: &dyn Store) -> Result<ImportContext, StoreError> {
    let metrics = store.metrics().await?;
    let outcomes = store.outcomes().await?;
    let areas = store.areas(None).await?;
    let changes = store.code_changes().await?;
    let codes = areas
        .into_iter()
        .map(|a| (a.code.clone(), a.code))
        .chain(changes.into_iter().map(|c| (c.old_code, c.new_code)));
    Ok(ImportContext::new(&metrics, codes).with_outcomes(outcomes.into_iter().map(|o| o.id)))
}

/// Imports a values return (`values.csv` or an Excel workbook) from its bytes.
pub async fn import_values(
    store: &dyn Store,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    sender: Sender<'_>,
) -> Result<ValuesImport, ImportError> {
    let started = std::time::Instant::now();
    let context = import_context(store).await?;
    // The file is digested and packed for keeping on one core while it is read and checked
    // on the others: for a large return, that work is then off the clock.
    let (parsed, packed) = std::thread::scope(|scope| {
        let packing = scope.spawn(|| (hex(&Sha256::digest(bytes)), PackedContent::pack(bytes)));
        let parsed =
            CsvTable::read(file_name, bytes, sheet).and_then(|table| read_values(&table, &context));
        (parsed, packing.join())
    });
    let parsed = parsed?;
    // As when a thread checking the rows fails (`read_values`).
    let (sha256, packed) = packed.map_err(|_| IngestError::Malformed {
        file: file_name.to_owned(),
        message: "could not be kept: the thread packing it failed".to_owned(),
    })?;
    tracing::debug!(checked = ?started.elapsed(), rows = parsed.accepted.len(), "return parsed");
    if let Some(earlier) = store.find_submission("values", &sha256).await? {
        return Ok(ValuesImport {
            submission_id: Some(earlier.id),
            already_received: true,
            accepted: 0,
            unchanged: parsed.accepted.len(),
            rejected: parsed.rejected,
        });
    }
    let metrics: BTreeSet<&MetricId> = parsed
        .accepted
        .iter()
        .map(|(_, o)| &o.key.metric_id)
        .collect();
    let metrics: Vec<MetricId> = metrics.into_iter().cloned().collect();
    let current: HashMap<ValueKey, StoredObservation> = store
        .current_observations(Some(&metrics))
        .await?
        .into_iter()
        .map(|s| (s.observation.key.clone(), s))
        .collect();
    // In key order, as read: the order of the store's index. Rows without a source of their
    // own are stored with the sender's (the submission's source).
    let mut revisions = Vec::with_capacity(parsed.accepted.len());
    let mut unchanged = 0;
    for (_, observation) in &parsed.accepted {
        let held = if current.is_empty() {
            None
        } else {
            current.get(&observation.key)
        };
        match held {
            Some(held) if same_figures(&held.observation, observation) => unchanged += 1,
            Some(held) => revisions.push(NewRevision {
                observation,
                revision: held.revision + 1,
                replaces: Some(held.id),
            }),
            None => revisions.push(NewRevision {
                observation,
                revision: 1,
                replaces: None,
            }),
        }
    }
    tracing::debug!(diffed = ?started.elapsed(), "return compared with the values held");
    let rejected: Vec<RejectedRowRecord> = parsed.rejected.iter().map(record).collect();
    let submitted_at = now();
    let recorded = store
        .record_return(
            &NewSubmission {
                kind: "values",
                file_name,
                content: &packed,
                content_sha256: &sha256,
                submitted_by: sender.submitted_by,
                submitted_at: &submitted_at,
                source: sender.source,
                published: sender.published,
            },
            &revisions,
            &rejected,
            u64::try_from(unchanged).unwrap_or(u64::MAX),
        )
        .await?;
    tracing::debug!(recorded = ?started.elapsed(), "return recorded");
    Ok(ValuesImport {
        submission_id: Some(recorded.submission_id),
        already_received: false,
        accepted: revisions.len(),
        rejected: parsed.rejected,
        unchanged,
    })
}

/// Whether two observations of a key carry the same figures (a changed note or source alone
/// is not a new revision; a changed status is).
fn same_figures(a: &Observation, b: &Observation) -> bool {
    a.numerator == b.numerator
        && a.denominator == b.denominator
        && a.value == b.value
        && a.lower_ci == b.lower_ci
        && a.upper_ci == b.upper_ci
        && a.status == b.status
}

fn record(row: &RejectedRow) -> RejectedRowRecord {
    RejectedRowRecord {
        line: row.line,
        column: row.column.clone(),
        value: row.value.clone(),
        reason: row.reason.clone(),
        raw: row.raw.clone(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The time now, as RFC 3339 text.
pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
