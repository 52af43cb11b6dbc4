//! The commands: each opens the store, does one job and returns the exit code.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use h2h_domain::{AreaKindFilter, Tier};
use h2h_store::Store;
use h2h_web::contract::{AreaJson, MetricJson, OutcomeJson};

use crate::output::Listing;
use crate::{Bench, Cli, Command, Import};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let store = h2h_ingest::open_with_reference_data(&cli.db)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                crate::redact::redact(&cli.db)
            )
        })?;
    match cli.command {
        Command::Demo { addr } => {
            h2h_ingest::load_demo(store.as_ref()).await?;
            serve(store, &addr).await
        }
        Command::Serve { addr } => serve(store, &addr).await,
        Command::Bench(Bench::Web { users, seconds }) => {
            h2h_ingest::load_demo(store.as_ref()).await?;
            drop(store);
            let settings = h2h_bench::web::WebBench {
                users,
                duration: std::time::Duration::from_secs_f64(seconds),
            };
            let figures = h2h_bench::web::run(&cli.db, &settings).await?;
            print!("{}", figures.report(users));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Areas { file }) => import_areas(&store, &file).await,
        Command::Metrics { tier, format } => {
            let tier = tier.as_deref().map(Tier::parse).transpose()?;
            let metrics = store.metrics().await?;
            Listing {
                headers: &[
                    "id",
                    "name",
                    "outcome",
                    "tier",
                    "unit",
                    "multiplier",
                    "polarity",
                    "frequency",
                    "maps_to",
                    "source",
                    "definition",
                ],
                records: metrics
                    .iter()
                    .filter(|m| tier.is_none_or(|t| m.tier == t))
                    .map(MetricJson::from)
                    .collect(),
                cells: |m| {
                    vec![
                        m.id.clone(),
                        m.name.clone(),
                        m.outcome.clone().unwrap_or_default(),
                        m.tier.clone(),
                        m.unit.clone(),
                        m.multiplier.map(|x| x.to_string()).unwrap_or_default(),
                        m.polarity.clone(),
                        m.frequency.clone().unwrap_or_default(),
                        m.maps_to.join(";"),
                        m.source.clone(),
                        m.definition.clone(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Outcomes { format } => {
            let outcomes = store.outcomes().await?;
            Listing {
                headers: &["id", "name", "kind"],
                records: outcomes.iter().map(OutcomeJson::from).collect(),
                cells: |o| vec![o.id.clone(), o.name.clone(), o.kind.clone()],
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Areas { kind, format } => {
            let filter = kind.as_deref().map(AreaKindFilter::parse).transpose()?;
            let areas = store.areas(filter).await?;
            Listing {
                headers: &["code", "name", "kind", "parents", "population"],
                records: areas.iter().map(AreaJson::from).collect(),
                cells: |a| {
                    vec![
                        a.code.clone(),
                        a.name.clone(),
                        a.kind.clone(),
                        a.parents.join(";"),
                        a.population.map(|p| p.to_string()).unwrap_or_default(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(store: Arc<dyn Store>, addr: &str) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    eprintln!("h2h is serving on http://{local}/ (press Ctrl-C to stop)");
    h2h_web::serve(listener, h2h_web::app(store)).await?;
    Ok(ExitCode::SUCCESS)
}

async fn import_areas(store: &Arc<dyn Store>, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let name = path.display().to_string();
    let text = read_text(path)?;
    let file = h2h_ingest::read_areas(&name, &text)?;
    let import = h2h_ingest::import_areas(store.as_ref(), file).await?;
    for problem in &import.rejected {
        eprintln!("{problem}");
    }
    println!(
        "accepted {}, rejected {}",
        import.accepted,
        import.rejected.len()
    );
    Ok(if import.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Reads a file that must be UTF-8 text, saying which byte is not when it is not.
fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: the file is not UTF-8 text (byte {} is not valid); save it as CSV UTF-8",
            path.display(),
            e.utf8_error().valid_up_to() + 1
        )
    })
}
