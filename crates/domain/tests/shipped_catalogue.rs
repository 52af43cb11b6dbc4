//! The shipped framework catalogue (`data/framework/catalogue.toml`) holds what the seeds and the
//! specification say it must: the six outcomes, the 11 headline and 22 supporting metrics of the
//! national framework, Durham's 19 local metrics mapped to them, every measure of the DIP scorecard
//! and the five national ambitions for 2024/25; and every metric says which of its facts are
//! unconfirmed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use h2h_domain::{Catalogue, Metric, MetricId, OutcomeId, OutcomeKind, Tier};

fn catalogue() -> Catalogue {
    match Catalogue::shipped() {
        Ok(catalogue) => catalogue,
        Err(error) => panic!("the shipped catalogue does not load: {error}"),
    }
}

fn id(text: &str) -> MetricId {
    MetricId::parse(text).unwrap()
}

fn outcome_id(text: &str) -> OutcomeId {
    OutcomeId::parse(text).unwrap()
}

/// The outcomes and how many headline and supporting metrics serve each (framework.md sections 2 and 3,
/// with S3, S4 and S10 split in two).
const OUTCOMES: [(&str, OutcomeKind, usize, usize); 6] = [
    ("reduce_drug_use", OutcomeKind::Strategic, 2, 6),
    ("reduce_drug_related_crime", OutcomeKind::Strategic, 2, 3),
    (
        "reduce_drug_related_deaths_and_harm",
        OutcomeKind::Strategic,
        2,
        2,
    ),
    ("reduce_drug_supply", OutcomeKind::Intermediate, 2, 3),
    (
        "increase_engagement_in_treatment",
        OutcomeKind::Intermediate,
        2,
        4,
    ),
    ("improve_recovery_outcomes", OutcomeKind::Intermediate, 1, 4),
];

#[test]
fn it_parses_with_three_strategic_and_three_intermediate_outcomes() {
    let catalogue = catalogue();
    assert_eq!(catalogue.outcomes.len(), 6);
    let strategic = catalogue
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Strategic)
        .count();
    let intermediate = catalogue
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Intermediate)
        .count();
    assert_eq!((strategic, intermediate), (3, 3));
    for (name, kind, _, _) in OUTCOMES {
        let outcome = catalogue
            .outcome(&outcome_id(name))
            .unwrap_or_else(|| panic!("outcome {name} is missing"));
        assert_eq!(outcome.kind, kind, "{name}");
        assert!(!outcome.description.trim().is_empty(), "{name}");
    }
    assert!(!catalogue.version.trim().is_empty());
}

#[test]
fn eleven_headline_and_twenty_two_supporting_metrics_serve_the_outcomes() {
    let catalogue = catalogue();
    let headline: Vec<&Metric> = catalogue.metrics_of_tier(Tier::Headline).collect();
    let supporting: Vec<&Metric> = catalogue.metrics_of_tier(Tier::Supporting).collect();
    assert_eq!(headline.len(), 11);
    assert_eq!(supporting.len(), 22);
    for metric in headline.iter().chain(&supporting) {
        assert!(metric.outcome.is_some(), "{} has no outcome", metric.id);
    }

    let references: BTreeSet<&str> = headline
        .iter()
        .filter_map(|m| m.reference.as_deref())
        .collect();
    let expected: BTreeSet<String> = (1..=11).map(|n| format!("H{n}")).collect();
    assert_eq!(
        references,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );

    // The 19 lines of Figure 1 are S1..S19; S3, S4 and S10 are split into a and b to make 22, and
    // that split is marked as unconfirmed.
    let supporting_refs: BTreeSet<&str> = supporting
        .iter()
        .filter_map(|m| m.reference.as_deref())
        .collect();
    let mut expected = BTreeSet::new();
    for n in 1..=19 {
        if matches!(n, 3 | 4 | 10) {
            expected.insert(format!("S{n}a"));
            expected.insert(format!("S{n}b"));
        } else {
            expected.insert(format!("S{n}"));
        }
    }
    assert_eq!(
        supporting_refs,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    for metric in &supporting {
        let split = metric
            .reference
            .as_deref()
            .is_some_and(|r| r.ends_with('a') || r.ends_with('b'));
        assert_eq!(
            metric.is_unconfirmed("reference"),
            split,
            "{}: the split of a compound line is what is unconfirmed about its reference",
            metric.id
        );
    }

    for (name, _, headlines, supportings) in OUTCOMES {
        let outcome = outcome_id(name);
        let count = |tier: Tier| {
            catalogue
                .metrics_for_outcome(&outcome)
                .filter(|m| m.tier == tier)
                .count()
        };
        assert_eq!(
            count(Tier::Headline),
            headlines,
            "headline metrics of {name}"
        );
        assert_eq!(
            count(Tier::Supporting),
            supportings,
            "supporting metrics of {name}"
        );
    }
}

#[test]
fn nineteen_local_metrics_map_to_national_or_additional_metrics() {
    let catalogue = catalogue();
    let local: Vec<&Metric> = catalogue.metrics_of_tier(Tier::Local).collect();
    assert_eq!(local.len(), 19);
    let references: BTreeSet<&str> = local
        .iter()
        .filter_map(|m| m.reference.as_deref())
        .collect();
    let expected: BTreeSet<String> = (1..=19).map(|n| n.to_string()).collect();
    assert_eq!(
        references,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    for metric in local {
        assert!(metric.id.as_str().starts_with("durham."), "{}", metric.id);
        assert!(metric.outcome.is_some(), "{} has no outcome", metric.id);
        assert!(!metric.maps_to.is_empty(), "{} maps to nothing", metric.id);
        for target in &metric.maps_to {
            let national = catalogue
                .metric(target)
                .unwrap_or_else(|| panic!("{} maps to unknown {target}", metric.id));
            assert!(
                matches!(
                    national.tier,
                    Tier::Headline | Tier::Supporting | Tier::Additional
                ),
                "{} maps to {target}, a {} metric",
                metric.id,
                national.tier
            );
        }
    }
}

/// The measure ids of `spec/scorecard.md`, in its order: 9 + 7 + 4 + 4.
const SCORECARD_MEASURES: [&str; 24] = [
    // How much did we do?
    "referrals",
    "tests_trigger_offence",
    "tests_inspector_authority",
    "tests_voluntary",
    "assessments",
    "care_plans",
    "engaged_in_treatment",
    "prescribed",
    "substances",
    // Activities
    "brief_interventions",
    "signposted",
    "required_assessments",
    "caseload",
    "caseload_iom",
    "modalities",
    "treatment_tests",
    // How well did we do?
    "closures",
    "disengagements",
    "prescribed_completions",
    "positive_outcomes",
    // Is anyone better off?
    "completions",
    "reoffending_checked",
    "not_rearrested",
    "not_rearrested_6_months",
];

#[test]
fn every_programme_metric_is_a_scorecard_measure() {
    let catalogue = catalogue();
    let programme: Vec<&Metric> = catalogue.metrics_of_tier(Tier::Programme).collect();
    assert_eq!(programme.len(), 24);
    let measures: BTreeSet<&str> = SCORECARD_MEASURES.into_iter().collect();
    assert_eq!(measures.len(), 24);
    let mut seen = BTreeSet::new();
    for metric in programme {
        let measure = metric
            .id
            .as_str()
            .strip_prefix("dip.")
            .unwrap_or_else(|| panic!("{} does not start with dip.", metric.id));
        assert!(
            measures.contains(measure),
            "{} is not a scorecard measure",
            metric.id
        );
        assert_eq!(metric.reference.as_deref(), Some(measure), "{}", metric.id);
        assert!(
            matches!(
                metric.unit,
                h2h_domain::Unit::Count | h2h_domain::Unit::Proportion
            ),
            "{} is a {}",
            metric.id,
            metric.unit
        );
        seen.insert(measure);
    }
    assert_eq!(seen, measures);
}

/// Every field of a metric, by its name in the catalogue file.
const FIELDS: [&str; 19] = [
    "id",
    "reference",
    "name",
    "outcome",
    "tier",
    "unit",
    "multiplier",
    "polarity",
    "definition",
    "numerator",
    "denominator",
    "source",
    "publisher",
    "frequency",
    "lowest_geography",
    "breakdowns",
    "limitations",
    "maps_to",
    "provenance",
];

#[test]
fn every_metric_fills_its_descriptive_fields_or_says_they_are_unconfirmed() {
    let catalogue = catalogue();
    for metric in &catalogue.metrics {
        assert!(!metric.name.trim().is_empty(), "{}", metric.id);
        assert!(!metric.definition.trim().is_empty(), "{}", metric.id);
        assert!(!metric.source.trim().is_empty(), "{}", metric.id);
        assert!(
            !metric.provenance.is_empty(),
            "{} has no provenance",
            metric.id
        );
        let filled = [
            ("publisher", metric.publisher.is_some()),
            ("frequency", metric.frequency.is_some()),
            ("lowest_geography", metric.lowest_geography.is_some()),
            ("limitations", metric.limitations.is_some()),
        ];
        for (field, is_filled) in filled {
            assert!(
                is_filled || metric.is_unconfirmed(field),
                "{}: {field} is neither filled nor named as unconfirmed",
                metric.id
            );
        }
        let mut names = BTreeSet::new();
        for field in &metric.unconfirmed {
            assert!(
                FIELDS.contains(&field.as_str()),
                "{}: {field:?} in unconfirmed is not a field",
                metric.id
            );
            assert!(
                names.insert(field),
                "{}: {field} is listed twice",
                metric.id
            );
        }
        for text in [
            &metric.publisher,
            &metric.lowest_geography,
            &metric.limitations,
        ]
        .into_iter()
        .flatten()
        {
            assert!(!text.trim().is_empty(), "{} has an empty field", metric.id);
        }
    }
}

#[test]
fn the_five_national_ambitions_for_2024_25_are_present() {
    let catalogue = catalogue();
    let expected = [
        ("cdof.h5_drug_misuse_deaths", 1_000.0),
        ("cdof.h10_numbers_in_treatment", 54_500.0),
        ("cdof.h3_neighbourhood_crime", 750_000.0),
        ("cdof.h7_county_lines_closed", 2_000.0),
        ("cdof.h8_ocg_disruptions", 8_800.0),
    ];
    let ambitions: Vec<_> = catalogue
        .targets
        .iter()
        .filter(|t| t.kind == h2h_domain::TargetKind::Ambition && t.period.code() == "2024/25")
        .collect();
    assert_eq!(ambitions.len(), 5);
    for (metric, figure) in expected {
        let found = ambitions
            .iter()
            .find(|t| t.metric_id == id(metric))
            .unwrap_or_else(|| panic!("no 2024/25 ambition for {metric}"));
        assert!(
            (found.target - figure).abs() < f64::EPSILON,
            "{metric}: {} is not {figure}",
            found.target
        );
        assert!(matches!(
            found.area_code.as_str(),
            "E92000001" | "K04000001"
        ));
        assert!(
            found.note.as_deref().is_some_and(|n| !n.trim().is_empty()),
            "{metric} has no note"
        );
    }
    let ocg = ambitions
        .iter()
        .find(|t| t.metric_id == id("cdof.h8_ocg_disruptions"))
        .unwrap();
    let note = ocg.note.as_deref().unwrap_or_default();
    assert!(
        note.contains("6,400"),
        "the 8,800 ambition's note records the discrepancy with 6,400"
    );
}

/// Each metric line of the seeds, as the seed words it, with the tier it belongs to and the
/// metrics that hold it (a compound line maps to each of its parts).
type SeedLine = (&'static str, Tier, &'static [&'static str]);

/// Seed 000, Figure 1 (headline and supporting metrics).
const SEED_000: [SeedLine; 30] = [
    (
        "Proportion of individuals reporting use of drugs in the last year",
        Tier::Headline,
        &["cdof.h1_drug_use_last_year"],
    ),
    (
        "Estimated prevalence of opiate and/or crack cocaine use (OCU)",
        Tier::Headline,
        &["cdof.h2_ocu_prevalence"],
    ),
    (
        "The number of neighbourhood crimes; domestic burglary, personal robbery, vehicle offences and theft from the person",
        Tier::Headline,
        &["cdof.h3_neighbourhood_crime"],
    ),
    (
        "The number of homicides that involve drug users or dealers, or have been related to drugs in any way",
        Tier::Headline,
        &["cdof.h4_drug_related_homicides"],
    ),
    (
        "Deaths related to drug misuse",
        Tier::Headline,
        &["cdof.h5_drug_misuse_deaths"],
    ),
    (
        "Hospital admissions for drug poisoning and drug-related mental health and behavioural disorders (primary diagnosis of selected drug)",
        Tier::Headline,
        &["cdof.h6_drug_hospital_admissions"],
    ),
    (
        "Number of county lines closed",
        Tier::Headline,
        &["cdof.h7_county_lines_closed"],
    ),
    (
        "Number of major and moderate disruptions against organised criminal groups",
        Tier::Headline,
        &["cdof.h8_ocg_disruptions"],
    ),
    (
        "Continuity of care: engagement in community-based structured treatment within three weeks of leaving prison (adults)",
        Tier::Headline,
        &["cdof.h9_continuity_of_care"],
    ),
    (
        "The numbers in treatment for adults and young people",
        Tier::Headline,
        &["cdof.h10_numbers_in_treatment"],
    ),
    (
        "Showing substantial progress by completing the treatment programme (free of dependent drug use and without an acute housing need) or still in treatment and either not using or having substantially reduced use of their problem substances measured over the preceding 12 months",
        Tier::Headline,
        &["cdof.h11_substantial_progress"],
    ),
    (
        "Number and proportion of households owed a homelessness duty with a drug dependency need",
        Tier::Supporting,
        &["cdof.s1_homelessness_drug_need"],
    ),
    (
        "Rate per population of children of referral and assessments by social services with drugs as a factor",
        Tier::Supporting,
        &["cdof.s2_childrens_social_care_drugs_factor"],
    ),
    (
        "Number of permanent exclusions and suspensions and the proportion that are drug and alcohol related",
        Tier::Supporting,
        &[
            "cdof.s3a_permanent_exclusions_drug_alcohol",
            "cdof.s3b_suspensions_drug_alcohol",
        ],
    ),
    (
        "Proportion of 11 to 15 year olds who think it is OK to take drugs to see what it is like, and think it is OK to take drugs once a week",
        Tier::Supporting,
        &[
            "cdof.s4a_pupils_ok_to_try_drugs",
            "cdof.s4b_pupils_ok_drugs_once_a_week",
        ],
    ),
    (
        "Proven reoffending within 12 months",
        Tier::Supporting,
        &["cdof.s5_proven_reoffending"],
    ),
    (
        "Police recorded trafficking of drugs and possession of drugs offences",
        Tier::Supporting,
        &["cdof.s6_police_recorded_drug_offences"],
    ),
    (
        "Hospital admissions for assault by a sharp object",
        Tier::Supporting,
        &["cdof.s7_sharp_object_assault_admissions"],
    ),
    (
        "Hepatitis C prevalence (chronic infection) in people who inject drugs",
        Tier::Supporting,
        &["cdof.s8_hepatitis_c_pwid"],
    ),
    (
        "Number and percentage of people in treatment that have died during their time in contact with the treatment system",
        Tier::Supporting,
        &["cdof.s9_deaths_in_treatment"],
    ),
    (
        "Volume and number of drugs seizures",
        Tier::Supporting,
        &[
            "cdof.s10a_drug_seizures_number",
            "cdof.s10b_drug_seizures_quantity",
        ],
    ),
    (
        "Number and proportion of National Referral Mechanism referrals with a county lines flag",
        Tier::Supporting,
        &["cdof.s11_nrm_county_lines_referrals"],
    ),
    (
        "Number of individuals in treatment in prisons and secure settings",
        Tier::Supporting,
        &["cdof.s12_treatment_secure_settings"],
    ),
    (
        "Number of community or suspended sentence orders with drug treatment requirements",
        Tier::Supporting,
        &["cdof.s13_drug_treatment_requirements"],
    ),
    (
        "Number and proportion of adults starting treatment in the establishment within three weeks of arrival (from community or other custodial setting)",
        Tier::Supporting,
        &["cdof.s14_prison_treatment_start_3_weeks"],
    ),
    (
        "Unmet need for OCU treatment",
        Tier::Supporting,
        &["cdof.s15_unmet_need_ocu"],
    ),
    (
        "Proportion of people in treatment that have reported no housing problems in the last 28 days",
        Tier::Supporting,
        &["cdof.s16_no_housing_problem"],
    ),
    (
        "Proportion of people in treatment that have reported at least one day of paid work, voluntary work, or training and education in the last 28 days",
        Tier::Supporting,
        &["cdof.s17_work_volunteering_training"],
    ),
    (
        "Proportion of people in treatment reporting a mental health need who received treatment or interventions",
        Tier::Supporting,
        &["cdof.s18_mental_health_treatment"],
    ),
    (
        "Proportion of parents that have received specific family or parental interventions",
        Tier::Supporting,
        &["cdof.s19_parental_family_interventions"],
    ),
];

/// Seed 001, "From Harm to Hope: delivering outcomes" (the same framework; two lines are worded
/// differently from seed 000).
const SEED_001: [SeedLine; 30] = [
    (
        "Proportion of individuals reporting use of drugs in the last year",
        Tier::Headline,
        &["cdof.h1_drug_use_last_year"],
    ),
    (
        "Estimated prevalence of opiate and/or crack cocaine use (OCU)",
        Tier::Headline,
        &["cdof.h2_ocu_prevalence"],
    ),
    (
        "The number of neighbourhood crimes; domestic burglary, personal robbery, vehicle offences and theft from the person",
        Tier::Headline,
        &["cdof.h3_neighbourhood_crime"],
    ),
    (
        "The number of homicides that involve drug users or dealers, or have been related to drugs in any way",
        Tier::Headline,
        &["cdof.h4_drug_related_homicides"],
    ),
    (
        "Deaths related to drug misuse",
        Tier::Headline,
        &["cdof.h5_drug_misuse_deaths"],
    ),
    (
        "Hospital admissions for drug poisoning and drug-related mental health and behavioural disorders (primary diagnosis of selected drug)",
        Tier::Headline,
        &["cdof.h6_drug_hospital_admissions"],
    ),
    (
        "Number of county lines closed",
        Tier::Headline,
        &["cdof.h7_county_lines_closed"],
    ),
    (
        "Number of major and moderate disruptions against organised criminal groups",
        Tier::Headline,
        &["cdof.h8_ocg_disruptions"],
    ),
    (
        "Continuity of care: engagement in community-based structured treatment within three weeks of leaving prison (adults)",
        Tier::Headline,
        &["cdof.h9_continuity_of_care"],
    ),
    (
        "The numbers in treatment for adults and young people",
        Tier::Headline,
        &["cdof.h10_numbers_in_treatment"],
    ),
    (
        "Showing substantial progress by completing the treatment programme (free of dependent drug use and without an acute housing need) or still in treatment and either not using or having substantially reduced use of their problem substances measured over the preceding 12 months",
        Tier::Headline,
        &["cdof.h11_substantial_progress"],
    ),
    (
        "Number and proportion of households owed a homelessness duty with a drug dependency need",
        Tier::Supporting,
        &["cdof.s1_homelessness_drug_need"],
    ),
    (
        "Rate per population of children of referral and assessments by social services with drugs as a factor",
        Tier::Supporting,
        &["cdof.s2_childrens_social_care_drugs_factor"],
    ),
    (
        "Number of permanent exclusions and suspensions and the proportion that are drug and alcohol related",
        Tier::Supporting,
        &[
            "cdof.s3a_permanent_exclusions_drug_alcohol",
            "cdof.s3b_suspensions_drug_alcohol",
        ],
    ),
    (
        "Proportion of 11 to 15 year olds who think it is OK to take drugs to see what it is like, and think it is OK to take drugs once a week",
        Tier::Supporting,
        &[
            "cdof.s4a_pupils_ok_to_try_drugs",
            "cdof.s4b_pupils_ok_drugs_once_a_week",
        ],
    ),
    (
        "Proven reoffending within 12 months",
        Tier::Supporting,
        &["cdof.s5_proven_reoffending"],
    ),
    (
        "Police recorded trafficking of drugs and possession of drugs offences",
        Tier::Supporting,
        &["cdof.s6_police_recorded_drug_offences"],
    ),
    (
        "Hospital admissions for assault by a sharp object",
        Tier::Supporting,
        &["cdof.s7_sharp_object_assault_admissions"],
    ),
    (
        "Hepatitis C prevalence (chronic infection) in people who inject drugs",
        Tier::Supporting,
        &["cdof.s8_hepatitis_c_pwid"],
    ),
    (
        "Number and percentage of people in treatment that have died during their time in contact with the treatment system",
        Tier::Supporting,
        &["cdof.s9_deaths_in_treatment"],
    ),
    (
        "Volume and number of drugs seizures",
        Tier::Supporting,
        &[
            "cdof.s10a_drug_seizures_number",
            "cdof.s10b_drug_seizures_quantity",
        ],
    ),
    (
        "Number and proportion of National Referral Mechanism referrals with a county lines flag",
        Tier::Supporting,
        &["cdof.s11_nrm_county_lines_referrals"],
    ),
    (
        "Number of individuals in treatment in prisons and secure settings",
        Tier::Supporting,
        &["cdof.s12_treatment_secure_settings"],
    ),
    (
        "Number of community or suspended sentence orders started with drug treatment requirements",
        Tier::Supporting,
        &["cdof.s13_drug_treatment_requirements"],
    ),
    (
        "Number and proportion adults starting treatment in the establishment within three weeks of arrival (from community or other custodial setting)",
        Tier::Supporting,
        &["cdof.s14_prison_treatment_start_3_weeks"],
    ),
    (
        "Unmet need for OCU treatment",
        Tier::Supporting,
        &["cdof.s15_unmet_need_ocu"],
    ),
    (
        "Proportion of people in treatment that have reported no housing problems in the last 28 days",
        Tier::Supporting,
        &["cdof.s16_no_housing_problem"],
    ),
    (
        "Proportion of people in treatment that have reported at least one day of paid work, voluntary work, or training and education in the last 28 days",
        Tier::Supporting,
        &["cdof.s17_work_volunteering_training"],
    ),
    (
        "Proportion of people in treatment reporting a mental health need who received treatment or interventions",
        Tier::Supporting,
        &["cdof.s18_mental_health_treatment"],
    ),
    (
        "Proportion of parents that have received specific family or parental interventions",
        Tier::Supporting,
        &["cdof.s19_parental_family_interventions"],
    ),
];

/// Seed 002, County Durham and Darlington outcomes and metrics (numbers 3 to 6 are unnumbered in
/// the seed).
const SEED_002: [SeedLine; 19] = [
    (
        "1. No. of neighbourhood crimes",
        Tier::Local,
        &["durham.neighbourhood_crimes"],
    ),
    (
        "2. No. of homicides related to drugs",
        Tier::Local,
        &["durham.drug_related_homicides"],
    ),
    (
        "Continuity of Care",
        Tier::Local,
        &["durham.continuity_of_care"],
    ),
    (
        "Numbers in treatment for alcohol and drugs",
        Tier::Local,
        &["durham.numbers_in_treatment"],
    ),
    (
        "Unmet need for drug and alcohol treatment",
        Tier::Local,
        &["durham.unmet_need_treatment"],
    ),
    (
        "Inpatient detox uptake numbers",
        Tier::Local,
        &["durham.inpatient_detox"],
    ),
    (
        "7. Estimated prevalence of opiate and/or crack cocaine use (OCU)",
        Tier::Local,
        &["durham.ocu_prevalence"],
    ),
    (
        "8. Estimated prevalence of alcohol dependency",
        Tier::Local,
        &["durham.alcohol_dependency_prevalence"],
    ),
    (
        "9. Number of county lines closed",
        Tier::Local,
        &["durham.county_lines_closed"],
    ),
    (
        "10. Number of moderate/major disruptions",
        Tier::Local,
        &["durham.ocg_disruptions"],
    ),
    (
        "11. Volume and number of drug and alcohol seizures",
        Tier::Local,
        &["durham.drug_alcohol_seizures"],
    ),
    (
        "12. Successful completions",
        Tier::Local,
        &["durham.successful_completions"],
    ),
    (
        "13. Numbers engaged in recovery support",
        Tier::Local,
        &["durham.recovery_support"],
    ),
    (
        "14. Numbers in IPS (Durham only)",
        Tier::Local,
        &["durham.ips_numbers"],
    ),
    (
        "15. Deaths from drug misuse",
        Tier::Local,
        &["durham.drug_misuse_deaths"],
    ),
    (
        "16. Hospital admissions for drug poisoning",
        Tier::Local,
        &["durham.drug_poisoning_admissions"],
    ),
    (
        "17. Alcohol specific deaths",
        Tier::Local,
        &["durham.alcohol_specific_deaths"],
    ),
    (
        "18. Hospital admissions for alcohol misuse for 15-24 Year olds",
        Tier::Local,
        &["durham.alcohol_admissions_15_24"],
    ),
    (
        "19. Hospital admissions attributable to alcohol",
        Tier::Local,
        &["durham.alcohol_attributable_admissions"],
    ),
];

#[test]
fn the_catalogue_holds_every_metric_named_in_seeds_000_001_and_002() {
    let catalogue = catalogue();
    let mut named: BTreeMap<MetricId, Vec<&str>> = BTreeMap::new();
    for (seed, lines) in [
        ("seed 000", &SEED_000[..]),
        ("seed 001", &SEED_001[..]),
        ("seed 002", &SEED_002[..]),
    ] {
        for (phrase, tier, ids) in lines {
            assert!(!ids.is_empty(), "{seed}: {phrase:?} maps to nothing");
            for metric_id in *ids {
                let metric = catalogue
                    .metric(&id(metric_id))
                    .unwrap_or_else(|| panic!("{seed}: {phrase:?} needs metric {metric_id}"));
                assert_eq!(metric.tier, *tier, "{seed}: {phrase:?} → {metric_id}");
                named.entry(metric.id.clone()).or_default().push(phrase);
            }
        }
    }
    // And the other way round: every headline, supporting and local metric is a line of a seed.
    for metric in &catalogue.metrics {
        if matches!(metric.tier, Tier::Headline | Tier::Supporting | Tier::Local) {
            assert!(
                named.contains_key(&metric.id),
                "{} is named by no seed line",
                metric.id
            );
        }
    }
}

/// The `R*` references with no public address: R49 is a third-party research note whose repository
/// the research could not name (framework.md section 11).
const REFERENCES_WITHOUT_ADDRESS: [&str; 1] = ["R49"];

#[test]
fn every_reference_is_cited_and_public_pages_have_an_address() {
    let catalogue = catalogue();
    let cited: BTreeSet<&str> = catalogue
        .metrics
        .iter()
        .flat_map(|m| &m.provenance)
        .chain(catalogue.targets.iter().flat_map(|t| &t.provenance))
        .map(String::as_str)
        .collect();
    let mut defined = BTreeSet::new();
    for reference in &catalogue.references {
        let id = reference.id.as_str();
        assert!(defined.insert(id), "reference {id} is defined twice");
        assert!(
            cited.contains(id),
            "reference {id} is cited by no metric or target"
        );
        assert!(
            !reference.title.trim().is_empty(),
            "reference {id} has no title"
        );
        let url = reference.url.as_deref();
        if id.starts_with('R') {
            if REFERENCES_WITHOUT_ADDRESS.contains(&id) {
                assert_eq!(url, None, "reference {id} was listed as having no address");
            } else {
                assert!(
                    url.is_some_and(|u| u.starts_with("http")),
                    "public page {id} has no web address: {url:?}"
                );
            }
        }
        if id.starts_with('S') {
            assert_eq!(url, None, "seed {id} is a customer copy with no address");
        }
    }
    for id in &cited {
        assert!(
            catalogue.reference(id).is_some(),
            "{id} is cited but not defined"
        );
    }
}
