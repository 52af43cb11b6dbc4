//! Text through `Period::parse`: never a panic, and a parsed period's code reads back as it.
#![no_main]

use h2h_domain::Period;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(period) = Period::parse(text) {
        let code = period.code();
        assert_eq!(Period::parse(&code).ok(), Some(period), "{code}");
        let _ = period.label();
    }
});
