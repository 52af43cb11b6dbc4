//! Accounts, sessions, API tokens, publication and the audit log as stored. Secrets are
//! never stored: passwords as argon2 hashes (made by the caller), session and API tokens as
//! SHA-256 digests (they are long and random, so a fast digest is enough).

use h2h_domain::{AreaCode, Principal, Role, Username};

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Its sign-in name (unique).
    pub username: &'a Username,
    /// The name pages show.
    pub display_name: &'a str,
    /// Its role.
    pub role: Role,
    /// The areas it is scoped to (none for national roles).
    pub areas: &'a [AreaCode],
    /// The password's argon2 hash in PHC form.
    pub password_hash: &'a str,
    /// When (RFC 3339).
    pub created_at: &'a str,
}

/// An account as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Who it is and what it may do.
    pub principal: Principal,
    /// Whether it has been disabled (it cannot sign in or use its tokens).
    pub disabled: bool,
    /// When it was created.
    pub created_at: String,
}

/// An API token as listed: never its secret, which the store does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its number.
    pub id: i64,
    /// What its owner said it is for.
    pub label: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it has been.
    pub revoked_at: Option<String>,
}

/// The account a session belongs to, with when the session ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAccount {
    /// The account.
    pub account: Account,
    /// When the session expires (RFC 3339), so a cache of it knows when to stop.
    pub expires_at: String,
}

/// An account with its password hash, for checking a sign-in.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub account: Account,
    /// The argon2 hash of its password.
    pub password_hash: String,
}

/// An area whose outputs an administrator has published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// The area.
    pub area_code: AreaCode,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: String,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its place in the log (0 for one not yet written).
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: a user name, `anonymous`, or `cli:NAME` for the command line.
    pub actor: String,
    /// What was done, such as `login`, `import.values`, `plan.update`, `report.sign`,
    /// `export.pack` or `account.add`.
    pub action: String,
    /// What it was done to: an area, a file, an account.
    pub subject: String,
    /// `ok`, `refused` or `failed`.
    pub outcome: String,
    /// Anything more, in words.
    pub detail: String,
    /// Where from: the client's address, or `cli`.
    pub remote: String,
}

/// Which audit entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries of this action.
    pub action: Option<String>,
    /// Only entries by this actor.
    pub actor: Option<String>,
    /// At most this many, newest first (all when `None`).
    pub limit: Option<i64>,
}

/// An account row: id, username, display name, role, disabled, created at.
pub(crate) type AccountRow = (i64, String, String, String, i64, String);

/// The columns of [`AccountRow`], for a table aliased `a`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id, a.username, a.display_name, a.role, a.disabled, a.created_at";

/// An account row with one of its areas (`None` for an account without areas): what a
/// `LEFT JOIN account_areas` gives, one row per area, so an account and its areas come back
/// in one round trip.
pub(crate) type AccountAreaRow = (i64, String, String, String, i64, String, Option<String>);

/// A session's [`AccountAreaRow`] with its expiry.
pub(crate) type SessionAreaRow = (
    i64,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
);

/// The columns of [`AccountAreaRow`], for accounts aliased `a` left-joined to
/// `account_areas` aliased `aa`.
pub(crate) const ACCOUNT_AREA_COLUMNS: &str =
    "a.id, a.username, a.display_name, a.role, a.disabled, a.created_at, aa.area_code";

/// The one account in `rows` (all rows of one account, as [`ACCOUNT_AREA_COLUMNS`] gives
/// them), or `None` when there are none.
pub(crate) fn account_from_area_rows(
    rows: Vec<AccountAreaRow>,
) -> Result<Option<Account>, crate::StoreError> {
    let mut rows = rows.into_iter();
    let Some((id, username, display_name, role, disabled, created_at, first)) = rows.next() else {
        return Ok(None);
    };
    let areas = first
        .into_iter()
        .chain(rows.filter_map(|row| row.6))
        .collect();
    account(
        (id, username, display_name, role, disabled, created_at),
        areas,
    )
    .map(Some)
}

/// The one session in `rows` (as [`ACCOUNT_AREA_COLUMNS`] and `s.expires_at` give them).
pub(crate) fn session_from_area_rows(
    rows: Vec<SessionAreaRow>,
) -> Result<Option<SessionAccount>, crate::StoreError> {
    let Some(expires_at) = rows.first().map(|row| row.7.clone()) else {
        return Ok(None);
    };
    let rows = rows
        .into_iter()
        .map(
            |(id, username, display, role, disabled, created, area, _)| {
                (id, username, display, role, disabled, created, area)
            },
        )
        .collect();
    Ok(account_from_area_rows(rows)?.map(|account| SessionAccount {
        account,
        expires_at,
    }))
}

/// An account from its row and its areas.
pub(crate) fn account(
    (id, username, display_name, role, disabled, created_at): AccountRow,
    areas: Vec<String>,
) -> Result<Account, crate::StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| crate::StoreError::Corrupt(e.to_string());
    Ok(Account {
        principal: Principal {
            account_id: id,
            username: Username::parse(&username).map_err(|e| corrupt(&e))?,
            display_name,
            role: Role::parse(&role).map_err(|e| corrupt(&e))?,
            areas: areas
                .iter()
                .map(|a| AreaCode::parse(a))
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt(&e))?,
        },
        disabled: disabled != 0,
        created_at,
    })
}

/// An audit row: id, at, actor, action, subject, outcome, detail, remote.
pub(crate) type AuditRow = (i64, String, String, String, String, String, String, String);

/// The columns of [`AuditRow`].
pub(crate) const AUDIT_COLUMNS: &str = "id, at, actor, action, subject, outcome, detail, remote";

/// An audit entry from its row.
pub(crate) fn audit_entry(
    (id, at, actor, action, subject, outcome, detail, remote): AuditRow,
) -> AuditEntry {
    AuditEntry {
        id,
        at,
        actor,
        action,
        subject,
        outcome,
        detail,
        remote,
    }
}
