-- Altman Z-scores: crisk.altman_z and crisk.altman_zone.  Scores are double
-- precision; they are shown rounded to 6 decimals.  Each error is followed
-- by its SQLSTATE.

-- Company A (k EUR): working capital 200, retained earnings 300, EBIT 150,
-- equity 500, total liabilities 400, total assets 1 000, sales 1 500.
-- X1 = 0.2, X2 = 0.3, X3 = 0.15, X4 = 500 / 400 = 1.25, X5 = 1.5.
--   Z   = 1.2*0.2 + 1.4*0.3 + 3.3*0.15 + 0.6*1.25 + 1.0*1.5
--       = 0.24 + 0.42 + 0.495 + 0.75 + 1.5                    = 3.405
--   Z'  = 0.717*0.2 + 0.847*0.3 + 3.107*0.15 + 0.420*1.25 + 0.998*1.5
--       = 0.1434 + 0.2541 + 0.46605 + 0.525 + 1.497            = 2.88555
--   Z'' = 6.56*0.2 + 3.26*0.3 + 6.72*0.15 + 1.05*1.25
--       = 1.312 + 0.978 + 1.008 + 1.3125                       = 4.6105
-- Zones: Z 3.405 > 2.99 safe; Z' 1.23 <= 2.88555 <= 2.9 grey;
-- Z'' 4.6105 > 2.6 safe.
SELECT variant,
       round(crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, variant)::numeric, 6) AS z,
       crisk.altman_zone(crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, variant), variant) AS zone
FROM (VALUES ('z'), ('z_prime'), ('z_double_prime')) AS t(variant);

-- The default variant is z_prime.
SELECT crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500)
         = crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, 'z_prime') AS default_is_z_prime,
       crisk.altman_zone(2.95) AS default_zone_2_95,
       crisk.altman_zone(2.95, 'z') AS z_zone_2_95;

-- Company B, in difficulty: working capital -50, retained earnings -100,
-- EBIT -20, equity 100, liabilities 900, assets 1 000, sales 800.
-- X1 = -0.05, X2 = -0.1, X3 = -0.02, X4 = 100 / 900 = 0.111..., X5 = 0.8.
--   Z   = -0.06 - 0.14 - 0.066 + 0.0666... + 0.8               = 0.600667
--   Z'  = -0.03585 - 0.0847 - 0.06214 + 0.04666... + 0.7984    = 0.662377
--   Z'' = -0.328 - 0.326 - 0.1344 + 0.11666...                 = -0.671733
-- All three are below their distress thresholds (1.81, 1.23, 1.1).
SELECT variant,
       round(crisk.altman_z(-50, -100, -20, 100, 900, 1000, 800, variant)::numeric, 6) AS z,
       crisk.altman_zone(crisk.altman_z(-50, -100, -20, 100, 900, 1000, 800, variant), variant) AS zone
FROM (VALUES ('z'), ('z_prime'), ('z_double_prime')) AS t(variant);

-- Negative book equity is a fact, not an error: company A with equity -200
-- has X4 = -0.5, so Z'' = 1.312 + 0.978 + 1.008 - 0.525 = 2.773.
SELECT round(crisk.altman_z(200, 300, 150, -200, 400, 1000, 1500, 'z_double_prime')::numeric, 6)
       AS negative_equity;

-- z_double_prime ignores sales, so a company without a sales figure still
-- gets that score (4.6105 for company A); the variants that use sales
-- give NULL, as they would for any other unknown item.
SELECT round(crisk.altman_z(200, 300, 150, 500, 400, 1000, NULL, 'z_double_prime')::numeric, 6)
         AS double_prime_without_sales,
       crisk.altman_z(200, 300, 150, 500, 400, 1000, 99999, 'z_double_prime')
         = crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, 'z_double_prime')
         AS sales_ignored,
       crisk.altman_z(200, 300, 150, 500, 400, 1000, NULL, 'z_prime') IS NULL AS prime_without_sales,
       crisk.altman_z(200, 300, 150, 500, 400, 1000, NULL, 'z') IS NULL AS z_without_sales;

-- Any other NULL gives NULL, whatever the variant; so does a NULL variant.
SELECT crisk.altman_z(NULL, 300, 150, 500, 400, 1000, 1500, 'z_double_prime') IS NULL AS null_working_capital,
       crisk.altman_z(200, NULL, 150, 500, 400, 1000, 1500) IS NULL AS null_retained_earnings,
       crisk.altman_z(200, 300, NULL, 500, 400, 1000, 1500) IS NULL AS null_ebit,
       crisk.altman_z(200, 300, 150, NULL, 400, 1000, 1500) IS NULL AS null_equity,
       crisk.altman_z(200, 300, 150, 500, NULL, 1000, 1500) IS NULL AS null_liabilities,
       crisk.altman_z(200, 300, 150, 500, 400, NULL, 1500, 'z_double_prime') IS NULL AS null_assets,
       crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, NULL) IS NULL AS null_variant;

-- No liabilities: X4 = equity / 0 is undefined -> NULL.
SELECT crisk.altman_z(200, 300, 150, 500, 0, 1000, 1500) IS NULL AS no_liabilities;

-- Balance sheets far beyond double precision's range: each ratio is taken
-- in numeric, so company A scaled by 10^400 scores exactly as company A.
SELECT round(crisk.altman_z(2e402, 3e402, 1.5e402, 5e402, 4e402, 1e403, 1.5e403, 'z')::numeric, 6)
       AS scaled_company_a;

-- Bad values name the argument.
SELECT crisk.altman_z(200, 300, 150, 500, 400, 0, 1500);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z(200, 300, 150, 500, 400, -1000, 1500, 'z_double_prime');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z(200, 300, 150, 500, -400, 1000, 1500);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z('NaN', 300, 150, 500, 400, 1000, 1500);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z(200, 300, 150, 500, 400, 1000, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
-- A ratio beyond double precision: working capital 10^400 over total
-- assets 10^-400; and ratios within range whose weighted sum is not:
-- 6.56 * 10^308 exceeds the largest double (about 1.8 * 10^308).
SELECT crisk.altman_z(1e400, 0, 0, 0, 1, 1e-400, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z(1e308, 0, 0, 0, 1, 1, 0, 'z_double_prime');
\echo :LAST_ERROR_SQLSTATE
-- Variants are lower-case names; anything else lists the valid ones, even
-- when the figures are unknown.
SELECT crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, 'Z');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z(200, 300, 150, 500, 400, 1000, 1500, 'z_second');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_z(NULL, NULL, NULL, NULL, NULL, NULL, NULL, '');
\echo :LAST_ERROR_SQLSTATE

-- Zones at their exact thresholds: a score equal to a threshold is grey;
-- 10^-15 above the upper one is safe, 10^-15 below the lower one distress
-- (both differ from the threshold as doubles).
--   z:              safe > 2.99, distress < 1.81
--   z_prime:        safe > 2.9,  distress < 1.23
--   z_double_prime: safe > 2.6,  distress < 1.1
SELECT variant, z, crisk.altman_zone(z, variant) AS zone
FROM (VALUES ('z', 2.990000000000001::float8), ('z', 2.99), ('z', 1.81),
             ('z', 1.809999999999999),
             ('z_prime', 2.900000000000001), ('z_prime', 2.9), ('z_prime', 1.23),
             ('z_prime', 1.229999999999999),
             ('z_double_prime', 2.600000000000001), ('z_double_prime', 2.6),
             ('z_double_prime', 1.1), ('z_double_prime', 1.099999999999999))
     AS t(variant, z);

-- Infinite scores have a zone; NaN has none.
SELECT crisk.altman_zone('Infinity') AS plus_infinity,
       crisk.altman_zone('-Infinity', 'z') AS minus_infinity,
       crisk.altman_zone(-3) AS negative;
SELECT crisk.altman_zone('NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_zone(2.5, 'zprime');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.altman_zone(NULL) IS NULL AS null_z,
       crisk.altman_zone(2.5, NULL) IS NULL AS null_variant;

-- As a BI user writes it: each customer's latest balance sheet, its Z'
-- score and zone.  ACME is company A (2.88555, grey), BETA company B
-- (0.662377, distress); GAMMA has no liabilities (NULL score, NULL zone).
SELECT customer_id,
       round(crisk.altman_z(working_capital, retained_earnings, ebit, equity,
                            total_liabilities, total_assets, sales)::numeric, 2) AS z_prime,
       crisk.altman_zone(crisk.altman_z(working_capital, retained_earnings, ebit, equity,
                                        total_liabilities, total_assets, sales)) AS zone
FROM (VALUES ('ACME', 200, 300, 150, 500, 400, 1000, 1500),
             ('BETA', -50, -100, -20, 100, 900, 1000, 800),
             ('GAMMA', 10, 10, 10, 100, 0, 100, 50))
     AS f(customer_id, working_capital, retained_earnings, ebit, equity,
          total_liabilities, total_assets, sales)
ORDER BY customer_id;
