//! An engagement's IATI status against its actual dates.
//!
//! IATI's ActivityStatus says where an activity is in its life, and its actual dates say when it
//! began and ended; a donor reading one against the other must not find them disagreeing, and the
//! reports, which count an engagement as active from its start to its end, must not count a closed
//! one as going on for ever. So:
//!
//! - in pipeline (1) it has not started: no actual start;
//! - in implementation (2) it has not ended: no actual end (its start may still be the planned
//!   one);
//! - in finalisation (3) or closed (4) it has ended: an actual end, and so an actual start;
//! - cancelled (5) after it began, it ended when it was cancelled: an actual end if it has an
//!   actual start;
//! - suspended (6) says nothing about the dates.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

const START: &str = "input.actualStart";
const END: &str = "input.actualEnd";

/// Refuses dates the status contradicts, naming the date to give or to take away. `name` is the
/// status's IATI name, for the message.
pub(super) fn check(
    status: &str,
    name: &str,
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
) -> AppResult<()> {
    let said = format!("{status} ({name})");
    let refuse = |field: &str, why: String| Err(AppError::bad_input(field, &why));
    match (status, actual_start, actual_end) {
        ("1", Some(_), _) => refuse(
            START,
            format!(
                "must be left out while the status is {said}: an engagement that has started is \
                 in implementation (status 2)"
            ),
        ),
        ("2", _, Some(_)) => refuse(
            END,
            format!(
                "must be left out while the status is {said}: an engagement that has ended is in \
                 finalisation (status 3) or closed (status 4)"
            ),
        ),
        ("3" | "4", _, None) => refuse(END, format!("is required when the status is {said}")),
        ("5", Some(_), None) => refuse(
            END,
            format!(
                "is required when the status is {said} and an actual start is given: the day it \
                 stopped"
            ),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2020, 1, 1)
    }

    /// The field refused, if any; the message names the status.
    fn refused(status: &str, start: Option<NaiveDate>, end: Option<NaiveDate>) -> Option<String> {
        check(status, "Name", start, end).err().map(|e| match e {
            AppError::BadInput { field, message } => {
                assert!(
                    message.contains(&format!("status is {status} (Name)")),
                    "{message}"
                );
                field
            }
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn pipeline_has_not_started() {
        assert_eq!(refused("1", None, None), None);
        assert_eq!(refused("1", day(), None).as_deref(), Some(START));
    }

    #[test]
    fn implementation_has_not_ended() {
        assert_eq!(refused("2", None, None), None);
        assert_eq!(refused("2", day(), None), None);
        assert_eq!(refused("2", day(), day()).as_deref(), Some(END));
    }

    #[test]
    fn finalisation_and_closed_have_ended() {
        for status in ["3", "4"] {
            assert_eq!(refused(status, day(), day()), None);
            assert_eq!(refused(status, day(), None).as_deref(), Some(END));
            assert_eq!(refused(status, None, None).as_deref(), Some(END));
        }
    }

    #[test]
    fn cancelled_after_it_began_has_ended() {
        assert_eq!(refused("5", None, None), None);
        assert_eq!(refused("5", day(), day()), None);
        assert_eq!(refused("5", day(), None).as_deref(), Some(END));
    }

    #[test]
    fn suspended_takes_any_dates() {
        for (start, end) in [(None, None), (day(), None), (day(), day())] {
            assert_eq!(refused("6", start, end), None);
        }
    }
}
