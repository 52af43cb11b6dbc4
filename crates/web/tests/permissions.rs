//! The permission matrix: every route the application serves (enumerated from the router's
//! own table and the OpenAPI document, so a new route fails this test until it is placed in
//! the matrix), requested as nobody and as an account of every role, for data of the
//! account's own partnership and of another. Own data answers 200; another partnership's
//! unpublished data answers 403, or a redirect to sign in for nobody; once an administrator
//! publishes the other area, its figures (not its records, plans or signed reports) open.
//! Sign-in itself, its rate limit, the cross-site guard and the audit log are tested too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use h2h_domain::{AreaCode, Role, Username};
use h2h_store::{AuditFilter, NewAccount, NewSignedReport, Publication, Store, on_both_backends};
use tower::ServiceExt;

/// The own partnership: County Durham and Darlington. The other: Hartlepool and Stockton.
const AREAS: &str = "area_code,name,kind,members,parent_code\n\
    CDP-DD,County Durham and Darlington,cdp,E06000047;E06000005,E12000001\n\
    CDP-HS,Hartlepool and Stockton-on-Tees,cdp,E06000001;E06000004,E12000001\n";

const RETURN: &str = "metric_id,area_code,period,numerator,denominator\n\
    dip.completions,E06000047,2023/24,120,480\n\
    dip.completions,E06000005,2023/24,30,100\n\
    dip.completions,E06000001,2023/24,3,40\n\
    dip.completions,E06000004,2023/24,44,200\n\
    dip.completions,E92000001,2023/24,10000,43290\n";

const PLANS: &str = "plan,area_code,objective,action_no,action,lead,deadline,status,metric_ids,update_date,update\n\
    Durham plan,CDP-DD,Treatment,1,Open a recovery hub,Council/NHS,31/03/2030,R,dip.completions,2024-06-30,Site not found\n";
const OTHER_PLANS: &str = "plan,area_code,objective,action_no,action,lead,deadline,status,metric_ids,update_date,update\n\
    Hartlepool plan,CDP-HS,Treatment,1,Train staff,NHS,31/03/2030,A,,,\n";

const PARTNERSHIPS: &str = include_str!("../../../fixtures/partnerships/partnerships.csv");

/// Who asks: nobody, or an account of a role (the partnership roles scoped to CDP-DD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    Admin,
    Analyst,
    Lead,
    Submitter,
    Viewer,
}

const EVERYONE: [Who; 6] = [
    Who::Nobody,
    Who::Admin,
    Who::Analyst,
    Who::Lead,
    Who::Submitter,
    Who::Viewer,
];

impl Who {
    fn role(self) -> Option<Role> {
        match self {
            Who::Nobody => None,
            Who::Admin => Some(Role::NationalAdmin),
            Who::Analyst => Some(Role::NationalAnalyst),
            Who::Lead => Some(Role::PartnershipLead),
            Who::Submitter => Some(Role::DataSubmitter),
            Who::Viewer => Some(Role::Viewer),
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Open to everyone.
    Public,
    /// Anyone signed in (lists filter themselves to the account's areas).
    SignedIn,
    /// The national team's roles.
    National,
    /// The national administrator.
    Admin,
    /// Seeing the area's data: own and other differ.
    View,
    /// Seeing the area's data, which publication opens.
    ViewOrPublished,
    /// Signing the area's report or updating its plan: the lead and the administrator.
    Lead,
}

fn allowed(rule: Rule, who: Who, own: bool, other_published: bool) -> bool {
    let Some(role) = who.role() else {
        return match rule {
            Rule::Public => true,
            Rule::ViewOrPublished => !own && other_published,
            _ => false,
        };
    };
    match rule {
        Rule::Public | Rule::SignedIn => true,
        Rule::National => role.is_national(),
        Rule::Admin => role == Role::NationalAdmin,
        Rule::View => role.is_national() || own,
        Rule::ViewOrPublished => role.is_national() || own || other_published,
        Rule::Lead => role == Role::NationalAdmin || (role == Role::PartnershipLead && own),
    }
}

/// One route of the matrix: its declared path, its rule, and the request for own data and,
/// for area rules, another partnership's.
struct Case {
    path: &'static str,
    method: Method,
    rule: Rule,
    own: String,
    other: Option<String>,
    body: &'static str,
}

fn case(path: &'static str, rule: Rule, own: &str, other: Option<&str>) -> Case {
    Case {
        path,
        method: Method::GET,
        rule,
        own: own.to_owned(),
        other: other.map(str::to_owned),
        body: "",
    }
}

fn post(
    path: &'static str,
    rule: Rule,
    own: &str,
    other: Option<&str>,
    body: &'static str,
) -> Case {
    Case {
        method: Method::POST,
        body,
        ..case(path, rule, own, other)
    }
}

struct Fixture {
    app: Router,
    store: Arc<dyn Store>,
    tokens: Vec<(Who, String)>,
    plans: (i64, i64),
    actions: (i64, i64),
    reports: (i64, i64),
}

async fn fixture(url: &str) -> Fixture {
    let store = h2h_ingest::open_with_reference_data(url).await.unwrap();
    let areas = h2h_ingest::read_areas("areas.csv", AREAS).unwrap();
    h2h_ingest::import_areas(store.as_ref(), areas)
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
    for (name, text) in [("own.csv", PLANS), ("other.csv", OTHER_PLANS)] {
        let plan = h2h_ingest::import_plan(store.as_ref(), name, text.as_bytes(), None, "test")
            .await
            .unwrap();
        assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
    }
    let both = PARTNERSHIPS
        .replace(
            "CDP-NE,Durham and Darlington Test Partnership",
            "CDP-DD,County Durham and Darlington",
        )
        .replace("CDP-NE,", "CDP-DD,");
    h2h_ingest::import_partnerships(store.as_ref(), "p.csv", both.as_bytes(), None)
        .await
        .unwrap();
    let other = PARTNERSHIPS
        .replace(
            "CDP-NE,Durham and Darlington Test Partnership",
            "CDP-HS,Hartlepool and Stockton-on-Tees",
        )
        .replace("CDP-NE,", "CDP-HS,");
    h2h_ingest::import_partnerships(store.as_ref(), "q.csv", other.as_bytes(), None)
        .await
        .unwrap();
    // Client-level records for both partnerships' authorities.
    let dir = std::env::temp_dir().join(format!(
        "h2h-permissions-{}-{}",
        std::process::id(),
        url.len()
    ));
    let areas: Vec<(AreaCode, u64)> = ["E06000047", "E06000005", "E06000001", "E06000004"]
        .iter()
        .map(|c| (AreaCode::parse(c).unwrap(), 100_000))
        .collect();
    h2h_records::generate(400, 7, &areas, 2015, &dir).unwrap();
    h2h_ingest::import_records(store.as_ref(), &dir, "Test DIP", "test")
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // A signed report for each partnership.
    let mut reports = Vec::new();
    for code in ["CDP-DD", "CDP-HS"] {
        let area = AreaCode::parse(code).unwrap();
        let decision = h2h_domain::DecisionRecord {
            reference: String::from("T-1"),
            subject: String::from("Annual report"),
            summary: String::from("Summary"),
            decisions: vec![String::from("Noted.")],
            decision_maker: String::from("A Person"),
            role: String::from("Chair"),
            interests: String::from("None"),
            contact: None,
            signed_on: time::macros::date!(2024 - 06 - 30),
        };
        let files = vec![("html", b"<p>signed</p>".to_vec(), String::from("00"))];
        let saved = store
            .save_signed_report(&NewSignedReport {
                area_code: &area,
                period: "2023/24",
                version: 1,
                title: "Annual report",
                decision: &decision,
                files: &files,
                recorded_at: "2024-06-30T12:00:00Z",
            })
            .await
            .unwrap();
        reports.push(saved.id);
    }
    let plans = store.plans(None).await.unwrap();
    let plan_of = |code: &str| {
        plans
            .iter()
            .find(|p| p.area_code.as_str() == code)
            .unwrap()
            .id
    };
    let (own_plan, other_plan) = (plan_of("CDP-DD"), plan_of("CDP-HS"));
    let action_of = |plan: Option<h2h_store::StoredPlan>| plan.unwrap().actions[0].id;
    let own_action = action_of(store.plan(own_plan).await.unwrap());
    let other_action = action_of(store.plan(other_plan).await.unwrap());
    // One account of each role, with an API token; the partnership roles cover CDP-DD.
    let hash = h2h_web::auth::hash_password("a long test passphrase");
    let mut tokens = Vec::new();
    for who in EVERYONE {
        let Some(role) = who.role() else { continue };
        let name = format!("{who:?}").to_ascii_lowercase();
        let areas = if role.is_national() {
            Vec::new()
        } else {
            vec![AreaCode::parse("CDP-DD").unwrap()]
        };
        let account = store
            .create_account(&NewAccount {
                username: &Username::parse(&name).unwrap(),
                display_name: &name,
                role,
                areas: &areas,
                password_hash: &hash,
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
        tokens.push((who, token));
    }
    Fixture {
        app: h2h_web::app(Arc::clone(&store)),
        store,
        tokens,
        plans: (own_plan, other_plan),
        actions: (own_action, other_action),
        reports: (reports[0], reports[1]),
    }
}

fn matrix(f: &Fixture) -> Vec<Case> {
    use Rule::*;
    let (own_plan, other_plan) = f.plans;
    let (own_action, other_action) = f.actions;
    let (own_report, other_report) = f.reports;
    let plan = |id: i64| format!("/plans/{id}");
    let action = |p: i64, a: i64| format!("/plans/{p}/actions/{a}");
    let update = "version=1&status=amber&date=2024-07-01&author=Test&text=Progress";
    vec![
        case("/", Public, "/", None),
        case("/areas", Public, "/areas?kind=unitary", None),
        case("/framework", Public, "/framework", None),
        case(
            "/framework/metrics/{id}",
            Public,
            "/framework/metrics/dip.completions",
            None,
        ),
        case("/partnerships", Public, "/partnerships", None),
        case("/login", Public, "/login", None),
        post("/logout", Public, "/logout", None, ""),
        case(
            "/assets/{*path}",
            Public,
            "/assets/govuk-frontend.min.css",
            None,
        ),
        case("/static/{*path}", Public, "/static/app.css", None),
        case(
            "/areas/{code}",
            ViewOrPublished,
            "/areas/E06000047",
            Some("/areas/E06000001"),
        ),
        case(
            "/areas/{code}/metrics/{id}",
            View,
            "/areas/E06000047/metrics/dip.completions",
            Some("/areas/E06000001/metrics/dip.completions"),
        ),
        case(
            "/areas/{code}/pack",
            ViewOrPublished,
            "/areas/E06000047/pack?period=2023/24",
            Some("/areas/E06000001/pack?period=2023/24"),
        ),
        case(
            "/areas/{code}/scorecard",
            View,
            "/areas/E06000047/scorecard?period=2023/24",
            Some("/areas/E06000001/scorecard?period=2023/24"),
        ),
        case(
            "/areas/{code}/scorecard/download",
            View,
            "/areas/E06000047/scorecard/download?period=2023/24&format=xlsx",
            Some("/areas/E06000001/scorecard/download?period=2023/24&format=xlsx"),
        ),
        case(
            "/areas/{code}/sign",
            Lead,
            "/areas/CDP-DD/sign",
            Some("/areas/CDP-HS/sign"),
        ),
        post(
            "/areas/{code}/sign",
            Lead,
            "/areas/CDP-DD/sign",
            Some("/areas/CDP-HS/sign"),
            "period=2023/24",
        ),
        case("/plans", SignedIn, "/plans", None),
        case(
            "/plans/{id}",
            View,
            &plan(own_plan),
            Some(&plan(other_plan)),
        ),
        case(
            "/plans/{id}/actions/{action_id}",
            View,
            &action(own_plan, own_action),
            Some(&action(other_plan, other_action)),
        ),
        post(
            "/plans/{id}/actions/{action_id}",
            Lead,
            &action(own_plan, own_action),
            Some(&action(other_plan, other_action)),
            update,
        ),
        case("/reports", SignedIn, "/reports", None),
        case(
            "/reports/{id}",
            View,
            &format!("/reports/{own_report}"),
            Some(&format!("/reports/{other_report}")),
        ),
        case(
            "/reports/{id}/{format}",
            View,
            &format!("/reports/{own_report}/html"),
            Some(&format!("/reports/{other_report}/html")),
        ),
        case(
            "/partnerships/{code}",
            ViewOrPublished,
            "/partnerships/CDP-DD",
            Some("/partnerships/CDP-HS"),
        ),
        case("/attendance", National, "/attendance", None),
        case("/account", SignedIn, "/account", None),
        post(
            "/account/tokens",
            SignedIn,
            "/account/tokens",
            None,
            "label=script",
        ),
        // No such token: the rule is checked, nobody's token is revoked mid-matrix.
        post(
            "/account/tokens/{id}/revoke",
            SignedIn,
            "/account/tokens/999999/revoke",
            None,
            "",
        ),
        case("/admin", Admin, "/admin", None),
        post(
            "/admin/publications",
            Admin,
            "/admin/publications",
            None,
            "area=E06000005&change=publish",
        ),
        case("/admin/audit", Admin, "/admin/audit", None),
        case("/admin/audit.csv", Admin, "/admin/audit.csv", None),
        // The API.
        case("/api/v1/outcomes", Public, "/api/v1/outcomes", None),
        case("/api/v1/metrics", Public, "/api/v1/metrics", None),
        case(
            "/api/v1/metrics/{id}",
            Public,
            "/api/v1/metrics/dip.completions",
            None,
        ),
        case("/api/v1/targets", Public, "/api/v1/targets", None),
        case("/api/v1/references", Public, "/api/v1/references", None),
        case("/api/v1/areas", Public, "/api/v1/areas?kind=unitary", None),
        case(
            "/api/v1/areas/{code}",
            Public,
            "/api/v1/areas/E06000047",
            None,
        ),
        case(
            "/api/v1/periods/parse",
            Public,
            "/api/v1/periods/parse?text=2024/25",
            None,
        ),
        case(
            "/api/v1/periods",
            Public,
            "/api/v1/periods?kind=financial_year&from=2022/23&to=2024/25",
            None,
        ),
        case("/api/v1/partnerships", Public, "/api/v1/partnerships", None),
        case("/healthz", Public, "/healthz", None),
        case("/api/v1/openapi.json", Public, "/api/v1/openapi.json", None),
        case(
            "/api/v1/indicators",
            ViewOrPublished,
            "/api/v1/indicators?area=E06000047&period=2023/24",
            Some("/api/v1/indicators?area=E06000001&period=2023/24"),
        ),
        case(
            "/api/v1/warnings",
            View,
            "/api/v1/warnings?area=E06000047",
            Some("/api/v1/warnings?area=E06000001"),
        ),
        case(
            "/api/v1/values/history",
            View,
            "/api/v1/values/history?metric=dip.completions&area=E06000047&period=2023/24",
            Some("/api/v1/values/history?metric=dip.completions&area=E06000001&period=2023/24"),
        ),
        case("/api/v1/submissions", National, "/api/v1/submissions", None),
        case(
            "/api/v1/submissions/{id}/rejected",
            National,
            "/api/v1/submissions/1/rejected",
            None,
        ),
        case(
            "/api/v1/submissions/{id}/file",
            National,
            "/api/v1/submissions/1/file",
            None,
        ),
        case("/api/v1/plans", SignedIn, "/api/v1/plans", None),
        case(
            "/api/v1/plans/{id}",
            View,
            &format!("/api/v1/plans/{own_plan}"),
            Some(&format!("/api/v1/plans/{other_plan}")),
        ),
        case(
            "/api/v1/partnerships/{code}",
            ViewOrPublished,
            "/api/v1/partnerships/CDP-DD",
            Some("/api/v1/partnerships/CDP-HS"),
        ),
        case("/api/v1/attendance", National, "/api/v1/attendance", None),
        case("/api/v1/reports", SignedIn, "/api/v1/reports", None),
        case(
            "/api/v1/reports/{id}",
            View,
            &format!("/api/v1/reports/{own_report}"),
            Some(&format!("/api/v1/reports/{other_report}")),
        ),
        case(
            "/api/v1/scorecard",
            View,
            "/api/v1/scorecard?area=E06000047&period=2023/24",
            Some("/api/v1/scorecard?area=E06000001&period=2023/24"),
        ),
        case(
            "/api/v1/record-extracts",
            National,
            "/api/v1/record-extracts",
            None,
        ),
    ]
}

async fn send(
    app: &Router,
    method: &Method,
    uri: &str,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, String, String) {
    let mut request = Request::builder().method(method.clone()).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if *method == Method::POST {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Checks one request against the rule, naming it in any failure.
fn check(
    case: &Case,
    uri: &str,
    who: Who,
    expect_allowed: bool,
    (status, location, body): &(StatusCode, String, String),
) -> Option<String> {
    let name = format!("{who:?} {} {uri}", case.method);
    let signs_in = *status == StatusCode::SEE_OTHER && location.starts_with("/login");
    let ok = if expect_allowed {
        if case.method == Method::GET {
            *status == StatusCode::OK
        } else {
            // A form may be sent back for its own mistakes; it must not be refused.
            !matches!(*status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                && !status.is_server_error()
        }
    } else {
        match who {
            Who::Nobody => {
                let page_get = case.method == Method::GET && !uri.starts_with("/api/");
                if page_get {
                    signs_in
                } else {
                    *status == StatusCode::UNAUTHORIZED
                }
            }
            _ => *status == StatusCode::FORBIDDEN,
        }
    };
    (!ok).then(|| {
        let excerpt: String = body.chars().take(200).collect();
        format!(
            "{name}: expected {}, got {status} {location} {excerpt}",
            if expect_allowed { "allowed" } else { "refused" }
        )
    })
}

async fn every_route_applies_one_rule(url: &str) {
    let f = fixture(url).await;
    let cases = matrix(&f);
    // No route may be left out.
    let routed: BTreeSet<String> = h2h_web::route_paths().into_iter().collect();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.path.to_owned()).collect();
    let missing: Vec<&String> = routed.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the permission matrix: {missing:?}"
    );
    let stale: Vec<&String> = covered.difference(&routed).collect();
    assert!(
        stale.is_empty(),
        "the matrix names routes that do not exist: {stale:?}"
    );

    let mut failures = Vec::new();
    let mut checked = 0;
    for other_published in [false, true] {
        if other_published {
            for code in ["E06000001", "CDP-HS"] {
                f.store
                    .publish_area(&Publication {
                        area_code: AreaCode::parse(code).unwrap(),
                        published_by: String::from("admin"),
                        published_at: String::from("2024-07-01T00:00:00Z"),
                    })
                    .await
                    .unwrap();
            }
        }
        for c in &cases {
            for who in EVERYONE {
                let token = f
                    .tokens
                    .iter()
                    .find(|(w, _)| *w == who)
                    .map(|(_, t)| t.as_str());
                let own = send(&f.app, &c.method, &c.own, token, c.body).await;
                checked += 1;
                if let Some(failure) = check(
                    c,
                    &c.own,
                    who,
                    allowed(c.rule, who, true, other_published),
                    &own,
                ) {
                    failures.push(failure);
                }
                if let Some(other) = &c.other {
                    let answer = send(&f.app, &c.method, other, token, c.body).await;
                    checked += 1;
                    if let Some(failure) = check(
                        c,
                        other,
                        who,
                        allowed(c.rule, who, false, other_published),
                        &answer,
                    ) {
                        failures.push(failure);
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} requests broke the rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "permission matrix: {checked} requests over {} routes, all as the rule says",
        cases.len()
    );
}

/// What a page shows a partnership lead of another partnership's unpublished area is nothing:
/// not in lists, not in comparisons.
async fn lists_and_comparisons_hide_other_partnerships(url: &str) {
    let f = fixture(url).await;
    let lead = f
        .tokens
        .iter()
        .find(|(w, _)| *w == Who::Lead)
        .map(|(_, t)| t.as_str());
    let (_, _, plans) = send(&f.app, &Method::GET, "/api/v1/plans", lead, "").await;
    assert!(
        plans.contains("CDP-DD") && !plans.contains("CDP-HS"),
        "{plans}"
    );
    let (_, _, reports) = send(&f.app, &Method::GET, "/api/v1/reports", lead, "").await;
    assert!(
        reports.contains("CDP-DD") && !reports.contains("CDP-HS"),
        "{reports}"
    );
    let (status, _, page) = send(
        &f.app,
        &Method::GET,
        "/areas/E06000047/metrics/dip.completions",
        lead,
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("Hartlepool"),
        "the comparison shows another partnership's unpublished figure"
    );
    assert!(
        page.contains("not shown"),
        "the page says areas were left out"
    );
    let analyst = f
        .tokens
        .iter()
        .find(|(w, _)| *w == Who::Analyst)
        .map(|(_, t)| t.as_str());
    let (_, _, page) = send(
        &f.app,
        &Method::GET,
        "/areas/E06000047/metrics/dip.completions",
        analyst,
        "",
    )
    .await;
    assert!(
        page.contains("Hartlepool"),
        "a national analyst compares with every area"
    );
}

/// Published figures go out under disclosure control: Hartlepool's 3 completions are `[c]`
/// to anyone outside its partnership.
async fn published_figures_are_disclosure_controlled(url: &str) {
    let f = fixture(url).await;
    f.store
        .publish_area(&Publication {
            area_code: AreaCode::parse("E06000001").unwrap(),
            published_by: String::from("admin"),
            published_at: String::from("2024-07-01T00:00:00Z"),
        })
        .await
        .unwrap();
    let (status, _, json) = send(
        &f.app,
        &Method::GET,
        "/api/v1/indicators?area=E06000001&period=2023/24",
        None,
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric_id"] == "dip.completions")
        .unwrap();
    assert!(
        row["numerator"].is_null() && row["value"].is_null(),
        "{row}"
    );
    let (_, _, page) = send(&f.app, &Method::GET, "/areas/E06000001", None, "").await;
    assert!(
        page.contains("[c]"),
        "the published page withholds the small count"
    );
    assert!(
        !page.contains("OFFICIAL-SENSITIVE"),
        "a published page carries no sensitive marking"
    );
    let analyst = f
        .tokens
        .iter()
        .find(|(w, _)| *w == Who::Analyst)
        .map(|(_, t)| t.as_str());
    let (_, _, page) = send(&f.app, &Method::GET, "/areas/E06000001", analyst, "").await;
    assert!(
        page.contains("OFFICIAL-SENSITIVE"),
        "the management view is marked"
    );
}

/// Signing in: a session cookie that is HttpOnly, Secure and SameSite; five failures pause
/// the name; a disabled account cannot sign in; forms from another site are refused; every
/// step is in the audit log.
async fn sign_in_sessions_and_the_audit_log(url: &str) {
    let f = fixture(url).await;
    let form = |password: &str| format!("username=lead&password={password}&next=/plans");
    let login = |body: String| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let response = f
        .app
        .clone()
        .oneshot(login(form("a+long+test+passphrase")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/plans");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap().to_owned();
    let with_cookie = |uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .unwrap()
    };
    let page = f.app.clone().oneshot(with_cookie("/plans")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "private, no-store");
    let body = to_bytes(page.into_body(), usize::MAX).await.unwrap();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("Durham plan") && !body.contains("Hartlepool plan"));
    assert!(
        body.contains("OFFICIAL-SENSITIVE"),
        "signed-in pages carry the marking"
    );

    // A form posted from another site is refused, whoever's cookie it carries.
    let forged = Request::post("/account/tokens")
        .header(header::COOKIE, &session)
        .header("origin", "https://evil.example")
        .header(header::HOST, "h2h.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("label=stolen"))
        .unwrap();
    assert_eq!(
        f.app.clone().oneshot(forged).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let forged = Request::post("/logout")
        .header(header::COOKIE, &session)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        f.app.clone().oneshot(forged).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // The account page lists a token made there, and revokes it for good.
    let made = Request::post("/account/tokens")
        .header(header::COOKIE, &session)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("label=nightly+fetch"))
        .unwrap();
    let made = f.app.clone().oneshot(made).await.unwrap();
    assert_eq!(made.status(), StatusCode::OK);
    let made = to_bytes(made.into_body(), usize::MAX).await.unwrap();
    let made = String::from_utf8_lossy(&made);
    let token = made
        .split("<code class=\"h2h-token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert!(
        made.contains("nightly fetch") && made.contains("In use"),
        "{made}"
    );
    let (status, _, _) = send(&f.app, &Method::GET, "/api/v1/plans", Some(&token), "").await;
    assert_eq!(status, StatusCode::OK);
    // The row of the new token (the lead has the fixture's too).
    let id = made
        .split("nightly fetch")
        .nth(1)
        .and_then(|row| row.split("/account/tokens/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let revoke = |cookie: &str| {
        Request::post(format!("/account/tokens/{id}/revoke"))
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    let revoked = f.app.clone().oneshot(revoke(&session)).await.unwrap();
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let (status, _, _) = send(&f.app, &Method::GET, "/api/v1/plans", Some(&token), "").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token is refused"
    );
    let again = f.app.clone().oneshot(revoke(&session)).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "revoked once only");

    // Signing out ends the session on the server, not only in the browser.
    let out = Request::post("/logout")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        f.app.clone().oneshot(out).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let after = f.app.clone().oneshot(with_cookie("/plans")).await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "the old cookie no longer signs in"
    );

    // Five wrong passwords pause the name, even for the right password.
    for _ in 0..5 {
        let wrong = f.app.clone().oneshot(login(form("wrong"))).await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let paused = f
        .app
        .clone()
        .oneshot(login(form("a+long+test+passphrase")))
        .await
        .unwrap();
    assert_eq!(paused.status(), StatusCode::TOO_MANY_REQUESTS);

    // A disabled account's token stops working at once.
    let viewer = f
        .tokens
        .iter()
        .find(|(w, _)| *w == Who::Viewer)
        .map(|(_, t)| t.clone())
        .unwrap();
    f.store
        .set_account_disabled(&Username::parse("viewer").unwrap(), true)
        .await
        .unwrap();
    let (status, _, _) = send(&f.app, &Method::GET, "/api/v1/plans", Some(&viewer), "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let log = f
        .store
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap();
    let count = |action: &str, outcome: &str| {
        log.iter()
            .filter(|e| e.action == action && e.outcome == outcome)
            .count()
    };
    assert_eq!(count("login", "ok"), 1);
    assert_eq!(count("login", "refused"), 5);
    assert_eq!(count("login", "throttled"), 1);
    assert_eq!(count("logout", "ok"), 1);

    // The log is append-only in the database itself.
    let first = log.last().unwrap().id;
    assert!(
        tamper(url, first).await.is_err(),
        "the audit log could be changed"
    );
}

/// Servers remember who a token or session belongs to and what is published, but forget it
/// as soon as access changes anywhere: a second server sharing the store (or the command
/// line) disabling an account, withdrawing a publication or ending a session is obeyed by
/// the first on its very next request.
async fn what_servers_remember_of_access_is_forgotten_when_it_changes(url: &str) {
    let f = fixture(url).await;
    let second = h2h_web::app(Arc::clone(&f.store));
    let token = |who: Who| {
        f.tokens
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    let viewer = token(Who::Viewer);
    let lead = token(Who::Lead);
    for app in [&f.app, &second] {
        let (status, _, _) = send(app, &Method::GET, "/api/v1/plans", Some(&viewer), "").await;
        assert_eq!(status, StatusCode::OK, "the viewer is known and remembered");
    }
    f.store
        .set_account_disabled(&Username::parse("viewer").unwrap(), true)
        .await
        .unwrap();
    for app in [&f.app, &second] {
        let (status, _, _) = send(app, &Method::GET, "/api/v1/plans", Some(&viewer), "").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a disabled account is not remembered"
        );
        let (status, _, _) = send(app, &Method::GET, "/api/v1/plans", Some(&lead), "").await;
        assert_eq!(status, StatusCode::OK, "other accounts still work");
    }

    // Publication: another partnership's area opens and closes to the lead everywhere.
    let other_area = "/areas/E06000001";
    let (status, _, _) = send(&f.app, &Method::GET, other_area, Some(&lead), "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let hartlepool = AreaCode::parse("E06000001").unwrap();
    f.store
        .publish_area(&Publication {
            area_code: hartlepool.clone(),
            published_by: String::from("admin"),
            published_at: String::from("2024-07-01T00:00:00Z"),
        })
        .await
        .unwrap();
    for app in [&f.app, &second] {
        let (status, _, _) = send(app, &Method::GET, other_area, Some(&lead), "").await;
        assert_eq!(status, StatusCode::OK, "published, so open to the lead");
    }
    f.store.unpublish_area(&hartlepool).await.unwrap();
    for app in [&f.app, &second] {
        let (status, _, _) = send(app, &Method::GET, other_area, Some(&lead), "").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "withdrawn, so closed again");
    }

    // A session signed in on one server and ended on the other.
    let response = f
        .app
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(
                    "username=lead&password=a+long+test+passphrase&next=/plans",
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let plans = |cookie: &str| {
        Request::get("/plans")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    for app in [&f.app, &second] {
        let page = app.clone().oneshot(plans(&session)).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "signed in on both servers");
    }
    let out = Request::post("/logout")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        second.clone().oneshot(out).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let page = f.app.clone().oneshot(plans(&session)).await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "signed out on the other server, so sent to sign in"
    );
}

/// Tries to change an audit entry behind the application's back.
async fn tamper(url: &str, id: i64) -> Result<(), String> {
    use sqlx::Connection;
    let sql = format!("UPDATE audit_log SET actor = 'someone else' WHERE id = {id}");
    if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(url)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query(&sql)
            .execute(&mut connection)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        let mut connection = sqlx::PgConnection::connect(url)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query(&sql)
            .execute(&mut connection)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

on_both_backends!(
    every_route_applies_one_rule,
    lists_and_comparisons_hide_other_partnerships,
    published_figures_are_disclosure_controlled,
    sign_in_sessions_and_the_audit_log,
    what_servers_remember_of_access_is_forgotten_when_it_changes,
);
