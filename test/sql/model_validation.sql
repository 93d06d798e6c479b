-- Validation of scores: crisk.auc, crisk.ks and crisk.psi on samples small
-- enough to count by hand.  Higher score = better credit throughout.  Each
-- failing statement is followed by its SQLSTATE.
\set VERBOSITY terse

-- Four customers: bad ones score 1 and 2, good ones 2 and 3.  The four
-- (good, bad) pairs: (2, 1) right, (2, 2) a tie worth 1/2, (3, 1) right,
-- (3, 2) right: AUC = 3.5 / 4 = 0.875.  KS: at or below 1, 1/2 of the bads
-- and 0 of the goods; at or below 2, all bads and 1/2 of the goods: 0.5.
CREATE TABLE four (score double precision, bad boolean);
INSERT INTO four VALUES (1, true), (2, true), (2, false), (3, false);
SELECT crisk.auc(score, bad), crisk.ks(score, bad) FROM four;
-- Gini = 2 AUC - 1.
SELECT 2 * crisk.auc(score, bad) - 1 AS gini FROM four;

-- Perfect separation: AUC 1, KS 1.  Reversed ranking: AUC 0, KS still 1
-- (the largest gap, whichever way).  No information: AUC 0.5, KS 0.
SELECT crisk.auc(score, bad) AS perfect_auc, crisk.ks(score, bad) AS perfect_ks
FROM (VALUES (10, false), (20, false), (1, true), (2, true), (3, true)) AS t(score, bad);
SELECT crisk.auc(-score, bad) AS reversed_auc, crisk.ks(-score, bad) AS reversed_ks
FROM (VALUES (10, false), (20, false), (1, true), (2, true), (3, true)) AS t(score, bad);
SELECT crisk.auc(50, bad) AS all_tied_auc, crisk.ks(50, bad) AS all_tied_ks
FROM (VALUES (true), (false), (false)) AS t(bad);

-- Three bads (scores 10, 30, 50) and four goods (20, 30, 60, 70): pairs
-- ranked right: good 20 beats bad 10 (1), good 30 beats 10 and ties 30
-- (1.5), goods 60 and 70 beat all three (6): 8.5 / 12.  KS: at or below
-- 10: 1/3 - 0; at 20: 1/3 - 1/4; at 30: 2/3 - 2/4; at 50: 3/3 - 2/4 = 0.5.
CREATE TABLE seven (score double precision, bad boolean);
INSERT INTO seven VALUES (10, true), (30, true), (50, true),
                         (20, false), (30, false), (60, false), (70, false);
SELECT crisk.auc(score, bad) = 8.5 / 12 AS auc_is_8_5_of_12, crisk.ks(score, bad) AS ks FROM seven;
-- The same as the Mann-Whitney count in SQL, with ties.
SELECT (SELECT crisk.auc(score, bad) FROM seven)
       = (SELECT avg(CASE WHEN g.score > b.score THEN 1.0 WHEN g.score = b.score THEN 0.5 ELSE 0 END)::float8
          FROM seven AS g JOIN seven AS b ON NOT g.bad AND b.bad) AS mann_whitney;

-- Rows with a NULL score or outcome are skipped; -0 and 0 are one score.
SELECT crisk.auc(score, bad) = 8.5 / 12 AS nulls_skipped
FROM (SELECT * FROM seven UNION ALL VALUES (NULL, true), (5, NULL)) AS t;
SELECT crisk.auc(score, bad) AS zero_ties_minus_zero
FROM (VALUES ('-0'::float8, true), (0, false)) AS t(score, bad);

-- Without a bad or without a good row, or without rows: NULL.
SELECT crisk.auc(score, bad) IS NULL AS auc_only_goods, crisk.ks(score, bad) IS NULL AS ks_only_goods
FROM seven WHERE NOT bad;
SELECT crisk.auc(score, bad) IS NULL AS auc_no_rows, crisk.ks(score, bad) IS NULL AS ks_no_rows
FROM seven WHERE false;

-- By group, and with scores on a 0-100 scale: a hundred thousand rows
-- over 101 scores gather into at most 101 patterns and give the same AUC
-- as the pair count per score.
CREATE TABLE scored AS
SELECT g % 101 AS score, (g * 7919 % 1000) < (1000 - 9 * (g % 101)) / 10 AS bad
FROM generate_series(1, 100000) AS g;
WITH per_score AS (
    SELECT score, count(*) FILTER (WHERE bad) AS bads, count(*) FILTER (WHERE NOT bad) AS goods
    FROM scored GROUP BY score),
cumulated AS (
    SELECT goods, bads,
           coalesce(sum(bads) OVER (ORDER BY score ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS bads_below
    FROM per_score)
SELECT abs((SELECT crisk.auc(score, bad) FROM scored)
           - sum(goods * (bads_below + bads / 2.0)) / (sum(goods) * sum(bads))) < 1e-12 AS matches_count_per_score,
       sum(bads) AS bads, sum(goods) AS goods
FROM cumulated;
CREATE AGGREGATE gather_scores(float8, boolean) (
    SFUNC = crisk.score_outcome_transition, STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine);
SELECT (regexp_match(gather_scores(score, bad)::text, 'patterns=(\d+)'))[1] AS patterns FROM scored;
SELECT crisk.auc_final(gather_scores(score, bad)::text::crisk.outcome_counts)
       = crisk.auc(score, bad) AS auc_survives_text_form,
       crisk.ks_final(gather_scores(score, bad)::text::crisk.outcome_counts)
       = crisk.ks(score, bad) AS ks_survives_text_form
FROM scored;

-- As window aggregates (the final function runs on a growing state, row
-- after row, and must leave it as it was): AUC and KS of the first 2, 3,
-- ... customers of "seven" by score.
SELECT score, bad, crisk.auc(score, bad) OVER w, crisk.ks(score, bad) OVER w
FROM seven WINDOW w AS (ORDER BY score, bad ROWS UNBOUNDED PRECEDING)
ORDER BY score, bad;

-- A score that is not a number.
SELECT crisk.auc(score, bad) FROM (VALUES ('NaN'::float8, true)) AS t(score, bad);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.ks(score, bad) FROM (VALUES ('Infinity'::float8, true)) AS t(score, bad);
\echo :LAST_ERROR_SQLSTATE

-- PSI.  Shares 0.2/0.3/0.5 expected, 0.25/0.25/0.5 actual:
-- (0.25 - 0.2) ln(0.25/0.2) + (0.25 - 0.3) ln(0.25/0.3) + 0
-- = 0.05 * 0.22314355 + 0.05 * 0.18232156 = 0.020273255.
SELECT abs(crisk.psi('{0.2,0.3,0.5}', '{0.25,0.25,0.5}')
           - (0.05 * ln(1.25) - 0.05 * ln(0.25 / 0.3))) < 1e-15 AS psi_by_hand,
       round(crisk.psi('{0.2,0.3,0.5}', '{0.25,0.25,0.5}')::numeric, 9) AS psi;
-- Nothing moved: 0.  Symmetric in its arguments.  A class empty in both adds nothing.
SELECT crisk.psi('{0.1,0.9}', '{0.1,0.9}') AS unchanged,
       abs(crisk.psi('{0.2,0.3,0.5}', '{0.25,0.25,0.5}') - crisk.psi('{0.25,0.25,0.5}', '{0.2,0.3,0.5}')) < 1e-15 AS symmetric,
       crisk.psi('{0.5,0,0.5}', '{0.4,0,0.6}') = crisk.psi('{0.5,0.5}', '{0.4,0.6}') AS empty_class;
-- A class empty in one only: infinite.
SELECT crisk.psi('{0.5,0,0.5}', '{0.4,0.1,0.5}') AS new_class;
-- Shares rounded to 1e-7 are accepted; NULL arrays give NULL.
SELECT crisk.psi('{0.3333333,0.3333333,0.3333333}', '{0.5,0.25,0.25}') > 0 AS rounded_shares,
       crisk.psi(NULL, '{1}') IS NULL AS null_array;

-- Bad shares.
SELECT crisk.psi('{0.5,0.5}', '{0.3,0.3,0.4}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.psi('{0.5,0.6}', '{0.5,0.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.psi('{0.5,0.5}', '{1.5,-0.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.psi('{0.5,NaN}', '{0.5,0.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.psi('{0.5,NULL}', '{0.5,0.5}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.psi('{}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.psi('{{0.5,0.5}}', '{0.5,0.5}');
\echo :LAST_ERROR_SQLSTATE
