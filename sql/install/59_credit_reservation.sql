-- Exposure includes orders (SPEC 5.2): open orders not yet invoiced, read
-- from an ERP source named with crisk.set_orders(), and credit reserved by
-- crisk.check_order(..., reserve => true) in crisk.credit_reservation.
--
-- The orders source is pinned and trusted as the ledger source is
-- (51_ledger.sql): crisk.set_orders() checks the columns
-- (crisk.order_problems) and the code the source would run
-- (crisk.ledger_trust_problems, 42501), then records the source in
-- crisk.order_source, whose trigger creates crisk.order_source_rows() with a
-- SQL-standard body: stored parsed, naming the source by OID, with a
-- dependency on it.  Without a source crisk knows no orders (the default:
-- an ERP that reserves credit at order entry needs none), and
-- crisk.order_source_rows() does not exist.  check_order checks the
-- source's owner again before each read.

-- The orders source; no row means no orders.
CREATE TABLE crisk.order_source (
    source   pg_catalog.regclass NOT NULL,
    set_at   pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    set_by   pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    single_row pg_catalog.bool NOT NULL DEFAULT true,
    CONSTRAINT order_source_pkey PRIMARY KEY (single_row),
    CONSTRAINT order_source_single_row CHECK (single_row)
);
COMMENT ON TABLE crisk.order_source IS
    'The table or view crisk reads open orders from, as set by crisk.set_orders() (by OID; pg_dump writes its name); empty means crisk knows no orders. pg_dump keeps it and a restore re-applies it.';
REVOKE ALL ON crisk.order_source FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.order_source', '');

-- crisk.order_problems lists what keeps a relation from serving as the
-- orders source, all at once.
CREATE FUNCTION crisk.order_problems(source pg_catalog.regclass)
    RETURNS pg_catalog.text[]
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    rel       record;
    col       record;
    base      pg_catalog.oid;
    problems  pg_catalog.text[] := '{}';
    wanted CONSTANT pg_catalog.text[][] := ARRAY[
        ['order_id',    'text,character varying,character,smallint,integer,bigint,uuid', 'text, varchar, char, an integer type or uuid'],
        ['customer_id', 'text,character varying,character,smallint,integer,bigint,uuid', 'text, varchar, char, an integer type or uuid'],
        ['amount',      'numeric,smallint,integer,bigint', 'numeric or an integer type (money must be exact: no float, no money type)'],
        ['ordered_on',  'date,timestamp without time zone', 'date or timestamp without time zone']];
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
COMMENT ON FUNCTION crisk.order_problems(pg_catalog.regclass) IS
    'What keeps a table or view from serving as crisk''s orders source (missing columns, incompatible types); empty when it can. crisk.set_orders() refuses a source with problems.';

-- crisk.apply_order_source creates crisk.order_source_rows() over the
-- source in crisk.order_source, or drops it when there is none.  A trigger,
-- so that restoring the row from a dump re-applies it, after the same
-- checks as set_orders().
CREATE FUNCTION crisk.apply_order_source()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    source_oid  pg_catalog.regclass;
    problems    pg_catalog.text[];
    cols        pg_catalog.text[] := '{}';
    want        record;
    have        pg_catalog.text;
BEGIN
    SELECT s.source INTO source_oid FROM crisk.order_source s;
    IF source_oid IS NULL THEN
        IF pg_catalog.to_regprocedure('crisk.order_source_rows()') IS NOT NULL THEN
            DROP FUNCTION crisk.order_source_rows();
        END IF;
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source_oid) THEN
        RAISE EXCEPTION 'the orders source no longer exists'
            USING ERRCODE = '42P01',
                  DETAIL = pg_catalog.format('crisk.order_source names the relation with OID %s.', source_oid::pg_catalog.oid),
                  HINT = 'Call crisk.set_orders() with the table or view to read, or with NULL for no orders.';
    END IF;
    problems := crisk.order_problems(source_oid);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % cannot serve as the orders source', source_oid
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'The orders source needs the columns order_id text, customer_id text, amount numeric, ordered_on date; create a view that renames and casts the ERP''s columns.';
    END IF;
    problems := crisk.ledger_trust_problems(source_oid);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % would run code that crisk''s owner does not vouch for', source_oid
            USING ERRCODE = '42501',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'crisk.check_order reads the orders with its owner''s rights: the source, the views it reads and the functions they call must belong to a superuser or to crisk''s owner.';
    END IF;

    -- Cast only the columns whose type differs, so that lookups keep using
    -- the source's indexes.
    FOR want IN SELECT * FROM (VALUES (1, 'order_id', 'pg_catalog.text'), (2, 'customer_id', 'pg_catalog.text'),
                                     (3, 'amount', 'pg_catalog.numeric'), (4, 'ordered_on', 'pg_catalog.date')) AS w(n, name, type)
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
    EXECUTE pg_catalog.format($f$
        CREATE OR REPLACE FUNCTION crisk.order_source_rows()
            RETURNS TABLE (order_id pg_catalog.text, customer_id pg_catalog.text,
                           amount pg_catalog.numeric, ordered_on pg_catalog.date)
            LANGUAGE sql STABLE PARALLEL SAFE
            BEGIN ATOMIC SELECT %s FROM %s s; END$f$,
        pg_catalog.array_to_string(cols, ', '), source_oid);
    -- Not a member of the extension (DROP ... CASCADE of the source drops
    -- this function alone), yet dropped with it.
    IF EXISTS (SELECT FROM pg_catalog.pg_depend d
               WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                 AND d.objid OPERATOR(pg_catalog.=) pg_catalog.to_regprocedure('crisk.order_source_rows()')
                 AND d.deptype OPERATOR(pg_catalog.=) 'e') THEN
        ALTER EXTENSION crisk DROP FUNCTION crisk.order_source_rows();
    END IF;
    ALTER FUNCTION crisk.order_source_rows() DEPENDS ON EXTENSION crisk;
    REVOKE ALL ON FUNCTION crisk.order_source_rows() FROM PUBLIC;
    EXECUTE pg_catalog.format('COMMENT ON FUNCTION crisk.order_source_rows() IS %L',
        pg_catalog.format('The orders of the orders source %s, pinned by OID: created by crisk.set_orders(), read by crisk.check_order.', source_oid));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.apply_order_source() IS
    'Trigger function: creates crisk.order_source_rows() over the source recorded in crisk.order_source, pinned by OID, or drops it when there is none.';
REVOKE ALL ON FUNCTION crisk.apply_order_source() FROM PUBLIC;

CREATE TRIGGER order_source_applied
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.order_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.apply_order_source();
-- crisk.check_order caches which source it reads.
CREATE TRIGGER order_source_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.order_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
ALTER TABLE crisk.order_source ENABLE ALWAYS TRIGGER order_source_applied;
ALTER TABLE crisk.order_source ENABLE ALWAYS TRIGGER order_source_changed;

-- crisk.set_orders checks the source, then records it; NULL means no orders.
CREATE FUNCTION crisk.set_orders(source pg_catalog.regclass)
    RETURNS void
    LANGUAGE plpgsql CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    problems pg_catalog.text[];
BEGIN
    IF source IS NULL THEN
        DELETE FROM crisk.order_source;
        RETURN;
    END IF;
    problems := crisk.order_problems(source);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % cannot serve as the orders source', source
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'The orders source needs the columns order_id text, customer_id text, amount numeric, ordered_on date; create a view that renames and casts the ERP''s columns.';
    END IF;
    problems := crisk.ledger_trust_problems(source);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % would run code that crisk''s owner does not vouch for', source
            USING ERRCODE = '42501',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'crisk.check_order reads the orders with its owner''s rights: the source, the views it reads and the functions they call must belong to a superuser or to crisk''s owner. Review them and change their owner (ALTER VIEW ... OWNER TO), or create such a view over the ERP''s tables.';
    END IF;
    INSERT INTO crisk.order_source (source, set_at, set_by)
    VALUES (source, pg_catalog.now(), SESSION_USER)
    ON CONFLICT (single_row) DO UPDATE
        SET source = excluded.source, set_at = excluded.set_at, set_by = excluded.set_by;
END
$$;
COMMENT ON FUNCTION crisk.set_orders(pg_catalog.regclass) IS
    'Makes crisk.check_order count the open orders of a table or view with the columns order_id, customer_id, amount, ordered_on (compatible types), pinned by OID; NULL means no orders (the default). Lists every problem at once (SQLSTATE 22023); refuses a source whose code crisk''s owner does not vouch for (SQLSTATE 42501, see crisk.ledger_trust_problems).';
REVOKE ALL ON FUNCTION crisk.set_orders(pg_catalog.regclass) FROM PUBLIC;

-- Credit approved by crisk.check_order(..., reserve => true) for an order
-- not yet in the orders source or the ledger.  A reservation is live until
-- expires_at, and until an order or invoice with its order_id shows up for
-- the customer; check_order counts the live ones in the exposure.
CREATE TABLE crisk.credit_reservation (
    reservation_id pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id    pg_catalog.text NOT NULL,
    order_id       pg_catalog.text,
    amount         pg_catalog.numeric NOT NULL,
    reserved_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    expires_at     pg_catalog.timestamptz NOT NULL,
    reserved_by    pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    CONSTRAINT credit_reservation_pkey PRIMARY KEY (reservation_id),
    CONSTRAINT credit_reservation_customer_id_not_empty CHECK (customer_id <> ''),
    CONSTRAINT credit_reservation_order_id_not_empty CHECK (order_id <> ''),
    CONSTRAINT credit_reservation_amount_positive
        CHECK (amount >= 0 AND amount < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT credit_reservation_amount_within_exact_range CHECK (crisk.require_exact_amount(amount)),
    CONSTRAINT credit_reservation_expires_after_reserved CHECK (expires_at >= reserved_at)
);
COMMENT ON TABLE crisk.credit_reservation IS
    'Credit approved by crisk.check_order(..., reserve => true): counted in the customer''s exposure until expires_at, or until an order or an invoice with the same order_id shows up in the orders source or the ledger.';
COMMENT ON COLUMN crisk.credit_reservation.order_id IS
    'The ERP''s order number, matched against order_id in the orders source and invoice_id in the ledger; NULL: released only by expiry.';
COMMENT ON COLUMN crisk.credit_reservation.expires_at IS
    'End of the reservation: reserved_at plus crisk.reservation_ttl.';
CREATE INDEX credit_reservation_customer_idx ON crisk.credit_reservation (customer_id);
REVOKE ALL ON crisk.credit_reservation FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.credit_reservation', '');

-- The order check that reserves.  The two-argument crisk.check_order stays
-- as it was (a read-only STABLE function, with the grants ERPs gave it);
-- this one writes when reserve is true, so it is VOLATILE.  reserve has no
-- default here: with one, a two-argument call would match both functions.
CREATE FUNCTION crisk.check_order(customer_id pg_catalog.text, amount pg_catalog.numeric,
                                  reserve pg_catalog.bool, order_id pg_catalog.text DEFAULT NULL)
    RETURNS TABLE (decision pg_catalog.text, available_credit pg_catalog.numeric,
                   reasons pg_catalog.text[])
    AS 'MODULE_PATHNAME', 'crisk_check_order_reserve'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    ROWS 1
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.check_order(pg_catalog.text, pg_catalog.numeric, pg_catalog.bool, pg_catalog.text) IS
    'Order credit check as crisk.check_order(customer_id, amount); order_id names the order checked (not counted twice if already in the orders source or reserved); with reserve true, an approved amount is recorded in crisk.credit_reservation, and concurrent reserving checks for the same customer take turns.';
REVOKE ALL ON FUNCTION crisk.check_order(pg_catalog.text, pg_catalog.numeric, pg_catalog.bool, pg_catalog.text) FROM PUBLIC;
