#!/usr/bin/env bash
# The performance figures of docs/performance.md in one run, printed as one markdown table: figure, value, ratio
# (to the floor, or as the row says), goal, met?. Builds nothing; needs the release (./dev.sh build), the bench
# helpers (bench/build.sh) and wrk (apt-get install wrk). Not part of the test suite.
#
#   bench/run.sh [DIST]        DIST: an unpacked release directory, default distribution/target/xspct-db-0.1.0
#
# Environment: SECONDS_EACH (8) seconds per wrk run, ROUNDS (3) interleaved rounds, CONNECTIONS (32),
# SCALE_SECONDS (4) seconds per batch-scaling run, RSS_ENTRIES (1000000) and RSS_HEAP (448m) for the server's RSS
# with a full L1, SKIP (space-separated parts to leave out: throughput scaling memory startup). The server's RSS
# needs the local MariaDB (127.0.0.1:3306, root without password, database test) and curl; without MariaDB that
# figure is left out.
#
# Every figure is a median over interleaved rounds. Every throughput figure is measured right next to a run of the
# floor (floor first in odd rounds, last in even ones), and its ratio is taken within that pair, so that the load of
# a shared machine hits both sides of a ratio alike. Server CPU per request is the server process's user+system
# time over the requests wrk counted; bytes allocated per request come from the server's GC log (heap growth between
# collections over the run, divided by the requests in the same time).
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-distribution/target/xspct-db-0.1.0}
seconds=${SECONDS_EACH:-8}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-32}
scale_seconds=${SCALE_SECONDS:-4}
skip=" ${SKIP:-} "
[ -x "$dist/bin/xspct-db" ] || { echo "bench: no release at $dist (./dev.sh build)" >&2; exit 1; }
[ -f bench/target/floor.jar ] || { echo "bench: bench/target/floor.jar is missing (bench/build.sh)" >&2; exit 1; }
. bench/wrk-servers.sh
bench_setup
hz=$(getconf CLK_TCK)
java_opts="-Xms256m -Xmx256m"
rows=()

# row FIGURE VALUE RATIO GOAL MET
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }

# ------------------------------------------------------------------ servers and data

. bench/measure.sh

echo "bench: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $seconds s x $rounds rounds, $connections connections" >&2

# ------------------------------------------------------------------ throughput, CPU and allocation per request

if [[ $skip != *" throughput "* ]]; then
  serve_floor
  serve main ""
  pf=$(port_of floor); pm=$(port_of main)
  post_script qjson '{"users": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}'
  post_script rspamd '{"uid": "bench", "from": "sender@example.net", "rcpts": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}'
  # the floor's fixed answers must be the server's, byte for byte, or the comparison would not be fair
  for p in "/v1/query/u0000@example.com" "/v1/query-json"; do
    body=(); [ "$p" = /v1/query-json ] && body=(-H 'Content-Type: application/json' \
      -d '{"users": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}')
    ours=$(curl -s -H 'X-Api-Key: bench-key' "${body[@]}" "http://127.0.0.1:$pm$p")
    floors=$(curl -s "${body[@]}" "http://127.0.0.1:$pf$p")
    [ "$ours" = "$floors" ] || { echo "bench: the floor's answer to $p differs from the server's: $floors / $ours" >&2; exit 1; }
  done
  # name port path script
  # the floor's own GET and POST (fixed answers, our headers; the POST reads its body) are what the framework allows
  # a lookup's and a batch's request and answer
  cases=("floor $pf /ping $work/key.lua" "main $pm /ping $work/key.lua"
         "main $pm /v1/query/u0000@example.com $work/key.lua"
         "main $pm /v1/query-json $work/qjson.lua" "main $pm /v1/rspamd-settings $work/rspamd.lua"
         "floor $pf /v1/query/u0000@example.com $work/key.lua" "floor $pf /v1/query-json $work/qjson.lua")
  labels=("floor: bare Helidon /ping" "/ping" "cached GET /v1/query" "query-json, 3 users, response-cache hit"
          "rspamd-settings, 3 recipients, response-cache hit" "floor: bare Helidon GET /v1/query, fixed answer"
          "floor: bare Helidon POST /v1/query-json, body read, fixed answer")
  goals=("" 0.95 0.90 0.85 0.85 "" "")
  notes=("(reference)" "" "" "" "" "(the most a GET can reach)" "(the most a query-json can reach)")
  get=2 qjson=3 floor_get=5 floor_post=6
  echo "bench: warm-up" >&2
  for c in "${cases[@]}"; do set -- $c; measure "$1" "$2" "$3" "$4" "$seconds" > /dev/null; done
  declare -A res ratio
  # Each figure is measured next to its own run of the floor, and its ratio is taken within that pair: on a
  # shared machine the load changes within seconds, so a floor measured a minute earlier is no reference.
  for r in $(seq 1 "$rounds"); do
    order=$(seq 1 $((${#cases[@]} - 1)))
    [ $((r % 2)) -eq 0 ] && order=$(seq $((${#cases[@]} - 1)) -1 1)  # alternate the order against drift
    declare -A this=()
    for i in $order; do
      set -- ${cases[0]}; floor_run="$1 $2 $3 $4"
      set -- ${cases[$i]}
      if [ $((r % 2)) -eq 1 ]; then
        f=$(measure $floor_run "$seconds"); this[$i]=$(measure "$1" "$2" "$3" "$4" "$seconds")
      else
        this[$i]=$(measure "$1" "$2" "$3" "$4" "$seconds"); f=$(measure $floor_run "$seconds")
      fi
      res[0]+="$f;"
      res[$i]+="${this[$i]};"
      ratio[$i]+="$(ratio "$(field 1 "${this[$i]}")" "$(field 1 "$f")") "
      ratio[cpu$i]+="$(ratio "$(field 2 "${this[$i]}")" "$(field 2 "$f")") "
      echo "bench: round $r, ${labels[$i]} (req/s, CPU µs, bytes per request): [${this[$i]}], floor [$f]" >&2
    done
  done
  ratio[0]="1.000"; ratio[cpu0]="1.000"
  for i in $(seq 0 $((${#cases[@]} - 1))); do
    IFS=';' read -r -a runs <<< "${res[$i]}"
    v=$(median $(field 1 "${runs[@]}")); q=$(median ${ratio[$i]})
    if [ "$i" -eq 0 ]; then row "${labels[$i]}, req/s" "$v" "1.000" "${notes[$i]}" ""
    elif [ -z "${goals[$i]}" ]; then row "${labels[$i]}, req/s" "$v" "$q" "${notes[$i]}" ""
    else row "${labels[$i]}, req/s" "$v" "$q" "≥ ${goals[$i]}" "$(ge "$q" "${goals[$i]}")"; fi
  done
  row "cached GET /v1/query against the floor's GET, req/s" "" \
    "$(ratio "$(median ${ratio[$get]})" "$(median ${ratio[$floor_get]})")" "" ""
  row "query-json against the floor's POST, req/s" "" \
    "$(ratio "$(median ${ratio[$qjson]})" "$(median ${ratio[$floor_post]})")" "" ""
  for i in $(seq 0 $((${#cases[@]} - 1))); do
    IFS=';' read -r -a runs <<< "${res[$i]}"
    row "${labels[$i]}, server CPU µs/request" "$(median $(field 2 "${runs[@]}"))" "$(median ${ratio[cpu$i]})" "" ""
  done
  for i in $(seq 0 $((${#cases[@]} - 1))); do
    IFS=';' read -r -a runs <<< "${res[$i]}"
    a=$(field 3 "${runs[@]}" | grep -v n/a || true)
    row "${labels[$i]}, bytes allocated/request" "${a:+$(median $a)}" "" "" ""
  done
  kill "$pid_floor" "$pid_main" 2>/dev/null || true
fi

# ------------------------------------------------------------------ batch scaling

if [[ $skip != *" scaling "* ]]; then
  serve hit "xspct_db_response_cache: {enabled: false}"
  serve miss "xspct_db_response_cache: {enabled: false}
xspct_db_local_cache: {enabled: false}"
  ph=$(port_of hit); pmiss=$(port_of miss)
  sizes=(1 10 100 1000)
  for n in "${sizes[@]}"; do
    list=$(addresses "$n")
    post_script "q$n" "{\"users\": $list}"
    post_script "r$n" "{\"uid\": \"bench\", \"from\": \"sender@example.net\", \"rcpts\": $list}"
  done
  echo "bench: batch scaling warm-up" >&2
  for n in "${sizes[@]}"; do
    for s in hit:$ph miss:$pmiss; do
      measure "${s%%:*}" "${s#*:}" /v1/query-json "$work/q$n.lua" 2 > /dev/null
      measure "${s%%:*}" "${s#*:}" /v1/rspamd-settings "$work/r$n.lua" 2 > /dev/null
    done
  done
  # per: µs per address; marginal: µs per further address, (t(N) - t(1)) / (N - 1) within a round, t the µs per
  # request; ping: /ping's µs per request on the same server, the HTTP cost alone
  declare -A per marginal
  pings=""
  for r in $(seq 1 "$rounds"); do
    declare -A t=()
    v=$(measure hit "$ph" /ping "$work/key.lua" "$scale_seconds")
    pings+="$(awk -v rps="$(field 1 "$v")" 'BEGIN {printf "%.2f", 1e6 / rps}') "
    for n in "${sizes[@]}"; do
      for s in hit:$ph miss:$pmiss; do
        for e in q:/v1/query-json r:/v1/rspamd-settings; do
          k=${s%%:*}-${e%%:*}
          v=$(measure "${s%%:*}" "${s#*:}" "${e#*:}" "$work/${e%%:*}$n.lua" "$scale_seconds")
          t[$k-$n]=$(awk -v rps="$(field 1 "$v")" 'BEGIN {printf "%.3f", 1e6 / rps}')
          per[$k-$n]+="$(awk -v t="${t[$k-$n]}" -v n="$n" 'BEGIN {printf "%.2f", t / n}') "
          if [ "$n" -gt 1 ]; then
            marginal[$k-$n]+="$(awk -v tn="${t[$k-$n]}" -v t1="${t[$k-1]}" -v n="$n" \
              'BEGIN {printf "%.3f", (tn - t1) / (n - 1)}') "
          fi
        done
      done
    done
    echo "bench: scaling round $r done" >&2
  done
  ping_us=$(median $pings)
  row "/ping on the batch server, µs/request (32 connections: the cost of a request without a lookup)" \
    "$ping_us" "" "" ""
  for s in hit miss; do
    for e in q r; do
      ten=$(median ${per[$s-$e-10]})
      for n in "${sizes[@]}"; do
        v=$(median ${per[$s-$e-$n]})
        name=$([ "$e" = q ] && echo query-json || echo rspamd-settings)
        what=$([ "$s" = hit ] && echo "all cached (L1)" || echo "all misses (YAML)")
        q=$(ratio "$v" "$ten")
        row "$name, $n addresses, $what, µs/address" "$v" "$q (to 10)" "≤ 2 (to 10)" "$(le "$q" 2)"
      done
      for n in "${sizes[@]:1}"; do
        m=$(median ${marginal[$s-$e-$n]})
        row "$name, $what, marginal µs per further address, 1 to $n" "$m" "" "" ""
      done
      one=$(median ${per[$s-$e-1]})
      row "$name, $what, 1-address request ÷ /ping request" "$(ratio "$one" "$ping_us")" "" "" ""
    done
  done
  kill "$pid_hit" "$pid_miss" 2>/dev/null || true
fi

# ------------------------------------------------------------------ L1 memory

if [[ $skip != *" memory "* ]] && [ ! -f bench/target/l1.classpath ]; then
  echo "bench: no bench/target/l1.classpath (bench/build.sh): L1 memory left out" >&2
elif [[ $skip != *" memory "* ]]; then
  if [ -z "${JAVA_HOME:-}" ]; then
    for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do [ -x "$d/bin/java" ] && { JAVA_HOME=$d; break; }; done
  fi
  out=$("$JAVA_HOME/bin/java" -Xms900m -Xmx900m -XX:+UseG1GC -cp "$(cat bench/target/l1.classpath)" \
    xspct.cache.caffeine.L1MemoryBench 1000000)
  echo "bench: $out" >&2
  per_entry=$(sed -n 's/.*heap_per_entry=\([0-9]*\).*/\1/p' <<< "$out")
  rss=$(sed -n 's/.*rss_mb=\([0-9]*\).*/\1/p' <<< "$out")
  row "L1 heap per entry (1,000,000 users of five short attributes), bytes" "$per_entry" "" "≤ 300" "$(le "$per_entry" 300)"
  row "RSS of the L1 benchmark JVM with 1,000,000 entries (-Xms900m -Xmx900m), MB" "$rss" "" "" ""
fi

# ------------------------------------------------------------------ the server's RSS with 1,000,000 L1 entries

# The release server itself on a MariaDB table of RSS_ENTRIES users of five short attributes (the local MariaDB,
# 127.0.0.1:3306, root without password, database test), with the heap bound docs/performance.md advises for
# 1,000,000 entries (RSS_HEAP, default 448m: RSS is about the heap bound plus 140 MB), L1 filled by query-json batches of 1000 addresses (every one a miss, answered by
# one SQL statement). The table is then dropped and sampled batches asked again: they must all be answered from L1.
# RSS from /proc/PID/status; the live heap from the last collection in the GC log.
server_rss() {
  local n=${RSS_ENTRIES:-1000000} heap_max=${RSS_HEAP:-448m} table=xspct_bench_rss batches port idle codes bad full
  local heap sample f found
  batches=$((n / 1000))
  if ! mysql -h127.0.0.1 -uroot test -e "SELECT 1" > /dev/null 2>&1; then
    echo "bench: no MariaDB at 127.0.0.1:3306 (root, database test): the server's RSS left out" >&2
    return
  fi
  echo "bench: server RSS: $n users into MariaDB" >&2
  mysql -h127.0.0.1 -uroot test -e "DROP TABLE IF EXISTS $table;
    CREATE TABLE $table (mail VARCHAR(64) PRIMARY KEY, uid VARCHAR(16), quota VARCHAR(8),
      greylisting VARCHAR(8), reject_level VARCHAR(4));
    INSERT INTO $table SELECT CONCAT('u', LPAD(seq, 7, '0'), '@example.com'), CONCAT('u', LPAD(seq, 7, '0')),
      '1024', 'TRUE', '5' FROM seq_0_to_$((n - 1));"
  cat > "$work/rss.yml" <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 30
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false
xspct_db_query_json_max_users: 1000
xspct_db_response_cache: {enabled: false}
xspct_db_local_cache: {max_entries: $n, expire: 3600, expire_negative: 3600}
xspct_db_queries:
  users:
    db_type: mysql
    server: 127.0.0.1
    user: root
    database: test
    query: "SELECT mail, uid, quota, greylisting, reject_level FROM $table WHERE mail = '%u'"
    query_replace: {"%u": address}
YAML
  XSPCT_HEAP_MAX=$heap_max XSPCT_JAVA_OPTS="-Xlog:gc:file=$work/rss.gc:uptime" "$dist/bin/xspct-db" "$work/rss.yml" \
    > "$work/rss.log" 2>&1 &
  pids+=($!)
  pid_rss=$!
  port=$(port_of rss)
  curl -sf -o /dev/null "http://127.0.0.1:$port/ping"
  idle=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid_rss/status")
  # one body file and one curl request per batch of 1000 addresses
  mkdir -p "$work/rss"
  seq 0 $((n - 1)) | awk -v dir="$work/rss" -v port="$port" '
    { b = int($1 / 1000); f = sprintf("%s/b%04d.json", dir, b)
      printf "%s\"u%07d@example.com\"", ($1 % 1000 ? ", " : "{\"users\": ["), $1 > f
      if ($1 % 1000 == 999) { print "]}" > f; close(f)
        if (b > 0) print "next" > dir "/curl.cfg"
        printf "url = \"http://127.0.0.1:%d/v1/query-json\"\nheader = \"X-Api-Key: bench-key\"\n", port > dir "/curl.cfg"
        printf "header = \"Content-Type: application/json\"\ndata-binary = \"@%s\"\n", f > dir "/curl.cfg"
        printf "output = \"/dev/null\"\nwrite-out = \"%%{http_code}\\n\"\n" > dir "/curl.cfg" } }'
  echo "bench: server RSS: filling L1 with $batches batches of 1000" >&2
  codes=$(curl -s --no-progress-meter -Z --parallel-max 4 -K "$work/rss/curl.cfg")
  bad=$(grep -vc '^200$' <<< "$codes" || true)
  [ "$bad" -eq 0 ] || { echo "bench: server RSS: $bad of $batches fill requests failed" >&2; exit 1; }
  full=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid_rss/status")
  heap=$(sed -n 's/.*M->\([0-9]*\)M(.*/\1/p' "$work/rss.gc" | tail -1)
  # without the table only L1 can answer: a sampled batch with any address missing from L1 fails with a 500
  mysql -h127.0.0.1 -uroot test -e "DROP TABLE $table"
  for sample in 0 $((batches / 2)) $((batches - 1)); do
    f=$(printf '%s/rss/b%04d.json' "$work" "$sample")
    found=$(curl -sf -H 'X-Api-Key: bench-key' -H 'Content-Type: application/json' --data-binary "@$f" \
      "http://127.0.0.1:$port/v1/query-json" | grep -o '"uid"' | wc -l) || found=0
    [ "$found" -eq 1000 ] || { echo "bench: server RSS: batch $sample not answered from L1 ($found users)" >&2; exit 1; }
  done
  kill "$pid_rss" 2>/dev/null || true
  row "server RSS, started on MariaDB, idle (XSPCT_HEAP_MAX=$heap_max), MB" "$idle" "" "" ""
  row "server RSS with $n L1 entries (filled by query-json batches of 1000, XSPCT_HEAP_MAX=$heap_max), MB" \
    "$full" "" "≤ 600" "$(le "$full" 600)"
  row "server heap after its last collection with $n L1 entries, MB" "${heap:-n/a}" "" "" ""
}

if [[ $skip != *" memory "* ]]; then
  server_rss
fi

# ------------------------------------------------------------------ start

if [[ $skip != *" startup "* ]]; then
  starts=$(RUNS=5 bench/startup.sh "$dist")
  st=$(echo "$starts" | sed -n 's/^with AOT cache *median *\([0-9]*\) ms.*/\1/p')
  fst=$(echo "$starts" | sed -n 's/^floor, AOT cache *median *\([0-9]*\) ms.*/\1/p')
  row "start: unpacked release to first /ping, median of 5, ms (ratio: to the floor's start)" "$st" \
    "${fst:+$(ratio "$st" "$fst")}" "≤ 600" "$(le "${st:-n/a}" 600)"
  [ -n "$fst" ] && row "start: the floor with its own AOT cache, median of 5, ms" "$fst" "1.000" "(reference)" ""
fi

echo
echo "| figure | value | ratio | goal | met? |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
