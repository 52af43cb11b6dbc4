//! Partnerships, their meetings and the attendance analysis as the API, the pages and the
//! command line give them: one set of JSON shapes built from one set of data.

use std::collections::HashMap;

use h2h_domain::partnership::{
    self, AnalysedPartnership, NationalAttendance, Share, TypeAttendance,
};
use h2h_domain::{Area, AreaCode, Meeting, Partnership, Period};
use h2h_store::{Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::contract::iso;

/// Partnerships with their meetings, and the regions and names of areas they refer to.
#[derive(Debug, Default)]
pub struct PartnershipData {
    /// Every partnership, by code.
    pub partnerships: Vec<Partnership>,
    /// Every meeting, by partnership and date.
    pub meetings: Vec<Meeting>,
    regions: HashMap<AreaCode, AreaCode>,
    names: HashMap<AreaCode, String>,
}

impl PartnershipData {
    /// Reads partnerships and meetings from the store, with the areas they refer to.
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let areas = store.areas(None).await?;
        Ok(Self::new(
            store.partnerships().await?,
            store.meetings(None).await?,
            &areas,
        ))
    }

    /// Partnerships and meetings with the areas of the geography, to find each
    /// partnership's region and areas' names.
    pub fn new(partnerships: Vec<Partnership>, meetings: Vec<Meeting>, areas: &[Area]) -> Self {
        let parents: HashMap<&AreaCode, &[AreaCode]> = areas
            .iter()
            .map(|a| (&a.code, a.parents.as_slice()))
            .collect();
        let regions = partnerships
            .iter()
            .filter_map(|p| {
                let region = partnership::region_of(p, |a| parents.get(a).copied())?;
                Some((p.code.clone(), region))
            })
            .collect();
        let names = areas
            .iter()
            .filter(|a| {
                a.kind == h2h_domain::AreaKind::Region
                    || a.kind.is_upper_tier()
                    || a.kind.is_lower_tier()
                    || a.kind == h2h_domain::AreaKind::Cdp
            })
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        Self {
            partnerships,
            meetings,
            regions,
            names,
        }
    }

    /// The partnership with this code.
    pub fn partnership(&self, code: &AreaCode) -> Option<&Partnership> {
        self.partnerships.iter().find(|p| &p.code == code)
    }

    /// A partnership's region, from its local authorities.
    pub fn region(&self, code: &AreaCode) -> Option<&AreaCode> {
        self.regions.get(code)
    }

    /// An area's name, or its code when the name is not known.
    pub fn name<'a>(&'a self, code: &'a AreaCode) -> &'a str {
        self.names.get(code).map_or(code.as_str(), String::as_str)
    }

    /// A partnership's meetings, in date order.
    pub fn meetings_of<'a>(&'a self, code: &'a AreaCode) -> impl Iterator<Item = &'a Meeting> {
        self.meetings.iter().filter(move |m| &m.partnership == code)
    }

    /// The window to show when none is asked for: the latest financial year with a main
    /// meeting (of one partnership, or of any).
    pub fn default_window(&self, code: Option<&AreaCode>) -> Option<Period> {
        partnership::latest_year_with_main_meetings(
            self.meetings
                .iter()
                .filter(|m| code.is_none_or(|c| &m.partnership == c)),
        )
    }

    /// The regions partnerships are in, by code.
    pub fn regions(&self) -> Vec<&AreaCode> {
        let mut regions: Vec<&AreaCode> = self.regions.values().collect();
        regions.sort();
        regions.dedup();
        regions
    }

    /// The national analysis for `window`, of every partnership or of one region's.
    pub fn analysis(&self, window: Period, region: Option<&AreaCode>) -> NationalAttendance {
        let analysed: Vec<AnalysedPartnership<'_>> = self
            .partnerships
            .iter()
            .map(|p| AnalysedPartnership {
                partnership: p,
                region: self.regions.get(&p.code),
            })
            .filter(|a| region.is_none() || a.region == region)
            .collect();
        partnership::national_attendance(&analysed, &self.meetings, window)
    }
}

/// Reads a financial year as the API and command line take it (`2024/25`, `2024-25`, any
/// form of a financial year).
pub fn read_year(text: &str) -> Result<Period, String> {
    let period = h2h_domain::Period::parse(text).map_err(|e| e.to_string())?;
    if period.kind() != h2h_domain::PeriodKind::FinancialYear {
        return Err(format!(
            "{text:?} is not a financial year: expected one such as 2024/25"
        ));
    }
    Ok(period)
}

/// A partnership as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnershipSummaryJson {
    /// Its area code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The region of its local authorities, if they share one.
    pub region_code: Option<String>,
    /// That region's name.
    pub region_name: Option<String>,
    /// Its local authorities' codes.
    pub local_authorities: Vec<String>,
    /// The Senior Responsible Owner.
    pub sro: String,
    /// Who chairs its main meetings.
    pub chair: String,
    /// How many member organisations it has.
    pub members: usize,
    /// How many meetings are recorded.
    pub meetings: usize,
    /// Whether its members and meetings were generated for a demonstration.
    pub generated: bool,
}

impl PartnershipSummaryJson {
    /// The summary of `partnership`.
    pub fn new(data: &PartnershipData, partnership: &Partnership) -> Self {
        let region = data.region(&partnership.code);
        Self {
            code: partnership.code.to_string(),
            name: partnership.name.clone(),
            region_code: region.map(ToString::to_string),
            region_name: region.map(|r| data.name(r).to_owned()),
            local_authorities: partnership
                .local_authorities
                .iter()
                .map(ToString::to_string)
                .collect(),
            sro: partnership.sro.clone(),
            chair: partnership.chair.clone(),
            members: partnership.members.len(),
            meetings: data.meetings_of(&partnership.code).count(),
            generated: partnership.generated,
        }
    }
}

/// A member organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberJson {
    /// Its name.
    pub organisation: String,
    /// Its type's code (`police`, `pcc`, `la_community_safety`...).
    pub member_type: String,
    /// Its type as a person reads it.
    pub member_type_label: String,
}

/// A member's record at main meetings in the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberAttendanceJson {
    /// The organisation.
    pub organisation: String,
    /// Its type's code.
    pub member_type: String,
    /// Main meetings held in the window.
    pub held: u32,
    /// Attended.
    pub attended: u32,
    /// Sent apologies.
    pub apologies: u32,
    /// Recorded absent.
    pub absent: u32,
    /// Whether it attended at least half of them (the analysis's rule).
    pub attends_regularly: bool,
}

/// One organisation's attendance at a meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceJson {
    /// The organisation.
    pub organisation: String,
    /// `attended`, `apologies` or `absent`.
    pub attendance: String,
}

/// A meeting with its attendance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingJson {
    /// When it met (`YYYY-MM-DD`).
    pub date: String,
    /// `main` or `sub_group`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Each organisation recorded, in member order.
    pub attendance: Vec<AttendanceJson>,
}

/// A partnership with its members, their attendance record in a window and its meetings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnershipJson {
    /// The partnership.
    pub partnership: PartnershipSummaryJson,
    /// Its members, in the order given.
    pub members: Vec<MemberJson>,
    /// The financial year of the attendance record (`2024/25`), or null with no main meeting.
    pub window: Option<String>,
    /// The window's first day.
    pub window_from: Option<String>,
    /// The window's last day.
    pub window_to: Option<String>,
    /// Each member's attendance at main meetings in the window.
    pub attendance: Vec<MemberAttendanceJson>,
    /// Every meeting recorded, in date order.
    pub meetings: Vec<MeetingJson>,
}

impl PartnershipJson {
    /// The partnership's detail, its attendance record in `window` (default: its latest year
    /// with a main meeting).
    pub fn new(data: &PartnershipData, partnership: &Partnership, window: Option<Period>) -> Self {
        let window = window.or_else(|| data.default_window(Some(&partnership.code)));
        let own: Vec<Meeting> = data.meetings_of(&partnership.code).cloned().collect();
        let attendance = window
            .map(|w| partnership::attendance_record(partnership, &own, w))
            .unwrap_or_default();
        Self {
            partnership: PartnershipSummaryJson::new(data, partnership),
            members: partnership
                .members
                .iter()
                .map(|m| MemberJson {
                    organisation: m.name.clone(),
                    member_type: m.member_type.code().to_owned(),
                    member_type_label: m.member_type.label().to_owned(),
                })
                .collect(),
            window: window.map(|w| w.label()),
            window_from: window.map(|w| iso(w.start())),
            window_to: window.map(|w| iso(w.end())),
            attendance: attendance
                .iter()
                .map(|r| MemberAttendanceJson {
                    organisation: r.organisation.clone(),
                    member_type: r.member_type.code().to_owned(),
                    held: r.held,
                    attended: r.attended,
                    apologies: r.apologies,
                    absent: r.absent,
                    attends_regularly: r.attends_regularly(),
                })
                .collect(),
            meetings: own
                .iter()
                .map(|m| MeetingJson {
                    date: iso(m.date),
                    kind: m.kind.code().to_owned(),
                    title: m.title.clone(),
                    attendance: m
                        .attendance
                        .iter()
                        .map(|a| AttendanceJson {
                            organisation: a.organisation.clone(),
                            attendance: a.attendance.code().to_owned(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A share of partnerships in one region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionShareJson {
    /// The region's code.
    pub region_code: String,
    /// Its name.
    pub region_name: String,
    /// Partnerships there whose main meetings the type attends.
    pub count: u32,
    /// Partnerships there analysed.
    pub of: u32,
    /// The share as a whole percentage.
    pub percent: Option<u32>,
}

/// One member type across the partnerships analysed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeAttendanceJson {
    /// The type's code.
    pub member_type: String,
    /// The type as a person reads it.
    pub label: String,
    /// Partnerships whose main meetings the type attends.
    pub count: u32,
    /// Partnerships analysed.
    pub of: u32,
    /// The share as a whole percentage.
    pub percent: Option<u32>,
    /// The finding in words: "96% of partnerships have police force attendance at main
    /// meetings".
    pub headline: Option<String>,
    /// The regional finding in words, when some region has every partnership attending.
    pub regional_headline: Option<String>,
    /// The share in each region.
    pub regions: Vec<RegionShareJson>,
}

/// The national attendance analysis: for each member type, the share of partnerships whose
/// main meetings it attends, overall and by region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceAnalysisJson {
    /// The rule applied, in words.
    pub rule: String,
    /// The financial year analysed (`2024/25`), or null when no meeting is held.
    pub window: Option<String>,
    /// The window's first day.
    pub window_from: Option<String>,
    /// The window's last day.
    pub window_to: Option<String>,
    /// The region the analysis is limited to, if it is.
    pub region_code: Option<String>,
    /// Partnerships with a main meeting in the window: the shares' denominator.
    pub partnerships_analysed: u32,
    /// Partnerships left out for having no main meeting in the window.
    pub without_main_meetings: Vec<String>,
    /// How many of the partnerships analysed hold data generated for a demonstration.
    pub generated_partnerships: u32,
    /// Among local authority teams, the most represented, in words.
    pub local_authority_headline: Option<String>,
    /// Every member type, in vocabulary order.
    pub types: Vec<TypeAttendanceJson>,
}

/// The rule, as the analysis states it.
pub const RULE: &str = "A partnership counts for a member type when at least one of its member \
     organisations of that type attended at least half of the partnership's main meetings in the \
     financial year. Sub-group meetings do not count. Partnerships with no main meeting in the \
     year are left out of every share and counted separately.";

impl AttendanceAnalysisJson {
    /// The analysis for `window` (default: the latest year with a main meeting), of every
    /// partnership or of one region's.
    pub fn new(data: &PartnershipData, window: Option<Period>, region: Option<&AreaCode>) -> Self {
        let window = window.or_else(|| data.default_window(None));
        let Some(window) = window else {
            return Self {
                rule: RULE.to_owned(),
                window: None,
                window_from: None,
                window_to: None,
                region_code: region.map(ToString::to_string),
                partnerships_analysed: 0,
                without_main_meetings: data
                    .partnerships
                    .iter()
                    .map(|p| p.code.to_string())
                    .collect(),
                generated_partnerships: 0,
                local_authority_headline: None,
                types: Vec::new(),
            };
        };
        let analysis = data.analysis(window, region);
        let left_out: std::collections::HashSet<&AreaCode> =
            analysis.without_main_meetings.iter().collect();
        let generated = data
            .partnerships
            .iter()
            .filter(|p| p.generated && !left_out.contains(&p.code))
            .filter(|p| region.is_none() || data.region(&p.code) == region)
            .count();
        Self {
            rule: RULE.to_owned(),
            window: Some(window.label()),
            window_from: Some(iso(window.start())),
            window_to: Some(iso(window.end())),
            region_code: region.map(ToString::to_string),
            partnerships_analysed: analysis.partnerships_analysed,
            without_main_meetings: analysis
                .without_main_meetings
                .iter()
                .map(ToString::to_string)
                .collect(),
            generated_partnerships: u32::try_from(generated).unwrap_or(u32::MAX),
            local_authority_headline: local_authority_headline(&analysis.types),
            types: analysis.types.iter().map(|t| type_json(data, t)).collect(),
        }
    }
}

fn type_json(data: &PartnershipData, entry: &TypeAttendance) -> TypeAttendanceJson {
    TypeAttendanceJson {
        member_type: entry.member_type.code().to_owned(),
        label: entry.member_type.label().to_owned(),
        count: entry.overall.count,
        of: entry.overall.of,
        percent: entry.overall.percent(),
        headline: partnership::headline(entry.member_type, entry.overall),
        regional_headline: partnership::regional_headline(entry, |c| data.name(c).to_owned()),
        regions: entry
            .by_region
            .iter()
            .map(|(code, share)| RegionShareJson {
                region_code: code.to_string(),
                region_name: data.name(code).to_owned(),
                count: share.count,
                of: share.of,
                percent: share.percent(),
            })
            .collect(),
    }
}

/// "Among local authority teams, public health (100%) and community safety (92%) are the
/// most represented at main meetings": the two local authority types with the largest
/// shares.
fn local_authority_headline(types: &[TypeAttendance]) -> Option<String> {
    let mut teams: Vec<(&TypeAttendance, Share)> = types
        .iter()
        .filter(|t| t.member_type.is_local_authority())
        .map(|t| (t, t.overall))
        .collect();
    teams.sort_by(|a, b| {
        b.1.fraction()
            .partial_cmp(&a.1.fraction())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let [first, second, ..] = teams.as_slice() else {
        return None;
    };
    let words = |t: &TypeAttendance, s: Share| -> Option<String> {
        Some(format!(
            "{} ({}%)",
            t.member_type
                .phrase()
                .trim_start_matches("local authority "),
            s.percent()?
        ))
    };
    Some(format!(
        "Among local authority teams, {} and {} are the most represented at main meetings",
        words(first.0, first.1)?,
        words(second.0, second.1)?
    ))
}
