//! Client-level records of a Drug Interventions Programme (the journey data set of `records.md`)
//! and the Results Based Accountability scorecard computed from them (`scorecard.md`).
//!
//! The layers, each a module:
//! - [`model`]: the extract held as typed column vectors ([`Extract`]), one table per file;
//! - [`read`]: reading a folder of CSV files into an [`Extract`], keeping every rejected row
//!   with its reason ([`read_extract`]); identifiers are checked and resolved by partitioned
//!   sorting (`keys.rs`), and client ids must not look like a name, a date of birth, an NHS or a
//!   PNC number (`pseudonym.rs`);
//! - [`substance`]: the controlled list of substances and the normalisation of free text to it;
//! - [`measures`]: the measure catalogue (stable ids, labels, definitions, sections);
//! - [`scorecard()`]: one area and one period, the reference implementation of the definitions;
//! - [`grid`]: every area and every period of a list in one pass per table ([`scorecard_grid`]);
//! - [`codec`]: the versioned binary encoding of an extract;
//! - [`generate()`]: a realistic synthetic extract for tests and benchmarks;
//! - [`date`]: dates as day numbers.
//!
//! Nothing here touches a database or the network.

pub mod codec;
pub mod date;
pub mod error;
pub mod generate;
pub mod grid;
mod keys;
pub mod measures;
pub mod model;
mod pseudonym;
pub mod read;
pub mod scorecard;
pub mod substance;

pub use codec::CodecError;
pub use error::RecordsError;
pub use generate::{GenerateSummary, generate};
pub use grid::{Grid, LongRow, scorecard_grid};
pub use measures::{MeasureDef, SECTIONS, catalogue, measure};
pub use model::{Extract, FileKind, KnownAreas};
pub use read::{
    FileReport, Fingerprint, ReadExtract, Rejection, Warning, fingerprint_dir, read_extract,
};
pub use scorecard::{
    AreaRef, Breakdown, Figures, Measure, PeriodRef, Scorecard, Section, figures, scorecard,
};
pub use substance::{Substance, normalise_substance};
