# CriskCitus: the three-node Citus cluster the citus test layer runs on.
#
#   my ($coordinator, @workers) = CriskCitus::start_cluster();
#
# Each node preloads citus and crisk (its worker off), has both extensions in
# database postgres, and the coordinator knows the two workers, reached
# through their Unix-socket directories.  The coordinator also holds a
# database "single" with crisk and no Citus: the single-node reference the
# tests compare with.
package CriskCitus;

use strict;
use warnings;
use PostgreSQL::Test::Cluster;

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

1;
