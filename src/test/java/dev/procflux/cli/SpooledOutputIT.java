package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job output held until it is written: {@code -k} writes the oldest job the moment it ends while later jobs keep
 * running, their output spooled with a bounded heap; {@code --results} and {@code --files} copy spooled output of any
 * size. Runs {@code bin/procflux} (a JVM of its own, with a 64 MB heap where the size matters) through real pipes.
 */
@EnabledOnOs(OS.LINUX)
class SpooledOutputIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** A job writing {@code $0} bytes of lines, for {@code sh -c}. */
    private static final String BIG_JOB = "'yes abcdefghij | head -c $0'";

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void nothingIsLeftRunning() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> started.stream().noneMatch(Process::isAlive));
    }

    @Test
    void keepOrderWritesTheFirstJobTheMomentItEndsWhileTheSecondStillRuns() throws Exception {
        Path go = dir.resolve("go");
        Process p = piped("printf '%s\\n' 'sleep 0.2; echo first' 'until [ -e " + go + " ]; do sleep 0.05; done; "
                + "echo second' | procflux run --shell -k -j 2");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> readLine(out));

        // the second job cannot end before `go` exists, and `go` is made only once the first line has arrived
        assertThat(firstLine).succeedsWithin(WAIT).isEqualTo("first");
        assertThat(p.isAlive()).as("procflux still runs the second job").isTrue();
        Files.createFile(go);
        assertThat(readLine(out)).isEqualTo("second");
        assertThat(readLine(out)).isNull();
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("stderr: %s", stderr()).isZero();
    }

    @Test
    void keepOrderStartsLaterJobsWhileTheFirstRunsAndWritesEachInInputOrderAsGnuParallelDoes() throws Exception {
        // the first job waits for the third: with two slots, the third must start while the first still runs
        Path go = dir.resolve("go");
        String jobs = String.join("\n", "until [ -e " + go + " ]; do sleep 0.05; done; echo one", "echo two",
                "touch " + go + "; echo three", "echo four") + "\n";
        Files.writeString(dir.resolve("jobs"), jobs);
        Process p = script("procflux run --shell -k -j 2 < jobs");
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first job ended: the third ran").isTrue();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("one\ntwo\nthree\nfour\n");
        assertThat(p.exitValue()).as("stderr: %s", stderr()).isZero();

        Files.delete(go);
        GnuParallel.Run gnu = GnuParallel.parallel(dir, jobs.getBytes(StandardCharsets.UTF_8), List.of("-k", "-j", "2"));
        assertThat(gnu.stdout()).isEqualTo(Files.readString(dir.resolve("out")));
    }

    @Test
    void keepOrderHoldsFifteenMegabytesBehindASlowFirstJobInA64MegabyteHeap() throws Exception {
        assertHeldInOrder("-k");
    }

    @Test
    void keepOrderWithLineBufferHoldsFifteenMegabytesBehindASlowFirstJobInA64MegabyteHeap() throws Exception {
        assertHeldInOrder("-k --line-buffer");
    }

    /**
     * 300 jobs of 50 kB each end while the first job waits for the last one: their output waits in spools (beyond
     * the heap budget of all spools, in files) and comes out whole, in input order.
     */
    private void assertHeldInOrder(String options) throws Exception {
        Path go = dir.resolve("go");
        // each job: a line naming it, then 100,000 bytes of lines; the last job lets the first one end
        String job = "sh -c 'if [ $0 = 1 ]; then until [ -e " + go + " ]; do sleep 0.05; done; fi; "
                + "if [ $0 = 300 ]; then touch " + go + "; fi; echo job $0; yes $0 | head -c 50000' {}";
        Process p = script("seq 300 | PROCFLUX_JAVA_OPTS=-Xmx64m procflux run " + options + " -j 4 -- " + job
                + " | cksum; echo \"${PIPESTATUS[1]}\" >&2");
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Process expected = new ProcessBuilder("sh", "-c",
                "for i in $(seq 300); do echo job $i; yes $i | head -c 50000; done | cksum").start();
        assertThat(expected.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out")))
                .isEqualTo(new String(expected.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertThat(stderr()).isEqualTo("0\n");
    }

    @Test
    void resultsCopiesTwoHundredMegabytesOfOneJobIntoItsFileInA64MegabyteHeap() throws Exception {
        Process p = script("PROCFLUX_JAVA_OPTS=-Xmx64m procflux run --results res -- sh -c " + BIG_JOB
                + " {} ::: 200000000; echo $? >&2");
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(stderr()).isEqualTo("0\n");
        Path job = dir.resolve("res/1/200000000");
        assertBigJobsOutput(job.resolve("stdout"));
        assertThat(job.resolve("stderr")).isEmptyFile();
        assertThat(job.resolve("seq")).hasContent("1");
    }

    @Test
    void filesCopiesTwoHundredMegabytesOfOneJobIntoItsFileInA64MegabyteHeap() throws Exception {
        Process p = script("PROCFLUX_JAVA_OPTS=-Xmx64m TMPDIR=" + dir + " procflux run --files -- sh -c " + BIG_JOB
                + " {} ::: 200000000; echo $? >&2");
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(stderr()).isEqualTo("0\n");
        List<String> names = Files.readAllLines(dir.resolve("out"));
        assertThat(names).hasSize(1);
        assertThat(Path.of(names.get(0)).getParent()).isEqualTo(dir);
        assertBigJobsOutput(Path.of(names.get(0)));
    }

    @Test
    void lineBufferHoldsAHundredMegabyteLineOutsideA64MegabyteHeapAndWritesItWholeAsGnuParallelDoes()
            throws Exception {
        // the first job's line stays open until the second job's lines are in the output: they must come first,
        // whole, and the 100 MB line after them in one piece
        String jobs = "head -c 100000000 /dev/zero; until [ -e go ]; do sleep 0.05; done; echo\n"
                + "echo line1; echo line2; echo line3; until grep -q line3 \"$RES\"; do sleep 0.05; done; touch go\n";
        String expected = "{ printf 'line1\\nline2\\nline3\\n'; head -c 100000000 /dev/zero; echo; }";
        assertSameAsGnuParallelWithin64Megabytes(jobs, "--line-buffer -j 2", expected);
    }

    @Test
    void keepOrderWithLineBufferHoldsAHundredMegabyteLineOfALaterJobOutsideA64MegabyteHeap() throws Exception {
        String jobs = "until [ -e go ]; do sleep 0.05; done; echo first\n"
                + "head -c 100000000 /dev/zero; echo; touch go\n";
        String expected = "{ echo first; head -c 100000000 /dev/zero; echo; }";
        assertSameAsGnuParallelWithin64Megabytes(jobs, "-k --line-buffer -j 2", expected);
    }

    /**
     * Runs {@code jobs} (shell lines; {@code $RES} names the output file) through {@code procflux run} with a 64 MB
     * heap and through GNU parallel, and compares both outputs with what {@code expected} prints, by checksum.
     */
    private void assertSameAsGnuParallelWithin64Megabytes(String jobs, String options, String expected)
            throws Exception {
        GnuParallel.executable();
        Files.writeString(dir.resolve("jobs"), jobs);
        Process p = script("RES=p.res PROCFLUX_JAVA_OPTS=-Xmx64m procflux run --shell " + options + " < jobs > p.res"
                + "; echo $? >&2; rm -f go; RES=g.res parallel --will-cite " + options + " < jobs > g.res"
                + "; echo $? >&2; cksum < p.res; cksum < g.res; " + expected + " | cksum");
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(stderr()).isEqualTo("0\n0\n");
        List<String> sums = Files.readAllLines(dir.resolve("out"));
        assertThat(sums).hasSize(3);
        assertThat(sums.get(1)).as("GNU parallel").isEqualTo(sums.get(2));
        assertThat(sums.get(0)).as("procflux").isEqualTo(sums.get(2));
    }

    /** 200,000,000 bytes of lines, as {@link #BIG_JOB} writes them: size and checksum. */
    private static void assertBigJobsOutput(Path file) throws Exception {
        assertThat(Files.size(file)).isEqualTo(200_000_000L);
        Process sums = new ProcessBuilder("sh", "-c", "cksum < \"$0\"; yes abcdefghij | head -c 200000000 | cksum",
                file.toString()).start();
        List<String> lines = new String(sums.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(sums.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).as("checksum of %s", file).isEqualTo(lines.get(1));
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("err"));
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a bash script in {@link #dir} with {@code procflux} on the PATH; stdout to {@code out}, stderr to {@code err}. */
    private Process script(String script) throws IOException {
        return start(script, ProcessBuilder.Redirect.to(dir.resolve("out").toFile()));
    }

    /** As {@link #script(String)}, with stdout a pipe the test reads as the script writes it. */
    private Process piped(String script) throws IOException {
        return start(script, ProcessBuilder.Redirect.PIPE);
    }

    private Process start(String script, ProcessBuilder.Redirect stdout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("setsid", "env", "--default-signal=INT,PIPE", "bash", "-c", script)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout)
                .redirectError(dir.resolve("err").toFile());
        pb.environment().put("PATH", Path.of("bin").toAbsolutePath() + ":"
                + Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        started.add(p);
        return p;
    }
}
