//! Signing an annual report and the signed reports: a decision maker records their decision
//! and declaration on the form, the report is frozen with it, and the frozen files are served
//! byte for byte ever after.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use h2h_domain::{AreaCode, DecisionForm, Period, Permission};
use h2h_reports::ReportFormat;
use h2h_store::SignedReport;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, Remote, Viewer};
use crate::contract::iso;
use crate::error::WebError;
use crate::pages::{Layout, Page, layout};
use crate::report::{PackError, PackRequest, default_period, sign_report};

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/areas/{code}/sign", get(form_page).post(sign))
        .route("/reports", get(list))
        .route("/reports/{id}", get(report_page))
        .route("/reports/{id}/{format}", get(file))
}

/// What the signing form sends (and shows again when something is wrong).
#[derive(Debug, Default, Deserialize)]
struct SignForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    decision_maker: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    interests: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    declared: Option<String>,
}

#[derive(Template)]
#[template(path = "sign.html")]
struct SignPage {
    layout: Layout,
    area_code: String,
    area_name: String,
    form: SignForm,
    declaration: &'static str,
    problem: Option<String>,
}

async fn sign_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    form: SignForm,
    problem: Option<String>,
) -> Result<SignPage, WebError> {
    let snapshot = state.snapshot().await?;
    let not_found = || WebError::NotFound(format!("There is no area with the code {code}."));
    let area = AreaCode::parse(code).map_err(|_| not_found())?;
    let area = snapshot.area(&area).ok_or_else(not_found)?;
    auth::require(viewer, &snapshot, Permission::Sign, &area.code)?;
    let mut form = form;
    if form.period.is_empty() {
        form.period = default_period(&snapshot, &area.code)
            .map(|p| p.code())
            .unwrap_or_default();
    }
    if form.subject.is_empty() {
        form.subject = format!("{}: annual performance report", area.name);
    }
    Ok(SignPage {
        layout: layout(&snapshot, "reports"),
        area_code: area.code.to_string(),
        area_name: area.name.clone(),
        form,
        declaration: h2h_domain::decision::DECLARATION,
        problem,
    })
}

async fn form_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Page {
    sign_page(&state, &viewer, &code, SignForm::default(), None)
        .await
        .into()
}

async fn sign(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Path(code): Path<String>,
    Form(form): Form<SignForm>,
) -> Response {
    match signed(&state, &viewer, &code, &form).await {
        Ok(report) => {
            let subject = format!("{} {} v{}", report.area_code, report.period, report.version);
            let detail = format!(
                "signed report {} by {}",
                report.id, report.decision.decision_maker
            );
            auth::audit(
                &state,
                &viewer.actor(),
                "report.sign",
                &subject,
                "ok",
                &detail,
                &remote,
            )
            .await;
            Redirect::to(&format!("/reports/{}", report.id)).into_response()
        }
        Err(SignError::Form(problem)) => {
            let page = sign_page(&state, &viewer, &code, form, Some(problem)).await;
            (StatusCode::BAD_REQUEST, Page::from(page)).into_response()
        }
        Err(SignError::Web(error)) => Page::from(Err::<SignPage, _>(error)).into_response(),
    }
}

enum SignError {
    /// Something on the form to put right, in words.
    Form(String),
    Web(WebError),
}

impl<E: Into<WebError>> From<E> for SignError {
    fn from(error: E) -> Self {
        Self::Web(error.into())
    }
}

async fn signed(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    form: &SignForm,
) -> Result<SignedReport, SignError> {
    let snapshot = state.snapshot().await?;
    let not_found = || WebError::NotFound(format!("There is no area with the code {code}."));
    let area = AreaCode::parse(code).map_err(|_| not_found())?;
    let area = snapshot.area(&area).ok_or_else(not_found)?.code.clone();
    auth::require(viewer, &snapshot, Permission::Sign, &area)?;
    let visibility = auth::Visibility::of(state, viewer).await?;
    let period = Period::parse(&form.period).map_err(|e| {
        SignError::Form(format!(
            "{e}. Enter the period the report covers, such as 2024/25."
        ))
    })?;
    let today = time::OffsetDateTime::now_utc().date();
    let decision = DecisionForm {
        reference: &form.reference,
        subject: &form.subject,
        summary: &form.summary,
        decision: &form.decision,
        decision_maker: &form.decision_maker,
        role: &form.role,
        interests: &form.interests,
        contact: &form.contact,
        declared: form.declared.is_some(),
        signed_on: today,
    }
    .check(today)
    .map_err(|e| SignError::Form(capitalise(&e.to_string())))?;
    let request = PackRequest {
        area: &area,
        period: &period,
        published: false,
        today,
        visibility: &visibility,
    };
    sign_report(
        state.store.as_ref(),
        &snapshot,
        request,
        &decision,
        &crate::views::now(),
    )
    .await
    .map_err(|e| match e {
        PackError::UnknownArea(_) => SignError::Web(not_found()),
        PackError::Store(e) => SignError::Web(WebError::Store(e)),
        PackError::Render(e) => SignError::Web(WebError::Report(e.to_string())),
        PackError::Unfinished(e) => SignError::Web(WebError::Report(e)),
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A signed report as its page and the list show it.
struct ReportRow {
    id: i64,
    area_code: String,
    period: String,
    version: i64,
    title: String,
    decision_maker: String,
    role: String,
    signed_on: String,
    reference: String,
    decisions: Vec<String>,
    interests: String,
    contact: String,
    recorded_at: String,
    /// Format, its label and its SHA-256 digest.
    files: Vec<(String, &'static str, String)>,
}

impl From<SignedReport> for ReportRow {
    fn from(report: SignedReport) -> Self {
        let d = report.decision;
        Self {
            id: report.id,
            area_code: report.area_code.to_string(),
            period: report.period,
            version: report.version,
            title: report.title,
            signed_on: iso(d.signed_on),
            decision_maker: d.decision_maker,
            role: d.role,
            reference: d.reference,
            decisions: d.decisions,
            interests: d.interests,
            contact: d.contact.unwrap_or_default(),
            recorded_at: report.recorded_at,
            files: report
                .files
                .into_iter()
                .map(|(format, sha256)| {
                    let label = match format.as_str() {
                        "html" => "Web page (HTML)",
                        "xlsx" => "Spreadsheet (Excel)",
                        "pdf" => "PDF",
                        _ => "File",
                    };
                    (format, label, sha256)
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "signed_reports.html")]
struct ReportsPage {
    layout: Layout,
    reports: Vec<ReportRow>,
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> Page {
    async {
        auth::require_signed_in(&viewer)?;
        let snapshot = state.snapshot().await?;
        let reports = state.store.signed_reports(None).await?;
        Ok(ReportsPage {
            layout: layout(&snapshot, "reports"),
            reports: reports
                .into_iter()
                .filter(|r| auth::may(&viewer, &snapshot, Permission::View, &r.area_code))
                .map(ReportRow::from)
                .collect(),
        })
    }
    .await
    .into()
}

#[derive(Template)]
#[template(path = "signed_report.html")]
struct ReportPage {
    layout: Layout,
    report: ReportRow,
    area_name: String,
}

async fn report_page(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> Page {
    async {
        let snapshot = state.snapshot().await?;
        let report = state
            .store
            .signed_report(id)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("There is no signed report {id}.")))?;
        auth::require(&viewer, &snapshot, Permission::View, &report.area_code)?;
        let area_name = snapshot
            .area(&report.area_code)
            .map_or_else(|| report.area_code.to_string(), |a| a.name.clone());
        Ok(ReportPage {
            layout: layout(&snapshot, "reports"),
            report: ReportRow::from(report),
            area_name,
        })
    }
    .await
    .into()
}

/// A signed report's file, byte for byte as it was signed.
async fn file(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Path((id, format)): Path<(i64, String)>,
) -> Response {
    let allowed = async {
        let snapshot = state.snapshot().await?;
        let report = state.store.signed_report(id).await?;
        match report {
            Some(report) => {
                auth::require(&viewer, &snapshot, Permission::View, &report.area_code)?;
                Ok::<_, WebError>(true)
            }
            None => Ok(false),
        }
    }
    .await;
    match allowed {
        Ok(true) => {}
        Ok(false) => {
            return crate::pages::error_page(&WebError::NotFound(format!(
                "There is no signed report {id}."
            )));
        }
        Err(error) => return crate::pages::error_page(&error),
    }
    let not_found = || {
        crate::pages::error_page(&WebError::NotFound(format!(
            "Signed report {id} has no {format} file."
        )))
    };
    let Ok(parsed) = ReportFormat::parse(&format) else {
        return not_found();
    };
    match state.store.signed_report_file(id, parsed.extension()).await {
        Ok(Some(bytes)) => {
            let subject = format!("signed report {id}");
            auth::audit(
                &state,
                &viewer.actor(),
                "export.signed_report",
                &subject,
                "ok",
                parsed.extension(),
                &remote,
            )
            .await;
            let disposition = format!(
                "{}; filename=\"h2h-signed-report-{id}.{}\"",
                if parsed == ReportFormat::Html {
                    "inline"
                } else {
                    "attachment"
                },
                parsed.extension()
            );
            (
                [
                    (header::CONTENT_TYPE, parsed.media_type().to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(None) => not_found(),
        Err(error) => crate::pages::error_page(&WebError::from(error)),
    }
}
