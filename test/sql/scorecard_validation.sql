-- Scorecard model validation: crisk.validate_model lists a model's
-- problems, and a scoring function refuses a model with errors (42P17,
-- naming the model and the characteristic) while other models keep
-- working.  Each error is followed by its SQLSTATE.

-- The shipped model is sound: no rows.
SELECT * FROM crisk.validate_model('default');

-- Unknown and NULL model names.
SELECT * FROM crisk.validate_model('no_such_model');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.validate_model(NULL);
\echo :LAST_ERROR_SQLSTATE

-- A sound two-characteristic model to start from:
--   late_share: <0.1 [50], 0.1-0.5 [20], 0.5+ [0], missing [25]
--   altman_z:   <1.8 [0], 1.8+ [50], missing [20]
-- Its best bins add up to 50 + 50 = 100.
INSERT INTO crisk.scorecard VALUES
    ('gappy', 'late_share', NULL, NULL, 25),
    ('gappy', 'late_share', NULL,  0.1, 50),
    ('gappy', 'late_share',  0.1,  0.5, 20),
    ('gappy', 'late_share',  0.5, NULL,  0),
    ('gappy', 'altman_z',   NULL, NULL, 20),
    ('gappy', 'altman_z',   NULL,  1.8,  0),
    ('gappy', 'altman_z',    1.8, NULL, 50);
SELECT * FROM crisk.validate_model('gappy');
-- late 0.2 [20] + z 2.5 [50] = 70.
SELECT crisk.credit_score(ROW(1, 0, 100, 0, 0, 5, 1, 0.2, 9, 30, NULL)::crisk.payment_profile,
                          2.5, model => 'gappy') AS sound;

-- A gap: move the middle bin's start from 0.1 to 0.2, so nothing covers
-- [0.1, 0.2).
UPDATE crisk.scorecard SET lower_bound = 0.2
WHERE model = 'gappy' AND characteristic = 'late_share' AND lower_bound = 0.1;
SELECT * FROM crisk.validate_model('gappy');
-- Scoring with it fails even for a value outside the gap, naming the
-- model and the characteristic ...
SELECT crisk.credit_score(NULL, model => 'gappy');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.explain_score(NULL, model => 'gappy');
\echo :LAST_ERROR_SQLSTATE
-- ... while the default model still works (53: no history, no events).
SELECT crisk.credit_score(NULL) AS default_still_works;

-- An overlap: the middle bin now starts at 0.05, inside the first one.
UPDATE crisk.scorecard SET lower_bound = 0.05
WHERE model = 'gappy' AND characteristic = 'late_share' AND lower_bound = 0.2;
SELECT * FROM crisk.validate_model('gappy');
SELECT crisk.credit_score(NULL, model => 'gappy');
\echo :LAST_ERROR_SQLSTATE
-- Back to sound.
UPDATE crisk.scorecard SET lower_bound = 0.1
WHERE model = 'gappy' AND characteristic = 'late_share' AND lower_bound = 0.05;
SELECT count(*) AS problems FROM crisk.validate_model('gappy');

-- Ends that leave values without a bin: the lowest bin starts at 0 and the
-- highest stops at 10.
UPDATE crisk.scorecard SET lower_bound = 0
WHERE model = 'gappy' AND characteristic = 'late_share' AND lower_bound IS NULL
  AND upper_bound = 0.1;
UPDATE crisk.scorecard SET upper_bound = 10
WHERE model = 'gappy' AND characteristic = 'altman_z' AND lower_bound = 1.8;
SELECT * FROM crisk.validate_model('gappy');
SELECT crisk.credit_score(NULL, model => 'gappy');
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.scorecard SET lower_bound = NULL
WHERE model = 'gappy' AND characteristic = 'late_share' AND lower_bound = 0;
UPDATE crisk.scorecard SET upper_bound = NULL
WHERE model = 'gappy' AND characteristic = 'altman_z' AND upper_bound = 10;

-- No missing-value bin: an unknown Altman Z could not be scored.
DELETE FROM crisk.scorecard
WHERE model = 'gappy' AND characteristic = 'altman_z'
  AND lower_bound IS NULL AND upper_bound IS NULL;
SELECT * FROM crisk.validate_model('gappy');
SELECT crisk.credit_score(NULL, 3.0, model => 'gappy');
\echo :LAST_ERROR_SQLSTATE
-- A second missing-value bin is refused by the table itself.
INSERT INTO crisk.scorecard VALUES ('gappy', 'late_share', NULL, NULL, 10);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'altman_z', NULL, NULL, 20);

-- Only a missing-value bin: no known value could be scored.
INSERT INTO crisk.scorecard VALUES ('gappy', 'adverse_events', NULL, NULL, 0);
SELECT * FROM crisk.validate_model('gappy');
DELETE FROM crisk.scorecard WHERE model = 'gappy' AND characteristic = 'adverse_events';

-- Points over 100: the best bins now add up to 50 + 55 = 105.
UPDATE crisk.scorecard SET points = 55
WHERE model = 'gappy' AND characteristic = 'altman_z' AND lower_bound = 1.8;
SELECT * FROM crisk.validate_model('gappy');
SELECT crisk.credit_score(NULL, model => 'gappy');
\echo :LAST_ERROR_SQLSTATE
-- Exactly 100 is allowed (the missing-value bin counts when it is the
-- best: here 50 + 50).
UPDATE crisk.scorecard SET points = 50
WHERE model = 'gappy' AND characteristic = 'altman_z' AND lower_bound = 1.8;
UPDATE crisk.scorecard SET points = 50
WHERE model = 'gappy' AND characteristic = 'altman_z' AND lower_bound IS NULL
  AND upper_bound IS NULL;
SELECT count(*) AS problems FROM crisk.validate_model('gappy');
UPDATE crisk.scorecard SET points = 51
WHERE model = 'gappy' AND characteristic = 'altman_z' AND lower_bound IS NULL
  AND upper_bound IS NULL;
SELECT * FROM crisk.validate_model('gappy');
UPDATE crisk.scorecard SET points = 20
WHERE model = 'gappy' AND characteristic = 'altman_z' AND lower_bound IS NULL
  AND upper_bound IS NULL;

-- Monotonicity is a property of the shipped model; a user's model may
-- reward a worse value, and validate_model warns without refusing it.
-- Here late_share 0.5+ earns 30, more than the better bin 0.1-0.5 (20).
UPDATE crisk.scorecard SET points = 30
WHERE model = 'gappy' AND characteristic = 'late_share' AND lower_bound = 0.5;
SELECT * FROM crisk.validate_model('gappy');
-- late 0.7 [30] + z missing [20] = 50: the model is used all the same.
SELECT crisk.credit_score(ROW(1, 0, 100, 0, 0, 5, 1, 0.7, 9, 30, NULL)::crisk.payment_profile,
                          model => 'gappy') AS non_monotone_but_usable;

-- Problems the table's constraints refuse row by row.
INSERT INTO crisk.scorecard VALUES ('gappy', 'late_shares', NULL, NULL, 5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'max_days_late', 10, 10, 5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'max_days_late', 20, 10, 5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'max_days_late', 'NaN', NULL, 5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'max_days_late', NULL, 'Infinity', 5);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'max_days_late', NULL, NULL, -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', 'max_days_late', NULL, NULL, 101);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('', 'max_days_late', NULL, NULL, 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.scorecard VALUES ('gappy', NULL, NULL, NULL, 1);
\echo :LAST_ERROR_SQLSTATE

-- Should a DBA drop those constraints, the same problems are still caught
-- when the model is loaded (inside a transaction that is rolled back).
BEGIN;
ALTER TABLE crisk.scorecard DROP CONSTRAINT scorecard_characteristic_known,
                            DROP CONSTRAINT scorecard_bin_not_empty,
                            DROP CONSTRAINT scorecard_points_range,
                            DROP CONSTRAINT scorecard_lower_bound_finite;
INSERT INTO crisk.scorecard VALUES
    ('broken', 'late_shares', NULL, NULL, 5),
    ('broken', 'altman_z', NULL, NULL, 5),
    ('broken', 'altman_z', NULL, 1, -3),
    ('broken', 'altman_z', 1, 1, 5),
    ('broken', 'altman_z', 1, NULL, 5),
    ('broken', 'utilization', NULL, NULL, 0),
    ('broken', 'utilization', 'NaN', NULL, 5);
SELECT * FROM crisk.validate_model('broken');
SELECT crisk.credit_score(NULL, model => 'broken');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- A model whose only characteristic is unknown to crisk.
BEGIN;
ALTER TABLE crisk.scorecard DROP CONSTRAINT scorecard_characteristic_known;
INSERT INTO crisk.scorecard VALUES ('unknown_only', 'payment_mood', NULL, NULL, 5);
SELECT * FROM crisk.validate_model('unknown_only');
SELECT crisk.credit_score(NULL, model => 'unknown_only');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The rolled-back rows are gone from the cache too.
SELECT * FROM crisk.validate_model('broken');
\echo :LAST_ERROR_SQLSTATE

DELETE FROM crisk.scorecard WHERE model = 'gappy';
