-- Dunning letters (crisk.dunning_letters, crisk.dunning_letters_at) and
-- their templates (crisk.dunning_template, crisk.render_template,
-- crisk.letter_amount, crisk.letter_date).  As of 2024-06-30: the
-- statutory rate is 4.50 % + 10 = 14.50 %; interest = amount * 0.145 *
-- days / 365 per invoice, rounded to the cent; 40.00 indemnity per
-- invoice.  Everything is rolled back at the end.
BEGIN;
\set ON_ERROR_ROLLBACK on
-- Letters hold accented text: psql pads aligned columns by characters or by
-- bytes depending on the client's locale, so results are printed unaligned.
\pset format unaligned

INSERT INTO crisk.account (customer_id, name, language) VALUES
    ('L1', 'Lemaire SA', 'fr'), ('L2', 'Lewis Ltd', 'en'), ('L3', 'Ludwig GmbH', 'de');
INSERT INTO crisk.account (customer_id, name) VALUES ('L5', 'Lenoir {total_due}');
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date) VALUES
    ('L1-A', 'L1', 1000.00, '2024-05-01', '2024-05-31'),
    ('L1-B', 'L1', 2500.00, '2024-05-16', '2024-06-15'),
    ('L1-C', 'L1',  800.00, '2024-04-01', '2024-05-01'),
    ('L2-A', 'L2', 1234.56, '2024-05-10', '2024-06-09'),
    ('L3-A', 'L3',  100.00, '2024-05-21', '2024-06-20'),
    ('L5-A', 'L5',   10.00, '2024-05-21', '2024-06-20'),
    ('L6-A', 'L6', 1500.00, '2024-05-21', '2024-06-20');
-- L1-C had its reminder on 06-01: it is due its second reminder, a letter
-- of its own.
SELECT crisk.record_dunning_action('L1-C', 1, NULL, '2024-06-01') IS NOT NULL AS recorded;

-- Expected:
--   L1 level 1 (fr): L1-A 30 days, 1000 * 0.145 * 30 / 365 = 11.918 -> 11.92;
--      L1-B 15 days, 2500 * 0.145 * 15 / 365 = 14.897 -> 14.90; amount
--      3500.00, interest 26.82, indemnity 80.00, total 3606.82
--   L1 level 2 (fr): L1-C 60 days, 800 * 0.145 * 60 / 365 = 19.068 -> 19.07;
--      total 859.07
--   L2 level 1 (en): L2-A 21 days, 1234.56 * 0.145 * 21 / 365 = 10.299
--      -> 10.30; total 1284.86
--   L3 level 1 (de): L3-A 10 days, 0.397 -> 0.40; no German template:
--      subject and body NULL
--   L5 level 1 (fr, the default language): 10 days, 10 * 0.145 * 10 / 365
--      = 0.040 -> 0.04
--   L6 (no account: fr, policy default) 10 days, 1500 * 0.145 * 10 / 365
--      = 5.959 -> 5.96; total 1545.96
SELECT customer_id, name, level, action, dunning_policy, language, invoice_ids, invoices,
       amount_due, interest, indemnity, total_due, subject, letter_date
FROM crisk.dunning_letters_at('2024-06-30') ORDER BY customer_id, level;

-- The letters in full: French amounts and dates, the statutory rate of the
-- half-year, the legal mentions; a name holding a placeholder is not
-- rendered again.
SELECT body FROM crisk.dunning_letters_at('2024-06-30') WHERE customer_id = 'L1' AND level = 1;
SELECT body FROM crisk.dunning_letters_at('2024-06-30') WHERE customer_id = 'L1' AND level = 2;
SELECT subject, body FROM crisk.dunning_letters_at('2024-06-30') WHERE customer_id = 'L2';
SELECT split_part(body, E'\n', 1) AS salutation FROM crisk.dunning_letters_at('2024-06-30') WHERE customer_id = 'L5';
-- Every shipped template mentions the penalties' rate and the 40 EUR
-- indemnity with their articles.
SELECT level, language,
       body LIKE '%L441-10%' AND body LIKE '%D441-5%' AND body LIKE '%{interest_rate}%'
       AND body LIKE '%40%' AND body LIKE '%10 %' AS legal_mentions
FROM crisk.dunning_template WHERE shipped ORDER BY level, language;

-- In the second half of 2024 the rate is 4.25 % + 10 = 14.25 %.
SELECT customer_id, substring(body FROM '[0-9]+[.,][0-9]+ ?%') AS rate
FROM crisk.dunning_letters_at('2024-07-01') WHERE customer_id IN ('L1', 'L2') AND level = 1 ORDER BY 1;

-- A policy of one's own with its own template; levels it has no template
-- for use those of "default".
INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description) VALUES
    ('gentle', 1, 5, 'call', 'A call.'), ('gentle', 2, 40, 'letter', 'A letter.');
INSERT INTO crisk.dunning_template (policy, level, language, subject, body) VALUES
    ('gentle', 1, 'fr', 'Petit rappel ({invoice_count})', 'Bonjour {customer_name}, {total_due} € au {letter_date}. {nope}');
UPDATE crisk.account SET dunning_policy = 'gentle' WHERE customer_id = 'L1';
SELECT customer_id, level, action, subject, body FROM crisk.dunning_letters_at('2024-06-30') WHERE customer_id = 'L1' ORDER BY level;

-- Once the letters are recorded, they leave the list.
SELECT count(*) AS recorded FROM crisk.dunning_letters_at('2024-06-30') AS l, unnest(l.invoice_ids) AS i,
     LATERAL crisk.record_dunning_action(i, l.level, 'letter sent', '2024-06-30') AS a WHERE a IS NOT NULL;
SELECT count(*) AS letters_left FROM crisk.dunning_letters_at('2024-06-30');

-- The view is the function at today.
SELECT count(*) = (SELECT count(*) FROM crisk.dunning_letters_at(current_date)) AS view_agrees
FROM crisk.dunning_letters;

-- Rendering and formatting.
SELECT crisk.render_template('{a} and {b}, {c} { {A} {}', '{"a": "1", "b": "{a}"}') AS rendered;
SELECT crisk.letter_amount(1234567.891, 'fr') AS fr, crisk.letter_amount(1234567.891, 'en') AS en,
       crisk.letter_amount(0.5, 'fr') AS half, crisk.letter_date('2024-05-31', 'fr') AS fr_date,
       crisk.letter_date('2024-05-31', 'en') AS en_date;

-- Shipped templates are read-only; users' rows are theirs and dumped.
UPDATE crisk.dunning_template SET subject = 'x' WHERE shipped AND level = 1 AND language = 'fr';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.dunning_template WHERE shipped AND level = 4;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO crisk.dunning_template (level, language, subject, body) VALUES (1, 'french', 's', 'b');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.dunning_template (level, language, subject, body) VALUES (1, 'de', '', 'b');
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.account SET language = 'FR' WHERE customer_id = 'L1';
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT c.relname, e.cond
FROM pg_catalog.pg_extension x, unnest(x.extconfig, x.extcondition) AS e(relid, cond)
JOIN pg_catalog.pg_class c ON c.oid = e.relid
WHERE x.extname = 'crisk' AND c.relname = 'dunning_template';
SELECT * FROM crisk.dunning_letters_at(NULL);
\echo :LAST_ERROR_SQLSTATE

ROLLBACK;
