# A database owner who is no superuser cannot make the worker run their
# code.  The worker takes the database's settings when it connects; here
# the owner plants, in a schema of their own, a shadow of every function,
# aggregate and operator of pg_catalog (max(timestamptz) among them, which
# the worker's schedule query used to call unqualified), plus an
# oid = integer operator in public, each of which would make the owner a
# superuser and log that it ran; then ALTER DATABASE ... SET search_path
# puts that schema ahead of pg_catalog.  The worker, running as the
# bootstrap superuser, does a full pass, its daily purge and an incremental
# pass: they succeed and nothing hostile runs.  A last check shows that the
# trap works: the owner's objects do run for a superuser's own query under
# that search_path.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hostile_path');
$node->init;
$node->append_conf('postgresql.conf', qq{
crisk.rescore_interval = '1s'
});
$node->start;

# The shop's database, its owner, and crisk with a small portfolio.
$node->safe_psql('postgres', q{
CREATE ROLE shop_owner LOGIN;
CREATE DATABASE shop OWNER shop_owner;
});
$node->safe_psql('shop', qq{
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || g, 5000 FROM generate_series(1, 20) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || (1 + g % 20), 100, current_date - 200 + g, current_date - 170 + g,
       CASE WHEN g % 3 = 0 THEN NULL ELSE current_date - 160 + g END
FROM generate_series(1, 100) AS g;
});

# The owner's trap.
$node->safe_psql('shop', q{
SET ROLE shop_owner;
CREATE TABLE public.hostile_ran (what text, by_role text);
GRANT INSERT ON public.hostile_ran TO PUBLIC;
CREATE FUNCTION public.hostile(what text) RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog
    AS $$
BEGIN
    RAISE WARNING 'hostile code ran: % (as %)', what, current_user;
    INSERT INTO public.hostile_ran VALUES (what, current_user);
    BEGIN
        ALTER ROLE shop_owner SUPERUSER;
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    RETURN true;
END
$$;
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.proname, p.proretset, p.prorettype::regtype AS rettype,
               (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY i)
                FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)) AS args
        FROM pg_proc p
        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f'
          AND p.proallargtypes IS NULL
          AND (SELECT typtype FROM pg_type WHERE oid = p.prorettype) <> 'p'
          AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[]) AS a(t)
                          JOIN pg_type ty ON ty.oid = a.t WHERE ty.typtype = 'p')
    LOOP
        EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s%s LANGUAGE plpgsql AS %L',
            f.proname, coalesce(f.args, ''), CASE WHEN f.proretset THEN 'SETOF ' ELSE '' END,
            f.rettype,
            format('BEGIN PERFORM public.hostile(%L); RETURN%s; END',
                   format('function %s(%s)', f.proname, coalesce(f.args, '')),
                   CASE WHEN f.proretset THEN '' ELSE ' NULL' END));
    END LOOP;
END
$$;
DO $$
DECLARE
    a record;
    step text;
BEGIN
    FOR a IN
        SELECT p.oid, p.proname, p.prorettype::regtype AS rettype, p.pronargs,
               (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY i)
                FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS x(t, i)) AS args
        FROM pg_proc p JOIN pg_aggregate g ON g.aggfnoid = p.oid
        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND g.aggkind = 'n'
          AND (SELECT typtype FROM pg_type WHERE oid = p.prorettype) <> 'p'
          AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[]) AS x(t)
                          JOIN pg_type ty ON ty.oid = x.t WHERE ty.typtype = 'p')
    LOOP
        step := format('evil.%I', 'hostile_step_' || a.oid);
        EXECUTE format('CREATE FUNCTION %s(%s%s) RETURNS %s LANGUAGE plpgsql AS %L',
            step, a.rettype, CASE WHEN a.pronargs > 0 THEN ', ' || a.args ELSE '' END, a.rettype,
            format('BEGIN PERFORM public.hostile(%L); RETURN $1; END',
                   format('aggregate %s(%s)', a.proname, coalesce(a.args, '*'))));
        EXECUTE format('CREATE AGGREGATE evil.%I(%s) (SFUNC = %s, STYPE = %s)',
            a.proname, coalesce(a.args, '*'), step, a.rettype);
    END LOOP;
END
$$;
DO $$
DECLARE
    op record;
    fn text;
BEGIN
    FOR op IN
        SELECT o.oid, o.oprname, o.oprresult::regtype AS result,
               CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS lefttype,
               format_type(o.oprright, NULL) AS righttype
        FROM pg_operator o
        WHERE o.oprnamespace = 'pg_catalog'::regnamespace
          AND NOT EXISTS (SELECT FROM pg_type ty
                          WHERE ty.oid IN (o.oprleft, o.oprright, o.oprresult) AND ty.typtype = 'p')
    LOOP
        fn := format('evil.%I', 'hostile_operator_' || op.oid);
        EXECUTE format('CREATE FUNCTION %s(%s) RETURNS %s LANGUAGE plpgsql AS %L',
            fn, concat_ws(', ', op.lefttype, op.righttype), op.result,
            format('BEGIN PERFORM public.hostile(%L); RETURN NULL; END',
                   format('operator %s(%s, %s)', op.oprname, coalesce(op.lefttype, 'none'),
                          op.righttype)));
        EXECUTE format('CREATE OPERATOR evil.%s (%sRIGHTARG = %s, FUNCTION = %s)',
            op.oprname, CASE WHEN op.lefttype IS NOT NULL THEN format('LEFTARG = %s, ', op.lefttype) END,
            op.righttype, fn);
    END LOOP;
END
$$;
CREATE FUNCTION public.hostile_oid_int(oid, integer) RETURNS boolean
    LANGUAGE sql AS $$SELECT public.hostile('operator public.=(oid, integer)') AND $1 = $2::oid$$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = integer, FUNCTION = public.hostile_oid_int);
ALTER DATABASE shop SET search_path = evil, pg_catalog, public;
});
# The test's own sessions pin their search_path (a client's setting wins
# over the database's): the owner's objects would otherwise capture them.
$ENV{PGOPTIONS} = '-c search_path=pg_catalog,public';
is( $node->safe_psql('shop',
		"SELECT count(*) > 2000 FROM pg_proc WHERE pronamespace = 'evil'::regnamespace"),
	't', 'the owner shadows thousands of functions, aggregates and operators');
{
	local $ENV{PGOPTIONS};
	is($node->safe_psql('shop', 'SHOW search_path'),
		'evil, pg_catalog, public', "the database's search_path puts them first");
}

# The worker, as the bootstrap superuser, connects with those settings.
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'crisk'");
$node->restart;
ok( $node->poll_query_until(
		'shop',
		"SELECT count(*) = 1 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'the worker runs its full pass');
is( $node->safe_psql('shop',
		"SELECT customers_scored || ' ' || errors FROM crisk.job_run WHERE kind = 'full'"),
	'20 0', 'every customer is scored, without error');
# The daily purge follows the first pass; an incremental pass follows a change.
$node->safe_psql('shop', "SELECT crisk.request_rescore(ARRAY['C1', 'C2'])");
ok( $node->poll_query_until(
		'shop',
		"SELECT count(*) = 1 FROM crisk.job_run WHERE kind = 'incremental' AND status = 'succeeded'"),
	'the worker runs an incremental pass');
$node->safe_psql('shop', "SELECT crisk.request_rescore(NULL)");
ok( $node->poll_query_until(
		'shop',
		"SELECT count(*) = 2 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'and a full pass asked for by a request');

is($node->safe_psql('shop', "SELECT count(*) FROM public.hostile_ran"),
	'0', 'no hostile object ran in the worker');
ok(!$node->log_contains(qr/WARNING:  hostile code ran/), 'the server log shows none either');
is($node->safe_psql('postgres', 'SELECT rolsuper FROM pg_roles WHERE rolname = $$shop_owner$$'),
	'f', 'the owner did not become a superuser');
ok(!$node->log_contains('terminating any other active server processes'),
	'no crash-restart cycle');

# The control: the same trap catches a superuser's own unqualified query.
{
	local $ENV{PGOPTIONS};
	$node->psql('shop', 'SELECT max(started_at) FROM crisk.job_run');
}
is($node->safe_psql('postgres', 'SELECT rolsuper FROM pg_roles WHERE rolname = $$shop_owner$$'),
	't', "the trap works: an unqualified max() under the database's search_path runs the owner's code");

$node->stop('fast');
done_testing();
