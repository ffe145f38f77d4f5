package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationArgumentTest {

    @Test
    void acceptsMillisecondsSecondsMinutesHoursAndPlainSeconds() {
        assertThat(DurationArgument.parse("--timeout", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationArgument.parse("--timeout", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationArgument.parse("--timeout", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationArgument.parse("--timeout", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationArgument.parse("--timeout", "10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationArgument.parse("--timeout", "1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationArgument.parse("--timeout", "0.25m")).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void rejectsTextThatIsNotADurationNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> DurationArgument.parse("--timeout", "soon"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--timeout must be a duration such as 500ms, 30s, 2m, 1h or plain seconds, was 'soon'");
        assertThatThrownBy(() -> DurationArgument.parse("--timeout", "-1s"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("was '-1s'");
    }

    @Test
    void rejectsZeroRatherThanTreatingItAsNoTimeout() {
        assertThatThrownBy(() -> DurationArgument.parse("--timeout", "0"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--timeout must be at least 1ms, was '0'");
        assertThatThrownBy(() -> DurationArgument.parse("--timeout", "0.1ms"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--timeout must be at least 1ms, was '0.1ms'");
    }

    @Test
    void formatsWholeSecondsAsSecondsAndTheRestAsMilliseconds() {
        assertThat(DurationArgument.format(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(DurationArgument.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }
}
