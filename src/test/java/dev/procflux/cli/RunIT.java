package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code procflux run} end to end: real processes, through {@link Main} with captured streams, and through
 * {@code bin/procflux} (the shaded jar, built in {@code package}) where a signal must reach a real JVM.
 */
@EnabledOnOs(OS.LINUX)
class RunIT {
    @TempDir
    Path dir;

    @AfterEach
    void noChildProcessIsLeftBehind() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> liveDescendants().isEmpty());
    }

    @Test
    void keepOrderWithFourJobsPrintsExactlyTheBytesGnuParallelPrints() throws IOException {
        // finishing order differs from input order: the first job is the slowest, the fourth ends without newline
        Path jobs = write("jobs.txt",
                "sh -c 'sleep 0.4; echo one'",
                "echo two",
                "printf 'three\\nthree-b\\n'",
                "sh -c 'sleep 0.2; printf \"four, no newline\"'",
                "echo 'five  spaced'",
                "printf '%s|' héllo 'wörld ✓'",
                "sh -c 'echo to-stderr >&2; echo seven'");
        Result r = run("", "run", "-k", "-j", "4", "-f", jobs.toString());

        assertThat(r.exitCode).isZero();
        // what `parallel -k -j 4 < jobs.txt` prints for the same file: whole outputs, input order, bytes as is
        assertThat(r.out).isEqualTo("one\ntwo\nthree\nthree-b\nfour, no newlinefive  spaced\nhéllo|wörld ✓|seven\n");
        assertThat(r.err).isEqualTo("to-stderr\n");
        assertThat(r.out).isEqualTo(gnuParallel(jobs, "-k", "-j", "4"));
    }

    @Test
    void keepOrderOutputEqualsGnuParallelRunDirectly() throws Exception {
        Path jobs = write("many.txt", java.util.stream.IntStream.rangeClosed(1, 40)
                .mapToObj(i -> i % 3 == 0 ? "sh -c 'sleep 0.0" + (i % 7) + "; echo job " + i + "'"
                        : "printf 'line %s\\nsecond %s\\n' " + i + " " + i)
                .toArray(String[]::new));
        String expected = gnuParallel(jobs, "-k", "-j", "4");
        Result r = run("", "run", "-k", "-j", "4", "-f", jobs.toString());
        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo(expected);
    }

    /**
     * What {@code parallel ARGS < jobs} prints on stdout. GNU parallel is required (CI installs it): without it the
     * comparison fails here rather than compare procflux's output with itself.
     */
    private static String gnuParallel(Path jobs, String... args) throws IOException {
        assertThat(Path.of("/usr/bin/parallel"))
                .as("GNU parallel (Debian package 'parallel') is required to compare procflux run's output with it")
                .isExecutable();
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/parallel", "--will-cite"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(jobs.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    @Test
    void withoutKeepOrderEachJobsOutputIsStillWrittenWholeNeverInterleaved() throws IOException {
        List<String> lines = IntStream.rangeClosed(1, 24)
                .mapToObj(i -> "sh -c 'for n in 1 2 3 4; do echo job" + i + "-$n; sleep 0.01; done'")
                .collect(Collectors.toList());
        Result r = run(String.join("\n", lines) + "\n", "run", "-j", "8");

        assertThat(r.exitCode).isZero();
        String[] out = r.out.split("\n");
        assertThat(out).hasSize(96);
        for (int i = 0; i < out.length; i += 4) {
            String job = out[i].substring(0, out[i].indexOf('-'));
            assertThat(List.of(out[i], out[i + 1], out[i + 2], out[i + 3]))
                    .containsExactly(job + "-1", job + "-2", job + "-3", job + "-4");
        }
    }

    @Test
    void timeoutKillsEachJobsWholeTreeCountsItAsFailedAndLogsIt() throws IOException {
        Path jobs = write("jobs.txt",
                "sleep 10",
                "sleep 10",
                "sh -c 'sleep 10 & sleep 10; wait'",
                "echo quick");
        Path joblog = dir.resolve("joblog.tsv");
        Result r = run("", "run", "-k", "-j", "4", "--timeout", "1s", "--joblog", joblog.toString(), "-f",
                jobs.toString());

        assertThat(r.exitCode).isEqualTo(3);
        assertThat(r.out).isEqualTo("quick\n");
        assertThat(r.err).contains("procflux run: job 1: 'sleep 10' timed out after 1s (RUN); process tree killed, "
                + "ended with signal 15 (SIGTERM)\n")
                .contains("procflux run: job 3: 'sh -c 'sleep 10 & sleep 10; wait'' timed out after 1s");
        List<String> log = Files.readAllLines(joblog);
        assertThat(log).hasSize(5);
        assertThat(log.get(0)).isEqualTo(JobLog.HEADER);
        for (int seq = 1; seq <= 3; seq++) {
            String[] columns = log.get(seq).split("\t");
            assertThat(columns[0]).isEqualTo(Integer.toString(seq));
            assertThat(columns[1]).isEqualTo(":");
            // killed at the timeout, not run to the end of its 10 s (the signal column says how it ended)
            assertThat(Double.parseDouble(columns[3].trim())).isGreaterThanOrEqualTo(0.9).isLessThan(10.0);
            assertThat(columns[6]).as("Exitval").isEqualTo("-1");
            assertThat(columns[7]).as("Signal").isEqualTo("15");
        }
        assertThat(log.get(4).split("\t")).endsWith("0", "0", "echo quick");
    }

    @Test
    void haltNowStartsNoNewJobAfterTheFirstFailureAndKillsTheRunningOnes() throws IOException {
        Path started = dir.resolve("started");
        List<String> lines = new ArrayList<>();
        lines.add("sh -c 'sleep 0.3; exit 3'");
        for (int i = 0; i < 20; i++) {
            lines.add("sh -c 'echo " + i + " >> " + started + "; exec sleep 10'");
        }
        Path jobs = write("jobs.txt", lines.toArray(new String[0]));
        Result r = run("", "run", "-j", "4", "--halt", "now,fail=1", "--summary", "-f", jobs.toString());

        assertThat(r.exitCode).isEqualTo(1);
        // only the three that were running beside the failing job ever started
        assertThat(Files.readAllLines(started)).containsExactlyInAnyOrder("0", "1", "2");
        assertThat(r.err).contains("procflux run: halting (--halt now,fail=1): 1 failed; starting no more jobs and "
                + "killing the running ones\n")
                .contains("0 succeeded, 1 failed, 3 killed, 17 skipped");
    }

    @Test
    void haltNowLogsEveryKilledJobWithTheSignalItDiedOfAndNoJobThatNeverStarted() throws IOException {
        Path started = Files.createFile(dir.resolve("started"));
        List<String> lines = new ArrayList<>();
        // fails only once the three others run, so that all three are killed by the halt, never by chance
        lines.add("sh -c 'while [ $(wc -l < " + started + ") -lt 3 ]; do sleep 0.05; done; exit 3'");
        lines.add("sh -c 'echo 2 >> " + started + "; exec sleep 30'");
        // ignores SIGTERM (exec keeps that), so only the SIGKILL after the grace period ends it
        lines.add("sh -c 'trap \"\" TERM; echo 3 >> " + started + "; exec sleep 30'");
        lines.add("sh -c 'echo 4 >> " + started + "; exec sleep 30'");
        for (int i = 5; i <= 10; i++) {
            lines.add("sh -c 'echo " + i + " >> " + started + "; exec sleep 30'");
        }
        Path jobs = write("jobs.txt", lines.toArray(new String[0]));
        Path joblog = dir.resolve("joblog.tsv");

        Result r = run("", "run", "-j", "4", "--halt", "now,fail=1", "--summary", "--joblog", joblog.toString(), "-f",
                jobs.toString());

        assertThat(r.exitCode).isEqualTo(1);
        assertThat(Files.readAllLines(started)).containsExactlyInAnyOrder("2", "3", "4");
        assertThat(r.err).contains("0 succeeded, 1 failed, 3 killed, 6 skipped");
        Map<String, String[]> log = joblog(joblog);
        assertThat(log).containsOnlyKeys("1", "2", "3", "4");
        assertThat(exitvalAndSignal(log.get("1"))).containsExactly("3", "0");
        assertThat(exitvalAndSignal(log.get("2"))).containsExactly("-1", "15");
        assertThat(exitvalAndSignal(log.get("3"))).containsExactly("-1", "9");
        assertThat(exitvalAndSignal(log.get("4"))).containsExactly("-1", "15");
        for (String seq : List.of("1", "2", "3", "4")) {
            assertThat(log.get(seq)[8]).isEqualTo(lines.get(Integer.parseInt(seq) - 1));
        }
        for (String seq : List.of("2", "3", "4")) {
            // the real runtime: each ran until the halt killed it, after the failure ended
            assertThat(end(log.get(seq))).as("end of job %s", seq).isGreaterThanOrEqualTo(end(log.get("1")) - 0.002);
        }
    }

    @Test
    void anUnbalancedQuoteFailsOnlyItsOwnJobNamingTheLine() {
        Result r = run("echo first\necho 'oops\necho third\n", "run", "-k", "-j", "2");

        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.out).isEqualTo("first\nthird\n");
        assertThat(r.err).isEqualTo("procflux run: line 2: unbalanced single quote at column 6: echo 'oops\n");
    }

    @Test
    void twoThousandTrueJobsAtEightInFlightAllSucceed() {
        String jobs = "true\n".repeat(2_000);
        Result r = run(jobs, "run", "-j", "8", "--summary");

        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("procflux run: 2000 jobs in ").contains("2000 succeeded, 0 failed");
    }

    @Test
    void blankAndCommentLinesOfAJobFileAreNotJobsNorCountedAsSkipped() throws IOException {
        Path jobs = write("jobs.txt", "# a comment", "echo one", "", "   # indented comment", "echo two");
        Result r = run("", "run", "-k", "-j", "2", "--summary", "-f", jobs.toString());

        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo("one\ntwo\n");
        assertThat(r.err).startsWith("procflux run: 2 jobs in ").contains("2 succeeded, 0 failed").doesNotContain("skipped");
    }

    @Test
    void theExitStatusIsTheNumberOfFailedJobsCappedAt101() {
        Result r = run("false\n".repeat(105), "run", "-j", "8");
        assertThat(r.exitCode).isEqualTo(101);
        assertThat(run("false\nfalse\ntrue\n", "run").exitCode).isEqualTo(2);
    }

    @Test
    void aTemplateReplacesTheInputItsExtensionBasenameAndJobNumber() {
        Result r = run("docs/a.txt\nb c.log\n", "run", "-k", "--", "printf", "%s|%s|%s|%s\\n", "{}", "{.}", "{/}",
                "{#}");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo("docs/a.txt|docs/a|a.txt|1\nb c.log|b c|b c.log|2\n");
    }

    @Test
    void tagPrefixesEveryLineOfStdoutAndStderrWithTheInput() {
        Result r = run("x\ny\n", "run", "-k", "--tag", "--", "sh", "-c", "echo out-$0; echo err-$0 >&2; printf end");
        assertThat(r.out).isEqualTo("x\tout-x\nx\tend" + "y\tout-y\ny\tend");
        assertThat(r.err).isEqualTo("x\terr-x\ny\terr-y\n");
    }

    @Test
    void shellRunsEachLineWithShDashC() {
        Result r = run("echo a | tr a b\nx=1; echo $x > /dev/stdout\n", "run", "-k", "--shell");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo("b\n1\n");
    }

    @Test
    void retriesRunAFailedJobAgainAndOnlyTheLastAttemptsOutputIsShown() {
        Path marker = dir.resolve("marker");
        Result r = run("sh -c 'if [ -e " + marker + " ]; then echo second; else touch " + marker
                + "; echo first; exit 1; fi'\n", "run", "--retries", "1");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo("second\n");
    }

    @Test
    void aMissingExecutableFailsThatJobWithTheEnginesMessage() {
        Result r = run("no-such-command-procflux arg\necho ok\n", "run", "-k");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.out).isEqualTo("ok\n");
        assertThat(r.err).startsWith("procflux run: job 1: ").contains("no-such-command-procflux");
    }

    @Test
    void dryRunPrintsTheCommandsAndRunsNothing() {
        Path marker = dir.resolve("never");
        Result r = run("touch " + marker + "\necho 'a b'\n", "run", "--dry-run");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo("touch " + marker + "\necho 'a b'\n");
        assertThat(marker).doesNotExist();
    }

    @Test
    void interruptKillsEveryRunningTreePrintsWhatFinishedLogsTheKilledJobsAndReturns130() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(("echo finished\n" + "sh -c 'sleep 30 & sleep 30; wait'\n"
                + "sleep 30\n".repeat(10)).getBytes(StandardCharsets.UTF_8));
        Path joblog = dir.resolve("joblog.tsv");
        Main main = new Main(in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
                () -> main.run("run", "-j", "3", "--joblog", joblog.toString()));
        // echo done; sh with its two sleeps and two more sleeps running
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString(StandardCharsets.UTF_8).equals("finished\n")
                && liveDescendants().size() >= 5);

        main.interrupt();

        assertThat(status).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Main.EXIT_INTERRUPTED);
        assertThat(liveDescendants()).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("procflux run: interrupted; ")
                .endsWith(": 1 succeeded, 0 failed, 3 killed\n");
        Map<String, String[]> log = joblog(joblog);
        assertThat(log).containsOnlyKeys("1", "2", "3", "4");
        assertThat(exitvalAndSignal(log.get("1"))).containsExactly("0", "0");
        for (String seq : List.of("2", "3", "4")) {
            assertThat(exitvalAndSignal(log.get(seq))).as("job %s", seq).containsExactly("-1", "15");
        }
    }

    @Test
    void sigtermKillsTheRunningJobsLogsThemAndExitsWith143() throws Exception {
        signalledRunLogsEveryStartedJob("TERM", 143);
    }

    @Test
    void sigintKillsTheRunningJobsLogsThemAndExitsWith130() throws Exception {
        signalledRunLogsEveryStartedJob("INT", 130);
    }

    /**
     * Runs {@code bin/procflux} as a user does, sends it {@code signal} while three jobs run and four wait, and
     * checks the exit status, the summary, the complete joblog and that no job outlived procflux.
     */
    private void signalledRunLogsEveryStartedJob(String signal, int expectedStatus) throws Exception {
        Path jar = Path.of("target", "procflux.jar");
        assertThat(jar).as("the CLI jar, built by 'mvn package' before the integration tests").exists();
        Path jobs = write("jobs.txt", "echo finished", "sleep 30", "sleep 30", "sleep 30", "sleep 30", "sleep 30",
                "sleep 30", "sleep 30");
        Path joblog = dir.resolve("joblog.tsv");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        // env resets SIGINT: a test JVM started in the background by a non-interactive shell inherits it ignored,
        // and a JVM that starts with SIGINT ignored never handles it
        ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT",
                Path.of("bin", "procflux").toAbsolutePath().toString(), "run", "-j", "3", "--summary", "--joblog",
                joblog.toString(), "-f", jobs.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // bin/procflux runs the first java on the PATH: make it this JVM's
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
        Process procflux = pb.start();
        List<ProcessHandle> jobTrees = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.exists(joblog) && Files.readAllLines(joblog).size() == 2
                            && sleeps(procflux).size() == 3 || !procflux.isAlive());
            assertThat(procflux.isAlive()).as("procflux runs; stderr: %s", Files.readString(err)).isTrue();
            jobTrees.addAll(sleeps(procflux));

            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(procflux.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();

            assertThat(procflux.waitFor(30, TimeUnit.SECONDS)).as("procflux exits after SIG%s", signal).isTrue();
            assertThat(procflux.exitValue()).isEqualTo(expectedStatus);
            assertThat(Files.readString(out)).isEqualTo("finished\n");
            assertThat(Files.readString(err)).contains("procflux run: interrupted; 4 jobs in ")
                    .contains(": 1 succeeded, 0 failed, 3 killed, 4 skipped\n");
            // complete: every line ends, none is cut short by the exit
            assertThat(Files.readString(joblog)).endsWith("\n");
            Map<String, String[]> log = joblog(joblog);
            assertThat(log).containsOnlyKeys("1", "2", "3", "4");
            assertThat(exitvalAndSignal(log.get("1"))).containsExactly("0", "0");
            for (String seq : List.of("2", "3", "4")) {
                assertThat(exitvalAndSignal(log.get(seq))).as("job %s", seq).containsExactly("-1", "15");
                assertThat(log.get(seq)[8]).isEqualTo("sleep 30");
            }
            // procflux closed its engine before exiting, and close() returns once every killed tree is gone
            assertThat(jobTrees).as("jobs live when procflux had exited").noneMatch(RunIT::isLive);
            // a job killed as procflux exits is a zombie until init, its new parent, reaps it: a moment later
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(jobTrees)
                            .allSatisfy(p -> assertThat(p.isAlive()).as("job pid %d", p.pid()).isFalse()));
        }
        finally {
            // a failed run must not leave anything behind, whatever was asserted
            procflux.destroyForcibly();
            jobTrees.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The live {@code sleep} processes below {@code root}. */
    private static List<ProcessHandle> sleeps(Process root) {
        return root.descendants().filter(RunIT::isLive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .collect(Collectors.toList());
    }

    /** The joblog's lines after the header, by Seq; fails if the header is wrong or a Seq repeats. */
    private static Map<String, String[]> joblog(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).first().isEqualTo(JobLog.HEADER);
        return lines.stream().skip(1).map(l -> l.split("\t", -1))
                .peek(columns -> assertThat(columns).hasSize(9))
                .collect(Collectors.toMap(columns -> columns[0], columns -> columns));
    }

    private static List<String> exitvalAndSignal(String[] columns) {
        return List.of(columns[6], columns[7]);
    }

    /** Starttime + JobRuntime: when the job ended, in epoch seconds. */
    private static double end(String[] columns) {
        return Double.parseDouble(columns[2]) + Double.parseDouble(columns[3].trim());
    }

    @Test
    void usageErrorsExitWith255AndPointToHelp() {
        Result r = run("", "run", "--timeout", "soon");
        assertThat(r.exitCode).isEqualTo(255);
        assertThat(r.err).isEqualTo("procflux run: --timeout must be a duration such as 500ms, 30s, 2m, 1h or plain "
                + "seconds, was 'soon'\nTry 'procflux run --help'.\n");
    }

    @Test
    void helpAndVersionAndServeSayWhatTheyDo() {
        assertThat(run("", "run", "--help").out).startsWith("Usage: procflux run").contains("Examples:")
                .contains("130 after Ctrl-C, 143 after SIGTERM");
        assertThat(run("", "--help").out).startsWith("Usage: procflux <command>");
        assertThat(run("", "version").out).startsWith("procflux ");
        Result serve = run("", "serve");
        assertThat(serve.exitCode).isEqualTo(2);
        assertThat(serve.err).isEqualTo("procflux serve: --config FILE is required (see docs/examples/actions.yaml)"
                + "\nTry 'procflux serve --help'.\n");
    }

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Live descendants of this JVM; zombies not yet reaped do not count. */
    static List<ProcessHandle> liveDescendants() {
        return ProcessHandle.current().descendants().filter(RunIT::isLive).collect(Collectors.toList());
    }

    private static boolean isLive(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        }
        catch (IOException | RuntimeException e) {
            // gone between listing and reading: not live
            return false;
        }
    }

    private static final class Result {
        final int exitCode;
        final String out;
        final String err;

        Result(int exitCode, String out, String err) {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }
    }
}
