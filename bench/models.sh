#!/usr/bin/env bash
# bench/models.sh: fitting and validating models on a development sample of
# 200 000 customers with 8 characteristics, single-threaded.
#
# Target (issue 19): a logistic regression on the sample takes at most 3x
# one grouped scan of it (count and the average of each characteristic,
# GROUP BY the outcome), both
#   - on binned characteristics (what crisk.fit_scorecard fits: each takes
#     5 values, so the 200 000 rows gather into a few thousand patterns),
#   - on raw characteristics with two decimals (almost every row its own
#     pattern: the state holds the whole sample).
# Also reported, without a target: crisk.auc and crisk.ks of a 0-100 score,
# and crisk.fit_scorecard on the 7 scorecard characteristics (binning,
# regression, scoring the sample, from one call).
#
#   bench/models.sh            (RUNS=5 by default; RUNS=3 for a quick look)
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-5}

bench_start_server
say "generating 200 000 customers with 8 characteristics"
bench_psql <<-'EOF'
	SELECT setseed(0.19);
	CREATE TABLE bench_sample AS
	SELECT c1 AS avg_days_beyond_terms, c2 AS late_share, c3 AS max_days_late, c4 AS utilization,
	       c5 AS altman_z, c6 AS adverse_events, c7 AS relationship_months, c8 AS extra,
	       random() < 1 / (1 + exp(-(-3 + 0.04 * c1 + 1.5 * c2 + 0.01 * c3 + 0.8 * c4
	                                 - 0.4 * c5 + 0.5 * c6 - 0.005 * c7 + 0.2 * c8))) AS bad
	FROM (SELECT round((random() * 60 - 10)::numeric, 2)::float8 AS c1,
	             round(random()::numeric, 2)::float8 AS c2,
	             floor(random() * 120)::float8 AS c3,
	             round((random() * 1.5)::numeric, 2)::float8 AS c4,
	             round((random() * 5 - 1)::numeric, 2)::float8 AS c5,
	             ((random() < 0.1)::int + (random() < 0.05)::int)::float8 AS c6,
	             floor(random() * 120)::float8 AS c7,
	             round(random()::numeric, 2)::float8 AS c8
	      FROM generate_series(1, 200000)) AS s;
	-- The same characteristics binned into 5 classes each.
	CREATE TABLE bench_binned AS
	SELECT bad, width_bucket(avg_days_beyond_terms, -10, 50, 5)::float8 AS b1,
	       width_bucket(late_share, 0, 1.0001, 5)::float8 AS b2,
	       width_bucket(max_days_late, 0, 120, 5)::float8 AS b3,
	       width_bucket(utilization, 0, 1.5001, 5)::float8 AS b4,
	       width_bucket(altman_z, -1, 4.0001, 5)::float8 AS b5,
	       adverse_events AS b6,
	       width_bucket(relationship_months, 0, 120, 5)::float8 AS b7,
	       width_bucket(extra, 0, 1.0001, 5)::float8 AS b8
	FROM bench_sample;
	VACUUM ANALYZE bench_sample;
	VACUUM ANALYZE bench_binned;
EOF

say "binned characteristics"
bench_time grouped_scan_binned "$RUNS" \
	"SELECT bad, count(*), avg(b1), avg(b2), avg(b3), avg(b4), avg(b5), avg(b6), avg(b7), avg(b8)
	 FROM bench_binned GROUP BY bad"
bench_time fit_binned "$RUNS" \
	"SELECT crisk.logistic_regression(bad, ARRAY[b1, b2, b3, b4, b5, b6, b7, b8]) FROM bench_binned"
bench_ratio fit_binned grouped_scan_binned 3

say "raw characteristics (about one pattern per customer)"
bench_time grouped_scan_raw "$RUNS" \
	"SELECT bad, count(*), avg(avg_days_beyond_terms), avg(late_share), avg(max_days_late),
	        avg(utilization), avg(altman_z), avg(adverse_events), avg(relationship_months), avg(extra)
	 FROM bench_sample GROUP BY bad"
bench_time fit_raw "$RUNS" \
	"SELECT crisk.logistic_regression(bad, ARRAY[avg_days_beyond_terms, late_share, max_days_late,
	        utilization, altman_z, adverse_events, relationship_months, extra]) FROM bench_sample"
bench_ratio fit_raw grouped_scan_raw 3

say "validation and the whole fit (no target; for the record)"
bench_time auc_of_score "$RUNS" \
	"SELECT crisk.auc(s, bad), crisk.ks(s, bad)
	 FROM (SELECT bad, floor(100 * (1 - late_share))::float8 AS s FROM bench_sample) AS t"
start=$(date +%s.%N)
bench_psql -c "SELECT model, auc, gini, ks FROM crisk.fit_scorecard('bench_sample', 'bench_fitted')"
say "  $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "fit_scorecard (wall clock)   %10.1f ms", (e - s) * 1000}')"

bench_finish
