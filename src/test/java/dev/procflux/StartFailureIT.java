package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.ProcessStartException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

@EnabledOnOs(OS.LINUX)
class StartFailureIT {
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(2).build();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    private void expectStartFailure(Command command, Reason reason, String... messageParts) {
        StepVerifier.create(engine.execute(command))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ProcessStartException.class);
                    assertThat(((ProcessStartException) e).reason()).isEqualTo(reason);
                    for (String part : messageParts) {
                        assertThat(e).hasMessageContaining(part);
                    }
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void missingExecutableOnPathIsReportedByName() {
        expectStartFailure(Command.of("procflux-no-such-program", "arg"), Reason.EXECUTABLE_NOT_FOUND,
                "procflux-no-such-program", "not found on PATH");
        assertThat(engine.metrics().startFailures()).isEqualTo(1);
    }

    @Test
    void missingExecutablePathIsReported() {
        expectStartFailure(Command.of(tmp.resolve("nope").toString()), Reason.EXECUTABLE_NOT_FOUND,
                "does not exist");
    }

    @Test
    void fileWithoutExecutePermissionIsNotExecutable() throws IOException {
        Path script = Files.writeString(tmp.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        expectStartFailure(Command.of(script.toString()), Reason.NOT_EXECUTABLE, "not executable");
    }

    @Test
    void directoryAsExecutableIsNotExecutable() {
        expectStartFailure(Command.of(tmp.toString()), Reason.NOT_EXECUTABLE, "is a directory");
    }

    @Test
    void missingWorkingDirectoryIsDistinguished() {
        expectStartFailure(Command.of("true").withDirectory(tmp.resolve("missing")), Reason.DIRECTORY_NOT_FOUND,
                "working directory", "does not exist");
    }

    @Test
    void fileAsWorkingDirectoryIsDistinguished() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        expectStartFailure(Command.of("true").withDirectory(file), Reason.NOT_A_DIRECTORY, "is not a directory");
    }

    @Test
    void emptyArgvFailsToStart() {
        expectStartFailure(Command.of(), Reason.EMPTY_COMMAND, "empty command");
    }

    @Test
    void nulByteInAnArgumentFailsToStartNamingTheArgument() {
        expectStartFailure(Command.of("echo", "a\0b"), Reason.INVALID_ARGUMENT, "argv[1] contains a NUL byte");
    }

    @Test
    void nulByteInAnEnvironmentValueFailsToStart() {
        expectStartFailure(Command.of("true").withEnv("X", "a\0b"), Reason.INVALID_ARGUMENT,
                "environment variable X contains a NUL byte");
    }

    @Test
    void relativeExecutableResolvesAgainstTheWorkingDirectory() throws IOException {
        Path script = Files.writeString(tmp.resolve("hello.sh"), "#!/bin/sh\necho hello from $(pwd)\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessResult r = engine.execute(Command.of("./hello.sh").withDirectory(tmp)).block(Duration.ofSeconds(10));
        assertThat(r.stdoutText()).isEqualTo("hello from " + tmp.toRealPath() + "\n");
    }

    @Test
    void theEngineKeepsWorkingAfterStartFailures() {
        for (int i = 0; i < 20; i++) {
            StepVerifier.create(engine.execute(Command.of("procflux-missing")))
                    .expectError(ProcessStartException.class)
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(engine.execute(Command.of("true")).block(Duration.ofSeconds(10)).isSuccess()).isTrue();
    }
}
