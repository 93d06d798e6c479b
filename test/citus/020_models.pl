# crisk's model aggregates on a real Citus cluster (a coordinator and two
# workers): crisk.logistic_regression, crisk.auc and crisk.ks over a
# development sample distributed by customer_id give the single-node answer
# to the last digit (their state's patterns are sorted before the final
# function reads them, so the order in which the workers' partial states
# arrive cannot show), and run partially on the workers. Run by
# "scripts/test citus"; without a Citus build the test skips.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use CriskCitus;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'no Citus build (scripts/test citus unpacks one)'
  unless $ENV{CRISK_CITUS};

# A coordinator and two workers (test/perl/CriskCitus.pm).
my ($coordinator, @workers) = CriskCitus::start_cluster();
my %nodes = (coordinator => $coordinator, worker1 => $workers[0], worker2 => $workers[1]);

# 20 000 customers, drawn from hashes so that both databases hold the same
# rows: a late share with two decimals, a class 0-4, and an outcome that
# depends on both.
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, q{
		CREATE TABLE public.sample AS
		SELECT 'C' || g AS customer_id, late_share, class,
		       (pg_catalog.hashint4(g + 7) & 1023) / 1024.0
		         < 1 / (1 + exp(-(-2.5 + 2 * late_share + 0.3 * class))) AS bad
		FROM generate_series(1, 20000) AS g,
		     LATERAL (SELECT ((pg_catalog.hashint4(g) & 1023) % 101) / 100.0 AS late_share,
		                     ((pg_catalog.hashint4(g + 3) & 1023) % 5)::float8 AS class) AS d;
	});
}
$coordinator->safe_psql('postgres',
	"SELECT create_distributed_table('public.sample', 'customer_id', shard_count => 8)");

my %aggregate = (
	logistic_regression => 'crisk.logistic_regression(bad, ARRAY[late_share::float8, class])',
	auc => 'crisk.auc(100 - 100 * late_share::float8 - class, bad)',
	ks => 'crisk.ks(100 - 100 * late_share::float8 - class, bad)',
);
for my $name (sort keys %aggregate)
{
	my $query = "SELECT $aggregate{$name} FROM public.sample";
	my $single = $coordinator->safe_psql('single', $query);
	like($single, qr/\d/, "$name: a figure");
	is($coordinator->safe_psql('postgres', $query), $single,
		"$name: the cluster gives the single-node answer");
	my $plan = $coordinator->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $query");
	like($plan, qr/worker_partial_agg.*crisk\.$name/s,
		"$name: partial aggregation on the workers");
	like($plan, qr/coord_combine_agg/, "$name: combined on the coordinator");

	my $grouped = "SELECT class, $aggregate{$name} FROM public.sample GROUP BY class ORDER BY class";
	$grouped =~ s/, class\]\)/])/;
	is($coordinator->safe_psql('postgres', $grouped), $coordinator->safe_psql('single', $grouped),
		"$name by class: the cluster gives the single-node answer");
}

$_->stop for values %nodes;
done_testing();
