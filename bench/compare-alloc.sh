#!/usr/bin/env bash
# Benchmark: two builds of the release side by side, before and after a change, measured as bench/run.sh measures
# its throughput part (same data, JVM options and wrk load): requests/s, server CPU µs per request and bytes
# allocated per request of /ping, a cached GET, a query-json and an rspamd-settings response-cache hit, on both
# builds and on the floor, in interleaved rounds of one run (the order reversed every other round). Prints one line
# per measurement and the medians. Not part of the test suite. Needs wrk and bench/build.sh (the floor).
#   bench/compare-alloc.sh DIST_A DIST_B        environment: SECONDS_EACH (5), ROUNDS (3), CONNECTIONS (32)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bench/compare-alloc.sh DIST_A DIST_B" >&2; exit 1; }
dist_a=$(realpath "$1")
dist_b=$(realpath "$2")
cd "$(dirname "$0")/.."
seconds=${SECONDS_EACH:-5}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-32}
for d in "$dist_a" "$dist_b"; do
  [ -x "$d/bin/xspct-db" ] || { echo "bench: $d/bin/xspct-db is missing (an unpacked release directory?)" >&2; exit 1; }
done
[ -f bench/target/floor.jar ] || { echo "bench: bench/target/floor.jar is missing (bench/build.sh)" >&2; exit 1; }
. bench/wrk-servers.sh
bench_setup
hz=$(getconf CLK_TCK)
java_opts="-Xms256m -Xmx256m"
dist=$dist_a
. bench/measure.sh
serve_floor
serve a "" "$dist_a"
serve b "" "$dist_b"
pf=$(port_of floor); pa=$(port_of a); pb=$(port_of b)
post_script qjson '{"users": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}'
post_script rspamd '{"uid": "bench", "from": "sender@example.net", "rcpts": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}'
cases=("floor $pf /ping $work/key.lua")
for s in a:$pa b:$pb; do
  cases+=("${s%%:*} ${s#*:} /ping $work/key.lua" "${s%%:*} ${s#*:} /v1/query/u0000@example.com $work/key.lua"
          "${s%%:*} ${s#*:} /v1/query-json $work/qjson.lua" "${s%%:*} ${s#*:} /v1/rspamd-settings $work/rspamd.lua")
done
echo "bench: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); A=$dist_a B=$dist_b"
for c in "${cases[@]}"; do set -- $c; measure "$1" "$2" "$3" "$4" 3 > /dev/null; done
declare -A res
for r in $(seq 1 "$rounds"); do
  order=$(seq 0 $((${#cases[@]} - 1)))
  [ $((r % 2)) -eq 0 ] && order=$(seq $((${#cases[@]} - 1)) -1 0)
  for i in $order; do
    set -- ${cases[$i]}
    v=$(measure "$1" "$2" "$3" "$4" "$seconds")
    res[$i]+="$v;"
    echo "round $r: $1 $3: $v (req/s, CPU µs/request, bytes/request)"
  done
done
echo "medians (req/s, CPU µs/request, bytes/request), load $(cut -d' ' -f1-3 /proc/loadavg):"
for i in "${!cases[@]}"; do
  set -- ${cases[$i]}
  IFS=';' read -r -a runs <<< "${res[$i]}"
  a=$(field 3 "${runs[@]}" | grep -v n/a || true)
  echo "$1 $3: $(median $(field 1 "${runs[@]}")) $(median $(field 2 "${runs[@]}")) ${a:+$(median $a)}"
done
