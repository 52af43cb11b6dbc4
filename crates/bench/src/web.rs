//! The web bar: every page under 100 ms at the 95th percentile with 50 concurrent users on the
//! demo data, and no errors. The app is served on a loopback port in this process; `users`
//! clients, each on its own keep-alive connection, request the pages round-robin for a fixed
//! time, signed in as a national analyst through an API token made for the run.
//!
//! The peer is the same server answering a static file of the same size as the largest page
//! (GOV.UK Frontend's stylesheet), with the same token: the ratio of the two p95s is what
//! rendering from the database costs over sending bytes.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use h2h_domain::{AreaCode, Role, Username};
use h2h_store::{NewAccount, Store};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;

/// What went wrong while benchmarking.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The server could not be set up.
    #[error("cannot set up the server: {0}")]
    Setup(String),
    /// A request failed or answered anything but 200.
    #[error("{path}: {reason}")]
    Request {
        /// The page.
        path: String,
        /// What happened.
        reason: String,
    },
}

/// The pages measured: one of each kind a user reaches from the home page. The page of the
/// demo partnership's first delivery plan is added at run time (its id is the store's).
pub const PAGES: &[&str] = &[
    "/",
    "/framework",
    "/framework/metrics/cdof.h5_drug_misuse_deaths",
    "/areas?kind=upper_tier",
    "/areas/E06000047",
    "/areas/E06000047/metrics/cdof.h5_drug_misuse_deaths",
    "/areas/E12000001",
    "/areas/W15000002/scorecard",
    "/partnerships/CDP-DURHAM-DARLINGTON",
    "/plans",
    "/api/v1/areas?kind=pfa",
    "/api/v1/metrics",
];

/// The area whose first delivery plan's page is measured too.
pub const PLAN_AREA: &str = "CDP-DURHAM-DARLINGTON";

/// The account the benchmark signs in as (made in the store when it is not there).
pub const BENCH_ACCOUNT: &str = "bench-web";

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
    /// Requests answered 200.
    pub requests: usize,
    /// Requests that failed or answered anything but 200.
    pub errors: usize,
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
    /// Requests per second of the peer.
    pub peer_throughput: f64,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

impl WebFigures {
    /// Requests that failed or answered anything but 200, pages and peer together.
    pub fn errors(&self) -> usize {
        self.overall.errors + self.peer.errors
    }

    /// The figures as a table, with the bar and the peer ratio.
    pub fn report(&self, users: usize) -> String {
        let mut out = String::new();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(
            out,
            "web: {users} concurrent users, keep-alive connections, loopback, signed in as a national analyst (API token)"
        );
        let _ = writeln!(
            out,
            "{:<56} {:>9} {:>7} {:>9} {:>9} {:>9}",
            "page", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"
        );
        for f in self.pages.iter().chain([&self.overall, &self.peer]) {
            let _ = writeln!(
                out,
                "{:<56} {:>9} {:>7} {:>9.2} {:>9.2} {:>9.2}",
                f.path,
                f.requests,
                f.errors,
                ms(f.p50),
                ms(f.p95),
                ms(f.p99)
            );
        }
        let worst = self
            .pages
            .iter()
            .max_by_key(|f| f.p95)
            .map(|f| (f.p95, f.path.as_str()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "throughput: {:.0} requests/s (peer {:.0} requests/s)",
            self.throughput, self.peer_throughput
        );
        let _ = writeln!(out, "errors: {}", self.errors());
        if let Some(error) = &self.first_error {
            let _ = writeln!(out, "first error: {error}");
        }
        let met = worst.0 < Duration::from_millis(100) && self.errors() == 0;
        let _ = writeln!(
            out,
            "bar: every page p95 < 100 ms and no errors: worst page p95 {:.2} ms ({}): {}",
            ms(worst.0),
            worst.1,
            if met { "met" } else { "NOT met" }
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

/// Where to send requests and the header that signs them in.
struct Target {
    base: String,
    authorization: String,
}

/// Serves the app over `url`'s store on a loopback port and measures it.
pub async fn run(url: &str, settings: &WebBench) -> Result<WebFigures, BenchError> {
    let setup = |e: &dyn std::fmt::Display| BenchError::Setup(e.to_string());
    let store = h2h_ingest::open_with_reference_data(url)
        .await
        .map_err(|e| setup(&e))?;
    let token = bench_token(store.as_ref()).await?;
    let mut pages: Vec<String> = PAGES.iter().map(|p| (*p).to_owned()).collect();
    let plan_area = AreaCode::parse(PLAN_AREA).map_err(|e| setup(&e))?;
    if let Some(plan) = store
        .plans(Some(&plan_area))
        .await
        .map_err(|e| setup(&e))?
        .first()
    {
        pages.push(format!("/plans/{}", plan.id));
    }
    let pages = Arc::new(pages);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| setup(&e))?;
    let address = listener.local_addr().map_err(|e| setup(&e))?;
    let server = tokio::spawn(h2h_web::serve(listener, h2h_web::app(store)));
    let target = Arc::new(Target {
        base: format!("http://{address}"),
        authorization: format!("Bearer {token}"),
    });
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(settings.users)
        .build_http();
    for path in pages.iter().map(String::as_str).chain([PEER]) {
        fetch(&client, &target, path).await?;
    }
    let peer = Arc::new(vec![PEER.to_owned()]);
    let warm_up = settings.duration / 10;
    load(&client, &target, &pages, settings.users, warm_up).await?;
    let started = Instant::now();
    let samples = load(&client, &target, &pages, settings.users, settings.duration).await?;
    let elapsed = started.elapsed();
    let peer_started = Instant::now();
    let peer_samples = load(
        &client,
        &target,
        &peer,
        settings.users,
        settings.duration / 2,
    )
    .await?;
    let peer_elapsed = peer_started.elapsed();
    server.abort();
    let first_error = samples
        .iter()
        .chain(&peer_samples)
        .find_map(|s| s.error.clone());
    let per_page = pages
        .iter()
        .map(|path| {
            figures(
                path,
                samples
                    .iter()
                    .filter(|s| s.path == *path)
                    .cloned()
                    .collect(),
            )
        })
        .collect();
    let answered = samples.iter().filter(|s| s.error.is_none()).count();
    let peer_answered = peer_samples.iter().filter(|s| s.error.is_none()).count();
    Ok(WebFigures {
        pages: per_page,
        overall: figures("all pages", samples),
        peer: figures(&format!("peer: static file {PEER}"), peer_samples),
        throughput: answered as f64 / elapsed.as_secs_f64(),
        peer_throughput: peer_answered as f64 / peer_elapsed.as_secs_f64(),
        first_error,
    })
}

/// Makes (or finds) the benchmark's national-analyst account and gives it a new API token.
async fn bench_token(store: &dyn Store) -> Result<String, BenchError> {
    let setup = |e: &dyn std::fmt::Display| BenchError::Setup(e.to_string());
    let username = Username::parse(BENCH_ACCOUNT).map_err(|e| setup(&e))?;
    let now = h2h_web::auth::timestamp_now();
    let account_id = match store.credentials(&username).await.map_err(|e| setup(&e))? {
        Some(credentials) => credentials.account.principal.account_id,
        None => {
            let password = h2h_web::auth::new_password().map_err(|e| setup(&e))?;
            let hash = h2h_web::auth::hash_password(&password);
            store
                .create_account(&NewAccount {
                    username: &username,
                    display_name: "Web benchmark",
                    role: Role::NationalAnalyst,
                    areas: &[],
                    password_hash: &hash,
                    created_at: &now,
                })
                .await
                .map_err(|e| setup(&e))?
                .principal
                .account_id
        }
    };
    let token = h2h_web::auth::new_secret(h2h_web::auth::TOKEN_PREFIX).map_err(|e| setup(&e))?;
    store
        .create_api_token(
            account_id,
            "h2h bench web",
            &h2h_web::auth::digest(&token),
            &now,
        )
        .await
        .map_err(|e| setup(&e))?;
    Ok(token)
}

/// Requests `path` with the token; anything but 200 is an error.
async fn fetch(client: &HttpClient, target: &Target, path: &str) -> Result<(), BenchError> {
    let failed = |reason: String| BenchError::Request {
        path: path.to_owned(),
        reason,
    };
    let request = Request::get(format!("{}{path}", target.base))
        .header(header::AUTHORIZATION, &target.authorization)
        .body(Empty::new())
        .map_err(|e| failed(e.to_string()))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| failed(e.to_string()))?;
    if status == StatusCode::OK {
        Ok(())
    } else {
        Err(failed(format!("answered {status}")))
    }
}

/// One request's outcome.
#[derive(Debug, Clone)]
struct Sample {
    path: String,
    latency: Duration,
    error: Option<String>,
}

/// Runs `users` clients for `duration`, each requesting `paths` in turn; returns every
/// request's sample, failures included.
async fn load(
    client: &HttpClient,
    target: &Arc<Target>,
    paths: &Arc<Vec<String>>,
    users: usize,
    duration: Duration,
) -> Result<Vec<Sample>, BenchError> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::with_capacity(users);
    for user in 0..users {
        let client = client.clone();
        let target = Arc::clone(target);
        let paths = Arc::clone(paths);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut next = user;
            while Instant::now() < deadline {
                let Some(path) = paths.get(next % paths.len().max(1)) else {
                    break;
                };
                next += 1;
                let started = Instant::now();
                let outcome = fetch(&client, &target, path).await;
                samples.push(Sample {
                    path: path.clone(),
                    latency: started.elapsed(),
                    error: outcome.err().map(|e| e.to_string()),
                });
            }
            samples
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(|e| BenchError::Setup(e.to_string()))?);
    }
    Ok(all)
}

/// The figures of `samples`: latencies of the requests answered 200, and the errors.
fn figures(path: &str, samples: Vec<Sample>) -> PathFigures {
    let errors = samples.iter().filter(|s| s.error.is_some()).count();
    let mut latencies: Vec<Duration> = samples
        .into_iter()
        .filter(|s| s.error.is_none())
        .map(|s| s.latency)
        .collect();
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
        errors,
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ms: u64, error: bool) -> Sample {
        Sample {
            path: String::from("x"),
            latency: Duration::from_millis(ms),
            error: error.then(|| String::from("answered 303 See Other")),
        }
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples = (1..=100).map(|ms| sample(ms, false)).collect();
        let f = figures("x", samples);
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

    #[test]
    fn errors_are_counted_and_left_out_of_the_latencies() {
        let mut samples: Vec<Sample> = (1..=10).map(|ms| sample(ms, false)).collect();
        samples.push(sample(1000, true));
        let f = figures("x", samples);
        assert_eq!((f.requests, f.errors), (10, 1));
        assert_eq!(f.p99, Duration::from_millis(10));
    }
}
