package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code procflux run} used from a shell, as {@code bin/procflux} in its own session: real pipes between
 * processes, real signals to the whole process group, and the exit statuses a script checks.
 */
@EnabledOnOs(OS.LINUX)
class ShellUseIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Long> sessions = new ArrayList<>();

    @AfterEach
    void nothingOfAnySessionIsLeft() throws IOException {
        List<Long> left = new ArrayList<>();
        for (long sid : sessions) {
            left.addAll(inSession(sid));
            // whatever a failed test left behind must not outlive it
            inSession(sid).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        assertThat(left).as("processes left in the sessions the tests started").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> RunIT.liveDescendants().isEmpty());
    }

    @Test
    void jobsPipelinesEndWhenTheirReaderExitsAsInAShell() {
        Result r = inProcess("yes | head -1\nwhile :; do echo x; done | head -1\n", "run", "--shell", "-k");
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo("y\nx\n");
        assertThat(r.exitCode).isZero();
    }

    @Test
    void ctrlCToTheProcessGroupKillsBackgroundSubshellsWhoseParentDied() throws Exception {
        // `( … ) &` in a non-interactive sh ignores SIGINT, and its parent dies of the terminal's SIGINT first
        Path jobs = write("jobs.txt",
                "( sleep 300 ) & ( sleep 300 & wait ) & sleep 300",
                "( sleep 300 ) & sleep 300");
        Process procflux = session(List.of("run", "--shell", "-j", "2", "-f", jobs.toString()), null);
        long sid = procflux.pid();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> commands(sid).stream().filter(c -> c.equals("sleep")).count() == 5
                        || !procflux.isAlive());
        assertThat(procflux.isAlive()).as("procflux runs: %s", commands(sid)).isTrue();

        // what a terminal does on Ctrl-C: SIGINT to every process of the foreground process group
        Process kill = new ProcessBuilder("kill", "-s", "INT", "--", "-" + sid).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(procflux.waitFor(30, TimeUnit.SECONDS)).as("procflux exits after Ctrl-C").isTrue();
        assertThat(procflux.exitValue()).isEqualTo(130);
        assertThat(commands(sid)).as("left behind in procflux's session").isEmpty();
    }

    @Test
    void timeoutKillsTheBackgroundSubshellThatOutlivedItsJobsShell() throws Exception {
        Path jobs = write("jobs.txt", "( sleep 300 ) & echo started");
        Process procflux = session(List.of("run", "--shell", "--timeout", "1", "-f", jobs.toString()), null);
        assertThat(procflux.waitFor(30, TimeUnit.SECONDS)).as("procflux ends after the timeout").isTrue();
        assertThat(procflux.exitValue()).as("stderr: %s", Files.readString(dir.resolve("err"))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(commands(procflux.pid())).as("left behind in procflux's session").isEmpty());
    }

    @Test
    void closedStdoutStopsStartingJobsAndExitsWith141() throws Exception {
        Path joblog = dir.resolve("joblog");
        Process p = sessionScript("seq 2000 | procflux run -j 2 --joblog " + joblog + " echo | head -1; "
                + "echo \"${PIPESTATUS[1]}\" >&2");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // whichever of the first two jobs finished first
        assertThat(Files.readString(dir.resolve("out"))).matches("[12]\n");
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo("141\n");
        // GNU parallel stops after 2 jobs; a few more may have finished while the first output was written
        assertThat(Files.readAllLines(joblog).size() - 1).isLessThan(100);
    }

    @Test
    void closedStdoutKillsTheRunningJobsWithoutWaitingForThemToWrite() throws Exception {
        Process p = sessionScript("printf 'echo first\\nsleep 300\\nsleep 300\\n' | procflux run -j 3 | head -1; "
                + "echo \"${PIPESTATUS[1]}\" >&2");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("procflux ends without waiting for the sleeps").isTrue();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("first\n");
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo("141\n");
        assertThat(commands(p.pid())).as("left behind in procflux's session").isEmpty();
    }

    @Test
    void unreadableInputOrUnwritableJoblogExitsWith255AndSaysWhy() throws Exception {
        Path missing = dir.resolve("missing.txt");
        assertScript("procflux run -f " + dir, 255,
                "procflux run: cannot read jobs from " + dir + ": Is a directory\n");
        assertScript("procflux run -f " + missing, 255,
                "procflux run: cannot read jobs from " + missing + ": No such file or directory\n");
        assertScript("procflux run < " + dir, 255, "procflux run: cannot read jobs from stdin: Is a directory\n");
        assertScript("echo 'touch " + dir.resolve("ran") + "' | procflux run --joblog " + dir, 255,
                "procflux run: cannot write joblog " + dir + ": Is a directory\n");
        assertScript("echo 'touch " + dir.resolve("ran") + "' | procflux run --joblog " + missing.resolve("log"), 255,
                "procflux run: cannot write joblog " + missing.resolve("log") + ": No such file or directory\n");
        assertThat(dir.resolve("ran")).as("no job runs without its joblog").doesNotExist();
    }

    @Test
    void stdinThatIsADirectoryIsNamedStdinOnceWithTheReasonWhicheverOptionReadsIt() throws Exception {
        Process p = sessionScript("cd " + dir + "; for args in 'echo :::: -' '--dry-run echo :::: -' '-a - echo'"
                + " '--dry-run -a - echo' 'echo ::: a :::: -' '-X echo :::: -' 'echo' '--dry-run echo'"
                + "; do procflux run $args < .; echo \"procflux $?\"; done"
                + "; for args in '--pipe cat' '--dry-run --pipe cat'; do procflux run $args < .; echo \"procflux $?\""
                + "; done; parallel --will-cite echo :::: - < . > p.out 2>&1; echo \"parallel $?\"");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo(
                "procflux run: cannot read jobs from stdin: Is a directory\n".repeat(8)
                        + "procflux run: cannot read stdin: Is a directory\n".repeat(2));
        // GNU parallel (20221122) reads a directory as no arguments, silently; procflux refuses it as it refuses
        // -f DIR and :::: DIR
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("procflux 255\n".repeat(10) + "parallel 0\n");
        assertThat(dir.resolve("p.out")).isEmptyFile();
    }

    @Test
    void argumentFilesThatDoNotOpenAreNamedWithTheReasonAndExit255AsInGnuParallel() throws Exception {
        // root reads any file: without the capabilities that let it, a file of mode 000 is unreadable to root too
        Process p = sessionScript("cd " + dir + " && echo a > a.txt && : > locked && chmod 000 locked && mkdir adir"
                + " && drop= && if [ \"$(id -u)\" = 0 ]; then drop='setpriv --bounding-set "
                + "-dac_override,-dac_read_search'; fi"
                + "; both() { $drop procflux run \"$@\"; echo \"procflux $?\"; $drop parallel --will-cite \"$@\""
                + " 2> /dev/null; echo \"parallel $?\"; }"
                + "; both echo :::: missing; both -a missing echo; both echo :::: locked; both -a locked echo"
                + "; both echo :::: a.txt :::: missing"
                + "; procflux run echo :::: adir; echo \"procflux $?\"");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo(""
                + "procflux run: cannot read jobs from missing: No such file or directory\n".repeat(2)
                + "procflux run: cannot read jobs from locked: Permission denied\n".repeat(2)
                + "procflux run: cannot read jobs from missing: No such file or directory\n"
                + "procflux run: cannot read jobs from adir: Is a directory\n");
        // GNU parallel reads a directory as no arguments; procflux refuses it as it refuses -f DIR
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("procflux 255\nparallel 255\n".repeat(5)
                + "procflux 255\n");
    }

    @Test
    void aMissingProgramNamedInRawBytesFailsToStartAsAnyMissingProgramAndItsJobFailsAsInGnuParallel()
            throws Exception {
        Process p = sessionScript("cd " + dir + "; for name in procflux-no-such-program "
                + "\"$(printf 'procflux-no-such-program\\351')\"; do procflux run -k \"$name\" ::: a 'b c'"
                + "; echo \"procflux $?\"; parallel --will-cite -k \"$name\" ::: a 'b c' 2> /dev/null"
                + "; echo \"parallel $?\"; done");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("procflux 2\nparallel 2\n".repeat(2));
        List<String> err = Files.readAllLines(dir.resolve("err"));
        assertThat(err).hasSize(4);
        assertThat(err.get(0)).startsWith("procflux run: job 1: cannot start 'procflux-no-such-program a': "
                + "executable 'procflux-no-such-program' not found on PATH=");
        assertThat(err.get(1)).startsWith("procflux run: job 2: cannot start 'procflux-no-such-program 'b c'': ");
        assertThat(err.subList(2, 4)).containsExactlyElementsOf(err.subList(0, 2).stream()
                .map(line -> line.replace("procflux-no-such-program", "procflux-no-such-program\\xe9")).toList());
    }

    @Test
    void inputLinesEndAtNewlineOnlyAndCarriageReturnsReachTheJob() throws Exception {
        Process p = sessionScript("printf 'a\\rb\\r\\nc\\n\\nlast' | procflux run -k -j 2 printf '[%s]'");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEmpty();
        assertThat(Files.readAllBytes(dir.resolve("out")))
                .isEqualTo("[a\rb\r][c][][last]".getBytes(StandardCharsets.UTF_8));
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void aLatin1FileNameReachesJobsByteForByteAsInGnuParallel() throws Exception {
        // caf\351.txt: "café.txt" in Latin-1, not UTF-8; the other lines are UTF-8 and a CR
        String setup = "cd " + dir + " && printf 'contents\\n' > \"$(printf 'caf\\351.txt')\""
                + " && printf 'caf\\351.txt\\ngr\\303\\274\\303\\237e\\nx\\r\\n' > names";
        List<String> commands = List.of("ls -- {}", "cat {}", "printf %s {}", "--tag printf %s {}",
                "--dry-run printf %s {}", "-a names printf [%s] {}");
        StringBuilder script = new StringBuilder(setup);
        for (int i = 0; i < commands.size(); i++) {
            script.append("; procflux run -k ").append(commands.get(i)).append(" < names > p").append(i)
                    .append(" 2>&1; parallel --will-cite -k ").append(commands.get(i)).append(" < names > g")
                    .append(i).append(" 2>&1");
        }
        script.append("; procflux run -k --joblog log printf %s {} < names > /dev/null")
                .append("; procflux run -k --resume --joblog log printf %s {} < names > resumed")
                .append("; printf 'a\\000b\\n' | procflux run printf %s > nul-out 2> nul-err; echo $? > nul-status");
        GnuParallel.executable();
        Process p = sessionScript(script.toString());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEmpty();
        for (int i = 0; i < commands.size(); i++) {
            assertThat(Files.readAllBytes(dir.resolve("p" + i))).as(commands.get(i))
                    .isEqualTo(Files.readAllBytes(dir.resolve("g" + i)));
        }
        byte[] cafe = {'c', 'a', 'f', (byte) 0xe9, '.', 't', 'x', 't'};
        assertThat(Files.readAllBytes(dir.resolve("p0"))).startsWith(cafe);
        assertThat(Files.readAllBytes(dir.resolve("p1"))).startsWith("contents\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(dir.resolve("p2"))).isEqualTo(concat(cafe,
                "grüßex\r".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readAllBytes(dir.resolve("p4"))).startsWith(concat("printf %s '".getBytes(
                StandardCharsets.UTF_8), cafe, "'\n".getBytes(StandardCharsets.UTF_8)));
        List<String> log = Files.readAllLines(dir.resolve("log"), StandardCharsets.ISO_8859_1);
        assertThat(log.get(1).split("\t", 9)[8]).isEqualTo("printf %s 'caf\u00e9.txt'");
        assertThat(dir.resolve("resumed")).as("every job of the joblog is done").isEmptyFile();
        assertThat(dir.resolve("nul-out")).isEmptyFile();
        assertThat(Files.readString(dir.resolve("nul-err")))
                .isEqualTo("procflux run: job 1: cannot start 'printf %s 'a\\0b'': argv[2] contains a NUL byte\n");
        assertThat(Files.readString(dir.resolve("nul-status"))).isEqualTo("1\n");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void argumentsAfterTripleColonKeepTheirBytesWhateverTheLocale() throws Exception {
        String args = " printf '[%s]' ::: \"$(printf 'caf\\351')\" \"$(printf 'gr\\303\\274\\303\\237e')\"";
        Process p = sessionScript("cd " + dir + " && procflux run -k" + args + " > p0 && LC_ALL=C procflux run -k"
                + args + " > p1 && parallel --will-cite -k" + args + " > g");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEmpty();
        byte[] expected = concat(new byte[] {'[', 'c', 'a', 'f', (byte) 0xe9, ']'},
                "[grüße]".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(dir.resolve("g"))).isEqualTo(expected);
        assertThat(Files.readAllBytes(dir.resolve("p0"))).isEqualTo(expected);
        assertThat(Files.readAllBytes(dir.resolve("p1"))).as("LC_ALL=C").isEqualTo(expected);
    }

    @Test
    void filesNamedInBytesThatAreNotUtf8AreReadAsGnuParallelReadsThem() throws Exception {
        String latin1 = "\"$(printf 'caf\\351')\"";
        Process p = sessionScript("cd " + dir + " && printf 'echo one\\necho two\\n' > " + latin1
                + " && procflux run -k -f " + latin1 + " > f.out && procflux run -k echo :::: " + latin1 + " > a.out"
                + " && procflux run -k -a " + latin1 + " echo > a2.out && parallel --will-cite -k echo :::: " + latin1
                + " > g.out && cmp a.out g.out && cmp a2.out g.out");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEmpty();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(dir.resolve("f.out"))).isEqualTo("one\ntwo\n");
        assertThat(Files.readString(dir.resolve("g.out"))).isEqualTo("echo one\necho two\n");
    }

    @Test
    void aMissingFileNamedInRawBytesIsNamedWithHexEscapes() throws Exception {
        String latin1 = "\"$(printf 'caf\\351')\"";
        assertScript("procflux run -f " + latin1, 255, "procflux run: cannot read jobs from caf\\xe9: No such file or "
                + "directory\n");
        assertScript("procflux run echo :::: " + latin1, 255, "procflux run: cannot read jobs from caf\\xe9: No such "
                + "file or directory\n");
        assertScript("cd " + dir + " && mkdir " + latin1 + " && procflux run echo :::: " + latin1, 255,
                "procflux run: cannot read jobs from caf\\xe9: Is a directory\n");
        assertScript("procflux run --joblog " + latin1 + " echo ::: a", 255, "procflux run: --joblog: the file name "
                + "'caf\\xe9' is not UTF-8, which procflux cannot open\nTry 'procflux run --help'.\n");
    }

    @Test
    void messagesWriteUtf8ArgumentsAsTheirBytesUnderTheCLocaleAsGnuParallelDoes() throws Exception {
        // JDK 17 encodes System.err in the locale's charset, which is ASCII under LC_ALL=C
        // the script names the UTF-8 bytes with printf: this JVM may itself run under the C locale
        Process p = sessionScript("cd " + dir + "; cafe=\"$(printf 'missing-caf\\303\\251')\""
                + "; program=\"$(printf 'n\\303\\266-such-program')\"; a=\"$(printf '\\303\\244')\""
                + "; for loc in C.UTF-8 C; do"
                + " LC_ALL=$loc procflux run echo :::: \"$cafe\" 2> \"p-missing.$loc\""
                + "; LC_ALL=$loc procflux run \"$program\" ::: \"$a\" 2> \"p-start.$loc\""
                + "; LC_ALL=$loc procflux run --timeout 1 sh -c 'sleep 30' ::: \"$a\" 2> \"p-timeout.$loc\""
                + "; LC_ALL=$loc parallel --will-cite echo :::: \"$cafe\" 2> \"g-missing.$loc\"; done");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        for (String name : List.of("p-missing", "p-start", "p-timeout", "g-missing")) {
            assertThat(Files.readAllBytes(dir.resolve(name + ".C"))).as(name)
                    .isEqualTo(Files.readAllBytes(dir.resolve(name + ".C.UTF-8")));
        }
        assertThat(Files.readString(dir.resolve("g-missing.C")))
                .isEqualTo("parallel: Error: Cannot open input file `missing-café': No such file or directory.\n");
        assertThat(Files.readString(dir.resolve("p-missing.C")))
                .isEqualTo("procflux run: cannot read jobs from missing-café: No such file or directory\n");
        assertThat(Files.readString(dir.resolve("p-start.C")))
                .startsWith("procflux run: job 1: cannot start 'nö-such-program ä': executable 'nö-such-program' "
                        + "not found");
        assertThat(Files.readString(dir.resolve("p-timeout.C")))
                .startsWith("procflux run: job 1: 'sh -c 'sleep 30' ä' timed out after 1s");
    }

    @Test
    void resultsMakesTheDirectoriesGnuParallelMakesByteForByteWhateverTheBytes() throws Exception {
        // raw bytes in the root's name and in the arguments (each directory level is named after one), UTF-8 and
        // the characters --results escapes; under the C locale too, where JDK 17 names files in ASCII only
        String args = " ::: a \"$(printf 'caf\\351')\" \"$(printf 'gr\\303\\274\\303\\237e')\" 'c/d' 'b\\\\s'"
                + " ::: \"$(printf '\\377')\" x";
        String job = " echo out";
        Process p = sessionScript("cd " + dir + " && parallel --will-cite --results \"g$(printf '\\377')\"" + job
                + args + " > g.out && procflux run --results \"p$(printf '\\377')\"" + job + args + " > p.out"
                + " && LC_ALL=C procflux run --results \"c$(printf '\\377')/sub\"" + job + args + " > c.out"
                + " && diff -r \"g$(printf '\\377')\" \"p$(printf '\\377')\""
                + " && diff -r \"g$(printf '\\377')\" \"c$(printf '\\377')/sub\""
                + " && find \"p$(printf '\\377')\" -name stdout | wc -l"
                + " && cat \"p$(printf '\\377')/1/caf$(printf '\\351')/2/$(printf '\\377')/stdout\" > one");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).isEmpty();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("10\n");
        assertThat(p.exitValue()).isZero();
        assertThat(dir.resolve("p.out")).isEmptyFile();
        assertThat(Files.readAllBytes(dir.resolve("one")))
                .isEqualTo(new byte[] {'o', 'u', 't', ' ', 'c', 'a', 'f', (byte) 0xe9, ' ', (byte) 0xff, '\n'});
    }

    @Test
    void rawBytesInMessagesAreShownAsHexEscapes() throws Exception {
        Process p = sessionScript("cd " + dir + "; procflux run \"--bogus$(printf '\\377')\" 2> e1"
                + "; printf 'caf\\351\\000\\n' | procflux run printf %s 2> e2"
                + "; printf 'caf\\351\\n' | procflux run --timeout 1 sh -c 'sleep 30' 2> e3");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("e1")))
                .isEqualTo("procflux run: unknown option '--bogus\\xff'\nTry 'procflux run --help'.\n");
        assertThat(Files.readString(dir.resolve("e2")))
                .isEqualTo("procflux run: job 1: cannot start 'printf %s 'caf\\xe9\\0'': argv[2] contains a NUL "
                        + "byte\n");
        assertThat(Files.readString(dir.resolve("e3")))
                .startsWith("procflux run: job 1: 'sh -c 'sleep 30' caf\\xe9' timed out after 1s");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void outputLargerThanTheHeapReachesStdoutWhole() throws Exception {
        // 200 MB through a 64 MB heap: spooled, never held whole
        Process p = sessionScript("printf 'head -c 200000000 /dev/zero\\necho small\\n' | PROCFLUX_JAVA_OPTS=-Xmx64m "
                + "procflux run -k -j 2 | cksum; echo \"${PIPESTATUS[1]}\" >&2");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Process expected = new ProcessBuilder("sh", "-c", "{ head -c 200000000 /dev/zero; echo small; } | cksum")
                .start();
        assertThat(expected.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out")))
                .isEqualTo(new String(expected.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo("0\n");
    }

    @Test
    void aTimedOutJobsOutputUntilItsDeathIsPrinted() throws Exception {
        Process p = sessionScript("echo 'echo before; echo err-before >&2; sleep 300' | procflux run --shell "
                + "--timeout 1");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("before\n");
        assertThat(Files.readString(dir.resolve("err"))).startsWith("err-before\nprocflux run: job 1: ")
                .contains("timed out after 1s");
        assertThat(p.exitValue()).isEqualTo(1);
    }

    @Test
    void dryRunPipedIntoShRunsExactlyTheJobsAndTheJoblogQuotesTheSame() throws Exception {
        String inputs = String.join("\n", "$(touch pwned)", "a;b|c&d", "*", "?", "~", "`touch pwned2`", "(x)", "<y>",
                "{a,b}", "back\\slash", "it's", "FOO=bar", "$HOME", "two  spaces", "") + "\n";
        Files.writeString(dir.resolve("inputs"), inputs);
        Files.writeString(dir.resolve("argv-jobs"), "printf '<%s>' 'a;b' '$x' '*'\nFOO=bar printf '%s'\n");
        Process p = sessionScript("cd " + dir + " && procflux run --dry-run -k printf '[%s]' < inputs > dry.sh"
                + " && procflux run --dry-run -f argv-jobs >> dry.sh; sh dry.sh > via-sh"
                + "; procflux run -k --joblog log printf '[%s]' < inputs > direct"
                + "; procflux run -k --joblog log2 -f argv-jobs >> direct");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // the one job that runs nothing: a command named FOO=bar, not an assignment, both ways
        assertThat(Files.readString(dir.resolve("err"))).contains("FOO=bar: not found").contains("'FOO=bar'");
        assertThat(dir.resolve("pwned")).doesNotExist();
        assertThat(dir.resolve("pwned2")).doesNotExist();
        assertThat(Files.readString(dir.resolve("via-sh"))).startsWith("[$(touch pwned)][a;b|c&d][*][?][~]")
                .isEqualTo(Files.readString(dir.resolve("direct")));
        List<String> dry = Files.readAllLines(dir.resolve("dry.sh"));
        List<String> logged = new ArrayList<>();
        for (String log : List.of("log", "log2")) {
            Files.readAllLines(dir.resolve(log)).stream().skip(1).map(l -> l.split("\t", 9)[8]).forEach(logged::add);
        }
        assertThat(logged).containsExactlyElementsOf(dry);
    }

    @Test
    void aMegabyteArgumentIsRefusedInOneLineWithoutLogsOrStackTraces() throws Exception {
        Files.writeString(dir.resolve("big"), "echo " + "x".repeat(1_000_000) + "\necho fine\n");
        Process p = sessionScript("procflux run -k -f " + dir.resolve("big"));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("fine\n");
        assertThat(Files.readString(dir.resolve("err"))).isEqualTo("procflux run: job 1: cannot start 'echo "
                + "x".repeat(115) + "... (1000005 characters)': argument list too long (argument 2 is 1000000 bytes, "
                + "limit 131071 per argument)\n");
        assertThat(p.exitValue()).isEqualTo(1);
    }

    @Test
    void anOverLongArgumentWithRawBytesIsNamedByItsOwnIndexAndSize() throws Exception {
        // raw bytes start the job through /bin/sh: the message still speaks of the job's arguments and sizes
        Files.write(dir.resolve("big"), concat("echo ".getBytes(StandardCharsets.US_ASCII),
                "x".repeat(200_000).getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xff, '\n'},
                "echo fine\n".getBytes(StandardCharsets.US_ASCII)));
        // 40,000 raw bytes fit in one argument, but not as the printf format (four bytes each) that carries them
        byte[] raw = new byte[40_000];
        java.util.Arrays.fill(raw, (byte) 0xff);
        Files.write(dir.resolve("escaped"), concat("echo a ".getBytes(StandardCharsets.US_ASCII), raw,
                new byte[] {'\n'}));
        Process p = sessionScript("cd " + dir + "; procflux run -k -f big > out1 2> err1; echo $? > status1"
                + "; procflux run -f escaped > out2 2> err2; echo $? > status2");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out1"))).isEqualTo("fine\n");
        assertThat(Files.readString(dir.resolve("err1"))).isEqualTo("procflux run: job 1: cannot start 'echo "
                + "x".repeat(115) + "... (200006 characters)': argument list too long (argument 2 is 200001 bytes, "
                + "limit 131071 per argument)\n");
        assertThat(Files.readString(dir.resolve("status1"))).isEqualTo("1\n");
        assertThat(dir.resolve("out2")).isEmptyFile();
        assertThat(Files.readString(dir.resolve("err2"))).startsWith("procflux run: job 1: cannot start 'echo a ")
                .endsWith("(40007 characters)': argument list too long (argument 3 is 40000 bytes, 160000 as the "
                        + "printf format that passes its bytes through /bin/sh, limit 131071 per argument)\n");
        assertThat(Files.readString(dir.resolve("status2"))).isEqualTo("1\n");
    }

    @Test
    void jobsReadFromATerminalAreAnnouncedWithHowToEndThem() throws Exception {
        // script(1) gives procflux a terminal; the terminal turns Ctrl-D (\\004) into the end of the input
        Process p = sessionScript("printf 'echo hi\\n\\004' | script -qec 'procflux run --no-summary' /dev/null");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("out"))).contains("procflux run: reading jobs from the terminal, one "
                + "per line; end them with Ctrl-D\r\n").contains("hi\r\n");
        assertThat(p.exitValue()).isZero();
    }

    private void assertScript(String script, int status, String stderr) throws Exception {
        Process p = sessionScript(script);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err"))).as(script).isEqualTo(stderr);
        assertThat(p.exitValue()).as(script).isEqualTo(status);
    }

    /** Runs a bash script with {@code procflux} on the PATH, as the leader of a new session. */
    private Process sessionScript(String script) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("setsid", "env", "--default-signal=INT,PIPE", "bash", "-c", script)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().put("PATH", Path.of("bin").toAbsolutePath() + ":"
                + Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        sessions.add(p.pid());
        return p;
    }

    /**
     * Starts {@code bin/procflux ARGS} as the leader of a new session (so of its own process group), with SIGINT
     * at its default: a JVM started with SIGINT ignored never handles it.
     */
    private Process session(List<String> args, File stdin) throws IOException {
        List<String> command = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT",
                Path.of("bin", "procflux").toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(stdin))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        // bin/procflux runs the first java on the PATH: make it this JVM's
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        sessions.add(p.pid());
        return p;
    }

    /** Processes (other than zombies) whose session is {@code sid}. */
    private static List<Long> inSession(long sid) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                String[] stat = stat(proc);
                if (stat.length > 3 && !stat[0].equals("Z") && stat[3].equals(Long.toString(sid))) {
                    pids.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        }
        return pids;
    }

    /** The names of the live processes in session {@code sid}. */
    private static List<String> commands(long sid) throws IOException {
        List<String> names = new ArrayList<>();
        for (long pid : inSession(sid)) {
            try {
                names.add(Files.readString(Path.of("/proc/" + pid + "/comm")).trim());
            }
            catch (IOException gone) {
                // exited meanwhile
            }
        }
        return names;
    }

    /** The fields of {@code /proc/PID/stat} after the name: state, ppid, pgrp, session, …; none if it is gone. */
    private static String[] stat(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ", 6);
        }
        catch (IOException | RuntimeException gone) {
            return new String[0];
        }
    }

    private Path write(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
    }

    private static Result inProcess(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {
    }
}
