//! The h2h domain: the outcomes framework, areas, periods and the rules that hold between them.
//!
//! Everything here is plain Rust with no I/O. Values are parsed at the edge into the types of
//! this crate (a [`Period`], an [`AreaCode`], a [`MetricId`]), so code that holds one never
//! re-validates it.

pub mod access;
pub mod analysis;
pub mod area;
pub mod catalogue;
pub mod decision;
pub mod geography;
pub mod indicators;
pub mod metric;
pub mod partnership;
pub mod period;
pub mod plan;
pub mod statistics;
pub mod values;

pub use access::{AccountError, Permission, Principal, Role, Username};
pub use area::{AgeBand, Area, AreaCode, AreaKind, AreaKindFilter, CustomArea};
pub use catalogue::{
    Catalogue, CatalogueError, Outcome, OutcomeId, OutcomeKind, Reference, Target, TargetBasis,
    TargetKind,
};
pub use decision::{DecisionForm, DecisionRecord};
pub use geography::{CodeChange, Geography, PopulationEstimate};
pub use metric::{Frequency, Metric, MetricId, Polarity, Tier, Unit};
pub use partnership::{
    Attendance, AttendanceRecord, Meeting, MeetingKind, MemberOrganisation, MemberType, Partnership,
};
pub use period::{Period, PeriodError, PeriodKind, PeriodProblem};
pub use plan::{
    ActionUpdate, Deadline, DeliveryStatus, Plan, PlanAction, StatusCounts, status_summary,
};
pub use values::{Breakdown, Observation, ValueKey, ValueStatus};
