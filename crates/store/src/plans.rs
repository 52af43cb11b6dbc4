//! Delivery plans as stored: plans, their actions with ids and versions, and decoding rows.

use h2h_domain::{ActionUpdate, AreaCode, Deadline, DeliveryStatus, MetricId, Plan, PlanAction};
use time::Date;

use crate::StoreError;

/// A plan of an area, listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    /// The plan's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The area it belongs to.
    pub area_code: AreaCode,
    /// How many actions it has.
    pub actions: u64,
}

/// A stored action: its id, its version (which moves on every change) and the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAction {
    /// The action's id.
    pub id: i64,
    /// Moves on every change, so that an edit made on an older version can be refused.
    pub version: i64,
    /// The action with its updates, oldest first.
    pub action: PlanAction,
}

/// A stored plan with its actions in plan order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// The plan's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The area it belongs to.
    pub area_code: AreaCode,
    /// Its actions, in plan order.
    pub actions: Vec<StoredAction>,
}

impl StoredPlan {
    /// The plan without the store's ids.
    pub fn to_plan(&self) -> Plan {
        Plan {
            title: self.title.clone(),
            area_code: self.area_code.clone(),
            actions: self.actions.iter().map(|a| a.action.clone()).collect(),
        }
    }
}

/// What saving a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SavedPlan {
    /// The plan's id.
    pub plan_id: i64,
    /// Actions written (new or changed).
    pub actions: u64,
    /// Updates added to histories (updates already held are not added again).
    pub updates_added: u64,
}

/// An action's columns as read back.
pub(crate) type ActionRow = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// The columns of `plan_actions` in the order of [`ActionRow`].
pub(crate) const ACTION_COLUMNS: &str = "id, version, action_no, theme, objective, objective_lead, \
     outcome, action, leads, resources, deadline_text, deadline_date, status, measures, metric_ids, \
     coverage";

/// An update's columns as read back: action id, date, author, text, area, status.
pub(crate) type UpdateRow = (i64, Option<String>, String, String, Option<String>, String);

fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A date as stored: `YYYY-MM-DD`.
pub(crate) fn date_text(date: Date) -> String {
    date.format(DATE_FORMAT).unwrap_or_default()
}

fn date(text: &str) -> Result<Date, StoreError> {
    Date::parse(text, DATE_FORMAT).map_err(|e| corrupt("date", e))
}

fn status(text: &str) -> Result<DeliveryStatus, StoreError> {
    DeliveryStatus::parse(text).map_err(|e| corrupt("delivery status", e))
}

pub(crate) fn action(row: ActionRow) -> Result<StoredAction, StoreError> {
    let (id, version, action_no, theme, objective, objective_lead, outcome, action, leads) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
    );
    let (resources, deadline_text, deadline_date, status_text, measures, metric_ids, coverage) =
        (row.9, row.10, row.11, row.12, row.13, row.14, row.15);
    let leads: Vec<String> = serde_json::from_str(&leads).map_err(|e| corrupt("leads", e))?;
    let metric_ids: Vec<String> =
        serde_json::from_str(&metric_ids).map_err(|e| corrupt("metric ids", e))?;
    Ok(StoredAction {
        id,
        version,
        action: PlanAction {
            action_no,
            action,
            theme,
            objective,
            objective_lead,
            outcome,
            leads,
            resources,
            deadline: Deadline {
                text: deadline_text,
                date: deadline_date.as_deref().map(date).transpose()?,
            },
            status: status(&status_text)?,
            measures,
            metric_ids: metric_ids
                .iter()
                .map(|id| MetricId::parse(id).map_err(|e| corrupt("metric id", e)))
                .collect::<Result<_, _>>()?,
            coverage,
            updates: Vec::new(),
        },
    })
}

pub(crate) fn update(row: UpdateRow) -> Result<(i64, ActionUpdate), StoreError> {
    let (action_id, update_date, author, text, area_code, status_text) = row;
    Ok((
        action_id,
        ActionUpdate {
            date: update_date.as_deref().map(date).transpose()?,
            author,
            text,
            area_code: area_code.as_deref().map(crate::rows::code).transpose()?,
            status: status(&status_text)?,
        },
    ))
}
