//! Reading an extract folder (`records.md`) into the columnar [`Extract`].
//!
//! Every rule of the spec is checked row by row; a row that breaks one is kept as a
//! [`Rejection`] (file, line, column, the value found and what to do about it), never dropped.
//! Files are read in parallel, in two waves because of their pointers: first the files that
//! point nowhere (referrals, drug tests, assessments, brief interventions, reoffending checks),
//! then substances (which point at referrals) beside episodes followed by outcome events (which
//! point at referrals and episodes). Rows are read with the `csv` crate's `ByteRecord` into
//! one reused record; identifiers are hashed (xxh3-128) rather than copied, so an accepted row
//! allocates nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read};
use std::path::Path;

use h2h_domain::AreaCode;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::date::{NO_DATE, parse_iso};
use crate::error::RecordsError;
use crate::model::*;
use crate::substance::{CONTROLLED, is_alcohol, match_key, normalise_substance};

/// The result of reading an extract: the accepted rows as an [`Extract`], and everything that
/// was not accepted as it was.
#[derive(Debug, Clone)]
pub struct ReadExtract {
    /// The accepted rows.
    pub extract: Extract,
    /// One report per file of the spec, in its order (absent files included).
    pub files: Vec<FileReport>,
    /// Every rejected row, by file in spec order, then by line.
    pub rejections: Vec<Rejection>,
    /// Things worth a look that did not stop a row: extra columns, unrecognised substances,
    /// pointers to rows that are not in the extract.
    pub warnings: Vec<Warning>,
    /// The content fingerprint of the files read (see [`fingerprint_dir`]).
    pub fingerprint: Fingerprint,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    /// Which file.
    pub file: FileKind,
    /// Whether it was in the folder.
    pub present: bool,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Size in bytes.
    pub bytes: u64,
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// The file name, e.g. `referrals.csv`.
    pub file: &'static str,
    /// The line number (the header is line 1).
    pub line: u64,
    /// The column at fault (empty when the row as a whole is at fault).
    pub column: String,
    /// The value found there, as written.
    pub value: String,
    /// What is wrong and what to do about it.
    pub reason: String,
}

/// Something to look at that did not reject a row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The file name.
    pub file: &'static str,
    /// The first line concerned, if any.
    pub line: Option<u64>,
    /// The column concerned, if any.
    pub column: Option<String>,
    /// What was found.
    pub message: String,
}

/// A content fingerprint of an extract's files (xxh3-128: identity, not security). Two folders
/// with the same files byte for byte have the same fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u128);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The fingerprint of the extract in a folder without parsing it: hashes the files of the
/// spec that are present, in the spec's order. Equals [`ReadExtract::fingerprint`].
pub fn fingerprint_dir(dir: &Path) -> Result<Fingerprint, RecordsError> {
    let mut parts = Vec::new();
    for file in FileKind::ALL {
        let path = dir.join(file.file_name());
        let handle = match File::open(&path) {
            Ok(handle) => handle,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(RecordsError::io(path, e)),
        };
        let mut reader = HashingReader::new(handle);
        io::copy(&mut reader, &mut io::sink()).map_err(|e| RecordsError::io(&path, e))?;
        parts.push((file, reader.bytes, reader.hasher.digest128()));
    }
    Ok(combine(&parts))
}

fn combine(parts: &[(FileKind, u64, u128)]) -> Fingerprint {
    let mut all = Vec::with_capacity(parts.len() * 64);
    for (file, bytes, hash) in parts {
        all.extend_from_slice(file.file_name().as_bytes());
        all.extend_from_slice(&bytes.to_le_bytes());
        all.extend_from_slice(&hash.to_le_bytes());
    }
    Fingerprint(xxh3_128(&all))
}

/// A reader that hashes what passes through it, so the fingerprint costs no second read.
struct HashingReader<R> {
    inner: R,
    hasher: Xxh3,
    bytes: u64,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Xxh3::new(),
            bytes: 0,
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            self.hasher.update(read);
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A hasher for keys that are already xxh3 hashes: folds them instead of hashing again.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= (v as u64) ^ ((v >> 64) as u64);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 ^= v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdBuild = BuildHasherDefault<IdHasher>;
type IdMap<V> = HashMap<u128, V, IdBuild>;
type IdSet = HashSet<u128, IdBuild>;

/// Interns identifiers of one file to dense local indexes, in order of first appearance.
#[derive(Default)]
struct Interner {
    map: IdMap<u32>,
    keys: Vec<u128>,
}

impl Interner {
    fn intern(&mut self, bytes: &[u8]) -> u32 {
        let key = xxh3_128(bytes);
        let next = self.keys.len() as u32;
        *self.map.entry(key).or_insert_with(|| {
            self.keys.push(key);
            next
        })
    }
}

/// A column of a file's schema.
struct Col {
    name: &'static str,
    required: bool,
}

const fn col(name: &'static str, required: bool) -> Col {
    Col { name, required }
}

/// Why a row was rejected: the schema column at fault (`None`: the row as a whole) and why.
struct Bad {
    col: Option<usize>,
    reason: String,
}

fn bad(col: usize, reason: impl Into<String>) -> Bad {
    Bad {
        col: Some(col),
        reason: reason.into(),
    }
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// One record seen through the file's schema.
struct Row<'a> {
    rec: &'a csv::ByteRecord,
    /// For each schema column, its position in the record.
    cols: &'a [Option<usize>],
    line: u64,
}

impl Row<'_> {
    /// The trimmed cell of schema column `c`; empty when the column is not in the file.
    fn cell(&self, c: usize) -> &[u8] {
        self.cols
            .get(c)
            .copied()
            .flatten()
            .and_then(|i| self.rec.get(i))
            .map_or(&b""[..], trim)
    }

    fn opt_text(&self, c: usize) -> Result<Option<&[u8]>, Bad> {
        let v = self.cell(c);
        if v.is_empty() {
            return Ok(None);
        }
        if std::str::from_utf8(v).is_err() {
            return Err(bad(
                c,
                "the value is not valid UTF-8 text; save the file as UTF-8",
            ));
        }
        Ok(Some(v))
    }

    fn text(&self, c: usize) -> Result<&[u8], Bad> {
        self.opt_text(c)?
            .ok_or_else(|| bad(c, "a value is required here but the cell is empty"))
    }

    fn opt_date(&self, c: usize) -> Result<Option<i32>, Bad> {
        let v = self.cell(c);
        if v.is_empty() {
            return Ok(None);
        }
        parse_iso(v).map(Some).ok_or_else(|| {
            bad(
                c,
                "not a date: write dates as YYYY-MM-DD (for example 2014-03-31), and check the day exists",
            )
        })
    }

    fn date(&self, c: usize) -> Result<i32, Bad> {
        self.opt_date(c)?
            .ok_or_else(|| bad(c, "a date is required here but the cell is empty"))
    }

    fn opt_vocab(&self, c: usize, keys: &[&str]) -> Result<Option<u8>, Bad> {
        let v = self.cell(c);
        if v.is_empty() {
            return Ok(None);
        }
        match keys
            .iter()
            .position(|k| k.as_bytes().eq_ignore_ascii_case(v))
        {
            Some(i) => Ok(Some(i as u8)),
            None => Err(bad(
                c,
                format!(
                    "not one of the allowed values: use one of {}",
                    keys.join(", ")
                ),
            )),
        }
    }

    fn vocab(&self, c: usize, keys: &[&str]) -> Result<u8, Bad> {
        self.opt_vocab(c, keys)?.ok_or_else(|| {
            bad(
                c,
                format!("a value is required here: one of {}", keys.join(", ")),
            )
        })
    }

    fn boolean(&self, c: usize) -> Result<bool, Bad> {
        let v = self.cell(c);
        let is = |words: &[&str]| words.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(v));
        if is(&["true", "yes", "y", "1"]) {
            Ok(true)
        } else if is(&["false", "no", "n", "0"]) {
            Ok(false)
        } else if v.is_empty() {
            Err(bad(c, "a value is required here: true or false"))
        } else {
            Err(bad(
                c,
                "not a yes/no value: use true or false (yes/no, y/n and 1/0 are accepted too)",
            ))
        }
    }
}

/// Finds area codes in the caller's known areas, remembering each spelling seen.
struct AreaLookup<'a> {
    known: &'a KnownAreas,
    cache: HashMap<Box<[u8]>, Option<u16>>,
}

impl<'a> AreaLookup<'a> {
    fn new(known: &'a KnownAreas) -> Self {
        Self {
            known,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, row: &Row<'_>, c: usize) -> Result<u16, Bad> {
        let raw = row.text(c)?;
        let found = match self.cache.get(raw) {
            Some(found) => *found,
            None => {
                let found = std::str::from_utf8(raw)
                    .ok()
                    .and_then(|s| AreaCode::parse(s).ok())
                    .and_then(|code| self.known.index_of(code.as_str()));
                self.cache.insert(raw.into(), found);
                found
            }
        };
        found.ok_or_else(|| {
            bad(
                c,
                "not a known area code: use the GSS code of a local authority (E06, E07, E08, E09, E10 or W06) or the code of a custom area imported first",
            )
        })
    }
}

/// What one file's reading produced besides its table.
#[derive(Default)]
struct FileLog {
    accepted: u64,
    rejected: u64,
    bytes: u64,
    hash: u128,
    rejections: Vec<Rejection>,
    warnings: Vec<Warning>,
}

/// A file's row handler: checks one row and, if it passes, appends it to its columns.
trait Sink {
    const FILE: FileKind;
    const SCHEMA: &'static [Col];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad>;
}

/// Reads one file through its sink. `Ok(None)` when the file is absent.
fn read_file<S: Sink>(dir: &Path, sink: &mut S) -> Result<Option<FileLog>, RecordsError> {
    let file = S::FILE.file_name();
    let path = dir.join(file);
    let handle = match File::open(&path) {
        Ok(handle) => handle,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RecordsError::io(path, e)),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(HashingReader::new(handle));
    let csv_error = |e: csv::Error| RecordsError::Csv {
        file,
        line: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    };
    let mut rec = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut rec).map_err(csv_error)? {
        return Err(RecordsError::NoHeader { file });
    }
    let schema = S::SCHEMA;
    let mut cols: Vec<Option<usize>> = vec![None; schema.len()];
    let mut log = FileLog::default();
    for (i, name) in rec.iter().enumerate() {
        let name = if i == 0 {
            name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name)
        } else {
            name
        };
        let name = String::from_utf8_lossy(trim(name)).to_ascii_lowercase();
        match schema.iter().position(|c| c.name == name) {
            Some(c) => {
                let slot = cols.get_mut(c);
                if let Some(slot) = slot {
                    if slot.is_some() {
                        return Err(RecordsError::DuplicateColumn { file, column: name });
                    }
                    *slot = Some(i);
                }
            }
            None => log.warnings.push(Warning {
                file,
                line: Some(1),
                column: Some(name.clone()),
                message: format!(
                    "column `{name}` is not part of {file}; it was set aside, not read"
                ),
            }),
        }
    }
    let width = rec.len();
    for (c, found) in schema.iter().zip(&cols) {
        if c.required && found.is_none() {
            return Err(RecordsError::MissingColumn {
                file,
                column: c.name,
            });
        }
    }
    while reader.read_byte_record(&mut rec).map_err(csv_error)? {
        let line = rec.position().map_or(0, csv::Position::line);
        let row = Row {
            rec: &rec,
            cols: &cols,
            line,
        };
        let outcome = if rec.len() != width {
            Err(Bad {
                col: None,
                reason: format!(
                    "the row has {} cells but the header has {width}; check for a missing or extra comma, or an unclosed quote",
                    rec.len()
                ),
            })
        } else {
            sink.row(&row)
        };
        match outcome {
            Ok(()) => log.accepted += 1,
            Err(b) => {
                log.rejected += 1;
                let (column, value) = match b.col {
                    Some(c) => (
                        schema.get(c).map_or("", |c| c.name).to_owned(),
                        String::from_utf8_lossy(row.cell(c)).into_owned(),
                    ),
                    None => (
                        String::new(),
                        rec.iter()
                            .map(String::from_utf8_lossy)
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                };
                log.rejections.push(Rejection {
                    file,
                    line,
                    column,
                    value,
                    reason: b.reason,
                });
            }
        }
    }
    let inner = reader.into_inner();
    log.bytes = inner.bytes;
    log.hash = inner.hasher.digest128();
    Ok(Some(log))
}

fn duplicate(c: usize, what: &str) -> Bad {
    bad(
        c,
        format!(
            "this {what} is already used by an earlier row of the file; each row needs its own"
        ),
    )
}

struct ReferralSink<'a> {
    t: Referrals,
    areas: AreaLookup<'a>,
    clients: Interner,
    ids: IdMap<u32>,
}

impl Sink for ReferralSink<'_> {
    const FILE: FileKind = FileKind::Referrals;
    const SCHEMA: &'static [Col] = &[
        col("referral_id", true),
        col("client_id", true),
        col("referral_date", true),
        col("source", true),
        col("area_code", true),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = xxh3_128(row.text(0)?);
        let client = row.text(1)?;
        let date = row.date(2)?;
        let source = row.vocab(3, &SOURCE_KEYS)?;
        let area = self.areas.get(row, 4)?;
        let next = self.t.date.len() as u32;
        match self.ids.entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(duplicate(0, "referral_id"));
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(next);
            }
        }
        self.t.client.push(self.clients.intern(client));
        self.t.date.push(date);
        self.t.source.push(source);
        self.t.area.push(area);
        Ok(())
    }
}

struct DrugTestSink<'a> {
    t: DrugTests,
    areas: AreaLookup<'a>,
    clients: Interner,
    ids: IdSet,
}

impl Sink for DrugTestSink<'_> {
    const FILE: FileKind = FileKind::DrugTests;
    const SCHEMA: &'static [Col] = &[
        col("test_id", true),
        col("client_id", false),
        col("test_date", true),
        col("basis", true),
        col("result", true),
        col("area_code", true),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = xxh3_128(row.text(0)?);
        let client = row.opt_text(1)?;
        let date = row.date(2)?;
        let basis = row.vocab(3, &BASIS_KEYS)?;
        let result = row.vocab(4, &RESULT_KEYS)?;
        let area = self.areas.get(row, 5)?;
        if !self.ids.insert(id) {
            return Err(duplicate(0, "test_id"));
        }
        self.t
            .client
            .push(client.map_or(NO_CLIENT, |c| self.clients.intern(c)));
        self.t.date.push(date);
        self.t.basis.push(basis);
        self.t.result.push(result);
        self.t.area.push(area);
        Ok(())
    }
}

struct AssessmentSink<'a> {
    t: Assessments,
    areas: AreaLookup<'a>,
    clients: Interner,
    ids: IdSet,
}

impl Sink for AssessmentSink<'_> {
    const FILE: FileKind = FileKind::Assessments;
    const SCHEMA: &'static [Col] = &[
        col("assessment_id", true),
        col("client_id", true),
        col("assessment_date", true),
        col("kind", true),
        col("area_code", true),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = xxh3_128(row.text(0)?);
        let client = row.text(1)?;
        let date = row.date(2)?;
        let kind = row.vocab(3, &KIND_KEYS)?;
        let area = self.areas.get(row, 4)?;
        if !self.ids.insert(id) {
            return Err(duplicate(0, "assessment_id"));
        }
        self.t.client.push(self.clients.intern(client));
        self.t.date.push(date);
        self.t.kind.push(kind);
        self.t.area.push(area);
        Ok(())
    }
}

struct EpisodeSink<'a> {
    t: Episodes,
    areas: AreaLookup<'a>,
    clients: Interner,
    ids: IdMap<u32>,
    referrals: Option<&'a IdMap<u32>>,
    unmatched: Pointers,
}

/// Pointers to rows that are not in the extract: counted and reported once as a warning.
#[derive(Default)]
struct Pointers {
    count: u64,
    first_line: Option<u64>,
}

impl Pointers {
    fn note(&mut self, line: u64) {
        self.count += 1;
        self.first_line.get_or_insert(line);
    }

    fn warning(&self, file: &'static str, column: &str, target: &str) -> Option<Warning> {
        (self.count > 0).then(|| Warning {
            file,
            line: self.first_line,
            column: Some(column.to_owned()),
            message: format!(
                "{} rows name a {column} that is not in {target}; they were kept without the link",
                self.count
            ),
        })
    }
}

impl Sink for EpisodeSink<'_> {
    const FILE: FileKind = FileKind::Episodes;
    const SCHEMA: &'static [Col] = &[
        col("episode_id", true),
        col("client_id", true),
        col("referral_id", false),
        col("area_code", true),
        col("care_plan_date", true),
        col("treatment_start_date", false),
        col("prescribed", true),
        col("iom", true),
        col("closure_date", false),
        col("closure_reason", false),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = xxh3_128(row.text(0)?);
        let client = row.text(1)?;
        let referral = row.opt_text(2)?;
        let area = self.areas.get(row, 3)?;
        let care_plan = row.date(4)?;
        let start = row.opt_date(5)?;
        let prescribed = row.boolean(6)?;
        let iom = row.boolean(7)?;
        let closure = row.opt_date(8)?;
        let reason = row.opt_vocab(9, &REASON_KEYS)?;
        if start.is_some_and(|s| s < care_plan) {
            return Err(bad(
                5,
                "the treatment start is before the care plan date; an episode starts with its care plan",
            ));
        }
        if closure.is_some_and(|c| c < care_plan) {
            return Err(bad(8, "the closure date is before the care plan date"));
        }
        match (closure, reason) {
            (Some(_), None) => {
                return Err(bad(
                    9,
                    format!(
                        "the episode has a closure date, so it needs a closure reason: one of {}",
                        REASON_KEYS.join(", ")
                    ),
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    9,
                    "a closure reason is given but there is no closure date; give both or neither",
                ));
            }
            _ => {}
        }
        let next = self.t.care_plan.len() as u32;
        match self.ids.entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(duplicate(0, "episode_id"));
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(next);
            }
        }
        let referral_row = match (referral, self.referrals) {
            (None, _) => NO_ROW,
            (Some(r), Some(map)) => match map.get(&xxh3_128(r)) {
                Some(&i) => i,
                None => {
                    self.unmatched.note(row.line);
                    NO_ROW
                }
            },
            (Some(_), None) => {
                self.unmatched.note(row.line);
                NO_ROW
            }
        };
        self.t.client.push(self.clients.intern(client));
        self.t.referral.push(referral_row);
        self.t.area.push(area);
        self.t.care_plan.push(care_plan);
        self.t.treatment_start.push(start.unwrap_or(NO_DATE));
        self.t.prescribed.push(prescribed);
        self.t.iom.push(iom);
        self.t.closure.push(closure.unwrap_or(NO_DATE));
        self.t.reason.push(reason.map_or(0, |r| r + 1));
        Ok(())
    }
}

struct SubstanceSink<'a> {
    t: Substances,
    clients: Interner,
    referrals: Option<&'a IdMap<u32>>,
    pairs: HashSet<u64, IdBuild>,
    /// Spelling as written → substance index.
    names: HashMap<Box<[u8]>, u16>,
    /// Match key of an unrecognised name → its index among the unrecognised.
    unrecognised: HashMap<String, usize>,
    /// Unrecognised names as first written, with rows and first line.
    unrecognised_names: Vec<(String, u64, u64)>,
}

impl SubstanceSink<'_> {
    fn substance(&mut self, raw: &[u8], line: u64) -> Result<u16, Bad> {
        if let Some(&i) = self.names.get(raw) {
            if let Some(u) = usize::from(i).checked_sub(CONTROLLED.len())
                && let Some(entry) = self.unrecognised_names.get_mut(u)
            {
                entry.1 += 1;
            }
            return Ok(i);
        }
        let text = String::from_utf8_lossy(raw);
        let index = match normalise_substance(&text) {
            Some(i) => i,
            None => {
                let key = match_key(&text);
                let key = if key.is_empty() {
                    text.to_string()
                } else {
                    key
                };
                let u = match self.unrecognised.get(&key) {
                    Some(&u) => {
                        if let Some(entry) = self.unrecognised_names.get_mut(u) {
                            entry.1 += 1;
                        }
                        u
                    }
                    None => {
                        let u = self.unrecognised_names.len();
                        self.unrecognised.insert(key, u);
                        self.unrecognised_names.push((text.into_owned(), 1, line));
                        u
                    }
                };
                u16::try_from(CONTROLLED.len() + u).map_err(|_| {
                    bad(3, "too many different unrecognised substance names in one extract (over 65,000); map them to the controlled list")
                })?
            }
        };
        self.names.insert(raw.into(), index);
        Ok(index)
    }
}

impl Sink for SubstanceSink<'_> {
    const FILE: FileKind = FileKind::Substances;
    const SCHEMA: &'static [Col] = &[
        col("referral_id", true),
        col("client_id", true),
        col("rank", true),
        col("substance", true),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let referral = row.text(0)?;
        let client = row.text(1)?;
        let rank = match row.cell(2) {
            b"1" => 1u8,
            b"2" => 2,
            b"3" => 3,
            b"" => return Err(bad(2, "a rank is required here: 1, 2 or 3")),
            _ => {
                return Err(bad(
                    2,
                    "the rank must be 1, 2 or 3 (1 is the primary substance)",
                ));
            }
        };
        let name = row.text(3)?;
        let referral_row = match self.referrals {
            None => {
                return Err(bad(0, "referrals.csv is absent, so this referral cannot be found; include referrals.csv in the extract"));
            }
            Some(map) => *map.get(&xxh3_128(referral)).ok_or_else(|| {
                bad(0, "no referral with this referral_id in referrals.csv (or its row there was rejected)")
            })?,
        };
        let substance = self.substance(name, row.line)?;
        if rank == 1 && is_alcohol(substance) {
            return Err(bad(
                3,
                "alcohol may be listed as a problem substance, but not as rank 1 (the primary substance)",
            ));
        }
        if !self
            .pairs
            .insert(u64::from(referral_row) * 4 + u64::from(rank))
        {
            return Err(bad(
                2,
                "this referral already has a substance of this rank; each rank is used once per referral",
            ));
        }
        self.t.referral.push(referral_row);
        self.t.client.push(self.clients.intern(client));
        self.t.rank.push(rank);
        self.t.substance.push(substance);
        Ok(())
    }
}

struct BriefSink<'a> {
    t: BriefInterventions,
    areas: AreaLookup<'a>,
    ids: IdSet,
}

impl Sink for BriefSink<'_> {
    const FILE: FileKind = FileKind::BriefInterventions;
    const SCHEMA: &'static [Col] = &[
        col("intervention_id", true),
        col("intervention_date", true),
        col("area_code", true),
        col("setting", true),
        col("signposted_to", false),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = xxh3_128(row.text(0)?);
        let date = row.date(1)?;
        let area = self.areas.get(row, 2)?;
        let setting = row.vocab(3, &SETTING_KEYS)?;
        let signposted = row.opt_vocab(4, &SIGNPOST_KEYS)?;
        if !self.ids.insert(id) {
            return Err(duplicate(0, "intervention_id"));
        }
        self.t.date.push(date);
        self.t.area.push(area);
        self.t.setting.push(setting);
        self.t.signposted.push(signposted.map_or(0, |s| s + 1));
        Ok(())
    }
}

struct OutcomeSink<'a> {
    t: OutcomeEvents,
    areas: AreaLookup<'a>,
    clients: Interner,
    ids: IdSet,
    episodes: Option<&'a IdMap<u32>>,
    labels: HashMap<Box<[u8]>, u32>,
    label_list: Vec<String>,
    unmatched: Pointers,
}

impl Sink for OutcomeSink<'_> {
    const FILE: FileKind = FileKind::OutcomeEvents;
    const SCHEMA: &'static [Col] = &[
        col("event_id", true),
        col("client_id", true),
        col("episode_id", false),
        col("event_date", true),
        col("area_code", true),
        col("outcome", true),
        col("positive", true),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = xxh3_128(row.text(0)?);
        let client = row.text(1)?;
        let episode = row.opt_text(2)?;
        let date = row.date(3)?;
        let area = self.areas.get(row, 4)?;
        let outcome = row.text(5)?;
        let positive = row.boolean(6)?;
        if !self.ids.insert(id) {
            return Err(duplicate(0, "event_id"));
        }
        let label = match self.labels.get(outcome) {
            Some(&l) => l,
            None => {
                let l = self.label_list.len() as u32;
                self.label_list
                    .push(String::from_utf8_lossy(outcome).into_owned());
                self.labels.insert(outcome.into(), l);
                l
            }
        };
        let episode_row = match (episode, self.episodes) {
            (None, _) => NO_ROW,
            (Some(e), Some(map)) => match map.get(&xxh3_128(e)) {
                Some(&i) => i,
                None => {
                    self.unmatched.note(row.line);
                    NO_ROW
                }
            },
            (Some(_), None) => {
                self.unmatched.note(row.line);
                NO_ROW
            }
        };
        self.t.client.push(self.clients.intern(client));
        self.t.episode.push(episode_row);
        self.t.date.push(date);
        self.t.area.push(area);
        self.t.outcome.push(label);
        self.t.positive.push(positive);
        Ok(())
    }
}

struct CheckSink {
    t: ReoffendingChecks,
    clients: Interner,
}

impl Sink for CheckSink {
    const FILE: FileKind = FileKind::ReoffendingChecks;
    const SCHEMA: &'static [Col] = &[
        col("client_id", true),
        col("check_date", true),
        col("closure_date", true),
        col("arrested_since_closure", true),
        col("arrested_last_6_months", true),
    ];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let client = row.text(0)?;
        let check = row.date(1)?;
        let closure = row.date(2)?;
        let since = row.boolean(3)?;
        let last6 = row.boolean(4)?;
        if check < closure {
            return Err(bad(
                1,
                "the check date is before the closure date it checks from",
            ));
        }
        self.t.client.push(self.clients.intern(client));
        self.t.check_date.push(check);
        self.t.closure_date.push(closure);
        self.t.arrested_since.push(since);
        self.t.arrested_6_months.push(last6);
        self.t.area.push(NO_AREA);
        Ok(())
    }
}

type Read1<T> = Result<Option<(T, FileLog, Interner)>, RecordsError>;

fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> Result<T, RecordsError> {
    h.join().map_err(|_| RecordsError::Csv {
        file: "",
        line: 0,
        message: "a reading thread stopped unexpectedly".to_owned(),
    })
}

/// Reads the extract in `dir`, checking every rule of `records.md`. Area codes must be among
/// `known`. Fails only when the folder or a file as a whole cannot be read (no such folder, no
/// files of the spec, a file without a header or missing a required column); every row-level
/// problem is a [`Rejection`] instead.
pub fn read_extract(dir: &Path, known: &KnownAreas) -> Result<ReadExtract, RecordsError> {
    if !dir.is_dir() {
        return Err(RecordsError::io(
            dir,
            io::Error::new(io::ErrorKind::NotFound, "no such folder"),
        ));
    }
    if !FileKind::ALL
        .iter()
        .any(|f| dir.join(f.file_name()).is_file())
    {
        return Err(RecordsError::NoFiles { path: dir.into() });
    }

    // Wave 1: the files that point at no other file.
    let (referrals, tests, assessments, briefs, checks) = std::thread::scope(|s| {
        let r = s.spawn(|| -> Result<_, RecordsError> {
            let mut sink = ReferralSink {
                t: Referrals::default(),
                areas: AreaLookup::new(known),
                clients: Interner::default(),
                ids: IdMap::default(),
            };
            Ok(read_file(dir, &mut sink)?.map(|log| (sink.t, log, sink.clients, sink.ids)))
        });
        let t = s.spawn(|| -> Read1<DrugTests> {
            let mut sink = DrugTestSink {
                t: DrugTests::default(),
                areas: AreaLookup::new(known),
                clients: Interner::default(),
                ids: IdSet::default(),
            };
            Ok(read_file(dir, &mut sink)?.map(|log| (sink.t, log, sink.clients)))
        });
        let a = s.spawn(|| -> Read1<Assessments> {
            let mut sink = AssessmentSink {
                t: Assessments::default(),
                areas: AreaLookup::new(known),
                clients: Interner::default(),
                ids: IdSet::default(),
            };
            Ok(read_file(dir, &mut sink)?.map(|log| (sink.t, log, sink.clients)))
        });
        let b = s.spawn(|| -> Result<_, RecordsError> {
            let mut sink = BriefSink {
                t: BriefInterventions::default(),
                areas: AreaLookup::new(known),
                ids: IdSet::default(),
            };
            Ok(read_file(dir, &mut sink)?.map(|log| (sink.t, log)))
        });
        let c = s.spawn(|| -> Read1<ReoffendingChecks> {
            let mut sink = CheckSink {
                t: ReoffendingChecks::default(),
                clients: Interner::default(),
            };
            Ok(read_file(dir, &mut sink)?.map(|log| (sink.t, log, sink.clients)))
        });
        Ok::<_, RecordsError>((
            joined(r)??,
            joined(t)??,
            joined(a)??,
            joined(b)??,
            joined(c)??,
        ))
    })?;

    // Wave 2: the files that point at referrals and episodes.
    let referral_ids = referrals.as_ref().map(|r| &r.3);
    let (substances, episodes_and_outcomes) = std::thread::scope(|s| {
        let sub = s.spawn(|| -> Result<_, RecordsError> {
            let mut sink = SubstanceSink {
                t: Substances::default(),
                clients: Interner::default(),
                referrals: referral_ids,
                pairs: HashSet::default(),
                names: HashMap::new(),
                unrecognised: HashMap::new(),
                unrecognised_names: Vec::new(),
            };
            Ok(read_file(dir, &mut sink)?
                .map(|log| (sink.t, log, sink.clients, sink.unrecognised_names)))
        });
        let eo = s.spawn(|| -> Result<_, RecordsError> {
            let mut sink = EpisodeSink {
                t: Episodes::default(),
                areas: AreaLookup::new(known),
                clients: Interner::default(),
                ids: IdMap::default(),
                referrals: referral_ids,
                unmatched: Pointers::default(),
            };
            let episodes = read_file(dir, &mut sink)?.map(|mut log| {
                log.warnings.extend(sink.unmatched.warning(
                    FileKind::Episodes.file_name(),
                    "referral_id",
                    "referrals.csv",
                ));
                (sink.t, log, sink.clients)
            });
            let mut sink2 = OutcomeSink {
                t: OutcomeEvents::default(),
                areas: AreaLookup::new(known),
                clients: Interner::default(),
                ids: IdSet::default(),
                episodes: episodes.as_ref().map(|_| &sink.ids),
                labels: HashMap::new(),
                label_list: Vec::new(),
                unmatched: Pointers::default(),
            };
            let outcomes = read_file(dir, &mut sink2)?.map(|mut log| {
                log.warnings.extend(sink2.unmatched.warning(
                    FileKind::OutcomeEvents.file_name(),
                    "episode_id",
                    "episodes.csv",
                ));
                (sink2.t, log, sink2.clients, sink2.label_list)
            });
            Ok((episodes, outcomes))
        });
        Ok::<_, RecordsError>((joined(sub)??, joined(eo)??))
    })?;
    let (episodes, outcomes) = episodes_and_outcomes;

    // Clients: one index space over every file, numbered in the order of the files.
    let mut global: IdMap<u32> = IdMap::default();
    let mut remap = |local: &Interner| -> Result<Vec<u32>, RecordsError> {
        local
            .keys
            .iter()
            .map(|k| {
                let next = global.len();
                let next = u32::try_from(next).ok().filter(|&n| n != NO_CLIENT).ok_or(
                    RecordsError::TooMany {
                        what: "clients",
                        limit: u64::from(NO_CLIENT),
                    },
                )?;
                Ok(*global.entry(*k).or_insert(next))
            })
            .collect()
    };
    let apply = |column: &mut [u32], map: &[u32]| {
        for c in column {
            if let Some(&g) = map.get(*c as usize) {
                *c = g;
            }
        }
    };

    let mut extract = Extract {
        areas: known.codes().to_vec(),
        ..Extract::default()
    };
    let mut logs: Vec<Option<FileLog>> = (0..8).map(|_| None).collect();
    let mut put = |file: FileKind, log: FileLog| {
        if let Some(slot) = logs.get_mut(file.index()) {
            *slot = Some(log);
        }
    };
    if let Some((mut t, log, clients, _)) = referrals {
        apply(&mut t.client, &remap(&clients)?);
        extract.referrals = Some(t);
        put(FileKind::Referrals, log);
    }
    if let Some((mut t, log, clients)) = tests {
        apply(&mut t.client, &remap(&clients)?);
        extract.drug_tests = Some(t);
        put(FileKind::DrugTests, log);
    }
    if let Some((mut t, log, clients)) = assessments {
        apply(&mut t.client, &remap(&clients)?);
        extract.assessments = Some(t);
        put(FileKind::Assessments, log);
    }
    if let Some((mut t, log, clients)) = episodes {
        apply(&mut t.client, &remap(&clients)?);
        extract.episodes = Some(t);
        put(FileKind::Episodes, log);
    }
    if let Some((mut t, mut log, clients, names)) = substances {
        apply(&mut t.client, &remap(&clients)?);
        for (name, rows, line) in &names {
            log.warnings.push(Warning {
                file: FileKind::Substances.file_name(),
                line: Some(*line),
                column: Some("substance".to_owned()),
                message: format!(
                    "substance `{name}` is not on the controlled list; kept as written ({rows} rows)"
                ),
            });
        }
        extract.unrecognised_substances = names.into_iter().map(|n| n.0).collect();
        extract.substances = Some(t);
        put(FileKind::Substances, log);
    }
    if let Some((t, log)) = briefs {
        extract.brief_interventions = Some(t);
        put(FileKind::BriefInterventions, log);
    }
    if let Some((mut t, log, clients, labels)) = outcomes {
        apply(&mut t.client, &remap(&clients)?);
        extract.outcome_labels = labels;
        extract.outcome_events = Some(t);
        put(FileKind::OutcomeEvents, log);
    }
    if let Some((mut t, mut log, clients)) = checks {
        apply(&mut t.client, &remap(&clients)?);
        let unplaced = place_checks(
            &mut t,
            extract.episodes.as_ref(),
            extract.referrals.as_ref(),
        );
        if unplaced > 0 {
            log.warnings.push(Warning {
                file: FileKind::ReoffendingChecks.file_name(),
                line: None,
                column: Some("client_id".to_owned()),
                message: format!(
                    "{unplaced} checks are of clients with no episode or referral in the extract, so they count for no area"
                ),
            });
        }
        extract.reoffending_checks = Some(t);
        put(FileKind::ReoffendingChecks, log);
    }
    extract.clients = global.len() as u32;

    let mut files = Vec::with_capacity(8);
    let mut rejections = Vec::new();
    let mut warnings = Vec::new();
    let mut parts = Vec::new();
    for (file, log) in FileKind::ALL.iter().zip(logs) {
        match log {
            Some(log) => {
                files.push(FileReport {
                    file: *file,
                    present: true,
                    accepted: log.accepted,
                    rejected: log.rejected,
                    bytes: log.bytes,
                });
                parts.push((*file, log.bytes, log.hash));
                rejections.extend(log.rejections);
                warnings.extend(log.warnings);
            }
            None => files.push(FileReport {
                file: *file,
                present: false,
                accepted: 0,
                rejected: 0,
                bytes: 0,
            }),
        }
    }
    Ok(ReadExtract {
        extract,
        files,
        rejections,
        warnings,
        fingerprint: combine(&parts),
    })
}

/// Gives each reoffending check the area it counts for (the file has no area column): the
/// client's episode that closed on the check's closure date, else the client's latest episode,
/// else the client's latest referral. Returns how many could not be placed.
pub(crate) fn place_checks(
    checks: &mut ReoffendingChecks,
    episodes: Option<&Episodes>,
    referrals: Option<&Referrals>,
) -> u64 {
    let wanted: HashSet<u32> = checks.client.iter().copied().collect();
    let mut exact: HashMap<(u32, i32), u16> = HashMap::new();
    let mut latest_episode: HashMap<u32, (i32, u16)> = HashMap::new();
    let mut latest_referral: HashMap<u32, (i32, u16)> = HashMap::new();
    let later = |map: &mut HashMap<u32, (i32, u16)>, client: u32, date: i32, area: u16| {
        let e = map.entry(client).or_insert((date, area));
        if date > e.0 {
            *e = (date, area);
        }
    };
    if let Some(e) = episodes {
        for ((&client, &area), (&cp, &closure)) in e
            .client
            .iter()
            .zip(&e.area)
            .zip(e.care_plan.iter().zip(&e.closure))
        {
            if wanted.contains(&client) {
                if closure != NO_DATE {
                    exact.entry((client, closure)).or_insert(area);
                }
                later(&mut latest_episode, client, cp, area);
            }
        }
    }
    if let Some(r) = referrals {
        for ((&client, &area), &date) in r.client.iter().zip(&r.area).zip(&r.date) {
            if wanted.contains(&client) {
                later(&mut latest_referral, client, date, area);
            }
        }
    }
    let mut unplaced = 0;
    for ((area, &client), &closure) in checks
        .area
        .iter_mut()
        .zip(&checks.client)
        .zip(&checks.closure_date)
    {
        *area = exact
            .get(&(client, closure))
            .copied()
            .or_else(|| latest_episode.get(&client).map(|e| e.1))
            .or_else(|| latest_referral.get(&client).map(|e| e.1))
            .unwrap_or(NO_AREA);
        if *area == NO_AREA {
            unplaced += 1;
        }
    }
    unplaced
}
