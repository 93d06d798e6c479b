# CriskCitus: the three-node Citus cluster the citus test layer runs on.
#
#   my ($coordinator, @workers) = CriskCitus::start_cluster();
#   CriskCitus::generate_portfolio($coordinator, $db, customers => 300,
#                                  seed => 5, as_of => '2026-06-30');
#
# Each node preloads citus and crisk (its worker off), has both extensions in
# database postgres, and the coordinator knows the two workers, reached
# through their Unix-socket directories.  The coordinator also holds a
# database "single" with crisk and no Citus: the single-node reference the
# tests compare with.
package CriskCitus;

use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use Test::More;

my $demo = dirname(__FILE__) . '/../../demo/generate_portfolio.sql';

sub start_cluster
{
	my @nodes;
	for my $name (qw(coordinator worker1 worker2))
	{
		my $node = PostgreSQL::Test::Cluster->new($name);
		$node->init;
		$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus,crisk'
max_worker_processes = 32
crisk.enabled = off
timezone = 'UTC'
datestyle = 'ISO, YMD'
lc_messages = 'C'
});
		$node->start;
		$node->safe_psql('postgres', 'CREATE EXTENSION citus; CREATE EXTENSION crisk;');
		push @nodes, $node;
	}
	my ($coordinator, @workers) = @nodes;
	$coordinator->safe_psql('postgres', sprintf(
		"SELECT citus_set_coordinator_host('%s', %d);", $coordinator->host, $coordinator->port));
	for my $worker (@workers)
	{
		$coordinator->safe_psql('postgres', sprintf(
			"SELECT citus_add_node('%s', %d);", $worker->host, $worker->port));
	}
	$coordinator->safe_psql('postgres', 'CREATE DATABASE single');
	$coordinator->safe_psql('single', 'CREATE EXTENSION crisk');
	return @nodes;
}

# generate_portfolio loads the demo portfolio (demo/generate_portfolio.sql)
# into one database of a node, and passes a test when it loads: the
# generator is deterministic for a seed, so that the cluster and the
# single-node database get the same rows.
sub generate_portfolio
{
	my ($node, $db, %opt) = @_;
	my ($ret, $out, $err) = $node->psql($db, undef,
		extra_params => [ '-v', "customers=$opt{customers}", '-v', "seed=$opt{seed}",
			'-v', "as_of=$opt{as_of}", '-f', $demo ]);
	is($ret, 0, "portfolio generated in $db") or diag($err);
	return;
}

1;
