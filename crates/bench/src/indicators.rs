//! The indicators bar: every metric for every area and period of the shipped data, with
//! intervals, benchmarks and trends, recomputes in under 1 second after a submission.
//!
//! Measured from the store: loading every current value into a fresh engine (what a
//! submission triggers) and computing every indicator of every (area, period) that has
//! figures, own or summed from members.

use std::time::{Duration, Instant};

use h2h_store::Store;

use crate::web::BenchError;

/// The figures of a run.
#[derive(Debug, Clone)]
pub struct IndicatorFigures {
    /// Current values held.
    pub values: usize,
    /// (area, period) pairs with figures.
    pub keys: usize,
    /// Indicators computed.
    pub indicators: usize,
    /// Time to load the values and build the engine.
    pub load: Duration,
    /// Time to compute every indicator.
    pub compute: Duration,
}

impl IndicatorFigures {
    /// The figures with the bar.
    pub fn report(&self) -> String {
        let total = self.load + self.compute;
        format!(
            "indicators: {} current values, {} area-period pairs, {} indicators (value, 95% and 99.8% limits, \
             benchmark comparison, trend, target)\nload {:.1} ms + compute {:.1} ms = {:.1} ms \
             ({:.0} indicators/s)\nbar: under 1 second after a submission: {}\n",
            self.values,
            self.keys,
            self.indicators,
            self.load.as_secs_f64() * 1000.0,
            self.compute.as_secs_f64() * 1000.0,
            total.as_secs_f64() * 1000.0,
            self.indicators as f64 / self.compute.as_secs_f64().max(1e-9),
            if total < Duration::from_secs(1) {
                "met"
            } else {
                "NOT met"
            },
        )
    }
}

/// Recomputes every indicator from the store's current data.
pub async fn run(store: &dyn Store, today: time::Date) -> Result<IndicatorFigures, BenchError> {
    let setup = |e: h2h_store::StoreError| BenchError::Setup(e.to_string());
    let started = Instant::now();
    let values = store.current_observations(None).await.map_err(setup)?;
    let count = values.len();
    let engine = h2h_web::indicators::engine_from(
        store.metrics().await.map_err(setup)?,
        store.areas(None).await.map_err(setup)?,
        values,
        store.targets().await.map_err(setup)?,
    );
    let load = started.elapsed();
    let started = Instant::now();
    let keys = engine.keys();
    let mut indicators = 0;
    for (area, period) in &keys {
        indicators += engine.indicators(area, period, None, today).len();
    }
    Ok(IndicatorFigures {
        values: count,
        keys: keys.len(),
        indicators,
        load,
        compute: started.elapsed(),
    })
}
