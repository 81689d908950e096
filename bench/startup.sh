#!/usr/bin/env bash
# Startup benchmark: time from running the launcher to the first successful GET /ping, median of RUNS starts
# (default 5), once with the AOT cache and once without (-XX:AOTMode=off).
#
#   bench/startup.sh [INSTALL_DIR]     default: distribution/target/xspct-db-0.1.0 (build it with ./dev.sh build)
#
# Uses the shipped example configuration on a free port. Needs curl. Numbers depend on the machine's load:
# run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

install_dir=${1:-distribution/target/xspct-db-0.1.0}
runs=${RUNS:-5}
launcher="$install_dir/bin/xspct-db"
[ -x "$launcher" ] || { echo "startup.sh: no launcher at $launcher (run ./dev.sh build first)" >&2; exit 1; }
command -v curl >/dev/null || { echo "startup.sh: curl is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/^xspct_db_listen_port:.*/xspct_db_listen_port: 0/' "$install_dir/conf/xspct-db.yml" > "$work/bench.yml"

# one start: prints milliseconds from launch to the first answered /ping, then stops the server
start_once() {
  local log="$work/server.log" port="" t0 t1 pid
  : > "$log"
  t0=$(date +%s%N)
  XSPCT_JAVA_OPTS="${1:-}" "$launcher" "$work/bench.yml" > "$log" 2>&1 &
  pid=$!
  while :; do
    if [ -z "$port" ]; then
      port=$(sed -n 's/.*xspct-db listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
    fi
    if [ -n "$port" ] && [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/ping" 2>/dev/null)" = "Pong" ]; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "startup.sh: the server exited:" >&2; cat "$log" >&2; exit 1
    fi
    sleep 0.005
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || true
  echo $(( (t1 - t0) / 1000000 ))
}

measure() { # label, XSPCT_JAVA_OPTS
  local label=$1 opts=$2 times=() i
  start_once "$opts" > /dev/null # warm the file system cache
  for ((i = 0; i < runs; i++)); do
    times+=("$(start_once "$opts")")
  done
  local sorted median
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-22s median %5d ms   (runs: %s)\n' "$label" "$median" "${times[*]}"
}

echo "startup to first /ping, $runs runs each, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -f "$install_dir/lib/xspct-db.aot" ]; then
  measure "with AOT cache" ""
else
  echo "with AOT cache         (no cache in $install_dir/lib: built with -Dxspct.aot=skip?)"
fi
measure "without AOT cache" "-XX:AOTMode=off"
