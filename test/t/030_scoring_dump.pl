# Scoring models and limit policies that users add survive pg_dump and
# restore, in custom and plain format, without duplicate-key errors: the
# dump leaves out the shipped rows (model and policy "default"), which
# CREATE EXTENSION inserts again.  After the restore the rows, the scores
# and the limits are the same as before, and a second round trip changes
# nothing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('source', 'CREATE EXTENSION crisk');
$node->safe_psql('fresh', 'CREATE EXTENSION crisk');

# Users' rows: a copy of the default model with one bin changed, a model of
# their own, and a policy of their own.
$node->safe_psql('source', q{
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points)
SELECT 'house', characteristic, lower_bound, upper_bound, points
FROM crisk.scorecard WHERE model = 'default';
UPDATE crisk.scorecard SET points = 3
WHERE model = 'house' AND characteristic = 'relationship_months'
  AND lower_bound IS NULL AND upper_bound = 6;
INSERT INTO crisk.scorecard VALUES
    ('payments', 'late_share', NULL, NULL, 30),
    ('payments', 'late_share', NULL, 0.1, 60),
    ('payments', 'late_share', 0.1, NULL, 0),
    ('payments', 'avg_days_beyond_terms', NULL, NULL, 20),
    ('payments', 'avg_days_beyond_terms', NULL, 5.5, 40),
    ('payments', 'avg_days_beyond_terms', 5.5, NULL, 10);
INSERT INTO crisk.limit_policy (policy, risk_class, class_factor, max_increase, initial_limit,
                                rounding, tolerance_days, default_terms_days, review_days,
                                breach_tolerance)
SELECT 'cautious', risk_class, class_factor / 2, 0.1, initial_limit / 4, 250, tolerance_days / 2,
       30, 60, 0.2
FROM crisk.limit_policy WHERE policy = 'default';
});

# Every row of both tables, in a stable order, and what the functions
# compute from them.
my $rows_sql = q{
SELECT string_agg(format('%s|%s|%s|%s|%s', model, characteristic, lower_bound,
                         upper_bound, points), E'\n'
                  ORDER BY model, characteristic, lower_bound NULLS FIRST,
                           upper_bound NULLS FIRST)
FROM crisk.scorecard
UNION ALL
SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', policy, risk_class, class_factor,
                         max_increase, initial_limit, rounding, tolerance_days,
                         default_terms_days, review_days, breach_tolerance), E'\n'
                  ORDER BY policy, risk_class)
FROM crisk.limit_policy;
};
my $results_sql = q{
SELECT string_agg(format('%s %s %s', m, g,
                         crisk.credit_score(ROW(10, 1, 1000, 100, 50, g - 10, 2, g / 40.0,
                                                g * 3, 40, NULL)::crisk.payment_profile,
                                            g / 5.0, g % 3, g / 30.0, g * 2, m)),
                  E'\n' ORDER BY m, g)
FROM unnest(ARRAY['default', 'house', 'payments']) AS m, generate_series(0, 40) AS g
UNION ALL
SELECT string_agg(format('%s %s %s', p, g,
                         crisk.recalibrated_limit(g * 1000, g * 2, 20000, NULL, p)),
                  E'\n' ORDER BY p, g)
FROM unnest(ARRAY['default', 'cautious']) AS p, generate_series(0, 50) AS g;
};

my $source_rows = $node->safe_psql('source', $rows_sql);
my $source_results = $node->safe_psql('source', $results_sql);
my $shipped_bins = $node->safe_psql('fresh',
	q{SELECT count(*) FROM crisk.scorecard WHERE model = 'default'});
my $shipped_policy_rows = $node->safe_psql('fresh',
	q{SELECT count(*) FROM crisk.limit_policy WHERE policy = 'default'});
is($shipped_bins, '40', 'the default model ships 40 bins');

my $dir = PostgreSQL::Test::Utils::tempdir;

# check_restored compares a restored database with the source.
sub check_restored
{
	my ($db, $how) = @_;

	is($node->safe_psql($db, $rows_sql), $source_rows,
		"$how: every row of scorecard and limit_policy is back, once");
	is($node->safe_psql($db,
			q{SELECT count(*) FROM crisk.scorecard WHERE model = 'default'}),
		$shipped_bins, "$how: the shipped model is there once");
	is($node->safe_psql($db,
			q{SELECT count(*) FROM crisk.limit_policy WHERE policy = 'default'}),
		$shipped_policy_rows, "$how: the shipped policy is there once");
	is($node->safe_psql($db, $results_sql), $source_results,
		"$how: scores and limits are the same as before the dump");
	is($node->safe_psql($db, q{
		SELECT count(*) FROM (SELECT 'house' AS m UNION ALL SELECT 'payments') AS t,
		                     crisk.validate_model(t.m) AS p
		WHERE p.severity = 'error'}),
		'0', "$how: the users' models are still valid");
	my ($ret, $stdout, $stderr) = $node->psql($db,
		q{UPDATE crisk.scorecard SET points = 0 WHERE model = 'default'});
	like($stderr, qr/model "default" is shipped with crisk and cannot be changed/,
		"$how: the shipped model is still guarded");
	return;
}

# Custom format, restored with pg_restore into an empty database.
$node->command_ok(
	[ 'pg_dump', '--format=custom', '--file', "$dir/source.dump", '--dbname', 'source' ],
	'pg_dump in custom format');
$node->safe_psql('postgres', 'CREATE DATABASE restored_custom');
$node->command_checks_all(
	[ 'pg_restore', '--exit-on-error', '--dbname', 'restored_custom', "$dir/source.dump" ],
	0, [qr/^$/], [qr/^$/],
	'pg_restore succeeds without a single error or warning');
check_restored('restored_custom', 'custom format');

# Plain format, replayed by psql stopping at the first error.
$node->command_ok(
	[ 'pg_dump', '--format=plain', '--file', "$dir/source.sql", '--dbname', 'source' ],
	'pg_dump in plain format');
my $plain = slurp_file("$dir/source.sql");
unlike($plain, qr/^default\t/m, 'the plain dump holds no shipped row');
like($plain, qr/^house\trelationship_months\t\\N\t6\t3$/m,
	'the plain dump holds the users\' changed bin');
like($plain, qr/^cautious\tE\t/m, 'the plain dump holds the users\' policy');
$node->safe_psql('postgres', 'CREATE DATABASE restored_plain');
$node->command_checks_all(
	[ 'psql', '--no-psqlrc', '--quiet', '--set', 'ON_ERROR_STOP=1',
	  '--dbname', 'restored_plain', '--file', "$dir/source.sql" ],
	0, [qr/^/], [qr/^$/],
	'the plain dump replays without a single error');
check_restored('restored_plain', 'plain format');

# A second round trip, from the restored database, changes nothing.
$node->command_ok(
	[ 'pg_dump', '--format=custom', '--file', "$dir/again.dump",
	  '--dbname', 'restored_custom' ],
	'pg_dump of the restored database');
$node->safe_psql('postgres', 'CREATE DATABASE restored_again');
$node->command_checks_all(
	[ 'pg_restore', '--exit-on-error', '--dbname', 'restored_again', "$dir/again.dump" ],
	0, [qr/^$/], [qr/^$/],
	'the second restore succeeds without a single error or warning');
check_restored('restored_again', 'second round trip');

# Restoring into a database that already holds the extension and the
# users' rows (pg_restore --clean) replaces them rather than doubling them.
$node->command_checks_all(
	[ 'pg_restore', '--exit-on-error', '--clean', '--if-exists',
	  '--dbname', 'restored_again', "$dir/again.dump" ],
	0, [qr/^$/], [qr/^$/],
	'pg_restore --clean over the same database succeeds');
check_restored('restored_again', 'restore with --clean');

$node->stop;
done_testing();
