-- test/fuzz/bad_input_calls.sql: prints, one a line, the calls of the
-- bad-input matrix, generated from the catalog.
--
--   psql -X -q -At -v seed=1 -v per_function=150 -f test/fuzz/bad_input_calls.sql
--
-- Every function and aggregate of schema crisk is called with arguments
-- drawn per type from bad values: NULLs, empty and NULL-holding arrays,
-- huge arrays, extreme numerics (131072-digit, 16383-decimal, -0, NaN,
-- infinities), extreme dates (4713 BC, 5874897 AD, infinity), huge and odd
-- strings, garbage for crisk's own state types.  Per function: every
-- argument typical, every argument NULL, each argument through all its
-- values with the others typical, then random combinations (a hash of
-- seed, function and draw) up to :per_function calls.  Each call is its
-- own statement in its own transaction, rolled back, so that the portfolio
-- stays the same for every call.  Functions that take "internal" cannot be
-- called from SQL and are left out.

\set ON_ERROR_STOP on
\if :{?seed} \else \set seed 1 \endif
\if :{?per_function} \else \set per_function 300 \endif

CREATE TEMP TABLE bad_value (typid oid, expr text, typical boolean DEFAULT false);

-- Scalars: typical value first.
INSERT INTO bad_value (typid, expr, typical)
SELECT t::regtype::oid, v, ord = 1
FROM (VALUES
	('numeric', ARRAY['100', '0', '-0', '-1', '0.005', '1e131071', '-1e131071', '1e-16383',
		'99999999999999999999999999999999999999.99', 'NaN', 'Infinity', '-Infinity']),
	('integer', ARRAY['30', '0', '-1', '2147483647', '-2147483648']),
	('bigint', ARRAY['1', '0', '-1', '9223372036854775807', '-9223372036854775808']),
	('smallint', ARRAY['1', '0', '-1', '32767', '-32768']),
	('double precision', ARRAY['1.5', '0', '-0', '-1', '1e308', '-1e308', '1e-307', 'NaN', 'Infinity', '-Infinity']),
	('real', ARRAY['1.5', '0', '-0', 'NaN', 'Infinity', '-Infinity', '3.4e38']),
	('date', ARRAY['2026-06-30', '4713-01-01 BC', '5874897-12-31', 'infinity', '-infinity',
		'2000-02-29', '1970-01-01']),
	('timestamp with time zone', ARRAY['2026-06-30 12:00+00', '4714-11-24 00:00+00 BC',
		'294276-12-31 23:59:59+00', 'infinity', '-infinity']),
	('timestamp without time zone', ARRAY['2026-06-30 12:00', '4714-11-24 00:00 BC',
		'294276-12-31 23:59:59', 'infinity', '-infinity']),
	('interval', ARRAY['30 days', '0', '-1 day', '1 microsecond', '178000000 years',
		'-178000000 years', '100 years']),
	('text', ARRAY['C000001', '', 'default', ' C000001 ', 'NaN', '1e131071', E'\u00e9\u20ac', 'no such thing',
		'crisk.invoice', 'x''; SELECT 1; --']),
	('name', ARRAY['customer_id', '', 'no_such_column', 'customer_id_and_a_name_that_is_longer_than_sixty_three_characters_x']),
	('cstring', ARRAY['', 'garbage', '{}', '()', 'NaN', '0', '-1', '1e131071']),
	('boolean', ARRAY['true', 'false']),
	('jsonb', ARRAY['{}', '[]', 'null', '"x"', '{"a": 1e131071}', '[[[[[[[[[[]]]]]]]]]]']),
	('regclass', ARRAY['crisk.invoice', 'pg_catalog.pg_class', '0', 'crisk.score', 'crisk.account']),
	('regrole', ARRAY['CURRENT_USER', '0'])
) AS s(t, vals), unnest(vals) WITH ORDINALITY AS u(v, ord)
WHERE to_regtype(t) IS NOT NULL;

-- Scalar literals become typed expressions; CURRENT_USER stays a keyword.
UPDATE bad_value
SET expr = CASE WHEN expr = 'CURRENT_USER' THEN 'CURRENT_USER::pg_catalog.regrole'
	ELSE quote_literal(expr) || '::' || format_type(typid, NULL) END;

-- Huge values, built on the server so that the statement stays short.
INSERT INTO bad_value (typid, expr) VALUES
	('text'::regtype, 'pg_catalog.repeat(''C'', 1048576)'),
	('cstring'::regtype, 'pg_catalog.repeat(''9'', 1048576)::pg_catalog.cstring'),
	('jsonb'::regtype, 'pg_catalog.to_jsonb(pg_catalog.repeat(''x'', 1048576))');

-- Arrays of every element type above: empty, NULL-holding, extremes of the
-- element type, a large one.
INSERT INTO bad_value (typid, expr, typical)
SELECT a.oid, e.expr, e.typical
FROM pg_type a
JOIN LATERAL (
	SELECT format('ARRAY[%s]::%s', string_agg(b.expr, ', '), format_type(a.oid, NULL)) AS expr, false AS typical
	FROM bad_value b WHERE b.typid = a.typelem
	UNION ALL SELECT format('''{}''::%s', format_type(a.oid, NULL)), false
	UNION ALL SELECT format('''{NULL}''::%s', format_type(a.oid, NULL)), false
	UNION ALL SELECT format('ARRAY[NULL, %s, NULL]::%s', b.expr, format_type(a.oid, NULL)), b.typical
	FROM bad_value b WHERE b.typid = a.typelem
	UNION ALL SELECT format('pg_catalog.array_fill(%s, ARRAY[100000])', b.expr), false
	FROM bad_value b WHERE b.typid = a.typelem AND b.typical
) e ON true
WHERE a.typelem IN (SELECT DISTINCT typid FROM bad_value) AND a.typcategory = 'A'
  AND a.oid IN (SELECT unnest(proargtypes::oid[]) FROM pg_proc WHERE pronamespace = 'crisk'::regnamespace);

-- Sensible integer[] bucket limits and numeric[] rates as typical values.
INSERT INTO bad_value (typid, expr, typical) VALUES
	('integer[]'::regtype, '''{30,60,90}''::integer[]', true),
	('integer[]'::regtype, '''{90,30}''::integer[]', false),
	('integer[]'::regtype, '''{0,0}''::integer[]', false),
	('numeric[]'::regtype, '''{0.01,0.05,0.2,0.5,1}''::numeric[]', true),
	('numeric[]'::regtype, '''{2,-1}''::numeric[]', false),
	('text[]'::regtype, '''{C000001,C000002}''::text[]', true);
UPDATE bad_value SET typical = false
WHERE typid IN ('integer[]'::regtype, 'numeric[]'::regtype, 'text[]'::regtype)
  AND typical AND expr NOT IN ('''{30,60,90}''::integer[]', '''{0.01,0.05,0.2,0.5,1}''::numeric[]',
	'''{C000001,C000002}''::text[]');

-- crisk's own types (aggregate states, composites and their arrays): NULL,
-- garbage text, a row of NULLs.
INSERT INTO bad_value (typid, expr, typical)
SELECT t.oid, v.expr, v.typical
FROM pg_type t
CROSS JOIN LATERAL (VALUES
	(format('''garbage''::%s', format_type(t.oid, NULL)), false),
	(format('''''::%s', format_type(t.oid, NULL)), false),
	(CASE WHEN t.typtype = 'c' THEN format('%L::%s', '(' || repeat(',', (SELECT count(*)::int - 1 FROM pg_attribute
		WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped)) || ')', format_type(t.oid, NULL))
	  WHEN t.typcategory = 'A' THEN format('''{NULL}''::%s', format_type(t.oid, NULL))
	  ELSE format('NULL::%s', format_type(t.oid, NULL)) END, true)
) AS v(expr, typical)
WHERE t.typnamespace = 'crisk'::regnamespace
  AND NOT EXISTS (SELECT FROM bad_value b WHERE b.typid = t.oid)
  AND t.oid IN (SELECT unnest(proargtypes::oid[]) FROM pg_proc WHERE pronamespace = 'crisk'::regnamespace);

-- Every type also takes NULL; a type with nothing above (a pseudo-type
-- such as anyelement) takes only NULL.
INSERT INTO bad_value (typid, expr)
SELECT DISTINCT typid, format('NULL::%s', format_type(typid, NULL)) FROM bad_value;
INSERT INTO bad_value (typid, expr, typical)
SELECT DISTINCT t, format('NULL::%s', format_type(t, NULL)), true
FROM pg_proc, unnest(proargtypes::oid[]) AS t
WHERE pronamespace = 'crisk'::regnamespace AND t NOT IN (SELECT typid FROM bad_value);

-- One typical value per type (the first marked, or NULL).
CREATE TEMP VIEW typical_value AS
SELECT DISTINCT ON (typid) typid, expr FROM bad_value ORDER BY typid, typical DESC, expr LIKE 'NULL::%';

CREATE TEMP TABLE target AS
SELECT p.oid, p.oid::regprocedure::text AS signature,
	format('%I.%I', n.nspname, p.proname) AS name, p.prokind, p.proargtypes::oid[] AS args,
	row_number() OVER (ORDER BY p.oid::regprocedure::text) AS ordinal
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'crisk'
  AND NOT ('internal'::regtype = ANY (p.proargtypes::oid[]))
  AND p.prokind IN ('f', 'a', 'p');

-- uniform_pick(seed, function, draw, argument, how many) in [1, how many].
CREATE FUNCTION pg_temp.pick(seed int, fn bigint, draw int, arg int, n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE
RETURN 1 + (abs(hashint8extended(fn * 1000003 + draw * 1009 + arg, seed)) % n);

CREATE TEMP VIEW numbered_value AS
SELECT typid, expr, row_number() OVER (PARTITION BY typid ORDER BY expr) AS k,
	count(*) OVER (PARTITION BY typid) AS n
FROM bad_value;

CREATE TEMP TABLE call (ordinal bigint, draw int, arglist text);

-- every argument typical, and every argument NULL
INSERT INTO call
SELECT t.ordinal, 0, coalesce(string_agg(tv.expr, ', ' ORDER BY a.i), '')
FROM target t
LEFT JOIN LATERAL unnest(t.args) WITH ORDINALITY AS a(typid, i) ON true
LEFT JOIN typical_value tv ON tv.typid = a.typid
GROUP BY t.ordinal;
INSERT INTO call
SELECT t.ordinal, 1, string_agg(format('NULL::%s', format_type(a.typid, NULL)), ', ' ORDER BY a.i)
FROM target t, unnest(t.args) WITH ORDINALITY AS a(typid, i)
GROUP BY t.ordinal;

-- each argument through its values, the others typical
INSERT INTO call
SELECT t.ordinal, 2, string_agg(CASE WHEN a.i = vary.i THEN v.expr ELSE tv.expr END, ', ' ORDER BY a.i)
FROM target t
CROSS JOIN LATERAL unnest(t.args) WITH ORDINALITY AS vary(typid, i)
JOIN bad_value v ON v.typid = vary.typid
CROSS JOIN LATERAL unnest(t.args) WITH ORDINALITY AS a(typid, i)
LEFT JOIN typical_value tv ON tv.typid = a.typid
GROUP BY t.ordinal, vary.i, v.expr;

-- random combinations up to :per_function calls
INSERT INTO call
SELECT t.ordinal, 3, string_agg(nv.expr, ', ' ORDER BY a.i)
FROM target t
CROSS JOIN LATERAL generate_series(1, greatest(:per_function - (SELECT count(*) FROM call c WHERE c.ordinal = t.ordinal), 0)) AS d(draw)
CROSS JOIN LATERAL unnest(t.args) WITH ORDINALITY AS a(typid, i)
JOIN numbered_value nv ON nv.typid = a.typid
	AND nv.k = pg_temp.pick(:seed, t.ordinal, d.draw::int, a.i::int, nv.n)
WHERE cardinality(t.args) > 1
GROUP BY t.ordinal, d.draw;

SELECT DISTINCT format('BEGIN; %s %s(%s); ROLLBACK;',
		CASE WHEN t.prokind = 'p' THEN 'CALL' ELSE 'SELECT' END, t.name, c.arglist) AS stmt
FROM call c JOIN target t USING (ordinal)
ORDER BY 1;
