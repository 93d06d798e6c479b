-- The order credit check an ERP calls inside its order transaction
-- (src/check_order.c).  It reads the ledger, the account, the latest score,
-- the dunning policy and recent legal events with plain snapshots (no row
-- locks), so it never waits for rescoring or for other orders, and they
-- never wait for it.
--
-- SECURITY DEFINER so that an order-entry role needs nothing but EXECUTE on
-- this function; it reads only what the decision needs and returns only the
-- decision, the available credit and the reasons.

CREATE FUNCTION crisk.check_order(customer_id pg_catalog.text, amount pg_catalog.numeric)
    RETURNS TABLE (decision pg_catalog.text, available_credit pg_catalog.numeric,
                   reasons pg_catalog.text[])
    AS 'MODULE_PATHNAME', 'crisk_check_order'
    LANGUAGE C STABLE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL RESTRICTED
    ROWS 1
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.check_order(pg_catalog.text, pg_catalog.numeric) IS
    'Order credit check at call time: ''approve'', ''review'' or ''block'', the credit still available before this order (limit minus open receivables, open orders not yet invoiced and live credit reservations; NULL without a limit) and the reasons, from the credit limit, open and overdue items in the ledger, the latest risk class, the order stop, the dunning level reached and recent legal events.';
REVOKE ALL ON FUNCTION crisk.check_order(pg_catalog.text, pg_catalog.numeric) FROM PUBLIC;
