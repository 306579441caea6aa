-- Idempotency keys: a client that retries a mutation with the same Idempotency-Key header gets
-- the first response back instead of a second write. Keys are per credential and kept a day.
create table idempotency_keys (
    credential   text collate "C" not null,
    key          text collate "C" not null,
    request_hash text collate "C" not null,
    status       text collate "C" not null check (status in ('pending', 'done')),
    response     text collate "C",
    created_at   text collate "C" not null,
    primary key (credential, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
