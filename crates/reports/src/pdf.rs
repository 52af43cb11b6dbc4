//! The pack as a PDF, typeset by typst used as a library.
//!
//! The template (`templates/pack.typ`) reads the pack from a JSON virtual file and each chart
//! from an SVG virtual file; nothing is read from disk or the network, fonts are embedded in
//! the binary and the date is the pack's, so the same pack always gives the same file. The
//! typst API changes between minor versions, so everything that touches it is in this file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Feature, Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::ReportError;
use crate::pack::Pack;

/// The template, with the sections in the order of the HTML pack.
const TEMPLATE: &str = include_str!("../templates/pack.typ");

/// The GOV.UK-like sans serif the template asks for. typst's own embedded fonts have no
/// proportional sans, so Liberation Sans (metric-compatible with Arial, SIL Open Font
/// Licence, `fonts/OFL.txt`) is embedded beside them; their DejaVu Sans Mono supplies the
/// ✔ and ✖ that Liberation Sans lacks, by typst's glyph fallback.
const SANS: [&[u8]; 2] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
];

/// What the template reads from `data.json`: the pack as it stands, and what the HTML
/// template works out with methods.
#[derive(Serialize)]
struct TemplateData<'a> {
    pack: &'a Pack,
    /// Every note in number order.
    notes: Vec<&'a str>,
    /// Each chart's virtual file, outcome by outcome, chart by chart.
    charts: Vec<Vec<ChartFile>>,
    /// The distribution's column headings.
    comparison_headings: [&'static str; 6],
    trend_headings: [&'static str; 4],
}

/// A chart as the template places it.
#[derive(Serialize)]
struct ChartFile {
    /// Its virtual file.
    path: String,
    /// Its height over its width, from the viewBox, so that a tall chart (every area of a
    /// kind compared) can be shrunk to fit a page: an image cannot break across pages.
    aspect: Option<f64>,
}

/// The height over the width of an SVG's viewBox.
fn aspect(svg: &str) -> Option<f64> {
    let root = &svg[..svg.find('>')?];
    let start = root.find("viewBox=\"")? + "viewBox=\"".len();
    let end = start + root[start..].find('"')?;
    let numbers: Vec<f64> = root[start..end]
        .split([' ', ','])
        .filter(|part| !part.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers[..] {
        [_, _, width, height] if width > 0.0 && height > 0.0 => Some(height / width),
        _ => None,
    }
}

/// The standard library and the fonts, built once per process: loading the font book
/// parses every embedded font, which would otherwise cost each pack tens of milliseconds.
struct Shared {
    library: LazyHash<Library>,
    fonts: FontStore,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut fonts = FontStore::new();
        for data in SANS {
            fonts.extend(Font::iter(Bytes::new(data)).map(|font| {
                let info = font.info().clone();
                (font, info)
            }));
        }
        fonts.extend(typst_kit::fonts::embedded());
        // The accessibility extras give the summary tables row headers (the metric), as
        // the HTML tables have.
        let library = Library::builder()
            .with_features([Feature::A11yExtras].into_iter().collect())
            .build();
        Shared {
            library: LazyHash::new(library),
            fonts,
        }
    })
}

/// One pack's world: the template, `data.json` and the charts, all in memory.
struct PackWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let path = VirtualPath::new(path)
        .map_err(|e| ReportError::Pdf(format!("the virtual file {path:?}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, path).intern())
}

impl PackWorld {
    fn new(pack: &Pack) -> Result<Self, ReportError> {
        let mut files = HashMap::new();
        let mut charts = Vec::with_capacity(pack.outcomes.len());
        for (g, group) in pack.outcomes.iter().enumerate() {
            let mut paths = Vec::with_capacity(group.charts.len());
            for (c, chart) in group.charts.iter().enumerate() {
                let path = format!("/charts/{}-{}.svg", g + 1, c + 1);
                files.insert(file_id(&path)?, Bytes::from_string(chart.svg.clone()));
                paths.push(ChartFile {
                    path,
                    aspect: aspect(&chart.svg),
                });
            }
            charts.push(paths);
        }
        let data = TemplateData {
            pack,
            notes: pack.all_notes(),
            charts,
            comparison_headings: crate::pack::COMPARISON_HEADINGS,
            trend_headings: crate::pack::TREND_HEADINGS,
        };
        let json = serde_json::to_vec(&data)
            .map_err(|e| ReportError::Pdf(format!("the pack's data: {e}")))?;
        files.insert(file_id("/data.json")?, Bytes::new(json));
        Ok(Self {
            main: Source::new(file_id("/pack.typ")?, TEMPLATE.to_owned()),
            files,
            today: prepared_on(&pack.prepared_on),
        })
    }
}

/// The pack's ISO date as typst's date, so `datetime.today()` in the template is the day
/// the pack was prepared on, not the day it was rendered.
fn prepared_on(iso: &str) -> Option<Datetime> {
    let mut parts = iso.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}

impl World for PackWorld {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        shared().fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

/// The pack's PDF: tagged, and checked against PDF/UA-1 (the accessible PDF standard the
/// public sector accessibility regulations point to), which also sets the document's title
/// and language in its metadata.
pub(crate) fn pack(pack: &Pack) -> Result<Vec<u8>, ReportError> {
    let world = PackWorld::new(pack)?;
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled
        .output
        .map_err(|errors| ReportError::Pdf(describe(&world, &errors)))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1])
        .map_err(|e| ReportError::Pdf(format!("the PDF standard: {}", e.message())))?;
    let options = PdfOptions {
        // Stable across renderings of the same pack, as typst asks.
        ident: typst::foundations::Smart::Custom(format!(
            "h2h-pack-{}-{}",
            pack.area_code, pack.period_code
        )),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options)
        .map_err(|errors| ReportError::Pdf(describe(&world, &errors)))
}

/// typst's errors as sentences: the message, where in the template, and typst's hints.
fn describe(world: &PackWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut text = String::new();
    for diagnostic in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&diagnostic.message);
        match diagnostic.span.id() {
            Some(id) if id == world.main.id() => {
                let line = world.range(diagnostic.span).and_then(|range| {
                    let before = world.main.text().get(..range.start)?;
                    Some(before.matches('\n').count() + 1)
                });
                if let Some(line) = line {
                    let _ = write!(text, " (pack.typ line {line})");
                }
            }
            Some(id) => {
                let _ = write!(text, " (in {})", id.vpath().get_with_slash());
            }
            None => {}
        }
        for hint in &diagnostic.hints {
            let _ = write!(text, " (hint: {})", hint.v);
        }
    }
    if text.is_empty() {
        text.push_str("typst failed without saying why");
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn typst_errors_are_told_in_words_with_their_line() {
        let world = PackWorld {
            main: Source::new(
                file_id("/pack.typ").unwrap(),
                "= Title\n#image(\"/charts/9-9.svg\")\n".to_owned(),
            ),
            files: HashMap::new(),
            today: prepared_on("2024-06-30"),
        };
        let errors = typst::compile::<PagedDocument>(&world)
            .output
            .err()
            .unwrap();
        let text = describe(&world, &errors);
        assert!(text.contains("/charts/9-9.svg"), "{text}");
        assert!(text.contains("(pack.typ line 2)"), "{text}");
    }

    #[test]
    fn the_prepared_date_is_the_documents_today() {
        assert_eq!(prepared_on("2024-06-30"), Datetime::from_ymd(2024, 6, 30));
        assert_eq!(prepared_on("soon"), None);
    }

    #[test]
    fn a_chart_aspect_is_read_from_its_view_box() {
        assert_eq!(
            aspect(r#"<svg xmlns="x" viewBox="0 0 640 320" width="100%"><g/></svg>"#),
            Some(0.5)
        );
        assert_eq!(aspect(r#"<svg role="img"><title>t</title></svg>"#), None);
        assert_eq!(aspect(r#"<svg viewBox="0 0 0 10"/>"#), None);
    }
}
