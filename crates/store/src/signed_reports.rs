//! Signed reports as stored: a report frozen when its decision record was signed, with the
//! bytes of every format it was made in.

use h2h_domain::{AreaCode, DecisionRecord};

/// A report to freeze: what it is for, the signed decision and its files.
#[derive(Debug, Clone)]
pub struct NewSignedReport<'a> {
    /// The area it reports on.
    pub area_code: &'a AreaCode,
    /// The period's canonical code.
    pub period: &'a str,
    /// Its version for the area and period: one more than the latest signed (see
    /// [`Store::signed_reports`](crate::Store::signed_reports)); saving a version that
    /// exists already fails, so two signatures at once cannot share one.
    pub version: i64,
    /// Its title.
    pub title: &'a str,
    /// The decision signed with it.
    pub decision: &'a DecisionRecord,
    /// Each format (`html`, `xlsx`, `pdf`) with its bytes and their SHA-256 digest.
    pub files: &'a [(&'a str, Vec<u8>, String)],
    /// When it was recorded (RFC 3339).
    pub recorded_at: &'a str,
}

/// A stored signed report, without its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedReport {
    /// Its id.
    pub id: i64,
    /// The area it reports on.
    pub area_code: AreaCode,
    /// The period's canonical code.
    pub period: String,
    /// 1 for the first report signed for the area and period, then 2, 3...
    pub version: i64,
    /// Its title.
    pub title: String,
    /// The decision signed with it.
    pub decision: DecisionRecord,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Its files' formats with their SHA-256 digests, in format order.
    pub files: Vec<(String, String)>,
}

/// A stored report's row: id, area, period, version, title, decision (JSON), recorded at.
pub(crate) type SignedReportRow = (i64, String, String, i64, String, String, String);

/// The columns of [`SignedReportRow`].
pub(crate) const SIGNED_REPORT_COLUMNS: &str =
    "id, area_code, period, version, title, decision, recorded_at";

/// A signed report from its row and its files' formats and digests.
pub(crate) fn signed_report(
    (id, area_code, period, version, title, decision, recorded_at): SignedReportRow,
    files: Vec<(String, String)>,
) -> Result<SignedReport, crate::StoreError> {
    Ok(SignedReport {
        id,
        area_code: crate::rows::code(&area_code)?,
        period,
        version,
        title,
        decision: serde_json::from_str(&decision)
            .map_err(|e| crate::StoreError::Corrupt(format!("decision record {id}: {e}")))?,
        recorded_at,
        files,
    })
}
