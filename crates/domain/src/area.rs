//! Areas: the geography of England and Wales and the groupings partnerships define over it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::metric::{IdError, check_identifier, vocabulary};

/// An area code: a GSS code such as `E06000047`, or the code of a custom area (letters, digits,
/// `-` and `_`). Stored upper-case when it has the shape of a GSS code, so `e06000047` and
/// `E06000047` are the same area.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

// Lets a map keyed by codes be searched with text as read, without building a code first.
impl std::borrow::Borrow<str> for AreaCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AreaCode {
    /// Parses an area code, saying what is wrong with it if it is not one.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let value = value.trim();
        check_identifier("area code", value, &['-', '_'])?;
        if looks_like_gss(value) {
            Ok(Self(value.to_ascii_uppercase()))
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a GSS statistical code (a letter and eight digits).
    pub fn is_gss(&self) -> bool {
        looks_like_gss(&self.0)
    }

    /// The three-character GSS entity prefix (`E06`, `W15`), for GSS codes.
    pub fn gss_entity(&self) -> Option<&str> {
        self.is_gss().then(|| &self.0[..3])
    }
}

fn looks_like_gss(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 9
        && matches!(
            bytes[0].to_ascii_uppercase(),
            b'E' | b'W' | b'K' | b'S' | b'N' | b'J'
        )
        && bytes[1..].iter().all(u8::is_ascii_digit)
}

impl FromStr for AreaCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for AreaCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AreaCode> for String {
    fn from(code: AreaCode) -> Self {
        code.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

vocabulary!(
    /// The kind of an area, as the command line and API name it.
    AreaKind, "area kind" {
        /// England and Wales, England, Wales.
        Country => "country",
        /// An English region (E12).
        Region => "region",
        /// A two-tier county council (E10).
        County => "county",
        /// A unitary authority (E06 in England, W06 in Wales).
        Unitary => "unitary",
        /// A metropolitan district (E08).
        MetropolitanDistrict => "metropolitan_district",
        /// A London borough or the City of London (E09).
        LondonBorough => "london_borough",
        /// A non-metropolitan district in a two-tier county (E07).
        District => "district",
        /// A police force area (E23, W15).
        Pfa => "pfa",
        /// A community safety partnership (E22, W14).
        Csp => "csp",
        /// A Combating Drugs Partnership.
        Cdp => "cdp",
        /// A Drug Interventions Programme area.
        DipArea => "dip_area",
        /// Any other grouping of areas.
        Custom => "custom",
    }
);

impl AreaKind {
    /// Whether the kind is an upper-tier local authority (county, unitary, metropolitan
    /// district, London borough).
    pub fn is_upper_tier(self) -> bool {
        matches!(
            self,
            Self::County | Self::Unitary | Self::MetropolitanDistrict | Self::LondonBorough
        )
    }

    /// Whether the kind is a lower-tier local authority (unitary, metropolitan district,
    /// London borough, district): the building blocks every other area is made of.
    pub fn is_lower_tier(self) -> bool {
        matches!(
            self,
            Self::Unitary | Self::MetropolitanDistrict | Self::LondonBorough | Self::District
        )
    }

    /// Whether areas of this kind are defined by users as groups of other areas.
    pub fn is_grouping(self) -> bool {
        matches!(self, Self::Cdp | Self::DipArea | Self::Custom)
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Country => "Country",
            Self::Region => "Region",
            Self::County => "County council",
            Self::Unitary => "Unitary authority",
            Self::MetropolitanDistrict => "Metropolitan district",
            Self::LondonBorough => "London borough",
            Self::District => "District council",
            Self::Pfa => "Police force area",
            Self::Csp => "Community safety partnership",
            Self::Cdp => "Combating Drugs Partnership",
            Self::DipArea => "Drug Interventions Programme area",
            Self::Custom => "Custom area",
        }
    }
}

/// A selection of area kinds: one kind, or one of the tier groups `upper_tier` and `lower_tier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKindFilter {
    /// Exactly this kind.
    Kind(AreaKind),
    /// County, unitary, metropolitan district and London borough.
    UpperTier,
    /// Unitary, metropolitan district, London borough and district.
    LowerTier,
}

impl AreaKindFilter {
    /// Parses a kind or a group name.
    pub fn parse(value: &str) -> Result<Self, crate::metric::VocabularyError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "upper_tier" => Ok(Self::UpperTier),
            "lower_tier" => Ok(Self::LowerTier),
            _ => AreaKind::parse(value).map(Self::Kind).map_err(|mut error| {
                error.expected.push_str(", upper_tier, lower_tier");
                error
            }),
        }
    }

    /// Whether an area of `kind` is selected.
    pub fn matches(self, kind: AreaKind) -> bool {
        match self {
            Self::Kind(k) => k == kind,
            Self::UpperTier => kind.is_upper_tier(),
            Self::LowerTier => kind.is_lower_tier(),
        }
    }
}

impl FromStr for AreaKindFilter {
    type Err = crate::metric::VocabularyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An area with its place in the geography.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// Its code.
    pub code: AreaCode,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: AreaKind,
    /// The codes of the areas it lies directly within (county, region, police force area,
    /// community safety partnership, partnership).
    pub parents: Vec<AreaCode>,
    /// Mid-year population estimate (all ages), where one exists.
    pub population: Option<u64>,
}

/// A grouping of areas defined by a partnership (a Combating Drugs Partnership, a Drug
/// Interventions Programme area or any other grouping), as `h2h import areas` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomArea {
    /// Its code: new, or an existing custom area's to rename it.
    pub code: AreaCode,
    /// Its name.
    pub name: String,
    /// `cdp`, `dip_area` or `custom`.
    pub kind: AreaKind,
    /// The areas that make it up, on their current codes.
    pub members: Vec<AreaCode>,
    /// The area it reports to, if any.
    pub parent: Option<AreaCode>,
}

/// An age band of a population estimate: from `from` to `to` years inclusive, or `from` and
/// over when `to` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgeBand {
    /// The youngest age in the band.
    pub from: u8,
    /// The oldest age in the band, or `None` for "and over".
    pub to: Option<u8>,
}

impl AgeBand {
    /// Every age.
    pub const ALL_AGES: AgeBand = AgeBand { from: 0, to: None };

    /// A single year of age.
    pub fn single(age: u8) -> Self {
        Self {
            from: age,
            to: Some(age),
        }
    }

    /// The band's code: `all`, `18+`, `15-64`, `42`.
    pub fn code(self) -> String {
        match self.to {
            None if self.from == 0 => String::from("all"),
            None => format!("{}+", self.from),
            Some(to) if to == self.from => to.to_string(),
            Some(to) => format!("{}-{}", self.from, to),
        }
    }

    /// Parses a band code as [`AgeBand::code`] writes it.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.eq_ignore_ascii_case("all") {
            return Some(Self::ALL_AGES);
        }
        if let Some(from) = value.strip_suffix('+') {
            return from.parse().ok().map(|from| Self { from, to: None });
        }
        if let Some((from, to)) = value.split_once('-') {
            let (from, to): (u8, u8) = (from.parse().ok()?, to.parse().ok()?);
            return (from <= to).then_some(Self { from, to: Some(to) });
        }
        value.parse().ok().map(Self::single)
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gss_codes_are_normalised_to_upper_case() {
        let code = AreaCode::parse(" e06000047 ").unwrap();
        assert_eq!(code.as_str(), "E06000047");
        assert_eq!(code.gss_entity(), Some("E06"));
        let custom = AreaCode::parse("cdp-durham").unwrap();
        assert_eq!(custom.as_str(), "cdp-durham");
        assert!(!custom.is_gss());
        assert!(AreaCode::parse("E06 000047").is_err());
    }

    #[test]
    fn tier_groups_follow_the_cli_contract() {
        let upper: Vec<_> = AreaKind::ALL
            .iter()
            .filter(|k| k.is_upper_tier())
            .map(|k| k.code())
            .collect();
        assert_eq!(
            upper,
            [
                "county",
                "unitary",
                "metropolitan_district",
                "london_borough"
            ]
        );
        let lower: Vec<_> = AreaKind::ALL
            .iter()
            .filter(|k| k.is_lower_tier())
            .map(|k| k.code())
            .collect();
        assert_eq!(
            lower,
            [
                "unitary",
                "metropolitan_district",
                "london_borough",
                "district"
            ]
        );
        assert!(
            AreaKindFilter::parse("upper_tier")
                .unwrap()
                .matches(AreaKind::County)
        );
        assert!(
            !AreaKindFilter::parse("lower_tier")
                .unwrap()
                .matches(AreaKind::County)
        );
        assert!(AreaKindFilter::parse("pfa").unwrap().matches(AreaKind::Pfa));
        let error = AreaKindFilter::parse("ward").unwrap_err().to_string();
        assert!(error.contains("upper_tier, lower_tier"), "{error}");
    }

    #[test]
    fn age_bands_round_trip_their_codes() {
        for code in ["all", "18+", "15-64", "42", "90+"] {
            assert_eq!(AgeBand::parse(code).unwrap().code(), code);
        }
        assert_eq!(AgeBand::parse("64-15"), None);
    }
}
