package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    @Test
    void defaultsAreOneJobPerCpuNoTimeoutNoRetriesAndNoHalt() {
        RunOptions o = RunOptions.parse(List.of());
        assertThat(o.jobs()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(o.timeout()).isEmpty();
        assertThat(o.retries()).isZero();
        assertThat(o.halt()).isSameAs(HaltPolicy.NEVER);
        assertThat(o.template()).isEmpty();
        assertThat(o.summary(true)).isTrue();
        assertThat(o.summary(false)).isFalse();
    }

    @Test
    void shortLongGluedAndEqualsFormsAreAccepted() {
        RunOptions o = RunOptions.parse(List.of("-j4", "-k", "--timeout=1500ms", "--retries", "2", "--tag",
                "--halt", "soon,fail=10%", "--joblog", "/tmp/log", "-f", "jobs.txt", "--dry-run", "--summary"));
        assertThat(o.jobs()).isEqualTo(4);
        assertThat(o.keepOrder()).isTrue();
        assertThat(o.timeout()).contains(Duration.ofMillis(1500));
        assertThat(o.retries()).isEqualTo(2);
        assertThat(o.tag()).isTrue();
        assertThat(o.halt()).hasToString("soon,fail=10%");
        assertThat(o.joblog()).contains(Path.of("/tmp/log"));
        assertThat(o.file()).contains("jobs.txt");
        assertThat(o.dryRun()).isTrue();
        assertThat(o.summary(false)).isTrue();
    }

    @Test
    void theTemplateStartsAfterDoubleDashOrAtTheFirstNonOption() {
        assertThat(RunOptions.parse(List.of("-j", "2", "--", "echo", "-n", "{}")).template().orElseThrow()
                .expand("x", 1)).containsExactly("echo", "-n", "x");
        assertThat(RunOptions.parse(List.of("--jobs", "2", "gzip", "-k")).template().orElseThrow()
                .expand("f", 1)).containsExactly("gzip", "-k", "f");
    }

    @Test
    void unknownOptionsMissingValuesAndBadNumbersAreUsageErrors() {
        assertThatThrownBy(() -> RunOptions.parse(List.of("--jbos", "4")))
                .isInstanceOf(UsageException.class).hasMessage("unknown option '--jbos'");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--timeout")))
                .isInstanceOf(UsageException.class).hasMessage("--timeout needs a value");
        assertThatThrownBy(() -> RunOptions.parse(List.of("-j", "many")))
                .isInstanceOf(UsageException.class)
                .hasMessage("-j must be N, +N, -N (CPUs plus or minus N) or P% (of the CPUs), was 'many'");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--retries", "many")))
                .isInstanceOf(UsageException.class).hasMessage("--retries must be a whole number >= 0, was 'many'");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--tag=yes")))
                .isInstanceOf(UsageException.class).hasMessage("--tag takes no value, was '--tag=yes'");
    }
}
