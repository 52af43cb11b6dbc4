//! A read-only snapshot of everything the pages and API show: the catalogue, the geography
//! with populations, and the indicator engine over every current value. It is rebuilt only
//! when the store's data version moves on (one cheap query a request), so a page costs no
//! more database work than that, on SQLite or on a PostgreSQL server shared by many
//! processes.

use std::collections::HashMap;
use std::sync::Arc;

use h2h_domain::indicators::IndicatorEngine;
use h2h_domain::{
    Area, AreaCode, AreaKindFilter, CodeChange, Metric, MetricId, Outcome, PopulationEstimate,
    Reference, Target,
};
use h2h_store::{Store, StoreError};
use tokio::sync::{Mutex, RwLock};

/// Everything read-only that a request needs, as of one data version.
pub struct Snapshot {
    /// The store's data version this snapshot reflects.
    pub version: i64,
    /// The installed catalogue's version.
    pub catalogue_version: String,
    areas: Vec<Area>,
    index: HashMap<AreaCode, usize>,
    children: HashMap<AreaCode, Vec<usize>>,
    code_changes: Vec<CodeChange>,
    populations: HashMap<AreaCode, Vec<PopulationEstimate>>,
    /// Every metric, in catalogue order, then partnerships' own.
    pub metrics: Vec<Metric>,
    /// The six outcomes.
    pub outcomes: Vec<Outcome>,
    /// Every target.
    pub targets: Vec<Target>,
    /// The catalogue's references.
    pub references: Vec<Reference>,
    /// Indicators over every current value.
    pub engine: IndicatorEngine,
    /// Partnerships with their members and meetings.
    pub partnerships: crate::attendance::PartnershipData,
    /// The client-level record extracts, the current ones decoded.
    pub records: crate::scorecards::RecordsData,
}

impl Snapshot {
    /// Reads everything from the store.
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        Self::load_after(store, None).await
    }

    /// Reads everything from the store, reusing the decoded record extracts of `previous`
    /// that are still current.
    pub async fn load_after(
        store: &dyn Store,
        previous: Option<&Snapshot>,
    ) -> Result<Self, StoreError> {
        let version = store.data_version().await?;
        let catalogue_version = store
            .reference_state()
            .await?
            .catalogue_version
            .unwrap_or_default();
        let areas = store.areas(None).await?;
        let index: HashMap<AreaCode, usize> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        let mut children: HashMap<AreaCode, Vec<usize>> = HashMap::new();
        for (i, area) in areas.iter().enumerate() {
            for parent in &area.parents {
                children.entry(parent.clone()).or_default().push(i);
            }
        }
        let metrics = store.metrics().await?;
        let targets = store.targets().await?;
        let values = store.current_observations(None).await?;
        let engine =
            crate::indicators::engine_from(metrics.clone(), areas.clone(), values, targets.clone());
        let partnerships = crate::attendance::PartnershipData::new(
            store.partnerships().await?,
            store.meetings(None).await?,
            &areas,
        );
        let records =
            crate::scorecards::RecordsData::load(store, previous.map(|p| &p.records)).await?;
        Ok(Self {
            version,
            records,
            catalogue_version,
            index,
            children,
            code_changes: store.code_changes().await?,
            populations: store.all_populations().await?,
            outcomes: store.outcomes().await?,
            references: store.references().await?,
            metrics,
            targets,
            engine,
            partnerships,
            areas,
        })
    }

    /// An area by code, following a code change if the code is retired.
    pub fn area(&self, code: &AreaCode) -> Option<&Area> {
        let current = self
            .code_changes
            .iter()
            .find(|c| &c.old_code == code)
            .map_or(code, |c| &c.new_code);
        self.index.get(current).and_then(|&i| self.areas.get(i))
    }

    /// Whether `area` lies within `ancestor` by the geography's links (a member authority
    /// within its partnership, a district within its county), however many levels up.
    pub fn lies_within(&self, area: &AreaCode, ancestor: &AreaCode) -> bool {
        let mut seen: Vec<&AreaCode> = Vec::new();
        let mut frontier: Vec<&AreaCode> = vec![area];
        while let Some(code) = frontier.pop() {
            let Some(found) = self.area(code) else {
                continue;
            };
            for parent in &found.parents {
                if parent == ancestor {
                    return true;
                }
                if !seen.contains(&parent) {
                    seen.push(parent);
                    frontier.push(parent);
                }
            }
        }
        false
    }

    /// Areas of the selected kinds (all when `None`), in the store's order.
    pub fn areas(&self, filter: Option<AreaKindFilter>) -> impl Iterator<Item = &Area> {
        self.areas
            .iter()
            .filter(move |a| filter.is_none_or(|f| f.matches(a.kind)))
    }

    /// The areas directly within `code`.
    pub fn children(&self, code: &AreaCode) -> Vec<&Area> {
        self.children
            .get(code)
            .map(|list| list.iter().filter_map(|&i| self.areas.get(i)).collect())
            .unwrap_or_default()
    }

    /// The retired codes that now lead to `code`.
    pub fn former_codes(&self, code: &AreaCode) -> impl Iterator<Item = &CodeChange> {
        self.code_changes
            .iter()
            .filter(move |c| &c.new_code == code)
    }

    /// An area's population estimates.
    pub fn populations(&self, code: &AreaCode) -> &[PopulationEstimate] {
        self.populations.get(code).map_or(&[], Vec::as_slice)
    }

    /// The local authorities within an area (the area itself when it is one), by code.
    pub fn local_authorities(&self, code: &AreaCode) -> Vec<AreaCode> {
        crate::scorecards::local_authorities_under(code, |c| {
            self.children(c)
                .into_iter()
                .map(|a| a.code.clone())
                .collect()
        })
    }

    /// The codes whose records count for an area's scorecard: its local authorities, and its
    /// own code when an extract carries it.
    pub fn scorecard_members(&self, code: &AreaCode) -> Vec<AreaCode> {
        self.records.members(code, self.local_authorities(code))
    }

    /// The scorecard of an area for a period over every current extract, with the by-area
    /// breakdowns named; `None` when no extract is held.
    pub fn scorecard(
        &self,
        area: &Area,
        period: &h2h_domain::Period,
    ) -> Option<h2h_records::Scorecard> {
        let members = self.scorecard_members(&area.code);
        let mut card = self.records.scorecard(&area_ref(area), &members, period)?;
        card.name_areas(|code| {
            AreaCode::parse(code)
                .ok()
                .and_then(|c| self.area(&c).map(|a| a.name.clone()))
        });
        Some(card)
    }

    /// A metric by id.
    pub fn metric(&self, id: &MetricId) -> Option<&Metric> {
        self.engine.metric(id)
    }
}

/// How a scorecard names its area.
pub fn area_ref(area: &Area) -> h2h_records::AreaRef {
    h2h_records::AreaRef {
        code: area.code.as_str().to_owned(),
        name: area.name.clone(),
    }
}

/// How long a served request waits for a snapshot being rebuilt before it is answered from
/// the previous one: long enough that an ordinary submission is seen at once, short enough
/// that a large import does not stall the service.
pub const FRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The current snapshot, rebuilt when the data change. The first is read before anything is
/// answered; later ones are rebuilt in the background, and a request waits at most its
/// `fresh_wait` for the new one before it is answered from the previous.
pub struct SnapshotCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    rebuilding: Arc<Mutex<()>>,
    fresh_wait: std::time::Duration,
}

impl SnapshotCache {
    /// A cache whose requests wait up to `fresh_wait` for figures that have just changed.
    pub fn waiting(fresh_wait: std::time::Duration) -> Self {
        Self {
            current: RwLock::new(None),
            rebuilding: Arc::new(Mutex::new(())),
            fresh_wait,
        }
    }

    /// The snapshot for the store's current data version, or the previous one while the new
    /// one takes longer than the cache's wait to read.
    pub async fn get(
        self: &Arc<Self>,
        store: &Arc<dyn Store>,
    ) -> Result<Arc<Snapshot>, StoreError> {
        let version = store.data_version().await?;
        self.get_at(store, version).await
    }

    /// The snapshot for data `version` (read by the caller) or later, or the previous one
    /// while the new one takes longer than the cache's wait to read.
    pub async fn get_at(
        self: &Arc<Self>,
        store: &Arc<dyn Store>,
        version: i64,
    ) -> Result<Arc<Snapshot>, StoreError> {
        if let Some(snapshot) = self.fresh(version).await {
            return Ok(snapshot);
        }
        let Some(stale) = self.current.read().await.as_ref().map(Arc::clone) else {
            // Nothing to answer from yet: one request reads it; the others wait for it.
            let _rebuilding = self.rebuilding.lock().await;
            if let Some(snapshot) = self.fresh(version).await {
                return Ok(snapshot);
            }
            let snapshot = Arc::new(Snapshot::load(store.as_ref()).await?);
            *self.current.write().await = Some(Arc::clone(&snapshot));
            return Ok(snapshot);
        };
        if let Ok(rebuilding) = Arc::clone(&self.rebuilding).try_lock_owned() {
            let cache = Arc::clone(self);
            let store = Arc::clone(store);
            // The rebuild keeps what the previous snapshot decoded and is still current.
            let stale_for_rebuild = Arc::clone(&stale);
            // Building the indicator engine is seconds of CPU after a large import: on a
            // blocking thread, so the runtime's workers keep answering requests meanwhile.
            let runtime = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                runtime.block_on(async move {
                    let _rebuilding = rebuilding;
                    match Snapshot::load_after(store.as_ref(), Some(&stale_for_rebuild)).await {
                        Ok(snapshot) => *cache.current.write().await = Some(Arc::new(snapshot)),
                        Err(error) => tracing::error!(%error, "the snapshot could not be rebuilt"),
                    }
                });
            });
        }
        // Wait for the rebuild to finish (its lock to be free), up to the cache's wait.
        if tokio::time::timeout(self.fresh_wait, self.rebuilding.lock())
            .await
            .is_ok()
            && let Some(snapshot) = self.fresh(version).await
        {
            return Ok(snapshot);
        }
        Ok(stale)
    }

    async fn fresh(&self, version: i64) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .await
            .as_ref()
            .filter(|s| s.version >= version)
            .map(Arc::clone)
    }
}
