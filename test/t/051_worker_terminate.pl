# A rescoring worker ended with pg_terminate_backend comes back, and so does
# the launcher; neither termination restarts the server, and a launcher
# that comes back does not leave two workers in one database.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('terminate');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1h'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');

sub pid_of
{
	my ($type) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity WHERE backend_type = '$type'");
}

ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk worker'"),
	'a worker runs in the database with crisk');
my $worker = pid_of('crisk worker');

is($node->safe_psql('postgres', "SELECT pg_terminate_backend($worker)"),
	't', 'pg_terminate_backend ends the worker');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk worker' AND pid <> $worker"),
	'a new worker replaces it');
my $second = pid_of('crisk worker');

# Terminating it again soon after: the launcher still restarts it (with a
# short delay that grows while it keeps failing, never a crash loop).
$node->safe_psql('postgres', "SELECT pg_terminate_backend($second)");
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk worker' AND pid NOT IN ($worker, $second)"),
	'terminated twice, it comes back again');

# The launcher: registered with a restart interval, it comes back too, and
# the worker of the earlier launcher hands over to a fresh one.
my $launcher = pid_of('crisk launcher');
is($node->safe_psql('postgres', "SELECT pg_terminate_backend($launcher)"),
	't', 'pg_terminate_backend ends the launcher');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk launcher' AND pid <> $launcher"),
	'the launcher comes back');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk worker'"),
	'one worker runs in the database after the launcher came back');
sleep 2;
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'crisk worker'"),
	'1', 'and only one');

ok(!$node->log_contains('terminating any other active server processes'),
	'terminations never restart the server');

$node->stop('fast');
done_testing();
