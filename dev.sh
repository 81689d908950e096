#!/usr/bin/env bash
# xspct-db developer entry point.
#   ./dev.sh run [CONFIG]   build the distribution if needed and start it (default: the bundled example config)
#   ./dev.sh check [CONFIG] build if needed, then check the configuration and plugins as a start would, starting
#                           nothing: exit 0 = nothing to report, 1 = warnings only, 2 = errors
#   ./dev.sh test           run the whole test suite (unit, service-backed and distribution tests)
#   ./dev.sh build          build the release tarball without running tests
#   ./dev.sh package        build the tarball and the Debian package distribution/target/xspct-db_<version>_amd64.deb
set -euo pipefail
cd "$(dirname "$0")"

VERSION=0.1.0

java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do [ -d "$d" ] && candidates+=("$d"); done
  local best="" best_v=0 v
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/javac" ] && [ -x "$d/bin/jlink" ] || continue
    v=$(java_major "$d/bin/java")
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "xspct-db: no JDK 21 or newer found (looked at JAVA_HOME, javac on PATH and /usr/lib/jvm)." >&2
    echo "xspct-db: install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  # Maven's own Guava uses sun.misc.Unsafe; JDK 24+ would print four deprecation lines on every build
  if [ "$best_v" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

find_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "xspct-db: Maven (3.8 or newer) is needed to build; install it (Debian: apt-get install maven)." >&2
    exit 1
  fi
}

dist_dir() { echo "distribution/target/xspct-db-$VERSION"; }

needs_build() {
  local launcher
  launcher="$(dist_dir)/bin/xspct-db"
  [ -x "$launcher" ] || return 0
  # rebuild when any source or pom is newer than the unpacked distribution
  [ -n "$(find modules plugins distribution/src jlink pom.xml -newer "$launcher" \
          \( -name '*.java' -o -name 'pom.xml' -o -name '*.yml' -o -name '*.sh' -o -name 'xspct-db' \) \
          -not -path '*/target/*' -print -quit 2>/dev/null)" ]
}

cmd="${1:-}"
case "$cmd" in
  run)
    find_jdk; find_maven
    if needs_build; then
      mvn -B -q -DskipTests package
    fi
    config="${2:-$(dist_dir)/conf/xspct-db.yml}"
    exec "$(dist_dir)/bin/xspct-db" "$config"
    ;;
  check)
    find_jdk; find_maven
    if needs_build; then
      mvn -B -q -DskipTests package
    fi
    config="${2:-$(dist_dir)/conf/xspct-db.yml}"
    exec "$(dist_dir)/bin/xspct-db" --check "$config"
    ;;
  test)
    find_jdk; find_maven
    exec mvn -B verify
    ;;
  build)
    find_jdk; find_maven
    exec mvn -B -DskipTests package
    ;;
  package)
    find_jdk; find_maven
    mvn -B -DskipTests -Dxspct.deb=build package
    echo "xspct-db: distribution/target/xspct-db_${VERSION}_amd64.deb"
    ;;
  *)
    echo "usage: ./dev.sh run [CONFIG] | check [CONFIG] | test | build | package" >&2
    exit 1
    ;;
esac
