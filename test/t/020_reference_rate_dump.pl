# Rates users add to crisk.reference_rate survive pg_dump and restore, next
# to the shipped ones, without duplicate keys; so do the privileges granted
# on the table.  Both archive and plain-SQL dumps are restored.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
	CREATE EXTENSION crisk;
	CREATE ROLE rate_keeper;
	GRANT USAGE ON SCHEMA crisk TO rate_keeper;
	GRANT SELECT, INSERT, UPDATE, DELETE ON crisk.reference_rate TO rate_keeper;
	SET ROLE rate_keeper;
	-- A rate after the shipped ones, one before them, and one added then
	-- corrected (its corrected value must be what is restored).
	INSERT INTO crisk.reference_rate VALUES ('2026-07-01', 0.0200);
	INSERT INTO crisk.reference_rate VALUES ('2013-11-13', 0.0025);
	INSERT INTO crisk.reference_rate VALUES ('2027-01-01', 0.0300);
	UPDATE crisk.reference_rate SET rate = 0.0250 WHERE valid_from = '2027-01-01';
});

my $rows_sql = q{SELECT string_agg(valid_from || '=' || rate, ' ' ORDER BY valid_from)
	FROM crisk.reference_rate};
my $source_rows = $node->safe_psql('source', $rows_sql);
my $shipped = $node->safe_psql('source',
	'SELECT count(*) FROM crisk.reference_rate_shipped()');
like($source_rows, qr/^2013-11-13=0\.0025 2014-09-10=0\.0005 .* 2026-07-01=0\.0200 2027-01-01=0\.0250$/,
	'the source holds the shipped rates and three added ones');

# 36 500.00 late from 2026-06-30 to 2026-07-30: 30 days at 2.00 % + 10
# points = 100 * 0.12 * 30 = 360.00 with the added row (without it, the
# shipped 2.15 % of 2025-06-11 would give 364.50).
my $interest_sql =
  q{SELECT crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30')};
is($node->safe_psql('source', $interest_sql), '360.00',
	'the source computes interest with an added rate');

my $archive = $node->basedir . '/source.dump';
my $plain = $node->basedir . '/source.sql';
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', $archive, '-d', $node->connstr('source') ],
	'pg_dump writes an archive');
$node->command_ok(
	[ 'pg_dump', '-Fp', '-f', $plain, '-d', $node->connstr('source') ],
	'pg_dump writes a plain SQL dump');

# Only the added rows are in the dump's data; CREATE EXTENSION brings the
# shipped ones back.
sub dumped_dates
{
	my ($file) = @_;
	my ($block) = slurp_file($file) =~
	  /^COPY crisk\.reference_rate \(valid_from, rate\) FROM stdin;\n(.*?)^\\\.$/ms;
	return sort($block =~ /^(\d{4}-\d\d-\d\d)\t/mg);
}
my @data_rows = dumped_dates($plain);
is_deeply(\@data_rows, [ '2013-11-13', '2026-07-01', '2027-01-01' ],
	'the dump holds the added rates and none of the shipped ones');

# Restore the archive: pg_restore stops at the first error.
$node->safe_psql('postgres', 'CREATE DATABASE from_archive');
$node->command_ok(
	[
		'pg_restore', '--exit-on-error', '-d',
		$node->connstr('from_archive'), $archive
	],
	'pg_restore restores the archive without error');
is($node->safe_psql('from_archive', $rows_sql), $source_rows,
	'the restored table equals the source, row for row');
is($node->safe_psql('from_archive',
		q{SELECT count(*) FROM crisk.reference_rate r
		  JOIN crisk.reference_rate_shipped() s USING (valid_from, rate)}),
	$shipped, 'every shipped rate is restored once, unchanged');
is($node->safe_psql('from_archive', $interest_sql), '360.00',
	'the restored database computes interest with the added rate');
is($node->safe_psql('from_archive',
		q{SELECT has_table_privilege('rate_keeper', 'crisk.reference_rate', 'INSERT')}),
	't', 'the grant to add rates is restored');

# Restore the plain dump with psql, stopping at the first error.
$node->safe_psql('postgres', 'CREATE DATABASE from_plain');
$node->command_ok(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
		$node->connstr('from_plain'), '-f', $plain
	],
	'psql restores the plain dump without error');
is($node->safe_psql('from_plain', $rows_sql), $source_rows,
	'the table restored from SQL equals the source, row for row');

# A dump of the restored database is the same again: nothing accumulates.
my $again = $node->basedir . '/again.sql';
$node->command_ok(
	[ 'pg_dump', '-Fp', '-f', $again, '-d', $node->connstr('from_archive') ],
	'the restored database dumps again');
is_deeply([ dumped_dates($again) ], \@data_rows,
	'dumping the restored database gives the same rows');

$node->stop;
done_testing();
