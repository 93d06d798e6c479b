# Writes on a store spread by crisk.distribute_store() that reach the
# workers' append-only guards and the distributed rescore queue, compared
# with a single node holding the same portfolio:
#
# - crisk.forget_customer erases the customer's rows on the shards (the
#   append-only guards there let the erasure through, and only it: the
#   permission ends with the call) and logs the erasure on the coordinator,
#   as on one node;
# - TRUNCATE of a tracked table, and crisk.request_rescore(NULL), queue
#   every customer by name, once, where one node queues "everyone" (a
#   NULL customer_id the distributed queue cannot hold).
#
# Run by "scripts/test citus" (see 010_aggregates.pl).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use CriskCitus;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'no Citus build (scripts/test citus unpacks one)'
  unless $ENV{CRISK_CITUS};

my $as_of = '2026-06-30';

my ($coordinator, @workers) = CriskCitus::start_cluster();

# The same scored portfolio on both: score history, limit changes and
# alerts give the append-only tables rows to erase.
for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => 120, seed => 7,
		as_of => $as_of);
	$coordinator->safe_psql($db, "SELECT crisk.rescore(NULL, date '$as_of')");
}
my ($ret, $out, $err) = $coordinator->psql('postgres', 'SELECT crisk.distribute_store()');
is($ret, 0, 'crisk.distribute_store() succeeds') or diag($err);

# 1. crisk.forget_customer: the single node's counts, returned and logged.
my $customer = $coordinator->safe_psql('single', q{
	SELECT h.customer_id FROM crisk.score_history h
	JOIN crisk.invoice i USING (customer_id)
	GROUP BY h.customer_id ORDER BY h.customer_id LIMIT 1});
isnt($customer, '', 'a customer with invoices and score history');
my $history = "SELECT count(*) FROM crisk.score_history WHERE customer_id = '$customer'";
isnt($coordinator->safe_psql('postgres', $history), '0',
	'the customer has score history on the distributed store');
my %erased;
for my $db (qw(postgres single))
{
	$erased{$db} = $coordinator->safe_psql($db, "SELECT crisk.forget_customer('$customer')");
}
like($erased{single}, qr/"crisk\.score_history": [1-9]/, 'the single node erases score history');
is($erased{postgres}, $erased{single},
	'crisk.forget_customer: the single node\'s counts on the distributed store');
my $log = 'SELECT rows_removed, ledger_source, ledger_rows_kept FROM crisk.erasure_log';
is($coordinator->safe_psql('postgres', $log), $coordinator->safe_psql('single', $log),
	'crisk.erasure_log: the single node\'s entry');
my $left = qq{SELECT (SELECT count(*) FROM crisk.invoice WHERE customer_id = '$customer')
	+ (SELECT count(*) FROM crisk.score_history WHERE customer_id = '$customer')
	+ (SELECT count(*) FROM crisk.limit_change WHERE customer_id = '$customer')
	+ (SELECT count(*) FROM crisk.alert WHERE customer_id = '$customer')
	+ (SELECT count(*) FROM crisk.account WHERE customer_id = '$customer')};
is($coordinator->safe_psql('postgres', $left), '0', 'none of the customer\'s rows is left on the shards');
is($coordinator->safe_psql('postgres', 'SELECT count(*) FROM crisk.score_history'),
	$coordinator->safe_psql('single', 'SELECT count(*) FROM crisk.score_history'),
	'the other customers\' score history is kept');

# The permission ends with the call: in the same transaction, a plain
# DELETE of another customer's history is refused by the guard on the shard.
my $other = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.score_history GROUP BY customer_id ORDER BY customer_id DESC LIMIT 1});
($ret, $out, $err) = $coordinator->psql('postgres', qq{
	BEGIN;
	SELECT crisk.forget_customer('no-such-customer');
	DELETE FROM crisk.score_history WHERE customer_id = '$other';
	COMMIT;});
like($err, qr/crisk\.score_history[_0-9]* is append-only/,
	'after crisk.forget_customer, the shards\' append-only guards refuse a DELETE again');
is($coordinator->safe_psql('postgres', "SELECT count(*) > 0 FROM crisk.score_history WHERE customer_id = '$other'"),
	't', 'and the other customer\'s history is kept');
is($coordinator->safe_psql('postgres', 'SHOW citus.propagate_set_commands'), 'none',
	'citus.propagate_set_commands is left as it was');

# crisk.forget_customer runs as its owner (SECURITY DEFINER), so a role
# granted EXECUTE erases on the distributed store as on one node, without
# any right on the setting.
$coordinator->safe_psql('postgres', q{
	CREATE ROLE eraser LOGIN;
	GRANT USAGE ON SCHEMA crisk TO eraser;
	GRANT EXECUTE ON FUNCTION crisk.forget_customer(text) TO eraser;});
($ret, $out, $err) = $coordinator->psql('postgres',
	"SET ROLE eraser; SELECT crisk.forget_customer('$other')");
is($ret, 0, 'crisk.forget_customer by a role granted EXECUTE succeeds') or diag($err);
is($coordinator->safe_psql('postgres', "SELECT count(*) FROM crisk.score_history WHERE customer_id = '$other'"),
	'0', 'and erases the customer\'s history on the shards');
($ret, $out, $err) = $coordinator->psql('postgres',
	'SET ROLE eraser; SET crisk.erasure_in_progress = on');
like($err, qr/permission denied to set parameter "crisk\.erasure_in_progress"/,
	'that role cannot set crisk.erasure_in_progress itself');

# 2. TRUNCATE of a tracked table: every customer queued by name, once.
my $everyone = q{SELECT customer_id FROM crisk.account UNION SELECT customer_id FROM crisk.invoice};
my $expected = $coordinator->safe_psql('postgres',
	"SELECT count(*) || ' ' || string_agg(customer_id, ',' ORDER BY customer_id) FROM ($everyone) e");
my $queued = q{SELECT count(*) || ' ' || string_agg(customer_id, ',' ORDER BY customer_id) FROM crisk.rescore_queue};

# crisk.request_rescore(NULL), "everyone at the next pass", queues them
# the same way.
$coordinator->safe_psql($_, 'DELETE FROM crisk.rescore_queue') for qw(postgres single);
($ret, $out, $err) = $coordinator->psql('postgres', 'SELECT crisk.request_rescore(NULL)');
is($ret, 0, 'crisk.request_rescore(NULL) succeeds on the distributed store') or diag($err);
is($coordinator->safe_psql('postgres', $queued), $expected,
	'crisk.request_rescore(NULL) queues every customer by name, once');
$coordinator->safe_psql('single', 'SELECT crisk.request_rescore(NULL)');
is($coordinator->safe_psql('single', q{SELECT count(*), count(customer_id) FROM crisk.rescore_queue}),
	'1|0', 'one node queues everyone with one row');

$coordinator->safe_psql($_, 'DELETE FROM crisk.rescore_queue') for qw(postgres single);
($ret, $out, $err) = $coordinator->psql('postgres', 'TRUNCATE crisk.invoice');
is($ret, 0, 'TRUNCATE crisk.invoice succeeds on the distributed store') or diag($err);
is($coordinator->safe_psql('postgres', 'SELECT count(*) FROM crisk.invoice'), '0', 'and empties it');
is($coordinator->safe_psql('postgres', $queued),
	$expected, 'every customer of crisk.account and crisk.invoice is queued, once');
$coordinator->safe_psql('single', 'TRUNCATE crisk.invoice');
is($coordinator->safe_psql('single', q{SELECT count(*), count(customer_id) FROM crisk.rescore_queue}),
	'1|0', 'one node queues everyone with one row, as before');

$_->stop for ($coordinator, @workers);
done_testing();
