//! Opening the store with the shipped reference data in place: the framework catalogue and
//! the geography are (re)installed when the store's copy is missing or older.

use std::sync::Arc;

use anyhow::Context;
use h2h_domain::Catalogue;
use h2h_store::Store;

/// Opens the store at `url`, migrates it and installs the shipped reference data if needed.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = h2h_store::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    let state = store.reference_state().await?;
    let catalogue = Catalogue::shipped().context("the shipped framework catalogue is invalid")?;
    if state.catalogue_version.as_deref() != Some(catalogue.version.as_str()) {
        tracing::info!(version = %catalogue.version, "installing the framework catalogue");
        store.install_catalogue(&catalogue).await?;
    }
    let version = h2h_ingest::geography::shipped_version();
    if state.geography_version.as_deref() != Some(version.as_str()) {
        tracing::info!(%version, "installing the geography of England and Wales");
        let geography =
            h2h_ingest::shipped_geography().context("the shipped geography is invalid")?;
        store.install_geography(&geography, &version).await?;
    }
    Ok(store)
}

/// A database URL with any password hidden, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://h2h.db"), "sqlite://h2h.db");
    }
}
