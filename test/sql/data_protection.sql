-- Data protection: crisk.customer_dossier() (what crisk holds on a
-- customer), crisk.forget_customer() (erasure, logged without personal
-- data) and crisk.purge_history() (retention).  Everything is rolled back
-- at the end; each error is followed by its SQLSTATE.
--
-- The dossier and the erasure cover every crisk table with a customer_id
-- column, including tables other parts of crisk add; the figures printed
-- here are those of the tables this test fills, and the checks that
-- nothing is left hold for all of them.
BEGIN;
\set ON_ERROR_ROLLBACK on

-- The tables this test fills, and a view of a dossier restricted to them,
-- with this transaction's time and login shown as NOW and ME.
CREATE TEMP TABLE filled (name text);
INSERT INTO filled VALUES ('crisk.account'), ('crisk.alert'), ('crisk.event'), ('crisk.financials'),
    ('crisk.invoice'), ('crisk.limit_change'), ('crisk.score'), ('crisk.score_history');
-- Generated ids depend on what ran before in the database: shown as N.
CREATE FUNCTION pg_temp.shown(d jsonb) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT regexp_replace(replace(replace(jsonb_pretty(
               (d - 'exported_at') || jsonb_build_object('tables',
                   (SELECT jsonb_object_agg(t.key, t.value) FROM jsonb_each(d -> 'tables') t
                    WHERE t.key IN (SELECT name FROM filled)))),
           to_jsonb(now()) #>> '{}', 'NOW'), '"' || session_user || '"', '"ME"'),
           '"(alert|event|change|history)_id": [0-9]+', '"\1_id": N', 'g')
$$;

INSERT INTO crisk.account (customer_id, name, segment, credit_limit, payment_terms_days, customer_since)
VALUES ('DUP', 'Dupont Plomberie (Jean Dupont, sole trader)', 'trades', 5000, 30, '2019-03-01'),
       ('KEEP', 'Other customer', 'trades', 8000, 45, NULL);
SELECT crisk.set_credit_limit('DUP', 4000, 'two invoices paid late');
INSERT INTO crisk.invoice VALUES
    ('F-1', 'DUP', 1200.00, '2024-01-10', '2024-02-09', '2024-03-01'),
    ('F-2', 'DUP', 800.00, '2024-02-10', '2024-03-11', NULL),
    ('F-3', 'KEEP', 300.00, '2024-02-10', '2024-03-26', NULL);
INSERT INTO crisk.event (customer_id, kind, occurred_on, detail, recorded_at)
VALUES ('DUP', 'lien', '2024-02-20', 'URSSAF lien, 3 200 EUR', '2024-02-22 09:00+00'),
       ('KEEP', 'director_change', '2024-01-05', NULL, '2024-01-06 09:00+00');
INSERT INTO crisk.financials (customer_id, fiscal_year_end, working_capital, retained_earnings, ebit,
                              equity, total_liabilities, total_assets, sales, source, recorded_at)
VALUES ('DUP', '2023-12-31', 12000, 30000, 8000, 45000, 20000, 65000, 150000, 'annual accounts',
        '2024-04-30 12:00+00');
INSERT INTO crisk.score (customer_id, as_of, scored_at, run_id, model, score, risk_class, reasons,
                         invoices, open_invoices, billed, open_amount, overdue_amount)
VALUES ('DUP', '2024-03-31', '2024-03-31 02:00+00', 12, 'default', 55, 'C',
        '[{"characteristic": "late_share", "value": 0.6, "points": 5, "max_points": 20}]',
        2, 1, 2000.00, 800.00, 800.00);
INSERT INTO crisk.score_history (customer_id, as_of, scored_at, run_id, model, score, risk_class, reasons)
VALUES ('DUP', '2024-02-29', '2024-02-29 02:00+00', 11, 'default', 68, 'B', '[]'),
       ('DUP', '2024-03-31', '2024-03-31 02:00+00', 12, 'default', 55, 'C', '[]');
INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, run_id, raised_at)
VALUES ('downgrade', 'DUP', 'C', 'warning', 'Dupont Plomberie downgraded from B to C', 12, '2024-03-31 02:00+00');

-- Everything on DUP, from every table; nothing on KEEP.
SELECT pg_temp.shown(crisk.customer_dossier('DUP'));
-- The dossier lists every crisk table with a customer_id column.
SELECT count(*) = (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                   WHERE c.relnamespace = 'crisk'::regnamespace AND c.relkind IN ('r', 'p')
                     AND a.attname = 'customer_id' AND NOT a.attisdropped) AS every_table
FROM jsonb_object_keys(crisk.customer_dossier('DUP') -> 'tables');
-- A customer crisk does not know gets empty lists.
SELECT bool_and(jsonb_array_length(t.value) = 0) AS all_empty
FROM jsonb_each(crisk.customer_dossier('NOBODY') -> 'tables') AS t;
SELECT crisk.customer_dossier(NULL) IS NULL AS null_gives_null;

-- Erasure: DUP goes from every table, KEEP stays.
SELECT t.key AS table_name, t.value AS rows_removed
FROM jsonb_each(crisk.forget_customer('DUP')) AS t
WHERE t.key IN (SELECT name FROM filled) ORDER BY t.key;
SELECT bool_and(jsonb_array_length(t.value) = 0) AS nothing_left
FROM jsonb_each(crisk.customer_dossier('DUP') -> 'tables') AS t;
SELECT t.key AS table_name, jsonb_array_length(t.value) AS rows_kept
FROM jsonb_each(crisk.customer_dossier('KEEP') -> 'tables') AS t
WHERE t.key IN (SELECT name FROM filled) ORDER BY t.key;
-- The erasure is logged with counts and nothing that names the customer.
SELECT erased_by = session_user AS by_me, ledger_source, ledger_rows_kept,
       rows_removed -> 'crisk.account' AS accounts, rows_removed -> 'crisk.invoice' AS invoices
FROM crisk.erasure_log;
SELECT count(*) AS log_rows_naming_the_customer
FROM crisk.erasure_log e WHERE e::text LIKE '%DUP%' OR e::text LIKE '%Dupont%';
-- Erasing a customer crisk does not know removes nothing and is logged too.
SELECT sum(t.value::bigint) AS rows_removed FROM jsonb_each(crisk.forget_customer('NOBODY')) AS t;
SELECT count(*) AS erasures FROM crisk.erasure_log;
SELECT crisk.forget_customer(NULL);
\echo :LAST_ERROR_SQLSTATE

-- With an ERP ledger, crisk reads the ERP's invoices and shows them in the
-- dossier, but erasing them is the ERP's business: a warning says how many
-- remain, and the log records it.
CREATE SCHEMA erp;
CREATE TABLE erp.invoices AS SELECT * FROM crisk.invoice WHERE false;
INSERT INTO erp.invoices VALUES
    ('E-1', 'DUP2', 100.00, '2024-01-01', '2024-01-31', NULL),
    ('E-2', 'DUP2', 200.00, '2024-02-01', '2024-03-02', '2024-03-05');
SELECT crisk.set_ledger('erp.invoices');
INSERT INTO crisk.account (customer_id, name) VALUES ('DUP2', 'Durand');
SELECT crisk.customer_dossier('DUP2') ->> 'ledger_source' AS ledger_source,
       jsonb_pretty(crisk.customer_dossier('DUP2') -> 'ledger') AS ledger;
SELECT t.key AS table_name, t.value AS rows_removed
FROM jsonb_each(crisk.forget_customer('DUP2')) AS t
WHERE t.key IN (SELECT name FROM filled) ORDER BY t.key;
SELECT ledger_source, ledger_rows_kept FROM crisk.erasure_log ORDER BY erasure_id DESC LIMIT 1;
SELECT count(*) AS still_in_erp FROM erp.invoices WHERE customer_id = 'DUP2';
SELECT crisk.set_ledger('crisk.invoice');

-- Retention.  Relative to now: score history 3 years, 1 year and 0 days
-- old; limit changes of OLD 5 and 4 years old (the latest, 4 years, is
-- kept: it explains the limit in force) and of KEEP 3 years old (KEEP's
-- latest is the one made when the account was created today); alerts
-- acknowledged 3 years and 1 year ago, and one raised 5 years ago still
-- open (kept: someone has to look at it).
INSERT INTO crisk.score_history (customer_id, as_of, scored_at, model, score, risk_class, reasons)
VALUES ('KEEP', current_date, now() - interval '3 years', 'default', 70, 'B', '[]'),
       ('KEEP', current_date, now() - interval '1 year', 'default', 71, 'B', '[]'),
       ('KEEP', current_date, now(), 'default', 72, 'B', '[]');
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, new_locked, changed_by)
VALUES ('OLD', now() - interval '5 years', NULL, 1000, false, 'someone'),
       ('OLD', now() - interval '4 years', 1000, 2000, false, 'someone'),
       ('KEEP', now() - interval '3 years', 7000, 8000, false, 'someone');
INSERT INTO crisk.alert (kind, customer_id, severity, message, raised_at, acknowledged_at, acknowledged_by)
VALUES ('overdue_90', 'KEEP', 'warning', 'old', now() - interval '3 years', now() - interval '3 years', 'x'),
       ('overdue_90', 'KEEP', 'warning', 'recent', now() - interval '1 year', now() - interval '1 year', 'x'),
       ('score_drop', 'KEEP', 'warning', 'open', now() - interval '5 years', NULL, NULL);
-- 1 score + 2 limit changes (OLD's 5-year-old one, KEEP's 3-year-old one)
-- + 1 alert = 4 rows older than 2 years.
SELECT crisk.purge_history('2 years') AS rows_removed;
SELECT customer_id, date_part('year', age(now(), scored_at)) AS years_old FROM crisk.score_history ORDER BY scored_at;
SELECT customer_id, date_part('year', age(now(), changed_at)) AS years_old FROM crisk.limit_change ORDER BY customer_id, changed_at;
SELECT message, acknowledged_at IS NOT NULL AS acknowledged FROM crisk.alert ORDER BY raised_at;
-- Nothing is left to purge.
SELECT crisk.purge_history('2 years') AS rows_removed;
SELECT crisk.purge_history(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.purge_history('0');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.purge_history('-1 day');
\echo :LAST_ERROR_SQLSTATE

-- History and the erasure log are append-only.
UPDATE crisk.score_history SET score = 100;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.score_history;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.score_history;
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.erasure_log SET erased_by = 'nobody';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.erasure_log;
\echo :LAST_ERROR_SQLSTATE

ROLLBACK;
