# The workers run as crisk.role.  A role that does not exist, or may not log
# in, gives one clear log line and no worker (no crash loop); once the role
# is usable the workers start without a restart.  A superuser role draws a
# warning; a non-superuser role with the README's privileges runs passes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('role');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.role = 'credit_worker'
crisk.rescore_interval = '1s'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');

my $workers = q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'crisk worker'};

my $offset = $node->wait_for_log(
	qr/WARNING:  crisk.role "credit_worker" does not exist: no crisk rescoring worker can start/);
pass('a missing role is reported in the log');
ok($node->log_contains(qr/HINT:  Create the role with CREATE ROLE credit_worker LOGIN/),
	'the log says how to fix it');

# The launcher checks again every 10 seconds, quietly.
sleep 12;
is($node->safe_psql('postgres', $workers), '0', 'no worker runs without its role');
my $log = slurp_file($node->logfile);
my $reports = () = $log =~ /crisk.role "credit_worker" does not exist/g;
is($reports, 1, 'the problem is logged once, not at every retry');
ok($log !~ /background worker "crisk worker" \(PID \d+\) exited/,
	'no worker was started and failed meanwhile (no crash loop)');

# A role that may not log in is refused with its own message.
$node->safe_psql('postgres', 'CREATE ROLE credit_worker NOLOGIN');
$node->wait_for_log(
	qr/crisk.role "credit_worker" is not permitted to log in: no crisk rescoring worker can start/,
	$offset);
is($node->safe_psql('postgres', $workers), '0', 'no worker runs as a NOLOGIN role');

# The README's setup for a non-superuser worker role.
$node->safe_psql('postgres', q{
ALTER ROLE credit_worker LOGIN;
SELECT crisk.grant_worker_privileges('credit_worker');
});
$node->wait_for_log(qr/crisk.role "credit_worker" is usable now/, $offset);
ok( $node->poll_query_until(
		'postgres',
		"SELECT usename FROM pg_stat_activity WHERE backend_type = 'crisk worker'",
		'credit_worker'),
	'once the role can log in, the worker starts and runs as that role');
ok(!$node->log_contains('crisk worker for database "postgres" runs as a superuser'),
	'a non-superuser role draws no warning');

# An empty crisk.role means the bootstrap superuser, with a warning.
$node->append_conf('postgresql.conf', "crisk.role = ''");
$node->reload;
ok( $node->poll_query_until(
		'postgres',
		"SELECT usename FROM pg_stat_activity WHERE backend_type = 'crisk worker'",
		$node->safe_psql('postgres', 'SELECT rolname FROM pg_roles WHERE oid = 10')),
	'changing crisk.role restarts the worker as the new role, on reload');
$node->wait_for_log(qr/WARNING:  crisk worker for database "postgres" runs as a superuser/, $offset);
pass('a superuser worker is warned about');

ok(!$node->log_contains('terminating any other active server processes'),
	'no crash-restart cycle');
$node->stop('fast');
done_testing();
