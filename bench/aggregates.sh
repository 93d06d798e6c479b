#!/usr/bin/env bash
# bench/aggregates.sh: crisk's aggregates against PostgreSQL's own count/sum.
#
# 10 million generated invoices for 200 000 customers (amounts with cents,
# issue dates over three years, terms of 30, 45 or 60 days, about 85 % paid,
# some late, about 2 % credit notes), single-threaded:
#   - per customer: crisk.payment_profile(...) GROUP BY customer_id against
#     count(*), sum(amount) GROUP BY customer_id: at most 1.3x;
#   - portfolio-wide: crisk.aging(...) over every invoice against
#     sum(amount): at most 1.3x.
# Also reported, without a target: crisk.aging per customer, crisk.dso,
# crisk.dso_countback, crisk.concentration and crisk.expected_credit_loss.
#
#   bench/aggregates.sh            (RUNS=5 by default; RUNS=3 for a quick look)
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-5}
AS_OF="DATE '2024-06-30'"

bench_start_server
say "loading 10 000 000 invoices for 200 000 customers"
bench_psql <<-'EOF'
	CREATE TABLE bench_invoice (
	    invoice_id  text PRIMARY KEY,
	    customer_id text NOT NULL,
	    amount      numeric NOT NULL,
	    issue_date  date NOT NULL,
	    due_date    date NOT NULL,
	    paid_date   date
	);
	SELECT setseed(0.42) \gset
	INSERT INTO bench_invoice
	SELECT 'INV' || g,
	       'C' || lpad(((g::bigint * 7919) % 200000)::text, 6, '0'),
	       CASE WHEN r.credit < 0.02 THEN -r.amount ELSE r.amount END,
	       r.issue_date,
	       r.issue_date + r.terms,
	       CASE WHEN r.paid < 0.85
	            THEN r.issue_date + r.terms + (r.delay * r.delay * 60)::int - 10
	       END
	FROM generate_series(1, 10000000) AS g,
	     LATERAL (SELECT round((20 + random() * random() * 20000)::numeric, 2) AS amount,
	                     random() AS credit,
	                     DATE '2021-07-01' + (random() * 1095)::int AS issue_date,
	                     (ARRAY[30, 45, 60])[1 + (g % 3)] AS terms,
	                     random() AS paid,
	                     random() AS delay) AS r;
	VACUUM (FREEZE, ANALYZE) bench_invoice;
EOF
bench_psql -At -c "SELECT 'rows ' || count(*) || ', customers ' || count(DISTINCT customer_id)
                     || ', open at as_of ' || count(*) FILTER (WHERE paid_date IS NULL OR paid_date > $AS_OF)
                     || ', credit notes ' || count(*) FILTER (WHERE amount < 0)
                   FROM bench_invoice"

say "per customer (GROUP BY customer_id, 200 000 groups)"
bench_time count_sum_by_customer "$RUNS" \
	"SELECT customer_id, count(*), sum(amount) FROM bench_invoice GROUP BY customer_id"
bench_time payment_profile "$RUNS" \
	"SELECT customer_id, crisk.payment_profile(amount, issue_date, due_date, paid_date, $AS_OF)
	 FROM bench_invoice GROUP BY customer_id"
bench_ratio payment_profile count_sum_by_customer 1.3

say "portfolio-wide (one group)"
bench_time sum_amount "$RUNS" "SELECT sum(amount) FROM bench_invoice"
bench_time aging "$RUNS" "SELECT crisk.aging(amount, due_date, $AS_OF) FROM bench_invoice"
bench_ratio aging sum_amount 1.3

say "other aggregates (no target; for the record)"
bench_time aging_by_customer 3 \
	"SELECT customer_id, crisk.aging(amount, due_date, $AS_OF) FROM bench_invoice
	 WHERE paid_date IS NULL OR paid_date > $AS_OF GROUP BY customer_id"
bench_time dso 3 "SELECT crisk.dso(amount, issue_date, paid_date, $AS_OF, 90) FROM bench_invoice"
bench_time dso_countback 3 "SELECT crisk.dso_countback(amount, issue_date, paid_date, $AS_OF) FROM bench_invoice"
bench_time expected_credit_loss 3 \
	"SELECT crisk.expected_credit_loss(amount, due_date, $AS_OF, '{0.005,0.02,0.1,0.4,1}')
	 FROM bench_invoice"
bench_time concentration 3 \
	"SELECT crisk.concentration(balance) FROM
	   (SELECT sum(amount) AS balance FROM bench_invoice
	    WHERE paid_date IS NULL OR paid_date > $AS_OF GROUP BY customer_id) AS b"

bench_finish
