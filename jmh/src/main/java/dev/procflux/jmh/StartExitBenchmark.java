package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * {@code /bin/true} one at a time: start, wait for the exit, repeat. Every variant waits for the exit to be
 * reported, so this measures start cost plus exit-detection latency.
 *
 * <p>Raw NuProcess reports an exit only when its I/O loop polls {@code waitpid}, every 250 ms when idle, so it runs
 * at a few operations per second; keep its iterations short (it is still correct with the defaults, only slow).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
// JNA (used by NuProcess and procflux) is restricted native access on JDK 24+; JDK 17 accepts the flag as well
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class StartExitBenchmark {
    static final List<String> TRUE = List.of("/bin/true");

    private ProcessEngine engine;
    private Command command;

    @Setup(Level.Trial)
    public void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(8).build();
        command = Command.of(TRUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public int processBuilder() {
        return JdkProcesses.run(TRUE);
    }

    @Benchmark
    public int ztExec() throws IOException, InterruptedException, TimeoutException {
        return new ProcessExecutor().command(TRUE).execute().getExitValue();
    }

    @Benchmark
    public void rawNuProcess() throws InterruptedException {
        RawNuProcess.run(TRUE);
    }

    @Benchmark
    public int procflux() {
        ProcessResult r = engine.execute(command).block();
        return r.exitCode();
    }
}
