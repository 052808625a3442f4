-- 20260411_0003 points_ledger: an append-only ledger of points, and each owner's current balance.

CREATE TABLE points_ledger (
    id              uuid         NOT NULL DEFAULT gen_random_uuid(),
    owner_id        uuid         NOT NULL,
    -- signed: grants positive, debits negative
    amount          bigint       NOT NULL,
    balance_after   bigint       NOT NULL,
    reason          varchar(200) NOT NULL,
    reference_type  varchar(50),
    reference_id    uuid,
    idempotency_key varchar(200),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_points_ledger PRIMARY KEY (id),
    CONSTRAINT ck_points_ledger_amount_not_zero CHECK (amount <> 0),
    CONSTRAINT ck_points_ledger_balance_after_not_negative CHECK (balance_after >= 0)
);
CREATE UNIQUE INDEX ix_points_ledger_owner_id_idempotency_key
    ON points_ledger (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_points_ledger_owner_id_created_at_id ON points_ledger (owner_id, created_at DESC, id DESC);
CREATE INDEX ix_points_ledger_reference_type_reference_id ON points_ledger (reference_type, reference_id);
ALTER TABLE points_ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY points_ledger_owner_read ON points_ledger
    FOR SELECT TO authenticated USING (owner_id = auth.uid());

-- Append-only is the database's rule, not the application's: every role, the backend's included,
-- is refused UPDATE, DELETE and TRUNCATE.
CREATE FUNCTION points_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'points_ledger is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER points_ledger_append_only BEFORE UPDATE OR DELETE ON points_ledger
    FOR EACH ROW EXECUTE FUNCTION points_ledger_refuse_change();
CREATE TRIGGER points_ledger_no_truncate BEFORE TRUNCATE ON points_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION points_ledger_refuse_change();

-- The running balance, one row per owner. Debits change it with one conditional UPDATE
-- (balance + amount >= 0), so concurrent debits serialize on the row and can never overdraw;
-- each change is recorded in points_ledger in the same transaction.
CREATE TABLE points_balance (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    owner_id    uuid        NOT NULL,
    balance     bigint      NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_points_balance PRIMARY KEY (id),
    CONSTRAINT ck_points_balance_not_negative CHECK (balance >= 0)
);
CREATE UNIQUE INDEX ix_points_balance_owner_id ON points_balance (owner_id);
ALTER TABLE points_balance ENABLE ROW LEVEL SECURITY;
CREATE POLICY points_balance_owner_read ON points_balance
    FOR SELECT TO authenticated USING (owner_id = auth.uid());
