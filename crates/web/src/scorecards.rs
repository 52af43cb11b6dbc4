//! The Results Based Accountability scorecard of any area (`../shared/spec/scorecard.md`)
//! from the current client-level extracts: the extracts decoded once per change of the set of
//! current versions, the local authorities under an area, the rule for several services, the
//! trend over the previous periods and the referral pathway funnel.
//!
//! Several services: every current extract (one a service) gives its own scorecard for the
//! area and period; the area's scorecard sums them measure by measure (each value, each
//! denominator and each breakdown category) and recomputes every percent from the sums. A
//! measure is "no data" only when no extract has its file. Distinct-client counts
//! (`treatment_tests`) are summed too: client ids are pseudonyms chosen by each service, so
//! the same person cannot be recognised across services and is counted once per service.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use h2h_domain::{AreaCode, Period};
use h2h_records::{AreaRef, Breakdown, Extract, KnownAreas, Measure, Scorecard};
use h2h_store::{RecordExtract, Store, StoreError};

/// One current extract, decoded.
#[derive(Debug, Clone)]
pub struct LoadedExtract {
    /// Its stored version.
    pub meta: RecordExtract,
    /// The extract.
    pub extract: Arc<Extract>,
}

/// Every current extract, decoded, with every extract version for listing.
#[derive(Debug, Clone, Default)]
pub struct RecordsData {
    /// The current version of each service's extract, by service.
    pub current: Vec<LoadedExtract>,
    /// Every version held, newest first.
    pub versions: Vec<RecordExtract>,
    /// The latest referral date of the current extracts, which pages default their period to.
    pub latest_referral: Option<time::Date>,
    /// The area codes with at least one record in a current extract (an extract's own area
    /// table lists every code it could use, not only those used).
    pub used_areas: std::collections::HashSet<AreaCode>,
}

/// The area codes an extract's records carry.
fn used_areas(extract: &Extract) -> impl Iterator<Item = AreaCode> + '_ {
    let mut used = vec![false; extract.areas.len()];
    let mut mark = |areas: &[u16]| {
        for &a in areas {
            if let Some(u) = used.get_mut(usize::from(a)) {
                *u = true;
            }
        }
    };
    if let Some(t) = &extract.referrals {
        mark(&t.area);
    }
    if let Some(t) = &extract.drug_tests {
        mark(&t.area);
    }
    if let Some(t) = &extract.assessments {
        mark(&t.area);
    }
    if let Some(t) = &extract.episodes {
        mark(&t.area);
    }
    if let Some(t) = &extract.brief_interventions {
        mark(&t.area);
    }
    if let Some(t) = &extract.outcome_events {
        mark(&t.area);
    }
    extract
        .areas
        .iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(code, _)| code.clone())
}

impl RecordsData {
    /// Reads the extract versions and decodes the current ones, reusing the decoded extracts
    /// of `previous` whose versions are still current (an extract never changes once
    /// stored), so a change elsewhere in the store does not decode hundreds of megabytes.
    pub async fn load(
        store: &dyn Store,
        previous: Option<&RecordsData>,
    ) -> Result<Self, StoreError> {
        let versions = store.record_extracts(None).await?;
        let mut current = Vec::new();
        let mut held: Vec<&RecordExtract> = versions.iter().filter(|v| v.current).collect();
        held.sort_by(|a, b| a.service.cmp(&b.service));
        for meta in held {
            let reused = previous
                .and_then(|p| p.current.iter().find(|l| l.meta.id == meta.id))
                .map(|l| Arc::clone(&l.extract));
            let extract = match reused {
                Some(extract) => extract,
                None => {
                    let bytes = store.record_extract_bytes(meta.id).await?.ok_or_else(|| {
                        StoreError::Corrupt(format!("record extract {} has no bytes", meta.id))
                    })?;
                    let started = std::time::Instant::now();
                    let extract = Extract::from_bytes(&bytes).map_err(|e| {
                        StoreError::Corrupt(format!("record extract {}: {e}", meta.id))
                    })?;
                    tracing::debug!(id = meta.id, elapsed = ?started.elapsed(), "record extract decoded");
                    Arc::new(extract)
                }
            };
            current.push(LoadedExtract {
                meta: meta.clone(),
                extract,
            });
        }
        let latest_referral = current
            .iter()
            .filter_map(|l| l.extract.referrals.as_ref())
            .filter_map(|r| r.date.iter().copied().max())
            .max()
            .and_then(h2h_records::date::date_of);
        let used_areas = current
            .iter()
            .flat_map(|l| used_areas(&l.extract))
            .collect();
        Ok(Self {
            current,
            versions,
            latest_referral,
            used_areas,
        })
    }

    /// The financial year of the latest referral held: the period a page shows first.
    pub fn default_period(&self) -> Option<Period> {
        self.latest_referral
            .and_then(Period::financial_year_containing)
    }

    /// Whether any current extract holds a record of one of `codes`.
    pub fn has_records_for(&self, codes: &[AreaCode]) -> bool {
        codes.iter().any(|c| self.used_areas.contains(c))
    }

    /// The codes whose records count for an area: its local authorities (`authorities`, see
    /// [`local_authorities_under`]) and its own code when an extract carries it (a custom area
    /// may be named in records), in that order.
    pub fn members(&self, area: &AreaCode, authorities: Vec<AreaCode>) -> Vec<AreaCode> {
        let mut members = authorities;
        if !members.contains(area) && self.has_records_for(std::slice::from_ref(area)) {
            members.push(area.clone());
        }
        members
    }

    /// The scorecard of an area for a period over every current extract (the rule of this
    /// module's documentation); `None` when no extract is held.
    pub fn scorecard(
        &self,
        area: &AreaRef,
        members: &[AreaCode],
        period: &Period,
    ) -> Option<Scorecard> {
        let cards: Vec<Scorecard> = self
            .current
            .iter()
            .map(|l| h2h_records::scorecard(&l.extract, area, members, period))
            .collect();
        merge(cards)
    }
}

/// The local authorities within an area, found by following `children` (the areas directly
/// within a code) down from it: the area itself when it is one, every local authority below
/// a police force area, region, country or partnership. Sorted by code.
pub fn local_authorities_under(
    area: &AreaCode,
    children: impl Fn(&AreaCode) -> Vec<AreaCode>,
) -> Vec<AreaCode> {
    let mut seen: BTreeSet<AreaCode> = BTreeSet::new();
    let mut found: BTreeSet<AreaCode> = BTreeSet::new();
    let mut queue = VecDeque::from([area.clone()]);
    while let Some(code) = queue.pop_front() {
        if !seen.insert(code.clone()) {
            continue;
        }
        if KnownAreas::is_local_authority_code(&code) {
            found.insert(code.clone());
        }
        queue.extend(children(&code));
    }
    found.into_iter().collect()
}

/// The base a breakdown's percents are of: the measure's denominator for `signposted` and
/// `completions` (percent of brief interventions, of closures), its own value otherwise
/// (`scorecard.md`).
fn breakdown_base(m: &Measure) -> Option<u64> {
    match m.id {
        "signposted" | "completions" => m.denominator,
        _ => m.value,
    }
}

fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Sums scorecards of one area and period measure by measure and recomputes the percents;
/// `None` for no scorecard.
pub fn merge(cards: Vec<Scorecard>) -> Option<Scorecard> {
    let mut cards = cards.into_iter();
    let mut total = cards.next()?;
    let mut merged_any = false;
    for card in cards {
        merged_any = true;
        for (section, other) in total.sections.iter_mut().zip(card.sections) {
            for (m, o) in section.measures.iter_mut().zip(other.measures) {
                if o.status.is_some() {
                    continue;
                }
                if m.status.is_some() {
                    *m = o;
                    continue;
                }
                m.value = add(m.value, o.value);
                m.denominator = add(m.denominator, o.denominator);
                for b in o.breakdown {
                    match m.breakdown.iter_mut().find(|x| x.key == b.key) {
                        Some(x) => x.value += b.value,
                        None => m.breakdown.push(b),
                    }
                }
            }
        }
    }
    if merged_any {
        for m in total.sections.iter_mut().flat_map(|s| &mut s.measures) {
            if m.status.is_some() {
                continue;
            }
            m.percent = percent(m.value.unwrap_or(0), m.denominator);
            let base = breakdown_base(m);
            for b in &mut m.breakdown {
                b.percent = percent(b.value, base);
            }
            if m.id == "substances" {
                // The names records.md lists keep their order; those found beyond them
                // follow, largest first, over the sums.
                let named = h2h_records::substance::IN_SPEC.min(m.breakdown.len());
                m.breakdown[named..].sort_by(|a, b| b.value.cmp(&a.value).then(a.key.cmp(&b.key)));
                m.breakdown.retain(|b| b.value > 0 || is_named(&b.key));
                m.distinct = Some(m.breakdown.iter().filter(|b| b.value > 0).count() as u64);
            }
        }
    }
    Some(total)
}

fn is_named(key: &str) -> bool {
    h2h_records::substance::CONTROLLED
        .iter()
        .take(h2h_records::substance::IN_SPEC)
        .any(|s| s.key == key)
}

fn percent(value: u64, denominator: Option<u64>) -> Option<f64> {
    denominator
        .filter(|&d| d > 0)
        .map(|d| 100.0 * value as f64 / d as f64)
}

/// A scorecard's figures as rows: each measure's own row (empty key), then one row per
/// breakdown category; the long form of the CSV and the table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScorecardRow {
    /// The section's title.
    pub section: String,
    /// The measure id.
    pub measure: String,
    /// The measure's label, or the category's.
    pub label: String,
    /// The breakdown key; empty for the measure's own row.
    pub key: String,
    /// The count; `None` for no data.
    pub value: Option<u64>,
    /// The denominator of the measure's percent.
    pub denominator: Option<u64>,
    /// The percent, unrounded.
    pub percent: Option<f64>,
}

/// Every row of a scorecard, in order.
pub fn rows(card: &Scorecard) -> Vec<ScorecardRow> {
    let mut out = Vec::new();
    for section in &card.sections {
        for m in &section.measures {
            out.push(ScorecardRow {
                section: section.title.to_owned(),
                measure: m.id.to_owned(),
                label: m.label.to_owned(),
                key: String::new(),
                value: m.value,
                denominator: m.denominator,
                percent: m.percent,
            });
            out.extend(m.breakdown.iter().map(|b: &Breakdown| ScorecardRow {
                section: section.title.to_owned(),
                measure: m.id.to_owned(),
                label: b.label.clone(),
                key: b.key.clone(),
                value: Some(b.value),
                denominator: breakdown_base(m),
                percent: b.percent,
            }));
        }
    }
    out
}

/// Each measure's value over a run of periods, oldest first: the trend beside a scorecard.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Trend {
    /// The periods' codes, oldest first, the scorecard's own last.
    pub periods: Vec<String>,
    /// Per measure id, its value in each period (`None` for no data).
    pub values: HashMap<String, Vec<Option<u64>>>,
    /// Per measure id, its percent in each period.
    pub percents: HashMap<String, Vec<Option<f64>>>,
}

/// The scorecards of `period` and the `before` periods of the same kind before it.
pub fn trend(
    data: &RecordsData,
    area: &AreaRef,
    members: &[AreaCode],
    period: &Period,
    before: usize,
) -> Trend {
    let mut periods = vec![*period];
    for _ in 0..before {
        let Some(last) = periods.last() else { break };
        let previous = last.previous();
        if previous == *last {
            break;
        }
        periods.push(previous);
    }
    periods.reverse();
    let mut values: HashMap<String, Vec<Option<u64>>> = HashMap::new();
    let mut percents: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    for p in &periods {
        let Some(card) = data.scorecard(area, members, p) else {
            continue;
        };
        for m in card.sections.iter().flat_map(|s| &s.measures) {
            values.entry(m.id.to_owned()).or_default().push(m.value);
            percents.entry(m.id.to_owned()).or_default().push(m.percent);
        }
    }
    Trend {
        periods: periods.iter().map(Period::code).collect(),
        values,
        percents,
    }
}

/// One stage of the referral pathway funnel.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FunnelStage {
    /// The measure id the stage counts.
    pub measure: &'static str,
    /// The stage's name.
    pub label: &'static str,
    /// Its count; `None` for no data.
    pub value: Option<u64>,
    /// Percent of the stage before.
    pub of_previous: Option<f64>,
    /// Percent of referrals.
    pub of_referrals: Option<f64>,
}

/// The referral pathway: referred → assessed → care plan → engaged in treatment → completed.
pub fn funnel(card: &Scorecard) -> Vec<FunnelStage> {
    const STAGES: [(&str, &str); 5] = [
        ("referrals", "Referred"),
        ("assessments", "Assessed"),
        ("care_plans", "Care plan agreed"),
        ("engaged_in_treatment", "Engaged in treatment"),
        ("completions", "Completed"),
    ];
    let referrals = card.measure("referrals").and_then(|m| m.value);
    let mut previous: Option<u64> = None;
    STAGES
        .iter()
        .enumerate()
        .map(|(i, (id, label))| {
            let value = card.measure(id).and_then(|m| m.value);
            let stage = FunnelStage {
                measure: id,
                label,
                value,
                of_previous: if i == 0 {
                    None
                } else {
                    value.and_then(|v| percent(v, previous))
                },
                of_referrals: value.and_then(|v| percent(v, referrals)),
            };
            previous = value;
            stage
        })
        .collect()
}
