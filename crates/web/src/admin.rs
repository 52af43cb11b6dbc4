//! Administration: the accounts, which areas are published, and the audit log with its
//! export. Open to national administrators only.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use h2h_domain::{AreaCode, Permission};
use h2h_store::{AuditEntry, AuditFilter, Publication};
use serde::Deserialize;

use crate::auth::{self, Remote, Viewer};
use crate::pages::{Layout, Page, error_page, layout};
use crate::{AppState, WebError};

/// The most audit entries the page shows; the export has them all.
const AUDIT_PAGE_ROWS: i64 = 500;

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/admin", get(overview))
        .route("/admin/publications", post(change_publication))
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit.csv", get(audit_export))
}

/// An account as a row of the table.
struct AccountRow {
    username: String,
    display_name: String,
    role: &'static str,
    areas: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    accounts: Vec<AccountRow>,
    publications: Vec<(String, String, String, String)>,
}

async fn overview(State(state): State<AppState>, viewer: Viewer) -> Page {
    async {
        auth::require_national(&viewer, Permission::Administer)?;
        let snapshot = state.snapshot().await?;
        let accounts = state.store.accounts().await?;
        let publications = state.store.publications().await?;
        Ok(AdminPage {
            layout: layout(&snapshot, "admin"),
            accounts: accounts
                .into_iter()
                .map(|a| AccountRow {
                    username: a.principal.username.to_string(),
                    display_name: a.principal.display_name,
                    role: a.principal.role.label(),
                    areas: if a.principal.areas.is_empty() {
                        String::from("Every area")
                    } else {
                        a.principal
                            .areas
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    status: if a.disabled { "Disabled" } else { "Active" },
                })
                .collect(),
            publications: publications
                .into_iter()
                .map(|p| {
                    let name = snapshot
                        .area(&p.area_code)
                        .map_or_else(String::new, |a| a.name.clone());
                    (
                        p.area_code.to_string(),
                        name,
                        p.published_by,
                        p.published_at,
                    )
                })
                .collect(),
        })
    }
    .await
    .into()
}

/// Publish or withdraw an area.
#[derive(Debug, Deserialize)]
struct PublicationForm {
    area: String,
    /// `publish` or `withdraw`.
    change: String,
}

async fn change_publication(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Form(form): Form<PublicationForm>,
) -> Response {
    let result = async {
        let admin = auth::require_national(&viewer, Permission::Administer)?;
        let snapshot = state.snapshot().await?;
        let unknown =
            || WebError::BadRequest(format!("There is no area with the code {:?}.", form.area));
        let code = AreaCode::parse(form.area.trim()).map_err(|_| unknown())?;
        let area = snapshot.area(&code).ok_or_else(unknown)?;
        let actor = admin.username.as_str();
        match form.change.as_str() {
            "publish" => {
                state
                    .store
                    .publish_area(&Publication {
                        area_code: area.code.clone(),
                        published_by: actor.to_owned(),
                        published_at: crate::views::now(),
                    })
                    .await?;
                auth::audit(
                    &state,
                    actor,
                    "publication.publish",
                    area.code.as_str(),
                    "ok",
                    &area.name,
                    &remote,
                )
                .await;
            }
            "withdraw" => {
                state.store.unpublish_area(&area.code).await?;
                auth::audit(
                    &state,
                    actor,
                    "publication.withdraw",
                    area.code.as_str(),
                    "ok",
                    &area.name,
                    &remote,
                )
                .await;
            }
            other => {
                return Err(WebError::BadRequest(format!(
                    "{other:?} is not a change: choose publish or withdraw."
                )));
            }
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(error) => error_page(&error),
    }
}

/// Which entries of the log to show.
#[derive(Debug, Deserialize, Default)]
struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
}

impl AuditQuery {
    fn filter(&self, limit: Option<i64>) -> AuditFilter {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        AuditFilter {
            action: given(&self.action),
            actor: given(&self.actor),
            limit,
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditEntry>,
    action: String,
    actor: String,
    export_query: String,
    limit: i64,
}

async fn audit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<AuditQuery>,
) -> Page {
    async {
        auth::require_national(&viewer, Permission::Administer)?;
        let snapshot = state.snapshot().await?;
        let filter = query.filter(Some(AUDIT_PAGE_ROWS));
        let entries = state.store.audit_entries(&filter).await?;
        let export_query = [("action", &filter.action), ("actor", &filter.actor)]
            .iter()
            .filter_map(|(k, v)| {
                v.as_ref()
                    .map(|v| format!("{k}={}", auth::form_urlencode(v)))
            })
            .collect::<Vec<_>>()
            .join("&");
        Ok(AuditPage {
            layout: layout(&snapshot, "admin"),
            entries,
            action: filter.action.unwrap_or_default(),
            actor: filter.actor.unwrap_or_default(),
            export_query,
            limit: AUDIT_PAGE_ROWS,
        })
    }
    .await
    .into()
}

async fn audit_export(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Query(query): Query<AuditQuery>,
) -> Response {
    let result = async {
        let admin = auth::require_national(&viewer, Permission::Administer)?;
        let entries = state.store.audit_entries(&query.filter(None)).await?;
        let csv = audit_csv(&entries);
        let actor = admin.username.as_str();
        let detail = format!("{} entries", entries.len());
        auth::audit(
            &state,
            actor,
            "export.audit",
            "audit log",
            "ok",
            &detail,
            &remote,
        )
        .await;
        Ok::<_, WebError>(csv)
    }
    .await;
    match result {
        Ok(csv) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"h2h-audit-log.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(error) => error_page(&error),
    }
}

/// The log as CSV, one entry a row, oldest first; fields quoted where they need to be, and
/// leading formula characters neutralised so a spreadsheet never runs one.
fn audit_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("id,at,actor,action,subject,outcome,detail,remote\n");
    for entry in entries.iter().rev() {
        let fields = [
            entry.id.to_string(),
            entry.at.clone(),
            entry.actor.clone(),
            entry.action.clone(),
            entry.subject.clone(),
            entry.outcome.clone(),
            entry.detail.clone(),
            entry.remote.clone(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
