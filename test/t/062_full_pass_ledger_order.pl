# A full pass groups the ledger in customer order when an index alone gives
# its rows in that order (crisk.invoice's covering index on customer_id),
# and hashes them otherwise (an ERP view over a table without such an
# index).  The pass says which at DEBUG1; both give the same figures.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('ledger_order');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.enabled = off
log_min_messages = debug1
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION crisk;
INSERT INTO crisk.account (customer_id, credit_limit)
SELECT 'C' || g, 5000 FROM generate_series(1, 20) AS g;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || g, 'C' || (1 + g % 20), 100 + g, date '2024-01-01' + g, date '2024-01-31' + g,
       CASE WHEN g % 3 > 0 THEN date '2024-02-02' + g + g % 7 END
FROM generate_series(1, 400) AS g;
-- The same invoices in an ERP table with no index on the customer.
CREATE SCHEMA erp;
CREATE TABLE erp.facture AS SELECT * FROM crisk.invoice;
CREATE VIEW erp.ledger AS
    SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date FROM erp.facture;
VACUUM ANALYZE crisk.invoice;
VACUUM ANALYZE erp.facture;
});
my $message = qr/crisk full pass groups the ledger in customer order/;
# The figures read from the ledger (the score moves with the limits the
# first pass recalibrates).
my $scores = q{SELECT string_agg(concat_ws(':', customer_id, invoices, open_invoices, billed,
                                           open_amount, overdue_amount, avg_days_beyond_terms,
                                           days_beyond_terms_stddev, late_share, max_days_late,
                                           dso, last_payment), ',' ORDER BY customer_id)
               FROM crisk.score};

my $offset = -s $node->logfile;
is($node->safe_psql('postgres', "SELECT crisk.rescore(NULL, date '2024-06-30')"),
	'20', 'a full pass over crisk.invoice');
ok($node->log_contains($message, $offset), 'groups the ledger in customer order, read through its index');
my $ordered = $node->safe_psql('postgres', $scores);
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.score WHERE billed > 0'),
	'20', 'every customer\'s figures are read');

$node->safe_psql('postgres', "DELETE FROM crisk.score; SELECT crisk.set_ledger('erp.ledger')");
$offset = -s $node->logfile;
is($node->safe_psql('postgres', "SELECT crisk.rescore(NULL, date '2024-06-30')"),
	'20', 'a full pass over an ERP view of a table without an index on the customer');
ok(!$node->log_contains($message, $offset), 'hashes the ledger instead');
is($node->safe_psql('postgres', $scores), $ordered, 'and gives the same figures');

$node->stop;
done_testing();
