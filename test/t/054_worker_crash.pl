# kill -9 of the rescoring worker in the middle of a pass: the server
# recovers (a crash restart), the interrupted pass is marked failed at the
# next start, and the next pass completes the work: every queued customer
# is scored, none twice in one committed batch, none lost.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
# One customer per batch, with a pause between batches, makes a pass of 40
# customers last about 12 seconds: long enough to kill it in the middle.
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1s'
crisk.full_rescore_time = ''
crisk.batch_size = 1
crisk.batch_pause = '300ms'
restart_after_crash = on
});
$node->start;

# The portfolio arrives in one transaction after CREATE EXTENSION: the
# worker, started when crisk appears, scores it in one pass, whether the
# load commits before its first pass or wakes it after.  (Not in the same
# transaction as CREATE EXTENSION: with wal_level = minimal, a sequence
# created and used in one transaction can hand out values again after the
# crash below, and limit_change's identity then collides.)
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');
$node->safe_psql('postgres', q{
BEGIN;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || lpad(g::text, 3, '0'), 10000 FROM generate_series(1, 40) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || lpad((1 + g % 40)::text, 3, '0'), 100 + g,
       current_date - 60 - g % 30, current_date - 30 - g % 30,
       CASE WHEN g % 3 = 0 THEN NULL ELSE current_date - 25 - g % 30 END
FROM generate_series(1, 400) AS g;
COMMIT;
});

# The worker picks up the 40 queued customers.
ok( $node->poll_query_until(
		'postgres',
		"SELECT customers_scored >= 3 FROM crisk.job_run WHERE status = 'running'"),
	'a pass is under way');
my $run = $node->safe_psql('postgres', "SELECT run_id FROM crisk.job_run WHERE status = 'running'");
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk worker'");
like($node->safe_psql('postgres', "SELECT query FROM pg_stat_activity WHERE pid = $pid"),
	qr/^crisk incremental pass \(run $run\): \d+ of 40 customers scored, 0 errors$/,
	'pg_stat_activity shows the pass and its progress');

my $log_offset = -s $node->logfile;
kill 'KILL', $pid;
$node->wait_for_log(qr/terminating any other active server processes/, $log_offset);
pass('kill -9 of the worker makes the postmaster restart the server');
$node->wait_for_log(qr/database system is ready to accept connections/, $log_offset);
pass('the server recovers');

# Speed up the rest; the new settings need no restart.
$node->append_conf('postgresql.conf', "crisk.batch_pause = 0\ncrisk.batch_size = 1000");
$node->reload;

ok( $node->poll_query_until(
		'postgres',
		"SELECT status = 'failed' AND message LIKE 'interrupted:%' AND finished_at IS NOT NULL
		 FROM crisk.job_run WHERE run_id = $run"),
	'the interrupted pass is marked failed at the next start');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM crisk.job_run WHERE run_id > $run AND status = 'succeeded'"),
	'the next pass completes');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.score'),
	'40', 'every customer is scored');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.rescore_queue'),
	'0', 'the queue is empty');
my ($before, $after) = split /\|/, $node->safe_psql('postgres',
	"SELECT (SELECT customers_scored FROM crisk.job_run WHERE run_id = $run),
	        (SELECT customers_scored FROM crisk.job_run WHERE run_id > $run AND status = 'succeeded')");
is($before + $after, 40,
	'the next pass scores exactly the customers the interrupted one had not committed');
is($node->safe_psql('postgres', "SELECT count(*) FROM crisk.job_run WHERE status = 'running'"),
	'0', 'no pass is left running');

$node->stop('fast');
done_testing();
