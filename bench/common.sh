# bench/common.sh: helpers for crisk's benchmarks (bench/*.sh).
#
# A benchmark starts its own throwaway server with crisk installed in a
# private copy of PostgreSQL (as scripts/test does), loads data, and compares
# a crisk query with a baseline query measured in the same run, on the same
# data, so that the ratio does not depend on the machine.  Timings are the
# executor's own ("Execution Time" of EXPLAIN (ANALYZE, TIMING OFF)): both
# queries pay the same small instrumentation cost and no result transfer.
#
# Usage in a benchmark script:
#   source "$(dirname "$0")/common.sh"
#   bench_start_server                      # optional extra postgresql.conf lines on stdin
#   bench_psql -c "CREATE TABLE ..."
#   bench_time baseline 5 "SELECT ..."      # median of 5 runs, in ms, into BENCH_MS[baseline]
#   bench_time crisk 5 "SELECT ..."
#   bench_ratio crisk baseline 1.3          # prints the ratio; fails the script above 1.3

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

declare -A BENCH_MS
BENCH_FAILED=0

# bench_start_server starts a server tuned for a single large data set; lines
# read from stdin (if any) are appended to its configuration.
bench_start_server() {
	local extra=""
	[ -t 0 ] || extra=$(cat)
	ensure_packages
	build_crisk
	BENCH_DIR=$(make_scratch bench)
	trap 'stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT
	private_install "$BENCH_DIR/install"
	as_pg initdb --no-locale -E UTF8 -A trust -D "$BENCH_DIR/data" >/dev/null
	as_pg tee -a "$BENCH_DIR/data/postgresql.conf" >/dev/null <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$BENCH_DIR'
		port = 5432
		shared_buffers = '2GB'
		work_mem = '256MB'
		maintenance_work_mem = '1GB'
		max_wal_size = '8GB'
		checkpoint_timeout = '30min'
		synchronous_commit = off
		fsync = off
		full_page_writes = off
		jit = off
		max_parallel_workers_per_gather = 0
		$extra
	EOF
	as_pg pg_ctl -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w start >/dev/null
	export PGHOST=$BENCH_DIR PGPORT=5432 PGDATABASE=postgres
	bench_psql -c 'CREATE EXTENSION crisk' >/dev/null
}

bench_psql() {
	as_pg psql -X -q -v ON_ERROR_STOP=1 "$@"
}

# bench_time NAME RUNS SQL: median executor time of RUNS runs, after one
# warm-up run, stored in BENCH_MS[NAME] and printed.
bench_time() {
	local name=$1 runs=$2 sql=$3 i times=()
	bench_psql -c "EXPLAIN (ANALYZE, TIMING OFF) $sql" >/dev/null
	for ((i = 0; i < runs; i++)); do
		times+=("$(bench_psql -At -c "EXPLAIN (ANALYZE, TIMING OFF) $sql" |
			sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p')")
	done
	BENCH_MS[$name]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-28s %10.1f ms (median of %d)\n' "$name" "${BENCH_MS[$name]}" "$runs"
}

# bench_ratio A B LIMIT: prints A/B and records a failure when it exceeds LIMIT.
bench_ratio() {
	local a=$1 b=$2 limit=$3 ratio verdict
	ratio=$(awk -v a="${BENCH_MS[$a]}" -v b="${BENCH_MS[$b]}" 'BEGIN {printf "%.2f", a / b}')
	if awk -v r="$ratio" -v l="$limit" 'BEGIN {exit !(r <= l)}'; then
		verdict=ok
	else
		verdict=FAILED
		BENCH_FAILED=1
	fi
	printf '  %-28s %10sx  (target <= %sx) %s\n' "$a / $b" "$ratio" "$limit" "$verdict"
}

# bench_load_order_portfolio CUSTOMERS INVOICES_PER_CUSTOMER loads the
# order-check portfolio (bench/check_order.sh): accounts, invoices with a
# realistic mix of paid, open and overdue items, scores and legal events for
# 2 % of customers, and a role "erp_order_entry" that may only run
# crisk.check_order.
bench_load_order_portfolio() {
	local customers=$1 invoices_per_customer=$2
	say "loading $customers customers x $invoices_per_customer invoices"
	bench_psql <<-EOF
	-- Accounts: limits from 5 000 to 200 000; terms 30, 45 or 60 days.
	INSERT INTO crisk.account (customer_id, name, segment, credit_limit, payment_terms_days)
	SELECT 'C' || lpad(c::text, 6, '0'), 'Customer ' || c, 'segment ' || (c % 5),
	       5000 * (1 + c % 40), 30 + 15 * (c % 3)
	FROM generate_series(1, $customers) AS c;

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
	FROM generate_series(1, $customers) AS c,
	     generate_series(1, $invoices_per_customer) AS k,
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
	FROM generate_series(1, $customers) AS c,
	     -- About 30% A, 35% B, 20% C, 10% D, 5% E.
	     LATERAL (SELECT CASE WHEN c % 20 < 6 THEN 80 + c % 21 WHEN c % 20 < 13 THEN 60 + c % 20
	                          WHEN c % 20 < 17 THEN 40 + c % 20 WHEN c % 20 < 19 THEN 20 + c % 20
	                          ELSE c % 20 END AS s) AS x;

	-- Legal events for 2% of customers.
	INSERT INTO crisk.event (customer_id, kind, occurred_on)
	SELECT 'C' || lpad(c::text, 6, '0'),
	       (ARRAY['director_change', 'safeguard', 'lien', 'receivership', 'liquidation'])[1 + c % 5],
	       current_date - (c % 700)
	FROM generate_series(1, $customers, 50) AS c;

	VACUUM ANALYZE;
	CREATE ROLE erp_order_entry LOGIN;
	GRANT USAGE ON SCHEMA crisk TO erp_order_entry;
	GRANT EXECUTE ON FUNCTION crisk.check_order(text, numeric) TO erp_order_entry;
	EOF
}

# bench_load_rescore_portfolio CUSTOMERS INVOICES loads the rescoring
# portfolio (bench/rescore.sh, bench/rescore_history.sh) into the database
# of PGDATABASE: accounts and about three years of invoices up to
# 2024-06-30, the same for the same sizes (a fixed seed).
bench_load_rescore_portfolio() {
	say "generating $1 customers and $2 invoices"
	bench_psql -v customers="$1" -v invoices="$2" <<'SQL'
SELECT pg_catalog.setseed(0.42);
-- Each customer has a payment habit (days late, from 10 early to 50 late)
-- and a limit; invoices fall due 30 or 60 days after issue, over three
-- years up to the as-of date; those due in the last weeks are mostly open.
CREATE TEMP TABLE habit AS
SELECT c, 'C' || lpad(c::text, 7, '0') AS customer_id,
       (random() * 60 - 10)::int AS days_late
FROM generate_series(1, :customers) AS c;
INSERT INTO crisk.account (customer_id, name, segment, credit_limit, payment_terms_days)
SELECT customer_id, 'Customer ' || c, (ARRAY['retail', 'industry', 'services'])[1 + c % 3],
       1000 * (5 + c % 200), 30
FROM habit;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT 'I' || i, h.customer_id, amount, issue, issue + terms,
       CASE WHEN issue + terms + h.days_late + jitter < date '2024-06-30'
            THEN issue + terms + greatest(h.days_late + jitter, -terms) END
FROM (SELECT i, 1 + (random() * (:customers - 1))::int AS c,
             round((50 + random() * 9950)::numeric, 2) AS amount,
             date '2021-07-01' + (random() * 1095)::int AS issue,
             (ARRAY[30, 60])[1 + (random() > 0.7)::int] AS terms,
             (random() * 20 - 10)::int AS jitter
      FROM generate_series(1, :invoices) AS i) AS g
JOIN habit AS h USING (c);
VACUUM ANALYZE crisk.invoice;
VACUUM ANALYZE crisk.account;
SQL
}

# bench_finish exits with the benchmark's verdict.
bench_finish() {
	exit $BENCH_FAILED
}
