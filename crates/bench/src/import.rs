//! The import bar for aggregate returns: a generated 1-million-row return imports at 200,000
//! rows per second or more. The return has one row per metric, lower-tier authority and
//! month, with numerators and denominators that pass every check, so the figure measures
//! parsing, validation and storage together.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use h2h_domain::{Area, Metric, Period, Unit};
use h2h_store::Store;

use crate::web::BenchError;

/// The figures of a run.
#[derive(Debug, Clone)]
pub struct ImportFigures {
    /// Rows in the return.
    pub rows: usize,
    /// Bytes in the return.
    pub bytes: usize,
    /// Rows stored.
    pub accepted: usize,
    /// Time to import.
    pub elapsed: Duration,
}

impl ImportFigures {
    /// The figures with the bar.
    pub fn report(&self) -> String {
        let rate = self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9);
        format!(
            "import: {} rows ({:.1} MB) in {:.2} s = {:.0} rows/s, {} stored\nbar: 200,000 rows/s or more: {}\n",
            self.rows,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64(),
            rate,
            self.accepted,
            if rate >= 200_000.0 { "met" } else { "NOT met" },
        )
    }
}

/// A values return of `rows` rows (fewer if the metrics, areas and months run out) over the
/// given metrics (counts, proportions and rates only) and lower-tier areas, month by month
/// backwards from `last`.
pub fn generate_return(metrics: &[Metric], areas: &[Area], rows: usize, last: Period) -> String {
    let metrics: Vec<&Metric> = metrics
        .iter()
        .filter(|m| matches!(m.unit, Unit::Count | Unit::Proportion | Unit::Rate))
        .collect();
    let areas: Vec<&Area> = areas.iter().filter(|a| a.kind.is_lower_tier()).collect();
    let mut text = String::with_capacity(rows * 48);
    text.push_str("metric_id,area_code,period,numerator,denominator\n");
    let mut period = last;
    let mut written = 0;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    'fill: loop {
        let code = period.code();
        for metric in &metrics {
            for area in &areas {
                if written >= rows {
                    break 'fill;
                }
                // A small xorshift: deterministic figures without a dependency.
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let denominator = 50 + seed % 950;
                let numerator = seed.rotate_left(17) % (denominator + 1);
                let _ = match metric.unit {
                    Unit::Count => {
                        writeln!(text, "{},{},{code},{numerator},", metric.id, area.code)
                    }
                    _ => writeln!(
                        text,
                        "{},{},{code},{numerator},{denominator}",
                        metric.id, area.code
                    ),
                };
                written += 1;
            }
        }
        let previous = period.previous();
        if previous == period || metrics.is_empty() || areas.is_empty() {
            break;
        }
        period = previous;
    }
    text
}

/// Imports a generated return of `rows` rows into `store` and times it.
pub async fn run(
    store: &dyn Store,
    rows: usize,
    keep: Option<&std::path::Path>,
) -> Result<ImportFigures, BenchError> {
    let setup = |e: h2h_store::StoreError| BenchError::Setup(e.to_string());
    let metrics = store.metrics().await.map_err(setup)?;
    let areas = store.areas(None).await.map_err(setup)?;
    let last = Period::month(2025, 3).map_err(|e| BenchError::Setup(e.to_string()))?;
    let text = generate_return(&metrics, &areas, rows, last);
    if let Some(path) = keep {
        std::fs::write(path, &text)
            .map_err(|e| BenchError::Setup(format!("{}: {e}", path.display())))?;
    }
    let generated = text.lines().count().saturating_sub(1);
    let sender = h2h_ingest::Sender {
        submitted_by: "h2h bench",
        source: Some("generated return"),
        published: false,
    };
    let started = Instant::now();
    let import = h2h_ingest::import_values(store, "generated.csv", text.as_bytes(), None, sender)
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let elapsed = started.elapsed();
    if let Some(problem) = import.rejected.first() {
        return Err(BenchError::Setup(format!(
            "the generated return had a rejected row: {problem}"
        )));
    }
    Ok(ImportFigures {
        rows: generated,
        bytes: text.len(),
        accepted: import.accepted,
        elapsed,
    })
}
