#!/usr/bin/env bash
# Prepares what bench/run.sh needs besides the release (./dev.sh build), so that run.sh itself builds nothing:
#   - bench/target/floor.jar: the floor app (bench/floor), a bare Helidon SE /ping (and fixed GET and POST) server
#     built on the Helidon jars the server module is built with, run by run.sh on the release's own runtime;
#   - bench/target/floor.aot: the floor's AOT cache for the release's runtime (trained like the release's own: a
#     start, a few requests, SIGTERM), so that bench/startup.sh compares like with like; made only when the release
#     (./dev.sh build) is there, and again after each release build;
#   - bench/target/l1.classpath: the classpath of the L1 memory benchmark (plugins/cache-caffeine test classes).
# Not part of the test suite or the reactor. Usage: bench/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] && { export JAVA_HOME="$d"; break; }
  done
fi
out=bench/target
mkdir -p "$out"
mvn -B -q -pl modules/server,plugins/cache-caffeine -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
rm -rf "$out/floor-classes"
"$JAVA_HOME/bin/javac" --release 21 -d "$out/floor-classes" \
  --module-path "$(cat modules/server/target/bench.classpath)" \
  --module-source-path bench/floor/src -m xspct.bench.floor
"$JAVA_HOME/bin/jar" --create --file "$out/floor.jar" -C "$out/floor-classes/xspct.bench.floor" .
module=plugins/cache-caffeine
echo "$PWD/$module/target/test-classes:$PWD/$module/target/classes:$(cat "$module/target/bench.classpath")" \
  > "$out/l1.classpath"
echo "bench: built $out/floor.jar and $out/l1.classpath"

dist=${DIST:-distribution/target/xspct-db-0.1.0}
if [ ! -x "$dist/runtime/bin/java" ]; then
  echo "bench: no release at $dist (./dev.sh build): $out/floor.aot not made"
  exit 0
fi
rm -f "$out/floor.aot"
. bench/wrk-servers.sh # port_of
work=$(mktemp -d)
"$dist/runtime/bin/java" -XX:AOTCacheOutput="$out/floor.aot" '-Xlog:aot*=off' '-Xlog:cds*=off' -Xmx1024m \
  -p "$out/floor.jar" -m xspct.bench.floor/xspct.bench.floor.Floor > "$work/floor.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(port_of floor)
for _ in $(seq 1 20); do
  curl -s "http://127.0.0.1:$port/ping" > /dev/null
  curl -s "http://127.0.0.1:$port/v1/query/u0000@example.com" > /dev/null
done
kill -TERM "$pid"
wait "$pid" || true
[ -f "$out/floor.aot" ] || { echo "bench: the floor's training run made no $out/floor.aot" >&2; exit 1; }
echo "bench: built $out/floor.aot for the runtime of $dist"
