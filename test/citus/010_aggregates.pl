# crisk's aggregates on a real Citus cluster (a coordinator and two workers)
# give the single-node answer, value for value, and run where they should:
# a per-customer query goes to one shard, a portfolio-wide aggregate runs
# partially on the workers and is combined on the coordinator.
#
# The ledger here is an ERP table distributed by customer_id, the layout
# doc/citus.md describes for the aggregates. Run by "scripts/test citus",
# which unpacks the Citus build into the private installation first and
# sets CRISK_CITUS; without it the test skips.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use CriskCitus;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'no Citus build (scripts/test citus unpacks one)'
  unless $ENV{CRISK_CITUS};

my $as_of = '2026-06-30';
my $customers = 400;

# A coordinator and two workers (test/perl/CriskCitus.pm).
my ($coordinator, @workers) = CriskCitus::start_cluster();
my %nodes = (coordinator => $coordinator, worker1 => $workers[0], worker2 => $workers[1]);
is($coordinator->safe_psql('postgres', 'SELECT count(*) FROM citus_get_active_worker_nodes()'),
	'2', 'the cluster has two active workers');

# The same portfolio in both (the generator is deterministic for a seed),
# copied into an ERP-shaped table: distributed on the cluster, local on the
# single node.
for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => $customers, seed => 3,
		as_of => $as_of);
	$coordinator->safe_psql($db, q{
		CREATE TABLE public.erp_invoice AS
			SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date
			FROM crisk.invoice;
	});
}
$coordinator->safe_psql('postgres',
	"SELECT create_distributed_table('public.erp_invoice', 'customer_id', shard_count => 8)");
is($coordinator->safe_psql('postgres',
		"SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'public.erp_invoice'::regclass"),
	'2', 'the ERP ledger is spread over both workers');

my $invoiced = $coordinator->safe_psql('single',
	'SELECT count(DISTINCT customer_id) FROM public.erp_invoice');
cmp_ok($invoiced, '>', $customers * 0.9, 'most generated customers have invoices');

my $open = "(paid_date IS NULL OR paid_date > date '$as_of')";
my $rates = q{'{0.01,0.03,0.10,0.30,0.80}'::numeric[]};

# Each aggregate, per customer and over the whole portfolio.
my %aggregate = (
	aging => "crisk.aging(amount, due_date, date '$as_of') FILTER (WHERE $open)",
	aging_bounds => "crisk.aging(amount, due_date, date '$as_of', '{15,45}') FILTER (WHERE $open)",
	dso => "crisk.dso(amount, issue_date, paid_date, date '$as_of', 90)",
	dso_countback => "crisk.dso_countback(amount, issue_date, paid_date, date '$as_of')",
	payment_profile => "crisk.payment_profile(amount, issue_date, due_date, paid_date, date '$as_of')",
	expected_credit_loss =>
	  "crisk.expected_credit_loss(amount, due_date, date '$as_of', $rates) FILTER (WHERE $open)",
);

for my $name (sort keys %aggregate)
{
	my $per_customer = "SELECT customer_id, $aggregate{$name} FROM public.erp_invoice "
	  . "GROUP BY customer_id ORDER BY customer_id";
	my $single = $coordinator->safe_psql('single', $per_customer);
	my $cluster = $coordinator->safe_psql('postgres', $per_customer);
	my $rows = () = $single =~ /\n/g;
	is($rows + 1, $invoiced, "$name per customer: one row per invoiced customer");
	is($cluster, $single, "$name per customer: the cluster gives the single-node answer");

	my $portfolio = "SELECT $aggregate{$name} FROM public.erp_invoice";
	$single = $coordinator->safe_psql('single', $portfolio);
	isnt($single, '', "$name over the portfolio: a figure");
	is($coordinator->safe_psql('postgres', $portfolio), $single,
		"$name over the portfolio: the cluster gives the single-node answer");

	my $plan = $coordinator->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $portfolio");
	like($plan, qr/worker_partial_agg.*crisk\.\w+/s,
		"$name over the portfolio: partial aggregation on the workers");
	like($plan, qr/coord_combine_agg/,
		"$name over the portfolio: combined on the coordinator");

	$plan = $coordinator->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $per_customer");
	unlike($plan, qr/coord_combine_agg/,
		"$name per customer: each customer aggregated whole on its shard");

	$plan = $coordinator->safe_psql('postgres', "EXPLAIN (COSTS OFF) $portfolio "
		  . "WHERE customer_id = 'C000042'");
	like($plan, qr/Task Count: 1\b/, "$name for one customer: routed to one shard");
}

# Concentration runs over each customer's exposure: a subquery grouped by
# the distribution column, then the aggregate over its rows.
my $concentration = "SELECT crisk.concentration(exposure) FROM "
  . "(SELECT customer_id, sum(amount) AS exposure FROM public.erp_invoice "
  . " WHERE $open GROUP BY customer_id) e";
my $single = $coordinator->safe_psql('single', $concentration);
like($single, qr/^\d/, 'concentration: a figure');
is($coordinator->safe_psql('postgres', $concentration), $single,
	'concentration: the cluster gives the single-node answer');
$concentration = "SELECT crisk.concentration(amount) FROM public.erp_invoice WHERE $open";
is($coordinator->safe_psql('postgres', $concentration),
	$coordinator->safe_psql('single', $concentration),
	'concentration over items: the cluster gives the single-node answer');
like($coordinator->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $concentration"),
	qr/worker_partial_agg.*crisk\.concentration/s,
	'concentration over items: partial aggregation on the workers');

$_->stop for values %nodes;
done_testing();
