-- Schema privileges and types shared across crisk's concepts.

-- Everyone may look into schema crisk and call what PUBLIC may execute (the
-- pure receivables functions); every table and every function that reads or
-- changes customer data is revoked from PUBLIC where it is created.
GRANT USAGE ON SCHEMA crisk TO PUBLIC;

-- What crisk.payment_profile() reports on one customer's invoices as of a
-- date, and what crisk.credit_score() reads.
CREATE TYPE crisk.payment_profile AS (
    invoices                  pg_catalog.int8,
    open_invoices             pg_catalog.int8,
    billed                    pg_catalog.numeric,
    open_amount               pg_catalog.numeric,
    overdue_amount            pg_catalog.numeric,
    avg_days_beyond_terms     pg_catalog.float8,
    days_beyond_terms_stddev  pg_catalog.float8,
    late_share                pg_catalog.float8,
    max_days_late             pg_catalog.int4,
    dso                       pg_catalog.numeric,
    last_payment              pg_catalog.date
);
COMMENT ON TYPE crisk.payment_profile IS
    'Payment behaviour of a set of invoices as of a date: counts, billed, open and overdue amounts, amount-weighted days beyond terms, late share, DSO and last payment.';
