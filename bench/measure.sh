# Sourced by bench/run.sh and bench/compare-alloc.sh (after bench/wrk-servers.sh and bench_setup): the bench data,
# the servers on it, and one wrk run measured as requests/s, server CPU µs per request and bytes allocated per
# request. The sourcing script sets dist (the release), java_opts, connections and hz (getconf CLK_TCK).

# 1000 users of five short attributes; the throughput figures ask for the first three
users_yaml() {
  local i
  for ((i = 0; i < 1000; i++)); do
    printf '    u%04d@example.com: {mail: u%04d@example.com, uid: u%04d, quota: "1024", greylisting: "TRUE", reject_level: "5"}\n' \
      "$i" "$i" "$i"
  done
}

# bench_config EXTRA_YAML: prints the configuration of the bench data, EXTRA_YAML added
bench_config() {
  cat <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 30
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false
xspct_db_query_json_max_users: 2000
xspct_db_reject_level_map: {"5": 13}
$1
xspct_db_queries:
  users:
    db_type: yaml
xspct_db_yaml_data:
  users:
$(users_yaml)
YAML
}

# serve NAME EXTRA_YAML [DIST]: starts a release (default $dist) on the bench data (GC log in $work/NAME.gc)
serve() {
  bench_config "$2" > "$work/$1.yml"
  XSPCT_JAVA_OPTS="$java_opts -Xlog:gc:file=$work/$1.gc:uptime" "${3:-$dist}/bin/xspct-db" "$work/$1.yml" \
    > "$work/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
}

serve_floor() {
  "$dist/runtime/bin/java" $java_opts -Xlog:gc:file="$work/floor.gc:uptime" \
    -p bench/target/floor.jar -m xspct.bench.floor/xspct.bench.floor.Floor > "$work/floor.log" 2>&1 &
  pids+=($!)
  pid_floor=$!
}

# addresses N: a JSON list of the first N users
addresses() {
  local i out=""
  for ((i = 0; i < $1; i++)); do out+="${out:+, }\"u$(printf %04d "$i")@example.com\""; done
  echo "[$out]"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# alloc_rate GCLOG FROM_LINE: MB allocated per second between the collections logged after FROM_LINE (heap before a
# collection minus heap after the previous one, over the time between them); empty with fewer than 2 collections
alloc_rate() {
  tail -n +"$(($2 + 1))" "$1" | sed -n 's/^\[\([0-9.]*\)s\].* \([0-9]*\)M->\([0-9]*\)M(.*/\1 \2 \3/p' | awk '
    NR > 1 { mb += $2 - after; }
    NR == 1 { t0 = $1 }
    { after = $3; t = $1; n++ }
    END { if (n >= 2 && t > t0) printf "%.1f", mb / (t - t0) }'
}

# measure NAME PORT PATH SCRIPT SECONDS: prints "req/s cpu-us/request bytes/request" of one wrk run against NAME
measure() {
  local name=$1 pid gc lines c0 c1 out rps reqs rate
  pid=$(eval echo "\$pid_$name")
  gc="$work/$name.gc"
  lines=$(wc -l < "$gc")
  c0=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c"$connections" -d"$5"s -s "$4" "http://127.0.0.1:$2$3")
  c1=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  reqs=$(awk '/requests in/ {print $1}' <<< "$out")
  if grep -q 'Non-2xx' <<< "$out"; then echo "bench: $name $3 answered errors: $out" >&2; exit 1; fi
  rate=$(alloc_rate "$gc" "$lines")
  awk -v rps="$rps" -v reqs="$reqs" -v t="$((c1 - c0))" -v hz="$hz" -v rate="$rate" 'BEGIN {
    printf "%s %.1f %s\n", rps, t / hz * 1e6 / reqs, rate == "" ? "n/a" : sprintf("%.0f", rate * 1048576 / rps) }'
}

# pick N FIELD VALUES...: the FIELDth value of each "a b c" triple
field() { local f=$1; shift; for v in "$@"; do echo "$v" | cut -d' ' -f"$f"; done; }

ge() { awk -v x="$1" -v g="$2" 'BEGIN {print (x >= g) ? "yes" : "no"}'; }
le() { awk -v x="$1" -v g="$2" 'BEGIN {print (x != "n/a" && x <= g) ? "yes" : "no"}'; }
