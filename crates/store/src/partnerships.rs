//! Partnerships and meetings as stored: what saving them did, and decoding their rows.

use h2h_domain::{Attendance, MeetingKind, MemberType};

use crate::StoreError;

/// What saving a partnership did. Nothing is written when nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SavedPartnership {
    /// Whether it is new or its Senior Responsible Owner, chair or generated mark changed.
    pub leadership_changed: bool,
    /// Member organisations added.
    pub members_added: u64,
    /// Member organisations whose type or written name changed.
    pub members_changed: u64,
}

impl SavedPartnership {
    /// Whether anything was written.
    pub fn changed(&self) -> bool {
        self.leadership_changed || self.members_added > 0 || self.members_changed > 0
    }
}

/// What saving meetings did. Nothing is written when nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SavedMeetings {
    /// Meetings not held before.
    pub meetings_added: u64,
    /// Attendance records new or changed.
    pub attendance_changed: u64,
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

pub(crate) fn member_type(text: &str) -> Result<MemberType, StoreError> {
    MemberType::parse(text).map_err(|e| corrupt("member type", e))
}

pub(crate) fn meeting_kind(text: &str) -> Result<MeetingKind, StoreError> {
    MeetingKind::parse(text).map_err(|e| corrupt("meeting kind", e))
}

pub(crate) fn attendance(text: &str) -> Result<Attendance, StoreError> {
    Attendance::parse(text).map_err(|e| corrupt("attendance", e))
}

pub(crate) fn date(text: &str) -> Result<time::Date, StoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format).map_err(|e| corrupt("meeting date", e))
}

/// The key an organisation is matched by within a partnership: its name in lower case,
/// with runs of spaces made one.
pub fn organisation_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
