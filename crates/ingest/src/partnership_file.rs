//! Reading partnerships (`partnerships.csv`: a partnership's local authorities, leadership
//! and member organisations, one row a member) and their meetings (`meetings.csv`: one row an
//! organisation's attendance at a meeting), as CSV or a workbook's sheet. The formats are in
//! `docs/partnerships.md`.
//!
//! A partnership's area (kind `cdp`, grouping its local authorities) is saved through the
//! same path as `h2h import areas`, so it is checked and its population summed the same way.

use std::collections::HashMap;

use h2h_domain::plan::read_deadline_date;
use h2h_domain::{
    AreaCode, AreaKind, Attendance, AttendanceRecord, CustomArea, Meeting, MeetingKind,
    MemberOrganisation, MemberType, Partnership,
};
use h2h_store::{SavedMeetings, SavedPartnership, Store, organisation_key};

use crate::areas_file::{AreaRow, AreasFile, import_areas};
use crate::csv_table::{CsvTable, IngestError, Row};
use crate::returns::{Checked, CheckedFile, ImportContext, RejectedRow, line_word, rejection};
use crate::submit::{ImportError, import_context};

/// The columns a partnerships file must have.
pub const PARTNERSHIPS_REQUIRED: [&str; 3] = ["partnership_code", "organisation", "member_type"];

/// Every column a partnerships file may have; others are reported as ignored.
pub const PARTNERSHIPS_COLUMNS: [&str; 8] = [
    "partnership_code",
    "partnership_name",
    "local_authorities",
    "sro",
    "chair",
    "organisation",
    "member_type",
    "generated",
];

/// The columns a meetings file must have.
pub const MEETINGS_REQUIRED: [&str; 5] = [
    "partnership_code",
    "meeting_date",
    "kind",
    "organisation",
    "attendance",
];

/// Every column a meetings file may have; others are reported as ignored.
pub const MEETINGS_COLUMNS: [&str; 6] = [
    "partnership_code",
    "meeting_date",
    "kind",
    "meeting",
    "organisation",
    "attendance",
];

/// The result of reading a partnerships file: each partnership with the line it starts on.
pub type PartnershipsFile = CheckedFile<Partnership>;

/// The result of reading a meetings file: each meeting with the line it starts on.
pub type MeetingsFile = CheckedFile<Meeting>;

/// Reads a partnerships file. Rows with the same `partnership_code` are one partnership,
/// each adding a member organisation. The partnership's name, local authorities (`;`
/// separated codes), SRO and chair are given on at least one of its rows; a later row that
/// gives a different value is rejected. A partnership whose rows never give one of them is
/// rejected on its first line.
pub fn read_partnerships(
    table: &CsvTable,
    context: &ImportContext,
) -> Result<PartnershipsFile, IngestError> {
    table.require(&PARTNERSHIPS_REQUIRED)?;
    table.require_unique(&PARTNERSHIPS_COLUMNS)?;
    let mut file = PartnershipsFile {
        file: table.file().to_owned(),
        ignored_columns: table.unknown_columns(&PARTNERSHIPS_COLUMNS),
        ..PartnershipsFile::default()
    };
    // Each partnership's position in `accepted`, and the first row's raw values, so a
    // partnership missing a detail is rejected on its first line.
    let mut found: HashMap<AreaCode, usize> = HashMap::new();
    let mut first_rows: Vec<Box<RejectedRow>> = Vec::new();
    for row in table.rows() {
        let checked = (|| -> Checked<(AreaCode, Details, MemberOrganisation)> {
            let code = row
                .optional("partnership_code")
                .ok_or_else(|| {
                    rejection(
                        &row,
                        "partnership_code",
                        "is blank: expected the partnership's code",
                    )
                })
                .and_then(|text| {
                    AreaCode::parse(text)
                        .map_err(|e| rejection(&row, "partnership_code", e.to_string()))
                })?;
            let details = read_details(&row, context)?;
            let name = row.optional("organisation").ok_or_else(|| {
                rejection(
                    &row,
                    "organisation",
                    "is blank: expected the member organisation's name",
                )
            })?;
            let member_type = MemberType::read(row.get("member_type")).map_err(|e| {
                rejection(
                    &row,
                    "member_type",
                    format!("is not a member type: expected one of {}", e.expected),
                )
            })?;
            Ok((
                code,
                details,
                MemberOrganisation {
                    name: name.split_whitespace().collect::<Vec<_>>().join(" "),
                    member_type,
                },
            ))
        })();
        let (code, details, member) = match checked {
            Ok(checked) => checked,
            Err(rejected) => {
                file.rejected.push(*rejected);
                continue;
            }
        };
        let at = *found.entry(code.clone()).or_insert_with(|| {
            file.accepted.push((
                row.line(),
                Partnership {
                    code: code.clone(),
                    name: String::new(),
                    local_authorities: Vec::new(),
                    sro: String::new(),
                    chair: String::new(),
                    members: Vec::new(),
                    generated: false,
                },
            ));
            first_rows.push(rejection(&row, "partnership_code", ""));
            file.accepted.len() - 1
        });
        let Some((first_line, partnership)) = file.accepted.get_mut(at) else {
            continue;
        };
        if let Some(problem) = details.conflict(partnership) {
            file.rejected.push(*rejection(
                &row,
                problem,
                format!(
                    "differs from the value given for {code} on {} {first_line}: give a \
                     partnership's details once, or the same on every row",
                    line_word(&row)
                ),
            ));
            continue;
        }
        if partnership.member(&member.name).is_some() {
            file.rejected.push(*rejection(
                &row,
                "organisation",
                format!("is already a member of {code} on an earlier row of this file"),
            ));
            continue;
        }
        details.fill(partnership);
        partnership.members.push(member);
    }
    // A partnership needs all four details; one missing rejects it on its first line.
    let mut complete = Vec::with_capacity(file.accepted.len());
    for ((line, partnership), first) in file.accepted.drain(..).zip(first_rows) {
        let missing = [
            ("partnership_name", partnership.name.is_empty()),
            (
                "local_authorities",
                partnership.local_authorities.is_empty(),
            ),
            ("sro", partnership.sro.is_empty()),
            ("chair", partnership.chair.is_empty()),
        ]
        .into_iter()
        .find(|(_, blank)| *blank);
        match missing {
            None => complete.push((line, partnership)),
            Some((column, _)) => {
                let mut rejected = *first;
                rejected.column = column.to_owned();
                rejected.value = String::new();
                rejected.reason = format!(
                    "is blank on every row of {}: give the partnership's {} on at least one row",
                    partnership.code,
                    match column {
                        "partnership_name" => "name",
                        "local_authorities" => "local authorities (codes separated by ';')",
                        "sro" => "Senior Responsible Owner",
                        _ => "chair",
                    }
                );
                file.rejected.push(rejected);
            }
        }
    }
    file.accepted = complete;
    file.rejected.sort_by_key(|r| r.line);
    Ok(file)
}

/// The partnership-level values of one row, each blank or given.
struct Details {
    generated: bool,
    name: Option<String>,
    local_authorities: Option<Vec<AreaCode>>,
    sro: Option<String>,
    chair: Option<String>,
}

impl Details {
    /// The first column whose value differs from one already held.
    fn conflict(&self, held: &Partnership) -> Option<&'static str> {
        let differs = |given: &Option<String>, held: &str| {
            given
                .as_deref()
                .is_some_and(|g| !held.is_empty() && g != held)
        };
        if differs(&self.name, &held.name) {
            return Some("partnership_name");
        }
        if self.local_authorities.as_ref().is_some_and(|given| {
            !held.local_authorities.is_empty() && given != &held.local_authorities
        }) {
            return Some("local_authorities");
        }
        if differs(&self.sro, &held.sro) {
            return Some("sro");
        }
        if differs(&self.chair, &held.chair) {
            return Some("chair");
        }
        None
    }

    fn fill(self, partnership: &mut Partnership) {
        partnership.generated |= self.generated;
        if let Some(name) = self.name {
            partnership.name = name;
        }
        if let Some(authorities) = self.local_authorities {
            partnership.local_authorities = authorities;
        }
        if let Some(sro) = self.sro {
            partnership.sro = sro;
        }
        if let Some(chair) = self.chair {
            partnership.chair = chair;
        }
    }
}

fn read_details(row: &Row<'_>, context: &ImportContext) -> Checked<Details> {
    let text = |column: &str| row.optional(column).map(str::to_owned);
    let local_authorities = match row.optional("local_authorities") {
        None => None,
        Some(list) => {
            let mut codes = Vec::new();
            for text in list.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                let code = AreaCode::parse(text)
                    .ok()
                    .and_then(|c| context.current_area(&c).cloned())
                    .ok_or_else(|| {
                        rejection(
                            row,
                            "local_authorities",
                            format!(
                                "names {text:?}, which is not a known area: list the GSS codes of \
                                 the partnership's local authorities, separated by ';'"
                            ),
                        )
                    })?;
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            Some(codes)
        }
    };
    let generated = match row.get("generated").to_ascii_lowercase().as_str() {
        "" | "no" | "false" | "n" | "0" => false,
        "yes" | "true" | "y" | "1" => true,
        _ => {
            return Err(rejection(
                row,
                "generated",
                "is not yes or no: write yes for data generated for a demonstration, else leave it blank",
            ));
        }
    };
    Ok(Details {
        generated,
        name: text("partnership_name"),
        local_authorities,
        sro: text("sro"),
        chair: text("chair"),
    })
}

/// What importing a partnerships file did.
#[derive(Debug, Default)]
pub struct PartnershipsImport {
    /// Each partnership saved, with what changed.
    pub saved: Vec<(AreaCode, SavedPartnership)>,
    /// Partnership areas created or changed (an area already as the file has it is left).
    pub areas_saved: usize,
    /// Rows refused, with reasons.
    pub rejected: Vec<RejectedRow>,
    /// Header columns that are not part of the format.
    pub ignored_columns: Vec<String>,
}

/// Imports a partnerships file (CSV or a workbook's sheet) from its bytes: each partnership's
/// area is saved as a custom area of kind `cdp` (through [`import_areas`], with the region of
/// its local authorities as its parent when they share one), then its leadership and members.
/// A partnership whose area is refused is not saved and its first row is reported.
pub async fn import_partnerships(
    store: &dyn Store,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<PartnershipsImport, ImportError> {
    let table = CsvTable::read(file_name, bytes, sheet)?;
    let context = import_context(store).await?;
    let file = read_partnerships(&table, &context)?;
    let mut import = PartnershipsImport {
        rejected: file.rejected,
        ignored_columns: file.ignored_columns,
        ..PartnershipsImport::default()
    };
    for (line, partnership) in file.accepted {
        let area = CustomArea {
            code: partnership.code.clone(),
            name: partnership.name.clone(),
            kind: AreaKind::Cdp,
            members: partnership.local_authorities.clone(),
            parent: common_region(store, &partnership.local_authorities).await?,
        };
        if !area_is_saved(store, &area).await? {
            let areas = AreasFile {
                file: file.file.clone(),
                rows: vec![AreaRow { line, area }],
                rejected: Vec::new(),
            };
            let saved = import_areas(store, areas).await?;
            if let Some(problem) = saved.rejected.into_iter().next() {
                import
                    .rejected
                    .push(rejected_row(problem, "local_authorities"));
                continue;
            }
            import.areas_saved += saved.accepted;
        }
        let saved = store.save_partnership(&partnership).await?;
        import.saved.push((partnership.code, saved));
    }
    import.rejected.sort_by_key(|r| r.line);
    Ok(import)
}

/// The one region every authority lies in, if they share one.
async fn common_region(
    store: &dyn Store,
    authorities: &[AreaCode],
) -> Result<Option<AreaCode>, h2h_store::StoreError> {
    let mut region = None;
    for authority in authorities {
        let found = store.area(authority).await?.and_then(|a| {
            a.parents
                .into_iter()
                .find(|p| p.gss_entity() == Some("E12"))
        });
        match (found, &region) {
            (None, _) => return Ok(None),
            (Some(found), Some(held)) if &found != held => return Ok(None),
            (Some(found), _) => region = Some(found),
        }
    }
    Ok(region)
}

/// Whether the store already holds `area` as given: same name and kind, parent and members.
async fn area_is_saved(
    store: &dyn Store,
    area: &CustomArea,
) -> Result<bool, h2h_store::StoreError> {
    let Some(held) = store.area(&area.code).await? else {
        return Ok(false);
    };
    if held.kind != area.kind
        || held.name != area.name
        || held.parents != area.parent.iter().cloned().collect::<Vec<_>>()
    {
        return Ok(false);
    }
    let mut members: Vec<AreaCode> = store
        .area_children(&area.code)
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect();
    let mut wanted = area.members.clone();
    members.sort();
    wanted.sort();
    Ok(members == wanted)
}

/// A problem `import_areas` found, as a rejected row of this file.
fn rejected_row(problem: IngestError, default_column: &str) -> RejectedRow {
    match problem {
        IngestError::BadValue {
            file,
            line,
            column,
            value,
            reason,
        } => RejectedRow {
            file,
            sheet: None,
            line,
            column: if column == "members" {
                default_column.to_owned()
            } else {
                column
            },
            value,
            reason,
            raw: Vec::new(),
        },
        IngestError::BadCell(cell) => RejectedRow {
            file: cell.file,
            sheet: Some(cell.sheet),
            line: cell.row,
            column: cell.column,
            value: cell.value,
            reason: cell.reason,
            raw: Vec::new(),
        },
        other => RejectedRow {
            file: String::new(),
            sheet: None,
            line: 0,
            column: default_column.to_owned(),
            value: String::new(),
            reason: other.to_string(),
            raw: Vec::new(),
        },
    }
}

/// Reads a meetings file against the partnerships held. Rows with the same partnership,
/// date, kind and `meeting` title are one meeting, each giving one organisation's
/// attendance; the organisation must be one of the partnership's members. A blank title is
/// the kind's default ("Main partnership meeting", "Sub-group").
pub fn read_meetings(
    table: &CsvTable,
    partnerships: &[Partnership],
) -> Result<MeetingsFile, IngestError> {
    table.require(&MEETINGS_REQUIRED)?;
    table.require_unique(&MEETINGS_COLUMNS)?;
    let mut file = MeetingsFile {
        file: table.file().to_owned(),
        ignored_columns: table.unknown_columns(&MEETINGS_COLUMNS),
        ..MeetingsFile::default()
    };
    let by_code: HashMap<&str, &Partnership> =
        partnerships.iter().map(|p| (p.code.as_str(), p)).collect();
    let mut found: HashMap<(AreaCode, time::Date, MeetingKind, String), usize> = HashMap::new();
    // Where each organisation's attendance at each meeting was given.
    let mut given: HashMap<(usize, String), u64> = HashMap::new();
    for row in table.rows() {
        let checked = (|| -> Checked<(Meeting, AttendanceRecord)> {
            let text = row.get("partnership_code");
            let partnership = AreaCode::parse(text)
                .ok()
                .and_then(|c| by_code.get(c.as_str()).copied())
                .ok_or_else(|| {
                    rejection(
                        &row,
                        "partnership_code",
                        "is not a partnership held: import it with `h2h import partnerships` first",
                    )
                })?;
            let date = row
                .optional("meeting_date")
                .and_then(|t| {
                    let t = t.trim();
                    read_deadline_date(t).filter(|_| !t.chars().any(char::is_alphabetic))
                })
                .ok_or_else(|| {
                    rejection(
                        &row,
                        "meeting_date",
                        "is not a date: expected a date such as 2024-06-30 or 30/06/2024",
                    )
                })?;
            let kind = MeetingKind::read(row.get("kind")).map_err(|_| {
                rejection(
                    &row,
                    "kind",
                    "is not a meeting kind: expected main or sub_group",
                )
            })?;
            let member = partnership.member(row.get("organisation")).ok_or_else(|| {
                rejection(
                    &row,
                    "organisation",
                    format!(
                        "is not a member of {}: add it to the partnership with `h2h import \
                         partnerships` first",
                        partnership.code
                    ),
                )
            })?;
            let attendance = Attendance::read(row.get("attendance")).map_err(|_| {
                rejection(
                    &row,
                    "attendance",
                    "is not attendance: expected attended, apologies or absent (or present, \
                     sent apologies, did not attend)",
                )
            })?;
            let title = row
                .optional("meeting")
                .map_or_else(|| Meeting::default_title(kind).to_owned(), str::to_owned);
            Ok((
                Meeting {
                    partnership: partnership.code.clone(),
                    date,
                    kind,
                    title,
                    attendance: Vec::new(),
                },
                AttendanceRecord {
                    organisation: member.name.clone(),
                    attendance,
                },
            ))
        })();
        let (meeting, record) = match checked {
            Ok(checked) => checked,
            Err(rejected) => {
                file.rejected.push(*rejected);
                continue;
            }
        };
        let key = (
            meeting.partnership.clone(),
            meeting.date,
            meeting.kind,
            meeting.title.clone(),
        );
        let at = *found.entry(key).or_insert_with(|| {
            file.accepted.push((row.line(), meeting));
            file.accepted.len() - 1
        });
        let organisation = organisation_key(&record.organisation);
        if let Some(earlier) = given.get(&(at, organisation.clone())) {
            file.rejected.push(*rejection(
                &row,
                "organisation",
                format!(
                    "already has its attendance at this meeting on {} {earlier}",
                    line_word(&row)
                ),
            ));
            continue;
        }
        given.insert((at, organisation), row.line());
        if let Some((_, meeting)) = file.accepted.get_mut(at) {
            meeting.attendance.push(record);
        }
    }
    Ok(file)
}

/// What importing a meetings file did.
#[derive(Debug, Default)]
pub struct MeetingsImport {
    /// Rows accepted (each an organisation's attendance at a meeting).
    pub accepted: usize,
    /// What was written.
    pub saved: SavedMeetings,
    /// Rows refused, with reasons.
    pub rejected: Vec<RejectedRow>,
    /// Header columns that are not part of the format.
    pub ignored_columns: Vec<String>,
}

/// Imports a meetings file (CSV or a workbook's sheet) from its bytes, checked against the
/// partnerships held, in one transaction. Importing it again changes nothing.
pub async fn import_meetings(
    store: &dyn Store,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<MeetingsImport, ImportError> {
    let table = CsvTable::read(file_name, bytes, sheet)?;
    let partnerships = store.partnerships().await?;
    let file = read_meetings(&table, &partnerships)?;
    let meetings: Vec<Meeting> = file.accepted.into_iter().map(|(_, m)| m).collect();
    let saved = store.save_meetings(&meetings).await?;
    Ok(MeetingsImport {
        accepted: meetings.iter().map(|m| m.attendance.len()).sum(),
        saved,
        rejected: file.rejected,
        ignored_columns: file.ignored_columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ImportContext {
        let codes = ["E06000047", "E06000005", "E10000023"]
            .map(|c| (AreaCode::parse(c).unwrap(), AreaCode::parse(c).unwrap()));
        ImportContext::new(&[], codes)
    }

    const HEADER: &str =
        "partnership_code,partnership_name,local_authorities,sro,chair,organisation,member_type\n";

    #[test]
    fn rows_of_a_partnership_add_its_members() {
        let text = format!(
            "{HEADER}CDP-DD,Durham and Darlington,E06000047; E06000005,Director of Public Health,PCC,Durham Constabulary,police\n\
             CDP-DD,,,,,Durham  County Council – Public Health,LA public health\n\
             CDP-DD,Durham and Darlington,,,,Probation Service,probation\n"
        );
        let table = CsvTable::parse("partnerships.csv", &text).unwrap();
        let file = read_partnerships(&table, &context()).unwrap();
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
        let p = &file.accepted[0].1;
        assert_eq!(p.local_authorities.len(), 2);
        assert_eq!(p.members.len(), 3);
        assert_eq!(p.members[1].name, "Durham County Council – Public Health");
        assert_eq!(p.members[1].member_type, MemberType::LaPublicHealth);
    }

    #[test]
    fn bad_rows_are_rejected_with_their_column() {
        let text = format!(
            "{HEADER}CDP-A,A,E06000047,SRO,Chair,Force,police\n\
             CDP-A,B,,,,Council,la_housing\n\
             CDP-A,,,,,Council,council\n\
             CDP-A,,,,,force,police\n\
             CDP-A,,E99999999,,,Other,other\n\
             CDP-B,B,E06000005,,Chair,Force,police\n"
        );
        let table = CsvTable::parse("partnerships.csv", &text).unwrap();
        let file = read_partnerships(&table, &context()).unwrap();
        let columns: Vec<(u64, &str)> = file
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_str()))
            .collect();
        assert_eq!(
            columns,
            [
                (3, "partnership_name"),
                (4, "member_type"),
                (5, "organisation"),
                (6, "local_authorities"),
                (7, "sro")
            ]
        );
        assert_eq!(file.accepted.len(), 1);
        assert!(
            file.rejected[3]
                .to_string()
                .starts_with("partnerships.csv, line 6, column local_authorities")
        );
    }

    #[test]
    fn meetings_group_attendance_and_check_members() {
        let partnership = Partnership {
            code: AreaCode::parse("CDP-A").unwrap(),
            name: "A".into(),
            local_authorities: vec![],
            sro: "S".into(),
            chair: "C".into(),
            members: vec![
                MemberOrganisation {
                    name: "Force".into(),
                    member_type: MemberType::Police,
                },
                MemberOrganisation {
                    name: "Council".into(),
                    member_type: MemberType::LaCommunitySafety,
                },
            ],
            generated: false,
        };
        let text = "partnership_code,meeting_date,kind,meeting,organisation,attendance\n\
                    CDP-A,2024-06-30,main,,force,attended\n\
                    CDP-A,30/06/2024,Main,,Council,sent apologies\n\
                    CDP-A,2024-07-15,sub-group,Treatment,Council,present\n\
                    CDP-A,2024-06-30,main,,Force,absent\n\
                    CDP-A,June 2024,main,,Force,absent\n\
                    CDP-A,2024-06-30,board meeting,,Force,absent\n\
                    CDP-A,2024-06-30,main,,Fire service,absent\n\
                    CDP-A,2024-06-30,main,,Force,late\n\
                    CDP-Z,2024-06-30,main,,Force,absent\n";
        let table = CsvTable::parse("meetings.csv", text).unwrap();
        let file = read_meetings(&table, &[partnership]).unwrap();
        let columns: Vec<(u64, &str)> = file
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_str()))
            .collect();
        assert_eq!(
            columns,
            [
                (5, "organisation"),
                (6, "meeting_date"),
                (7, "kind"),
                (8, "organisation"),
                (9, "attendance"),
                (10, "partnership_code")
            ]
        );
        assert_eq!(file.accepted.len(), 2);
        let main = &file.accepted[0].1;
        assert_eq!(main.attendance.len(), 2);
        assert_eq!(main.attendance[0].organisation, "Force");
        assert_eq!(main.attendance[1].attendance, Attendance::Apologies);
        assert_eq!(file.accepted[1].1.title, "Treatment");
    }
}
