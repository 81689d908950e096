# Sourced by the wrk benchmarks: starts release servers on one YAML data set and measures them with wrk.
# The sourcing script sets connections (wrk connections) and calls bench_setup first.

# Makes the work directory, the API-key script for wrk, and stops every started server on exit.
bench_setup() {
  command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
  work=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
  echo 'wrk.headers["X-Api-Key"] = "bench-key"' > "$work/key.lua"
  post_script query-json '{"users": ["carol@example.com", "nobody@example.com"]}'
}

# post_script NAME BODY: a wrk script $work/NAME.lua posting BODY as JSON with the API key
post_script() {
  cat > "$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["X-Api-Key"] = "bench-key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$2'
LUA
}

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# start_server NAME DIST [EXTRA_YAML]: starts DIST/bin/xspct-db in the background (in this shell, so the cleanup
# can stop it) on the bench data, cached GET lookups of carol@example.com in L1
start_server() {
  cat > "$work/$1.yml" <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 30
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false
${3:-}
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

# port_of NAME: prints the port once the server listens
port_of() {
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$1.log" | head -1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  echo "bench: $1 did not start: $(cat "$work/$1.log")" >&2; exit 1
}

LOOKUP=/v1/query/carol@example.com
QUERY_JSON=/v1/query-json

# rps PORT PATH SECONDS: requests per second wrk measured (POST /v1/query-json sends a two-address batch, answered
# from the response cache after the first request; every other path is a GET with the API key)
rps() {
  local script=key.lua
  [ "$2" = "$QUERY_JSON" ] && script=query-json.lua
  wrk -t2 -c"$connections" -d"$3"s -s "$work/$script" "http://127.0.0.1:$1$2" | awk '/Requests\/sec/ {print $2}'
}

# ratio X Y: X / Y with three decimals
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.3f", x / y}'; }

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
