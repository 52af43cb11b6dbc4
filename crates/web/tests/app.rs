//! The web application in-process (no sockets) against fresh SQLite and PostgreSQL stores:
//! the JSON API, the OpenAPI document and every page reachable from the home page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeSet, VecDeque};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use h2h_domain::AreaCode;
use std::sync::Arc;

use h2h_store::{Store, on_both_backends};
use serde_json::Value;
use tower::ServiceExt;

async fn app(url: &str) -> Router {
    let store = h2h_ingest::open_with_reference_data(url).await.unwrap();
    let partnership = "area_code,name,kind,members,parent_code\n\
                       CDP-DD,County Durham and Darlington,cdp,E06000047;E06000005,E12000001\n";
    let file = h2h_ingest::read_areas("areas.csv", partnership).unwrap();
    h2h_ingest::import_areas(store.as_ref(), file)
        .await
        .unwrap();
    let sender = h2h_ingest::Sender {
        submitted_by: "test",
        source: Some("test return"),
        published: false,
    };
    let imported = h2h_ingest::import_values(
        store.as_ref(),
        "values.csv",
        RETURN.as_bytes(),
        None,
        sender,
    )
    .await
    .unwrap();
    assert!(imported.rejected.is_empty(), "{:?}", imported.rejected);
    let plan = h2h_ingest::import_plan(store.as_ref(), "plan.csv", PLAN.as_bytes(), None, "test")
        .await
        .unwrap();
    assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
    // Members and meetings for CDP-DD, from the shared fixtures with its code.
    let partnerships = PARTNERSHIPS
        .replace(
            "CDP-NE,Durham and Darlington Test Partnership",
            "CDP-DD,County Durham and Darlington",
        )
        .replace("CDP-NE,", "CDP-DD,");
    let saved = h2h_ingest::import_partnerships(
        store.as_ref(),
        "partnerships.csv",
        partnerships.as_bytes(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(saved.saved.len(), 2, "{:?}", saved.rejected);
    let meetings = MEETINGS.replace("CDP-NE,", "CDP-DD,");
    h2h_ingest::import_meetings(store.as_ref(), "meetings.csv", meetings.as_bytes(), None)
        .await
        .unwrap();
    as_national_admin(store.as_ref(), h2h_web::app(Arc::clone(&store))).await
}

/// The app as a national administrator sees it, every request carrying their API token:
/// these tests are about what the pages say; `permissions.rs` tests who may see them.
async fn as_national_admin(store: &dyn Store, app: Router) -> Router {
    let account = store
        .create_account(&h2h_store::NewAccount {
            username: &h2h_domain::Username::parse("admin").unwrap(),
            display_name: "Test administrator",
            role: h2h_domain::Role::NationalAdmin,
            areas: &[],
            password_hash: "not used",
            created_at: "2024-01-01T00:00:00Z",
        })
        .await
        .unwrap();
    let token = h2h_web::auth::new_secret(h2h_web::auth::TOKEN_PREFIX).unwrap();
    store
        .create_api_token(
            account.principal.account_id,
            "tests",
            &h2h_web::auth::digest(&token),
            "2024-01-01T00:00:00Z",
        )
        .await
        .unwrap();
    let bearer = header::HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    app.layer(axum::middleware::map_request(
        move |mut request: Request<Body>| {
            let bearer = bearer.clone();
            async move {
                request.headers_mut().insert(header::AUTHORIZATION, bearer);
                request
            }
        },
    ))
}

const PARTNERSHIPS: &str = include_str!("../../../fixtures/partnerships/partnerships.csv");
const MEETINGS: &str = include_str!("../../../fixtures/partnerships/meetings.csv");

/// A small plan for the partnership: one red action linked to completions, one complete,
/// one past its deadline.
const PLAN: &str = "plan,area_code,objective,action_no,action,lead,deadline,status,metric_ids,update_date,update\n\
    Test plan,CDP-DD,Treatment,1,Open a recovery hub,Council/NHS,31/03/2030,R,dip.completions,2024-06-30,Site not found\n\
    Test plan,CDP-DD,Treatment,2,Train staff,NHS,March 2024,Complete,,,\n\
    Test plan,CDP-DD,Supply,3,Close county lines,Police,December 2023,G,,2023-11-30,Two lines closed\n";

/// Completions (a proportion) for Durham, Darlington and England, with a sex breakdown for
/// Durham small enough to need suppression when published.
const RETURN: &str = "metric_id,area_code,period,numerator,denominator,breakdown\n\
    dip.completions,E06000047,2023/24,120,480,\n\
    dip.completions,E06000047,2023/24,3,20,sex=female\n\
    dip.completions,E06000047,2023/24,117,460,sex=male\n\
    dip.completions,E06000005,2023/24,30,100,\n\
    dip.completions,E92000001,2023/24,10000,43290,\n";

fn close(actual: &Value, expected: f64) -> bool {
    actual
        .as_f64()
        .is_some_and(|a| (a - expected).abs() < 0.0005)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        content_type,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn get_json(app: &Router, uri: &str) -> (StatusCode, Value) {
    let (status, content_type, body) = get(app, uri).await;
    assert!(
        content_type.starts_with("application/json"),
        "{uri}: {content_type}"
    );
    (status, serde_json::from_str(&body).unwrap())
}

on_both_backends!(
    a_shift_in_monthly_figures_is_an_early_warning,
    revisions_and_rejected_rows_are_kept,
    indicators_have_intervals_comparisons_and_suppression,
    the_api_answers_the_documented_paths,
    areas_come_with_kind_parents_and_population,
    periods_parse_and_list,
    every_page_linked_from_home_answers,
    unknown_things_answer_not_found_pages,
    a_plan_is_filtered_and_updated_with_stale_edits_refused,
    the_performance_pack_is_offered_on_the_area_page_and_downloads,
    the_attendance_analysis_and_a_partnership_page_show_the_rule_in_figures_and_words,
    a_report_is_signed_on_its_form_and_kept_as_signed,
    the_scorecard_page_and_api_show_a_dip_extract_for_any_area,
    the_scorecard_page_links_its_downloads_and_the_pack_carries_the_scorecard,
);

/// A generated DIP extract for Gwent's five local authorities, imported as the demo does.
async fn import_gwent_records(url: &str) {
    let store = h2h_ingest::open_with_reference_data(url).await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "h2h-web-records-{}-{}",
        std::process::id(),
        url.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let areas: Vec<(AreaCode, u64)> = (18..=22)
        .map(|n| (AreaCode::parse(&format!("W060000{n}")).unwrap(), 100_000))
        .collect();
    h2h_records::generate(3000, 2026, &areas, 2015, &dir).unwrap();
    let imported = h2h_ingest::import_records(
        store.as_ref(),
        &dir,
        "Gwent DIP (generated demo data)",
        "test",
    )
    .await
    .unwrap();
    assert!(imported.rejected.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The police force area's scorecard sums its five authorities' (the API, measure by
/// measure); the page shows the sections, the pathway, the breakdowns as charts with tables,
/// the trend's periods and the terminology, says the data are generated, and is linked from
/// the area page; a bad period is explained on the page, an unknown area is not found.
async fn the_scorecard_page_and_api_show_a_dip_extract_for_any_area(url: &str) {
    let app = app(url).await;
    let (status, error) = get_json(&app, "/api/v1/scorecard?area=W15000002&period=2023/24").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    import_gwent_records(url).await;
    let (status, gwent) = get_json(&app, "/api/v1/scorecard?area=W15000002&period=2023/24").await;
    assert_eq!(status, StatusCode::OK, "{gwent}");
    assert_eq!(gwent["area"]["name"], "Gwent");
    assert_eq!(gwent["period"]["start"], "2023-04-01");
    let value = |card: &Value, id: &str| -> u64 {
        card["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["measures"].as_array().unwrap())
            .find(|m| m["id"] == id)
            .unwrap()["value"]
            .as_u64()
            .unwrap()
    };
    let mut sums = [0u64; 3];
    for n in 18..=22 {
        let (_, la) = get_json(
            &app,
            &format!("/api/v1/scorecard?area=W060000{n}&period=2023/24"),
        )
        .await;
        for (sum, id) in sums.iter_mut().zip(["referrals", "caseload", "closures"]) {
            *sum += value(&la, id);
        }
    }
    assert!(sums[0] > 50, "{sums:?}");
    assert_eq!(
        sums,
        [
            value(&gwent, "referrals"),
            value(&gwent, "caseload"),
            value(&gwent, "closures")
        ]
    );
    let (status, _) = get_json(&app, "/api/v1/scorecard?area=W15000002&period=2023/24-Q9").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, versions) = get_json(&app, "/api/v1/record-extracts").await;
    assert_eq!(versions.as_array().unwrap().len(), 1);
    assert_eq!(versions[0]["service"], "Gwent DIP (generated demo data)");
    assert_eq!(versions[0]["current"], true);

    let (_, _, area) = get(&app, "/areas/W15000002").await;
    assert!(
        area.contains("href=\"/areas/W15000002/scorecard\""),
        "the area page links the scorecard"
    );
    let (_, _, home) = get(&app, "/").await;
    assert!(
        home.contains("/areas/W15000002/scorecard"),
        "the home page lists the scorecard"
    );
    let (status, _, page) = get(&app, "/areas/W15000002/scorecard?period=2023/24").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Scorecard: Gwent",
        "Generated demo data",
        "The referral pathway",
        "Care plan agreed",
        "How much did we do?",
        "Is anyone better off?",
        "Number of referrals",
        "2019/20",
        "Newport",
        "role=\"img\"",
        "Terminology",
    ] {
        assert!(
            page.contains(expected),
            "the scorecard page lacks {expected:?}"
        );
    }
    let (status, _, bad) = get(&app, "/areas/W15000002/scorecard?period=soon").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bad.contains("The period could not be read"));
    let (status, _, _) = get(&app, "/areas/W15999999/scorecard").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A response's status, headers and body bytes.
async fn fetch(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, body.to_vec())
}

/// The scorecard page links the scorecard as HTML, Excel and PDF for the period shown; each
/// link downloads a file of its type named after the area and period, with the figures of
/// the API; the performance pack of Gwent carries the scorecard and County Durham's says
/// plainly that no extract covers it.
async fn the_scorecard_page_links_its_downloads_and_the_pack_carries_the_scorecard(url: &str) {
    let app = app(url).await;
    let (status, _, page) = get(&app, "/areas/W15000002/scorecard?period=2023/24").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("/scorecard/download"),
        "no downloads before any extract is held"
    );
    let (status, _, _) = get(&app, "/areas/W15000002/scorecard/download?format=pdf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    import_gwent_records(url).await;
    let (_, _, page) = get(&app, "/areas/W15000002/scorecard?period=2023/24-H2").await;
    let links: Vec<String> = ["html", "xlsx", "pdf"]
        .map(|f| format!("/areas/W15000002/scorecard/download?format={f}&amp;period=2023/24-H2"))
        .to_vec();
    for link in &links {
        assert!(
            page.contains(&format!("href=\"{link}\"")),
            "{link} in {page}"
        );
    }
    assert!(page.contains("Download the scorecard as a PDF"));

    let (_, api) = get_json(&app, "/api/v1/scorecard?area=W15000002&period=2023/24-H2").await;
    let referrals = api["sections"][0]["measures"][0]["value"].as_u64().unwrap();
    assert!(referrals > 0);
    for (format, media_type, magic) in [
        ("html", "text/html; charset=utf-8", &b"<!DOCTYPE html>"[..]),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &b"PK"[..],
        ),
        ("pdf", "application/pdf", &b"%PDF"[..]),
    ] {
        let uri = links
            .iter()
            .find(|l| l.contains(&format!("format={format}&")))
            .unwrap()
            .replace("&amp;", "&");
        let (status, headers, body) = fetch(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers[header::CONTENT_TYPE], media_type, "{uri}");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"h2h-scorecard-W15000002-2023-24-H2.{format}\"")
                .as_str(),
        );
        assert!(body.starts_with(magic), "{uri}: a {format} file");
        if format == "html" {
            let html = String::from_utf8(body).unwrap();
            assert!(
                html.contains("Scorecard: Gwent, 2023/24 H2") || html.contains("Scorecard: Gwent")
            );
            assert!(html.contains("OFFICIAL-SENSITIVE: unpublished management information"));
            assert!(
                html.contains(&format!("<strong>{}</strong>", thousands(referrals))),
                "the API's referrals"
            );
        }
    }
    let (status, _, bad) = get(&app, "/areas/W15000002/scorecard/download?format=docx").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("expected html, xlsx or pdf"), "{bad}");
    let (status, _, _) = get(&app, "/areas/W15000002/scorecard/download?period=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = get(&app, "/areas/W15999999/scorecard/download").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, pack) = get(&app, "/areas/W15000002/pack?period=2023%2F24&format=html").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Results Based Accountability scorecard",
        "The referral pathway",
        "Is anyone better off?",
        "OFFICIAL-SENSITIVE: unpublished management information",
    ] {
        assert!(pack.contains(expected), "the Gwent pack lacks {expected:?}");
    }
    let (_, _, durham) = get(&app, "/areas/E06000047/pack?period=2023%2F24&format=html").await;
    assert!(
        durham.contains("No client-level extract covers County Durham"),
        "{durham}"
    );
    assert!(!durham.contains("The referral pathway"));
}

/// A count with thousands separated, as pages show it.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The fixtures' two partnerships in 2024/25: police attend both regularly; the
/// commissioner only the North East's (half its meetings is enough); the prison neither.
async fn the_attendance_analysis_and_a_partnership_page_show_the_rule_in_figures_and_words(
    url: &str,
) {
    let app = app(url).await;
    let (status, analysis) = get_json(&app, "/api/v1/attendance").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(analysis["window"], "2024/25");
    assert_eq!(analysis["partnerships_analysed"], 2);
    let by_type = |t: &str| {
        analysis["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["member_type"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(by_type("police")["percent"], 100);
    assert_eq!(
        by_type("police")["headline"],
        "All partnerships have police force attendance at main meetings"
    );
    let pcc = by_type("pcc");
    assert_eq!(
        (pcc["count"].as_u64(), pcc["of"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        pcc["regional_headline"],
        "All partnerships in the North East have police and crime commissioner attendance, compared to 0% of London partnerships"
    );
    assert_eq!(by_type("prison")["percent"], 0);
    assert_eq!(by_type("la_community_safety")["percent"], 50);
    let (_, earlier) = get_json(&app, "/api/v1/attendance?year=2023/24").await;
    assert_eq!(earlier["partnerships_analysed"], 1);
    assert_eq!(earlier["without_main_meetings"][0], "CDP-DD");
    let (_, london) = get_json(&app, "/api/v1/attendance?region=E12000007").await;
    assert_eq!(london["partnerships_analysed"], 1);
    let (status, _) = get_json(&app, "/api/v1/attendance?year=2024").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get_json(&app, "/api/v1/attendance?region=E06000047").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, partnership) = get_json(&app, "/api/v1/partnerships/CDP-DD").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(partnership["partnership"]["region_code"], "E12000001");
    let prison = &partnership["attendance"][3];
    assert_eq!(prison["organisation"], "HM Prison Frankland");
    assert_eq!(
        (prison["held"].as_u64(), prison["attended"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(prison["attends_regularly"], false);
    assert_eq!(partnership["meetings"].as_array().unwrap().len(), 5);
    let (status, _) = get_json(&app, "/api/v1/partnerships/CDP-NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, page) = get(&app, "/attendance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("All partnerships have police force attendance at main meetings"),
        "{page}"
    );
    assert!(
        page.contains("<svg") && page.contains("role=\"img\""),
        "a chart beside the table"
    );
    assert!(page.contains("1 of 2"), "counts in words");
    let (status, _, page) = get(&app, "/attendance?type=prison&year=2024/25").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Prison (secure estate): by region"));
    let (_, _, page) = get(&app, "/partnerships/CDP-DD").await;
    for text in [
        "Director of Public Health",
        "HM Prison Frankland",
        "1 of 4",
        "Sent apologies",
        "Treatment and recovery",
        "Prison (secure estate)",
    ] {
        assert!(page.contains(text), "{text} is on the partnership page");
    }
    let (_, _, area) = get(&app, "/areas/CDP-DD").await;
    assert!(
        area.contains("href=\"/partnerships/CDP-DD\""),
        "the area page links to it"
    );
    let (_, _, plan) = get(&app, "/plans/1").await;
    assert!(
        plan.contains("href=\"/partnerships/CDP-DD\""),
        "the plan links to it"
    );
    let (status, _, _) = get(&app, "/partnerships/CDP-DD?year=twenty").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Fourteen months of completions for Darlington, the last seven well above the first: the
/// area's warnings name the shift, on the API and on the area page.
async fn a_shift_in_monthly_figures_is_an_early_warning(url: &str) {
    let store = h2h_ingest::open_with_reference_data(url).await.unwrap();
    let mut monthly = String::from("metric_id,area_code,period,numerator,denominator\n");
    for i in 0..14_u32 {
        let (year, month) = (2023 + (3 + i) / 12, (3 + i) % 12 + 1);
        let numerator = if i < 7 { 20 + i % 2 } else { 60 + i % 2 };
        monthly.push_str(&format!(
            "dip.completions,E06000005,{year}-{month:02},{numerator},100\n"
        ));
    }
    let sender = h2h_ingest::Sender {
        submitted_by: "analyst",
        source: None,
        published: false,
    };
    let imported = h2h_ingest::import_values(
        store.as_ref(),
        "monthly.csv",
        monthly.as_bytes(),
        None,
        sender,
    )
    .await
    .unwrap();
    assert_eq!(imported.accepted, 14, "{:?}", imported.rejected);
    let app = as_national_admin(store.as_ref(), h2h_web::app(Arc::clone(&store))).await;
    let (status, warnings) = get_json(&app, "/api/v1/warnings?area=E06000005").await;
    assert_eq!(status, StatusCode::OK);
    let warnings = warnings.as_array().unwrap();
    assert!(!warnings.is_empty(), "a shift raises a warning");
    assert!(
        warnings
            .iter()
            .all(|w| w["metric_id"] == "dip.completions" && w["period"] == "2024-05"),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w["variation"] == "special_cause_improving"),
        "higher completions are better: {warnings:?}"
    );
    let (_, _, page) = get(&app, "/areas/E06000005").await;
    assert!(
        page.contains("Early warnings") && page.contains("special cause improving"),
        "the area page lists them"
    );
    let (_, none) = get_json(&app, "/api/v1/warnings?area=E06000047").await;
    assert!(none.as_array().unwrap().is_empty());
}

/// A second return revises one value, repeats one unchanged and has a bad row: the first
/// figure stays in the history, the bad row is kept with its reason.
async fn revisions_and_rejected_rows_are_kept(url: &str) {
    let store = h2h_ingest::open_with_reference_data(url).await.unwrap();
    let sender = h2h_ingest::Sender {
        submitted_by: "analyst",
        source: None,
        published: false,
    };
    let first =
        h2h_ingest::import_values(store.as_ref(), "q1.csv", RETURN.as_bytes(), None, sender)
            .await
            .unwrap();
    assert_eq!((first.accepted, first.unchanged), (5, 0));
    let second_return = "metric_id,area_code,period,numerator,denominator\n\
        dip.completions,E06000047,2023/24,130,480\n\
        dip.completions,E06000005,2023/24,30,100\n\
        dip.completions,E06000005,2023/24,40,30\n";
    let second = h2h_ingest::import_values(
        store.as_ref(),
        "q1-revised.csv",
        second_return.as_bytes(),
        None,
        sender,
    )
    .await
    .unwrap();
    assert_eq!(
        (second.accepted, second.unchanged, second.rejected.len()),
        (1, 1, 1)
    );
    let again = h2h_ingest::import_values(
        store.as_ref(),
        "q1-revised.csv",
        second_return.as_bytes(),
        None,
        sender,
    )
    .await
    .unwrap();
    assert!(again.already_received && again.accepted == 0, "{again:?}");
    let app = as_national_admin(store.as_ref(), h2h_web::app(Arc::clone(&store))).await;
    let (_, history) = get_json(
        &app,
        "/api/v1/values/history?metric=dip.completions&area=E06000047&period=2023/24",
    )
    .await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0]["numerator"].as_f64(),
            history[0]["current"].as_bool()
        ),
        (Some(120.0), Some(false))
    );
    assert_eq!(
        (
            history[1]["numerator"].as_f64(),
            history[1]["current"].as_bool()
        ),
        (Some(130.0), Some(true))
    );
    let (_, submissions) = get_json(&app, "/api/v1/submissions").await;
    let submissions = submissions.as_array().unwrap();
    assert_eq!(
        submissions.len(),
        2,
        "the repeated file is not recorded again"
    );
    assert_eq!(submissions[0]["file_name"], "q1-revised.csv");
    assert_eq!(
        (
            submissions[0]["accepted"].as_u64(),
            submissions[0]["rejected"].as_u64(),
            submissions[0]["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let id = submissions[0]["id"].as_i64().unwrap();
    let (status, content_type, file) = get(&app, &format!("/api/v1/submissions/{id}/file")).await;
    assert_eq!(
        (status, content_type.as_str(), file.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8", second_return),
        "the file comes back as it was received"
    );
    let (status, _, _) = get(&app, "/api/v1/submissions/999/file").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, rejected) = get_json(&app, &format!("/api/v1/submissions/{id}/rejected")).await;
    let rejected = rejected.as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["line"], 4);
    assert_eq!(rejected[0]["column"], "denominator");
    assert!(
        rejected[0]["raw"].to_string().contains("E06000005"),
        "{}",
        rejected[0]
    );
    let (_, page) = (
        0,
        get(&app, "/areas/E06000047/metrics/dip.completions")
            .await
            .2,
    );
    assert!(page.contains("Revisions of the 2023/24 figure") && page.contains("(current)"));
}

async fn indicators_have_intervals_comparisons_and_suppression(url: &str) {
    let app = app(url).await;
    let (status, rows) = get_json(&app, "/api/v1/indicators?area=E06000047&period=2023/24").await;
    assert_eq!(status, StatusCode::OK);
    let rows = rows.as_array().unwrap();
    let total = rows
        .iter()
        .find(|r| r["metric_id"] == "dip.completions" && r["breakdown"].is_null())
        .unwrap();
    assert!(close(&total["value"], 25.0), "{total}");
    assert!(
        close(&total["lower_95"], 21.335) && close(&total["upper_95"], 29.062),
        "{total}"
    );
    assert!(
        close(&total["lower_99_8"], 19.420) && close(&total["upper_99_8"], 31.555),
        "{total}"
    );
    assert_eq!(total["benchmark"]["area_code"], "E92000001");
    assert_eq!(total["comparison"], "similar");
    assert_eq!(total["trend"], "cannot_be_calculated");
    assert_eq!(total["marking"], "OFFICIAL-SENSITIVE");
    assert_eq!(total["suppressed"], false);
    // Published: the 3 is withheld, and so is the male figure that would reveal it.
    let (_, published) = get_json(
        &app,
        "/api/v1/indicators?area=E06000047&period=2023/24&published=true",
    )
    .await;
    let published = published.as_array().unwrap();
    for row in published.iter().filter(|r| !r["breakdown"].is_null()) {
        assert_eq!(row["suppressed"], true, "{row}");
        assert!(
            row["value"].is_null() && row["numerator"].is_null() && row["comparison"].is_null(),
            "{row}"
        );
    }
    let total = published.iter().find(|r| r["breakdown"].is_null()).unwrap();
    assert_eq!(total["suppressed"], false);
    assert!(total.get("marking").is_none(), "{total}");
    // The partnership sums its members' numerators and denominators.
    let (_, cdp) = get_json(&app, "/api/v1/indicators?area=CDP-DD&period=2023/24").await;
    let cdp = cdp
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["breakdown"].is_null())
        .unwrap()
        .clone();
    assert_eq!(
        (cdp["numerator"].as_f64(), cdp["denominator"].as_f64()),
        (Some(150.0), Some(580.0))
    );
    assert_eq!(cdp["summed_members"], 2);
    let (status, error) = get_json(&app, "/api/v1/indicators?area=E06000047&period=2023-13").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, _) = get_json(&app, "/api/v1/indicators?area=NOPE&period=2023/24").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, page) = get(&app, "/areas/E06000047/metrics/dip.completions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("25.0%") && page.contains("<svg"),
        "the metric page shows the value and a chart"
    );
}

async fn the_api_answers_the_documented_paths(url: &str) {
    let app = app(url).await;
    import_gwent_records(url).await;
    let (status, outcomes) = get_json(&app, "/api/v1/outcomes").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcomes.as_array().unwrap().len(), 6);
    let (_, headline) = get_json(&app, "/api/v1/metrics?tier=headline").await;
    assert_eq!(headline.as_array().unwrap().len(), 11);
    let first = &headline[0];
    for field in [
        "id",
        "name",
        "outcome",
        "tier",
        "unit",
        "multiplier",
        "polarity",
        "definition",
        "source",
        "frequency",
        "maps_to",
    ] {
        assert!(
            first.get(field).is_some(),
            "metric JSON lacks {field}: {first}"
        );
    }
    let (status, error) = get_json(&app, "/api/v1/metrics?tier=top").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"].as_str().unwrap().contains("headline"),
        "{error}"
    );
    let id = first["id"].as_str().unwrap();
    let (status, one) = get_json(&app, &format!("/api/v1/metrics/{id}")).await;
    assert_eq!((status, &one["id"]), (StatusCode::OK, &first["id"]));
    let (_, targets) = get_json(&app, "/api/v1/targets?area=E92000001").await;
    assert_eq!(targets.as_array().unwrap().len(), 5);
    let (status, health) = get_json(&app, "/healthz").await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );

    // Every path of the OpenAPI document is served (none answers 404 or 405).
    let (_, doc) = get_json(&app, "/api/v1/openapi.json").await;
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected = BTreeSet::from([
        "/api/v1/areas",
        "/api/v1/areas/{code}",
        "/api/v1/indicators",
        "/api/v1/submissions",
        "/api/v1/submissions/{id}/rejected",
        "/api/v1/submissions/{id}/file",
        "/api/v1/values/history",
        "/api/v1/warnings",
        "/api/v1/metrics",
        "/api/v1/metrics/{id}",
        "/api/v1/outcomes",
        "/api/v1/periods",
        "/api/v1/periods/parse",
        "/api/v1/plans",
        "/api/v1/plans/{id}",
        "/api/v1/partnerships",
        "/api/v1/partnerships/{code}",
        "/api/v1/attendance",
        "/api/v1/reports",
        "/api/v1/reports/{id}",
        "/api/v1/references",
        "/api/v1/targets",
        "/api/v1/scorecard",
        "/api/v1/record-extracts",
        "/healthz",
    ]);
    assert_eq!(paths, expected);
    let (status, location, _) = post_form(&app, "/areas/CDP-DD/sign", SIGNING).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a report is signed for the report paths"
    );
    let report = location.trim_start_matches("/reports/").to_owned();
    for path in paths {
        let concrete = match path {
            "/api/v1/periods/parse" => String::from("/api/v1/periods/parse?text=2024/25"),
            "/api/v1/indicators" => {
                String::from("/api/v1/indicators?area=E06000047&period=2023/24")
            }
            "/api/v1/periods" => {
                String::from("/api/v1/periods?kind=quarter&from=2024/25&to=2024/25")
            }
            "/api/v1/submissions/{id}/rejected" => String::from("/api/v1/submissions/1/rejected"),
            "/api/v1/submissions/{id}/file" => String::from("/api/v1/submissions/1/file"),
            "/api/v1/plans/{id}" => String::from("/api/v1/plans/1?as_of=2025-01-01"),
            "/api/v1/partnerships/{code}" => {
                String::from("/api/v1/partnerships/CDP-DD?year=2024/25")
            }
            "/api/v1/warnings" => String::from("/api/v1/warnings?area=E06000047"),
            "/api/v1/values/history" => String::from(
                "/api/v1/values/history?metric=dip.completions&area=E06000047&period=2023/24",
            ),
            "/api/v1/reports/{id}" => format!("/api/v1/reports/{report}"),
            "/api/v1/scorecard" => String::from("/api/v1/scorecard?area=W15000002&period=2023/24"),
            _ => path.replace("{code}", "E06000047").replace("{id}", id),
        };
        let (status, _, body) = get(&app, &concrete).await;
        assert_eq!(status, StatusCode::OK, "{concrete}: {body}");
    }
}

async fn areas_come_with_kind_parents_and_population(url: &str) {
    let app = app(url).await;
    let (_, forces) = get_json(&app, "/api/v1/areas?kind=pfa").await;
    let forces = forces.as_array().unwrap();
    assert_eq!(forces.len(), 43);
    let met = forces.iter().find(|f| f["code"] == "E23000001").unwrap();
    assert_eq!(met["name"], "Metropolitan Police");
    assert_eq!(met["kind"], "pfa");
    assert_eq!(met["parents"], serde_json::json!(["E12000007"]));
    assert_eq!(met["population"], 8_931_847);
    let (_, upper) = get_json(&app, "/api/v1/areas?kind=upper_tier").await;
    assert_eq!(upper.as_array().unwrap().len(), 175);
    let (_, found) = get_json(&app, "/api/v1/areas?q=darlington").await;
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Darlington") && names.contains(&"County Durham and Darlington"),
        "{names:?}"
    );
    let (status, barnsley) = get_json(&app, "/api/v1/areas/E08000016").await;
    assert_eq!(
        (status, barnsley["code"].as_str()),
        (StatusCode::OK, Some("E08000038"))
    );
    let (_, cdp) = get_json(&app, "/api/v1/areas/CDP-DD").await;
    assert_eq!(cdp["population"], 642_744);
    assert_eq!(cdp["children"].as_array().unwrap().len(), 2);
    let (status, error) = get_json(&app, "/api/v1/areas?kind=ward").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"].as_str().unwrap().contains("upper_tier"),
        "{error}"
    );
}

async fn periods_parse_and_list(url: &str) {
    let app = app(url).await;
    let (status, period) = get_json(&app, "/api/v1/periods/parse?text=Q1%202024%2F25").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(period["code"], "2024/25-Q1");
    assert_eq!(period["start"], "2024-04-01");
    assert_eq!(period["end"], "2024-06-30");
    assert_eq!(period["financial_year"], "2024/25");
    let (status, error) = get_json(&app, "/api/v1/periods/parse?text=2024-13").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"].as_str().unwrap().contains("month 13"),
        "{error}"
    );
    let (_, quarters) =
        get_json(&app, "/api/v1/periods?kind=quarter&from=2023/24&to=2024/25").await;
    let codes: Vec<&str> = quarters
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "2023/24-Q1",
            "2023/24-Q2",
            "2023/24-Q3",
            "2023/24-Q4",
            "2024/25-Q1",
            "2024/25-Q2",
            "2024/25-Q3",
            "2024/25-Q4"
        ]
    );
    let (_, months) = get_json(
        &app,
        "/api/v1/periods?kind=month&from=2024/25-Q4&to=2024/25-Q4",
    )
    .await;
    assert_eq!(months.as_array().unwrap().len(), 3);
}

/// Follows every same-site link from the home page, two pages deep, and checks each answers
/// 200 with HTML or the JSON it links to.
async fn every_page_linked_from_home_answers(url: &str) {
    let app = app(url).await;
    import_gwent_records(url).await;
    let mut queue = VecDeque::from([(String::from("/"), 0)]);
    let mut seen = BTreeSet::new();
    while let Some((page, depth)) = queue.pop_front() {
        if !seen.insert(page.clone()) {
            continue;
        }
        let (status, content_type, body) = get(&app, &page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        if depth >= 2 || !content_type.starts_with("text/html") {
            continue;
        }
        for link in body
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
        {
            let link = link.replace("&amp;", "&");
            if link.starts_with('/') && !link.starts_with("//") {
                let link = link.split('#').next().unwrap_or_default().to_owned();
                queue.push_back((link, depth + 1));
            }
        }
    }
    for expected in [
        "/framework",
        "/areas?kind=pfa",
        "/areas/CDP-DD",
        "/areas/E12000001",
        "/partnerships",
        "/partnerships/CDP-DD",
        "/attendance",
        "/areas/W15000002/scorecard",
    ] {
        assert!(
            seen.contains(expected),
            "{expected} is not linked: {seen:?}"
        );
    }
    assert!(
        seen.iter()
            .filter(|p| p.starts_with("/framework/metrics/"))
            .count()
            >= 33,
        "every framework metric is linked"
    );
}

async fn unknown_things_answer_not_found_pages(url: &str) {
    let app = app(url).await;
    for uri in [
        "/areas/E99999999",
        "/framework/metrics/cdof.nope",
        "/no/such/page",
    ] {
        let (status, content_type, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(content_type.starts_with("text/html"), "{uri}");
        assert!(body.contains("govuk-heading-xl"), "{uri}");
    }
    let (status, _, body) = get(&app, "/areas?kind=ward").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("upper_tier"));
}

#[test]
fn the_openapi_document_is_stable() {
    insta::assert_json_snapshot!("openapi", h2h_web::openapi());
}

async fn post_form(app: &Router, uri: &str, form: &str) -> (StatusCode, String, String) {
    let response = app
        .clone()
        .oneshot(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn a_plan_is_filtered_and_updated_with_stale_edits_refused(url: &str) {
    let app = app(url).await;
    let (status, plan) = get_json(&app, "/api/v1/plans/1?as_of=2025-01-01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(plan["plan"]["overdue"], 1, "{plan}");
    let actions = plan["actions"].as_array().unwrap();
    assert_eq!(actions[2]["overdue"], true);
    assert_eq!(actions[1]["status"], "blue");
    let hub = &actions[0];
    let (action_id, version) = (
        hub["id"].as_i64().unwrap(),
        hub["version"].as_i64().unwrap(),
    );

    let (_, _, partnership) = get(&app, "/areas/CDP-DD").await;
    assert!(partnership.contains("href=\"/plans/1\"") && partnership.contains("Test plan"));
    let (_, _, all) = get(&app, "/plans/1").await;
    assert!(all.contains("3 of 3 actions shown"), "{all}");
    assert!(
        all.contains("Red: off track") && all.contains("✖"),
        "status in words and symbol"
    );
    let (_, _, red) = get(&app, "/plans/1?status=red").await;
    assert!(red.contains("1 of 3 actions shown") && red.contains("Open a recovery hub"));
    assert!(!red.contains("Train staff"));
    let (_, _, police) = get(&app, "/plans/1?lead=Police").await;
    assert!(police.contains("1 of 3 actions shown") && police.contains("Close county lines"));
    let (_, _, exceptions) = get(&app, "/plans/1?view=exceptions").await;
    assert!(exceptions.contains("Open a recovery hub") && !exceptions.contains("Train staff"));

    let page = format!("/plans/1/actions/{action_id}");
    let (status, _, body) = get(&app, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Site not found") && body.contains("/metrics/dip.completions"));
    // The partnership's latest figure sums its members: (120 + 30) / (480 + 100) = 25.9%.
    assert!(body.contains("25.9"), "{body}");
    let form =
        format!("version={version}&status=amber&date=2024-09-30&author=Jo+Bloggs&text=Site+found");
    let (status, location, _) = post_form(&app, &page, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&page), "{location}");
    let (status, _, body) = post_form(&app, &page, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("someone else changed this action"), "{body}");
    let (status, _, body) = post_form(
        &app,
        &page,
        &format!(
            "version={}&status=amber&date=30+September&author=Jo&text=x",
            version + 1
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("YYYY-MM-DD"), "{body}");

    let (_, plan) = get_json(&app, "/api/v1/plans/1?as_of=2025-01-01").await;
    let hub = &plan["actions"][0];
    assert_eq!(hub["status"], "amber");
    let texts: Vec<&str> = hub["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Site not found", "Site found"]);
    assert_eq!(hub["updates"][1]["author"], "Jo Bloggs");
}

async fn the_performance_pack_is_offered_on_the_area_page_and_downloads(url: &str) {
    let app = app(url).await;
    let (status, _, page) = get(&app, "/areas/CDP-DD").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("action=\"/areas/CDP-DD/pack\""),
        "the area page offers the pack"
    );
    assert!(
        page.contains("value=\"2023/24\""),
        "for the year of its latest figure"
    );

    let (status, content_type, html) =
        get(&app, "/areas/CDP-DD/pack?period=2023%2F24&format=html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains("County Durham and Darlington: partnership performance pack, 2023/24"));
    assert!(html.contains("OFFICIAL-SENSITIVE: unpublished management information"));
    assert!(
        html.contains("Open a recovery hub"),
        "the plan's red action is an exception"
    );

    let response = app
        .clone()
        .oneshot(
            Request::get("/areas/CDP-DD/pack?period=2023%2F24&format=xlsx")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx file is a zip");

    let response = app
        .clone()
        .oneshot(
            Request::get("/areas/CDP-DD/pack?period=2023%2F24&format=pdf")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.ends_with(".pdf\""),
        "{disposition}"
    );
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));

    let (status, _, page) = get(&app, "/areas/CDP-DD/pack?period=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Enter a period such as 2024/25"), "{page}");
    let (status, _, _) = get(&app, "/areas/NOWHERE/pack").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The signing form as a decision maker fills it in.
const SIGNING: &str = "period=2023%2F24&reference=CDP-DD-2024-07&subject=Annual+report&summary=&\
    decision=I+have+received+the+report.%0D%0AI+commend+the+work.&decision_maker=A.+Chair&\
    role=Chair+of+the+partnership&interests=&contact=&declared=yes";

async fn a_report_is_signed_on_its_form_and_kept_as_signed(url: &str) {
    let app = app(url).await;
    let (status, _, form) = get(&app, "/areas/CDP-DD/sign").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("value=\"2023/24\""),
        "the period of the latest figures is offered"
    );
    assert!(form.contains("I confirm I have considered whether or not I have any personal"));

    let undeclared = SIGNING.replace("&declared=yes", "");
    let (status, _, page) = post_form(&app, "/areas/CDP-DD/sign", &undeclared).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("The declaration of interests must be confirmed"),
        "{page}"
    );
    assert!(page.contains("CDP-DD-2024-07"), "what was typed is kept");
    let (_, listed) = get_json(&app, "/api/v1/reports").await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        0,
        "nothing is signed by a refused form"
    );

    let (status, location, _) = post_form(&app, "/areas/CDP-DD/sign", SIGNING).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = get(&app, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Signed and frozen") && page.contains("Version 1 for 2023/24"));
    assert!(page.contains("I commend the work."));
    let id = location.trim_start_matches("/reports/");
    let (status, content_type, html) = get(&app, &format!("/reports/{id}/html")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(html.contains("Decision record CDP-DD-2024-07"));
    let (_, report) = get_json(&app, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(report["decision_maker"], "A. Chair");
    assert_eq!(
        report["files"].as_array().unwrap().len(),
        3,
        "HTML, Excel and PDF"
    );
    let (status, content_type, _) = get(&app, &format!("/reports/{id}/pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    let (status, _, _) = get(&app, &format!("/reports/{id}/docx")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the formats signed are kept"
    );
    let (status, _, list) = get(&app, "/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"/reports/{id}\"")));
}
