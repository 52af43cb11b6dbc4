//! Embeds the GOV.UK Frontend assets from npm into the binary, so served pages need nothing
//! from outside. `web/package-lock.json` pins the package; when `web/node_modules` is missing
//! (a fresh clone) this runs `npm ci` once to install exactly what the lock file names.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(message) = run() {
        println!("cargo::error={message}");
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let web_dir = manifest_dir.join("../../web");
    let dist = web_dir.join("node_modules/govuk-frontend/dist/govuk");
    println!(
        "cargo::rerun-if-changed={}",
        web_dir.join("package-lock.json").display()
    );
    println!("cargo::rerun-if-changed={}", dist.display());
    if !dist.join("govuk-frontend.min.css").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--omit=dev"])
            .current_dir(&web_dir)
            .status()
            .map_err(|e| format!("govuk-frontend is not installed and `npm ci` could not run in web/ ({e}); install Node.js and npm, or run `npm ci` in web/"))?;
        if !status.success() {
            return Err(format!(
                "`npm ci` in web/ failed ({status}); run it by hand to see why"
            ));
        }
    }
    let mut files = vec![
        (
            String::from("govuk-frontend.min.css"),
            dist.join("govuk-frontend.min.css"),
        ),
        (
            String::from("govuk-frontend.min.js"),
            dist.join("govuk-frontend.min.js"),
        ),
    ];
    collect(&dist.join("assets/images"), "images/", &mut files)?;
    let mut table =
        String::from("/// GOV.UK Frontend's files, served under `/assets/`: (path, bytes).\n");
    table.push_str("pub(crate) static GOVUK_ASSETS: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let path = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let _ = writeln!(
            table,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    table.push_str("];\n");
    let out =
        PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?).join("govuk_assets.rs");
    fs::write(&out, table).map_err(|e| format!("{}: {e}", out.display()))
}

fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for path in entries {
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            files.push((format!("{prefix}{name}"), path.clone()));
        }
    }
    Ok(())
}
