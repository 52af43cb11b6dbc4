//! Generated demo partnerships: every English upper-tier local authority of the shipped
//! geography in a Combating Drugs Partnership, each with a Senior Responsible Owner, a chair,
//! member organisations and two financial years (2023/24 and 2024/25) of meetings with
//! attendance. Everything is deterministic (no random numbers: a hash of names decides), and
//! every partnership is marked `generated`, so pages say the data are not real.
//!
//! Grouping: most authorities are a partnership of their own. Within a police force area
//! (London counts as one), authorities below a population threshold are joined to their
//! nearest neighbours (by the centres in the shipped mySociety file) until the group passes
//! the threshold, up to three authorities: about 106 partnerships in all, as in England.
//! The partnerships of `fixtures/demo/areas.csv` are kept as they are.
//!
//! Attendance is drawn so that the national analysis shows the structure of the national
//! police attendance analysis (seed `001`): police at about 96% of partnerships, police and
//! crime commissioners at all partnerships in the North West, South West and West Midlands
//! but 20% of London's, the secure estate far lower, and community safety among the most
//! represented local authority officials.

use std::collections::{BTreeMap, HashMap};

use h2h_domain::{Area, AreaCode, AreaKind, MeetingKind, MemberType};
use h2h_store::{Store, StoreError};

use crate::csv_table::{CsvTable, IngestError};

/// Authorities with fewer people than this are joined to neighbours.
const JOIN_BELOW: u64 = 500_000;
/// London boroughs are smaller: the threshold there.
const JOIN_BELOW_LONDON: u64 = 200_000;
/// The farthest apart (metres between centres) two authorities of one partnership may be.
const NEIGHBOUR_METRES: f64 = 60_000.0;
const NEIGHBOUR_METRES_LONDON: f64 = 8_000.0;
const MOST_AUTHORITIES: usize = 3;

const LONDON: &str = "E12000007";
const NORTH_WEST: &str = "E12000002";
const SOUTH_WEST: &str = "E12000009";
const WEST_MIDLANDS: &str = "E12000005";

/// The financial years of meetings generated, by starting year.
const YEARS: [i32; 2] = [2023, 2024];

/// The demo's two files, as `h2h import partnerships` and `h2h import meetings` read them.
pub(crate) struct DemoFiles {
    /// `partnerships.csv`.
    pub partnerships: String,
    /// `meetings.csv`.
    pub meetings: String,
    /// How many partnerships.
    pub count: usize,
}

/// Why the demo files could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A shipped file could not be read.
    #[error(transparent)]
    File(#[from] IngestError),
    /// Writing CSV failed (it cannot, into memory).
    #[error("the demo files could not be written: {0}")]
    Csv(#[from] csv::Error),
}

/// FNV-1a of the parts: stable across builds and platforms.
fn hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// An authority with what grouping needs.
struct Authority<'a> {
    area: &'a Area,
    region: AreaCode,
    forces: Vec<&'a Area>,
    centre: (f64, f64),
}

/// A partnership being generated.
struct Group<'a> {
    code: String,
    name: String,
    /// Its authorities' names, for the names of organisations that serve the whole area.
    place: String,
    authorities: Vec<&'a Authority<'a>>,
}

/// Generates the demo's partnerships and meetings from the store's geography.
pub(crate) async fn demo_files(
    store: &dyn Store,
    fixed: &[h2h_domain::CustomArea],
) -> Result<DemoFiles, GenerateError> {
    let areas = store.areas(None).await?;
    let by_code: HashMap<&AreaCode, &Area> = areas.iter().map(|a| (&a.code, a)).collect();
    let mut children: HashMap<&AreaCode, Vec<&Area>> = HashMap::new();
    for area in &areas {
        for parent in &area.parents {
            children.entry(parent).or_default().push(area);
        }
    }
    let centres = authority_centres()?;
    let force_of = |area: &Area| -> Vec<&Area> {
        let mut forces: Vec<&Area> = Vec::new();
        let own =
            std::iter::once(area).chain(children.get(&area.code).into_iter().flatten().copied());
        for member in own {
            for parent in &member.parents {
                if let Some(force) = by_code.get(parent).filter(|p| p.kind == AreaKind::Pfa)
                    && !forces.iter().any(|f| f.code == force.code)
                {
                    forces.push(force);
                }
            }
        }
        forces
    };
    let authorities: Vec<Authority<'_>> = areas
        .iter()
        .filter(|a| a.kind.is_upper_tier() && a.code.as_str().starts_with('E'))
        .filter_map(|area| {
            let region = area
                .parents
                .iter()
                .find(|p| p.gss_entity() == Some("E12"))?
                .clone();
            Some(Authority {
                area,
                region,
                forces: force_of(area),
                centre: centres.get(area.code.as_str()).copied().unwrap_or_default(),
            })
        })
        .collect();
    let groups = group_authorities(&authorities, fixed);
    let mut partnerships = csv::Writer::from_writer(Vec::new());
    partnerships.write_record([
        "partnership_code",
        "partnership_name",
        "local_authorities",
        "sro",
        "chair",
        "organisation",
        "member_type",
        "generated",
    ])?;
    let mut meetings = csv::Writer::from_writer(Vec::new());
    meetings.write_record([
        "partnership_code",
        "meeting_date",
        "kind",
        "meeting",
        "organisation",
        "attendance",
    ])?;
    let engagement = Engagement::new(&groups);
    for group in &groups {
        let members = members_of(group);
        let codes: Vec<&str> = group
            .authorities
            .iter()
            .map(|a| a.area.code.as_str())
            .collect();
        let (sro, chair) = leadership(group);
        let joined = codes.join(";");
        for (i, (name, member_type)) in members.iter().enumerate() {
            let first = i == 0;
            partnerships.write_record([
                group.code.as_str(),
                if first { group.name.as_str() } else { "" },
                if first { joined.as_str() } else { "" },
                if first { sro.as_str() } else { "" },
                if first { chair.as_str() } else { "" },
                name.as_str(),
                member_type.code(),
                if first { "yes" } else { "" },
            ])?;
        }
        for year in YEARS {
            write_meetings(&mut meetings, group, &members, year, &engagement)?;
        }
    }
    let text = |writer: csv::Writer<Vec<u8>>| -> Result<String, GenerateError> {
        let bytes = writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    Ok(DemoFiles {
        count: groups.len(),
        partnerships: text(partnerships)?,
        meetings: text(meetings)?,
    })
}

/// The centre of each authority (British National Grid metres) from the shipped mySociety
/// file, by GSS code.
fn authority_centres() -> Result<HashMap<String, (f64, f64)>, IngestError> {
    let (name, text) = crate::geography::MYSOCIETY;
    let table = CsvTable::parse(name, text)?;
    let mut centres = HashMap::new();
    for row in table.rows() {
        if let (Ok(x), Ok(y)) = (row.get("x").parse::<f64>(), row.get("y").parse::<f64>()) {
            centres.insert(row.get("gss-code").to_owned(), (x, y));
        }
    }
    Ok(centres)
}

/// Groups authorities into partnerships (see the module's documentation).
fn group_authorities<'a>(
    authorities: &'a [Authority<'a>],
    fixed: &[h2h_domain::CustomArea],
) -> Vec<Group<'a>> {
    let mut groups = Vec::new();
    let mut taken: Vec<&AreaCode> = Vec::new();
    for area in fixed {
        let members: Vec<&Authority<'_>> = authorities
            .iter()
            .filter(|a| area.members.contains(&a.area.code))
            .collect();
        if members.is_empty() {
            continue;
        }
        taken.extend(members.iter().map(|a| &a.area.code));
        groups.push(Group {
            code: area.code.to_string(),
            name: area.name.clone(),
            place: place_of(&members),
            authorities: members,
        });
    }
    // By police force area (London as one), in code order for determinism.
    let mut pools: BTreeMap<String, Vec<&Authority<'_>>> = BTreeMap::new();
    for authority in authorities {
        if taken.contains(&&authority.area.code) {
            continue;
        }
        let pool = if authority.region.as_str() == LONDON {
            String::from(LONDON)
        } else {
            authority
                .forces
                .first()
                .map_or_else(|| authority.area.code.to_string(), |f| f.code.to_string())
        };
        pools.entry(pool).or_default().push(authority);
    }
    for (pool, mut members) in pools {
        let london = pool == LONDON;
        let (threshold, reach) = if london {
            (JOIN_BELOW_LONDON, NEIGHBOUR_METRES_LONDON)
        } else {
            (JOIN_BELOW, NEIGHBOUR_METRES)
        };
        let population = |a: &Authority<'_>| a.area.population.unwrap_or(0);
        members.sort_by(|a, b| {
            population(a)
                .cmp(&population(b))
                .then(a.area.code.cmp(&b.area.code))
        });
        let (mut small, large): (Vec<_>, Vec<_>) =
            members.into_iter().partition(|a| population(a) < threshold);
        for authority in large {
            groups.push(named_group(vec![authority]));
        }
        while !small.is_empty() {
            let mut group = vec![small.remove(0)];
            while group.iter().map(|a| population(a)).sum::<u64>() < threshold
                && group.len() < MOST_AUTHORITIES
            {
                let distance = |candidate: &Authority<'_>| {
                    group
                        .iter()
                        .map(|g| {
                            (g.centre.0 - candidate.centre.0).hypot(g.centre.1 - candidate.centre.1)
                        })
                        .fold(f64::INFINITY, f64::min)
                };
                let nearest = small
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, distance(c)))
                    .min_by(|a, b| a.1.total_cmp(&b.1));
                match nearest {
                    Some((i, metres)) if metres <= reach => group.push(small.remove(i)),
                    _ => break,
                }
            }
            groups.push(named_group(group));
        }
    }
    groups.sort_by(|a, b| a.code.cmp(&b.code));
    groups
}

/// The authorities' names as one place: "Halton, Warrington and Cheshire West and Chester".
fn place_of(authorities: &[&Authority<'_>]) -> String {
    let names: Vec<&str> = authorities.iter().map(|a| a.area.name.as_str()).collect();
    match names.as_slice() {
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

fn named_group<'a>(mut authorities: Vec<&'a Authority<'a>>) -> Group<'a> {
    authorities.sort_by(|a, b| a.area.name.cmp(&b.area.name));
    let names: Vec<&str> = authorities.iter().map(|a| a.area.name.as_str()).collect();
    let joined = place_of(&authorities);
    let mut slug = String::from("CDP");
    for word in names.join(" ").split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if slug.len() + 1 + word.len() > 60 {
            break;
        }
        slug.push('-');
        slug.push_str(&word.to_ascii_uppercase());
    }
    Group {
        code: slug,
        name: format!("{joined} Combating Drugs Partnership"),
        place: joined,
        authorities,
    }
}

/// A council's name as its departments are written: "Lancashire County Council", "Leeds
/// City Council" is left as "Leeds Council", since the geography does not say which are
/// cities.
fn council(area: &Area) -> String {
    match area.kind {
        AreaKind::County => format!("{} County Council", area.name),
        _ => format!("{} Council", area.name),
    }
}

/// A police force's name from its police force area's: "Lancashire Constabulary",
/// "Merseyside Police".
fn force_name(force: &Area) -> String {
    const CONSTABULARIES: [&str; 12] = [
        "Avon and Somerset",
        "Cambridgeshire",
        "Cheshire",
        "Cumbria",
        "Derbyshire",
        "Durham",
        "Gloucestershire",
        "Hampshire",
        "Hertfordshire",
        "Lancashire",
        "Norfolk",
        "Suffolk",
    ];
    match force.name.as_str() {
        "Metropolitan Police" => String::from("Metropolitan Police Service"),
        "London, City of" => String::from("City of London Police"),
        name if CONSTABULARIES.contains(&name) => format!("{name} Constabulary"),
        name => format!("{name} Police"),
    }
}

/// The office of a force area's police and crime commissioner (in London, Greater
/// Manchester and West Yorkshire, the mayor's).
fn commissioner(force: &Area) -> String {
    match force.name.as_str() {
        "Metropolitan Police" | "London, City of" => {
            String::from("Mayor's Office for Policing and Crime")
        }
        "Greater Manchester" | "West Yorkshire" => {
            format!("{} Mayor (policing and crime)", force.name)
        }
        name => format!("{name} Police and Crime Commissioner"),
    }
}

/// The partnership's member organisations, 12 to 20, with their types.
fn members_of(group: &Group<'_>) -> Vec<(String, MemberType)> {
    let mut members: Vec<(String, MemberType)> = Vec::new();
    fn push(members: &mut Vec<(String, MemberType)>, name: String, member_type: MemberType) {
        if !members.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            members.push((name, member_type));
        }
    }
    let lead = group.authorities.first().map(|a| a.area);
    let forces: Vec<&Area> = group
        .authorities
        .iter()
        .flat_map(|a| a.forces.iter().copied())
        .collect();
    for force in &forces {
        push(&mut members, force_name(force), MemberType::Police);
    }
    for force in &forces {
        push(&mut members, commissioner(force), MemberType::Pcc);
    }
    let region = group
        .authorities
        .first()
        .map(|a| a.region.to_string())
        .unwrap_or_default();
    let region_name = region_name(&region);
    push(
        &mut members,
        format!("Probation Service, {region_name}"),
        MemberType::Probation,
    );
    push(
        &mut members,
        format!("HM Prison and Probation Service, prisons in the {region_name} group"),
        MemberType::Prison,
    );
    let several = group.authorities.len() > 2;
    for authority in &group.authorities {
        let council = council(authority.area);
        push(
            &mut members,
            format!("{council}: Public Health"),
            MemberType::LaPublicHealth,
        );
        push(
            &mut members,
            format!("{council}: Community Safety"),
            MemberType::LaCommunitySafety,
        );
        if !several {
            push(
                &mut members,
                format!("{council}: Children's Services"),
                MemberType::LaChildren,
            );
            push(
                &mut members,
                format!("{} Youth Justice Service", authority.area.name),
                MemberType::YouthJustice,
            );
        }
    }
    let place = group.place.clone();
    if several && let Some(lead) = lead {
        push(
            &mut members,
            format!("{}: Children's Services", council(lead)),
            MemberType::LaChildren,
        );
        push(
            &mut members,
            format!("{place} Youth Justice Services"),
            MemberType::YouthJustice,
        );
    }
    if let Some(lead) = lead {
        push(
            &mut members,
            format!("{}: Housing", council(lead)),
            MemberType::LaHousing,
        );
    }
    push(
        &mut members,
        format!("NHS integrated care board for {place}"),
        MemberType::NhsIcb,
    );
    push(
        &mut members,
        format!("NHS mental health services for {place}"),
        MemberType::NhsMentalHealth,
    );
    push(
        &mut members,
        format!("Adult drug and alcohol treatment service, {place}"),
        MemberType::TreatmentProvider,
    );
    push(
        &mut members,
        format!("Jobcentre Plus, {place}"),
        MemberType::DwpJobcentre,
    );
    push(
        &mut members,
        format!("{place} lived experience recovery network"),
        MemberType::LivedExperience,
    );
    push(
        &mut members,
        format!("{place} voluntary and community sector forum"),
        MemberType::VoluntarySector,
    );
    if members.len() < 20 && hash(&[&group.code, "young people"]).is_multiple_of(2) {
        push(
            &mut members,
            format!("Young people's substance use service, {place}"),
            MemberType::TreatmentProvider,
        );
    }
    if members.len() < 20 {
        push(
            &mut members,
            format!("Office for Health Improvement and Disparities, {region_name}"),
            MemberType::Other,
        );
    }
    members.truncate(20);
    members
}

fn region_name(code: &str) -> &'static str {
    match code {
        "E12000001" => "North East",
        "E12000002" => "North West",
        "E12000003" => "Yorkshire and The Humber",
        "E12000004" => "East Midlands",
        "E12000005" => "West Midlands",
        "E12000006" => "East of England",
        "E12000007" => "London",
        "E12000008" => "South East",
        "E12000009" => "South West",
        _ => "England",
    }
}

/// The Senior Responsible Owner and chair, as roles (the demo names no real people).
fn leadership(group: &Group<'_>) -> (String, String) {
    let Some(lead) = group.authorities.first() else {
        return (String::new(), String::new());
    };
    let council = council(lead.area);
    let sro = format!("Director of Public Health, {council}");
    let chair = match hash(&[&group.code, "chair"]) % 4 {
        0 => lead
            .forces
            .first()
            .map_or_else(|| sro.clone(), |f| commissioner(f)),
        1 => format!("Cabinet Member for Health and Wellbeing, {council}"),
        2 => lead.forces.first().map_or_else(
            || sro.clone(),
            |f| format!("Chief Superintendent, {}", force_name(f)),
        ),
        _ => sro.clone(),
    };
    (sro, chair)
}

/// Which partnerships' main meetings each type attends in each year: the share of
/// partnerships wanted for the type (by region for commissioners), the partnerships chosen by
/// a hash of their code so the choice is spread evenly and the same on every load.
struct Engagement {
    engaged: std::collections::HashSet<(String, MemberType, i32)>,
}

impl Engagement {
    fn new(groups: &[Group<'_>]) -> Self {
        let mut engaged = std::collections::HashSet::new();
        for year in YEARS {
            for &member_type in MemberType::ALL {
                let mut pools: BTreeMap<String, Vec<&Group<'_>>> = BTreeMap::new();
                for group in groups {
                    let region = group
                        .authorities
                        .first()
                        .map(|a| a.region.to_string())
                        .unwrap_or_default();
                    let pool = if member_type == MemberType::Pcc {
                        region
                    } else {
                        String::new()
                    };
                    pools.entry(pool).or_default().push(group);
                }
                for (region, mut pool) in pools {
                    let percent = wanted_percent(member_type, &region, year);
                    pool.sort_by_key(|g| hash(&[&g.code, member_type.code(), &year.to_string()]));
                    let chosen = (pool.len() * percent as usize + 50) / 100;
                    for group in pool.into_iter().take(chosen) {
                        engaged.insert((group.code.clone(), member_type, year));
                    }
                }
            }
        }
        Self { engaged }
    }

    fn engaged(&self, code: &str, member_type: MemberType, year: i32) -> bool {
        self.engaged.contains(&(code.to_owned(), member_type, year))
    }
}

/// The share of partnerships (percent) whose main meetings a type attends regularly.
fn wanted_percent(member_type: MemberType, region: &str, year: i32) -> u32 {
    let latest: u32 = match member_type {
        MemberType::Police => 96,
        MemberType::Pcc => match region {
            NORTH_WEST | SOUTH_WEST | WEST_MIDLANDS => 100,
            LONDON => 20,
            _ => 75,
        },
        MemberType::Probation => 88,
        MemberType::Prison => 30,
        MemberType::YouthJustice => 55,
        MemberType::LaPublicHealth => 100,
        MemberType::LaCommunitySafety => 92,
        MemberType::LaChildren => 62,
        MemberType::LaHousing => 58,
        MemberType::NhsIcb => 85,
        MemberType::NhsMentalHealth => 50,
        MemberType::TreatmentProvider => 94,
        MemberType::DwpJobcentre => 60,
        MemberType::LivedExperience => 72,
        MemberType::VoluntarySector => 66,
        MemberType::Other => 45,
    };
    // The first year, as partnerships were forming, a little lower.
    if year == YEARS[0] && latest < 100 {
        latest.saturating_sub(5)
    } else {
        latest
    }
}

/// The sub-groups each partnership runs, with the types that sit on them.
const SUB_GROUPS: [(&str, &[MemberType]); 2] = [
    (
        "Treatment and recovery sub-group",
        &[
            MemberType::LaPublicHealth,
            MemberType::TreatmentProvider,
            MemberType::NhsMentalHealth,
            MemberType::LivedExperience,
            MemberType::Probation,
            MemberType::DwpJobcentre,
        ],
    ),
    (
        "Supply and enforcement sub-group",
        &[
            MemberType::Police,
            MemberType::LaCommunitySafety,
            MemberType::YouthJustice,
            MemberType::Probation,
            MemberType::LaHousing,
        ],
    ),
];

/// Four main meetings (June, September, December, March) and each sub-group quarterly (a
/// few weeks later) in the financial year starting in `year`.
fn write_meetings(
    out: &mut csv::Writer<Vec<u8>>,
    group: &Group<'_>,
    members: &[(String, MemberType)],
    year: i32,
    engagement: &Engagement,
) -> Result<(), GenerateError> {
    let year_text = year.to_string();
    for (quarter, (month, in_year)) in [(6, year), (9, year), (12, year), (3, year + 1)]
        .into_iter()
        .enumerate()
    {
        let day = 3 + hash(&[&group.code, &year_text, &quarter.to_string()]) % 20;
        let date = format!("{in_year}-{month:02}-{day:02}");
        // Which one main meeting of the year an engaged member may miss, if any.
        for (name, member_type) in members {
            let h = hash(&[&group.code, name, &year_text]);
            let attended = if engagement.engaged(&group.code, *member_type, year) {
                // At least three of four.
                !(h.is_multiple_of(2) && (h / 2) % 4 == quarter as u64)
            } else {
                // At most one of four.
                h.is_multiple_of(3) && (h / 3) % 4 == quarter as u64
            };
            let attendance = if attended {
                "attended"
            } else if hash(&[&group.code, name, &date]).is_multiple_of(3) {
                "absent"
            } else {
                "apologies"
            };
            out.write_record([
                group.code.as_str(),
                &date,
                MeetingKind::Main.code(),
                "",
                name,
                attendance,
            ])?;
        }
        for (offset, (title, types)) in SUB_GROUPS.iter().enumerate() {
            let day = 1 + (day as usize + 7 * (offset + 1)) % 28;
            let month = if month == 12 { 1 } else { month + 1 };
            let in_year = if month == 1 { in_year + 1 } else { in_year };
            let date = format!("{in_year}-{month:02}-{day:02}");
            for (name, _) in members.iter().filter(|(_, t)| types.contains(t)) {
                let attendance = match hash(&[&group.code, name, &date]) % 10 {
                    0 => "absent",
                    1 | 2 => "apologies",
                    _ => "attended",
                };
                out.write_record([
                    group.code.as_str(),
                    &date,
                    MeetingKind::SubGroup.code(),
                    title,
                    name,
                    attendance,
                ])?;
            }
        }
    }
    Ok(())
}
