package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.test.StepVerifier;

@EnabledOnOs(OS.LINUX)
class ExecuteIT {
    private ProcessEngine engine;

    @BeforeEach
    void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(4).killGracePeriod(Duration.ofMillis(500)).build();
    }

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    @Test
    void executeCapturesStdoutStderrExitCodeAndPid() {
        ProcessResult r = engine.execute(Command.shell("echo out; echo err >&2; exit 3")).block(Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.exitStatus().isSignaled()).isFalse();
        assertThat(r.stdoutText()).isEqualTo("out\n");
        assertThat(r.stderrText()).isEqualTo("err\n");
        assertThat(r.pid()).isPositive();
        assertThat(r.duration()).isPositive();
        assertThat(engine.metrics().failed()).isEqualTo(1);
    }

    @Test
    void trueSucceedsWithEmptyOutput() {
        StepVerifier.create(engine.execute(Command.of("true")))
                .assertNext(r -> {
                    assertThat(r.isSuccess()).isTrue();
                    assertThat(r.stdoutSize()).isZero();
                })
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(engine.metrics().succeeded()).isEqualTo(1);
    }

    @Test
    void exitCode127FromShellIsAnExitNotAStartFailure() {
        ProcessResult r = engine.execute(Command.shell("nosuchcmd-procflux")).block(Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.exitStatus().isSignaled()).isFalse();
        assertThat(r.stderrText()).contains("nosuchcmd-procflux");
    }

    @Test
    void deathBySignalIsReportedAsSignalNotAsExitCode() {
        ProcessResult killed = engine.execute(Command.shell("kill -9 $$")).block(Duration.ofSeconds(10));
        assertThat(killed.exitStatus().isSignaled()).isTrue();
        assertThat(killed.exitStatus().signal()).hasValue(9);
        assertThat(killed.exitCode()).isEqualTo(137);

        ProcessResult exited = engine.execute(Command.shell("exit 9")).block(Duration.ofSeconds(10));
        assertThat(exited.exitStatus().isSignaled()).isFalse();
        assertThat(exited.exitCode()).isEqualTo(9);
    }

    @Test
    void stdinTextReachesTheProcess() {
        ProcessResult r = engine.execute(Command.of("cat").withStdin("hello, stdin")).block(Duration.ofSeconds(10));
        assertThat(r.stdoutText()).isEqualTo("hello, stdin");
    }

    @Test
    void stdinIsClosedWhenNoneIsGiven() {
        ProcessResult r = engine.execute(Command.of("cat")).block(Duration.ofSeconds(10));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.stdoutSize()).isZero();
    }

    @Test
    void environmentAndDirectoryAreApplied() {
        ProcessResult r = engine.execute(Command.shell("echo \"$PROCFLUX_X\"; pwd")
                .withEnv("PROCFLUX_X", "value 1").withDirectory(java.nio.file.Path.of("/tmp")))
                .block(Duration.ofSeconds(10));
        assertThat(r.stdoutText()).isEqualTo("value 1\n/tmp\n");
    }

    @Test
    void withoutInheritedEnvPassesOnlyExplicitVariables() {
        ProcessResult r = engine.execute(Command.of("/usr/bin/env").withoutInheritedEnv().withEnv("ONLY", "1"))
                .block(Duration.ofSeconds(10));
        assertThat(r.stdoutText()).isEqualTo("ONLY=1\n");
    }

    @Test
    void outputOverTheLimitFailsAndKillsUnderFailPolicy() {
        StepVerifier.create(engine.execute(Command.of("head", "-c", "10000000", "/dev/zero")
                        .withMaxOutputBytes(1_000_000, OutputLimitPolicy.FAIL)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessOutputOverflowException.class)
                        .hasMessageContaining("maxOutputBytes=1000000")
                        .hasMessageContaining("head -c 10000000 /dev/zero"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void outputOverTheLimitIsTruncatedUnderTruncatePolicy() {
        ProcessResult r = engine.execute(Command.of("head", "-c", "10000000", "/dev/zero")
                .withMaxOutputBytes(1_000_000, OutputLimitPolicy.TRUNCATE)).block(Duration.ofSeconds(10));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.stdoutSize()).isEqualTo(1_000_000);
        assertThat(r.isStdoutTruncated()).isTrue();
        assertThat(r.isStderrTruncated()).isFalse();
    }

    @Test
    void nonUtf8OutputIsKeptAsBytes() {
        ProcessResult r = engine.execute(Command.of("printf", "\\377\\376")).block(Duration.ofSeconds(10));
        assertThat(r.stdout()).containsExactly((byte) 0xff, (byte) 0xfe);
        assertThat(r.stdoutText(StandardCharsets.ISO_8859_1)).isEqualTo("\u00ff\u00fe");
    }

    @Test
    void invalidArgumentsThrowAtCallTime() {
        assertThatThrownBy(() -> engine.execute(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("command");
        assertThatThrownBy(() -> Command.of("true").withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be positive, or negative for no timeout, was PT0S");
        assertThatThrownBy(() -> Command.of("true", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("argv[1]");
    }
}
