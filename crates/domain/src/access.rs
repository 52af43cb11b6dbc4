//! Who may do what: the five roles, what each permits, and the account names they are held
//! under. The rule is stated once here; the web layer, the API, exports and reports all ask
//! it, so a page and the file behind it can never disagree.
//!
//! National roles see every area; partnership roles see the areas their account is scoped to
//! and everything within them (a partnership's member authorities, say). Outside its scope an
//! account sees only what an administrator has published, and then only under disclosure
//! control.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::AreaCode;
use crate::metric::vocabulary;

vocabulary!(
    /// A role an account holds.
    Role, "role" {
        /// Runs the service: accounts, publication, the audit log; sees and does everything.
        NationalAdmin => "national_admin",
        /// The national unit's analysts: see every area's figures and submit returns for any.
        NationalAnalyst => "national_analyst",
        /// A partnership's lead: sees its areas, submits their returns, updates their delivery
        /// plans and signs their reports.
        PartnershipLead => "partnership_lead",
        /// Submits a partnership's returns and extracts, and sees its figures.
        DataSubmitter => "data_submitter",
        /// Reads a partnership's figures, plans and reports.
        Viewer => "viewer",
    }
);

/// Something an account may be allowed to do to an area's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See unpublished figures, plans, reports and scorecards.
    View,
    /// Submit returns and client-level extracts.
    Submit,
    /// Record updates to delivery-plan actions.
    EditPlans,
    /// Sign an annual report's decision record.
    Sign,
    /// Manage accounts and publication, read and export the audit log.
    Administer,
}

impl Role {
    /// Whether the role sees every area rather than the areas it is scoped to.
    pub fn is_national(self) -> bool {
        matches!(self, Self::NationalAdmin | Self::NationalAnalyst)
    }

    /// Whether the role grants `permission` (within the account's scope).
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::{EditPlans, Sign, Submit, View};
        match self {
            Self::NationalAdmin => true,
            Self::NationalAnalyst => matches!(permission, View | Submit),
            Self::PartnershipLead => matches!(permission, View | Submit | EditPlans | Sign),
            Self::DataSubmitter => matches!(permission, View | Submit),
            Self::Viewer => matches!(permission, View),
        }
    }

    /// The role in words, as pages show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::NationalAdmin => "National administrator",
            Self::NationalAnalyst => "National analyst",
            Self::PartnershipLead => "Partnership lead",
            Self::DataSubmitter => "Data submitter",
            Self::Viewer => "Viewer",
        }
    }
}

/// An account's sign-in name: 2 to 64 characters of lower-case letters, digits and `.`,
/// `_`, `-` or `@`, so it can be typed, logged and compared without surprises.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why an account cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The name has characters or a length that a sign-in name cannot.
    #[error(
        "{0:?} is not a valid user name: use 2 to 64 lower-case letters, digits, '.', '_', '-' or '@'"
    )]
    BadUsername(String),
    /// A national role was given areas, which it would not be limited to.
    #[error("a {0} sees every area: give no --area")]
    NationalWithAreas(Role),
    /// A partnership role was given no area, so it would see nothing.
    #[error("a {0} must be scoped to at least one area: give --area CODE")]
    LocalWithoutAreas(Role),
    /// The password is too short to be safe.
    #[error("the password must be at least {MIN_PASSWORD_CHARS} characters")]
    ShortPassword,
}

/// The fewest characters a password may have (NCSC guidance favours length over rules).
pub const MIN_PASSWORD_CHARS: usize = 12;

impl Username {
    /// Reads a sign-in name, folding it to lower case.
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let name = text.trim().to_ascii_lowercase();
        let valid = (2..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-@".contains(&b));
        if valid {
            Ok(Self(name))
        } else {
            Err(AccountError::BadUsername(text.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = AccountError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> Self {
        name.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that a role and its areas make a sensible account.
pub fn check_scope(role: Role, areas: &[AreaCode]) -> Result<(), AccountError> {
    match (role.is_national(), areas.is_empty()) {
        (true, false) => Err(AccountError::NationalWithAreas(role)),
        (false, true) => Err(AccountError::LocalWithoutAreas(role)),
        _ => Ok(()),
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(AccountError::ShortPassword)
    } else {
        Ok(())
    }
}

/// Someone signed in: who, in which role, scoped to which areas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account's id in the store.
    pub account_id: i64,
    /// Their sign-in name.
    pub username: Username,
    /// Their name as shown.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// The areas they are scoped to; empty for national roles.
    pub areas: Vec<AreaCode>,
}

impl Principal {
    /// Whether the principal may do `permission` to the data of `area`, where `within` tells
    /// whether one area lies within another (its ancestors by the geography's links).
    pub fn may(
        &self,
        permission: Permission,
        area: &AreaCode,
        within: impl Fn(&AreaCode, &AreaCode) -> bool,
    ) -> bool {
        self.role.grants(permission)
            && (self.role.is_national()
                || self
                    .areas
                    .iter()
                    .any(|scope| scope == area || within(area, scope)))
    }

    /// Whether the principal may do `permission` with no area in question (national lists,
    /// accounts, the audit log): only national roles may.
    pub fn may_nationally(&self, permission: Permission) -> bool {
        self.role.is_national() && self.role.grants(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> AreaCode {
        AreaCode::parse(text).unwrap_or_else(|_| unreachable!("test codes are valid"))
    }

    fn principal(role: Role, areas: &[&str]) -> Principal {
        Principal {
            account_id: 1,
            username: Username::parse("someone").unwrap_or_else(|_| unreachable!()),
            display_name: String::from("Someone"),
            role,
            areas: areas.iter().map(|a| code(a)).collect(),
        }
    }

    #[test]
    fn roles_grant_what_the_matrix_says() {
        use Permission::*;
        let table = [
            (Role::NationalAdmin, [true, true, true, true, true]),
            (Role::NationalAnalyst, [true, true, false, false, false]),
            (Role::PartnershipLead, [true, true, true, true, false]),
            (Role::DataSubmitter, [true, true, false, false, false]),
            (Role::Viewer, [true, false, false, false, false]),
        ];
        for (role, expected) in table {
            let granted = [View, Submit, EditPlans, Sign, Administer].map(|p| role.grants(p));
            assert_eq!(granted, expected, "{role}");
        }
    }

    #[test]
    fn scoped_accounts_see_their_areas_and_what_lies_within() {
        let lead = principal(Role::PartnershipLead, &["E06000047"]);
        let within = |area: &AreaCode, scope: &AreaCode| {
            area.as_str() == "E05000001" && scope.as_str() == "E06000047"
        };
        assert!(lead.may(Permission::View, &code("E06000047"), within));
        assert!(lead.may(Permission::Sign, &code("E05000001"), within));
        assert!(!lead.may(Permission::View, &code("E06000001"), within));
        assert!(!lead.may_nationally(Permission::View));
        let analyst = principal(Role::NationalAnalyst, &[]);
        assert!(analyst.may(Permission::View, &code("E06000001"), within));
        assert!(!analyst.may(Permission::Sign, &code("E06000001"), within));
        assert!(analyst.may_nationally(Permission::View));
    }

    #[test]
    fn usernames_are_folded_and_checked() {
        assert_eq!(
            Username::parse(" Lead.Durham@x ").map(|u| u.0),
            Ok(String::from("lead.durham@x"))
        );
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("drop;table").is_err());
    }

    #[test]
    fn scopes_and_passwords_are_checked() {
        assert!(check_scope(Role::NationalAnalyst, &[]).is_ok());
        assert!(check_scope(Role::NationalAnalyst, &[code("E06000047")]).is_err());
        assert!(check_scope(Role::Viewer, &[]).is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("a long enough passphrase").is_ok());
    }
}
