# crisk.worker_yield_to_order_checks: while crisk.check_order is called on
# the server, the rescoring worker waits for a quiet moment before it reads
# its customers and before each batch; crisk.worker_yield_limit bounds the
# waiting of one pass, a reload that switches yielding off ends it, and a
# shutdown stops a waiting worker at once.  The waits within the read are
# in 053_worker_yield_read.pl.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('yield');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1h'
crisk.full_rescore_time = ''
crisk.batch_size = 1
crisk.worker_yield_to_order_checks = '1h'
crisk.worker_yield_limit = 0
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || g, 5000 FROM generate_series(1, 3) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || (1 + g % 3), 100, current_date - 200 + g, current_date - 170 + g,
       current_date - 168 + g
FROM generate_series(1, 30) AS g;
TRUNCATE crisk.rescore_queue;
});

my $waiting = "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'crisk worker'"
  . " AND query LIKE 'crisk: waiting for order checks to pause%' AND wait_event = 'Extension')";
my $scored = 'SELECT count(*) FROM crisk.score';

# set_and_reload SETTINGS: appends to postgresql.conf and reloads.
sub set_and_reload
{
	$node->append_conf('postgresql.conf', shift);
	$node->reload;
}

# An order check, then a full pass asked for: the pass waits before it
# reads anything, and holds no pass lock meanwhile.
$node->safe_psql('postgres', q{SELECT * FROM crisk.check_order('C1', 100)});
$node->safe_psql('postgres', 'SELECT crisk.request_rescore(NULL)');
ok($node->poll_query_until('postgres', $waiting),
	'after an order check, the worker waits before its pass');
is($node->safe_psql('postgres', $scored), '0', 'and has scored nobody meanwhile');
is($node->safe_psql('postgres', "SELECT crisk.rescore(ARRAY['C2'])"),
	'1', 'a manual crisk.rescore() neither waits nor finds the pass in its way');
$node->safe_psql('postgres', 'DELETE FROM crisk.score');

# A limit the pass has already waited: it stops waiting, says so, and runs.
my $log_offset = -s $node->logfile;
set_and_reload("crisk.worker_yield_limit = '1s'");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'past crisk.worker_yield_limit, the pass runs');
is($node->safe_psql('postgres', $scored), '3', 'and scores every customer');
like(
	$node->safe_psql('postgres', "SELECT message FROM crisk.job_run WHERE kind = 'full'"),
	qr/^waited \d+\.\d s in all for order checks to pause \(crisk\.worker_yield_to_order_checks\)$/,
	'the run records how long it waited');
ok( $node->wait_for_log(qr/stops waiting for order checks to pause in this pass/, $log_offset),
	'the worker logs that it stopped waiting');

# Between batches: one customer per batch, a pause of 30 s after each, and
# a quiet time of 15 s; an order check during the first pause holds the
# second batch.
set_and_reload("crisk.worker_yield_limit = 0\ncrisk.worker_yield_to_order_checks = '15s'\n"
	  . "crisk.batch_pause = '30s'");
$node->safe_psql('postgres', 'DELETE FROM crisk.score');
$node->safe_psql('postgres', 'SELECT crisk.request_rescore(NULL)');
ok($node->poll_query_until('postgres', "SELECT ($scored) = 1"),
	'the next pass starts once order checks have paused for the quiet time');
$node->safe_psql('postgres', q{SELECT * FROM crisk.check_order('C1', 100)});
set_and_reload("crisk.batch_pause = 0");
ok($node->poll_query_until('postgres', $waiting),
	'an order check between two batches holds the next one');
is($node->safe_psql('postgres', $scored), '1', 'no further customer is scored meanwhile');

# A reload that switches yielding off ends the wait at once.
set_and_reload("crisk.worker_yield_to_order_checks = 0");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 2 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'with yielding switched off, the pass goes on');
is($node->safe_psql('postgres', $scored), '3', 'and scores the other customers');
like(
	$node->safe_psql('postgres',
		"SELECT message FROM crisk.job_run WHERE kind = 'full' ORDER BY run_id DESC LIMIT 1"),
	qr/^waited \d+\.\d s in all for order checks to pause/,
	'its run records the waiting too');

# With yielding off, order checks leave the worker alone.
$node->safe_psql('postgres', q{SELECT * FROM crisk.check_order('C1', 100)});
$node->safe_psql('postgres', 'SELECT crisk.request_rescore(NULL)');
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 3 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'with yielding off, a pass right after an order check runs at once');
is($node->safe_psql('postgres',
		"SELECT message IS NULL FROM crisk.job_run WHERE kind = 'full' ORDER BY run_id DESC LIMIT 1"),
	't', 'and its run reports no waiting');

# A worker waiting for order checks stops at once with the server.
set_and_reload("crisk.worker_yield_to_order_checks = '1h'");
$node->safe_psql('postgres', q{SELECT * FROM crisk.check_order('C1', 100)});
$node->safe_psql('postgres', 'SELECT crisk.request_rescore(NULL)');
ok($node->poll_query_until('postgres', $waiting), 'the worker waits again');
my $started = time();
$node->stop('fast');
cmp_ok(time() - $started, '<', 30, 'a fast shutdown does not wait for the waiting worker');
ok(!$node->log_contains('terminating any other active server processes'),
	'and nothing crashed');
done_testing();
