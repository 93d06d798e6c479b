# Settings reach a running worker on reload, without a restart: a new
# crisk.rescore_interval applies at once, and a pass picks up a new
# crisk.batch_size and crisk.batch_pause from its next batch.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('sighup');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1h'
crisk.full_rescore_time = ''
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || g, 10000 FROM generate_series(1, 10) AS g;
});

# The worker's first pass, at its start, takes what is queued.
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.job_run WHERE status = 'succeeded'"),
	'the worker runs its first pass when it starts');
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk worker'");

# A change queues a customer; with an interval of an hour nothing happens.
$node->safe_psql('postgres',
	"INSERT INTO crisk.invoice VALUES ('I1', 'C1', 500, current_date - 10, current_date + 20, NULL)");
sleep 3;
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.rescore_queue'),
	'1', 'with a one-hour interval, the change waits');

# A shorter interval, on reload: the next pass comes at once.
$node->append_conf('postgresql.conf', "crisk.rescore_interval = '1s'");
$node->reload;
ok($node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM crisk.rescore_queue'),
	'after a reload with a one-second interval, the queued customer is rescored');
is($node->safe_psql('postgres', "SELECT score IS NOT NULL FROM crisk.score WHERE customer_id = 'C1'"),
	't', 'its score is written');
is($node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk worker'"),
	$pid, 'by the same worker process: no restart');

# A pass reads crisk.batch_size and crisk.batch_pause again between batches.
$node->append_conf('postgresql.conf', "crisk.batch_size = 1\ncrisk.batch_pause = '10s'");
$node->reload;
# Once a new session sees the new settings, the postmaster has reloaded and
# passed SIGHUP on to the worker, which reloads before its next pass.
$node->poll_query_until('postgres',
	"SELECT current_setting('crisk.batch_size') = '1' AND current_setting('crisk.batch_pause') = '10s'")
  or die 'the server never reloaded';
$node->safe_psql('postgres', 'SELECT crisk.request_rescore()');
ok( $node->poll_query_until(
		'postgres',
		"SELECT batches = 1 FROM crisk.job_run WHERE kind = 'full' AND status = 'running'"),
	'a full pass runs in batches of one customer, pausing between them');
$node->append_conf('postgresql.conf', "crisk.batch_size = 100\ncrisk.batch_pause = 0");
$node->reload;
ok( $node->poll_query_until(
		'postgres',
		"SELECT status = 'succeeded' AND batches = 2 FROM crisk.job_run WHERE kind = 'full'"),
	'after a reload, the same pass finishes its nine other customers in one batch')
  or diag($node->safe_psql('postgres', 'SELECT * FROM crisk.job_run'));

$node->stop('fast');
done_testing();
