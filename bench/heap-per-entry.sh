#!/usr/bin/env bash
# Heap per cached address: the live heap after a full GC, before and after N addresses were looked up and kept in
# the in-process (L1) cache, divided by N. Used to size XSPCT_HEAP_MAX from xspct_db_local_cache.max_entries
# (docs/operations.md, Memory).
#
#   bench/heap-per-entry.sh [INSTALL_DIR] [N]     defaults: distribution/target/xspct-db-0.1.0, 20000
#
# Each user has the attributes of the example configuration (mail, two aliases, mailbox, quota) and is looked up by
# an alias, so L1 holds an alias entry and a user entry per address. Lookups go in batches of 500 (query-json,
# response cache off). Needs curl and jcmd (JAVA_HOME of a JDK 25).
set -euo pipefail
cd "$(dirname "$0")/.."

install_dir=${1:-distribution/target/xspct-db-0.1.0}
n=${2:-20000}
jcmd=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jcmd
[ -x "$install_dir/bin/xspct-db" ] || { echo "heap-per-entry.sh: no release at $install_dir" >&2; exit 1; }
[ -x "$jcmd" ] || { echo "heap-per-entry.sh: no jcmd at $jcmd (set JAVA_HOME to a JDK)" >&2; exit 1; }

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

{
  cat <<YAML
xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false
xspct_db_local_cache: {enabled: true, expire: 3600, max_entries: $n}
xspct_db_response_cache: {enabled: false}
xspct_db_queries:
  users:
    db_type: yaml
    search_filter: [aliases]
    primary_key: mail
xspct_db_yaml_data:
  users:
YAML
  for i in $(seq 1 "$n"); do
    printf '    user%d@example.org: {mail: user%d@example.org, aliases: [u%d@example.org, first.last%d@example.org], mailbox: example.org/user%d/, quota: %d}\n' \
      "$i" "$i" "$i" "$i" "$i" "$((i * 7))"
  done
} > "$work/bench.yml"

XSPCT_HEAP_MAX=2g "$install_dir/bin/xspct-db" "$work/bench.yml" > "$work/server.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "heap-per-entry.sh: server did not start: $(cat "$work/server.log")" >&2; exit 1; }

# used heap in KiB after a full GC
live_kib() {
  "$jcmd" "$pid" GC.run >/dev/null
  "$jcmd" "$pid" GC.heap_info | sed -n 's/.*total.*used \([0-9]*\)K.*/\1/p' | head -1
}

curl -s -H 'X-Api-Key: bench-key' "127.0.0.1:$port/v1/query/u1@example.org" >/dev/null # warm the code paths
before=$(live_kib)
for start in $(seq 1 500 "$n"); do
  end=$((start + 499 > n ? n : start + 499))
  body=$(seq "$start" "$end" | sed 's/.*/"u&@example.org"/' | paste -sd, -)
  curl -s -o /dev/null -H 'X-Api-Key: bench-key' -H 'Content-Type: application/json' \
    --data "{\"users\": [$body]}" "127.0.0.1:$port/v1/query-json"
done
after=$(live_kib)
echo "addresses cached: $n; live heap before: ${before} KiB, after: ${after} KiB"
awk -v b="$before" -v a="$after" -v n="$n" 'BEGIN {printf "heap per cached address: %.0f bytes\n", (a - b) * 1024 / n}'
