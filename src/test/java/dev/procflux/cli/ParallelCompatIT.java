package dev.procflux.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each GNU parallel option {@code procflux run} supports, one command line each, run through GNU parallel and
 * through {@code procflux run}: the same stdout (with {@code -k}) and the same exit status. The commands are ones
 * whose meaning does not depend on a shell ({@code echo}, {@code printf}, {@code sh -c}, {@code wc}), since
 * procflux runs argv directly where GNU parallel runs a shell. Fails where GNU parallel is not installed.
 */
@EnabledOnOs(OS.LINUX)
class ParallelCompatIT {
    @TempDir
    static Path dir;

    private static String randomLines;

    @BeforeAll
    static void files() throws IOException {
        Files.writeString(dir.resolve("lines.txt"), "one\ntwo words\nthree.txt\n");
        Random random = new Random(1);
        randomLines = IntStream.range(0, 2000).mapToObj(i -> "x".repeat(random.nextInt(120)))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @AfterEach
    void noChildProcessIsLeftBehind() {
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                .noneMatch(ProcessHandle::isAlive));
    }

    static Stream<Arguments> lines() {
        return Stream.of(
                row("cross product of two ::: sources", "", "-k echo ::: a b ::: 1 2"),
                row(":::+ pairs with the source before, up to the shorter", "", "-k echo ::: a b c :::+ 1 2"),
                row("--link pairs every source, wrapping the shorter", "", "-k --link echo ::: a b c ::: 1 2"),
                row("no command: each argument is the command", "", "-k ::: 'echo x' 'echo y'"),
                row("no command: the sources together make the command", "", "-k ::: echo ::: a b"),
                row("no command and an argument that is no program: each job fails", "", "-k ::: no-such-program-xyz"),
                row("an empty ::: source runs nothing", "", "-k echo :::"),
                row(":::: FILE reads a file's lines", "", "-k echo :::: $LINES"),
                row("-a FILE reads a file's lines", "", "-k -a $LINES echo"),
                row("--arg-file crossed with a ::: source", "", "-k --arg-file $LINES echo ::: x y"),
                row(":::: - reads stdin", "p\nq\n", "-k echo ::: a :::: -"),
                row("lines of stdin with {}", "a b\nc\n", "-k echo x{}y"),
                row("-0 splits stdin at NUL", "a\0b c\0", "-k -0 echo"),
                row("--null splits stdin at NUL", "a\0b\0", "-k --null echo {}"),
                row("-d splits at a character", "a:b:c", "-k -d : echo"),
                row("--delimiter with a C escape", "a\tb\t", "-k --delimiter '\\t' echo"),
                row("{.} {/} {//} {/.}", "", "-k echo {} {.} {/} {//} {/.} ::: photos/2024/beach.png x.tar.gz"),
                row("positional {1} {2} and their modifiers", "", "-k echo {1.} {1/} {1//} {1/.} {2} ::: d/x.tar.gz ::: q"),
                row("a position past the arguments is empty", "", "-k echo [{3}] ::: a ::: b"),
                row("{#} numbers the jobs", "", "-k echo {#}-{} ::: a b c"),
                row("{%} is the job slot", "", "-k -j1 echo {%} {#} ::: a b c"),
                row("-I sets another replacement string", "", "-k -I ,, echo ,,x ::: a b"),
                row("--colsep splits lines into {1} {2}", "a,b\nc,d\n", "-k --colsep , echo {2} {1}"),
                row("--colsep with a regular expression, {} is every column", "a  b\tc\n", "-k --colsep '[ \\t]+' echo {}"),
                row("--header : names the columns", "x,y\n1,2\n3,4\n", "-k --header : --colsep , echo {y}{x}"),
                row("--header : with ::: sources", "", "-k --header : echo {A}-{B} ::: A a1 a2 ::: B b1"),
                row("-n 2 gives each job two arguments", "", "-k -n2 echo ::: a b c d e"),
                row("-N 2 with positions", "", "-k -N 2 echo {2}-{1} ::: a b c"),
                row("--max-args with {}", "", "-k --max-args 2 echo {} ::: a b c"),
                row("-X repeats the context around each argument", "", "-k -j3 -X echo pre{}post ::: 1 2 3 4 5 6 7"),
                row("-X spreads stdin over the slots", "1\n2\n3\n4\n5\n6\n7\n", "-k -j3 -X echo"),
                row("-m spreads the arguments as words", "", "-k -j2 -m echo pre{}post ::: a b c"),
                row("-X with -n", "", "-k -j2 -X -n 3 echo ::: 1 2 3 4 5 6 7 8 9 10"),
                row("--line-buffer", "", "-k -q --line-buffer printf '%s\\n%s\\n' ::: a b ::: c"),
                row("--lb with a last line without newline", "", "-k -q --lb printf '%s|%s' ::: a b ::: c"),
                row("-u", "", "-k -j1 -u echo ::: a b"),
                row("--ungroup", "", "-k -j1 --ungroup echo ::: a b"),
                row("-u ignores --tag", "", "-k -j1 -u --tag echo ::: a b"),
                row("-u ignores --tagstring", "", "-k -j1 -u --tagstring '<{}>' echo ::: a b"),
                row("--tag with several sources", "", "-k --tag echo ::: a b ::: 1 2"),
                row("--tagstring with replacement strings", "", "-k --tagstring '<{}-{#}>' echo ::: a b"),
                row("--results: the output goes to files, not stdout", "", "-k --results $DIR/res echo ::: a b"),
                row("--retries", "", "-k -q --retries 2 sh -c 'echo try; exit {}' ::: 0 3"),
                row("--delay", "", "-k --delay 0.1 echo ::: a b c"),
                row("-j 200%", "", "-k -j 200% echo ::: a b c"),
                row("-j +2", "", "-k -j +2 echo ::: a b c"),
                row("-j -1", "", "-k -j -1 echo ::: a b c"),
                row("-P, xargs's spelling of -j", "", "-k -P 2 echo ::: a b c"),
                row("--max-procs", "", "-k --max-procs 2 echo ::: a b c"),
                row("--memfree", "", "-k --memfree 1k echo ::: a b"),
                row("--load", "", "-k --load 100 echo ::: a b"),
                row("--bar", "", "-k --bar echo ::: a b"),
                row("--eta", "", "-k --eta echo ::: a b"),
                row("--progress", "", "-k --progress echo ::: a b"),
                row("--timeout 200%", "", "-k --timeout 200% echo ::: a b c d e"),
                row("exit status counts failed jobs", "", "-k -q sh -c 'exit {}' ::: 0 1 2 0"),
                row("--pipe with --block cuts at the last newline", "$RANDOMLINES", "-k --pipe --block 10k wc -c"),
                row("--pipe with --recend", "a,bb,ccc,dddd,", "-k --pipe --block 3 --recend , wc -c"),
                row("--pipe with a K block", "$RANDOMLINES", "-k -j 3 --pipe --block 4K wc -l")
        );
    }

    private static Arguments row(String name, String stdin, String line) {
        return Arguments.of(name, stdin, line);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("lines")
    void printsWhatGnuParallelPrintsAndExitsTheSame(String name, String stdin, String line) throws Exception {
        List<String> args = WordSplitter.split(line.replace("$LINES", dir.resolve("lines.txt").toString())
                .replace("$DIR", dir.toString()), 1);
        String input = stdin.equals("$RANDOMLINES") ? randomLines : stdin;
        GnuParallel.assertSameAsGnuParallel(dir, input, args);
    }
}
