#!/usr/bin/env bash
# Startup benchmark: time from running the launcher to the first successful GET /ping, median of RUNS starts
# (default 5), once with the AOT cache and once without (-XX:AOTMode=off); then, as the machine's reference, the
# same for the floor (bench/floor, a bare Helidon SE server) on the release's runtime with its own AOT cache
# (bench/target/floor.aot, made by bench/build.sh; left out when missing). The starts of the server and the floor
# alternate, so that a change in the machine's load hits both.
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
floor_aot=bench/target/floor.aot

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/^xspct_db_listen_port:.*/xspct_db_listen_port: 0/' "$install_dir/conf/xspct-db.yml" > "$work/bench.yml"

# start_once WHAT [OPTS]: prints milliseconds from launch to the first answered /ping, then stops the process.
# WHAT is "server" (the launcher, XSPCT_JAVA_OPTS=OPTS) or "floor" (the floor with its AOT cache and the heap bound
# the launcher gives a machine of 4 GiB or more).
start_once() {
  local log="$work/start.log" port="" t0 t1 pid
  : > "$log"
  t0=$(date +%s%N)
  if [ "$1" = server ]; then
    XSPCT_JAVA_OPTS="${2:-}" "$launcher" "$work/bench.yml" > "$log" 2>&1 &
  else
    "$install_dir/runtime/bin/java" -XX:AOTCache="$floor_aot" '-Xlog:aot*=off' '-Xlog:cds*=off' -Xmx1024m \
      -p bench/target/floor.jar -m xspct.bench.floor/xspct.bench.floor.Floor > "$log" 2>&1 &
  fi
  pid=$!
  while :; do
    if [ -z "$port" ]; then
      port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
    fi
    if [ -n "$port" ] && [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/ping" 2>/dev/null)" = "Pong" ]; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "startup.sh: the $1 exited:" >&2; cat "$log" >&2; exit 1
    fi
    sleep 0.005
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || true
  echo $(( (t1 - t0) / 1000000 ))
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# measure LABEL OPTS [floor]: the server's starts with XSPCT_JAVA_OPTS=OPTS, each followed by a start of the floor
# when asked; prints the server's line and then the floor's
measure() {
  local label=$1 opts=$2 with_floor=${3:-} times=() floors=() i
  start_once server "$opts" > /dev/null # warm the file system cache
  [ -n "$with_floor" ] && start_once floor > /dev/null
  for ((i = 0; i < runs; i++)); do
    times+=("$(start_once server "$opts")")
    [ -n "$with_floor" ] && floors+=("$(start_once floor)")
  done
  printf '%-22s median %5d ms   (runs: %s)\n' "$label" "$(median "${times[@]}")" "${times[*]}"
  if [ -n "$with_floor" ]; then
    printf '%-22s median %5d ms   (runs: %s)\n' "floor, AOT cache" "$(median "${floors[@]}")" "${floors[*]}"
  fi
}

echo "startup to first /ping, $runs runs each, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
floor=
if [ -f "$floor_aot" ] && [ -f bench/target/floor.jar ]; then
  floor=yes
else
  echo "(no $floor_aot: bench/build.sh makes it once the release is built; the floor's start is left out)"
fi
if [ -f "$install_dir/lib/xspct-db.aot" ]; then
  measure "with AOT cache" "" "$floor"
else
  echo "with AOT cache         (no cache in $install_dir/lib: built with -Dxspct.aot=skip?)"
fi
measure "without AOT cache" "-XX:AOTMode=off"
