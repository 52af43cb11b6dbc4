//! The reader against the rules of `records.md`.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use h2h_domain::AreaCode;
use h2h_records::model::*;
use h2h_records::{FileKind, KnownAreas, read_extract};
use proptest::prelude::*;

fn known() -> KnownAreas {
    KnownAreas::new(
        ["W06000018", "W06000019", "E06000047", "CUSTOM_1"]
            .iter()
            .map(|c| AreaCode::parse(c).unwrap()),
    )
    .unwrap()
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn reads_a_small_extract_and_rejects_each_broken_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "referrals.csv",
        " Referral_ID ,CLIENT_ID,referral_date,source,area_code,notes\n\
         R1,C1,2014-01-02,police,W06000018,x\n\
         R2,C2,2014-01-03,Prison,w06000019,\n\
         R1,C3,2014-01-04,police,W06000018,\n\
         R4,C4,2014-02-30,police,W06000018,\n\
         R5,C5,2014-01-04,postman,W06000018,\n\
         R6,C6,2014-01-04,self,W06000099,\n\
         R7,,2014-01-04,self,W06000018,\n\
         R8,C8,2014-01-04,self\n\
         R9,C1,2014-01-05,court,CUSTOM_1,\n",
    );
    write(
        d,
        "substances.csv",
        "referral_id,client_id,rank,substance\n\
         R1,C1,1,Heroin\n\
         R1,C1,2,Alcohol\n\
         R1,C1,2,Crack\n\
         R2,C2,1,Alcohol\n\
         R2,C2,1,Pregabalin\n\
         R2,C2,4,Heroin\n\
         R3,C3,1,Heroin\n\
         R9,C1,1,pregabalin\n",
    );
    write(
        d,
        "episodes.csv",
        "episode_id,client_id,referral_id,area_code,care_plan_date,treatment_start_date,prescribed,iom,closure_date,closure_reason\n\
         E1,C1,R1,W06000018,2014-01-10,2014-01-12,yes,n,,\n\
         E2,C2,R2,W06000019,2014-01-10,,0,1,2014-03-01,disengaged\n\
         E3,C3,,W06000019,2014-01-10,2014-01-09,true,false,,\n\
         E4,C3,,W06000019,2014-01-10,,true,false,2014-01-09,other\n\
         E5,C3,,W06000019,2014-01-10,,true,false,2014-02-09,\n\
         E6,C3,,W06000019,2014-01-10,,true,false,,other\n\
         E7,C3,,W06000019,2014-01-10,,maybe,false,,\n\
         E8,C3,RX,W06000019,2014-01-10,,true,false,,\n",
    );
    let read = read_extract(d, &known()).unwrap();
    let report = |f: FileKind| read.files.iter().find(|r| r.file == f).unwrap().clone();
    let r = report(FileKind::Referrals);
    assert_eq!((r.accepted, r.rejected), (3, 6));
    assert!(!report(FileKind::DrugTests).present);
    let e = report(FileKind::Episodes);
    assert_eq!((e.accepted, e.rejected), (3, 5));
    let s = report(FileKind::Substances);
    assert_eq!((s.accepted, s.rejected), (4, 4));

    let rej = |file: &str, line: u64| {
        read.rejections
            .iter()
            .find(|r| r.file == file && r.line == line)
            .unwrap_or_else(|| panic!("no rejection at {file}:{line}: {:#?}", read.rejections))
            .clone()
    };
    let dup = rej("referrals.csv", 4);
    assert_eq!(
        (dup.column.as_str(), dup.value.as_str()),
        ("referral_id", "R1")
    );
    assert!(dup.reason.contains("already used"));
    assert_eq!(rej("referrals.csv", 5).column, "referral_date");
    assert_eq!(rej("referrals.csv", 5).value, "2014-02-30");
    assert!(rej("referrals.csv", 6).reason.contains("police, probation"));
    assert_eq!(rej("referrals.csv", 7).column, "area_code");
    assert_eq!(rej("referrals.csv", 8).column, "client_id");
    assert!(rej("referrals.csv", 9).reason.contains("cells"));
    assert!(rej("substances.csv", 4).reason.contains("rank"));
    assert!(rej("substances.csv", 5).reason.contains("alcohol"));
    assert!(rej("substances.csv", 7).reason.contains("1, 2 or 3"));
    assert!(rej("substances.csv", 8).reason.contains("no referral"));
    assert_eq!(rej("episodes.csv", 4).column, "treatment_start_date");
    assert_eq!(rej("episodes.csv", 5).column, "closure_date");
    assert_eq!(rej("episodes.csv", 6).column, "closure_reason");
    assert_eq!(rej("episodes.csv", 7).column, "closure_reason");
    assert_eq!(rej("episodes.csv", 8).column, "prescribed");

    let warned = |text: &str| read.warnings.iter().any(|w| w.message.contains(text));
    assert!(warned("column `notes`"));
    assert!(warned(
        "`Pregabalin` is not on the controlled list; kept as written (2 rows)"
    ));
    assert!(warned("1 rows name a referral_id"));

    let x = &read.extract;
    let refs = x.referrals.as_ref().unwrap();
    assert_eq!(refs.source, vec![0, 2, 3]);
    // C1 has the same index in every file.
    assert_eq!(refs.client[0], refs.client[2]);
    let subs = x.substances.as_ref().unwrap();
    assert_eq!(subs.client[0], refs.client[0]);
    assert_eq!(x.unrecognised_substances, vec!["Pregabalin".to_owned()]);
    assert_eq!(subs.referral, vec![0, 0, 1, 2]);
    let eps = x.episodes.as_ref().unwrap();
    assert_eq!(eps.referral, vec![0, 1, NO_ROW]);
    assert_eq!(eps.prescribed, vec![true, false, true]);
    assert_eq!(eps.reason, vec![0, REASON_DISENGAGED, 0]);
    assert_eq!(eps.treatment_start[1], h2h_records::date::NO_DATE);
    assert_eq!(x.areas.len(), 4);
    assert_eq!(refs.area, vec![0, 1, 3]);
}

#[test]
fn a_missing_required_column_or_header_stops_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "referrals.csv",
        "referral_id,client_id,source,area_code\n",
    );
    let err = read_extract(dir.path(), &known()).unwrap_err();
    assert!(err.to_string().contains("referral_date"), "{err}");
    write(dir.path(), "referrals.csv", "");
    assert!(read_extract(dir.path(), &known()).is_err());
    let empty = tempfile::tempdir().unwrap();
    assert!(read_extract(empty.path(), &known()).is_err());
}

#[test]
fn fingerprint_follows_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        "referral_id,client_id,referral_date,source,area_code\nR1,C1,2014-01-02,police,W06000018\n";
    write(dir.path(), "referrals.csv", body);
    let a = read_extract(dir.path(), &known()).unwrap().fingerprint;
    assert_eq!(a, h2h_records::fingerprint_dir(dir.path()).unwrap());
    assert_eq!(a, read_extract(dir.path(), &known()).unwrap().fingerprint);
    write(dir.path(), "referrals.csv", &body.replace("C1", "C2"));
    assert_ne!(a, read_extract(dir.path(), &known()).unwrap().fingerprint);
}

#[test]
fn reoffending_checks_take_the_area_of_the_closed_episode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "referrals.csv",
        "referral_id,client_id,referral_date,source,area_code\nR1,C9,2014-01-02,police,E06000047\n",
    );
    write(
        d,
        "episodes.csv",
        "episode_id,client_id,referral_id,area_code,care_plan_date,treatment_start_date,prescribed,iom,closure_date,closure_reason\n\
        E1,C1,,W06000018,2013-01-10,,no,no,2013-05-01,completed_drug_free\n\
        E2,C1,,W06000019,2013-06-10,,no,no,,\n",
    );
    write(
        d,
        "reoffending_checks.csv",
        "client_id,check_date,closure_date,arrested_since_closure,arrested_last_6_months\n\
        C1,2014-01-01,2013-05-01,no,no\n\
        C1,2014-01-01,2013-04-01,no,no\n\
        C9,2014-01-01,2013-04-01,yes,no\n\
        C7,2014-01-01,2013-04-01,yes,no\n",
    );
    let read = read_extract(d, &known()).unwrap();
    let c = read.extract.reoffending_checks.as_ref().unwrap();
    assert_eq!(c.area, vec![0, 1, 2, NO_AREA]);
    assert!(
        read.warnings
            .iter()
            .any(|w| w.message.starts_with("1 checks"))
    );
}

const HEADERS: [(&str, &str); 8] = [
    (
        "referrals.csv",
        "referral_id,client_id,referral_date,source,area_code\n",
    ),
    (
        "drug_tests.csv",
        "test_id,client_id,test_date,basis,result,area_code\n",
    ),
    (
        "assessments.csv",
        "assessment_id,client_id,assessment_date,kind,area_code\n",
    ),
    (
        "episodes.csv",
        "episode_id,client_id,referral_id,area_code,care_plan_date,treatment_start_date,prescribed,iom,closure_date,closure_reason\n",
    ),
    ("substances.csv", "referral_id,client_id,rank,substance\n"),
    (
        "brief_interventions.csv",
        "intervention_id,intervention_date,area_code,setting,signposted_to\n",
    ),
    (
        "outcome_events.csv",
        "event_id,client_id,episode_id,event_date,area_code,outcome,positive\n",
    ),
    (
        "reoffending_checks.csv",
        "client_id,check_date,closure_date,arrested_since_closure,arrested_last_6_months\n",
    ),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Arbitrary bytes, alone or after a valid header, in every file: never a panic, and every
    /// row is either accepted or rejected.
    #[test]
    fn never_panics_on_any_bytes(
        bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..400), 8),
        with_header in proptest::collection::vec(any::<bool>(), 8),
        lines in proptest::collection::vec("[A-Za-z0-9_,.\" -]{0,60}", 0..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (i, (name, header)) in HEADERS.iter().enumerate() {
            let mut bytes = Vec::new();
            if with_header[i] {
                bytes.extend_from_slice(header.as_bytes());
                for l in &lines {
                    bytes.extend_from_slice(l.as_bytes());
                    bytes.push(b'\n');
                }
            }
            bytes.extend_from_slice(&bodies[i]);
            std::fs::write(dir.path().join(name), &bytes).unwrap();
        }
        if let Ok(read) = read_extract(dir.path(), &known()) {
            for f in &read.files {
                prop_assert_eq!(f.accepted as usize, read.extract.rows(f.file));
            }
            let rejected: u64 = read.files.iter().map(|f| f.rejected).sum();
            prop_assert_eq!(rejected as usize, read.rejections.len());
        }
    }

    /// Plausible-looking rows with random values in each file: never a panic.
    #[test]
    fn never_panics_on_plausible_rows(
        file in 0usize..8,
        rows in proptest::collection::vec(proptest::collection::vec(
            prop_oneof!["R1", "C1", "E1", "2014-01-01", "2014-13-01", "police", "1", "0", "yes", "", "W06000018", "Heroin", "Alcohol", "completed_drug_free", "in_treatment", "negative", "full", "custody", "drugs", "\u{e9}\u{0}"], 0..11), 0..20),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (name, header) in HEADERS {
            std::fs::write(dir.path().join(name), header).unwrap();
        }
        let (name, header) = HEADERS[file];
        let mut text = header.to_owned();
        for r in rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        std::fs::write(dir.path().join(name), text).unwrap();
        let read = read_extract(dir.path(), &known()).unwrap();
        let f = read.files.iter().find(|f| f.file == FileKind::ALL[file]).unwrap();
        prop_assert_eq!(f.accepted as usize, read.extract.rows(f.file));
    }
}

#[test]
fn client_ids_must_be_pseudonyms() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "referrals.csv",
        "referral_id,client_id,referral_date,source,area_code\n\
         R1,943 476 5919,2014-01-02,police,W06000018\n\
         R2,Jane Smith,2014-01-02,police,W06000018\n\
         R3,1985-07-14,2014-01-02,police,W06000018\n\
         R4,98/123456A,2014-01-02,police,W06000018\n\
         R5,C-5,2014-01-02,police,W06000018\n",
    );
    write(
        d,
        "reoffending_checks.csv",
        "client_id,check_date,closure_date,arrested_since_closure,arrested_last_6_months\n\
         C-5,2014-01-01,2014-02-01,no,no\n",
    );
    let read = read_extract(d, &known()).unwrap();
    let reasons: Vec<_> = read
        .rejections
        .iter()
        .map(|r| {
            (
                r.line,
                r.column.as_str(),
                r.reason.split(';').next().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (2, "client_id", "this looks like an NHS number"),
            (3, "client_id", "this looks like a person's name"),
            (4, "client_id", "this looks like a date (of birth?)"),
            (5, "client_id", "this looks like a PNC number"),
        ]
    );
    // A check dated before its closure is kept, with a warning.
    assert_eq!(read.extract.rows(FileKind::ReoffendingChecks), 1);
    assert!(
        read.warnings
            .iter()
            .any(|w| w.message.starts_with("1 checks are dated before"))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Repeated ids and dangling pointers, against a plain model of the rules: the first row
    /// with an id wins, a substance needs an accepted referral and a rank not yet used for it,
    /// episodes and outcome events keep a link only to an accepted row.
    #[test]
    fn identifiers_follow_a_plain_model(
        refs in proptest::collection::vec((0u8..10, 0u8..6), 0..25),
        subs in proptest::collection::vec((0u8..13, 1u8..4), 0..30),
        eps in proptest::collection::vec((0u8..8, proptest::option::of(0u8..13)), 0..20),
        outs in proptest::collection::vec((0u8..10, proptest::option::of(0u8..10)), 0..20),
    ) {
        use std::collections::{HashMap, HashSet};
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut text = String::from("referral_id,client_id,referral_date,source,area_code\n");
        let mut ref_rows: HashMap<u8, u32> = HashMap::new();
        for (id, c) in &refs {
            text.push_str(&format!("R{id},C{c},2014-01-02,police,W06000018\n"));
            let n = ref_rows.len() as u32;
            ref_rows.entry(*id).or_insert(n);
        }
        write(d, "referrals.csv", &text);
        let mut text = String::from("referral_id,client_id,rank,substance\n");
        let mut want_subs = Vec::new();
        let mut pairs = HashSet::new();
        for (r, rank) in &subs {
            text.push_str(&format!("R{r},C1,{rank},Heroin\n"));
            if let Some(&row) = ref_rows.get(r)
                && pairs.insert((row, *rank))
            {
                want_subs.push(row);
            }
        }
        write(d, "substances.csv", &text);
        let mut text = String::from("episode_id,client_id,referral_id,area_code,care_plan_date,treatment_start_date,prescribed,iom,closure_date,closure_reason\n");
        let mut ep_rows: HashMap<u8, u32> = HashMap::new();
        let mut want_eps = Vec::new();
        for (id, r) in &eps {
            let rid = r.map_or(String::new(), |r| format!("R{r}"));
            text.push_str(&format!("E{id},C2,{rid},W06000018,2014-01-02,,no,no,,\n"));
            if !ep_rows.contains_key(id) {
                ep_rows.insert(*id, ep_rows.len() as u32);
                want_eps.push(r.and_then(|r| ref_rows.get(&r).copied()).unwrap_or(NO_ROW));
            }
        }
        write(d, "episodes.csv", &text);
        let mut text = String::from("event_id,client_id,episode_id,event_date,area_code,outcome,positive\n");
        let mut seen = HashSet::new();
        let mut want_outs = Vec::new();
        for (id, e) in &outs {
            let eid = e.map_or(String::new(), |e| format!("E{e}"));
            text.push_str(&format!("O{id},C3,{eid},2014-01-02,W06000018,abstinent,yes\n"));
            if seen.insert(*id) {
                want_outs.push(e.and_then(|e| ep_rows.get(&e).copied()).unwrap_or(NO_ROW));
            }
        }
        write(d, "outcome_events.csv", &text);

        let read = read_extract(d, &known()).unwrap();
        let x = &read.extract;
        prop_assert_eq!(x.rows(FileKind::Referrals), ref_rows.len());
        prop_assert_eq!(&x.substances.as_ref().unwrap().referral, &want_subs);
        prop_assert_eq!(&x.episodes.as_ref().unwrap().referral, &want_eps);
        prop_assert_eq!(&x.outcome_events.as_ref().unwrap().episode, &want_outs);
        let total = refs.len() + subs.len() + eps.len() + outs.len();
        prop_assert_eq!(read.rejections.len() + x.total_rows(), total);
        // Rejections are in line order within each file, and every one names its value.
        for w in read.rejections.windows(2) {
            if w[0].file == w[1].file {
                prop_assert!(w[0].line < w[1].line);
            }
        }
        prop_assert!(read.rejections.iter().all(|r| !r.value.is_empty()));
    }
}
