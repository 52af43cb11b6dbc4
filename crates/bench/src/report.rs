//! The report bar: the performance pack of one partnership is built and typeset as a PDF in
//! under 2 seconds.
//!
//! Measured on the demo data: building the pack from the snapshot and the store (as `h2h
//! report` and the area page do), then rendering it as HTML, Excel and PDF; for one
//! partnership, then for every partnership (`cdp` areas). The first PDF of a process also
//! builds typst's library and font book, so it is reported apart.

use std::time::{Duration, Instant};

use h2h_domain::{AreaCode, AreaKind, AreaKindFilter};
use h2h_reports::{ReportFormat, render_pack};
use h2h_store::Store;
use h2h_web::report::{PackRequest, default_period, performance_pack};
use h2h_web::snapshot::Snapshot;

use crate::web::BenchError;

/// The partnership whose pack is held to the bar.
pub const PARTNERSHIP: &str = "CDP-DURHAM-DARLINGTON";

/// The bar for one partnership's PDF.
const BAR: Duration = Duration::from_secs(2);

/// Times for a set of packs.
#[derive(Debug, Clone, Default)]
pub struct PackTimes {
    /// Packs made.
    pub packs: usize,
    /// Building the packs from the snapshot and the store.
    pub build: Duration,
    /// Rendering them as HTML.
    pub html: Duration,
    /// Rendering them as Excel workbooks.
    pub xlsx: Duration,
    /// Typesetting them as PDFs.
    pub pdf: Duration,
    /// The slowest single PDF.
    pub slowest_pdf: Duration,
    /// Bytes written, HTML, Excel and PDF.
    pub bytes: [usize; 3],
}

impl PackTimes {
    fn line(&self, name: &str) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let each = |d: Duration| ms(d) / self.packs.max(1) as f64;
        format!(
            "{name}: {} packs; build {:.1} ms, HTML {:.1} ms, Excel {:.1} ms, PDF {:.1} ms \
             (per pack {:.1} / {:.1} / {:.1} / {:.1} ms; slowest PDF {:.1} ms); \
             {} KB HTML, {} KB Excel, {} KB PDF\n",
            self.packs,
            ms(self.build),
            ms(self.html),
            ms(self.xlsx),
            ms(self.pdf),
            each(self.build),
            each(self.html),
            each(self.xlsx),
            each(self.pdf),
            ms(self.slowest_pdf),
            self.bytes[0] / 1024,
            self.bytes[1] / 1024,
            self.bytes[2] / 1024,
        )
    }
}

/// The figures of a run.
#[derive(Debug, Clone)]
pub struct ReportFigures {
    /// Loading the snapshot (catalogue, geography, engine) once.
    pub snapshot: Duration,
    /// The first PDF of the process, which also builds typst's library and font book.
    pub first_pdf: Duration,
    /// One partnership's pack, after the first.
    pub one: PackTimes,
    /// Every partnership's pack.
    pub all: PackTimes,
}

impl ReportFigures {
    /// The figures with the bar.
    pub fn report(&self) -> String {
        let one = self.one.build + self.one.pdf;
        format!(
            "report: the performance pack built and rendered as HTML, Excel and PDF\n\
             snapshot load {:.1} ms; first PDF of the process {:.1} ms (typst library and fonts \
             built once)\n{}{}bar: PDF for one partnership (build + typeset) under 2 s: {:.1} ms, {}\n",
            self.snapshot.as_secs_f64() * 1000.0,
            self.first_pdf.as_secs_f64() * 1000.0,
            self.one.line(PARTNERSHIP),
            self.all.line("every partnership (cdp)"),
            one.as_secs_f64() * 1000.0,
            if one < BAR && self.first_pdf < BAR {
                "met"
            } else {
                "NOT met"
            },
        )
    }
}

fn failed(what: impl std::fmt::Display) -> BenchError {
    BenchError::Setup(what.to_string())
}

/// Builds and renders the packs of `areas`, adding to `times`.
async fn time_packs(
    store: &dyn Store,
    snapshot: &Snapshot,
    areas: &[AreaCode],
    today: time::Date,
    times: &mut PackTimes,
) -> Result<(), BenchError> {
    for area in areas {
        let Some(period) = default_period(snapshot, area) else {
            continue;
        };
        let request = PackRequest {
            area,
            period: &period,
            published: false,
            today,
            visibility: &h2h_web::auth::Visibility::everything(),
        };
        let started = Instant::now();
        let pack = performance_pack(store, snapshot, request)
            .await
            .map_err(failed)?;
        times.build += started.elapsed();
        for (i, format) in [ReportFormat::Html, ReportFormat::Xlsx, ReportFormat::Pdf]
            .into_iter()
            .enumerate()
        {
            let started = Instant::now();
            let bytes = render_pack(&pack, format).map_err(failed)?;
            let took = started.elapsed();
            match format {
                ReportFormat::Html => times.html += took,
                ReportFormat::Xlsx => times.xlsx += took,
                ReportFormat::Pdf => {
                    times.pdf += took;
                    times.slowest_pdf = times.slowest_pdf.max(took);
                }
            }
            if let Some(total) = times.bytes.get_mut(i) {
                *total += bytes.len();
            }
        }
        times.packs += 1;
    }
    Ok(())
}

/// Times the packs on the store's data (the demo, loaded by the caller).
pub async fn run(store: &dyn Store, today: time::Date) -> Result<ReportFigures, BenchError> {
    let started = Instant::now();
    let snapshot = Snapshot::load(store).await.map_err(failed)?;
    let snapshot_load = started.elapsed();
    let one = AreaCode::parse(PARTNERSHIP).map_err(failed)?;
    if snapshot.area(&one).is_none() {
        return Err(failed(format!("the demo data has no area {PARTNERSHIP}")));
    }

    // The first PDF, on its own: it pays for the library and the fonts.
    let mut first = PackTimes::default();
    time_packs(
        store,
        &snapshot,
        std::slice::from_ref(&one),
        today,
        &mut first,
    )
    .await?;
    let mut one_times = PackTimes::default();
    time_packs(
        store,
        &snapshot,
        std::slice::from_ref(&one),
        today,
        &mut one_times,
    )
    .await?;

    let partnerships: Vec<AreaCode> = snapshot
        .areas(Some(AreaKindFilter::Kind(AreaKind::Cdp)))
        .map(|a| a.code.clone())
        .collect();
    let mut all = PackTimes::default();
    time_packs(store, &snapshot, &partnerships, today, &mut all).await?;
    Ok(ReportFigures {
        snapshot: snapshot_load,
        first_pdf: first.pdf,
        one: one_times,
        all,
    })
}
