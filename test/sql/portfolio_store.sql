-- The portfolio store's tables: legal events, financial statements, and
-- the results rescoring writes (crisk.score keeps the previous score and
-- class; crisk.score_history is append-only).  Everything is rolled back at
-- the end; each error is followed by its SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on
-- Failing rows would show this transaction's time.
\set VERBOSITY terse

INSERT INTO crisk.account (customer_id, name) VALUES ('C1', 'Martin SA'), ('C2', 'Bernard SARL');

-- Legal events: the vocabulary of SPEC section 2, and "other".
SELECT kind, adverse, order_decision, order_window_days, severity, class_cap, in_force_days, shipped
FROM crisk.event_kind ORDER BY kind;
INSERT INTO crisk.event (customer_id, kind, occurred_on, detail)
VALUES ('C1', 'receivership', '2024-05-02', 'Tribunal de commerce de Nantes, RG 2024/118'),
       ('C1', 'other', '2024-05-10', 'CEO interviewed about cash problems');
SELECT customer_id, kind, occurred_on, detail FROM crisk.event ORDER BY occurred_on;
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('C1', 'bankruptcy', '2024-05-02');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('NOBODY', 'lien', '2024-05-02');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('C1', 'lien', 'infinity');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('C1', 'lien', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.event (event_id, customer_id, kind, occurred_on) VALUES (99, 'C1', 'lien', '2024-05-02');
\echo :LAST_ERROR_SQLSTATE
-- Shipped kinds may be tuned, and users add kinds of their own.
SAVEPOINT tuning;
UPDATE crisk.event_kind SET order_decision = 'block', severity = 3 WHERE kind = 'safeguard';
INSERT INTO crisk.event_kind (kind, description, adverse, order_decision, severity, class_cap)
VALUES ('fraud', 'fraud suspected', true, 'block', 3, 'E');
SELECT kind, order_decision, severity, class_cap, in_force_days, shipped
FROM crisk.event_kind WHERE kind IN ('safeguard', 'fraud') ORDER BY kind;
-- A user's kind is the user's to delete.
DELETE FROM crisk.event_kind WHERE kind = 'fraud';
-- Inserting a shipped kind's row again, as a restore does, applies its
-- parameters to the kind.
INSERT INTO crisk.event_kind (kind, description, adverse, severity, class_cap, in_force_days, shipped)
VALUES ('pledge', 'pledge registered', true, 2, 'C', 730, true);
SELECT kind, description, severity, class_cap, in_force_days, shipped
FROM crisk.event_kind WHERE kind = 'pledge';
ROLLBACK TO SAVEPOINT tuning;
-- A shipped kind cannot be deleted, renamed or unmarked, and only crisk
-- ships kinds.
DELETE FROM crisk.event_kind WHERE kind = 'lien';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.event_kind SET kind = 'tax_lien' WHERE kind = 'lien';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.event_kind SET shipped = false WHERE kind = 'lien';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.event_kind (kind, description, adverse, shipped) VALUES ('fake', 'not shipped', false, true);
\echo :LAST_ERROR_SQLSTATE
-- An account with events cannot be deleted by accident (crisk.forget_customer
-- erases a customer everywhere); renaming it carries its events along.
DELETE FROM crisk.account WHERE customer_id = 'C1';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.account SET customer_id = 'C1-NEW' WHERE customer_id = 'C1';
SELECT customer_id, kind FROM crisk.event ORDER BY occurred_on;

-- Financial statements: items may be negative (losses) or unknown (NULL),
-- but total assets must be positive and liabilities, market value and
-- sales not negative, all finite.
INSERT INTO crisk.financials (customer_id, fiscal_year_end, working_capital, retained_earnings, ebit,
                              equity, market_value_equity, total_liabilities, total_assets, sales)
VALUES ('C2', '2023-12-31', -5000, -12000, -3000, 8000, NULL, 42000, 50000, 120000),
       ('C2', '2022-12-31', 2000, 1000, 1500, 11000, NULL, 39000, 50000, NULL);
SELECT customer_id, fiscal_year_end, working_capital, equity, total_assets, sales
FROM crisk.financials ORDER BY fiscal_year_end;
INSERT INTO crisk.financials (customer_id, fiscal_year_end, total_assets) VALUES ('C2', '2021-12-31', 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end, total_liabilities) VALUES ('C2', '2021-12-31', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end, sales) VALUES ('C2', '2021-12-31', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end, market_value_equity) VALUES ('C2', '2021-12-31', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end, ebit) VALUES ('C2', '2021-12-31', 'NaN');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end, working_capital) VALUES ('C2', '2021-12-31', '-Infinity');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end) VALUES ('C2', '2023-12-31');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.financials (customer_id, fiscal_year_end) VALUES ('NOBODY', '2023-12-31');
\echo :LAST_ERROR_SQLSTATE

-- Scores: an upsert keeps the previous score, the class before the last
-- change of class, and since when the class holds.
--   run 1 (2024-03-31): score 72, B   -> previous none, B since run 1
--   run 2 (2024-04-30): score 65, B   -> previous 72, B still since run 1
--   run 3 (2024-05-31): score 45, C   -> previous 65, was B, C since run 3
--   run 4 (2024-06-30): score 47, C   -> previous 45, was B, C since run 3
CREATE TEMP TABLE runs (run_id int, as_of date, score int, risk_class text);
INSERT INTO runs VALUES (1, '2024-03-31', 72, 'B'), (2, '2024-04-30', 65, 'B'),
                        (3, '2024-05-31', 45, 'C'), (4, '2024-06-30', 47, 'C');
CREATE FUNCTION pg_temp.score_run(n int) RETURNS void LANGUAGE sql AS $$
    INSERT INTO crisk.score (customer_id, as_of, scored_at, run_id, model, score, risk_class, reasons)
    SELECT 'C2', r.as_of, r.as_of + time '02:00' AT TIME ZONE 'UTC', r.run_id, 'default', r.score, r.risk_class, '[]'
    FROM runs r WHERE r.run_id = n
    ON CONFLICT (customer_id) DO UPDATE
        SET as_of = excluded.as_of, scored_at = excluded.scored_at, run_id = excluded.run_id,
            score = excluded.score, risk_class = excluded.risk_class, reasons = excluded.reasons;
    INSERT INTO crisk.score_history (customer_id, as_of, scored_at, run_id, model, score, risk_class,
                                     previous_score, previous_risk_class, risk_class_since, reasons)
    SELECT customer_id, as_of, scored_at, run_id, model, score, risk_class,
           previous_score, previous_risk_class, risk_class_since, reasons
    FROM crisk.score WHERE customer_id = 'C2';
$$;
SELECT pg_temp.score_run(1);
SELECT pg_temp.score_run(2);
SELECT pg_temp.score_run(3);
SELECT pg_temp.score_run(4);
SELECT run_id, as_of, score, risk_class, previous_score, previous_risk_class, risk_class_since
FROM crisk.score_history ORDER BY scored_at;
SELECT customer_id, score, risk_class, previous_score, previous_risk_class, risk_class_since FROM crisk.score;
-- A row inserted with risk_class_since (a restore) keeps it.
INSERT INTO crisk.account (customer_id, name) VALUES ('C3', 'Petit SAS');
INSERT INTO crisk.score (customer_id, as_of, scored_at, model, score, risk_class, risk_class_since)
VALUES ('C3', '2024-06-30', '2024-06-30 02:00+00', 'default', 50, 'C', '2023-01-01 00:00+00');
SELECT customer_id, risk_class_since FROM crisk.score WHERE customer_id = 'C3';
DELETE FROM crisk.account WHERE customer_id = 'C3';
-- The trigger function refuses to run as anything but a BEFORE row trigger.
CREATE TEMP TABLE misplaced (score int, risk_class text, scored_at timestamptz, previous_score int,
                             previous_risk_class text, risk_class_since timestamptz);
CREATE TRIGGER misplaced AFTER INSERT ON misplaced FOR EACH ROW EXECUTE FUNCTION crisk.track_risk_class();
INSERT INTO misplaced (score) VALUES (1);
\echo :LAST_ERROR_SQLSTATE
-- So does the limit-change stamp, through the same check.
CREATE TEMP TABLE misplaced_limit (customer_id text, credit_limit numeric);
CREATE TRIGGER misplaced_limit AFTER INSERT ON misplaced_limit FOR EACH ROW EXECUTE FUNCTION crisk.stamp_limit_change();
INSERT INTO misplaced_limit VALUES ('C1', 1);
\echo :LAST_ERROR_SQLSTATE
-- The score's checks.
UPDATE crisk.score SET score = 101;
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.score SET risk_class = 'F';
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.score SET reasons = '{"late_share": 5}';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class) VALUES ('NOBODY', '2024-06-30', 'default', 50, 'C');
\echo :LAST_ERROR_SQLSTATE
-- Scores follow their account: renamed with it, gone with it (history stays
-- until retention or erasure).
DELETE FROM crisk.financials WHERE customer_id = 'C2';
DELETE FROM crisk.account WHERE customer_id = 'C2';
SELECT count(*) AS scores, (SELECT count(*) FROM crisk.score_history) AS history FROM crisk.score;

ROLLBACK;
