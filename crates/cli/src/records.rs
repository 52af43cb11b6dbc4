//! The client-level record commands: `import records`, `generate records`, `scorecard` and
//! `scorecard grid`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use h2h_domain::{AreaCode, Period, PeriodKind};
use h2h_records::KnownAreas;
use h2h_store::Store;
use h2h_web::scorecards::ScorecardRow;

use crate::output::Listing;

/// How many warnings and rejected rows are printed; all are stored.
const PRINTED: usize = 200;

/// The scorecard's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScorecardFormat {
    /// Aligned columns for people: one row a measure and a breakdown category.
    Table,
    /// The JSON of scorecard.md, the same as the API's.
    Json,
    /// Long form: section, measure, label, key, value, denominator, percent.
    Csv,
    /// A standalone HTML document laid out like the Gwent report (needs --out).
    Html,
    /// An A4 PDF laid out like the HTML, tagged, marked on every page (needs --out).
    Pdf,
    /// An Excel workbook: a cover, a table sheet per section, terminology (needs --out).
    Xlsx,
}

/// `h2h import records DIR`.
pub async fn import(
    store: &dyn Store,
    dir: &Path,
    service: Option<String>,
    user: &str,
) -> anyhow::Result<ExitCode> {
    let service = match service {
        Some(s) => s.trim().to_owned(),
        None => folder_name(dir)?,
    };
    let import = h2h_ingest::import_records(store, dir, &service, user)
        .await
        .with_context(|| format!("cannot import the extract in {}", dir.display()))?;
    let e = &import.extract;
    for f in &e.files {
        if f.present {
            println!(
                "{}: accepted {}, rejected {}",
                f.file, f.accepted, f.rejected
            );
        }
    }
    let absent: Vec<&str> = e
        .files
        .iter()
        .filter(|f| !f.present)
        .map(|f| f.file.as_str())
        .collect();
    if !absent.is_empty() {
        eprintln!(
            "not in the extract (their measures show no data): {}",
            absent.join(", ")
        );
    }
    if import.unchanged {
        println!(
            "{service}: this extract is already version {} and current; nothing was written",
            e.version
        );
    } else {
        println!(
            "{service}: saved as version {} ({} rows{})",
            e.version,
            e.total_rows,
            if e.version > 1 {
                "; the previous version is kept, no longer current"
            } else {
                ""
            }
        );
    }
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for w in e.warnings.iter().take(PRINTED) {
        let mut place = w.file.clone();
        if let Some(line) = w.line {
            place.push_str(&format!(", line {line}"));
        }
        if let Some(column) = &w.column {
            place.push_str(&format!(", column {column}"));
        }
        writeln!(err, "warning: {place}: {}", w.message)?;
    }
    if e.warnings.len() > PRINTED {
        writeln!(
            err,
            "... and {} more warnings (all are stored)",
            e.warnings.len() - PRINTED
        )?;
    }
    for r in import.rejected.iter().take(PRINTED) {
        writeln!(
            err,
            "{}, line {}, column {}: {:?}: {}",
            r.file, r.line, r.column, r.value, r.reason
        )?;
    }
    if import.rejected.len() > PRINTED {
        writeln!(
            err,
            "... and {} more rejected rows (all are stored with their reasons)",
            import.rejected.len() - PRINTED
        )?;
    }
    Ok(if import.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn folder_name(dir: &Path) -> anyhow::Result<String> {
    let canonical = dir
        .canonicalize()
        .with_context(|| format!("cannot read the folder {}", dir.display()))?;
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no name; give the service with --service NAME",
                dir.display()
            )
        })
}

/// The lower-tier local authorities of England and Wales with their populations (counties
/// are left out: their districts are in).
pub async fn authorities_with_population(
    store: &dyn Store,
) -> anyhow::Result<Vec<(AreaCode, u64)>> {
    Ok(store
        .areas(None)
        .await?
        .into_iter()
        .filter(|a| {
            KnownAreas::is_local_authority_code(&a.code) && a.code.gss_entity() != Some("E10")
        })
        .filter_map(|a| a.population.filter(|&p| p > 0).map(|p| (a.code, p)))
        .collect())
}

/// `h2h generate records`.
pub async fn generate(
    store: &dyn Store,
    referrals: usize,
    seed: u64,
    out: &Path,
    first_year: i32,
) -> anyhow::Result<ExitCode> {
    let areas = authorities_with_population(store).await?;
    let started = std::time::Instant::now();
    let summary = h2h_records::generate(referrals, seed, &areas, first_year, out)?;
    for (file, rows) in &summary.rows {
        println!("{}: {rows} rows", file.file_name());
    }
    println!(
        "wrote {} rows ({:.0} MiB) for {} local authorities, {} to {}, in {:.2} s to {}",
        summary.total_rows(),
        summary.bytes as f64 / 1_048_576.0,
        areas.len(),
        summary.first_day,
        summary.last_day,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `h2h scorecard --area --period`.
pub async fn scorecard(
    store: &dyn Store,
    area: &str,
    period: &str,
    format: ScorecardFormat,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let code = AreaCode::parse(area)?;
    let period = Period::parse(period)?;
    let snapshot = h2h_web::snapshot::Snapshot::load(store).await?;
    let area = snapshot.area(&code).ok_or_else(|| {
        anyhow::anyhow!("there is no area with the code {code}; `h2h areas` lists them")
    })?;
    let card = snapshot.scorecard(area, &period).ok_or_else(|| {
        anyhow::anyhow!("no client-level extract is held; `h2h import records DIR` loads one")
    })?;
    let bytes: Vec<u8> = match format {
        ScorecardFormat::Json => {
            let mut text = serde_json::to_vec_pretty(&card)?;
            text.push(b'\n');
            text
        }
        ScorecardFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record([
                "section",
                "measure",
                "label",
                "key",
                "value",
                "denominator",
                "percent",
            ])?;
            for r in h2h_web::scorecards::rows(&card) {
                writer.write_record([
                    r.section,
                    r.measure,
                    r.label,
                    r.key,
                    opt(r.value),
                    opt(r.denominator),
                    r.percent.map_or(String::new(), |p| p.to_string()),
                ])?;
            }
            writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?
        }
        ScorecardFormat::Table => {
            if out.is_none() {
                println!(
                    "{} ({}), {}",
                    card.area.name,
                    card.area.code,
                    period.label()
                );
                Listing {
                    headers: &["section", "measure", "label", "value", "of", "percent"],
                    records: h2h_web::scorecards::rows(&card),
                    cells: table_cells,
                }
                .print(crate::output::Format::Table)?;
                return Ok(ExitCode::SUCCESS);
            }
            anyhow::bail!("the table is for the terminal; write json, csv, html or xlsx to --out")
        }
        ScorecardFormat::Html | ScorecardFormat::Xlsx | ScorecardFormat::Pdf => {
            let Some(path) = out else {
                anyhow::bail!("an HTML, Excel or PDF scorecard is a file: name it with --out FILE");
            };
            let today = time::OffsetDateTime::now_utc().date();
            let doc =
                h2h_web::scorecard_document(&snapshot, area, &period, today).ok_or_else(|| {
                    anyhow::anyhow!(
                        "no client-level extract is held; `h2h import records DIR` loads one"
                    )
                })?;
            let report = match format {
                ScorecardFormat::Html => h2h_reports::ReportFormat::Html,
                ScorecardFormat::Xlsx => h2h_reports::ReportFormat::Xlsx,
                _ => h2h_reports::ReportFormat::Pdf,
            };
            let bytes = h2h_reports::render_scorecard(&doc, report)?;
            std::fs::write(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {} ({} bytes)", path.display(), bytes.len());
            return Ok(ExitCode::SUCCESS);
        }
    };
    match out {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            if let Err(e) = lock.write_all(&bytes).and_then(|()| lock.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e.into());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn opt(v: Option<u64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

fn table_cells(r: &ScorecardRow) -> Vec<String> {
    let breakdown = !r.key.is_empty();
    vec![
        if breakdown {
            String::new()
        } else {
            r.section.clone()
        },
        if breakdown {
            String::new()
        } else {
            r.measure.clone()
        },
        if breakdown {
            format!("  {}", r.label)
        } else {
            r.label.clone()
        },
        r.value
            .map_or_else(|| String::from("no data"), |v| v.to_string()),
        opt(r.denominator),
        r.percent.map_or(String::new(), |p| format!("{p:.0}%")),
    ]
}

/// `h2h scorecard grid`: every area and quarter of the current extract, in long form.
pub async fn grid(
    store: &dyn Store,
    from: &str,
    to: &str,
    out: &Path,
    service: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let from = Period::parse(from)?;
    let to = Period::parse(to)?;
    if from.kind() != to.kind() || from.start() > to.start() {
        anyhow::bail!(
            "--from {} and --to {} must be periods of one kind, the first not after the last",
            from.code(),
            to.code()
        );
    }
    let mut periods = vec![from];
    while let Some(&last) = periods.last() {
        if last == to {
            break;
        }
        let next = last.next();
        if next == last || next.start() > to.start() {
            break;
        }
        periods.push(next);
    }
    if from.kind() != PeriodKind::Quarter {
        eprintln!(
            "note: the grid runs over {} periods of kind {:?}",
            periods.len(),
            from.kind()
        );
    }
    let current = store.current_record_extracts().await?;
    let chosen = match service {
        Some(name) => current
            .iter()
            .find(|e| e.service == name)
            .ok_or_else(|| anyhow::anyhow!("no current extract of the service {name:?}"))?,
        None => match current.as_slice() {
            [only] => only,
            [] => {
                anyhow::bail!("no client-level extract is held; `h2h import records DIR` loads one")
            }
            several => anyhow::bail!(
                "several services' extracts are held; name one with --service: {}",
                several
                    .iter()
                    .map(|e| format!("{:?}", e.service))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let started = std::time::Instant::now();
    let bytes = store
        .record_extract_bytes(chosen.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the extract {} has no bytes", chosen.id))?;
    let extract = h2h_records::Extract::from_bytes(&bytes)?;
    drop(bytes);
    let load_s = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let grid = h2h_records::scorecard_grid(&extract, &periods)?;
    let grid_s = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    grid.write_long_csv(file)
        .with_context(|| format!("cannot write {}", out.display()))?;
    let write_s = started.elapsed().as_secs_f64();
    println!(
        "areas={} periods={} load_s={load_s:.3} grid_s={grid_s:.3} write_s={write_s:.3}",
        grid.area_codes().len(),
        periods.len()
    );
    Ok(ExitCode::SUCCESS)
}
