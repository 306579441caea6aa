-- A target or actual recorded by mistake is taken back with `archive(id, version)`: it stays, with
-- its audit entries, but leaves every list, progress figure, report and export. Only live values
-- hold their slot, so the slot can be set again after its value is archived.
alter table indicator_values add column archived_at text;
drop index indicator_values_slot;
create unique index indicator_values_slot on indicator_values (
    indicator_id, kind, period_start, period_end, coalesce(country_iso3, ''), dimension_name, dimension_value
) where archived_at is null;
