//! The speed bar at national scale: generates an extract of `--referrals N` (default 1,000,000)
//! for about 330 local authorities over ten financial years into a temporary folder, reads it,
//! fingerprints it, encodes and decodes it, and computes the grid of every quarter of the ten
//! years for every area, printing for each step its wall-clock seconds, the CPU seconds the
//! process used (user + system, all threads: on a shared machine the wall clock also counts
//! other work), rows per second and peak memory. The generated files are deleted at the end
//! unless `--keep DIR` writes them to DIR instead; `--read DIR` reads an extract already there
//! instead of generating one; `--long FILE` also writes the grid in long form (CSV) for
//! comparing the figures with another engine (`bench/records_duckdb.py`).
//!
//! `cargo run --release -p h2h-records --example national -- --referrals 10000000`
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use h2h_domain::{AreaCode, Period};
use h2h_records::{Extract, KnownAreas, fingerprint_dir, generate, read_extract, scorecard_grid};

fn status(key: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse().ok()))
        })
}

fn peak() -> String {
    status("VmHWM:").map_or("?".into(), |kib| format!("{} MiB", kib / 1024))
}

/// User + system CPU seconds of the process so far (clock ticks of 1/100 s, Linux's usual).
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

struct Lap {
    wall: Instant,
    cpu: f64,
}

impl Lap {
    fn start() -> Self {
        Lap {
            wall: Instant::now(),
            cpu: cpu(),
        }
    }

    /// Wall seconds and CPU seconds since the start.
    fn stop(&self) -> (f64, f64) {
        (self.wall.elapsed().as_secs_f64(), cpu() - self.cpu)
    }
}

fn areas() -> Vec<(AreaCode, u64)> {
    // About 330 local authorities of England and Wales, with plausible populations.
    let mut rng = fastrand::Rng::with_seed(330);
    let mut out = Vec::new();
    for (prefix, n) in [
        ("E06", 63),
        ("E07", 164),
        ("E08", 36),
        ("E09", 33),
        ("W06", 22),
    ] {
        for i in 1..=n {
            if let Ok(code) = AreaCode::parse(&format!("{prefix}{i:06}")) {
                out.push((code, rng.u64(40_000..1_200_000)));
            }
        }
    }
    out
}

fn generate_into(
    referrals: usize,
    areas: &[(AreaCode, u64)],
    dir: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let lap = Lap::start();
    let summary = generate(referrals, 2026, areas, 2014, dir)?;
    let (wall, cpu) = lap.stop();
    let rows = summary.total_rows();
    println!(
        "generate: {wall:.2} s (cpu {cpu:.2} s), {rows} rows ({:.0} rows/s), {:.0} MiB of CSV",
        rows as f64 / wall,
        summary.bytes as f64 / 1048576.0
    );
    for (file, n) in &summary.rows {
        println!("  {:<24} {n}", file.file_name());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut referrals = 1_000_000usize;
    let mut keep: Option<PathBuf> = None;
    let mut long: Option<PathBuf> = None;
    let mut existing: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--referrals" => {
                referrals = args
                    .next()
                    .ok_or("--referrals N")?
                    .replace('_', "")
                    .parse()?
            }
            "--keep" => keep = Some(args.next().ok_or("--keep DIR")?.into()),
            "--read" => existing = Some(args.next().ok_or("--read DIR")?.into()),
            "--long" => long = Some(args.next().ok_or("--long FILE")?.into()),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let temp = tempfile::tempdir()?;
    let dir = existing
        .clone()
        .or_else(|| keep.clone())
        .unwrap_or_else(|| temp.path().to_path_buf());
    let areas = areas();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?");
    match &existing {
        Some(dir) => println!("reading {}, {cores} cores, load {load}", dir.display()),
        None => println!(
            "{referrals} referrals, {} areas, {cores} cores, load {load}",
            areas.len()
        ),
    }
    if existing.is_none() {
        generate_into(referrals, &areas, &dir)?;
    }

    let known = KnownAreas::new(areas.iter().map(|a| a.0.clone()))?;
    let lap = Lap::start();
    let read = read_extract(&dir, &known)?;
    let (wall, cpu) = lap.stop();
    let accepted: u64 = read.files.iter().map(|f| f.accepted).sum();
    let rejected: u64 = read.files.iter().map(|f| f.rejected).sum();
    println!(
        "read: {wall:.2} s (cpu {cpu:.2} s), {accepted} rows accepted, {rejected} rejected, {:.0} rows/s ({:.0} rows per cpu-second), {} warnings; peak so far {}",
        accepted as f64 / wall,
        accepted as f64 / cpu.max(0.01),
        read.warnings.len(),
        peak()
    );

    let lap = Lap::start();
    let fp = fingerprint_dir(&dir)?;
    let (wall, _) = lap.stop();
    println!(
        "fingerprint: {wall:.2} s ({fp}, same as the read's: {})",
        fp == read.fingerprint
    );

    let x = read.extract;
    let lap = Lap::start();
    let bytes = x.to_bytes();
    let (enc, enc_cpu) = lap.stop();
    let lap = Lap::start();
    let back = Extract::from_bytes(&bytes)?;
    let (dec, dec_cpu) = lap.stop();
    println!(
        "encode: {enc:.2} s (cpu {enc_cpu:.2} s), decode: {dec:.2} s (cpu {dec_cpu:.2} s), {} bytes = {:.0} MiB ({:.1} bytes/row), round trip equal: {}",
        bytes.len(),
        bytes.len() as f64 / 1048576.0,
        bytes.len() as f64 / accepted.max(1) as f64,
        back == x
    );
    drop(back);
    drop(bytes);

    let periods: Vec<Period> = (2014..2024)
        .flat_map(|y| (1..=4).filter_map(move |q| Period::quarter(y, q).ok()))
        .collect();
    let lap = Lap::start();
    let grid = scorecard_grid(&x, &periods)?;
    let (wall, cpu) = lap.stop();
    println!(
        "grid: {wall:.2} s (cpu {cpu:.2} s) for {} areas × {} periods",
        grid.area_codes().len(),
        periods.len()
    );
    if let Some(path) = long {
        let lap = Lap::start();
        grid.write_long_csv(std::fs::File::create(&path)?)?;
        println!("long form: {:.2} s to {}", lap.stop().0, path.display());
    }
    println!("peak memory (VmHWM): {}", peak());
    Ok(())
}
