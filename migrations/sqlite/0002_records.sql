-- Programme records: documents, programmes, engagements, activities, events, lessons learned,
-- results and outcome indicators (IATI 2.03 results model).
-- Every top-level record carries a version (optimistic concurrency) and archived_at (archive, never delete).

create table documents (
    id            integer primary key,
    title         text not null,
    url           text not null,
    category_code text not null,
    language      text not null default 'en',
    document_date text,
    publisher     text not null default '',
    version       integer not null default 1,
    archived_at   text,
    created_at    text not null,
    updated_at    text not null
);

create table programmes (
    id             integer primary key,
    code           text not null unique,
    title          text not null,
    description    text not null default '',
    thematic_area  text not null default '',
    version        integer not null default 1,
    archived_at    text,
    created_at     text not null,
    updated_at     text not null
);

create table programme_documents (
    programme_id integer not null references programmes (id) on delete cascade,
    document_id  integer not null references documents (id),
    primary key (programme_id, document_id)
);

create table engagements (
    id                    integer primary key,
    programme_id          integer not null references programmes (id),
    title                 text not null,
    description           text not null default '',
    objectives            text not null default '',
    iati_identifier       text unique,
    status_code           text not null,
    planned_start         text,
    planned_end           text,
    actual_start          text,
    actual_end            text,
    -- The span the engagement is active in: actual dates when it has started, else planned;
    -- a null end means ongoing. Derived on every write so period filters can use an index.
    active_from           text not null,
    active_to             text,
    recipient_region_code text references regions (code),
    version               integer not null default 1,
    archived_at           text,
    created_at            text not null,
    updated_at            text not null
);
create index engagements_programme on engagements (programme_id, id);
create index engagements_active on engagements (active_from, active_to);

create table engagement_countries (
    engagement_id integer not null references engagements (id) on delete cascade,
    country_iso3  text not null references countries (iso3),
    percentage    real not null check (percentage > 0 and percentage <= 100),
    primary key (engagement_id, country_iso3)
);
create index engagement_countries_country on engagement_countries (country_iso3, engagement_id);

create table engagement_organisations (
    engagement_id   integer not null references engagements (id) on delete cascade,
    organisation_id integer not null references organisations (id),
    role_code       text not null,
    primary key (engagement_id, organisation_id, role_code)
);
create index engagement_organisations_org on engagement_organisations (organisation_id, role_code, engagement_id);

create table engagement_sectors (
    engagement_id integer not null references engagements (id) on delete cascade,
    sector_code   text not null,
    percentage    real not null check (percentage > 0 and percentage <= 100),
    primary key (engagement_id, sector_code)
);

create table engagement_sdg_targets (
    engagement_id integer not null references engagements (id) on delete cascade,
    target_code   text not null,
    primary key (engagement_id, target_code)
);

create table engagement_policy_markers (
    engagement_id     integer not null references engagements (id) on delete cascade,
    marker_code       text not null,
    significance_code text not null,
    primary key (engagement_id, marker_code)
);

create table budgets (
    id            integer primary key,
    engagement_id integer not null references engagements (id) on delete cascade,
    period_start  text not null,
    period_end    text not null,
    amount        real not null check (amount >= 0),
    currency      text not null,
    value_date    text not null,
    check (period_start <= period_end)
);
create index budgets_engagement on budgets (engagement_id);

create table engagement_documents (
    engagement_id integer not null references engagements (id) on delete cascade,
    document_id   integer not null references documents (id),
    primary key (engagement_id, document_id)
);

create table activities (
    id                   integer primary key,
    engagement_id        integer not null references engagements (id),
    kind                 text not null check (kind in ('training', 'workshop', 'assessment', 'advisory_mission',
                                                       'study_visit', 'equipment_delivery', 'conference', 'other')),
    title                text not null,
    start_date           text not null,
    end_date             text not null,
    country_iso3         text not null references countries (iso3),
    place                text not null default '',
    participants_total   integer not null default 0 check (participants_total >= 0),
    participants_female  integer not null default 0 check (participants_female >= 0),
    participants_male    integer not null default 0 check (participants_male >= 0),
    target_group         text not null default '',
    description          text not null default '',
    version              integer not null default 1,
    archived_at          text,
    created_at           text not null,
    updated_at           text not null,
    check (participants_female + participants_male <= participants_total),
    check (start_date <= end_date)
);
create index activities_engagement on activities (engagement_id, start_date, id);
create index activities_country on activities (country_iso3, start_date);
create index activities_start on activities (start_date, id);

create table activity_results (
    activity_id integer not null references activities (id) on delete cascade,
    result_id   integer not null,
    primary key (activity_id, result_id)
);

create table activity_documents (
    activity_id integer not null references activities (id) on delete cascade,
    document_id integer not null references documents (id),
    primary key (activity_id, document_id)
);

create table events (
    id                 integer primary key,
    kind               text not null check (kind in ('high_level_dialogue', 'expert_group_meeting', 'side_event',
                                                     'conference', 'workshop')),
    title              text not null,
    start_date         text not null,
    end_date           text not null,
    venue_city         text not null default '',
    venue_country_iso3 text references countries (iso3),
    summary            text not null default '',
    participant_count  integer check (participant_count >= 0),
    version            integer not null default 1,
    archived_at        text,
    created_at         text not null,
    updated_at         text not null,
    check (start_date <= end_date)
);
create index events_start on events (start_date, id);

create table event_organisers (
    event_id        integer not null references events (id) on delete cascade,
    organisation_id integer not null references organisations (id),
    primary key (event_id, organisation_id)
);

create table event_speakers (
    id                integer primary key,
    event_id          integer not null references events (id) on delete cascade,
    position_in_list  integer not null,
    name              text not null,
    position          text not null default '',
    organisation_id   integer references organisations (id),
    organisation_name text not null default ''
);
create index event_speakers_event on event_speakers (event_id, position_in_list);

create table event_themes (
    event_id integer not null references events (id) on delete cascade,
    theme    text not null,
    primary key (event_id, theme)
);

create table event_key_messages (
    event_id         integer not null references events (id) on delete cascade,
    position_in_list integer not null,
    message          text not null,
    primary key (event_id, position_in_list)
);

create table event_documents (
    event_id    integer not null references events (id) on delete cascade,
    document_id integer not null references documents (id),
    primary key (event_id, document_id)
);

create table event_programmes (
    event_id     integer not null references events (id) on delete cascade,
    programme_id integer not null references programmes (id),
    primary key (event_id, programme_id)
);

create table event_engagements (
    event_id      integer not null references events (id) on delete cascade,
    engagement_id integer not null references engagements (id),
    primary key (event_id, engagement_id)
);
create index event_engagements_engagement on event_engagements (engagement_id, event_id);

create table lessons (
    id                   integer primary key,
    title                text not null,
    statement            text not null,
    context              text not null default '',
    evidence             text not null default '',
    source_engagement_id integer references engagements (id),
    source_activity_id   integer references activities (id),
    source_event_id      integer references events (id),
    source_document_id   integer references documents (id),
    recorded_by          text not null,
    recorded_at          text not null,
    version              integer not null default 1,
    archived_at          text,
    created_at           text not null,
    updated_at           text not null
);

create table lesson_themes (
    lesson_id integer not null references lessons (id) on delete cascade,
    theme     text not null,
    primary key (lesson_id, theme)
);

create table lesson_countries (
    lesson_id    integer not null references lessons (id) on delete cascade,
    country_iso3 text not null references countries (iso3),
    primary key (lesson_id, country_iso3)
);

-- An M49 region code or a grouping code.
create table lesson_areas (
    lesson_id integer not null references lessons (id) on delete cascade,
    area_code text not null,
    primary key (lesson_id, area_code)
);

create table lesson_documents (
    lesson_id   integer not null references lessons (id) on delete cascade,
    document_id integer not null references documents (id),
    primary key (lesson_id, document_id)
);

create virtual table lessons_fts using fts5 (
    title, statement, context, evidence,
    content = 'lessons', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
create trigger lessons_fts_insert after insert on lessons begin
    insert into lessons_fts (rowid, title, statement, context, evidence)
    values (new.id, new.title, new.statement, new.context, new.evidence);
end;
create trigger lessons_fts_delete after delete on lessons begin
    insert into lessons_fts (lessons_fts, rowid, title, statement, context, evidence)
    values ('delete', old.id, old.title, old.statement, old.context, old.evidence);
end;
create trigger lessons_fts_update after update on lessons begin
    insert into lessons_fts (lessons_fts, rowid, title, statement, context, evidence)
    values ('delete', old.id, old.title, old.statement, old.context, old.evidence);
    insert into lessons_fts (rowid, title, statement, context, evidence)
    values (new.id, new.title, new.statement, new.context, new.evidence);
end;

create table results (
    id               integer primary key,
    engagement_id    integer references engagements (id),
    programme_id     integer references programmes (id),
    result_type      text not null,
    title            text not null,
    description      text not null default '',
    parent_result_id integer references results (id),
    version          integer not null default 1,
    archived_at      text,
    created_at       text not null,
    updated_at       text not null,
    check ((engagement_id is null) <> (programme_id is null))
);
create index results_engagement on results (engagement_id, id);
create index results_programme on results (programme_id, id);

create table indicators (
    id               integer primary key,
    result_id        integer not null references results (id),
    code             text not null unique,
    title            text not null,
    description      text not null default '',
    measure          text not null,
    ascending        integer not null default 1 check (ascending in (0, 1)),
    aggregation      text not null check (aggregation in ('sum', 'mean', 'latest')),
    sdg_indicator    text,
    baseline_year    integer,
    baseline_date    text,
    baseline_value   real,
    baseline_comment text not null default '',
    version          integer not null default 1,
    archived_at      text,
    created_at       text not null,
    updated_at       text not null
);
create index indicators_result on indicators (result_id, id);

-- The disaggregation values an indicator allows, e.g. (sex, female), (sex, male).
create table indicator_dimensions (
    indicator_id integer not null references indicators (id) on delete cascade,
    name         text not null,
    value        text not null,
    primary key (indicator_id, name, value)
);

-- Targets and actuals per period; '' in the dimension columns means "not disaggregated".
create table indicator_values (
    id              integer primary key,
    indicator_id    integer not null references indicators (id),
    kind            text not null check (kind in ('target', 'actual')),
    period_start    text not null,
    period_end      text not null,
    value           real,
    country_iso3    text references countries (iso3),
    dimension_name  text not null default '',
    dimension_value text not null default '',
    comment         text not null default '',
    document_id     integer references documents (id),
    version         integer not null default 1,
    created_at      text not null,
    updated_at      text not null,
    check (period_start <= period_end)
);
create unique index indicator_values_slot on indicator_values (
    indicator_id, kind, period_start, period_end, coalesce(country_iso3, ''), dimension_name, dimension_value
);
create index indicator_values_country on indicator_values (country_iso3, indicator_id);
