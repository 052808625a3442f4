-- 20261124_0001 seed_data_history: what `eryao init-data` has applied, apart from schema revisions.

CREATE TABLE seed_data_history (
    id          uuid         NOT NULL DEFAULT gen_random_uuid(),
    -- the seed file's name without .sql, e.g. 0001_llm_catalog
    name        varchar(200) NOT NULL,
    -- SHA-256 of the seed file as last applied; a different one means it was edited
    checksum    varchar(64)  NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_seed_data_history PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_seed_data_history_name ON seed_data_history (name);
-- No policy: nobody but the backend reads it.
ALTER TABLE seed_data_history ENABLE ROW LEVEL SECURITY;
