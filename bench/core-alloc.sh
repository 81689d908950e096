#!/usr/bin/env bash
# Bytes allocated and nanoseconds per call of the endpoint layer alone (no HTTP): a cached GET lookup, a query-json
# response-cache hit by its decoded users and by its body seen before, an rspamd-settings hit by its body seen
# before. Runs the server modules of this checkout (modules/*/target) with the release's plugins on the full JDK;
# the last rounds are the JIT-compiled figures. Not part of the test suite. Needs ./dev.sh build and bench/build.sh
# (for the classpath).
#
#   bench/core-alloc.sh [ROUNDS]        default 5
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
dist=${DIST:-distribution/target/xspct-db-0.1.0}
[ -f modules/server/target/bench.classpath ] || { echo "bench: run bench/build.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. bench/measure.sh # bench_config: the bench data
bench_config "" > "$work/c.yml"
mp="modules/server/target/xspct-server-0.1.0.jar:modules/core/target/xspct-core-0.1.0.jar"
mp+=":modules/api/target/xspct-api-0.1.0.jar:$(grep -o '[^:]*' modules/server/target/bench.classpath \
  | grep -v -e junit -e opentest4j -e apiguardian | paste -sd:)"
"$JAVA_HOME/bin/javac" -d "$work/classes" -cp "$mp" bench/core-alloc/CoreAlloc.java
"$JAVA_HOME/bin/java" -Xms256m -Xmx256m --patch-module xspct.server="$work/classes" -p "$mp" \
  -m xspct.server/xspct.server.CoreAlloc "$work/c.yml" "$dist/plugins" "${1:-5}" 2>&1 | grep '^round'
