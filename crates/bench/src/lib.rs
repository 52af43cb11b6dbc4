//! Benchmarks for the quality bars of `PRODUCT.md`, run with `h2h bench ...`. Each prints its
//! figures and the bar they are measured against; none is a pass/fail test, since these
//! machines are noisy, but each compares with a peer measured in the same run.

pub mod import;
pub mod indicators;
pub mod report;
pub mod web;
