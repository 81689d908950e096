#!/usr/bin/env bash
# Benchmark: two builds of the release side by side, e.g. before and after a change. Starts both unpacked
# distributions on the same YAML data (L1 cache) and measures, with wrk, cached GET lookups, cached POST
# /v1/query-json batches and the bare /ping route against both in alternating rounds of one run; prints per-round
# ratios (B/A, and lookup/ping per build) and their medians. Not part of the test suite. Needs wrk
# (apt-get install wrk).
#   bench/compare-builds.sh DIST_A DIST_B [SECONDS_PER_ROUND [ROUNDS [CONNECTIONS]]]     defaults: 10 5 16
# DIST_A and DIST_B are unpacked release directories (holding bin/xspct-db), e.g. distribution/target/xspct-db-0.1.0
# of two checkouts.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/compare-builds.sh DIST_A DIST_B [SECONDS [ROUNDS [CONNECTIONS]]]" >&2; exit 1; }
dist_a=$1
dist_b=$2
seconds=${3:-10}
rounds=${4:-5}
connections=${5:-16}
for d in "$dist_a" "$dist_b"; do
  [ -x "$d/bin/xspct-db" ] || { echo "bench: $d/bin/xspct-db is missing (an unpacked release directory?)" >&2; exit 1; }
done
. "$(dirname "$0")/wrk-servers.sh"
bench_setup
start_server a "$dist_a"
start_server b "$dist_b"
a=$(port_of a)
b=$(port_of b)
paths=("$LOOKUP" "$QUERY_JSON" /ping)
names=(get query-json ping)
echo "warm-up"
for p in "$a" "$b"; do for path in "${paths[@]}"; do rps "$p" "$path" "$seconds" >/dev/null; done; done
declare -A ba ra rb
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  declare -A va vb
  for i in "${!paths[@]}"; do
    if [ $((r % 2)) -eq 1 ]; then  # alternate the order so that drift in machine load hits both alike
      va[$i]=$(rps "$a" "${paths[$i]}" "$seconds"); vb[$i]=$(rps "$b" "${paths[$i]}" "$seconds")
    else
      vb[$i]=$(rps "$b" "${paths[$i]}" "$seconds"); va[$i]=$(rps "$a" "${paths[$i]}" "$seconds")
    fi
    ba[$i]+="$(ratio "${vb[$i]}" "${va[$i]}") "
    line+=" ${names[$i]} A ${va[$i]} B ${vb[$i]} (B/A $(ratio "${vb[$i]}" "${va[$i]}"));"
  done
  for i in 0 1; do
    ra[$i]+="$(ratio "${va[$i]}" "${va[2]}") "; rb[$i]+="$(ratio "${vb[$i]}" "${vb[2]}") "
    line+=" ${names[$i]}/ping A $(ratio "${va[$i]}" "${va[2]}") B $(ratio "${vb[$i]}" "${vb[2]}");"
  done
  echo "$line"
done
summary="median per-round ratios:"
for i in "${!paths[@]}"; do
  # shellcheck disable=SC2086
  summary+=" ${names[$i]} B/A $(median ${ba[$i]}),"
done
for i in 0 1; do
  # shellcheck disable=SC2086
  summary+=" ${names[$i]}/ping A $(median ${ra[$i]}) B $(median ${rb[$i]}),"
done
echo "${summary%,}"
