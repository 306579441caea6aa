//! Lessons learned: what UNODC's technical assistance taught, where it applies, and where it came
//! from (an engagement, an activity, an event or an evaluation document).

use sqlx::AnyConnection;

use super::auth::{Role, Viewer};
use super::change::Change;
use super::records::{archived, require_write, require_write_placed, resolve_documents, stale};
use super::{audit, events::clean_themes, geography, validate};
use crate::error::{AppError, AppResult};
use crate::storage::geography::Area;
use crate::storage::lessons::{self as store, LessonFields, LessonRow};
use crate::storage::ownership::{self, Kind, Owners};
use crate::storage::scope::{Scope, links};
use crate::storage::{Db, documents, engagements, events};

mod filter;

pub use filter::{LessonQuery, fts_query, lesson_filter};

pub type Lesson = LessonRow;

/// Where a lesson was drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonSource {
    Engagement(i64),
    Activity(i64),
    Event(i64),
    Document(i64),
}

impl LessonSource {
    fn of(row: &LessonRow) -> Option<LessonSource> {
        row.source_engagement_id
            .map(LessonSource::Engagement)
            .or(row.source_activity_id.map(LessonSource::Activity))
            .or(row.source_event_id.map(LessonSource::Event))
            .or(row.source_document_id.map(LessonSource::Document))
    }
}

/// A lesson's fields as a client sends them; `None` keeps the current value on update.
#[derive(Clone, Debug, Default)]
pub struct LessonPatch {
    pub title: Option<String>,
    pub statement: Option<String>,
    pub context: Option<String>,
    pub evidence: Option<String>,
    pub source: Change<LessonSource>,
    pub themes: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub areas: Option<Vec<String>>,
    pub documents: Option<Vec<i64>>,
}

/// A lesson with its lists: what the audit log records before and after a change.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LessonSnapshot {
    #[serde(flatten)]
    pub lesson: LessonRow,
    pub themes: Vec<String>,
    pub countries: Vec<String>,
    pub areas: Vec<String>,
    pub documents: Vec<i64>,
}

async fn snapshot(conn: &mut AnyConnection, id: i64) -> AppResult<Option<LessonSnapshot>> {
    let Some(lesson) = store::find(&mut *conn, &Scope::All, id).await? else {
        return Ok(None);
    };
    let texts = |rows: Vec<(i64, String)>| rows.into_iter().map(|(_, t)| t).collect::<Vec<_>>();
    let areas = store::areas(&mut *conn, &[id]).await?;
    let documents = links(
        &mut *conn,
        "lesson_documents",
        "lesson_id",
        "document_id",
        &[id],
    )
    .await?;
    Ok(Some(LessonSnapshot {
        lesson,
        themes: texts(store::themes(&mut *conn, &[id]).await?),
        countries: texts(store::countries(&mut *conn, &[id]).await?),
        areas: areas.into_iter().map(|a| a.code).collect(),
        documents: documents.into_iter().map(|(_, d)| d).collect(),
    }))
}

/// Checks that a source exists for the caller and returns whom it belongs to: an engagement's
/// programme and countries; an activity's programme and country; an event's programmes (and
/// the countries of its engagements). A document belongs to no programme, so lessons drawn only
/// from one are for admins.
async fn source_owners(
    db: &Db,
    viewer: &Viewer,
    source: Option<LessonSource>,
) -> AppResult<Owners> {
    let scope = viewer.record_scope()?;
    let missing = |what: &str, id: i64| {
        AppError::bad_input(
            "input.source",
            &format!("there is no {} {what}:{id}", what.to_lowercase()),
        )
    };
    let archived = |what: &str, id: i64| {
        AppError::bad_input(
            "input.source",
            &format!("{what}:{id} is archived; draw the lesson from a record in use"),
        )
    };
    match source {
        None => Ok(Owners::default()),
        Some(LessonSource::Engagement(id)) => {
            let ctx = engagements::context(db.pool(), &scope, id)
                .await?
                .ok_or_else(|| missing("Engagement", id))?;
            if ctx.archived {
                return Err(archived("Engagement", id));
            }
            ownership::owners(db.pool(), Kind::Engagement, id).await
        }
        Some(LessonSource::Activity(id)) => {
            // Only admins and officers get here, and they may read every activity.
            match ownership::version(db.pool(), Kind::Activity, id).await? {
                None => return Err(missing("Activity", id)),
                Some((_, true)) => return Err(archived("Activity", id)),
                Some((_, false)) => {}
            }
            ownership::owners(db.pool(), Kind::Activity, id).await
        }
        Some(LessonSource::Event(id)) => {
            let event = events::find(db.pool(), &scope, id)
                .await?
                .ok_or_else(|| missing("Event", id))?;
            if event.archived_at.is_some() {
                return Err(archived("Event", id));
            }
            ownership::owners(db.pool(), Kind::Event, id).await
        }
        Some(LessonSource::Document(id)) => {
            let document = documents::find(db.pool(), id)
                .await?
                .ok_or_else(|| missing("Document", id))?;
            if document.archived_at.is_some() {
                return Err(archived("Document", id));
            }
            Ok(Owners::default())
        }
    }
}

/// Area codes as stored: M49 region codes zero-padded, grouping codes as registered.
async fn resolve_areas(db: &Db, codes: &[String]) -> AppResult<Vec<String>> {
    let mut out = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let area = geography::area(db, &format!("input.areas[{i}]"), code).await?;
        out.push(match area {
            Area::World => "001".to_string(),
            Area::Region(c) | Area::Grouping(c) => c,
        });
    }
    validate::distinct("input.areas", &out)?;
    Ok(out)
}

struct Valid {
    title: String,
    statement: String,
    context: String,
    evidence: String,
    source: Option<LessonSource>,
    themes: Option<Vec<String>>,
    countries: Option<Vec<String>>,
    areas: Option<Vec<String>>,
    documents: Option<Vec<i64>>,
}

impl Valid {
    fn fields(&self) -> LessonFields<'_> {
        let id = |want: fn(LessonSource) -> Option<i64>| self.source.and_then(want);
        LessonFields {
            title: &self.title,
            statement: &self.statement,
            context: &self.context,
            evidence: &self.evidence,
            source_engagement_id: id(|s| match s {
                LessonSource::Engagement(id) => Some(id),
                _ => None,
            }),
            source_activity_id: id(|s| match s {
                LessonSource::Activity(id) => Some(id),
                _ => None,
            }),
            source_event_id: id(|s| match s {
                LessonSource::Event(id) => Some(id),
                _ => None,
            }),
            source_document_id: id(|s| match s {
                LessonSource::Document(id) => Some(id),
                _ => None,
            }),
        }
    }
}

async fn validate_patch(db: &Db, before: Option<&LessonRow>, p: LessonPatch) -> AppResult<Valid> {
    let text = |v: Option<String>, old: Option<&String>| v.or_else(|| old.cloned());
    let title = text(p.title, before.map(|b| &b.title))
        .ok_or_else(|| AppError::bad_input("input.title", "is required"))?;
    let statement = text(p.statement, before.map(|b| &b.statement))
        .ok_or_else(|| AppError::bad_input("input.statement", "is required"))?;
    let context = text(p.context, before.map(|b| &b.context));
    let evidence = text(p.evidence, before.map(|b| &b.evidence));
    Ok(Valid {
        title: validate::required_text("input.title", &title, validate::SHORT_TEXT)?,
        statement: validate::required_text("input.statement", &statement, validate::LONG_TEXT)?,
        context: validate::optional_text("input.context", context.as_deref(), validate::LONG_TEXT)?,
        evidence: validate::optional_text(
            "input.evidence",
            evidence.as_deref(),
            validate::LONG_TEXT,
        )?,
        source: p.source.apply(before.and_then(LessonSource::of)),
        themes: p
            .themes
            .map(|t| clean_themes("input.themes", &t))
            .transpose()?,
        countries: match p.countries {
            Some(c) => Some(geography::resolve_countries(db, "input.countries", &c).await?),
            None => None,
        },
        areas: match p.areas {
            Some(a) => Some(resolve_areas(db, &a).await?),
            None => None,
        },
        documents: match p.documents {
            Some(ids) => Some(resolve_documents(db, "input.documents", &ids).await?),
            None => None,
        },
    })
}

async fn write_lists(tx: &mut crate::storage::Tx, id: i64, v: &Valid) -> AppResult<()> {
    if let Some(themes) = &v.themes {
        store::set_texts(tx, "lesson_themes", "theme", id, themes).await?;
    }
    if let Some(countries) = &v.countries {
        store::set_texts(tx, "lesson_countries", "country_iso3", id, countries).await?;
    }
    if let Some(areas) = &v.areas {
        store::set_texts(tx, "lesson_areas", "area_code", id, areas).await?;
    }
    if let Some(ids) = &v.documents {
        store::set_documents(tx, id, ids).await?;
    }
    Ok(())
}

/// What an officer's lesson that belongs to no programme needs.
const UNPLACED: &str = "a lesson that belongs to no programme: draw it (input.source) from an \
    engagement, activity or event of one of yours";

/// Records a lesson in the caller's name. Officers may record lessons drawn from their
/// programmes' engagements, activities and events.
pub async fn record(db: &Db, viewer: &Viewer, p: LessonPatch) -> AppResult<Lesson> {
    viewer.require_role(&[Role::Admin, Role::Officer], "record lessons")?;
    let mut v = validate_patch(db, None, p).await?;
    let owners = source_owners(db, viewer, v.source).await?;
    require_write_placed(viewer, Kind::Lesson, &owners, UNPLACED)?;
    // Learned from an engagement or an activity, it applies where that took place unless the
    // input says where (`countries: []` for nowhere in particular): else a lesson from a training
    // in Kazakhstan counted in no country's or region's lessons.
    let placed = matches!(
        v.source,
        Some(LessonSource::Engagement(_) | LessonSource::Activity(_))
    );
    if placed && v.countries.is_none() && v.areas.is_none() {
        let mut countries = owners.countries.clone();
        countries.sort();
        countries.dedup();
        // An engagement recorded for a region rather than countries: the region.
        if let (true, Some(LessonSource::Engagement(id))) = (countries.is_empty(), v.source) {
            let region = engagements::find(db.pool(), &Scope::All, id)
                .await?
                .and_then(|e| e.recipient_region_code);
            v.areas = region.map(|r| vec![r]);
        }
        v.countries = Some(countries);
    }
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &v.fields(), &viewer.name).await?;
    write_lists(&mut tx, id, &v).await?;
    let after = snapshot(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new lesson", "missing"))?;
    audit::record::<(), _>(&mut tx, viewer, "create", "Lesson", id, None, Some(&after)).await?;
    tx.commit().await?;
    Ok(after.lesson)
}

/// Changes a lesson at `version`. A new source must be one the caller may write under too.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: LessonPatch,
) -> AppResult<Lesson> {
    let scope = viewer.record_scope()?;
    let not_found = || AppError::not_found(format!("Lesson:{id}"));
    store::find(db.pool(), &scope, id)
        .await?
        .ok_or_else(not_found)?;
    require_write(
        viewer,
        Kind::Lesson,
        &ownership::owners(db.pool(), Kind::Lesson, id).await?,
    )?;
    let before = {
        let mut conn = db.pool().acquire().await?;
        snapshot(&mut conn, id).await?.ok_or_else(not_found)?
    };
    if before.lesson.archived_at.is_some() {
        return Err(archived(Kind::Lesson, id));
    }
    let changes_source =
        p.source.apply(LessonSource::of(&before.lesson)) != LessonSource::of(&before.lesson);
    let v = validate_patch(db, Some(&before.lesson), p).await?;
    if changes_source {
        require_write_placed(
            viewer,
            Kind::Lesson,
            &source_owners(db, viewer, v.source).await?,
            UNPLACED,
        )?;
    }
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, id, version, &v.fields()).await? {
        return Err(stale(Kind::Lesson, id, before.lesson.version, version));
    }
    write_lists(&mut tx, id, &v).await?;
    let after = snapshot(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated lesson", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.lesson.version == version;
    if !audit::record_update(&mut tx, viewer, "Lesson", id, replaced, &before, &after).await? {
        return Ok(before.lesson);
    }
    tx.commit().await?;
    Ok(after.lesson)
}
