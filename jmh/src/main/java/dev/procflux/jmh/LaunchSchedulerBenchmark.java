package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * procflux alone, with {@code Schedulers.boundedElastic()} as its launch scheduler against a single dedicated
 * launch thread (the shape of the default, one shared daemon thread): does launching on one thread, which keeps
 * 500 concurrent processes from adding threads, cost throughput? Same shapes as
 * {@link StartExitBenchmark#procflux()} and {@link InFlightSteadyBenchmark#procflux()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LaunchSchedulerBenchmark {
    @Param({"boundedElastic", "single"})
    public String launcher;

    private Scheduler single;
    private ProcessEngine engine;
    private Command command;
    private Semaphore permits;
    // first failure of a started process, written by the delivery thread; checked after each iteration
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Setup(Level.Trial)
    public void setUp() {
        ProcessEngine.Builder b = ProcessEngine.builder().maxConcurrency(InFlightBenchmark.IN_FLIGHT);
        if (launcher.equals("single")) {
            single = Schedulers.newSingle("procflux-launch");
            b.launchScheduler(single);
        }
        else {
            // set explicitly: the default is one shared daemon thread, the same shape as "single"
            b.launchScheduler(Schedulers.boundedElastic());
        }
        engine = b.build();
        command = Command.of(StartExitBenchmark.TRUE);
        permits = new Semaphore(InFlightBenchmark.IN_FLIGHT);
    }

    @TearDown(Level.Iteration)
    public void drain() throws InterruptedException {
        if (!permits.tryAcquire(InFlightBenchmark.IN_FLIGHT, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("processes still running 30s after the iteration");
        }
        permits.release(InFlightBenchmark.IN_FLIGHT);
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("a process failed", t);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        if (single != null) {
            single.dispose();
        }
    }

    @Benchmark
    public int oneAtATime() {
        return engine.execute(command).block().exitCode();
    }

    @Benchmark
    public void eightInFlight() throws InterruptedException {
        permits.acquire();
        engine.execute(command).subscribe(r -> permits.release(), e -> {
            failure.compareAndSet(null, e);
            permits.release();
        });
    }
}
