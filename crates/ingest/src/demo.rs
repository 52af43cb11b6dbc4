//! The demo: a real partnership (County Durham and Darlington) and the published figures
//! shipped under `data/published`, loaded through the same import paths as users' files, so
//! the demo exercises what production does.

use h2h_store::Store;

use crate::areas_file::{import_areas, read_areas};
use crate::csv_table::IngestError;

/// The demo partnership, as an `areas.csv`.
const DEMO_AREAS: &str = include_str!("../../../fixtures/demo/areas.csv");

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] h2h_store::StoreError),
    /// A demo file was rejected (a defect in the shipped fixtures).
    #[error("the demo data could not be loaded: {0}")]
    Rejected(#[from] IngestError),
    /// A shipped return could not be imported.
    #[error("the published figures could not be loaded: {0}")]
    Published(#[from] crate::submit::ImportError),
}

/// Loads the demo partnership and the published figures into `store`. Loading them again
/// changes nothing.
pub async fn load_demo(store: &dyn Store) -> Result<(), DemoError> {
    let file = read_areas("fixtures/demo/areas.csv", DEMO_AREAS)?;
    let import = import_areas(store, file).await?;
    if let Some(problem) = import.rejected.into_iter().next() {
        return Err(problem.into());
    }
    tracing::info!(areas = import.accepted, "demo partnership loaded");
    for loaded in crate::published::load_published(store).await? {
        if let Some(problem) = loaded.rejected.first() {
            return Err(problem.to_error().into());
        }
        tracing::info!(
            accepted = loaded.accepted,
            unchanged = loaded.unchanged,
            "published figures loaded"
        );
    }
    Ok(())
}
