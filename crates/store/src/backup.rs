//! Backing a store up to a file and restoring one from it. SQLite uses its online backup (a
//! consistent copy while other processes keep working); PostgreSQL uses `pg_dump` and
//! `pg_restore` (Debian's `postgresql-client`), the tools its administrators already trust.
//! A restore moves the store's data version past both the store's and the backup's, so every
//! server sharing the store rereads it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::StoreError;

/// What a backup or restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// The size of the backup file.
    pub bytes: u64,
    /// The store's data version afterwards.
    pub data_version: i64,
}

/// Which kind of store a URL names, and where.
enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

fn target(url: &str) -> Result<Target, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Target::Postgres(url.to_owned()));
    }
    let url = if url.contains("://") || url.starts_with("sqlite:") {
        url.to_owned()
    } else {
        format!("sqlite://{url}")
    };
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?;
    let file = options.get_filename();
    if file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:") {
        return Err(StoreError::Refused(
            "an in-memory database has nothing to back up".to_owned(),
        ));
    }
    Ok(Target::Sqlite(file.to_path_buf()))
}

fn refuse_existing(out: &Path) -> Result<(), StoreError> {
    if out.exists() {
        return Err(StoreError::Refused(format!(
            "{} exists already: a backup never overwrites a file",
            out.display()
        )));
    }
    Ok(())
}

fn file_size(path: &Path) -> Result<u64, StoreError> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| StoreError::Refused(format!("cannot read {}: {e}", path.display())))
}

/// Backs the store at `url` up to the new file `out`.
pub async fn backup(url: &str, out: &Path) -> Result<BackupSummary, StoreError> {
    refuse_existing(out)?;
    let data_version = crate::open(url).await?.data_version().await?;
    match target(url)? {
        Target::Sqlite(file) => {
            let out = out.to_path_buf();
            blocking(move || {
                let source = rusqlite::Connection::open_with_flags(
                    &file,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )?;
                copy_database(&source, &mut rusqlite::Connection::open(&out)?)
            })
            .await?;
        }
        Target::Postgres(url) => {
            let out = out.to_string_lossy().into_owned();
            run(
                "pg_dump",
                &["--format=custom", "--no-owner", "--file", &out, &url],
            )
            .await?;
        }
    }
    Ok(BackupSummary {
        bytes: file_size(out)?,
        data_version,
    })
}

/// Replaces everything in the store at `url` with the backup in `from`, then moves its data
/// version and its access version past both the store's and the backup's. Servers sharing the store may keep
/// running: they reread it on their next request.
pub async fn restore(url: &str, from: &Path) -> Result<BackupSummary, StoreError> {
    let bytes = file_size(from)?;
    let before = crate::open(url).await?.versions().await?;
    match target(url)? {
        Target::Sqlite(file) => {
            let from = from.to_path_buf();
            blocking(move || {
                let backup = rusqlite::Connection::open_with_flags(
                    &from,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )?;
                // Only an h2h store is restored over one.
                backup.query_row(
                    "SELECT value FROM metadata WHERE key = 'data_version'",
                    [],
                    |row| row.get::<_, String>(0),
                )?;
                copy_database(&backup, &mut rusqlite::Connection::open(&file)?)
            })
            .await?;
        }
        Target::Postgres(url) => {
            let from = from.to_string_lossy().into_owned();
            run(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    &url,
                    &from,
                ],
            )
            .await?;
        }
    }
    let store = crate::open(url).await?;
    let restored = store.versions().await?;
    let data_version = store
        .advance_versions(crate::Versions {
            data: before.data.max(restored.data) + 1,
            access: before.access.max(restored.access) + 1,
        })
        .await?
        .data;
    Ok(BackupSummary {
        bytes,
        data_version,
    })
}

/// Copies every page of `source` into `destination` with SQLite's online backup.
fn copy_database(
    source: &rusqlite::Connection,
    destination: &mut rusqlite::Connection,
) -> Result<(), rusqlite::Error> {
    rusqlite::backup::Backup::new(source, destination)?.run_to_completion(
        4096,
        std::time::Duration::ZERO,
        None,
    )
}

async fn blocking(
    work: impl FnOnce() -> Result<(), rusqlite::Error> + Send + 'static,
) -> Result<(), StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Refused(format!("the backup stopped: {e}")))?
        .map_err(StoreError::from)
}

async fn run(program: &str, args: &[&str]) -> Result<(), StoreError> {
    let output = tokio::process::Command::new(program)
        .args(args)
        .output()
        .await
        .map_err(|e| {
            StoreError::Refused(format!(
                "cannot run {program} ({e}): install PostgreSQL's client tools (Debian: postgresql-client)"
            ))
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
