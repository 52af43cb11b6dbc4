//! Delivery plan pages: the plans held, a plan as a tree of objectives with filters, its
//! exceptions and status summary for the board, and an action with its history, the current
//! values of its metrics and a form to add an update.

use std::collections::BTreeSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use h2h_domain::{
    ActionUpdate, AreaCode, DeliveryStatus, Permission, PlanAction, StatusCounts, status_summary,
};
use h2h_store::{StoreError, StoredAction, StoredPlan};
use serde::Deserialize;
use time::Date;

use crate::AppState;
use crate::auth::{self, Remote, Viewer};
use crate::contract::iso;
use crate::error::WebError;
use crate::pages::{Layout, Page, layout};
use crate::snapshot::Snapshot;
use crate::views::figure_in_unit;

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/plans", get(plans))
        .route("/plans/{id}", get(plan))
        .route(
            "/plans/{id}/actions/{action_id}",
            get(action).post(add_update),
        )
}

fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// A plan in the list of plans.
struct PlanRow {
    id: i64,
    title: String,
    area_code: String,
    area_name: String,
    actions: u64,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    layout: Layout,
    plans: Vec<PlanRow>,
}

async fn plans(State(state): State<AppState>, viewer: Viewer) -> Page {
    async {
        auth::require_signed_in(&viewer)?;
        let snapshot = state.snapshot().await?;
        let plans = state.store.plans(None).await?;
        Ok(PlansPage {
            layout: layout(&snapshot, "plans"),
            plans: plans
                .into_iter()
                .filter(|p| auth::may(&viewer, &snapshot, Permission::View, &p.area_code))
                .map(|p| PlanRow {
                    id: p.id,
                    area_name: area_name(&snapshot, &p.area_code),
                    area_code: p.area_code.to_string(),
                    title: p.title,
                    actions: p.actions,
                })
                .collect(),
        })
    }
    .await
    .into()
}

fn area_name(snapshot: &Snapshot, code: &AreaCode) -> String {
    snapshot
        .area(code)
        .map_or_else(|| code.to_string(), |a| a.name.clone())
}

/// An action as a row of the plan's table.
struct ActionRow {
    id: i64,
    action_no: String,
    action: String,
    leads: String,
    deadline: String,
    status: StatusView,
    overdue: bool,
    stale: bool,
    last_update: String,
    metrics: usize,
}

/// A status as the pages show it: a word, a symbol and a colour class, never colour alone.
#[derive(Clone)]
struct StatusView {
    code: &'static str,
    label: &'static str,
    symbol: &'static str,
}

impl From<DeliveryStatus> for StatusView {
    fn from(status: DeliveryStatus) -> Self {
        Self {
            code: status.code(),
            label: status.label(),
            symbol: status.symbol(),
        }
    }
}

/// Actions under one objective, with the objective's counts by status.
struct ObjectiveGroup {
    theme: String,
    objective: String,
    objective_lead: String,
    actions: Vec<ActionRow>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    id: i64,
    title: String,
    area_code: String,
    area_name: String,
    as_of: String,
    exceptions: bool,
    status: String,
    lead: String,
    objective: String,
    statuses: Vec<StatusView>,
    leads: Vec<String>,
    objectives: Vec<String>,
    groups: Vec<ObjectiveGroup>,
    shown: usize,
    total: usize,
    summary: Vec<StatusCounts>,
    summary_totals: Vec<usize>,
    overdue_total: usize,
    /// Whether the plan's area is a partnership with members recorded.
    has_partnership: bool,
}

/// The filters of a plan page.
#[derive(Debug, Default, Deserialize)]
struct PlanFilters {
    /// A delivery status code.
    #[serde(default)]
    status: String,
    /// A lead, as listed.
    #[serde(default)]
    lead: String,
    /// An objective, as written.
    #[serde(default)]
    objective: String,
    /// `exceptions` for the exception view.
    #[serde(default)]
    view: String,
}

/// A plan, if the viewer may do `permission` to its area's plans.
async fn load_plan(
    state: &AppState,
    viewer: &Viewer,
    permission: Permission,
    id: i64,
) -> Result<StoredPlan, WebError> {
    let snapshot = state.snapshot().await?;
    let plan = state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no plan {id}.")))?;
    auth::require(viewer, &snapshot, permission, &plan.area_code)?;
    Ok(plan)
}

async fn plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(filters): Query<PlanFilters>,
) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let stored = load_plan(&state, &viewer, Permission::View, id).await?;
        let as_of = today();
        let exceptions = filters.view == "exceptions";
        let status = match filters.status.as_str() {
            "" => None,
            code => {
                Some(DeliveryStatus::parse(code).map_err(|e| WebError::BadRequest(e.to_string()))?)
            }
        };
        let keep = |a: &PlanAction| {
            status.is_none_or(|s| a.status == s)
                && (filters.lead.is_empty() || a.leads.contains(&filters.lead))
                && (filters.objective.is_empty() || a.objective == filters.objective)
                && (!exceptions || a.is_exception(as_of))
        };
        let mut groups: Vec<ObjectiveGroup> = Vec::new();
        let mut shown = 0;
        for stored_action in &stored.actions {
            let a = &stored_action.action;
            if !keep(a) {
                continue;
            }
            shown += 1;
            let row = action_row(stored_action, as_of);
            let theme = a.theme.clone().unwrap_or_default();
            match groups.last_mut() {
                Some(group) if group.objective == a.objective && group.theme == theme => {
                    group.actions.push(row)
                }
                _ => groups.push(ObjectiveGroup {
                    theme,
                    objective: a.objective.clone(),
                    objective_lead: a.objective_lead.clone().unwrap_or_default(),
                    actions: vec![row],
                }),
            }
        }
        let actions: Vec<&PlanAction> = stored.actions.iter().map(|a| &a.action).collect();
        let (summary, summary_total) = status_summary(&actions, as_of);
        let objectives: Vec<String> = summary.iter().map(|row| row.objective.clone()).collect();
        let leads: BTreeSet<String> = stored
            .actions
            .iter()
            .flat_map(|a| a.action.leads.iter().cloned())
            .collect();
        Ok(PlanPage {
            layout: layout(&snapshot, "plans"),
            id: stored.id,
            title: stored.title.clone(),
            area_code: stored.area_code.to_string(),
            area_name: area_name(&snapshot, &stored.area_code),
            as_of: iso(as_of),
            exceptions,
            status: filters.status.clone(),
            lead: filters.lead.clone(),
            objective: filters.objective.clone(),
            statuses: DeliveryStatus::ALL
                .iter()
                .map(|s| StatusView::from(*s))
                .collect(),
            leads: leads.into_iter().collect(),
            objectives,
            groups,
            shown,
            total: stored.actions.len(),
            overdue_total: summary_total.overdue,
            summary,
            summary_totals: summary_total.counts,
            has_partnership: snapshot
                .partnerships
                .partnership(&stored.area_code)
                .is_some(),
        })
    }
    .await
    .into()
}

fn action_row(stored: &StoredAction, as_of: Date) -> ActionRow {
    let a = &stored.action;
    ActionRow {
        id: stored.id,
        action_no: a.action_no.clone(),
        action: a.action.clone(),
        leads: a.leads.join(", "),
        deadline: a.deadline.text.clone(),
        status: a.status.into(),
        overdue: a.is_overdue(as_of),
        stale: a.is_stale(as_of),
        last_update: a.last_updated().map(iso).unwrap_or_default(),
        metrics: a.metric_ids.len(),
    }
}

/// A linked metric with its latest figure for the plan's area.
struct LinkedMetric {
    id: String,
    name: String,
    latest: String,
    period: String,
}

/// An entry of the action's history.
struct UpdateRow {
    date: String,
    author: String,
    text: String,
    area: String,
    status: StatusView,
}

#[derive(Template)]
#[template(path = "plan_action.html")]
struct ActionPage {
    layout: Layout,
    plan_id: i64,
    plan_title: String,
    area_code: String,
    area_name: String,
    action_id: i64,
    version: i64,
    action: PlanAction,
    status: StatusView,
    deadline_date: String,
    overdue: bool,
    metrics: Vec<LinkedMetric>,
    updates: Vec<UpdateRow>,
    statuses: Vec<StatusView>,
    today: String,
    /// A problem with an update just sent, shown above the form.
    problem: Option<String>,
    /// The text just sent, kept when it could not be saved.
    draft: String,
    /// Whether the viewer may record an update.
    can_edit: bool,
}

async fn action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((plan_id, action_id)): Path<(i64, i64)>,
) -> Page {
    action_page(&state, &viewer, plan_id, action_id, None, String::new())
        .await
        .into()
}

async fn action_page(
    state: &AppState,
    viewer: &Viewer,
    plan_id: i64,
    action_id: i64,
    problem: Option<String>,
    draft: String,
) -> Result<ActionPage, WebError> {
    let snapshot = state.snapshot().await?;
    let stored = load_plan(state, viewer, Permission::View, plan_id).await?;
    let found = stored
        .actions
        .iter()
        .find(|a| a.id == action_id)
        .ok_or_else(|| WebError::NotFound(format!("The plan has no action {action_id}.")))?;
    let a = &found.action;
    let as_of = today();
    let metrics = a
        .metric_ids
        .iter()
        .map(|id| {
            let metric = snapshot.engine.metric(id);
            let latest = metric.and_then(|m| {
                let period = *snapshot
                    .engine
                    .periods(id, &stored.area_code, None)
                    .last()?;
                let (figures, _) = snapshot
                    .engine
                    .resolve(m, &stored.area_code, &period, None)?;
                Some((figure_in_unit(m, figures.value?), period.label()))
            });
            LinkedMetric {
                id: id.to_string(),
                name: metric.map_or_else(|| id.to_string(), |m| m.name.clone()),
                latest: latest.as_ref().map(|l| l.0.clone()).unwrap_or_default(),
                period: latest.map(|l| l.1).unwrap_or_default(),
            }
        })
        .collect();
    let updates = a
        .updates
        .iter()
        .rev()
        .map(|u| UpdateRow {
            date: u.date.map(iso).unwrap_or_default(),
            author: u.author.clone(),
            text: u.text.clone(),
            area: u
                .area_code
                .as_ref()
                .map(|c| area_name(&snapshot, c))
                .unwrap_or_default(),
            status: u.status.into(),
        })
        .collect();
    Ok(ActionPage {
        can_edit: auth::may(viewer, &snapshot, Permission::EditPlans, &stored.area_code),
        layout: layout(&snapshot, "plans"),
        plan_id,
        plan_title: stored.title.clone(),
        area_code: stored.area_code.to_string(),
        area_name: area_name(&snapshot, &stored.area_code),
        action_id,
        version: found.version,
        status: a.status.into(),
        deadline_date: a.deadline.date.map(iso).unwrap_or_default(),
        overdue: a.is_overdue(as_of),
        action: a.clone(),
        metrics,
        updates,
        statuses: DeliveryStatus::ALL
            .iter()
            .map(|s| StatusView::from(*s))
            .collect(),
        today: iso(as_of),
        problem,
        draft,
    })
}

/// An update sent from the action page.
#[derive(Debug, Deserialize)]
struct UpdateForm {
    version: i64,
    status: String,
    date: String,
    author: String,
    text: String,
}

async fn add_update(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Path((plan_id, action_id)): Path<(i64, i64)>,
    Form(form): Form<UpdateForm>,
) -> Response {
    let plan = match load_plan(&state, &viewer, Permission::EditPlans, plan_id).await {
        Ok(plan) => plan,
        Err(error) => return Page::from(Err::<ActionPage, _>(error)).into_response(),
    };
    if !plan.actions.iter().any(|a| a.id == action_id) {
        let missing = WebError::NotFound(format!("The plan has no action {action_id}."));
        return Page::from(Err::<ActionPage, _>(missing)).into_response();
    }
    let subject = format!("plan {plan_id} action {action_id}");
    let problem = check_update(&form);
    let update = match problem {
        Err(problem) => {
            let page = action_page(
                &state,
                &viewer,
                plan_id,
                action_id,
                Some(problem),
                form.text.clone(),
            )
            .await;
            return (axum::http::StatusCode::BAD_REQUEST, Page::from(page)).into_response();
        }
        Ok(update) => update,
    };
    let saved = state
        .store
        .add_action_update(action_id, form.version, &update, &crate::views::now())
        .await;
    match saved {
        Ok(_) => {
            let detail = format!("status {}", update.status.code());
            auth::audit(
                &state,
                &viewer.actor(),
                "plan.update",
                &subject,
                "ok",
                &detail,
                &remote,
            )
            .await;
            Redirect::to(&format!("/plans/{plan_id}/actions/{action_id}#history")).into_response()
        }
        Err(StoreError::Conflict(message)) => {
            auth::audit(
                &state,
                &viewer.actor(),
                "plan.update",
                &subject,
                "refused",
                &message,
                &remote,
            )
            .await;
            let page = action_page(
                &state,
                &viewer,
                plan_id,
                action_id,
                Some(message),
                form.text.clone(),
            )
            .await;
            (axum::http::StatusCode::CONFLICT, Page::from(page)).into_response()
        }
        Err(error) => Page::from(Err::<ActionPage, _>(WebError::from(error))).into_response(),
    }
}

/// The update a form describes, or what is wrong with it in plain words.
fn check_update(form: &UpdateForm) -> Result<ActionUpdate, String> {
    let status =
        DeliveryStatus::parse(&form.status).map_err(|_| "Choose a delivery status.".to_owned())?;
    let text = form.text.trim();
    if text.is_empty() {
        return Err("Enter what has happened since the last update.".to_owned());
    }
    let author = form.author.trim();
    if author.is_empty() {
        return Err("Enter your name.".to_owned());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(form.date.trim(), format).map_err(|_| {
        "Enter the date of the update as YYYY-MM-DD, for example 2024-09-30.".to_owned()
    })?;
    Ok(ActionUpdate {
        date: Some(date),
        author: author.to_owned(),
        text: text.to_owned(),
        area_code: None,
        status,
    })
}
