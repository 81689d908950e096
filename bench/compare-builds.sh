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
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start() { # name dist: starts a server in the background (in this shell, so cleanup can stop it)
  cat > "$work/$1.yml" <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 30
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false
xspct_db_queries:
  users:
    db_type: yaml
xspct_db_yaml_data:
  users:
    carol@example.com:
      mail: carol@example.com
      quota: "1024"
YAML
  XSPCT_JAVA_OPTS="-Xms256m -Xmx256m" "$2/bin/xspct-db" "$work/$1.yml" > "$work/$1.log" 2>&1 &
  pids+=($!)
}
port_of() { # name -> prints the port once the server listens
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$1.log" | head -1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  echo "bench: $1 did not start: $(cat "$work/$1.log")" >&2; exit 1
}
start a "$dist_a"
start b "$dist_b"
a=$(port_of a)
b=$(port_of b)
echo 'wrk.headers["X-Api-Key"] = "bench-key"' > "$work/key.lua"
lookup=/v1/query/carol@example.com
rps() { # port path seconds
  wrk -t2 -c"$connections" -d"$3"s -s "$work/key.lua" "http://127.0.0.1:$1$2" | awk '/Requests\/sec/ {print $2}'
}
echo "warm-up"
for p in "$a" "$b"; do rps "$p" "$lookup" "$seconds" >/dev/null; rps "$p" /ping "$seconds" >/dev/null; done
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.3f", x / y}'; }
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
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "median per-round ratios: lookup B/A $(median "${lq[@]}"), ping B/A $(median "${pq[@]}")," \
     "lookup/ping A $(median "${ra[@]}") B $(median "${rb[@]}")"
