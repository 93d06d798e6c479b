#!/usr/bin/perl
# test/demo/report.t: scripts/demo at 2 000 customers (the smallest size
# SPEC 5.1 speaks of) prints every section of its report with figures in
# it, its decisions are those a credit manager can trust, and scripts/demo
# stop leaves nothing behind.
#
# Run by "scripts/test demo" (prove), as root or as a user who may run
# PostgreSQL; CRISK_DEMO_DIR points the demo into the test's scratch space.
use strict;
use warnings;
use Test::More;
use FindBin;

my $root = "$FindBin::Bin/../..";
my $dir = $ENV{CRISK_DEMO_DIR} or BAIL_OUT('CRISK_DEMO_DIR is not set');

my $customers = $ENV{CRISK_DEMO_CUSTOMERS} // 2000;
my $output = `"$root/scripts/demo" $customers 2>&1`;
is($?, 0, "scripts/demo $customers succeeds") or diag($output);

# Split the report into its sections ("== Title ==" lines), and each section
# into psql's aligned tables: a header, a dashed rule, then the rows up to
# the next blank line.
my (%sections, $current, $in_rows);
for my $line (split /\n/, $output)
{
	if ($line =~ /^== (.+) ==$/)
	{
		$current = $1;
		$sections{$current} = [];
		$in_rows = 0;
	}
	elsif (!defined $current) { }
	elsif ($line =~ /^-+(\+-+)*$/)
	{
		push @{ $sections{$current} }, [];
		$in_rows = 1;
	}
	elsif ($line eq '') { $in_rows = 0; }
	elsif ($in_rows)
	{
		push @{ $sections{$current}[-1] }, [ map { s/^\s+|\s+$//gr } split /\|/, $line ];
	}
}

my @expected = (
	'Portfolio KPIs', 'Aged balance', 'Ten riskiest customers',
	'Decisions checked', 'Class and limit changes since the previous pass',
	q{Limit breaches (beyond the policy's tolerance)},
	'Limits the policy proposes against those in force',
	'Credit limits changed by rescoring', 'Alerts raised (unacknowledged)',
	q{Dunning worklist (first 10 of today's actions)},
	'Letters to send today, by level', 'Promises to pay', 'Disputes open',
	'Fitted model against the expert model');
for my $title (@expected)
{
	my $tables = $sections{$title};
	ok($tables, "the report has the section '$title'") or next;
	ok(@$tables > 0, "'$title' shows a table") or next;
	for my $i (0 .. $#$tables)
	{
		my $rows = $tables->[$i];
		ok(@$rows > 0, "'$title', table " . ($i + 1) . ": has rows");
		my @empty = grep { $_ eq '' || $_ eq '-' } map { @$_ } @$rows;
		is(scalar @empty, 0, "'$title', table " . ($i + 1) . ": every figure is there")
		  or diag(explain($rows));
	}
}

is(scalar(@{ $sections{'Ten riskiest customers'}[0] // [] }), 10,
	'ten riskiest customers are listed');

# The decisions a credit manager checks first (SPEC 5.1), from the one row
# of 'Decisions checked': customers with open items, in breach, breach
# share, class E, class E with credit (limits locked by hand aside), class
# E locked, insolvent (receivership or liquidation), insolvent not blocked.
my ($checked) = @{ $sections{'Decisions checked'}[0] // [] };
ok($checked && @$checked == 8, 'the decisions checked are one row of eight figures')
  or diag(explain($checked));
if ($checked)
{
	my ($with_open, $in_breach, $share, $class_e, $e_with_credit, $e_locked,
		$insolvent, $not_blocked) = @$checked;
	cmp_ok($with_open, '>', 0, 'some customers have open items');
	is($e_with_credit, 0, 'every class-E customer has a zero limit (unless locked by hand)');
	is($not_blocked, 0,
		"every customer in receivership or liquidation ($insolvent) is blocked with no credit available");
	cmp_ok($class_e, '>', 0, "some customers are in class E ($class_e)");
	cmp_ok($insolvent, '>', 0, 'some customers are in receivership or liquidation');
	cmp_ok($in_breach, '>', 0, 'some customers are in limit breach');
	cmp_ok($in_breach / $with_open, '<', 0.15,
		"under 15 % of the customers with open items are in limit breach ($in_breach of $with_open)");
}

# The first screens: the previous pass (a week ago) is there to compare
# with, so that changes are changes of class or limit, with a reason.
my ($changes) = @{ $sections{'Class and limit changes since the previous pass'}[0] // [] };
ok($changes && @$changes == 7, 'the changes since the previous pass are one row of seven figures')
  or diag(explain($changes));
if ($changes)
{
	my ($scored, $upgraded, $downgraded, $first_scored) = @$changes;
	cmp_ok($scored, '>', 0, "the pass scored customers ($scored)");
	cmp_ok($upgraded + $downgraded, '>', 0, 'some classes changed since the previous pass');
	cmp_ok($first_scored, '<', $scored / 10, 'nearly every customer was scored by the previous pass');
}
my @why = map { $_->[3] } @{ $sections{'Class and limit changes since the previous pass'}[1] // [] };
ok(@why && !grep({ $_ !~ /\w/ } @why), 'every change says why') or diag(explain(\@why));
for my $breach (@{ $sections{q{Limit breaches (beyond the policy's tolerance)}}[1] // [] })
{
	my ($open, $limit, $over) = map { s/,//gr } @$breach[ 3 .. 5 ];
	is($over, sprintf('%.2f', $open - $limit), "breach of $breach->[0]: the amount over is open less limit");
}
# The collector's morning: promises of every status, and the broken ones
# raised their alert in the worker's pass.
is(join(',', map { $_->[0] } @{ $sections{'Promises to pay'}[0] // [] }), 'broken,kept,pending',
	'promises broken, kept and pending');
like($output, qr/broken_promise\s*\|\s*warning\s*\|\s*[1-9]/, 'broken promises raised alerts');

# The collector's morning is consistent: the letters group today's
# worklist (as many invoices in the letters as actions due today); no
# pending or kept promise has an invoice in them; the disputes open add up
# to the aged balance's disputed column and none is in today's letters.
{
	my $letters = $sections{'Letters to send today, by level'}[0] // [];
	my $invoices_in_letters = 0;
	$invoices_in_letters += $_->[3] for @$letters;
	my ($due_today) = @{ $sections{q{Dunning worklist (first 10 of today's actions)}}[1][0] // [] };
	cmp_ok($invoices_in_letters, '>', 0, 'letters are to be sent today');
	is($invoices_in_letters, $due_today,
		"the letters hold today's worklist, invoice for invoice ($due_today)");
	ok(@$letters >= 2, 'letters of more than one level') or diag(explain($letters));

	my %promises = map { $_->[0] => $_ } @{ $sections{'Promises to pay'}[0] // [] };
	is($promises{pending}[4], 0, 'no invoice of a pending promise is in the letters');
	is($promises{kept}[4], 0, 'nor of a kept one');

	my ($disputes) = @{ $sections{'Disputes open'}[0] // [] };
	ok($disputes && $disputes->[0] > 0, 'disputes are open');
	is($disputes->[2], $disputes->[3], 'the amount disputed is the aged balance\'s disputed column');
	is($disputes->[5], 0, 'no disputed invoice is in the letters');
}

# The generated receivables are as an ERP keeps them: partial payments,
# credit notes applied and unapplied, open orders (the generator's summary),
# and the aged balance shows the unapplied credits apart.
like($output,
	qr/partial_payments \| credit_notes_applied \| credit_notes_unapplied \| open_orders\s*\n[-+]+\n\s*[1-9]\d* \|\s*[1-9]\d* \|\s*[1-9]\d* \|\s*[1-9]\d*\s*\n/,
	'the portfolio has partial payments, credit notes applied and unapplied, and open orders');
like($output, qr/unapplied credit notes\s*\|\s*-\d/, 'the aged balance shows unapplied credit notes');
like($output, qr/psql -h \Q$dir\E -p \d+ -U postgres crisk_demo/,
	'the report ends with how to connect');
like($output, qr{Stop:\s+scripts/demo stop}, 'and how to stop');

my $stop = `"$root/scripts/demo" stop 2>&1`;
is($?, 0, 'scripts/demo stop succeeds') or diag($stop);
ok(!-e $dir, 'scripts/demo stop removes the demo directory');

done_testing();
