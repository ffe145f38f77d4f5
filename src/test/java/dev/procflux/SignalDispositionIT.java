package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Every child starts as a shell would start it: SIGPIPE at its default although the JVM ignores it, and no signal
 * blocked although the JVM's threads block SIGQUIT, whichever way it is started. Signals this JVM was started with
 * ignored (by whoever started it, as {@code nohup} does) stay ignored, as a shell passes them on.
 */
@EnabledOnOs(OS.LINUX)
class SignalDispositionIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Prints this shell's blocked and ignored signal masks on one line. */
    private static final String MASKS = "grep -E '^Sig(Blk|Ign)' /proc/$$/status | tr '\\n' ' ' | sed 's/ $//'";

    private static final long SIGPIPE_BIT = 1L << (13 - 1);

    private ProcessEngine engine;
    private String clean;

    @BeforeEach
    void setUp() throws IOException {
        engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(500)).build();
        long inherited = Long.parseUnsignedLong(status("/proc/self/status", "SigIgn:"), 16) & ~SIGPIPE_BIT;
        clean = String.format("SigBlk:\t%016x SigIgn:\t%016x", 0L, inherited);
    }

    private static String status(String file, String field) throws IOException {
        return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(field))
                .map(l -> l.substring(field.length()).trim()).findFirst().orElseThrow();
    }

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    @Test
    void executedChildHasNoSignalIgnoredOrBlocked() {
        ProcessResult r = engine.execute(Command.shell(MASKS)).block(WAIT);
        assertThat(r.stdoutText().trim()).isEqualTo(clean);
    }

    @Test
    void streamedChildHasNoSignalIgnoredOrBlocked() {
        String out = engine.stream(Command.shell(MASKS))
                .filter(o -> o.isStdout())
                .map(o -> new String(o.bytes(), StandardCharsets.UTF_8))
                .collect(Collectors.joining()).block(WAIT);
        assertThat(out.trim()).isEqualTo(clean);
    }

    @Test
    void workerHasNoSignalIgnoredOrBlocked() {
        try (WorkerPool<String, String> pool = WorkerPool.builder(
                Command.shell("while read -r line; do " + MASKS + "; echo; done")).sizeBetween(1, 1).build(engine)) {
            assertThat(pool.call("masks").block(WAIT)).isEqualTo(clean);
        }
    }

    @Test
    void pipelineWriterDiesOfSigpipeWhenItsReaderExits() {
        ProcessResult r = engine.execute(Command.shell("yes | head -1; while :; do echo x; done | head -1"))
                .block(WAIT);
        assertThat(r.stdoutText()).isEqualTo("y\nx\n");
        assertThat(r.stderrText()).isEmpty();
        assertThat(r.exitCode()).isZero();
    }
}
