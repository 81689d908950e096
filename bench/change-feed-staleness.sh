#!/usr/bin/env bash
# Benchmark: staleness of cached answers with the change feed. Two release servers share Redis (127.0.0.1:6379)
# and a backend with cache TTLs of an hour; while wrk keeps both busy with cached lookups, 200 entries are changed
# directly in the backend one after another, and the time from each commit until both servers answer the new value
# is measured (p50/p90/p99/max, also per server). Between two changes the client pauses a random time up to one
# poll interval, so that changes fall anywhere between two reads of the feed.
#   MySQL: the backend is MariaDB (127.0.0.1:3306, root), the changes are UPDATEs of a watched table.
#   --ldap: the backend is an OpenLDAP slapd with the syncprov overlay started here on a free port (generated
#           configuration and mdb database in a temporary directory, as LdapChangeFeedIT does; needs slapd), the
#           changes are modifies of an attribute. The LDAP feed has no poll interval: the directory pushes changes.
# Needs a built release (./dev.sh build) and wrk. Not part of the tests.
#   bench/change-feed-staleness.sh [--ldap] [CHANGES [WRK_CONNECTIONS [POLL_INTERVAL]]]     defaults: 200 8 0.25
# Environment: DIST, an unpacked release to measure instead of distribution/target/xspct-db-* (to compare two
# builds in turns on the same machine).
set -euo pipefail
cd "$(dirname "$0")/.."
source_kind=mysql
if [ "${1:-}" = "--ldap" ]; then
  source_kind=ldap
  shift
fi
changes=${1:-200}
connections=${2:-8}
poll=${3:-0.25}
source bench/wrk-servers.sh
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] && { export JAVA_HOME="$d"; break; }
  done
fi
dist=${DIST:-$(ls -d distribution/target/xspct-db-*/ 2>/dev/null | head -1)}
[ -n "$dist" ] && [ -d "$dist/plugins/$source_kind" ] && [ -d "$dist/plugins/redis" ] \
  || { echo "bench: build the release first (./dev.sh build)" >&2; exit 1; }
classpath="$(ls "$dist"/plugins/mysql/mysql-connector-j-*.jar | head -1):$(ls "$dist"/plugins/ldap/unboundid-ldapsdk-*.jar | head -1)"
redis-cli -h 127.0.0.1 ping >/dev/null || { echo "bench: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
if [ "$source_kind" = mysql ]; then
  mysql -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null || { echo "bench: MariaDB is not answering" >&2; exit 1; }
else
  [ -x /usr/sbin/slapd ] || { echo "bench: slapd is missing (apt-get install slapd ldap-utils)" >&2; exit 1; }
fi

bench_setup
db=xcfbench$RANDOM$RANDOM
prefix="xspct_bench_${db}_"
slapd_pid=
cleanup_all() {
  bench_cleanup
  [ -z "$slapd_pid" ] || { kill "$slapd_pid" 2>/dev/null; wait "$slapd_pid" 2>/dev/null || true; }
  [ "$source_kind" = ldap ] || mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $db" || true
  redis-cli -h 127.0.0.1 --scan --pattern "${prefix}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null || true
}
trap 'rc=$?; [ $rc -eq 0 ] || tail -n 40 "$work/a.log" "$work/b.log"; cleanup_all' EXIT

base="dc=example,dc=org"
admin="cn=admin,$base"
password=bench-slapd-pw
if [ "$source_kind" = mysql ]; then
  {
    echo "CREATE DATABASE $db; USE $db;"
    echo "CREATE TABLE policy (mail VARCHAR(200) PRIMARY KEY, quota INT);"
    echo "INSERT INTO policy VALUES ('carol@example.com', 1)"
    for i in $(seq 0 $((changes - 1))); do echo ", ('u$i@bench.test', 0)"; done
    echo ";"
  } | mysql -uroot -h127.0.0.1
  source_arg="jdbc:mysql://127.0.0.1:3306/$db?user=root&password="
  query_yaml="  policy:
    db_type: mysql
    server: 127.0.0.1
    user: root
    database: $db
    query: \"SELECT mail, quota FROM policy WHERE mail = %u\"
    query_replace: {\"%u\": address}
    change_feed: {table: policy, key_columns: [mail]}"
else
  mkdir -p "$work/slapd/data"
  cat > "$work/slapd/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload syncprov
pidfile $work/slapd/slapd.pid
database mdb
suffix "$base"
rootdn "$admin"
rootpw $password
directory $work/slapd/data
maxsize 10485760
index objectClass eq
index entryUUID,entryCSN eq
overlay syncprov
syncprov-checkpoint 1 1
syncprov-sessionlog 1000
CONF
  ldap_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  /usr/sbin/slapd -h "ldap://127.0.0.1:$ldap_port/" -f "$work/slapd/slapd.conf" -d 0 > "$work/slapd.log" 2>&1 &
  slapd_pid=$!
  for _ in $(seq 1 200); do
    ldapsearch -x -H "ldap://127.0.0.1:$ldap_port" -s base -b "" >/dev/null 2>&1 && break
    sleep 0.1
  done
  {
    printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: example\ndc: example\n\n' "$base"
    printf 'dn: uid=carol,%s\nobjectClass: inetOrgPerson\nuid: carol\ncn: carol\nsn: carol\nmail: carol@example.com\ndescription: 1\n\n' "$base"
    for i in $(seq 0 $((changes - 1))); do
      printf 'dn: uid=u%d,%s\nobjectClass: inetOrgPerson\nuid: u%d\ncn: u%d\nsn: u%d\nmail: u%d@bench.test\ndescription: 0\n\n' \
        "$i" "$base" "$i" "$i" "$i" "$i"
    done
  } | ldapadd -x -H "ldap://127.0.0.1:$ldap_port" -D "$admin" -w "$password" >/dev/null
  source_arg="ldap://127.0.0.1:$ldap_port/$admin/$password/$base"
  query_yaml="  users:
    db_type: ldap
    server: ldap://127.0.0.1:$ldap_port
    bind_dn: \"$admin\"
    bind_dn_pw: $password
    base_dn: \"$base\"
    search_filter: \"(mail=%u)\"
    search_filter_replace: {\"%u\": address}
    attr_list: [mail, description]
    change_feed: {key_attributes: [mail]}"
fi

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
$query_yaml
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
pause_ms=$(awk -v p="$poll" 'BEGIN {printf "%d", p * 1000}')
"$JAVA_HOME/bin/java" -cp "$classpath" bench/ChangeFeedStaleness.java "$source_arg" "$changes" "$pause_ms" "$pa" "$pb"
end=$(date +%s.%N)
kill -INT $wa $wb; wait $wa $wb || true
for w in a b; do
  echo "load on server $w: $(awk '/Requests\/sec/ {print $2}' "$work/wrk-$w.txt") cached lookups/s" \
    "(wrk -t1 -c$connections) over $(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", e - s}') s"
done
echo "source=$source_kind poll_interval=$poll (MySQL only); host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
