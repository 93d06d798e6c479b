# crisk loads with shared_preload_libraries and installs with CREATE EXTENSION;
# its GUC prefix is reserved, so a misspelt crisk.* setting is rejected.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'crisk'");
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'crisk', 'crisk is preloaded');

$node->safe_psql('postgres', 'CREATE EXTENSION crisk');
is($node->safe_psql('postgres',
		"SELECT extversion FROM pg_extension WHERE extname = 'crisk'"),
	'0.2.0', 'CREATE EXTENSION crisk works on a preloaded server');

is($node->safe_psql('postgres',
		"SELECT crisk.aging_bucket('2024-01-01', '2024-04-15')"),
	'91+', 'a crisk function answers on the preloaded server');

my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'SET crisk.no_such_setting = 1');
isnt($ret, 0, 'setting an unknown crisk.* parameter fails');
like($stderr, qr/invalid configuration parameter name "crisk\.no_such_setting"/,
	'the crisk. prefix is reserved');

$node->stop;
done_testing();
