//! The value types of an activity: its kind and its participants by sex.

use crate::domain::validate;
use crate::error::{AppError, AppResult};
use crate::storage::activities::ActivityRow;

/// What kind of thing was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum, serde::Serialize)]
pub enum ActivityKind {
    /// A training course, e.g. of prison staff on the Nelson Mandela Rules.
    Training,
    /// A workshop, e.g. to draft a policy or a procedure.
    Workshop,
    /// An assessment, e.g. of a prison system's classification and risk assessment.
    Assessment,
    /// An advisory mission of experts to the country.
    AdvisoryMission,
    /// A study visit of national officials to another country.
    StudyVisit,
    /// Delivery of equipment.
    EquipmentDelivery,
    /// A conference.
    Conference,
    /// Anything else.
    Other,
}

impl ActivityKind {
    /// The value stored in `activities.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Training => "training",
            ActivityKind::Workshop => "workshop",
            ActivityKind::Assessment => "assessment",
            ActivityKind::AdvisoryMission => "advisory_mission",
            ActivityKind::StudyVisit => "study_visit",
            ActivityKind::EquipmentDelivery => "equipment_delivery",
            ActivityKind::Conference => "conference",
            ActivityKind::Other => "other",
        }
    }

    /// Reads a stored value; anything unknown reads as Other (the table's check forbids it).
    pub fn parse(s: &str) -> ActivityKind {
        [
            ActivityKind::Training,
            ActivityKind::Workshop,
            ActivityKind::Assessment,
            ActivityKind::AdvisoryMission,
            ActivityKind::StudyVisit,
            ActivityKind::EquipmentDelivery,
            ActivityKind::Conference,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .unwrap_or(ActivityKind::Other)
    }
}

/// Participant counts as a client sends them: on update, a count left out keeps its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: Option<i64>,
    pub female: Option<i64>,
    pub male: Option<i64>,
}

/// Participants by sex; whatever is not reported as female or male is `unreported`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Participants {
    pub total: i64,
    pub female: i64,
    pub male: i64,
}

impl Participants {
    /// Checks counts given at `field` (e.g. `input.participants`): none negative or beyond
    /// `validate::MAX_HEADCOUNT`, and the parts never exceed the total.
    pub fn parse(field: &str, total: i64, female: i64, male: i64) -> AppResult<Participants> {
        validate::headcount(&format!("{field}.total"), total)?;
        validate::headcount(&format!("{field}.female"), female)?;
        validate::headcount(&format!("{field}.male"), male)?;
        if female + male > total {
            // Name the part that cannot fit on its own, else the first one.
            let part = if male > total && female <= total {
                "male"
            } else {
                "female"
            };
            return Err(AppError::bad_input(
                &format!("{field}.{part}"),
                &format!(
                    "female ({female}) and male ({male}) participants together exceed the total ({total})"
                ),
            ));
        }
        Ok(Participants {
            total,
            female,
            male,
        })
    }

    /// The counts after a change that gives some of them (`None` keeps the recorded one). When
    /// only the total was given and the recorded parts no longer fit in it, the total is what the
    /// refusal names, since the parts were not sent.
    pub fn changed(field: &str, recorded: Participants, change: Counts) -> AppResult<Participants> {
        let total = change.total.unwrap_or(recorded.total);
        let female = change.female.unwrap_or(recorded.female);
        let male = change.male.unwrap_or(recorded.male);
        if change.total.is_some()
            && change.female.is_none()
            && change.male.is_none()
            && total >= 0
            && female + male > total
        {
            return Err(AppError::bad_input(
                &format!("{field}.total"),
                &format!(
                    "is less than the female ({female}) and male ({male}) participants recorded \
                     together; give female and male with it"
                ),
            ));
        }
        Participants::parse(field, total, female, male)
    }

    pub fn unreported_count(&self) -> i64 {
        self.total - self.female - self.male
    }

    pub fn of(row: &ActivityRow) -> Participants {
        Participants {
            total: row.participants_total,
            female: row.participants_female,
            male: row.participants_male,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreported_participants_are_what_the_parts_leave_of_the_total() {
        let p = Participants::parse("input.participants", 30, 12, 15).unwrap();
        assert_eq!(p.unreported_count(), 3);
        assert_eq!(
            Participants::parse("p", 0, 0, 0)
                .unwrap()
                .unreported_count(),
            0
        );
    }

    #[test]
    fn parts_over_the_total_and_negative_counts_are_refused_by_field() {
        let err = Participants::parse("input.participants", 20, 12, 10).unwrap_err();
        assert_eq!(
            err.client_message(),
            "input.participants.female: female (12) and male (10) participants together \
             exceed the total (20)"
        );
        let err = Participants::parse("input.participants", 5, 0, 6).unwrap_err();
        assert!(err.client_message().starts_with("input.participants.male:"));
        let err = Participants::parse("input.participants", -1, 0, 0).unwrap_err();
        assert!(
            err.client_message()
                .starts_with("input.participants.total:")
        );
    }

    #[test]
    fn kinds_round_trip_through_their_stored_values() {
        for k in [
            ActivityKind::Training,
            ActivityKind::AdvisoryMission,
            ActivityKind::EquipmentDelivery,
            ActivityKind::Other,
        ] {
            assert_eq!(ActivityKind::parse(k.as_str()), k);
        }
    }
}
