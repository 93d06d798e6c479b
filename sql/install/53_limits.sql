-- Credit-limit changes: every change of crisk.account.credit_limit or
-- limit_locked, by a person or by a rescoring run, through a function or a
-- direct UPDATE, is written to crisk.limit_change.
--
-- How it works.  A BEFORE trigger in C (src/limit_audit.c) stamps the
-- account row when its limit or lock changes: limit_changed_at and
-- limit_changed_by always, limit_reason and limit_run_id as given in that
-- same UPDATE (NULL when the UPDATE does not assign them, so a reason never
-- outlives its change); it refuses a run's change to a locked limit.  An
-- AFTER trigger then copies the change into crisk.limit_change, with the
-- rights of crisk's owner, so that nobody needs (or gets) the right to write
-- the audit trail.
--
-- A rescoring run changes limits set-based, giving its run id and reason:
--   UPDATE crisk.account a
--      SET credit_limit = r.new_limit, limit_run_id = $run, limit_reason = r.reason
--     FROM ... r
--    WHERE a.customer_id = r.customer_id AND NOT a.limit_locked
--      AND a.credit_limit IS DISTINCT FROM r.new_limit;

CREATE TABLE crisk.limit_change (
    change_id    pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id  pg_catalog.text NOT NULL,
    changed_at   pg_catalog.timestamptz NOT NULL,
    old_limit    pg_catalog.numeric,
    new_limit    pg_catalog.numeric,
    old_locked   pg_catalog.bool,
    new_locked   pg_catalog.bool NOT NULL,
    changed_by   pg_catalog.text NOT NULL,
    run_id       pg_catalog.int8,
    reason       pg_catalog.text,
    CONSTRAINT limit_change_pkey PRIMARY KEY (change_id)
);
COMMENT ON TABLE crisk.limit_change IS
    'Audit trail of credit-limit changes (append-only): old and new limit and lock, when, which login, which rescoring run (crisk.job_run; NULL for a person) and why. old_limit and old_locked are NULL for the limit an account was created with.';
COMMENT ON COLUMN crisk.limit_change.changed_by IS 'Login (session user) whose statement made the change; for recalibration, the worker''s role.';
COMMENT ON COLUMN crisk.limit_change.run_id IS 'Rescoring run (crisk.job_run) that made the change; NULL when a person did.';
CREATE INDEX limit_change_customer_idx ON crisk.limit_change (customer_id, changed_at);
CREATE INDEX limit_change_changed_at_idx ON crisk.limit_change (changed_at);
REVOKE ALL ON crisk.limit_change FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.limit_change', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.limit_change_change_id_seq', '');
CREATE TRIGGER limit_change_append_only
    BEFORE UPDATE OR DELETE ON crisk.limit_change
    FOR EACH ROW EXECUTE FUNCTION crisk.append_only();
CREATE TRIGGER limit_change_append_only_truncate
    BEFORE TRUNCATE ON crisk.limit_change
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.append_only();

CREATE FUNCTION crisk.stamp_limit_change()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_stamp_limit_change'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.stamp_limit_change() IS
    'Trigger function on crisk.account: records when, by whom, why and by which run the credit limit or its lock changed, and refuses a rescoring run''s change to a locked limit.';
REVOKE ALL ON FUNCTION crisk.stamp_limit_change() FROM PUBLIC;

CREATE TRIGGER account_limit_stamp
    BEFORE INSERT OR UPDATE ON crisk.account
    FOR EACH ROW EXECUTE FUNCTION crisk.stamp_limit_change();

CREATE FUNCTION crisk.log_limit_change()
    RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit,
                                        old_locked, new_locked, changed_by, run_id, reason)
        VALUES (NEW.customer_id, NEW.limit_changed_at, NULL, NEW.credit_limit,
                NULL, NEW.limit_locked, NEW.limit_changed_by, NEW.limit_run_id, NEW.limit_reason);
    ELSE
        INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit,
                                        old_locked, new_locked, changed_by, run_id, reason)
        VALUES (NEW.customer_id, NEW.limit_changed_at, OLD.credit_limit, NEW.credit_limit,
                OLD.limit_locked, NEW.limit_locked, NEW.limit_changed_by, NEW.limit_run_id, NEW.limit_reason);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.log_limit_change() IS
    'Trigger function on crisk.account: writes a credit-limit or lock change, as stamped on the account row, to crisk.limit_change.';
REVOKE ALL ON FUNCTION crisk.log_limit_change() FROM PUBLIC;

-- A new account with a limit (or a lock) is a change from nothing.  Rows
-- stamped by this transaction carry its start time; a row restored from a
-- dump keeps its old stamp (see src/limit_audit.c) and is not logged again.
CREATE TRIGGER account_limit_logged_on_insert
    AFTER INSERT ON crisk.account
    FOR EACH ROW
    WHEN (NEW.limit_changed_at = pg_catalog.transaction_timestamp())
    EXECUTE FUNCTION crisk.log_limit_change();
CREATE TRIGGER account_limit_logged_on_update
    AFTER UPDATE ON crisk.account
    FOR EACH ROW
    WHEN (OLD.credit_limit IS DISTINCT FROM NEW.credit_limit
          OR OLD.limit_locked IS DISTINCT FROM NEW.limit_locked)
    EXECUTE FUNCTION crisk.log_limit_change();

-- crisk.set_credit_limit: how a person changes a limit, with a reason.
-- SECURITY DEFINER so that a credit-manager role needs only EXECUTE; the
-- change is recorded under the caller's login (session user).
CREATE FUNCTION crisk.set_credit_limit(customer_id pg_catalog.text, new_limit pg_catalog.numeric,
                                       reason pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF set_credit_limit.customer_id IS NULL THEN
        RAISE EXCEPTION 'customer_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF new_limit IS NULL THEN
        RAISE EXCEPTION 'new_limit must not be null' USING ERRCODE = '22004',
            HINT = 'Give 0 to grant no credit.';
    END IF;
    IF new_limit OPERATOR(pg_catalog.<) 0 OR new_limit OPERATOR(pg_catalog.>=) 'Infinity'::pg_catalog.numeric THEN
        RAISE EXCEPTION 'new_limit must be a finite amount of zero or more'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('new_limit is %s.', new_limit);
    END IF;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'reason must not be null' USING ERRCODE = '22004',
            HINT = 'Every limit change records why it was made.';
    END IF;
    IF pg_catalog.btrim(reason) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'reason must not be empty' USING ERRCODE = '22023',
            HINT = 'Every limit change records why it was made.';
    END IF;
    UPDATE crisk.account a
       SET credit_limit = new_limit, limit_reason = reason, limit_run_id = NULL
     WHERE a.customer_id OPERATOR(pg_catalog.=) set_credit_limit.customer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customer % has no account', set_credit_limit.customer_id
            USING ERRCODE = '42704', HINT = 'Insert the customer into crisk.account first.';
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.set_credit_limit(pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
    'Sets a customer''s credit limit by hand, with the reason; logged in crisk.limit_change under the caller''s login. Works on locked limits too (the lock only stops recalibration).';
REVOKE ALL ON FUNCTION crisk.set_credit_limit(pg_catalog.text, pg_catalog.numeric, pg_catalog.text) FROM PUBLIC;

-- crisk.set_limit_locked: how a person locks or unlocks a limit.
CREATE FUNCTION crisk.set_limit_locked(customer_id pg_catalog.text, locked pg_catalog.bool,
                                       reason pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF set_limit_locked.customer_id IS NULL THEN
        RAISE EXCEPTION 'customer_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF locked IS NULL THEN
        RAISE EXCEPTION 'locked must not be null' USING ERRCODE = '22004';
    END IF;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'reason must not be null' USING ERRCODE = '22004',
            HINT = 'Every limit change records why it was made.';
    END IF;
    IF pg_catalog.btrim(reason) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'reason must not be empty' USING ERRCODE = '22023',
            HINT = 'Every limit change records why it was made.';
    END IF;
    UPDATE crisk.account a
       SET limit_locked = locked, limit_reason = reason, limit_run_id = NULL
     WHERE a.customer_id OPERATOR(pg_catalog.=) set_limit_locked.customer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customer % has no account', set_limit_locked.customer_id
            USING ERRCODE = '42704', HINT = 'Insert the customer into crisk.account first.';
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.set_limit_locked(pg_catalog.text, pg_catalog.bool, pg_catalog.text) IS
    'Locks (true) or unlocks (false) a customer''s credit limit against recalibration, with the reason; logged in crisk.limit_change under the caller''s login.';
REVOKE ALL ON FUNCTION crisk.set_limit_locked(pg_catalog.text, pg_catalog.bool, pg_catalog.text) FROM PUBLIC;
