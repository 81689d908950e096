#!/usr/bin/env bash
# Benchmark: GET lookups per second answered from L2 (Redis at 127.0.0.1:6379, L1 disabled) vs from L1 (Caffeine),
# in one run, in-process through the lookup pipeline. Not part of the test suite.
#   bench/cache-tiers.sh [SECONDS_EACH [THREADS [USERS]]]     defaults: 5 4 1000
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] && { export JAVA_HOME="$d"; break; }
  done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "bench: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
mvn -B -q -pl plugins/cache-redis -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
module=plugins/cache-redis
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench-classpath.txt")"
exec "$JAVA_HOME/bin/java" -Xms256m -Xmx512m -cp "$cp" xspct.cache.redis.CacheTierBench "$@"
