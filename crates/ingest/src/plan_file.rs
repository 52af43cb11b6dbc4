//! Reading a delivery plan (`plan.csv` or a workbook) as `../shared/spec/plans.md` sets out:
//! one row an action, or several rows of one action each adding an update to its history.

use std::collections::HashMap;

use h2h_domain::plan::read_deadline_date;
use h2h_domain::{ActionUpdate, AreaCode, Deadline, DeliveryStatus, MetricId, Plan, PlanAction};

use h2h_store::{SavedPlan, Store};

use crate::csv_table::{CsvTable, IngestError, Row};
use crate::returns::{
    Checked, CheckedFile, ImportContext, RejectedRow, known_area, line_word, rejection,
};
use crate::submit::{ImportError, import_context};

/// The columns a plan file must have.
pub const PLAN_REQUIRED: [&str; 5] = ["plan", "area_code", "objective", "action_no", "action"];

/// Every column a plan file may have; others are reported as ignored.
pub const PLAN_COLUMNS: [&str; 18] = [
    "plan",
    "area_code",
    "theme",
    "objective",
    "objective_lead",
    "outcome",
    "action_no",
    "action",
    "lead",
    "resources",
    "deadline",
    "status",
    "measures",
    "metric_ids",
    "coverage",
    "update_date",
    "update",
    "update_area",
];

/// The result of reading a plan file: its plans (with the line each starts on) and rejected
/// rows.
pub type PlanFile = CheckedFile<Plan>;

/// What importing a plan file did.
#[derive(Debug, Default)]
pub struct PlanImport {
    /// Each plan saved, with what changed.
    pub saved: Vec<(String, SavedPlan)>,
    /// Rows refused, with reasons.
    pub rejected: Vec<RejectedRow>,
    /// Header columns that are not part of the format.
    pub ignored_columns: Vec<String>,
}

/// Imports a plan file (CSV or a workbook's sheet) from its bytes: reads it, checks it against
/// the store's areas and metrics, and saves each plan in it. Updates imported are written by
/// `author`.
pub async fn import_plan(
    store: &dyn Store,
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    author: &str,
) -> Result<PlanImport, ImportError> {
    let table = CsvTable::read(file_name, bytes, sheet)?;
    let context = import_context(store).await?;
    let file = read_plan(&table, &context, author)?;
    let recorded_at = crate::submit::now();
    let mut saved = Vec::with_capacity(file.accepted.len());
    for (_, plan) in &file.accepted {
        saved.push((
            plan.title.clone(),
            store.save_plan(plan, &recorded_at).await?,
        ));
    }
    Ok(PlanImport {
        saved,
        rejected: file.rejected,
        ignored_columns: file.ignored_columns,
    })
}

/// One checked row: the action it describes and the update it adds, if any.
struct PlanRow {
    title: String,
    area_code: AreaCode,
    action: PlanAction,
    /// Whether the row gave a status (a blank one leaves the action's as it was).
    status_given: bool,
    update: Option<ActionUpdate>,
}

/// Reads a plan file. Rows with the same `plan` title and area form one plan; rows with the
/// same `action_no` in a plan are one action, each adding its update (if it has one) to the
/// action's history. An action's status is the last one given for it, in file order.
/// Imported updates are written by `author`.
///
/// Fails as a whole only when the header lacks a required column or repeats one of the
/// format's; a bad row is rejected with its line, column and reason and the rest are read.
pub fn read_plan(
    table: &CsvTable,
    context: &ImportContext,
    author: &str,
) -> Result<PlanFile, IngestError> {
    table.require(&PLAN_REQUIRED)?;
    table.require_unique(&PLAN_COLUMNS)?;
    let mut file = PlanFile {
        file: table.file().to_owned(),
        ignored_columns: table.unknown_columns(&PLAN_COLUMNS),
        ..PlanFile::default()
    };
    // Where each plan and each action was first seen, to group rows that continue them.
    let mut plans: HashMap<(AreaCode, String), usize> = HashMap::new();
    let mut actions: HashMap<(usize, String), (usize, u64)> = HashMap::new();
    for row in table.rows() {
        let checked = match read_plan_row(&row, context, author) {
            Ok(checked) => checked,
            Err(rejected) => {
                file.rejected.push(*rejected);
                continue;
            }
        };
        let plan_at = *plans
            .entry((checked.area_code.clone(), checked.title.clone()))
            .or_insert_with(|| {
                file.accepted.push((
                    row.line(),
                    Plan {
                        title: checked.title.clone(),
                        area_code: checked.area_code.clone(),
                        actions: Vec::new(),
                    },
                ));
                file.accepted.len() - 1
            });
        let Some((_, plan)) = file.accepted.get_mut(plan_at) else {
            continue;
        };
        let action_key = (plan_at, checked.action.action_no.clone());
        match actions.get(&action_key) {
            None => {
                actions.insert(action_key, (plan.actions.len(), row.line()));
                let mut action = checked.action;
                action.updates.extend(checked.update);
                plan.actions.push(action);
            }
            Some(&(at, first_line)) => {
                let Some(action) = plan.actions.get_mut(at) else {
                    continue;
                };
                if action.action != checked.action.action {
                    file.rejected.push(*rejection(
                        &row,
                        "action",
                        format!(
                            "differs from the text of action {} on {} {first_line}: rows that \
                             add updates to an action repeat its text as it was",
                            action.action_no,
                            line_word(&row)
                        ),
                    ));
                    continue;
                }
                if checked.status_given {
                    action.status = checked.action.status;
                }
                action.updates.extend(checked.update);
            }
        }
    }
    for (_, plan) in &mut file.accepted {
        for action in &mut plan.actions {
            // Undated updates first, then by date; the file's order among equals.
            action.updates.sort_by_key(|update| update.date);
        }
    }
    Ok(file)
}

/// Checks one row of a plan file.
fn read_plan_row(row: &Row<'_>, context: &ImportContext, author: &str) -> Checked<PlanRow> {
    let required = |column: &str, what: &str| -> Checked<String> {
        row.optional(column)
            .map(str::to_owned)
            .ok_or_else(|| rejection(row, column, format!("is blank: expected {what}")))
    };
    let optional = |column: &str| row.optional(column).map(str::to_owned);
    let title = required("plan", "the plan's title")?;
    let area_code = known_area(row, "area_code", context)?;
    let objective = required("objective", "the objective the action serves")?;
    let action_no = required("action_no", "the action's number, unique in the plan")?;
    let action_text = required("action", "what the action is")?;
    let status_text = row.get("status");
    let status = DeliveryStatus::read(status_text).map_err(|_| {
        rejection(
            row,
            "status",
            "is not a delivery status: expected not_started, red, amber, green, blue \
             (complete) or closed, or R, A, G, B, Complete; blank means not started",
        )
    })?;
    let mut metric_ids = Vec::new();
    for text in row
        .get("metric_ids")
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let metric = MetricId::parse(text)
            .ok()
            .and_then(|id| context.metric(&id))
            .ok_or_else(|| {
                rejection(
                    row,
                    "metric_ids",
                    format!(
                        "names {text:?}, which is not a known metric: list the ids of metrics in \
                         the catalogue or imported from metrics.csv, separated by ';'"
                    ),
                )
            })?;
        metric_ids.push(metric.id.clone());
    }
    let update_date = match row.optional("update_date") {
        None => None,
        Some(text) => Some(read_update_date(text).ok_or_else(|| {
            rejection(
                row,
                "update_date",
                "is not a date: expected a date such as 2024-03-31 or 31/03/2024",
            )
        })?),
    };
    let update_area = match row.optional("update_area") {
        None => None,
        Some(_) => Some(known_area(row, "update_area", context)?),
    };
    let update = match row.optional("update") {
        Some(text) => Some(ActionUpdate {
            date: update_date,
            author: author.to_owned(),
            text: text.to_owned(),
            area_code: update_area,
            status,
        }),
        None if update_date.is_some() || update_area.is_some() => {
            return Err(rejection(
                row,
                "update",
                "is blank, but the row gives an update date or area: write the update's text",
            ));
        }
        None => None,
    };
    let leads = row
        .get("lead")
        .split([';', '/'])
        .map(str::trim)
        .filter(|lead| !lead.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(PlanRow {
        title,
        area_code,
        status_given: !status_text.is_empty(),
        update,
        action: PlanAction {
            action_no,
            action: action_text,
            theme: optional("theme"),
            objective,
            objective_lead: optional("objective_lead"),
            outcome: optional("outcome"),
            leads,
            resources: optional("resources"),
            deadline: Deadline::new(row.get("deadline")),
            status,
            measures: optional("measures"),
            metric_ids,
            coverage: optional("coverage"),
            updates: Vec::new(),
        },
    })
}

/// An update's date: a whole date only (a month alone does not date an update).
fn read_update_date(text: &str) -> Option<time::Date> {
    let text = text.trim();
    read_deadline_date(text).filter(|_| !text.chars().any(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use h2h_domain::{Tier, Unit};
    use time::macros::date;

    fn context() -> ImportContext {
        let metric = crate::returns::tests::metric(
            "durham.numbers_in_treatment",
            Tier::Local,
            Unit::Count,
            None,
        );
        let codes = ["CDP-X", "E06000047", "E06000005"]
            .map(|c| (AreaCode::parse(c).unwrap(), AreaCode::parse(c).unwrap()));
        ImportContext::new(&[metric], codes)
    }

    fn read(rows: &str) -> PlanFile {
        let text = format!("{}\n{rows}", PLAN_COLUMNS.join(","));
        let table = CsvTable::parse("plan.csv", &text).unwrap();
        read_plan(&table, &context(), "import of plan.csv").unwrap()
    }

    #[test]
    fn rows_of_one_action_add_its_history_and_its_latest_status() {
        let file = read(
            "P,CDP-X,Aims,Obj 1,Lead A,Out 1,7,Do it,Police; Council/NHS,,By end March 2025,A,Counts,durham.numbers_in_treatment,,2024-06-30,Second,E06000047\n\
             P,CDP-X,Aims,Obj 1,Lead A,Out 1,7,Do it,Police; Council/NHS,,By end March 2025,,Counts,durham.numbers_in_treatment,,31/03/2024,First,\n\
             P,CDP-X,Aims,Obj 1,Lead A,Out 1,8,Other,,,Ongoing,G,,,,,,\n",
        );
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
        assert_eq!(file.accepted.len(), 1);
        let plan = &file.accepted[0].1;
        assert_eq!(plan.actions.len(), 2);
        let action = &plan.actions[0];
        assert_eq!(action.leads, ["Police", "Council", "NHS"]);
        assert_eq!(action.deadline.date, Some(date!(2025 - 03 - 31)));
        assert_eq!(action.status, DeliveryStatus::Amber);
        assert_eq!(action.metric_ids[0].as_str(), "durham.numbers_in_treatment");
        let texts: Vec<&str> = action.updates.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(texts, ["First", "Second"]);
        assert_eq!(action.updates[0].status, DeliveryStatus::NotStarted);
        assert_eq!(
            action.updates[1].area_code.as_ref().map(AreaCode::as_str),
            Some("E06000047")
        );
        assert_eq!(action.updates[1].author, "import of plan.csv");
        assert_eq!(plan.actions[1].deadline.date, None);
    }

    #[test]
    fn bad_rows_are_rejected_with_their_column() {
        let file = read(
            "P,CDP-X,,Obj,,,1,Do it,,,,purple,,,,,,\n\
             P,CDP-X,,Obj,,,2,Do it,,,,,,no.such,,,,\n\
             P,CDP-X,,Obj,,,3,Do it,,,,,,,,March 2024,Text,\n\
             P,E99999999,,Obj,,,4,Do it,,,,,,,,,,\n\
             P,CDP-X,,,,,5,Do it,,,,,,,,,,\n\
             P,CDP-X,,Obj,,,6,Do it,,,,,,,,,,\n\
             P,CDP-X,,Obj,,,6,Something else,,,,,,,,2024-01-01,Update,\n",
        );
        let columns: Vec<(u64, &str)> = file
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_str()))
            .collect();
        assert_eq!(
            columns,
            [
                (2, "status"),
                (3, "metric_ids"),
                (4, "update_date"),
                (5, "area_code"),
                (6, "objective"),
                (8, "action")
            ]
        );
        assert_eq!(file.accepted[0].1.actions.len(), 1);
    }
}
