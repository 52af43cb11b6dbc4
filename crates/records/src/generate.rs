//! A realistic synthetic extract: all eight files for the given local authorities over ten
//! financial years, in proportions like the Gwent report's (referral sources, test bases,
//! assessments to care plans, closure reasons and retention, substances with some of the
//! report's spellings and a few names that are not on the controlled list).
//!
//! Deterministic for a seed: referrals are made in blocks, each from its own generator seeded by
//! (seed, block), so blocks can be made on several threads and still be written in order.
//! Every identifier derives from the referral's number, so blocks never collide.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use h2h_domain::{AreaCode, Period};

use crate::date::{day_number, write_iso};
use crate::error::RecordsError;
use crate::model::FileKind;

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GenerateSummary {
    /// Rows written per file, in the spec's order of files.
    pub rows: Vec<(FileKind, u64)>,
    /// Bytes written over all files.
    pub bytes: u64,
    /// First and last day of the ten financial years, ISO.
    pub first_day: String,
    /// Last day covered.
    pub last_day: String,
}

impl GenerateSummary {
    /// Total rows over every file.
    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|r| r.1).sum()
    }
}

const BLOCK: usize = 32_768;

/// Weighted choice over a small table.
struct Weighted<T: Copy> {
    items: Vec<(T, u32)>,
    total: u32,
}

impl<T: Copy> Weighted<T> {
    fn new(items: &[(T, u32)]) -> Self {
        let total = items.iter().map(|i| i.1).sum::<u32>().max(1);
        Weighted {
            items: items.to_vec(),
            total,
        }
    }

    fn pick(&self, rng: &mut fastrand::Rng) -> Option<T> {
        let mut x = rng.u32(..self.total);
        for &(item, w) in &self.items {
            if x < w {
                return Some(item);
            }
            x -= w;
        }
        self.items.last().map(|i| i.0)
    }
}

struct Tables {
    sources: Weighted<&'static str>,
    bases: Weighted<&'static str>,
    results: Weighted<&'static str>,
    primary: Weighted<&'static str>,
    secondary: Weighted<&'static str>,
    reasons: Weighted<&'static str>,
    signposts: Weighted<&'static str>,
    outcomes: Weighted<&'static str>,
}

fn tables() -> Tables {
    Tables {
        sources: Weighted::new(&[
            ("police", 61),
            ("probation", 35),
            ("prison", 143),
            ("court", 1),
            ("self", 66),
            ("other", 6),
        ]),
        bases: Weighted::new(&[
            ("trigger_offence", 1118),
            ("inspector_authority", 5),
            ("voluntary", 256),
        ]),
        results: Weighted::new(&[
            ("positive_opiates", 20),
            ("positive_cocaine", 12),
            ("positive_both", 8),
            ("negative", 55),
            ("refused", 5),
        ]),
        // The report's primary substances, in its spellings (alcohol is never rank 1).
        primary: Weighted::new(&[
            ("Heroin", 2880),
            ("Cocaine", 730),
            ("Unknown", 380),
            ("Cannabis", 270),
            ("Amphetamines", 250),
            ("Mephedrone", 240),
            ("Crack", 110),
            ("Subutex - Illicit", 90),
            ("Benzodiazepines", 50),
            ("Methadone - Script", 60),
            ("Chemical Highs", 30),
            ("Ketamine", 40),
            ("Other - At Risk", 40),
            ("Dihydro-codeine Illicit", 20),
            ("Methadone Illicit", 20),
            ("Methamphetamine", 10),
            ("Solvents", 20),
            ("\"Synthetic Cannabinoids (a.k.a. K2, Spice)\"", 10),
            ("crack cocaine", 20),
            ("new psychoactive substances", 10),
            ("Pregabalin", 8),
            ("Gabapentin", 4),
        ]),
        secondary: Weighted::new(&[
            ("Crack", 300),
            ("Cannabis", 250),
            ("Alcohol", 250),
            ("Cocaine", 200),
            ("Benzodiazepines", 120),
            ("Heroin", 80),
            ("Amphetamines", 60),
            ("Alcohol Unspecified", 30),
            ("Methadone Illicit", 20),
            ("Mephedrone", 20),
            ("Ketamine", 10),
            ("Other", 10),
            ("Zopiclone", 3),
        ]),
        reasons: Weighted::new(&[
            ("completed_drug_and_crime_free", 48),
            ("completed_crime_free", 2),
            ("completed_drug_free", 11),
            ("disengaged", 65),
            ("transferred", 30),
            ("custody", 24),
            ("moved_away", 15),
            ("died", 3),
            ("other", 12),
        ]),
        signposts: Weighted::new(&[
            ("drugs", 48),
            ("alcohol", 28),
            ("housing", 1),
            ("young_person", 2),
            ("other", 3),
        ]),
        outcomes: Weighted::new(&[
            ("reduced_use", 30),
            ("abstinent", 15),
            ("housing_improved", 15),
            ("employment", 10),
            ("no_offending", 30),
        ]),
    }
}

/// One block's rows, per file.
struct Block {
    bufs: Vec<Vec<u8>>,
    rows: Vec<u64>,
}

fn num(out: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        if let Some(t) = tmp.get_mut(i) {
            *t = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(tmp.get(i..).unwrap_or_default());
}

fn id(out: &mut Vec<u8>, prefix: &[u8], n: u64) {
    out.extend_from_slice(prefix);
    num(out, n);
}

struct Ctx<'a> {
    areas: &'a [AreaCode],
    cumulative: Vec<u64>,
    first: i32,
    last: i32,
    seed: u64,
    t: Tables,
}

impl Ctx<'_> {
    fn area(&self, rng: &mut fastrand::Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1).max(1);
        let x = rng.u64(..total);
        self.cumulative.partition_point(|&c| c <= x)
    }

    fn block(&self, block: usize, referrals: std::ops::Range<usize>) -> Block {
        let mut rng = fastrand::Rng::with_seed(
            self.seed ^ (block as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let mut b = Block {
            bufs: (0..8).map(|_| Vec::with_capacity(BLOCK * 64)).collect(),
            rows: vec![0; 8],
        };
        let span = self.last - self.first;
        let mut clients: Vec<u64> = Vec::with_capacity(referrals.len());
        let t = &self.t;
        let date = |out: &mut Vec<u8>, d: i32| write_iso(d, out);
        for i in referrals {
            let n = i as u64;
            let a = self.area(&mut rng);
            let area = self.areas.get(a).map_or("", AreaCode::as_str).as_bytes();
            let day = self.first + rng.i32(0..=span);
            // One referral in five is of someone referred before (within this block).
            let client = if !clients.is_empty() && rng.u8(..5) == 0 {
                clients
                    .get(rng.usize(..clients.len()))
                    .copied()
                    .unwrap_or(n)
            } else {
                n
            };
            clients.push(client);

            let row = |file: FileKind, b: &mut Block, f: &dyn Fn(&mut Vec<u8>)| {
                if let Some(buf) = b.bufs.get_mut(file.index()) {
                    f(buf);
                    buf.push(b'\n');
                }
                if let Some(r) = b.rows.get_mut(file.index()) {
                    *r += 1;
                }
            };
            let source = t.sources.pick(&mut rng).unwrap_or("other");
            row(FileKind::Referrals, &mut b, &|o| {
                id(o, b"R", n);
                id(o, b",C", client);
                o.push(b',');
                date(o, day);
                o.push(b',');
                o.extend_from_slice(source.as_bytes());
                o.push(b',');
                o.extend_from_slice(area);
            });

            // Substances: a primary one, a second for about a third, a third for some.
            let primary = t.primary.pick(&mut rng).unwrap_or("Unknown");
            let mut ranks = vec![primary];
            if rng.u8(..100) < 35 {
                let second = t.secondary.pick(&mut rng).unwrap_or("Alcohol");
                if second != primary {
                    ranks.push(second);
                    if rng.u8(..100) < 43 {
                        let third = t.secondary.pick(&mut rng).unwrap_or("Alcohol");
                        if third != primary && third != second {
                            ranks.push(third);
                        }
                    }
                }
            }
            for (r, name) in ranks.iter().enumerate() {
                row(FileKind::Substances, &mut b, &|o| {
                    id(o, b"R", n);
                    id(o, b",C", client);
                    o.push(b',');
                    num(o, r as u64 + 1);
                    o.push(b',');
                    o.extend_from_slice(name.as_bytes());
                });
            }

            // Custody drug tests around the referral (after arrest, before it).
            if rng.u8(..100) < 60 {
                let basis = t.bases.pick(&mut rng).unwrap_or("trigger_offence");
                let result = t.results.pick(&mut rng).unwrap_or("negative");
                let d = (day - rng.i32(0..30)).max(self.first);
                let named = rng.u8(..100) < 40;
                row(FileKind::DrugTests, &mut b, &|o| {
                    id(o, b"T", n);
                    o.push(b',');
                    if named {
                        id(o, b"C", client);
                    }
                    o.push(b',');
                    date(o, d);
                    o.push(b',');
                    o.extend_from_slice(basis.as_bytes());
                    o.push(b',');
                    o.extend_from_slice(result.as_bytes());
                    o.push(b',');
                    o.extend_from_slice(area);
                });
            }

            if rng.u8(..100) < 55 {
                let d = (day - rng.i32(0..3)).max(self.first);
                row(FileKind::Assessments, &mut b, &|o| {
                    id(o, b"AR", n);
                    id(o, b",C", client);
                    o.push(b',');
                    date(o, d);
                    o.extend_from_slice(b",required,");
                    o.extend_from_slice(area);
                });
            }
            if rng.u8(..100) < 55 {
                let assessed = (day + rng.i32(0..15)).min(self.last);
                row(FileKind::Assessments, &mut b, &|o| {
                    id(o, b"AF", n);
                    id(o, b",C", client);
                    o.push(b',');
                    date(o, assessed);
                    o.extend_from_slice(b",full,");
                    o.extend_from_slice(area);
                });
                if rng.u8(..100) < 99 {
                    self.episode(&mut rng, &mut b, n, client, area, assessed);
                }
            }

            if rng.u8(..100) < 40 {
                let d = self.first + rng.i32(0..=span);
                let ba = self.area(&mut rng);
                let barea = self.areas.get(ba).map_or("", AreaCode::as_str).as_bytes();
                let setting = if rng.u8(..100) < 60 {
                    "custody"
                } else {
                    "outreach"
                };
                let sign = if rng.u16(..10_000) < 1176 {
                    t.signposts.pick(&mut rng)
                } else {
                    None
                };
                row(FileKind::BriefInterventions, &mut b, &|o| {
                    id(o, b"B", n);
                    o.push(b',');
                    date(o, d);
                    o.push(b',');
                    o.extend_from_slice(barea);
                    o.push(b',');
                    o.extend_from_slice(setting.as_bytes());
                    o.push(b',');
                    if let Some(s) = sign {
                        o.extend_from_slice(s.as_bytes());
                    }
                });
            }
        }
        b
    }

    fn episode(
        &self,
        rng: &mut fastrand::Rng,
        b: &mut Block,
        n: u64,
        client: u64,
        area: &[u8],
        assessed: i32,
    ) {
        let t = &self.t;
        let cp = (assessed + rng.i32(0..8)).min(self.last);
        let ts = (rng.u8(..100) < 97).then(|| (cp + rng.i32(0..15)).min(self.last));
        let prescribed = rng.u8(..100) < 45;
        let iom = rng.u8(..100) < 30;
        let from = ts.unwrap_or(cp);
        let length = match rng.u8(..100) {
            0..46 => rng.i32(0..84),
            46..54 => rng.i32(84..168),
            _ => rng.i32(168..700),
        };
        let closure = Some(from + length).filter(|&c| c <= self.last);
        let reason = closure.and_then(|_| t.reasons.pick(rng));
        let push = |b: &mut Block, file: FileKind, f: &dyn Fn(&mut Vec<u8>)| {
            if let Some(buf) = b.bufs.get_mut(file.index()) {
                f(buf);
                buf.push(b'\n');
            }
            if let Some(r) = b.rows.get_mut(file.index()) {
                *r += 1;
            }
        };
        push(b, FileKind::Episodes, &|o| {
            id(o, b"E", n);
            id(o, b",C", client);
            id(o, b",R", n);
            o.push(b',');
            o.extend_from_slice(area);
            o.push(b',');
            write_iso(cp, o);
            o.push(b',');
            if let Some(ts) = ts {
                write_iso(ts, o);
            }
            o.extend_from_slice(if prescribed { b",true," } else { b",false," });
            o.extend_from_slice(if iom { b"yes," } else { b"no," });
            if let Some(c) = closure {
                write_iso(c, o);
            }
            o.push(b',');
            if let Some(r) = reason {
                o.extend_from_slice(r.as_bytes());
            }
        });
        let open_until = closure.unwrap_or(self.last);
        let length = (open_until - cp).max(0);
        for k in 0..rng.u8(0..=2) {
            let d = cp + rng.i32(0..=length);
            let positive = rng.u8(..100) < 75;
            let outcome = t.outcomes.pick(rng).unwrap_or("reduced_use");
            push(b, FileKind::OutcomeEvents, &|o| {
                id(o, b"O", n);
                id(o, b"-", u64::from(k));
                id(o, b",C", client);
                id(o, b",E", n);
                o.push(b',');
                write_iso(d, o);
                o.push(b',');
                o.extend_from_slice(area);
                o.push(b',');
                o.extend_from_slice(outcome.as_bytes());
                o.extend_from_slice(if positive { b",1" } else { b",0" });
            });
        }
        if rng.u8(..100) < 30 {
            let d = cp + rng.i32(0..=length);
            let result = if rng.u8(..100) < 70 {
                "negative"
            } else {
                "positive_opiates"
            };
            push(b, FileKind::DrugTests, &|o| {
                id(o, b"TT", n);
                id(o, b",C", client);
                o.push(b',');
                write_iso(d, o);
                o.extend_from_slice(b",in_treatment,");
                o.extend_from_slice(result.as_bytes());
                o.push(b',');
                o.extend_from_slice(area);
            });
        }
        if let Some(c) = closure
            && rng.u8(..100) < 8
        {
            let check = c + rng.i32(90..500);
            if check <= self.last {
                let since = rng.u8(..100) < 25;
                let last6 = since && rng.u8(..100) < 43;
                push(b, FileKind::ReoffendingChecks, &|o| {
                    id(o, b"C", client);
                    o.push(b',');
                    write_iso(check, o);
                    o.push(b',');
                    write_iso(c, o);
                    o.extend_from_slice(if since { b",y" } else { b",n" });
                    o.extend_from_slice(if last6 { b",y" } else { b",n" });
                });
            }
        }
    }
}

const HEADERS: [&str; 8] = [
    "referral_id,client_id,referral_date,source,area_code",
    "test_id,client_id,test_date,basis,result,area_code",
    "assessment_id,client_id,assessment_date,kind,area_code",
    "episode_id,client_id,referral_id,area_code,care_plan_date,treatment_start_date,prescribed,iom,closure_date,closure_reason",
    "referral_id,client_id,rank,substance",
    "intervention_id,intervention_date,area_code,setting,signposted_to",
    "event_id,client_id,episode_id,event_date,area_code,outcome,positive",
    "client_id,check_date,closure_date,arrested_since_closure,arrested_last_6_months",
];

/// Writes a synthetic extract of `referrals` referrals to `out_dir` (created if needed): the
/// given local authorities with their populations (referrals are spread in proportion), over
/// the ten financial years starting in April of `first_financial_year`.
pub fn generate(
    referrals: usize,
    seed: u64,
    areas: &[(AreaCode, u64)],
    first_financial_year: i32,
    out_dir: &Path,
) -> Result<GenerateSummary, RecordsError> {
    if areas.is_empty() || areas.iter().all(|a| a.1 == 0) {
        return Err(RecordsError::Generate(
            "at least one area with a population is needed".into(),
        ));
    }
    let bad_year = |_| RecordsError::Generate(format!("{first_financial_year} is not a year"));
    let first = day_number(
        Period::financial_year(first_financial_year)
            .map_err(bad_year)?
            .start(),
    );
    let last = day_number(
        Period::financial_year(first_financial_year + 9)
            .map_err(bad_year)?
            .end(),
    );
    std::fs::create_dir_all(out_dir).map_err(|e| RecordsError::io(out_dir, e))?;
    let codes: Vec<AreaCode> = areas.iter().map(|a| a.0.clone()).collect();
    let mut cumulative = Vec::with_capacity(areas.len());
    let mut total = 0u64;
    for (_, population) in areas {
        total = total.saturating_add(*population);
        cumulative.push(total);
    }
    let ctx = Ctx {
        areas: &codes,
        cumulative,
        first,
        last,
        seed,
        t: tables(),
    };

    let mut writers = Vec::with_capacity(8);
    for (file, header) in FileKind::ALL.iter().zip(HEADERS) {
        let path = out_dir.join(file.file_name());
        let f = File::create(&path).map_err(|e| RecordsError::io(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        writeln!(w, "{header}").map_err(|e| RecordsError::io(&path, e))?;
        writers.push((path, w));
    }
    let blocks = referrals.div_ceil(BLOCK);
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(1, 8)
        .min(blocks.max(1));
    let mut rows = [0u64; 8];
    let mut bytes: u64 = HEADERS.iter().map(|h| h.len() as u64 + 1).sum();
    let written = std::thread::scope(|s| -> Result<(), RecordsError> {
        let (tx, rx) = mpsc::sync_channel::<(usize, Block)>(workers * 2);
        for w in 0..workers {
            let tx = tx.clone();
            let ctx = &ctx;
            s.spawn(move || {
                for block in (w..blocks).step_by(workers) {
                    let from = block * BLOCK;
                    let to = (from + BLOCK).min(referrals);
                    if tx.send((block, ctx.block(block, from..to))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Blocks arrive in any order; write them in block order.
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (i, block) in rx {
            pending.insert(i, block);
            while let Some(block) = pending.remove(&next) {
                for ((path, w), (buf, (r, count))) in writers
                    .iter_mut()
                    .zip(block.bufs.iter().zip(rows.iter_mut().zip(&block.rows)))
                {
                    w.write_all(buf).map_err(|e| RecordsError::io(&*path, e))?;
                    bytes += buf.len() as u64;
                    *r += count;
                }
                next += 1;
            }
        }
        Ok(())
    });
    written?;
    for (path, mut w) in writers {
        w.flush().map_err(|e| RecordsError::io(&path, e))?;
    }
    let iso = |d: i32| {
        let mut v = Vec::new();
        write_iso(d, &mut v);
        String::from_utf8_lossy(&v).into_owned()
    };
    Ok(GenerateSummary {
        rows: FileKind::ALL.iter().copied().zip(rows).collect(),
        bytes,
        first_day: iso(first),
        last_day: iso(last),
    })
}
