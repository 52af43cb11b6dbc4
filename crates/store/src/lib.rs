//! Storage for h2h: one [`Store`] interface, implemented for embedded SQLite (the zero-setup
//! default) and PostgreSQL (the shared multi-user server), with migrations that run on open.
//!
//! Both implementations run the same SQL text (`$n` placeholders work on both) from one
//! definition in [`implementation`]; only connection set-up and DDL differ per backend.

mod accounts;
pub mod backup;
mod implementation;
mod partnerships;
mod plans;
mod postgres;
mod record_extracts;
mod returns;
mod rows;
mod signed_reports;
mod sqlite;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

use std::sync::Arc;

use async_trait::async_trait;
use h2h_domain::{
    Area, AreaCode, AreaKindFilter, Catalogue, CodeChange, CustomArea, Geography, Metric, Outcome,
    PopulationEstimate, Reference, Target,
};

pub use accounts::{
    Account, ApiToken, AuditEntry, AuditFilter, Credentials, NewAccount, Publication,
    SessionAccount,
};
pub use partnerships::{SavedMeetings, SavedPartnership, organisation_key};
pub use plans::{PlanSummary, SavedPlan, StoredAction, StoredPlan};
pub use postgres::PostgresStore;
pub use record_extracts::{
    NewRecordExtract, RECORD_CHUNK_BYTES, RecordExtract, RecordFileCount, RecordRejection,
    RecordWarning,
};
pub use returns::{
    NewRevision, NewSubmission, PackedContent, RecordedReturn, RejectedRowRecord,
    StoredObservation, Submission, SubmittedFile,
};
pub use signed_reports::{NewSignedReport, SignedReport};
pub use sqlite::SqliteStore;

/// The database URL used when none is given: `h2h.db` in the current directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://h2h.db";

/// Which database a store uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no database h2h can use.
    #[error(
        "{0:?} is not a database URL h2h can use: expected sqlite://FILE or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl(String),
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite refused a bulk insert made through its own interface.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A change was made to an older version of a record than the one stored: someone else
    /// changed it first. Nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// The schema could not be brought up to date.
    #[error("the database schema could not be migrated: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value no longer parses into its domain type.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A change was refused because it would break the data's rules.
    #[error("{0}")]
    Refused(String),
}

/// What the reference data of a store is: the catalogue version and whether the shipped
/// geography is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceState {
    /// The version of the catalogue last installed.
    pub catalogue_version: Option<String>,
    /// The version of the geography last installed.
    pub geography_version: Option<String>,
}

/// Two counters that grow with every committed change: `data` to reference data, values or
/// areas (derived figures are stale), `access` to who may see what: accounts, their areas,
/// ended sessions, revoked tokens and publications (cached principals and publications are
/// stale). New sessions and tokens do not move it: nothing cached can be about them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Versions {
    /// The data version ([`Store::data_version`]).
    pub data: i64,
    /// The access version.
    pub access: i64,
}

/// The storage interface. Every method is one transaction or one read.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// A number that grows with every committed change to reference data, values or areas.
    async fn data_version(&self) -> Result<i64, StoreError>;

    /// The data version and the access version together, in one round trip: what a server
    /// checks on every request to know whether its caches still hold.
    async fn versions(&self) -> Result<Versions, StoreError>;

    /// Moves each version to `at_least`'s if it is behind it (a restore does, so that
    /// servers reread the store and forget who they knew); gives the versions now.
    async fn advance_versions(&self, at_least: Versions) -> Result<Versions, StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Which reference data is installed.
    async fn reference_state(&self) -> Result<ReferenceState, StoreError>;

    /// Installs or updates the framework catalogue: outcomes, catalogue metrics and shipped
    /// targets. Metrics added by partnerships are kept.
    async fn install_catalogue(&self, catalogue: &Catalogue) -> Result<(), StoreError>;

    /// Installs the reference geography under a version label, replacing shipped areas,
    /// their links and populations; custom areas are kept.
    async fn install_geography(
        &self,
        geography: &Geography,
        version: &str,
    ) -> Result<(), StoreError>;

    /// The outcomes, in framework order.
    async fn outcomes(&self) -> Result<Vec<Outcome>, StoreError>;

    /// Every metric, in catalogue order, then partnerships' own metrics.
    async fn metrics(&self) -> Result<Vec<Metric>, StoreError>;

    /// The documents and pages the catalogue cites, in catalogue order.
    async fn references(&self) -> Result<Vec<Reference>, StoreError>;

    /// Every target.
    async fn targets(&self) -> Result<Vec<Target>, StoreError>;

    /// Areas of the selected kinds (all when `None`), in a stable order.
    async fn areas(&self, filter: Option<AreaKindFilter>) -> Result<Vec<Area>, StoreError>;

    /// One area, following a code change if `code` is retired.
    async fn area(&self, code: &AreaCode) -> Result<Option<Area>, StoreError>;

    /// The areas directly within `code`.
    async fn area_children(&self, code: &AreaCode) -> Result<Vec<Area>, StoreError>;

    /// The code changes, oldest code first.
    async fn code_changes(&self) -> Result<Vec<CodeChange>, StoreError>;

    /// Population estimates for an area, by year and age band.
    async fn populations(&self, code: &AreaCode) -> Result<Vec<PopulationEstimate>, StoreError>;

    /// Adds or replaces partnerships' own metrics. Refuses a metric whose id belongs to the
    /// shipped catalogue.
    async fn save_local_metrics(&self, metrics: &[Metric]) -> Result<(), StoreError>;

    /// Adds or replaces targets (by metric, area, period and kind).
    async fn save_targets(&self, targets: &[Target]) -> Result<(), StoreError>;

    /// The submission of `kind` whose content has this SHA-256, if one was received.
    async fn find_submission(
        &self,
        kind: &str,
        content_sha256: &str,
    ) -> Result<Option<Submission>, StoreError>;

    /// Every submission, newest first.
    async fn submissions(&self) -> Result<Vec<Submission>, StoreError>;

    /// A submission's file, byte for byte as received.
    async fn submitted_file(&self, submission_id: i64)
    -> Result<Option<SubmittedFile>, StoreError>;

    /// The rows a submission was refused, in line order.
    async fn rejected_rows(&self, submission_id: i64)
    -> Result<Vec<RejectedRowRecord>, StoreError>;

    /// Records a return in one transaction: the submission as received, its new revisions
    /// (superseding the rows they replace) and its rejected rows.
    async fn record_return(
        &self,
        submission: &NewSubmission<'_>,
        revisions: &[NewRevision<'_>],
        rejected: &[RejectedRowRecord],
        unchanged: u64,
    ) -> Result<RecordedReturn, StoreError>;

    /// Saves a plan read from a file: the plan (found by area and title, or new), each action
    /// (found by number, written as the file has it, in the file's order) and each update
    /// not already in the action's history. `recorded_at` is when.
    async fn save_plan(
        &self,
        plan: &h2h_domain::Plan,
        recorded_at: &str,
    ) -> Result<SavedPlan, StoreError>;

    /// Freezes a signed report: its decision record and every file as made, under its
    /// version for its area and period (a version already stored is refused). Nothing stored
    /// is ever changed afterwards.
    async fn save_signed_report(
        &self,
        report: &NewSignedReport<'_>,
    ) -> Result<SignedReport, StoreError>;

    /// The signed reports, of one area or of all, newest first.
    async fn signed_reports(
        &self,
        area: Option<&AreaCode>,
    ) -> Result<Vec<SignedReport>, StoreError>;

    /// A signed report.
    async fn signed_report(&self, id: i64) -> Result<Option<SignedReport>, StoreError>;

    /// A signed report's file in `format`, byte for byte as it was signed.
    async fn signed_report_file(
        &self,
        id: i64,
        format: &str,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// The plans, of one area or of all, by area and title.
    async fn plans(&self, area: Option<&AreaCode>) -> Result<Vec<PlanSummary>, StoreError>;

    /// A plan with its actions and their histories.
    async fn plan(&self, id: i64) -> Result<Option<StoredPlan>, StoreError>;

    /// Adds an update to an action's history and sets its status, provided the action is
    /// still at `version` (else [`StoreError::Conflict`], and nothing changes). Gives the
    /// action's new version.
    async fn add_action_update(
        &self,
        action_id: i64,
        version: i64,
        update: &h2h_domain::ActionUpdate,
        recorded_at: &str,
    ) -> Result<i64, StoreError>;

    /// The current revision of every value, optionally only for some metrics.
    async fn current_observations(
        &self,
        metrics: Option<&[h2h_domain::MetricId]>,
    ) -> Result<Vec<StoredObservation>, StoreError>;

    /// Every revision of one value, oldest first.
    async fn observation_history(
        &self,
        key: &h2h_domain::ValueKey,
    ) -> Result<Vec<StoredObservation>, StoreError>;

    /// Every population estimate, by area code.
    async fn all_populations(
        &self,
    ) -> Result<std::collections::HashMap<AreaCode, Vec<PopulationEstimate>>, StoreError>;

    /// Saves a partnership's Senior Responsible Owner, chair and member organisations. Its
    /// area (kind `cdp`, grouping its local authorities) must already be saved with
    /// [`Store::save_custom_area`]. Members are found by name without regard to case
    /// ([`organisation_key`]); members held but not named are kept, as meetings may record
    /// them. Nothing is written when nothing changed.
    async fn save_partnership(
        &self,
        partnership: &h2h_domain::Partnership,
    ) -> Result<SavedPartnership, StoreError>;

    /// Every partnership with its local authorities (the areas its area groups) and its
    /// members in the order they were first given, by code.
    async fn partnerships(&self) -> Result<Vec<h2h_domain::Partnership>, StoreError>;

    /// Saves meetings and their attendance in one transaction. A meeting is found by
    /// partnership, date, kind and title; each organisation's attendance at it is set (to the
    /// value given, replacing an earlier one). Every partnership must be saved and every
    /// organisation one of its members (else [`StoreError::Refused`], and nothing changes).
    /// Nothing is written when nothing changed.
    async fn save_meetings(
        &self,
        meetings: &[h2h_domain::Meeting],
    ) -> Result<SavedMeetings, StoreError>;

    /// The meetings of one partnership, or of all, by partnership, date, kind and title, each
    /// with its attendance in member order, named as the members are.
    async fn meetings(
        &self,
        partnership: Option<&AreaCode>,
    ) -> Result<Vec<h2h_domain::Meeting>, StoreError>;

    /// Saves a client-level record extract as its service's next version in one transaction:
    /// the extract's counts and warnings, its encoded bytes in chunks of at most
    /// [`RECORD_CHUNK_BYTES`] and its rejected rows. The service's previous version stops
    /// being current but is kept. Gives the version saved.
    async fn save_record_extract(
        &self,
        extract: &NewRecordExtract<'_>,
    ) -> Result<RecordExtract, StoreError>;

    /// The extract versions, of one service or of all, newest first.
    async fn record_extracts(
        &self,
        service: Option<&str>,
    ) -> Result<Vec<RecordExtract>, StoreError>;

    /// The current version of every service's extract, by service.
    async fn current_record_extracts(&self) -> Result<Vec<RecordExtract>, StoreError>;

    /// An extract's encoded bytes, its chunks joined in order.
    async fn record_extract_bytes(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;

    /// An extract's rejected rows, in the order they were found.
    async fn record_rejections(&self, id: i64) -> Result<Vec<RecordRejection>, StoreError>;

    /// Creates or replaces a custom area with its members, parent and summed populations.
    /// Refuses to replace an area that came with the shipped geography.
    async fn save_custom_area(
        &self,
        area: &CustomArea,
        populations: &[PopulationEstimate],
    ) -> Result<(), StoreError>;

    /// Creates an account; refuses a user name already taken.
    async fn create_account(&self, account: &NewAccount<'_>) -> Result<Account, StoreError>;

    /// Every account, by user name.
    async fn accounts(&self) -> Result<Vec<Account>, StoreError>;

    /// An account with its password hash, for checking a sign-in.
    async fn credentials(
        &self,
        username: &h2h_domain::Username,
    ) -> Result<Option<Credentials>, StoreError>;

    /// Disables or enables an account; disabling ends its sessions. Gives whether the
    /// account exists.
    async fn set_account_disabled(
        &self,
        username: &h2h_domain::Username,
        disabled: bool,
    ) -> Result<bool, StoreError>;

    /// Replaces an account's password hash and ends its sessions. Gives whether the account
    /// exists.
    async fn set_password_hash(
        &self,
        username: &h2h_domain::Username,
        password_hash: &str,
    ) -> Result<bool, StoreError>;

    /// Records a session under the SHA-256 of its token.
    async fn create_session(
        &self,
        token_sha256: &str,
        account_id: i64,
        created_at: &str,
        expires_at: &str,
    ) -> Result<(), StoreError>;

    /// The enabled account a session belongs to, if it has not expired by `now`.
    async fn session_account(
        &self,
        token_sha256: &str,
        now: &str,
    ) -> Result<Option<SessionAccount>, StoreError>;

    /// Ends a session.
    async fn end_session(&self, token_sha256: &str) -> Result<(), StoreError>;

    /// Records an API token under the SHA-256 of its secret; gives its id.
    async fn create_api_token(
        &self,
        account_id: i64,
        label: &str,
        token_sha256: &str,
        created_at: &str,
    ) -> Result<i64, StoreError>;

    /// An account's API tokens, oldest first.
    async fn api_tokens(&self, account_id: i64) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes one of an account's tokens at `at`; gives whether it was one of theirs and
    /// not already revoked.
    async fn revoke_api_token(
        &self,
        account_id: i64,
        token_id: i64,
        at: &str,
    ) -> Result<bool, StoreError>;

    /// The enabled account an unrevoked API token belongs to.
    async fn token_account(&self, token_sha256: &str) -> Result<Option<Account>, StoreError>;

    /// Publishes an area's outputs (under disclosure control) to everyone.
    async fn publish_area(&self, publication: &Publication) -> Result<(), StoreError>;

    /// Withdraws an area's publication; gives whether it was published.
    async fn unpublish_area(&self, area: &AreaCode) -> Result<bool, StoreError>;

    /// The published areas.
    async fn publications(&self) -> Result<Vec<Publication>, StoreError>;

    /// Appends an entry to the audit log; gives its id. Entries are never changed.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError>;

    /// Audit entries, newest first.
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;

    /// How many entries of `action` with `outcome` there are since `since`, about `subject`
    /// or from `remote` (either matches): what sign-in rate limiting counts.
    async fn count_audit_since(
        &self,
        action: &str,
        outcome: &str,
        subject: &str,
        remote: &str,
        since: &str,
    ) -> Result<i64, StoreError>;
}

/// Opens the store a URL names, creating an SQLite file if needed, and runs migrations.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if !url.contains("://") && !url.is_empty() {
        // A bare path is an SQLite file.
        Ok(Arc::new(
            SqliteStore::open(&format!("sqlite://{url}")).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
