# crisk's store on a Citus cluster: what this release promises there.
#
# - On a coordinator where Citus is installed but crisk's store is local,
#   every reader gives the single-node answer (the guard does not fire).
# - crisk.distribute_store() checks the cluster (Citus, coordinator, crisk
#   on every worker) and raises 0A000 naming what is missing (on a ready
#   cluster it distributes: 040_distribute_store.pl).
# - When the ledger (crisk.set_ledger on a distributed ERP table, or a view
#   over one) or a crisk table is made a Citus table by hand, every reader
#   that would read only the coordinator's rows raises 0A000 naming what is
#   not supported: never a silently different figure.
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
my $customers = 300;

# A coordinator and two workers (test/perl/CriskCitus.pm).
my ($coordinator, @workers) = CriskCitus::start_cluster();
my %nodes = (coordinator => $coordinator, worker1 => $workers[0], worker2 => $workers[1]);

for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => $customers, seed => 5,
		as_of => $as_of);
}

# expect_0A000 runs a statement that must raise 0A000 with a message
# naming what is not supported.
sub expect_0A000
{
	my ($db, $sql, $message, $name) = @_;
	my ($ret, $out, $err) = $coordinator->psql($db,
		"\\set VERBOSITY verbose\n$sql", on_error_stop => 1);
	isnt($ret, 0, "$name: refused");
	like($err, qr/ERROR:\s+0A000: [^\n]*\Q$message\E/, "$name: 0A000 naming what") or diag($err);
}

# Readers compared value for value, each ordered so that equal sets print
# equally; the dates are fixed where a reader takes one.
my @sample = map { sprintf('C%06d', $_) } (1, 7, 42, 77, 123, 150, 211, 299);
my $sample_list = join(',', map {"'$_'"} @sample, 'NEW-CUSTOMER');
my %reader = (
	'crisk.ledger' => 'SELECT * FROM crisk.ledger ORDER BY invoice_id',
	'crisk.aged_balance' => 'SELECT * FROM crisk.aged_balance ORDER BY customer_id',
	'crisk.aged_balance_at' => "SELECT * FROM crisk.aged_balance_at('$as_of') ORDER BY customer_id",
	'crisk.portfolio_kpi' => 'SELECT * FROM crisk.portfolio_kpi',
	'crisk.portfolio_kpi_at' => "SELECT * FROM crisk.portfolio_kpi_at('$as_of')",
	'crisk.watchlist' => 'SELECT * FROM crisk.watchlist ORDER BY 1, 2, 3',
	'crisk.watchlist_at' => "SELECT * FROM crisk.watchlist_at('$as_of') ORDER BY 1, 2, 3",
	'crisk.dunning_worklist' => 'SELECT * FROM crisk.dunning_worklist ORDER BY 1, 2, 3',
	'crisk.dunning_worklist_at' => "SELECT * FROM crisk.dunning_worklist_at('$as_of') ORDER BY 1, 2, 3",
	'crisk.check_order' => "SELECT c.id, o.* FROM unnest(ARRAY[$sample_list]) AS c(id), "
	  . "LATERAL crisk.check_order(c.id, 25000) o ORDER BY c.id",
);

# 1. Citus installed, crisk's store local: the single-node answer.
for my $name (sort keys %reader)
{
	my $single = $coordinator->safe_psql('single', $reader{$name});
	isnt($single, '', "$name: rows on the single node");
	is($coordinator->safe_psql('postgres', $reader{$name}), $single,
		"$name with Citus installed and a local store: the single-node answer");
}
my $scored = "SELECT customer_id, model, score, risk_class, reasons, credit_limit_before, "
  . "recommended_limit, credit_limit_after FROM crisk.score ORDER BY customer_id";
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, "SELECT crisk.rescore(NULL, date '$as_of')");
}
is($coordinator->safe_psql('postgres', $scored), $coordinator->safe_psql('single', $scored),
	'crisk.rescore with Citus installed and a local store: the single-node scores');
is($coordinator->safe_psql('postgres', "SELECT crisk._require_single_node('x')"), 't',
	'the guard passes on a coordinator whose store is local');

# 2. crisk.distribute_store().
expect_0A000('single', 'SELECT crisk.distribute_store()',
	'crisk.distribute_store() needs Citus', 'distribute_store without Citus');
$coordinator->safe_psql('postgres', 'CREATE ROLE clerk LOGIN');
my ($ret, $out, $err) = $coordinator->psql('postgres',
	"SET ROLE clerk; SELECT crisk.distribute_store()");
like($err, qr/permission denied for function distribute_store/,
	'distribute_store: not for PUBLIC');
$coordinator->safe_psql('postgres', 'GRANT EXECUTE ON FUNCTION crisk.distribute_store() TO clerk');
($ret, $out, $err) = $coordinator->psql('postgres',
	"\\set VERBOSITY verbose\nSET ROLE clerk; SELECT crisk.distribute_store()");
like($err, qr/ERROR:\s+42501: permission denied for crisk\.distribute_store\(\)/,
	'distribute_store: superuser only, even when granted');
($ret, $out, $err) = $nodes{worker1}->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT crisk.distribute_store()");
like($err, qr/ERROR:\s+0A000: crisk\.distribute_store\(\) must run on the Citus coordinator/,
	'distribute_store on a worker: 0A000');
# A worker refuses DDL on objects Citus propagates unless propagation is off.
$nodes{worker2}->safe_psql('postgres', 'SET citus.enable_ddl_propagation = off; DROP EXTENSION crisk');
($ret, $out, $err) = $coordinator->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT crisk.distribute_store()");
like($err, qr/ERROR:\s+0A000: crisk 0\.2\.0 is not installed on every worker node.*crisk not installed/s,
	'distribute_store with crisk missing on a worker: 0A000 naming the worker');
$nodes{worker2}->safe_psql('postgres', 'SET citus.enable_ddl_propagation = off; CREATE EXTENSION crisk');
# On a ready cluster it distributes the store: test/citus/040_distribute_store.pl.
is($coordinator->safe_psql('postgres',
		"SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::regclass::text LIKE 'crisk.%'"),
	'0', 'distribute_store changed nothing');

# 3. The ledger distributed by hand, after crisk.set_ledger named it
# (crisk.set_ledger cannot name a Citus table: see below): every reader of
# it raises 0A000.
$coordinator->safe_psql('postgres', q{
	CREATE TABLE public.erp_invoice AS
		SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date FROM crisk.invoice;
	CREATE VIEW public.erp_ledger AS SELECT * FROM public.erp_invoice;
	CREATE TABLE public.erp_direct AS SELECT * FROM public.erp_invoice;
	SELECT crisk.set_ledger('public.erp_direct');
	SELECT create_distributed_table('public.erp_direct', 'customer_id', shard_count => 8);
});
my @refused = (sort(keys %reader),
	"SELECT crisk.rescore(NULL, date '$as_of')",
	"SELECT crisk.rescore(ARRAY['C000042'], date '$as_of')",
	"SELECT crisk.rescore_queued(date '$as_of')");
# Rescoring reads the ledger first, and says so: a ledger distributed by
# hand is refused as every other reader of it is.
my %what = ('crisk.check_order' => 'crisk.check_order');
# crisk's planner hook checks the ledger's guard while planning, before
# Citus sees the distributed table: crisk's own 0A000 for crisk.ledger too.
for my $name (@refused)
{
	my $sql = $reader{$name} // $name;
	expect_0A000('postgres', $sql,
		($what{$name} // 'reading crisk.ledger') . ' is not supported on a distributed store',
		"$name over a distributed ERP ledger");
}
($ret, $out, $err) = $coordinator->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT * FROM crisk.aged_balance");
like($err, qr/DETAIL:\s+public\.erp_direct is a Citus table/,
	'the error names the distributed table');

# crisk.set_ledger refuses a Citus table: 0A000, nothing changes.
expect_0A000('postgres', q{SELECT crisk.set_ledger('public.erp_direct')},
	'crisk.set_ledger cannot name a Citus table', 'crisk.set_ledger on a Citus table');
is($coordinator->safe_psql('postgres',
		"SELECT source = 'public.erp_direct'::regclass FROM crisk.ledger_source"),
	't', 'the ledger source is unchanged');

# A view over a table distributed after set_ledger named the view: refused
# just the same.
$coordinator->safe_psql('postgres', q{
	SELECT crisk.set_ledger('public.erp_ledger');
	SELECT create_distributed_table('public.erp_invoice', 'customer_id', shard_count => 8);
});
expect_0A000('postgres', $reader{'crisk.aged_balance_at'},
	'reading crisk.ledger is not supported', 'a ledger view over a distributed table');

# Back to crisk's own ledger: the readers answer again.
$coordinator->safe_psql('postgres', q{SELECT crisk.set_ledger('crisk.invoice')});
is($coordinator->safe_psql('postgres', $reader{'crisk.aged_balance_at'}),
	$coordinator->safe_psql('single', $reader{'crisk.aged_balance_at'}),
	'crisk.aged_balance_at answers again once the ledger is local');

# 4. A crisk table in Citus's metadata: the readers that read crisk's
# tables directly raise 0A000 too, but for the session caches, which read
# a reference table's placement on this node.
my $interest = "SELECT crisk.late_payment_interest(1000, date '2026-01-01', date '2026-03-01')";
$coordinator->safe_psql('postgres', q{
	SET citus.enable_unsafe_triggers = on;
	SELECT create_reference_table('crisk.reference_rate');
});
# A rate added now is in the placements only, not in the coordinator's shell.
my $shipped_interest = $coordinator->safe_psql('single', $interest);
$coordinator->safe_psql($_, q{
	INSERT INTO crisk.reference_rate (valid_from, rate) VALUES ('2025-12-31', 0.0725)})
  for qw(postgres single);
isnt($coordinator->safe_psql('single', $interest), $shipped_interest,
	'the rate added changes the interest');
is($coordinator->safe_psql('postgres', $interest), $coordinator->safe_psql('single', $interest),
	'late_payment_interest reads the coordinator\'s placement of the reference table');
expect_0A000('postgres', $reader{'crisk.check_order'},
	'crisk.check_order is not supported', 'check_order with a crisk table on Citus');
expect_0A000('postgres', $reader{'crisk.aged_balance'},
	'reading crisk.ledger is not supported', 'aged_balance with a crisk table on Citus');

$_->stop for values %nodes;
done_testing();
