//! The demo: a real partnership (County Durham and Darlington), the published figures
//! shipped under `data/published`, the seed delivery plans, and generated partnerships with
//! meetings for every English upper-tier authority (`demo_partnerships.rs`), a generated
//! client-level extract of a DIP team for Gwent's local authorities, all loaded
//! through the same import paths as users' files, so the demo exercises what production does.

use h2h_store::Store;

use crate::areas_file::{import_areas, read_areas};
use crate::csv_table::IngestError;

/// The demo partnership, as an `areas.csv`.
const DEMO_AREAS: &str = include_str!("../../../fixtures/demo/areas.csv");

/// The seed delivery plans, transcribed: County Durham and Darlington's, and the national
/// action plan of 2008 to 2011.
const DEMO_PLANS: [(&str, &str); 2] = [
    (
        "durham_darlington.csv",
        include_str!("../../../fixtures/plans/durham_darlington.csv"),
    ),
    (
        "national_2008_2011.csv",
        include_str!("../../../fixtures/plans/national_2008_2011.csv"),
    ),
];

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
    /// The demo partnerships could not be generated.
    #[error("the demo partnerships could not be generated: {0}")]
    Generated(#[from] crate::demo_partnerships::GenerateError),
    /// A generated demo row was rejected (a defect in the generator).
    #[error("the demo partnerships could not be loaded: {0}")]
    GeneratedRejected(String),
    /// The demo's client-level extract could not be generated or imported.
    #[error("the demo client-level records could not be loaded: {0}")]
    Records(#[from] crate::records_import::RecordsImportError),
}

/// The service the demo's generated client-level extract is imported as.
pub const DEMO_RECORDS_SERVICE: &str = "Gwent DIP (generated demo data)";

/// The local authorities of Gwent (police force area W15000002), the demo DIP area.
const GWENT: [&str; 5] = [
    "W06000018",
    "W06000019",
    "W06000020",
    "W06000021",
    "W06000022",
];

/// Referrals in the demo extract: a few thousand over ten financial years, like a DIP team.
const DEMO_REFERRALS: usize = 3_000;

/// Generates the demo DIP extract (Gwent's authorities, ten financial years from 2015/16,
/// seeded, so the same every time) into a scratch folder and imports it: the first start
/// saves it, later starts find the same fingerprint and write nothing.
async fn load_demo_records(store: &dyn Store) -> Result<(), DemoError> {
    let started = std::time::Instant::now();
    let populations: std::collections::HashMap<h2h_domain::AreaCode, u64> = store
        .areas(None)
        .await?
        .into_iter()
        .filter_map(|a| a.population.map(|p| (a.code, p)))
        .collect();
    let areas: Vec<(h2h_domain::AreaCode, u64)> = GWENT
        .iter()
        .filter_map(|c| h2h_domain::AreaCode::parse(c).ok())
        .map(|c| {
            let population = populations.get(&c).copied().unwrap_or(100_000);
            (c, population)
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("h2h-demo-records-{}", std::process::id()));
    let generated = h2h_records::generate(DEMO_REFERRALS, 2026, &areas, 2015, &dir)
        .map_err(crate::records_import::RecordsImportError::from);
    let imported = match generated {
        Ok(_) => {
            crate::records_import::import_records(store, &dir, DEMO_RECORDS_SERVICE, "h2h demo")
                .await
        }
        Err(e) => Err(e),
    };
    // The folder is scratch whatever happened.
    let _ = std::fs::remove_dir_all(&dir);
    let imported = imported?;
    tracing::info!(
        version = imported.extract.version,
        unchanged = imported.unchanged,
        rows = imported.extract.total_rows,
        elapsed = ?started.elapsed(),
        "demo client-level records loaded"
    );
    if let Some(problem) = imported.rejected.first() {
        return Err(DemoError::GeneratedRejected(format!(
            "{}, line {}, column {}: {}",
            problem.file, problem.line, problem.column, problem.reason
        )));
    }
    Ok(())
}

/// Loads the demo partnership, the published figures, the seed delivery plans and the
/// generated partnerships with their meetings into `store`. Loading them again changes
/// nothing.
pub async fn load_demo(store: &dyn Store) -> Result<(), DemoError> {
    let started = std::time::Instant::now();
    let file = read_areas("fixtures/demo/areas.csv", DEMO_AREAS)?;
    let fixed: Vec<h2h_domain::CustomArea> = file.rows.iter().map(|r| r.area.clone()).collect();
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
    for (name, text) in DEMO_PLANS {
        let author = format!("import of {name}");
        let import =
            crate::plan_file::import_plan(store, name, text.as_bytes(), None, &author).await?;
        if let Some(problem) = import.rejected.first() {
            return Err(problem.to_error().into());
        }
        for (title, saved) in import.saved {
            tracing::info!(%title, actions = saved.actions, updates = saved.updates_added, "delivery plan loaded");
        }
    }
    load_demo_records(store).await?;
    let before_partnerships = started.elapsed();
    let generated = crate::demo_partnerships::demo_files(store, &fixed).await?;
    let generated_at = started.elapsed();
    let partnerships = crate::partnership_file::import_partnerships(
        store,
        "generated demo partnerships.csv",
        generated.partnerships.as_bytes(),
        None,
    )
    .await?;
    if let Some(problem) = partnerships.rejected.first() {
        return Err(DemoError::GeneratedRejected(problem.to_string()));
    }
    let partnerships_at = started.elapsed();
    let meetings = crate::partnership_file::import_meetings(
        store,
        "generated demo meetings.csv",
        generated.meetings.as_bytes(),
        None,
    )
    .await?;
    if let Some(problem) = meetings.rejected.first() {
        return Err(DemoError::GeneratedRejected(problem.to_string()));
    }
    tracing::info!(
        partnerships = generated.count,
        meetings_added = meetings.saved.meetings_added,
        attendance = meetings.accepted,
        before_partnerships = ?before_partnerships,
        generated = ?generated_at,
        partnerships_saved = ?partnerships_at,
        total = ?started.elapsed(),
        "generated demo partnerships loaded"
    );
    Ok(())
}
