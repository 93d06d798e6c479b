-- Data protection (GDPR): what crisk holds on a customer can be exported
-- (crisk.customer_dossier) and erased (crisk.forget_customer), and history
-- is not kept longer than the retention period (crisk.purge_history, which
-- the worker calls with the crisk.history_retention setting).  Both the
-- dossier and the erasure find the customer's rows in every crisk table
-- with a customer_id column, so tables added later are covered.

CREATE TABLE crisk.erasure_log (
    erasure_id        pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    erased_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    erased_by         pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    rows_removed      pg_catalog.jsonb NOT NULL,
    ledger_source     pg_catalog.text NOT NULL,
    ledger_rows_kept  pg_catalog.int8 NOT NULL DEFAULT 0,
    CONSTRAINT erasure_log_pkey PRIMARY KEY (erasure_id)
);
COMMENT ON TABLE crisk.erasure_log IS
    'One row per crisk.forget_customer() call (append-only): when, which login, how many rows went from each table, and how many invoices stayed in an ERP ledger source crisk does not own. It holds nothing that identifies the customer, not even a hash of the identifier.';
COMMENT ON COLUMN crisk.erasure_log.rows_removed IS 'Rows removed per table, as {"crisk.account": 1, "crisk.invoice": 48, ...}.';
COMMENT ON COLUMN crisk.erasure_log.ledger_rows_kept IS 'Invoices of the customer left in an ERP ledger source (set with crisk.set_ledger), to be erased in the ERP.';
REVOKE ALL ON crisk.erasure_log FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.erasure_log', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.erasure_log_erasure_id_seq', '');
CREATE TRIGGER erasure_log_append_only
    BEFORE UPDATE OR DELETE ON crisk.erasure_log
    FOR EACH ROW EXECUTE FUNCTION crisk.append_only();
CREATE TRIGGER erasure_log_append_only_truncate
    BEFORE TRUNCATE ON crisk.erasure_log
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.append_only();

-- crisk.customer_dossier runs with the caller's rights: whoever exports a
-- dossier must be allowed to read every table it draws on.
CREATE FUNCTION crisk.customer_dossier(customer_id pg_catalog.text)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    source   pg_catalog.text;
    tables   pg_catalog.jsonb := '{}';
    t        record;
    rows     pg_catalog.jsonb;
    dossier  pg_catalog.jsonb;
BEGIN
    SELECT s.source INTO source FROM crisk.ledger_source s;
    FOR t IN
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name,
               -- Rows in key order, so that two exports compare line by line.
               COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('r.%I', ka.attname), ', '
                                                      ORDER BY k.ord)
                         FROM pg_catalog.pg_index i
                         CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         JOIN pg_catalog.pg_attribute ka
                           ON ka.attrelid OPERATOR(pg_catalog.=) i.indrelid
                          AND ka.attnum OPERATOR(pg_catalog.=) k.attnum
                         WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisprimary),
                        'r::pg_catalog.text') AS order_by
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
        WHERE n.nspname OPERATOR(pg_catalog.=) 'crisk'
          AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog."char"[])
          AND NOT c.relispartition
          AND a.attname OPERATOR(pg_catalog.=) 'customer_id'
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
        ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format(
            'SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r) ORDER BY %s), ''[]'')'
            ' FROM %s r WHERE r.customer_id OPERATOR(pg_catalog.=) $1', t.order_by, t.name)
            INTO rows USING customer_dossier.customer_id;
        tables := pg_catalog.jsonb_set(tables, ARRAY[t.name], rows);
    END LOOP;

    dossier := pg_catalog.jsonb_build_object(
        'customer_id', customer_dossier.customer_id,
        'exported_at', pg_catalog.now(),
        'ledger_source', COALESCE(source, 'crisk.invoice'),
        'tables', tables);
    -- Invoices crisk reads from an ERP source are part of what it holds.
    IF source IS NOT NULL THEN
        SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.invoice_id), '[]')
          INTO rows
          FROM crisk.ledger l
         WHERE l.customer_id OPERATOR(pg_catalog.=) customer_dossier.customer_id;
        dossier := pg_catalog.jsonb_set(dossier, '{ledger}', rows);
    END IF;
    RETURN dossier;
END
$$;
COMMENT ON FUNCTION crisk.customer_dossier(pg_catalog.text) IS
    'Everything crisk holds on a customer, as jsonb: {"customer_id", "exported_at", "ledger_source", "tables": {"crisk.account": [...], ...}} with the customer''s rows of every crisk table, plus "ledger" (the invoices read from it) when the ledger is an ERP source. For access requests under GDPR art. 15 and 20.';
REVOKE ALL ON FUNCTION crisk.customer_dossier(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION crisk.forget_customer(customer_id pg_catalog.text)
    RETURNS pg_catalog.jsonb
    AS 'MODULE_PATHNAME', 'crisk_forget_customer'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.forget_customer(pg_catalog.text) IS
    'Erases a customer from every crisk table (history and audit included) and logs the erasure in crisk.erasure_log without anything identifying the customer; returns the rows removed per table. Invoices in an ERP ledger source are not touched (a warning says how many remain).';
REVOKE ALL ON FUNCTION crisk.forget_customer(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION crisk.purge_history(older_than pg_catalog.interval)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'crisk_purge_history'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.purge_history(pg_catalog.interval) IS
    'Retention: removes score history, limit changes (except each customer''s latest) and acknowledged alerts older than older_than; returns the number of rows removed. The worker calls it with crisk.history_retention.';
REVOKE ALL ON FUNCTION crisk.purge_history(pg_catalog.interval) FROM PUBLIC;
