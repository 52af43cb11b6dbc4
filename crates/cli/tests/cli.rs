//! The real `h2h` binary: the command-line contract of `cli.md`, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

use h2h_store::on_both_backends;
use serde_json::Value;

fn h2h(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_h2h"))
        .args(args)
        .env("H2H_DATABASE_URL", url)
        .env_remove("H2H_LOG")
        .output()
        .unwrap()
}

fn json(output: &Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

on_both_backends!(
    areas_list_every_kind_with_population_and_parents,
    the_catalogue_lists_metrics_and_outcomes,
    importing_areas_keeps_good_rows_and_names_bad_ones,
    bad_input_exits_2_with_a_message_and_no_panic,
    serve_answers_health_checks,
    a_plan_is_imported_and_shown_with_statuses_deadlines_and_history,
    the_performance_pack_is_written_as_html_xlsx_and_pdf_with_the_figures_of_the_api,
    a_signed_report_is_frozen_byte_for_byte_while_revisions_arrive,
    the_national_summary_counts_areas_by_comparison_and_partnerships_by_attendance,
    the_pack_workbook_opens_in_openpyxl_and_libreoffice_with_the_apis_figures,
    an_import_killed_at_any_moment_leaves_the_store_as_before_or_after,
    a_backup_restores_the_store_as_it_was,
    two_servers_on_one_store_refuse_the_second_of_two_edits_and_lose_nothing,
    the_server_keeps_answering_while_a_large_import_runs,
    partnerships_and_meetings_are_imported_and_attendance_analysed,
    a_records_extract_is_generated_imported_versioned_and_scored,
    accounts_are_managed_from_the_command_line_and_every_change_is_audited,
    a_scorecard_sums_the_extracts_of_two_services,
);

/// `h2h users add|list|token|disable|enable|reset` and `h2h publish`: a partnership lead sees
/// their area and not the national lists; a disabled account's token stops at once; the
/// audit log, exported by an administrator, names each import and permission change.
async fn accounts_are_managed_from_the_command_line_and_every_change_is_audited(url: &str) {
    let refused = h2h(
        url,
        &[
            "users",
            "add",
            "someone",
            "--role",
            "national_analyst",
            "--area",
            "E06000047",
        ],
    );
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a national role with an area is refused"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("sees every area"));
    let added = h2h(
        url,
        &[
            "users",
            "add",
            "pat",
            "--role",
            "viewer",
            "--area",
            "E06000047",
            "--name",
            "Pat Example",
        ],
    );
    let printed = String::from_utf8_lossy(&added.stdout);
    assert!(
        printed.contains("password: "),
        "a made-up password is printed once: {printed}"
    );
    let again = h2h(
        url,
        &[
            "users",
            "add",
            "pat",
            "--role",
            "viewer",
            "--area",
            "E06000047",
        ],
    );
    assert!(!again.status.success(), "a taken name is refused");
    let listed = json(&h2h(url, &["users", "list", "--format", "json"]));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["role"], "viewer");
    assert_eq!(listed[0]["areas"][0], "E06000047");
    assert_eq!(listed[0]["status"], "active");

    let dir = tempfile_dir();
    let plan = dir.join("plan.csv");
    std::fs::write(&plan, PLAN).unwrap();
    h2h(url, &["import", "plan", plan.to_str().unwrap()]);
    let lead = account_token(url, "lead", "partnership_lead", &["E06000047"]);
    let admin = account_token(url, "boss", "national_admin", &[]);
    let (mut server, address) = start_server(url);
    let (status, body) = http_as(&address, Some(&lead), "GET", "/api/v1/plans", "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("E06000047"), "{body}");
    let (status, _) = http_as(&address, Some(&lead), "GET", "/api/v1/submissions", "");
    assert_eq!(
        status, 403,
        "the national list of returns is not a partnership's"
    );
    let (status, _) = http(&address, "GET", "/api/v1/plans", "");
    assert_eq!(status, 401, "nobody signed in sees no plans");
    let (status, _) = http_as(
        &address,
        Some("h2h_not_a_token"),
        "GET",
        "/api/v1/metrics",
        "",
    );
    assert_eq!(status, 401, "a wrong token is refused, not ignored");

    let disabled = h2h(url, &["users", "disable", "lead"]);
    assert!(disabled.status.success());
    let (status, _) = http_as(&address, Some(&lead), "GET", "/api/v1/plans", "");
    assert_eq!(status, 401, "a disabled account's token no longer works");
    assert!(h2h(url, &["users", "enable", "lead"]).status.success());
    let (status, _) = http_as(&address, Some(&lead), "GET", "/api/v1/plans", "");
    assert_eq!(status, 200);
    let reset = h2h(url, &["users", "reset", "pat"]);
    assert!(String::from_utf8_lossy(&reset.stdout).contains("password: "));

    // A second token; revoking the first stops it on the running server, the second goes on.
    let second = h2h(url, &["users", "token", "lead", "--label", "nightly"]);
    let second = String::from_utf8_lossy(&second.stdout).trim().to_owned();
    let listed = h2h(url, &["users", "tokens", "lead", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (&listed[0]["label"], &listed[1]["label"]),
        (&"tests".into(), &"nightly".into())
    );
    assert!(listed[0]["revoked_at"].is_null());
    assert!(
        !String::from_utf8_lossy(&h2h(url, &["users", "tokens", "lead"]).stdout).contains("h2h_")
    );
    let first_id = listed[0]["id"].as_i64().unwrap().to_string();
    let revoked = h2h(url, &["users", "revoke", "lead", "--token", &first_id]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let (status, _) = http_as(&address, Some(&lead), "GET", "/api/v1/plans", "");
    assert_eq!(status, 401, "a revoked token no longer works");
    let (status, _) = http_as(&address, Some(&second), "GET", "/api/v1/plans", "");
    assert_eq!(status, 200, "the account's other token still works");
    let again = h2h(url, &["users", "revoke", "lead", "--token", &first_id]);
    assert!(!again.status.success(), "a token is revoked once");

    // England unpublished: nobody is sent to sign in; published: nobody sees it.
    let (status, _) = http(
        &address,
        "GET",
        "/api/v1/indicators?area=E92000001&period=2024/25",
        "",
    );
    assert_eq!(status, 401);
    assert!(
        h2h(url, &["publish", "--area", "E92000001"])
            .status
            .success()
    );
    let (status, _) = http(
        &address,
        "GET",
        "/api/v1/indicators?area=E92000001&period=2024/25",
        "",
    );
    assert_eq!(status, 200, "a published area is open to everyone");

    let (status, csv) = http_as(&address, Some(&admin), "GET", "/admin/audit.csv", "");
    assert_eq!(status, 200);
    for action in [
        "account.add",
        "token.create",
        "import.plan",
        "account.disable",
        "account.enable",
        "account.reset",
        "token.revoke",
        "publication.publish",
    ] {
        assert!(
            csv.contains(action),
            "the audit log records {action}:\n{csv}"
        );
    }
    assert!(
        csv.contains("cli:"),
        "the command line is named as the actor"
    );
    let (status, _) = http_as(&address, Some(&second), "GET", "/admin/audit.csv", "");
    assert_eq!(status, 403, "only administrators read the log");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Writes an extract folder of `files` (name, CSV text).
fn write_extract(dir: &std::path::Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A measure of scorecard JSON by id.
fn measure<'a>(card: &'a Value, id: &str) -> &'a Value {
    card["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["measures"].as_array().unwrap())
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no measure {id}"))
}

fn scorecard_json(url: &str, area: &str, period: &str) -> Value {
    let output = h2h(
        url,
        &[
            "scorecard",
            "--area",
            area,
            "--period",
            period,
            "--format",
            "json",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Two services' extracts for Gwent's authorities, imported separately (each a service of
/// its own, named by its folder), give one scorecard that counts both: values, denominators
/// and breakdown categories summed, percents recomputed from the sums, a file only one
/// service keeps counted from that one, a file neither keeps "no data". A new version of one
/// service replaces that service's figures and leaves the other's.
async fn a_scorecard_sums_the_extracts_of_two_services(url: &str) {
    let root = tempfile_dir();
    let custody = root.join("gwent-custody-dip");
    write_extract(
        &custody,
        &[
            (
                "referrals.csv",
                "referral_id,client_id,referral_date,source,area_code\n\
                 A1,CA1,2023-05-01,police,W06000022\n\
                 A2,CA2,2023-06-01,police,W06000022\n\
                 A3,CA3,2023-07-01,court,W06000020\n\
                 A4,CA4,2022-07-01,police,W06000022\n",
            ),
            (
                "assessments.csv",
                "assessment_id,client_id,assessment_date,kind,area_code\n\
                 AA1,CA1,2023-05-03,full,W06000022\n\
                 AA2,CA2,2023-06-05,required,W06000022\n",
            ),
        ],
    );
    let treatment = root.join("gwent-treatment");
    write_extract(
        &treatment,
        &[
            (
                "referrals.csv",
                "referral_id,client_id,referral_date,source,area_code\n\
                 B1,CB1,2023-04-10,self,W06000020\n\
                 B2,CB2,2024-01-10,probation,W06000022\n",
            ),
            (
                "assessments.csv",
                "assessment_id,client_id,assessment_date,kind,area_code\n\
                 BA1,CB1,2023-04-12,full,W06000020\n\
                 BA2,CB2,2024-01-15,full,W06000022\n",
            ),
            (
                "brief_interventions.csv",
                "intervention_id,intervention_date,area_code,setting,signposted_to\n\
                 BI1,2023-09-01,W06000022,custody,drugs\n\
                 BI2,2023-09-02,W06000020,outreach,\n",
            ),
        ],
    );
    for (dir, service) in [
        (&custody, "gwent-custody-dip"),
        (&treatment, "gwent-treatment"),
    ] {
        let import = h2h(url, &["import", "records", dir.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&import.stdout);
        assert_eq!(
            import.status.code(),
            Some(0),
            "{stdout}{}",
            String::from_utf8_lossy(&import.stderr)
        );
        assert!(
            stdout.contains(&format!("{service}: saved as version 1")),
            "{stdout}"
        );
    }

    let gwent = scorecard_json(url, "W15000002", "2023/24");
    let referrals = measure(&gwent, "referrals");
    assert_eq!(
        referrals["value"], 5,
        "three of one service, two of the other"
    );
    let sources: Vec<(String, u64)> = referrals["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_owned(),
                b["value"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("police", 2),
            ("probation", 1),
            ("prison", 0),
            ("court", 1),
            ("self", 1),
            ("other", 0)
        ]
        .map(|(k, v)| (k.to_owned(), v))
    );
    assert!(close(&referrals["breakdown"][0]["percent"], 40.0));
    let assessments = measure(&gwent, "assessments");
    assert_eq!(assessments["value"], 3);
    assert_eq!(assessments["denominator"], 5);
    assert!(
        close(&assessments["percent"], 60.0),
        "recomputed from the sums"
    );
    assert_eq!(measure(&gwent, "required_assessments")["value"], 1);
    assert_eq!(
        measure(&gwent, "brief_interventions")["value"],
        2,
        "kept by one service only"
    );
    let signposted = measure(&gwent, "signposted");
    assert_eq!(signposted["value"], 1);
    assert!(close(&signposted["percent"], 50.0));
    let care_plans = measure(&gwent, "care_plans");
    assert_eq!(care_plans["value"], Value::Null, "neither keeps episodes");
    assert_eq!(care_plans["status"], "no_data");
    let torfaen = scorecard_json(url, "W06000020", "2023/24");
    assert_eq!(measure(&torfaen, "referrals")["value"], 2);

    // A second version of one service replaces its figures, not adds to them.
    let mut referrals_csv = std::fs::read_to_string(custody.join("referrals.csv")).unwrap();
    referrals_csv.push_str("A5,CA5,2023-08-01,police,W06000021\n");
    std::fs::write(custody.join("referrals.csv"), referrals_csv).unwrap();
    let import = h2h(url, &["import", "records", custody.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&import.stdout).contains("gwent-custody-dip: saved as version 2"),
        "{}",
        String::from_utf8_lossy(&import.stdout)
    );
    let gwent = scorecard_json(url, "W15000002", "2023/24");
    assert_eq!(measure(&gwent, "referrals")["value"], 6);
    assert_eq!(measure(&gwent, "referrals")["breakdown"][0]["value"], 3);
    assert_eq!(measure(&gwent, "assessments")["value"], 3);

    // The files count both services too.
    let html = root.join("two.html");
    let made = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2023/24",
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert!(made.status.success());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("gwent-custody-dip, version 2"),
        "both sources are named"
    );
    assert!(page.contains("gwent-treatment, version 1"));
    std::fs::remove_dir_all(&root).unwrap();
}

fn close(actual: &Value, expected: f64) -> bool {
    actual.as_f64().is_some_and(|a| (a - expected).abs() < 1e-9)
}

/// `generate records` (20,000 referrals), `import records` (counts per file, a second import a no-op, a changed
/// extract version 2 with its bad row named by line and column and exit 1) and `scorecard`
/// in JSON for a police force area and a local authority, with the figures of the records
/// library's own `scorecard()` over the same files.
async fn a_records_extract_is_generated_imported_versioned_and_scored(url: &str) {
    let dir = tempfile_dir().join("gwent-dip");
    let folder = dir.to_str().unwrap();
    let generated = h2h(
        url,
        &[
            "generate",
            "records",
            "--referrals",
            "20000",
            "--seed",
            "5",
            "--out",
            folder,
        ],
    );
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    assert!(String::from_utf8_lossy(&generated.stdout).starts_with("referrals.csv: 20000 rows"));

    let import = h2h(url, &["import", "records", folder]);
    let stdout = String::from_utf8_lossy(&import.stdout);
    assert_eq!(
        import.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(
        stdout.starts_with("referrals.csv: accepted 20000, rejected 0\n"),
        "{stdout}"
    );
    assert!(stdout.contains("episodes.csv: accepted "), "{stdout}");
    assert!(stdout.contains("gwent-dip: saved as version 1"), "{stdout}");

    let again = h2h(url, &["import", "records", folder]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("already version 1 and current; nothing was written"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    let referrals = dir.join("referrals.csv");
    let mut text = std::fs::read_to_string(&referrals).unwrap();
    text.push_str("R-BAD,C-BAD,2020-02-30,police,W06000022\n");
    std::fs::write(&referrals, text).unwrap();
    let changed = h2h(
        url,
        &["import", "records", folder, "--service", "gwent-dip"],
    );
    assert_eq!(changed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&changed.stderr);
    assert!(
        stderr.contains("referrals.csv, line 20002, column referral_date: \"2020-02-30\""),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&changed.stdout);
    assert!(
        stdout.starts_with("referrals.csv: accepted 20000, rejected 1\n"),
        "{stdout}"
    );
    assert!(stdout.contains("saved as version 2"), "{stdout}");

    // The library's figures over the same files.
    let store = h2h_ingest::open_with_reference_data(url).await.unwrap();
    let versions = store.record_extracts(Some("gwent-dip")).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.current))
            .collect::<Vec<_>>(),
        [(2, true), (1, false)]
    );
    let known = h2h_ingest::known_areas(store.as_ref()).await.unwrap();
    let extract = h2h_records::read_extract(&dir, &known).unwrap().extract;
    let gwent: Vec<h2h_domain::AreaCode> = (18..=22)
        .map(|n| h2h_domain::AreaCode::parse(&format!("W060000{n}")).unwrap())
        .collect();
    let newport = vec![h2h_domain::AreaCode::parse("W06000022").unwrap()];
    for (area, members, period) in [
        ("W15000002", &gwent, "2019/20"),
        ("W06000022", &newport, "2022/23"),
    ] {
        let output = h2h(
            url,
            &[
                "scorecard",
                "--area",
                area,
                "--period",
                period,
                "--format",
                "json",
            ],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(shown["area"]["code"], area);
        let expected = h2h_records::scorecard(
            &extract,
            &h2h_records::AreaRef {
                code: area.into(),
                name: String::new(),
            },
            members,
            &h2h_domain::Period::parse(period).unwrap(),
        );
        let expected = serde_json::to_value(&expected).unwrap();
        let figures = |card: &Value| -> Vec<MeasureFigures> {
            card["sections"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["measures"].as_array().unwrap().clone())
                .map(|m| {
                    (
                        m["id"].as_str().unwrap().to_owned(),
                        m["value"].clone(),
                        m["denominator"].clone(),
                        m["breakdown"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|b| (b["key"].clone(), b["value"].clone()))
                            .collect(),
                    )
                })
                .collect()
        };
        let got = figures(&shown);
        assert_eq!(got.len(), 24);
        assert_eq!(got, figures(&expected), "{area} {period}");
        let referrals = got.iter().find(|m| m.0 == "referrals").unwrap();
        assert!(
            referrals.1.as_u64().unwrap() > 0,
            "{area} {period}: no referrals to compare"
        );
    }
    let caseload_names = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2019/20",
            "--format",
            "json",
        ],
    );
    assert!(String::from_utf8_lossy(&caseload_names.stdout).contains("\"label\": \"Newport\""));

    let csv = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2019/20",
            "--format",
            "csv",
        ],
    );
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(
        text.starts_with("section,measure,label,key,value,denominator,percent\n"),
        "{text}"
    );
    assert!(
        text.contains("How much did we do?,referrals,Police,police,"),
        "{text}"
    );
    let table = h2h(
        url,
        &["scorecard", "--area", "W15000002", "--period", "2019/20"],
    );
    assert!(String::from_utf8_lossy(&table.stdout).starts_with("Gwent (W15000002), 2019/20"));
    // The files: HTML laid out like the report, a workbook with numbers as numbers.
    let html = dir.parent().unwrap().join("scorecard.html");
    let made = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2019/20",
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    for expected in [
        "Scorecard: Gwent, 2019/20",
        "The referral pathway",
        "Is anyone better off?",
        "Terminology",
        "role=\"img\"",
    ] {
        assert!(
            page.contains(expected),
            "the HTML scorecard lacks {expected:?}"
        );
    }
    let xlsx = dir.parent().unwrap().join("scorecard.xlsx");
    let made = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2019/20",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    {
        use calamine::{DataType, Reader};
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        let names = workbook.sheet_names();
        assert_eq!(
            names,
            [
                "Cover",
                "Table_1",
                "Table_2",
                "Table_3",
                "Table_4",
                "Terminology"
            ]
        );
        let sheet = workbook.worksheet_range("Table_1").unwrap();
        let header: Vec<String> = sheet
            .rows()
            .nth(2)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let current = header
            .iter()
            .position(|h| h == "Number in 2019/20")
            .unwrap();
        let referrals = sheet.rows().find(|r| r[0] == "referrals").unwrap();
        let expected = shown_referrals(url);
        assert_eq!(
            referrals[current].get_float(),
            Some(expected as f64),
            "numbers are stored as numbers"
        );
    }
    // The PDF: typeset, its pages drawn by poppler and not blank, its words those of the HTML.
    let pdf = dir.parent().unwrap().join("scorecard.pdf");
    let started = std::time::Instant::now();
    let made = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2019/20",
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    eprintln!("scorecard PDF written in {:?}", started.elapsed());
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    if have_tool("pdftoppm", &["-v"]) {
        let pages = drawn_pages(&pdf);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        for (page, inked) in pages.iter().enumerate() {
            assert!(*inked > 0.01, "page {} is blank ({inked})", page + 1);
        }
        let text = Command::new("pdftotext")
            .args([pdf.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let referrals = thousands(shown_referrals(url));
        for expected in [
            "Scorecard: Gwent, 2019/20",
            "The referral pathway",
            "How much did we do?",
            "Is anyone better off?",
            "Terminology",
            referrals.as_str(),
        ] {
            assert!(text.contains(expected), "the PDF lacks {expected:?}");
        }
        assert!(
            text.matches("OFFICIAL-SENSITIVE: unpublished management information")
                .count()
                >= 2 * pages.len(),
            "marked at the head and foot of every page"
        );
    }
    let unknown = h2h(
        url,
        &["scorecard", "--area", "W15999999", "--period", "2019/20"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    let bad_period = h2h(
        url,
        &["scorecard", "--area", "W15000002", "--period", "2019/20-Q5"],
    );
    assert_eq!(bad_period.status.code(), Some(2));
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

/// The fixtures' partnerships and meetings through the binary: bad rows exit 1 with their
/// line and column and the good rows are stored; a second import changes nothing; the
/// attendance figures follow the rule.
async fn partnerships_and_meetings_are_imported_and_attendance_analysed(url: &str) {
    let dir = tempfile_dir();
    let partnerships = dir.join("partnerships.csv");
    let meetings = dir.join("meetings.csv");
    std::fs::write(
        &partnerships,
        include_str!("../../../fixtures/partnerships/partnerships.csv"),
    )
    .unwrap();
    std::fs::write(
        &meetings,
        include_str!("../../../fixtures/partnerships/meetings.csv"),
    )
    .unwrap();
    let import = h2h(
        url,
        &["import", "partnerships", partnerships.to_str().unwrap()],
    );
    assert_eq!(import.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(stderr.contains("line 10, column member_type"), "{stderr}");
    let stdout = String::from_utf8_lossy(&import.stdout);
    assert!(
        stdout.starts_with("accepted 2 partnerships (2 areas saved"),
        "{stdout}"
    );
    let import = h2h(url, &["import", "meetings", meetings.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(
        stderr.contains("line 26, column organisation") && stderr.contains("Camden Fire Service"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&import.stdout)
            .starts_with("accepted 25, rejected 1; 8 meetings added")
    );
    let again = h2h(url, &["import", "meetings", meetings.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 meetings added, 0 attendance records"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let again = h2h(
        url,
        &["import", "partnerships", partnerships.to_str().unwrap()],
    );
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .starts_with("accepted 2 partnerships (0 areas saved, 0 with new")
    );

    let output = h2h(url, &["attendance", "--format", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let analysis: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(analysis["window"], "2024/25");
    let share = |t: &str| {
        let entry = analysis["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["member_type"] == t)
            .unwrap();
        (
            entry["count"].as_u64().unwrap(),
            entry["of"].as_u64().unwrap(),
        )
    };
    assert_eq!(share("police"), (2, 2));
    assert_eq!(share("pcc"), (1, 2));
    assert_eq!(share("prison"), (0, 2));
    assert_eq!(share("la_public_health"), (1, 2));
    let csv = String::from_utf8(h2h(url, &["attendance", "--format", "csv"]).stdout).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("member_type,area_code,area_name,count,of,percent")
    );
    assert!(
        csv.contains("pcc,E12000001,North East,1,1,100")
            && csv.contains("pcc,E12000007,London,0,1,0"),
        "{csv}"
    );
    let london = String::from_utf8(
        h2h(
            url,
            &["attendance", "--region", "E12000007", "--format", "csv"],
        )
        .stdout,
    )
    .unwrap();
    assert!(
        london.contains("police,E12000007,London,1,1,100"),
        "{london}"
    );
    let table = String::from_utf8(h2h(url, &["attendance"]).stdout).unwrap();
    assert!(
        table.contains("All partnerships have police force attendance at main meetings"),
        "{table}"
    );
    let earlier = h2h(
        url,
        &["attendance", "--year", "2023/24", "--format", "json"],
    );
    let earlier: Value = serde_json::from_slice(&earlier.stdout).unwrap();
    assert_eq!(earlier["without_main_meetings"][0], "CDP-NE");

    let shown = h2h(
        url,
        &["partnership", "show", "--area", "CDP-NE", "--format", "csv"],
    );
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("HM Prison Frankland,prison,4,1,1,2,no"),
        "{text}"
    );
    assert!(
        text.contains("Durham Police and Crime Commissioner,pcc,4,2,1,1,yes"),
        "{text}"
    );
    let shown = h2h(
        url,
        &[
            "partnership",
            "show",
            "--area",
            "CDP-LON",
            "--format",
            "json",
        ],
    );
    let json: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(json["partnership"]["name"], "Camden Test Partnership");
    assert_eq!(json["meetings"].as_array().unwrap().len(), 3);
    let table =
        String::from_utf8(h2h(url, &["partnership", "show", "--area", "CDP-LON"]).stdout).unwrap();
    assert!(
        table.contains("Senior Responsible Owner: Director of Public Health"),
        "{table}"
    );
    assert_eq!(
        h2h(url, &["partnership", "show", "--area", "E06000047"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        h2h(url, &["attendance", "--region", "E06000047"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        h2h(url, &["attendance", "--year", "2024"]).status.code(),
        Some(2)
    );
}

async fn areas_list_every_kind_with_population_and_parents(url: &str) {
    let forces = json(&h2h(url, &["areas", "--kind", "pfa", "--format", "json"]));
    assert_eq!(forces.len(), 43);
    let upper = json(&h2h(
        url,
        &["areas", "--kind", "upper_tier", "--format", "json"],
    ));
    assert_eq!(upper.len(), 175);
    assert!(
        upper
            .iter()
            .all(|a| a["population"].as_u64().is_some_and(|p| p > 0))
    );
    assert!(
        upper
            .iter()
            .all(|a| !a["parents"].as_array().unwrap().is_empty())
    );
    let english = upper
        .iter()
        .filter(|a| a["code"].as_str().unwrap().starts_with('E'))
        .count();
    assert_eq!(english, 153);
    let csv = h2h(url, &["areas", "--kind", "region", "--format", "csv"]);
    let text = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("code,name,kind,parents,population")
    );
    assert_eq!(text.lines().count(), 10);
    let table = String::from_utf8(h2h(url, &["areas", "--kind", "country"]).stdout).unwrap();
    assert!(
        table.contains("England and Wales") && table.contains("60854727"),
        "{table}"
    );
}

async fn the_catalogue_lists_metrics_and_outcomes(url: &str) {
    let metrics = json(&h2h(url, &["metrics", "--format", "json"]));
    let tier = |t: &str| metrics.iter().filter(|m| m["tier"] == t).count();
    assert_eq!(
        (tier("headline"), tier("supporting"), tier("local")),
        (11, 22, 19)
    );
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
        assert!(metrics.iter().all(|m| m.get(field).is_some()), "{field}");
    }
    let local = json(&h2h(
        url,
        &["metrics", "--tier", "local", "--format", "json"],
    ));
    assert_eq!(local.len(), 19);
    assert!(
        local
            .iter()
            .all(|m| !m["maps_to"].as_array().unwrap().is_empty())
    );
    let outcomes = h2h(url, &["outcomes", "--format", "csv"]);
    let text = String::from_utf8(outcomes.stdout).unwrap();
    assert_eq!(text.lines().next(), Some("id,name,kind"));
    assert_eq!(
        text.lines().filter(|l| l.ends_with(",strategic")).count(),
        3
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.ends_with(",intermediate"))
            .count(),
        3
    );
}

async fn importing_areas_keeps_good_rows_and_names_bad_ones(url: &str) {
    let dir = std::env::temp_dir().join(format!("h2h-cli-{}-{}", std::process::id(), url.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("areas.csv");
    std::fs::write(
        &file,
        "area_code,name,kind,members,parent_code\n\
         CDP-DD,County Durham and Darlington,cdp,E06000047;E06000005,E12000001\n\
         BAD-1,Bad kind,ward,E06000047,\n\
         BAD-2,Bad member,custom,E06000047;X1,\n",
    )
    .unwrap();
    let output = h2h(url, &["import", "areas", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "accepted 1, rejected 2"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3, column kind: \"ward\""), "{stderr}");
    assert!(
        stderr.contains("line 4, column members: \"X1\" is not a known area code"),
        "{stderr}"
    );
    let partnerships = json(&h2h(url, &["areas", "--kind", "cdp", "--format", "json"]));
    assert_eq!(partnerships.len(), 1);
    assert_eq!(partnerships[0]["population"], 642_744);
    std::fs::remove_dir_all(dir).unwrap();
}

async fn bad_input_exits_2_with_a_message_and_no_panic(url: &str) {
    let unknown_kind = h2h(url, &["areas", "--kind", "ward"]);
    assert_eq!(unknown_kind.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown_kind.stderr);
    assert!(
        stderr.contains("area kind \"ward\" is not known") && stderr.contains("upper_tier"),
        "{stderr}"
    );
    let missing = h2h(url, &["import", "areas", "/no/such/file.csv"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /no/such/file.csv"));
    let binary = std::env::temp_dir().join(format!(
        "h2h-binary-{}-{}.csv",
        std::process::id(),
        url.len()
    ));
    std::fs::write(&binary, [0xff_u8, 0xfe, 0x00, 0x9c, 0x13, 0x37]).unwrap();
    let garbage = h2h(url, &["import", "areas", binary.to_str().unwrap()]);
    assert_eq!(garbage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&garbage.stderr).contains("not UTF-8"));
    std::fs::remove_file(binary).unwrap();
    let usage = h2h(url, &["metrics", "--format", "yaml"]);
    assert_eq!(usage.status.code(), Some(2));
    for output in [&unknown_kind, &missing, &garbage, &usage] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
    }
}

/// A server of `url` on a free loopback port, and its address.
fn start_server(url: &str) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_h2h"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("H2H_DATABASE_URL", url)
        .env_remove("H2H_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let address = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening"
        );
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    (server, address)
}

/// One HTTP/1.1 request as nobody: the status code and the body.
fn http(address: &str, method: &str, path: &str, form: &str) -> (u16, String) {
    http_as(address, None, method, path, form)
}

/// One HTTP/1.1 request, with an API token when one is given: the status code and the body.
fn http_as(
    address: &str,
    token: Option<&str>,
    method: &str,
    path: &str,
    form: &str,
) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let authorization = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{authorization}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    (status, body)
}

/// Adds an account with `h2h users add` and makes it an API token with `h2h users token`.
fn account_token(url: &str, name: &str, role: &str, areas: &[&str]) -> String {
    let mut args = vec!["users", "add", name, "--role", role];
    for area in areas {
        args.extend(["--area", area]);
    }
    let added = h2h(url, &args);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let made = h2h(url, &["users", "token", name, "--label", "tests"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    String::from_utf8_lossy(&made.stdout).trim().to_owned()
}

async fn serve_answers_health_checks(url: &str) {
    let (mut server, address) = start_server(url);
    let (status, body) = http(&address, "GET", "/healthz", "");
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
}

/// An independent plan in the `plans.md` format: statuses in their several spellings,
/// deadlines that are and are not dates, an action with two dated updates given out of order.
const PLAN: &str = "\
plan,area_code,theme,objective,objective_lead,outcome,action_no,action,lead,resources,deadline,status,measures,metric_ids,coverage,update_date,update,update_area
Test plan,E06000047,Theme A,Objective 1,Lead X,Outcome 1,1.1,Open a hub,Police/Council,,31/03/2025,A,Referrals,cdof.h3_neighbourhood_crime,,30/06/2024,Second update,E06000047
Test plan,E06000047,Theme A,Objective 1,Lead X,Outcome 1,1.1,Open a hub,Police/Council,,31/03/2025,R,Referrals,cdof.h3_neighbourhood_crime,,2024-03-31,First update,
Test plan,E06000047,Theme A,Objective 1,Lead X,Outcome 1,1.2,Train staff,NHS,,By end March 2024,Complete,,,,,,
Test plan,E06000047,Theme A,Objective 2,,,2.1,Keep going,Council,,Business as usual,g,,,,,,
Test plan,E06000047,Theme A,Objective 2,,,2.2,Bad status,Council,,,purple,,,,,,
";

async fn a_plan_is_imported_and_shown_with_statuses_deadlines_and_history(url: &str) {
    let dir = tempfile_dir();
    let path = dir.join("plan.csv");
    std::fs::write(&path, PLAN).unwrap();
    let import = h2h(
        url,
        &["import", "plan", path.to_str().unwrap(), "--user", "tester"],
    );
    assert_eq!(
        import.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(
        stderr.contains("line 6") && stderr.contains("status"),
        "{stderr}"
    );

    let shown = h2h(
        url,
        &[
            "plan",
            "show",
            "--area",
            "E06000047",
            "--format",
            "json",
            "--as-of",
            "2025-04-01",
        ],
    );
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["plan"]["title"], "Test plan");
    assert_eq!(shown["plan"]["as_of"], "2025-04-01");
    let actions = shown["actions"].as_array().unwrap();
    let numbers: Vec<&str> = actions
        .iter()
        .map(|a| a["action_no"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1.1", "1.2", "2.1"]);
    let hub = &actions[0];
    assert_eq!(hub["leads"], serde_json::json!(["Police", "Council"]));
    assert_eq!(hub["deadline_text"], "31/03/2025");
    assert_eq!(hub["deadline_date"], "2025-03-31");
    assert_eq!(hub["status"], "red");
    assert_eq!(hub["overdue"], true);
    assert_eq!(
        hub["metric_ids"],
        serde_json::json!(["cdof.h3_neighbourhood_crime"])
    );
    let updates = hub["updates"].as_array().unwrap();
    let texts: Vec<&str> = updates
        .iter()
        .map(|u| u["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["First update", "Second update"]);
    assert_eq!(updates[0]["date"], "2024-03-31");
    assert_eq!(updates[0]["status"], "red");
    assert_eq!(updates[1]["status"], "amber");
    assert_eq!(updates[1]["area_code"], "E06000047");
    assert_eq!(updates[1]["author"], "tester");
    let trained = &actions[1];
    assert_eq!(
        (trained["status"].as_str(), trained["overdue"].as_bool()),
        (Some("blue"), Some(false))
    );
    assert_eq!(trained["deadline_date"], "2024-03-31");
    let ongoing = &actions[2];
    assert_eq!(
        (
            ongoing["status"].as_str(),
            ongoing["deadline_date"].is_null()
        ),
        (Some("green"), true)
    );
    assert_eq!(ongoing["overdue"], false);

    let earlier = h2h(
        url,
        &[
            "plan",
            "show",
            "--area",
            "E06000047",
            "--format",
            "json",
            "--as-of",
            "2025-03-31",
        ],
    );
    let earlier: Value = serde_json::from_slice(&earlier.stdout).unwrap();
    assert_eq!(earlier["actions"][0]["overdue"], false);
    let csv = h2h(
        url,
        &[
            "plan",
            "show",
            "--area",
            "E06000047",
            "--format",
            "csv",
            "--as-of",
            "2025-04-01",
        ],
    );
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(
        csv.starts_with("action_no,status,overdue,deadline,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 4);
    let bad_date = h2h(
        url,
        &["plan", "show", "--area", "E06000047", "--as-of", "1 April"],
    );
    assert_eq!(bad_date.status.code(), Some(2));
}

/// A measure's id, value, denominator and breakdown (key, value) pairs, from scorecard JSON.
type MeasureFigures = (String, Value, Value, Vec<(Value, Value)>);

/// Gwent's referrals in 2019/20 as the JSON scorecard gives them.
fn shown_referrals(url: &str) -> u64 {
    let output = h2h(
        url,
        &[
            "scorecard",
            "--area",
            "W15000002",
            "--period",
            "2019/20",
            "--format",
            "json",
        ],
    );
    let card: Value = serde_json::from_slice(&output.stdout).unwrap();
    card["sections"][0]["measures"][0]["value"]
        .as_u64()
        .unwrap()
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "h2h-cli-plan-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A return for County Durham, Darlington, the North East and England: continuity of care (a proportion)
/// over five years, and drug-related homicides (a count) with a small count to withhold.
fn pack_return() -> String {
    let mut text = String::from("metric_id,area_code,period,numerator,denominator\n");
    for (area, scale) in [
        ("E06000047", 1),
        ("E06000005", 1),
        ("E12000001", 6),
        ("E92000001", 90),
    ] {
        for (year, numerator) in (2019..2024).zip([120, 131, 150, 160, 181]) {
            let period = format!("{year}/{:02}", (year + 1) % 100);
            text.push_str(&format!(
                "cdof.h9_continuity_of_care,{area},{period},{},{}\n",
                numerator * scale + year % 7,
                480 * scale
            ));
        }
    }
    text.push_str("cdof.h4_drug_related_homicides,E06000047,2023/24,3,\n");
    text
}

async fn the_performance_pack_is_written_as_html_xlsx_and_pdf_with_the_figures_of_the_api(
    url: &str,
) {
    use calamine::{Data, DataType, Reader, Xlsx};
    let dir = tempfile_dir();
    let values = dir.join("values.csv");
    std::fs::write(&values, pack_return()).unwrap();
    let import = h2h(url, &["import", "values", values.to_str().unwrap()]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let plan = dir.join("plan.csv");
    std::fs::write(&plan, PLAN).unwrap();
    h2h(url, &["import", "plan", plan.to_str().unwrap()]);

    let pack = |format: &str, extra: &[&str]| {
        let out = dir.join(format!("pack-{}.{format}", extra.len()));
        let mut args = vec![
            "report",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2025-04-01",
        ];
        args.extend_from_slice(extra);
        let run = h2h(url, &args);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read(out).unwrap()
    };
    let html = String::from_utf8(pack("html", &[])).unwrap();
    assert_eq!(
        html.matches("OFFICIAL-SENSITIVE: unpublished management information")
            .count(),
        2,
        "a management pack is marked at its top and foot"
    );
    for expected in [
        "Continuity of care from prison",
        "Drug-related homicides",
        "North East",
        "Test plan",
        "Open a hub",
        "overdue",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    assert!(
        html.matches("<svg").count() >= 2,
        "the series and the areas compared are drawn"
    );
    let pdf = pack("pdf", &[]);
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(
        pdf.len() > 20_000,
        "with its fonts and charts: {} bytes",
        pdf.len()
    );

    let api = json(&h2h(
        url,
        &[
            "indicators",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--format",
            "json",
        ],
    ));
    let continuity = api
        .iter()
        .find(|r| r["metric_id"] == "cdof.h9_continuity_of_care")
        .unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(pack("xlsx", &[]))).unwrap();
    let sheet = workbook.worksheet_range("Framework").unwrap();
    let headers: Vec<String> = (0..sheet.width() as u32)
        .map(|c| {
            sheet
                .get_value((2, c))
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    let column = |name: &str| headers.iter().position(|h| h.starts_with(name)).unwrap() as u32;
    let row = (3..sheet.height() as u32)
        .find(|r| {
            sheet.get_value((*r, column("Metric id")))
                == Some(&Data::String("cdof.h9_continuity_of_care".to_owned()))
        })
        .unwrap();
    for (heading, field) in [
        ("Value", "value"),
        ("Lower 95%", "lower_95"),
        ("Upper 95%", "upper_95"),
        ("Lower 99.8%", "lower_99_8"),
        ("Upper 99.8%", "upper_99_8"),
        ("Numerator", "numerator"),
        ("Denominator", "denominator"),
    ] {
        // serde_json parses floats to within a unit in the last place, so equal means that.
        let cell = sheet
            .get_value((row, column(heading)))
            .and_then(DataType::as_f64);
        let api = continuity[field].as_f64().unwrap();
        assert!(
            cell.is_some_and(|c| (c - api).abs() <= 1e-12 * api.abs().max(1.0)),
            "{heading} {cell:?} equals the API's {field} {api}"
        );
    }
    let england = sheet
        .get_value((row, column("England value")))
        .and_then(DataType::as_f64)
        .unwrap();
    let api_england = continuity["benchmark"]["value"].as_f64().unwrap();
    assert!((england - api_england).abs() <= 1e-12 * api_england.abs());
    assert!(matches!(
        sheet.get_value((row, column("North East value"))),
        Some(Data::Float(_))
    ));

    let mut published: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(pack("xlsx", &["--published"]))).unwrap();
    let sheet = published.worksheet_range("Framework").unwrap();
    let homicides = (3..sheet.height() as u32)
        .find(|r| {
            sheet.get_value((*r, column("Metric id")))
                == Some(&Data::String("cdof.h4_drug_related_homicides".to_owned()))
        })
        .unwrap();
    assert_eq!(
        sheet.get_value((homicides, column("Value"))),
        Some(&Data::String("[c]".to_owned()))
    );
    assert_eq!(
        sheet.get_value((homicides, column("Numerator"))),
        Some(&Data::String("[c]".to_owned()))
    );
    let cover = published.worksheet_range("Cover").unwrap();
    assert_ne!(
        cover.get_value((1, 0)),
        Some(&Data::String(
            "OFFICIAL-SENSITIVE: unpublished management information".to_owned()
        )),
        "a pack for publication carries no marking"
    );

    let bad = h2h(
        url,
        &[
            "report",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--format",
            "docx",
            "--out",
            "x.docx",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("expected html, xlsx or pdf"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

async fn a_signed_report_is_frozen_byte_for_byte_while_revisions_arrive(url: &str) {
    let dir = tempfile_dir();
    let values = dir.join("values.csv");
    std::fs::write(&values, pack_return()).unwrap();
    let import = h2h(url, &["import", "values", values.to_str().unwrap()]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let sign = |declare: bool| {
        let mut args = vec![
            "reports",
            "sign",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--reference",
            "CDP-2024-01",
            "--decision",
            "I have received the report.",
            "--decision",
            "I commend the partnership's work.",
            "--name",
            "A. Commissioner",
            "--role",
            "Police and Crime Commissioner",
            "--format",
            "json",
        ];
        if declare {
            args.push("--declare");
        }
        h2h(url, &args)
    };
    let refused = sign(false);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "signing needs the declaration"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("declaration"));
    let first = json(&sign(true));
    assert_eq!(first[0]["version"], 1);
    assert_eq!(first[0]["decisions"].as_array().unwrap().len(), 2);
    let id = first[0]["id"].as_i64().unwrap().to_string();
    let get = |format: &str, name: &str| {
        let out = dir.join(name);
        let run = h2h(
            url,
            &[
                "reports",
                "get",
                &id,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read(out).unwrap()
    };
    let (html, xlsx) = (get("html", "signed.html"), get("xlsx", "signed.xlsx"));
    let text = String::from_utf8(html.clone()).unwrap();
    assert!(text.contains("Decision record CDP-2024-01"));
    assert!(text.contains("I commend the partnership&#39;s work."));

    // A revision of Durham's 2023/24 figure arrives after signing.
    let revised = pack_return().replace(
        "cdof.h9_continuity_of_care,E06000047,2023/24,181,480",
        "cdof.h9_continuity_of_care,E06000047,2023/24,240,480",
    );
    assert_ne!(revised, pack_return(), "the revision changes a figure");
    std::fs::write(&values, revised).unwrap();
    let import = h2h(url, &["import", "values", values.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&import.stdout).contains("accepted 1"),
        "{}",
        String::from_utf8_lossy(&import.stdout)
    );

    assert_eq!(
        get("html", "again.html"),
        html,
        "the signed HTML is byte-identical"
    );
    assert_eq!(
        get("xlsx", "again.xlsx"),
        xlsx,
        "the signed workbook is byte-identical"
    );
    let fresh = dir.join("fresh.html");
    let run = h2h(
        url,
        &[
            "report",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--out",
            fresh.to_str().unwrap(),
        ],
    );
    assert!(run.status.success());
    let fresh = std::fs::read_to_string(fresh).unwrap();
    assert!(
        fresh.contains("50.0%") && !text.contains("50.0%"),
        "a new pack has the revised figure"
    );

    let second = json(&sign(true));
    assert_eq!(
        second[0]["version"], 2,
        "signing again makes the next version"
    );
    let listed = json(&h2h(
        url,
        &["reports", "list", "--area", "E06000047", "--format", "json"],
    ));
    assert_eq!(listed.len(), 2);
    assert_ne!(
        listed[0]["files"][0]["sha256"],
        listed[1]["files"][0]["sha256"]
    );
}

async fn the_national_summary_counts_areas_by_comparison_and_partnerships_by_attendance(url: &str) {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile_dir();
    for (name, text) in [
        ("values.csv", pack_return()),
        (
            "partnerships.csv",
            include_str!("../../../fixtures/partnerships/partnerships.csv").to_owned(),
        ),
        (
            "meetings.csv",
            include_str!("../../../fixtures/partnerships/meetings.csv").to_owned(),
        ),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    h2h(
        url,
        &["import", "values", dir.join("values.csv").to_str().unwrap()],
    );
    h2h(
        url,
        &[
            "import",
            "partnerships",
            dir.join("partnerships.csv").to_str().unwrap(),
        ],
    );
    h2h(
        url,
        &[
            "import",
            "meetings",
            dir.join("meetings.csv").to_str().unwrap(),
        ],
    );
    let out = dir.join("england.xlsx");
    let run = h2h(
        url,
        &[
            "report",
            "--area",
            "E92000001",
            "--period",
            "2024/25",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(std::fs::read(&out).unwrap())).unwrap();
    let names = workbook.sheet_names();
    assert!(
        names.contains(&"Distribution".to_owned())
            && names.contains(&"National attendance".to_owned()),
        "{names:?}"
    );
    let sheet = workbook.worksheet_range("Distribution").unwrap();
    let row = (3..sheet.height() as u32)
        .find(|r| {
            sheet.get_value((*r, 0)) == Some(&Data::String("cdof.h9_continuity_of_care".to_owned()))
        })
        .unwrap();
    // Durham and Darlington are the two upper-tier authorities with figures.
    assert_eq!(sheet.get_value((row, 3)), Some(&Data::Float(2.0)));
    let comparisons: f64 = (4..10)
        .filter_map(|c| {
            sheet.get_value((row, c)).and_then(|d| match d {
                Data::Float(f) => Some(*f),
                _ => None,
            })
        })
        .sum();
    assert_eq!(comparisons, 2.0, "each area is counted once by comparison");
    let national = workbook.worksheet_range("National attendance").unwrap();
    let police = (3..national.height() as u32)
        .find(|r| national.get_value((*r, 0)) == Some(&Data::String("Police force".to_owned())))
        .unwrap();
    assert!(
        matches!(national.get_value((police, 2)), Some(Data::Float(n)) if *n >= 1.0),
        "partnerships analysed"
    );
    let html = dir.join("england.html");
    let run = h2h(
        url,
        &[
            "report",
            "--area",
            "E92000001",
            "--period",
            "2024/25",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert!(run.status.success());
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("England: national summary, 2024/25"));
    assert!(html.contains("Partnership attendance across the country"));
}

/// Whether an outside tool the check needs is present; in CI it must be.
fn have_tool(program: &str, args: &[&str]) -> bool {
    let present = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        present || std::env::var_os("CI").is_none(),
        "{program} is needed in CI (.ci/run installs it)"
    );
    if !present {
        eprintln!("skipped: {program} is not installed here");
    }
    present
}

/// Draws every page of a PDF with pdftoppm as greyscale at 30 dpi and gives each page's
/// share of pixels that are not white.
fn drawn_pages(pdf: &std::path::Path) -> Vec<f64> {
    let dir = pdf.with_extension("pages");
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join("page");
    let run = Command::new("pdftoppm")
        .args(["-gray", "-r", "30"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            // A binary PGM: "P5", width, height, maximum, then one byte a pixel.
            let bytes = std::fs::read(file).unwrap();
            let mut fields = 0;
            let mut at = 0;
            while fields < 4 {
                while bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                while !bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                fields += 1;
            }
            let pixels = &bytes[at + 1..];
            pixels.iter().filter(|&&p| p < 200).count() as f64 / pixels.len() as f64
        })
        .collect()
}

/// A count with thousands separated, as the reports show it.
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

/// Reads the Framework sheet's row of a metric with openpyxl: its cells as JSON.
const OPENPYXL_ROW: &str = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = list(book["Framework"].iter_rows(values_only=True))
headers = rows[2]
row = next(r for r in rows[3:] if r[1] == sys.argv[2])
print(json.dumps({str(h): v for h, v in zip(headers, row)}))
"#;

async fn the_pack_workbook_opens_in_openpyxl_and_libreoffice_with_the_apis_figures(url: &str) {
    let dir = tempfile_dir();
    let values = dir.join("values.csv");
    std::fs::write(&values, pack_return()).unwrap();
    h2h(url, &["import", "values", values.to_str().unwrap()]);
    let out = dir.join("pack.xlsx");
    let run = h2h(
        url,
        &[
            "report",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let api = json(&h2h(
        url,
        &[
            "indicators",
            "--area",
            "E06000047",
            "--period",
            "2023/24",
            "--format",
            "json",
        ],
    ));
    let continuity = api
        .iter()
        .find(|r| r["metric_id"] == "cdof.h9_continuity_of_care")
        .unwrap();

    if have_tool("python3", &["-c", "import openpyxl"]) {
        let read = Command::new("python3")
            .args([
                "-c",
                OPENPYXL_ROW,
                out.to_str().unwrap(),
                "cdof.h9_continuity_of_care",
            ])
            .output()
            .unwrap();
        assert!(
            read.status.success(),
            "{}",
            String::from_utf8_lossy(&read.stderr)
        );
        let row: Value = serde_json::from_slice(&read.stdout).unwrap();
        let cell = |prefix: &str| {
            row.as_object()
                .unwrap()
                .iter()
                .find(|(k, _)| k.starts_with(prefix))
                .unwrap()
                .1
                .as_f64()
        };
        for (heading, field) in [
            ("Value", "value"),
            ("Lower 95%", "lower_95"),
            ("Upper 95%", "upper_95"),
            ("Numerator", "numerator"),
            ("Denominator", "denominator"),
        ] {
            let (cell, api) = (cell(heading).unwrap(), continuity[field].as_f64().unwrap());
            assert!(
                (cell - api).abs() <= 1e-12 * api.abs().max(1.0),
                "{heading}: openpyxl {cell}, API {api}"
            );
        }
    }
    if have_tool("soffice", &["--version"]) {
        let converted = Command::new("soffice")
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "csv",
                "--outdir",
                dir.to_str().unwrap(),
                out.to_str().unwrap(),
            ])
            .env("HOME", &dir)
            .output()
            .unwrap();
        assert!(
            converted.status.success(),
            "{}",
            String::from_utf8_lossy(&converted.stderr)
        );
        // The first sheet, the cover, as LibreOffice read it.
        let cover = std::fs::read_to_string(dir.join("pack.csv")).unwrap();
        assert!(
            cover.contains("partnership performance pack, 2023/24"),
            "{cover}"
        );
        assert!(cover.contains("OFFICIAL-SENSITIVE"), "{cover}");
    }
}

/// Twenty imports killed with SIGKILL at moments spread over a whole import (reading,
/// checking, writing, committing): after each, the store holds exactly the values before it or
/// exactly the values after it, never some of them.
async fn an_import_killed_at_any_moment_leaves_the_store_as_before_or_after(url: &str) {
    const ROWS: usize = 25_000;
    const KILLS: u64 = 20;
    let dir = tempfile_dir();
    let base = dir.join("base.csv");
    // The benchmark writes its generated return; it imports it into a database of its own.
    let scratch = format!("sqlite://{}", dir.join("scratch.db").display());
    let keep = h2h(
        url,
        &[
            "bench",
            "import",
            "--db",
            &scratch,
            "--rows",
            &ROWS.to_string(),
            "--keep",
            base.to_str().unwrap(),
        ],
    );
    assert!(
        keep.status.success(),
        "{}",
        String::from_utf8_lossy(&keep.stderr)
    );
    let base = std::fs::read_to_string(&base).unwrap();
    // Round k's return: every numerator moved by k (down where up would pass the
    // denominator), so each file is new and revises every value held, and its numerators
    // add up to a total of its own.
    let round_file = |k: u64| -> (std::path::PathBuf, f64) {
        let mut total = 0.0;
        let mut text = String::new();
        for (i, line) in base.lines().enumerate() {
            if i == 0 {
                text.push_str(line);
                text.push('\n');
                continue;
            }
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            let numerator: u64 = cells[3].parse().unwrap();
            let moved = match cells[4].parse::<u64>() {
                Ok(denominator) if numerator + k > denominator => numerator.saturating_sub(k),
                _ => numerator + k,
            };
            total += moved as f64;
            cells[3] = moved.to_string();
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        let path = dir.join(format!("round-{k}.csv"));
        std::fs::write(&path, text).unwrap();
        (path, total)
    };
    let import = |file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_h2h"))
            .args(["import", "values", file.to_str().unwrap()])
            .env("H2H_DATABASE_URL", url)
            .env_remove("H2H_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let store = h2h_store::open(url).await.unwrap();
    let state = || async {
        let current = store.current_observations(None).await.unwrap();
        let total: f64 = current.iter().filter_map(|o| o.observation.numerator).sum();
        (
            current.len(),
            total,
            store.submissions().await.unwrap().len(),
        )
    };

    // The values, then one whole import revising every one of them, timed, to spread the
    // kills over.
    let (first, _) = round_file(0);
    assert!(import(&first).wait().unwrap().success());
    let (revision, revision_total) = round_file(KILLS + 1);
    let started = std::time::Instant::now();
    assert!(import(&revision).wait().unwrap().success());
    let whole = started.elapsed();
    let (rows, mut held_total, mut submissions) = state().await;
    assert_eq!((rows, held_total), (ROWS, revision_total));
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut interrupted = 0;
    for k in 1..=KILLS {
        let (file, file_total) = round_file(k);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // From a tenth of an import to a little past its end.
        let fraction = 0.1 + (seed % 1000) as f64 / 1000.0;
        let mut child = import(&file);
        std::thread::sleep(whole.mul_f64(fraction));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let (rows, total, now) = state().await;
        assert_eq!(
            rows, ROWS,
            "round {k}: every key keeps exactly one current value"
        );
        if now == submissions {
            assert_eq!(
                total, held_total,
                "round {k}: killed, the store is as before"
            );
            interrupted += u32::from(!finished);
        } else {
            assert_eq!(now, submissions + 1, "round {k}: one submission at most");
            assert_eq!(
                total, file_total,
                "round {k}: completed, the store is as after"
            );
            (submissions, held_total) = (now, total);
        }
    }
    eprintln!("{interrupted} of {KILLS} imports killed part-way; a whole import took {whole:?}");
    assert!(
        interrupted >= 5,
        "kills landed inside imports {interrupted} times of {KILLS}"
    );
}

async fn a_backup_restores_the_store_as_it_was(url: &str) {
    let dir = tempfile_dir();
    let values = dir.join("values.csv");
    std::fs::write(&values, pack_return()).unwrap();
    assert!(
        h2h(url, &["import", "values", values.to_str().unwrap()])
            .status
            .success()
    );
    let value = || {
        let rows = json(&h2h(
            url,
            &[
                "indicators",
                "--area",
                "E06000047",
                "--period",
                "2023/24",
                "--format",
                "json",
            ],
        ));
        rows.iter()
            .find(|r| r["metric_id"] == "cdof.h9_continuity_of_care")
            .unwrap()["numerator"]
            .clone()
    };
    assert_eq!(value(), serde_json::json!(181.0));
    let backup = dir.join("h2h.backup");
    let made = h2h(url, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(std::fs::metadata(&backup).unwrap().len() > 0);
    let again = h2h(url, &["backup", "--out", backup.to_str().unwrap()]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a backup never overwrites a file"
    );

    // A revision and a plan arrive after the backup; restoring takes both away.
    let revised = pack_return().replace(
        "cdof.h9_continuity_of_care,E06000047,2023/24,181,480",
        "cdof.h9_continuity_of_care,E06000047,2023/24,240,480",
    );
    std::fs::write(&values, revised).unwrap();
    assert!(
        h2h(url, &["import", "values", values.to_str().unwrap()])
            .status
            .success()
    );
    let plan = dir.join("plan.csv");
    std::fs::write(&plan, PLAN).unwrap();
    h2h(url, &["import", "plan", plan.to_str().unwrap()]);
    assert_eq!(value(), serde_json::json!(240.0));
    let unconfirmed = h2h(url, &["restore", backup.to_str().unwrap()]);
    assert_eq!(
        unconfirmed.status.code(),
        Some(2),
        "a restore must be confirmed"
    );
    let restored = h2h(url, &["restore", backup.to_str().unwrap(), "--yes"]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert_eq!(
        value(),
        serde_json::json!(181.0),
        "the value as it was at the backup"
    );
    let plans = json(&h2h(url, &["plan", "list", "--format", "json"]));
    assert!(
        plans.iter().all(|p| p["title"] != "Test plan"),
        "the later plan is gone"
    );
    let text = String::from_utf8_lossy(&restored.stdout).into_owned();
    let version: i64 = text.rsplit(' ').next().unwrap().trim().parse().unwrap();
    let made_text = String::from_utf8_lossy(&made.stdout).into_owned();
    let at_backup: i64 = made_text
        .trim()
        .trim_end_matches(')')
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        version > at_backup + 1,
        "the data version moved past the store's: {version} vs {at_backup}"
    );
}

/// Two servers on one store, as behind a load balancer: two people edit the same action at
/// once; the second is told, and nothing the first saved is lost. Both servers then show it.
async fn two_servers_on_one_store_refuse_the_second_of_two_edits_and_lose_nothing(url: &str) {
    let dir = tempfile_dir();
    let plan = dir.join("plan.csv");
    std::fs::write(&plan, PLAN).unwrap();
    h2h(url, &["import", "plan", plan.to_str().unwrap()]);
    let plans = json(&h2h(
        url,
        &["plan", "list", "--area", "E06000047", "--format", "json"],
    ));
    let plan_id = plans[0]["id"].as_i64().unwrap();
    let token = account_token(url, "lead", "partnership_lead", &["E06000047"]);
    let token = Some(token.as_str());
    let (mut first, a) = start_server(url);
    let (mut second, b) = start_server(url);
    let (status, body) = http_as(&a, token, "GET", &format!("/api/v1/plans/{plan_id}"), "");
    assert_eq!(status, 200, "{body}");
    let shown: Value = serde_json::from_str(&body).unwrap();
    let action = &shown["actions"][0];
    let (action_id, version) = (
        action["id"].as_i64().unwrap(),
        action["version"].as_i64().unwrap(),
    );
    let path = format!("/plans/{plan_id}/actions/{action_id}");
    let form = |text: &str| {
        format!("version={version}&status=amber&date=2025-01-15&author=Lead&text={text}")
    };
    // Both people opened the action at the same version; A saves first, then B.
    let (status, _) = http_as(&a, token, "POST", &path, &form("Saved+through+A"));
    assert_eq!(status, 303, "the first edit is saved");
    let (status, page) = http_as(&b, token, "POST", &path, &form("Saved+through+B"));
    assert_eq!(status, 409, "the second edit is refused");
    assert!(page.contains("changed"), "and says why: {page}");
    for server in [&a, &b] {
        let (_, body) = http_as(
            server,
            token,
            "GET",
            &format!("/api/v1/plans/{plan_id}"),
            "",
        );
        let shown: Value = serde_json::from_str(&body).unwrap();
        let texts: Vec<&str> = shown["actions"][0]["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["text"].as_str().unwrap())
            .collect();
        assert!(texts.contains(&"Saved through A"), "{server}: {texts:?}");
        assert!(!texts.contains(&"Saved through B"), "{server}: {texts:?}");
        assert_eq!(shown["actions"][0]["status"], "amber");
    }
    for server in [&mut first, &mut second] {
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

async fn the_server_keeps_answering_while_a_large_import_runs(url: &str) {
    let dir = tempfile_dir();
    let file = dir.join("large.csv");
    let scratch = format!("sqlite://{}", dir.join("scratch.db").display());
    let keep = h2h(
        url,
        &[
            "bench",
            "import",
            "--db",
            &scratch,
            "--rows",
            "150000",
            "--keep",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        keep.status.success(),
        "{}",
        String::from_utf8_lossy(&keep.stderr)
    );
    let token = account_token(url, "analyst", "national_analyst", &[]);
    let (mut server, address) = start_server(url);
    let mut import = Command::new(env!("CARGO_BIN_EXE_h2h"))
        .args(["import", "values", file.to_str().unwrap()])
        .env("H2H_DATABASE_URL", url)
        .env_remove("H2H_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut answered = 0;
    let mut slowest = std::time::Duration::ZERO;
    let mut during = 0;
    loop {
        let running = import.try_wait().unwrap().is_none();
        for path in ["/healthz", "/areas/E06000047", "/api/v1/metrics"] {
            let started = std::time::Instant::now();
            let (status, body) = http_as(&address, Some(&token), "GET", path, "");
            slowest = slowest.max(started.elapsed());
            assert_eq!(status, 200, "{path} while importing: {body}");
            answered += 1;
            during += usize::from(running);
        }
        if !running {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(import.wait().unwrap().success());
    server.kill().unwrap();
    server.wait().unwrap();
    eprintln!(
        "{answered} requests answered ({during} during the import), the slowest in {slowest:?}"
    );
    assert!(
        during >= 6,
        "requests were made while the import ran: {during}"
    );
    // Before the snapshot was rebuilt in the background, a page waited for the whole rebuild
    // (12 s in a debug build after this import); now at most about a second, plus the page.
    assert!(
        slowest < std::time::Duration::from_secs(5),
        "the slowest answer took {slowest:?}"
    );
}
