-- Monotonicity of the shipped model: a worse value of any single
-- characteristic never gives a higher score.  Each characteristic is swept
-- over a fine grid, from its best values to its worst, while the other
-- inputs are held fixed at four levels (best, middling, worst, unknown);
-- every step from one grid value to the next worse one is checked.
--
-- Worse means: more days beyond terms, a higher late share, more days late
-- on the worst invoice, higher utilization, a lower Altman Z, more adverse
-- events, a more severe legal event in force, a shorter relationship.
--
-- To show the check has teeth, it is then run on copies of the model in
-- which two neighbouring bins swap their points: every such swap must be
-- caught.

-- The score of a customer with these values, under a model.
CREATE FUNCTION pg_temp.score(model text, dbt float8, late float8, max_late int,
                              util float8, z float8, events int, months int,
                              severity int)
RETURNS int LANGUAGE sql STABLE
RETURN crisk.credit_score(ROW(30, 4, 250000, 40000, 9000, dbt, 5.0, late, max_late, 41,
                              '2024-06-28')::crisk.payment_profile,
                          z, events, util, months, model, severity);

-- The levels at which the other inputs are held.
CREATE TEMP TABLE level (level text, dbt float8, late float8, max_late int,
                         util float8, z float8, events int, months int, severity int);
INSERT INTO level VALUES
    ('best',     -5,   0,    0,   0.2, 3.5,  0,    60,   0),
    ('middling', 12,   0.2,  40,  0.9, 2.2,  1,    24,   1),
    ('worst',    90,   0.9,  200, 2.0, 0.5,  5,    1,    3),
    ('unknown',  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- One row per grid point: characteristic, level, how bad the value is
-- (ascending = worse), score.  The grids step finer than any bin.
CREATE FUNCTION pg_temp.grid(model text, only_characteristic text DEFAULT NULL)
RETURNS TABLE (characteristic text, level text, badness float8, score int)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT 'avg_days_beyond_terms', l.level, v,
           pg_temp.score(model, v, l.late, l.max_late, l.util, l.z, l.events, l.months, l.severity)
    FROM level l, generate_series(-60.0, 200.0, 0.25) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'avg_days_beyond_terms'
    UNION ALL
    SELECT 'late_share', l.level, v,
           pg_temp.score(model, l.dbt, v, l.max_late, l.util, l.z, l.events, l.months, l.severity)
    FROM level l, generate_series(0.0, 1.0, 0.0025) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'late_share'
    UNION ALL
    SELECT 'max_days_late', l.level, v,
           pg_temp.score(model, l.dbt, l.late, v, l.util, l.z, l.events, l.months, l.severity)
    FROM level l, generate_series(0, 400) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'max_days_late'
    UNION ALL
    SELECT 'utilization', l.level, v,
           pg_temp.score(model, l.dbt, l.late, l.max_late, v, l.z, l.events, l.months, l.severity)
    FROM level l, generate_series(-1.0, 3.0, 0.005) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'utilization'
    UNION ALL
    -- A lower Z is worse: badness is -z.
    SELECT 'altman_z', l.level, -v,
           pg_temp.score(model, l.dbt, l.late, l.max_late, l.util, v, l.events, l.months, l.severity)
    FROM level l, generate_series(-5.0, 10.0, 0.01) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'altman_z'
    UNION ALL
    SELECT 'adverse_events', l.level, v,
           pg_temp.score(model, l.dbt, l.late, l.max_late, l.util, l.z, v, l.months, l.severity)
    FROM level l, generate_series(0, 25) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'adverse_events'
    UNION ALL
    SELECT 'event_severity', l.level, v,
           pg_temp.score(model, l.dbt, l.late, l.max_late, l.util, l.z, l.events, l.months, v)
    FROM level l, generate_series(0, 3) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'event_severity'
    UNION ALL
    -- A shorter relationship is worse: badness is -months.
    SELECT 'relationship_months', l.level, -v,
           pg_temp.score(model, l.dbt, l.late, l.max_late, l.util, l.z, l.events, v, l.severity)
    FROM level l, generate_series(0, 240) AS v
    WHERE only_characteristic IS NULL OR only_characteristic = 'relationship_months';
END;

-- Per characteristic: grid points checked, steps where a worse value
-- scored higher, and the range of scores seen (the grid must actually move
-- the score, or the check would be empty).
CREATE FUNCTION pg_temp.violations(model text, only_characteristic text DEFAULT NULL)
RETURNS TABLE (characteristic text, points_checked bigint, violations bigint,
               distinct_scores bigint)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT characteristic, count(*),
           count(*) FILTER (WHERE score > previous),
           count(DISTINCT score)
    FROM (SELECT g.characteristic, g.score,
                 lag(g.score) OVER (PARTITION BY g.characteristic, g.level
                                    ORDER BY g.badness) AS previous
          FROM pg_temp.grid(model, only_characteristic) AS g) AS steps
    GROUP BY characteristic
    ORDER BY characteristic;
END;

-- The shipped model: no violations, and every grid moves the score.
SELECT * FROM pg_temp.violations('default');

-- Now the mutants.  For every pair of neighbouring bins with different
-- points, a copy of the default model with their points swapped (there
-- are 26 such pairs: 5 + 4 + 4 + 4 + 3 + 3 + 3).
BEGIN;
CREATE TEMP TABLE mutant AS
WITH bins AS (
    SELECT characteristic, lower_bound, upper_bound, points,
           row_number() OVER (PARTITION BY characteristic
                              ORDER BY lower_bound NULLS FIRST) AS position
    FROM crisk.scorecard
    WHERE model = 'default' AND (lower_bound IS NOT NULL OR upper_bound IS NOT NULL)
)
SELECT a.characteristic, a.position,
       'swap_' || a.characteristic || '_' || a.position AS model,
       a.lower_bound AS a_lower, b.lower_bound AS b_lower,
       a.points AS a_points, b.points AS b_points
FROM bins a JOIN bins b
  ON b.characteristic = a.characteristic AND b.position = a.position + 1
WHERE a.points <> b.points;
SELECT count(*) AS mutants FROM mutant;

INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
SELECT m.model, s.characteristic, s.lower_bound, s.upper_bound,
       CASE WHEN s.characteristic <> m.characteristic THEN s.points
            WHEN s.lower_bound IS NOT DISTINCT FROM m.a_lower
                 AND s.upper_bound IS NOT NULL THEN m.b_points
            WHEN s.lower_bound IS NOT DISTINCT FROM m.b_lower
                 AND (s.lower_bound IS NOT NULL OR s.upper_bound IS NOT NULL) THEN m.a_points
            ELSE s.points END
FROM mutant m CROSS JOIN crisk.scorecard s
WHERE s.model = 'default';

-- Every mutant is caught by the grid on its own characteristic, and
-- validate_model warns about it (without refusing it: it is a user model).
SELECT m.characteristic,
       count(*) AS mutants,
       count(*) FILTER (WHERE v.violations > 0) AS caught_by_grid,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM crisk.validate_model(m.model) p
                                      WHERE p.severity = 'warning'
                                        AND p.characteristic = m.characteristic))
           AS warned_by_validate_model,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM crisk.validate_model(m.model) p
                                      WHERE p.severity = 'error')) AS refused
FROM mutant m
CROSS JOIN LATERAL pg_temp.violations(m.model, m.characteristic) AS v
GROUP BY m.characteristic
ORDER BY m.characteristic;
ROLLBACK;
