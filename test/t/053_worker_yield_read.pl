# crisk.worker_yield_to_order_checks within a pass's read: the worker reads
# its customers a thousand at a time and waits for order checks to pause
# between two fetches, inside the read's transaction, with the statement
# timeout stopped meanwhile, and stops waiting when another session waits
# for one of the read's locks.
#
# To place an order check in the middle of the read without relying on
# timing, the ledger is an ERP view whose rows pass through a function that
# calls crisk.check_order when it reads one customer's invoice: the worker
# checks an order itself, during its own read.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('yield_read');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1h'
crisk.full_rescore_time = ''
crisk.worker_yield_to_order_checks = '1h'
crisk.worker_yield_limit = 0
crisk.statement_timeout = '3s'
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION crisk;
BEGIN;
-- 2 500 customers: the read has three fetches.
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || lpad(g::text, 4, '0'), 5000 FROM generate_series(1, 2500) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || lpad((1 + g % 2500)::text, 4, '0'), 100,
       current_date - 200 + g % 50, current_date - 170 + g % 50, current_date - 168 + g % 50
FROM generate_series(1, 5000) AS g;
CREATE FUNCTION public.checks_an_order_at(customer text) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF customer OPERATOR(pg_catalog.=) 'C0007' THEN
        PERFORM crisk.check_order('C0007', 1);
    END IF;
    RETURN true;
END
$$;
CREATE VIEW public.erp_ledger AS
    SELECT i.invoice_id, i.customer_id, i.amount, i.issue_date, i.due_date, i.paid_date
    FROM crisk.invoice AS i WHERE public.checks_an_order_at(i.customer_id);
SELECT crisk.set_ledger('public.erp_ledger');
TRUNCATE crisk.rescore_queue;
COMMIT;
});

# No order check yet, so nothing holds the pass before its read; the one
# made by the read holds its next fetch.
$node->safe_psql('postgres', 'SELECT crisk.request_rescore(NULL)');
my $waiting_in_read = "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'crisk worker'"
  . " AND query LIKE 'crisk: waiting for order checks to pause%' AND wait_event = 'Extension'"
  . " AND xact_start IS NOT NULL)";
ok($node->poll_query_until('postgres', $waiting_in_read),
	'an order check during the read holds its next fetch, inside the read\'s transaction');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.score'),
	'0', 'nobody is scored meanwhile');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.job_run'),
	'0', 'and the pass has not started its run yet');

# Longer than crisk.statement_timeout: the wait does not count.
sleep(4);

# A session that needs a lock the read holds (here the ledger's table,
# exclusively) would queue the order checks behind it, which then check
# no orders: the read stops waiting, ends and releases its locks.
my $started = time();
is( $node->safe_psql(
		'postgres', q{BEGIN;
SET LOCAL lock_timeout = '60s';
LOCK TABLE crisk.invoice IN ACCESS EXCLUSIVE MODE;
COMMIT;
SELECT 'locked';}),
	'locked',
	'a lock the read holds is granted to the session waiting for it');
cmp_ok(time() - $started, '<', 30, 'without waiting for the quiet time');
my $waiting_between_batches = "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'crisk worker'"
  . " AND query LIKE 'crisk: waiting for order checks to pause%' AND xact_start IS NULL)";
ok($node->poll_query_until('postgres', $waiting_between_batches),
	'the pass then waits before its first batch, outside any transaction');

$node->append_conf('postgresql.conf', "crisk.worker_yield_to_order_checks = 0");
$node->reload;
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'"),
	'with yielding switched off, the pass succeeds');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.score'),
	'2500', 'every customer is scored');
like(
	$node->safe_psql('postgres', "SELECT message FROM crisk.job_run WHERE kind = 'full'"),
	qr/^waited \d+\.\d s in all for order checks to pause \(crisk\.worker_yield_to_order_checks\)$/,
	'the run records the wait within its read');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.job_error'),
	'0', 'and no customer failed');
ok(!$node->log_contains('canceling statement due to statement timeout'),
	'the read did not time out while it waited');
done_testing();
