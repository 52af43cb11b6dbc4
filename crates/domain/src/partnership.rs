//! Combating Drugs Partnerships and their meetings (`../shared/spec/plans.md`, "Partnerships
//! and meetings"): a partnership is an area of kind `cdp` grouping local authorities, with a
//! Senior Responsible Owner, a chair and member organisations of the types the national
//! attendance analysis counts. Its meetings record who attended.
//!
//! Two computations follow: each partnership's own attendance record (per member, main
//! meetings attended of those held in a window), and the national analysis (per member type,
//! the share of partnerships whose main meetings that type attends, overall and by region).
//!
//! # The attendance rule
//! A partnership **counts for a member type** in a window when at least one of its member
//! organisations of that type attended at least half of the partnership's main meetings held
//! in the window. Sub-group meetings do not count. A partnership that held no main meeting in
//! the window is left out of every share and counted separately, so a partnership that has
//! not reported meetings does not read as one that nobody attends. A partnership with no
//! member of a type is in that type's denominator and does not count for it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::area::AreaCode;
use crate::metric::{VocabularyError, vocabulary};
use crate::period::Period;

vocabulary!(
    /// The type of a partnership's member organisation, as the national attendance analysis
    /// counts them.
    MemberType, "member type" {
        /// A police force.
        Police => "police",
        /// A police and crime commissioner (or the mayor's office that holds the role).
        Pcc => "pcc",
        /// The Probation Service.
        Probation => "probation",
        /// A prison or other part of the secure estate.
        Prison => "prison",
        /// A youth justice service.
        YouthJustice => "youth_justice",
        /// Local authority public health.
        LaPublicHealth => "la_public_health",
        /// Local authority community safety.
        LaCommunitySafety => "la_community_safety",
        /// Local authority children's services.
        LaChildren => "la_children",
        /// Local authority housing.
        LaHousing => "la_housing",
        /// An NHS integrated care board.
        NhsIcb => "nhs_icb",
        /// NHS mental health services.
        NhsMentalHealth => "nhs_mental_health",
        /// A drug and alcohol treatment provider.
        TreatmentProvider => "treatment_provider",
        /// The Department for Work and Pensions or Jobcentre Plus.
        DwpJobcentre => "dwp_jobcentre",
        /// People with lived experience of drug use, or their organisations.
        LivedExperience => "lived_experience",
        /// The voluntary and community sector.
        VoluntarySector => "voluntary_sector",
        /// Any other organisation.
        Other => "other",
    }
);

impl MemberType {
    /// Reads a member type as files write it: a code, in any case, with spaces or hyphens
    /// for underscores (`LA public health`), or one of the common names `PCC`,
    /// `secure estate`, `prisons`, `DWP`, `Jobcentre Plus`, `ICB`, `youth offending`.
    pub fn read(text: &str) -> Result<Self, VocabularyError> {
        let wanted = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let known = match wanted.as_str() {
            "secure_estate" | "prisons" | "hmpps_prisons" => Self::Prison,
            "dwp" | "jobcentre_plus" | "jobcentre" => Self::DwpJobcentre,
            "icb" => Self::NhsIcb,
            "youth_offending" | "yot" => Self::YouthJustice,
            "police_and_crime_commissioner" => Self::Pcc,
            _ => {
                return Self::parse(&wanted).map_err(|mut e| {
                    e.value = text.to_owned();
                    e
                });
            }
        };
        Ok(known)
    }

    /// The type as a person reads it, for headings and tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Police => "Police force",
            Self::Pcc => "Police and crime commissioner",
            Self::Probation => "Probation Service",
            Self::Prison => "Prison (secure estate)",
            Self::YouthJustice => "Youth justice service",
            Self::LaPublicHealth => "Local authority public health",
            Self::LaCommunitySafety => "Local authority community safety",
            Self::LaChildren => "Local authority children's services",
            Self::LaHousing => "Local authority housing",
            Self::NhsIcb => "NHS integrated care board",
            Self::NhsMentalHealth => "NHS mental health services",
            Self::TreatmentProvider => "Drug and alcohol treatment provider",
            Self::DwpJobcentre => "DWP and Jobcentre Plus",
            Self::LivedExperience => "Lived experience",
            Self::VoluntarySector => "Voluntary and community sector",
            Self::Other => "Other organisation",
        }
    }

    /// The type inside a sentence: "96% of partnerships have **police** attendance".
    pub fn phrase(self) -> &'static str {
        match self {
            Self::Police => "police force",
            Self::Pcc => "police and crime commissioner",
            Self::Probation => "probation",
            Self::Prison => "secure estate",
            Self::YouthJustice => "youth justice",
            Self::LaPublicHealth => "local authority public health",
            Self::LaCommunitySafety => "local authority community safety",
            Self::LaChildren => "local authority children's services",
            Self::LaHousing => "local authority housing",
            Self::NhsIcb => "integrated care board",
            Self::NhsMentalHealth => "NHS mental health",
            Self::TreatmentProvider => "treatment provider",
            Self::DwpJobcentre => "DWP and Jobcentre Plus",
            Self::LivedExperience => "lived experience",
            Self::VoluntarySector => "voluntary sector",
            Self::Other => "other organisations'",
        }
    }

    /// Whether the type is a part of a local authority.
    pub fn is_local_authority(self) -> bool {
        matches!(
            self,
            Self::LaPublicHealth | Self::LaCommunitySafety | Self::LaChildren | Self::LaHousing
        )
    }
}

vocabulary!(
    /// The kind of a partnership meeting: only main meetings count in the attendance analysis.
    MeetingKind, "meeting kind" {
        /// A main meeting of the partnership (its board).
        Main => "main",
        /// A meeting of one of its sub-groups.
        SubGroup => "sub_group",
    }
);

impl MeetingKind {
    /// Reads a kind as files write it: `main`, `sub_group`, `sub-group`, `subgroup`,
    /// `board` (a main meeting), any case.
    pub fn read(text: &str) -> Result<Self, VocabularyError> {
        let wanted = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match wanted.as_str() {
            "board" | "main_meeting" => Ok(Self::Main),
            "subgroup" | "sub_group_meeting" => Ok(Self::SubGroup),
            _ => Self::parse(&wanted).map_err(|mut e| {
                e.value = text.to_owned();
                e
            }),
        }
    }

    /// The kind as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Main => "Main meeting",
            Self::SubGroup => "Sub-group",
        }
    }
}

vocabulary!(
    /// Whether a member organisation was at a meeting.
    Attendance, "attendance" {
        /// Someone from the organisation attended.
        Attended => "attended",
        /// The organisation sent apologies.
        Apologies => "apologies",
        /// Nobody attended and no apologies were sent.
        Absent => "absent",
    }
);

impl Attendance {
    /// Reads attendance as minutes record it: a code, or `present`, `yes`, `y` (attended),
    /// `sent apologies`, `apols` (apologies), `no`, `n`, `did not attend`, `DNA` (absent).
    pub fn read(text: &str) -> Result<Self, VocabularyError> {
        let wanted = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match wanted.as_str() {
            "present" | "yes" | "y" => Ok(Self::Attended),
            "sent_apologies" | "apols" | "apology" => Ok(Self::Apologies),
            "no" | "n" | "did_not_attend" | "dna" => Ok(Self::Absent),
            _ => Self::parse(&wanted).map_err(|mut e| {
                e.value = text.to_owned();
                e.expected
                    .push_str(" (or present, sent apologies, did not attend)");
                e
            }),
        }
    }

    /// The attendance in words, as pages show it (never by colour alone).
    pub fn label(self) -> &'static str {
        match self {
            Self::Attended => "Attended",
            Self::Apologies => "Sent apologies",
            Self::Absent => "Absent",
        }
    }
}

/// A member organisation of a partnership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOrganisation {
    /// Its name, unique within the partnership (matched without regard to case).
    pub name: String,
    /// Its type.
    pub member_type: MemberType,
}

/// A Combating Drugs Partnership: an area of kind `cdp` with its leadership and members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partnership {
    /// The partnership's area code.
    pub code: AreaCode,
    /// Its name.
    pub name: String,
    /// The local authorities it covers, on their current codes.
    pub local_authorities: Vec<AreaCode>,
    /// The Senior Responsible Owner, accountable for delivery.
    pub sro: String,
    /// Who chairs its main meetings.
    pub chair: String,
    /// Its member organisations, in the order given.
    pub members: Vec<MemberOrganisation>,
    /// Whether its members and meetings were generated for a demonstration rather than
    /// recorded: pages say so wherever they show them.
    pub generated: bool,
}

impl Partnership {
    /// The member called `name` (without regard to case or surrounding spaces).
    pub fn member(&self, name: &str) -> Option<&MemberOrganisation> {
        let name = name.trim();
        self.members
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }
}

/// One organisation's attendance at one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRecord {
    /// The member organisation, named as in the partnership's members.
    pub organisation: String,
    /// Whether it attended.
    pub attendance: Attendance,
}

/// A meeting of a partnership with who attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The partnership's area code.
    pub partnership: AreaCode,
    /// When it met.
    pub date: Date,
    /// Main meeting or sub-group.
    pub kind: MeetingKind,
    /// Its title (a sub-group's name; "Main partnership meeting" by default).
    pub title: String,
    /// Attendance per member organisation; an organisation not listed was not recorded.
    pub attendance: Vec<AttendanceRecord>,
}

impl Meeting {
    /// The title a meeting of `kind` has when none is given.
    pub fn default_title(kind: MeetingKind) -> &'static str {
        match kind {
            MeetingKind::Main => "Main partnership meeting",
            MeetingKind::SubGroup => "Sub-group",
        }
    }

    /// The recorded attendance of `organisation` (without regard to case).
    pub fn attendance_of(&self, organisation: &str) -> Option<Attendance> {
        self.attendance
            .iter()
            .find(|a| a.organisation.eq_ignore_ascii_case(organisation))
            .map(|a| a.attendance)
    }
}

/// The latest financial year in which any of `meetings` is a main meeting.
pub fn latest_year_with_main_meetings<'a>(
    meetings: impl IntoIterator<Item = &'a Meeting>,
) -> Option<Period> {
    meetings
        .into_iter()
        .filter(|m| m.kind == MeetingKind::Main)
        .map(|m| m.date)
        .max()
        .and_then(Period::financial_year_containing)
}

/// One member's record at main meetings in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAttendance {
    /// The organisation.
    pub organisation: String,
    /// Its type.
    pub member_type: MemberType,
    /// Main meetings the partnership held in the window.
    pub held: u32,
    /// Of those, how many it attended.
    pub attended: u32,
    /// How many it sent apologies to.
    pub apologies: u32,
    /// How many it was recorded absent from.
    pub absent: u32,
}

impl MemberAttendance {
    /// Whether it attended at least half of the main meetings held (the analysis's rule).
    pub fn attends_regularly(&self) -> bool {
        self.held > 0 && 2 * self.attended >= self.held
    }
}

/// Each member's attendance at the partnership's main meetings in `window`, in member order.
/// `meetings` may include other partnerships' and sub-group meetings; only this
/// partnership's main meetings in the window are counted.
pub fn attendance_record(
    partnership: &Partnership,
    meetings: &[Meeting],
    window: Period,
) -> Vec<MemberAttendance> {
    let main: Vec<&Meeting> = main_meetings(partnership, meetings, window).collect();
    let held = u32::try_from(main.len()).unwrap_or(u32::MAX);
    partnership
        .members
        .iter()
        .map(|member| {
            let mut record = MemberAttendance {
                organisation: member.name.clone(),
                member_type: member.member_type,
                held,
                attended: 0,
                apologies: 0,
                absent: 0,
            };
            for meeting in &main {
                match meeting.attendance_of(&member.name) {
                    Some(Attendance::Attended) => record.attended += 1,
                    Some(Attendance::Apologies) => record.apologies += 1,
                    Some(Attendance::Absent) => record.absent += 1,
                    None => {}
                }
            }
            record
        })
        .collect()
}

fn main_meetings<'a>(
    partnership: &'a Partnership,
    meetings: &'a [Meeting],
    window: Period,
) -> impl Iterator<Item = &'a Meeting> {
    meetings.iter().filter(move |m| {
        m.partnership == partnership.code && m.kind == MeetingKind::Main && window.includes(m.date)
    })
}

/// The member types a partnership counts for in `window` under the module's rule, or `None`
/// when it held no main meeting in the window.
pub fn types_attending(
    partnership: &Partnership,
    meetings: &[Meeting],
    window: Period,
) -> Option<Vec<MemberType>> {
    main_meetings(partnership, meetings, window).next()?;
    let mut types: Vec<MemberType> = attendance_record(partnership, meetings, window)
        .iter()
        .filter(|r| r.attends_regularly())
        .map(|r| r.member_type)
        .collect();
    types.sort_unstable();
    types.dedup();
    Some(types)
}

/// A share of partnerships: how many count, of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Share {
    /// Partnerships that count.
    pub count: u32,
    /// Partnerships considered (those with a main meeting in the window).
    pub of: u32,
}

impl Share {
    /// The share as a fraction from 0 to 1, or `None` of no partnerships.
    pub fn fraction(self) -> Option<f64> {
        (self.of > 0).then(|| f64::from(self.count) / f64::from(self.of))
    }

    /// The share as a whole percentage, rounded half up, or `None` of no partnerships.
    pub fn percent(self) -> Option<u32> {
        // Integer arithmetic, so 50.5% rounds the same on every platform.
        (self.of > 0).then(|| (200 * self.count + self.of) / (2 * self.of))
    }
}

/// A partnership as the national analysis sees it: its meetings and the region it is in.
#[derive(Debug, Clone, Copy)]
pub struct AnalysedPartnership<'a> {
    /// The partnership.
    pub partnership: &'a Partnership,
    /// Its region: the region of its member local authorities (see [`region_of`]).
    pub region: Option<&'a AreaCode>,
}

/// One member type across the country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeAttendance {
    /// The member type.
    pub member_type: MemberType,
    /// The share of all partnerships that count for it.
    pub overall: Share,
    /// The share in each region, by region code.
    pub by_region: BTreeMap<AreaCode, Share>,
}

/// The national attendance analysis for a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalAttendance {
    /// The window analysed.
    pub window: Period,
    /// Partnerships with at least one main meeting in the window (the shares' denominator).
    pub partnerships_analysed: u32,
    /// Partnerships left out because they held no main meeting in the window.
    pub without_main_meetings: Vec<AreaCode>,
    /// Partnerships analysed in each region.
    pub partnerships_by_region: BTreeMap<AreaCode, u32>,
    /// Every member type, in vocabulary order.
    pub types: Vec<TypeAttendance>,
}

/// The share of partnerships whose main meetings each member type attends in `window`,
/// overall and by region, under the module's rule. Partnerships without a region count in
/// the overall figures only.
pub fn national_attendance(
    partnerships: &[AnalysedPartnership<'_>],
    meetings: &[Meeting],
    window: Period,
) -> NationalAttendance {
    let mut analysis = NationalAttendance {
        window,
        partnerships_analysed: 0,
        without_main_meetings: Vec::new(),
        partnerships_by_region: BTreeMap::new(),
        types: MemberType::ALL
            .iter()
            .map(|&member_type| TypeAttendance {
                member_type,
                overall: Share::default(),
                by_region: BTreeMap::new(),
            })
            .collect(),
    };
    for analysed in partnerships {
        let Some(attending) = types_attending(analysed.partnership, meetings, window) else {
            analysis
                .without_main_meetings
                .push(analysed.partnership.code.clone());
            continue;
        };
        analysis.partnerships_analysed += 1;
        if let Some(region) = analysed.region {
            *analysis
                .partnerships_by_region
                .entry(region.clone())
                .or_default() += 1;
        }
        for entry in &mut analysis.types {
            let counts = u32::from(attending.contains(&entry.member_type));
            entry.overall.of += 1;
            entry.overall.count += counts;
            if let Some(region) = analysed.region {
                let share = entry.by_region.entry(region.clone()).or_default();
                share.of += 1;
                share.count += counts;
            }
        }
    }
    analysis
}

/// The region a partnership is in: the one region all its local authorities' parents name
/// (codes of entity `E12`), or `None` when they name none or several. `parents_of` gives an
/// area's parents.
pub fn region_of<'a>(
    partnership: &Partnership,
    parents_of: impl Fn(&AreaCode) -> Option<&'a [AreaCode]>,
) -> Option<AreaCode> {
    let mut region: Option<&AreaCode> = None;
    for authority in &partnership.local_authorities {
        let found = parents_of(authority)?
            .iter()
            .find(|p| p.gss_entity() == Some("E12"))?;
        match region {
            Some(existing) if existing != found => return None,
            _ => region = Some(found),
        }
    }
    region.cloned()
}

/// The headline sentence for a type, as the national analysis words it:
/// "96% of partnerships have police force attendance at main meetings".
pub fn headline(member_type: MemberType, share: Share) -> Option<String> {
    let percent = share.percent()?;
    let who = match (percent, share.count) {
        (_, count) if count == share.of => String::from("All partnerships have"),
        (_, 0) => String::from("No partnership has"),
        (percent, _) => format!("{percent}% of partnerships have"),
    };
    Some(format!(
        "{who} {} attendance at main meetings",
        member_type.phrase()
    ))
}

/// The regional sentence for a type, as the national analysis words it: the regions where
/// every partnership counts, compared with the lowest region ("All partnerships in the North
/// West, South West and West Midlands have police and crime commissioner attendance,
/// compared to 20% of London partnerships"). `name` gives a region's name. `None` when no
/// region has every partnership counting, or every region does.
pub fn regional_headline(
    entry: &TypeAttendance,
    name: impl Fn(&AreaCode) -> String,
) -> Option<String> {
    let full: Vec<String> = entry
        .by_region
        .iter()
        .filter(|(_, s)| s.of > 0 && s.count == s.of)
        .map(|(code, _)| name(code))
        .collect();
    let (lowest_code, lowest) =
        entry
            .by_region
            .iter()
            .filter(|(_, s)| s.of > 0)
            .min_by(|a, b| {
                let (fa, fb) = (a.1.fraction(), b.1.fraction());
                fa.partial_cmp(&fb).unwrap_or(std::cmp::Ordering::Equal)
            })?;
    if full.is_empty() || lowest.count == lowest.of {
        return None;
    }
    Some(format!(
        "All partnerships in {} have {} attendance, compared to {}% of {} partnerships",
        join_names(&full.iter().map(String::as_str).collect::<Vec<_>>()),
        entry.member_type.phrase(),
        lowest.percent()?,
        name(lowest_code)
    ))
}

/// `a`, `a and b`, `a, b and c`, after "the" when the first name takes it (the North
/// West, South West and West Midlands; London and the South East).
fn join_names(names: &[&str]) -> String {
    let joined = match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let takes_the = names.first().is_some_and(|first| {
        ["North", "South", "East", "West"]
            .iter()
            .any(|p| first.starts_with(p))
    });
    if takes_the {
        format!("the {joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(text: &str) -> AreaCode {
        AreaCode::parse(text).unwrap()
    }

    fn partnership(id: &str, members: &[(&str, MemberType)]) -> Partnership {
        Partnership {
            code: code(id),
            name: format!("Partnership {id}"),
            local_authorities: vec![],
            sro: "Director of Public Health".into(),
            chair: "Police and Crime Commissioner".into(),
            members: members
                .iter()
                .map(|(name, member_type)| MemberOrganisation {
                    name: (*name).to_owned(),
                    member_type: *member_type,
                })
                .collect(),
            generated: false,
        }
    }

    fn meeting(
        id: &str,
        date: Date,
        kind: MeetingKind,
        attended: &[(&str, Attendance)],
    ) -> Meeting {
        Meeting {
            partnership: code(id),
            date,
            kind,
            title: Meeting::default_title(kind).into(),
            attendance: attended
                .iter()
                .map(|(o, a)| AttendanceRecord {
                    organisation: (*o).to_owned(),
                    attendance: *a,
                })
                .collect(),
        }
    }

    use Attendance::{Absent, Apologies, Attended};
    use MeetingKind::{Main, SubGroup};

    #[test]
    fn vocabularies_are_read_in_the_forms_files_use() {
        assert_eq!(
            MemberType::read("LA public health"),
            Ok(MemberType::LaPublicHealth)
        );
        assert_eq!(MemberType::read("PCC"), Ok(MemberType::Pcc));
        assert_eq!(MemberType::read("Secure estate"), Ok(MemberType::Prison));
        assert_eq!(
            MemberType::read("dwp_jobcentre"),
            Ok(MemberType::DwpJobcentre)
        );
        let error = MemberType::read("council").unwrap_err().to_string();
        assert!(
            error.contains("\"council\"") && error.contains("la_housing"),
            "{error}"
        );
        assert_eq!(MeetingKind::read("Sub-group"), Ok(SubGroup));
        assert_eq!(MeetingKind::read("MAIN"), Ok(Main));
        assert_eq!(Attendance::read("Sent apologies"), Ok(Apologies));
        assert_eq!(Attendance::read("present"), Ok(Attended));
        assert_eq!(Attendance::read("DNA"), Ok(Absent));
        assert!(Attendance::read("late").is_err());
        assert_eq!(MemberType::ALL.len(), 16);
    }

    #[test]
    fn a_members_record_counts_main_meetings_in_the_window_only() {
        let p = partnership(
            "CDP-A",
            &[
                ("Force", MemberType::Police),
                ("Prison", MemberType::Prison),
            ],
        );
        let meetings = [
            meeting(
                "CDP-A",
                date!(2024 - 05 - 01),
                Main,
                &[("Force", Attended), ("prison", Apologies)],
            ),
            meeting(
                "CDP-A",
                date!(2024 - 09 - 01),
                Main,
                &[("Force", Attended), ("Prison", Absent)],
            ),
            meeting(
                "CDP-A",
                date!(2024 - 10 - 01),
                SubGroup,
                &[("Prison", Attended)],
            ),
            meeting(
                "CDP-A",
                date!(2025 - 04 - 01),
                Main,
                &[("Prison", Attended)],
            ),
            meeting(
                "CDP-B",
                date!(2024 - 06 - 01),
                Main,
                &[("Prison", Attended)],
            ),
        ];
        let window = Period::financial_year(2024).unwrap();
        let record = attendance_record(&p, &meetings, window);
        assert_eq!((record[0].held, record[0].attended), (2, 2));
        assert_eq!(
            (record[1].attended, record[1].apologies, record[1].absent),
            (0, 1, 1)
        );
        assert!(record[0].attends_regularly() && !record[1].attends_regularly());
        assert_eq!(window.label(), "2024/25");
    }

    #[test]
    fn half_of_main_meetings_is_enough_and_none_held_is_left_out() {
        let p = partnership(
            "CDP-A",
            &[
                ("Force", MemberType::Police),
                ("Council", MemberType::LaCommunitySafety),
            ],
        );
        let q = partnership("CDP-B", &[("Force B", MemberType::Police)]);
        let r = partnership("CDP-C", &[("Force C", MemberType::Police)]);
        let meetings = [
            meeting(
                "CDP-A",
                date!(2024 - 05 - 01),
                Main,
                &[("Force", Attended), ("Council", Attended)],
            ),
            meeting(
                "CDP-A",
                date!(2024 - 08 - 01),
                Main,
                &[("Force", Apologies), ("Council", Attended)],
            ),
            meeting("CDP-A", date!(2024 - 11 - 01), Main, &[("Force", Attended)]),
            meeting("CDP-A", date!(2025 - 02 - 01), Main, &[("Force", Absent)]),
            meeting(
                "CDP-B",
                date!(2024 - 05 - 01),
                Main,
                &[("Force B", Apologies)],
            ),
            meeting(
                "CDP-B",
                date!(2024 - 05 - 02),
                SubGroup,
                &[("Force B", Attended)],
            ),
            // CDP-C met only before the window.
            meeting(
                "CDP-C",
                date!(2023 - 05 - 01),
                Main,
                &[("Force C", Attended)],
            ),
        ];
        let (north, london) = (code("E12000002"), code("E12000007"));
        let partnerships = [
            AnalysedPartnership {
                partnership: &p,
                region: Some(&north),
            },
            AnalysedPartnership {
                partnership: &q,
                region: Some(&london),
            },
            AnalysedPartnership {
                partnership: &r,
                region: Some(&london),
            },
        ];
        let window = Period::financial_year(2024).unwrap();
        let analysis = national_attendance(&partnerships, &meetings, window);
        assert_eq!(analysis.partnerships_analysed, 2);
        assert_eq!(analysis.without_main_meetings, vec![code("CDP-C")]);
        let police = &analysis.types[0];
        assert_eq!(police.member_type, MemberType::Police);
        assert_eq!(police.overall, Share { count: 1, of: 2 });
        assert_eq!(police.by_region[&north], Share { count: 1, of: 1 });
        assert_eq!(police.by_region[&london], Share { count: 0, of: 1 });
        let safety = analysis
            .types
            .iter()
            .find(|t| t.member_type == MemberType::LaCommunitySafety)
            .unwrap();
        assert_eq!(
            safety.overall,
            Share { count: 1, of: 2 },
            "CDP-B has none and still counts in the denominator"
        );
        assert_eq!(
            headline(MemberType::Police, police.overall).unwrap(),
            "50% of partnerships have police force attendance at main meetings"
        );
        let names = |c: &AreaCode| String::from(if c == &north { "North West" } else { "London" });
        assert_eq!(
            regional_headline(police, names).unwrap(),
            "All partnerships in the North West have police force attendance, compared to 0% of London partnerships"
        );
    }

    #[test]
    fn shares_round_half_up_and_headlines_say_all_and_none() {
        assert_eq!(
            Share {
                count: 102,
                of: 106
            }
            .percent(),
            Some(96)
        );
        assert_eq!(Share { count: 1, of: 8 }.percent(), Some(13));
        assert_eq!(Share { count: 0, of: 0 }.percent(), None);
        assert_eq!(
            headline(MemberType::Pcc, Share { count: 3, of: 3 }).unwrap(),
            "All partnerships have police and crime commissioner attendance at main meetings"
        );
        assert_eq!(
            headline(MemberType::Prison, Share { count: 0, of: 3 }).unwrap(),
            "No partnership has secure estate attendance at main meetings"
        );
        assert_eq!(
            join_names(&["North West", "South West", "West Midlands"]),
            "the North West, South West and West Midlands"
        );
    }

    #[test]
    fn a_partnerships_region_is_its_authorities_one_region() {
        let mut p = partnership("CDP-A", &[]);
        p.local_authorities = vec![code("E06000047"), code("E06000005")];
        let parents = [code("E12000001"), code("E23000008")];
        let other = [code("E12000002")];
        assert_eq!(
            region_of(&p, |_| Some(&parents[..])),
            Some(code("E12000001"))
        );
        assert_eq!(
            region_of(&p, |a| if a.as_str() == "E06000005" {
                Some(&other[..])
            } else {
                Some(&parents[..])
            }),
            None
        );
    }
}
