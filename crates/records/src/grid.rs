//! Every measure for every area of an extract and every period of a list, in one pass per
//! table over the columns.
//!
//! The periods are split into *chains*: runs, ordered by first day, whose last days never go
//! backwards (all the quarters of ten years are one chain; a list mixing quarters and years
//! makes two). Within a chain, the periods containing a date form a contiguous run of chain
//! positions, found from two per-day lookup tables, so a record adds +1 at the run's start and
//! −1 past its end in a difference array indexed [area][chain position][slot]; a prefix sum
//! along the positions then gives every count. "Open at the period's end" (caseload) and "on
//! the caseload during the period" (modalities) are runs too, so they cost the same as a dated
//! event. Distinct clients (`treatment_tests`) are counted by sorting (area, period, client)
//! keys.
//!
//! The result agrees exactly with [`crate::scorecard()`] (a property test checks it): both count
//! into the same [`Figures`] layout and share the function that makes a scorecard of them.

use std::io::Write as _;

use h2h_domain::{AreaCode, Period};

use crate::date::{NO_DATE, day_number};
use crate::error::RecordsError;
use crate::model::*;
use crate::scorecard::{AreaRef, Figures, Scorecard, build, retention_band, slot};

/// One chain of periods and its day lookups.
struct Chain {
    /// Positions in the grid's period list, in chain order.
    periods: Vec<usize>,
    /// First day covered by the lookup tables.
    base: i32,
    /// For each day from `base`: how many of the chain's periods end before it.
    ends_before: Vec<u32>,
    /// For each day from `base`: how many of the chain's periods start on or before it.
    starts_by: Vec<u32>,
}

impl Chain {
    fn len(&self) -> u32 {
        self.periods.len() as u32
    }

    fn lookup(&self, table: &[u32], d: i32) -> u32 {
        if d < self.base {
            return 0;
        }
        let i = (i64::from(d) - i64::from(self.base)) as usize;
        table.get(i).copied().unwrap_or(self.len())
    }

    /// First chain position whose period ends on or after `d`.
    fn lo(&self, d: i32) -> u32 {
        self.lookup(&self.ends_before, d)
    }

    /// One past the last chain position whose period starts on or before `d`.
    fn hi(&self, d: i32) -> u32 {
        self.lookup(&self.starts_by, d)
    }
}

fn chains(periods: &[Period]) -> Vec<Chain> {
    let mut order: Vec<usize> = (0..periods.len()).collect();
    let span = |i: usize| {
        periods
            .get(i)
            .map_or((0, 0), |p| (day_number(p.start()), day_number(p.end())))
    };
    order.sort_by_key(|&i| span(i));
    // Greedy: each period joins the first chain whose last period ends no later than it does.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let end = span(i).1;
        match groups
            .iter_mut()
            .find(|g| g.last().is_some_and(|&l| span(l).1 <= end))
        {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
        .into_iter()
        .map(|group| {
            let base = group.iter().map(|&i| span(i).0).min().unwrap_or(0);
            let top = group.iter().map(|&i| span(i).1).max().unwrap_or(0);
            let days = (i64::from(top) - i64::from(base) + 1).max(0) as usize;
            // Within a chain both the first and the last days are in order, so one sweep over
            // the days fills each table.
            let starts: Vec<i32> = group.iter().map(|&i| span(i).0).collect();
            let ends: Vec<i32> = group.iter().map(|&i| span(i).1).collect();
            let sweep = |days_in: &[i32], before: bool| -> Vec<u32> {
                let mut out = Vec::with_capacity(days);
                let mut k = 0usize;
                for offset in 0..days {
                    let d = base + offset as i32;
                    while days_in
                        .get(k)
                        .is_some_and(|&x| if before { x < d } else { x <= d })
                    {
                        k += 1;
                    }
                    out.push(k as u32);
                }
                out
            };
            let ends_before = sweep(&ends, true);
            let starts_by = sweep(&starts, false);
            Chain {
                periods: group,
                base,
                ends_before,
                starts_by,
            }
        })
        .collect()
}

/// Difference arrays of one chain, indexed `[area row][chain position + 1][slot]`.
struct Diff {
    width: usize,
    positions: usize,
    cells: Vec<i64>,
}

impl Diff {
    #[inline]
    fn add(&mut self, row: usize, lo: u32, hi: u32, slot: usize) {
        if lo >= hi {
            return;
        }
        let at = |p: u32| (row * self.positions + p as usize) * self.width + slot;
        if let Some(v) = self.cells.get_mut(at(lo)) {
            *v += 1;
        }
        if let Some(v) = self.cells.get_mut(at(hi)) {
            *v -= 1;
        }
    }
}

/// The national grid: the figures of every area row × period.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The periods, as given.
    pub periods: Vec<Period>,
    /// The areas with any record, as indexes into the extract's area table, in its order.
    pub areas: Vec<u16>,
    area_codes: Vec<AreaCode>,
    /// The extract's vocabularies and which files were present (its tables left empty).
    meta: Extract,
    width: usize,
    /// Indexed `[area row][period][slot]`.
    counts: Vec<u64>,
}

/// One figure of the grid in long form: an area, a period, a measure and (for a breakdown
/// category) its key.
#[derive(Debug, Clone, PartialEq)]
pub struct LongRow {
    /// The area's code.
    pub area: AreaCode,
    /// The period's code.
    pub period: String,
    /// The measure id.
    pub measure: &'static str,
    /// The breakdown key; empty for the measure's own value.
    pub key: String,
    /// The count (null when the measure's records are absent).
    pub value: Option<u64>,
    /// The denominator, for a measure's own row.
    pub denominator: Option<u64>,
}

fn empty_like<T: Default>(t: &Option<T>) -> Option<T> {
    t.as_ref().map(|_| T::default())
}

/// Computes every measure for every area of the extract that has a record, for every period of
/// `periods`, in one pass per table. Fails only when more than 65,535 periods are asked for.
pub fn scorecard_grid(extract: &Extract, periods: &[Period]) -> Result<Grid, RecordsError> {
    if periods.len() > usize::from(u16::MAX) {
        return Err(RecordsError::TooMany {
            what: "periods in one grid",
            limit: u64::from(u16::MAX),
        });
    }
    let width = slot::SUBSTANCES + extract.substance_count();
    let (rows, areas) = area_rows(extract);
    let n_areas = areas.len();
    let row_of = |a: u16| rows.get(usize::from(a)).copied().flatten();
    let chains = chains(periods);

    let mut diffs: Vec<Diff> = chains
        .iter()
        .map(|c| Diff {
            width,
            positions: c.periods.len() + 1,
            cells: vec![0; n_areas * (c.periods.len() + 1) * width],
        })
        .collect();
    // The tables in two halves, one per core; their difference arrays are added after.
    let mut other: Vec<Diff> = chains
        .iter()
        .map(|c| Diff {
            width,
            positions: c.periods.len() + 1,
            cells: vec![0; n_areas * (c.periods.len() + 1) * width],
        })
        .collect();
    let n_periods = periods.len();
    let treatment = std::thread::scope(|s| {
        let first = s.spawn(|| {
            episodes_pass(extract, &chains, &row_of, &mut other);
            outcomes_pass(extract, &chains, &row_of, &mut other);
            tests_pass(extract, &chains, &row_of, &mut other, n_periods)
        });
        referrals_pass(extract, &chains, &row_of, &mut diffs);
        assessments_pass(extract, &chains, &row_of, &mut diffs);
        briefs_pass(extract, &chains, &row_of, &mut diffs);
        checks_pass(extract, &chains, &row_of, &mut diffs, n_areas);
        first.join().unwrap_or_default()
    });
    for (d, o) in diffs.iter_mut().zip(&other) {
        for (a, b) in d.cells.iter_mut().zip(&o.cells) {
            *a += b;
        }
    }
    drop(other);

    let mut counts = vec![0u64; n_areas * n_periods * width];
    for (chain, diff) in chains.iter().zip(&diffs) {
        let mut running = vec![0i64; width];
        for row in 0..n_areas {
            running.iter_mut().for_each(|r| *r = 0);
            for (pos, &period) in chain.periods.iter().enumerate() {
                let from = (row * diff.positions + pos) * diff.width;
                let out = (row * n_periods + period) * width;
                let (Some(src), Some(dst)) = (
                    diff.cells.get(from..from + width),
                    counts.get_mut(out..out + width),
                ) else {
                    continue;
                };
                for ((r, s), d) in running.iter_mut().zip(src).zip(dst) {
                    *r += s;
                    *d = (*r).max(0) as u64;
                }
            }
        }
    }
    for (cell, clients) in treatment {
        if let Some(v) = counts.get_mut(cell * width + slot::TREATMENT_TESTS) {
            *v = clients;
        }
    }

    let meta = Extract {
        areas: extract.areas.clone(),
        clients: extract.clients,
        unrecognised_substances: extract.unrecognised_substances.clone(),
        outcome_labels: extract.outcome_labels.clone(),
        referrals: empty_like(&extract.referrals),
        drug_tests: empty_like(&extract.drug_tests),
        assessments: empty_like(&extract.assessments),
        episodes: empty_like(&extract.episodes),
        substances: empty_like(&extract.substances),
        brief_interventions: empty_like(&extract.brief_interventions),
        outcome_events: empty_like(&extract.outcome_events),
        reoffending_checks: empty_like(&extract.reoffending_checks),
    };
    let area_codes = areas
        .iter()
        .filter_map(|&a| extract.areas.get(usize::from(a)).cloned())
        .collect();
    Ok(Grid {
        periods: periods.to_vec(),
        areas,
        area_codes,
        meta,
        width,
        counts,
    })
}

/// Which areas have records, and each area index's row in the grid.
fn area_rows(x: &Extract) -> (Vec<Option<usize>>, Vec<u16>) {
    let mut used = vec![false; x.areas.len()];
    let mut mark = |col: &[u16]| {
        for &a in col {
            if let Some(u) = used.get_mut(usize::from(a)) {
                *u = true;
            }
        }
    };
    if let Some(t) = &x.referrals {
        mark(&t.area);
    }
    if let Some(t) = &x.drug_tests {
        mark(&t.area);
    }
    if let Some(t) = &x.assessments {
        mark(&t.area);
    }
    if let Some(t) = &x.episodes {
        mark(&t.area);
    }
    if let Some(t) = &x.brief_interventions {
        mark(&t.area);
    }
    if let Some(t) = &x.outcome_events {
        mark(&t.area);
    }
    if let Some(t) = &x.reoffending_checks {
        mark(&t.area);
    }
    let mut rows = vec![None; x.areas.len()];
    let mut areas = Vec::new();
    for (i, u) in used.iter().enumerate() {
        if *u {
            if let Some(r) = rows.get_mut(i) {
                *r = Some(areas.len());
            }
            areas.push(i as u16);
        }
    }
    (rows, areas)
}

type RowOf<'a> = dyn Fn(u16) -> Option<usize> + Sync + 'a;

/// Adds a dated event to every chain.
#[inline]
fn event(chains: &[Chain], diffs: &mut [Diff], row: usize, d: i32, slot: usize) {
    for (c, diff) in chains.iter().zip(diffs.iter_mut()) {
        diff.add(row, c.lo(d), c.hi(d), slot);
    }
}

fn referrals_pass(x: &Extract, chains: &[Chain], row_of: &RowOf<'_>, diffs: &mut [Diff]) {
    let Some(t) = &x.referrals else { return };
    for ((&d, &s), &a) in t.date.iter().zip(&t.source).zip(&t.area) {
        if let Some(row) = row_of(a) {
            event(chains, diffs, row, d, slot::SOURCE + usize::from(s));
        }
    }
    let Some(sub) = &x.substances else { return };
    for (&r, &s) in sub.referral.iter().zip(&sub.substance) {
        let i = r as usize;
        let (Some(&d), Some(&a)) = (t.date.get(i), t.area.get(i)) else {
            continue;
        };
        if let Some(row) = row_of(a) {
            event(chains, diffs, row, d, slot::SUBSTANCES + usize::from(s));
        }
    }
}

fn assessments_pass(x: &Extract, chains: &[Chain], row_of: &RowOf<'_>, diffs: &mut [Diff]) {
    let Some(t) = &x.assessments else { return };
    for ((&d, &k), &a) in t.date.iter().zip(&t.kind).zip(&t.area) {
        if let Some(row) = row_of(a) {
            let s = if k == KIND_FULL {
                slot::ASSESS_FULL
            } else {
                slot::ASSESS_REQUIRED
            };
            event(chains, diffs, row, d, s);
        }
    }
}

fn briefs_pass(x: &Extract, chains: &[Chain], row_of: &RowOf<'_>, diffs: &mut [Diff]) {
    let Some(t) = &x.brief_interventions else {
        return;
    };
    for (((&d, &a), &s), &sp) in t
        .date
        .iter()
        .zip(&t.area)
        .zip(&t.setting)
        .zip(&t.signposted)
    {
        if let Some(row) = row_of(a) {
            event(chains, diffs, row, d, slot::SETTING + usize::from(s));
            if sp > 0 {
                event(chains, diffs, row, d, slot::SIGNPOST + usize::from(sp) - 1);
            }
        }
    }
}

fn checks_pass(
    x: &Extract,
    chains: &[Chain],
    row_of: &RowOf<'_>,
    diffs: &mut [Diff],
    n_areas: usize,
) {
    let Some(t) = &x.reoffending_checks else {
        return;
    };
    let mut add = |row: usize, d: i32, since: bool, six: bool| {
        event(chains, diffs, row, d, slot::CHECKED);
        if since {
            event(chains, diffs, row, d, slot::ARRESTED_SINCE);
            if !six {
                event(chains, diffs, row, d, slot::NOT_REARRESTED_6M);
            }
        } else {
            event(chains, diffs, row, d, slot::NOT_REARRESTED);
        }
    };
    for (((&d, &a), &since), &six) in t
        .check_date
        .iter()
        .zip(&t.area)
        .zip(&t.arrested_since)
        .zip(&t.arrested_6_months)
    {
        match row_of(a) {
            Some(row) => add(row, d, since, six),
            // A check whose client has no other record counts for every area.
            None if a == NO_AREA => (0..n_areas).for_each(|row| add(row, d, since, six)),
            None => {}
        }
    }
}

fn outcomes_pass(x: &Extract, chains: &[Chain], row_of: &RowOf<'_>, diffs: &mut [Diff]) {
    let Some(t) = &x.outcome_events else { return };
    for ((&d, &a), &p) in t.date.iter().zip(&t.area).zip(&t.positive) {
        if p && let Some(row) = row_of(a) {
            event(chains, diffs, row, d, slot::POSITIVE);
        }
    }
}

fn episodes_pass(x: &Extract, chains: &[Chain], row_of: &RowOf<'_>, diffs: &mut [Diff]) {
    let Some(t) = &x.episodes else { return };
    let rows = t
        .area
        .iter()
        .zip(&t.care_plan)
        .zip(&t.treatment_start)
        .zip(&t.prescribed)
        .zip(&t.iom)
        .zip(&t.closure)
        .zip(&t.reason);
    for ((((((&a, &cp), &ts), &rx), &iom), &cl), &reason) in rows {
        let Some(row) = row_of(a) else { continue };
        let closed = cl != NO_DATE;
        let band = if closed {
            retention_band(if ts == NO_DATE { cp } else { ts }, cl)
        } else {
            0
        };
        let completed = reason >= 1 && usize::from(reason) <= COMPLETED_REASONS;
        for (c, diff) in chains.iter().zip(diffs.iter_mut()) {
            let lo_cp = c.lo(cp);
            let hi_cp = c.hi(cp);
            // Care plans agreed in the period, and of those the ones engaged by its end.
            diff.add(row, lo_cp, hi_cp, slot::CARE_PLANS);
            diff.add(row, lo_cp.max(c.lo(ts)), hi_cp, slot::ENGAGED);
            if rx {
                diff.add(row, lo_cp, hi_cp, slot::PRESCRIBED);
            }
            // Open at the end: periods ending on or after the care plan and before the closure.
            let lo_cl = c.lo(cl);
            diff.add(row, lo_cp, lo_cl, slot::CASELOAD);
            if iom {
                diff.add(row, lo_cp, lo_cl, slot::CASELOAD_IOM);
            }
            // On the caseload during the period: ends on or after the care plan, starts on or
            // before the closure.
            let hi_cl = c.hi(cl);
            let modality = if rx {
                slot::MOD_PRESCRIBED
            } else {
                slot::MOD_NOT
            };
            diff.add(row, lo_cp, hi_cl, modality);
            if closed {
                diff.add(row, lo_cl, hi_cl, slot::RETENTION + band);
                if reason == REASON_DISENGAGED {
                    diff.add(row, lo_cl, hi_cl, slot::DISENGAGED);
                }
                if completed {
                    diff.add(row, lo_cl, hi_cl, slot::COMPLETED + usize::from(reason) - 1);
                }
                if rx {
                    diff.add(row, lo_cl, hi_cl, slot::PRESCRIBED_CLOSURES);
                    if completed {
                        diff.add(row, lo_cl, hi_cl, slot::PRESCRIBED_COMPLETIONS);
                    }
                }
            }
        }
    }
}

/// Drug tests; returns, for treatment tests, (area row × periods + period, distinct clients).
fn tests_pass(
    x: &Extract,
    chains: &[Chain],
    row_of: &RowOf<'_>,
    diffs: &mut [Diff],
    n_periods: usize,
) -> Vec<(usize, u64)> {
    let Some(t) = &x.drug_tests else {
        return Vec::new();
    };
    let mut keys: Vec<u64> = Vec::new();
    for ((((&d, &b), &r), &a), &client) in t
        .date
        .iter()
        .zip(&t.basis)
        .zip(&t.result)
        .zip(&t.area)
        .zip(&t.client)
    {
        let Some(row) = row_of(a) else { continue };
        if b == BASIS_IN_TREATMENT {
            if client == NO_CLIENT {
                continue;
            }
            for c in chains {
                for pos in c.lo(d)..c.hi(d) {
                    if let Some(&period) = c.periods.get(pos as usize) {
                        let cell = (row * n_periods + period) as u64;
                        keys.push(cell << 32 | u64::from(client));
                    }
                }
            }
        } else if b < BASIS_IN_TREATMENT && r < 5 {
            event(
                chains,
                diffs,
                row,
                d,
                slot::TESTS + usize::from(b) * 5 + usize::from(r),
            );
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut out: Vec<(usize, u64)> = Vec::new();
    for k in keys {
        let cell = (k >> 32) as usize;
        match out.last_mut() {
            Some(last) if last.0 == cell => last.1 += 1,
            _ => out.push((cell, 1)),
        }
    }
    out
}

impl Grid {
    /// The area codes of the grid's rows.
    pub fn area_codes(&self) -> &[AreaCode] {
        &self.area_codes
    }

    /// The row of an area code, if it has records.
    pub fn row_of(&self, code: &AreaCode) -> Option<usize> {
        self.area_codes.iter().position(|c| c == code)
    }

    /// The raw figures of one area row and period.
    pub fn figures(&self, row: usize, period: usize) -> Option<Figures> {
        if period >= self.periods.len() {
            return None;
        }
        let at = (row * self.periods.len() + period) * self.width;
        let slots = self.counts.get(at..at + self.width)?.to_vec();
        let caseload = slots.get(slot::CASELOAD).copied().unwrap_or(0);
        let positive = slots.get(slot::POSITIVE).copied().unwrap_or(0);
        Some(Figures {
            slots,
            caseload_by_member: vec![caseload],
            positive_by_member: vec![positive],
        })
    }

    /// The scorecard of one area row and period; the same as [`crate::scorecard()`] for that
    /// area alone.
    pub fn scorecard(&self, row: usize, period: usize, area: &AreaRef) -> Option<Scorecard> {
        let f = self.figures(row, period)?;
        let code = self.area_codes.get(row)?;
        let p = self.periods.get(period)?;
        Some(build(&self.meta, area, std::slice::from_ref(code), p, &f))
    }

    /// Every figure in long form: per area, period and measure, the measure's own row (empty
    /// key) followed by one row per breakdown category.
    pub fn long_rows(&self) -> Vec<LongRow> {
        let mut out = Vec::new();
        for (row, code) in self.area_codes.iter().enumerate() {
            let area = AreaRef {
                code: code.as_str().to_owned(),
                name: code.as_str().to_owned(),
            };
            for (p, period) in self.periods.iter().enumerate() {
                let Some(card) = self.scorecard(row, p, &area) else {
                    continue;
                };
                let period = period.code();
                for m in card.sections.iter().flat_map(|s| &s.measures) {
                    out.push(LongRow {
                        area: code.clone(),
                        period: period.clone(),
                        measure: m.id,
                        key: String::new(),
                        value: m.value,
                        denominator: m.denominator,
                    });
                    for b in &m.breakdown {
                        out.push(LongRow {
                            area: code.clone(),
                            period: period.clone(),
                            measure: m.id,
                            key: b.key.clone(),
                            value: Some(b.value),
                            denominator: None,
                        });
                    }
                }
            }
        }
        out
    }

    /// Writes [`Grid::long_rows`] as CSV (`area,period,measure,key,value,denominator`), for
    /// comparing the figures with another engine.
    pub fn write_long_csv<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(out);
        writeln!(w, "area,period,measure,key,value,denominator")?;
        let opt = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
        for r in self.long_rows() {
            let key = if r.key.contains([',', '"', '\n']) {
                format!("\"{}\"", r.key.replace('"', "\"\""))
            } else {
                r.key
            };
            writeln!(
                w,
                "{},{},{},{},{},{}",
                r.area,
                r.period,
                r.measure,
                key,
                opt(r.value),
                opt(r.denominator)
            )?;
        }
        w.flush()
    }
}
