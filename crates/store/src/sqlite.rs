//! The embedded SQLite store.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;

/// The schema's migrations for this backend, in order.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "reference",
        include_str!("../migrations/sqlite/0001_reference.sql"),
    ),
    (
        "references",
        include_str!("../migrations/sqlite/0002_references.sql"),
    ),
    (
        "returns",
        include_str!("../migrations/sqlite/0003_returns.sql"),
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
            // A 64 MB page cache keeps the indexes of a large import in memory.
            .pragma("cache_size", "-65536")
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
