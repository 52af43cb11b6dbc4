//! Analysis of a metric's figures over time and for publication: the recent-trend marker of the
//! public health profiles ([`trend`]), statistical process control as NHS "Making Data Count"
//! draws it ([`spc`]), progress against targets and ambitions ([`targets`]) and statistical
//! disclosure control for published outputs ([`disclosure`]).
//!
//! Everything here is pure computation on numbers, periods and the framework's vocabulary;
//! nothing reads or writes anything.

pub mod disclosure;
pub mod spc;
pub mod targets;
pub mod trend;

pub use disclosure::{
    Cell, DEFAULT_THRESHOLD, DerivedValue, SUPPRESSED_MARKER, Suppression, hide_derived,
    is_primary, suppress,
};
pub use spc::{
    Direction, EarlyWarning, SpcError, SpcOptions, SpcPoint, SpcRule, Variation, XmrChart, xmr,
    xmr_with,
};
pub use targets::{RULES, TargetAssessment, TargetFigure, TargetStatus, assess_target, progress};
pub use trend::{Trend, TrendMethod, TrendPoint, TrendResult, recent_trend};
