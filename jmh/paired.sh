#!/usr/bin/env bash
# Runs two benchmarks in alternating single-fork pairs and prints the ratio A/B of each pair and their geometric
# mean. On a shared machine the load changes from minute to minute; a pair sees about the same load, a full suite
# does not. Needs jmh/target/benchmarks.jar (build it with jmh/run.sh -l).
# Usage: jmh/paired.sh ROUNDS A B [JMH options], e.g.
#   jmh/paired.sh 6 'StartExitBenchmark.procflux$' 'StartExitBenchmark.processBuilder$' -wi 2 -w 2s -i 3 -r 3s
# JAR_A / JAR_B run A / B from other builds of the benchmarks (two versions of procflux, paired), e.g.
#   JAR_B=/tmp/bench-before.jar jmh/paired.sh 4 'StreamingBenchmark.procflux$' 'StreamingBenchmark.procflux$'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="$1" a="$2" b="$3"
shift 3
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
logsum=0
jar_a="${JAR_A:-jmh/target/benchmarks.jar}" jar_b="${JAR_B:-jmh/target/benchmarks.jar}"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then first="$a" second="$b" jar1="$jar_a" jar2="$jar_b"; else first="$b" second="$a" jar1="$jar_b" jar2="$jar_a"; fi
  java -jar "$jar1" -f 1 "$@" -rf csv -rff "$out/$r-first.csv" "$first" >/dev/null 2>&1
  java -jar "$jar2" -f 1 "$@" -rf csv -rff "$out/$r-second.csv" "$second" >/dev/null 2>&1
  s1="$(tail -1 "$out/$r-first.csv" | cut -d, -f5)"
  s2="$(tail -1 "$out/$r-second.csv" | cut -d, -f5)"
  if ((r % 2)); then sa="$s1" sb="$s2"; else sa="$s2" sb="$s1"; fi
  ratio="$(awk -v x="$sa" -v y="$sb" 'BEGIN { printf "%.3f", x / y }')"
  logsum="$(awk -v s="$logsum" -v q="$ratio" 'BEGIN { printf "%.6f", s + log(q) }')"
  echo "pair $r: A=$sa B=$sb A/B=$ratio load=$(cut -d' ' -f1 /proc/loadavg)"
done
awk -v s="$logsum" -v n="$rounds" 'BEGIN { printf "geometric mean A/B over %d pairs: %.3f\n", n, exp(s / n) }'
