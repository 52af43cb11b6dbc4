//! The commands: each opens the store, does one job and returns the exit code.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use h2h_domain::{AreaKindFilter, Tier, geography::sum_estimates};
use h2h_store::Store;
use h2h_web::contract::{AreaJson, MetricJson, OutcomeJson};

use crate::output::Listing;
use crate::reference::open_store;
use crate::{Cli, Command, Import};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let store = open_store(&cli.db).await?;
    match cli.command {
        Command::Demo { addr } => {
            load_demo(&store).await?;
            serve(store, &addr).await
        }
        Command::Serve { addr } => serve(store, &addr).await,
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

/// The demo partnership, loaded through the same path as `h2h import areas`.
const DEMO_AREAS: &str = include_str!("../../../fixtures/demo/areas.csv");

async fn load_demo(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    let file = h2h_ingest::read_areas("fixtures/demo/areas.csv", DEMO_AREAS)?;
    let (accepted, problems) = save_areas(store, file).await?;
    if let Some(problem) = problems.first() {
        anyhow::bail!("the demo partnership could not be loaded: {problem}");
    }
    tracing::info!(accepted, "demo partnership loaded");
    Ok(())
}

async fn import_areas(store: &Arc<dyn Store>, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: the file is not UTF-8 text (byte {} is not valid); save it as CSV UTF-8",
            e.utf8_error().valid_up_to() + 1
        )
    })?;
    let file = h2h_ingest::read_areas(&name, &text)?;
    let mut rejected: Vec<String> = file.rejected.iter().map(ToString::to_string).collect();
    let (accepted, problems) = save_areas(store, file).await?;
    rejected.extend(problems);
    for problem in &rejected {
        eprintln!("{problem}");
    }
    println!("accepted {accepted}, rejected {}", rejected.len());
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Checks each row's references against the store and saves the good ones with their summed
/// populations. Returns how many were saved and a message for each one refused.
async fn save_areas(
    store: &Arc<dyn Store>,
    file: h2h_ingest::AreasFile,
) -> anyhow::Result<(usize, Vec<String>)> {
    let mut accepted = 0;
    let mut problems = Vec::new();
    'rows: for row in file.rows {
        let mut area = row.area;
        let at = |column: &str, value: &str, reason: String| {
            format!("line {}, column {column}: {value:?} {reason}", row.line)
        };
        let mut member_estimates = Vec::new();
        let mut current_members = Vec::new();
        for member in &area.members {
            let Some(found) = store.area(member).await? else {
                problems.push(at(
                    "members",
                    member.as_str(),
                    String::from("is not a known area code"),
                ));
                continue 'rows;
            };
            current_members.push(found.code.clone());
            member_estimates.push(store.populations(&found.code).await?);
        }
        if let Some(overlap) = overlapping(store, &current_members).await? {
            problems.push(at(
                "members",
                overlap.as_str(),
                String::from("lies within another member; list each place once"),
            ));
            continue;
        }
        area.members = current_members;
        if let Some(parent) = &area.parent {
            match store.area(parent).await? {
                Some(found) => area.parent = Some(found.code),
                None => {
                    problems.push(at(
                        "parent_code",
                        parent.as_str(),
                        String::from("is not a known area code"),
                    ));
                    continue;
                }
            }
        }
        match store
            .save_custom_area(&area, &sum_estimates(&member_estimates))
            .await
        {
            Ok(()) => accepted += 1,
            Err(h2h_store::StoreError::Refused(reason)) => {
                problems.push(at("area_code", area.code.as_str(), reason))
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok((accepted, problems))
}

/// A member that lies within another member (through any chain of parents), if there is one.
async fn overlapping(
    store: &Arc<dyn Store>,
    members: &[h2h_domain::AreaCode],
) -> anyhow::Result<Option<h2h_domain::AreaCode>> {
    for member in members {
        let mut frontier = vec![member.clone()];
        let mut seen = std::collections::HashSet::new();
        while let Some(code) = frontier.pop() {
            if !seen.insert(code.clone()) {
                continue;
            }
            if let Some(area) = store.area(&code).await? {
                for parent in area.parents {
                    if members.contains(&parent) {
                        return Ok(Some(member.clone()));
                    }
                    frontier.push(parent);
                }
            }
        }
    }
    Ok(None)
}
