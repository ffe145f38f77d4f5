package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procflux.Command;
import dev.procflux.OutputLimitPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionTest {
    private final Action grep = Action.builder("grep", "grep", "-c", "{pattern}", "{file}")
            .parameter(Parameter.pattern("pattern", "[a-z ]+").build())
            .parameter(Parameter.oneOf("file", "a.txt", "b.txt").defaultValue("a.txt").build())
            .timeout(Duration.ofSeconds(3))
            .build();

    @Test
    void placeholdersAreReplacedByWholeArgvElements() {
        assertThat(grep.argv(Map.of("pattern", "two words"))).containsExactly("grep", "-c", "two words", "a.txt");
    }

    @Test
    void theCommandCarriesTheTimeoutAndTheTruncatingOutputLimit() {
        Command c = grep.command(Map.of("pattern", "x", "file", "b.txt"));
        assertThat(c.argv()).containsExactly("grep", "-c", "x", "b.txt");
        assertThat(c.timeout()).contains(Duration.ofSeconds(3));
        assertThat(c.maxOutputBytes()).isEqualTo(Action.DEFAULT_MAX_OUTPUT_BYTES);
        assertThat(c.outputLimitPolicy()).isEqualTo(OutputLimitPolicy.TRUNCATE);
    }

    @Test
    void anUnknownParameterIsRefused() {
        assertThatThrownBy(() -> grep.argv(Map.of("pattern", "x", "flags", "-v")))
                .isInstanceOfSatisfying(InvalidParameterException.class, e -> assertThat(e.rule()).isEqualTo("unknown"))
                .hasMessage("action 'grep' has no parameter 'flags'; it has [pattern, file]");
    }

    @Test
    void aPlaceholderInsideALongerElementIsRefusedAtBuild() {
        assertThatThrownBy(() -> Action.builder("x", "cmd", "--out={f}")
                .parameter(Parameter.pattern("f", "[a-z]+").build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'x': a placeholder must be a whole argv element, was '--out={f}'");
    }

    @Test
    void theExecutableCannotBeAPlaceholder() {
        assertThatThrownBy(() -> Action.builder("x", "{f}").parameter(Parameter.pattern("f", "[a-z]+").build())
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'x': the executable must not be a placeholder, was {f}");
    }

    @Test
    void everyPlaceholderNeedsAParameterAndEveryParameterAPlaceholder() {
        assertThatThrownBy(() -> Action.builder("x", "echo", "{f}").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'x': placeholder {f} names no declared parameter; declared: []");
        assertThatThrownBy(() -> Action.builder("x", "echo").parameter(Parameter.pattern("f", "a").build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'x': parameter 'f' is declared but not used in [echo]");
    }

    @Test
    void literalBracesThatAreNotPlaceholdersStay() {
        Action find = Action.builder("find", "find", ".", "-exec", "echo", "{}", ";").build();
        assertThat(find.argv(Map.of())).isEqualTo(List.of("find", ".", "-exec", "echo", "{}", ";"));
    }

    @Test
    void badOptionsFailFast() {
        assertThatThrownBy(() -> Action.builder("bad name", "echo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action name must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, was 'bad name'");
        assertThatThrownBy(() -> Action.builder("x", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'x': command must not be empty");
        assertThatThrownBy(() -> Action.builder("x", "echo").timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    }
}
