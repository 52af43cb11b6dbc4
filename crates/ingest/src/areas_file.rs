//! `areas.csv`: custom areas and their memberships (`returns.md`).
//!
//! Each row is checked on its own first (shape, kind, codes); references to other areas are
//! checked against the store's areas by the caller, who knows them.

use h2h_domain::{AreaCode, AreaKind, CustomArea};

use crate::csv_table::{CsvTable, IngestError};

/// The columns `areas.csv` must have.
pub const REQUIRED_COLUMNS: [&str; 4] = ["area_code", "name", "kind", "members"];

/// A row of `areas.csv` that passed its own checks, with its line for later messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRow {
    /// The line the row is on.
    pub line: u64,
    /// The area it defines.
    pub area: CustomArea,
}

/// The result of reading an `areas.csv`: good rows, and a problem for each rejected row.
#[derive(Debug, Default)]
pub struct AreasFile {
    /// Rows that passed their own checks.
    pub rows: Vec<AreaRow>,
    /// One problem per rejected row.
    pub rejected: Vec<IngestError>,
}

/// Reads `areas.csv`. Fails as a whole only when the file is not CSV or lacks a column.
pub fn read_areas(file: &str, text: &str) -> Result<AreasFile, IngestError> {
    let table = CsvTable::parse(file, text)?;
    table.require(&REQUIRED_COLUMNS)?;
    let mut result = AreasFile::default();
    let mut seen = std::collections::HashSet::new();
    for row in table.rows() {
        let parsed = (|| {
            let code = row.parse_with("area_code", AreaCode::parse)?;
            if !seen.insert(code.clone()) {
                return Err(row.error("area_code", "appears on an earlier line of this file"));
            }
            let name = row
                .optional("name")
                .ok_or_else(|| row.error("name", "is blank; every area needs a name"))?;
            let kind = row.parse_with("kind", AreaKind::parse)?;
            if !kind.is_grouping() {
                return Err(row.error(
                    "kind",
                    "is not a kind of custom area: expected cdp, dip_area or custom",
                ));
            }
            let mut members = Vec::new();
            for member in row
                .get("members")
                .split(';')
                .map(str::trim)
                .filter(|m| !m.is_empty())
            {
                let member =
                    AreaCode::parse(member).map_err(|e| row.error("members", e.to_string()))?;
                if member == code {
                    return Err(row.error("members", "names the area itself"));
                }
                if !members.contains(&member) {
                    members.push(member);
                }
            }
            if members.is_empty() {
                return Err(row.error(
                    "members",
                    "is blank; list the member areas' codes separated by ';'",
                ));
            }
            let parent = match row.optional("parent_code") {
                Some(_) => Some(row.parse_with("parent_code", AreaCode::parse)?),
                None => None,
            };
            Ok(AreaRow {
                line: row.line(),
                area: CustomArea {
                    code,
                    name: name.to_owned(),
                    kind,
                    members,
                    parent,
                },
            })
        })();
        match parsed {
            Ok(good) => result.rows.push(good),
            Err(problem) => result.rejected.push(problem),
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn good_and_bad_rows_are_separated_with_reasons() {
        let text = "area_code,name,kind,members,parent_code\n\
                    CDP-A,Partnership A,cdp,E06000047; e06000005,E12000001\n\
                    CDP-B,,cdp,E06000047,\n\
                    CDP-C,Partnership C,region,E06000047,\n\
                    CDP-D,Partnership D,custom,,\n\
                    CDP-A,Again,cdp,E06000047,\n";
        let file = read_areas("areas.csv", text).unwrap();
        assert_eq!(file.rows.len(), 1);
        let a = &file.rows[0].area;
        assert_eq!(
            a.members.iter().map(AreaCode::as_str).collect::<Vec<_>>(),
            ["E06000047", "E06000005"]
        );
        assert_eq!(a.parent.as_ref().map(AreaCode::as_str), Some("E12000001"));
        let messages: Vec<String> = file.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].starts_with("areas.csv, line 3, column name"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("line 4, column kind"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].contains("line 5, column members"),
            "{}",
            messages[2]
        );
        assert!(messages[3].contains("earlier line"), "{}", messages[3]);
    }

    #[test]
    fn a_file_without_the_columns_is_refused_whole() {
        let error = read_areas("areas.csv", "code,name\nx,y\n")
            .unwrap_err()
            .to_string();
        assert_eq!(error, "areas.csv: the header has no column \"area_code\"");
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = read_areas("fuzz.csv", &text);
        }

        #[test]
        fn arbitrary_rows_never_panic(rows in proptest::collection::vec("[A-Za-z0-9;,\" -]{0,40}", 0..8)) {
            let text = format!("area_code,name,kind,members,parent_code\n{}", rows.join("\n"));
            let _ = read_areas("fuzz.csv", &text);
        }
    }
}
