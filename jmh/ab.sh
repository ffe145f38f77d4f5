#!/usr/bin/env bash
# Pairs builds of procflux in one JVM (jmh/ab/AbMain.java): each DIR is a copy of a build's target/classes, loaded
# in a class loader of its own; the builds and the JDK loop take turns every round. Variants: stream (default
# options, `head -c 256M /dev/zero`), fail (backpressure FAIL), pipe (256 MiB through `cat`). Round 0 is warm-up.
# Usage: jmh/ab.sh ROUNDS VARIANT DIR..., e.g.
#   mvn -B -q -o compile && cp -r target/classes /tmp/classes-b   # and the same at the other commit: /tmp/classes-a
#   jmh/ab.sh 26 stream /tmp/classes-a /tmp/classes-b
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=jmh/target/ab
mkdir -p "$out/main" "$out/runner"
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/all.txt" >/dev/null
deps="$(tr ':' '\n' < "$out/all.txt" | grep -E '/(reactor-core|reactive-streams|reactor-pool|nuprocess|jna|jspecify)-[0-9]' | paste -sd:)"
javac -d "$out/main" jmh/ab/AbMain.java
javac -cp "$3:$deps" -d "$out/runner" jmh/ab/AbRunner.java
exec java --enable-native-access=ALL-UNNAMED -cp "$deps:$out/main" AbMain "$1" "$2" "$out/runner" "${@:3}"
