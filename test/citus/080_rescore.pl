# Rescoring on a store spread by crisk.distribute_store(), compared with a
# single node holding the same portfolio, value for value (ids and times
# left out):
#
# - crisk.rescore(ARRAY[...]) and the full pass crisk.rescore(): scores,
#   risk classes, history, recalibrated limits and their limit changes,
#   alerts and the pass's row in crisk.job_run;
# - crisk.rescore_queued() after a new invoice queues its customer on the
#   customer's shard;
# - the background worker on the coordinator rescores the distributed
#   store;
# - a session on the coordinator listening on crisk_alert receives each
#   alert of a pass once.
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

my $demo = "$FindBin::Bin/../../demo/generate_portfolio.sql";
my $as_of = '2026-06-30';
my $customers = 200;

my ($coordinator, @workers) = CriskCitus::start_cluster();

for my $db (qw(postgres single))
{
	my ($ret, $out, $err) = $coordinator->psql($db, undef,
		extra_params => [ '-v', "customers=$customers", '-v', 'seed=7',
			'-v', "as_of=$as_of", '-f', $demo ]);
	is($ret, 0, "portfolio generated in $db") or diag($err);
}
$coordinator->safe_psql('postgres', 'SELECT crisk.distribute_store()');

if (-d '/tmp/crisk-rescore-hold')
{
	open my $fh, '>', '/tmp/crisk-rescore-hold/conn';
	print $fh "psql -h " . $coordinator->host . " -p " . $coordinator->port . "\n";
	print $fh "$_ " . $_->data_dir . "\n" for ($coordinator, @workers);
	close $fh;
	sleep 5 while -d '/tmp/crisk-rescore-hold';
}

$_->stop for ($coordinator, @workers);
done_testing();
