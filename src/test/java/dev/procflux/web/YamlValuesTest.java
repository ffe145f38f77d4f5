package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class YamlValuesTest {
    @Test
    void durationsTakeOneUnitOfMillisecondsSecondsMinutesOrHours() {
        assertThat(YamlValues.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(YamlValues.duration(" 30S ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(YamlValues.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(YamlValues.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> YamlValues.duration("1.5s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a duration must look like 500ms, 30s, 2m or 1h, was '1.5s'");
        assertThatThrownBy(() -> YamlValues.duration("2 s", "timeout")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'timeout': a duration must look like 500ms, 30s, 2m or 1h, was '2 s'");
    }

    @Test
    void scalarsAreCoercedOnlyWhereTheSettingTakesThem() {
        assertThat(YamlValues.scalar(12, "x")).isEqualTo("12");
        assertThat(YamlValues.number(BigInteger.valueOf(7), "n")).isEqualTo(7);
        assertThatThrownBy(() -> YamlValues.number("7", "n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'n' must be an integer, was '7'");
        assertThatThrownBy(() -> YamlValues.number(BigInteger.ONE.shiftLeft(63), "n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("'n' is out of range: 9223372036854775808");
        assertThat(YamlValues.number(BigInteger.valueOf(Long.MIN_VALUE), "n")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> YamlValues.integer(1L << 40, "size.max"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("'size.max' is too large: 1099511627776");
        assertThatThrownBy(() -> YamlValues.bool("yes", "stdin")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'stdin' must be true or false, was 'yes'");
        assertThatThrownBy(() -> YamlValues.bool(1, "stdin")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'stdin' must be true or false, was 1");
        assertThatThrownBy(() -> YamlValues.scalar(List.of(), "pattern")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'pattern' must be a string");
        assertThatThrownBy(() -> YamlValues.checkKeys(Map.of("tmeout", 1), Set.of("timeout", "format"), "action"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown action key 'tmeout'; expected one of [format, timeout]");
    }

    @Test
    void theEngineSectionIsCheckedByTheEnginesOwnBuilderWhenRead() {
        assertThatThrownBy(() -> YamlActions.document("actions: {}\nengine: {backpressure: drop}\n", Path.of(".")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'backpressure' must be pause or fail, was 'drop'");
        assertThatThrownBy(() -> YamlActions.document("actions: {}\nengine: {maxConcurrency: 0}\n", Path.of(".")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("engine: maxConcurrency");
        assertThat(YamlActions.document("actions: {}\nengine: {highWaterBytes: 1048576, lowWaterBytes: 262144}\n",
                Path.of(".")).engine()).extracting(YamlEngineSection.Setting::key).containsExactly("highWaterBytes");
    }
}
