//! Reporting periods: the shapes clients ask for (a year, a quarter, a month, a fiscal year, or
//! explicit dates) resolved to one inclusive span of calendar dates.

use chrono::{Duration, NaiveDate};

use crate::domain::validate;
use crate::error::{AppError, AppResult};

/// A period as the client wrote it; exactly one shape must be given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeriodSpec {
    pub year: Option<i32>,
    pub quarter: Option<i32>,
    pub month: Option<i32>,
    pub fiscal_year: Option<i32>,
    /// The month a fiscal year starts in; 1 (or absent) means the calendar year.
    pub fiscal_year_start_month: Option<i32>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// An inclusive span of calendar dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The first day as stored, `YYYY-MM-DD`.
    pub fn from_text(&self) -> String {
        self.from.to_string()
    }

    /// The last day as stored.
    pub fn to_text(&self) -> String {
        self.to.to_string()
    }

    /// The day after the last, for comparing instants (`YYYY-MM-DDTHH:...`) as text:
    /// an instant is in the period when `from <= instant < after`.
    pub fn after_text(&self) -> String {
        (self.to + Duration::days(1)).to_string()
    }
}

const FIELD: &str = "period";

fn field(name: &str) -> String {
    format!("{FIELD}.{name}")
}

fn year_in_range(name: &str, year: i32) -> AppResult<i32> {
    if (1900..=2200).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::bad_input(
            &field(name),
            "must be a year between 1900 and 2200",
        ))
    }
}

fn in_range(name: &str, value: i32, low: i32, high: i32) -> AppResult<u32> {
    if (low..=high).contains(&value) {
        Ok(value as u32)
    } else {
        Err(AppError::bad_input(
            &field(name),
            &format!("must be from {low} to {high}"),
        ))
    }
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).expect("month checked to be 1..=12")
}

fn last_of(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        first_of(year + 1, 1)
    } else {
        first_of(year, month + 1)
    };
    next - Duration::days(1)
}

/// Refuses a field that does not belong to the chosen shape.
fn refuse(given: bool, name: &str, shape: &str) -> AppResult<()> {
    if given {
        Err(AppError::bad_input(
            &field(name),
            &format!("cannot be combined with {shape}; give exactly one period shape"),
        ))
    } else {
        Ok(())
    }
}

/// Resolves a period to its first and last day. The shapes:
/// - `{year}`: the calendar year; `{year, quarter}`: quarter 1..4; `{year, month}`: month 1..12.
/// - `{fiscalYear, fiscalYearStartMonth}`: a fiscal year is named by the calendar year in which
///   it ENDS. With start month 1 it is the calendar year; with start month m > 1, fiscal year N
///   runs from the first of month m of year N-1 to the last day of month m-1 of year N (start
///   month 7: FY2021 = 2020-07-01 .. 2021-06-30).
/// - `{from, to}`: explicit inclusive dates.
pub fn resolve(spec: &PeriodSpec) -> AppResult<Period> {
    let dates = spec.from.is_some() || spec.to.is_some();
    let fiscal = spec.fiscal_year.is_some();
    let calendar = spec.year.is_some();
    // A start month of 1 is the documented default, so it may ride along with any shape.
    let start_month_given = spec.fiscal_year_start_month.is_some_and(|m| m != 1);

    if calendar {
        refuse(fiscal, "fiscalYear", "period.year")?;
        refuse(
            dates,
            if spec.from.is_some() { "from" } else { "to" },
            "period.year",
        )?;
        refuse(start_month_given, "fiscalYearStartMonth", "period.year")?;
        let year = year_in_range("year", spec.year.unwrap_or_default())?;
        return match (spec.quarter, spec.month) {
            (Some(_), Some(_)) => Err(AppError::bad_input(
                &field("month"),
                "cannot be combined with period.quarter; give a quarter or a month",
            )),
            (Some(q), None) => {
                let q = in_range("quarter", q, 1, 4)?;
                Ok(Period {
                    from: first_of(year, 3 * q - 2),
                    to: last_of(year, 3 * q),
                })
            }
            (None, Some(m)) => {
                let m = in_range("month", m, 1, 12)?;
                Ok(Period {
                    from: first_of(year, m),
                    to: last_of(year, m),
                })
            }
            (None, None) => Ok(Period {
                from: first_of(year, 1),
                to: last_of(year, 12),
            }),
        };
    }
    if spec.quarter.is_some() || spec.month.is_some() {
        let name = if spec.quarter.is_some() {
            "quarter"
        } else {
            "month"
        };
        return Err(AppError::bad_input(
            &field("year"),
            &format!("is required with period.{name}"),
        ));
    }
    if fiscal {
        refuse(
            dates,
            if spec.from.is_some() { "from" } else { "to" },
            "period.fiscalYear",
        )?;
        let year = year_in_range("fiscalYear", spec.fiscal_year.unwrap_or_default())?;
        let start = in_range(
            "fiscalYearStartMonth",
            spec.fiscal_year_start_month.unwrap_or(1),
            1,
            12,
        )?;
        return Ok(if start == 1 {
            Period {
                from: first_of(year, 1),
                to: last_of(year, 12),
            }
        } else {
            Period {
                from: first_of(year - 1, start),
                to: last_of(year, start - 1),
            }
        });
    }
    if start_month_given {
        return Err(AppError::bad_input(
            &field("fiscalYearStartMonth"),
            "only applies with period.fiscalYear",
        ));
    }
    match (&spec.from, &spec.to) {
        (Some(from), Some(to)) => {
            let from = validate::date(&field("from"), from)?;
            let to = validate::date(&field("to"), to)?;
            validate::date_order(&field("to"), from, to)?;
            Ok(Period { from, to })
        }
        (Some(_), None) => Err(AppError::bad_input(
            &field("to"),
            "is required with period.from",
        )),
        (None, Some(_)) => Err(AppError::bad_input(
            &field("from"),
            "is required with period.to",
        )),
        (None, None) => Err(AppError::bad_input(
            FIELD,
            "give exactly one of: year (optionally with quarter or month), fiscalYear \
             (optionally with fiscalYearStartMonth), or from and to",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(spec: PeriodSpec) -> (String, String) {
        let p = resolve(&spec).unwrap_or_else(|e| panic!("{spec:?}: {e:?}"));
        (p.from_text(), p.to_text())
    }

    fn error(spec: PeriodSpec) -> (String, String) {
        match resolve(&spec) {
            Err(AppError::BadInput { field, message }) => (field, message),
            other => panic!("expected BAD_USER_INPUT for {spec:?}, got {other:?}"),
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn a_year_a_quarter_and_a_month_cover_their_calendar_days() {
        let year = |y| PeriodSpec {
            year: Some(y),
            ..Default::default()
        };
        assert_eq!(span(year(2021)), ("2021-01-01".into(), "2021-12-31".into()));
        let q = |q| PeriodSpec {
            quarter: Some(q),
            ..year(2021)
        };
        assert_eq!(span(q(1)), ("2021-01-01".into(), "2021-03-31".into()));
        assert_eq!(span(q(2)), ("2021-04-01".into(), "2021-06-30".into()));
        assert_eq!(span(q(4)), ("2021-10-01".into(), "2021-12-31".into()));
        let m = |y, m| PeriodSpec {
            month: Some(m),
            ..year(y)
        };
        assert_eq!(span(m(2024, 2)), ("2024-02-01".into(), "2024-02-29".into()));
        assert_eq!(span(m(2023, 2)), ("2023-02-01".into(), "2023-02-28".into()));
        assert_eq!(
            span(m(2021, 12)),
            ("2021-12-01".into(), "2021-12-31".into())
        );
    }

    #[test]
    fn a_fiscal_year_is_named_by_the_year_it_ends_in() {
        let fy = |y, m| PeriodSpec {
            fiscal_year: Some(y),
            fiscal_year_start_month: m,
            ..Default::default()
        };
        assert_eq!(
            span(fy(2021, None)),
            ("2021-01-01".into(), "2021-12-31".into())
        );
        assert_eq!(
            span(fy(2021, Some(1))),
            ("2021-01-01".into(), "2021-12-31".into())
        );
        assert_eq!(
            span(fy(2021, Some(7))),
            ("2020-07-01".into(), "2021-06-30".into())
        );
        assert_eq!(
            span(fy(2021, Some(4))),
            ("2020-04-01".into(), "2021-03-31".into())
        );
        assert_eq!(
            span(fy(2024, Some(3))),
            ("2023-03-01".into(), "2024-02-29".into())
        );
        assert_eq!(
            span(fy(2021, Some(12))),
            ("2020-12-01".into(), "2021-11-30".into())
        );
    }

    #[test]
    fn explicit_dates_are_inclusive_and_ordered() {
        let dates = |f: &str, t: &str| PeriodSpec {
            from: s(f),
            to: s(t),
            ..Default::default()
        };
        assert_eq!(
            span(dates("2021-03-15", "2021-03-15")),
            ("2021-03-15".into(), "2021-03-15".into())
        );
        let p = resolve(&dates("2021-01-01", "2021-12-31")).unwrap();
        assert_eq!(p.after_text(), "2022-01-01");
        assert_eq!(error(dates("2021-02-01", "2021-01-31")).0, "period.to");
        assert_eq!(error(dates("2021-02-30", "2021-03-01")).0, "period.from");
    }

    #[test]
    fn anything_but_exactly_one_shape_is_refused_by_field() {
        let cases = [
            (PeriodSpec::default(), "period"),
            (
                PeriodSpec {
                    year: Some(2021),
                    fiscal_year: Some(2021),
                    ..Default::default()
                },
                "period.fiscalYear",
            ),
            (
                PeriodSpec {
                    year: Some(2021),
                    from: s("2021-01-01"),
                    ..Default::default()
                },
                "period.from",
            ),
            (
                PeriodSpec {
                    year: Some(2021),
                    quarter: Some(1),
                    month: Some(2),
                    ..Default::default()
                },
                "period.month",
            ),
            (
                PeriodSpec {
                    year: Some(2021),
                    quarter: Some(5),
                    ..Default::default()
                },
                "period.quarter",
            ),
            (
                PeriodSpec {
                    year: Some(2021),
                    month: Some(0),
                    ..Default::default()
                },
                "period.month",
            ),
            (
                PeriodSpec {
                    quarter: Some(2),
                    ..Default::default()
                },
                "period.year",
            ),
            (
                PeriodSpec {
                    fiscal_year: Some(2021),
                    fiscal_year_start_month: Some(13),
                    ..Default::default()
                },
                "period.fiscalYearStartMonth",
            ),
            (
                PeriodSpec {
                    fiscal_year: Some(2021),
                    to: s("2021-01-01"),
                    ..Default::default()
                },
                "period.to",
            ),
            (
                PeriodSpec {
                    fiscal_year_start_month: Some(7),
                    from: s("2021-01-01"),
                    to: s("2021-02-01"),
                    ..Default::default()
                },
                "period.fiscalYearStartMonth",
            ),
            (
                PeriodSpec {
                    from: s("2021-01-01"),
                    ..Default::default()
                },
                "period.to",
            ),
            (
                PeriodSpec {
                    year: Some(1850),
                    ..Default::default()
                },
                "period.year",
            ),
        ];
        for (spec, expected) in cases {
            assert_eq!(error(spec.clone()).0, expected, "{spec:?}");
        }
    }
}
