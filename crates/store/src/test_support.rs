//! Fresh, empty databases for tests: an SQLite file in the temporary folder, and a new
//! database on the PostgreSQL server named by `TEST_POSTGRES_URL` when it is set.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::StoreError;

/// The environment variable naming an administrative PostgreSQL URL for tests.
pub const POSTGRES_URL_VARIABLE: &str = "TEST_POSTGRES_URL";

static NEXT: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "h2h_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A throwaway database; an SQLite file is removed when this is dropped.
pub struct TestDatabase {
    /// The URL to open it with.
    pub url: String,
    file: Option<PathBuf>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// A new SQLite database file.
pub fn sqlite() -> TestDatabase {
    let file = std::env::temp_dir().join(format!("{}.db", unique_name()));
    TestDatabase {
        url: format!("sqlite://{}", file.display()),
        file: Some(file),
    }
}

/// A new database on the test PostgreSQL server, or `None` when `TEST_POSTGRES_URL` is unset.
pub async fn postgres() -> Result<Option<TestDatabase>, StoreError> {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VARIABLE) else {
        return Ok(None);
    };
    let name = unique_name();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    Ok(Some(TestDatabase {
        url: format!("{base}/{name}"),
        file: None,
    }))
}

/// Declares, for each named `async fn(url: &str)`, a test module running it against a fresh
/// SQLite database and a fresh PostgreSQL database. Without `TEST_POSTGRES_URL` the PostgreSQL
/// test says it was skipped, except under CI (`CI` set), where it fails.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let database = $crate::test_support::sqlite();
                    super::$name(&database.url).await;
                }

                #[tokio::test]
                async fn postgres() {
                    match $crate::test_support::postgres().await {
                        Ok(Some(database)) => super::$name(&database.url).await,
                        Ok(None) if std::env::var_os("CI").is_some() => {
                            panic!("TEST_POSTGRES_URL must be set under CI")
                        }
                        Ok(None) => eprintln!("skipped: TEST_POSTGRES_URL is not set"),
                        Err(error) => panic!("cannot create a PostgreSQL test database: {error}"),
                    }
                }
            }
        )+
    };
}
