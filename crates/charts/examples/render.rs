//! Writes the example charts to a folder (default `/tmp/charts`) as `.svg` files plus an
//! `index.html` showing them inline, for looking at them in a browser or converting them.
//!
//! `cargo run -p h2h-charts --example render -- /tmp/charts`

#[path = "../tests/samples/mod.rs"]
mod samples;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("/tmp/charts"), PathBuf::from);
    std::fs::create_dir_all(&dir)?;
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>h2h charts</title>\
         <style>body{font-family:arial,sans-serif;margin:20px;max-width:760px}\
         figure{margin:0 0 32px}</style></head><body>",
    );
    for (name, svg) in samples::all() {
        let path = dir.join(format!("{name}.svg"));
        std::fs::write(&path, &svg)?;
        println!("{}", path.display());
        page.push_str(&format!(
            "<figure><figcaption>{name}</figcaption>{svg}</figure>"
        ));
    }
    page.push_str("</body></html>");
    std::fs::write(dir.join("index.html"), page)?;
    Ok(())
}
