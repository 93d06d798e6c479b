-- Hostile search_path: crisk's SQL must never run objects planted by
-- whoever controls a search_path (a caller's SET, ALTER ROLE ... SET, a
-- database owner's ALTER DATABASE ... SET).
--
-- A schema "evil", put ahead of pg_catalog, shadows every function,
-- aggregate and operator of pg_catalog whose argument types can be written
-- down, the type names crisk casts to, and every crisk table and view; the
-- schema public holds operators that an exact match of mismatched argument
-- types would pick even behind pg_catalog (oid = integer, for one).  Each
-- hostile object logs that it ran into public.hostile_ran and raises a
-- NOTICE (the NOTICE shows even when the statement then fails and its log
-- row goes with it).  Then every crisk entry point that runs SQL is called
-- under that search_path, and the log must stay empty.
--
-- Everything happens in a database of its own, dropped at the end.
\set regression_database :DBNAME
\set superuser :USER
CREATE DATABASE crisk_security;
\c crisk_security
SET client_min_messages = warning;
CREATE EXTENSION crisk;
-- A second session, to hold the rescoring lock.
CREATE EXTENSION dblink;
RESET client_min_messages;
SELECT format('dbname=crisk_security host=%s port=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port')) AS holder_conninfo \gset

-- The log, writable by every role whose code might run the hostile objects.
CREATE TABLE public.hostile_ran (what text, by_role text);
GRANT INSERT, SELECT ON public.hostile_ran TO PUBLIC;
CREATE FUNCTION public.hostile_log(what text) RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog
    AS $$
BEGIN
    INSERT INTO public.hostile_ran VALUES (what, current_user);
    RAISE NOTICE 'hostile code ran: %', what;
    RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION public.hostile_log(text) TO PUBLIC;

CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;

-- Every plain function of pg_catalog: same name, same argument types.
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.oid, p.proname, p.proretset, p.prorettype::regtype AS rettype,
               (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY i)
                FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)) AS args
        FROM pg_proc p
        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f'
          AND p.proallargtypes IS NULL
          AND (SELECT typtype FROM pg_type WHERE oid = p.prorettype) <> 'p'
          AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[]) AS a(t)
                          JOIN pg_type ty ON ty.oid = a.t WHERE ty.typtype = 'p')
    LOOP
        EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s%s LANGUAGE plpgsql AS %L',
            f.proname, coalesce(f.args, ''), CASE WHEN f.proretset THEN 'SETOF ' ELSE '' END,
            f.rettype,
            format('BEGIN PERFORM public.hostile_log(%L); RETURN%s; END',
                   format('function %s(%s)', f.proname, coalesce(f.args, '')),
                   CASE WHEN f.proretset THEN '' ELSE ' NULL' END));
    END LOOP;
END
$$;

-- Functions whose pg_catalog versions take "any" or anyelement, shadowed
-- with the types crisk passes them.
CREATE FUNCTION evil.format(text, text) RETURNS text
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('function format(text, text)') THEN $1 END$$;
CREATE FUNCTION evil.format(text, text, text) RETURNS text
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('function format(text, text, text)') THEN $1 END$$;
CREATE FUNCTION evil.format(text, name, name) RETURNS text
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('function format(text, name, name)') THEN $1 END$$;
CREATE FUNCTION evil.to_jsonb(numeric) RETURNS jsonb
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('function to_jsonb(numeric)') THEN NULL::jsonb END$$;
CREATE FUNCTION evil.to_jsonb(text) RETURNS jsonb
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('function to_jsonb(text)') THEN NULL::jsonb END$$;
CREATE FUNCTION evil.jsonb_build_object(text, text) RETURNS jsonb
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('function jsonb_build_object(text, text)') THEN NULL::jsonb END$$;

-- Every aggregate of pg_catalog with writable argument types, count(*)
-- included, and those crisk calls with "any" arguments.
DO $$
DECLARE
    a record;
    step text;
BEGIN
    FOR a IN
        SELECT p.oid, p.proname, p.prorettype::regtype AS rettype, p.pronargs,
               (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY i)
                FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS x(t, i)) AS args
        FROM pg_proc p JOIN pg_aggregate g ON g.aggfnoid = p.oid
        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND g.aggkind = 'n'
          AND (SELECT typtype FROM pg_type WHERE oid = p.prorettype) <> 'p'
          AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[]) AS x(t)
                          JOIN pg_type ty ON ty.oid = x.t WHERE ty.typtype = 'p')
    LOOP
        step := format('evil.%I', 'hostile_step_' || a.oid);
        EXECUTE format('CREATE FUNCTION %s(%s%s) RETURNS %s LANGUAGE plpgsql AS %L',
            step, a.rettype, CASE WHEN a.pronargs > 0 THEN ', ' || a.args ELSE '' END, a.rettype,
            format('BEGIN PERFORM public.hostile_log(%L); RETURN $1; END',
                   format('aggregate %s(%s)', a.proname, coalesce(a.args, '*'))));
        EXECUTE format('CREATE AGGREGATE evil.%I(%s) (SFUNC = %s, STYPE = %s)',
            a.proname, coalesce(a.args, '*'), step, a.rettype);
    END LOOP;
END
$$;
CREATE FUNCTION evil.hostile_pair_step(jsonb, text, bigint) RETURNS jsonb
    LANGUAGE plpgsql AS $$BEGIN PERFORM public.hostile_log('aggregate jsonb_object_agg(text, bigint)'); RETURN $1; END$$;
CREATE AGGREGATE evil.jsonb_object_agg(text, bigint) (SFUNC = evil.hostile_pair_step, STYPE = jsonb);
CREATE FUNCTION evil.hostile_count_step(bigint, text) RETURNS bigint
    LANGUAGE plpgsql AS $$BEGIN PERFORM public.hostile_log('aggregate count(text)'); RETURN $1; END$$;
CREATE AGGREGATE evil.count(text) (SFUNC = evil.hostile_count_step, STYPE = bigint);
CREATE FUNCTION evil.hostile_array_step(text[], text) RETURNS text[]
    LANGUAGE plpgsql AS $$BEGIN PERFORM public.hostile_log('aggregate array_agg(text)'); RETURN $1; END$$;
CREATE AGGREGATE evil.array_agg(text) (SFUNC = evil.hostile_array_step, STYPE = text[]);

-- Every operator of pg_catalog with writable argument types.
DO $$
DECLARE
    op record;
    fn text;
BEGIN
    FOR op IN
        SELECT o.oid, o.oprname, o.oprresult::regtype AS result,
               CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS lefttype,
               format_type(o.oprright, NULL) AS righttype
        FROM pg_operator o
        WHERE o.oprnamespace = 'pg_catalog'::regnamespace
          AND NOT EXISTS (SELECT FROM pg_type ty
                          WHERE ty.oid IN (o.oprleft, o.oprright, o.oprresult) AND ty.typtype = 'p')
    LOOP
        fn := format('evil.%I', 'hostile_operator_' || op.oid);
        EXECUTE format('CREATE FUNCTION %s(%s) RETURNS %s LANGUAGE plpgsql AS %L',
            fn, concat_ws(', ', op.lefttype, op.righttype), op.result,
            format('BEGIN PERFORM public.hostile_log(%L); RETURN NULL; END',
                   format('operator %s(%s, %s)', op.oprname, coalesce(op.lefttype, 'none'),
                          op.righttype)));
        EXECUTE format('CREATE OPERATOR evil.%s (%sRIGHTARG = %s, FUNCTION = %s)',
            op.oprname, CASE WHEN op.lefttype IS NOT NULL THEN format('LEFTARG = %s, ', op.lefttype) END,
            op.righttype, fn);
    END LOOP;
END
$$;

-- Operators that pg_catalog lacks, between types crisk compares: found in
-- public even behind pg_catalog, as exact matches.
CREATE FUNCTION public.hostile_oid_int(oid, integer) RETURNS boolean
    LANGUAGE sql AS $$SELECT public.hostile_log('operator public.=(oid, integer)') AND $1 = $2::oid$$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = integer, FUNCTION = public.hostile_oid_int);
CREATE FUNCTION public.hostile_int_oid(integer, oid) RETURNS boolean
    LANGUAGE sql AS $$SELECT public.hostile_log('operator public.=(integer, oid)') AND $1::oid = $2$$;
CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = oid, FUNCTION = public.hostile_int_oid);
CREATE FUNCTION public.hostile_oid_bigint(oid, bigint) RETURNS boolean
    LANGUAGE sql AS $$SELECT public.hostile_log('operator public.=(oid, bigint)') AND $1 = $2::oid$$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = bigint, FUNCTION = public.hostile_oid_bigint);
CREATE FUNCTION public.hostile_text_varchar(text, varchar) RETURNS boolean
    LANGUAGE sql AS $$SELECT public.hostile_log('operator public.=(text, varchar)') AND $1 = $2::text$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.hostile_text_varchar);
CREATE FUNCTION public.hostile_date_int(date, bigint) RETURNS date
    LANGUAGE sql AS $$SELECT CASE WHEN public.hostile_log('operator public.-(date, bigint)') THEN $1 END$$;
CREATE OPERATOR public.- (LEFTARG = date, RIGHTARG = bigint, FUNCTION = public.hostile_date_int);

-- The type names crisk casts to, as domains whose check runs hostile code.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['date', 'text', 'int2', 'int4', 'int8', 'bool', 'float8', 'jsonb',
                             'oid', 'regclass', 'regtype', 'regprocedure', 'regnamespace',
                             'timestamptz', 'name', 'pg_snapshot', 'interval', 'numeric'] LOOP
        EXECUTE format('CREATE DOMAIN evil.%I AS pg_catalog.%I CHECK (public.hostile_log(%L))',
                       t, t, 'type ' || t);
    END LOOP;
END
$$;

-- Every crisk table and view, as a view that logs when it is read.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c
             WHERE c.relnamespace = 'crisk'::regnamespace AND c.relkind IN ('r', 'p', 'v')
    LOOP
        EXECUTE format('CREATE VIEW evil.%I AS SELECT * FROM crisk.%I WHERE public.hostile_log(%L)',
                       r.relname, r.relname, 'relation ' || r.relname);
    END LOOP;
END
$$;

SELECT count(*) FILTER (WHERE p.prokind = 'f') > 2000 AS functions_shadowed,
       count(*) FILTER (WHERE p.prokind = 'a') > 100 AS aggregates_shadowed,
       (SELECT count(*) FROM pg_operator o WHERE o.oprnamespace = 'evil'::regnamespace) > 700 AS operators_shadowed,
       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'evil'::regnamespace) =
           (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'crisk'::regnamespace
            AND c.relkind IN ('r', 'p', 'v')) AS relations_shadowed
FROM pg_proc p WHERE p.pronamespace = 'evil'::regnamespace;

-- A small portfolio, with an ERP ledger view to switch to.
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days) VALUES
    ('S1', 'Pays on time', 10000, 30),
    ('S2', 'Pays late', 20000, 30),
    ('S3', 'To be forgotten', 5000, 30);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('S1-1', 'S1', 1000.00, '2026-01-05', '2026-02-04', '2026-02-03'),
    ('S1-2', 'S1', 2000.00, '2026-03-05', '2026-04-04', NULL),
    ('S2-1', 'S2', 3000.00, '2026-01-05', '2026-02-04', '2026-04-20'),
    ('S2-2', 'S2', 4000.00, '2026-02-05', '2026-03-07', NULL),
    ('S3-1', 'S3', 500.00, '2026-02-05', '2026-03-07', NULL);
CREATE SCHEMA erp;
CREATE TABLE erp.items AS SELECT * FROM crisk.invoice;
CREATE INDEX ON erp.items (customer_id);
CREATE VIEW erp.open_items AS SELECT * FROM erp.items;

-- The search_path of the database, and one of a role that only enters
-- orders, point at evil first.
ALTER DATABASE crisk_security SET search_path = evil, pg_catalog, public;
CREATE ROLE regress_crisk_order_entry LOGIN;
ALTER ROLE regress_crisk_order_entry SET search_path = evil, pg_catalog, public;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_order_entry;
GRANT EXECUTE ON FUNCTION crisk.check_order(text, numeric) TO regress_crisk_order_entry;

-- From here on, this session's own statements name pg_catalog's objects
-- with their schema too: the hostile ones would otherwise run for them.
\c crisk_security
SHOW search_path;

-- Rescoring: a full pass, given customers, the queue.
SELECT crisk.rescore(NULL, '2026-04-30');
SELECT crisk.rescore(ARRAY['S1', 'S2'], '2026-04-30');
SELECT crisk.request_rescore(ARRAY['S2']);
SELECT crisk.request_rescore(NULL);
SELECT crisk.rescore_queued('2026-04-30');
SELECT crisk.request_rescore(ARRAY['S1']);
SELECT crisk.rescore_queued('2026-04-30');
-- While another session holds the rescoring lock, both refuse to run
-- (55P03) and name the holder, found in pg_locks.  refused() shows the
-- SQLSTATE, message and detail (its process id replaced by N).
CREATE FUNCTION pg_temp.refused(statement pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'not refused';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || message || ' / ' || regexp_replace(detail, '[0-9]+', 'N');
END
$$;
SELECT public.dblink_connect('holder', :'holder_conninfo');
SELECT h.locked FROM public.dblink('holder', 'SELECT pg_catalog.pg_advisory_lock(1668442483, 1)')
    AS h(locked pg_catalog.text);
SELECT pg_temp.refused('SELECT crisk.rescore(NULL, ''2026-04-30'')');
SELECT pg_temp.refused('SELECT crisk.rescore_queued(''2026-04-30'')');
SELECT public.dblink_disconnect('holder');
-- The internal functions a pass inlines, called directly.
SELECT w.customer_id FROM crisk._rescore_worklist('2026-04-30') AS w ORDER BY 1;
SELECT i.customer_id FROM crisk._rescore_items(ARRAY['S2'], '2026-04-30') AS i;
SELECT l.invoice_id FROM crisk.ledger_rows() AS l ORDER BY 1;
SELECT crisk._rescore_purge('1 day');

-- The ledger's triggers (change tracking) and the limit and alert functions.
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date)
VALUES ('S1-3', 'S1', 700.00, '2026-04-01', '2026-05-01');
UPDATE crisk.invoice SET paid_date = '2026-04-28' WHERE invoice_id OPERATOR(pg_catalog.=) 'S1-2';
DELETE FROM crisk.invoice WHERE invoice_id OPERATOR(pg_catalog.=) 'S1-3';
SELECT crisk.set_credit_limit('S1', 12000, 'reviewed');
SELECT crisk.set_limit_locked('S1', true, 'agreed with sales');
SELECT crisk.raise_alert('overdue_90', 'S2', 'S2-2', 'invoice S2-2 is 91 days past due') IS NOT NULL AS raised;
SELECT crisk.acknowledge_alert(a.alert_id, 'called') FROM crisk.alert a
WHERE a.condition_key OPERATOR(pg_catalog.=) 'S2-2';
SELECT crisk.record_dunning_action('S2-2', 1, 'reminder sent', '2026-04-10') IS NOT NULL AS recorded;
SELECT crisk.set_provision_matrix('default');
SELECT pg_catalog.cardinality(r.loss_rates) OPERATOR(pg_catalog.>) 0 AS has_rates FROM crisk.provision_matrix_rates() r;
SELECT pg_catalog.count(*) AS model_problems FROM crisk.validate_model('default');

-- Reports.
SELECT pg_catalog.count(*) FROM crisk.aged_balance_at('2026-04-30');
SELECT pg_catalog.count(*) FROM crisk.watchlist_at('2026-04-30');
SELECT pg_catalog.count(*) FROM crisk.dunning_worklist_at('2026-04-30');
SELECT pg_catalog.count(*) FROM crisk.portfolio_kpi_at('2026-04-30');
SELECT crisk.late_payment_interest(1000.00, '2026-01-31', '2026-04-30') IS NOT NULL AS interest;
SELECT crisk.ledger_problems('erp.open_items') AS problems;
-- Every view crisk ships (their rows depend on today's date).
SELECT pg_catalog.format('SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0::pg_catalog.int8 AS %I FROM crisk.%I',
                         c.relname, c.relname)
FROM pg_catalog.pg_class c
WHERE c.relnamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace
  AND c.relkind OPERATOR(pg_catalog.=) 'v'::pg_catalog."char"
ORDER BY c.relname
\gexec

-- Data protection.
SELECT pg_catalog.jsonb_typeof(crisk.customer_dossier('S2')) AS dossier;
SELECT crisk.forget_customer('S3') OPERATOR(pg_catalog.->) 'crisk.account' AS accounts_forgotten;
SELECT crisk.purge_history('1 day') OPERATOR(pg_catalog.>=) 0::pg_catalog.int8 AS purged;

-- An ERP ledger: switching to it, reading it, erasing a customer with it.
SELECT crisk.set_ledger('erp.open_items');
SELECT crisk.rescore(NULL, '2026-04-30');
SELECT crisk.forget_customer('S1') OPERATOR(pg_catalog.->) 'crisk.account' AS accounts_forgotten;
SELECT crisk.set_ledger('crisk.invoice');
SELECT crisk.track_changes('erp.items', 'customer_id');
INSERT INTO erp.items (invoice_id, customer_id, amount, issue_date, due_date)
VALUES ('S2-3', 'S2', 100.00, '2026-04-01', '2026-05-01');
SELECT crisk.untrack_changes('erp.items');

-- The order check, as the order-entry role (SECURITY DEFINER) and as the
-- superuser, whose search_path comes from the database.
SELECT d.decision FROM crisk.check_order('S2', 100.00) AS d;
\c - regress_crisk_order_entry
SHOW search_path;
SELECT d.decision FROM crisk.check_order('S2', 100.00) AS d;
\c - :superuser
SELECT crisk.set_ledger('erp.open_items');
\c - regress_crisk_order_entry
SELECT d.decision FROM crisk.check_order('S2', 100.00) AS d;
\c - :superuser

-- The same calls with the search_path set by the session itself: first
-- evil ahead of pg_catalog, then PostgreSQL's default, where only the
-- operators planted in public can capture anything.
SET search_path = evil, pg_catalog, public;
SELECT crisk.rescore(NULL, '2026-04-30');
SELECT d.decision FROM crisk.check_order('S2', 100.00) AS d;
SET search_path = "$user", public;
SELECT crisk.rescore(NULL, '2026-04-30');
CREATE FUNCTION pg_temp.refused(statement pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'not refused';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || message || ' / ' || regexp_replace(detail, '[0-9]+', 'N');
END
$$;
SELECT public.dblink_connect('holder', :'holder_conninfo');
SELECT h.locked FROM public.dblink('holder', 'SELECT pg_catalog.pg_advisory_lock(1668442483, 1)')
    AS h(locked pg_catalog.text);
SELECT pg_temp.refused('SELECT crisk.rescore(NULL, ''2026-04-30'')');
SELECT pg_temp.refused('SELECT crisk.rescore_queued(''2026-04-30'')');
SELECT public.dblink_disconnect('holder');

-- Nothing hostile ran.
SET search_path = pg_catalog, public;
SELECT pg_catalog.count(*) AS hostile_calls FROM public.hostile_ran;
SELECT h.what, h.by_role, pg_catalog.count(*) FROM public.hostile_ran h GROUP BY 1, 2 ORDER BY 1, 2;

\c :regression_database
DROP DATABASE crisk_security;
DROP ROLE regress_crisk_order_entry;
