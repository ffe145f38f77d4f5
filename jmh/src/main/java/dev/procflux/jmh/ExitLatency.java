package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Per-call latency, one process at a time, split at the child's own clock reading. Not a JMH benchmark: it needs
 * per-call samples and percentiles, not averages.
 *
 * <p>The child writes {@code CLOCK_MONOTONIC} and calls {@code _exit(0)} at once: the static C program
 * {@code jmh/src/main/c/stamp.c} when {@code -Dprocflux.stamp=PATH} names it (jmh/run.sh builds it), else a Perl
 * one-liner (whose stamp comes after Perl's own start-up, so the "call->child" rows then include it). The JVM reads
 * the same clock ({@link System#nanoTime()} is {@code CLOCK_MONOTONIC} on Linux), giving for every call:
 * <ul>
 * <li>{@code call->child}: from {@code execute()}/{@code start()} to the child running its first instruction of
 * {@code main}: launch cost (scheduling, checks, fork/exec);</li>
 * <li>{@code exit->result}: from the child's exit to the result reaching the caller: for procflux in the
 * subscriber's {@code onNext} and where {@code block()} returns; for ProcessBuilder where {@code waitFor()} returns;
 * for raw NuProcess where the waiting thread wakes after {@code onExit} (the figure the "exit reported within
 * 5 ms" target is judged on);</li>
 * <li>{@code wall}: the whole call.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.procflux.jmh.ExitLatency [runs] [nuProcessRuns]}, defaults 2000 and
 * 100 (raw NuProcess needs up to 250 ms a call). procflux and ProcessBuilder alternate in rounds of 100 so that
 * machine noise hits both.
 */
public final class ExitLatency {
    private static final List<String> PERL_STAMP = List.of("/usr/bin/perl",
            "-MTime::HiRes=clock_gettime,CLOCK_MONOTONIC", "-MPOSIX", "-e",
            "syswrite STDOUT, sprintf('%.0f', clock_gettime(CLOCK_MONOTONIC) * 1e9); POSIX::_exit(0)");
    private static final int ROUND = 100;
    private static final int WARMUP = 300;

    private ExitLatency() {
    }

    public static void main(String[] args) throws InterruptedException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int nuRuns = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        String stampPath = System.getProperty("procflux.stamp", "");
        List<String> stamp = !stampPath.isEmpty() && Files.isExecutable(Path.of(stampPath)) ? List.of(stampPath)
                : PERL_STAMP;
        System.out.println("child: " + String.join(" ", stamp));
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(8).build()) {
            Command command = Command.of(stamp);
            // warm-up: JIT, the NuProcess I/O thread, Reactor's schedulers
            for (int i = 0; i < WARMUP; i++) {
                procflux(engine, command);
                processBuilder(stamp);
            }
            Samples pf = new Samples(runs, true);
            Samples pb = new Samples(runs, false);
            for (int done = 0; done < runs; done += ROUND) {
                int end = Math.min(runs, done + ROUND);
                for (int i = done; i < end; i++) {
                    pf.add(i, procflux(engine, command));
                }
                for (int i = done; i < end; i++) {
                    pb.add(i, processBuilder(stamp));
                }
            }
            Samples nu = new Samples(nuRuns, false);
            for (int i = 0; i < nuRuns; i++) {
                nu.add(i, rawNuProcess(stamp));
            }

            System.out.printf(Locale.ROOT, "%-36s %6s %8s %8s %8s %8s %8s %8s%n", "ms", "n", "mean", "p50", "p90",
                    "p99", "p99.9", "max");
            print("call->child     procflux", pf.callToChild);
            print("call->child     ProcessBuilder", pb.callToChild);
            print("call->child     raw NuProcess", nu.callToChild);
            print("exit->onNext    procflux", pf.exitToResult);
            print("exit->block     procflux", pf.exitToBlock);
            print("exit->waitFor   ProcessBuilder", pb.exitToResult);
            print("exit->wake      raw NuProcess", nu.exitToResult);
            print("wall            procflux", pf.wall);
            print("wall            ProcessBuilder", pb.wall);
            print("wall            raw NuProcess", nu.wall);
        }
    }

    /** @return call time, child stamp, result time, block-return time */
    private static long[] procflux(ProcessEngine engine, Command command) {
        long[] onNext = new long[1];
        long t0 = System.nanoTime();
        ProcessResult r = engine.execute(command).doOnNext(x -> onNext[0] = System.nanoTime())
                .switchIfEmpty(Mono.error(new IllegalStateException("no result"))).block();
        long blocked = System.nanoTime();
        return new long[] {t0, parse(r.stdout()), onNext[0], blocked};
    }

    private static long[] processBuilder(List<String> stamp) {
        long t0 = System.nanoTime();
        byte[] out = JdkProcesses.runForStdout(stamp);
        long t1 = System.nanoTime();
        return new long[] {t0, parse(out), t1, t1};
    }

    private static long[] rawNuProcess(List<String> stamp) throws InterruptedException {
        long t0 = System.nanoTime();
        byte[] out = RawNuProcess.runForStdout(stamp);
        long t1 = System.nanoTime();
        return new long[] {t0, parse(out), t1, t1};
    }

    private static long parse(byte[] stamp) {
        return Long.parseLong(new String(stamp, StandardCharsets.US_ASCII).trim());
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-36s %6d %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f%n", what, s.length,
                Arrays.stream(s).average().orElse(0) / 1e6, ms(s, 0.50),
                ms(s, 0.90), ms(s, 0.99), ms(s, 0.999), s[s.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static final class Samples {
        final long[] callToChild;
        final long[] exitToResult;
        final long[] exitToBlock;
        final long[] wall;

        Samples(int n, boolean blocks) {
            callToChild = new long[n];
            exitToResult = new long[n];
            exitToBlock = blocks ? new long[n] : exitToResult;
            wall = new long[n];
        }

        void add(int i, long[] t) {
            callToChild[i] = t[1] - t[0];
            exitToResult[i] = t[2] - t[1];
            exitToBlock[i] = t[3] - t[1];
            wall[i] = t[3] - t[0];
        }
    }
}
