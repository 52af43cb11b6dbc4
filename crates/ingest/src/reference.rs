//! The shipped reference data in a store: the framework catalogue and the geography are
//! (re)installed when the store's copy is missing or older than the binary's.

use std::sync::Arc;

use h2h_domain::{Catalogue, CatalogueError};
use h2h_store::{Store, StoreError};

use crate::csv_table::IngestError;
use crate::geography::{shipped_geography, shipped_version};

/// Why the reference data could not be put in place.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The catalogue built into the binary does not parse (a build defect).
    #[error("the shipped framework catalogue is invalid: {0}")]
    Catalogue(#[from] CatalogueError),
    /// The geography built into the binary does not parse (a build defect).
    #[error("the shipped geography is invalid: {0}")]
    Geography(#[from] IngestError),
}

/// Opens the store at `url` (migrating it) with the shipped reference data installed.
pub async fn open_with_reference_data(url: &str) -> Result<Arc<dyn Store>, ReferenceError> {
    let store = h2h_store::open(url).await?;
    install_reference_data(store.as_ref()).await?;
    Ok(store)
}

/// Installs the shipped catalogue and geography where the store's versions differ.
pub async fn install_reference_data(store: &dyn Store) -> Result<(), ReferenceError> {
    let state = store.reference_state().await?;
    let catalogue = Catalogue::shipped()?;
    if state.catalogue_version.as_deref() != Some(catalogue.version.as_str()) {
        tracing::info!(version = %catalogue.version, "installing the framework catalogue");
        store.install_catalogue(&catalogue).await?;
    }
    let version = shipped_version();
    if state.geography_version.as_deref() != Some(version.as_str()) {
        tracing::info!(%version, "installing the geography of England and Wales");
        store
            .install_geography(&shipped_geography()?, &version)
            .await?;
    }
    Ok(())
}
