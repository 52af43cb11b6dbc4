//! Signing in and out, and a person's own account: who they are, what they may see, and API
//! tokens for their scripts.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use h2h_domain::Username;
use serde::Deserialize;

use crate::auth::{self, Remote, Viewer};
use crate::pages::{Layout, Page, error_page};
use crate::{AppState, WebError};

pub(crate) fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

/// Where to go after signing in.
#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site: never another host (an open redirect).
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => String::from("/"),
    }
}

async fn login_form(Query(query): Query<NextQuery>) -> Page {
    Ok(LoginPage {
        layout: Layout::new("", String::new()),
        next: local_path(query.next.as_deref()),
        username: String::new(),
        error: None,
    })
    .into()
}

/// The sign-in form as sent.
#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Remote(remote): Remote,
    Form(form): Form<LoginForm>,
) -> Response {
    match sign_in(&state, &remote, &form).await {
        Ok(response) => response,
        Err(error) => error_page(&error),
    }
}

async fn sign_in(state: &AppState, remote: &str, form: &LoginForm) -> Result<Response, WebError> {
    let typed = form.username.trim().to_ascii_lowercase();
    let since = crate::views::time_ago_minutes(auth::THROTTLE_MINUTES);
    let failures = state
        .store
        .count_audit_since("login", "refused", &typed, remote, &since)
        .await?;
    if failures >= auth::MAX_FAILED_SIGN_INS {
        auth::audit(
            state,
            &typed,
            "login",
            &typed,
            "throttled",
            "too many failed attempts",
            remote,
        )
        .await;
        return Ok(auth::too_many_attempts());
    }
    let credentials = match Username::parse(&typed) {
        Ok(username) => state.store.credentials(&username).await?,
        Err(_) => None,
    };
    // Checked against a hash even for an unknown name, so timing does not tell which names exist.
    let hash = credentials
        .as_ref()
        .map_or(DUMMY_HASH.as_str(), |c| c.password_hash.as_str());
    let password = form.password.clone();
    let hash_owned = hash.to_owned();
    let matches =
        tokio::task::spawn_blocking(move || auth::password_matches(&password, &hash_owned))
            .await
            .unwrap_or(false);
    let account = credentials
        .filter(|c| matches && !c.account.disabled)
        .map(|c| c.account);
    let Some(account) = account else {
        auth::audit(
            state,
            &typed,
            "login",
            &typed,
            "refused",
            "wrong name or password",
            remote,
        )
        .await;
        let page = LoginPage {
            layout: Layout::new("", String::new()),
            next: local_path(form.next.as_deref()),
            username: form.username.clone(),
            error: Some(String::from(
                "The user name or password is not right, or the account is disabled.",
            )),
        };
        return Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response());
    };
    let token = auth::new_secret("")?;
    let now = time::OffsetDateTime::now_utc();
    let expires = now + time::Duration::hours(auth::SESSION_HOURS);
    state
        .store
        .create_session(
            &auth::digest(&token),
            account.principal.account_id,
            &crate::views::timestamp(now),
            &crate::views::timestamp(expires),
        )
        .await?;
    let username = account.principal.username.as_str();
    auth::audit(
        state,
        username,
        "login",
        username,
        "ok",
        "signed in",
        remote,
    )
    .await;
    let mut response = Redirect::to(&local_path(form.next.as_deref())).into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, auth::session_cookie(Some(&token))?);
    Ok(response)
}

/// A hash to check unknown names against, so they take as long as known ones.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password("no account has this password"));

async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE)
        && let Err(error) = state.store.end_session(&auth::digest(token)).await
    {
        return error_page(&WebError::Store(error));
    }
    if let Some(principal) = viewer.principal() {
        let name = principal.username.as_str();
        auth::audit(&state, name, "logout", name, "ok", "signed out", &remote).await;
    }
    let mut response = Redirect::to("/").into_response();
    match auth::session_cookie(None) {
        Ok(cookie) => {
            response.headers_mut().insert(SET_COOKIE, cookie);
            response
        }
        Err(error) => error_page(&error),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    display_name: String,
    role: &'static str,
    areas: Vec<(String, String)>,
    /// A token just made, shown this once.
    new_token: Option<String>,
    /// The account's tokens, oldest first.
    tokens: Vec<h2h_store::ApiToken>,
}

async fn account_page(State(state): State<AppState>, viewer: Viewer) -> Page {
    account_view(&state, &viewer, None).await.into()
}

async fn account_view(
    state: &AppState,
    viewer: &Viewer,
    new_token: Option<String>,
) -> Result<AccountPage, WebError> {
    let principal = auth::require_signed_in(viewer)?;
    let snapshot = state.snapshot().await?;
    let tokens = state.store.api_tokens(principal.account_id).await?;
    Ok(AccountPage {
        layout: crate::pages::layout(&snapshot, ""),
        username: principal.username.to_string(),
        display_name: principal.display_name.clone(),
        role: principal.role.label(),
        areas: principal
            .areas
            .iter()
            .map(|code| {
                let name = snapshot
                    .area(code)
                    .map_or_else(String::new, |a| a.name.clone());
                (code.to_string(), name)
            })
            .collect(),
        new_token,
        tokens,
    })
}

/// The new-token form.
#[derive(Debug, Deserialize)]
struct TokenForm {
    label: String,
}

async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Form(form): Form<TokenForm>,
) -> Page {
    async {
        let principal = auth::require_signed_in(&viewer)?;
        let label = form.label.trim();
        if label.is_empty() {
            return Err(WebError::BadRequest(String::from(
                "Give the token a label that says what it is for.",
            )));
        }
        let token = auth::new_secret(auth::TOKEN_PREFIX)?;
        state
            .store
            .create_api_token(
                principal.account_id,
                label,
                &auth::digest(&token),
                &crate::views::now(),
            )
            .await?;
        let name = principal.username.as_str();
        auth::audit(&state, name, "token.create", name, "ok", label, &remote).await;
        account_view(&state, &viewer, Some(token)).await
    }
    .await
    .into()
}

/// Revokes one of the signed-in person's own tokens: it stops working on every server at
/// once. Someone else's token, or one already revoked, is not found.
async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Remote(remote): Remote,
    Path(id): Path<i64>,
) -> Response {
    let revoked = async {
        let principal = auth::require_signed_in(&viewer)?;
        if !state
            .store
            .revoke_api_token(principal.account_id, id, &crate::views::now())
            .await?
        {
            return Err(WebError::NotFound(String::from(
                "You have no such token, or it has already been revoked.",
            )));
        }
        let name = principal.username.as_str();
        let detail = format!("token {id}");
        auth::audit(&state, name, "token.revoke", name, "ok", &detail, &remote).await;
        Ok(())
    }
    .await;
    match revoked {
        Ok(()) => Redirect::to("/account").into_response(),
        Err(error) => error_page(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/areas/E06000047")), "/areas/E06000047");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn the_dummy_hash_is_a_hash_nothing_matches() {
        assert!(!auth::password_matches("", &DUMMY_HASH));
        assert!(!auth::password_matches("password", &DUMMY_HASH));
    }
}
