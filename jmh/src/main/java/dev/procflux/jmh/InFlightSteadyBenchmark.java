package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * {@value InFlightBenchmark#IN_FLIGHT} {@code /bin/true} in flight at all times: one operation waits for a free
 * permit and starts one process, whose reported exit returns the permit. Unlike {@link InFlightBenchmark} there
 * is no batch end where the pipeline drains, so a slow exit report (raw NuProcess polls {@code waitpid} every
 * 250 ms once it has nothing else to do) costs only that one permit, not the whole batch's tail.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InFlightSteadyBenchmark {
    private ProcessEngine engine;
    private Command command;
    private ExecutorService threads;
    private Semaphore permits;
    // first failure of a started process, written by whichever thread saw it; checked after each iteration
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Setup(Level.Trial)
    public void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(InFlightBenchmark.IN_FLIGHT).build();
        command = Command.of(StartExitBenchmark.TRUE);
        threads = Executors.newFixedThreadPool(InFlightBenchmark.IN_FLIGHT);
        permits = new Semaphore(InFlightBenchmark.IN_FLIGHT);
    }

    /** Lets the last processes finish so that an iteration's work does not spill into the next. */
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
    public void tearDown() throws InterruptedException {
        engine.close();
        threads.shutdown();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public void processBuilder() throws InterruptedException {
        permits.acquire();
        threads.execute(() -> {
            try {
                JdkProcesses.run(StartExitBenchmark.TRUE);
            }
            catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
            finally {
                permits.release();
            }
        });
    }

    @Benchmark
    public void ztExec() throws InterruptedException {
        permits.acquire();
        threads.execute(() -> {
            try {
                new ProcessExecutor().command(StartExitBenchmark.TRUE).execute();
            }
            catch (Exception e) {
                failure.compareAndSet(null, e);
            }
            finally {
                permits.release();
            }
        });
    }

    @Benchmark
    public void rawNuProcess() throws InterruptedException {
        permits.acquire();
        RawNuProcess.start(StartExitBenchmark.TRUE, permits::release);
    }

    @Benchmark
    public void procflux() throws InterruptedException {
        permits.acquire();
        engine.execute(command).subscribe(r -> permits.release(), e -> {
            failure.compareAndSet(null, e);
            permits.release();
        });
    }
}
