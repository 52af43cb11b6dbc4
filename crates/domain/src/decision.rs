//! The decision record a decision maker signs with an annual report, as in the Police and
//! Crime Commissioner for Gwent's decision on the 2013/14 Drug Interventions Programme report
//! (seed 004): what was decided, by whom, their declaration of interests and the date. Once
//! signed, the report it goes with is frozen; a later signature makes a new version.

use serde::{Deserialize, Serialize};
use time::Date;

/// The declaration a decision maker confirms, in the words of the seed's decision record.
pub const DECLARATION: &str = "I confirm I have considered whether or not I have any personal or \
     prejudicial interest in this matter and take the proposed decision in compliance with my \
     code of conduct. Any such interests are recorded below.";

/// A signed decision on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The decision's reference, such as `PCCG-2014-066`.
    pub reference: String,
    /// What the report is, such as `Gwent DIP Performance Management Annual Report 2013/14`.
    pub subject: String,
    /// Why the decision is recorded.
    pub summary: String,
    /// The decision, one numbered point per entry.
    pub decisions: Vec<String>,
    /// Who decided.
    pub decision_maker: String,
    /// Their role, such as `Police and Crime Commissioner for Gwent`.
    pub role: String,
    /// Interests declared; `None` when there are none.
    pub interests: String,
    /// The officer to contact about it.
    pub contact: Option<String>,
    /// The date it was signed.
    pub signed_on: Date,
}

/// Why a decision record cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// A field that must be given is blank.
    #[error("{0} is blank: a decision record needs it")]
    Blank(&'static str),
    /// The declaration of interests was not confirmed.
    #[error("the declaration of interests must be confirmed before signing")]
    NotDeclared,
    /// The date is after the day of signing.
    #[error("the date signed, {0}, is in the future")]
    InTheFuture(Date),
}

/// What a decision maker enters, before it is checked.
#[derive(Debug, Clone)]
pub struct DecisionForm<'a> {
    /// See [`DecisionRecord::reference`].
    pub reference: &'a str,
    /// See [`DecisionRecord::subject`].
    pub subject: &'a str,
    /// See [`DecisionRecord::summary`].
    pub summary: &'a str,
    /// The decision: one point a line.
    pub decision: &'a str,
    /// See [`DecisionRecord::decision_maker`].
    pub decision_maker: &'a str,
    /// See [`DecisionRecord::role`].
    pub role: &'a str,
    /// Interests declared; blank means none.
    pub interests: &'a str,
    /// The contact officer, if any.
    pub contact: &'a str,
    /// Whether the declaration of interests was confirmed.
    pub declared: bool,
    /// The date signed.
    pub signed_on: Date,
}

impl DecisionForm<'_> {
    /// Checks the form on `today`: reference, subject, decision, decision maker and role are
    /// required, the declaration must be confirmed, and the date may not be in the future.
    pub fn check(&self, today: Date) -> Result<DecisionRecord, DecisionError> {
        let required = |value: &str, name: &'static str| {
            let value = value.trim();
            if value.is_empty() {
                Err(DecisionError::Blank(name))
            } else {
                Ok(value.to_owned())
            }
        };
        let reference = required(self.reference, "the reference")?;
        let subject = required(self.subject, "the subject")?;
        let decisions: Vec<String> = self
            .decision
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        if decisions.is_empty() {
            return Err(DecisionError::Blank("the decision"));
        }
        let decision_maker = required(self.decision_maker, "the decision maker's name")?;
        let role = required(self.role, "the decision maker's role")?;
        if !self.declared {
            return Err(DecisionError::NotDeclared);
        }
        if self.signed_on > today {
            return Err(DecisionError::InTheFuture(self.signed_on));
        }
        let interests = match self.interests.trim() {
            "" => "None".to_owned(),
            text => text.to_owned(),
        };
        let contact = Some(self.contact.trim())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        Ok(DecisionRecord {
            reference,
            subject,
            summary: self.summary.trim().to_owned(),
            decisions,
            decision_maker,
            role,
            interests,
            contact,
            signed_on: self.signed_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn gwent() -> DecisionForm<'static> {
        DecisionForm {
            reference: "PCCG-2014-066",
            subject: "Gwent Drugs Interventions Programme (DIP) Performance Management Annual Report 2013/14",
            summary: "To record the decision of the Police and Crime Commissioner regarding the monitoring of the DIP performance.",
            decision: "The Gwent DIP has submitted its annual performance monitoring report.\n\n\
                       I commend the report and the excellent work of the DIP service.\n \
                       I have received and monitored the information contained in the report.\n",
            decision_maker: "Ian Johnston QPM",
            role: "Police and Crime Commissioner for Gwent",
            interests: "",
            contact: "Lyn Webber, DIP Manager",
            declared: true,
            signed_on: date!(2014 - 08 - 18),
        }
    }

    #[test]
    fn the_gwent_decision_is_recorded_point_by_point() {
        let record = gwent().check(date!(2014 - 08 - 18)).unwrap();
        assert_eq!(record.decisions.len(), 3);
        assert_eq!(
            record.decisions[2],
            "I have received and monitored the information contained in the report."
        );
        assert_eq!(record.interests, "None");
        assert_eq!(record.contact.as_deref(), Some("Lyn Webber, DIP Manager"));
    }

    #[test]
    fn a_record_needs_its_fields_a_declaration_and_a_date_not_yet_to_come() {
        let today = date!(2014 - 08 - 18);
        let mut form = gwent();
        form.decision = " \n ";
        assert_eq!(form.check(today), Err(DecisionError::Blank("the decision")));
        let mut form = gwent();
        form.role = "";
        assert_eq!(
            form.check(today),
            Err(DecisionError::Blank("the decision maker's role"))
        );
        let mut form = gwent();
        form.declared = false;
        assert_eq!(form.check(today), Err(DecisionError::NotDeclared));
        let mut form = gwent();
        form.signed_on = date!(2014 - 08 - 19);
        assert_eq!(
            form.check(today),
            Err(DecisionError::InTheFuture(date!(2014 - 08 - 19)))
        );
    }
}
