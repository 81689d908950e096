#!/usr/bin/env bash
# Benchmark: the cost of /metrics on the hot path. Starts the assembled distribution twice (metrics on / off, same
# YAML data, L1 cache) and measures cached GET lookups per second with wrk against both, alternating rounds in one
# run; prints each round and the ratio of the medians. Not part of the test suite. Needs wrk (apt-get install wrk)
# and a built distribution (./dev.sh build).
#   bench/metrics-overhead.sh [SECONDS_PER_ROUND [ROUNDS [CONNECTIONS]]]     defaults: 10 3 16
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${2:-3}
connections=${3:-16}
dist=$(ls -d distribution/target/xspct-db-*/ 2>/dev/null | head -1)
[ -n "$dist" ] && [ -x "$dist/bin/xspct-db" ] || { echo "bench: build the distribution first (./dev.sh build)" >&2; exit 1; }
. bench/wrk-servers.sh
bench_setup
start_server on "$dist" "xspct_db_metrics_enabled: true"
start_server off "$dist" "xspct_db_metrics_enabled: false"
on=$(port_of on)
off=$(port_of off)
echo "warm-up ($seconds s each)"
rps "$on" "$LOOKUP" "$seconds" >/dev/null
rps "$off" "$LOOKUP" "$seconds" >/dev/null
a=(); b=(); q=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then  # alternate the order so that drift in machine load hits both alike
    x=$(rps "$on" "$LOOKUP" "$seconds"); y=$(rps "$off" "$LOOKUP" "$seconds")
  else
    y=$(rps "$off" "$LOOKUP" "$seconds"); x=$(rps "$on" "$LOOKUP" "$seconds")
  fi
  a+=("$x"); b+=("$y"); q+=("$(ratio "$x" "$y")")
  echo "round $r: metrics on $x req/s, metrics off $y req/s, on/off ${q[-1]}"
done
mon=$(median "${a[@]}"); moff=$(median "${b[@]}")
awk -v on="$mon" -v off="$moff" -v q="$(median "${q[@]}")" \
  'BEGIN {printf "median: metrics on %.0f req/s, off %.0f req/s, on/off = %.3f; median per-round on/off = %.3f\n", on, off, on/off, q}'
curl -s "http://127.0.0.1:$on/metrics" | grep -E '^http_requests_total\{method="GET",route="/v1/query/\{user\}",status="200"' || true
