# A worker whose last pass found nothing queued takes the next change at
# once, however long crisk.rescore_interval is.  This closes a race at
# start-up: a load that commits just after the worker's first pass read the
# queue (a worker starts the moment CREATE EXTENSION commits) used to wait a
# whole interval.  The race is forced here: the load's transaction is open
# while the worker starts and runs its first pass.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('first_pass');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.enabled = off
crisk.rescore_interval = '1h'
crisk.full_rescore_time = ''
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');

# Wait until a new session sees the server's configuration reloaded (the
# postmaster has then signalled its children).
sub reload_with
{
	my ($setting, $value) = @_;
	$node->append_conf('postgresql.conf', "$setting = '$value'");
	$node->reload;
	$node->poll_query_until('postgres', "SELECT current_setting('$setting') = '$value'")
	  or die "$setting never became $value";
	return;
}

my $worker_state =
  "SELECT state FROM pg_stat_activity WHERE backend_type = 'crisk worker'";

# The load begins; the worker starts while it is still open.
my $load = $node->background_psql('postgres');
$load->query_safe('BEGIN');
$load->query_safe(q{
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || g, 10000 FROM generate_series(1, 5) AS g});
reload_with('crisk.enabled', 'on');
ok($node->poll_query_until('postgres', "SELECT ($worker_state) = 'idle'"),
	'the worker starts and, its first pass done, waits');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.job_run'),
	'0', 'its first pass found nothing: the load had not committed');

$load->query_safe('COMMIT');
$load->quit;
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM crisk.job_run
		 WHERE kind = 'incremental' AND status = 'succeeded' AND customers_scored = 5"),
	'the load that committed after the first pass is rescored at once, not an hour later');

# After a pass that did work, a change waits for the interval.
$node->safe_psql('postgres',
	"INSERT INTO crisk.invoice VALUES ('I1', 'C1', 500, current_date - 10, current_date + 20, NULL)");
sleep 3;
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.rescore_queue'),
	'1', 'a change right after a pass that did work waits for the interval');

# With a short interval the queued change goes, and the next pass finds
# nothing: the worker listens again.  Back to an hour, a change on the
# quiet portfolio is rescored at once.
reload_with('crisk.rescore_interval', '2s');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM crisk.rescore_queue'),
	'with a two-second interval, the queued change is rescored');
ok( $node->poll_query_until(
		'postgres',
		"SELECT (SELECT state_change FROM pg_stat_activity WHERE backend_type = 'crisk worker')
		      > (SELECT max(finished_at) FROM crisk.job_run) + interval '2 seconds'"),
	'the worker wakes again after the interval (a pass that finds nothing)');
reload_with('crisk.rescore_interval', '1h');
$node->safe_psql('postgres', "UPDATE crisk.account SET credit_limit = 20000 WHERE customer_id = 'C2'");
ok( $node->poll_query_until(
		'postgres', "SELECT credit_limit_before = 20000 FROM crisk.score WHERE customer_id = 'C2'"),
	'a change on a quiet portfolio is rescored at once, with an interval of an hour');
is($node->safe_psql('postgres', "SELECT count(*) FROM crisk.job_run WHERE status = 'succeeded'"),
	'3', 'one pass per burst of changes: three passes that did work, none that found nothing');
ok(!$node->log_contains('ERROR:  '), 'nothing went wrong on the way');

$node->stop('fast');
done_testing();
