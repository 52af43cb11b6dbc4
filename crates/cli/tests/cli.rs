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
);

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

async fn serve_answers_health_checks(url: &str) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_h2h"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("H2H_DATABASE_URL", url)
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
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");
}
