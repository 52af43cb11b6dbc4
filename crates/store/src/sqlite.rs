//! The embedded SQLite store.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;

/// The schema's migrations for this backend: version (the file's number), description, SQL.
/// Versions are the files' numbers rather than positions in this list, so migrations added
/// on different branches keep their versions when the branches meet.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "reference",
        include_str!("../migrations/sqlite/0001_reference.sql"),
    ),
    (
        2,
        "references",
        include_str!("../migrations/sqlite/0002_references.sql"),
    ),
    (
        3,
        "returns",
        include_str!("../migrations/sqlite/0003_returns.sql"),
    ),
    (
        4,
        "series",
        include_str!("../migrations/sqlite/0004_series.sql"),
    ),
    (
        5,
        "plans",
        include_str!("../migrations/sqlite/0005_plans.sql"),
    ),
    (
        7,
        "partnerships",
        include_str!("../migrations/sqlite/0007_partnerships.sql"),
    ),
    (
        8,
        "signed reports",
        include_str!("../migrations/sqlite/0008_signed_reports.sql"),
    ),
    (
        9,
        "records",
        include_str!("../migrations/sqlite/0009_records.sql"),
    ),
    (
        10,
        "accounts",
        include_str!("../migrations/sqlite/0010_accounts.sql"),
    ),
    (
        11,
        "submission encoding",
        include_str!("../migrations/sqlite/0011_submission_encoding.sql"),
    ),
];
use crate::implementation::{implement_store, migrator};

/// A store in an SQLite file (or in memory, for tests).
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the SQLite database at `url` and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // A 128 MB page cache keeps the indexes of a large import in memory.
            .pragma("cache_size", "-131072")
            .pragma("temp_store", "memory");
        // An in-memory database lives as long as its one connection.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(options)
            .await?;
        migrator(MIGRATIONS).run(&pool).await?;
        Ok(Self { pool })
    }
}

implement_store!(SqliteStore, crate::Backend::Sqlite);

/// Inserts a return's revisions, current, for `submission_id` within `tx`; a revision without
/// a source of its own takes the submission's.
///
/// sqlx binds each parameter through a channel to its worker thread and copies it on the way,
/// which made a million-row return take tens of seconds. Here the rows go through one
/// prepared statement on the same connection (so inside the same transaction), which is
/// what SQLite is fastest at.
pub(crate) async fn insert_observations(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    revisions: &[crate::implementation::SeriesRevision<'_>],
    submission_id: i64,
    submission: &crate::NewSubmission<'_>,
) -> Result<(), StoreError> {
    let mut handle = tx.lock_handle().await?;
    let raw = handle.as_raw_handle();
    // SAFETY: `raw` is the open connection that `handle` keeps locked for us until it is
    // dropped, after `connection` (declared later, so dropped first). `from_handle` makes a
    // connection that does not own the handle and so never closes it, and rusqlite 0.32 is
    // built on the same libsqlite3-sys as sqlx, so both use one SQLite library.
    #[allow(unsafe_code)]
    let connection = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
    let insert = || -> Result<(), rusqlite::Error> {
        let mut statement = connection.prepare(
            "INSERT INTO observations (series_id, period, revision, is_current, numerator, denominator, \
             value, lower_ci, upper_ci, status, source, note, submission_id, published) \
             VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let published = i64::from(submission.published);
        // A return repeats a few periods many times: write each code once.
        let mut period_codes: std::collections::HashMap<h2h_domain::Period, String> =
            std::collections::HashMap::new();
        for keyed in revisions {
            let revision = keyed.revision;
            let o = &revision.observation;
            let period = period_codes
                .entry(o.key.period)
                .or_insert_with(|| o.key.period.code());
            statement.raw_bind_parameter(1, keyed.series_id)?;
            statement.raw_bind_parameter(2, period.as_str())?;
            statement.raw_bind_parameter(3, revision.revision)?;
            statement.raw_bind_parameter(4, o.numerator)?;
            statement.raw_bind_parameter(5, o.denominator)?;
            statement.raw_bind_parameter(6, o.value)?;
            statement.raw_bind_parameter(7, o.lower_ci)?;
            statement.raw_bind_parameter(8, o.upper_ci)?;
            statement.raw_bind_parameter(9, o.status.code())?;
            statement.raw_bind_parameter(10, o.source.as_deref().or(submission.source))?;
            statement.raw_bind_parameter(11, o.note.as_deref())?;
            statement.raw_bind_parameter(12, submission_id)?;
            statement.raw_bind_parameter(13, published)?;
            statement.raw_execute()?;
        }
        Ok(())
    };
    // The loop runs on this thread without yielding; on a multi-threaded runtime, tell it so
    // that other tasks (a server's requests) move to other workers meanwhile.
    let inserted = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(insert),
        _ => insert(),
    };
    drop(connection);
    tracing::debug!(rows = revisions.len(), "observations inserted");
    inserted?;
    Ok(())
}
