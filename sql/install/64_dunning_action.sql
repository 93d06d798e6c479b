-- The dunning log: which level of its dunning policy was acted on for each
-- invoice, when and by whom.  crisk.dunning_worklist lists an overdue
-- invoice only while the level it has reached is above the highest level
-- recorded here, so a reminder sent yesterday is not asked for again today,
-- and a level skipped (nobody worked the list for a while) is not asked
-- for after a later one.  Record actions with crisk.record_dunning_action();
-- users' rows are kept by pg_dump.
--
-- customer_id is copied from the ledger so that crisk.customer_dossier and
-- crisk.forget_customer find these rows with the customer's others; action
-- is copied from the policy, which may change later.

CREATE TABLE crisk.dunning_action (
    action_id      pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    invoice_id     pg_catalog.text NOT NULL,
    customer_id    pg_catalog.text NOT NULL,
    policy         pg_catalog.text NOT NULL,
    level          pg_catalog.int4 NOT NULL,
    action         pg_catalog.text NOT NULL,
    acted_on       pg_catalog.date NOT NULL,
    days_past_due  pg_catalog.int4 NOT NULL,
    note           pg_catalog.text,
    recorded_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    recorded_by    pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    CONSTRAINT dunning_action_pkey PRIMARY KEY (action_id),
    -- A level is acted on once per invoice: two people working the list
    -- at the same time cannot both send the same letter on record.
    CONSTRAINT dunning_action_level_once UNIQUE (invoice_id, level),
    CONSTRAINT dunning_action_level_positive CHECK (level > 0),
    CONSTRAINT dunning_action_acted_on_finite CHECK (pg_catalog.isfinite(acted_on))
);
COMMENT ON TABLE crisk.dunning_action IS
    'Dunning actions taken, one row per invoice and level of its dunning policy: when, how many days past due the invoice then was, by which login, with a note. crisk.dunning_worklist leaves out invoices whose level has been acted on. Written by crisk.record_dunning_action().';
COMMENT ON COLUMN crisk.dunning_action.policy IS 'Dunning policy (crisk.dunning_policy) the level belongs to: the customer''s when the action was recorded.';
COMMENT ON COLUMN crisk.dunning_action.action IS 'The level''s action (reminder, formal_notice, ...) as the policy named it then.';
COMMENT ON COLUMN crisk.dunning_action.acted_on IS 'Date the action was taken.';
COMMENT ON COLUMN crisk.dunning_action.days_past_due IS 'Days past due of the invoice on acted_on.';
COMMENT ON COLUMN crisk.dunning_action.recorded_by IS 'Login (session user) that recorded the action.';
-- The customer's actions (dossier, forget_customer), and the worklist's
-- lookup of an invoice's latest level by as_of, answered from the index.
CREATE INDEX dunning_action_customer_idx ON crisk.dunning_action (customer_id, invoice_id, acted_on)
    INCLUDE (level);
REVOKE ALL ON crisk.dunning_action FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_action', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_action_action_id_seq', '');

-- crisk.record_dunning_action records that a level was acted on, and
-- returns the new row's id, or NULL when that level was already recorded
-- for the invoice (the worklist then no longer shows it).  Any level of the
-- customer's policy may be recorded, ahead of the one the invoice has
-- reached too: a credit manager may send the formal notice early.
-- SECURITY DEFINER so that a credit manager needs only EXECUTE (no right
-- on the table, nor on an ERP ledger source); the row names the caller's
-- login.
CREATE FUNCTION crisk.record_dunning_action(invoice_id pg_catalog.text, level pg_catalog.int4,
                                            note pg_catalog.text DEFAULT NULL,
                                            acted_on pg_catalog.date DEFAULT CURRENT_DATE)
    RETURNS pg_catalog.int8
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    inv         record;
    found_rows  pg_catalog.int8;
    policy_name pg_catalog.text;
    step        record;
    new_id      pg_catalog.int8;
BEGIN
    IF record_dunning_action.invoice_id IS NULL THEN
        RAISE EXCEPTION 'invoice_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF record_dunning_action.level IS NULL THEN
        RAISE EXCEPTION 'level must not be null' USING ERRCODE = '22004',
            HINT = 'Give the level of the dunning policy that was acted on.';
    END IF;
    IF record_dunning_action.acted_on IS NULL THEN
        RAISE EXCEPTION 'acted_on must not be null' USING ERRCODE = '22004',
            HINT = 'Leave it out for today.';
    END IF;
    IF NOT pg_catalog.isfinite(record_dunning_action.acted_on) THEN
        RAISE EXCEPTION 'acted_on must be a finite date' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('acted_on is %s.', record_dunning_action.acted_on);
    END IF;

    SELECT pg_catalog.count(*) OVER () AS n, l.customer_id, l.amount, l.due_date, l.paid_date INTO inv
    FROM crisk.ledger l
    WHERE l.invoice_id OPERATOR(pg_catalog.=) record_dunning_action.invoice_id
    LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'invoice % does not exist', record_dunning_action.invoice_id
            USING ERRCODE = '42704', HINT = 'The invoices are those of crisk.ledger.';
    END IF;
    IF inv.n OPERATOR(pg_catalog.>) 1 THEN
        RAISE EXCEPTION 'invoice % is in the ledger more than once', record_dunning_action.invoice_id
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('crisk.ledger has %s rows with this invoice_id.', inv.n),
                  HINT = 'The ledger source must have one row per invoice.';
    END IF;
    IF inv.amount OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'invoice % is a credit note', record_dunning_action.invoice_id
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('Its amount is %s; only amounts owed are dunned.', inv.amount);
    END IF;
    IF inv.paid_date OPERATOR(pg_catalog.<=) record_dunning_action.acted_on THEN
        RAISE EXCEPTION 'invoice % was paid on %', record_dunning_action.invoice_id, inv.paid_date
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('acted_on is %s.', record_dunning_action.acted_on);
    END IF;

    policy_name := COALESCE((SELECT a.dunning_policy FROM crisk.account a
                             WHERE a.customer_id OPERATOR(pg_catalog.=) inv.customer_id), 'default');
    SELECT d.level, d.action INTO step
    FROM crisk.dunning_policy d
    WHERE d.policy OPERATOR(pg_catalog.=) policy_name
      AND d.level OPERATOR(pg_catalog.=) record_dunning_action.level;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT FROM crisk.dunning_policy d WHERE d.policy OPERATOR(pg_catalog.=) policy_name) THEN
            RAISE EXCEPTION 'dunning policy % does not exist', policy_name
                USING ERRCODE = '42704',
                      DETAIL = pg_catalog.format('Customer %s''s account names it.', inv.customer_id),
                      HINT = 'Set crisk.account.dunning_policy to a policy of crisk.dunning_policy.';
        END IF;
        RAISE EXCEPTION 'level % is not a level of dunning policy %', record_dunning_action.level, policy_name
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('Its levels are %s.',
                      (SELECT pg_catalog.string_agg(d.level::pg_catalog.text, ', ' ORDER BY d.level)
                       FROM crisk.dunning_policy d WHERE d.policy OPERATOR(pg_catalog.=) policy_name));
    END IF;

    INSERT INTO crisk.dunning_action AS x (invoice_id, customer_id, policy, level, action, acted_on,
                                           days_past_due, note, recorded_at, recorded_by)
    VALUES (record_dunning_action.invoice_id, inv.customer_id, policy_name, step.level, step.action,
            record_dunning_action.acted_on,
            record_dunning_action.acted_on OPERATOR(pg_catalog.-) inv.due_date,
            record_dunning_action.note, pg_catalog.now(), SESSION_USER)
    ON CONFLICT ON CONSTRAINT dunning_action_level_once DO NOTHING
    RETURNING x.action_id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION crisk.record_dunning_action(pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.date) IS
    'Records that a level of the customer''s dunning policy was acted on for an invoice (today unless acted_on is given), under the caller''s login; returns the action''s id, or NULL when that level was already recorded. 42704 for an unknown invoice or policy, 22023 for a credit note, a paid invoice or a level the policy does not have.';
REVOKE ALL ON FUNCTION crisk.record_dunning_action(pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.date) FROM PUBLIC;
