-- The session's copies of crisk.scorecard and crisk.limit_policy follow a
-- change even when it happens in the middle of a statement: the next call
-- uses the new rows, and so does every later statement.  (Changes by other
-- sessions: test/isolation/specs/scoring_cache.spec.)

-- Model "mid" scores adverse events only: none [10], some [0], unknown [1].
INSERT INTO crisk.scorecard VALUES
    ('mid', 'adverse_events', NULL, NULL, 1),
    ('mid', 'adverse_events', NULL, 1, 10),
    ('mid', 'adverse_events', 1, NULL, 0);
-- Policy "mid": new customers start at least(sales, initial_limit 1000).
INSERT INTO crisk.limit_policy
SELECT 'mid', c, 1, 0, 1000, 1 FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E']) AS c;

-- set_points and set_initial_limit change the model and the policy from
-- inside a query; each returns its argument.
CREATE FUNCTION pg_temp.set_points(p int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    UPDATE crisk.scorecard SET points = p
    WHERE model = 'mid' AND lower_bound IS NULL AND upper_bound = 1;
    RETURN p;
END $$;
CREATE FUNCTION pg_temp.set_initial_limit(l numeric) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
    UPDATE crisk.limit_policy SET initial_limit = l WHERE policy = 'mid';
    RETURN l;
END $$;

-- Row by row, the model is changed and then used: no events earn 10, then
-- 20, then 30 points.  The scored column must follow the set column.
SELECT g, pg_temp.set_points(g * 10) AS set_to,
       crisk.credit_score(NULL, model => 'mid') AS scored
FROM generate_series(1, 3) AS g;
-- The last change stays: 30.
SELECT crisk.credit_score(NULL, model => 'mid') AS after_statement;

-- The same for a policy: a new customer with sales of 5 000 starts at the
-- initial limit, 100, then 200, then 300.
SELECT g, pg_temp.set_initial_limit(g * 100) AS set_to,
       crisk.recalibrated_limit(NULL, 90, 5000, policy => 'mid') AS new_limit
FROM generate_series(1, 3) AS g;
SELECT crisk.recalibrated_limit(NULL, 90, 5000, policy => 'mid') AS after_statement;

-- A change rolled back is forgotten by the session that made it.
BEGIN;
SELECT pg_temp.set_points(40) AS set_to, crisk.credit_score(NULL, model => 'mid') AS scored;
ROLLBACK;
SELECT crisk.credit_score(NULL, model => 'mid') AS after_rollback;

-- A savepoint rolled back after the cache was reloaded inside it leaves a
-- copy that is reloaded again, not one that still holds the undone change.
BEGIN;
SAVEPOINT s;
SELECT pg_temp.set_points(50) AS set_to, crisk.credit_score(NULL, model => 'mid') AS scored;
ROLLBACK TO SAVEPOINT s;
SELECT crisk.credit_score(NULL, model => 'mid') AS after_savepoint_rollback;
COMMIT;

DELETE FROM crisk.scorecard WHERE model = 'mid';
DELETE FROM crisk.limit_policy WHERE policy = 'mid';
