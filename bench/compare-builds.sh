#!/usr/bin/env bash
# Benchmark: two builds of the release side by side, e.g. before and after a change. Starts both unpacked
# distributions on the same YAML data (L1 cache) and measures, with wrk, cached GET lookups and the bare /ping route
# against both in alternating rounds of one run; prints per-round ratios (B/A, and lookup/ping per build) and their
# medians. Not part of the test suite. Needs wrk (apt-get install wrk).
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
lookup=$LOOKUP
echo "warm-up"
for p in "$a" "$b"; do rps "$p" "$lookup" "$seconds" >/dev/null; rps "$p" /ping "$seconds" >/dev/null; done
lq=(); pq=(); ra=(); rb=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then  # alternate the order so that drift in machine load hits both alike
    la=$(rps "$a" "$lookup" "$seconds"); lb=$(rps "$b" "$lookup" "$seconds")
    pa=$(rps "$a" /ping "$seconds"); pb=$(rps "$b" /ping "$seconds")
  else
    lb=$(rps "$b" "$lookup" "$seconds"); la=$(rps "$a" "$lookup" "$seconds")
    pb=$(rps "$b" /ping "$seconds"); pa=$(rps "$a" /ping "$seconds")
  fi
  lq+=("$(ratio "$lb" "$la")"); pq+=("$(ratio "$pb" "$pa")"); ra+=("$(ratio "$la" "$pa")"); rb+=("$(ratio "$lb" "$pb")")
  echo "round $r: lookup A $la B $lb (B/A ${lq[-1]}); ping A $pa B $pb (B/A ${pq[-1]});" \
       "lookup/ping A ${ra[-1]} B ${rb[-1]}"
done
echo "median per-round ratios: lookup B/A $(median "${lq[@]}"), ping B/A $(median "${pq[@]}")," \
     "lookup/ping A $(median "${ra[@]}") B $(median "${rb[@]}")"
