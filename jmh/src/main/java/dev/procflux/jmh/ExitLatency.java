package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Exit-to-result latency, one process at a time. Not a JMH benchmark: it needs per-call samples, not averages.
 *
 * <p><b>exit latency</b>: the child is a Perl one-liner that writes {@code CLOCK_MONOTONIC} and calls
 * {@code _exit(0)} at once, so its stamp is within microseconds of the exit. The JVM reads the same clock
 * ({@link System#nanoTime()} is {@code CLOCK_MONOTONIC} on Linux) when the result reaches the caller: for procflux
 * in the subscriber's {@code onNext} ({@code exit->onNext}) and where {@code block()} returns
 * ({@code exit->block}); for ProcessBuilder where {@code waitFor()} returns; for raw NuProcess where the waiting
 * thread wakes up after {@code onExit}.
 *
 * <p><b>wall time</b>: the whole call for {@code /bin/true}, start to reported exit.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.procflux.jmh.ExitLatency [runs] [nuProcessRuns]}, defaults 2000 and 100
 * (raw NuProcess needs about 250 ms a call). Variants are interleaved in rounds of 100 so machine noise hits all.
 */
public final class ExitLatency {
    private static final List<String> STAMP = List.of("/usr/bin/perl", "-MTime::HiRes=clock_gettime,CLOCK_MONOTONIC",
            "-MPOSIX", "-e", "syswrite STDOUT, sprintf('%.0f', clock_gettime(CLOCK_MONOTONIC) * 1e9); POSIX::_exit(0)");
    private static final List<String> TRUE = List.of("/bin/true");
    private static final int ROUND = 100;

    private ExitLatency() {
    }

    public static void main(String[] args) throws InterruptedException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int nuRuns = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(8).build()) {
            Command stamp = Command.of(STAMP);
            Command bare = Command.of(TRUE);
            // warm-up: JIT, the NuProcess I/O thread, Reactor's schedulers
            for (int i = 0; i < 300; i++) {
                procfluxExit(engine, stamp);
                JdkProcesses.run(TRUE);
                engine.execute(bare).block();
            }

            long[] pfOnNext = new long[runs];
            long[] pfBlock = new long[runs];
            long[] pbExit = new long[runs];
            long[] pfWall = new long[runs];
            long[] pbWall = new long[runs];
            for (int done = 0; done < runs; done += ROUND) {
                int n = Math.min(ROUND, runs - done);
                for (int i = done; i < done + n; i++) {
                    long[] t = procfluxExit(engine, stamp);
                    pfOnNext[i] = t[0];
                    pfBlock[i] = t[1];
                }
                for (int i = done; i < done + n; i++) {
                    byte[] out = JdkProcesses.runForStdout(STAMP);
                    pbExit[i] = System.nanoTime() - parse(out);
                }
                for (int i = done; i < done + n; i++) {
                    long t0 = System.nanoTime();
                    engine.execute(bare).block();
                    pfWall[i] = System.nanoTime() - t0;
                }
                for (int i = done; i < done + n; i++) {
                    long t0 = System.nanoTime();
                    JdkProcesses.run(TRUE);
                    pbWall[i] = System.nanoTime() - t0;
                }
            }
            long[] nuExit = new long[nuRuns];
            long[] nuWall = new long[nuRuns];
            for (int i = 0; i < nuRuns; i++) {
                byte[] out = RawNuProcess.runForStdout(STAMP);
                nuExit[i] = System.nanoTime() - parse(out);
                long t0 = System.nanoTime();
                RawNuProcess.run(TRUE);
                nuWall[i] = System.nanoTime() - t0;
            }

            System.out.printf(Locale.ROOT, "%-34s %7s %9s %9s %9s %9s %9s%n", "measure (ms)", "n", "p50", "p90", "p99",
                    "p99.9", "max");
            print("exit->onNext  procflux", pfOnNext);
            print("exit->block   procflux", pfBlock);
            print("exit->waitFor ProcessBuilder", pbExit);
            print("exit->wake    raw NuProcess", nuExit);
            print("wall /bin/true procflux", pfWall);
            print("wall /bin/true ProcessBuilder", pbWall);
            print("wall /bin/true raw NuProcess", nuWall);
        }
    }

    /** @return nanoseconds from the child's exit to onNext, and to block() returning */
    private static long[] procfluxExit(ProcessEngine engine, Command stamp) {
        long[] onNext = new long[1];
        ProcessResult r = engine.execute(stamp).doOnNext(x -> onNext[0] = System.nanoTime())
                .switchIfEmpty(Mono.error(new IllegalStateException("no result"))).block();
        long blocked = System.nanoTime();
        long exited = parse(r.stdout());
        return new long[] {onNext[0] - exited, blocked - exited};
    }

    private static long parse(byte[] stamp) {
        return Long.parseLong(new String(stamp, StandardCharsets.US_ASCII).trim());
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-34s %7d %9.3f %9.3f %9.3f %9.3f %9.3f%n", what, s.length, ms(s, 0.50),
                ms(s, 0.90), ms(s, 0.99), ms(s, 0.999), s[s.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
