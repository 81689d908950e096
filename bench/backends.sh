#!/usr/bin/env bash
# Benchmark (not a test) of the LDAP and MySQL backends: POST /v1/query-json with 100 addresses per request, all
# cache misses (no cache tier installed), through the real HTTP server started in-process by
# plugins/backends-it (xspct.backends.it.BackendsBench). Prints requests/s and backend round trips per request.
#
#   bench/backends.sh [--batch 100] [--requests 300] [--concurrency 4] [--users 20000] [--backend ldap|mysql|all]
#
# Needs the local MariaDB/MySQL (127.0.0.1:3306, root without password, database test) for the mysql part; the LDAP
# server is UnboundID's in-memory directory inside the benchmark JVM.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$d/bin/javac" ] && "$d/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      export JAVA_HOME="$d"; break
    fi
  done
fi
: "${JAVA_HOME:?set JAVA_HOME to a JDK 21 or newer}"

cp_file=plugins/backends-it/target/bench.classpath
mvn -B -q -pl plugins/backends-it -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -Xmx1g \
    -cp "plugins/backends-it/target/test-classes:$(cat "$cp_file")" \
    xspct.backends.it.BackendsBench "$@"
