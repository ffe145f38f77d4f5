package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BoundedRegexTest {
    @Test
    void ordinaryPatternsMatchAsJavaDoes() {
        BoundedRegex word = new BoundedRegex(Pattern.compile("[\\w ,.!?'-]{0,200}"), BoundedRegex.DEFAULT_MAX_STEPS);
        assertThat(word.matches("hello, world!")).isTrue();
        assertThat(word.matches("rm -rf /; echo")).isFalse();
        BoundedRegex any = new BoundedRegex(Pattern.compile("(?s).*"), BoundedRegex.DEFAULT_MAX_STEPS);
        assertThat(any.matches("x".repeat(64 * 1024))).isTrue();
    }

    @Test
    void aCatastrophicallyBacktrackingPatternGivesUpAtTheBudget() {
        BoundedRegex evil = new BoundedRegex(Pattern.compile("(.*a){10}"), BoundedRegex.DEFAULT_MAX_STEPS);
        // 41 characters: unbounded, java.util.regex takes tens of seconds on this
        assertThatThrownBy(() -> evil.matches("a".repeat(40) + "!"))
                .isInstanceOf(BoundedRegex.BudgetExceededException.class)
                .hasMessage("matching gave up after 1000000 steps");
        assertThat(evil.matches("a".repeat(10))).isTrue();
    }

    @Test
    void aParameterWithSuchAPatternRefusesTheValueWithItsOwnRule() {
        Parameter p = Parameter.pattern("p", "(.*a){10}").maxLength(64).build();
        assertThatThrownBy(() -> p.resolve("a".repeat(40) + "!"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("parameter 'p' must match (.*a){10}; matching this value gave up after 1000000 "
                        + "steps")
                .satisfies(e -> assertThat(((InvalidParameterException) e).rule()).isEqualTo("pattern-too-costly"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"(.*a){10}", "(a+)+", "(a*)*b", "((ab)*c)+", "(x+x+)+y", "(\\w+\\s?)*$"})
    void nestedQuantifiersAreFlagged(String regex) {
        assertThat(BoundedRegex.hasNestedQuantifier(regex)).as(regex).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\\w ,.!?'-]{0,200}", "(?s).*", "(a|b)*", "[(a+)]+", "\\(a+\\)+", "(a+)?", "(a+){1}",
        "[a-z]+(-[a-z]+)", "(?:abc)+"})
    void linearPatternsAreNotFlagged(String regex) {
        assertThat(BoundedRegex.hasNestedQuantifier(regex)).as(regex).isFalse();
    }
}
