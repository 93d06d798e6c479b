# A worker in the middle of a long pass stops at once: pg_terminate_backend
# ends it within a second or two (and the launcher starts a new one), and a
# fast shutdown of the server completes within a few seconds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('shutdown');
$node->init;
# 40 customers, one per batch, 2 seconds apart: a pass of over a minute.
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1s'
crisk.full_rescore_time = ''
crisk.batch_size = 1
crisk.batch_pause = '2s'
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || lpad(g::text, 3, '0'), 10000 FROM generate_series(1, 40) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || lpad((1 + g % 40)::text, 3, '0'), 100, current_date - 40, current_date - 10, NULL
FROM generate_series(1, 200) AS g;
});

my $running = "SELECT count(*) = 1 FROM crisk.job_run WHERE status = 'running' AND customers_scored >= 1";
ok($node->poll_query_until('postgres', $running), 'a long pass is under way');

# Terminating the worker mid-pass (it is pausing between batches or scoring).
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk worker'");
my $start = time();
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
	'pg_terminate_backend ends the worker mid-pass');
cmp_ok(time() - $start, '<', 2, 'within two seconds');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk worker' AND pid <> $pid"),
	'and a new worker takes over');
ok($node->poll_query_until('postgres', $running), 'which resumes the work in a new pass');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM crisk.job_run WHERE status = 'failed' AND message LIKE 'interrupted:%'"),
	'1', 'the terminated pass is marked failed');

# A fast shutdown in the middle of a pass.
$start = time();
$node->stop('fast');
my $took = time() - $start;
cmp_ok($took, '<', 5, "a fast shutdown completes within a few seconds (took ${took}s)");
ok(!$node->log_contains('terminating any other active server processes'),
	'no crash on the way');

done_testing();
