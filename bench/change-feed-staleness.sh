#!/usr/bin/env bash
# Benchmark: staleness of cached answers with the change feed. Two release servers share MariaDB (127.0.0.1:3306,
# root) and Redis (127.0.0.1:6379) with cache TTLs of an hour; while wrk keeps both busy with cached lookups, 200
# rows are updated directly in MariaDB one after another, and the time from each commit until both servers answer
# the new value is measured (p50/p90/p99/max). Needs a built release (./dev.sh build) and wrk. Not part of the tests.
#   bench/change-feed-staleness.sh [CHANGES [WRK_CONNECTIONS [POLL_INTERVAL]]]     defaults: 200 8 0.25
set -euo pipefail
cd "$(dirname "$0")/.."
changes=${1:-200}
connections=${2:-8}
poll=${3:-0.25}
source bench/wrk-servers.sh
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] && { export JAVA_HOME="$d"; break; }
  done
fi
dist=$(ls -d distribution/target/xspct-db-*/ 2>/dev/null | head -1)
[ -n "$dist" ] && [ -d "$dist/plugins/mysql" ] && [ -d "$dist/plugins/redis" ] \
  || { echo "bench: build the release first (./dev.sh build)" >&2; exit 1; }
driver=$(ls "$dist"/plugins/mysql/mysql-connector-j-*.jar | head -1)
redis-cli -h 127.0.0.1 ping >/dev/null || { echo "bench: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
mysql -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null || { echo "bench: MariaDB is not answering" >&2; exit 1; }

bench_setup
db=xcfbench$RANDOM$RANDOM
prefix="xspct_bench_${db}_"
cleanup_all() {
  bench_cleanup
  mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $db" || true
  redis-cli -h 127.0.0.1 --scan --pattern "${prefix}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null || true
}
trap 'rc=$?; [ $rc -eq 0 ] || tail -n 40 "$work/a.log" "$work/b.log"; cleanup_all' EXIT
{
  echo "CREATE DATABASE $db; USE $db;"
  echo "CREATE TABLE policy (mail VARCHAR(200) PRIMARY KEY, quota INT);"
  echo "INSERT INTO policy VALUES ('carol@example.com', 1)"
  for i in $(seq 0 $((changes - 1))); do echo ", ('u$i@bench.test', 0)"; done
  echo ";"
} | mysql -uroot -h127.0.0.1

for name in a b; do
  cat > "$work/$name.yml" <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 20
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false
xspct_db_change_feed: {enabled: true, poll_interval: $poll}
xspct_db_local_cache: {expire: 3600, expire_negative: 3600, max_entries: 100000}
xspct_db_redis_cache:
  enabled: true
  host: 127.0.0.1
  expire: 3600
  expire_negative: 3600
  prefix_user: ${prefix}user_
  prefix_alias: ${prefix}alias_
  prefix_negative_alias: ${prefix}neg_
  invalidation_channel: ${prefix}chan
xspct_db_queries:
  policy:
    db_type: mysql
    server: 127.0.0.1
    user: root
    database: $db
    query: "SELECT mail, quota FROM policy WHERE mail = %u"
    query_replace: {"%u": address}
    change_feed: {table: policy, key_columns: [mail]}
YAML
  XSPCT_JAVA_OPTS="-Xms256m -Xmx256m" "$dist/bin/xspct-db" "$work/$name.yml" > "$work/$name.log" 2>&1 &
  pids+=($!)
done
pa=$(port_of a)
pb=$(port_of b)
# the cached-lookup load: both servers answer carol@example.com from L1 the whole time
wrk -t1 -c"$connections" -d600s -s "$work/key.lua" "http://127.0.0.1:$pa$LOOKUP" > "$work/wrk-a.txt" &
wa=$!
wrk -t1 -c"$connections" -d600s -s "$work/key.lua" "http://127.0.0.1:$pb$LOOKUP" > "$work/wrk-b.txt" &
wb=$!
start=$(date +%s.%N)
"$JAVA_HOME/bin/java" -cp "$driver" bench/ChangeFeedStaleness.java \
  "jdbc:mysql://127.0.0.1:3306/$db?user=root&password=" "$changes" "$pa" "$pb"
end=$(date +%s.%N)
kill -INT $wa $wb; wait $wa $wb || true
for w in a b; do
  echo "load on server $w: $(awk '/Requests\/sec/ {print $2}' "$work/wrk-$w.txt") cached lookups/s" \
    "(wrk -t1 -c$connections) over $(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", e - s}') s"
done
echo "poll_interval=$poll; host: $(nproc) cores"
