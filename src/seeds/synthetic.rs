//! Synthetic bulk data for performance work: programmes, engagements over most UN Member States,
//! activities with sex-disaggregated participants, results, indicators with targets and actuals,
//! budgets, donors and lessons, all generated from one seed so two runs load identical data.
//!
//! Rows are written with multi-row `insert ... values (...), (...)` statements, one transaction
//! per batch, bypassing the per-record validation of the API (which would take hours at a million
//! rows) but keeping every CHECK constraint. Titles start with "[Synthetic]". No audit entries
//! are written: the audit log records changes people made, and a bulk load is not one.

mod plan;

use clap::Args;

use crate::error::{AppError, AppResult};
use crate::storage::{Backend, Db};

/// How much synthetic data to generate.
#[derive(Args, Clone, Debug)]
pub struct Options {
    /// Programmes to generate (with --synthetic).
    #[arg(long, default_value_t = 5, requires = "synthetic")]
    pub programmes: usize,
    /// Engagements to generate, spread over the programmes (with --synthetic).
    #[arg(long, default_value_t = 2_000, requires = "synthetic")]
    pub engagements: usize,
    /// Activities to generate, spread over the engagements (with --synthetic).
    #[arg(long, default_value_t = 100_000, requires = "synthetic")]
    pub activities: usize,
    /// Outcome and output indicators to generate (with --synthetic).
    #[arg(long, default_value_t = 1_000, requires = "synthetic")]
    pub indicators: usize,
    /// Yearly reporting periods per indicator, each with a target and actuals (with --synthetic).
    #[arg(long, default_value_t = 8, requires = "synthetic")]
    pub periods: usize,
    /// The seed: the same seed and sizes give the same data (with --synthetic).
    #[arg(long, default_value_t = 42, requires = "synthetic")]
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            programmes: 5,
            engagements: 2_000,
            activities: 100_000,
            indicators: 1_000,
            periods: 8,
            seed: 42,
        }
    }
}

/// What a synthetic load wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub organisations: usize,
    pub programmes: usize,
    pub engagements: usize,
    pub engagement_countries: usize,
    pub budgets: usize,
    pub activities: usize,
    pub lessons: usize,
    pub results: usize,
    pub indicators: usize,
    pub indicator_values: usize,
}

/// Most bound parameters one statement carries. Both engines allow far more (SQLite 32,766,
/// PostgreSQL 65,535), but the driver's cost per statement grows faster than its parameters:
/// 50,000 activities took 56 s at 30,000 parameters a statement and 8 s at 3,000.
const MAX_BINDS: usize = 3_000;

/// The `seed --synthetic` command: loads, then says what it wrote and how long it took.
pub async fn run(db: &Db, opts: &Options) -> AppResult<()> {
    let started = std::time::Instant::now();
    let r = load(db, opts).await?;
    eprintln!(
        "loaded synthetic data in {:.1}s: {} programmes, {} engagements ({} country shares), \
         {} activities, {} budgets, {} lessons, {} results, {} indicators, {} indicator values, \
         {} donors",
        started.elapsed().as_secs_f64(),
        r.programmes,
        r.engagements,
        r.engagement_countries,
        r.activities,
        r.budgets,
        r.lessons,
        r.results,
        r.indicators,
        r.indicator_values,
        r.organisations
    );
    Ok(())
}

/// Loads synthetic data into a database that holds no programmes yet (reference data must be
/// loaded). Refuses otherwise, so synthetic rows never mix with real records.
pub async fn load(db: &Db, opts: &Options) -> AppResult<Report> {
    check_sizes(opts)?;
    let (programmes,): (i64,) = sqlx::query_as("select count(*) from programmes")
        .fetch_one(db.pool())
        .await?;
    if programmes > 0 {
        return Err(AppError::bad_input(
            "synthetic",
            "the database already holds programmes; load synthetic data into a fresh database",
        ));
    }
    let countries: Vec<(String,)> =
        sqlx::query_as("select iso3 from countries where un_member order by iso3")
            .fetch_all(db.pool())
            .await?;
    if countries.is_empty() {
        return Err(AppError::bad_input(
            "synthetic",
            "no UN Member States found: load the reference data first (ta-tracker seed)",
        ));
    }
    let countries: Vec<String> = countries.into_iter().map(|(c,)| c).collect();
    let mut w = Writer {
        db,
        now: crate::storage::now(),
    };
    let mut report = Report::default();
    let donors = insert_donors(&mut w).await?;
    report.organisations = donors.len();
    let mut p = plan::Plan::new(opts, countries, donors);
    report.programmes = w.insert(&PROGRAMMES, p.programmes()).await?;
    let engagements = p.engagements();
    report.engagements = w.insert(&ENGAGEMENTS, engagements).await?;
    report.engagement_countries = w
        .insert(&ENGAGEMENT_COUNTRIES, p.engagement_countries())
        .await?;
    w.insert(&ENGAGEMENT_SECTORS, p.engagement_sectors())
        .await?;
    w.insert(&ENGAGEMENT_ORGANISATIONS, p.engagement_donors())
        .await?;
    report.budgets = w.insert(&BUDGETS, p.budgets()).await?;
    // Activities are generated a batch at a time so a million never sit in memory at once.
    let per_batch = MAX_BINDS / ACTIVITIES.columns.len();
    while let Some(batch) = p.activities(per_batch) {
        report.activities += w.insert(&ACTIVITIES, batch).await?;
    }
    report.lessons = w.insert(&LESSONS, p.lessons()).await?;
    report.results = w.insert(&RESULTS, p.results()).await?;
    report.indicators = w.insert(&INDICATORS, p.indicators()).await?;
    w.insert(&INDICATOR_DIMENSIONS, p.indicator_dimensions())
        .await?;
    report.indicator_values = w.insert(&INDICATOR_VALUES, p.indicator_values()).await?;
    finish(db).await?;
    Ok(report)
}

fn check_sizes(o: &Options) -> AppResult<()> {
    let rules = [
        ("programmes", o.programmes, 1, 999),
        (
            "engagements",
            o.engagements,
            o.programmes.max(1),
            10_000_000,
        ),
        ("activities", o.activities, 0, 100_000_000),
        ("indicators", o.indicators, 0, 10_000_000),
        ("periods", o.periods, 1, 50),
    ];
    for (field, value, min, max) in rules {
        if !(min..=max).contains(&value) {
            return Err(AppError::bad_input(
                field,
                &format!("must be between {min} and {max}"),
            ));
        }
    }
    Ok(())
}

/// Synthetic donors: generated organisations that fund most engagements (IATI role 1).
async fn insert_donors(w: &mut Writer<'_>) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for (i, org_type) in ["10", "10", "10", "10", "40", "40"].iter().enumerate() {
        let name = format!("[Synthetic] Donor {}", (b'A' + i as u8) as char);
        let (id,): (i64,) = sqlx::query_as(
            "insert into organisations (name, org_type, created_at, updated_at) \
             values ($1, $2, $3, $3) returning id",
        )
        .bind(name)
        .bind(*org_type)
        .bind(&w.now)
        .fetch_one(w.db.pool())
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// After the load: PostgreSQL identity sequences move past the ids written explicitly and the
/// planner gets statistics for every table (link tables included: without them it expected 7
/// donor links where there were 2,000), then the activity totals are summed from the
/// loaded activities (without statistics PostgreSQL planned that sum badly: 123 s instead of 2 s
/// at a million activities), and the totals get statistics too.
async fn finish(db: &Db) -> AppResult<()> {
    let postgres = db.backend() == Backend::Postgres;
    if postgres {
        for table in [
            "programmes",
            "engagements",
            "budgets",
            "activities",
            "lessons",
            "results",
            "indicators",
            "indicator_values",
        ] {
            sqlx::query(&format!(
                "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
            ))
            .execute(db.pool())
            .await?;
        }
        sqlx::query("analyze").execute(db.pool()).await?;
    }
    let mut tx = db.pool().begin().await?;
    crate::storage::activity_totals::rebuild(&mut tx).await?;
    tx.commit().await?;
    if postgres {
        sqlx::query("analyze activity_totals, activity_totals_world")
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// One bound value of a generated row.
#[derive(Debug, Clone)]
pub enum V {
    I(i64),
    F(f64),
    T(String),
    /// SQL null in a text column.
    N,
    /// SQL null in an integer column (PostgreSQL refuses a text-typed null there).
    NI,
}

/// A table's generated columns; `stamped` tables also get created_at/updated_at = now.
pub struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    stamped: bool,
}

const PROGRAMMES: Table = Table {
    name: "programmes",
    columns: &["id", "code", "title", "description", "thematic_area"],
    stamped: true,
};
const ENGAGEMENTS: Table = Table {
    name: "engagements",
    columns: &[
        "id",
        "programme_id",
        "title",
        "description",
        "iati_identifier",
        "status_code",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "active_from",
        "active_to",
    ],
    stamped: true,
};
const ENGAGEMENT_COUNTRIES: Table = Table {
    name: "engagement_countries",
    columns: &["engagement_id", "country_iso3", "percentage"],
    stamped: false,
};
const ENGAGEMENT_SECTORS: Table = Table {
    name: "engagement_sectors",
    columns: &["engagement_id", "sector_code", "percentage"],
    stamped: false,
};
const ENGAGEMENT_ORGANISATIONS: Table = Table {
    name: "engagement_organisations",
    columns: &["engagement_id", "organisation_id", "role_code"],
    stamped: false,
};
const BUDGETS: Table = Table {
    name: "budgets",
    columns: &[
        "id",
        "engagement_id",
        "period_start",
        "period_end",
        "amount",
        "currency",
        "value_date",
    ],
    stamped: false,
};
const ACTIVITIES: Table = Table {
    name: "activities",
    columns: &[
        "id",
        "engagement_id",
        "kind",
        "title",
        "start_date",
        "end_date",
        "country_iso3",
        "place",
        "participants_total",
        "participants_female",
        "participants_male",
        "target_group",
    ],
    stamped: true,
};
const LESSONS: Table = Table {
    name: "lessons",
    columns: &[
        "id",
        "title",
        "statement",
        "context",
        "source_engagement_id",
        "recorded_by",
        "recorded_at",
    ],
    stamped: true,
};
const RESULTS: Table = Table {
    name: "results",
    columns: &[
        "id",
        "engagement_id",
        "programme_id",
        "result_type",
        "title",
    ],
    stamped: true,
};
const INDICATORS: Table = Table {
    name: "indicators",
    columns: &[
        "id",
        "result_id",
        "code",
        "title",
        "measure",
        "aggregation",
        "baseline_year",
        "baseline_value",
    ],
    stamped: true,
};
const INDICATOR_DIMENSIONS: Table = Table {
    name: "indicator_dimensions",
    columns: &["indicator_id", "name", "value"],
    stamped: false,
};
const INDICATOR_VALUES: Table = Table {
    name: "indicator_values",
    columns: &[
        "id",
        "indicator_id",
        "kind",
        "period_start",
        "period_end",
        "value",
        "country_iso3",
        "dimension_name",
        "dimension_value",
    ],
    stamped: true,
};

struct Writer<'a> {
    db: &'a Db,
    now: String,
}

impl Writer<'_> {
    /// Inserts rows in statements of at most MAX_BINDS parameters, one transaction each;
    /// returns how many rows it wrote.
    async fn insert(&mut self, table: &Table, rows: Vec<Vec<V>>) -> AppResult<usize> {
        let per = MAX_BINDS / table.columns.len();
        let total = rows.len();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<V>> = rows.by_ref().take(per).collect();
            self.insert_chunk(table, chunk).await?;
        }
        Ok(total)
    }

    async fn insert_chunk(&mut self, table: &Table, rows: Vec<Vec<V>>) -> AppResult<()> {
        let sql = insert_sql(table, rows.len(), &self.now);
        let mut query = sqlx::query(&sql);
        for row in rows {
            debug_assert_eq!(row.len(), table.columns.len());
            for v in row {
                query = match v {
                    V::I(i) => query.bind(i),
                    V::F(f) => query.bind(f),
                    V::T(s) => query.bind(s),
                    V::N => query.bind(None::<String>),
                    V::NI => query.bind(None::<i64>),
                };
            }
        }
        let mut tx = self.db.begin().await?;
        query.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// `insert into t (cols) values ($1, ...), (...)`; the timestamp is a literal (it is our own
/// text, never input) so it costs no parameters.
fn insert_sql(table: &Table, rows: usize, now: &str) -> String {
    use std::fmt::Write;
    let n = table.columns.len();
    let mut sql = format!("insert into {} ({}", table.name, table.columns.join(", "));
    sql.push_str(if table.stamped {
        ", created_at, updated_at) values "
    } else {
        ") values "
    });
    let mut p = 1;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..n {
            let _ = write!(sql, "{}${p}", if c == 0 { "" } else { ", " });
            p += 1;
        }
        if table.stamped {
            let _ = write!(sql, ", '{now}', '{now}'");
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_numbers_parameters_across_rows() {
        let sql = insert_sql(&ENGAGEMENT_COUNTRIES, 2, "x");
        assert_eq!(
            sql,
            "insert into engagement_countries (engagement_id, country_iso3, percentage) \
             values ($1, $2, $3), ($4, $5, $6)"
        );
    }

    #[test]
    fn batches_stay_under_both_engines_parameter_limits() {
        for t in [&ACTIVITIES, &INDICATOR_VALUES, &ENGAGEMENTS] {
            assert!(MAX_BINDS / t.columns.len() * t.columns.len() <= 32_766);
            assert!(MAX_BINDS / t.columns.len() > 0);
        }
    }
}
