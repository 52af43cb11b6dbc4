//! The web bar: every page under 100 ms at the 95th percentile with 50 concurrent users on the
//! demo data. The app is served on a loopback port in this process; `users` clients, each on
//! its own keep-alive connection, request the pages round-robin for a fixed time.
//!
//! The peer is the same server answering a static file of the same size as the largest page
//! (GOV.UK Frontend's stylesheet): the ratio of the two p95s is what rendering from the
//! database costs over sending bytes.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;

/// What went wrong while benchmarking.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The server could not be set up.
    #[error("cannot set up the server: {0}")]
    Setup(String),
    /// A request failed or answered an error status.
    #[error("{path}: {reason}")]
    Request {
        /// The page.
        path: String,
        /// What happened.
        reason: String,
    },
}

/// The pages measured: one of each kind a user reaches from the home page.
pub const PAGES: &[&str] = &[
    "/",
    "/framework",
    "/framework/metrics/cdof.h5_drug_misuse_deaths",
    "/areas?kind=upper_tier",
    "/areas/E06000047",
    "/areas/E12000001",
    "/api/v1/areas?kind=pfa",
    "/api/v1/metrics",
];

/// The static file used as the peer.
pub const PEER: &str = "/assets/govuk-frontend.min.css";

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct WebBench {
    /// Concurrent users.
    pub users: usize,
    /// How long to measure, after a warm-up of a tenth of it.
    pub duration: Duration,
}

/// Latency figures for one path.
#[derive(Debug, Clone)]
pub struct PathFigures {
    /// The path.
    pub path: String,
    /// Requests answered.
    pub requests: usize,
    /// Median latency.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct WebFigures {
    /// Each page.
    pub pages: Vec<PathFigures>,
    /// All pages together.
    pub overall: PathFigures,
    /// The static-file peer under the same load.
    pub peer: PathFigures,
    /// Requests per second over all pages.
    pub throughput: f64,
}

impl WebFigures {
    /// The figures as a table, with the bar and the peer ratio.
    pub fn report(&self, users: usize) -> String {
        let mut out = String::new();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(
            out,
            "web: {users} concurrent users, keep-alive connections, loopback"
        );
        let _ = writeln!(
            out,
            "{:<48} {:>9} {:>9} {:>9} {:>9}",
            "page", "requests", "p50 ms", "p95 ms", "p99 ms"
        );
        for f in self.pages.iter().chain([&self.overall, &self.peer]) {
            let _ = writeln!(
                out,
                "{:<48} {:>9} {:>9.2} {:>9.2} {:>9.2}",
                f.path,
                f.requests,
                ms(f.p50),
                ms(f.p95),
                ms(f.p99)
            );
        }
        let worst = self.pages.iter().map(|f| f.p95).max().unwrap_or_default();
        let _ = writeln!(out, "throughput: {:.0} requests/s", self.throughput);
        let _ = writeln!(
            out,
            "bar: every page p95 < 100 ms: worst page p95 {:.2} ms: {}",
            ms(worst),
            if worst < Duration::from_millis(100) {
                "met"
            } else {
                "NOT met"
            }
        );
        let _ = writeln!(
            out,
            "peer: overall p95 / static-file p95 = {:.2}",
            ms(self.overall.p95) / ms(self.peer.p95).max(1e-9)
        );
        out
    }
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>;

/// Serves the app over `url`'s store on a loopback port and measures it.
pub async fn run(url: &str, settings: &WebBench) -> Result<WebFigures, BenchError> {
    let store = h2h_ingest::open_with_reference_data(url)
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let address = listener
        .local_addr()
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let server = tokio::spawn(h2h_web::serve(listener, h2h_web::app(store)));
    let base = format!("http://{address}");
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(settings.users)
        .build_http();
    for path in PAGES.iter().chain([&PEER]) {
        fetch(&client, &base, path).await?;
    }
    let warm_up = settings.duration / 10;
    load(&client, &base, PAGES, settings.users, warm_up).await?;
    let started = Instant::now();
    let samples = load(&client, &base, PAGES, settings.users, settings.duration).await?;
    let elapsed = started.elapsed();
    let peer_samples = load(
        &client,
        &base,
        &[PEER],
        settings.users,
        settings.duration / 2,
    )
    .await?;
    server.abort();
    let pages = PAGES
        .iter()
        .map(|path| {
            figures(
                path,
                samples
                    .iter()
                    .filter(|(p, _)| p == path)
                    .map(|(_, d)| *d)
                    .collect(),
            )
        })
        .collect();
    let total = samples.len();
    Ok(WebFigures {
        pages,
        overall: figures("all pages", samples.into_iter().map(|(_, d)| d).collect()),
        peer: figures(
            &format!("peer: static file {PEER}"),
            peer_samples.into_iter().map(|(_, d)| d).collect(),
        ),
        throughput: total as f64 / elapsed.as_secs_f64(),
    })
}

async fn fetch(client: &HttpClient, base: &str, path: &str) -> Result<(), BenchError> {
    let failed = |reason: String| BenchError::Request {
        path: path.to_owned(),
        reason,
    };
    let uri: hyper::Uri = format!("{base}{path}")
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| failed(e.to_string()))?;
    let response = client.get(uri).await.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| failed(e.to_string()))?;
    if status.is_success() {
        Ok(())
    } else {
        Err(failed(format!("answered {status}")))
    }
}

/// Runs `users` clients for `duration`, each requesting `paths` in turn; returns every
/// (path, latency) sample.
async fn load(
    client: &HttpClient,
    base: &str,
    paths: &'static [&'static str],
    users: usize,
    duration: Duration,
) -> Result<Vec<(&'static str, Duration)>, BenchError> {
    let deadline = Instant::now() + duration;
    let base = Arc::new(base.to_owned());
    let mut tasks = Vec::with_capacity(users);
    for user in 0..users {
        let client = client.clone();
        let base = Arc::clone(&base);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut next = user % paths.len();
            while Instant::now() < deadline {
                let path = paths[next % paths.len()];
                next += 1;
                let started = Instant::now();
                fetch(&client, &base, path).await?;
                samples.push((path, started.elapsed()));
            }
            Ok::<_, BenchError>(samples)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let samples = task.await.map_err(|e| BenchError::Setup(e.to_string()))??;
        all.extend(samples);
    }
    Ok(all)
}

fn figures(path: &str, mut latencies: Vec<Duration>) -> PathFigures {
    latencies.sort_unstable();
    let at = |q: f64| -> Duration {
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        latencies.get(rank - 1).copied().unwrap_or_default()
    };
    PathFigures {
        path: path.to_owned(),
        requests: latencies.len(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let latencies = (1..=100).map(Duration::from_millis).collect();
        let f = figures("x", latencies);
        assert_eq!(
            (f.p50, f.p95, f.p99),
            (
                Duration::from_millis(50),
                Duration::from_millis(95),
                Duration::from_millis(99)
            )
        );
        assert_eq!(figures("empty", Vec::new()).p95, Duration::ZERO);
    }
}
