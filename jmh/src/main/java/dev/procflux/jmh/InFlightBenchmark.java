package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.zeroturnaround.exec.ProcessExecutor;
import reactor.core.publisher.Flux;

/**
 * A batch of {@value #BATCH} {@code /bin/true} with {@value #IN_FLIGHT} alive at once; the score is processes per
 * second ({@link OperationsPerInvocation}). One benchmark thread submits; the concurrency comes from each variant's
 * own mechanism (procflux leases, a thread pool, a semaphore).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InFlightBenchmark {
    static final int BATCH = 64;
    static final int IN_FLIGHT = 8;

    private ProcessEngine engine;
    private Command command;
    private ExecutorService threads;
    private Semaphore permits;

    @Setup(Level.Trial)
    public void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(IN_FLIGHT).build();
        command = Command.of(StartExitBenchmark.TRUE);
        threads = Executors.newFixedThreadPool(IN_FLIGHT);
        permits = new Semaphore(IN_FLIGHT);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        engine.close();
        threads.shutdown();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void processBuilder() throws InterruptedException, ExecutionException {
        List<Future<Integer>> results = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            results.add(threads.submit(() -> JdkProcesses.run(StartExitBenchmark.TRUE)));
        }
        for (Future<Integer> f : results) {
            f.get();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void ztExec() throws InterruptedException, ExecutionException {
        List<Future<Integer>> results = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            results.add(threads.submit(
                    () -> new ProcessExecutor().command(StartExitBenchmark.TRUE).execute().getExitValue()));
        }
        for (Future<Integer> f : results) {
            f.get();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawNuProcess() throws InterruptedException {
        RawNuProcess.runBatch(StartExitBenchmark.TRUE, BATCH, permits);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object procflux() {
        return Flux.range(0, BATCH).flatMap(i -> engine.execute(command), IN_FLIGHT).blockLast();
    }
}
