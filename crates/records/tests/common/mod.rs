//! Writing small extracts as CSV files, for tests that read them back through the real reader.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use h2h_domain::AreaCode;
use h2h_records::KnownAreas;

/// One CSV file's text, built row by row.
pub struct Csv {
    pub name: &'static str,
    pub text: String,
    pub rows: usize,
}

impl Csv {
    pub fn new(name: &'static str, header: &str) -> Self {
        Csv {
            name,
            text: format!("{header}\n"),
            rows: 0,
        }
    }

    pub fn row(&mut self, cells: &[&str]) {
        self.text.push_str(&cells.join(","));
        self.text.push('\n');
        self.rows += 1;
    }
}

/// The eight files of an extract.
pub struct Files {
    pub referrals: Csv,
    pub drug_tests: Csv,
    pub assessments: Csv,
    pub episodes: Csv,
    pub substances: Csv,
    pub brief_interventions: Csv,
    pub outcome_events: Csv,
    pub reoffending_checks: Csv,
}

impl Default for Files {
    fn default() -> Self {
        Files {
            referrals: Csv::new(
                "referrals.csv",
                "referral_id,client_id,referral_date,source,area_code",
            ),
            drug_tests: Csv::new(
                "drug_tests.csv",
                "test_id,client_id,test_date,basis,result,area_code",
            ),
            assessments: Csv::new(
                "assessments.csv",
                "assessment_id,client_id,assessment_date,kind,area_code",
            ),
            episodes: Csv::new(
                "episodes.csv",
                "episode_id,client_id,referral_id,area_code,care_plan_date,treatment_start_date,prescribed,iom,closure_date,closure_reason",
            ),
            substances: Csv::new("substances.csv", "referral_id,client_id,rank,substance"),
            brief_interventions: Csv::new(
                "brief_interventions.csv",
                "intervention_id,intervention_date,area_code,setting,signposted_to",
            ),
            outcome_events: Csv::new(
                "outcome_events.csv",
                "event_id,client_id,episode_id,event_date,area_code,outcome,positive",
            ),
            reoffending_checks: Csv::new(
                "reoffending_checks.csv",
                "client_id,check_date,closure_date,arrested_since_closure,arrested_last_6_months",
            ),
        }
    }
}

impl Files {
    /// Writes every file, except those named in `skip`.
    pub fn write(&self, dir: &Path, skip: &[&str]) {
        for f in [
            &self.referrals,
            &self.drug_tests,
            &self.assessments,
            &self.episodes,
            &self.substances,
            &self.brief_interventions,
            &self.outcome_events,
            &self.reoffending_checks,
        ] {
            if !skip.contains(&f.name) {
                std::fs::write(dir.join(f.name), &f.text).unwrap();
            }
        }
    }
}

pub fn code(c: &str) -> AreaCode {
    AreaCode::parse(c).unwrap()
}

pub fn known(codes: &[&str]) -> KnownAreas {
    KnownAreas::new(codes.iter().map(|c| code(c))).unwrap()
}

/// `start` plus `days`, as ISO text.
pub fn plus(start: &str, days: i64) -> String {
    let d = time::Date::parse(start, &time::format_description::well_known::Iso8601::DATE).unwrap();
    (d + time::Duration::days(days)).to_string()
}
