-- crisk.risk_class: A 80-100, B 60-79, C 40-59, D 20-39, E 0-19.
-- Each error is followed by its SQLSTATE.

-- Every edge of every class.
SELECT score, crisk.risk_class(score) AS class
FROM unnest(ARRAY[100, 80, 79, 60, 59, 40, 39, 20, 19, 0]) AS score;

-- Every score 0..100 has exactly one class, and each class its 20 (A: 21)
-- scores.
SELECT crisk.risk_class(s) AS class, count(*) AS scores, min(s), max(s)
FROM generate_series(0, 100) AS s
GROUP BY 1 ORDER BY 1;

-- NULL in, NULL out (the function is strict).
SELECT crisk.risk_class(NULL) IS NULL AS null_score;

-- Out of range: 22023.
SELECT crisk.risk_class(101);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.risk_class(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.risk_class(-2147483648);
\echo :LAST_ERROR_SQLSTATE
