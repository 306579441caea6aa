//! Tidy CSV exports: `indicators.csv` (one row per indicator × period × country ×
//! disaggregation value, target and actual side by side), `activities.csv` (one row per
//! activity) and `budgets.csv` (one row per budget line of an engagement). Written with the `csv` crate (RFC 4180 quoting) page by page in keyset order, so
//! memory does not grow with the number of rows.
//!
//! Spreadsheet formula injection: a text cell starting with `=`, `+`, `-` or `@` is written with
//! a leading single quote, so a spreadsheet shows it as text instead of running it. Only text
//! fields (titles, names, places, comments, ...) are guarded; ids, codes, dates and numbers are
//! written as they are (a negative number keeps its minus sign).

mod budgets;
mod data;

use std::borrow::Cow;

use futures_util::Stream;

use crate::domain::indicators::Measure;
use crate::domain::{geography, validate};
use crate::error::{AppError, AppResult};
use crate::storage::geography::Area;
use crate::storage::scope::Scope;
use crate::storage::{Db, programmes};

/// Indicators, activities or engagements (with their budget lines) fetched per statement round.
const PAGE: i64 = 200;

/// Which file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    /// indicators.csv: one row per indicator × period × country × disaggregation value.
    Indicators,
    /// activities.csv: one row per activity.
    Activities,
    /// budgets.csv: one row per budget line of an engagement.
    Budgets,
}

impl Table {
    /// The file name offered for download.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Indicators => "indicators.csv",
            Table::Activities => "activities.csv",
            Table::Budgets => "budgets.csv",
        }
    }

    fn header(self) -> &'static [&'static str] {
        match self {
            Table::Indicators => &[
                "indicator_id",
                "indicator_code",
                "indicator_title",
                "measure",
                "result_id",
                "result_title",
                "result_type",
                "engagement_id",
                "engagement_title",
                "programme_code",
                "period_start",
                "period_end",
                "country_iso3",
                "country_name",
                "dimension_name",
                "dimension_value",
                "baseline_value",
                "target_value",
                "actual_value",
                "comment",
            ],
            Table::Activities => &[
                "activity_id",
                "engagement_id",
                "engagement_title",
                "programme_code",
                "kind",
                "title",
                "start_date",
                "end_date",
                "country_iso3",
                "country_name",
                "sub_region",
                "place",
                "participants_total",
                "participants_female",
                "participants_male",
                "participants_unreported",
                "target_group",
            ],
            Table::Budgets => budgets::HEADER,
        }
    }
}

/// The filters as the caller wrote them (query string or command line).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CsvFilter {
    /// A programme code.
    pub programme: Option<String>,
    /// A country: ISO3, ISO2 or M49.
    pub country: Option<String>,
    /// An M49 region at any level ("001" is the world) or a grouping code.
    pub region: Option<String>,
    /// Rows whose period (indicators, budgets) or dates (activities) end on or after this date.
    pub from: Option<String>,
    /// Rows whose period or dates start on or before this date.
    pub to: Option<String>,
    /// `true` to begin the file with a UTF-8 byte order mark, by which Excel knows the file is
    /// UTF-8 (without it, Excel reads "Côte d'Ivoire" as "CÃ´te d'Ivoire"); `false` or absent:
    /// none.
    pub bom: Option<String>,
}

/// The filters resolved: codes checked, dates validated.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub programme_code: Option<String>,
    pub country_iso3: Option<String>,
    pub area: Option<Area>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Begin with a UTF-8 byte order mark.
    pub bom: bool,
}

impl CsvFilter {
    /// Resolves the codes; an unknown code or a bad date is the caller's error, not an empty file.
    pub async fn resolve(&self, db: &Db, scope: &Scope) -> AppResult<Filter> {
        // A parameter given blank (region=) is refused by name, as the API refuses one.
        let given = |field: &str, s: &Option<String>| validate::filter_text(field, s.as_deref());
        let mut f = Filter::default();
        if let Some(code) = given("programme", &self.programme)? {
            let code = code.to_ascii_uppercase();
            let p = programmes::find_by_code(db.pool(), scope, &code)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input("programme", &format!("there is no programme {code}"))
                })?;
            f.programme_code = Some(p.code);
        }
        if let Some(code) = given("country", &self.country)? {
            let c = geography::country(db, &code).await?.ok_or_else(|| {
                AppError::bad_input("country", &format!("{code} is not a known country code"))
            })?;
            f.country_iso3 = Some(c.iso3);
        }
        if let Some(code) = given("region", &self.region)? {
            f.area = Some(geography::area(db, "region", &code).await?);
        }
        let date = |field: &str, v: Option<String>| {
            v.map(|d| validate::date(field, &d).map(|d| d.to_string()))
                .transpose()
        };
        f.from = date("from", given("from", &self.from)?)?;
        f.to = date("to", given("to", &self.to)?)?;
        if let (Some(from), Some(to)) = (&f.from, &f.to)
            && to < from
        {
            return Err(AppError::bad_input("to", "must not be before from"));
        }
        f.bom = match given("bom", &self.bom)?.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(AppError::bad_input(
                    "bom",
                    &format!("must be true or false, not {other}"),
                ));
            }
        };
        Ok(f)
    }
}

/// A text cell, guarded against spreadsheet formula injection.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// One comment for a slot: the target's and the actual's, labelled when both are there.
fn comment(target: Option<&str>, actual: Option<&str>) -> String {
    let (t, a) = (target.unwrap_or(""), actual.unwrap_or(""));
    match (t.is_empty(), a.is_empty()) {
        (false, false) if t != a => format!("target: {t} | actual: {a}"),
        (false, _) => t.to_string(),
        _ => a.to_string(),
    }
}

/// The measure as the API spells it (`UNIT`, `QUALITATIVE`), so the two can be joined.
fn measure_name(code: &str) -> &'static str {
    match Measure::from_code(code) {
        Some(Measure::Unit) => "UNIT",
        Some(Measure::Percentage) => "PERCENTAGE",
        Some(Measure::Nominal) => "NOMINAL",
        Some(Measure::Ordinal) => "ORDINAL",
        Some(Measure::Qualitative) => "QUALITATIVE",
        None => "",
    }
}

/// The UTF-8 byte order mark, first in a file asked for with `bom`.
const BOM: &str = "\u{feff}";

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> AppResult<Vec<u8>> {
    w.into_inner()
        .map_err(|e| AppError::internal("write CSV", e.to_string()))
}

fn csv_error(e: csv::Error) -> AppError {
    AppError::internal("write CSV", e)
}

/// The rows of one page, and the keyset (last id) and size of the page read.
async fn page(
    db: &Db,
    scope: &Scope,
    f: &Filter,
    table: Table,
    after: i64,
    limit: i64,
) -> AppResult<(Vec<u8>, Option<i64>, i64)> {
    let mut w = writer();
    match table {
        Table::Indicators => {
            let indicators = data::indicators(db.pool(), scope, f, after, limit).await?;
            let ids: Vec<i64> = indicators.iter().map(|i| i.id).collect();
            let slots = data::slots(db.pool(), scope, f, &ids).await?;
            let by_id: std::collections::HashMap<i64, &data::IndicatorRow> =
                indicators.iter().map(|i| (i.id, i)).collect();
            for s in &slots {
                let Some(i) = by_id.get(&s.indicator_id) else {
                    continue;
                };
                let comment = comment(s.target_comment.as_deref(), s.actual_comment.as_deref());
                w.write_record([
                    i.id.to_string().as_str(),
                    &i.code,
                    &text(&i.title),
                    measure_name(&i.measure),
                    &i.result_id.to_string(),
                    &text(&i.result_title),
                    &i.result_type,
                    &i.engagement_id.map(|e| e.to_string()).unwrap_or_default(),
                    &text(i.engagement_title.as_deref().unwrap_or("")),
                    &i.programme_code,
                    &s.period_start,
                    &s.period_end,
                    s.country_iso3.as_deref().unwrap_or(""),
                    &text(s.country_name.as_deref().unwrap_or("")),
                    &text(&s.dimension_name),
                    &text(&s.dimension_value),
                    &number(i.baseline_value),
                    &number(s.target_value),
                    &number(s.actual_value),
                    &text(&comment),
                ])
                .map_err(csv_error)?;
            }
            Ok((finish(w)?, ids.last().copied(), ids.len() as i64))
        }
        Table::Activities => {
            let rows = data::activities(db.pool(), scope, f, after, limit).await?;
            for a in &rows {
                let unreported = a.participants_total - a.participants_female - a.participants_male;
                w.write_record([
                    a.id.to_string().as_str(),
                    &a.engagement_id.to_string(),
                    &text(&a.engagement_title),
                    &a.programme_code,
                    // As the API spells it (ADVISORY_MISSION), so the two can be joined.
                    &a.kind.to_ascii_uppercase(),
                    &text(&a.title),
                    &a.start_date,
                    &a.end_date,
                    &a.country_iso3,
                    &text(&a.country_name),
                    &text(&a.sub_region),
                    &text(&a.place),
                    &a.participants_total.to_string(),
                    &a.participants_female.to_string(),
                    &a.participants_male.to_string(),
                    &unreported.to_string(),
                    &text(&a.target_group),
                ])
                .map_err(csv_error)?;
            }
            Ok((finish(w)?, rows.last().map(|a| a.id), rows.len() as i64))
        }
        Table::Budgets => {
            let (last, read) = budgets::page(db.pool(), scope, f, &mut w, after, limit).await?;
            Ok((finish(w)?, last, read))
        }
    }
}

enum State {
    Header,
    Page(i64),
    Done,
}

/// The export as a stream of byte chunks: the header line, then one chunk per page.
pub fn stream(
    db: Db,
    scope: Scope,
    filter: Filter,
    table: Table,
) -> impl Stream<Item = AppResult<Vec<u8>>> + Send + 'static {
    stream_paged(db, scope, filter, table, PAGE)
}

/// [`stream`] reading `limit` records per round (small pages let tests cross boundaries).
pub fn stream_paged(
    db: Db,
    scope: Scope,
    filter: Filter,
    table: Table,
    limit: i64,
) -> impl Stream<Item = AppResult<Vec<u8>>> + Send + 'static {
    let limit = limit.max(1);
    futures_util::stream::unfold(State::Header, move |state| {
        let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
        async move {
            match state {
                State::Header => {
                    let start = if filter.bom { BOM.as_bytes() } else { b"" };
                    let mut w = csv::WriterBuilder::new().from_writer(start.to_vec());
                    let header = w
                        .write_record(table.header())
                        .map_err(csv_error)
                        .and_then(|()| finish(w));
                    Some((header, State::Page(0)))
                }
                State::Page(after) => match page(&db, &scope, &filter, table, after, limit).await {
                    Ok((chunk, Some(last), read)) => {
                        let next = if read < limit {
                            State::Done
                        } else {
                            State::Page(last)
                        };
                        Some((Ok(chunk), next))
                    }
                    Ok((_, None, _)) => None,
                    Err(e) => Some((Err(e), State::Done)),
                },
                State::Done => None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_are_quoted_as_text() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("Training, \"basic\""), "Training, \"basic\"");
        assert_eq!(number(Some(-2.5)), "-2.5");
        assert_eq!(number(Some(10.0)), "10");
        assert_eq!(number(None), "");
    }

    #[test]
    fn a_slot_keeps_both_comments_when_they_differ() {
        assert_eq!(comment(Some("t"), Some("a")), "target: t | actual: a");
        assert_eq!(comment(Some("same"), Some("same")), "same");
        assert_eq!(comment(Some(""), Some("a")), "a");
        assert_eq!(comment(Some("t"), None), "t");
        assert_eq!(comment(None, None), "");
    }
}
