//! The PostgreSQL store.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::StoreError;

/// The schema's migrations for this backend: version (the file's number), description, SQL.
/// Versions are the files' numbers rather than positions in this list, so migrations added
/// on different branches keep their versions when the branches meet.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "reference",
        include_str!("../migrations/postgres/0001_reference.sql"),
    ),
    (
        2,
        "references",
        include_str!("../migrations/postgres/0002_references.sql"),
    ),
    (
        3,
        "returns",
        include_str!("../migrations/postgres/0003_returns.sql"),
    ),
    (
        4,
        "series",
        include_str!("../migrations/postgres/0004_series.sql"),
    ),
    (
        5,
        "plans",
        include_str!("../migrations/postgres/0005_plans.sql"),
    ),
    (
        7,
        "partnerships",
        include_str!("../migrations/postgres/0007_partnerships.sql"),
    ),
    (
        8,
        "signed reports",
        include_str!("../migrations/postgres/0008_signed_reports.sql"),
    ),
    (
        9,
        "records",
        include_str!("../migrations/postgres/0009_records.sql"),
    ),
    (
        10,
        "accounts",
        include_str!("../migrations/postgres/0010_accounts.sql"),
    ),
    (
        11,
        "submission encoding",
        include_str!("../migrations/postgres/0011_submission_encoding.sql"),
    ),
];
use crate::implementation::{implement_store, migrator};

/// A store on a PostgreSQL server, shared by every `h2h serve` process pointed at it.
pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

impl PostgresStore {
    /// Connects to the server at `url` and migrates the schema (migrations take an advisory
    /// lock, so several processes starting together apply them once).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        migrator(MIGRATIONS).run(&pool).await?;
        Ok(Self { pool })
    }
}

implement_store!(PostgresStore, crate::Backend::Postgres);
