-- The ledger: crisk's own invoice table, and the indirection through which
-- every reader (views, crisk.check_order, rescoring) reads either that
-- table or an ERP's table or view named with crisk.set_ledger().
--
-- How the indirection works.  Readers select from the view crisk.ledger,
-- which selects from the SQL function crisk.ledger_rows().  That function's
-- body is a single SELECT, over crisk.invoice or over the function
-- crisk.ledger_source_rows(); set_ledger() rewrites it.  PostgreSQL inlines
-- both functions into the calling query when it plans it, so a lookup by
-- customer_id reaches the source's own indexes exactly as a view would, and
-- cached plans (check_order's) are replanned when a body changes.
--
-- How the source is pinned.  crisk.ledger_source_rows() is created by
-- set_ledger() with a SQL-standard body (BEGIN ATOMIC), which PostgreSQL
-- stores parsed, naming the source by OID, and on which it records a
-- dependency: renaming the source (or its schema) changes nothing, dropping
-- it is refused, and DROP ... CASCADE drops that one function (crisk.ledger
-- then fails until set_ledger() is called again), never an object of the
-- extension: the function is not a member of the extension, only dropped
-- with it (ALTER FUNCTION ... DEPENDS ON EXTENSION).  A source dropped and
-- created again under the same name is therefore never read in its place.
--
-- Whose code runs.  Reading a view runs the functions it calls with the
-- rights of the reader, and crisk reads the ledger with rights its owner
-- may not have: crisk.check_order, crisk.forget_customer and
-- crisk.record_dunning_action run as crisk's owner, the worker as
-- crisk.role.  So set_ledger() (and a restore) accepts only a source whose
-- code crisk's owner vouches for: the source, every view it reads and every
-- function and operator they call must belong to a superuser or to crisk's
-- owner (crisk.ledger_trust_problems lists the rest), and check_order and
-- forget_customer check the source's owner again before each read.  The
-- choice is kept in crisk.ledger_source, which pg_dump saves; restoring that
-- row re-applies it.

-- Amounts must fit crisk's exact totals whatever other amounts they meet
-- in an aggregate: at most 8 decimal places and below 10^30 in absolute
-- value (src/exact_numeric.h says why).  Callable by everyone, since a
-- CHECK runs it with the rights of whoever inserts; an ERP may put the
-- same CHECK on the table it points crisk at.
CREATE FUNCTION crisk.require_exact_amount(amount pg_catalog.numeric)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'crisk_require_exact_amount'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.require_exact_amount(pg_catalog.numeric) IS
    'True when crisk''s exact totals can hold the amount (at most 8 decimal places, absolute value below 10^30); otherwise raises 22003 (22023 for NaN or infinity) saying why. crisk.invoice checks its amounts with it.';

CREATE TABLE crisk.invoice (
    invoice_id   pg_catalog.text NOT NULL,
    customer_id  pg_catalog.text NOT NULL,
    amount       pg_catalog.numeric NOT NULL,
    issue_date   pg_catalog.date NOT NULL,
    due_date     pg_catalog.date NOT NULL,
    paid_date    pg_catalog.date,
    CONSTRAINT invoice_pkey PRIMARY KEY (invoice_id),
    CONSTRAINT invoice_id_not_empty CHECK (invoice_id <> ''),
    CONSTRAINT invoice_customer_id_not_empty CHECK (customer_id <> ''),
    -- NaN and infinities sort outside this range: money is a finite number.
    CONSTRAINT invoice_amount_finite
        CHECK (amount > '-Infinity'::pg_catalog.numeric AND amount < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT invoice_amount_within_exact_range CHECK (crisk.require_exact_amount(amount)),
    CONSTRAINT invoice_dates_finite
        CHECK (pg_catalog.isfinite(issue_date) AND pg_catalog.isfinite(due_date)
               AND (paid_date IS NULL OR pg_catalog.isfinite(paid_date))),
    -- Payment terms run forward from the invoice date.  A payment may
    -- precede the invoice (cash in advance), so paid_date is not bounded.
    CONSTRAINT invoice_due_after_issue CHECK (due_date >= issue_date)
);
COMMENT ON TABLE crisk.invoice IS
    'crisk''s built-in ledger: one row per invoice or credit note (negative amount); paid_date NULL while unpaid. Readers use crisk.ledger, which reads this table unless crisk.set_ledger() named another source.';
COMMENT ON COLUMN crisk.invoice.amount IS 'Amount receivable, including tax; negative for a credit note.';
COMMENT ON COLUMN crisk.invoice.paid_date IS 'Date the invoice was settled in full; NULL while open.';

-- Every per-customer reader (check_order, rescoring, dossiers) looks up one
-- customer's invoices; with paid_date second, the open ones (paid_date NULL
-- or later than today) are one range at the end of the customer's entries,
-- and the included columns answer check_order without visiting the table.
CREATE INDEX invoice_customer_idx ON crisk.invoice (customer_id, paid_date)
    INCLUDE (amount, due_date, issue_date);
-- Portfolio readers of open items (aged balance per customer, dunning
-- worklist, watch-list) read only the unpaid ones, a small part of a
-- ledger: this index holds them in customer order, so an aged balance
-- grouped by customer is an index-only scan with no sort.  invoice_id is
-- included for the allocations each open item may have, issue_date for
-- the as-of readers (issued by as_of).
CREATE INDEX invoice_open_idx ON crisk.invoice (customer_id, due_date)
    INCLUDE (amount, invoice_id, issue_date) WHERE paid_date IS NULL;

REVOKE ALL ON crisk.invoice FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.invoice', '');

-- The source crisk reads; no row means the built-in crisk.invoice.
CREATE TABLE crisk.ledger_source (
    source   pg_catalog.regclass NOT NULL,
    set_at   pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    set_by   pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    single_row pg_catalog.bool NOT NULL DEFAULT true,
    CONSTRAINT ledger_source_pkey PRIMARY KEY (single_row),
    CONSTRAINT ledger_source_single_row CHECK (single_row)
);
COMMENT ON TABLE crisk.ledger_source IS
    'The table or view crisk reads invoices from, as set by crisk.set_ledger() (by OID; pg_dump writes its name); empty means the built-in crisk.invoice. pg_dump keeps it and a restore re-applies it.';
REVOKE ALL ON crisk.ledger_source FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.ledger_source', '');

-- The ledger as every reader sees it.  This function must stay inlinable:
-- LANGUAGE sql, STABLE, not STRICT, not SECURITY DEFINER and without a SET
-- clause.  That is why it alone has no pinned search_path; its body names
-- everything with its schema, so the caller's search_path cannot capture
-- anything.  Being inlined, it reads the source with the caller's
-- privileges, as a view with security_invoker would.
CREATE FUNCTION crisk.ledger_rows()
    RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                   amount pg_catalog.numeric, issue_date pg_catalog.date,
                   due_date pg_catalog.date, paid_date pg_catalog.date)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$SELECT s.invoice_id, s.customer_id, s.amount, s.issue_date, s.due_date, s.paid_date FROM crisk.invoice s$$;
COMMENT ON FUNCTION crisk.ledger_rows() IS
    'The invoices crisk reads, from crisk.invoice or the source named by crisk.set_ledger() (which rewrites this function). Inlined into queries; read it through the view crisk.ledger.';

CREATE VIEW crisk.ledger AS
    SELECT l.invoice_id, l.customer_id, l.amount, l.issue_date, l.due_date, l.paid_date
    FROM crisk.ledger_rows() AS l
    WHERE crisk._require_readable_ledger();
COMMENT ON VIEW crisk.ledger IS
    'Every invoice crisk reads: crisk.invoice, or the ERP table or view named by crisk.set_ledger(). Reading it needs SELECT on this view and on the source.';
REVOKE ALL ON crisk.ledger FROM PUBLIC;

-- crisk.ledger_problems lists what keeps a relation from serving as the
-- ledger, all at once, so that an integrator fixes their view in one go.
CREATE FUNCTION crisk.ledger_problems(source pg_catalog.regclass)
    RETURNS pg_catalog.text[]
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    rel       record;
    col       record;
    base      pg_catalog.oid;
    problems  pg_catalog.text[] := '{}';
    -- Column, accepted types (after resolving domains), and what to say.
    wanted CONSTANT pg_catalog.text[][] := ARRAY[
        ['invoice_id',  'text,character varying,character,smallint,integer,bigint,uuid', 'text, varchar, char, an integer type or uuid'],
        ['customer_id', 'text,character varying,character,smallint,integer,bigint,uuid', 'text, varchar, char, an integer type or uuid'],
        ['amount',      'numeric,smallint,integer,bigint', 'numeric or an integer type (money must be exact: no float, no money type)'],
        ['issue_date',  'date,timestamp without time zone', 'date or timestamp without time zone'],
        ['due_date',    'date,timestamp without time zone', 'date or timestamp without time zone'],
        ['paid_date',   'date,timestamp without time zone', 'date or timestamp without time zone']];
    i         pg_catalog.int4;
BEGIN
    SELECT c.relkind, c.relpersistence INTO rel
    FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source;
    IF NOT FOUND THEN
        RETURN ARRAY[pg_catalog.format('relation with OID %s does not exist', source::pg_catalog.oid)];
    END IF;
    IF NOT rel.relkind::pg_catalog.text OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'f']) THEN
        RETURN ARRAY[pg_catalog.format('%s is not a table, view, materialized view or foreign table', source)];
    END IF;
    IF rel.relpersistence OPERATOR(pg_catalog.=) 't' THEN
        RETURN ARRAY[pg_catalog.format('%s is a temporary relation', source)];
    END IF;
    IF source OPERATOR(pg_catalog.=) 'crisk.ledger'::pg_catalog.regclass THEN
        RETURN ARRAY['crisk.ledger cannot read from itself'];
    END IF;
    -- A view that reads crisk.ledger, crisk.ledger_rows() or
    -- crisk.ledger_source_rows(), directly or through other views, would
    -- make the ledger read itself without end.
    IF EXISTS (
        WITH RECURSIVE reads (relid) AS (
            SELECT source::pg_catalog.oid
            UNION
            SELECT d.refobjid
            FROM reads r
            JOIN pg_catalog.pg_rewrite w ON w.ev_class OPERATOR(pg_catalog.=) r.relid
            JOIN pg_catalog.pg_depend d
              ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
             AND d.objid OPERATOR(pg_catalog.=) w.oid
             AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND d.refobjid OPERATOR(pg_catalog.<>) r.relid)
        SELECT FROM reads r
        WHERE r.relid OPERATOR(pg_catalog.=) 'crisk.ledger'::pg_catalog.regclass::pg_catalog.oid
           OR EXISTS (SELECT FROM pg_catalog.pg_rewrite w
                      JOIN pg_catalog.pg_depend d
                        ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                       AND d.objid OPERATOR(pg_catalog.=) w.oid
                      WHERE w.ev_class OPERATOR(pg_catalog.=) r.relid
                        AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY['crisk.ledger_rows()'::pg_catalog.regprocedure::pg_catalog.oid,
                                                                         pg_catalog.to_regprocedure('crisk.ledger_source_rows()')::pg_catalog.oid])))
    THEN
        RETURN ARRAY[pg_catalog.format('%s reads crisk.ledger, which would then read itself', source)];
    END IF;

    FOR i IN 1 .. pg_catalog.array_length(wanted, 1) LOOP
        SELECT a.atttypid INTO col
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) source
          AND a.attname OPERATOR(pg_catalog.=) wanted[i][1]
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            problems := pg_catalog.array_append(problems, pg_catalog.format('column %s is missing', wanted[i][1]));
            CONTINUE;
        END IF;
        base := col.atttypid;
        WHILE (SELECT t.typtype OPERATOR(pg_catalog.=) 'd' FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) base) LOOP
            base := (SELECT t.typbasetype FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) base);
        END LOOP;
        IF NOT pg_catalog.format_type(base, NULL) OPERATOR(pg_catalog.=) ANY (pg_catalog.string_to_array(wanted[i][2], ',')) THEN
            problems := pg_catalog.array_append(problems, pg_catalog.format('column %s has type %s; expected %s',
                wanted[i][1], pg_catalog.format_type(col.atttypid, NULL), wanted[i][3]));
        END IF;
    END LOOP;
    RETURN problems;
END
$$;
COMMENT ON FUNCTION crisk.ledger_problems(pg_catalog.regclass) IS
    'What keeps a table or view from serving as crisk''s ledger (missing columns, incompatible types); empty when it can. crisk.set_ledger() refuses a source with problems.';

-- crisk.ledger_trust_problems lists the code a source would run that
-- crisk's owner does not vouch for.  Reading a view runs the functions and
-- operators its query calls, and those of the views it reads, with the
-- rights of whoever reads it; crisk reads the ledger as its owner
-- (check_order) and as the worker's role.  So the source, every view it
-- reads (through other views too) and every function and operator they
-- call must belong to a trusted role: a superuser or crisk's owner.  Tables
-- are data and may belong to anyone, except under a view that reads them
-- with the reader's rights (security_invoker, or a view whose owner is no
-- superuser): their row-level security policies would then run as the
-- reader.  A table or materialized view runs no code when read, nor do
-- triggers fire on reads.
CREATE FUNCTION crisk.ledger_trust_problems(source pg_catalog.regclass)
    RETURNS pg_catalog.text[]
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
WITH RECURSIVE
trusted (role) AS (
    SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolsuper
    UNION
    SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'crisk'),
-- The source and every relation its views read, through views.
reads (relid) AS (
    SELECT source::pg_catalog.oid
    UNION
    SELECT d.refobjid
    FROM reads r
    JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) r.relid
                              AND v.relkind OPERATOR(pg_catalog.=) 'v'
    JOIN pg_catalog.pg_rewrite w ON w.ev_class OPERATOR(pg_catalog.=) v.oid
    JOIN pg_catalog.pg_depend d
      ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
     AND d.objid OPERATOR(pg_catalog.=) w.oid
     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
     AND d.refobjid OPERATOR(pg_catalog.<>) r.relid),
-- What the query of each of those views uses.
uses (viewid, refclassid, refobjid) AS (
    SELECT v.oid, d.refclassid, d.refobjid
    FROM reads r
    JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) r.relid
                              AND v.relkind OPERATOR(pg_catalog.=) 'v'
    JOIN pg_catalog.pg_rewrite w ON w.ev_class OPERATOR(pg_catalog.=) v.oid
    JOIN pg_catalog.pg_depend d
      ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
     AND d.objid OPERATOR(pg_catalog.=) w.oid
     AND NOT (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.refobjid OPERATOR(pg_catalog.=) v.oid)),
problems (problem) AS (
    SELECT pg_catalog.format('%s %s belongs to role %s',
                             CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'v' THEN 'view' ELSE 'relation' END,
                             c.oid::pg_catalog.regclass, pg_catalog.pg_get_userbyid(c.relowner))
    FROM reads r JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.relid
    WHERE (c.oid OPERATOR(pg_catalog.=) source::pg_catalog.oid OR c.relkind OPERATOR(pg_catalog.=) 'v')
      AND c.relowner NOT IN (SELECT t.role FROM trusted t)
    UNION ALL
    SELECT pg_catalog.format('view %s calls function %s, which belongs to role %s',
                             u.viewid::pg_catalog.regclass, p.oid::pg_catalog.regprocedure,
                             pg_catalog.pg_get_userbyid(p.proowner))
    FROM uses u JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) u.refobjid
    WHERE u.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
      AND p.proowner NOT IN (SELECT t.role FROM trusted t)
    UNION ALL
    SELECT pg_catalog.format('view %s uses operator %s, which belongs to role %s',
                             u.viewid::pg_catalog.regclass, o.oid::pg_catalog.regoperator,
                             pg_catalog.pg_get_userbyid(CASE WHEN o.oprowner IN (SELECT t.role FROM trusted t)
                                                             THEN p.proowner ELSE o.oprowner END))
    FROM uses u
    JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) u.refobjid
    JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) o.oprcode
    WHERE u.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
      AND (o.oprowner NOT IN (SELECT t.role FROM trusted t)
           OR p.proowner NOT IN (SELECT t.role FROM trusted t))
    UNION ALL
    SELECT pg_catalog.format('view %s reads %s, which belongs to role %s, with the rights of whoever reads the ledger (its row-level security policies would run with them)',
                             v.oid::pg_catalog.regclass, c.oid::pg_catalog.regclass,
                             pg_catalog.pg_get_userbyid(c.relowner))
    FROM uses u
    JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) u.viewid
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) u.refobjid
    WHERE u.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND c.relkind OPERATOR(pg_catalog.<>) 'v'
      AND c.relowner NOT IN (SELECT t.role FROM trusted t)
      AND (NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                       WHERE r.oid OPERATOR(pg_catalog.=) v.relowner AND r.rolsuper)
           OR EXISTS (SELECT FROM pg_catalog.pg_options_to_table(v.reloptions) AS o
                      WHERE o.option_name OPERATOR(pg_catalog.=) 'security_invoker'
                        AND o.option_value::pg_catalog.bool)))
SELECT COALESCE(pg_catalog.array_agg(DISTINCT p.problem), '{}') FROM problems p
$$;
COMMENT ON FUNCTION crisk.ledger_trust_problems(pg_catalog.regclass) IS
    'Code a table or view would run, when crisk reads it as the ledger, that crisk''s owner does not vouch for: the source, the views it reads and the functions and operators they call must belong to a superuser or to crisk''s owner. Empty when it may serve; crisk.set_ledger() refuses the source otherwise (SQLSTATE 42501).';

-- crisk.apply_ledger_source points crisk.ledger_rows() at the source in
-- crisk.ledger_source (or at the built-in table when there is none),
-- creating crisk.ledger_source_rows() to pin it.  It runs as a trigger on
-- that table, so that restoring the row from a dump points crisk at the
-- same source again, after checking it as set_ledger() does.
CREATE FUNCTION crisk.apply_ledger_source()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    source_oid  pg_catalog.regclass;
    problems    pg_catalog.text[];
    body        pg_catalog.text;
    cols        pg_catalog.text[] := '{}';
    want        record;
    have        pg_catalog.text;
BEGIN
    SELECT s.source INTO source_oid FROM crisk.ledger_source s;
    IF source_oid IS NULL THEN
        body := 'SELECT s.invoice_id, s.customer_id, s.amount, s.issue_date, s.due_date, s.paid_date FROM crisk.invoice s';
    ELSE
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source_oid) THEN
            RAISE EXCEPTION 'the ledger source no longer exists'
                USING ERRCODE = '42P01',
                      DETAIL = pg_catalog.format('crisk.ledger_source names the relation with OID %s.', source_oid::pg_catalog.oid),
                      HINT = 'Call crisk.set_ledger() with the table or view to read, or with ''crisk.invoice''.';
        END IF;
        problems := crisk.ledger_problems(source_oid);
        IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
            RAISE EXCEPTION 'source % cannot serve as the ledger', source_oid
                USING ERRCODE = '22023',
                      DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                      HINT = 'The ledger needs the columns invoice_id text, customer_id text, amount numeric, issue_date date, due_date date, paid_date date; create a view that renames and casts the ERP''s columns.';
        END IF;
        problems := crisk.ledger_trust_problems(source_oid);
        IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
            RAISE EXCEPTION 'source % would run code that crisk''s owner does not vouch for', source_oid
                USING ERRCODE = '42501',
                      DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                      HINT = 'crisk reads the ledger with its owner''s rights and the worker''s: the source, the views it reads and the functions they call must belong to a superuser or to crisk''s owner. Review them and change their owner (ALTER VIEW ... OWNER TO), or create such a view over the ERP''s tables.';
        END IF;

        -- Cast only the columns whose type differs, so that lookups keep
        -- using the source's indexes.
        FOR want IN SELECT * FROM (VALUES (1, 'invoice_id', 'pg_catalog.text'), (2, 'customer_id', 'pg_catalog.text'),
                                         (3, 'amount', 'pg_catalog.numeric'), (4, 'issue_date', 'pg_catalog.date'),
                                         (5, 'due_date', 'pg_catalog.date'), (6, 'paid_date', 'pg_catalog.date')) AS w(n, name, type)
                        ORDER BY w.n LOOP
            SELECT pg_catalog.format_type(a.atttypid, NULL) INTO have
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid OPERATOR(pg_catalog.=) source_oid AND a.attname OPERATOR(pg_catalog.=) want.name
              AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
            IF have OPERATOR(pg_catalog.=) pg_catalog.format_type(want.type::pg_catalog.regtype, NULL) THEN
                cols := pg_catalog.array_append(cols, pg_catalog.format('s.%I', want.name));
            ELSE
                cols := pg_catalog.array_append(cols, pg_catalog.format('s.%I::%s AS %I', want.name, want.type, want.name));
            END IF;
        END LOOP;

        -- A SQL-standard body is stored parsed: it names the source by OID
        -- and records a dependency on it.
        EXECUTE pg_catalog.format($f$
            CREATE OR REPLACE FUNCTION crisk.ledger_source_rows()
                RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                               amount pg_catalog.numeric, issue_date pg_catalog.date,
                               due_date pg_catalog.date, paid_date pg_catalog.date)
                LANGUAGE sql STABLE PARALLEL SAFE
                BEGIN ATOMIC SELECT %s FROM %s s; END$f$,
            pg_catalog.array_to_string(cols, ', '), source_oid);
        -- Not a member of the extension, so that DROP ... CASCADE of the
        -- source drops this function alone (it would otherwise drop the
        -- extension), yet dropped with the extension.  Created while the
        -- extension is being updated, it would have become a member.
        IF EXISTS (SELECT FROM pg_catalog.pg_depend d
                   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                     AND d.objid OPERATOR(pg_catalog.=) pg_catalog.to_regprocedure('crisk.ledger_source_rows()')
                     AND d.deptype OPERATOR(pg_catalog.=) 'e') THEN
            ALTER EXTENSION crisk DROP FUNCTION crisk.ledger_source_rows();
        END IF;
        ALTER FUNCTION crisk.ledger_source_rows() DEPENDS ON EXTENSION crisk;
        EXECUTE pg_catalog.format('COMMENT ON FUNCTION crisk.ledger_source_rows() IS %L',
            pg_catalog.format('The invoices of the ledger source %s, pinned by OID: created by crisk.set_ledger(), read through crisk.ledger.', source_oid));
        body := 'SELECT s.invoice_id, s.customer_id, s.amount, s.issue_date, s.due_date, s.paid_date FROM crisk.ledger_source_rows() s';
    END IF;

    -- Same signature, volatility and parallel safety as in the install
    -- script, and still no SET clause, so that it stays inlinable.  This
    -- replaces crisk's own function when a user changes the source, never
    -- during CREATE EXTENSION (which creates it with a plain CREATE).  A
    -- replaced function keeps its owner, rights and extension membership.
    EXECUTE pg_catalog.format($f$
        CREATE OR REPLACE FUNCTION crisk.ledger_rows()
            RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                           amount pg_catalog.numeric, issue_date pg_catalog.date,
                           due_date pg_catalog.date, paid_date pg_catalog.date)
            LANGUAGE sql STABLE PARALLEL SAFE
            AS %L$f$, body);
    IF source_oid IS NULL AND pg_catalog.to_regprocedure('crisk.ledger_source_rows()') IS NOT NULL THEN
        DROP FUNCTION crisk.ledger_source_rows();
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.apply_ledger_source() IS
    'Trigger function: points crisk.ledger_rows() (and so crisk.ledger) at the source recorded in crisk.ledger_source, pinned by crisk.ledger_source_rows().';
REVOKE ALL ON FUNCTION crisk.apply_ledger_source() FROM PUBLIC;

CREATE TRIGGER ledger_source_applied
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.ledger_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.apply_ledger_source();
-- crisk.check_order caches whether the ledger is crisk.invoice.
CREATE TRIGGER ledger_source_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.ledger_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- A change arriving by logical replication (session_replication_role =
-- replica) must take effect too.
ALTER TABLE crisk.ledger_source ENABLE ALWAYS TRIGGER ledger_source_applied;
ALTER TABLE crisk.ledger_source ENABLE ALWAYS TRIGGER ledger_source_changed;

-- crisk.set_ledger checks the source first, so that the error lists every
-- problem before anything changes; the trigger above does the rewrite.
CREATE FUNCTION crisk.set_ledger(source pg_catalog.regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    problems pg_catalog.text[]; on_citus pg_catalog.bool := crisk._set_ledger_on_citus(source);  -- 0A000 where Citus keeps the source
BEGIN
    IF source IS NULL THEN
        RAISE EXCEPTION 'source must not be null'
            USING ERRCODE = '22004',
                  HINT = 'Give a table or view, or ''crisk.invoice'' for the built-in ledger.';
    END IF;
    problems := crisk.ledger_problems(source);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % cannot serve as the ledger', source
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'The ledger needs the columns invoice_id text, customer_id text, amount numeric, issue_date date, due_date date, paid_date date; create a view that renames and casts the ERP''s columns.';
    END IF;
    IF source OPERATOR(pg_catalog.=) 'crisk.invoice'::pg_catalog.regclass THEN
        DELETE FROM crisk.ledger_source;
    ELSE
        problems := crisk.ledger_trust_problems(source);
        IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
            RAISE EXCEPTION 'source % would run code that crisk''s owner does not vouch for', source
                USING ERRCODE = '42501',
                      DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                      HINT = 'crisk reads the ledger with its owner''s rights and the worker''s: the source, the views it reads and the functions they call must belong to a superuser or to crisk''s owner. Review them and change their owner (ALTER VIEW ... OWNER TO), or create such a view over the ERP''s tables.';
        END IF;
        INSERT INTO crisk.ledger_source (source, set_at, set_by)
        VALUES (source, pg_catalog.now(), SESSION_USER)
        ON CONFLICT (single_row) DO UPDATE
            SET source = excluded.source, set_at = excluded.set_at, set_by = excluded.set_by;
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.set_ledger(pg_catalog.regclass) IS
    'Makes crisk read invoices from a table or view with the columns invoice_id, customer_id, amount, issue_date, due_date, paid_date (compatible types), pinned by OID; ''crisk.invoice'' goes back to the built-in ledger. Lists every problem at once (SQLSTATE 22023); refuses a source whose code crisk''s owner does not vouch for (SQLSTATE 42501, see crisk.ledger_trust_problems).';
REVOKE ALL ON FUNCTION crisk.set_ledger(pg_catalog.regclass) FROM PUBLIC;
