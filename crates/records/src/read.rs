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
use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_128};

use crate::keys;

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

    /// A client id: text that is a pseudonym, never something that identifies a person.
    fn opt_client(&self, c: usize) -> Result<Option<&[u8]>, Bad> {
        let v = self.opt_text(c)?;
        if let Some(what) = v.and_then(crate::pseudonym::identifying) {
            return Err(bad(
                c,
                format!(
                    "this looks like {what}; client_id must be a pseudonymised identifier, never a name, date of birth, NHS number or PNC number: remove it and send the pseudonym"
                ),
            ));
        }
        Ok(v)
    }

    fn client(&self, c: usize) -> Result<&[u8], Bad> {
        self.opt_client(c)?
            .ok_or_else(|| bad(c, "a client_id is required here but the cell is empty"))
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

/// A map from short byte strings (area codes, substance names, outcome labels as written) to
/// values, keyed by their xxh3-64 and checked byte for byte, so a lookup costs one fast hash
/// and no allocation.
struct BytesMap<V> {
    index: HashMap<u64, u32, IdBuild>,
    entries: Vec<(Box<[u8]>, V)>,
}

impl<V: Copy> BytesMap<V> {
    fn new() -> Self {
        Self {
            index: HashMap::default(),
            entries: Vec::new(),
        }
    }

    fn get(&self, key: &[u8]) -> Option<V> {
        let i = *self.index.get(&xxh3_64(key))?;
        self.entries
            .get(i as usize)
            .filter(|e| &*e.0 == key)
            .map(|e| e.1)
    }

    /// Remembers a value; a key whose hash collides with another's is simply not remembered
    /// (it is worked out again each time, which is correct, only slower).
    fn insert(&mut self, key: &[u8], value: V) {
        let h = xxh3_64(key);
        if self.index.contains_key(&h) {
            return;
        }
        self.index.insert(h, self.entries.len() as u32);
        self.entries.push((key.into(), value));
    }
}

/// Finds area codes in the caller's known areas, remembering each spelling seen.
struct AreaLookup<'a> {
    known: &'a KnownAreas,
    cache: BytesMap<Option<u16>>,
}

impl<'a> AreaLookup<'a> {
    fn new(known: &'a KnownAreas) -> Self {
        Self {
            known,
            cache: BytesMap::new(),
        }
    }

    fn get(&mut self, row: &Row<'_>, c: usize) -> Result<u16, Bad> {
        let raw = row.text(c)?;
        let found = match self.cache.get(raw) {
            Some(found) => found,
            None => {
                let found = std::str::from_utf8(raw)
                    .ok()
                    .and_then(|s| AreaCode::parse(s).ok())
                    .and_then(|code| self.known.index_of(code.as_str()));
                self.cache.insert(raw, found);
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

/// The identifiers of each accepted row, as [`keys::key`] hashes, resolved after the parse
/// (see [`crate::keys`]); and each accepted row's line, for rejections found then.
#[derive(Default)]
struct Keys {
    /// The row's own identifier (files that have one).
    own: Vec<u64>,
    /// The client.
    client: Vec<u64>,
    /// The row this one points at in another file (referral or episode), or [`keys::NONE`].
    target: Vec<u64>,
    /// The line of each accepted row.
    line: Vec<u32>,
}

/// A file's row handler: checks one row and, if it passes, appends it to its columns and keys.
trait Sink {
    const FILE: FileKind;
    const SCHEMA: &'static [Col];
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad>;
    fn keys(&mut self) -> &mut Keys;
}

fn csv_reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(r)
}

/// Maps a header row onto a schema: each schema column's position, and the extra columns.
fn header(
    file: &'static str,
    rec: &csv::ByteRecord,
    schema: &[Col],
) -> Result<(Vec<Option<usize>>, Vec<String>), RecordsError> {
    let mut cols: Vec<Option<usize>> = vec![None; schema.len()];
    let mut extra = Vec::new();
    for (i, name) in rec.iter().enumerate() {
        let name = if i == 0 {
            name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name)
        } else {
            name
        };
        let name = String::from_utf8_lossy(trim(name)).to_ascii_lowercase();
        match schema.iter().position(|c| c.name == name) {
            Some(c) => {
                if let Some(slot) = cols.get_mut(c) {
                    if slot.is_some() {
                        return Err(RecordsError::DuplicateColumn { file, column: name });
                    }
                    *slot = Some(i);
                }
            }
            None => extra.push(name),
        }
    }
    for (c, found) in schema.iter().zip(&cols) {
        if c.required && found.is_none() {
            return Err(RecordsError::MissingColumn {
                file,
                column: c.name,
            });
        }
    }
    Ok((cols, extra))
}

fn csv_error(file: &'static str) -> impl Fn(csv::Error) -> RecordsError {
    move |e: csv::Error| RecordsError::Csv {
        file,
        line: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    }
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
    let mut reader = csv_reader(HashingReader::new(handle));
    let mut rec = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut rec).map_err(csv_error(file))? {
        return Err(RecordsError::NoHeader { file });
    }
    let schema = S::SCHEMA;
    let (cols, extra) = header(file, &rec, schema)?;
    let mut log = FileLog::default();
    for name in extra {
        log.warnings.push(Warning {
            file,
            line: Some(1),
            message: format!("column `{name}` is not part of {file}; it was set aside, not read"),
            column: Some(name),
        });
    }
    let width = rec.len();
    while reader.read_byte_record(&mut rec).map_err(csv_error(file))? {
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
            Ok(()) => {
                log.accepted += 1;
                sink.keys()
                    .line
                    .push(u32::try_from(line).unwrap_or(u32::MAX));
            }
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

/// The trimmed text of some cells of a file, by (line, schema column): read again for the
/// few rows rejected after the parse, whose text was not kept.
fn fetch_cells(
    dir: &Path,
    file: FileKind,
    schema: &[Col],
    wanted: &[(u32, usize)],
) -> Result<HashMap<(u32, usize), String>, RecordsError> {
    let mut out = HashMap::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let name = file.file_name();
    let path = dir.join(name);
    let handle = File::open(&path).map_err(|e| RecordsError::io(&path, e))?;
    let mut reader = csv_reader(handle);
    let mut rec = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut rec).map_err(csv_error(name))? {
        return Ok(out);
    }
    let (cols, _) = header(name, &rec, schema)?;
    let mut by_line: HashMap<u32, Vec<usize>> = HashMap::new();
    for &(line, c) in wanted {
        by_line.entry(line).or_default().push(c);
    }
    while reader.read_byte_record(&mut rec).map_err(csv_error(name))? {
        let line = rec
            .position()
            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        if let Some(cs) = by_line.get(&line) {
            let row = Row {
                rec: &rec,
                cols: &cols,
                line: u64::from(line),
            };
            for &c in cs {
                out.insert((line, c), String::from_utf8_lossy(row.cell(c)).into_owned());
            }
        }
    }
    Ok(out)
}

/// A rejection found after the parse: the row, the schema column and the reason.
struct Late {
    row: u32,
    col: usize,
    reason: String,
}

fn duplicate_reason(what: &str) -> String {
    format!("this {what} is already used by an earlier row of the file; each row needs its own")
}

/// Rows whose own identifier repeats an earlier row's, confirmed by their text (so a hash
/// collision never rejects a row).
fn duplicates(
    dir: &Path,
    file: FileKind,
    schema: &[Col],
    keys: &Keys,
) -> Result<Vec<Late>, RecordsError> {
    let groups = keys::shared(&keys.own);
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let line_of = |r: u32| keys.line.get(r as usize).copied().unwrap_or(0);
    let wanted: Vec<(u32, usize)> = groups.iter().flatten().map(|&r| (line_of(r), 0)).collect();
    let texts = fetch_cells(dir, file, schema, &wanted)?;
    let what = schema.first().map_or("identifier", |c| c.name);
    let mut late = Vec::new();
    for group in groups {
        let mut seen: Vec<&str> = Vec::new();
        for r in group {
            let text = texts.get(&(line_of(r), 0)).map_or("", String::as_str);
            if seen.contains(&text) {
                late.push(Late {
                    row: r,
                    col: 0,
                    reason: duplicate_reason(what),
                });
            } else {
                seen.push(text);
            }
        }
    }
    Ok(late)
}

fn retain<T>(v: &mut Vec<T>, keep: &[bool]) {
    if v.len() != keep.len() {
        return;
    }
    let mut k = keep.iter();
    v.retain(|_| k.next().copied().unwrap_or(true));
}

/// A table whose rows can be dropped after the parse.
trait Table {
    fn retain_rows(&mut self, keep: &[bool]);
}

macro_rules! table {
    ($t:ty: $($col:ident),+) => {
        impl Table for $t {
            fn retain_rows(&mut self, keep: &[bool]) {
                $(retain(&mut self.$col, keep);)+
            }
        }
    };
}
table!(Referrals: client, date, source, area);
table!(DrugTests: client, date, basis, result, area);
table!(Assessments: client, date, kind, area);
table!(Episodes: client, referral, area, care_plan, treatment_start, prescribed, iom, closure, reason);
table!(Substances: referral, client, rank, substance);
table!(BriefInterventions: date, area, setting, signposted);
table!(OutcomeEvents: client, episode, date, area, outcome, positive);
table!(ReoffendingChecks: client, check_date, closure_date, arrested_since, arrested_6_months, area);

/// One file as parsed, before its late checks.
struct Parsed<T> {
    t: T,
    log: FileLog,
    keys: Keys,
}

impl<T: Table> Parsed<T> {
    /// Drops the rows rejected late, recording their rejections (with the text of the cell at
    /// fault, read again from the file).
    fn reject(
        &mut self,
        dir: &Path,
        file: FileKind,
        schema: &[Col],
        late: Vec<Late>,
    ) -> Result<(), RecordsError> {
        if late.is_empty() {
            return Ok(());
        }
        let n = self.keys.line.len();
        let mut keep = vec![true; n];
        let line_of = |r: u32| self.keys.line.get(r as usize).copied().unwrap_or(0);
        let wanted: Vec<(u32, usize)> = late.iter().map(|l| (line_of(l.row), l.col)).collect();
        let texts = fetch_cells(dir, file, schema, &wanted)?;
        for l in late {
            match keep.get_mut(l.row as usize) {
                Some(k) if *k => *k = false,
                _ => continue,
            }
            let line = line_of(l.row);
            self.log.rejections.push(Rejection {
                file: file.file_name(),
                line: u64::from(line),
                column: schema.get(l.col).map_or("", |c| c.name).to_owned(),
                value: texts.get(&(line, l.col)).cloned().unwrap_or_default(),
                reason: l.reason,
            });
            self.log.accepted = self.log.accepted.saturating_sub(1);
            self.log.rejected += 1;
        }
        self.t.retain_rows(&keep);
        for v in [
            &mut self.keys.own,
            &mut self.keys.client,
            &mut self.keys.target,
        ] {
            retain(v, &keep);
        }
        retain(&mut self.keys.line, &keep);
        Ok(())
    }
}

struct ReferralSink<'a> {
    t: Referrals,
    areas: AreaLookup<'a>,
    keys: Keys,
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = row.text(0)?;
        let client = row.client(1)?;
        let date = row.date(2)?;
        let source = row.vocab(3, &SOURCE_KEYS)?;
        let area = self.areas.get(row, 4)?;
        self.keys.own.push(keys::key(id));
        self.keys.client.push(keys::key(client));
        self.t.client.push(NO_CLIENT);
        self.t.date.push(date);
        self.t.source.push(source);
        self.t.area.push(area);
        Ok(())
    }
}

struct DrugTestSink<'a> {
    t: DrugTests,
    areas: AreaLookup<'a>,
    keys: Keys,
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = row.text(0)?;
        let client = row.opt_client(1)?;
        let date = row.date(2)?;
        let basis = row.vocab(3, &BASIS_KEYS)?;
        let result = row.vocab(4, &RESULT_KEYS)?;
        let area = self.areas.get(row, 5)?;
        self.keys.own.push(keys::key(id));
        self.keys.client.push(client.map_or(keys::NONE, keys::key));
        self.t.client.push(NO_CLIENT);
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
    keys: Keys,
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = row.text(0)?;
        let client = row.client(1)?;
        let date = row.date(2)?;
        let kind = row.vocab(3, &KIND_KEYS)?;
        let area = self.areas.get(row, 4)?;
        self.keys.own.push(keys::key(id));
        self.keys.client.push(keys::key(client));
        self.t.client.push(NO_CLIENT);
        self.t.date.push(date);
        self.t.kind.push(kind);
        self.t.area.push(area);
        Ok(())
    }
}

struct EpisodeSink<'a> {
    t: Episodes,
    areas: AreaLookup<'a>,
    keys: Keys,
}

/// Pointers to rows that are not in the extract: counted and reported once as a warning.
fn unmatched_warning(
    file: &'static str,
    column: &str,
    target: &str,
    lines: impl Iterator<Item = u32>,
) -> Option<Warning> {
    let mut count = 0u64;
    let mut first = None;
    for l in lines {
        count += 1;
        first.get_or_insert(u64::from(l));
    }
    (count > 0).then(|| Warning {
        file,
        line: first,
        column: Some(column.to_owned()),
        message: format!(
            "{count} rows name a {column} that is not in {target}; they were kept without the link"
        ),
    })
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = row.text(0)?;
        let client = row.client(1)?;
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
        self.keys.own.push(keys::key(id));
        self.keys.client.push(keys::key(client));
        self.keys
            .target
            .push(referral.map_or(keys::NONE, keys::key));
        self.t.client.push(NO_CLIENT);
        self.t.referral.push(NO_ROW);
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

struct SubstanceSink {
    t: Substances,
    keys: Keys,
    referrals_present: bool,
    /// Spelling as written → substance index.
    names: BytesMap<u16>,
    /// Match key of an unrecognised name → its index among the unrecognised.
    unrecognised: HashMap<String, usize>,
    /// Unrecognised names as first written, with rows and first line.
    unrecognised_names: Vec<(String, u64, u64)>,
}

impl SubstanceSink {
    fn substance(&mut self, raw: &[u8], line: u64) -> Result<u16, Bad> {
        if let Some(i) = self.names.get(raw) {
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
        self.names.insert(raw, index);
        Ok(index)
    }
}

impl Sink for SubstanceSink {
    const FILE: FileKind = FileKind::Substances;
    const SCHEMA: &'static [Col] = &[
        col("referral_id", true),
        col("client_id", true),
        col("rank", true),
        col("substance", true),
    ];
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let referral = row.text(0)?;
        let client = row.client(1)?;
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
        if !self.referrals_present {
            return Err(bad(
                0,
                "referrals.csv is absent, so this referral cannot be found; include referrals.csv in the extract",
            ));
        }
        let substance = self.substance(name, row.line)?;
        if rank == 1 && is_alcohol(substance) {
            return Err(bad(
                3,
                "alcohol may be listed as a problem substance, but not as rank 1 (the primary substance)",
            ));
        }
        self.keys.client.push(keys::key(client));
        self.keys.target.push(keys::key(referral));
        self.t.referral.push(NO_ROW);
        self.t.client.push(NO_CLIENT);
        self.t.rank.push(rank);
        self.t.substance.push(substance);
        Ok(())
    }
}

struct BriefSink<'a> {
    t: BriefInterventions,
    areas: AreaLookup<'a>,
    keys: Keys,
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = row.text(0)?;
        let date = row.date(1)?;
        let area = self.areas.get(row, 2)?;
        let setting = row.vocab(3, &SETTING_KEYS)?;
        let signposted = row.opt_vocab(4, &SIGNPOST_KEYS)?;
        self.keys.own.push(keys::key(id));
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
    keys: Keys,
    labels: BytesMap<u32>,
    label_list: Vec<String>,
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let id = row.text(0)?;
        let client = row.client(1)?;
        let episode = row.opt_text(2)?;
        let date = row.date(3)?;
        let area = self.areas.get(row, 4)?;
        let outcome = row.text(5)?;
        let positive = row.boolean(6)?;
        let label = match self.labels.get(outcome) {
            Some(l) => l,
            None => {
                // A colliding spelling may already be listed: look before adding it again.
                let text = String::from_utf8_lossy(outcome);
                let l = match self.label_list.iter().position(|x| *x == text) {
                    Some(l) => l as u32,
                    None => {
                        self.label_list.push(text.into_owned());
                        (self.label_list.len() - 1) as u32
                    }
                };
                self.labels.insert(outcome, l);
                l
            }
        };
        self.keys.own.push(keys::key(id));
        self.keys.client.push(keys::key(client));
        self.keys.target.push(episode.map_or(keys::NONE, keys::key));
        self.t.client.push(NO_CLIENT);
        self.t.episode.push(NO_ROW);
        self.t.date.push(date);
        self.t.area.push(area);
        self.t.outcome.push(label);
        self.t.positive.push(positive);
        Ok(())
    }
}

struct CheckSink {
    t: ReoffendingChecks,
    keys: Keys,
    /// Checks dated before the closure they check from.
    early: u64,
    first_early: Option<u64>,
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
    fn keys(&mut self) -> &mut Keys {
        &mut self.keys
    }
    fn row(&mut self, row: &Row<'_>) -> Result<(), Bad> {
        let client = row.client(0)?;
        let check = row.date(1)?;
        let closure = row.date(2)?;
        let since = row.boolean(3)?;
        let last6 = row.boolean(4)?;
        if check < closure {
            // Not a rule of records.md, so the row stands; but it is worth a look.
            self.early += 1;
            self.first_early.get_or_insert(row.line);
        }
        self.keys.client.push(keys::key(client));
        self.t.client.push(NO_CLIENT);
        self.t.check_date.push(check);
        self.t.closure_date.push(closure);
        self.t.arrested_since.push(since);
        self.t.arrested_6_months.push(last6);
        self.t.area.push(NO_AREA);
        Ok(())
    }
}

/// Parses one file and rejects its rows with a repeated identifier.
fn parse<S: SinkTable>(
    dir: &Path,
    mut sink: S,
    table: impl FnOnce(&mut S) -> S::T,
) -> Out<S::T, S> {
    let Some(log) = read_file(dir, &mut sink)? else {
        return Ok(None);
    };
    let mut parsed = Parsed {
        t: table(&mut sink),
        log,
        keys: std::mem::take(sink.keys()),
    };
    if !parsed.keys.own.is_empty() {
        let late = duplicates(dir, S::FILE, S::SCHEMA, &parsed.keys)?;
        parsed.reject(dir, S::FILE, S::SCHEMA, late)?;
    }
    // Only referrals and episodes are pointed at: other files' own ids are done with.
    if !matches!(S::FILE, FileKind::Referrals | FileKind::Episodes) {
        parsed.keys.own = Vec::new();
    }
    Ok(Some((parsed, sink)))
}

/// The table type a sink fills.
trait SinkTable: Sink {
    type T: Table;
}
impl SinkTable for ReferralSink<'_> {
    type T = Referrals;
}
impl SinkTable for DrugTestSink<'_> {
    type T = DrugTests;
}
impl SinkTable for AssessmentSink<'_> {
    type T = Assessments;
}
impl SinkTable for EpisodeSink<'_> {
    type T = Episodes;
}
impl SinkTable for SubstanceSink {
    type T = Substances;
}
impl SinkTable for BriefSink<'_> {
    type T = BriefInterventions;
}
impl SinkTable for OutcomeSink<'_> {
    type T = OutcomeEvents;
}
impl SinkTable for CheckSink {
    type T = ReoffendingChecks;
}

fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> Result<T, RecordsError> {
    h.join().map_err(|_| RecordsError::Csv {
        file: "",
        line: 0,
        message: "a reading thread stopped unexpectedly".to_owned(),
    })
}

type Out<T, S> = Result<Option<(Parsed<T>, S)>, RecordsError>;

/// Reads the extract in `dir`, checking every rule of `records.md`. Area codes must be among
/// `known`. Fails only when the folder or a file as a whole cannot be read (no such folder, no
/// files of the spec, a file without a header or missing a required column); every row-level
/// problem is a [`Rejection`] instead.
///
/// All eight files are parsed at once on their own threads; identifiers are then checked and
/// resolved by partitioned sorting (`keys.rs`): repeated row ids, substances' and
/// episodes' referrals, outcome events' episodes, and the one index space of clients.
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
    let referrals_present = dir.join(FileKind::Referrals.file_name()).is_file();

    let parsed = std::thread::scope(|s| {
        let r = s.spawn(|| -> Out<Referrals, _> {
            let sink = ReferralSink {
                t: Referrals::default(),
                areas: AreaLookup::new(known),
                keys: Keys::default(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let t = s.spawn(|| -> Out<DrugTests, _> {
            let sink = DrugTestSink {
                t: DrugTests::default(),
                areas: AreaLookup::new(known),
                keys: Keys::default(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let a = s.spawn(|| -> Out<Assessments, _> {
            let sink = AssessmentSink {
                t: Assessments::default(),
                areas: AreaLookup::new(known),
                keys: Keys::default(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let e = s.spawn(|| -> Out<Episodes, _> {
            let sink = EpisodeSink {
                t: Episodes::default(),
                areas: AreaLookup::new(known),
                keys: Keys::default(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let sub = s.spawn(|| -> Out<Substances, _> {
            let sink = SubstanceSink {
                t: Substances::default(),
                keys: Keys::default(),
                referrals_present,
                names: BytesMap::new(),
                unrecognised: HashMap::new(),
                unrecognised_names: Vec::new(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let b = s.spawn(|| -> Out<BriefInterventions, _> {
            let sink = BriefSink {
                t: BriefInterventions::default(),
                areas: AreaLookup::new(known),
                keys: Keys::default(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let o = s.spawn(|| -> Out<OutcomeEvents, _> {
            let sink = OutcomeSink {
                t: OutcomeEvents::default(),
                areas: AreaLookup::new(known),
                keys: Keys::default(),
                labels: BytesMap::new(),
                label_list: Vec::new(),
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        let c = s.spawn(|| -> Out<ReoffendingChecks, _> {
            let sink = CheckSink {
                t: ReoffendingChecks::default(),
                keys: Keys::default(),
                early: 0,
                first_early: None,
            };
            parse(dir, sink, |s| std::mem::take(&mut s.t))
        });
        Ok::<_, RecordsError>((
            joined(r)??,
            joined(t)??,
            joined(a)??,
            joined(e)??,
            joined(sub)??,
            joined(b)??,
            joined(o)??,
            joined(c)??,
        ))
    })?;
    let (referrals, tests, assessments, episodes, substances, briefs, outcomes, checks) = parsed;
    let mut referrals = referrals.map(|p| p.0);
    let mut tests = tests.map(|p| p.0);
    let mut assessments = assessments.map(|p| p.0);
    let mut episodes = episodes.map(|p| p.0);
    let mut briefs = briefs.map(|p| p.0);
    let mut checks = checks.map(|(mut p, sink)| {
        if sink.early > 0 {
            p.log.warnings.push(Warning {
                file: FileKind::ReoffendingChecks.file_name(),
                line: sink.first_early,
                column: Some("check_date".to_owned()),
                message: format!(
                    "{} checks are dated before the closure date they check from; they were kept",
                    sink.early
                ),
            });
        }
        p
    });
    let (mut substances, unrecognised_names) = match substances {
        Some((p, sink)) => (Some(p), sink.unrecognised_names),
        None => (None, Vec::new()),
    };
    let (mut outcomes, outcome_labels) = match outcomes {
        Some((p, sink)) => (Some(p), sink.label_list),
        None => (None, Vec::new()),
    };

    // Pointers: substances and episodes to referrals, outcome events to episodes.
    if let Some(sub) = substances.as_mut() {
        let build = referrals.as_ref().map_or(&[][..], |r| &r.keys.own[..]);
        sub.t.referral = keys::lookup(build, &sub.keys.target, NO_ROW);
        let mut late: Vec<Late> = sub
            .t
            .referral
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == NO_ROW)
            .map(|(i, _)| Late {
                row: i as u32,
                col: 0,
                reason: "no referral with this referral_id in referrals.csv (or its row there was rejected)".to_owned(),
            })
            .collect();
        // Each rank once per referral.
        let pairs: Vec<u64> = sub
            .t
            .referral
            .iter()
            .zip(&sub.t.rank)
            .map(|(&r, &k)| {
                if r == NO_ROW {
                    keys::NONE
                } else {
                    (u64::from(r) << 2 | u64::from(k)) + 1
                }
            })
            .collect();
        for group in keys::shared(&pairs) {
            late.extend(group.into_iter().skip(1).map(|row| Late {
                row,
                col: 2,
                reason: "this referral already has a substance of this rank; each rank is used once per referral".to_owned(),
            }));
        }
        sub.reject(dir, FileKind::Substances, SubstanceSink::SCHEMA, late)?;
    }
    if let Some(ep) = episodes.as_mut() {
        let build = referrals.as_ref().map_or(&[][..], |r| &r.keys.own[..]);
        ep.t.referral = keys::lookup(build, &ep.keys.target, NO_ROW);
        let lines = ep
            .keys
            .target
            .iter()
            .zip(&ep.t.referral)
            .zip(&ep.keys.line)
            .filter(|((k, r), _)| **k != keys::NONE && **r == NO_ROW)
            .map(|(_, &l)| l);
        ep.log.warnings.extend(unmatched_warning(
            FileKind::Episodes.file_name(),
            "referral_id",
            "referrals.csv",
            lines,
        ));
    }
    if let Some(out) = outcomes.as_mut() {
        let build = episodes.as_ref().map_or(&[][..], |e| &e.keys.own[..]);
        out.t.episode = keys::lookup(build, &out.keys.target, NO_ROW);
        let lines = out
            .keys
            .target
            .iter()
            .zip(&out.t.episode)
            .zip(&out.keys.line)
            .filter(|((k, r), _)| **k != keys::NONE && **r == NO_ROW)
            .map(|(_, &l)| l);
        out.log.warnings.extend(unmatched_warning(
            FileKind::OutcomeEvents.file_name(),
            "episode_id",
            "episodes.csv",
            lines,
        ));
    }

    // Clients: one index space over every file. Everything else the keys held is done with:
    // free it first, as this is the high-water mark of memory.
    fn client_keys<T>(p: Option<&mut Parsed<T>>) -> Vec<u64> {
        p.map_or_else(Vec::new, |p| {
            p.keys.own = Vec::new();
            p.keys.target = Vec::new();
            p.keys.line = Vec::new();
            std::mem::take(&mut p.keys.client)
        })
    }
    let (ids, clients) = keys::intern(
        vec![
            client_keys(referrals.as_mut()),
            client_keys(tests.as_mut()),
            client_keys(assessments.as_mut()),
            client_keys(episodes.as_mut()),
            client_keys(substances.as_mut()),
            client_keys(outcomes.as_mut()),
            client_keys(checks.as_mut()),
        ],
        NO_CLIENT,
    );
    let mut ids = ids.into_iter();
    let mut give = |column: Option<&mut Vec<u32>>| {
        let got = ids.next().unwrap_or_default();
        if let Some(column) = column {
            *column = got;
        }
    };
    give(referrals.as_mut().map(|p| &mut p.t.client));
    give(tests.as_mut().map(|p| &mut p.t.client));
    give(assessments.as_mut().map(|p| &mut p.t.client));
    give(episodes.as_mut().map(|p| &mut p.t.client));
    give(substances.as_mut().map(|p| &mut p.t.client));
    give(outcomes.as_mut().map(|p| &mut p.t.client));
    give(checks.as_mut().map(|p| &mut p.t.client));

    let mut extract = Extract {
        areas: known.codes().to_vec(),
        clients,
        ..Extract::default()
    };
    let mut logs: Vec<Option<FileLog>> = (0..8).map(|_| None).collect();
    let mut put = |file: FileKind, log: FileLog| {
        if let Some(slot) = logs.get_mut(file.index()) {
            *slot = Some(log);
        }
    };
    if let Some(p) = referrals.take() {
        extract.referrals = Some(p.t);
        put(FileKind::Referrals, p.log);
    }
    if let Some(p) = tests.take() {
        extract.drug_tests = Some(p.t);
        put(FileKind::DrugTests, p.log);
    }
    if let Some(p) = assessments.take() {
        extract.assessments = Some(p.t);
        put(FileKind::Assessments, p.log);
    }
    if let Some(p) = episodes.take() {
        extract.episodes = Some(p.t);
        put(FileKind::Episodes, p.log);
    }
    if let Some(mut p) = substances.take() {
        for (name, rows, line) in &unrecognised_names {
            p.log.warnings.push(Warning {
                file: FileKind::Substances.file_name(),
                line: Some(*line),
                column: Some("substance".to_owned()),
                message: format!(
                    "substance `{name}` is not on the controlled list; kept as written ({rows} rows)"
                ),
            });
        }
        extract.unrecognised_substances = unrecognised_names.into_iter().map(|n| n.0).collect();
        extract.substances = Some(p.t);
        put(FileKind::Substances, p.log);
    }
    if let Some(p) = briefs.take() {
        extract.brief_interventions = Some(p.t);
        put(FileKind::BriefInterventions, p.log);
    }
    if let Some(p) = outcomes.take() {
        extract.outcome_labels = outcome_labels;
        extract.outcome_events = Some(p.t);
        put(FileKind::OutcomeEvents, p.log);
    }
    if let Some(mut p) = checks.take() {
        let unplaced = place_checks(
            &mut p.t,
            extract.episodes.as_ref(),
            extract.referrals.as_ref(),
        );
        if unplaced > 0 {
            p.log.warnings.push(Warning {
                file: FileKind::ReoffendingChecks.file_name(),
                line: None,
                column: Some("client_id".to_owned()),
                message: format!(
                    "{unplaced} checks are of clients with no episode or referral in the extract, so they count for every area"
                ),
            });
        }
        extract.reoffending_checks = Some(p.t);
        put(FileKind::ReoffendingChecks, p.log);
    }

    let mut files = Vec::with_capacity(8);
    let mut rejections = Vec::new();
    let mut warnings = Vec::new();
    let mut parts = Vec::new();
    for (file, log) in FileKind::ALL.iter().zip(logs) {
        match log {
            Some(mut log) => {
                files.push(FileReport {
                    file: *file,
                    present: true,
                    accepted: log.accepted,
                    rejected: log.rejected,
                    bytes: log.bytes,
                });
                parts.push((*file, log.bytes, log.hash));
                log.rejections.sort_by_key(|r| r.line);
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
