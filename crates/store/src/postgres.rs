//! The PostgreSQL store.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::StoreError;

/// The schema's migrations for this backend, in order.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "reference",
        include_str!("../migrations/postgres/0001_reference.sql"),
    ),
    (
        "references",
        include_str!("../migrations/postgres/0002_references.sql"),
    ),
    (
        "returns",
        include_str!("../migrations/postgres/0003_returns.sql"),
    ),
    (
        "series",
        include_str!("../migrations/postgres/0004_series.sql"),
    ),
    (
        "plans",
        include_str!("../migrations/postgres/0005_plans.sql"),
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
