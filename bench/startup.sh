#!/usr/bin/env bash
# Startup benchmark: time from running the launcher to the first successful GET /ping, median of RUNS starts
# (default 5), once with the AOT cache and once without (-XX:AOTMode=off); then, as the machine's reference, the
# same for the floor (bench/floor, a bare Helidon SE server) on the release's runtime with its own AOT cache
# (bench/target/floor.aot, made by bench/build.sh; left out when missing). The starts of the server and the floor
# alternate, so that a change in the machine's load hits both.
#
#   bench/startup.sh [INSTALL_DIR [OTHER_INSTALL_DIR]]
#       INSTALL_DIR default: distribution/target/xspct-db-0.1.0 (build it with ./dev.sh build)
#       OTHER_INSTALL_DIR: a second release (e.g. of an earlier commit) to compare with: the starts of both (with
#       their AOT caches) and of the floor alternate, and the starts without AOT cache are left out
#
# Uses the shipped example configuration on a free port. Needs curl. Numbers depend on the machine's load:
# run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

install_dir=${1:-distribution/target/xspct-db-0.1.0}
other_dir=${2:-}
runs=${RUNS:-5}
for d in "$install_dir" $other_dir; do
  [ -x "$d/bin/xspct-db" ] || { echo "startup.sh: no launcher at $d/bin/xspct-db (./dev.sh build)" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "startup.sh: curl is needed" >&2; exit 1; }
floor_aot=bench/target/floor.aot

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/pause"
exec 4<> "$work/pause" # start_once's pause: read -t on a FIFO that nobody writes
sed 's/^xspct_db_listen_port:.*/xspct_db_listen_port: 0/' "$install_dir/conf/xspct-db.yml" > "$work/bench.yml"

# start_once WHAT [OPTS]: prints milliseconds from launch to the first answered /ping, then stops the process.
# WHAT is an installation directory (its launcher, XSPCT_JAVA_OPTS=OPTS) or "floor" (the floor with its AOT cache
# and the heap bound the launcher gives a machine of 4 GiB or more).
# The wait for the listening line uses shell builtins only (read on the log, and read -t on a FIFO nobody writes as
# the pause): a loop forking sed and sleep every few milliseconds took CPU from the starting JVM on a 2-core machine
# and added about 0.3 s to every start, the floor's too.
start_once() {
  local log="$work/start.log" port="" line="" partial="" t0 t1 pid
  : > "$log"
  exec 3< "$log"
  t0=${EPOCHREALTIME/./}
  if [ "$1" != floor ]; then
    XSPCT_JAVA_OPTS="${2:-}" "$1/bin/xspct-db" "$work/bench.yml" > "$log" 2>&1 &
  else
    "$install_dir/runtime/bin/java" -XX:AOTCache="$floor_aot" '-Xlog:aot*=off' '-Xlog:cds*=off' -Xmx1024m \
      -p bench/target/floor.jar -m xspct.bench.floor/xspct.bench.floor.Floor > "$log" 2>&1 &
  fi
  pid=$!
  while :; do
    if [ -z "$port" ]; then
      # a line still being written is kept in $partial until its end arrives
      while IFS= read -r line <&3; do
        line=$partial$line partial=
        if [[ $line =~ listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]]; then
          port=${BASH_REMATCH[1]}
          break
        fi
      done
      [ -n "$port" ] || partial=$partial$line
    fi
    if [ -n "$port" ] && [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/ping" 2>/dev/null)" = "Pong" ]; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "startup.sh: the $1 exited:" >&2; cat "$log" >&2; exit 1
    fi
    read -r -t 0.005 -u 4 || true
  done
  t1=${EPOCHREALTIME/./}
  exec 3<&-
  kill -TERM "$pid"
  wait "$pid" || true
  echo $(( (t1 - t0) / 1000 ))
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# measure LABEL OPTS [floor]: the server's starts with XSPCT_JAVA_OPTS=OPTS, each followed by a start of the other
# release (when given) and of the floor (when asked); prints the server's line, the other release's, the floor's
measure() {
  local label=$1 opts=$2 with_floor=${3:-} times=() others=() floors=() i
  start_once "$install_dir" "$opts" > /dev/null # warm the file system cache
  [ -n "$other_dir" ] && start_once "$other_dir" "$opts" > /dev/null
  [ -n "$with_floor" ] && start_once floor > /dev/null
  for ((i = 0; i < runs; i++)); do
    times+=("$(start_once "$install_dir" "$opts")")
    [ -n "$other_dir" ] && others+=("$(start_once "$other_dir" "$opts")")
    [ -n "$with_floor" ] && floors+=("$(start_once floor)")
  done
  printf '%-22s median %5d ms   (runs: %s)\n' "$label" "$(median "${times[@]}")" "${times[*]}"
  if [ -n "$other_dir" ]; then
    printf '%-22s median %5d ms   (runs: %s)   %s\n' "other release" "$(median "${others[@]}")" "${others[*]}" \
      "$other_dir"
  fi
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
[ -n "$other_dir" ] || measure "without AOT cache" "-XX:AOTMode=off"
