//! The pack and the scorecard as PDFs, typeset by typst used as a library.
//!
//! Each template (`templates/pack.typ`, `templates/scorecard.typ`) reads its document from a
//! JSON virtual file and each chart from an SVG virtual file; both lay out a scorecard with
//! `templates/scorecard_body.typ`. Nothing is read from disk or the network, fonts are
//! embedded in the binary and the date is the document's, so the same document always gives
//! the same file. The typst API changes between minor versions, so everything that touches it
//! is in this file.

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
use crate::scorecard::ScorecardDocument;

/// The pack's template, with the sections in the order of the HTML pack.
const TEMPLATE: &str = include_str!("../templates/pack.typ");
/// The standalone scorecard's template.
const SCORECARD_TEMPLATE: &str = include_str!("../templates/scorecard.typ");
/// The scorecard's body, which both templates import.
const SCORECARD_BODY: &str = include_str!("../templates/scorecard_body.typ");

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
    /// The scorecard section's charts and figures as shown, when the pack has a scorecard.
    scorecard_layout: Option<ScorecardLayout>,
}

/// What the scorecard template reads from `data.json`.
#[derive(Serialize)]
struct ScorecardData<'a> {
    doc: &'a ScorecardDocument,
    layout: ScorecardLayout,
}

/// What `scorecard_body.typ` reads beside the document: each chart's virtual file, and each
/// figure as the HTML shows it (typst's rounding is not Rust's).
#[derive(Serialize)]
struct ScorecardLayout {
    /// The referral pathway's chart.
    funnel_chart: Option<String>,
    /// Each breakdown's chart, section by section.
    breakdown_charts: Vec<Vec<Option<String>>>,
    /// Each stage's number, percent of the stage before and percent of referrals.
    funnel: Vec<[String; 3]>,
    /// Each measure's figures, section by section.
    measures: Vec<Vec<MeasureShown>>,
    /// Each breakdown category's number and percent, section by section, breakdown by
    /// breakdown.
    breakdowns: Vec<Vec<Vec<[String; 2]>>>,
}

/// A measure's figures as shown.
#[derive(Serialize)]
struct MeasureShown {
    /// In each period before, as many as the document's trend periods.
    trend: Vec<String>,
    value: String,
    percent: String,
}

impl ScorecardLayout {
    /// Puts each chart of `doc` in `files` under `/{prefix}` and shows its figures.
    fn new(
        doc: &ScorecardDocument,
        prefix: &str,
        files: &mut HashMap<FileId, Bytes>,
    ) -> Result<Self, ReportError> {
        let mut put = |name: String, svg: &str| -> Result<Option<String>, ReportError> {
            if svg.trim().is_empty() {
                return Ok(None);
            }
            let path = format!("/{prefix}{name}.svg");
            files.insert(file_id(&path)?, Bytes::from_string(svg.to_owned()));
            Ok(Some(path))
        };
        let funnel_chart = put("funnel".to_owned(), &doc.funnel_chart)?;
        let mut breakdown_charts = Vec::with_capacity(doc.sections.len());
        for (s, section) in doc.sections.iter().enumerate() {
            let mut paths = Vec::with_capacity(section.breakdowns.len());
            for (b, breakdown) in section.breakdowns.iter().enumerate() {
                paths.push(put(format!("{}-{}", s + 1, b + 1), &breakdown.chart)?);
            }
            breakdown_charts.push(paths);
        }
        let periods = doc.trend_periods.len();
        Ok(Self {
            funnel_chart,
            breakdown_charts,
            funnel: doc
                .funnel
                .iter()
                .map(|f| [f.value_text(), f.of_previous_text(), f.of_referrals_text()])
                .collect(),
            measures: doc
                .sections
                .iter()
                .map(|section| {
                    section
                        .measures
                        .iter()
                        .map(|m| {
                            let mut trend = m.trend_texts();
                            trend.resize(periods, String::new());
                            MeasureShown {
                                trend,
                                value: m.value_text(),
                                percent: m.percent_text(),
                            }
                        })
                        .collect()
                })
                .collect(),
            breakdowns: doc
                .sections
                .iter()
                .map(|section| {
                    section
                        .breakdowns
                        .iter()
                        .map(|b| {
                            b.rows
                                .iter()
                                .map(|r| [r.value_text(), r.percent_text()])
                                .collect()
                        })
                        .collect()
                })
                .collect(),
        })
    }
}

/// A chart as the template places it.
#[derive(Serialize)]
struct ChartFile {
    /// Its virtual file.
    path: String,
    /// Its height over its width, from the viewBox, so that a tall chart can be shrunk to
    /// fit a page: an image cannot break across pages.
    aspect: Option<f64>,
    /// What a chart printed in its short form leaves out.
    note: Option<String>,
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

/// One document's world: the template and the module it imports, `data.json` and the charts,
/// all in memory.
struct PackWorld {
    main: Source,
    /// The scorecard's body, imported by both templates.
    body: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn scorecard_body() -> Result<Source, ReportError> {
    Ok(Source::new(
        file_id("/scorecard_body.typ")?,
        SCORECARD_BODY.to_owned(),
    ))
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
                // A chart of more rows than a page draws legibly prints in its short form.
                let svg = chart.print.as_ref().map_or(&chart.svg, |p| &p.svg);
                files.insert(file_id(&path)?, Bytes::from_string(svg.clone()));
                paths.push(ChartFile {
                    path,
                    aspect: aspect(svg),
                    note: chart.print.as_ref().map(|p| p.note.clone()),
                });
            }
            charts.push(paths);
        }
        let scorecard_layout = match pack.scorecard.as_ref().and_then(|s| s.document.as_ref()) {
            Some(doc) => Some(ScorecardLayout::new(doc, "scorecard/", &mut files)?),
            None => None,
        };
        let data = TemplateData {
            pack,
            notes: pack.all_notes(),
            charts,
            comparison_headings: crate::pack::COMPARISON_HEADINGS,
            trend_headings: crate::pack::TREND_HEADINGS,
            scorecard_layout,
        };
        let json = serde_json::to_vec(&data)
            .map_err(|e| ReportError::Pdf(format!("the pack's data: {e}")))?;
        files.insert(file_id("/data.json")?, Bytes::new(json));
        Ok(Self {
            main: Source::new(file_id("/pack.typ")?, TEMPLATE.to_owned()),
            body: scorecard_body()?,
            files,
            today: prepared_on(&pack.prepared_on),
        })
    }

    fn scorecard(doc: &ScorecardDocument) -> Result<Self, ReportError> {
        let mut files = HashMap::new();
        let layout = ScorecardLayout::new(doc, "charts/", &mut files)?;
        let json = serde_json::to_vec(&ScorecardData { doc, layout })
            .map_err(|e| ReportError::Pdf(format!("the scorecard's data: {e}")))?;
        files.insert(file_id("/data.json")?, Bytes::new(json));
        Ok(Self {
            main: Source::new(file_id("/scorecard.typ")?, SCORECARD_TEMPLATE.to_owned()),
            body: scorecard_body()?,
            files,
            today: prepared_on(&doc.prepared_on),
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
        } else if id == self.body.id() {
            Ok(self.body.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        if id == self.body.id() {
            return Ok(Bytes::from_string(self.body.clone()));
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
    typeset(
        &world,
        format!("h2h-pack-{}-{}", pack.area_code, pack.period_code),
    )
}

/// The scorecard's PDF: tagged and checked against PDF/UA-1, as the pack's.
pub(crate) fn scorecard(doc: &ScorecardDocument) -> Result<Vec<u8>, ReportError> {
    let world = PackWorld::scorecard(doc)?;
    typeset(
        &world,
        format!("h2h-scorecard-{}-{}", doc.area_code, doc.period_code),
    )
}

/// Compiles the world's template and writes the PDF; `ident` is stable across renderings of
/// the same document, as typst asks.
fn typeset(world: &PackWorld, ident: String) -> Result<Vec<u8>, ReportError> {
    let compiled = typst::compile::<PagedDocument>(world);
    let document = compiled
        .output
        .map_err(|errors| ReportError::Pdf(describe(world, &errors)))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1])
        .map_err(|e| ReportError::Pdf(format!("the PDF standard: {}", e.message())))?;
    let options = PdfOptions {
        ident: typst::foundations::Smart::Custom(ident),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| ReportError::Pdf(describe(world, &errors)))
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
            Some(id) if id == world.main.id() || id == world.body.id() => {
                let source = if id == world.main.id() {
                    &world.main
                } else {
                    &world.body
                };
                let line = world.range(diagnostic.span).and_then(|range| {
                    let before = source.text().get(..range.start)?;
                    Some(before.matches('\n').count() + 1)
                });
                if let Some(line) = line {
                    let name = id.vpath().get_without_slash();
                    let _ = write!(text, " ({name} line {line})");
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
            body: scorecard_body().unwrap(),
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
