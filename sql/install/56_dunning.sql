-- Dunning policies: the steps of chasing an overdue invoice, by days past
-- due.  crisk ships the policy "default" (see README, "Dunning policy", for
-- why these day counts); users add levels after its last one, or create
-- their own policies and assign them with crisk.account.dunning_policy.
-- order_decision is what crisk.check_order does once a customer's oldest
-- overdue invoice has reached the level.  min_gap_days: the least number
-- of days between the previous level's action and this one (the shipped
-- policy leaves 14 days to answer a reminder, and the 8 days of a formal
-- notice plus 2 for the post before litigation).

CREATE TABLE crisk.dunning_policy (
    policy          pg_catalog.text NOT NULL DEFAULT 'default',
    level           pg_catalog.int4 NOT NULL,
    days_past_due   pg_catalog.int4 NOT NULL,
    action          pg_catalog.text NOT NULL,
    description     pg_catalog.text NOT NULL,
    order_decision  pg_catalog.text,
    shipped         pg_catalog.bool NOT NULL DEFAULT false,
    min_gap_days    pg_catalog.int4 NOT NULL DEFAULT 0,
    CONSTRAINT dunning_policy_pkey PRIMARY KEY (policy, level),
    CONSTRAINT dunning_policy_days_unique UNIQUE (policy, days_past_due),
    CONSTRAINT dunning_policy_policy_not_empty CHECK (policy <> ''),
    CONSTRAINT dunning_policy_level_positive CHECK (level > 0),
    CONSTRAINT dunning_policy_days_positive CHECK (days_past_due > 0),
    CONSTRAINT dunning_policy_action_not_empty CHECK (action <> ''),
    CONSTRAINT dunning_policy_order_decision_valid CHECK (order_decision IN ('review', 'block')),
    CONSTRAINT dunning_policy_min_gap_valid CHECK (min_gap_days >= 0)
);
COMMENT ON TABLE crisk.dunning_policy IS
    'Dunning steps per policy: from how many days past due each level applies, the action to take, and what it does to order checks (review, block or nothing). Policy "default" is shipped (shipped = true, read-only); rows users add are theirs and are kept by pg_dump.';
COMMENT ON COLUMN crisk.dunning_policy.days_past_due IS 'An invoice reaches the level once it is at least this many days past due.';
COMMENT ON COLUMN crisk.dunning_policy.order_decision IS 'What crisk.check_order decides for a customer whose oldest overdue invoice reached this level: review, block, or NULL (no effect).';
COMMENT ON COLUMN crisk.dunning_policy.min_gap_days IS 'Levels are sequential per invoice: this level is proposed only after the previous one was recorded (crisk.dunning_action) and at least this many days have passed since.';
COMMENT ON COLUMN crisk.dunning_policy.shipped IS 'True for the rows crisk ships; those cannot be changed.';

INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision, shipped, min_gap_days) VALUES
    ('default', 1, 7, 'reminder',
     'Friendly reminder by e-mail or telephone, with a copy of the invoice.', NULL, true, 0),
    ('default', 2, 21, 'second_reminder',
     'Second reminder by letter, stating the late-payment penalties and the 40 EUR recovery indemnity now due (Code de commerce L441-10, D441-5).', 'review', true, 14),
    ('default', 3, 45, 'formal_notice',
     'Formal notice (mise en demeure) by registered letter with acknowledgement of receipt, setting a final deadline, usually 8 days.', 'block', true, 14),
    ('default', 4, 60, 'litigation',
     'Hand-over to litigation: order for payment (injonction de payer) at the commercial court or a collection agency; declare the overdue to the credit insurer if the customer is covered.', 'block', true, 10);
REVOKE ALL ON crisk.dunning_policy FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_policy', 'WHERE NOT shipped');
-- crisk.check_order caches the policies.
CREATE TRIGGER dunning_policy_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.dunning_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- Also on a logical-replication subscriber (session_replication_role = replica).
ALTER TABLE crisk.dunning_policy ENABLE ALWAYS TRIGGER dunning_policy_changed;

CREATE TRIGGER dunning_policy_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.dunning_policy
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Add levels after the last shipped one, or copy the policy under a new name and assign it in crisk.account.dunning_policy.');
CREATE TRIGGER dunning_policy_shipped_truncate
    BEFORE TRUNCATE ON crisk.dunning_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Delete your own rows with DELETE ... WHERE NOT shipped.');

-- crisk.check_dunning_levels: within a policy, levels come in the order of
-- their days past due.
CREATE FUNCTION crisk.check_dunning_levels()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad record;
BEGIN
    SELECT p.policy, p.level, p.days_past_due, p.prev_level, p.prev_days INTO bad
    FROM (SELECT d.policy, d.level, d.days_past_due,
                 pg_catalog.lag(d.level) OVER w AS prev_level,
                 pg_catalog.lag(d.days_past_due) OVER w AS prev_days
          FROM crisk.dunning_policy d
          WINDOW w AS (PARTITION BY d.policy ORDER BY d.level)) p
    WHERE p.days_past_due OPERATOR(pg_catalog.<=) p.prev_days
    ORDER BY p.policy, p.level
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'levels of dunning policy % must come in the order of their days past due', bad.policy
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('Level %s starts at %s days, not after level %s (%s days).',
                                             bad.level, bad.days_past_due, bad.prev_level, bad.prev_days);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.check_dunning_levels() IS
    'Trigger function on crisk.dunning_policy: within a policy, a higher level starts at more days past due.';
REVOKE ALL ON FUNCTION crisk.check_dunning_levels() FROM PUBLIC;
CREATE TRIGGER dunning_policy_levels_checked
    AFTER INSERT OR UPDATE ON crisk.dunning_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.check_dunning_levels();

-- crisk.check_dunning_policy_in_use: a statement may not remove the last
-- level of a policy that accounts use.  (Accounts are not checked when they
-- name a policy: pg_dump may restore crisk.account before the policies it
-- names.  crisk.check_order asks for review when a policy does not exist.)
CREATE FUNCTION crisk.check_dunning_policy_in_use()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad record;
BEGIN
    SELECT a.dunning_policy AS policy, pg_catalog.count(*) AS accounts INTO bad
    FROM crisk.account a
    WHERE a.dunning_policy OPERATOR(pg_catalog.=) ANY (SELECT o.policy FROM removed_levels o)
      AND NOT EXISTS (SELECT FROM crisk.dunning_policy d
                      WHERE d.policy OPERATOR(pg_catalog.=) a.dunning_policy)
    GROUP BY a.dunning_policy
    ORDER BY a.dunning_policy
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'dunning policy % is still in use', bad.policy
            USING ERRCODE = '23503',
                  DETAIL = pg_catalog.format('Accounts naming it: %s.', bad.accounts),
                  HINT = 'Assign those accounts another policy in crisk.account.dunning_policy first.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.check_dunning_policy_in_use() IS
    'Trigger function on crisk.dunning_policy: a policy that accounts use keeps at least one level.';
REVOKE ALL ON FUNCTION crisk.check_dunning_policy_in_use() FROM PUBLIC;
CREATE TRIGGER dunning_policy_in_use_on_delete
    AFTER DELETE ON crisk.dunning_policy
    REFERENCING OLD TABLE AS removed_levels
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.check_dunning_policy_in_use();
CREATE TRIGGER dunning_policy_in_use_on_update
    AFTER UPDATE ON crisk.dunning_policy
    REFERENCING OLD TABLE AS removed_levels
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.check_dunning_policy_in_use();
