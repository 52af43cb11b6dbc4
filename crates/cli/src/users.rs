//! `h2h users` and `h2h publish`: accounts, API tokens and publication from the command line,
//! each change written to the audit log as done by `cli:USER`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use h2h_domain::access::{check_password, check_scope};
use h2h_domain::{AreaCode, Role, Username};
use h2h_store::{AuditEntry, NewAccount, Publication, Store};
use h2h_web::auth;

use crate::output::Listing;

/// The accounts subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add an account; prints its password when none is given.
    Add {
        /// The sign-in name.
        username: String,
        /// The role: national_admin, national_analyst, partnership_lead, data_submitter or
        /// viewer.
        #[arg(long)]
        role: String,
        /// An area the account is scoped to (repeat for more); none for national roles.
        #[arg(long = "area")]
        areas: Vec<String>,
        /// The name pages show (default: the sign-in name).
        #[arg(long)]
        name: Option<String>,
        /// The password, read from this environment variable rather than made up.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// List the accounts.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::Format::Table)]
        format: crate::Format,
    },
    /// Disable an account: it can no longer sign in or use its tokens.
    Disable {
        /// The sign-in name.
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The sign-in name.
        username: String,
    },
    /// Give an account a new password (printed) and end its sessions.
    Reset {
        /// The sign-in name.
        username: String,
        /// The password, read from this environment variable rather than made up.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// Make an API token for an account; prints it once.
    Token {
        /// The sign-in name.
        username: String,
        /// What the token is for.
        #[arg(long)]
        label: String,
    },
    /// List an account's API tokens (never their secrets).
    Tokens {
        /// The sign-in name.
        username: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::Format::Table)]
        format: crate::Format,
    },
    /// Revoke an account's API token: it stops working on every server at once.
    Revoke {
        /// The sign-in name.
        username: String,
        /// The token's number, as `h2h users tokens` lists it.
        #[arg(long)]
        token: i64,
    },
}

/// An API token as listed.
#[derive(Debug, serde::Serialize)]
struct TokenJson {
    id: i64,
    label: String,
    created_at: String,
    revoked_at: Option<String>,
}

/// An account as listed.
#[derive(Debug, serde::Serialize)]
struct AccountJson {
    username: String,
    name: String,
    role: &'static str,
    areas: Vec<String>,
    status: &'static str,
    created_at: String,
}

impl From<&h2h_store::Account> for AccountJson {
    fn from(account: &h2h_store::Account) -> Self {
        let p = &account.principal;
        Self {
            username: p.username.to_string(),
            name: p.display_name.clone(),
            role: p.role.code(),
            areas: p.areas.iter().map(ToString::to_string).collect(),
            status: if account.disabled {
                "disabled"
            } else {
                "active"
            },
            created_at: account.created_at.clone(),
        }
    }
}

/// Who the command line is acting as, for the audit log.
fn cli_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| String::from("unknown"));
    format!("cli:{user}")
}

/// Writes an audit entry of the command line.
pub async fn audit(
    store: &dyn Store,
    action: &str,
    subject: &str,
    detail: &str,
) -> anyhow::Result<()> {
    let entry = AuditEntry {
        id: 0,
        at: auth::timestamp_now(),
        actor: cli_actor(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        outcome: String::from("ok"),
        detail: detail.to_owned(),
        remote: String::from("cli"),
    };
    store.append_audit(&entry).await?;
    Ok(())
}

fn password_from(env: Option<&str>) -> anyhow::Result<(String, bool)> {
    match env {
        Some(name) => {
            let password = std::env::var(name)
                .with_context(|| format!("the environment variable {name} is not set"))?;
            check_password(&password)?;
            Ok((password, false))
        }
        None => Ok((auth::new_password()?, true)),
    }
}

/// Runs a users subcommand.
pub async fn run(store: &dyn Store, command: UsersCommand) -> anyhow::Result<ExitCode> {
    match command {
        UsersCommand::Add {
            username,
            role,
            areas,
            name,
            password_env,
        } => {
            let username = Username::parse(&username)?;
            let role = Role::parse(&role)?;
            let areas: Vec<AreaCode> = areas
                .iter()
                .map(|a| AreaCode::parse(a))
                .collect::<Result<_, _>>()?;
            check_scope(role, &areas)?;
            for area in &areas {
                if store.area(area).await?.is_none() {
                    anyhow::bail!("there is no area {area}: import it first");
                }
            }
            let (password, made_up) = password_from(password_env.as_deref())?;
            let hash = auth::hash_password(&password);
            let display = name.unwrap_or_else(|| username.to_string());
            let created = auth::timestamp_now();
            let account = store
                .create_account(&NewAccount {
                    username: &username,
                    display_name: &display,
                    role,
                    areas: &areas,
                    password_hash: &hash,
                    created_at: &created,
                })
                .await?;
            let scope = scope_words(&account.principal.areas);
            audit(
                store,
                "account.add",
                username.as_str(),
                &format!("{role}, {scope}"),
            )
            .await?;
            println!("added {username}: {}, {scope}", role.label());
            if made_up {
                println!("password: {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::List { format } => {
            let accounts = store.accounts().await?;
            Listing {
                headers: &["username", "name", "role", "areas", "status", "created_at"],
                records: accounts.iter().map(AccountJson::from).collect(),
                cells: |a| {
                    vec![
                        a.username.clone(),
                        a.name.clone(),
                        a.role.to_owned(),
                        a.areas.join(";"),
                        a.status.to_owned(),
                        a.created_at.clone(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Disable { username } => set_disabled(store, &username, true).await,
        UsersCommand::Enable { username } => set_disabled(store, &username, false).await,
        UsersCommand::Reset {
            username,
            password_env,
        } => {
            let username = Username::parse(&username)?;
            let (password, made_up) = password_from(password_env.as_deref())?;
            if !store
                .set_password_hash(&username, &auth::hash_password(&password))
                .await?
            {
                anyhow::bail!("there is no account called {username}");
            }
            audit(
                store,
                "account.reset",
                username.as_str(),
                "password reset, sessions ended",
            )
            .await?;
            println!("reset {username}; their sessions have ended");
            if made_up {
                println!("password: {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Token { username, label } => {
            let (username, account) = account_id(store, &username).await?;
            let token = auth::new_secret(auth::TOKEN_PREFIX)?;
            store
                .create_api_token(
                    account,
                    &label,
                    &auth::digest(&token),
                    &auth::timestamp_now(),
                )
                .await?;
            audit(store, "token.create", username.as_str(), &label).await?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Tokens { username, format } => {
            let (_, account) = account_id(store, &username).await?;
            let tokens = store.api_tokens(account).await?;
            Listing {
                headers: &["id", "label", "created_at", "revoked_at"],
                records: tokens
                    .into_iter()
                    .map(|t| TokenJson {
                        id: t.id,
                        label: t.label,
                        created_at: t.created_at,
                        revoked_at: t.revoked_at,
                    })
                    .collect(),
                cells: |t| {
                    vec![
                        t.id.to_string(),
                        t.label.clone(),
                        t.created_at.clone(),
                        t.revoked_at.clone().unwrap_or_default(),
                    ]
                },
            }
            .print(format)?;
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Revoke { username, token } => {
            let (username, account) = account_id(store, &username).await?;
            if !store
                .revoke_api_token(account, token, &auth::timestamp_now())
                .await?
            {
                anyhow::bail!("{username} has no token {token} in use");
            }
            audit(
                store,
                "token.revoke",
                username.as_str(),
                &format!("token {token}"),
            )
            .await?;
            println!("revoked token {token} of {username}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The account called `username`: its name as stored (folded to lower case) and its id.
async fn account_id(store: &dyn Store, username: &str) -> anyhow::Result<(Username, i64)> {
    let username = Username::parse(username)?;
    let credentials = store
        .credentials(&username)
        .await?
        .with_context(|| format!("there is no account called {username}"))?;
    Ok((username, credentials.account.principal.account_id))
}

async fn set_disabled(
    store: &dyn Store,
    username: &str,
    disabled: bool,
) -> anyhow::Result<ExitCode> {
    let username = Username::parse(username)?;
    if !store.set_account_disabled(&username, disabled).await? {
        anyhow::bail!("there is no account called {username}");
    }
    let (action, words) = if disabled {
        ("account.disable", "disabled; their sessions have ended")
    } else {
        ("account.enable", "enabled")
    };
    audit(store, action, username.as_str(), words).await?;
    println!("{username} {words}");
    Ok(ExitCode::SUCCESS)
}

fn scope_words(areas: &[AreaCode]) -> String {
    if areas.is_empty() {
        String::from("every area")
    } else {
        let codes: Vec<String> = areas.iter().map(ToString::to_string).collect();
        format!("scoped to {}", codes.join(", "))
    }
}

/// Publishes an area's outputs, or withdraws them.
pub async fn publish(store: &dyn Store, area: &str, withdraw: bool) -> anyhow::Result<ExitCode> {
    let code = AreaCode::parse(area)?;
    let area = store
        .area(&code)
        .await?
        .with_context(|| format!("there is no area {code}"))?;
    if withdraw {
        store.unpublish_area(&area.code).await?;
        audit(
            store,
            "publication.withdraw",
            area.code.as_str(),
            &area.name,
        )
        .await?;
        println!(
            "withdrew {} ({}): only accounts that cover it see it now",
            area.name, area.code
        );
    } else {
        store
            .publish_area(&Publication {
                area_code: area.code.clone(),
                published_by: cli_actor(),
                published_at: auth::timestamp_now(),
            })
            .await?;
        audit(store, "publication.publish", area.code.as_str(), &area.name).await?;
        println!(
            "published {} ({}): everyone sees its figures, with disclosure control",
            area.name, area.code
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's accounts: one a role, the partnership roles scoped to the demo partnership
/// (and the lead to the demo DIP area too, whose scorecard they report).
const DEMO_ACCOUNTS: &[(&str, &str, Role, &[&str])] = &[
    ("admin", "Demo administrator", Role::NationalAdmin, &[]),
    (
        "analyst",
        "Demo national analyst",
        Role::NationalAnalyst,
        &[],
    ),
    (
        "lead",
        "Demo partnership lead",
        Role::PartnershipLead,
        &["CDP-DURHAM-DARLINGTON", "W15000002"],
    ),
    (
        "submitter",
        "Demo data submitter",
        Role::DataSubmitter,
        &["CDP-DURHAM-DARLINGTON"],
    ),
    (
        "viewer",
        "Demo viewer",
        Role::Viewer,
        &["CDP-DURHAM-DARLINGTON"],
    ),
];

/// Makes the demo's accounts (or gives those already made new passwords), publishes England
/// so that visitors who do not sign in see the national figures, and prints the
/// credentials. `H2H_DEMO_PASSWORD` sets one password for all, for scripted trials.
pub async fn demo_accounts(store: &dyn Store) -> anyhow::Result<()> {
    let fixed = std::env::var("H2H_DEMO_PASSWORD").ok();
    let existing = store.accounts().await?;
    eprintln!("Demo accounts (sign in at /login):");
    for (name, display, role, areas) in DEMO_ACCOUNTS {
        let username = Username::parse(name)?;
        let password = match &fixed {
            Some(password) => password.clone(),
            None => auth::new_password()?,
        };
        let hash = auth::hash_password(&password);
        if existing.iter().any(|a| a.principal.username == username) {
            store.set_password_hash(&username, &hash).await?;
        } else {
            let areas: Vec<AreaCode> = areas
                .iter()
                .map(|a| AreaCode::parse(a))
                .collect::<Result<_, _>>()?;
            store
                .create_account(&NewAccount {
                    username: &username,
                    display_name: display,
                    role: *role,
                    areas: &areas,
                    password_hash: &hash,
                    created_at: &auth::timestamp_now(),
                })
                .await?;
            audit(store, "account.add", name, &format!("{role} (demo)")).await?;
        }
        let scope = if areas.is_empty() {
            String::from("every area")
        } else {
            areas.join(", ")
        };
        eprintln!(
            "  account {name} ({}, {scope}): password {password}",
            role.label()
        );
    }
    let england = AreaCode::parse("E92000001")?;
    if store.area(&england).await?.is_some()
        && !store
            .publications()
            .await?
            .iter()
            .any(|p| p.area_code == england)
    {
        store
            .publish_area(&Publication {
                area_code: england,
                published_by: String::from("h2h demo"),
                published_at: auth::timestamp_now(),
            })
            .await?;
    }
    Ok(())
}
