//! Delivery plans (`../shared/spec/plans.md`): a plan of an area is a tree of themes,
//! objectives and outcomes ending in numbered actions. Each action has leads, a deadline as
//! written (and read as a date where one can be), a delivery status separate from any
//! metric's performance, the metrics it is meant to move, and an append-only history of
//! updates.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::area::AreaCode;
use crate::metric::{MetricId, vocabulary};

vocabulary!(
    /// How the delivery of an action stands: a judgement of the action itself, separate from
    /// how the metrics it is meant to move are doing.
    DeliveryStatus, "delivery status" {
        /// Not started yet.
        NotStarted => "not_started",
        /// Off track: needs intervention.
        Red => "red",
        /// At risk.
        Amber => "amber",
        /// On track.
        Green => "green",
        /// Complete.
        Blue => "blue",
        /// Stopped, or merged into another action.
        Closed => "closed",
    }
);

impl DeliveryStatus {
    /// Reads a status as plans write it: a code, or `R`, `A`, `G`, `B`, `Red`, `Amber`,
    /// `Green`, `Blue`, `Complete`, `Completed`, `Not started` (any case). Blank is
    /// [`DeliveryStatus::NotStarted`].
    pub fn read(text: &str) -> Result<Self, crate::metric::VocabularyError> {
        let wanted = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        let status = match wanted.as_str() {
            "" => Self::NotStarted,
            "r" => Self::Red,
            "a" => Self::Amber,
            "g" => Self::Green,
            "b" | "complete" | "completed" => Self::Blue,
            _ => {
                return Self::parse(&wanted).map_err(|mut error| {
                    error.value = text.to_owned();
                    error.expected.push_str(" (or R, A, G, B, Complete)");
                    error
                });
            }
        };
        Ok(status)
    }

    /// The words shown for the status, e.g. `Red: off track`.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::Red => "Red: off track",
            Self::Amber => "Amber: at risk",
            Self::Green => "Green: on track",
            Self::Blue => "Blue: complete",
            Self::Closed => "Closed",
        }
    }

    /// A symbol that tells the status apart without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::NotStarted => "○",
            Self::Red => "✖",
            Self::Amber => "▲",
            Self::Green => "●",
            Self::Blue => "✔",
            Self::Closed => "■",
        }
    }

    /// Whether the action is finished with (complete or closed), so it cannot be overdue.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Blue | Self::Closed)
    }
}

/// A deadline as written in a plan, with the date read from it where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The text as written, such as `By end March 2009` or `Business as usual`.
    pub text: String,
    /// The date it names, if any: see [`read_deadline_date`].
    pub date: Option<Date>,
}

impl Deadline {
    /// A deadline from its text, reading the date it names.
    pub fn new(text: &str) -> Self {
        let text = text.trim().to_owned();
        let date = read_deadline_date(&text);
        Self { text, date }
    }
}

/// Reads the date a deadline names, as `plans.md` sets out: the first full date in the text
/// (ISO `2024-03-31`, or UK day-first `31/03/2024`, `01.05.24`), else the first month with a
/// year, read as the month's last day (`By end March 2009` → 2009-03-31). Text with neither
/// (`Ongoing`, `Business as usual`, `Subject to evaluation`, a bare year) has no date. A
/// month that starts something (`from April 2008`) is not a deadline, nor is any month in
/// text that calls the action ongoing (`May 2008 – ongoing`).
pub fn read_deadline_date(text: &str) -> Option<Date> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .find_map(|word| full_date(word.trim_end_matches(['.', ':'])))
        .or_else(|| {
            if text.to_ascii_lowercase().contains("ongoing") {
                return None;
            }
            let starts = |word: &str| {
                ["from", "since", "starting"].contains(&word.to_ascii_lowercase().as_str())
            };
            words.windows(2).enumerate().find_map(|(at, pair)| {
                if at > 0 && words.get(at - 1).is_some_and(|w| starts(w)) {
                    return None;
                }
                let month = month_named(pair.first()?)?;
                let year: i32 = pair.get(1)?.trim_end_matches(['.', ':']).parse().ok()?;
                if !(1900..=2200).contains(&year) {
                    return None;
                }
                last_day_of(year, month)
            })
        })
}

/// A whole date in one word: `2024-03-31`, `31/03/2024`, `31.03.2024`, `01.05.24`.
fn full_date(word: &str) -> Option<Date> {
    let numbers = |separator: char| -> Option<Vec<u32>> {
        let parts: Vec<&str> = word.split(separator).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        parts.iter().map(|p| p.parse().ok()).collect()
    };
    let (year, month, day) = if let Some(iso) = numbers('-') {
        match iso.as_slice() {
            [y, m, d] if *y >= 1000 => (*y, *m, *d),
            _ => return None,
        }
    } else {
        let dmy = numbers('/').or_else(|| numbers('.'))?;
        match dmy.as_slice() {
            [d, m, y] if *y >= 1000 => (*y, *m, *d),
            // A two-digit year is this century's: plans are recent.
            [d, m, y] if *y < 100 => (2000 + *y, *m, *d),
            _ => return None,
        }
    };
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// The month a word names, in full or abbreviated (`March`, `Mar`, `Sept`), any case.
fn month_named(word: &str) -> Option<Month> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    const MONTHS: [(&str, Month); 12] = [
        ("january", Month::January),
        ("february", Month::February),
        ("march", Month::March),
        ("april", Month::April),
        ("may", Month::May),
        ("june", Month::June),
        ("july", Month::July),
        ("august", Month::August),
        ("september", Month::September),
        ("october", Month::October),
        ("november", Month::November),
        ("december", Month::December),
    ];
    MONTHS.iter().find_map(|&(name, month)| {
        let matches = word == name || (word.len() >= 3 && name.starts_with(word.as_str()));
        matches.then_some(month)
    })
}

fn last_day_of(year: i32, month: Month) -> Option<Date> {
    Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()
}

/// One dated entry in an action's history. Updates are only ever added, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionUpdate {
    /// The date the update is about, if it was given one.
    pub date: Option<Date>,
    /// Who wrote it (for an imported update, the import).
    pub author: String,
    /// What it says.
    pub text: String,
    /// The local authority it is about, when it is about one.
    pub area_code: Option<AreaCode>,
    /// The delivery status set with it.
    pub status: DeliveryStatus,
}

/// An action of a plan with where it sits in the plan's tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAction {
    /// Its number or code, unique in the plan.
    pub action_no: String,
    /// What is to be done.
    pub action: String,
    /// The theme it sits under, if the plan has themes.
    pub theme: Option<String>,
    /// The objective it serves.
    pub objective: String,
    /// Who leads the objective.
    pub objective_lead: Option<String>,
    /// The outcome it serves, if stated.
    pub outcome: Option<String>,
    /// Who leads it: organisations or people.
    pub leads: Vec<String>,
    /// Resources, as written.
    pub resources: Option<String>,
    /// When it is due.
    pub deadline: Deadline,
    /// How its delivery stands now.
    pub status: DeliveryStatus,
    /// How its impact is measured, as written.
    pub measures: Option<String>,
    /// The metrics it is meant to move.
    pub metric_ids: Vec<MetricId>,
    /// Where it applies, as written (the national plan's coverage).
    pub coverage: Option<String>,
    /// Its history, oldest first.
    pub updates: Vec<ActionUpdate>,
}

impl PlanAction {
    /// Whether the action is overdue on `as_of`: its deadline names a date before then and
    /// it is neither complete nor closed.
    pub fn is_overdue(&self, as_of: Date) -> bool {
        !self.status.is_finished() && self.deadline.date.is_some_and(|due| due < as_of)
    }

    /// The date of its latest dated update.
    pub fn last_updated(&self) -> Option<Date> {
        self.updates.iter().filter_map(|u| u.date).max()
    }

    /// Whether it has gone more than [`STALE_AFTER_DAYS`] without a dated update (or has
    /// none) on `as_of`, while not finished.
    pub fn is_stale(&self, as_of: Date) -> bool {
        !self.status.is_finished()
            && self
                .last_updated()
                .is_none_or(|last| (as_of - last).whole_days() > STALE_AFTER_DAYS)
    }

    /// Why the board should look at it on `as_of`, in words: red, amber, overdue, or no
    /// recent update. Empty when it is none of these.
    pub fn exception_reasons(&self, as_of: Date) -> Vec<&'static str> {
        let mut reasons = Vec::new();
        match self.status {
            DeliveryStatus::Red => reasons.push("red: off track"),
            DeliveryStatus::Amber => reasons.push("amber: at risk"),
            _ => {}
        }
        if self.is_overdue(as_of) {
            reasons.push("overdue");
        }
        if self.is_stale(as_of) {
            reasons.push("no update for 90 days");
        }
        reasons
    }

    /// Whether it belongs in the exception view on `as_of` (see
    /// [`PlanAction::exception_reasons`]).
    pub fn is_exception(&self, as_of: Date) -> bool {
        !self.exception_reasons(as_of).is_empty()
    }
}

/// How long an action may go without a dated update before it counts as an exception.
pub const STALE_AFTER_DAYS: i64 = 90;

/// Actions counted by delivery status: one objective's, or a whole plan's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCounts {
    /// The objective, or `All objectives` for a plan's total.
    pub objective: String,
    /// How many actions have each status, in the order of [`DeliveryStatus::ALL`].
    pub counts: Vec<usize>,
    /// How many are overdue.
    pub overdue: usize,
    /// How many actions in all.
    pub total: usize,
}

impl StatusCounts {
    fn of(objective: String, actions: &[&PlanAction], as_of: Date) -> Self {
        Self {
            objective,
            counts: DeliveryStatus::ALL
                .iter()
                .map(|status| actions.iter().filter(|a| a.status == *status).count())
                .collect(),
            overdue: actions.iter().filter(|a| a.is_overdue(as_of)).count(),
            total: actions.len(),
        }
    }
}

/// The board's status summary of a plan's actions on `as_of`: one row per objective in the
/// order objectives first appear, then the plan's total.
pub fn status_summary(actions: &[&PlanAction], as_of: Date) -> (Vec<StatusCounts>, StatusCounts) {
    let mut objectives: Vec<&str> = Vec::new();
    for action in actions {
        if !objectives.contains(&action.objective.as_str()) {
            objectives.push(&action.objective);
        }
    }
    let rows = objectives
        .into_iter()
        .map(|objective| {
            let of_objective: Vec<&PlanAction> = actions
                .iter()
                .copied()
                .filter(|a| a.objective == objective)
                .collect();
            StatusCounts::of(objective.to_owned(), &of_objective, as_of)
        })
        .collect();
    (
        rows,
        StatusCounts::of("All objectives".to_owned(), actions, as_of),
    )
}

/// A delivery plan of an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Its title, unique among the area's plans.
    pub title: String,
    /// The partnership or area it belongs to (England for a national plan).
    pub area_code: AreaCode,
    /// Its actions, in plan order.
    pub actions: Vec<PlanAction>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn action(objective: &str, status: DeliveryStatus, deadline: &str) -> PlanAction {
        PlanAction {
            action_no: "1".to_owned(),
            action: "Do it".to_owned(),
            theme: None,
            objective: objective.to_owned(),
            objective_lead: None,
            outcome: None,
            leads: Vec::new(),
            resources: None,
            deadline: Deadline::new(deadline),
            status,
            measures: None,
            metric_ids: Vec::new(),
            coverage: None,
            updates: Vec::new(),
        }
    }

    #[test]
    fn exceptions_are_red_amber_overdue_or_without_a_recent_update() {
        let as_of = date!(2024 - 06 - 30);
        let mut green = action("A", DeliveryStatus::Green, "31/03/2025");
        green.updates.push(ActionUpdate {
            date: Some(date!(2024 - 05 - 01)),
            author: "lead".to_owned(),
            text: "on track".to_owned(),
            area_code: None,
            status: DeliveryStatus::Green,
        });
        assert!(!green.is_exception(as_of));
        assert!(
            green.is_stale(date!(2024 - 07 - 31)),
            "91 days after the update"
        );
        assert!(!green.is_stale(date!(2024 - 07 - 30)), "90 days after it");
        let red_overdue = action("A", DeliveryStatus::Red, "31/03/2024");
        assert_eq!(
            red_overdue.exception_reasons(as_of),
            ["red: off track", "overdue", "no update for 90 days"]
        );
        let done = action("B", DeliveryStatus::Blue, "31/03/2024");
        assert!(
            !done.is_exception(as_of),
            "a complete action is never an exception"
        );
    }

    #[test]
    fn the_status_summary_counts_each_objective_and_the_plan() {
        let as_of = date!(2024 - 06 - 30);
        let actions = [
            action("A", DeliveryStatus::Red, "31/03/2024"),
            action("B", DeliveryStatus::Green, ""),
            action("A", DeliveryStatus::Red, "31/03/2025"),
            action("A", DeliveryStatus::Blue, "31/03/2024"),
        ];
        let refs: Vec<&PlanAction> = actions.iter().collect();
        let (rows, total) = status_summary(&refs, as_of);
        let red = DeliveryStatus::ALL
            .iter()
            .position(|s| *s == DeliveryStatus::Red)
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].objective.as_str(), rows[0].total), ("A", 3));
        assert_eq!((rows[0].counts[red], rows[0].overdue), (2, 1));
        assert_eq!((rows[1].objective.as_str(), rows[1].total), ("B", 1));
        assert_eq!((total.total, total.counts[red], total.overdue), (4, 2, 1));
        assert_eq!(total.counts.iter().sum::<usize>(), 4);
    }

    #[test]
    fn deadlines_are_read_as_plans_md_sets_out() {
        let cases = [
            ("2024-03-31", Some(date!(2024 - 03 - 31))),
            ("31/03/2024", Some(date!(2024 - 03 - 31))),
            ("Start of contract 01.05.24", Some(date!(2024 - 05 - 01))),
            ("By end March 2009", Some(date!(2009 - 03 - 31))),
            ("March 2009", Some(date!(2009 - 03 - 31))),
            ("December 2008", Some(date!(2008 - 12 - 31))),
            ("By September 2008", Some(date!(2008 - 09 - 30))),
            ("February 2024", Some(date!(2024 - 02 - 29))),
            ("Ongoing, from April 2008", None),
            ("From May 2008", None),
            ("May 2008 – ongoing", None),
            (
                "First phase roll-out completed by March 2008 – full IDTS",
                Some(date!(2008 - 03 - 31)),
            ),
            ("Ongoing", None),
            ("Business as usual", None),
            ("Subject to evaluation", None),
            ("2009", None),
            ("2008/09", None),
            ("Spring/summer 2008", None),
            ("31/02/2024", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(read_deadline_date(text), expected, "{text:?}");
        }
    }

    #[test]
    fn statuses_are_read_in_the_forms_plans_use() {
        for (text, status) in [
            ("", DeliveryStatus::NotStarted),
            ("R", DeliveryStatus::Red),
            ("amber", DeliveryStatus::Amber),
            ("Green", DeliveryStatus::Green),
            ("B", DeliveryStatus::Blue),
            ("Completed", DeliveryStatus::Blue),
            ("complete", DeliveryStatus::Blue),
            ("closed", DeliveryStatus::Closed),
            ("Not started", DeliveryStatus::NotStarted),
            ("not_started", DeliveryStatus::NotStarted),
        ] {
            assert_eq!(DeliveryStatus::read(text), Ok(status), "{text:?}");
        }
        let error = DeliveryStatus::read("purple").map(|_| ()).unwrap_err();
        assert!(error.to_string().contains("purple"), "{error}");
    }

    #[test]
    fn only_unfinished_actions_past_their_date_are_overdue() {
        let mut action = PlanAction {
            action_no: "1".into(),
            action: "Do it".into(),
            theme: None,
            objective: "O".into(),
            objective_lead: None,
            outcome: None,
            leads: vec![],
            resources: None,
            deadline: Deadline::new("By end March 2009"),
            status: DeliveryStatus::Green,
            measures: None,
            metric_ids: vec![],
            coverage: None,
            updates: vec![],
        };
        assert!(!action.is_overdue(date!(2009 - 03 - 31)));
        assert!(action.is_overdue(date!(2009 - 04 - 01)));
        action.status = DeliveryStatus::Blue;
        assert!(!action.is_overdue(date!(2009 - 04 - 01)));
        action.status = DeliveryStatus::Amber;
        action.deadline = Deadline::new("Ongoing");
        assert!(!action.is_overdue(date!(2030 - 01 - 01)));
    }
}
