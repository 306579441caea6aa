//! Which programmes (and countries) a record belongs to: what an officer's scope is checked
//! against before any change, and what `archive` works on.

use sqlx::{Any, Executor};

use crate::error::AppResult;

/// The kinds of record that carry a version and can be archived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Document,
    Programme,
    Engagement,
    Activity,
    Event,
    Lesson,
    Result,
    Indicator,
    /// A target or actual: archived to take back one recorded by mistake.
    IndicatorValue,
}

impl Kind {
    /// The type name used in global ids and audit entries.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Organisation => "Organisation",
            Kind::Document => "Document",
            Kind::Programme => "Programme",
            Kind::Engagement => "Engagement",
            Kind::Activity => "Activity",
            Kind::Event => "Event",
            Kind::Lesson => "Lesson",
            Kind::Result => "Result",
            Kind::Indicator => "Indicator",
            Kind::IndicatorValue => "IndicatorValue",
        }
    }

    /// The type as a word in a sentence: `there is no engagement Engagement:9`.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Document => "document",
            Kind::Programme => "programme",
            Kind::Engagement => "engagement",
            Kind::Activity => "activity",
            Kind::Event => "event",
            Kind::Lesson => "lesson",
            Kind::Result => "result",
            Kind::Indicator => "indicator",
            Kind::IndicatorValue => "indicator value",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        [
            Kind::Organisation,
            Kind::Document,
            Kind::Programme,
            Kind::Engagement,
            Kind::Activity,
            Kind::Event,
            Kind::Lesson,
            Kind::Result,
            Kind::Indicator,
            Kind::IndicatorValue,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    pub fn table(self) -> &'static str {
        match self {
            Kind::Organisation => "organisations",
            Kind::Document => "documents",
            Kind::Programme => "programmes",
            Kind::Engagement => "engagements",
            Kind::Activity => "activities",
            Kind::Event => "events",
            Kind::Lesson => "lessons",
            Kind::Result => "results",
            Kind::Indicator => "indicators",
            Kind::IndicatorValue => "indicator_values",
        }
    }

    /// SQL giving `(programme code, country or null)` rows for record `$1`.
    fn owners_sql(self) -> &'static str {
        match self {
            Kind::Organisation | Kind::Document => "select '', null where 1 = 0",
            Kind::Programme => "select code, null from programmes where id = $1",
            Kind::Engagement => {
                "select p.code, ec.country_iso3 from engagements e \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id where e.id = $1"
            }
            Kind::Activity => {
                "select p.code, a.country_iso3 from activities a \
                 join engagements e on e.id = a.engagement_id \
                 join programmes p on p.id = e.programme_id where a.id = $1"
            }
            // Linked to an engagement: its countries too.
            Kind::Event => {
                "select p.code, null from event_programmes ep join programmes p on p.id = ep.programme_id \
                 where ep.event_id = $1 \
                 union select p.code, ec.country_iso3 from event_engagements ee \
                 join engagements e on e.id = ee.engagement_id \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id where ee.event_id = $1"
            }
            // Drawn from an engagement (or an event linked to one): its countries too.
            Kind::Lesson => {
                "select p.code, ec.country_iso3 from lessons l join engagements e on e.id = l.source_engagement_id \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id where l.id = $1 \
                 union select p.code, a.country_iso3 from lessons l join activities a on a.id = l.source_activity_id \
                 join engagements e on e.id = a.engagement_id \
                 join programmes p on p.id = e.programme_id where l.id = $1 \
                 union select p.code, null from lessons l join event_programmes ep on ep.event_id = l.source_event_id \
                 join programmes p on p.id = ep.programme_id where l.id = $1 \
                 union select p.code, ec.country_iso3 from lessons l join event_engagements ee on ee.event_id = l.source_event_id \
                 join engagements e on e.id = ee.engagement_id \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id where l.id = $1"
            }
            // A result or indicator under an engagement belongs to its countries too, as when
            // it is changed (`results::owners_of`).
            Kind::Result => {
                "select p.code, ec.country_iso3 from results r join engagements e on e.id = r.engagement_id \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id where r.id = $1 \
                 union select p.code, null from results r join programmes p on p.id = r.programme_id \
                 where r.id = $1"
            }
            Kind::Indicator => {
                "select p.code, ec.country_iso3 from indicators i join results r on r.id = i.result_id \
                 join engagements e on e.id = r.engagement_id \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id where i.id = $1 \
                 union select p.code, null from indicators i join results r on r.id = i.result_id \
                 join programmes p on p.id = r.programme_id where i.id = $1"
            }
            // As its indicator, except that a value for one country belongs to that country
            // alone, as when it is recorded (`indicator_values::set`).
            Kind::IndicatorValue => {
                "select p.code, coalesce(v.country_iso3, ec.country_iso3) from indicator_values v \
                 join indicators i on i.id = v.indicator_id join results r on r.id = i.result_id \
                 join engagements e on e.id = r.engagement_id \
                 join programmes p on p.id = e.programme_id \
                 left join engagement_countries ec on ec.engagement_id = e.id \
                 and v.country_iso3 is null where v.id = $1 \
                 union select p.code, v.country_iso3 from indicator_values v \
                 join indicators i on i.id = v.indicator_id join results r on r.id = i.result_id \
                 join programmes p on p.id = r.programme_id where v.id = $1"
            }
        }
    }
}

/// The programmes and countries a record belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owners {
    pub programmes: Vec<String>,
    pub countries: Vec<String>,
}

pub async fn owners<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: Kind,
    id: i64,
) -> AppResult<Owners> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(kind.owners_sql())
        .bind(id)
        .fetch_all(ex)
        .await?;
    let mut owners = Owners::default();
    for (programme, country) in rows {
        if !owners.programmes.contains(&programme) {
            owners.programmes.push(programme);
        }
        if let Some(c) = country
            && !owners.countries.contains(&c)
        {
            owners.countries.push(c);
        }
    }
    Ok(owners)
}

/// `(version, archived)` of a record, if it exists.
pub async fn version<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: Kind,
    id: i64,
) -> AppResult<Option<(i64, bool)>> {
    let sql = format!(
        "select version, archived_at from {} where id = $1",
        kind.table()
    );
    let row: Option<(i64, Option<String>)> =
        sqlx::query_as(&sql).bind(id).fetch_optional(ex).await?;
    Ok(row.map(|(v, a)| (v, a.is_some())))
}

/// Archives a record at `version`; false when the version is stale or it is archived already.
pub async fn archive(tx: &mut super::Tx, kind: Kind, id: i64, version: i64) -> AppResult<bool> {
    // An activity's share of the totals, read under its engagement's lock before it goes.
    let leaving = match kind {
        Kind::Activity => {
            if let Some(engagement) = super::activities::engagement_of(tx, id).await? {
                super::engagements::lock(tx, &[engagement]).await?;
            }
            super::activity_totals::contribution(tx, id).await?
        }
        _ => None,
    };
    let sql = format!(
        "update {} set archived_at = $1, version = version + 1, updated_at = $1 \
         where id = $2 and version = $3 and archived_at is null",
        kind.table()
    );
    let done = sqlx::query(&sql)
        .bind(super::now())
        .bind(id)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    // Archived activities, and the activities of an archived engagement, leave the totals.
    match kind {
        Kind::Activity => super::activity_totals::shift(tx, leaving.as_ref(), None).await?,
        Kind::Engagement => super::activity_totals::refresh(tx, &[id]).await?,
        _ => {}
    }
    Ok(true)
}

/// Archives what a programme holds as it is archived: its live engagements (which take their
/// activities, results and indicators out with them) and its own live results (their indicators
/// with them). `(kind, id, version after)` of each, for the audit log. A record that changed
/// between the read and the write (a stale version) is a conflict, so the caller's transaction
/// archives all or nothing.
pub async fn archive_under_programme(
    tx: &mut super::Tx,
    programme: i64,
) -> AppResult<Vec<(Kind, i64, i64)>> {
    let mut archived = Vec::new();
    for kind in [Kind::Engagement, Kind::Result] {
        let sql = format!(
            "select id, version from {} where programme_id = $1 and archived_at is null \
             order by id",
            kind.table()
        );
        let live: Vec<(i64, i64)> = sqlx::query_as(&sql)
            .bind(programme)
            .fetch_all(&mut **tx)
            .await?;
        for (id, version) in live {
            if !archive(tx, kind, id, version).await? {
                return Err(crate::error::AppError::conflict(format!(
                    "{}:{id} changed while its programme was being archived; try again",
                    kind.name()
                )));
            }
            archived.push((kind, id, version + 1));
        }
    }
    Ok(archived)
}
