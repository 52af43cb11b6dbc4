//! `areas.csv`: custom areas and their memberships (`returns.md`).
//!
//! Each row is checked on its own first (shape, kind, codes); references to other areas are
//! checked against the store's areas by the caller, who knows them.

use std::collections::HashSet;

use h2h_domain::geography::sum_estimates;
use h2h_domain::{AreaCode, AreaKind, CustomArea};
use h2h_store::{Store, StoreError};

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
    /// The file's name, for messages.
    pub file: String,
    /// Rows that passed their own checks.
    pub rows: Vec<AreaRow>,
    /// One problem per rejected row.
    pub rejected: Vec<IngestError>,
}

/// Reads `areas.csv`. Fails as a whole only when the file is not CSV or lacks a column.
pub fn read_areas(file: &str, text: &str) -> Result<AreasFile, IngestError> {
    let table = CsvTable::parse(file, text)?;
    table.require(&REQUIRED_COLUMNS)?;
    let mut result = AreasFile {
        file: file.to_owned(),
        ..AreasFile::default()
    };
    let mut seen = HashSet::new();
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

/// What an import of custom areas did.
#[derive(Debug, Default)]
pub struct AreasImport {
    /// Areas created or replaced.
    pub accepted: usize,
    /// One problem per rejected row, in file order within each check.
    pub rejected: Vec<IngestError>,
}

/// Saves the rows of `file` whose references hold: every member and the parent are known
/// areas (retired codes follow their successors) and no member lies within another. Each
/// area's populations are the sums of its members'.
pub async fn import_areas(store: &dyn Store, file: AreasFile) -> Result<AreasImport, StoreError> {
    let mut import = AreasImport {
        accepted: 0,
        rejected: file.rejected,
    };
    for row in file.rows {
        let problem = |column: &str, value: &AreaCode, reason: &str| IngestError::BadValue {
            file: file.file.clone(),
            line: row.line,
            column: column.to_owned(),
            value: value.to_string(),
            reason: reason.to_owned(),
        };
        let mut area = row.area.clone();
        match resolve_members(store, &row.area.members).await? {
            Err(unknown) => {
                import
                    .rejected
                    .push(problem("members", &unknown, "is not a known area code"));
                continue;
            }
            Ok(members) => area.members = members,
        }
        if let Some(inner) = member_within_another(store, &area.members).await? {
            import.rejected.push(problem(
                "members",
                &inner,
                "lies within another member; list each place once",
            ));
            continue;
        }
        if let Some(parent) = &row.area.parent {
            match store.area(parent).await? {
                Some(found) => area.parent = Some(found.code),
                None => {
                    import.rejected.push(problem(
                        "parent_code",
                        parent,
                        "is not a known area code",
                    ));
                    continue;
                }
            }
        }
        let mut estimates = Vec::new();
        for member in &area.members {
            estimates.push(store.populations(member).await?);
        }
        match store
            .save_custom_area(&area, &sum_estimates(&estimates))
            .await
        {
            Ok(()) => import.accepted += 1,
            Err(StoreError::Refused(reason)) => {
                import
                    .rejected
                    .push(problem("area_code", &area.code, &reason))
            }
            Err(error) => return Err(error),
        }
    }
    Ok(import)
}

/// The members on their current codes, or the first code that is not an area.
async fn resolve_members(
    store: &dyn Store,
    members: &[AreaCode],
) -> Result<Result<Vec<AreaCode>, AreaCode>, StoreError> {
    let mut current = Vec::with_capacity(members.len());
    for member in members {
        match store.area(member).await? {
            Some(found) if !current.contains(&found.code) => current.push(found.code),
            Some(_) => {}
            None => return Ok(Err(member.clone())),
        }
    }
    Ok(Ok(current))
}

/// A member that lies within another member through any chain of parents, if there is one.
async fn member_within_another(
    store: &dyn Store,
    members: &[AreaCode],
) -> Result<Option<AreaCode>, StoreError> {
    for member in members {
        let mut frontier = vec![member.clone()];
        let mut seen = HashSet::new();
        while let Some(code) = frontier.pop() {
            if !seen.insert(code.clone()) {
                continue;
            }
            for parent in store
                .area(&code)
                .await?
                .map(|a| a.parents)
                .unwrap_or_default()
            {
                if members.contains(&parent) {
                    return Ok(Some(member.clone()));
                }
                frontier.push(parent);
            }
        }
    }
    Ok(None)
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
