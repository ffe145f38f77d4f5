package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import reactor.core.publisher.Flux;

/**
 * Persistent workers with {@link WorkerProtocol#lines()}. Every reply is checked against its request.
 *
 * <ul>
 *   <li>{@code catCall}: one {@code cat} worker, one call at a time ({@code block()} per call); for the p50 run it
 *       in sample mode ({@code -bm sample -tu us});
 *   <li>{@code pythonCall} against {@code pythonExecute}: one Python line-echo worker ({@code python3 -u -c …}) per
 *       call against a fresh {@code engine.execute(python3 -c …)} per request (the request as an argument);
 *   <li>{@code oneWorker} against {@code fourWorkers}: {@value #BATCH} calls per invocation with 8 in flight
 *       ({@code flatMap(pool::call, 8)}) on a pool of 1 or 4 workers ({@link Scaling}: {@code cat} or the Python
 *       echo worker); the score is calls/s. Two methods rather than a parameter, so {@code paired.sh} can pair them.
 * </ul>
 *
 * <p>The interpreter is {@code /usr/bin/python3} where it exists ({@code python3} on PATH may be a slow wrapper
 * such as a pyenv shim), else {@code python3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class WorkerPoolBenchmark {
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    static final String ECHO = "import sys\nfor l in sys.stdin:\n    sys.stdout.write(l)\n    sys.stdout.flush()";
    static final String ARGV_ECHO = "import sys; print(sys.argv[1])";
    static final int BATCH = 1000;
    static final String REQUEST = "request-0123456789";

    private ProcessEngine engine;
    private WorkerPool<String, String> catPool;
    private WorkerPool<String, String> pythonPool;
    private Command pythonArgvEcho;

    @Setup(Level.Trial)
    public void setUp() {
        engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(200)).build();
        catPool = WorkerPool.builder(Command.of("cat")).protocol(WorkerProtocol.lines()).sizeBetween(1, 1).build(engine);
        pythonPool = WorkerPool.builder(Command.of(PYTHON, "-u", "-c", ECHO)).protocol(WorkerProtocol.lines())
                .sizeBetween(1, 1).build(engine);
        pythonArgvEcho = Command.of(PYTHON, "-c", ARGV_ECHO, REQUEST);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        catPool.close();
        pythonPool.close();
        engine.close();
    }

    @Benchmark
    public String catCall() {
        return check(catPool.call(REQUEST).block(), REQUEST);
    }

    @Benchmark
    public String pythonCall() {
        return check(pythonPool.call(REQUEST).block(), REQUEST);
    }

    @Benchmark
    public String pythonExecute() {
        ProcessResult r = engine.execute(pythonArgvEcho).block();
        return check(r.stdoutText(), REQUEST + "\n");
    }

    /** A pool of one and a pool of four workers of one kind; each benchmark drives one of them. */
    @State(Scope.Benchmark)
    public static class Scaling {
        @Param({"cat", "python"})
        public String worker;

        ProcessEngine engine;
        WorkerPool<String, String> one;
        WorkerPool<String, String> four;

        @Setup(Level.Trial)
        public void setUp() {
            engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(200)).build();
            Command command = "cat".equals(worker) ? Command.of("cat") : Command.of(PYTHON, "-u", "-c", ECHO);
            one = WorkerPool.builder(command).protocol(WorkerProtocol.lines()).sizeBetween(1, 1).build(engine);
            four = WorkerPool.builder(command).protocol(WorkerProtocol.lines()).sizeBetween(4, 4).build(engine);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            one.close();
            four.close();
            engine.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Long oneWorker(Scaling s) {
        return eightInFlight(s.one);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Long fourWorkers(Scaling s) {
        return eightInFlight(s.four);
    }

    private static Long eightInFlight(WorkerPool<String, String> pool) {
        return Flux.range(0, BATCH)
                .flatMap(i -> {
                    String request = "request-" + i;
                    return pool.call(request).doOnNext(reply -> check(reply, request));
                }, 8)
                .count().block();
    }

    private static String check(String actual, String expected) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException("expected " + expected + " but got " + actual);
        }
        return actual;
    }
}
