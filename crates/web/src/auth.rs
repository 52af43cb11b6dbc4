//! Who is asking, and whether they may: sessions and API tokens, the one access rule every
//! page, API route, export and report asks, the guard against cross-site requests, and the
//! audit trail of what people did.
//!
//! A request is resolved to a [`Viewer`] once, by [`resolve_viewer`], from a bearer token
//! (scripts) or the session cookie (people). Handlers then ask [`area_sight`] or
//! [`require`]; nothing reads the cookie or the token itself.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use h2h_domain::{AreaCode, Permission, Principal};
use h2h_store::{AuditEntry, Versions};
use sha2::{Digest, Sha256};

use crate::access_cache::SecretKind;
use crate::snapshot::Snapshot;
use crate::{AppState, WebError};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "h2h_session";

/// How long a session lasts from sign-in: a working day.
pub const SESSION_HOURS: i64 = 8;

/// Failed sign-ins allowed for one user name or one address within [`THROTTLE_MINUTES`].
pub const MAX_FAILED_SIGN_INS: i64 = 5;

/// The window over which failed sign-ins are counted.
pub const THROTTLE_MINUTES: i64 = 15;

/// The prefix of API tokens, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "h2h_";

/// Who is making a request.
#[derive(Debug, Clone, Default)]
pub enum Viewer {
    /// Nobody signed in.
    #[default]
    Anonymous,
    /// Someone signed in, or a script with their token.
    Signed(Principal),
}

impl Viewer {
    /// The principal, if signed in.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Self::Anonymous => None,
            Self::Signed(principal) => Some(principal),
        }
    }

    /// How the audit log names them.
    pub fn actor(&self) -> String {
        match self {
            Self::Anonymous => String::from("anonymous"),
            Self::Signed(principal) => principal.username.to_string(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Arc<Viewer>>()
            .map(|viewer| viewer.as_ref().clone())
            .unwrap_or_default())
    }
}

/// Where a request came from: the peer's address, or `unknown` when served without one
/// (in-process tests).
#[derive(Debug, Clone)]
pub struct Remote(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Remote {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Remote(remote_of(&parts.extensions)))
    }
}

fn remote_of(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string())
        .unwrap_or_else(|| String::from("unknown"))
}

tokio::task_local! {
    /// The viewer of the request being answered, for the page layout's header.
    pub(crate) static CURRENT_VIEWER: Arc<Viewer>;
    /// The store's versions as a reading request found them on arrival, so that its
    /// snapshot and publications are not asked of the store again (`None` for a request
    /// that may change something, which must then read what it changed).
    static CURRENT_VERSIONS: Option<Versions>;
}

/// The store's versions as read on arrival of the (reading) request being answered.
pub(crate) fn request_versions() -> Option<Versions> {
    CURRENT_VERSIONS
        .try_with(|versions| *versions)
        .ok()
        .flatten()
}

/// The signed-in principal of the request being answered, if any (for page headers).
pub(crate) fn current_principal() -> Option<Principal> {
    CURRENT_VIEWER
        .try_with(|viewer| viewer.principal().cloned())
        .ok()
        .flatten()
}

/// Middleware: resolves the request's viewer from its bearer token or session cookie. A
/// bearer token that is not valid is refused outright, so a script never silently runs
/// as nobody.
pub async fn resolve_viewer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Static files are the same for everyone: no store round trips to find out who asks.
    if is_static_asset(request.uri().path()) {
        return next.run(request).await;
    }
    // One round trip tells whether the figures and what the server knows of people still
    // hold; the rest comes from memory.
    let versions = match state.store.versions().await {
        Ok(versions) => versions,
        Err(error) => return crate::pages::error_page(&WebError::Store(error)),
    };
    state.access.observe(versions.access);
    let viewer = match viewer_of(&state, versions.access, request.headers()).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => {
            return crate::error::ApiError(WebError::Unauthenticated(String::from(
                "The API token is not valid, or its account is disabled.",
            )))
            .into_response();
        }
        Err(error) => return crate::pages::error_page(&WebError::Store(error)),
    };
    let viewer = Arc::new(viewer);
    request.extensions_mut().insert(Arc::clone(&viewer));
    let wants_page = request.method() == Method::GET && !request.uri().path().starts_with("/api/");
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| String::from("/"));
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let response = CURRENT_VERSIONS
        .scope(
            reading.then_some(versions),
            CURRENT_VIEWER.scope(viewer, next.run(request)),
        )
        .await;
    if wants_page && response.extensions().get::<SignInNeeded>().is_some() {
        return Redirect::to(&format!("/login?next={}", form_urlencode(&target))).into_response();
    }
    response
}

/// Marks a page answer that needs someone signed in, so [`resolve_viewer`] sends the browser
/// to the sign-in page and back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignInNeeded;

/// The viewer a request's headers name: `None` for a bearer token that is not valid. What
/// the store says of a secret is remembered until the access version moves.
async fn viewer_of(
    state: &AppState,
    access_version: i64,
    headers: &HeaderMap,
) -> Result<Option<Viewer>, h2h_store::StoreError> {
    let now = crate::views::now();
    let (kind, secret) = match (bearer_token(headers), cookie(headers, SESSION_COOKIE)) {
        (Some(token), _) => (SecretKind::Token, token),
        (None, Some(session)) => (SecretKind::Session, session),
        (None, None) => return Ok(Some(Viewer::Anonymous)),
    };
    let digest = digest(secret);
    if let Some(principal) = state.access.principal(access_version, kind, &digest, &now) {
        return Ok(Some(Viewer::Signed(principal)));
    }
    let found = match kind {
        SecretKind::Token => state
            .store
            .token_account(&digest)
            .await?
            .map(|account| (account, None)),
        SecretKind::Session => state
            .store
            .session_account(&digest, &now)
            .await?
            .map(|session| (session.account, Some(session.expires_at))),
    };
    Ok(match (found, kind) {
        (Some((account, expires_at)), _) => {
            state.access.remember_principal(
                access_version,
                kind,
                &digest,
                &account.principal,
                expires_at.as_deref(),
            );
            Some(Viewer::Signed(account.principal))
        }
        (None, SecretKind::Token) => None,
        (None, SecretKind::Session) => Some(Viewer::Anonymous),
    })
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The value of the cookie `name`, from every `Cookie` header.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// Middleware: refuses a state-changing request that a browser says came from another site
/// (`Sec-Fetch-Site`), or whose `Origin` is not this host. Requests without either header
/// are not from a browser on another site (scripts, the command line), so they pass.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return crate::pages::error_page(&WebError::Forbidden(String::from(
            "This form was sent from another site, so it was refused. Go back to the page, \
             reload it and try again.",
        )));
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    match (headers.get(ORIGIN), headers.get(HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let authority = origin.split_once("://").map_or("", |(_, rest)| rest);
            origin == "null" || Some(authority) != host.to_str().ok()
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// How an area's figures may be shown to a viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sight {
    /// Everything, unpublished management information included, with its marking.
    Full,
    /// Only as published: disclosure control applied.
    Published,
}

/// How `viewer` may see `area`'s figures: fully within their scope, as published when an
/// administrator has published the area, otherwise not at all (sign in, or 403).
pub(crate) async fn area_sight(
    state: &AppState,
    snapshot: &Snapshot,
    viewer: &Viewer,
    area: &AreaCode,
) -> Result<Sight, WebError> {
    if may(viewer, snapshot, Permission::View, area) {
        return Ok(Sight::Full);
    }
    if is_published(state, area).await? {
        return Ok(Sight::Published);
    }
    Err(refusal(viewer, snapshot, area))
}

/// What one viewer may see across areas, for lists and comparisons that span many: read
/// once a request.
#[derive(Debug, Clone)]
pub struct Visibility {
    everything: bool,
    viewer: Viewer,
    published: Arc<[AreaCode]>,
}

impl Visibility {
    /// Sees every area: for the command line, which holds the database itself.
    pub fn everything() -> Self {
        Self {
            everything: true,
            viewer: Viewer::Anonymous,
            published: Arc::from(Vec::new()),
        }
    }

    /// The visibility of `viewer`, with the store's published areas.
    pub(crate) async fn of(state: &AppState, viewer: &Viewer) -> Result<Self, WebError> {
        let published = match viewer.principal() {
            Some(p) if p.role.is_national() => Arc::from(Vec::new()),
            _ => published_areas(state).await?,
        };
        Ok(Self {
            everything: false,
            viewer: viewer.clone(),
            published,
        })
    }

    /// Whether everything about `area` may be shown (its unpublished figures included).
    pub(crate) fn sees_fully(&self, snapshot: &Snapshot, area: &AreaCode) -> bool {
        self.everything || may(&self.viewer, snapshot, Permission::View, area)
    }

    /// Whether `area` may be shown at all: fully, or as published.
    pub(crate) fn sees(&self, snapshot: &Snapshot, area: &AreaCode) -> bool {
        self.sees_fully(snapshot, area) || self.published.contains(area)
    }

    /// Whether a figure of `area` may be shown in a comparison across areas: figures from
    /// published statistics always may, others only where the area may be seen.
    pub(crate) fn shows_figure(
        &self,
        snapshot: &Snapshot,
        area: &AreaCode,
        from_published_source: bool,
    ) -> bool {
        from_published_source || self.sees(snapshot, area)
    }
}

/// Whether `area` is published.
pub(crate) async fn is_published(state: &AppState, area: &AreaCode) -> Result<bool, WebError> {
    Ok(published_areas(state).await?.contains(area))
}

/// The published areas: remembered while the access version the request read holds.
async fn published_areas(state: &AppState) -> Result<Arc<[AreaCode]>, WebError> {
    let version = request_versions().map(|versions| versions.access);
    if let Some(published) = version.and_then(|v| state.access.published(v)) {
        return Ok(published);
    }
    let published: Arc<[AreaCode]> = state
        .store
        .publications()
        .await?
        .into_iter()
        .map(|p| p.area_code)
        .collect();
    if let Some(version) = version {
        state
            .access
            .remember_published(version, Arc::clone(&published));
    }
    Ok(published)
}

/// Whether `viewer` may do `permission` to `area`'s data.
pub(crate) fn may(
    viewer: &Viewer,
    snapshot: &Snapshot,
    permission: Permission,
    area: &AreaCode,
) -> bool {
    viewer
        .principal()
        .is_some_and(|p| p.may(permission, area, |a, scope| snapshot.lies_within(a, scope)))
}

/// The principal, if they may do `permission` to `area`; otherwise the refusal.
pub(crate) fn require<'v>(
    viewer: &'v Viewer,
    snapshot: &Snapshot,
    permission: Permission,
    area: &AreaCode,
) -> Result<&'v Principal, WebError> {
    match viewer.principal() {
        Some(principal) if may(viewer, snapshot, permission, area) => Ok(principal),
        _ => Err(refusal(viewer, snapshot, area)),
    }
}

/// The principal, if they hold a national role granting `permission`.
pub(crate) fn require_national(
    viewer: &Viewer,
    permission: Permission,
) -> Result<&Principal, WebError> {
    match viewer.principal() {
        None => Err(WebError::Unauthenticated(String::from(
            "Sign in to see this page.",
        ))),
        Some(principal) if principal.may_nationally(permission) => Ok(principal),
        Some(_) => Err(WebError::Forbidden(String::from(
            "This is open to the national team only.",
        ))),
    }
}

/// The principal, whoever they are, as long as someone is signed in.
pub(crate) fn require_signed_in(viewer: &Viewer) -> Result<&Principal, WebError> {
    viewer
        .principal()
        .ok_or_else(|| WebError::Unauthenticated(String::from("Sign in to see this page.")))
}

fn refusal(viewer: &Viewer, snapshot: &Snapshot, area: &AreaCode) -> WebError {
    let name = snapshot
        .area(area)
        .map_or_else(|| area.to_string(), |a| format!("{} ({})", a.name, a.code));
    match viewer {
        Viewer::Anonymous => WebError::Unauthenticated(format!(
            "Sign in to see {name}: its figures are not published."
        )),
        Viewer::Signed(_) => WebError::Forbidden(format!(
            "Your account does not cover {name}, and its figures are not published."
        )),
    }
}

/// The time now as the store records it (RFC 3339, UTC, to the second).
pub fn timestamp_now() -> String {
    crate::views::now()
}

/// Hashes a password with argon2id (the library's current parameters, in PHC form).
pub fn hash_password(password: &str) -> String {
    password_auth::generate_hash(password)
}

/// Whether `password` is the one `hash` was made from.
pub fn password_matches(password: &str, hash: &str) -> bool {
    password_auth::verify_password(password, hash).is_ok()
}

/// A new random secret of 256 bits, hex-encoded, after `prefix`.
pub fn new_secret(prefix: &str) -> Result<String, WebError> {
    let mut bytes = [0_u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| WebError::Report(format!("no randomness for a secret: {e}")))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

/// The SHA-256 of a secret, hex-encoded: what the store keeps instead of it.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A password that is random and long enough, for accounts made by the demo or a reset.
pub fn new_password() -> Result<String, WebError> {
    new_secret("").map(|hex| hex.chars().take(20).collect())
}

/// Appends to the audit log. A failure to write it is logged and refuses nothing: the
/// action it records has already happened.
pub(crate) async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
    outcome: &str,
    detail: &str,
    remote: &str,
) {
    let entry = AuditEntry {
        id: 0,
        at: crate::views::now(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        outcome: outcome.to_owned(),
        detail: detail.to_owned(),
        remote: remote.to_owned(),
    };
    if let Err(error) = state.store.append_audit(&entry).await {
        tracing::error!(%error, action, subject, "the audit log could not be written");
    }
}

/// The `Set-Cookie` value of a new session, or of its end when `token` is `None`.
pub(crate) fn session_cookie(token: Option<&str>) -> Result<HeaderValue, WebError> {
    let value = match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
            SESSION_HOURS * 3600
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0"),
    };
    HeaderValue::from_str(&value).map_err(|e| WebError::Report(e.to_string()))
}

/// Whether a path is one of the static files (GOV.UK Frontend's and h2h's own).
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/assets/") || path.starts_with("/static/")
}

/// Middleware: headers every answer carries so browsers neither sniff, frame nor keep it.
pub async fn protective_headers(request: Request, next: Next) -> Response {
    let is_asset = is_static_asset(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !is_asset && !headers.contains_key("cache-control") {
        headers.insert(
            "cache-control",
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// Percent-encodes text for a query string.
pub(crate) fn form_urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A 429 answer for too many failed sign-ins.
pub(crate) fn too_many_attempts() -> Response {
    let mut response = crate::pages::error_page(&WebError::TooManyAttempts(format!(
        "There have been too many failed attempts to sign in. Wait {THROTTLE_MINUTES} minutes \
         and try again."
    )));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(is_cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "h2h.example")
        ])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "https://h2h.example"),
            ("host", "h2h.example")
        ])));
        assert!(is_cross_site(&headers(&[
            ("origin", "null"),
            ("host", "h2h.example")
        ])));
        assert!(!is_cross_site(&headers(&[("host", "h2h.example")])));
    }

    #[test]
    fn cookies_and_tokens_are_read() {
        let map = headers(&[("cookie", "a=1; h2h_session=abc; b=2")]);
        assert_eq!(cookie(&map, SESSION_COOKIE), Some("abc"));
        assert_eq!(
            cookie(&headers(&[("cookie", "h2h_session=")]), SESSION_COOKIE),
            None
        );
        let map = headers(&[("authorization", "Bearer h2h_x")]);
        assert_eq!(bearer_token(&map), Some("h2h_x"));
        assert_eq!(
            bearer_token(&headers(&[("authorization", "Basic x")])),
            None
        );
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("wrong horse battery", &hash));
        assert!(!password_matches("anything", "not a hash"));
    }

    #[test]
    fn secrets_are_long_and_distinct() -> Result<(), WebError> {
        let a = new_secret(TOKEN_PREFIX)?;
        let b = new_secret(TOKEN_PREFIX)?;
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(digest("x").len(), 64);
        assert_eq!(form_urlencode("/areas/E1?p=2024"), "/areas/E1%3Fp%3D2024");
        Ok(())
    }
}
