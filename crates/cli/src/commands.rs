//! The commands: each opens the store, does one job and returns the exit code.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use h2h_domain::{AreaKindFilter, Tier};
use h2h_store::Store;
use h2h_web::contract::{AreaJson, MetricJson, OutcomeJson};

use crate::output::Listing;
use crate::{Bench, Cli, Command, Import, PartnershipCommand, PlanCommand, ReportsCommand};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // A benchmark without a named database gets a throwaway one, removed when it ends.
    let scratch = match (&cli.db, &cli.command) {
        (None, Command::Bench(_)) => Some(ScratchDatabase::new()),
        _ => None,
    };
    let url = match (&cli.db, &scratch) {
        (Some(url), _) => url.clone(),
        (None, Some(scratch)) => scratch.url(),
        (None, None) => String::from(h2h_store::DEFAULT_DATABASE_URL),
    };
    let store = h2h_ingest::open_with_reference_data(&url)
        .await
        .with_context(|| format!("cannot open the database {}", crate::redact::redact(&url)))?;
    let audited = audited_action(&cli.command);
    let result = dispatch(cli.command, store.clone(), url).await;
    if let Some((action, subject)) = audited {
        let outcome = match &result {
            Ok(code) if *code == ExitCode::SUCCESS => "ok",
            Ok(_) => "partly refused",
            Err(_) => "failed",
        };
        crate::users::audit(store.as_ref(), &action, &subject, outcome).await?;
    }
    result
}

/// What the audit log records of a command that changes or exports data: the action and
/// its subject. Reading commands are not recorded.
fn audited_action(command: &Command) -> Option<(String, String)> {
    let path = |p: &std::path::Path| p.display().to_string();
    let (action, subject) = match command {
        Command::Import(import) => match import {
            Import::Areas { file } => ("import.areas", path(file)),
            Import::Values { file, .. } => ("import.values", path(file)),
            Import::Metrics { file, .. } => ("import.metrics", path(file)),
            Import::Plan { file, .. } => ("import.plan", path(file)),
            Import::Partnerships { file, .. } => ("import.partnerships", path(file)),
            Import::Meetings { file, .. } => ("import.meetings", path(file)),
            Import::Records { dir, .. } => ("import.records", path(dir)),
            Import::Targets { file, .. } => ("import.targets", path(file)),
        },
        Command::Report { area, out, .. } => ("export.pack", format!("{area} to {}", path(out))),
        Command::Reports(ReportsCommand::Sign { area, .. }) => ("report.sign", area.clone()),
        Command::Backup { out } => ("export.backup", path(out)),
        Command::Restore { file, .. } => ("restore", path(file)),
        _ => return None,
    };
    Some((action.to_owned(), subject))
}

async fn dispatch(
    command: Command,
    store: Arc<dyn Store>,
    url: String,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo { addr } => {
            h2h_ingest::load_demo(store.as_ref()).await?;
            crate::users::demo_accounts(store.as_ref()).await?;
            serve(store, &addr).await
        }
        Command::Users(command) => crate::users::run(store.as_ref(), command).await,
        Command::Publish { area, withdraw } => {
            crate::users::publish(store.as_ref(), &area, withdraw).await
        }
        Command::Serve { addr } => serve(store, &addr).await,
        Command::Bench(Bench::Indicators) => {
            h2h_ingest::load_demo(store.as_ref()).await?;
            let figures =
                h2h_bench::indicators::run(store.as_ref(), time::OffsetDateTime::now_utc().date())
                    .await?;
            print!("{}", figures.report());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(Bench::Report) => {
            h2h_ingest::load_demo(store.as_ref()).await?;
            let figures =
                h2h_bench::report::run(store.as_ref(), time::OffsetDateTime::now_utc().date())
                    .await?;
            print!("{}", figures.report());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(Bench::Import { rows, keep }) => {
            let figures = h2h_bench::import::run(store.as_ref(), rows, keep.as_deref()).await?;
            print!("{}", figures.report());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(Bench::Web { users, seconds }) => {
            h2h_ingest::load_demo(store.as_ref()).await?;
            drop(store);
            let settings = h2h_bench::web::WebBench {
                users,
                duration: std::time::Duration::from_secs_f64(seconds),
            };
            let figures = h2h_bench::web::run(&url, &settings).await?;
            print!("{}", figures.report(users));
            if figures.errors() > 0 {
                anyhow::bail!(
                    "{} requests failed or answered anything but 200",
                    figures.errors()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Areas { file }) => import_areas(&store, &file).await,
        Command::Import(Import::Records { dir, service, user }) => {
            let user = user
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| String::from("unknown"));
            crate::records::import(store.as_ref(), &dir, service, &user).await
        }
        Command::Generate(crate::Generate::Records {
            referrals,
            seed,
            out,
            first_year,
        }) => crate::records::generate(store.as_ref(), referrals, seed, &out, first_year).await,
        Command::Scorecard(crate::ScorecardArgs {
            grid:
                Some(crate::ScorecardCommand::Grid {
                    from,
                    to,
                    out,
                    service,
                }),
            ..
        }) => crate::records::grid(store.as_ref(), &from, &to, &out, service.as_deref()).await,
        Command::Scorecard(crate::ScorecardArgs {
            grid: None,
            area,
            period,
            format,
            out,
        }) => {
            let (Some(area), Some(period)) = (area, period) else {
                anyhow::bail!("the scorecard needs --area CODE and --period PERIOD");
            };
            crate::records::scorecard(store.as_ref(), &area, &period, format, out.as_deref()).await
        }
        Command::Import(Import::Values {
            file,
            source,
            sheet,
            published,
            user,
        }) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let user = user
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| String::from("unknown"));
            let sender = h2h_ingest::Sender {
                submitted_by: &user,
                source: source.as_deref(),
                published,
            };
            let name = file.display().to_string();
            let import =
                h2h_ingest::import_values(store.as_ref(), &name, &bytes, sheet.as_deref(), sender)
                    .await?;
            for problem in &import.rejected {
                eprintln!("{problem}");
            }
            if import.already_received {
                eprintln!("{name} was received before; nothing changed");
            }
            println!(
                "accepted {}, rejected {}, unchanged {}",
                import.accepted,
                import.rejected.len(),
                import.unchanged
            );
            Ok(if import.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Import(Import::Metrics { file, sheet }) => {
            let (metrics, rejected) =
                read_definitions(&store, &file, sheet.as_deref(), h2h_ingest::read_metrics).await?;
            store.save_local_metrics(&metrics).await?;
            report_definitions(metrics.len(), &rejected)
        }
        Command::Import(Import::Plan { file, sheet, user }) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.display().to_string();
            let user = user
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| String::from("unknown"));
            let import =
                h2h_ingest::import_plan(store.as_ref(), &name, &bytes, sheet.as_deref(), &user)
                    .await?;
            for column in &import.ignored_columns {
                eprintln!(
                    "warning: {name}: the column {column:?} is not part of the format and was ignored"
                );
            }
            for problem in &import.rejected {
                eprintln!("{problem}");
            }
            for (title, saved) in &import.saved {
                println!(
                    "{title}: {} actions, {} updates added",
                    saved.actions, saved.updates_added
                );
            }
            Ok(if import.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Plan(PlanCommand::Show {
            area,
            plan,
            as_of,
            format,
        }) => {
            let area = known_area(&store, &area).await?;
            let as_of = match as_of {
                Some(text) => parse_date(&text)?,
                None => time::OffsetDateTime::now_utc().date(),
            };
            let plans = store.plans(Some(&area)).await?;
            let titles = || {
                plans
                    .iter()
                    .map(|p| format!("{:?}", p.title))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let chosen = match &plan {
                Some(title) => plans
                    .iter()
                    .find(|p| p.title.eq_ignore_ascii_case(title.trim()))
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "{area} has no plan called {title:?}; its plans: {}",
                            titles()
                        )
                    })?,
                None => match plans.as_slice() {
                    [only] => only,
                    [] => anyhow::bail!(
                        "{area} has no delivery plan; `h2h import plan FILE` loads one"
                    ),
                    _ => anyhow::bail!(
                        "{area} has several plans; name one with --plan: {}",
                        titles()
                    ),
                },
            };
            let stored = store.plan(chosen.id).await?.ok_or_else(|| {
                anyhow::anyhow!("the plan {:?} has just been removed", chosen.title)
            })?;
            let shown = h2h_web::contract::PlanShowJson::new(&stored, as_of);
            if format == crate::output::Format::Json {
                crate::output::print_json(&shown)?;
                return Ok(ExitCode::SUCCESS);
            }
            Listing {
                headers: &[
                    "action_no",
                    "status",
                    "overdue",
                    "deadline",
                    "deadline_date",
                    "leads",
                    "objective",
                    "action",
                    "metric_ids",
                    "updates",
                    "last_update",
                ],
                records: shown.actions,
                cells: |a| {
                    vec![
                        a.action_no.clone(),
                        a.status.clone(),
                        if a.overdue {
                            "overdue".into()
                        } else {
                            String::new()
                        },
                        a.deadline_text.clone(),
                        a.deadline_date.clone().unwrap_or_default(),
                        a.leads.join("; "),
                        a.objective.clone(),
                        a.action.clone(),
                        a.metric_ids.join(";"),
                        a.updates.len().to_string(),
                        a.updates.last().map(|u| u.text.clone()).unwrap_or_default(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan(PlanCommand::List { area, format }) => {
            let area = match area {
                Some(code) => Some(known_area(&store, &code).await?),
                None => None,
            };
            let plans = store.plans(area.as_ref()).await?;
            Listing {
                headers: &["id", "area_code", "title", "actions"],
                records: plans
                    .iter()
                    .map(h2h_web::contract::PlanSummaryJson::from)
                    .collect(),
                cells: |p| {
                    vec![
                        p.id.to_string(),
                        p.area_code.clone(),
                        p.title.clone(),
                        p.actions.to_string(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Partnerships { file, sheet }) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.display().to_string();
            let import =
                h2h_ingest::import_partnerships(store.as_ref(), &name, &bytes, sheet.as_deref())
                    .await?;
            warn_ignored(&name, &import.ignored_columns);
            for problem in &import.rejected {
                eprintln!("{problem}");
            }
            let changed = import.saved.iter().filter(|(_, s)| s.changed()).count();
            let added: u64 = import.saved.iter().map(|(_, s)| s.members_added).sum();
            println!(
                "accepted {} partnerships ({} areas saved, {} with new or changed leadership or \
                 members, {} members added), rejected {}",
                import.saved.len(),
                import.areas_saved,
                changed,
                added,
                import.rejected.len()
            );
            Ok(exit_for(&import.rejected))
        }
        Command::Import(Import::Meetings { file, sheet }) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.display().to_string();
            let import =
                h2h_ingest::import_meetings(store.as_ref(), &name, &bytes, sheet.as_deref())
                    .await?;
            warn_ignored(&name, &import.ignored_columns);
            for problem in &import.rejected {
                eprintln!("{problem}");
            }
            println!(
                "accepted {}, rejected {}; {} meetings added, {} attendance records new or changed",
                import.accepted,
                import.rejected.len(),
                import.saved.meetings_added,
                import.saved.attendance_changed
            );
            Ok(exit_for(&import.rejected))
        }
        Command::Partnership(PartnershipCommand::Show { area, year, format }) => {
            let area = known_area(&store, &area).await?;
            let window = year
                .as_deref()
                .map(h2h_web::attendance::read_year)
                .transpose()
                .map_err(|e| anyhow::anyhow!(e))?;
            let data = h2h_web::attendance::PartnershipData::load(store.as_ref()).await?;
            let partnership = data.partnership(&area).ok_or_else(|| {
                anyhow::anyhow!(
                    "{area} has no members recorded; `h2h import partnerships FILE` loads them"
                )
            })?;
            let shown = h2h_web::attendance::PartnershipJson::new(&data, partnership, window);
            if format == crate::output::Format::Json {
                crate::output::print_json(&shown)?;
                return Ok(ExitCode::SUCCESS);
            }
            if format == crate::output::Format::Table {
                println!("{} ({})", shown.partnership.name, shown.partnership.code);
                println!("Senior Responsible Owner: {}", shown.partnership.sro);
                println!("Chair: {}", shown.partnership.chair);
                if shown.partnership.generated {
                    println!("Generated demo data: not real records of this partnership.");
                }
                match &shown.window {
                    Some(window) => println!("Attendance at main meetings in {window}:"),
                    None => println!("No main meeting is recorded."),
                }
                println!();
            }
            Listing {
                headers: &[
                    "organisation",
                    "member_type",
                    "held",
                    "attended",
                    "apologies",
                    "absent",
                    "attends_regularly",
                ],
                records: shown.attendance,
                cells: |r| {
                    vec![
                        r.organisation.clone(),
                        r.member_type.clone(),
                        r.held.to_string(),
                        r.attended.to_string(),
                        r.apologies.to_string(),
                        r.absent.to_string(),
                        if r.attends_regularly { "yes" } else { "no" }.to_owned(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Attendance {
            region,
            year,
            format,
        } => {
            let window = year
                .as_deref()
                .map(h2h_web::attendance::read_year)
                .transpose()
                .map_err(|e| anyhow::anyhow!(e))?;
            let region = match region {
                Some(code) => {
                    let found = known_area(&store, &code).await?;
                    if found.gss_entity() != Some("E12") {
                        anyhow::bail!("{found} is not a region: expected a code such as E12000007");
                    }
                    Some(found)
                }
                None => None,
            };
            let data = h2h_web::attendance::PartnershipData::load(store.as_ref()).await?;
            let analysis =
                h2h_web::attendance::AttendanceAnalysisJson::new(&data, window, region.as_ref());
            if format == crate::output::Format::Json {
                crate::output::print_json(&analysis)?;
                return Ok(ExitCode::SUCCESS);
            }
            if format == crate::output::Format::Table {
                match &analysis.window {
                    Some(window) => println!(
                        "{window}: {} partnerships analysed, {} left out with no main meeting",
                        analysis.partnerships_analysed,
                        analysis.without_main_meetings.len()
                    ),
                    None => println!("No main meeting is recorded."),
                }
                if analysis.generated_partnerships > 0 {
                    println!(
                        "Generated demo data: {} of the partnerships analysed hold generated members and attendance.",
                        analysis.generated_partnerships
                    );
                }
                // The national analysis's own findings: police and the secure estate
                // nationally, commissioners by region.
                for t in &analysis.types {
                    let line = match t.member_type.as_str() {
                        "police" | "prison" => t.headline.as_ref(),
                        "pcc" => t.regional_headline.as_ref().or(t.headline.as_ref()),
                        _ => None,
                    };
                    if let Some(line) = line {
                        println!("- {line}");
                    }
                }
                if let Some(line) = &analysis.local_authority_headline {
                    println!("- {line}");
                }
                println!();
            }
            let everywhere = region
                .as_ref()
                .map_or_else(|| String::from("all"), ToString::to_string);
            let rows: Vec<AttendanceRow> = analysis
                .types
                .iter()
                .flat_map(|t| {
                    let overall = AttendanceRow {
                        member_type: t.member_type.clone(),
                        area_code: everywhere.clone(),
                        area_name: if region.is_some() {
                            t.regions
                                .first()
                                .map(|r| r.region_name.clone())
                                .unwrap_or_default()
                        } else {
                            String::from("All partnerships")
                        },
                        count: t.count,
                        of: t.of,
                        percent: t.percent,
                    };
                    let regions =
                        t.regions
                            .iter()
                            .filter(|_| region.is_none())
                            .map(|r| AttendanceRow {
                                member_type: t.member_type.clone(),
                                area_code: r.region_code.clone(),
                                area_name: r.region_name.clone(),
                                count: r.count,
                                of: r.of,
                                percent: r.percent,
                            });
                    std::iter::once(overall).chain(regions).collect::<Vec<_>>()
                })
                .collect();
            Listing {
                headers: &[
                    "member_type",
                    "area_code",
                    "area_name",
                    "count",
                    "of",
                    "percent",
                ],
                records: rows,
                cells: |r| {
                    vec![
                        r.member_type.clone(),
                        r.area_code.clone(),
                        r.area_name.clone(),
                        r.count.to_string(),
                        r.of.to_string(),
                        r.percent.map(|p| p.to_string()).unwrap_or_default(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(Import::Targets { file, sheet }) => {
            let (targets, rejected) =
                read_definitions(&store, &file, sheet.as_deref(), h2h_ingest::read_targets).await?;
            store.save_targets(&targets).await?;
            report_definitions(targets.len(), &rejected)
        }
        Command::Reports(ReportsCommand::Sign {
            area,
            period,
            reference,
            subject,
            summary,
            decisions,
            name,
            role,
            interests,
            contact,
            declare,
            format,
        }) => {
            let period = h2h_domain::Period::parse(&period)?;
            let area = known_area(&store, &area).await?;
            let snapshot = h2h_web::snapshot::Snapshot::load(store.as_ref()).await?;
            let subject = subject.unwrap_or_else(|| {
                let name = snapshot
                    .area(&area)
                    .map_or(area.as_str(), |a| a.name.as_str());
                format!("{name}: annual performance report")
            });
            let today = time::OffsetDateTime::now_utc().date();
            let decision = decisions.join("\n");
            let record = h2h_domain::DecisionForm {
                reference: &reference,
                subject: &subject,
                summary: &summary,
                decision: &decision,
                decision_maker: &name,
                role: &role,
                interests: &interests,
                contact: &contact,
                declared: declare,
                signed_on: today,
            }
            .check(today)?;
            let request = h2h_web::report::PackRequest {
                area: &area,
                period: &period,
                published: false,
                today,
                visibility: &h2h_web::auth::Visibility::everything(),
            };
            let recorded_at = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let signed = h2h_web::report::sign_report(
                store.as_ref(),
                &snapshot,
                request,
                &record,
                &recorded_at,
            )
            .await?;
            signed_reports_listing(vec![signed]).print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reports(ReportsCommand::List { area, format }) => {
            let area = match area {
                Some(code) => Some(known_area(&store, &code).await?),
                None => None,
            };
            signed_reports_listing(store.signed_reports(area.as_ref()).await?).print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reports(ReportsCommand::Get { id, format, out }) => {
            let format = h2h_reports::ReportFormat::parse(&format)?;
            let bytes = store
                .signed_report_file(id, format.extension())
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "signed report {id} has no {} file; `h2h reports list` lists them",
                        format.extension()
                    )
                })?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("could not write {}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { out } => {
            let summary = h2h_store::backup::backup(&url, &out).await?;
            println!(
                "backed up {} to {} ({} bytes, data version {})",
                crate::redact::redact(&url),
                out.display(),
                summary.bytes,
                summary.data_version
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, yes } => {
            if !yes {
                anyhow::bail!(
                    "restoring replaces everything in {}: add --yes to go ahead",
                    crate::redact::redact(&url)
                );
            }
            let summary = h2h_store::backup::restore(&url, &file).await?;
            println!(
                "restored {} from {} ({} bytes); data version now {}",
                crate::redact::redact(&url),
                file.display(),
                summary.bytes,
                summary.data_version
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            area,
            period,
            format,
            out,
            published,
            as_of,
        } => {
            let format = h2h_reports::ReportFormat::parse(&format)?;
            let period = h2h_domain::Period::parse(&period)?;
            let area = known_area(&store, &area).await?;
            let today = match as_of {
                Some(text) => parse_date(&text)?,
                None => time::OffsetDateTime::now_utc().date(),
            };
            let snapshot = h2h_web::snapshot::Snapshot::load(store.as_ref()).await?;
            let request = h2h_web::report::PackRequest {
                area: &area,
                period: &period,
                published,
                today,
                visibility: &h2h_web::auth::Visibility::everything(),
            };
            let pack =
                h2h_web::report::performance_pack(store.as_ref(), &snapshot, request).await?;
            let bytes = h2h_reports::render_pack(&pack, format)?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("could not write {}", out.display()))?;
            let figures = pack.indicators().count();
            println!(
                "wrote {} ({} bytes): {figures} metrics, {} plans",
                out.display(),
                bytes.len(),
                pack.plans.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Indicators {
            area,
            period,
            benchmark,
            published,
            format,
        } => {
            let period = h2h_domain::Period::parse(&period)?;
            let area = known_area(&store, &area).await?;
            let benchmark = match benchmark {
                Some(code) => Some(known_area(&store, &code).await?),
                None => None,
            };
            let engine = h2h_web::indicators::load_engine(store.as_ref()).await?;
            let today = time::OffsetDateTime::now_utc().date();
            let rows = h2h_web::indicators::indicator_rows(
                &engine,
                &area,
                &period,
                benchmark.as_ref(),
                published,
                today,
            );
            if rows.is_empty() {
                eprintln!("no metric has a value for {area} in {period}");
            }
            Listing {
                headers: &[
                    "metric_id",
                    "breakdown",
                    "unit",
                    "numerator",
                    "denominator",
                    "value",
                    "lower_95",
                    "upper_95",
                    "lower_99_8",
                    "upper_99_8",
                    "benchmark_area",
                    "benchmark_value",
                    "comparison",
                    "trend",
                    "target",
                    "target_status",
                    "suppressed",
                    "marking",
                ],
                records: rows,
                cells: |r| {
                    let number = |v: Option<f64>| v.map(display_number).unwrap_or_default();
                    vec![
                        r.metric_id.clone(),
                        r.breakdown.clone().unwrap_or_default(),
                        r.unit.clone(),
                        number(r.numerator),
                        number(r.denominator),
                        if r.suppressed {
                            String::from("[c]")
                        } else {
                            number(r.value)
                        },
                        number(r.lower_95),
                        number(r.upper_95),
                        number(r.lower_99_8),
                        number(r.upper_99_8),
                        r.benchmark
                            .as_ref()
                            .map(|b| b.area_code.clone())
                            .unwrap_or_default(),
                        number(r.benchmark.as_ref().map(|b| b.value)),
                        r.comparison.clone().unwrap_or_default(),
                        r.trend.clone(),
                        r.target
                            .as_ref()
                            .map(|t| format!("{} by {}", display_number(t.target), t.period))
                            .unwrap_or_default(),
                        r.target
                            .as_ref()
                            .map(|t| t.status.clone())
                            .unwrap_or_default(),
                        r.suppressed.to_string(),
                        r.marking.clone().unwrap_or_default(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
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

/// One row of `h2h attendance` as a table or CSV: a member type in one area.
#[derive(serde::Serialize)]
struct AttendanceRow {
    member_type: String,
    area_code: String,
    area_name: String,
    count: u32,
    of: u32,
    percent: Option<u32>,
}

/// Warns of header columns a format does not have.
fn warn_ignored(name: &str, columns: &[String]) {
    for column in columns {
        eprintln!(
            "warning: {name}: the column {column:?} is not part of the format and was ignored"
        );
    }
}

/// Exit 1 when rows were rejected (the rest were stored), else 0.
fn exit_for(rejected: &[h2h_ingest::RejectedRow]) -> ExitCode {
    if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// A temporary SQLite file for a benchmark, removed (with its WAL files) when dropped.
struct ScratchDatabase {
    path: std::path::PathBuf,
}

impl ScratchDatabase {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("h2h-bench-{}.db", std::process::id()));
        Self { path }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.path.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Reads a definitions file (metrics or targets) from CSV or Excel and checks its rows.
async fn read_definitions<T>(
    store: &Arc<dyn Store>,
    file: &std::path::Path,
    sheet: Option<&str>,
    read: fn(
        &h2h_ingest::CsvTable,
        &h2h_ingest::ImportContext,
    ) -> Result<h2h_ingest::CheckedFile<T>, h2h_ingest::IngestError>,
) -> anyhow::Result<(Vec<T>, Vec<h2h_ingest::RejectedRow>)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let table = h2h_ingest::CsvTable::read(&file.display().to_string(), &bytes, sheet)?;
    let context = h2h_ingest::import_context(store.as_ref()).await?;
    let checked = read(&table, &context)?;
    Ok((
        checked.accepted.into_iter().map(|(_, item)| item).collect(),
        checked.rejected,
    ))
}

/// Prints what a definitions import did; exit 1 when rows were rejected.
fn report_definitions(
    accepted: usize,
    rejected: &[h2h_ingest::RejectedRow],
) -> anyhow::Result<ExitCode> {
    for problem in rejected {
        eprintln!("{problem}");
    }
    println!("accepted {accepted}, rejected {}", rejected.len());
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The current code of a known area; an unknown code cannot run (exit 2).
async fn known_area(store: &Arc<dyn Store>, code: &str) -> anyhow::Result<h2h_domain::AreaCode> {
    let parsed = h2h_domain::AreaCode::parse(code)?;
    store.area(&parsed).await?.map(|a| a.code).ok_or_else(|| {
        anyhow::anyhow!("there is no area with the code {parsed}; `h2h areas` lists them")
    })
}

/// Signed reports as a listing: one row each, the JSON contract of the API.
fn signed_reports_listing(
    reports: Vec<h2h_store::SignedReport>,
) -> Listing<h2h_web::contract::SignedReportJson> {
    Listing {
        headers: &[
            "id",
            "area_code",
            "period",
            "version",
            "signed_by",
            "signed_on",
            "title",
        ],
        records: reports
            .iter()
            .map(h2h_web::contract::SignedReportJson::from)
            .collect(),
        cells: |r| {
            vec![
                r.id.to_string(),
                r.area_code.clone(),
                r.period.clone(),
                r.version.to_string(),
                format!("{}, {}", r.decision_maker, r.role),
                r.signed_on.clone(),
                r.title.clone(),
            ]
        },
    }
}

/// A date given on the command line: `YYYY-MM-DD`.
fn parse_date(text: &str) -> anyhow::Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), format)
        .with_context(|| format!("{text:?} is not a date: expected YYYY-MM-DD, such as 2025-03-31"))
}

/// A figure for tables: up to three decimals, trailing zeros dropped.
fn display_number(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        String::from("0")
    } else {
        text.to_owned()
    }
}

async fn serve(store: Arc<dyn Store>, addr: &str) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let app = h2h_web::ready_app(store).await?;
    eprintln!("h2h is serving on http://{local}/ (press Ctrl-C to stop)");
    h2h_web::serve(listener, app).await?;
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
