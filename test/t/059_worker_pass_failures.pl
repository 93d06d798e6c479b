# What a worker pass does when something fails.
#
# An ERP ledger (crisk.set_ledger) holds an amount that crisk's exact totals
# cannot hold (10^40): the full pass cannot read the whole ledger at once,
# so it reads it batch by batch, records the customer at fault in
# crisk.job_error, names it in the log, and scores every other customer.
#
# A pass that fails for a reason that is no customer's fault, even before
# its first batch (here the ERP's ledger view raises while the pass lists
# its customers), still leaves a crisk.job_run row: status 'failed' and the
# error as its message.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('pass_failures');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1s'
crisk.full_rescore_time = ''
crisk.batch_size = 4
});
$node->start;
# CREATE EXTENSION starts the worker; the rest comes in one transaction, so
# that the worker's first full pass, asked for at its commit, is the only
# one (a worker idle after its first pass takes a committed change at
# once: set_ledger alone would run a full pass over no account).
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');
$node->safe_psql('postgres', q{
BEGIN;
CREATE SCHEMA erp;
CREATE TABLE erp.ledger (invoice_id text, customer_id text, amount numeric,
                         issue_date date, due_date date, paid_date date);
INSERT INTO erp.ledger
SELECT 'E' || k || '-1', 'E' || lpad(k::text, 2, '0'), 100.25,
       current_date - 60, current_date - 30, current_date - 30
FROM generate_series(1, 10) AS k;
INSERT INTO erp.ledger VALUES
    ('E07-2', 'E07', 1e40, current_date - 60, current_date - 30, NULL);
CREATE TABLE erp.maintenance (closed boolean);
CREATE FUNCTION erp.ledger_open() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF EXISTS (SELECT FROM erp.maintenance) THEN
        RAISE EXCEPTION 'the ERP ledger is closed for maintenance' USING ERRCODE = '55000';
    END IF;
    RETURN true;
END $$;
CREATE VIEW erp.ledger_view AS SELECT * FROM erp.ledger WHERE erp.ledger_open();
SELECT crisk.set_ledger('erp.ledger_view');
INSERT INTO crisk.account (customer_id, credit_limit, payment_terms_days)
SELECT 'E' || lpad(k::text, 2, '0'), 5000, 30 FROM generate_series(1, 10) AS k;
TRUNCATE crisk.rescore_queue;
SELECT crisk.request_rescore();
COMMIT;
});

ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.job_run WHERE status <> 'running'"),
	'the full pass ends');
is( $node->safe_psql('postgres',
		"SELECT kind || ' ' || status || ' ' || customers_total || ' ' || customers_scored || ' ' || errors
		 FROM crisk.job_run"),
	'full succeeded 10 9 1',
	'job_run: a full pass that scored 9 of 10 customers, 1 error');
is( $node->safe_psql('postgres',
		"SELECT customer_id || ' ' || sqlstate || ' ' || message FROM crisk.job_error"),
	'E07 22003 amount is out of range for an exact total',
	'job_error names the customer whose amount overflows');
is( $node->safe_psql('postgres',
		"SELECT string_agg(customer_id, ',' ORDER BY customer_id) FROM crisk.score"),
	'E01,E02,E03,E04,E05,E06,E08,E09,E10',
	'every other customer is scored');
like(slurp_file($node->logfile),
	qr/crisk full pass \(run \d+\): customer E07 could not be scored: amount is out of range/,
	'the log names the customer');

# The ledger view now fails while the pass lists its customers.
$node->safe_psql('postgres', q{
INSERT INTO erp.maintenance VALUES (true);
SELECT crisk.request_rescore();
});
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) >= 1 FROM crisk.job_run WHERE status = 'failed'"),
	'a pass that fails before its first batch is recorded');
is( $node->safe_psql('postgres',
		"SELECT kind || ' ' || customers_scored || ' ' || (finished_at IS NOT NULL) || ' ' || message
		 FROM crisk.job_run WHERE status = 'failed' ORDER BY run_id LIMIT 1"),
	'full 0 true the ERP ledger is closed for maintenance',
	'as failed, finished, with the error as its message');

# Once the ledger is back, the next pass succeeds again.
$node->safe_psql('postgres', 'TRUNCATE erp.maintenance');
ok( $node->poll_query_until(
		'postgres',
		"SELECT status = 'succeeded' FROM crisk.job_run ORDER BY run_id DESC LIMIT 1"),
	'the next pass succeeds');

$node->stop('fast');
done_testing();
