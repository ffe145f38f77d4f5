package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterTest {
    @TempDir
    Path base;

    private static void assertRefused(Parameter p, String value, String rule, String message) {
        assertThatThrownBy(() -> p.resolve(value))
                .isInstanceOfSatisfying(InvalidParameterException.class, e -> {
                    assertThat(e.parameter()).isEqualTo(p.name());
                    assertThat(e.rule()).isEqualTo(rule);
                })
                .hasMessage(message);
    }

    @Test
    void aPatternMustMatchTheWholeValue() {
        Parameter p = Parameter.pattern("name", "[a-z]+").build();
        assertThat(p.resolve("abc")).isEqualTo("abc");
        assertRefused(p, "abc1", "pattern", "parameter 'name' must match [a-z]+");
    }

    @Test
    void aMissingValueTakesTheDefaultOrIsRequired() {
        assertThat(Parameter.pattern("n", "[a-z]+").defaultValue("x").build().resolve(null)).isEqualTo("x");
        assertThatThrownBy(() -> Parameter.pattern("n", "[a-z]+").build().resolve(null))
                .isInstanceOf(InvalidParameterException.class).hasMessage("parameter 'n' is required");
    }

    @Test
    void aLeadingDashIsRefusedUnlessAllowed() {
        assertRefused(Parameter.pattern("opt", ".*").build(), "-rf", "leading-dash",
                "parameter 'opt' must not start with '-' (it would be read as an option)");
        assertThat(Parameter.pattern("opt", ".*").allowLeadingDash(true).build().resolve("-rf")).isEqualTo("-rf");
    }

    @Test
    void nulAndOverlongValuesAreRefusedWhateverTheType() {
        Parameter p = Parameter.pattern("t", "(?s).*").maxLength(4).build();
        assertRefused(p, "a\0b", "nul", "parameter 't' must not contain a NUL character");
        assertRefused(p, "abcde", "max-length", "parameter 't' must be at most 4 characters, was 5");
    }

    @Test
    void anIntegerIsCheckedAndCanonical() {
        Parameter p = Parameter.integer("n", 1, 100).build();
        assertThat(p.resolve("007")).isEqualTo("7");
        assertRefused(p, "0", "range", "parameter 'n' must be an integer in [1, 100], was 0");
        assertRefused(p, "1e3", "integer", "parameter 'n' must be an integer in [1, 100]; not a decimal integer");
        assertRefused(p, "-5", "leading-dash", "parameter 'n' must not start with '-' (it would be read as an option)");
        assertThat(Parameter.integer("n", -10, 10).allowLeadingDash(true).build().resolve("-5")).isEqualTo("-5");
    }

    @Test
    void anEnumAcceptsOnlyItsValues() {
        Parameter p = Parameter.oneOf("m", "a", "b").build();
        assertThat(p.resolve("b")).isEqualTo("b");
        assertRefused(p, "c", "enum", "parameter 'm' must be one of [a, b]");
        assertThatThrownBy(() -> Parameter.oneOf("m", "-l").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'm': enum value '-l' starts with '-': set allowLeadingDash");
    }

    @Test
    void aPathResolvesToItsRealPathUnderTheBase() throws Exception {
        Files.createDirectories(base.resolve("d/e"));
        Parameter p = Parameter.path("f", base).build();
        Path real = base.toRealPath();
        assertThat(p.resolve("d/e")).isEqualTo(real.resolve("d/e").toString());
        assertThat(p.resolve("d/../d")).isEqualTo(real.resolve("d").toString());
        assertThat(p.resolve(".")).isEqualTo(real.toString());
        assertRefused(p, "../x", "path-escape", "parameter 'f' must be a path under the base directory; it resolves "
                + "outside the base directory");
        assertRefused(p, "missing", "path-missing", "parameter 'f' must name an existing file or directory under "
                + "the base directory");
        assertThat(Parameter.path("f", base).mustExist(false).build().resolve("d/new.txt"))
                .isEqualTo(real.resolve("d/new.txt").toString());
    }

    @Test
    void aNewPathUnderASymbolicLinkThatLeavesTheBaseIsRefused(@TempDir Path outside) throws Exception {
        Files.createSymbolicLink(base.resolve("out"), outside);
        Parameter p = Parameter.path("f", base).mustExist(false).build();
        assertThatThrownBy(() -> p.resolve("out/new.txt")).isInstanceOf(InvalidParameterException.class)
                .hasMessageEndingWith("; a symbolic link leads outside the base directory");
    }

    @Test
    void invalidDefinitionsFailFast() {
        assertThatThrownBy(() -> Parameter.pattern("1x", "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter name must match [A-Za-z_][A-Za-z0-9_]*, was '1x'");
        assertThatThrownBy(() -> Parameter.pattern("x", "(")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter 'x': invalid pattern: ");
        assertThatThrownBy(() -> Parameter.integer("x", 5, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'x': min must be <= max, was 5 > 1");
        assertThatThrownBy(() -> Parameter.integer("x", 1, 5).mustExist(false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("mustExist applies to path parameters only, 'x' is INTEGER");
    }

    @Test
    void eachFactoryBuildsItsKindWithItsRuleAndTheCommonSettings() {
        Parameter pattern = Parameter.pattern("p", "[a-z]+").defaultValue("x").maxLength(9).description("d").build();
        assertThat(pattern).isInstanceOfSatisfying(PatternParameter.class,
                p -> assertThat(p.regex().pattern()).isEqualTo("[a-z]+"));
        assertThat(pattern.common()).isEqualTo(new Parameter.Common("p", false, 9, "x", "d"));
        assertThat(pattern.defaultValue()).contains("x");
        assertThat(pattern).hasToString("Parameter[p, PATTERN: must match [a-z]+, default=x]");
        assertThat(Parameter.oneOf("e", "a", "b").build()).isEqualTo(new EnumParameter(
                new Parameter.Common("e", false, Parameter.DEFAULT_MAX_LENGTH, null, ""), List.of("a", "b")));
        assertThat(Parameter.integer("i", -1, 5).allowLeadingDash(true).build()).isEqualTo(new IntegerParameter(
                new Parameter.Common("i", true, Parameter.DEFAULT_MAX_LENGTH, null, ""), -1, 5));
        assertThat(Parameter.path("f", base.resolve("a/..")).mustExist(false).build()).isEqualTo(new PathParameter(
                new Parameter.Common("f", false, Parameter.DEFAULT_MAX_LENGTH, null, ""), base, false));
    }

    @Test
    void aParameterBuiltWithoutTheBuilderIsCheckedAlike() {
        Parameter.Common common = new Parameter.Common("m", false, 10, null, "");
        assertThatThrownBy(() -> new EnumParameter(common, List.of("-l")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'm': enum value '-l' starts with '-': set allowLeadingDash");
        assertThatThrownBy(() -> new EnumParameter(common, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'm': an enum needs at least one value");
        assertThatThrownBy(() -> new IntegerParameter(common, 2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'm': min must be <= max, was 2 > 1");
        assertThatThrownBy(() -> new Parameter.Common("m", false, 0, null, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxLength must be >= 1, was 0");
        assertThatThrownBy(() -> new Parameter.Common("-m", false, 1, null, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter name must match [A-Za-z_][A-Za-z0-9_]*, was '-m'");
    }
}
