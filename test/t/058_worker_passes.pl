# What the worker does on its own: a full pass when it starts (none has run
# today), incremental passes for what changes (crisk's tables, an ERP table
# under crisk.track_changes, crisk.request_rescore waking it at once),
# nothing recorded when nothing changed, alerts with their notification,
# DROP EXTENSION while it waits, and the daily purge per
# crisk.history_retention.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('passes');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '2s'
crisk.history_retention = '30d'
});
$node->start;
# One transaction: the worker, started when crisk appears, runs its full
# pass on the whole portfolio.
$node->safe_psql('postgres', q{
BEGIN;
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || g, 5000 FROM generate_series(1, 20) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || (1 + g % 20), 100, current_date - 200 + g, current_date - 170 + g,
       current_date - 168 + g
FROM generate_series(1, 100) AS g;
COMMIT;
});

# With no full pass done since 02:00 today, the first one runs at once.
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'the worker runs a full pass when it starts');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.score WHERE as_of = current_date'),
	'20', 'every customer is scored as of today');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.rescore_queue'),
	'0', 'the queue is empty after the full pass');

# Nothing changes: the worker's incremental passes leave no trace.
sleep 5;
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.job_run'),
	'1', 'an incremental pass with nothing queued records nothing');

# An ERP table under crisk.track_changes, and a request that wakes the
# worker at once although its interval is long (in one transaction: the
# worker, idle, would otherwise take the ERP change alone at once).
$node->append_conf('postgresql.conf', "crisk.rescore_interval = '1h'");
$node->reload;
$node->safe_psql('postgres', q{
BEGIN;
CREATE TABLE erp_orders (order_no int PRIMARY KEY, customer text, amount numeric);
SELECT crisk.track_changes('erp_orders', 'customer');
INSERT INTO erp_orders VALUES (1, 'C3', 10), (2, 'C4', 20);
SELECT crisk.request_rescore(ARRAY['C5']);
COMMIT;
});
ok( $node->poll_query_until(
		'postgres',
		"SELECT customers_total = 3 AND status = 'succeeded' FROM crisk.job_run WHERE kind = 'incremental'"),
	'crisk.request_rescore wakes the worker; the pass takes the customers queued by the ERP table too');

# An invoice passing 90 days past due raises an alert, once, with a
# notification on crisk_alert.
my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN crisk_alert');
$node->safe_psql('postgres', q{
INSERT INTO crisk.invoice VALUES ('LATE-1', 'C7', 900, current_date - 121, current_date - 91, NULL);
SELECT crisk.request_rescore(ARRAY['C7']);
});
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM crisk.alert WHERE kind = 'overdue_90' AND condition_key = 'LATE-1'"),
	'an invoice booked more than 90 days past due raises an alert');
my $notified = $listener->query_safe('SELECT 1');
like($listener->{stderr} . $notified, qr/crisk_alert/, 'and a notification on crisk_alert')
  or diag($notified);
$listener->quit;
$node->safe_psql('postgres', "SELECT crisk.request_rescore(ARRAY['C7'])");
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 3 FROM crisk.job_run WHERE kind = 'incremental' AND status = 'succeeded'"),
	'rescoring the customer again');
is($node->safe_psql('postgres', "SELECT count(*) FROM crisk.alert WHERE kind = 'overdue_90'"),
	'1', 'raises no second alert for the same invoice');

# History older than crisk.history_retention goes at the worker's daily
# purge, which also runs when it starts.
$node->safe_psql('postgres', q{
INSERT INTO crisk.job_run (kind, status, as_of, started_at, finished_at)
VALUES ('full', 'succeeded', current_date - 60, now() - interval '60 days', now() - interval '60 days');
});
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'crisk worker'");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 0 FROM crisk.job_run WHERE started_at < now() - interval '30 days'"),
	'the worker purges passes older than crisk.history_retention');

# DROP EXTENSION while the worker waits: it goes quietly.
$node->safe_psql('postgres', 'DROP EXTENSION crisk CASCADE');
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'crisk worker'"),
	'DROP EXTENSION stops the worker');
ok(!$node->log_contains('ERROR:  '), 'nothing went wrong on the way');

$node->stop('fast');
done_testing();
