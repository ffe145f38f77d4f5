package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command line through GNU parallel and through {@code procflux run}, for tests that compare the two.
 * GNU parallel must be installed (Debian package {@code parallel}, installed by CI): where it is missing the
 * comparison fails rather than comparing procflux with itself.
 */
final class GnuParallel {
    /** What a run printed on stdout and stderr, and its exit status. */
    record Run(String stdout, String stderr, int exitStatus) {
    }

    private GnuParallel() {
    }

    /** @return the path of GNU parallel's executable; fails the test where it is not installed */
    static Path executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "parallel");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("GNU parallel is not installed (Debian package 'parallel'): the comparison needs it");
    }

    /** Runs {@code parallel --will-cite ARGS} in {@code dir} with {@code stdin}. */
    static Run parallel(Path dir, byte[] stdin, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable().toString(), "--will-cite"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        // a fixed shell, so that GNU parallel does not pick up the test runner's
        pb.environment().put("PARALLEL_SHELL", "/bin/sh");
        pb.environment().put("TMPDIR", dir.toString());
        Process p = pb.start();
        // each blocking task on a thread of its own: the common pool may have a single thread (2 CPUs), on which the
        // stderr reader would keep the stdin writer from ever running while parallel waits for its stdin to close
        Executor ownThread = task -> new Thread(task, "gnu-parallel-io").start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            }
            catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, ownThread);
        CompletableFuture.runAsync(() -> {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
            catch (IOException e) {
                // the command line may not read stdin at all; a closed pipe is fine then
            }
        }, ownThread);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("parallel %s finished", args).isTrue();
        return new Run(out, new String(err.join(), StandardCharsets.UTF_8), p.exitValue());
    }

    /** Runs {@code procflux run ARGS} in this JVM with {@code stdin}. */
    static Run procflux(byte[] stdin, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> command = new ArrayList<>(List.of("run"));
        command.addAll(args);
        int status = Main.run(command.toArray(String[]::new), new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
    }

    /**
     * Runs {@code args} through both and asserts the same stdout and exit status.
     *
     * @return procflux's run, for further checks
     */
    static Run assertSameAsGnuParallel(Path dir, String stdin, List<String> args)
            throws IOException, InterruptedException {
        byte[] input = stdin.getBytes(StandardCharsets.UTF_8);
        Run gnu = parallel(dir, input, args);
        Run ours = procflux(input, args);
        assertThat(ours.stdout()).as("stdout of %s (GNU parallel's stderr: %s; procflux's: %s)", args, gnu.stderr(),
                ours.stderr()).isEqualTo(gnu.stdout());
        assertThat(ours.exitStatus()).as("exit status of %s (procflux's stderr: %s)", args, ours.stderr())
                .isEqualTo(gnu.exitStatus());
        return ours;
    }
}
