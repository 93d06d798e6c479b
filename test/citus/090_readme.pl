# The README's "Scale-out with Citus" commands, run as written on a fresh
# cluster of three nodes (only the host names and ports of its examples are
# replaced by the test's own), and their answers compared with a single
# node holding the same portfolio:
#
# - the postgresql.conf lines on every node, then its first SQL block on
#   every node and its second on the coordinator (the cluster);
# - the aggregates over a distributed table of the user's own
#   (erp.invoice), as its third block gives them;
# - crisk.distribute_store() and the reads and pass of its fourth block.
#
# If the README changes its commands, this test runs the new ones; if it
# drops a block, the test fails on the count.
#
# Run by "scripts/test citus" (see 010_aggregates.pl).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use CriskCitus;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;

plan skip_all => 'no Citus build (scripts/test citus unpacks one)'
  unless $ENV{CRISK_CITUS};

my $readme = slurp_file("$FindBin::Bin/../../README.md");

# The section, up to the next heading of its level, and its fenced blocks.
my ($section) = $readme =~ /^## Scale-out with Citus\n(.*?)^## /ms;
ok(defined $section, 'the README has a section "Scale-out with Citus"');
my @blocks;
while ($section =~ /^```(\w+)\n(.*?)^```/msg)
{
	push @blocks, { lang => $1, text => $2 };
}
my @sql = map { $_->{text} } grep { $_->{lang} eq 'sql' } @blocks;
my ($conf) = map { $_->{text} } grep { $_->{lang} eq 'sh' } @blocks;
is(scalar @sql, 4, 'four SQL blocks: every node, the cluster, your tables, crisk\'s store');
like($conf, qr/^shared_preload_libraries\s*=/m, 'the configuration block sets shared_preload_libraries');

# Three fresh nodes with the README's configuration (its comment lines
# dropped) and nothing else crisk-specific.
my @nodes;
for my $name (qw(coordinator worker1 worker2))
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf',
		join('', grep { !/^\s*#/ } split /^/, $conf)
		  . "max_worker_processes = 32\ncrisk.enabled = off\ntimezone = 'UTC'\n");
	$node->start;
	push @nodes, $node;
}
my ($coordinator, @workers) = @nodes;

sub run_block
{
	my ($node, $db, $text, $name) = @_;
	my ($ret, $out, $err) = $node->psql($db, $text,
		extra_params => [ '-v', 'ON_ERROR_STOP=1' ]);
	is($ret, 0, $name) or diag($err);
	return $out;
}

# 1. On every node.
run_block($_, 'postgres', $sql[0], 'the README\'s extensions block on ' . $_->name)
  for @nodes;

# 2. The cluster, with the test's hosts and ports for the README's examples.
my $cluster = $sql[1];
my $replaced = 0;
$replaced += $cluster =~ s/'coordinator-host',\s*5432/sprintf("'%s', %d", $coordinator->host, $coordinator->port)/e;
$replaced += $cluster =~ s/'worker-1',\s*5432/sprintf("'%s', %d", $workers[0]->host, $workers[0]->port)/e;
$replaced += $cluster =~ s/'worker-2',\s*5432/sprintf("'%s', %d", $workers[1]->host, $workers[1]->port)/e;
is($replaced, 3, 'the cluster block names a coordinator and two workers');
run_block($coordinator, 'postgres', $cluster, 'the README\'s cluster block');
is($coordinator->safe_psql('postgres',
		"SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0"),
	'2', 'two workers in the cluster');

# The single node the answers are compared with.
$coordinator->safe_psql('postgres', 'CREATE DATABASE single');
$coordinator->safe_psql('single', 'CREATE EXTENSION crisk');

# The same portfolio in crisk's tables on both, dated today, as the
# README's blocks read today's figures.
for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => 200, seed => 11,
		as_of => $coordinator->safe_psql('postgres', 'SELECT current_date'));
	# 3. needs the user's own table, erp.invoice (in the demo's ERP
	# schema): a copy of the ledger.
	$coordinator->safe_psql($db,
		'CREATE TABLE erp.invoice AS SELECT * FROM crisk.invoice');
}
my $aggregates = run_block($coordinator, 'postgres', $sql[2],
	'the README\'s block on your own distributed table');
is($coordinator->safe_psql('postgres',
		"SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'erp.invoice'::regclass"),
	'1', 'erp.invoice is distributed');
(my $local_aggregates = $sql[2]) =~ s/^SELECT create_distributed_table.*\n//m;
is($aggregates =~ s/^.*\n//r,
	$coordinator->safe_psql('single', $local_aggregates),
	'the aging over erp.invoice is the single node\'s');

# 4. crisk's store: distribute_store(), then the reads and the pass; on
# the single node the same block without distribute_store().
my $store = run_block($coordinator, 'postgres', $sql[3], 'the README\'s store block');
like($sql[3], qr/crisk\.distribute_store\(\)/, 'the store block distributes the store');
(my $local_store = $sql[3]) =~ s/^SELECT crisk\.distribute_store\(\);\n//m;
my $single = $coordinator->safe_psql('single', $local_store);
like($store, qr/^C000001\|/m, 'the aged balance lists customer C000001');
is($store =~ s/^\n?//r, $single,
	'every answer of the store block is the single node\'s: aged balance, order check, pass, classes');
cmp_ok($coordinator->safe_psql('postgres',
		"SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'crisk.%'"),
	'>', 20, 'crisk\'s tables are Citus tables');

$_->stop for @nodes;
done_testing();
