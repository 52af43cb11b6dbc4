//! The store with the shipped reference data, run against SQLite and PostgreSQL alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use h2h_domain::{AgeBand, AreaCode, AreaKind, AreaKindFilter, Tier};
use h2h_ingest::{import_areas, open_with_reference_data, read_areas};
use h2h_store::on_both_backends;

fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

on_both_backends!(
    a_submission_is_kept_byte_for_byte_as_received,
    reference_data_is_installed_once,
    areas_are_listed_by_kind_and_tier,
    an_area_has_parents_children_and_populations,
    retired_codes_find_the_current_area,
    custom_areas_group_authorities_and_sum_populations,
    custom_area_rows_with_bad_references_are_rejected,
    shipped_areas_cannot_be_redefined,
    partnerships_and_meetings_are_saved_once_and_read_back,
    meetings_naming_non_members_are_refused_whole,
    record_extracts_are_versions_with_chunks_and_rejections,
    an_extract_imported_again_writes_nothing_and_a_new_one_is_a_new_version,
);

/// Saving extracts: each is its service's next version, the previous one kept but no longer
/// current; the bytes come back whole across chunks of 64 MiB; rejected rows come back in
/// order; every save moves the data version.
async fn record_extracts_are_versions_with_chunks_and_rejections(url: &str) {
    use h2h_store::{NewRecordExtract, RECORD_CHUNK_BYTES, RecordFileCount, RecordRejection};
    let store = open_with_reference_data(url).await.unwrap();
    let files = vec![RecordFileCount {
        file: "referrals.csv".into(),
        present: true,
        accepted: 3,
        rejected: 1,
    }];
    let rejected = vec![RecordRejection {
        file: "referrals.csv".into(),
        line: 4,
        column: "referral_date".into(),
        value: "2024-02-30".into(),
        reason: "not a date".into(),
    }];
    // Over one chunk, so the join of chunks is tested; a pattern that shows misordering.
    let big: Vec<u8> = (0..RECORD_CHUNK_BYTES + 1000)
        .map(|i| (i % 251) as u8)
        .collect();
    let new = |fingerprint: &'static str, encoded: &'static [u8]| NewRecordExtract {
        service: "Gwent DIP",
        fingerprint,
        submitted_by: "tester",
        submitted_at: "2026-01-01T00:00:00Z",
        files: &[],
        warnings: &[],
        rejected: &[],
        total_rows: 3,
        encoded,
    };
    let before = store.data_version().await.unwrap();
    let first = store
        .save_record_extract(&NewRecordExtract {
            files: &files,
            rejected: &rejected,
            ..new("aaaa", b"first")
        })
        .await
        .unwrap();
    assert_eq!(
        (first.version, first.current, first.rejected_rows),
        (1, true, 1)
    );
    assert!(store.data_version().await.unwrap() > before);
    let second = store
        .save_record_extract(&NewRecordExtract {
            encoded: &big,
            ..new("bbbb", b"")
        })
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    let other = store
        .save_record_extract(&NewRecordExtract {
            service: "Newport treatment",
            ..new("cccc", b"other")
        })
        .await
        .unwrap();
    assert_eq!(other.version, 1);

    let versions = store.record_extracts(Some("Gwent DIP")).await.unwrap();
    let shown: Vec<(i64, bool)> = versions.iter().map(|v| (v.version, v.current)).collect();
    assert_eq!(shown, [(2, true), (1, false)]);
    assert_eq!(versions[1].files, files);
    let current: Vec<(String, i64)> = store
        .current_record_extracts()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.service, e.version))
        .collect();
    assert_eq!(
        current,
        [
            ("Gwent DIP".to_owned(), 2),
            ("Newport treatment".to_owned(), 1)
        ]
    );
    assert_eq!(store.record_extracts(None).await.unwrap().len(), 3);
    let back = store
        .record_extract_bytes(second.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        back == big,
        "the chunks did not join back to the bytes saved"
    );
    assert_eq!(
        store.record_extract_bytes(first.id).await.unwrap().unwrap(),
        b"first"
    );
    assert_eq!(store.record_extract_bytes(9999).await.unwrap(), None);
    assert_eq!(store.record_rejections(first.id).await.unwrap(), rejected);
    assert!(store.record_rejections(second.id).await.unwrap().is_empty());
}

/// A generated extract through the import: the same folder again writes nothing (not even
/// the data version); a changed file makes version 2 with its rejected row stored, and the
/// first version is kept; what is stored decodes to what was read.
async fn an_extract_imported_again_writes_nothing_and_a_new_one_is_a_new_version(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "h2h-ingest-records-{}-{}",
        std::process::id(),
        url.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let areas: Vec<(AreaCode, u64)> = ["W06000018", "W06000019", "W06000020"]
        .iter()
        .map(|c| (code(c), 100_000))
        .collect();
    h2h_records::generate(500, 7, &areas, 2015, &dir).unwrap();
    let first = h2h_ingest::import_records(store.as_ref(), &dir, "Gwent DIP", "tester")
        .await
        .unwrap();
    assert!(!first.unchanged);
    assert_eq!(first.extract.version, 1);
    assert!(first.rejected.is_empty(), "{:?}", first.rejected);
    let referrals = first
        .extract
        .files
        .iter()
        .find(|f| f.file == "referrals.csv")
        .unwrap();
    assert_eq!((referrals.accepted, referrals.rejected), (500, 0));
    let version = store.data_version().await.unwrap();

    let again = h2h_ingest::import_records(store.as_ref(), &dir, "Gwent DIP", "tester")
        .await
        .unwrap();
    assert!(again.unchanged);
    assert_eq!(again.extract.id, first.extract.id);
    assert_eq!(store.data_version().await.unwrap(), version);

    let path = dir.join("referrals.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("R-BAD,C-BAD,2020-13-01,police,W06000018\n");
    std::fs::write(&path, text).unwrap();
    let second = h2h_ingest::import_records(store.as_ref(), &dir, "Gwent DIP", "tester")
        .await
        .unwrap();
    assert!(!second.unchanged);
    assert_eq!(second.extract.version, 2);
    assert_eq!(second.rejected.len(), 1);
    assert_eq!(second.rejected[0].line, 502);
    assert_eq!(second.rejected[0].column, "referral_date");
    let versions = store.record_extracts(Some("Gwent DIP")).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[0].current && !versions[1].current);
    assert_eq!(
        store.record_rejections(second.extract.id).await.unwrap(),
        second.rejected
    );
    let known = h2h_ingest::known_areas(store.as_ref()).await.unwrap();
    let read = h2h_records::read_extract(&dir, &known).unwrap();
    let bytes = store
        .record_extract_bytes(second.extract.id)
        .await
        .unwrap()
        .unwrap();
    assert!(h2h_records::Extract::from_bytes(&bytes).unwrap() == read.extract);
    std::fs::remove_dir_all(&dir).unwrap();
}

const PARTNERSHIPS: &str = include_str!("../../../fixtures/partnerships/partnerships.csv");
const MEETINGS: &str = include_str!("../../../fixtures/partnerships/meetings.csv");

/// Two partnerships and their meetings go in through the imports; the partnership becomes an
/// area of kind `cdp` grouping its authorities in their region; the attendance comes back in
/// member order; importing both files again changes nothing, not even the data version.
async fn partnerships_and_meetings_are_saved_once_and_read_back(url: &str) {
    use h2h_domain::{Attendance, MeetingKind, MemberType};
    let store = open_with_reference_data(url).await.unwrap();
    let first = h2h_ingest::import_partnerships(
        store.as_ref(),
        "partnerships.csv",
        PARTNERSHIPS.as_bytes(),
        None,
    )
    .await
    .unwrap();
    let rejected: Vec<(u64, &str)> = first
        .rejected
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(rejected, [(10, "member_type")]);
    assert_eq!(first.areas_saved, 2);
    let area = store.area(&code("CDP-NE")).await.unwrap().unwrap();
    assert_eq!(area.kind, AreaKind::Cdp);
    assert_eq!(area.parents, vec![code("E12000001")]);
    assert!(area.population.is_some_and(|p| p > 600_000), "{area:?}");
    let partnerships = store.partnerships().await.unwrap();
    assert_eq!(partnerships.len(), 2);
    let ne = partnerships
        .iter()
        .find(|p| p.code.as_str() == "CDP-NE")
        .unwrap();
    assert_eq!(
        ne.local_authorities,
        vec![code("E06000005"), code("E06000047")]
    );
    assert_eq!(ne.members.len(), 5);
    assert_eq!(ne.members[3].member_type, MemberType::Prison);
    assert_eq!(ne.sro, "Director of Public Health");
    assert!(!ne.generated);

    let meetings =
        h2h_ingest::import_meetings(store.as_ref(), "meetings.csv", MEETINGS.as_bytes(), None)
            .await
            .unwrap();
    assert_eq!(meetings.rejected.len(), 1, "{:?}", meetings.rejected);
    assert_eq!(meetings.rejected[0].line, 26);
    assert_eq!(meetings.accepted, 25);
    assert_eq!(meetings.saved.meetings_added, 8);
    assert_eq!(meetings.saved.attendance_changed, 25);
    let held = store.meetings(Some(&code("CDP-NE"))).await.unwrap();
    assert_eq!(held.len(), 5);
    let september = held
        .iter()
        .find(|m| m.date.to_string() == "2024-09-10")
        .unwrap();
    assert_eq!(september.kind, MeetingKind::Main);
    assert_eq!(september.attendance[0].organisation, "Durham Constabulary");
    assert_eq!(september.attendance[0].attendance, Attendance::Attended);
    assert_eq!(store.meetings(None).await.unwrap().len(), 8);

    let version = store.data_version().await.unwrap();
    let again = h2h_ingest::import_partnerships(
        store.as_ref(),
        "partnerships.csv",
        PARTNERSHIPS.as_bytes(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(again.areas_saved, 0);
    assert!(
        again.saved.iter().all(|(_, s)| !s.changed()),
        "{:?}",
        again.saved
    );
    let again =
        h2h_ingest::import_meetings(store.as_ref(), "meetings.csv", MEETINGS.as_bytes(), None)
            .await
            .unwrap();
    assert_eq!(
        (again.saved.meetings_added, again.saved.attendance_changed),
        (0, 0)
    );
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "a re-import writes nothing"
    );

    // A changed attendance is one change.
    let changed = MEETINGS.replace(
        "2025-03-10,main,,HM Prison Frankland,did not attend",
        "2025-03-10,main,,HM Prison Frankland,attended",
    );
    let revised =
        h2h_ingest::import_meetings(store.as_ref(), "meetings.csv", changed.as_bytes(), None)
            .await
            .unwrap();
    assert_eq!(
        (
            revised.saved.meetings_added,
            revised.saved.attendance_changed
        ),
        (0, 1)
    );
}

async fn meetings_naming_non_members_are_refused_whole(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    h2h_ingest::import_partnerships(
        store.as_ref(),
        "partnerships.csv",
        PARTNERSHIPS.as_bytes(),
        None,
    )
    .await
    .unwrap();
    let meeting = h2h_domain::Meeting {
        partnership: code("CDP-NE"),
        date: time::macros::date!(2024 - 06 - 10),
        kind: h2h_domain::MeetingKind::Main,
        title: "Main partnership meeting".into(),
        attendance: vec![h2h_domain::AttendanceRecord {
            organisation: "Nobody".into(),
            attendance: h2h_domain::Attendance::Attended,
        }],
    };
    let error = store
        .save_meetings(&[meeting])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("Nobody") && error.contains("CDP-NE"),
        "{error}"
    );
    assert!(store.meetings(None).await.unwrap().is_empty());
}

/// The store keeps a return packed, but gives it back exactly as it came, and knows it again.
async fn a_submission_is_kept_byte_for_byte_as_received(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let mut text =
        String::from("\u{feff}metric_id,area_code,period,numerator,denominator,note\r\n");
    for year in 2015..2024 {
        text.push_str(&format!(
            "dip.completions,E06000047,{year}/{:02},{},480,\"said \"\"so\"\", café\"\r\n",
            (year + 1) % 100,
            year - 1900
        ));
    }
    text.push_str("dip.completions,NOWHERE,2023/24,1,2,\r\n");
    let sender = h2h_ingest::Sender {
        submitted_by: "test",
        source: Some("test return"),
        published: false,
    };
    let first = h2h_ingest::import_values(store.as_ref(), "v.csv", text.as_bytes(), None, sender)
        .await
        .unwrap();
    assert_eq!((first.accepted, first.rejected.len()), (9, 1));
    let id = first.submission_id.unwrap();
    let file = store.submitted_file(id).await.unwrap().unwrap();
    assert_eq!(
        (file.file_name.as_str(), file.content.as_slice()),
        ("v.csv", text.as_bytes())
    );
    assert_eq!(store.submitted_file(id + 1).await.unwrap(), None);
    let again = h2h_ingest::import_values(store.as_ref(), "v.csv", text.as_bytes(), None, sender)
        .await
        .unwrap();
    assert!(again.already_received && again.submission_id == Some(id));
}

async fn reference_data_is_installed_once(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let state = store.reference_state().await.unwrap();
    assert!(state.catalogue_version.is_some() && state.geography_version.is_some());
    let metrics = store.metrics().await.unwrap();
    assert_eq!(
        metrics.iter().filter(|m| m.tier == Tier::Headline).count(),
        11
    );
    assert_eq!(
        metrics
            .iter()
            .filter(|m| m.tier == Tier::Supporting)
            .count(),
        22
    );
    assert_eq!(store.outcomes().await.unwrap().len(), 6);
    assert_eq!(store.targets().await.unwrap().len(), 5);
    drop(store);
    // Opening again finds everything in place and changes nothing.
    let again = open_with_reference_data(url).await.unwrap();
    assert_eq!(again.reference_state().await.unwrap(), state);
    assert_eq!(again.metrics().await.unwrap(), metrics);
}

async fn areas_are_listed_by_kind_and_tier(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let count = |filter: &str| {
        let store = store.clone();
        let filter = AreaKindFilter::parse(filter).unwrap();
        async move { store.areas(Some(filter)).await.unwrap().len() }
    };
    assert_eq!(count("pfa").await, 43);
    assert_eq!(count("region").await, 9);
    assert_eq!(count("country").await, 3);
    assert_eq!(count("upper_tier").await, 153 + 22);
    assert_eq!(count("lower_tier").await, 296 + 22);
    assert_eq!(count("csp").await, 314);
    let forces = store
        .areas(Some(AreaKindFilter::Kind(AreaKind::Pfa)))
        .await
        .unwrap();
    assert!(
        forces
            .iter()
            .all(|f| f.population.is_some() && f.parents.len() == 1)
    );
}

async fn an_area_has_parents_children_and_populations(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let north_east = store.area(&code("E12000001")).await.unwrap().unwrap();
    assert_eq!(north_east.name, "North East");
    assert_eq!(north_east.parents, vec![code("E92000001")]);
    let children = store.area_children(&north_east.code).await.unwrap();
    assert!(children.iter().any(|c| c.name == "County Durham"));
    assert!(
        children
            .iter()
            .any(|c| c.kind == AreaKind::Pfa && c.name == "Durham")
    );
    let durham = store.area(&code("E06000047")).await.unwrap().unwrap();
    assert_eq!(durham.population, Some(532_182));
    let estimates = store.populations(&durham.code).await.unwrap();
    let adults = estimates
        .iter()
        .find(|e| e.year == 2023 && e.age_band == AgeBand { from: 18, to: None })
        .unwrap();
    assert_eq!(adults.population, 432_553);
    assert_eq!(
        estimates
            .iter()
            .filter(|e| e.age_band == AgeBand::ALL_AGES)
            .count(),
        13,
        "mid-2011 to mid-2023"
    );
}

async fn retired_codes_find_the_current_area(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let barnsley = store.area(&code("E08000016")).await.unwrap().unwrap();
    assert_eq!(
        (barnsley.code.as_str(), barnsley.name.as_str()),
        ("E08000038", "Barnsley")
    );
    let allerdale = store.area(&code("E07000026")).await.unwrap().unwrap();
    assert_eq!(allerdale.name, "Cumberland");
    assert!(store.area(&code("E99999999")).await.unwrap().is_none());
    let changes = store.code_changes().await.unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.old_code.as_str() == "E08000019" && c.new_code.as_str() == "E08000039")
    );
}

const PARTNERSHIP: &str = "area_code,name,kind,members,parent_code\n\
    CDP-DD,County Durham and Darlington,cdp,E06000047;E06000005,E12000001\n";

async fn custom_areas_group_authorities_and_sum_populations(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let file = read_areas("areas.csv", PARTNERSHIP).unwrap();
    let import = import_areas(store.as_ref(), file).await.unwrap();
    assert_eq!((import.accepted, import.rejected.len()), (1, 0));
    let cdp = store.area(&code("CDP-DD")).await.unwrap().unwrap();
    assert_eq!(cdp.kind, AreaKind::Cdp);
    assert_eq!(cdp.parents, vec![code("E12000001")]);
    assert_eq!(cdp.population, Some(532_182 + 110_562));
    let members: Vec<String> = store
        .area_children(&cdp.code)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(members, ["Darlington", "County Durham"]);
    let durham = store.area(&code("E06000047")).await.unwrap().unwrap();
    assert!(durham.parents.contains(&cdp.code));
    // Importing the same file again changes nothing; a new name renames it.
    let again = import_areas(
        store.as_ref(),
        read_areas("areas.csv", PARTNERSHIP).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(again.accepted, 1);
    assert_eq!(
        store
            .areas(Some(AreaKindFilter::Kind(AreaKind::Cdp)))
            .await
            .unwrap()
            .len(),
        1
    );
    let renamed = PARTNERSHIP.replace(
        "County Durham and Darlington,",
        "Durham and Darlington CDAP,",
    );
    import_areas(store.as_ref(), read_areas("areas.csv", &renamed).unwrap())
        .await
        .unwrap();
    assert_eq!(
        store.area(&code("CDP-DD")).await.unwrap().unwrap().name,
        "Durham and Darlington CDAP"
    );
}

async fn custom_area_rows_with_bad_references_are_rejected(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let text = "area_code,name,kind,members,parent_code\n\
                GOOD,Good,custom,E08000016,\n\
                UNKNOWN,Unknown member,custom,E06000047;E06999999,\n\
                NESTED,Nested,custom,E10000003;E07000008,\n\
                ORPHAN,Bad parent,dip_area,E06000047,NOPE\n";
    let import = import_areas(store.as_ref(), read_areas("areas.csv", text).unwrap())
        .await
        .unwrap();
    assert_eq!(import.accepted, 1);
    let messages: Vec<String> = import.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "areas.csv, line 3, column members: \"E06999999\" is not a known area code",
            "areas.csv, line 4, column members: \"E07000008\" lies within another member; list each place once",
            "areas.csv, line 5, column parent_code: \"NOPE\" is not a known area code",
        ]
    );
    let good = store.area(&code("GOOD")).await.unwrap().unwrap();
    let members = store.area_children(&good.code).await.unwrap();
    assert_eq!(
        members[0].code.as_str(),
        "E08000038",
        "a retired member code is stored as the current one"
    );
}

async fn shipped_areas_cannot_be_redefined(url: &str) {
    let store = open_with_reference_data(url).await.unwrap();
    let text = "area_code,name,kind,members\nE06000047,Not Durham,custom,E06000005\n";
    let import = import_areas(store.as_ref(), read_areas("areas.csv", text).unwrap())
        .await
        .unwrap();
    assert_eq!(import.accepted, 0);
    assert!(
        import.rejected[0]
            .to_string()
            .contains("cannot be redefined"),
        "{}",
        import.rejected[0]
    );
    assert_eq!(
        store.area(&code("E06000047")).await.unwrap().unwrap().name,
        "County Durham"
    );
}
