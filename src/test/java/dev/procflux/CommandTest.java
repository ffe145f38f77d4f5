package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A command is an immutable value: how it reads in messages, and that deriving one never changes another. */
class CommandTest {

    @Test
    void commandLineQuotesOnlyArgumentsThatAreEmptyOrHoldBlanksQuotesOrBackslashes() {
        assertThat(Command.of("echo", "a b", "", "it's", "x\\y", "plain").commandLine())
                .isEqualTo("echo 'a b' '' 'it'\\''s' 'x\\y' plain");
    }

    @Test
    void toStringListsTheSettingsThatDifferFromTheDefaultsAndRedactsEnvironmentValues() {
        Command c = Command.of("env").withDirectory(Path.of("/tmp")).withEnv("TOKEN", "s3cret")
                .withoutInheritedEnv().withTimeout(Duration.ofSeconds(5)).withStdin("abc").withParentDeathSignal();
        assertThat(c.toString()).isEqualTo("Command[env, directory=/tmp, env=[TOKEN](values redacted), "
                + "inheritEnv=false, timeout=PT5S, stdin=3 bytes, parentDeathSignal]")
                .doesNotContain("s3cret");
        assertThat(Command.of("ls", "-l").toString()).isEqualTo("Command[ls -l]");
    }

    @Test
    void derivingACommandLeavesTheOriginalUnchanged() {
        Command original = Command.of("cat").withEnv("A", "1");
        Command derived = original.withEnv("B", "2").withTimeout(Duration.ofSeconds(1)).withStdin("x");
        assertThat(original.environment()).containsOnlyKeys("A");
        assertThat(original.timeout()).isEmpty();
        assertThat(original.stdin()).isEmpty();
        assertThat(derived.environment()).containsOnlyKeys("A", "B");
        assertThat(derived.stdin()).hasValueSatisfying(b -> assertThat(b.remaining()).isEqualTo(1));
    }

    @Test
    void stdinTextIsEncodedWithTheFinalCharsetWhicheverWasSetFirst() {
        Command textFirst = Command.of("cat").withStdin("é").withCharset(StandardCharsets.ISO_8859_1);
        Command charsetFirst = Command.of("cat").withCharset(StandardCharsets.ISO_8859_1).withStdin("é");
        assertThat(textFirst.stdin().orElseThrow().remaining()).isEqualTo(1);
        assertThat(charsetFirst.stdin().orElseThrow().remaining()).isEqualTo(1);
        assertThat(Command.of("cat").withStdin("é").stdin().orElseThrow().remaining()).isEqualTo(2);
    }

    @Test
    void theArgvIsCopiedAndANullElementIsNamedByItsIndex() {
        String[] argv = {"echo", "a"};
        Command c = Command.of(argv);
        argv[1] = "b";
        assertThat(c.argv()).containsExactly("echo", "a");
        assertThatThrownBy(() -> c.argv().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Command.of(Arrays.asList("echo", null)))
                .isInstanceOf(NullPointerException.class).hasMessage("argv[1]");
    }
}
