#!/bin/sh
# Builds the static_domain example plugin against the xspct-db API jar, with the JDK tools only.
#
#   ./build.sh [API_JAR]
#
# API_JAR defaults to the jar of the xspct-db source tree (modules/api/target/xspct-api-0.1.0.jar, made by
# "mvn package" at the top). The result is target/plugin/static-domain/, a plugin directory to copy into the
# plugins/ directory of an xspct-db installation.
set -eu
cd "$(dirname "$0")"

api_jar=${1:-../../modules/api/target/xspct-api-0.1.0.jar}
if [ ! -f "$api_jar" ]; then
    echo "build.sh: API jar not found: $api_jar (build xspct-db first, or pass the jar's path)" >&2
    exit 1
fi
# javac and jar of a JDK 21 or newer: JAVA_HOME if set, else the ones on PATH
bin=${JAVA_HOME:+$JAVA_HOME/bin/}

rm -rf target
"${bin}javac" --release 21 --module-path "$api_jar" -d target/classes \
    $(find src/main/java -name '*.java')
mkdir -p target/plugin/static-domain
"${bin}jar" --create --file target/plugin/static-domain/static-domain-1.0.0.jar \
    --module-version 1.0.0 -C target/classes .
echo "built target/plugin/static-domain/ (copy it to <xspct-db>/plugins/)"
