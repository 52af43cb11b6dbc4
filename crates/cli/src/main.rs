//! `h2h`: performance management for drug-strategy partnerships. This binary only parses
//! arguments and wires the layers together; the work happens in the library crates.

mod commands;
mod output;
mod records;
mod redact;
mod users;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Format;

/// Performance management for drug-strategy partnerships in England and Wales.
#[derive(Debug, Parser)]
#[command(name = "h2h", version, about, long_about = None)]
struct Cli {
    /// The database: `sqlite://FILE` (the default is h2h.db in the current directory) or
    /// `postgres://USER@HOST/DB`. Benchmarks use a new temporary SQLite file unless one is
    /// named, so they never write into a working database by accident.
    #[arg(long, global = true, env = "H2H_DATABASE_URL")]
    db: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load the framework, the real geography and a demo partnership, then serve the web
    /// application: the one-command tour.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Serve the web application and the JSON API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Measure a quality bar of the product and print the figures.
    #[command(subcommand)]
    Bench(Bench),
    /// Import a file into the store.
    #[command(subcommand)]
    Import(Import),
    /// Delivery plans: an area's plan with each action's status, deadline and history.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Partnerships: a partnership's members and their attendance at main meetings.
    #[command(subcommand)]
    Partnership(PartnershipCommand),
    /// The national attendance analysis: for each member type, the share of partnerships
    /// whose main meetings it attends (an organisation of the type at half of them or
    /// more), overall and by region.
    Attendance {
        /// Only the partnerships of this region (a code such as E12000007).
        #[arg(long)]
        region: Option<String>,
        /// The financial year, such as 2024/25 (default: the latest with a main meeting).
        #[arg(long)]
        year: Option<String>,
        /// Output format: a table and CSV give one row per type and area (all
        /// partnerships, then each region); JSON gives the whole analysis.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Every metric with a value for an area and period: value, numerator, denominator,
    /// confidence limits, benchmark, comparison, trend and target status.
    Indicators {
        /// The area's code.
        #[arg(long)]
        area: String,
        /// The period, in any accepted form (2024/25, 2024/25-Q1, 2024-04, 2021-2023...).
        #[arg(long)]
        period: String,
        /// The area to compare with (default: England, or Wales for Welsh areas).
        #[arg(long)]
        benchmark: Option<String>,
        /// Apply disclosure control for publication: counts of 1 to 4 and what would reveal
        /// them are withheld.
        #[arg(long)]
        published: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The partnership performance pack of an area: the outcomes framework summary, a page
    /// per outcome with charts, the delivery plan status and exceptions, the definitions.
    Report {
        /// The area's code.
        #[arg(long)]
        area: String,
        /// The period: each metric shows its latest figure that ends within it.
        #[arg(long)]
        period: String,
        /// The file format: html, xlsx or pdf.
        #[arg(long, default_value = "html")]
        format: String,
        /// Where to write the pack.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Apply disclosure control for publication (figures of 1 to 4 withheld as [c]).
        #[arg(long)]
        published: bool,
        /// Judge statuses, targets and overdue actions as of this date (YYYY-MM-DD; default
        /// today).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Signed annual reports: sign one with a decision record, list them, get a frozen file.
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Back the database up to a new file (SQLite's online backup, or pg_dump for
    /// PostgreSQL), consistent while servers keep running.
    Backup {
        /// The backup file to write; it must not exist.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace everything in the database with a backup made by `h2h backup`.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// Confirms that the database's current contents are to be replaced.
        #[arg(long)]
        yes: bool,
    },
    /// The Results Based Accountability scorecard of an area and period from the current
    /// client-level extracts (`h2h scorecard grid` writes every area and quarter instead).
    Scorecard(ScorecardArgs),
    /// Generate synthetic data for trials and benchmarks.
    #[command(subcommand)]
    Generate(Generate),
    /// The metric catalogue.
    Metrics {
        /// Only metrics of this tier: headline, supporting, additional, local, programme.
        #[arg(long)]
        tier: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The six framework outcomes.
    Outcomes {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Accounts: add, list, disable, enable and reset them, and make API tokens.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Publish an area's figures to everyone (with disclosure control), or withdraw them.
    Publish {
        /// The area's code.
        #[arg(long)]
        area: String,
        /// Withdraw the publication instead.
        #[arg(long)]
        withdraw: bool,
    },
    /// Areas: countries, regions, local authorities, police force areas, partnerships.
    Areas {
        /// A kind (country, region, county, unitary, metropolitan_district, london_borough,
        /// district, pfa, csp, cdp, dip_area, custom) or a group (upper_tier, lower_tier).
        #[arg(long)]
        kind: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// The scorecard's arguments: an area and period, or the `grid` subcommand.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct ScorecardArgs {
    #[command(subcommand)]
    grid: Option<ScorecardCommand>,
    /// The area's code: a local authority, a police force area, a region, a country, a
    /// partnership or a custom area.
    #[arg(long, required = true)]
    area: Option<String>,
    /// The period, in any accepted form (2024/25, 2024/25-Q1, 2024/25-H2, 2024-04...).
    #[arg(long, required = true)]
    period: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = records::ScorecardFormat::Table)]
    format: records::ScorecardFormat,
    /// Write to this file rather than standard output (required for xlsx).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ScorecardCommand {
    /// Every measure for every area with records and every quarter from FROM to TO, in long
    /// form (CSV); prints the seconds the computation took, without loading.
    Grid {
        /// The first quarter, such as 2015/16-Q1.
        #[arg(long)]
        from: String,
        /// The last quarter, such as 2024/25-Q4.
        #[arg(long)]
        to: String,
        /// Where to write the long CSV.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The service whose current extract to use (needed when several are held).
        #[arg(long)]
        service: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum Generate {
    /// A realistic client-level extract (records.md) for every local authority of England
    /// and Wales over ten financial years, referrals spread by population.
    Records {
        /// Referrals to generate.
        #[arg(long)]
        referrals: usize,
        /// The random seed: the same seed gives the same extract.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The folder to write the CSV files to.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The first financial year (2015 for 2015/16).
        #[arg(long, default_value_t = 2015)]
        first_year: i32,
    },
}

#[derive(Debug, Subcommand)]
enum PlanCommand {
    /// Show a plan: every action with its leads, deadline, status, whether it is overdue,
    /// its linked metrics and its updates.
    Show {
        /// The code of the plan's area (a partnership, or England for a national plan).
        #[arg(long)]
        area: String,
        /// The plan's title, when the area has more than one.
        #[arg(long)]
        plan: Option<String>,
        /// Judge overdue actions against this date (YYYY-MM-DD) rather than today.
        #[arg(long)]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the plans held, of one area or of all.
    List {
        /// Only the plans of this area.
        #[arg(long)]
        area: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum ReportsCommand {
    /// Sign the annual report of an area and period with a decision record, freezing it
    /// (HTML and Excel) as the next version; prints the signed report.
    Sign {
        /// The area's code.
        #[arg(long)]
        area: String,
        /// The period the report covers.
        #[arg(long)]
        period: String,
        /// The decision's reference, such as PCCG-2014-066.
        #[arg(long)]
        reference: String,
        /// The subject (default: "AREA: annual performance report").
        #[arg(long)]
        subject: Option<String>,
        /// Why the decision is recorded.
        #[arg(long, default_value = "")]
        summary: String,
        /// A point of the decision; repeat for each.
        #[arg(long = "decision", required = true)]
        decisions: Vec<String>,
        /// Who decides.
        #[arg(long)]
        name: String,
        /// Their role.
        #[arg(long)]
        role: String,
        /// Interests to record (default: none).
        #[arg(long, default_value = "")]
        interests: String,
        /// The contact officer.
        #[arg(long, default_value = "")]
        contact: String,
        /// Confirms the declaration of interests (required to sign).
        #[arg(long)]
        declare: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the signed reports, of one area or of all.
    List {
        /// Only this area's.
        #[arg(long)]
        area: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write a signed report's frozen file.
    Get {
        /// The signed report's number.
        id: i64,
        /// html or xlsx.
        #[arg(long, default_value = "html")]
        format: String,
        /// Where to write it.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum PartnershipCommand {
    /// Show a partnership: its leadership and each member's attendance at main meetings in
    /// a financial year (JSON adds its members and every meeting).
    Show {
        /// The partnership's area code.
        #[arg(long)]
        area: String,
        /// The financial year, such as 2024/25 (default: its latest with a main meeting).
        #[arg(long)]
        year: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Recompute every indicator of the demo data (bar: under 1 second after a submission).
    Indicators,
    /// Build the performance pack of the demo data and render it as HTML, Excel and PDF, for
    /// CDP-DURHAM-DARLINGTON and for every partnership (bar: one partnership's PDF under 2
    /// seconds).
    Report,
    /// Import a generated return (bar: 200,000 rows per second or more).
    Import {
        /// Rows in the generated return.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Also write the generated return to this file (for a peer to read the same data).
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
    },
    /// Pages and API under concurrent load on the demo data (bar: every page p95 < 100 ms
    /// with 50 users).
    Web {
        /// Concurrent users.
        #[arg(long, default_value_t = 50)]
        users: usize,
        /// Seconds of measurement.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
}

#[derive(Debug, Subcommand)]
enum Import {
    /// Custom areas and their memberships (areas.csv).
    Areas {
        /// The CSV file.
        file: std::path::PathBuf,
    },
    /// An aggregate return (values.csv, or an Excel workbook).
    Values {
        /// The CSV or .xlsx file.
        file: std::path::PathBuf,
        /// The publisher or publication, for rows that name none.
        #[arg(long)]
        source: Option<String>,
        /// The worksheet to read from a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// The return holds published (official) statistics; otherwise its figures are
        /// unpublished management information, marked OFFICIAL-SENSITIVE.
        #[arg(long)]
        published: bool,
        /// Who is sending it (default: the operating-system user).
        #[arg(long, env = "H2H_USER")]
        user: Option<String>,
    },
    /// Local metric definitions (metrics.csv, or an Excel workbook).
    Metrics {
        /// The CSV or .xlsx file.
        file: std::path::PathBuf,
        /// The worksheet to read from a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
    /// A delivery plan (plan CSV, or an Excel workbook): its actions and their updates.
    Plan {
        /// The CSV or .xlsx file.
        file: std::path::PathBuf,
        /// The worksheet to read from a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// Who is importing it, recorded as the author of its updates (default: the
        /// operating-system user).
        #[arg(long, env = "H2H_USER")]
        user: Option<String>,
    },
    /// Partnerships with their local authorities, Senior Responsible Owner, chair and member
    /// organisations (partnerships.csv, or an Excel workbook; see docs/partnerships.md).
    Partnerships {
        /// The CSV or .xlsx file.
        file: std::path::PathBuf,
        /// The worksheet to read from a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
    /// Partnerships' meetings with each member organisation's attendance (meetings.csv, or
    /// an Excel workbook; see docs/partnerships.md).
    Meetings {
        /// The CSV or .xlsx file.
        file: std::path::PathBuf,
        /// The worksheet to read from a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
    /// A client-level extract: a folder of CSV files (records.md). Prints per file
    /// `FILE: accepted N, rejected M`; rejected rows go to standard error and are stored.
    Records {
        /// The folder holding referrals.csv, drug_tests.csv, ...
        dir: std::path::PathBuf,
        /// The service the extract comes from (default: the folder's name). A new extract for
        /// a service becomes its current version; the previous one is kept.
        #[arg(long)]
        service: Option<String>,
        /// Who is importing it (default: the operating-system user).
        #[arg(long, env = "H2H_USER")]
        user: Option<String>,
    },
    /// Targets and trajectories (targets.csv, or an Excel workbook).
    Targets {
        /// The CSV or .xlsx file.
        file: std::path::PathBuf,
        /// The worksheet to read from a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("H2H_LOG")
                .unwrap_or_else(|_| "h2h=info,h2h_web=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, leaving out causes the message already quotes.
fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
