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
# javac and jar of a JDK 21 or newer, found as xspct-db's dev.sh finds one: the newest of JAVA_HOME, the javac on
# PATH and the JDKs in /usr/lib/jvm, /opt/java and /opt/jdk* (the default javac may be older, e.g. 17)
java_major() { # the feature version of the java binary $1, or nothing
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}
candidates=${JAVA_HOME:-}
if command -v javac >/dev/null 2>&1; then
    candidates="$candidates
$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
for d in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -d "$d" ] && candidates="$candidates
$d"
done
best= best_v=0
old_ifs=$IFS
IFS='
'
for d in $candidates; do
    [ -x "$d/bin/javac" ] && [ -x "$d/bin/jar" ] || continue
    v=$(java_major "$d/bin/java")
    case $v in ''|*[!0-9]*) continue ;; esac
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
done
IFS=$old_ifs
if [ -z "$best" ]; then
    echo "build.sh: no JDK 21 or newer found (looked at JAVA_HOME, javac on PATH and /usr/lib/jvm);" \
        "install one or point JAVA_HOME at it" >&2
    exit 1
fi
bin=$best/bin/

rm -rf target
"${bin}javac" --release 21 --module-path "$api_jar" -d target/classes \
    $(find src/main/java -name '*.java')
mkdir -p target/plugin/static-domain
"${bin}jar" --create --file target/plugin/static-domain/static-domain-1.0.0.jar \
    --module-version 1.0.0 -C target/classes .
echo "built target/plugin/static-domain/ (copy it to <xspct-db>/plugins/)"
