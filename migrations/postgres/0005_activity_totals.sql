-- Pre-computed activity totals for regional summaries. One row per live engagement, country,
-- kind, start year and end year, summing its live (not archived) activities. Rewritten for an
-- engagement in the same transaction as every write to its activities or its archiving
-- (storage::activity_totals), so a summary never reads a total its records do not add up to.
-- Summaries read whole years from here and only the activities of partly covered years from
-- `activities`. `activity_totals_world` holds the same sums without the engagement, for summaries
-- that need no engagement filter (no programme, no donor scope): a few thousand rows.
create table activity_totals (
    engagement_id       bigint not null references engagements (id),
    country_iso3        text collate "C" not null,
    kind                text collate "C" not null,
    start_year          integer not null,
    end_year            integer not null,
    activities          bigint not null,
    participants_total  bigint not null,
    participants_female bigint not null,
    participants_male   bigint not null,
    primary key (engagement_id, country_iso3, kind, start_year, end_year)
);
create index activity_totals_country on activity_totals (country_iso3);

insert into activity_totals
select engagement_id, country_iso3, kind,
       cast(substr(start_date, 1, 4) as integer), cast(substr(end_date, 1, 4) as integer),
       count(*), sum(participants_total), sum(participants_female), sum(participants_male)
from activities
where archived_at is null
  and engagement_id in (select id from engagements where archived_at is null)
group by engagement_id, country_iso3, kind,
         cast(substr(start_date, 1, 4) as integer), cast(substr(end_date, 1, 4) as integer);

create table activity_totals_world (
    country_iso3        text collate "C" not null,
    kind                text collate "C" not null,
    start_year          integer not null,
    end_year            integer not null,
    activities          bigint not null,
    participants_total  bigint not null,
    participants_female bigint not null,
    participants_male   bigint not null,
    primary key (country_iso3, kind, start_year, end_year)
);
insert into activity_totals_world
select country_iso3, kind, start_year, end_year, sum(activities), sum(participants_total),
       sum(participants_female), sum(participants_male)
from activity_totals
group by country_iso3, kind, start_year, end_year;

-- Activities that cross into a period from before it, found by their end date.
create index activities_end on activities (end_date, start_date);
-- Engagement pages are ordered by (active_from, id): one index serves the order.
create index engagements_active_id on engagements (active_from, id);
