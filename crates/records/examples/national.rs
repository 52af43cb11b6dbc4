//! The speed bar at national scale: generates an extract of `--referrals N` (default 1,000,000)
//! for about 330 local authorities over ten financial years into a temporary folder, reads it,
//! fingerprints it, encodes and decodes it, and computes the grid of every quarter of the ten
//! years for every area, printing seconds, rows per second and peak memory. The generated
//! files are deleted at the end unless `--keep DIR` writes them to DIR instead; `--long FILE`
//! also writes the grid in long form (CSV) for comparing the figures with another engine;
//! `--read DIR` reads an extract already there instead of generating one.
//!
//! `cargo run --release -p h2h-records --example national -- --referrals 10000000`
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use h2h_domain::{AreaCode, Period};
use h2h_records::{Extract, KnownAreas, fingerprint_dir, generate, read_extract, scorecard_grid};

fn peak_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<u64>().ok())
            })
        })
        .map_or("?".into(), |kib| format!("{} MiB", kib / 1024))
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
            let code = AreaCode::parse(&format!("{prefix}{i:06}")).map_err(|e| e.to_string());
            if let Ok(code) = code {
                out.push((code, rng.u64(40_000..1_200_000)));
            }
        }
    }
    out
}

fn generate_into(
    referrals: usize,
    areas: &[(AreaCode, u64)],
    dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let summary = generate(referrals, 2026, areas, 2014, dir)?;
    let secs = t.elapsed().as_secs_f64();
    let rows = summary.total_rows();
    println!(
        "generate: {secs:.2} s, {rows} rows ({:.0} rows/s), {:.0} MiB of CSV",
        rows as f64 / secs,
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
    match &existing {
        Some(dir) => println!("reading {}, {cores} cores", dir.display()),
        None => println!(
            "{referrals} referrals, {} areas, {cores} cores",
            areas.len()
        ),
    }

    if existing.is_none() {
        generate_into(referrals, &areas, &dir)?;
    }

    let known = KnownAreas::new(areas.iter().map(|a| a.0.clone()))?;
    let t = Instant::now();
    let read = read_extract(&dir, &known)?;
    let secs = t.elapsed().as_secs_f64();
    let accepted: u64 = read.files.iter().map(|f| f.accepted).sum();
    let rejected: u64 = read.files.iter().map(|f| f.rejected).sum();
    println!(
        "read: {secs:.2} s, {accepted} rows accepted, {rejected} rejected, {:.0} rows/s, {} warnings; peak so far {}",
        accepted as f64 / secs,
        read.warnings.len(),
        peak_mib()
    );

    let t = Instant::now();
    let fp = fingerprint_dir(&dir)?;
    println!(
        "fingerprint: {:.2} s ({fp}, same as the read's: {})",
        t.elapsed().as_secs_f64(),
        fp == read.fingerprint
    );

    let x = read.extract;
    let t = Instant::now();
    let bytes = x.to_bytes();
    let enc = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let back = Extract::from_bytes(&bytes)?;
    let dec = t.elapsed().as_secs_f64();
    println!(
        "encode: {enc:.2} s, decode: {dec:.2} s, {:.0} MiB ({:.1} bytes/row), round trip equal: {}",
        bytes.len() as f64 / 1048576.0,
        bytes.len() as f64 / accepted.max(1) as f64,
        back == x
    );
    drop(back);
    drop(bytes);

    let periods: Vec<Period> = (2014..2024)
        .flat_map(|y| (1..=4).filter_map(move |q| Period::quarter(y, q).ok()))
        .collect();
    let t = Instant::now();
    let grid = scorecard_grid(&x, &periods)?;
    println!(
        "grid: {:.2} s for {} areas × {} periods",
        t.elapsed().as_secs_f64(),
        grid.area_codes().len(),
        periods.len()
    );
    if let Some(path) = long {
        let t = Instant::now();
        grid.write_long_csv(std::fs::File::create(&path)?)?;
        println!(
            "long form: {:.2} s to {}",
            t.elapsed().as_secs_f64(),
            path.display()
        );
    }
    println!("peak memory (VmHWM): {}", peak_mib());
    Ok(())
}
