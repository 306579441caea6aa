//! Rules on single input values, each naming the field it was given as.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// The longest single-line text we accept (titles, names).
pub const SHORT_TEXT: usize = 500;
/// The longest multi-line text we accept (descriptions, statements).
pub const LONG_TEXT: usize = 20_000;

/// Trimmed, non-empty, at most `max` characters, no control characters but newlines and tabs.
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    checked_text(field, v, max)
}

/// Like `required_text`, but empty is allowed (and stored as empty).
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<String> {
    checked_text(field, value.unwrap_or("").trim(), max)
}

/// A list filter's value, trimmed; None when the filter was left out. Blank is refused: a
/// filter that names nothing (an empty search box or menu sent as it is) is a mistake, and read
/// as left out it would list more than was asked for.
pub fn filter_text(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None => Ok(None),
        Some("") => Err(AppError::bad_input(field, "must not be blank")),
        Some(v) => Ok(Some(v.to_string())),
    }
}

fn checked_text(field: &str, v: &str, max: usize) -> AppResult<String> {
    if v.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            &format!("must be at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(AppError::bad_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v.to_string())
}

/// An ISO 8601 calendar date, `YYYY-MM-DD`, between the years 1900 and 2200.
pub fn date(field: &str, value: &str) -> AppResult<NaiveDate> {
    let value = value.trim();
    // Exactly YYYY-MM-DD: chrono alone would take 2026-3-2, which is not how the API writes dates.
    let written = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !written {
        return Err(AppError::bad_input(
            field,
            "must be a date written YYYY-MM-DD",
        ));
    }
    let d = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        AppError::bad_input(field, &format!("{value} is not a day of the calendar"))
    })?;
    if !(1900..=2200).contains(&chrono::Datelike::year(&d)) {
        return Err(AppError::bad_input(
            field,
            "must be between the years 1900 and 2200",
        ));
    }
    Ok(d)
}

/// `start` must not come after `end`; the error names the end field.
pub fn date_order(end_field: &str, start: NaiveDate, end: NaiveDate) -> AppResult<()> {
    if end < start {
        return Err(AppError::bad_input(
            end_field,
            &format!("must not be before the start date {start}"),
        ));
    }
    Ok(())
}

/// `start` must not come after `end`, in a write that may keep the end the record has. A patch
/// that moves only the start past the kept end is wrong in its start, which it gave, so the error
/// names the start field; otherwise it names the end field, as `date_order` does.
pub fn date_order_kept(
    start_field: &str,
    end_field: &str,
    start: NaiveDate,
    end: NaiveDate,
    end_kept: bool,
) -> AppResult<()> {
    if end < start && end_kept {
        return Err(AppError::bad_input(
            start_field,
            &format!("must not be after the end date {end}; give the new end date with it"),
        ));
    }
    date_order(end_field, start, end)
}

/// An actual date, which has happened: not after today (UTC) plus a day of grace, since a
/// user ahead of UTC may be on tomorrow already. IATI refuses actual dates in the future; what
/// is only expected is a planned date.
pub fn happened(field: &str, d: NaiveDate) -> AppResult<NaiveDate> {
    happened_by(field, d, chrono::Utc::now().date_naive())
}

fn happened_by(field: &str, d: NaiveDate, today: NaiveDate) -> AppResult<NaiveDate> {
    not_after_tomorrow(field, d, today, |latest| {
        format!(
            "is an actual date and must not be after {latest}; give a date still to come as a \
             planned date"
        )
    })
}

/// An activity's first day: it is logged once it has begun, so, as for actual dates, not after
/// today (UTC) plus a day of grace. Its last day may be still to come.
pub fn begun(field: &str, d: NaiveDate) -> AppResult<NaiveDate> {
    not_after_tomorrow(field, d, chrono::Utc::now().date_naive(), |latest| {
        format!(
            "must not be after {latest}: an activity is logged once it has begun, with who took \
             part"
        )
    })
}

/// The first day of the period an indicator's actual is recorded for: what was achieved is
/// recorded once the period has begun, so, as for actual dates, not after today (UTC) plus a day
/// of grace. Its last day may be still to come (progress so far); a period ahead takes a target.
pub fn period_begun(field: &str, d: NaiveDate) -> AppResult<NaiveDate> {
    not_after_tomorrow(field, d, chrono::Utc::now().date_naive(), |latest| {
        format!(
            "must not be after {latest}: an actual is what was achieved, recorded once its period \
             has begun; set what is expected of a period still to come as a target"
        )
    })
}

fn not_after_tomorrow(
    field: &str,
    d: NaiveDate,
    today: NaiveDate,
    refusal: impl Fn(NaiveDate) -> String,
) -> AppResult<NaiveDate> {
    let latest = today + chrono::Days::new(1);
    if d > latest {
        return Err(AppError::bad_input(field, &refusal(latest)));
    }
    Ok(d)
}

/// A non-negative whole number.
pub fn non_negative(field: &str, value: i64) -> AppResult<i64> {
    if value < 0 {
        return Err(AppError::bad_input(field, "must not be negative"));
    }
    Ok(value)
}

/// The most people one activity or event may count: more than any training or conference
/// gathers, and small enough that a million records of it add up without overflow.
pub const MAX_HEADCOUNT: i64 = 1_000_000;

/// A count of people: not negative and at most `MAX_HEADCOUNT`.
pub fn headcount(field: &str, value: i64) -> AppResult<i64> {
    non_negative(field, value)?;
    if value > MAX_HEADCOUNT {
        return Err(AppError::bad_input(
            field,
            &format!("must be at most {MAX_HEADCOUNT} people"),
        ));
    }
    Ok(value)
}

/// The largest amount or indicator value taken (a thousand billion): beyond any budget line or
/// measure here, and far enough from the floating-point limit that totals stay finite.
pub const MAX_MAGNITUDE: f64 = 1e12;

/// A finite number no further from zero than `MAX_MAGNITUDE`; the refusal names the bound it
/// crossed.
pub fn magnitude(field: &str, value: f64) -> AppResult<f64> {
    let value = finite(field, value)?;
    if value > MAX_MAGNITUDE {
        return Err(AppError::bad_input(
            field,
            &format!("must be at most {MAX_MAGNITUDE}"),
        ));
    }
    if value < -MAX_MAGNITUDE {
        return Err(AppError::bad_input(
            field,
            &format!("must be at least -{MAX_MAGNITUDE}"),
        ));
    }
    Ok(value)
}

/// An amount of money: not negative, and at most `MAX_MAGNITUDE`. A negative amount is refused
/// as negative however large, since no budget may be below zero.
pub fn amount(field: &str, value: f64) -> AppResult<f64> {
    if finite(field, value)? < 0.0 {
        return Err(AppError::bad_input(field, "must not be negative"));
    }
    magnitude(field, value)
}

/// The most decimal places a percentage may have.
pub const PERCENTAGE_PLACES: usize = 6;

/// A percentage share: more than 0, at most 100, with at most `PERCENTAGE_PLACES` decimals (so
/// that shares adding up to 100 here add up to exactly 100 as the IATI export writes them).
pub fn percentage(field: &str, value: f64) -> AppResult<f64> {
    if !value.is_finite() || value <= 0.0 || value > 100.0 {
        return Err(AppError::bad_input(
            field,
            "must be a percentage above 0 and at most 100",
        ));
    }
    // The shortest text that reads back as the value: what a client sent, and what is exported.
    let text = value.to_string();
    let places = text.split_once('.').map_or(0, |(_, f)| f.len());
    if places > PERCENTAGE_PLACES {
        return Err(AppError::bad_input(
            field,
            &format!("must have at most {PERCENTAGE_PLACES} decimal places, not {text}"),
        ));
    }
    Ok(value)
}

/// Shares that must add up to exactly 100, as IATI requires of recipient countries and
/// sectors. Each share counts to the millionth (as many places as `percentage` allows, so the
/// count is exact for accepted shares), so 33.33 + 33.33 + 33.34 is 100 and three times
/// 33.333 is not.
pub fn sums_to_hundred(field: &str, values: &[f64]) -> AppResult<()> {
    let millionths: i64 = values.iter().map(|v| (v * 1e6).round() as i64).sum();
    if millionths != 100_000_000 {
        let total = format!("{}.{:06}", millionths / 1_000_000, millionths % 1_000_000);
        let total = total.trim_end_matches('0').trim_end_matches('.');
        return Err(AppError::bad_input(
            field,
            &format!("percentages must add up to exactly 100, not {total}"),
        ));
    }
    Ok(())
}

/// A finite number (no NaN or infinity).
pub fn finite(field: &str, value: f64) -> AppResult<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(AppError::bad_input(field, "must be a finite number"))
    }
}

/// An http(s) URL without spaces.
pub fn url(field: &str, value: &str) -> AppResult<String> {
    let v = required_text(field, value, 2_000)?;
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() > 8
        && !v.contains(char::is_whitespace);
    if !ok {
        return Err(AppError::bad_input(
            field,
            "must be an http:// or https:// URL",
        ));
    }
    Ok(v)
}

/// Characters IATI forbids in activity and organisation identifiers (its rules 1.3.13 and
/// 1.12.13): identifiers are used in URLs and queries, which these break.
const NOT_IN_IDENTIFIERS: [char; 4] = ['/', '&', '|', '?'];

/// An IATI identifier, of an activity or an organisation: trimmed, a prefix and a code joined by
/// a hyphen, at most `max` characters, with no spaces, control characters or any of `/ & | ?`.
/// `form` says what is expected, for the message: "an IATI organisation identifier such as ...".
pub fn iati_identifier(field: &str, value: &str, max: usize, form: &str) -> AppResult<String> {
    let v = value.trim();
    if let Some(c) = v.chars().find(|c| NOT_IN_IDENTIFIERS.contains(c)) {
        return Err(AppError::bad_input(
            field,
            &format!("must not contain {c}: IATI identifiers may not hold /, &, | or ?"),
        ));
    }
    let blank = v.chars().any(|c| c.is_whitespace() || c.is_control());
    if blank || !v.contains('-') || v.chars().count() > max {
        return Err(AppError::bad_input(field, &format!("must be {form}")));
    }
    Ok(v.to_string())
}

/// No value may appear twice in a list.
pub fn distinct<T: PartialEq + std::fmt::Display>(field: &str, values: &[T]) -> AppResult<()> {
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(AppError::bad_input(field, &format!("lists {v} twice")));
        }
    }
    Ok(())
}

/// A code's first character: a letter or a digit. The CSV files write codes as they are, and a
/// spreadsheet reads a cell beginning with `-` (or `+`, `=`, `@`) as a formula (`-A1` shows the
/// negated cell A1, `-X-2` an error).
pub fn begins_with_letter_or_digit(field: &str, code: &str) -> AppResult<()> {
    if code.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(AppError::bad_input(
            field,
            "must begin with a letter or a digit",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_filter_is_refused_naming_it_and_one_left_out_is_none() {
        assert_eq!(
            filter_text("filter.region", Some(" 143 ")).unwrap(),
            Some("143".to_string())
        );
        assert_eq!(filter_text("filter.region", None).unwrap(), None);
        for blank in ["", " \t\n"] {
            let err = filter_text("filter.region", Some(blank)).unwrap_err();
            assert_eq!(err.client_message(), "filter.region: must not be blank");
        }
    }

    #[test]
    fn text_is_trimmed_and_must_not_be_empty_or_hold_control_characters() {
        assert_eq!(required_text("t", "  a b ", 10).unwrap(), "a b");
        assert_eq!(
            required_text("input.title", "   ", 10)
                .unwrap_err()
                .client_message(),
            "input.title: must not be empty"
        );
        assert!(required_text("t", "a\u{0}b", 10).is_err());
        assert!(required_text("t", "abcdefghijk", 10).is_err());
        assert_eq!(optional_text("t", None, 10).unwrap(), "");
    }

    #[test]
    fn dates_are_iso_and_ordered() {
        assert_eq!(date("d", "2019-06-28").unwrap().to_string(), "2019-06-28");
        assert!(date("d", "28/06/2019").is_err());
        assert!(date("d", "2019-02-30").is_err());
        assert!(date("d", "0001-01-01").is_err());
        let a = date("d", "2020-01-02").unwrap();
        let b = date("d", "2020-01-01").unwrap();
        assert_eq!(
            date_order("input.endDate", a, b)
                .unwrap_err()
                .client_message(),
            "input.endDate: must not be before the start date 2020-01-02"
        );
        assert!(date_order("e", b, a).is_ok());
        assert_eq!(
            date_order_kept("input.startDate", "input.endDate", a, b, true)
                .unwrap_err()
                .client_message(),
            "input.startDate: must not be after the end date 2020-01-01; give the new end date \
             with it"
        );
        assert_eq!(
            date_order_kept("input.startDate", "input.endDate", a, b, false)
                .unwrap_err()
                .client_message(),
            "input.endDate: must not be before the start date 2020-01-02"
        );
        assert!(date_order_kept("s", "e", b, a, true).is_ok());
    }

    #[test]
    fn actual_dates_may_be_tomorrow_at_the_latest() {
        let today = date("d", "2026-12-31").unwrap();
        let on = |d: &str| happened_by("input.actualEnd", date("d", d).unwrap(), today);
        assert!(on("2019-06-28").is_ok());
        assert!(on("2026-12-31").is_ok());
        assert!(on("2027-01-01").is_ok(), "a day of grace for time zones");
        assert_eq!(
            on("2027-01-02").unwrap_err().client_message(),
            "input.actualEnd: is an actual date and must not be after 2027-01-01; give a date \
             still to come as a planned date"
        );
    }

    #[test]
    fn dates_are_written_yyyy_mm_dd_and_are_days_of_the_calendar() {
        assert_eq!(
            date("d", " 2024-02-29 ").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "2026-3-2",
            "2026/03/02",
            "26-03-02",
            "2026-03-02T00:00",
            "+2026-03-0",
        ] {
            assert_eq!(
                date("d", bad).unwrap_err().client_message(),
                "d: must be a date written YYYY-MM-DD",
                "{bad}"
            );
        }
        assert_eq!(
            date("d", "2026-02-30").unwrap_err().client_message(),
            "d: 2026-02-30 is not a day of the calendar"
        );
    }

    #[test]
    fn an_activity_has_begun_by_tomorrow_at_the_latest() {
        let today = chrono::Utc::now().date_naive();
        assert!(begun("input.startDate", today + chrono::Days::new(1)).is_ok());
        let e = begun("input.startDate", today + chrono::Days::new(2)).unwrap_err();
        assert!(
            e.client_message()
                .starts_with("input.startDate: must not be after "),
            "{}",
            e.client_message()
        );
    }

    #[test]
    fn an_out_of_range_number_is_told_which_bound_it_crossed() {
        let message = |r: AppResult<f64>| match r {
            Err(AppError::BadInput { message, .. }) => message,
            _ => panic!("not refused"),
        };
        assert_eq!(magnitude("v", -1e12).unwrap(), -1e12);
        assert_eq!(
            message(magnitude("v", 2e12)),
            "must be at most 1000000000000"
        );
        assert_eq!(
            message(magnitude("v", -2e12)),
            "must be at least -1000000000000"
        );
        assert_eq!(amount("a", 0.0).unwrap(), 0.0);
        assert_eq!(amount("a", 1e12).unwrap(), 1e12);
        assert_eq!(message(amount("a", 1e308)), "must be at most 1000000000000");
        assert_eq!(message(amount("a", -0.01)), "must not be negative");
        assert_eq!(message(amount("a", -5e12)), "must not be negative");
        assert_eq!(message(amount("a", f64::NAN)), "must be a finite number");
    }

    #[test]
    fn percentages_are_in_range_and_shares_sum_to_hundred() {
        assert!(percentage("p", 0.0).is_err());
        assert!(percentage("p", 100.5).is_err());
        assert!(percentage("p", f64::NAN).is_err());
        assert!(sums_to_hundred("c", &[33.33, 33.33, 33.34]).is_ok());
        assert!(sums_to_hundred("c", &[50.0, 40.0]).is_err());
        let e = sums_to_hundred("c", &[33.333, 33.333, 33.333]).unwrap_err();
        assert!(e.client_message().contains("not 99.999"), "{e:?}");
        assert!(sums_to_hundred("c", &[33.3333333, 33.3333333, 33.3333334]).is_err());
        assert!(sums_to_hundred("c", &[12.5, 87.5]).is_ok());
    }

    #[test]
    fn percentages_have_at_most_six_decimal_places() {
        assert!(percentage("p", 33.333333).is_ok());
        assert!(percentage("p", 0.000001).is_ok());
        assert_eq!(
            percentage("input.sectors[0].percentage", 50.0000004)
                .unwrap_err()
                .client_message(),
            "input.sectors[0].percentage: must have at most 6 decimal places, not 50.0000004"
        );
        assert!(percentage("p", 0.0000001).is_err());
    }

    #[test]
    fn iati_identifiers_have_a_hyphen_and_none_of_the_characters_iati_forbids() {
        let id = |v: &str| iati_identifier("input.iatiRef", v, 20, "an identifier");
        assert_eq!(id(" XM-DAC-8 ").unwrap(), "XM-DAC-8");
        assert_eq!(id("XM-DAC-8_a.b:c").unwrap(), "XM-DAC-8_a.b:c");
        for bad in ["XM-DAC/8", "XM-DAC&8", "XM-DAC|8", "XM-DAC-8?"] {
            let e = id(bad).unwrap_err().client_message();
            assert!(
                e.starts_with("input.iatiRef: must not contain "),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            id("XM-DAC-8?x").unwrap_err().client_message(),
            "input.iatiRef: must not contain ?: IATI identifiers may not hold /, &, | or ?"
        );
        for bad in [
            "XMDAC8",
            "XM-DAC 8",
            "XM-DAC\u{1}8",
            "XM-DAC-0123456789abcd",
        ] {
            assert_eq!(
                id(bad).unwrap_err().client_message(),
                "input.iatiRef: must be an identifier",
                "{bad}"
            );
        }
    }

    #[test]
    fn urls_must_be_http() {
        assert!(url("u", "https://www.unodc.org/x.pdf").is_ok());
        assert!(url("u", "javascript:alert(1)").is_err());
        assert!(url("u", "https://a b").is_err());
    }
}
