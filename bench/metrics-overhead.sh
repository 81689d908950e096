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
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start() { # name metrics_enabled: starts a server in the background (in this shell, so cleanup can stop it)
  cat > "$work/$1.yml" <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 30
xspct_db_api_key: bench-key
xspct_db_metrics_enabled: $2
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
  XSPCT_JAVA_OPTS="-Xms256m -Xmx256m" "$dist/bin/xspct-db" "$work/$1.yml" > "$work/$1.log" 2>&1 &
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
start on true
start off false
on=$(port_of on)
off=$(port_of off)
url() { echo "http://127.0.0.1:$1/v1/query/carol@example.com"; }
cat > "$work/key.lua" <<'LUA'
wrk.headers["X-Api-Key"] = "bench-key"
LUA
rps() { wrk -t2 -c"$connections" -d"$2"s -s "$work/key.lua" "$(url "$1")" | awk '/Requests\/sec/ {print $2}'; }
echo "warm-up ($seconds s each)"
rps "$on" "$seconds" >/dev/null
rps "$off" "$seconds" >/dev/null
a=(); b=(); q=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then  # alternate the order so that drift in machine load hits both alike
    x=$(rps "$on" "$seconds"); y=$(rps "$off" "$seconds")
  else
    y=$(rps "$off" "$seconds"); x=$(rps "$on" "$seconds")
  fi
  a+=("$x"); b+=("$y"); q+=("$(awk -v x="$x" -v y="$y" 'BEGIN {printf "%.3f", x / y}')")
  echo "round $r: metrics on $x req/s, metrics off $y req/s, on/off ${q[-1]}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mon=$(median "${a[@]}"); moff=$(median "${b[@]}")
awk -v on="$mon" -v off="$moff" -v q="$(median "${q[@]}")" \
  'BEGIN {printf "median: metrics on %.0f req/s, off %.0f req/s, on/off = %.3f; median per-round on/off = %.3f\n", on, off, on/off, q}'
curl -s "http://127.0.0.1:$on/metrics" | grep -E '^http_requests_total\{method="GET",route="/v1/query/\{user\}",status="200"' || true
