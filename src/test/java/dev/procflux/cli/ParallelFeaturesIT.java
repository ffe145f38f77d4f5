package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GNU parallel options of {@code procflux run} whose effect is not only on stdout: files ({@code --results},
 * {@code --files}, {@code --joblog} with {@code --resume}), the split of {@code --shard}, live output, timeouts;
 * compared with GNU parallel wherever it has the same option. Fails where GNU parallel is not installed.
 */
@EnabledOnOs(OS.LINUX)
class ParallelFeaturesIT {
    @TempDir
    Path dir;

    @AfterEach
    void noChildProcessIsLeftBehind() {
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                .noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void templateWordsAreArgvNotAShellLineWhichIsTheOneDeliberateDifference() throws Exception {
        // GNU parallel joins the words into a shell line, so the two spaces of one word collapse; procflux passes
        // each word as one argv element (docs/cli.md, "Differences from GNU parallel"); -q makes GNU do the same
        List<String> line = List.of("-k", "echo", "a  b", ":::", "x");
        assertThat(GnuParallel.parallel(dir, new byte[0], line).stdout()).isEqualTo("a b x\n");
        assertThat(GnuParallel.procflux(new byte[0], line).stdout()).isEqualTo("a  b x\n");
        List<String> quoted = List.of("-k", "-q", "echo", "a  b", ":::", "x");
        GnuParallel.assertSameAsGnuParallel(dir, "", quoted);
    }

    @Test
    void resultsWritesGnuParallelsDirectoryLayout() throws Exception {
        Path gnu = dir.resolve("gnu");
        Path ours = dir.resolve("ours");
        List<String> tail = List.of("-q", "sh", "-c", "echo out {1}; echo err {2} >&2", ":::", "a/x", "b", ":::",
                "1");
        run(gnu, tail, "--results");
        run(ours, tail, "--results");
        assertThat(tree(ours)).isEqualTo(tree(gnu)).containsEntry("1/a\\_x/2/1/stdout", "out a/x\n")
                .containsEntry("1/b/2/1/stderr", "err 1\n").containsEntry("1/b/2/1/seq", "2");
    }

    @Test
    void resultsUsesHeaderNamesForTheDirectories() throws Exception {
        Path gnu = dir.resolve("gnu");
        Path ours = dir.resolve("ours");
        List<String> tail = List.of("--header", ":", "echo", "{A}", ":::", "A", "a1", "a2", ":::", "B", "b1");
        run(gnu, tail, "--results");
        run(ours, tail, "--results");
        assertThat(tree(ours)).isEqualTo(tree(gnu)).containsEntry("A/a2/B/b1/stdout", "a2\n");
    }

    private void run(Path results, List<String> tail, String option) throws Exception {
        List<String> args = new ArrayList<>(List.of("-k", option, results.toString()));
        args.addAll(tail);
        if (results.getFileName().toString().equals("gnu")) {
            assertThat(GnuParallel.parallel(dir, new byte[0], args).exitStatus()).isZero();
        }
        else {
            GnuParallel.Run r = GnuParallel.procflux(new byte[0], args);
            assertThat(r.exitStatus()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEmpty();
        }
    }

    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }

    @Test
    void filesPrintsTheNamesOfFilesHoldingWhatGnuParallelsFilesHold() throws Exception {
        List<String> line = List.of("-k", "--files", "seq", ":::", "3", "1", "2");
        List<String> gnu = contents(GnuParallel.parallel(dir, new byte[0], line).stdout());
        GnuParallel.Run ours = GnuParallel.procflux(new byte[0], line);
        assertThat(ours.exitStatus()).isZero();
        assertThat(contents(ours.stdout())).isEqualTo(gnu).containsExactly("1\n2\n3\n", "1\n", "1\n2\n");
        assertThat(ours.stdout().lines()).allMatch(name -> name.matches(".*/par[^/]*\\.par"));
    }

    private static List<String> contents(String names) throws IOException {
        List<String> out = new ArrayList<>();
        for (String name : names.lines().collect(Collectors.toList())) {
            out.add(Files.readString(Path.of(name)));
            Files.delete(Path.of(name));
        }
        return out;
    }

    @Test
    void resumeRunsOnlyTheJobsAJoblogDoesNotHaveWhicheverToolWroteIt() throws Exception {
        // the first half with procflux, the rest with --resume by either tool: each reads the other's joblog
        Path ours = dir.resolve("ours.log");
        assertThat(GnuParallel.procflux(new byte[0], List.of("-k", "--joblog", ours.toString(), "echo", ":::", "a",
                "b")).stdout()).isEqualTo("a\nb\n");
        Path gnu = Files.copy(ours, dir.resolve("gnu.log"));
        List<String> all = List.of("echo", ":::", "a", "b", "c", "d");
        assertThat(GnuParallel.parallel(dir, new byte[0], concat("-k", "--resume", "--joblog", gnu.toString(), all))
                .stdout()).isEqualTo("c\nd\n");
        GnuParallel.Run resumed = GnuParallel.procflux(new byte[0], concat("-k", "--resume", "--joblog",
                ours.toString(), all));
        assertThat(resumed.stdout()).isEqualTo("c\nd\n");
        assertThat(seqs(ours)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(Files.readAllLines(ours)).filteredOn(l -> l.startsWith("Seq")).hasSize(1);
    }

    @Test
    void resumeFailedRerunsTheFailedJobsOfAGnuParallelJoblog() throws Exception {
        Path gnu = dir.resolve("gnu.log");
        GnuParallel.parallel(dir, new byte[0], List.of("-k", "-q", "--joblog", gnu.toString(), "sh", "-c",
                "exit {}", ":::", "0", "1", "0", "2"));
        Path ours = Files.copy(gnu, dir.resolve("ours.log"));
        List<String> rerun = List.of("-q", "sh", "-c", "echo {#}:{}", ":::", "0", "1", "0", "2");
        String expected = GnuParallel.parallel(dir, new byte[0], concat("-k", "--resume-failed", "--joblog",
                gnu.toString(), rerun)).stdout();
        GnuParallel.Run r = GnuParallel.procflux(new byte[0], concat("-k", "--resume-failed", "--joblog",
                ours.toString(), rerun));
        assertThat(r.stdout()).isEqualTo(expected).isEqualTo("2:1\n4:2\n");
        assertThat(r.exitStatus()).isZero();
        // the failed lines stay, the reruns are appended, as GNU parallel's joblog does
        assertThat(seqs(ours)).containsExactly(1L, 2L, 3L, 4L, 2L, 4L);
    }

    @Test
    void shardsSplitABatchSoTheirUnionRunsEachJobOnceAndTheirJoblogsMergeForResume() throws Exception {
        List<String> batch = new ArrayList<>(List.of("echo", "{#}", ":::"));
        IntStream.rangeClosed(1, 50).forEach(i -> batch.add("v" + i));
        List<String> outputs = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            Path log = dir.resolve("shard" + k + ".log");
            logs.add(log);
            GnuParallel.Run r = GnuParallel.procflux(new byte[0], concat("--shard", k + "/4", "--joblog",
                    log.toString(), batch));
            assertThat(r.exitStatus()).isZero();
            outputs.addAll(r.stdout().lines().collect(Collectors.toList()));
            int shard = k;
            assertThat(seqs(log)).isNotEmpty().allMatch(seq -> (seq - 1) % 4 == shard);
        }
        assertThat(outputs).hasSize(50).doesNotHaveDuplicates();
        assertThat(outputs.stream().map(Long::parseLong)).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, 50).mapToObj(i -> (long) i).collect(Collectors.toList()));
        // merged like docs/scaling.md says: one header, then every shard's lines
        Path merged = dir.resolve("merged.log");
        List<String> lines = new ArrayList<>(List.of(JobLog.HEADER));
        for (Path log : logs.subList(0, 3)) {
            lines.addAll(Files.readAllLines(log).subList(1, Files.readAllLines(log).size()));
        }
        Files.write(merged, lines);
        // shard 3 of 4 never ran in this merged log: --resume runs exactly its jobs
        GnuParallel.Run rest = GnuParallel.procflux(new byte[0], concat("-k", "--resume", "--joblog",
                merged.toString(), batch));
        assertThat(rest.stdout().lines().map(Long::parseLong)).containsExactly(4L, 8L, 12L, 16L, 20L, 24L, 28L, 32L,
                36L, 40L, 44L, 48L);
        GnuParallel.Run none = GnuParallel.procflux(new byte[0], concat("--resume", "--joblog", merged.toString(),
                batch));
        assertThat(none.stdout()).isEmpty();
        assertThat(seqs(merged)).hasSize(50).doesNotHaveDuplicates();
    }

    private static List<Long> seqs(Path log) throws IOException {
        return Files.readAllLines(log).stream().skip(1).map(l -> Long.parseLong(l.split("\t")[0]))
                .collect(Collectors.toList());
    }

    @Test
    void lineBufferWritesWholeLinesOfRunningJobsNeverHalfLinesInterleaved() {
        // each job writes half a line, pauses while the others write theirs, then ends the line
        GnuParallel.Run r = GnuParallel.procflux(new byte[0], List.of("-j", "8", "--line-buffer", "sh", "-c",
                "printf '%s-first-half ' {}; sleep 0.2; echo {}-second-half; echo {}-done", ":::", "1", "2", "3",
                "4", "5", "6", "7", "8"));
        assertThat(r.exitStatus()).isZero();
        List<String> lines = r.stdout().lines().collect(Collectors.toList());
        assertThat(lines).hasSize(16);
        for (String line : lines) {
            assertThat(line).matches("(\\d)-first-half \\1-second-half|\\d-done");
        }
    }

    @Test
    void timeoutInPercentKillsAJobThatRunsTwiceTheMedianOfTheSucceededOnes() throws IOException {
        Path log = dir.resolve("log");
        GnuParallel.Run r = GnuParallel.procflux(new byte[0], List.of("-j", "1", "--timeout", "200%", "--joblog",
                log.toString(), "sleep", ":::", "0.2", "0.2", "0.2", "30"));
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.stderr()).contains("job 4").contains("timed out");
        List<String> last = Arrays.asList(Files.readAllLines(log).get(4).split("\t"));
        assertThat(last.get(6)).isEqualTo("-1");
        assertThat(Double.parseDouble(last.get(3).trim())).isLessThan(10);
    }

    @Test
    void retriesWithARetryDelayRunTheJobAgainAndShowTheLastAttemptsOutput() throws IOException {
        Path counter = dir.resolve("count");
        GnuParallel.Run r = GnuParallel.procflux(new byte[0], List.of("--retries", "3", "--retry-delay", "50ms",
                "sh", "-c", "echo x >> " + counter + "; n=$(wc -l < " + counter + "); echo attempt $n; "
                        + "[ $n -ge 3 ]", ":::", "a"));
        assertThat(r.exitStatus()).isZero();
        assertThat(r.stdout()).isEqualTo("attempt 3\n");
        assertThat(Files.readAllLines(counter)).hasSize(3);
    }

    @Test
    void noCommandAndNoArgumentsFailsWithAMessageRatherThanRunningNothing() {
        GnuParallel.Run r = GnuParallel.procflux(new byte[0], List.of("--pipe"));
        assertThat(r.exitStatus()).isEqualTo(Main.EXIT_RUN_ERROR);
        assertThat(r.stderr()).contains("--pipe needs a command");
    }

    private static List<String> concat(String a, String b, String c, String d, List<String> rest) {
        List<String> out = new ArrayList<>(List.of(a, b, c, d));
        out.addAll(rest);
        return out;
    }

    private static List<String> concat(String a, String b, String c, List<String> rest) {
        List<String> out = new ArrayList<>(List.of(a, b, c));
        out.addAll(rest);
        return out;
    }

    private static List<String> concat(String a, String b, String c, String d, String e, List<String> rest) {
        List<String> out = new ArrayList<>(List.of(a, b, c, d, e));
        out.addAll(rest);
        return out;
    }
}
