#!/usr/bin/env bash
# bench/aged_balance.sh: the crisk.aged_balance view against a plain sum of
# open items per customer.
#
# A BI tool refreshes the aged balance often, over the whole portfolio, so
# the view must cost little more than the simplest query that answers "how
# much does each customer owe": on the demo portfolio (demo/
# generate_portfolio.sql: 200 000 customers, 50 invoices each on average,
# about 10 million invoices,
# each customer scored), SELECT * FROM crisk.aged_balance (five buckets,
# total, overdue amount, open items, oldest due date) against
#   SELECT customer_id, sum(amount) FROM crisk.invoice
#   WHERE paid_date IS NULL GROUP BY customer_id
# in the same run, single-threaded: at most 1.5x.  EXPLAIN ANALYZE runs
# each query to the end, every column computed, without sending the rows.
# The two alternate, so that load from other processes on a shared machine
# weighs on both alike.
#
# Also reported, without a target, one run each: crisk.aged_balance_at
# (reads the whole ledger to rebuild any date), crisk.portfolio_kpi,
# crisk.watchlist and crisk.dunning_worklist.
#
#   bench/aged_balance.sh                      200 000 customers, RUNS=5
#   BENCH_CUSTOMERS=20000 RUNS=3 bench/aged_balance.sh   a quick look
#   BENCH_ALLOCATIONS=0 BENCH_DISPUTES=0 ...    a 0.1.0 ledger (default: 10 000
#                                               partial payments, 1 000 disputes)
#   BENCH_EXTRAS=0 ...                          the ratio alone, without the
#                                               views without a target (the
#                                               watch-list takes minutes)
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${BENCH_CUSTOMERS:-200000}
RUNS=${RUNS:-5}
ALLOCATIONS=${BENCH_ALLOCATIONS:-10000}
DISPUTES=${BENCH_DISPUTES:-1000}
EXTRAS=${BENCH_EXTRAS:-1}

bench_start_server

say "generating the demo portfolio: $CUSTOMERS customers"
bench_psql -v customers="$CUSTOMERS" -v seed=1 -v invoices_per_customer=50 \
	<"$CRISK_ROOT/demo/generate_portfolio.sql"
bench_psql <<'EOF'
-- Every customer scored, as rescoring leaves the portfolio: about 30 % A,
-- 35 % B, 20 % C, 10 % D, 5 % E.
INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class, reasons)
SELECT a.customer_id, current_date, 'default', x.s,
       CASE WHEN x.s >= 80 THEN 'A' WHEN x.s >= 60 THEN 'B' WHEN x.s >= 40 THEN 'C'
            WHEN x.s >= 20 THEN 'D' ELSE 'E' END, '[]'
FROM crisk.account a,
     LATERAL (SELECT hashtext(a.customer_id) AS h) AS k,
     LATERAL (SELECT CASE WHEN abs(k.h) % 20 < 6 THEN 80 + abs(k.h) % 21
                          WHEN abs(k.h) % 20 < 13 THEN 60 + abs(k.h) % 20
                          WHEN abs(k.h) % 20 < 17 THEN 40 + abs(k.h) % 20
                          WHEN abs(k.h) % 20 < 19 THEN 20 + abs(k.h) % 20
                          ELSE abs(k.h) % 20 END AS s) AS x;
EOF
# Partial payments and disputes, as a live ledger has them: half of an
# open invoice paid on each of BENCH_ALLOCATIONS invoices, and
# BENCH_DISPUTES open invoices disputed.
bench_psql -v allocations="$ALLOCATIONS" -v disputes="$DISPUTES" <<'EOF'
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id)
SELECT i.invoice_id, round(i.amount / 2, 2), least(i.issue_date + 20, current_date), 'BENCH'
FROM crisk.invoice i WHERE i.paid_date IS NULL AND i.amount > 0
ORDER BY hashtext(i.invoice_id) LIMIT :allocations;
INSERT INTO crisk.dispute (invoice_id, opened_on, amount, reason)
SELECT i.invoice_id, least(i.due_date, current_date), i.amount, 'bench'
FROM crisk.invoice i WHERE i.paid_date IS NULL AND i.amount > 0
ORDER BY hashtext(i.invoice_id || 'd') LIMIT :disputes;
VACUUM ANALYZE;
EOF
bench_psql -At -c "SELECT 'open invoices: ' || count(*) || ' of ' || (SELECT count(*) FROM crisk.invoice)
                   || ', customers with open items: ' || count(DISTINCT customer_id)
                   FROM crisk.invoice WHERE paid_date IS NULL"

BASELINE="SELECT customer_id, sum(amount) FROM crisk.invoice WHERE paid_date IS NULL GROUP BY customer_id"
VIEW="SELECT * FROM crisk.aged_balance"

run_once() {
	bench_psql -At -c "EXPLAIN (ANALYZE, TIMING OFF) $1" |
		sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p'
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

say "baseline and crisk.aged_balance, alternating, $RUNS runs each after a warm-up"
run_once "$BASELINE" >/dev/null
run_once "$VIEW" >/dev/null
base_times=()
view_times=()
for ((i = 0; i < RUNS; i++)); do
	base_times+=("$(run_once "$BASELINE")")
	view_times+=("$(run_once "$VIEW")")
done
BENCH_MS[baseline]=$(printf '%s\n' "${base_times[@]}" | median)
BENCH_MS[aged_balance]=$(printf '%s\n' "${view_times[@]}" | median)
printf '  %-28s %10.1f ms (median of %d: %s)\n' baseline "${BENCH_MS[baseline]}" "$RUNS" "${base_times[*]}"
printf '  %-28s %10.1f ms (median of %d: %s)\n' aged_balance "${BENCH_MS[aged_balance]}" "$RUNS" "${view_times[*]}"

if [ "$EXTRAS" != 0 ]; then
	say "without a target:"
	bench_time aged_balance_at 1 "SELECT * FROM crisk.aged_balance_at(current_date)"
	bench_time portfolio_kpi 1 "SELECT * FROM crisk.portfolio_kpi"
	bench_time watchlist 1 "SELECT * FROM crisk.watchlist"
	bench_time dunning_worklist 1 "SELECT * FROM crisk.dunning_worklist"
fi

bench_ratio aged_balance baseline 1.5
bench_finish
