-- Scoring results, written by rescoring (crisk.rescore and the worker):
-- crisk.score holds each customer's latest result, crisk.score_history
-- every result ever written (append-only, purged by retention).
--
-- A pass writes both in the same transaction, per batch:
--   INSERT INTO crisk.score (...) VALUES/SELECT ...
--       ON CONFLICT (customer_id) DO UPDATE SET ... = excluded....;
--   INSERT INTO crisk.score_history (<the same columns>)
--       SELECT <the same columns> FROM crisk.score WHERE customer_id = ANY(batch);
-- The upsert matters: the trigger below keeps previous_score,
-- previous_risk_class and risk_class_since from the row it replaces.

CREATE TABLE crisk.score (
    customer_id               pg_catalog.text NOT NULL,
    as_of                     pg_catalog.date NOT NULL,
    scored_at                 pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    run_id                    pg_catalog.int8,
    model                     pg_catalog.text NOT NULL,
    score                     pg_catalog.int4 NOT NULL,
    risk_class                pg_catalog.text NOT NULL,
    previous_score            pg_catalog.int4,
    previous_risk_class       pg_catalog.text,
    risk_class_since          pg_catalog.timestamptz,
    reasons                   pg_catalog.jsonb NOT NULL DEFAULT '[]',
    -- The payment profile (crisk.payment_profile) the score rests on.
    invoices                  pg_catalog.int8,
    open_invoices             pg_catalog.int8,
    billed                    pg_catalog.numeric,
    open_amount               pg_catalog.numeric,
    overdue_amount            pg_catalog.numeric,
    avg_days_beyond_terms     pg_catalog.float8,
    days_beyond_terms_stddev  pg_catalog.float8,
    late_share                pg_catalog.float8,
    max_days_late             pg_catalog.int4,
    dso                       pg_catalog.numeric,
    last_payment              pg_catalog.date,
    -- The other characteristics scored.
    altman_z                  pg_catalog.float8,
    adverse_events            pg_catalog.int4,
    utilization               pg_catalog.float8,
    relationship_months       pg_catalog.int4,
    -- Recalibration.
    policy                    pg_catalog.text,
    limit_locked              pg_catalog.bool,
    credit_limit_before       pg_catalog.numeric,
    recommended_limit         pg_catalog.numeric,
    credit_limit_after        pg_catalog.numeric,
    CONSTRAINT score_pkey PRIMARY KEY (customer_id),
    CONSTRAINT score_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES crisk.account (customer_id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT score_range CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT score_risk_class_valid CHECK (risk_class IN ('A', 'B', 'C', 'D', 'E')),
    CONSTRAINT score_previous_score_range CHECK (previous_score BETWEEN 0 AND 100),
    CONSTRAINT score_previous_risk_class_valid CHECK (previous_risk_class IN ('A', 'B', 'C', 'D', 'E')),
    CONSTRAINT score_reasons_array CHECK (pg_catalog.jsonb_typeof(reasons) = 'array')
);
COMMENT ON TABLE crisk.score IS
    'Latest score of each customer: score 0-100, risk class A-E, the reasons (crisk.explain_score rows as a JSON array), the payment-profile figures and other characteristics it rests on, and the credit limit before and after recalibration. One row per customer, written by rescoring.';
COMMENT ON COLUMN crisk.score.as_of IS 'Date the customer was scored as of.';
COMMENT ON COLUMN crisk.score.run_id IS 'Rescoring run (crisk.job_run) that wrote the row; NULL when none.';
COMMENT ON COLUMN crisk.score.previous_score IS 'Score of the row this one replaced (maintained by crisk).';
COMMENT ON COLUMN crisk.score.previous_risk_class IS 'Risk class before the last change of class (maintained by crisk).';
COMMENT ON COLUMN crisk.score.risk_class_since IS 'When the customer entered its current risk class (maintained by crisk).';
COMMENT ON COLUMN crisk.score.reasons IS 'JSON array of {characteristic, value, points, max_points}, as crisk.explain_score returns them: what each characteristic earned and could have earned.';
COMMENT ON COLUMN crisk.score.recommended_limit IS 'Limit recalibration computed, applied or not (not applied when limit_locked).';
COMMENT ON COLUMN crisk.score.credit_limit_before IS 'Limit in force before the first pass as of this date (the limit utilization is measured against); a pass run again for the same date keeps it.';
COMMENT ON COLUMN crisk.score.credit_limit_after IS 'Limit in force after the pass: recommended_limit, or credit_limit_before when locked.';
REVOKE ALL ON crisk.score FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.score', '');

-- crisk.track_risk_class keeps the previous score and class, and since when
-- the class holds, from the row an upsert replaces.  A restored row keeps
-- what it carries.
CREATE FUNCTION crisk.track_risk_class()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_track_risk_class'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.track_risk_class() IS
    'Trigger function on crisk.score: keeps previous_score, previous_risk_class and risk_class_since.';
REVOKE ALL ON FUNCTION crisk.track_risk_class() FROM PUBLIC;
CREATE TRIGGER score_track_risk_class
    BEFORE INSERT OR UPDATE ON crisk.score
    FOR EACH ROW EXECUTE FUNCTION crisk.track_risk_class();

CREATE TABLE crisk.score_history (
    history_id                pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id               pg_catalog.text NOT NULL,
    as_of                     pg_catalog.date NOT NULL,
    scored_at                 pg_catalog.timestamptz NOT NULL,
    run_id                    pg_catalog.int8,
    model                     pg_catalog.text NOT NULL,
    score                     pg_catalog.int4 NOT NULL,
    risk_class                pg_catalog.text NOT NULL,
    previous_score            pg_catalog.int4,
    previous_risk_class       pg_catalog.text,
    risk_class_since          pg_catalog.timestamptz,
    reasons                   pg_catalog.jsonb NOT NULL,
    invoices                  pg_catalog.int8,
    open_invoices             pg_catalog.int8,
    billed                    pg_catalog.numeric,
    open_amount               pg_catalog.numeric,
    overdue_amount            pg_catalog.numeric,
    avg_days_beyond_terms     pg_catalog.float8,
    days_beyond_terms_stddev  pg_catalog.float8,
    late_share                pg_catalog.float8,
    max_days_late             pg_catalog.int4,
    dso                       pg_catalog.numeric,
    last_payment              pg_catalog.date,
    altman_z                  pg_catalog.float8,
    adverse_events            pg_catalog.int4,
    utilization               pg_catalog.float8,
    relationship_months       pg_catalog.int4,
    policy                    pg_catalog.text,
    limit_locked              pg_catalog.bool,
    credit_limit_before       pg_catalog.numeric,
    recommended_limit         pg_catalog.numeric,
    credit_limit_after        pg_catalog.numeric,
    CONSTRAINT score_history_pkey PRIMARY KEY (history_id),
    CONSTRAINT score_history_range CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT score_history_risk_class_valid CHECK (risk_class IN ('A', 'B', 'C', 'D', 'E'))
);
COMMENT ON TABLE crisk.score_history IS
    'Every score rescoring wrote (append-only), with the same columns as crisk.score: the trail of automated decisions a customer may ask to see explained. Old rows go with crisk.purge_history().';
-- Trend per customer, and retention by age.
CREATE INDEX score_history_customer_idx ON crisk.score_history (customer_id, scored_at);
CREATE INDEX score_history_scored_at_idx ON crisk.score_history (scored_at);
REVOKE ALL ON crisk.score_history FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.score_history', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.score_history_history_id_seq', '');
CREATE TRIGGER score_history_append_only
    BEFORE UPDATE OR DELETE ON crisk.score_history
    FOR EACH ROW EXECUTE FUNCTION crisk.append_only();
CREATE TRIGGER score_history_append_only_truncate
    BEFORE TRUNCATE ON crisk.score_history
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.append_only();
