package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArgumentsTest {

    @Test
    void atLeastReturnsTheValueFromTheBoundUpAndNamesTheArgumentBelowIt() {
        assertThat(Arguments.atLeast(1, 1, "maxLineBytes")).isEqualTo(1);
        assertThat(Arguments.atLeast(Integer.MAX_VALUE, 1, "maxLineBytes")).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> Arguments.atLeast(0, 1, "maxLineBytes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLineBytes must be >= 1, was 0");
    }

    @Test
    void betweenIncludesBothBoundsAndNamesTheArgumentOutsideThem() {
        assertThat(Arguments.between(1, 1, 3, "pid")).isEqualTo(1);
        assertThat(Arguments.between(3, 1, 3, "pid")).isEqualTo(3);
        assertThatThrownBy(() -> Arguments.between(0, 1, 3, "pid"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pid must be between 1 and 3, was 0");
        assertThatThrownBy(() -> Arguments.between(4, 1, 3, "pid"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pid must be between 1 and 3, was 4");
    }
}
