# A customer whose data makes scoring fail (here: an account naming a
# scorecard model that does not exist, SQLSTATE 42704) is recorded in
# crisk.job_run and crisk.job_error and skipped; the worker scores every
# other customer of the pass, and the same batch's other customers too.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('failing');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1s'
crisk.full_rescore_time = ''
crisk.batch_size = 8
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit, model, policy)
SELECT 'C' || lpad(g::text, 2, '0'), 10000,
       CASE WHEN g = 13 THEN 'no_such_model' ELSE 'default' END,
       CASE WHEN g = 27 THEN 'no_such_policy' ELSE 'default' END
FROM generate_series(1, 30) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || lpad((1 + g % 30)::text, 2, '0'), 100, current_date - 40, current_date - 10, NULL
FROM generate_series(1, 90) AS g;
});

ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.job_run WHERE status = 'succeeded'"),
	'the pass completes');
is( $node->safe_psql('postgres',
		"SELECT kind || ' ' || customers_total || ' ' || customers_scored || ' ' || errors || ' ' || batches
		 FROM crisk.job_run"),
	'incremental 30 28 2 4',
	'job_run: 30 customers in 4 batches, 28 scored, 2 errors');
like($node->safe_psql('postgres', 'SELECT message FROM crisk.job_run'),
	qr/^2 customers could not be scored \(see crisk.job_error\); first error: customer C13: /,
	'job_run says what went wrong');
is( $node->safe_psql('postgres',
		'SELECT customer_id || \' \' || sqlstate FROM crisk.job_error ORDER BY customer_id'),
	"C13 42704\nC27 42704",
	'job_error names each failing customer and the SQLSTATE');
like($node->safe_psql('postgres', "SELECT message FROM crisk.job_error WHERE customer_id = 'C13'"),
	qr/no_such_model/, 'with the message');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM crisk.score WHERE customer_id NOT IN ('C13', 'C27')"),
	'28', 'every other customer is scored, those of the same batches included');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.rescore_queue'),
	'0', 'the failing customers are not retried every pass (their error is recorded)');

# Fixing the data queues the customer, and the next pass scores it.
$node->safe_psql('postgres', "UPDATE crisk.account SET model = 'default' WHERE customer_id = 'C13'");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.score WHERE customer_id = 'C13'"),
	'once its account is fixed, the customer is scored');

$node->stop('fast');
done_testing();
