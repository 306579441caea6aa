//! Activities logged under engagements: types, the list and lookup, the mutations, and the loaders
//! nested fields use.

use std::borrow::Cow;

mod loaders;

pub use loaders::{
    ActivitiesOfEngagement, ActivityById, ActivityCountOf, ResultIdsOfActivity,
    activities_of_engagement, activity_count_of,
};

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::context::Ctx;
use super::documents::linked;
use super::geography::load_country;
use super::ids::{global_id, parse};
use super::pagination::{Page, PageRequest, TotalCount, page};
use super::patch::{Write, clearable};
use crate::domain::activities::{
    self as domain, Activity, ActivityKind, ActivityPatch, ActivitySearch, Counts, Participants,
};
use crate::domain::documents::Document;
use crate::domain::geography::Country;
use crate::storage::activities as store;

/// Something done under an engagement: a training, workshop, assessment, advisory mission, study
/// visit, equipment delivery or conference, in one of the engagement's countries.
#[Object]
impl Activity {
    /// Global id, e.g. Activity:3.
    pub async fn id(&self) -> ID {
        global_id("Activity", self.id)
    }
    /// What kind of activity it was.
    async fn kind(&self) -> ActivityKind {
        ActivityKind::parse(&self.kind)
    }
    /// Title, e.g. "Training of prison staff on the Nelson Mandela Rules".
    async fn title(&self) -> &str {
        &self.title
    }
    /// First day (YYYY-MM-DD).
    async fn start_date(&self) -> &str {
        &self.start_date
    }
    /// Last day (YYYY-MM-DD); the same as the start for a one-day activity.
    async fn end_date(&self) -> &str {
        &self.end_date
    }
    /// The country it took place in: one of the engagement's recipient countries.
    async fn country<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Country>>> {
        load_country(ctx, Some(&self.country_iso3)).await
    }
    /// Where in the country, e.g. a city or a prison.
    async fn place(&self) -> &str {
        &self.place
    }
    /// How many took part, by sex.
    async fn participants(&self) -> Participants {
        Participants::of(self)
    }
    /// Who it was for, e.g. prison staff, policymakers.
    async fn target_group(&self) -> &str {
        &self.target_group
    }
    /// What was done and how it went.
    async fn description(&self) -> &str {
        &self.description
    }
    /// The id of the engagement it was logged under.
    async fn engagement_id(&self) -> ID {
        global_id("Engagement", self.engagement_id)
    }
    /// The engagement it was logged under.
    async fn engagement(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::domain::engagements::Engagement>> {
        super::engagements::load_engagement(ctx, self.engagement_id).await
    }
    /// The ids of the results (of the engagement or its programme) it contributes to.
    async fn result_ids(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        let ids = ctx
            .loader()
            .load_one(ResultIdsOfActivity(self.id))
            .await?
            .unwrap_or_default();
        Ok(ids.into_iter().map(|id| global_id("Result", id)).collect())
    }
    /// Documents about it (agendas, reports, training material).
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        linked(ctx, "activity_documents", "activity_id", self.id).await
    }
    /// Optimistic-concurrency version: pass it back when updating or archiving.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When it was archived, if it was.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
    /// When it was logged (UTC, RFC 3339).
    async fn created_at(&self) -> &str {
        &self.created_at
    }
    /// When it last changed (UTC, RFC 3339).
    async fn updated_at(&self) -> &str {
        &self.updated_at
    }
}

/// Participants by sex. `unreported` is the part of the total not reported as female or male.
#[Object]
impl Participants {
    /// Everyone who took part.
    async fn total(&self) -> i64 {
        self.total
    }
    /// Women and girls among them.
    async fn female(&self) -> i64 {
        self.female
    }
    /// Men and boys among them.
    async fn male(&self) -> i64 {
        self.male
    }
    /// Those whose sex was not reported: total - female - male.
    async fn unreported(&self) -> i64 {
        self.unreported_count()
    }
}

/// Narrows an activity list. Every condition given must hold.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct ActivityFilter {
    /// Only activities of this engagement (an Engagement id); one the caller cannot read is
    /// refused as unknown.
    pub engagement: Option<ID>,
    /// Only activities of this programme's engagements (a programme code, e.g. GLOZ85).
    pub programme: Option<String>,
    /// Only activities of engagements this organisation funds (IATI role 1), as
    /// `engagements(filter: {donor})` lists them; an unknown organisation is refused.
    pub donor: Option<ID>,
    /// Only activities in this country (ISO3, ISO2 or M49 code).
    pub country: Option<String>,
    /// Only activities in this area: an M49 region code at any level (e.g. 035 South-eastern
    /// Asia, 002 Africa) or a grouping code. A country's code is refused, saying it is one.
    pub region: Option<String>,
    /// Only activities of this kind.
    pub kind: Option<ActivityKind>,
    /// Only activities still running on or after this date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Only activities started on or before this date (YYYY-MM-DD).
    pub to: Option<String>,
    /// Part of the target group, case-insensitive, e.g. "prison staff".
    pub target_group: Option<String>,
    /// Part of the title or description, case-insensitive.
    pub search: Option<String>,
    /// Include archived activities, and the activities of archived engagements.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Activities, newest first (by start date). Donors see only activities under engagements
    /// their organisation funds.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActivityFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Activity>> {
        let scope = ctx.viewer().record_scope()?;
        let f = filter.unwrap_or_default();
        let query = ActivitySearch {
            engagement: f
                .engagement
                .map(|id| parse("filter.engagement", "Engagement", &id))
                .transpose()?,
            programme: f.programme,
            donor: f
                .donor
                .map(|id| parse("filter.donor", "Organisation", &id))
                .transpose()?,
            country: f.country,
            region: f.region,
            kind: f.kind,
            from: f.from,
            to: f.to,
            target_group: f.target_group,
            search: f.search,
            include_archived: f.include_archived,
        };
        let filter = domain::filter(ctx.db(), &scope, query).await?;
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let rows = store::list(db.pool(), &scope, &filter, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
            async move { store::count(db.pool(), &scope, &filter).await }
        });
        Ok(page(
            &req,
            rows,
            |r| (r.start_date.clone(), r.id),
            |r| r,
            total,
        ))
    }

    /// One activity by id; null when it does not exist or is outside what the caller may read.
    async fn activity(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Activity>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("id", "Activity", &id)?;
        Ok(store::find(ctx.db().pool(), &scope, id).await?)
    }
}

/// Participants by sex; female and male may be left out when not reported.
#[derive(InputObject)]
pub struct ParticipantsInput {
    /// Everyone who took part.
    pub total: i64,
    /// Women and girls among them (0 when not reported).
    #[graphql(default)]
    pub female: i64,
    /// Men and boys among them (0 when not reported).
    #[graphql(default)]
    pub male: i64,
}

/// Changes to participant counts: a count left out keeps its recorded value, so a corrected
/// total keeps the breakdown by sex (which must still fit in it).
#[derive(InputObject, Default)]
pub struct ParticipantsUpdateInput {
    /// Everyone who took part.
    pub total: MaybeUndefined<i64>,
    /// Women and girls among them.
    pub female: MaybeUndefined<i64>,
    /// Men and boys among them.
    pub male: MaybeUndefined<i64>,
}

/// A new activity under an engagement.
#[derive(InputObject)]
pub struct LogActivityInput {
    /// The engagement it belongs to (an Engagement id); it must not be archived.
    pub engagement: ID,
    /// What kind of activity it was.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// First day, YYYY-MM-DD; not after tomorrow (UTC), since an activity is logged once it has
    /// begun. The last day may be still to come. Both lie within the engagement's actual start
    /// and end where those are recorded.
    pub start_date: String,
    /// Last day, YYYY-MM-DD, not before the first.
    pub end_date: String,
    /// Country (ISO3, ISO2 or M49): one of the engagement's recipient countries, or inside its
    /// recipient region.
    pub country: String,
    /// Where in the country.
    pub place: Option<String>,
    /// How many took part, by sex; none when not given.
    pub participants: Option<ParticipantsInput>,
    /// Who it was for, e.g. prison staff.
    pub target_group: Option<String>,
    /// What was done.
    pub description: Option<String>,
    /// Results (of the engagement or its programme) it contributes to.
    pub results: Option<Vec<ID>>,
    /// Documents about it.
    pub documents: Option<Vec<ID>>,
}

/// Changes to an activity: fields left out keep their value; a list given replaces the current
/// one. `null` empties the fields that say so and is refused, naming the field, on the others.
#[derive(InputObject, Default)]
pub struct UpdateActivityInput {
    /// Move it to another engagement (an Engagement id).
    pub engagement: MaybeUndefined<ID>,
    /// What kind of activity it was.
    pub kind: MaybeUndefined<ActivityKind>,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// First day, YYYY-MM-DD; not after tomorrow (UTC) when it changes. When the days or the
    /// engagement change, both days lie within the engagement's actual start and end.
    pub start_date: MaybeUndefined<String>,
    /// Last day, YYYY-MM-DD.
    pub end_date: MaybeUndefined<String>,
    /// Country (ISO3, ISO2 or M49).
    pub country: MaybeUndefined<String>,
    /// Where in the country; null empties it.
    pub place: MaybeUndefined<String>,
    /// How many took part, by sex; a count left out keeps its value.
    pub participants: MaybeUndefined<ParticipantsUpdateInput>,
    /// Who it was for; null empties it.
    pub target_group: MaybeUndefined<String>,
    /// What was done; null empties it.
    pub description: MaybeUndefined<String>,
    /// Results it contributes to (replaces the current list).
    pub results: MaybeUndefined<Vec<ID>>,
    /// Documents about it (replaces the current list).
    pub documents: MaybeUndefined<Vec<ID>>,
}

fn ids(field: &str, kind: &str, ids: Option<Vec<ID>>) -> Result<Option<Vec<i64>>> {
    let Some(ids) = ids else { return Ok(None) };
    let parsed = ids
        .iter()
        .enumerate()
        .map(|(i, id)| parse(&format!("{field}[{i}]"), kind, id))
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(Some(parsed))
}

fn counts(p: Option<ParticipantsInput>) -> Option<Counts> {
    p.map(|p| Counts {
        total: Some(p.total),
        female: Some(p.female),
        male: Some(p.male),
    })
}

/// The counts an update gives; null is refused on each, naming it.
fn changed_counts(w: Write, p: Option<ParticipantsUpdateInput>) -> Result<Option<Counts>> {
    let Some(p) = p else { return Ok(None) };
    Ok(Some(Counts {
        total: w.kept("input.participants.total", p.total)?,
        female: w.kept("input.participants.female", p.female)?,
        male: w.kept("input.participants.male", p.male)?,
    }))
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Logs an activity under an engagement (admins, and officers of its programme and country).
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        input: LogActivityInput,
    ) -> Result<Option<Activity>> {
        let patch = ActivityPatch {
            engagement: Some(parse("input.engagement", "Engagement", &input.engagement)?),
            kind: Some(input.kind),
            title: Some(input.title),
            start_date: Some(input.start_date),
            end_date: Some(input.end_date),
            country: Some(input.country),
            place: input.place,
            participants: counts(input.participants),
            target_group: input.target_group,
            description: input.description,
            results: ids("input.results", "Result", input.results)?,
            documents: ids("input.documents", "Document", input.documents)?,
        };
        Ok(Some(domain::log(ctx.db(), ctx.viewer(), patch).await?))
    }

    /// Changes an activity; `version` must be the current one.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: UpdateActivityInput,
    ) -> Result<Option<Activity>> {
        let id = parse("id", "Activity", &id)?;
        let w = Write::Update;
        let patch = ActivityPatch {
            engagement: w
                .kept("input.engagement", input.engagement)?
                .map(|e| parse("input.engagement", "Engagement", &e))
                .transpose()?,
            kind: w.kept("input.kind", input.kind)?,
            title: w.kept("input.title", input.title)?,
            start_date: w.kept("input.startDate", input.start_date)?,
            end_date: w.kept("input.endDate", input.end_date)?,
            country: w.kept("input.country", input.country)?,
            place: clearable(input.place),
            participants: changed_counts(w, w.kept("input.participants", input.participants)?)?,
            target_group: clearable(input.target_group),
            description: clearable(input.description),
            results: ids(
                "input.results",
                "Result",
                w.list("input.results", input.results)?,
            )?,
            documents: ids(
                "input.documents",
                "Document",
                w.list("input.documents", input.documents)?,
            )?,
        };
        Ok(Some(
            domain::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
