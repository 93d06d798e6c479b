#!/usr/bin/perl
# test/fuzz/bad_input.pl: runs the bad-input matrix (bad_input_calls.sql)
# against a database with crisk and fails on any crash, any internal error
# (SQLSTATE XX000) and any call slower than a second (57014, the
# statement_timeout), outside the allowlist below.
#
#   bad_input.pl OUTDIR [per_function [seed]]
#
# psql is taken from PATH and the server from PGHOST, PGPORT, PGDATABASE.
# OUTDIR receives calls.sql (the generated calls) and output.txt (psql's
# messages, each error with its SQLSTATE and the statement).
use strict;
use warnings;
use File::Basename qw(dirname);

my ($outdir, $per_function, $seed) = @ARGV;
die "usage: $0 OUTDIR [per_function [seed]]\n" unless defined $outdir;
$per_function //= 300;
$seed //= 1;
my $here = dirname(__FILE__);

# Calls allowed to fail in a given way, each with the issue that will
# empty its entry (issue 15 item 8's entries, late_payment_interest and
# dunning_worklist_at timing out, went when its fixes landed).  A function listed here is still called: a crash or an
# internal error in it fails the layer all the same.
my %allowed = (
	# Issue 15 (found by this matrix, open): internal, not granted to
	# PUBLIC, the worker passes it at most crisk.batch_size customers; but
	# "customer_id = ANY(customer_ids)" is a linear search of the array per
	# ledger row when the plan scans the ledger, so the matrix's array of
	# 100 000 ids takes seconds on 500 invoices.  Slow, not a crash.
	'crisk._rescore_items 57014' => 'issue 15, internal function, linear search of a huge array per ledger row',
	# Found by this matrix when the models work reached main (to be filed):
	# internal; an array of 100 000 column names takes over a second.
	# Slow, not a crash.
	'crisk._model_sample_columns 57014' => 'to be filed: internal function, slow on a huge array',
);

sub run_to_file
{
	my ($file, @cmd) = @_;
	open(my $save, '>&', \*STDOUT) or die;
	open(STDOUT, '>', $file) or die "cannot write $file: $!";
	open(my $save_err, '>&', \*STDERR) or die;
	open(STDERR, '>&', \*STDOUT) or die;
	my $rc = system(@cmd);
	open(STDOUT, '>&', $save) or die;
	open(STDERR, '>&', $save_err) or die;
	return $rc >> 8;
}

# Generate the calls.
my $calls = "$outdir/calls.sql";
my $rc = run_to_file($calls, 'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
	'-v', "seed=$seed", '-v', "per_function=$per_function", '-f', "$here/bad_input_calls.sql");
die "generating the calls failed (psql exit $rc), see $calls\n" if $rc != 0;

open(my $in, '<', $calls) or die;
my @statements = grep { /\S/ } <$in>;
close $in;
my %functions;
for (@statements) { $functions{$1} = 1 if /^BEGIN; (?:SELECT|CALL) (\S+?)\(/ }

# Run them, each in its own statement.
my $script = "$outdir/run.sql";
open(my $out, '>', $script) or die;
print $out "\\set VERBOSITY verbose\n\\set ECHO errors\nSET statement_timeout = '1s';\n";
print $out @statements;
close $out;
my $output = "$outdir/output.txt";
$rc = run_to_file($output, 'psql', '-X', '-q', '-At', '-f', $script);

open($in, '<', $output) or die;
my (%code_of_line, %statement_of_line, %count);
my $lost = 0;
while (<$in>)
{
	if (/^psql:[^:]+:(\d+): ERROR:  ([0-9A-Z]{5}): /)
	{
		$code_of_line{$1} = $2;
		$count{$2}++;
	}
	elsif (/^psql:[^:]+:(\d+): STATEMENT:  (.*)$/)
	{
		$statement_of_line{$1} = $2;
	}
	$lost = 1
	  if /server closed the connection unexpectedly|connection to server was lost|no connection to the server/;
}
close $in;

my (@failures, @tolerated);
for my $line (sort { $a <=> $b } keys %code_of_line)
{
	my $code = $code_of_line{$line};
	next unless $code eq 'XX000' || $code eq '57014';
	my $statement = $statement_of_line{$line} // '(statement not shown)';
	my ($function) = $statement =~ /^(?:SELECT|CALL) (\S+?)\(/;
	$function //= '?';
	my $what = sprintf('%s %s', $code, substr($statement, 0, 300));
	if ($allowed{"$function $code"})
	{
		push @tolerated, "$what [allowed: $allowed{\"$function $code\"}]";
	}
	else
	{
		push @failures, $what;
	}
}

my $by_code = join(', ', map { "$_ $count{$_}" } sort { $count{$b} <=> $count{$a} } keys %count);
printf "bad-input: %d calls of %d functions, SQLSTATEs: %s\n",
  scalar(@statements), scalar(keys %functions), $by_code;
print "tolerated: $_\n" for @tolerated;
if ($lost || $rc != 0)
{
	print "FAILED: the connection was lost (psql exit $rc): did the server crash? See $output\n";
	exit 1;
}
if (@failures)
{
	print "FAILED: $_\n" for @failures;
	exit 1;
}
print "ok: no crash, no internal error, no call slower than a second outside the allowlist\n";
exit 0;
