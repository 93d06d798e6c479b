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
# Baseline and crisk runs alternate, so that load from other processes on a
# shared machine weighs on both alike.
#
#   bench/aggregates.sh            (RUNS=5 by default; RUNS=3 for a quick look)
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-5}
AS_OF="DATE '2024-06-30'"

# bench_pair A B RUNS SQL_A SQL_B: like bench_time for both queries, but
# their runs alternate (after one warm-up run of each), so that a burst of
# load from other processes on the machine hits both alike.  Stores the
# medians in BENCH_MS and prints them with the median of the per-pair
# ratios B / A.
bench_pair() {
	local a=$1 b=$2 runs=$3 sql_a=$4 sql_b=$5 i ta tb times_a=() times_b=() ratios=()
	run_once() {
		bench_psql -At -c "EXPLAIN (ANALYZE, TIMING OFF) $1" |
			sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
	}
	median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
	run_once "$sql_a" >/dev/null
	run_once "$sql_b" >/dev/null
	for ((i = 0; i < runs; i++)); do
		ta=$(run_once "$sql_a")
		tb=$(run_once "$sql_b")
		times_a+=("$ta")
		times_b+=("$tb")
		ratios+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.3f", b / a}')")
	done
	BENCH_MS[$a]=$(printf '%s\n' "${times_a[@]}" | median)
	BENCH_MS[$b]=$(printf '%s\n' "${times_b[@]}" | median)
	printf '  %-28s %10.1f ms (median of %d)\n' "$a" "${BENCH_MS[$a]}" "$runs"
	printf '  %-28s %10.1f ms (median of %d)\n' "$b" "${BENCH_MS[$b]}" "$runs"
	printf '  %-28s %10sx  (median of the %d pairs: %s)\n' "pairwise $b / $a" \
		"$(printf '%s\n' "${ratios[@]}" | median)" "$runs" "${ratios[*]}"
}

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
bench_pair count_sum_by_customer payment_profile "$RUNS" \
	"SELECT customer_id, count(*), sum(amount) FROM bench_invoice GROUP BY customer_id" \
	"SELECT customer_id, crisk.payment_profile(amount, issue_date, due_date, paid_date, $AS_OF)
	 FROM bench_invoice GROUP BY customer_id"
bench_ratio payment_profile count_sum_by_customer 1.3

say "portfolio-wide (one group)"
bench_pair sum_amount aging "$RUNS" "SELECT sum(amount) FROM bench_invoice" \
	"SELECT crisk.aging(amount, due_date, $AS_OF) FROM bench_invoice"
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
