#!/usr/bin/env bash
# Edge snapshots, in one run: build time and file size for N users (YAML data generated here), the edge's
# download-verify-open time and swap time, and GET lookups per second from the snapshot (primary edge) against
# L1 hits (the central answering the same address from its in-process cache).
#
#   bench/snapshots.sh [USERS] [SECONDS] [ROUNDS]     (defaults 100000, 10, 3)
#
# Needs a built release (./dev.sh build), wrk, openssl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
seconds=${2:-10}
rounds=${3:-3}
connections=16
dist=$(ls -d distribution/target/xspct-db-*/ 2>/dev/null | grep -v '\.tar\.gz' | head -1)
[ -x "$dist/bin/xspct-db" ] || { echo "bench: build the release first (./dev.sh build)" >&2; exit 1; }
source bench/wrk-servers.sh
bench_setup

openssl genpkey -algorithm ed25519 -out "$work/snapshot.key" 2>/dev/null
openssl pkey -in "$work/snapshot.key" -pubout -out "$work/snapshot.pub"

python3 - "$users" > "$work/data.yml" <<'PY'
import sys
n = int(sys.argv[1])
print("xspct_db_yaml_data:\n  users:")
for i in range(n):
    print(f"    user{i}@example.org:\n      mail: user{i}@example.org\n      aliases: [u{i}@example.org]\n"
          f"      quota: \"{1000 + i}\"\n      mailbox: example.org/user{i}/")
PY

common="xspct_db_listen_address: 127.0.0.1
xspct_db_listen_port: 0
xspct_db_log_level: 20
xspct_db_api_key: bench-key
xspct_db_stats_enabled: false"

cat > "$work/central.yml" <<YAML
$common
xspct_db_queries:
  users:
    db_type: yaml
    search_filter: [aliases]
xspct_db_snapshot_publish:
  enabled: true
  interval: 3600
  directory: $work/central
  signing_key: $work/snapshot.key
$(cat "$work/data.yml")
YAML
XSPCT_JAVA_OPTS="-Xms1g -Xmx1g" "$dist/bin/xspct-db" "$work/central.yml" > "$work/central.log" 2>&1 &
pids+=($!)
central=$(port_of central)
for _ in $(seq 1 1200); do grep -q ' published: ' "$work/central.log" && break; sleep 0.1; done
published=$(grep ' published: ' "$work/central.log" | head -1)
[ -n "$published" ] || { echo "bench: no snapshot published: $(tail -5 "$work/central.log")" >&2; exit 1; }

cat > "$work/edge.yml" <<YAML
$common
xspct_db_snapshot_subscribe:
  enabled: true
  url: http://127.0.0.1:$central
  api_key: bench-key
  interval: 3600
  directory: $work/edge
  public_key: $work/snapshot.pub
  mode: primary
YAML
XSPCT_JAVA_OPTS="-Xms256m -Xmx256m" "$dist/bin/xspct-db" "$work/edge.yml" > "$work/edge.log" 2>&1 &
pids+=($!)
edge=$(port_of edge)
for _ in $(seq 1 600); do grep -q ' serves' "$work/edge.log" && break; sleep 0.1; done
grep -q ' serves' "$work/edge.log" || { echo "bench: the edge serves nothing: $(tail -5 "$work/edge.log")" >&2; exit 1; }

address=/v1/query/u4242@example.org
curl -s -H 'X-Api-Key: bench-key' "http://127.0.0.1:$central$address" > /dev/null   # into the central's L1
snap=(); l1=()
for r in $(seq 1 "$rounds"); do
  # alternate the order so that neither side always runs on a warmer machine
  if [ $((r % 2)) -eq 1 ]; then
    snap+=("$(rps "$edge" "$address" "$seconds")"); l1+=("$(rps "$central" "$address" "$seconds")")
  else
    l1+=("$(rps "$central" "$address" "$seconds")"); snap+=("$(rps "$edge" "$address" "$seconds")")
  fi
done

echo "users:                $users (and as many aliases)"
echo "build (central):      $(echo "$published" | sed 's/.*published: //')"
echo "file size:            $(stat -c %s "$work"/central/*.sqlite | head -1) bytes"
echo "edge download+verify: $(grep -o 'downloaded and verified.*' "$work/edge.log" | head -1)"
echo "edge re-check+open:   $(grep -o 'checked again and opened in [0-9]* ms' "$work/edge.log" | head -1)"
echo "edge swap:            $(grep -o 'swapped in [0-9]* µs' "$work/edge.log" | head -1)"
echo "GET from snapshot:    median $(median "${snap[@]}") req/s (rounds: ${snap[*]})"
echo "GET from L1:          median $(median "${l1[@]}") req/s (rounds: ${l1[*]})"
echo "snapshot / L1:        $(ratio "$(median "${snap[@]}")" "$(median "${l1[@]}")")"
