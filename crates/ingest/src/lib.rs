//! Reading the files h2h takes in: the shipped geography and populations today, returns and
//! extracts as they arrive. Everything read is parsed into the domain's types here, at the
//! edge, and every problem names the file, line and column it came from.

pub mod areas_file;
pub mod csv_table;
pub mod geography;

pub use areas_file::{AreasFile, read_areas};
pub use csv_table::{CsvTable, IngestError};
pub use geography::shipped_geography;
