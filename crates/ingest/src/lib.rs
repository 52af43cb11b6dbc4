//! Everything h2h takes in: the shipped reference data (catalogue, geography, populations) and
//! the files users import. Files are parsed into the domain's types here, at the edge, with
//! every problem naming the file, line and column it came from; the import functions then
//! check references against the store and write what passes.

pub mod areas_file;
pub mod csv_table;
pub mod demo;
mod demo_partnerships;
pub mod geography;
pub mod partnership_file;
pub mod plan_file;
pub mod published;
pub mod records_import;
pub mod reference;
pub mod returns;
pub mod submit;

pub use areas_file::{AreasFile, AreasImport, import_areas, read_areas};
pub use csv_table::{CsvTable, IngestError};
pub use demo::{DemoError, load_demo};
pub use geography::shipped_geography;
pub use partnership_file::{
    MeetingsFile, MeetingsImport, PartnershipsFile, PartnershipsImport, import_meetings,
    import_partnerships, read_meetings, read_partnerships,
};
pub use plan_file::{PlanFile, PlanImport, import_plan, read_plan};
pub use published::{GeneratedReturn, load_published, published_returns};
pub use records_import::{RecordsImport, RecordsImportError, import_records, known_areas};
pub use reference::{ReferenceError, install_reference_data, open_with_reference_data};
pub use returns::{
    CheckedFile, ImportContext, MetricsFile, RejectedRow, TargetsFile, ValuesFile, read_metrics,
    read_targets, read_values,
};
pub use submit::{ImportError, Sender, ValuesImport, import_context, import_values};
