#!/usr/bin/env bash
# Profiles one endpoint with JDK Flight Recorder: runs the server modules of this checkout (modules/*/target, the
# plugins of the release) on the full JDK (the release's trimmed runtime has no JFR), drives the endpoint with wrk,
# and prints JFR's views of the hottest methods and the allocation sites. Not part of the test suite. Needs
# bench/build.sh (for the classpath) and ./dev.sh build.
#
#   bench/profile.sh [get|ping|qjson|rspamd] [SECONDS]        defaults: get 20
# The recording stays in bench/target/profile-ENDPOINT.jfr (open it with `jfr view` or JDK Mission Control).
set -euo pipefail
cd "$(dirname "$0")/.."
endpoint=${1:-get}
seconds=${2:-20}
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
dist=${DIST:-distribution/target/xspct-db-0.1.0}
connections=${CONNECTIONS:-32}
. bench/wrk-servers.sh
bench_setup
cat > "$work/p.yml" <<YAML
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
    u0000@example.com: {mail: u0000@example.com, uid: u0000, quota: "1024", greylisting: "TRUE", reject_level: "5"}
    u0001@example.com: {mail: u0001@example.com, uid: u0001, quota: "1024", greylisting: "TRUE", reject_level: "5"}
    u0002@example.com: {mail: u0002@example.com, uid: u0002, quota: "1024", greylisting: "TRUE", reject_level: "5"}
YAML
jfr="$PWD/bench/target/profile-$endpoint.jfr"
mp="modules/server/target/xspct-server-0.1.0.jar:modules/core/target/xspct-core-0.1.0.jar"
mp+=":modules/api/target/xspct-api-0.1.0.jar:$(grep -o '[^:]*' modules/server/target/bench.classpath \
  | grep -v -e junit -e opentest4j -e apiguardian | paste -sd:)"
"$JAVA_HOME/bin/java" -Xms256m -Xmx256m -Dxspct.plugins="$dist/plugins" \
  -XX:StartFlightRecording=filename="$jfr",settings=profile,delay=10s \
  -p "$mp" -m xspct.server/xspct.server.Main "$work/p.yml" > "$work/p.log" 2>&1 &
pids+=($!)
port=$(port_of p)
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["X-Api-Key"] = "bench-key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BODY")
LUA
case $endpoint in
  get) path=/v1/query/u0000@example.com; script=$work/key.lua ;;
  ping) path=/ping; script=$work/key.lua ;;
  qjson) path=/v1/query-json; script=$work/post.lua
    export BODY='{"users": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}' ;;
  rspamd) path=/v1/rspamd-settings; script=$work/post.lua
    export BODY='{"uid": "p", "from": "s@example.net", "rcpts": ["u0000@example.com", "u0001@example.com", "u0002@example.com"]}' ;;
  *) echo "bench: unknown endpoint $endpoint" >&2; exit 1 ;;
esac
wrk -t2 -c"$connections" -d"$((seconds + 10))"s -s "$script" "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|requests in'
"$JAVA_HOME/bin/jcmd" "${pids[0]}" JFR.dump filename="$jfr" > /dev/null
"$JAVA_HOME/bin/jfr" view --width 200 hot-methods "$jfr" | head -40
"$JAVA_HOME/bin/jfr" view --width 200 allocation-by-site "$jfr" | head -40
