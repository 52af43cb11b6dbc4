//! Reports: the partnership performance pack and the Results Based Accountability scorecard,
//! each as a standalone HTML document, as an Excel workbook that follows the Government
//! Analysis Function's guidance on releasing statistics in spreadsheets, and as an accessible
//! A4 PDF typeset by typst.
//!
//! The document model ([`Pack`]) holds everything already worked out, figures both as
//! numbers and as shown; the web layer builds it from the store, and each renderer here only
//! lays it out, so the page, the file and the API agree.

mod html;
pub mod pack;
mod pdf;
pub mod scorecard;
mod xlsx;

pub use pack::{
    AttendanceRow, AttendanceSection, BenchmarkLine, COMPARISON_HEADINGS, ChartFigure, DataTable,
    Decision, Definition, Distribution, DistributionLine, ExceptionLine, Figure, IndicatorLine,
    Judgement, NationalAttendanceSection, OutcomeGroup, Pack, PackScorecard, PlanStatus,
    PrintChart, STANDARD_NOTES, StatusRow, TREND_HEADINGS, TargetLine, TypeShareRow,
};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The HTML template failed.
    #[error("the HTML report could not be written: {0}")]
    Html(#[from] askama::Error),
    /// The workbook could not be built.
    #[error("the Excel workbook could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The PDF could not be typeset; typst's errors in words.
    #[error("the PDF report could not be written: {0}")]
    Pdf(String),
    /// The format is not one this report is made in.
    #[error("{0:?} is not a report format: expected html, xlsx or pdf")]
    UnknownFormat(String),
}

/// The forms a report is made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A standalone HTML document with its charts and styles inside.
    Html,
    /// An Excel workbook: cover, notes, one table a sheet.
    Xlsx,
    /// An A4 PDF for printing and circulating: tagged, with its marking on every page.
    Pdf,
}

impl ReportFormat {
    /// Reads `html`, `xlsx` or `pdf` (any case).
    pub fn parse(text: &str) -> Result<Self, ReportError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "html" => Ok(Self::Html),
            "xlsx" => Ok(Self::Xlsx),
            "pdf" => Ok(Self::Pdf),
            _ => Err(ReportError::UnknownFormat(text.to_owned())),
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }

    /// The media type, for downloads.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pdf => "application/pdf",
        }
    }
}

pub use scorecard::{
    BreakdownLine, BreakdownTable, FunnelLine, ScorecardDocument, ScorecardLine, ScorecardSection,
};

/// The scorecard in `format`, as the bytes of a file.
pub fn render_scorecard(
    doc: &ScorecardDocument,
    format: ReportFormat,
) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Html => Ok(scorecard::html(doc)?.into_bytes()),
        ReportFormat::Xlsx => scorecard::xlsx(doc),
        ReportFormat::Pdf => pdf::scorecard(doc),
    }
}

/// The pack in `format`, as the bytes of a file.
pub fn render_pack(pack: &Pack, format: ReportFormat) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Html => Ok(html::pack(pack)?.into_bytes()),
        ReportFormat::Xlsx => xlsx::pack(pack),
        ReportFormat::Pdf => pdf::pack(pack),
    }
}
