package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * Arguments and environment values carry any byte but NUL to the process, byte for byte: raw bytes travel in
 * strings as {@code U+DC80..U+DCFF} ({@link Command#argument(byte[])}).
 */
@EnabledOnOs(OS.LINUX)
class RawBytesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] CAFE_LATIN1 = {'c', 'a', 'f', (byte) 0xe9, '.', 't', 'x', 't'};

    private final ProcessEngine engine = ProcessEngine.builder().closeOnShutdown(false).build();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    private byte[] stdout(Command command) {
        ProcessResult r = engine.execute(command).block(WAIT);
        assertThat(r.exitCode()).as("exit status of %s: %s", command, new String(r.stderr(), StandardCharsets.UTF_8))
                .isZero();
        return r.stdout();
    }

    @Test
    void printfReceivesEveryByteButNulExactlyWhateverTheShellWouldMakeOfIt() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes("-n $(touch pwned) `x` 'q' \"d\" %s \\n \\377 ".getBytes(StandardCharsets.UTF_8));
        for (int b = 1; b < 256; b++) {
            all.write(b);
        }
        all.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8)); // trailing newlines, which $(...) would strip
        byte[] bytes = all.toByteArray();
        String argument = Command.argument(bytes);
        assertThat(Command.argumentBytes(argument)).isEqualTo(bytes);

        assertThat(stdout(Command.of("printf", "%s", argument).withDirectory(dir))).isEqualTo(bytes);
        // the same bytes as the first word, the script of a shell, and after valid UTF-8 in a neighbour argument
        assertThat(stdout(Command.of("printf", "%s|%s", "grüße", argument))).isEqualTo(concat(
                "grüße|".getBytes(StandardCharsets.UTF_8), bytes));
        assertThat(stdout(Command.shell("printf '%s' caf\uDCE9"))).isEqualTo(new byte[] {'c', 'a', 'f', (byte) 0xe9});
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void aFileNamedInLatin1IsListedReadAndPassedOnByteForByte() throws Exception {
        // created by printf in a shell, independently of the bytes-in-arguments support under test
        assertThat(stdout(Command.shell("printf 'contents\\n' > \"$(printf 'caf\\351.txt')\"").withDirectory(dir)))
                .isEmpty();
        byte[] listed = stdout(Command.of("ls").withDirectory(dir));
        assertThat(listed).isEqualTo(concat(CAFE_LATIN1, new byte[] {'\n'}));

        String name = Command.argument(Arrays.copyOf(listed, listed.length - 1));
        assertThat(name).isEqualTo("caf\uDCE9.txt");
        assertThat(stdout(Command.of("cat", "--", name).withDirectory(dir)))
                .isEqualTo("contents\n".getBytes(StandardCharsets.UTF_8));
        assertThat(stdout(Command.of("ls", "--", name).withDirectory(dir))).isEqualTo(listed);
        // od shows what the child received, as octal
        assertThat(new String(stdout(Command.of("sh", "-c", "printf %s \"$1\" | od -An -c", "sh", name)),
                StandardCharsets.UTF_8)).isEqualTo(new String(stdout(Command.of("sh", "-c",
                        "printf 'caf\\351.txt' | od -An -c")), StandardCharsets.UTF_8));
        Path absolute = dir.resolve("x").getParent();
        assertThat(stdout(Command.of("cat", absolute + "/" + name)))
                .isEqualTo("contents\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void environmentValuesCarryRawBytesAndTheRestOfTheEnvironmentIsUnchanged() {
        Command env = Command.of("env").withoutInheritedEnv().withEnv("NAME", "caf\uDCE9").withEnv("A-B", "1")
                .withEnv("IFS", "x").withEnv("PPID", "3").withEnv("BASH_FUNC_f%%", "() { :; }");
        String[] lines = new String(stdout(env), StandardCharsets.ISO_8859_1).split("\n");
        Arrays.sort(lines);
        assertThat(lines).containsExactly("A-B=1", "BASH_FUNC_f%%=() { :; }", "IFS=x", "NAME=caf\u00e9", "PPID=3");

        Command inherited = Command.of("sh", "-c", "printf %s \"$NAME\"").withEnv("NAME", "caf\uDCE9");
        assertThat(stdout(inherited)).isEqualTo(new byte[] {'c', 'a', 'f', (byte) 0xe9});
        assertThat(stdout(Command.of("printenv", "HOME").withEnv("NAME", "caf\uDCE9")))
                .isEqualTo((System.getenv("HOME") + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theProcessTheEngineWatchesIsTheCommandItselfWithOrWithoutRawBytes() throws Exception {
        for (String marker : new String[] {"café", "caf\uDCE9"}) {
            AtomicLong pid = new AtomicLong();
            // tail follows /dev/null whatever becomes of the missing file named by the marker
            Command tail = Command.of("tail", "-f", "/dev/null", marker);
            Disposable running = engine.stream(tail, pid::set).subscribe(output -> { }, expected -> { });
            await().atMost(WAIT).until(() -> pid.get() > 0 && Files.exists(Path.of("/proc/" + pid + "/cmdline"))
                    && Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))[0] == 't');
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            assertThat(cmdline).as(marker).isEqualTo(concat("tail\0-f\0/dev/null\0"
                    .getBytes(StandardCharsets.UTF_8), Command.argumentBytes(marker), new byte[] {0}));
            assertThat(ProcessHandle.of(pid.get()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                    .contains(ProcessHandle.current().pid());
            running.dispose();
            await().atMost(WAIT).until(() -> OsProcesses.state(pid.get()) == '?');
        }
    }

    @Test
    void aMissingExecutableFailsToStartTheSameWayWhetherItsNameOrArgumentsHoldRawBytes() {
        for (String missing : new String[] {"procflux-no-such-program", "./procflux-no-such-program"}) {
            ProcessStartException plain = startFailure(Command.of(missing, "x").withDirectory(dir));
            for (Command raw : new Command[] {Command.of(missing, "caf\uDCE9"),
                    Command.of(missing + "\uDCE9", "x"), Command.of(missing + "\uDCE9", "caf\uDCE9")}) {
                ProcessStartException e = startFailure(raw.withDirectory(dir));
                assertThat(e.reason()).as(raw.commandLine())
                        .isEqualTo(ProcessStartException.Reason.EXECUTABLE_NOT_FOUND).isEqualTo(plain.reason());
                assertThat(e.getMessage().replace(raw.commandLine(), "LINE").replace(raw.argv().get(0), "NAME"))
                        .isEqualTo(plain.getMessage().replace(plain.commandLine(), "LINE").replace(missing, "NAME"))
                        .contains("NAME");
            }
        }
        assertThat(startFailure(Command.of("./caf\uDCE9").withDirectory(dir)))
                .hasMessage("cannot start './caf\uDCE9': executable ./caf\uDCE9 does not exist");
    }

    @Test
    void anExecutableNamedInRawBytesIsCheckedOnItsBytesAndRunsWhenItIsThere() {
        // made by a shell, independently of the start checks under test
        assertThat(stdout(Command.shell("printf '#!/bin/sh\\necho ran\\n' > \"$(printf 'run\\351')\"; "
                + "chmod +x \"$(printf 'run\\351')\"; printf 'echo no\\n' > \"$(printf 'plain\\351')\"; "
                + "mkdir \"$(printf 'dir\\351')\"").withDirectory(dir))).isEmpty();
        byte[] ran = "ran\n".getBytes(StandardCharsets.UTF_8);
        assertThat(stdout(Command.of("./run\uDCE9").withDirectory(dir))).isEqualTo(ran);
        assertThat(stdout(Command.of(dir + "/run\uDCE9"))).isEqualTo(ran);
        ProcessStartException notExecutable = startFailure(Command.of("./plain\uDCE9").withDirectory(dir));
        assertThat(notExecutable.reason()).isEqualTo(ProcessStartException.Reason.NOT_EXECUTABLE);
        assertThat(notExecutable).hasMessage("cannot start './plain\uDCE9': ./plain\uDCE9 is not executable "
                + "(permission denied)");
        ProcessStartException directory = startFailure(Command.of("./dir\uDCE9").withDirectory(dir));
        assertThat(directory.reason()).isEqualTo(ProcessStartException.Reason.NOT_EXECUTABLE);
        assertThat(directory).hasMessage("cannot start './dir\uDCE9': ./dir\uDCE9 is a directory, not an executable");
    }

    private ProcessStartException startFailure(Command command) {
        Throwable e = catchThrowable(() -> engine.execute(command).block(WAIT));
        assertThat(e).as(command.commandLine()).isInstanceOf(ProcessStartException.class);
        return (ProcessStartException) e;
    }

    @Test
    void anArgumentWithANulByteIsStillRefused() {
        StepVerifier.create(engine.execute(Command.of("printf", "%s", "caf\uDCE9\0")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessStartException.class)
                        .hasMessageContaining("argv[2] contains a NUL byte")
                        .extracting(x -> ((ProcessStartException) x).reason())
                        .isEqualTo(ProcessStartException.Reason.INVALID_ARGUMENT))
                .verify(WAIT);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
