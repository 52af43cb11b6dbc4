//! Reporting periods: months, quarters and halves of financial years, financial years, calendar
//! years, pooled calendar years and rolling twelve months (`returns.md`, "Periods").
//!
//! A [`Period`] is parsed once from any accepted spelling and always written back as its
//! canonical code. Every period lies between 1 January 1900 and 31 December 2199, so its dates
//! are always representable and arithmetic on it cannot overflow.
//!
//! Two spellings collide and the canonical code wins: `2011-12` is December 2011 (a month's
//! canonical code), never the financial year 2011/12, which must be written `2011/12`; and
//! `2024-25` is always the financial year, never the pooled years 2024 and 2025 (`2024-2025`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// The first calendar year a period may cover.
const MIN_YEAR: i32 = 1900;
/// The last calendar year a period may cover.
const MAX_YEAR: i32 = 2199;
/// Pooled years cover at least this many years (one year is a calendar year).
const MIN_POOLED: i64 = 2;
/// Pooled years cover at most this many years.
const MAX_POOLED: i64 = 20;

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The kinds of reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A calendar month.
    Month,
    /// A quarter of a financial year (Q1 is April to June).
    Quarter,
    /// A half of a financial year (H1 is April to September).
    Half,
    /// A financial year, 1 April to 31 March.
    FinancialYear,
    /// A calendar year.
    CalendarYear,
    /// Two or more consecutive calendar years pooled together.
    PooledYears,
    /// The twelve whole months ending with a given month.
    #[serde(rename = "rolling_12_months")]
    RollingTwelveMonths,
}

impl PeriodKind {
    /// The stable machine code, e.g. `financial_year`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Half => "half",
            Self::FinancialYear => "financial_year",
            Self::CalendarYear => "calendar_year",
            Self::PooledYears => "pooled_years",
            Self::RollingTwelveMonths => "rolling_12_months",
        }
    }

    /// The name for people, e.g. `Financial year`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Month => "Month",
            Self::Quarter => "Quarter",
            Self::Half => "Half year",
            Self::FinancialYear => "Financial year",
            Self::CalendarYear => "Calendar year",
            Self::PooledYears => "Pooled years",
            Self::RollingTwelveMonths => "Rolling twelve months",
        }
    }
}

/// Why text or arguments do not make a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The text has none of the accepted shapes.
    #[error(
        "{input:?} is not a period: expected a month (2024-04), quarter (2024/25-Q1), \
         half (2024/25-H1), financial year (2024/25), calendar year (2024), \
         pooled years (2021-2023) or rolling twelve months (R12-2024-03)"
    )]
    Unrecognised {
        /// The text as given.
        input: String,
    },
    /// The text has an accepted shape but names no period.
    #[error("{input:?} is not a period: {problem}")]
    Invalid {
        /// The text as given (for the constructors, the arguments written as a code).
        input: String,
        /// What is wrong with it.
        problem: PeriodProblem,
    },
}

impl PeriodError {
    /// The text that was rejected.
    pub fn input(&self) -> &str {
        match self {
            Self::Unrecognised { input } | Self::Invalid { input, .. } => input,
        }
    }
}

/// What is wrong with a period that has an accepted shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodProblem {
    /// A month number outside 1 to 12.
    #[error("month {0} does not exist (expected 1 to 12)")]
    Month(u8),
    /// A word where a month name was expected.
    #[error("{0:?} is not a month name (expected January to December, or Jan to Dec)")]
    MonthName(String),
    /// A quarter number outside 1 to 4.
    #[error("quarter Q{0} does not exist (expected Q1 to Q4)")]
    Quarter(u8),
    /// A half number other than 1 or 2.
    #[error("half H{0} does not exist (expected H1 or H2)")]
    Half(u8),
    /// A financial year whose second year is not the year after its first.
    #[error(
        "a financial year's second year must follow the first ({0}/{next:02})",
        next = .0.wrapping_add(1).rem_euclid(100)
    )]
    FinancialYearNotConsecutive(i32),
    /// `YYYY-NN` that is neither a month, a financial year nor forward-running pooled years.
    #[error(
        "month {month} does not exist (expected 1 to 12), nor is {last} after {first} \
         for pooled years"
    )]
    MonthOrPooledYears {
        /// The four-digit year.
        first: i32,
        /// The two-digit number read as a month.
        month: u8,
        /// The two-digit number read as a year of the same century.
        last: i32,
    },
    /// Pooled years whose last year is not after the first.
    #[error("pooled years must run forwards: {last} is not after {first}")]
    PooledYearsBackwards {
        /// The first year.
        first: i32,
        /// The last year.
        last: i32,
    },
    /// Pooled years covering more years than allowed.
    #[error("pooled years cover 2 to 20 years, not {0}")]
    PooledYearsCount(u32),
    /// A period reaching outside the supported years.
    #[error("year {0} is outside the supported range 1900 to 2199")]
    YearOutOfRange(i32),
}

/// What a period is, before its range has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Repr {
    Month { year: i32, month: u8 },
    Quarter { fy: i32, quarter: u8 },
    Half { fy: i32, half: u8 },
    FinancialYear(i32),
    CalendarYear(i32),
    PooledYears { first: i32, last: i32 },
    RollingTwelveMonths { year: i32, month: u8 },
}

impl Repr {
    /// The first month as a month index (`year * 12 + month - 1`) and the number of months.
    /// In `i64` so that any `i32` year is safe before the range check.
    fn span(self) -> (i64, i64) {
        let ym = |year: i32, month: u8| i64::from(year) * 12 + i64::from(month) - 1;
        // Financial years start in April: month index 3 of their first year.
        let fy = |fy: i32| i64::from(fy) * 12 + 3;
        match self {
            Self::Month { year, month } => (ym(year, month), 1),
            Self::Quarter { fy: y, quarter } => (fy(y) + (i64::from(quarter) - 1) * 3, 3),
            Self::Half { fy: y, half } => (fy(y) + (i64::from(half) - 1) * 6, 6),
            Self::FinancialYear(y) => (fy(y), 12),
            Self::CalendarYear(y) => (i64::from(y) * 12, 12),
            Self::PooledYears { first, last } => (
                i64::from(first) * 12,
                (i64::from(last) - i64::from(first) + 1) * 12,
            ),
            Self::RollingTwelveMonths { year, month } => (ym(year, month) - 11, 12),
        }
    }
}

/// `2024/25`: the second year as two digits, safe for any `i32`.
fn fy_code(f: &mut fmt::Formatter<'_>, start: i32) -> fmt::Result {
    write!(f, "{start}/{:02}", (i64::from(start) + 1).rem_euclid(100))
}

impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Month { year, month } => write!(f, "{year}-{month:02}"),
            Self::Quarter { fy, quarter } => {
                fy_code(f, fy)?;
                write!(f, "-Q{quarter}")
            }
            Self::Half { fy, half } => {
                fy_code(f, fy)?;
                write!(f, "-H{half}")
            }
            Self::FinancialYear(start) => fy_code(f, start),
            Self::CalendarYear(year) => write!(f, "{year}"),
            Self::PooledYears { first, last } => write!(f, "{first}-{last}"),
            Self::RollingTwelveMonths { year, month } => write!(f, "R12-{year}-{month:02}"),
        }
    }
}

/// A reporting period: a run of whole months of one of the [`PeriodKind`]s.
///
/// Written and serialised as its canonical code (`2024/25-Q1`); parsed from the code or any
/// accepted synonym. Ordered by first day, then last day (shorter first), then kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    repr: Repr,
    // Computed once when validated, so the accessors cannot fail.
    start: Date,
    end: Date,
}

impl Period {
    /// Parses a canonical code or any accepted synonym, ignoring case and spaces.
    pub fn parse(input: &str) -> Result<Period, PeriodError> {
        let lower = input.to_ascii_lowercase();
        tokens(&lower)
            .ok_or(None)
            .and_then(|t| parse_tokens(&t))
            .and_then(|repr| Self::from_repr(repr).map_err(Some))
            .map_err(|problem| match problem {
                Some(problem) => PeriodError::Invalid {
                    input: input.to_owned(),
                    problem,
                },
                None => PeriodError::Unrecognised {
                    input: input.to_owned(),
                },
            })
    }

    /// A calendar month (`month` 1 to 12).
    pub fn month(year: i32, month: u8) -> Result<Period, PeriodError> {
        Self::build(Repr::Month { year, month })
    }

    /// A quarter (1 to 4) of the financial year starting in April of `fy_start_year`.
    pub fn quarter(fy_start_year: i32, quarter: u8) -> Result<Period, PeriodError> {
        Self::build(Repr::Quarter {
            fy: fy_start_year,
            quarter,
        })
    }

    /// A half (1 or 2) of the financial year starting in April of `fy_start_year`.
    pub fn half(fy_start_year: i32, half: u8) -> Result<Period, PeriodError> {
        Self::build(Repr::Half {
            fy: fy_start_year,
            half,
        })
    }

    /// The financial year from 1 April of `start_year` to 31 March of the next.
    pub fn financial_year(start_year: i32) -> Result<Period, PeriodError> {
        Self::build(Repr::FinancialYear(start_year))
    }

    /// A calendar year.
    pub fn calendar_year(year: i32) -> Result<Period, PeriodError> {
        Self::build(Repr::CalendarYear(year))
    }

    /// The calendar years `first` to `last`, both included: 2 to 20 years.
    pub fn pooled_years(first: i32, last: i32) -> Result<Period, PeriodError> {
        Self::build(Repr::PooledYears { first, last })
    }

    /// The twelve whole months ending with `end_month` (1 to 12) of `end_year`.
    pub fn rolling_twelve_months(end_year: i32, end_month: u8) -> Result<Period, PeriodError> {
        Self::build(Repr::RollingTwelveMonths {
            year: end_year,
            month: end_month,
        })
    }

    fn build(repr: Repr) -> Result<Period, PeriodError> {
        Self::from_repr(repr).map_err(|problem| PeriodError::Invalid {
            input: repr.to_string(),
            problem,
        })
    }

    /// Checks the fields and the supported range, and fixes the dates.
    fn from_repr(repr: Repr) -> Result<Period, PeriodProblem> {
        match repr {
            Repr::Month { month, .. } | Repr::RollingTwelveMonths { month, .. }
                if !(1..=12).contains(&month) =>
            {
                return Err(PeriodProblem::Month(month));
            }
            Repr::Quarter { quarter, .. } if !(1..=4).contains(&quarter) => {
                return Err(PeriodProblem::Quarter(quarter));
            }
            Repr::Half { half, .. } if !(1..=2).contains(&half) => {
                return Err(PeriodProblem::Half(half));
            }
            Repr::PooledYears { first, last } if last <= first => {
                return Err(PeriodProblem::PooledYearsBackwards { first, last });
            }
            Repr::PooledYears { first, last } => {
                let years = i64::from(last) - i64::from(first) + 1;
                if !(MIN_POOLED..=MAX_POOLED).contains(&years) {
                    let years = u32::try_from(years).unwrap_or(u32::MAX);
                    return Err(PeriodProblem::PooledYearsCount(years));
                }
            }
            _ => {}
        }
        let (first, count) = repr.span();
        let after = first + count;
        let out_of_range =
            |index: i64| PeriodProblem::YearOutOfRange(clamp_year(index.div_euclid(12)));
        if first < i64::from(MIN_YEAR) * 12 {
            return Err(out_of_range(first));
        }
        if after > (i64::from(MAX_YEAR) + 1) * 12 {
            return Err(out_of_range(after - 1));
        }
        let start = first_day(first).ok_or_else(|| out_of_range(first))?;
        let end = first_day(after)
            .and_then(Date::previous_day)
            .ok_or_else(|| out_of_range(after - 1))?;
        Ok(Period { repr, start, end })
    }

    /// Its kind.
    pub fn kind(&self) -> PeriodKind {
        match self.repr {
            Repr::Month { .. } => PeriodKind::Month,
            Repr::Quarter { .. } => PeriodKind::Quarter,
            Repr::Half { .. } => PeriodKind::Half,
            Repr::FinancialYear(_) => PeriodKind::FinancialYear,
            Repr::CalendarYear(_) => PeriodKind::CalendarYear,
            Repr::PooledYears { .. } => PeriodKind::PooledYears,
            Repr::RollingTwelveMonths { .. } => PeriodKind::RollingTwelveMonths,
        }
    }

    /// The canonical code, e.g. `2024/25-Q1`.
    pub fn code(&self) -> String {
        self.repr.to_string()
    }

    /// The name for people, e.g. `Q1 2024/25 (April to June 2024)` or `12 months to March 2024`.
    pub fn label(&self) -> String {
        let (start, end) = (self.start, self.end);
        match self.repr {
            Repr::Month { .. } => format!("{} {}", start.month(), start.year()),
            Repr::Quarter { .. } | Repr::Half { .. } => {
                let code = self.code();
                // "2024/25-Q1" reads as "Q1 2024/25".
                let (fy, part) = code.rsplit_once('-').unwrap_or((code.as_str(), ""));
                if start.year() == end.year() {
                    let (from, to, year) = (start.month(), end.month(), end.year());
                    format!("{part} {fy} ({from} to {to} {year})")
                } else {
                    let (from, to) = (start.month(), end.month());
                    format!(
                        "{part} {fy} ({from} {} to {to} {})",
                        start.year(),
                        end.year()
                    )
                }
            }
            Repr::FinancialYear(_) | Repr::CalendarYear(_) => self.code(),
            Repr::PooledYears { first, last } => format!("{first} to {last}"),
            Repr::RollingTwelveMonths { .. } => {
                format!("12 months to {} {}", end.month(), end.year())
            }
        }
    }

    /// The first day.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day, included.
    pub fn end(&self) -> Date {
        self.end
    }

    /// The financial year (1 April to 31 March) that `date` falls in; `None` outside 1900 to
    /// 2199.
    pub fn financial_year_containing(date: Date) -> Option<Period> {
        let start_year = if u8::from(date.month()) >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        Period::financial_year(start_year).ok()
    }

    /// Whether `date` is one of its days.
    pub fn includes(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// Whether every day of `other` is a day of this period.
    pub fn contains(&self, other: &Period) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The financial year containing this period (itself for a financial year); `None` when it
    /// spans two financial years or the financial year would reach outside 1900 to 2199.
    pub fn financial_year_of(&self) -> Option<Period> {
        let (fy, _) = self.fy_position();
        self.within(Repr::FinancialYear(fy))
    }

    /// The half containing this period (itself for a half); `None` when it spans two halves or
    /// the half would reach outside 1900 to 2199.
    pub fn half_of(&self) -> Option<Period> {
        let (fy, month) = self.fy_position();
        self.within(Repr::Half {
            fy,
            half: month / 6 + 1,
        })
    }

    /// The quarter containing this period (itself for a quarter); `None` when it spans two
    /// quarters.
    pub fn quarter_of(&self) -> Option<Period> {
        let (fy, month) = self.fy_position();
        self.within(Repr::Quarter {
            fy,
            quarter: month / 3 + 1,
        })
    }

    /// The financial year this period starts in and its first month counted from April (0 to 11).
    fn fy_position(&self) -> (i32, u8) {
        let from_april = self.repr.span().0 - 3;
        let month = u8::try_from(from_april.rem_euclid(12)).unwrap_or(0);
        (clamp_year(from_april.div_euclid(12)), month)
    }

    fn within(&self, repr: Repr) -> Option<Period> {
        Self::from_repr(repr).ok().filter(|p| p.contains(self))
    }

    /// The months it covers, in order.
    pub fn months(&self) -> Vec<Period> {
        let (first, count) = self.repr.span();
        (first..first + count)
            .filter_map(|index| {
                let (year, month) = split_month(index)?;
                Self::from_repr(Repr::Month { year, month }).ok()
            })
            .collect()
    }

    /// The period of the same kind and length just before: the previous month, quarter or
    /// year, `2018-2020` before `2021-2023`, `R12-2023-03` before `R12-2024-03`. Saturates:
    /// the first period of its kind in the supported range is its own previous.
    pub fn previous(&self) -> Period {
        self.shifted(-1).unwrap_or(*self)
    }

    /// The period of the same kind and length just after; saturates like [`Period::previous`].
    pub fn next(&self) -> Period {
        self.shifted(1).unwrap_or(*self)
    }

    fn shifted(&self, steps: i64) -> Option<Period> {
        let shift_year = |y: i32, by: i64| i32::try_from(i64::from(y) + by).ok();
        // Quarters and halves step through a numbering of all of them across the years.
        let part = |fy: i32, n: u8, per_year: i64| -> Option<(i32, u8)> {
            let index = i64::from(fy) * per_year + i64::from(n) - 1 + steps;
            let n = u8::try_from(index.rem_euclid(per_year) + 1).ok()?;
            Some((i32::try_from(index.div_euclid(per_year)).ok()?, n))
        };
        let shift_month =
            |y: i32, m: u8, by: i64| split_month(i64::from(y) * 12 + i64::from(m) - 1 + by);
        let repr = match self.repr {
            Repr::Month { year: y, month: m } => {
                let (year, month) = shift_month(y, m, steps)?;
                Repr::Month { year, month }
            }
            Repr::Quarter { fy, quarter } => {
                let (fy, quarter) = part(fy, quarter, 4)?;
                Repr::Quarter { fy, quarter }
            }
            Repr::Half { fy, half } => {
                let (fy, half) = part(fy, half, 2)?;
                Repr::Half { fy, half }
            }
            Repr::FinancialYear(y) => Repr::FinancialYear(shift_year(y, steps)?),
            Repr::CalendarYear(y) => Repr::CalendarYear(shift_year(y, steps)?),
            Repr::PooledYears { first, last } => {
                let by = steps * (i64::from(last) - i64::from(first) + 1);
                Repr::PooledYears {
                    first: shift_year(first, by)?,
                    last: shift_year(last, by)?,
                }
            }
            Repr::RollingTwelveMonths { year: y, month: m } => {
                let (year, month) = shift_month(y, m, steps * 12)?;
                Repr::RollingTwelveMonths { year, month }
            }
        };
        Self::from_repr(repr).ok()
    }
}

fn clamp_year(year: i64) -> i32 {
    i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX })
}

/// A month index (`year * 12 + month - 1`) as year and month 1 to 12.
fn split_month(index: i64) -> Option<(i32, u8)> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    Some((year, u8::try_from(index.rem_euclid(12) + 1).ok()?))
}

fn first_day(index: i64) -> Option<Date> {
    let (year, month) = split_month(index)?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, 1).ok()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.repr.fmt(f)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.start
            .cmp(&other.start)
            .then(self.end.cmp(&other.end))
            .then(self.kind().cmp(&other.kind()))
            // Never reached (start, end and kind fix a period) but keeps Ord total with Eq.
            .then(self.repr.cmp(&other.repr))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Period;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a period such as 2024-04, 2024/25-Q1, 2024/25 or 2024")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Period, E> {
                Period::parse(v).map_err(E::custom)
            }

            // A bare number in TOML or JSON (`period = 2024`) is a calendar year.
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Period, E> {
                self.visit_str(&v.to_string())
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Period, E> {
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

// ---- parsing ----

/// A token of lower-cased input; whitespace only separates tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Num(&'a str),
    Word(&'a str),
    Slash,
    Dash,
}

/// Splits into digit runs, letter runs, `/` and `-` (or an en dash, as pasted from documents);
/// `None` for any other character.
fn tokens(s: &str) -> Option<Vec<Tok<'_>>> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while let Some(c) = rest.chars().next() {
        let run = |pred: fn(&char) -> bool| rest.find(|c| !pred(&c)).unwrap_or(rest.len());
        let (tok, len) = match c {
            '0'..='9' => {
                let n = run(char::is_ascii_digit);
                (Tok::Num(rest.get(..n)?), n)
            }
            'a'..='z' => {
                let n = run(char::is_ascii_lowercase);
                (Tok::Word(rest.get(..n)?), n)
            }
            '/' => (Tok::Slash, 1),
            '-' | '\u{2013}' => (Tok::Dash, c.len_utf8()),
            _ => return None,
        };
        out.push(tok);
        rest = rest.get(len..)?.trim_start();
    }
    Some(out)
}

/// `Err(None)`: not an accepted shape; `Err(Some(_))`: an accepted shape naming no period.
type Parsed<T> = Result<T, Option<PeriodProblem>>;

fn parse_tokens(t: &[Tok<'_>]) -> Parsed<Repr> {
    use Tok::{Dash, Num, Slash, Word};
    match t {
        [Num(y)] | [Word("cy"), Num(y)] => Ok(Repr::CalendarYear(year(y)?)),
        [fy @ .., Dash, Word(w @ ("q" | "h")), Num(n)]
        | [fy @ .., Word(w @ ("q" | "h")), Num(n)]
        | [Word(w @ ("q" | "h")), Num(n), fy @ ..] => {
            let (fy, n) = (financial_year(fy)?, number(n)?);
            Ok(if *w == "q" {
                Repr::Quarter { fy, quarter: n }
            } else {
                Repr::Half { fy, half: n }
            })
        }
        [Word("fy"), ..] | [Num(_), Slash, Num(_)] => Ok(Repr::FinancialYear(financial_year(t)?)),
        [Num(a), Dash, Num(b)] => year_dash_number(a, b),
        [Num(a), Word("to"), Num(b)] => Ok(Repr::PooledYears {
            first: year(a)?,
            last: year(b)?,
        }),
        [Word("r"), Num("12"), Dash, Num(y), Dash, Num(m)] => Ok(Repr::RollingTwelveMonths {
            year: year(y)?,
            month: number(m)?,
        }),
        [
            Num("12"),
            Word("m" | "month" | "months"),
            Word("to"),
            rest @ ..,
        ] => {
            let (year, month) = month_spec(rest)?;
            Ok(Repr::RollingTwelveMonths { year, month })
        }
        [Word(_), Num(_)] => {
            let (year, month) = month_spec(t)?;
            Ok(Repr::Month { year, month })
        }
        _ => Err(None),
    }
}

/// `YYYY-N`, `YYYY-NN` or `YYYY-YYYY`. A canonical month code (`NN` 01 to 12) always wins;
/// otherwise `NN` following `YYYY` is a financial year, and a later year of the same century
/// makes pooled years.
fn year_dash_number(a: &str, b: &str) -> Parsed<Repr> {
    let first = year(a)?;
    match b.len() {
        1 => Ok(Repr::Month {
            year: first,
            month: number(b)?,
        }),
        2 => {
            let n = number(b)?;
            let last = first - first.rem_euclid(100) + i32::from(n);
            if (1..=12).contains(&n) {
                Ok(Repr::Month {
                    year: first,
                    month: n,
                })
            } else if i32::from(n) == (first + 1).rem_euclid(100) {
                Ok(Repr::FinancialYear(first))
            } else if last > first {
                Ok(Repr::PooledYears { first, last })
            } else {
                Err(Some(PeriodProblem::MonthOrPooledYears {
                    first,
                    month: n,
                    last,
                }))
            }
        }
        4 => Ok(Repr::PooledYears {
            first,
            last: year(b)?,
        }),
        _ => Err(None),
    }
}

/// Where only a financial year makes sense: `[FY]YYYY/YY`, `YYYY-YY`, `YYYY/YYYY`, `YYYY-YYYY`.
fn financial_year(t: &[Tok<'_>]) -> Parsed<i32> {
    let t = match t {
        [Tok::Word("fy"), rest @ ..] => rest,
        _ => t,
    };
    let [Tok::Num(a), Tok::Slash | Tok::Dash, Tok::Num(b)] = t else {
        return Err(None);
    };
    let first = year(a)?;
    let follows = match b.len() {
        2 => i32::from(number(b)?) == (first + 1).rem_euclid(100),
        4 => year(b)? == first + 1,
        _ => return Err(None),
    };
    if follows {
        Ok(first)
    } else {
        Err(Some(PeriodProblem::FinancialYearNotConsecutive(first)))
    }
}

/// `March 2024`, `Mar 2024` or `2024-03`, as year and month number.
fn month_spec(t: &[Tok<'_>]) -> Parsed<(i32, u8)> {
    match t {
        [Tok::Word(name), Tok::Num(y)] => Ok((year(y)?, month_name(name)?)),
        [Tok::Num(y), Tok::Dash, Tok::Num(m)] => Ok((year(y)?, number(m)?)),
        _ => Err(None),
    }
}

fn month_name(name: &str) -> Parsed<u8> {
    let found = MONTH_NAMES.iter().position(|full| {
        *full == name || full.get(..3) == Some(name) || (name == "sept" && *full == "september")
    });
    match found.and_then(|i| u8::try_from(i + 1).ok()) {
        Some(month) => Ok(month),
        // Short words are more likely a mistyped code (`h 2024`) than a month.
        None if name.len() >= 3 => Err(Some(PeriodProblem::MonthName(name.to_owned()))),
        None => Err(None),
    }
}

/// Exactly four digits.
fn year(s: &str) -> Parsed<i32> {
    if s.len() == 4 {
        s.parse().map_err(|_| None)
    } else {
        Err(None)
    }
}

/// One or two digits.
fn number(s: &str) -> Parsed<u8> {
    if s.len() <= 2 {
        s.parse().map_err(|_| None)
    } else {
        Err(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn problem(s: &str) -> PeriodProblem {
        match Period::parse(s) {
            Err(PeriodError::Invalid { problem, .. }) => problem,
            other => panic!("{s:?}: expected an invalid period, got {other:?}"),
        }
    }

    #[test]
    fn every_canonical_code_and_synonym_parses() {
        let month = Period::month(2024, 4).unwrap();
        let q1 = Period::quarter(2024, 1).unwrap();
        let h1 = Period::half(2024, 1).unwrap();
        let fy = Period::financial_year(2024).unwrap();
        let cy = Period::calendar_year(2024).unwrap();
        let pooled = Period::pooled_years(2021, 2023).unwrap();
        let r12 = Period::rolling_twelve_months(2024, 3).unwrap();
        let table: &[(&str, Period)] = &[
            ("2024-04", month),
            ("Apr 2024", month),
            ("April 2024", month),
            ("2024-4", month),
            ("apr 2024", month),
            ("APRIL 2024", month),
            ("  April   2024 ", month),
            ("Sept 2024", Period::month(2024, 9).unwrap()),
            ("sep 2024", Period::month(2024, 9).unwrap()),
            ("2024/25-Q1", q1),
            ("2024/25 Q1", q1),
            ("Q1 2024/25", q1),
            ("2024-25 Q1", q1),
            ("q1 2024/25", q1),
            ("2024-25-Q1", q1),
            ("Q1 FY2024/25", q1),
            ("2024/25-H1", h1),
            ("2024/25 H1", h1),
            ("H1 2024/25", h1),
            ("2024/25", fy),
            ("2024-25", fy),
            ("FY2024/25", fy),
            ("fy2024/25", fy),
            ("FY 2024/25", fy),
            ("2024/2025", fy),
            ("2024 – 25", fy),
            ("2024", cy),
            ("CY2024", cy),
            ("2021-2023", pooled),
            ("2021 to 2023", pooled),
            ("2021-23", pooled),
            ("R12-2024-03", r12),
            ("r12-2024-03", r12),
            ("12 months to March 2024", r12),
            ("12m to 2024-03", r12),
            ("2024-2025", Period::pooled_years(2024, 2025).unwrap()),
            // A canonical month code beats the financial-year synonym.
            ("2011-12", Period::month(2011, 12).unwrap()),
            ("1999-00", Period::financial_year(1999).unwrap()),
        ];
        for (input, expected) in table {
            assert_eq!(Period::parse(input).as_ref(), Ok(expected), "{input:?}");
        }
        for (period, code) in [
            (month, "2024-04"),
            (q1, "2024/25-Q1"),
            (h1, "2024/25-H1"),
            (fy, "2024/25"),
            (cy, "2024"),
            (pooled, "2021-2023"),
            (r12, "R12-2024-03"),
        ] {
            assert_eq!(period.code(), code);
            assert_eq!(period.to_string(), code);
        }
    }

    #[test]
    fn dates_for_each_kind() {
        let cases = [
            ("2024-02", date!(2024 - 02 - 01), date!(2024 - 02 - 29)),
            ("2024/25-Q1", date!(2024 - 04 - 01), date!(2024 - 06 - 30)),
            ("2024/25-Q4", date!(2025 - 01 - 01), date!(2025 - 03 - 31)),
            ("2024/25-H2", date!(2024 - 10 - 01), date!(2025 - 03 - 31)),
            ("2024/25", date!(2024 - 04 - 01), date!(2025 - 03 - 31)),
            ("2024", date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
            ("2021-23", date!(2021 - 01 - 01), date!(2023 - 12 - 31)),
            ("R12-2024-03", date!(2023 - 04 - 01), date!(2024 - 03 - 31)),
            ("R12-2024-12", date!(2024 - 01 - 01), date!(2024 - 12 - 31)),
        ];
        for (input, start, end) in cases {
            assert_eq!((p(input).start(), p(input).end()), (start, end), "{input}");
        }
    }

    #[test]
    fn labels_and_kinds() {
        let cases = [
            ("2024-04", "April 2024", PeriodKind::Month),
            (
                "2024/25-Q1",
                "Q1 2024/25 (April to June 2024)",
                PeriodKind::Quarter,
            ),
            (
                "2024/25-Q4",
                "Q4 2024/25 (January to March 2025)",
                PeriodKind::Quarter,
            ),
            (
                "2024/25-H2",
                "H2 2024/25 (October 2024 to March 2025)",
                PeriodKind::Half,
            ),
            ("2024/25", "2024/25", PeriodKind::FinancialYear),
            ("2024", "2024", PeriodKind::CalendarYear),
            ("2021-2023", "2021 to 2023", PeriodKind::PooledYears),
            (
                "R12-2024-03",
                "12 months to March 2024",
                PeriodKind::RollingTwelveMonths,
            ),
        ];
        for (input, label, kind) in cases {
            assert_eq!(p(input).label(), label);
            assert_eq!(p(input).kind(), kind);
        }
        assert_eq!(PeriodKind::RollingTwelveMonths.code(), "rolling_12_months");
        assert_eq!(PeriodKind::FinancialYear.label(), "Financial year");
    }

    #[test]
    fn containment_and_parents() {
        let q3 = p("2024/25-Q3");
        assert!(p("2024/25-H2").contains(&q3));
        assert!(p("2024/25").contains(&q3));
        assert!(q3.contains(&p("2024-11")));
        assert!(!p("2024/25").contains(&p("2024")));
        assert!(!p("2024").contains(&p("2024/25")));
        assert!(p("2021-2023").contains(&p("2022")));
        assert_eq!(p("2025-02").quarter_of(), Some(p("2024/25-Q4")));
        assert_eq!(p("2025-02").half_of(), Some(p("2024/25-H2")));
        assert_eq!(p("2025-02").financial_year_of(), Some(p("2024/25")));
        assert_eq!(q3.half_of(), Some(p("2024/25-H2")));
        assert_eq!(q3.financial_year_of(), Some(p("2024/25")));
        assert_eq!(p("2024/25").financial_year_of(), Some(p("2024/25")));
        assert_eq!(p("2024").financial_year_of(), None);
        assert_eq!(p("2024/25").half_of(), None);
        assert_eq!(p("2024/25-H1").quarter_of(), None);
        assert_eq!(p("R12-2025-03").financial_year_of(), Some(p("2024/25")));
        // The supported range ends on 31 December 2199.
        assert_eq!(p("2199-05").financial_year_of(), None);
    }

    #[test]
    fn months_previous_next() {
        let months: Vec<String> = p("2024/25-Q4").months().iter().map(Period::code).collect();
        assert_eq!(months, ["2025-01", "2025-02", "2025-03"]);
        assert_eq!(p("2021-23").months().len(), 36);
        assert_eq!(p("2024-01").previous(), p("2023-12"));
        assert_eq!(p("2024/25-Q1").previous(), p("2023/24-Q4"));
        assert_eq!(p("2024/25-H2").next(), p("2025/26-H1"));
        assert_eq!(p("2024/25").next(), p("2025/26"));
        assert_eq!(p("2021-2023").previous(), p("2018-2020"));
        assert_eq!(p("R12-2024-03").previous(), p("R12-2023-03"));
        assert_eq!(p("1900").previous(), p("1900"));
        assert_eq!(p("2199-12").next(), p("2199-12"));
    }

    #[test]
    fn ordering() {
        let mut periods: Vec<Period> = [
            "2024",
            "2024/25",
            "2024-04",
            "2024/25-Q1",
            "2024/25-H1",
            "2023-12",
            "R12-2025-03",
            "R12-2024-12",
        ]
        .into_iter()
        .map(p)
        .collect();
        periods.sort();
        let codes: Vec<String> = periods.iter().map(Period::code).collect();
        assert_eq!(
            codes,
            [
                "2023-12",
                "2024",
                "R12-2024-12",
                "2024-04",
                "2024/25-Q1",
                "2024/25-H1",
                "2024/25",
                "R12-2025-03"
            ]
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        assert_eq!(
            problem("2024-13").to_string(),
            "month 13 does not exist (expected 1 to 12), nor is 2013 after 2024 for pooled years"
        );
        assert_eq!(
            Period::parse("2024-13").unwrap_err().to_string(),
            "\"2024-13\" is not a period: month 13 does not exist (expected 1 to 12), nor is 2013 after 2024 for pooled years"
        );
        assert_eq!(problem("2024-0"), PeriodProblem::Month(0));
        assert_eq!(problem("R12-2024-13"), PeriodProblem::Month(13));
        assert_eq!(
            Period::parse("2024/26").unwrap_err().to_string(),
            "\"2024/26\" is not a period: a financial year's second year must follow the first (2024/25)"
        );
        assert_eq!(
            problem("2024/2026"),
            PeriodProblem::FinancialYearNotConsecutive(2024)
        );
        assert_eq!(
            Period::parse("Q5 2024/25").unwrap_err().to_string(),
            "\"Q5 2024/25\" is not a period: quarter Q5 does not exist (expected Q1 to Q4)"
        );
        assert_eq!(problem("2024/25-H3"), PeriodProblem::Half(3));
        assert_eq!(
            problem("2023-22"),
            PeriodProblem::MonthOrPooledYears {
                first: 2023,
                month: 22,
                last: 2022
            }
        );
        assert_eq!(
            problem("2023-2022"),
            PeriodProblem::PooledYearsBackwards {
                first: 2023,
                last: 2022
            }
        );
        assert_eq!(problem("2000 to 2030"), PeriodProblem::PooledYearsCount(31));
        assert_eq!(problem("1800"), PeriodProblem::YearOutOfRange(1800));
        assert_eq!(problem("2199/00"), PeriodProblem::YearOutOfRange(2200));
        assert_eq!(problem("R12-1900-03"), PeriodProblem::YearOutOfRange(1899));
        assert_eq!(problem("Foo 2024"), PeriodProblem::MonthName("foo".into()));
        let unrecognised = "expected a month (2024-04), quarter (2024/25-Q1), half (2024/25-H1), \
             financial year (2024/25), calendar year (2024), pooled years (2021-2023) or rolling \
             twelve months (R12-2024-03)";
        for input in [
            "",
            "   ",
            "abc",
            "next year",
            "2024-25-Q1-Q2",
            "20245",
            "2024/25/26",
            "R6-2024-03",
            "FY2024",
            "H1 2024",
            "2024 25",
            "2024-004",
        ] {
            let err = Period::parse(input).unwrap_err();
            assert!(
                matches!(err, PeriodError::Unrecognised { .. }),
                "{input:?}: {err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("{input:?} is not a period: {unrecognised}")
            );
            assert_eq!(err.input(), input);
        }
    }

    #[test]
    fn constructors_validate() {
        assert_eq!(
            Period::month(2024, 13).unwrap_err(),
            PeriodError::Invalid {
                input: "2024-13".into(),
                problem: PeriodProblem::Month(13)
            }
        );
        assert!(Period::quarter(2024, 0).is_err());
        assert!(Period::half(2024, 3).is_err());
        assert!(Period::pooled_years(2021, 2021).is_err());
        assert!(Period::financial_year(i32::MAX).is_err());
        assert!(Period::pooled_years(i32::MIN, i32::MAX).is_err());
        assert!(Period::rolling_twelve_months(i32::MIN, 1).is_err());
        assert!(Period::calendar_year(2200).is_err());
        assert!(Period::calendar_year(2199).is_ok());
    }

    #[test]
    fn serde_uses_the_canonical_code() {
        use serde::de::value::{Error, StrDeserializer, U64Deserializer};
        let period = Period::deserialize(StrDeserializer::<Error>::new("Q1 2024/25")).unwrap();
        assert_eq!(period, p("2024/25-Q1"));
        assert_eq!(
            Period::deserialize(U64Deserializer::<Error>::new(2024)).unwrap(),
            p("2024")
        );
        assert!(Period::deserialize(StrDeserializer::<Error>::new("2024/26")).is_err());
        #[derive(Deserialize)]
        struct Row {
            period: Period,
        }
        let row: Row = toml::from_str("period = \"12 months to March 2024\"").unwrap();
        assert_eq!(row.period, p("R12-2024-03"));
        for kind in [
            PeriodKind::Month,
            PeriodKind::FinancialYear,
            PeriodKind::RollingTwelveMonths,
        ] {
            assert_eq!(
                PeriodKind::deserialize(StrDeserializer::<Error>::new(kind.code())).unwrap(),
                kind
            );
        }
    }

    fn any_period() -> impl Strategy<Value = Period> {
        // Slightly wider than the supported range, so the edges are exercised.
        let y = 1898..=2201i32;
        prop_oneof![
            (y.clone(), 1..=12u8).prop_filter_map("range", |(y, m)| Period::month(y, m).ok()),
            (y.clone(), 1..=4u8).prop_filter_map("range", |(y, q)| Period::quarter(y, q).ok()),
            (y.clone(), 1..=2u8).prop_filter_map("range", |(y, h)| Period::half(y, h).ok()),
            y.clone()
                .prop_filter_map("range", |y| Period::financial_year(y).ok()),
            y.clone()
                .prop_filter_map("range", |y| Period::calendar_year(y).ok()),
            (y.clone(), 1..=19i32).prop_filter_map("range", |(y, n)| Period::pooled_years(
                y,
                y + n
            )
            .ok()),
            (y, 1..=12u8)
                .prop_filter_map("range", |(y, m)| Period::rolling_twelve_months(y, m).ok()),
        ]
    }

    /// Every accepted spelling of `period` other than its canonical code.
    fn synonyms(period: &Period) -> Vec<String> {
        let month_name = |d: Date| d.month().to_string();
        let short = |d: Date| month_name(d).chars().take(3).collect::<String>();
        let fy_forms = |fy: i32| {
            let yy = (fy + 1) % 100;
            let mut forms = vec![
                format!("{fy}/{yy:02}"),
                format!("FY{fy}/{yy:02}"),
                format!("{fy}/{}", fy + 1),
            ];
            // `2011-12` is December 2011, so the dash form only names a financial year when
            // the second number cannot be a month.
            if !(1..=12).contains(&yy) {
                forms.push(format!("{fy}-{yy:02}"));
            }
            forms
        };
        let (start, end) = (period.start(), period.end());
        match period.repr {
            Repr::Month { year, month } => {
                vec![
                    format!("{} {year}", short(start)),
                    format!("{} {year}", month_name(start)),
                    format!("{year}-{month}"),
                ]
            }
            Repr::Quarter { fy, quarter: n } | Repr::Half { fy, half: n } => {
                let letter = if period.kind() == PeriodKind::Quarter {
                    "Q"
                } else {
                    "H"
                };
                let slash = format!("{fy}/{:02}", (fy + 1) % 100);
                let mut forms = vec![
                    format!("{slash} {letter}{n}"),
                    format!("{letter}{n} {slash}"),
                ];
                if letter == "Q" {
                    forms.push(format!("{fy}-{:02} Q{n}", (fy + 1) % 100));
                }
                forms
            }
            Repr::FinancialYear(fy) => fy_forms(fy),
            Repr::CalendarYear(year) => vec![format!("CY{year}")],
            Repr::PooledYears { first, last } => {
                let mut forms = vec![format!("{first} to {last}")];
                let yy = last % 100;
                if last / 100 == first / 100 && yy > 12 && last != first + 1 {
                    forms.push(format!("{first}-{yy:02}"));
                }
                forms
            }
            Repr::RollingTwelveMonths { .. } => vec![
                format!("12 months to {} {}", month_name(end), end.year()),
                format!("12m to {}-{:02}", end.year(), u8::from(end.month())),
            ],
        }
    }

    /// Flips the case of letters by the bits of `seed` and pads with spaces.
    fn mangle(s: &str, seed: u64) -> String {
        let body: String = s
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if (seed >> (i % 60)) & 1 == 1 {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        let pad = " ".repeat(usize::try_from(seed >> 61).unwrap());
        format!("{pad}{body}{pad}")
    }

    proptest! {
        #[test]
        fn canonical_code_round_trips(period in any_period()) {
            prop_assert_eq!(Period::parse(&period.code()), Ok(period));
        }

        #[test]
        fn synonyms_parse_to_the_same_period(period in any_period(), seed in any::<u64>()) {
            for spelling in synonyms(&period) {
                prop_assert_eq!(Period::parse(&spelling), Ok(period), "{}", spelling);
                let mangled = mangle(&spelling, seed);
                prop_assert_eq!(Period::parse(&mangled), Ok(period), "{}", mangled);
            }
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Period::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_misses(s in "[0-9A-Za-z/ -]{0,20}") {
            if let Ok(period) = Period::parse(&s) {
                prop_assert_eq!(Period::parse(&period.code()), Ok(period));
            }
        }

        #[test]
        fn months_lie_within(period in any_period()) {
            prop_assert!(period.start() <= period.end());
            let months = period.months();
            prop_assert_eq!(months.first().map(Period::start), Some(period.start()));
            prop_assert_eq!(months.last().map(Period::end), Some(period.end()));
            for m in &months {
                prop_assert!(period.contains(m));
                prop_assert_eq!(m.quarter_of().map(|q| q.contains(m)), Some(true));
            }
        }

        #[test]
        fn neighbours_are_adjacent(period in any_period()) {
            let (before, after) = (period.previous(), period.next());
            prop_assert_eq!(before.kind(), period.kind());
            if before != period {
                prop_assert!(before < period);
                prop_assert_eq!(before.end().next_day(), Some(period.start()));
                prop_assert_eq!(before.next(), period);
            }
            if after != period {
                prop_assert_eq!(period.end().next_day(), Some(after.start()));
                prop_assert_eq!(after.previous(), period);
            }
        }
    }
}
