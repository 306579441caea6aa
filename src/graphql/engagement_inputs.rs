//! Inputs and mutations of engagements.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::context::Ctx;
use super::ids::parse;
use super::patch::{Write, clearable};
use crate::domain::engagements::{self as eng, BudgetInput, Change, Engagement, EngagementPatch};

/// A recipient country and its share.
#[derive(InputObject)]
pub struct RecipientCountryInput {
    /// ISO3, ISO2 or M49 code.
    pub country: String,
    /// Share in percent, at most 6 decimal places; the shares of an engagement sum to 100.
    pub percentage: f64,
}

/// An organisation in an IATI role.
#[derive(InputObject)]
pub struct ParticipatingOrganisationInput {
    /// Organisation id.
    pub organisation: ID,
    /// IATI OrganisationRole code: 1 funding, 2 accountable, 3 extending, 4 implementing.
    pub role: String,
}

/// A DAC sector and its share.
#[derive(InputObject)]
pub struct SectorInput {
    /// DAC 5-digit purpose code, e.g. 15130.
    pub code: String,
    /// Share in percent, at most 6 decimal places; the shares sum to 100.
    pub percentage: f64,
}

/// A policy marker.
#[derive(InputObject)]
pub struct PolicyMarkerInput {
    /// IATI PolicyMarker code, e.g. 1 (gender equality).
    pub code: String,
    /// IATI PolicySignificance code, e.g. 1 (significant objective).
    pub significance: String,
}

/// A budget for a period of at most one year.
#[derive(InputObject)]
#[graphql(name = "BudgetInput")]
pub struct BudgetInputGql {
    /// First day of the period (YYYY-MM-DD).
    pub period_start: String,
    /// Last day of the period; at most one year after the start.
    pub period_end: String,
    /// Amount: from 0 to 1000000000000; a negative amount is refused as negative.
    pub amount: f64,
    /// ISO 4217 currency code, e.g. USD.
    pub currency: String,
    /// Date of the exchange value; the period start when not given.
    pub value_date: Option<String>,
}

/// A new engagement.
#[derive(InputObject)]
pub struct CreateEngagementInput {
    /// Programme code, e.g. GLOZ85.
    pub programme: String,
    /// Title.
    pub title: String,
    /// What the engagement does.
    pub description: Option<String>,
    /// What it sets out to achieve.
    pub objectives: Option<String>,
    /// IATI activity identifier: the reporting organisation's identifier, a hyphen, and the
    /// activity's own code; unique, no spaces and none of / & | ?. `{reporting ref}-ENG-{number}`
    /// is kept for the IATI export, which gives it to engagements without an identifier.
    pub iati_identifier: Option<String>,
    /// IATI ActivityStatus code, e.g. 2 (implementation). It must agree with the actual dates:
    /// no actual start in pipeline (1), no actual end in implementation (2), an actual end in
    /// finalisation (3) or closed (4), and in cancelled (5) once there is an actual start.
    pub status: String,
    /// Planned start (YYYY-MM-DD); a planned or actual start is required.
    pub planned_start: Option<String>,
    /// Planned end.
    pub planned_end: Option<String>,
    /// Actual start: a date that has happened, not after today (UTC) and a day of grace.
    pub actual_start: Option<String>,
    /// Actual end: a date that has happened, not after today (UTC) and a day of grace.
    pub actual_end: Option<String>,
    /// Recipient countries with percentages summing to 100 (or give a recipient region).
    pub recipient_countries: Option<Vec<RecipientCountryInput>>,
    /// Recipient M49 region code, instead of countries.
    pub recipient_region: Option<String>,
    /// Participating organisations with IATI roles.
    pub participating_organisations: Option<Vec<ParticipatingOrganisationInput>>,
    /// OECD DAC sectors with percentages summing to 100; at least one, as IATI asks of every
    /// activity.
    pub sectors: Option<Vec<SectorInput>>,
    /// SDG target codes, e.g. 16.3.
    pub sdg_targets: Option<Vec<String>>,
    /// Policy markers.
    pub policy_markers: Option<Vec<PolicyMarkerInput>>,
    /// Budgets.
    pub budgets: Option<Vec<BudgetInputGql>>,
    /// Reference documents (Document ids).
    pub documents: Option<Vec<ID>>,
}

/// Changes to an engagement: absent fields keep their values and a given list replaces the list.
/// `null` clears the fields that say so; on the others it is refused, naming the field.
#[derive(InputObject)]
pub struct UpdateEngagementInput {
    /// Programme code.
    pub programme: MaybeUndefined<String>,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// What the engagement does; null empties it.
    pub description: MaybeUndefined<String>,
    /// What it sets out to achieve; null empties it.
    pub objectives: MaybeUndefined<String>,
    /// IATI activity identifier: may be set once, never changed (but one set under the placeholder
    /// reference may move, once, under a real reference configured since); as on creation, but
    /// the engagement may take the `{reporting ref}-ENG-{id}` it is exported under.
    pub iati_identifier: MaybeUndefined<String>,
    /// IATI ActivityStatus code; it must agree with the actual dates, as on creation.
    pub status: MaybeUndefined<String>,
    /// Planned start; null clears it.
    pub planned_start: MaybeUndefined<String>,
    /// Planned end; null clears it.
    pub planned_end: MaybeUndefined<String>,
    /// Actual start: a date that has happened, not after today (UTC) and a day of grace; not
    /// after the first day of an activity logged under the engagement; null clears it.
    pub actual_start: MaybeUndefined<String>,
    /// Actual end: a date that has happened, not after today (UTC) and a day of grace; not
    /// before the last day of an activity logged under the engagement; null clears it.
    pub actual_end: MaybeUndefined<String>,
    /// Recipient countries with percentages summing to 100.
    pub recipient_countries: MaybeUndefined<Vec<RecipientCountryInput>>,
    /// Recipient M49 region code; null clears it.
    pub recipient_region: MaybeUndefined<String>,
    /// Participating organisations with IATI roles.
    pub participating_organisations: MaybeUndefined<Vec<ParticipatingOrganisationInput>>,
    /// OECD DAC sectors with percentages summing to 100; a list given replaces them and may not
    /// be empty.
    pub sectors: MaybeUndefined<Vec<SectorInput>>,
    /// SDG target codes.
    pub sdg_targets: MaybeUndefined<Vec<String>>,
    /// Policy markers.
    pub policy_markers: MaybeUndefined<Vec<PolicyMarkerInput>>,
    /// Budgets.
    pub budgets: MaybeUndefined<Vec<BudgetInputGql>>,
    /// Reference documents (Document ids).
    pub documents: MaybeUndefined<Vec<ID>>,
}

fn change(v: MaybeUndefined<String>) -> Change<String> {
    match v {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(v) => Change::Set(v),
    }
}

fn set(v: Option<String>) -> Change<String> {
    v.map_or(Change::Keep, Change::Set)
}

struct Lists {
    countries: Option<Vec<RecipientCountryInput>>,
    organisations: Option<Vec<ParticipatingOrganisationInput>>,
    sectors: Option<Vec<SectorInput>>,
    markers: Option<Vec<PolicyMarkerInput>>,
    budgets: Option<Vec<BudgetInputGql>>,
    documents: Option<Vec<ID>>,
}

fn lists(patch: &mut EngagementPatch, l: Lists) -> Result<()> {
    patch.recipient_countries = l
        .countries
        .map(|v| v.into_iter().map(|c| (c.country, c.percentage)).collect());
    patch.participating_organisations = l
        .organisations
        .map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, o)| {
                    parse(
                        &format!("input.participatingOrganisations[{i}].organisation"),
                        "Organisation",
                        &o.organisation,
                    )
                    .map(|id| (id, o.role))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    patch.sectors = l
        .sectors
        .map(|v| v.into_iter().map(|s| (s.code, s.percentage)).collect());
    patch.policy_markers = l
        .markers
        .map(|v| v.into_iter().map(|m| (m.code, m.significance)).collect());
    patch.budgets = l.budgets.map(|v| {
        v.into_iter()
            .map(|b| BudgetInput {
                period_start: b.period_start,
                period_end: b.period_end,
                amount: b.amount,
                currency: b.currency,
                value_date: b.value_date,
            })
            .collect()
    });
    patch.documents = l
        .documents
        .map(|ids| {
            ids.iter()
                .enumerate()
                .map(|(i, id)| parse(&format!("input.documents[{i}]"), "Document", id))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(())
}

#[derive(Default)]
pub struct EngagementMutation;

/// Engagement changes.
#[Object]
impl EngagementMutation {
    /// Records an engagement (admins, or officers within the programme and countries of their
    /// scope). The whole input is validated first; nothing is written if any part is refused.
    async fn create_engagement(
        &self,
        ctx: &Context<'_>,
        input: CreateEngagementInput,
    ) -> Result<Option<Engagement>> {
        let mut patch = EngagementPatch {
            programme: Some(input.programme),
            title: Some(input.title),
            description: input.description,
            objectives: input.objectives,
            iati_identifier: set(input.iati_identifier),
            status: Some(input.status),
            planned_start: set(input.planned_start),
            planned_end: set(input.planned_end),
            actual_start: set(input.actual_start),
            actual_end: set(input.actual_end),
            recipient_region: set(input.recipient_region),
            sdg_targets: input.sdg_targets,
            ..Default::default()
        };
        lists(
            &mut patch,
            Lists {
                countries: input.recipient_countries,
                organisations: input.participating_organisations,
                sectors: input.sectors,
                markers: input.policy_markers,
                budgets: input.budgets,
                documents: input.documents,
            },
        )?;
        Ok(Some(eng::create(ctx.db(), ctx.viewer(), patch).await?))
    }

    /// Changes an engagement; `version` must be the current one or nothing is written (CONFLICT).
    async fn update_engagement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: UpdateEngagementInput,
    ) -> Result<Option<Engagement>> {
        let id = parse("id", "Engagement", &id)?;
        let w = Write::Update;
        let mut patch = EngagementPatch {
            programme: w.kept("input.programme", input.programme)?,
            title: w.kept("input.title", input.title)?,
            description: clearable(input.description),
            objectives: clearable(input.objectives),
            iati_identifier: change(input.iati_identifier),
            status: w.kept("input.status", input.status)?,
            planned_start: change(input.planned_start),
            planned_end: change(input.planned_end),
            actual_start: change(input.actual_start),
            actual_end: change(input.actual_end),
            recipient_region: change(input.recipient_region),
            sdg_targets: w.list("input.sdgTargets", input.sdg_targets)?,
            ..Default::default()
        };
        lists(
            &mut patch,
            Lists {
                countries: w.list("input.recipientCountries", input.recipient_countries)?,
                organisations: w.list(
                    "input.participatingOrganisations",
                    input.participating_organisations,
                )?,
                sectors: w.list("input.sectors", input.sectors)?,
                markers: w.list("input.policyMarkers", input.policy_markers)?,
                budgets: w.list("input.budgets", input.budgets)?,
                documents: w.list("input.documents", input.documents)?,
            },
        )?;
        Ok(Some(
            eng::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
