//! Bytes as `f.csv` through `CsvTable::read` and every reader of returns.
#![no_main]

use std::sync::LazyLock;

use h2h_ingest::ImportContext;
use libfuzzer_sys::fuzz_target;

static CONTEXT: LazyLock<ImportContext> = LazyLock::new(h2h_fuzz::context);

fuzz_target!(|data: &[u8]| {
    h2h_fuzz::read_all("f.csv", data, &CONTEXT);
});
