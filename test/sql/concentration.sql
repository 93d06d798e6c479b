-- The aggregate crisk.concentration(exposure): Herfindahl-Hirschman index,
-- sum of squared percentage shares.  Each failing statement is followed by
-- its SQLSTATE.

-- One customer: 100^2 = 10000.  Two equal: 50^2 * 2 = 5000.  Four equal:
-- 25^2 * 4 = 2500.  Ten equal: 10^2 * 10 = 1000.
SELECT crisk.concentration(x) FROM (VALUES (123.45)) AS t(x);
SELECT crisk.concentration(x) FROM (VALUES (10), (10)) AS t(x);
SELECT crisk.concentration(x) FROM (VALUES (7), (7), (7), (7)) AS t(x);
SELECT crisk.concentration(x) FROM generate_series(1, 10) AS g, LATERAL (SELECT 99.99) AS t(x);

-- Shares 25 %, 25 %, 50 %: 625 + 625 + 2500 = 3750.
SELECT crisk.concentration(x) FROM (VALUES (100), (100), (200)) AS t(x);
-- Cents: 0.01 and 0.03 are 25 % and 75 %: 625 + 5625 = 6250.
SELECT crisk.concentration(x) FROM (VALUES (0.01), (0.03)) AS t(x);
-- Three equal thirds: 3 * (100/3)^2 = 3333.33...
SELECT round(crisk.concentration(x)::numeric, 9) FROM (VALUES (1), (1), (1)) AS t(x);

-- Zero, negative (credit balances) and NULL exposures are ignored: still
-- 25 % and 75 %, 6250.
SELECT crisk.concentration(x) FROM (VALUES (1), (0), (-500), (NULL), (3)) AS t(x);
-- No positive exposure, no rows, all NULL: NULL.
SELECT crisk.concentration(x) IS NULL AS none_positive FROM (VALUES (0), (-1)) AS t(x);
SELECT crisk.concentration(x) IS NULL AS no_rows FROM (VALUES (1)) AS t(x) WHERE false;
SELECT crisk.concentration(x) IS NULL AS all_null FROM (VALUES (NULL::numeric), (NULL)) AS t(x);

-- Per segment, then for the whole portfolio: segment a is 1 and 3 (6250),
-- segment b a single customer (10000); all four, 1, 3, 2, 2 of 8: 12.5 %,
-- 37.5 %, 25 %, 25 %: 156.25 + 1406.25 + 625 + 625 = 2812.5.
SELECT segment, crisk.concentration(x)
FROM (VALUES ('a', 1), ('a', 3), ('b', 4)) AS t(segment, x)
GROUP BY segment ORDER BY segment;
SELECT crisk.concentration(x) FROM (VALUES (1), (3), (2), (2)) AS t(x);

-- Huge exposures: 10^30 and 3 * 10^30 are 25 % and 75 %: 6250, from exact
-- sums of squares (10^60 and beyond, far past 2^127).
SELECT crisk.concentration(x) FROM (VALUES (1e30), (3e30)) AS t(x);
-- Mixed scales: 1 and 10^-9.  The share of the small one is about 10^-9,
-- so the index is 10000 * (1 + 10^-18) / (1 + 10^-9)^2 = 9999.99998 to
-- the 5 decimals shown.
SELECT round(crisk.concentration(x)::numeric, 5) FROM (VALUES (1), (0.000000001)) AS t(x);

-- NaN and infinities: 22023 (even -Infinity, which is not a number to ignore).
SELECT crisk.concentration(x) FROM (VALUES (1), ('NaN'::numeric)) AS t(x);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.concentration(x) FROM (VALUES ('-Infinity'::numeric)) AS t(x);
\echo :LAST_ERROR_SQLSTATE
-- An exposure beyond the exact range: 22003.
SELECT crisk.concentration(x) FROM (VALUES (1e45)) AS t(x);
\echo :LAST_ERROR_SQLSTATE
