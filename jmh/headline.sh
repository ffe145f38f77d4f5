#!/usr/bin/env bash
# The headline figures of docs/performance.md ("Headline figures"): the start, in-flight, streaming and worker-pool
# targets as alternating single-fork pairs, in one go (about 5 minutes on 2 cores). Run it on a machine with nothing
# else busy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jmh/run.sh -l >/dev/null
run() { echo "\$ $*"; "$@"; }
run jmh/paired.sh 3 'StartExitBenchmark.procflux$' 'StartExitBenchmark.processBuilder$' -wi 1 -w 2s -i 2 -r 3s
run jmh/paired.sh 3 'InFlightSteadyBenchmark.procflux$' 'InFlightSteadyBenchmark.processBuilder$' -wi 1 -w 2s -i 2 -r 3s
run jmh/paired.sh 3 'InFlightSteadyBenchmark.procflux$' 'InFlightSteadyBenchmark.rawNuProcess$' -wi 1 -w 2s -i 2 -r 3s
echo "\$ WorkerPoolBenchmark.catCall (throughput, then sample mode)"
java -jar jmh/target/benchmarks.jar -f 1 -wi 2 -w 2s -i 3 -r 3s 'WorkerPoolBenchmark.catCall$' 2>&1 | tail -2
java -jar jmh/target/benchmarks.jar -f 1 -wi 1 -w 2s -i 2 -r 3s -bm sample -tu us 'WorkerPoolBenchmark.catCall$' 2>&1 \
  | grep -E 'catCall( |:p0.50|:p0.90)'
run jmh/paired.sh 3 'StreamingBenchmark.procflux$' 'StreamingBenchmark.rawNuProcess$' -wi 1 -w 2s -i 2 -r 3s
