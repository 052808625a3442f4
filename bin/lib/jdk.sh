# Sourced by bin/eryao, bin/test and bench/: exports JAVA_HOME at a JDK >= 21 (JAVA_HOME if it is
# one, else the newest under /usr/lib/jvm), or exits with one line saying none was found; and gives
# the application's JVM options (eryao_java_opts).

java_major() {  # the major version of the java at $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(java_major "$candidate/bin/java")"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME="$(find_jdk)"; then
  echo "eryao: no JDK 21 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
  exit 1
fi
export JAVA_HOME
# Maven's own libraries trip JDK 24+'s sun.misc.Unsafe warnings; harmless, and noisy.
if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

# The JVM options the application runs with: ERYAO_JAVA_OPTS, after the parallel collector unless
# those options choose a collector themselves (the JVM refuses two). The JDK's default, G1, pays
# for its short pauses with write barriers and concurrent work on every request's allocations,
# which short-lived request objects do not need (docs/operations.md, "The JVM").
eryao_java_opts() {
  local option
  for option in ${ERYAO_JAVA_OPTS:-}; do
    case "$option" in
      -XX:+Use*GC) echo "${ERYAO_JAVA_OPTS:-}"; return ;;
    esac
  done
  echo "-XX:+UseParallelGC ${ERYAO_JAVA_OPTS:-}"
}
