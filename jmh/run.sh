#!/usr/bin/env bash
# Builds the library from this work tree, builds the benchmarks, then runs JMH with the given arguments.
# Usage: jmh/run.sh [JMH options and benchmark regexps], e.g. jmh/run.sh -f 1 -wi 2 -w 2s -i 3 -r 3s StartExit
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q install -DskipTests -Dmaven.javadoc.skip=true
mvn -B -q -f jmh/pom.xml package
# The jmh build resolves dev.procflux:procflux:1.0.0-SNAPSHOT from ~/.m2, which another work tree may have
# overwritten between the two builds: refuse to measure a different engine than this tree's.
installed="$HOME/.m2/repository/dev/procflux/procflux/1.0.0-SNAPSHOT/procflux-1.0.0-SNAPSHOT.jar"
if ! cmp -s "$root/target/procflux-1.0.0-SNAPSHOT.jar" "$installed"; then
  echo "run.sh: ~/.m2 holds another build of procflux 1.0.0-SNAPSHOT than this work tree; rerun" >&2
  exit 1
fi
# The exit-latency harness reads the child's own clock; build its static stamp program when a C compiler exists
if command -v cc >/dev/null 2>&1; then
  cc -O2 -static -o jmh/target/stamp jmh/src/main/c/stamp.c 2>/dev/null || cc -O2 -o jmh/target/stamp jmh/src/main/c/stamp.c
fi
# The forks get --enable-native-access from @Fork(jvmArgsAppend); the host JVM itself never loads JNA
exec java -jar jmh/target/benchmarks.jar "$@"
