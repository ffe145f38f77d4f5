package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading job arguments: records, sources, their combination, grouping and the placeholders that use them. */
class ArgumentSourcesTest {

    private static List<List<String>> jobs(String stdin, String... args) throws IOException {
        RunOptions options = RunOptions.parse(List.of(args));
        List<List<String>> out = new ArrayList<>();
        try (Arguments a = new Arguments(options.arguments(), new ByteArrayInputStream(
                stdin.getBytes(StandardCharsets.UTF_8)), options.file().orElse(null), Math.max(1, options.jobs()))) {
            a.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void sourcesCombineAsTheirCrossProductTheLastVaryingFastest() throws IOException {
        assertThat(jobs("", "echo", ":::", "a", "b", ":::", "1", "2", ":::", "x")).containsExactly(
                List.of("a", "1", "x"), List.of("a", "2", "x"), List.of("b", "1", "x"), List.of("b", "2", "x"));
    }

    @Test
    void linkedSourcesPairUpToTheShorterWithPlusAndWrapWithLink() throws IOException {
        assertThat(jobs("", "echo", ":::", "a", "b", "c", ":::+", "1", "2"))
                .containsExactly(List.of("a", "1"), List.of("b", "2"));
        assertThat(jobs("", "--link", "echo", ":::", "a", "b", "c", ":::", "1", "2"))
                .containsExactly(List.of("a", "1"), List.of("b", "2"), List.of("c", "1"));
    }

    @Test
    void anEmptySourceMeansNoJobs() throws IOException {
        assertThat(jobs("", "echo", ":::", "a", ":::")).isEmpty();
    }

    @Test
    void stdinIsTheSourceWhenNoneIsGivenAndSplitsAtTheDelimiter() throws IOException {
        assertThat(jobs("a\r\n\nb c\n", "-n", "1", "echo")).containsExactly(List.of("a\r"), List.of(""),
                List.of("b c"));
        assertThat(jobs("a\0b\0", "-0", "echo")).containsExactly(List.of("a"), List.of("b"));
        assertThat(jobs("a::b::", "-d", "::", "echo")).containsExactly(List.of("a"), List.of("b"));
        assertThat(jobs("a:b:c", "-d", ":", "echo")).containsExactly(List.of("a"), List.of("b"), List.of("c"));
    }

    @Test
    void colsepSplitsRecordsIntoColumnsAndTheHeaderNamesThem() throws IOException {
        RunOptions options = RunOptions.parse(List.of("--header", ":", "--colsep", ",", "echo"));
        try (Arguments a = new Arguments(options.arguments(), new ByteArrayInputStream(
                "x,y\n1,2\n".getBytes(StandardCharsets.UTF_8)), null, 1)) {
            assertThat(a.next()).containsExactly("1", "2");
            assertThat(a.hasNext()).isFalse();
            assertThat(a.header()).isEqualTo(Map.of("x", 0, "y", 1));
        }
    }

    @Test
    void maxArgsGroupsRecordsAndFillSpreadsThemOverTheSlots() throws IOException {
        assertThat(jobs("", "-n", "2", "echo", ":::", "a", "b", "c")).containsExactly(List.of("a", "b"),
                List.of("c"));
        assertThat(jobs("", "-j", "3", "-X", "echo", ":::", "1", "2", "3", "4", "5", "6", "7"))
                .containsExactly(List.of("1", "2", "3"), List.of("4", "5", "6"), List.of("7"));
    }

    @Test
    void recordReaderFindsDelimitersAcrossItsBufferAndKeepsALastRecordWithoutOne() {
        Random random = new Random(7);
        StringBuilder sb = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String record = "r" + "é".repeat(random.nextInt(60));
            expected.add(record);
            sb.append(record).append("<>");
        }
        sb.append("last");
        expected.add("last");
        RecordReader reader = new RecordReader(new ByteArrayInputStream(sb.toString()
                .getBytes(StandardCharsets.UTF_8)), "records", "<>".getBytes(StandardCharsets.UTF_8));
        List<String> read = new ArrayList<>();
        reader.forEachRemaining(read::add);
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void delimiterEscapesAreParsedAndBadOnesNamed() {
        assertThat(RecordReader.delimiter("-d", "\\t")).containsExactly('\t');
        assertThat(RecordReader.delimiter("-d", "\\0")).containsExactly(0);
        assertThat(RecordReader.delimiter("-d", "\\x41\\n")).containsExactly('A', '\n');
        assertThatThrownBy(() -> RecordReader.delimiter("-d", "\\q")).isInstanceOf(UsageException.class)
                .hasMessage("-d: unknown escape '\\q' in '\\q'");
        assertThatThrownBy(() -> RunOptions.parse(List.of("-d", "", "echo"))).isInstanceOf(UsageException.class)
                .hasMessage("-d needs a non-empty delimiter");
    }

    @Test
    void placeholdersByPositionNameSlotAndContext() {
        Template t = Template.of(List.of("cp", "{1}", "{2/.}-{#}-{%}.{x}"), null, Template.Context.SPREAD)
                .withHeader(Map.of("x", 0));
        assertThat(t.expand(List.of("a/b.txt", "dir/c.tar.gz"), 7, 3)).containsExactly("cp", "a/b.txt",
                "c.tar-7-3.a/b.txt");
        assertThat(t.usesSlot()).isTrue();
        assertThat(Template.of(List.of("awk", "{print}")).expand(List.of("f"), 1, 1))
                .as("a {name} without a header of that name is literal text, and counts as no placeholder")
                .containsExactly("awk", "{print}", "f");
        Template spread = Template.of(List.of("echo", "pre{}post"), null, Template.Context.SPREAD);
        assertThat(spread.expand(List.of("a", "b", "c"), 1, 1)).containsExactly("echo", "prea", "b", "cpost");
        Template repeat = Template.of(List.of("echo", "pre{}post"), null, Template.Context.REPEAT);
        assertThat(repeat.expand(List.of("a", "b"), 1, 1)).containsExactly("echo", "preapost", "prebpost");
        assertThat(Template.of(List.of("echo", ",,/x"), ",,", Template.Context.SPREAD).expand(List.of("a"), 1, 1))
                .containsExactly("echo", "a/x");
        assertThat(Template.of(List.of("echo", "{}"), null, Template.Context.SPREAD)
                .expandForShell(List.of("it's", "b"), 1, 1)).isEqualTo("echo 'it'\\''s' b");
    }

    @Test
    void jobSlotsAreTheLowestFreeFromOne() {
        JobSlots slots = new JobSlots();
        assertThat(slots.take()).isEqualTo(1);
        assertThat(slots.take()).isEqualTo(2);
        slots.release(1);
        assertThat(slots.take()).isEqualTo(1);
        assertThat(slots.take()).isEqualTo(3);
    }
}
