-- Foundation: geography (UN M49), groupings, IATI codelists, organisations, API tokens and the audit log.
-- Conventions shared with the PostgreSQL migrations:
--   dates are ISO 8601 text 'YYYY-MM-DD'; instants are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ';
--   flags are 0/1 integers here and booleans there; amounts are double precision.

create table regions (
    code        text primary key check (length(code) = 3),
    name        text not null,
    level       text not null check (level in ('world', 'region', 'sub_region', 'intermediate_region')),
    parent_code text references regions (code)
);
create index regions_parent on regions (parent_code);

create table countries (
    iso3                     text primary key check (length(iso3) = 3),
    iso2                     text not null unique check (length(iso2) = 2),
    m49                      text not null unique check (length(m49) = 3),
    name                     text not null,
    un_member                integer not null check (un_member in (0, 1)),
    region_code              text references regions (code),
    sub_region_code          text references regions (code),
    intermediate_region_code text references regions (code)
);
create index countries_region on countries (region_code);
create index countries_sub_region on countries (sub_region_code);
create index countries_intermediate_region on countries (intermediate_region_code);
create index countries_name on countries (name);

-- Named sets of countries that are not M49 regions (e.g. UNODC's regional office areas).
create table groupings (
    code        text primary key,
    name        text not null,
    description text not null default '',
    created_at  text not null
);

create table grouping_countries (
    grouping_code text not null references groupings (code) on delete cascade,
    country_iso3  text not null references countries (iso3),
    primary key (grouping_code, country_iso3)
);
create index grouping_countries_country on grouping_countries (country_iso3);

-- IATI 2.03 codelists, one row per (list, code).
create table codelist_items (
    list        text not null,
    code        text not null,
    name        text not null,
    description text not null default '',
    category    text not null default '',
    status      text not null default 'active',
    primary key (list, code)
);

create table organisations (
    id           integer primary key,
    name         text not null,
    org_type     text not null,
    iati_ref     text unique,
    country_iso3 text references countries (iso3),
    version      integer not null default 1,
    archived_at  text,
    created_at   text not null,
    updated_at   text not null
);
create index organisations_name on organisations (name, id);

create table api_tokens (
    id              integer primary key,
    name            text not null,
    role            text not null check (role in ('admin', 'officer', 'donor', 'reporter')),
    token_hash      text not null unique,
    organisation_id integer references organisations (id),
    expires_on      text,
    created_at      text not null,
    revoked_at      text
);

-- An officer token's scope: the programmes (and optionally countries) it may write in.
create table token_scopes (
    token_id integer not null references api_tokens (id) on delete cascade,
    kind     text not null check (kind in ('programme', 'country')),
    value    text not null,
    primary key (token_id, kind, value)
);

create table audit_log (
    id             integer primary key,
    at             text not null,
    actor_token_id integer,
    actor          text not null,
    action         text not null,
    entity_type    text not null,
    entity_id      integer not null,
    before_json    text,
    after_json     text
);
create index audit_log_entity on audit_log (entity_type, entity_id, id);
