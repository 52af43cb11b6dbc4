//! The extract as typed column vectors: one table per file of `records.md`.
//!
//! Dates are day numbers ([`crate::date`]), vocabularies are `u8` codes (the index into the
//! vocabulary's `*_KEYS` list, in the order the spec lists them), areas are indexes into
//! [`Extract::areas`], clients are interned to `u32`, and identifiers that point at a row of
//! another file are resolved to that row's index. A table is `None` when its file was absent,
//! so its measures report "no data", never zero.

use std::collections::HashMap;

use h2h_domain::AreaCode;

use crate::error::RecordsError;
use crate::substance::CONTROLLED;

/// A row index standing for "no row" (a blank or unmatched pointer).
pub const NO_ROW: u32 = u32::MAX;
/// A client index standing for "no client" (a drug test of someone who never became one).
pub const NO_CLIENT: u32 = u32::MAX;
/// An area index standing for "no area" (a reoffending check whose client has no other record).
pub const NO_AREA: u16 = u16::MAX;

/// The eight files of an extract, in the order of `records.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `referrals.csv`
    Referrals,
    /// `drug_tests.csv`
    DrugTests,
    /// `assessments.csv`
    Assessments,
    /// `episodes.csv`
    Episodes,
    /// `substances.csv`
    Substances,
    /// `brief_interventions.csv`
    BriefInterventions,
    /// `outcome_events.csv`
    OutcomeEvents,
    /// `reoffending_checks.csv`
    ReoffendingChecks,
}

impl FileKind {
    /// Every file, in the spec's order.
    pub const ALL: [FileKind; 8] = [
        FileKind::Referrals,
        FileKind::DrugTests,
        FileKind::Assessments,
        FileKind::Episodes,
        FileKind::Substances,
        FileKind::BriefInterventions,
        FileKind::OutcomeEvents,
        FileKind::ReoffendingChecks,
    ];

    /// The file's name in the extract folder.
    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::Referrals => "referrals.csv",
            FileKind::DrugTests => "drug_tests.csv",
            FileKind::Assessments => "assessments.csv",
            FileKind::Episodes => "episodes.csv",
            FileKind::Substances => "substances.csv",
            FileKind::BriefInterventions => "brief_interventions.csv",
            FileKind::OutcomeEvents => "outcome_events.csv",
            FileKind::ReoffendingChecks => "reoffending_checks.csv",
        }
    }

    /// Position in [`FileKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Referral sources, in the spec's order; `source` columns hold indexes into this list.
pub const SOURCE_KEYS: [&str; 6] = ["police", "probation", "prison", "court", "self", "other"];
/// Drug-test bases.
pub const BASIS_KEYS: [&str; 4] = [
    "trigger_offence",
    "inspector_authority",
    "voluntary",
    "in_treatment",
];
/// Index of `in_treatment` in [`BASIS_KEYS`].
pub const BASIS_IN_TREATMENT: u8 = 3;
/// Drug-test results.
pub const RESULT_KEYS: [&str; 5] = [
    "positive_opiates",
    "positive_cocaine",
    "positive_both",
    "negative",
    "refused",
];
/// Assessment kinds.
pub const KIND_KEYS: [&str; 2] = ["required", "full"];
/// Index of `required` in [`KIND_KEYS`].
pub const KIND_REQUIRED: u8 = 0;
/// Index of `full` in [`KIND_KEYS`].
pub const KIND_FULL: u8 = 1;
/// Closure reasons. The episode column holds the index plus one, 0 meaning "no closure".
pub const REASON_KEYS: [&str; 9] = [
    "completed_drug_and_crime_free",
    "completed_crime_free",
    "completed_drug_free",
    "disengaged",
    "transferred",
    "custody",
    "moved_away",
    "died",
    "other",
];
/// Number of reasons at the head of [`REASON_KEYS`] that start `completed_`.
pub const COMPLETED_REASONS: usize = 3;
/// Stored code of `disengaged` (its index plus one).
pub const REASON_DISENGAGED: u8 = 4;
/// Brief-intervention settings.
pub const SETTING_KEYS: [&str; 2] = ["custody", "outreach"];
/// Signposting targets. The column holds the index plus one, 0 meaning "not signposted".
pub const SIGNPOST_KEYS: [&str; 5] = ["drugs", "alcohol", "housing", "young_person", "other"];

/// `referrals.csv`: one row per referral.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referrals {
    /// Interned client.
    pub client: Vec<u32>,
    /// `referral_date`.
    pub date: Vec<i32>,
    /// Index into [`SOURCE_KEYS`].
    pub source: Vec<u8>,
    /// Index into [`Extract::areas`].
    pub area: Vec<u16>,
}

/// `drug_tests.csv`: one row per test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrugTests {
    /// Interned client, or [`NO_CLIENT`].
    pub client: Vec<u32>,
    /// `test_date`.
    pub date: Vec<i32>,
    /// Index into [`BASIS_KEYS`].
    pub basis: Vec<u8>,
    /// Index into [`RESULT_KEYS`].
    pub result: Vec<u8>,
    /// Index into [`Extract::areas`].
    pub area: Vec<u16>,
}

/// `assessments.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessments {
    /// Interned client.
    pub client: Vec<u32>,
    /// `assessment_date`.
    pub date: Vec<i32>,
    /// Index into [`KIND_KEYS`].
    pub kind: Vec<u8>,
    /// Index into [`Extract::areas`].
    pub area: Vec<u16>,
}

/// `episodes.csv`: one row per care-planned episode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Episodes {
    /// Interned client.
    pub client: Vec<u32>,
    /// Row of the referral in [`Referrals`], or [`NO_ROW`].
    pub referral: Vec<u32>,
    /// Index into [`Extract::areas`].
    pub area: Vec<u16>,
    /// `care_plan_date`.
    pub care_plan: Vec<i32>,
    /// `treatment_start_date`, or [`crate::date::NO_DATE`].
    pub treatment_start: Vec<i32>,
    /// `prescribed`.
    pub prescribed: Vec<bool>,
    /// `iom`.
    pub iom: Vec<bool>,
    /// `closure_date`, or [`crate::date::NO_DATE`] while open.
    pub closure: Vec<i32>,
    /// Index into [`REASON_KEYS`] plus one; 0 while open.
    pub reason: Vec<u8>,
}

/// `substances.csv`: up to three problem substances per referral.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Substances {
    /// Row of the referral in [`Referrals`] (always resolved: an unmatched one is rejected).
    pub referral: Vec<u32>,
    /// Interned client.
    pub client: Vec<u32>,
    /// 1, 2 or 3.
    pub rank: Vec<u8>,
    /// Index into [`Extract::substance_key`]: the controlled list, then unrecognised names.
    pub substance: Vec<u16>,
}

/// `brief_interventions.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BriefInterventions {
    /// `intervention_date`.
    pub date: Vec<i32>,
    /// Index into [`Extract::areas`].
    pub area: Vec<u16>,
    /// Index into [`SETTING_KEYS`].
    pub setting: Vec<u8>,
    /// Index into [`SIGNPOST_KEYS`] plus one; 0 when not signposted.
    pub signposted: Vec<u8>,
}

/// `outcome_events.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeEvents {
    /// Interned client.
    pub client: Vec<u32>,
    /// Row of the episode in [`Episodes`], or [`NO_ROW`].
    pub episode: Vec<u32>,
    /// `event_date`.
    pub date: Vec<i32>,
    /// Index into [`Extract::areas`].
    pub area: Vec<u16>,
    /// Index into [`Extract::outcome_labels`].
    pub outcome: Vec<u32>,
    /// `positive`.
    pub positive: Vec<bool>,
}

/// `reoffending_checks.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReoffendingChecks {
    /// Interned client.
    pub client: Vec<u32>,
    /// `check_date`.
    pub check_date: Vec<i32>,
    /// `closure_date`.
    pub closure_date: Vec<i32>,
    /// `arrested_since_closure`.
    pub arrested_since: Vec<bool>,
    /// `arrested_last_6_months`.
    pub arrested_6_months: Vec<bool>,
    /// The area the check counts for, which the file does not say: the area of the client's
    /// episode that closed on `closure_date`, else of the client's latest episode, else of the
    /// client's latest referral. [`NO_AREA`] when the client has none of these: such a check
    /// counts for every area, as the measure's definition (checks in the period) has no area
    /// condition and the extract is the service's own.
    pub area: Vec<u16>,
}

/// A whole extract: its tables, the area table they index, and the vocabularies found in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extract {
    /// The area table: `area` columns index it (the caller's known areas, in order).
    pub areas: Vec<AreaCode>,
    /// Number of distinct clients (interned ids are `0..clients`).
    pub clients: u32,
    /// Substance names found in the data but not on the controlled list, as first written.
    /// Substance index `CONTROLLED.len() + i` is `unrecognised_substances[i]`.
    pub unrecognised_substances: Vec<String>,
    /// The outcome labels found, in order of first appearance.
    pub outcome_labels: Vec<String>,
    /// `referrals.csv`, `None` when absent.
    pub referrals: Option<Referrals>,
    /// `drug_tests.csv`.
    pub drug_tests: Option<DrugTests>,
    /// `assessments.csv`.
    pub assessments: Option<Assessments>,
    /// `episodes.csv`.
    pub episodes: Option<Episodes>,
    /// `substances.csv`.
    pub substances: Option<Substances>,
    /// `brief_interventions.csv`.
    pub brief_interventions: Option<BriefInterventions>,
    /// `outcome_events.csv`.
    pub outcome_events: Option<OutcomeEvents>,
    /// `reoffending_checks.csv`.
    pub reoffending_checks: Option<ReoffendingChecks>,
}

impl Extract {
    /// Whether the file was present in the extract.
    pub fn present(&self, file: FileKind) -> bool {
        match file {
            FileKind::Referrals => self.referrals.is_some(),
            FileKind::DrugTests => self.drug_tests.is_some(),
            FileKind::Assessments => self.assessments.is_some(),
            FileKind::Episodes => self.episodes.is_some(),
            FileKind::Substances => self.substances.is_some(),
            FileKind::BriefInterventions => self.brief_interventions.is_some(),
            FileKind::OutcomeEvents => self.outcome_events.is_some(),
            FileKind::ReoffendingChecks => self.reoffending_checks.is_some(),
        }
    }

    /// Number of rows held for a file (0 when absent).
    pub fn rows(&self, file: FileKind) -> usize {
        match file {
            FileKind::Referrals => self.referrals.as_ref().map_or(0, |t| t.date.len()),
            FileKind::DrugTests => self.drug_tests.as_ref().map_or(0, |t| t.date.len()),
            FileKind::Assessments => self.assessments.as_ref().map_or(0, |t| t.date.len()),
            FileKind::Episodes => self.episodes.as_ref().map_or(0, |t| t.care_plan.len()),
            FileKind::Substances => self.substances.as_ref().map_or(0, |t| t.rank.len()),
            FileKind::BriefInterventions => self
                .brief_interventions
                .as_ref()
                .map_or(0, |t| t.date.len()),
            FileKind::OutcomeEvents => self.outcome_events.as_ref().map_or(0, |t| t.date.len()),
            FileKind::ReoffendingChecks => self
                .reoffending_checks
                .as_ref()
                .map_or(0, |t| t.check_date.len()),
        }
    }

    /// Total rows over every file.
    pub fn total_rows(&self) -> usize {
        FileKind::ALL.iter().map(|&f| self.rows(f)).sum()
    }

    /// Number of substance categories: the controlled list plus the unrecognised names.
    pub fn substance_count(&self) -> usize {
        CONTROLLED.len() + self.unrecognised_substances.len()
    }

    /// The stable key of substance index `i`: the controlled key, or the name as written.
    pub fn substance_key(&self, i: usize) -> Option<&str> {
        match CONTROLLED.get(i) {
            Some(s) => Some(s.key),
            None => self
                .unrecognised_substances
                .get(i - CONTROLLED.len())
                .map(String::as_str),
        }
    }

    /// The label a person reads for substance index `i`.
    pub fn substance_label(&self, i: usize) -> Option<&str> {
        match CONTROLLED.get(i) {
            Some(s) => Some(s.label),
            None => self
                .unrecognised_substances
                .get(i - CONTROLLED.len())
                .map(String::as_str),
        }
    }

    /// The index of an area code in [`Extract::areas`].
    pub fn area_index(&self, code: &AreaCode) -> Option<u16> {
        self.areas
            .iter()
            .position(|a| a == code)
            .and_then(|i| u16::try_from(i).ok())
    }
}

/// The area codes an extract may use, given by the caller: the local authorities (E06, E07,
/// E08, E09, E10, W06) and the custom areas that have been imported.
#[derive(Debug, Clone, Default)]
pub struct KnownAreas {
    codes: Vec<AreaCode>,
    index: HashMap<String, u16>,
}

impl KnownAreas {
    /// The set of codes, kept in the order given (duplicates dropped).
    pub fn new(codes: impl IntoIterator<Item = AreaCode>) -> Result<Self, RecordsError> {
        let mut known = KnownAreas::default();
        for code in codes {
            if known.index.contains_key(code.as_str()) {
                continue;
            }
            let i = u16::try_from(known.codes.len())
                .ok()
                .filter(|&i| i != NO_AREA)
                .ok_or(RecordsError::TooMany {
                    what: "known areas",
                    limit: u64::from(NO_AREA),
                })?;
            known.index.insert(code.as_str().to_owned(), i);
            known.codes.push(code);
        }
        Ok(known)
    }

    /// Whether a code is a local-authority GSS code by its entity (E06, E07, E08, E09, E10, W06).
    pub fn is_local_authority_code(code: &AreaCode) -> bool {
        matches!(
            code.gss_entity(),
            Some("E06" | "E07" | "E08" | "E09" | "E10" | "W06")
        )
    }

    /// The codes, in order.
    pub fn codes(&self) -> &[AreaCode] {
        &self.codes
    }

    /// The index of a code as written (already normalised by [`AreaCode::parse`]).
    pub fn index_of(&self, code: &str) -> Option<u16> {
        self.index.get(code).copied()
    }
}
