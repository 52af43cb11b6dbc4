//! The measure catalogue of `scorecard.md`: stable ids, the labels a person reads, the four
//! sections in order, and a short definition of each measure for the report's terminology
//! appendix.

use crate::model::FileKind;

/// The scorecard's sections, in order.
pub const SECTIONS: [&str; 4] = [
    "How much did we do?",
    "Activities",
    "How well did we do?",
    "Is anyone better off?",
];

/// One measure of the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MeasureDef {
    /// Stable identifier (reports, the API and tests use it).
    pub id: &'static str,
    /// The label a person reads.
    pub label: &'static str,
    /// Index into [`SECTIONS`].
    pub section: usize,
    /// The file whose records the measure counts; absent ⇒ "no data".
    pub file: FileKind,
    /// The measure whose value is the denominator of `percent`, if any ("prescribed closures"
    /// and "checks with an arrest since closure" are named by their own words).
    pub denominator: Option<&'static str>,
    /// What the measure counts, in words, for the terminology appendix.
    pub definition: &'static str,
}

const fn m(
    id: &'static str,
    label: &'static str,
    section: usize,
    file: FileKind,
    denominator: Option<&'static str>,
    definition: &'static str,
) -> MeasureDef {
    MeasureDef {
        id,
        label,
        section,
        file,
        denominator,
        definition,
    }
}

use FileKind as F;

const CATALOGUE: [MeasureDef; 24] = [
    m(
        "referrals",
        "Number of referrals",
        0,
        F::Referrals,
        None,
        "Referrals into the service with a referral date in the period, broken down by source (police, probation, prison, court, self, other) as a percentage of all referrals.",
    ),
    m(
        "tests_trigger_offence",
        "Number of trigger offence drug tests",
        0,
        F::DrugTests,
        None,
        "Drug tests in custody after arrest for a trigger offence, in the period, by result.",
    ),
    m(
        "tests_inspector_authority",
        "Number of Inspector's Authority drug tests",
        0,
        F::DrugTests,
        None,
        "Drug tests in custody for an offence other than a trigger offence, authorised by an inspector, in the period, by result.",
    ),
    m(
        "tests_voluntary",
        "Number of voluntary tests (5 panel)",
        0,
        F::DrugTests,
        None,
        "Voluntary five-panel drug tests in custody in the period, by result.",
    ),
    m(
        "assessments",
        "Number of assessments",
        0,
        F::Assessments,
        Some("referrals"),
        "Full assessments in the period: the assessments that bring someone onto the caseload. The percentage is of referrals in the period.",
    ),
    m(
        "care_plans",
        "Number of care plans",
        0,
        F::Episodes,
        Some("assessments"),
        "Episodes whose care plan was agreed in the period: new people coming onto the caseload. The percentage is of full assessments in the period.",
    ),
    m(
        "engaged_in_treatment",
        "Numbers engaging in treatment",
        0,
        F::Episodes,
        Some("care_plans"),
        "Of the care plans agreed in the period, those whose treatment started by the period's end. The percentage is of those care plans.",
    ),
    m(
        "prescribed",
        "Numbers prescribed",
        0,
        F::Episodes,
        Some("referrals"),
        "Care plans agreed in the period that include a prescription. The percentage is of referrals in the period.",
    ),
    m(
        "substances",
        "Substances used",
        0,
        F::Substances,
        None,
        "Problem substances reported at the point of entry by the people referred in the period (up to three each, alcohol never the primary one), by substance as a percentage of all mentions; `distinct` is the number of different substances.",
    ),
    m(
        "brief_interventions",
        "Number of brief interventions delivered",
        1,
        F::BriefInterventions,
        None,
        "Brief interventions delivered in the period, in custody or on outreach, to people who may never become clients.",
    ),
    m(
        "signposted",
        "Number signposted into specialist services",
        1,
        F::BriefInterventions,
        Some("brief_interventions"),
        "Brief interventions in the period after which the person was signposted to a specialist service (drugs, alcohol, housing, young person services, other). Percentages are of all brief interventions in the period.",
    ),
    m(
        "required_assessments",
        "Number of required assessments",
        1,
        F::Assessments,
        None,
        "Required assessments in the period: those following a positive drug test on arrest.",
    ),
    m(
        "caseload",
        "Numbers on caseload at the period's end",
        1,
        F::Episodes,
        None,
        "Episodes open on the period's last day (care plan agreed by then, not closed by then), by local authority as a percentage of the caseload: a snapshot of active clients.",
    ),
    m(
        "caseload_iom",
        "Numbers on caseload designated IOM",
        1,
        F::Episodes,
        Some("caseload"),
        "Of the caseload at the period's end, those designated under Integrated Offender Management.",
    ),
    m(
        "modalities",
        "Number of modalities (care plan modalities)",
        1,
        F::Episodes,
        None,
        "Episodes on the caseload at any time in the period, split between those with a prescription and those without, as percentages of all of them.",
    ),
    m(
        "treatment_tests",
        "Number of clients with a treatment drug test",
        1,
        F::DrugTests,
        Some("modalities"),
        "Different clients with at least one drug test in treatment in the period. The percentage is of the episodes on the caseload in the period.",
    ),
    m(
        "closures",
        "Number of closures",
        2,
        F::Episodes,
        None,
        "Episodes closed in the period, by time retained: whole weeks from the treatment start (or the care plan, where treatment never started) to closure, in the bands 0 to 11, 12 to 23 and 24 weeks or longer.",
    ),
    m(
        "disengagements",
        "Number of disengagements",
        2,
        F::Episodes,
        Some("closures"),
        "Closures in the period because the client disengaged. The percentage is of all closures.",
    ),
    m(
        "prescribed_completions",
        "Number of prescribed clients completing treatment",
        2,
        F::Episodes,
        None,
        "Closures in the period of episodes with a prescription that completed treatment. The percentage is of all closures of episodes with a prescription.",
    ),
    m(
        "positive_outcomes",
        "Number of positive outcomes",
        2,
        F::OutcomeEvents,
        None,
        "Positive outcomes recorded for clients in the period, by local authority as a percentage of all positive outcomes.",
    ),
    m(
        "completions",
        "Completions",
        3,
        F::Episodes,
        Some("closures"),
        "Closures in the period that completed treatment: drug and crime free, crime free only, drug free only. Percentages are of all closures.",
    ),
    m(
        "reoffending_checked",
        "Clients checked for reoffending",
        3,
        F::ReoffendingChecks,
        None,
        "Past clients checked against police records in the period.",
    ),
    m(
        "not_rearrested",
        "Not arrested since closure",
        3,
        F::ReoffendingChecks,
        Some("reoffending_checked"),
        "Of the clients checked in the period, those not arrested at any time since their episode closed.",
    ),
    m(
        "not_rearrested_6_months",
        "Not arrested in the last six months",
        3,
        F::ReoffendingChecks,
        None,
        "Of the clients checked in the period who had been arrested since closure, those not arrested in the six months before the check.",
    ),
];

/// The measure catalogue, in section order and, within a section, the spec's order.
pub fn catalogue() -> &'static [MeasureDef] {
    &CATALOGUE
}

/// The definition of a measure by id.
pub fn measure(id: &str) -> Option<&'static MeasureDef> {
    CATALOGUE.iter().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sections_in_order() {
        let mut ids: Vec<_> = catalogue().iter().map(|m| m.id).collect();
        let sections: Vec<_> = catalogue().iter().map(|m| m.section).collect();
        assert!(sections.windows(2).all(|w| w[0] <= w[1]));
        assert!(sections.iter().all(|&s| s < SECTIONS.len()));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), catalogue().len());
        for m in catalogue() {
            assert!(!m.definition.is_empty() && !m.label.is_empty());
            if let Some(d) = m.denominator {
                assert!(measure(d).is_some(), "{d}");
            }
        }
    }
}
