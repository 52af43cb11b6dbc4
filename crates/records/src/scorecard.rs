//! The scorecard of one area for one period, computed straight from the definitions of
//! `scorecard.md` (the reference the national [`crate::grid`] is tested against), and its
//! JSON form.
//!
//! Both this module and the grid count into the same [`Figures`] (a flat array of counters in
//! a fixed layout, [`slot`]); one function turns figures into a [`Scorecard`], so the two can
//! only differ in how they count.

use h2h_domain::{AreaCode, Period};
use serde::Serialize;

use crate::date::{NO_DATE, day_number};
use crate::measures::{SECTIONS, catalogue};
use crate::model::*;
use crate::substance::{CONTROLLED, IN_SPEC};

/// The layout of the counters of one area and one period.
pub mod slot {
    /// Referrals by source (6).
    pub const SOURCE: usize = 0;
    /// Drug tests by basis (trigger, inspector, voluntary) × result (5): `TESTS + basis * 5 + result`.
    pub const TESTS: usize = 6;
    /// Full assessments.
    pub const ASSESS_FULL: usize = 21;
    /// Required assessments.
    pub const ASSESS_REQUIRED: usize = 22;
    /// Care plans agreed.
    pub const CARE_PLANS: usize = 23;
    /// Care plans with treatment started by the end.
    pub const ENGAGED: usize = 24;
    /// Care plans with a prescription.
    pub const PRESCRIBED: usize = 25;
    /// Brief interventions by setting (2).
    pub const SETTING: usize = 26;
    /// Brief interventions by signposting target (5).
    pub const SIGNPOST: usize = 28;
    /// Episodes open at the end.
    pub const CASELOAD: usize = 33;
    /// Of those, IOM.
    pub const CASELOAD_IOM: usize = 34;
    /// Episodes on the caseload during the period, prescribed.
    pub const MOD_PRESCRIBED: usize = 35;
    /// Episodes on the caseload during the period, not prescribed.
    pub const MOD_NOT: usize = 36;
    /// Distinct clients with an in-treatment test.
    pub const TREATMENT_TESTS: usize = 37;
    /// Closures by retention band (3).
    pub const RETENTION: usize = 38;
    /// Closures with reason `disengaged`.
    pub const DISENGAGED: usize = 41;
    /// Closures of prescribed episodes.
    pub const PRESCRIBED_CLOSURES: usize = 42;
    /// Completed closures of prescribed episodes.
    pub const PRESCRIBED_COMPLETIONS: usize = 43;
    /// Closures by completed reason (3).
    pub const COMPLETED: usize = 44;
    /// Positive outcome events.
    pub const POSITIVE: usize = 47;
    /// Reoffending checks.
    pub const CHECKED: usize = 48;
    /// Checks not arrested since closure.
    pub const NOT_REARRESTED: usize = 49;
    /// Checks arrested since closure.
    pub const ARRESTED_SINCE: usize = 50;
    /// Checks arrested since closure but not in the last six months.
    pub const NOT_REARRESTED_6M: usize = 51;
    /// Substance mentions by substance index (the extract's substance count).
    pub const SUBSTANCES: usize = 52;
}

/// Retention band of a closure: whole weeks (rounded down) from `from` to `closure`.
pub(crate) fn retention_band(from: i32, closure: i32) -> usize {
    let weeks = (i64::from(closure) - i64::from(from)).div_euclid(7);
    if weeks < 12 {
        0
    } else if weeks < 24 {
        1
    } else {
        2
    }
}

/// The counts behind one scorecard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Counters in the [`slot`] layout.
    pub slots: Vec<u64>,
    /// The caseload at the end by member of the area, in the members' order.
    pub caseload_by_member: Vec<u64>,
    /// Positive outcomes by member of the area.
    pub positive_by_member: Vec<u64>,
}

impl Figures {
    pub(crate) fn new(extract: &Extract, members: usize) -> Self {
        Figures {
            slots: vec![0; slot::SUBSTANCES + extract.substance_count()],
            caseload_by_member: vec![0; members],
            positive_by_member: vec![0; members],
        }
    }

    fn add(&mut self, i: usize) {
        if let Some(v) = self.slots.get_mut(i) {
            *v += 1;
        }
    }

    fn get(&self, i: usize) -> u64 {
        self.slots.get(i).copied().unwrap_or(0)
    }

    fn sum(&self, from: usize, n: usize) -> u64 {
        self.slots.iter().skip(from).take(n).sum()
    }
}

/// The area a scorecard is for, as the caller names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaRef {
    /// Its code (a local authority, a police force area, a custom area...).
    pub code: String,
    /// Its name.
    pub name: String,
}

/// The period of a scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodRef {
    /// The canonical code, e.g. `2013/14-H2`.
    pub code: String,
    /// First day, ISO.
    pub start: String,
    /// Last day, ISO.
    pub end: String,
}

/// A scorecard: the JSON shape of `scorecard.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The area.
    pub area: AreaRef,
    /// The period.
    pub period: PeriodRef,
    /// The four sections, in order.
    pub sections: Vec<Section>,
}

/// One section of measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Its title, e.g. `How much did we do?`.
    pub title: &'static str,
    /// Its measures, in the catalogue's order.
    pub measures: Vec<Measure>,
}

/// One measure's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// The stable id.
    pub id: &'static str,
    /// The label a person reads.
    pub label: &'static str,
    /// The count; null when its records are absent.
    pub value: Option<u64>,
    /// The denominator of `percent`, when the measure has one and its records are present.
    pub denominator: Option<u64>,
    /// `100 × value / denominator`, unrounded; null when the denominator is 0 or missing.
    pub percent: Option<f64>,
    /// For `substances`: the number of different substances.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinct: Option<u64>,
    /// `no_data` when the measure's records are absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// The breakdown, in the spec's order (see `scorecard.md`).
    pub breakdown: Vec<Breakdown>,
}

/// One category of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// The category's key.
    pub key: String,
    /// Its label.
    pub label: String,
    /// Its count.
    pub value: u64,
    /// Its percent of the breakdown's base (see `scorecard.md`), unrounded.
    pub percent: Option<f64>,
}

impl Scorecard {
    /// Gives the by-area breakdowns (`caseload`, `positive_outcomes`, keyed by area code and
    /// labelled with it) the names a person reads, e.g. `Newport` for `W06000022`.
    pub fn name_areas(&mut self, name: impl Fn(&str) -> Option<String>) {
        for m in self.sections.iter_mut().flat_map(|s| &mut s.measures) {
            if matches!(m.id, "caseload" | "positive_outcomes") {
                for b in &mut m.breakdown {
                    if let Some(n) = name(&b.key) {
                        b.label = n;
                    }
                }
            }
        }
    }

    /// A measure by id.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.sections
            .iter()
            .flat_map(|s| &s.measures)
            .find(|m| m.id == id)
    }
}

impl Measure {
    /// A breakdown category's count by key.
    pub fn category(&self, key: &str) -> Option<u64> {
        self.breakdown
            .iter()
            .find(|b| b.key == key)
            .map(|b| b.value)
    }
}

pub(crate) fn percent(value: u64, denominator: Option<u64>) -> Option<f64> {
    denominator
        .filter(|&d| d > 0)
        .map(|d| 100.0 * value as f64 / d as f64)
}

const SOURCE_LABELS: [&str; 6] = ["Police", "Probation", "Prison", "Court", "Self", "Other"];
const RESULT_LABELS: [&str; 5] = [
    "Positive for opiates",
    "Positive for cocaine",
    "Positive for both",
    "Negative",
    "Refused",
];
const SETTING_LABELS: [&str; 2] = ["Custody", "Outreach"];
const SIGNPOST_LABELS: [&str; 5] = [
    "Drugs",
    "Alcohol",
    "Housing",
    "Young person services",
    "Other",
];
const RETENTION_KEYS: [&str; 3] = ["0-11", "12-23", "24+"];
const RETENTION_LABELS: [&str; 3] = ["0 to 11 weeks", "12 to 23 weeks", "24 weeks or longer"];
const COMPLETED_LABELS: [&str; 3] = ["Drug and crime free", "Crime free only", "Drug free only"];

fn named(
    keys: &[&str],
    labels: &[&str],
    values: impl Iterator<Item = u64>,
    base: Option<u64>,
) -> Vec<Breakdown> {
    keys.iter()
        .zip(labels)
        .zip(values)
        .map(|((k, l), v)| Breakdown {
            key: (*k).to_owned(),
            label: (*l).to_owned(),
            value: v,
            percent: percent(v, base),
        })
        .collect()
}

/// Turns figures into the scorecard; `members` are the area's local authorities (or the
/// custom area's own code) in the order the caller gives them.
pub(crate) fn build(
    extract: &Extract,
    area: &AreaRef,
    members: &[AreaCode],
    period: &Period,
    f: &Figures,
) -> Scorecard {
    let has = |file: FileKind| extract.present(file);
    let referrals = f.sum(slot::SOURCE, 6);
    let assessments = f.get(slot::ASSESS_FULL);
    let care_plans = f.get(slot::CARE_PLANS);
    let caseload = f.get(slot::CASELOAD);
    let modalities = f.get(slot::MOD_PRESCRIBED) + f.get(slot::MOD_NOT);
    let closures = f.sum(slot::RETENTION, 3);
    let briefs = f.sum(slot::SETTING, 2);
    let checked = f.get(slot::CHECKED);
    let when = |file: FileKind, v: u64| has(file).then_some(v);

    let mut sections: Vec<Section> = SECTIONS
        .iter()
        .map(|title| Section {
            title,
            measures: Vec::new(),
        })
        .collect();
    for def in catalogue() {
        let mut present = has(def.file);
        let mut distinct = None;
        let (value, denominator, breakdown): (u64, Option<u64>, Vec<Breakdown>) = match def.id {
            "referrals" => (
                referrals,
                None,
                named(
                    &SOURCE_KEYS,
                    &SOURCE_LABELS,
                    (0..6).map(|i| f.get(slot::SOURCE + i)),
                    Some(referrals),
                ),
            ),
            "tests_trigger_offence" | "tests_inspector_authority" | "tests_voluntary" => {
                let basis = match def.id {
                    "tests_trigger_offence" => 0,
                    "tests_inspector_authority" => 1,
                    _ => 2,
                };
                let from = slot::TESTS + basis * 5;
                let total = f.sum(from, 5);
                (
                    total,
                    None,
                    named(
                        &RESULT_KEYS,
                        &RESULT_LABELS,
                        (0..5).map(|i| f.get(from + i)),
                        Some(total),
                    ),
                )
            }
            "assessments" => (assessments, when(FileKind::Referrals, referrals), vec![]),
            "care_plans" => (care_plans, when(FileKind::Assessments, assessments), vec![]),
            "engaged_in_treatment" => (f.get(slot::ENGAGED), Some(care_plans), vec![]),
            "prescribed" => (
                f.get(slot::PRESCRIBED),
                when(FileKind::Referrals, referrals),
                vec![],
            ),
            "substances" => {
                present = present && has(FileKind::Referrals);
                let n = extract.substance_count();
                let counts: Vec<u64> = (0..n).map(|i| f.get(slot::SUBSTANCES + i)).collect();
                let total: u64 = counts.iter().sum();
                distinct = Some(counts.iter().filter(|&&c| c > 0).count() as u64);
                // The substances records.md names, always and in its order; then those found
                // in the data that it does not name (the Gwent report's own categories and
                // unrecognised names), largest first.
                let mut items: Vec<Breakdown> = CONTROLLED
                    .iter()
                    .take(IN_SPEC)
                    .zip(&counts)
                    .map(|(s, &v)| Breakdown {
                        key: s.key.to_owned(),
                        label: s.label.to_owned(),
                        value: v,
                        percent: percent(v, Some(total)),
                    })
                    .collect();
                let mut extra: Vec<(usize, u64)> = counts
                    .iter()
                    .enumerate()
                    .skip(IN_SPEC)
                    .filter(|(_, v)| **v > 0)
                    .map(|(i, v)| (i, *v))
                    .collect();
                extra.sort_by(|a, b| {
                    b.1.cmp(&a.1)
                        .then_with(|| extract.substance_key(a.0).cmp(&extract.substance_key(b.0)))
                });
                items.extend(extra.into_iter().map(|(i, v)| Breakdown {
                    key: extract.substance_key(i).unwrap_or_default().to_owned(),
                    label: extract.substance_label(i).unwrap_or_default().to_owned(),
                    value: v,
                    percent: percent(v, Some(total)),
                }));
                (total, None, items)
            }
            "brief_interventions" => (
                briefs,
                None,
                named(
                    &SETTING_KEYS,
                    &SETTING_LABELS,
                    (0..2).map(|i| f.get(slot::SETTING + i)),
                    Some(briefs),
                ),
            ),
            "signposted" => (
                f.sum(slot::SIGNPOST, 5),
                Some(briefs),
                named(
                    &SIGNPOST_KEYS,
                    &SIGNPOST_LABELS,
                    (0..5).map(|i| f.get(slot::SIGNPOST + i)),
                    Some(briefs),
                ),
            ),
            "required_assessments" => (f.get(slot::ASSESS_REQUIRED), None, vec![]),
            "caseload" => (
                caseload,
                None,
                by_member(members, &f.caseload_by_member, caseload),
            ),
            "caseload_iom" => (f.get(slot::CASELOAD_IOM), Some(caseload), vec![]),
            "modalities" => (
                modalities,
                None,
                named(
                    &["prescribed", "not_prescribed"],
                    &["Prescribed clients", "Non-prescribed clients"],
                    [f.get(slot::MOD_PRESCRIBED), f.get(slot::MOD_NOT)].into_iter(),
                    Some(modalities),
                ),
            ),
            "treatment_tests" => (
                f.get(slot::TREATMENT_TESTS),
                when(FileKind::Episodes, modalities),
                vec![],
            ),
            "closures" => (
                closures,
                None,
                named(
                    &RETENTION_KEYS,
                    &RETENTION_LABELS,
                    (0..3).map(|i| f.get(slot::RETENTION + i)),
                    Some(closures),
                ),
            ),
            "disengagements" => (f.get(slot::DISENGAGED), Some(closures), vec![]),
            "prescribed_completions" => (
                f.get(slot::PRESCRIBED_COMPLETIONS),
                Some(f.get(slot::PRESCRIBED_CLOSURES)),
                vec![],
            ),
            "positive_outcomes" => {
                let total = f.get(slot::POSITIVE);
                (
                    total,
                    None,
                    by_member(members, &f.positive_by_member, total),
                )
            }
            "completions" => (
                f.sum(slot::COMPLETED, 3),
                Some(closures),
                named(
                    &REASON_KEYS[..COMPLETED_REASONS],
                    &COMPLETED_LABELS,
                    (0..3).map(|i| f.get(slot::COMPLETED + i)),
                    Some(closures),
                ),
            ),
            "reoffending_checked" => (checked, None, vec![]),
            "not_rearrested" => (f.get(slot::NOT_REARRESTED), Some(checked), vec![]),
            "not_rearrested_6_months" => (
                f.get(slot::NOT_REARRESTED_6M),
                Some(f.get(slot::ARRESTED_SINCE)),
                vec![],
            ),
            _ => (0, None, vec![]),
        };
        let measure = if present {
            Measure {
                id: def.id,
                label: def.label,
                value: Some(value),
                denominator,
                percent: percent(value, denominator),
                distinct,
                status: None,
                breakdown,
            }
        } else {
            Measure {
                id: def.id,
                label: def.label,
                value: None,
                denominator: None,
                percent: None,
                distinct: None,
                status: Some("no_data"),
                breakdown: vec![],
            }
        };
        if let Some(section) = sections.get_mut(def.section) {
            section.measures.push(measure);
        }
    }
    Scorecard {
        area: area.clone(),
        period: PeriodRef {
            code: period.code(),
            start: period.start().to_string(),
            end: period.end().to_string(),
        },
        sections,
    }
}

fn by_member(members: &[AreaCode], counts: &[u64], total: u64) -> Vec<Breakdown> {
    members
        .iter()
        .zip(counts)
        .map(|(code, &v)| Breakdown {
            key: code.as_str().to_owned(),
            label: code.as_str().to_owned(),
            value: v,
            percent: percent(v, Some(total)),
        })
        .collect()
}

/// The scorecard of one area for one period, straight from the definitions of `scorecard.md`.
///
/// `area` is how the caller names the area (for the JSON's `area` object); `members` are the
/// codes whose records count: the area's local authorities, or a custom area's own code. A
/// measure whose file is absent reports `no_data`.
pub fn scorecard(
    extract: &Extract,
    area: &AreaRef,
    members: &[AreaCode],
    period: &Period,
) -> Scorecard {
    let f = figures(extract, members, period);
    build(extract, area, members, period, &f)
}

/// The figures of [`scorecard`], before they are dressed as measures.
pub fn figures(extract: &Extract, members: &[AreaCode], period: &Period) -> Figures {
    let start = day_number(period.start());
    let end = day_number(period.end());
    let within = |d: i32| d >= start && d <= end;
    // For each area index of the extract, its position among the members.
    let member_of: Vec<Option<usize>> = extract
        .areas
        .iter()
        .map(|a| members.iter().position(|m| m == a))
        .collect();
    let member = |area: u16| member_of.get(usize::from(area)).copied().flatten();
    let mut f = Figures::new(extract, members.len());

    if let Some(t) = &extract.referrals {
        for ((&d, &s), &a) in t.date.iter().zip(&t.source).zip(&t.area) {
            if within(d) && member(a).is_some() {
                f.add(slot::SOURCE + usize::from(s));
            }
        }
    }
    if let Some(t) = &extract.drug_tests {
        let mut clients = Vec::new();
        for ((((&d, &b), &r), &a), &c) in t
            .date
            .iter()
            .zip(&t.basis)
            .zip(&t.result)
            .zip(&t.area)
            .zip(&t.client)
        {
            if !within(d) || member(a).is_none() {
                continue;
            }
            if b == BASIS_IN_TREATMENT {
                if c != NO_CLIENT {
                    clients.push(c);
                }
            } else if b < BASIS_IN_TREATMENT && r < 5 {
                f.add(slot::TESTS + usize::from(b) * 5 + usize::from(r));
            }
        }
        clients.sort_unstable();
        clients.dedup();
        if let Some(v) = f.slots.get_mut(slot::TREATMENT_TESTS) {
            *v = clients.len() as u64;
        }
    }
    if let Some(t) = &extract.assessments {
        for ((&d, &k), &a) in t.date.iter().zip(&t.kind).zip(&t.area) {
            if within(d) && member(a).is_some() {
                f.add(if k == KIND_FULL {
                    slot::ASSESS_FULL
                } else {
                    slot::ASSESS_REQUIRED
                });
            }
        }
    }
    if let Some(t) = &extract.episodes {
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
            let Some(m) = member(a) else { continue };
            if within(cp) {
                f.add(slot::CARE_PLANS);
                if ts <= end {
                    f.add(slot::ENGAGED);
                }
                if rx {
                    f.add(slot::PRESCRIBED);
                }
            }
            if cp <= end && cl > end {
                f.add(slot::CASELOAD);
                if let Some(v) = f.caseload_by_member.get_mut(m) {
                    *v += 1;
                }
                if iom {
                    f.add(slot::CASELOAD_IOM);
                }
            }
            if cp <= end && cl >= start {
                f.add(if rx {
                    slot::MOD_PRESCRIBED
                } else {
                    slot::MOD_NOT
                });
            }
            if cl != NO_DATE && within(cl) {
                let from = if ts == NO_DATE { cp } else { ts };
                f.add(slot::RETENTION + retention_band(from, cl));
                let completed = reason >= 1 && usize::from(reason) <= COMPLETED_REASONS;
                if reason == REASON_DISENGAGED {
                    f.add(slot::DISENGAGED);
                }
                if completed {
                    f.add(slot::COMPLETED + usize::from(reason) - 1);
                }
                if rx {
                    f.add(slot::PRESCRIBED_CLOSURES);
                    if completed {
                        f.add(slot::PRESCRIBED_COMPLETIONS);
                    }
                }
            }
        }
    }
    if let (Some(t), Some(r)) = (&extract.substances, &extract.referrals) {
        for (&row, &s) in t.referral.iter().zip(&t.substance) {
            let i = row as usize;
            let (Some(&d), Some(&a)) = (r.date.get(i), r.area.get(i)) else {
                continue;
            };
            if within(d) && member(a).is_some() {
                f.add(slot::SUBSTANCES + usize::from(s));
            }
        }
    }
    if let Some(t) = &extract.brief_interventions {
        for (((&d, &a), &s), &sp) in t
            .date
            .iter()
            .zip(&t.area)
            .zip(&t.setting)
            .zip(&t.signposted)
        {
            if within(d) && member(a).is_some() {
                f.add(slot::SETTING + usize::from(s));
                if sp > 0 {
                    f.add(slot::SIGNPOST + usize::from(sp) - 1);
                }
            }
        }
    }
    if let Some(t) = &extract.outcome_events {
        for ((&d, &a), &p) in t.date.iter().zip(&t.area).zip(&t.positive) {
            if let Some(m) = member(a)
                && p
                && within(d)
            {
                f.add(slot::POSITIVE);
                if let Some(v) = f.positive_by_member.get_mut(m) {
                    *v += 1;
                }
            }
        }
    }
    if let Some(t) = &extract.reoffending_checks {
        for (((&d, &a), &since), &six) in t
            .check_date
            .iter()
            .zip(&t.area)
            .zip(&t.arrested_since)
            .zip(&t.arrested_6_months)
        {
            // A check whose client has no other record counts for every area (see
            // `ReoffendingChecks::area`).
            if within(d) && (a == NO_AREA || member(a).is_some()) {
                f.add(slot::CHECKED);
                if since {
                    f.add(slot::ARRESTED_SINCE);
                    if !six {
                        f.add(slot::NOT_REARRESTED_6M);
                    }
                } else {
                    f.add(slot::NOT_REARRESTED);
                }
            }
        }
    }
    f
}
