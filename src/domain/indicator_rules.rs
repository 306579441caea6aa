//! The rules an indicator's fields and values keep, as pure functions: values by measure,
//! baselines, SDG references, disaggregation dimensions and codes. Each error names the field.

use chrono::Datelike;

use super::indicators::{Baseline, Dimension, Measure};
use super::validate;
use crate::error::{AppError, AppResult};

/// A baseline as a client sends it.
#[derive(Clone, Debug, Default)]
pub struct BaselineInput {
    pub year: Option<i64>,
    pub date: Option<String>,
    pub value: Option<f64>,
    pub comment: Option<String>,
}

/// An indicator code: letters, digits and a few separators.
pub fn validate_code(code: &str) -> AppResult<String> {
    let code = validate::required_text("input.code", code, 60)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c))
    {
        return Err(AppError::bad_input(
            "input.code",
            "must be letters, digits, -, _, ., / or : (e.g. GLOZ85-IDN-OC1.1)",
        ));
    }
    validate::begins_with_letter_or_digit("input.code", &code)?;
    Ok(code)
}

/// A baseline needs its year (or a date, which gives the year) and a value by the measure's rule.
pub fn validate_baseline(measure: Measure, b: BaselineInput) -> AppResult<Baseline> {
    let date = b
        .date
        .as_deref()
        .map(|d| validate::date("input.baseline.date", d))
        .transpose()?;
    let year = match (b.year, date) {
        (Some(y), _) if !(1900..=2200).contains(&y) => {
            return Err(AppError::bad_input(
                "input.baseline.year",
                "must be a year between 1900 and 2200",
            ));
        }
        (Some(y), Some(d)) if i64::from(d.year()) != y => {
            return Err(AppError::bad_input(
                "input.baseline.date",
                &format!("must fall in the baseline year {y}"),
            ));
        }
        (Some(y), _) => y,
        (None, Some(d)) => i64::from(d.year()),
        (None, None) => {
            return Err(AppError::bad_input(
                "input.baseline.year",
                "is required (or give input.baseline.date)",
            ));
        }
    };
    let comment = validate::optional_text(
        "input.baseline.comment",
        b.comment.as_deref(),
        validate::LONG_TEXT,
    )?;
    check_value(
        measure,
        b.value,
        &comment,
        "input.baseline.value",
        "input.baseline.comment",
    )?;
    Ok(Baseline {
        year: Some(year),
        date: date.map(|d| d.to_string()),
        value: b.value,
        comment,
    })
}

/// Checks the dimensions an indicator allows: named, each with at least one value, none twice.
///
/// `country` is not a dimension name: a value for one country is recorded with `country`, and
/// the IATI export writes it as a `country` dimension, which one of the indicator's own would
/// then meet in the same value. Names differing only in case would read as one dimension.
pub fn validate_dimensions(field: &str, dims: Vec<Dimension>) -> AppResult<Vec<Dimension>> {
    let mut out: Vec<Dimension> = Vec::with_capacity(dims.len());
    for (i, d) in dims.into_iter().enumerate() {
        let name = validate::required_text(&format!("{field}[{i}].name"), &d.name, 100)?;
        if name.eq_ignore_ascii_case("country") {
            return Err(AppError::bad_input(
                &format!("{field}[{i}].name"),
                "country is not a dimension name: record a value for one country with \
                 input.country on setIndicatorTarget or recordIndicatorActual",
            ));
        }
        if out
            .iter()
            .any(|o| o.name.to_lowercase() == name.to_lowercase())
        {
            return Err(AppError::bad_input(
                &format!("{field}[{i}].name"),
                &format!("names dimension {name} twice (names are compared ignoring case)"),
            ));
        }
        if d.values.is_empty() {
            return Err(AppError::bad_input(
                &format!("{field}[{i}].values"),
                "must list at least one value",
            ));
        }
        let mut values = Vec::with_capacity(d.values.len());
        for (j, v) in d.values.iter().enumerate() {
            values.push(validate::required_text(
                &format!("{field}[{i}].values[{j}]"),
                v,
                100,
            )?);
        }
        validate::distinct(&format!("{field}[{i}].values"), &values)?;
        out.push(Dimension { name, values });
    }
    Ok(out)
}

/// The value rule of every baseline, target and actual: a number for quantitative measures
/// (a count of units not negative, a percentage from 0 to 100), none for qualitative ones, which need a narrative instead.
pub fn check_value(
    measure: Measure,
    value: Option<f64>,
    comment: &str,
    value_field: &str,
    comment_field: &str,
) -> AppResult<()> {
    match (measure, value) {
        (Measure::Qualitative, Some(_)) => Err(AppError::bad_input(
            value_field,
            &format!(
                "must be left out for a qualitative indicator: describe it in {comment_field}"
            ),
        )),
        (Measure::Qualitative, None) if comment.trim().is_empty() => Err(AppError::bad_input(
            comment_field,
            "is required for a qualitative indicator (it takes a narrative, not a number)",
        )),
        (Measure::Qualitative, None) => Ok(()),
        (m, None) => Err(AppError::bad_input(
            value_field,
            &format!("is required for {} indicator", m.describe()),
        )),
        (m, Some(v)) => {
            validate::finite(value_field, v)?;
            if m == Measure::Percentage && !(0.0..=100.0).contains(&v) {
                return Err(AppError::bad_input(
                    value_field,
                    "must be a percentage from 0 to 100",
                ));
            }
            if m == Measure::Unit && v < 0.0 {
                return Err(AppError::bad_input(
                    value_field,
                    "must not be negative for a unit indicator (it counts something)",
                ));
            }
            // After the measure's own range, so a unit value far below zero reads as negative.
            validate::magnitude(value_field, v)?;
            Ok(())
        }
    }
}

/// Checks an SDG indicator reference such as 16.3.2 (goal, target, indicator) and returns the
/// target it belongs to (16.3), which the caller checks against the UNSDG-Targets codelist.
pub fn sdg_indicator(field: &str, value: &str) -> AppResult<(String, String)> {
    let v = value.trim().to_ascii_lowercase();
    let parts: Vec<&str> = v.split('.').collect();
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_digit())
    };
    let ok = parts.len() == 3
        && digits(parts[0], 2)
        && !parts[1].is_empty()
        && parts[1].len() <= 2
        && parts[1]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        && digits(parts[2], 2);
    if !ok {
        return Err(AppError::bad_input(
            field,
            "must be an SDG indicator written goal.target.indicator, e.g. 16.3.2",
        ));
    }
    let target = format!("{}.{}", parts[0], parts[1]);
    Ok((v, target))
}

/// Checks an SDG reference used as a filter: a goal (16), target (16.3) or indicator (16.3.2).
pub fn sdg_prefix(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim().to_ascii_lowercase();
    let ok = !v.is_empty()
        && v.len() <= 8
        && v.split('.').count() <= 3
        && v.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        });
    if !ok {
        return Err(AppError::bad_input(
            field,
            "must be an SDG goal, target or indicator, e.g. 16, 16.3 or 16.3.2",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicators::dimensions_from_pairs;

    #[test]
    fn values_are_numbers_for_quantitative_measures_and_narratives_for_qualitative_ones() {
        let check = |m, v, c: &str| check_value(m, v, c, "input.value", "input.comment");
        assert!(check(Measure::Unit, Some(12.0), "").is_ok());
        let e = check(Measure::Unit, None, "").unwrap_err();
        assert_eq!(
            e.client_message(),
            "input.value: is required for a unit indicator"
        );
        assert!(check(Measure::Percentage, Some(100.0), "").is_ok());
        assert!(check(Measure::Percentage, Some(100.5), "").is_err());
        assert!(check(Measure::Percentage, Some(-1.0), "").is_err());
        let e = check(Measure::Unit, Some(-3.0), "").unwrap_err();
        assert!(
            e.client_message()
                .starts_with("input.value: must not be negative")
        );
        assert!(check(Measure::Unit, Some(0.0), "").is_ok());
        assert!(check(Measure::Ordinal, Some(-2.0), "").is_ok());
        assert!(check(Measure::Ordinal, Some(f64::NAN), "").is_err());
        let e = check(Measure::Qualitative, Some(1.0), "done").unwrap_err();
        assert!(
            e.client_message()
                .starts_with("input.value: must be left out")
        );
        let e = check(Measure::Qualitative, None, " ").unwrap_err();
        assert!(e.client_message().starts_with("input.comment: is required"));
        assert!(check(Measure::Qualitative, None, "Procedure adopted").is_ok());
    }

    #[test]
    fn sdg_indicators_are_goal_target_indicator() {
        assert_eq!(
            sdg_indicator("f", "16.3.2").unwrap(),
            ("16.3.2".to_string(), "16.3".to_string())
        );
        assert_eq!(sdg_indicator("f", "16.A.1").unwrap().1, "16.a");
        for bad in [
            "16.3", "16.3.2.1", "163.3.2", "16..2", "16.3.x", "16.abc.1", "",
        ] {
            assert!(sdg_indicator("f", bad).is_err(), "{bad}");
        }
        assert_eq!(sdg_prefix("f", "16.3").unwrap(), "16.3");
        assert!(sdg_prefix("f", "16%").is_err());
    }

    #[test]
    fn dimensions_need_distinct_names_and_values() {
        let d = |n: &str, v: &[&str]| Dimension {
            name: n.into(),
            values: v.iter().map(|s| s.to_string()).collect(),
        };
        assert!(
            validate_dimensions("input.dimensions", vec![d("sex", &["female", "male"])]).is_ok()
        );
        let e = validate_dimensions("input.dimensions", vec![d("sex", &["female", "female"])]);
        assert_eq!(
            e.unwrap_err().client_message(),
            "input.dimensions[0].values: lists female twice"
        );
        for second in ["sex", "SEX"] {
            let e = validate_dimensions(
                "input.dimensions",
                vec![d("sex", &["a"]), d(second, &["b"])],
            );
            assert!(matches!(
                e.unwrap_err(),
                AppError::BadInput { field, .. } if field == "input.dimensions[1].name"
            ));
        }
        for country in ["country", "Country"] {
            let e = validate_dimensions("input.dimensions", vec![d(country, &["IDN"])]);
            assert!(matches!(
                e.unwrap_err(),
                AppError::BadInput { field, .. } if field == "input.dimensions[0].name"
            ));
        }
        let grouped = dimensions_from_pairs(vec![
            ("age".into(), "adult".into()),
            ("sex".into(), "female".into()),
            ("sex".into(), "male".into()),
        ]);
        assert_eq!(
            grouped,
            vec![d("age", &["adult"]), d("sex", &["female", "male"])]
        );
    }

    #[test]
    fn baselines_need_a_year_and_a_value_by_the_measure() {
        let b = |year, date: Option<&str>, value| BaselineInput {
            year,
            date: date.map(str::to_string),
            value,
            comment: None,
        };
        let ok = validate_baseline(Measure::Unit, b(None, Some("2019-06-30"), Some(3.0))).unwrap();
        assert_eq!(ok.year, Some(2019));
        let field = |r: AppResult<Baseline>| match r {
            Err(AppError::BadInput { field, .. }) => field,
            _ => panic!("expected bad input"),
        };
        assert_eq!(
            field(validate_baseline(Measure::Unit, b(None, None, Some(1.0)))),
            "input.baseline.year"
        );
        assert_eq!(
            field(validate_baseline(
                Measure::Unit,
                b(Some(2020), Some("2019-06-30"), Some(1.0))
            )),
            "input.baseline.date"
        );
        assert_eq!(
            field(validate_baseline(Measure::Unit, b(Some(2019), None, None))),
            "input.baseline.value"
        );
        assert_eq!(
            field(validate_baseline(
                Measure::Percentage,
                b(Some(2019), None, Some(101.0))
            )),
            "input.baseline.value"
        );
        assert_eq!(
            field(validate_baseline(
                Measure::Qualitative,
                b(Some(2019), None, None)
            )),
            "input.baseline.comment"
        );
    }

    #[test]
    fn codes_are_plain() {
        assert_eq!(
            validate_code(" GLOZ85-IDN-OC1.1 ").unwrap(),
            "GLOZ85-IDN-OC1.1"
        );
        assert!(validate_code("has space").is_err());
        assert!(validate_code("").is_err());
        // A spreadsheet would read -A1 as a formula in the CSV export.
        assert!(validate_code("-A1").is_err());
        assert!(validate_code(".5").is_err());
    }
}
