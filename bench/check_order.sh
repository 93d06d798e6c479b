#!/usr/bin/env bash
# bench/check_order.sh: crisk.check_order throughput against pgbench -S.
#
# An ERP calls crisk.check_order inside its order transactions, so the check
# must cost about as much as a primary-key lookup.  On a portfolio of
# 200 000 customers (each with an account, a score and ~50 invoices: 10
# million invoices, with a realistic mix of paid, open and overdue items,
# and legal events for 2% of customers), 8 clients call check_order for
# random customers and amounts as a non-superuser role that holds nothing
# but EXECUTE on it, as an order-entry role would.  The baseline is
# pgbench's built-in select-only script (-S) with the same clients, protocol
# and duration, in the same run.  Target: check_order reaches at least half
# the baseline's transactions per second.
#
# Both run against data already in shared buffers (pg_prewarm) and are
# compared in steady state: the mean of pgbench's progress reports over the
# second half of each run.  A new backend takes a page fault the first time
# it touches each page of shared memory, and check_order's working set (the
# ledger's customer index, accounts, scores: some 600 MB) is several times
# pgbench -S's, so each of pgbench's fresh connections spends its first tens
# of seconds faulting in pages; an ERP's pooled connections stay warm.  The
# whole-run figures are printed too.
#
#   bench/check_order.sh                     prepared protocol (the default)
#   BENCH_PROTOCOL=simple bench/check_order.sh
#   BENCH_SECONDS=240 bench/check_order.sh   longer runs (default 150 s each)
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${BENCH_CUSTOMERS:-200000}
INVOICES_PER_CUSTOMER=${BENCH_INVOICES_PER_CUSTOMER:-50}
SECONDS_PER_RUN=${BENCH_SECONDS:-150}
PROTOCOL=${BENCH_PROTOCOL:-prepared}
CLIENTS=8
ROUNDS=2

bench_start_server

say "loading $CUSTOMERS customers x $INVOICES_PER_CUSTOMER invoices"
bench_psql <<EOF
-- Accounts: limits from 5 000 to 200 000; terms 30, 45 or 60 days.
INSERT INTO crisk.account (customer_id, name, segment, credit_limit, payment_terms_days)
SELECT 'C' || lpad(c::text, 6, '0'), 'Customer ' || c, 'segment ' || (c % 5),
       5000 * (1 + c % 40), 30 + 15 * (c % 3)
FROM generate_series(1, $CUSTOMERS) AS c;

-- Invoices, one every 14 days per customer going back about two years.
-- Payment behaviour by customer: six in ten pay around the due date, two
-- pay 10-40 days late, one 30-90 days late, and one in ten also leaves some
-- invoices unpaid long past due.  Invoices whose payment date has not come
-- yet are open.  Every 25th invoice is a credit note.
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || c || '-' || k, 'C' || lpad(c::text, 6, '0'),
       CASE WHEN k % 25 = 0 THEN -(50 + (c * 31 + k * 17) % 500)
            ELSE 100 + ((c * 7919 + k * 104729) % 9900) + ((c + k) % 100) * 0.01 END,
       issue, issue + terms,
       CASE WHEN c % 10 = 9 AND k % 7 = 0 THEN NULL
            WHEN issue + terms + delay <= current_date THEN issue + terms + delay END
FROM generate_series(1, $CUSTOMERS) AS c,
     generate_series(1, $INVOICES_PER_CUSTOMER) AS k,
     LATERAL (SELECT current_date - (k * 14 + c % 14) AS issue,
                     30 + 15 * (c % 3) AS terms,
                     CASE WHEN c % 10 < 6 THEN (c + k) % 16 - 5
                          WHEN c % 10 < 8 THEN 10 + (c * k) % 31
                          ELSE 30 + (c * k) % 61 END AS delay) AS p;

-- Latest scores for everyone.
INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class, reasons)
SELECT 'C' || lpad(c::text, 6, '0'), current_date, 'default', s,
       CASE WHEN s >= 80 THEN 'A' WHEN s >= 60 THEN 'B' WHEN s >= 40 THEN 'C'
            WHEN s >= 20 THEN 'D' ELSE 'E' END, '[]'
FROM generate_series(1, $CUSTOMERS) AS c,
     -- About 30% A, 35% B, 20% C, 10% D, 5% E.
     LATERAL (SELECT CASE WHEN c % 20 < 6 THEN 80 + c % 21 WHEN c % 20 < 13 THEN 60 + c % 20
                          WHEN c % 20 < 17 THEN 40 + c % 20 WHEN c % 20 < 19 THEN 20 + c % 20
                          ELSE c % 20 END AS s) AS x;

-- Legal events for 2% of customers.
INSERT INTO crisk.event (customer_id, kind, occurred_on)
SELECT 'C' || lpad(c::text, 6, '0'),
       (ARRAY['director_change', 'safeguard', 'lien', 'receivership', 'liquidation'])[1 + c % 5],
       current_date - (c % 700)
FROM generate_series(1, $CUSTOMERS, 50) AS c;

VACUUM ANALYZE;
CREATE ROLE erp_order_entry LOGIN;
GRANT USAGE ON SCHEMA crisk TO erp_order_entry;
GRANT EXECUTE ON FUNCTION crisk.check_order(text, numeric) TO erp_order_entry;
EOF
bench_psql -At -c "SELECT 'invoices: ' || count(*) || ', open: ' || count(*) FILTER (WHERE paid_date IS NULL)
                   || ', open and overdue: ' || count(*) FILTER (WHERE paid_date IS NULL AND due_date < current_date)
                   FROM crisk.invoice"
bench_psql -At -c "SELECT 'decisions on 2000 random customers: ' || string_agg(decision || ' ' || n, ', ' ORDER BY decision)
                   FROM (SELECT d.decision, count(*) AS n
                         FROM generate_series(1, 2000) AS i,
                              crisk.check_order('C' || lpad(((i * 7919) % $CUSTOMERS + 1)::text, 6, '0'), 10000) AS d
                         GROUP BY 1) AS x"

say "baseline: pgbench -i -s 10"
as_pg pgbench -i -q -s 10 -h "$PGHOST" -p "$PGPORT" postgres >/dev/null 2>&1
bench_psql -c 'GRANT SELECT ON pgbench_accounts, pgbench_branches TO erp_order_entry'
bench_psql -At -c "CREATE EXTENSION pg_prewarm" \
	-c "SELECT 'prewarmed ' || pg_size_pretty(sum(pg_relation_size(r))) || ': ' || string_agg(r::text, ', ')
	    FROM unnest('{crisk.invoice_customer_idx, crisk.account, crisk.account_pkey, crisk.score,
	                  crisk.score_pkey, crisk.event, crisk.event_customer_idx,
	                  pgbench_accounts, pgbench_accounts_pkey}'::regclass[]) AS r, pg_prewarm(r)"

SCRIPT=$BENCH_DIR/check_order.pgbench
as_pg tee "$SCRIPT" >/dev/null <<EOF
\set c random(1, $CUSTOMERS)
\set amount random(100, 20000)
SELECT decision, available_credit, reasons FROM crisk.check_order('C' || lpad(:c::text, 6, '0'), :amount);
EOF

# pgbench_tps ARGS...: "steady whole" transactions per second of one
# pgbench run: the mean of the progress reports over its second half, and
# pgbench's figure for the whole run.
pgbench_tps() {
	local log=$BENCH_DIR/pgbench.log
	if ! as_pg pgbench -n -h "$PGHOST" -p "$PGPORT" -U erp_order_entry -M "$PROTOCOL" \
		-c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -P 5 "$@" postgres >"$log" 2>&1; then
		cat "$log" >&2
		die "pgbench $* failed"
	fi
	awk -v half="$((SECONDS_PER_RUN / 2))" '
		/^progress: / { if ($2 + 0 > half) { s += $4; n++ } }
		/^tps = / { whole = $3 }
		END { if (n == 0) { s = whole; n = 1 }; printf "%.0f %.0f\n", s / n, whole }' "$log"
}

declare -a BASE CHECK BASE_WHOLE CHECK_WHOLE
for ((round = 1; round <= ROUNDS; round++)); do
	read -r steady whole < <(pgbench_tps -S)
	BASE+=("$steady")
	BASE_WHOLE+=("$whole")
	read -r steady whole < <(pgbench_tps -f "$SCRIPT")
	CHECK+=("$steady")
	CHECK_WHOLE+=("$whole")
	printf '  round %d: pgbench -S %7.0f tps (whole run %7.0f)   check_order %7.0f tps (whole run %7.0f)\n' \
		"$round" "${BASE[-1]}" "${BASE_WHOLE[-1]}" "${CHECK[-1]}" "${CHECK_WHOLE[-1]}"
done

mean() { printf '%s\n' "$@" | awk '{s += $1} END {print s / NR}'; }
base=$(mean "${BASE[@]}")
check=$(mean "${CHECK[@]}")
ratio=$(awk -v a="$check" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
whole_ratio=$(awk -v a="$(mean "${CHECK_WHOLE[@]}")" -v b="$(mean "${BASE_WHOLE[@]}")" 'BEGIN {printf "%.2f", a / b}')
printf '  %-28s %10.0f tps (steady state, mean of %d; %d clients, %s protocol)\n' "pgbench -S" "$base" "$ROUNDS" "$CLIENTS" "$PROTOCOL"
printf '  %-28s %10.0f tps\n' "check_order" "$check"
printf '  %-28s %10sx  (whole runs, cold connections included; not the target)\n' "check_order / pgbench -S" "$whole_ratio"
if awk -v r="$ratio" 'BEGIN {exit !(r >= 0.5)}'; then
	printf '  %-28s %10sx  (target >= 0.5x) ok\n' "check_order / pgbench -S" "$ratio"
else
	printf '  %-28s %10sx  (target >= 0.5x) FAILED\n' "check_order / pgbench -S" "$ratio"
	BENCH_FAILED=1
fi
bench_finish
