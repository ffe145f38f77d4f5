package dev.procflux.web;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parameter whose value must be a decimal integer in {@code [min, max]}, passed in canonical form ({@code 007}
 * becomes {@code 7}). A range that includes negative numbers takes a leading {@code -} as their sign. Create with
 * {@link Parameter#integer}.
 *
 * @param common the rules every parameter has
 * @param min the smallest value allowed
 * @param max the largest value allowed
 */
public record IntegerParameter(Common common, long min, long max) implements Parameter {
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,18}");

    /**
     * @param common the rules every parameter has
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @throws IllegalArgumentException if {@code min > max}
     */
    public IntegerParameter {
        Objects.requireNonNull(common, "common");
        checkRange(common.name(), min, max);
    }

    static void checkRange(String name, long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("parameter '" + name + "': min must be <= max, was " + min + " > "
                    + max);
        }
    }

    @Override
    public String ruleDescription() {
        return "must be an integer in [" + min + ", " + max + "]";
    }

    @Override
    public String resolve(@Nullable String value) {
        // an integer parameter whose declared range includes negative numbers takes them, as its range says
        String v = common.check(value, min < 0);
        if (!DECIMAL.matcher(v).matches()) {
            throw common.invalid("integer", ruleDescription() + "; not a decimal integer");
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw common.invalid("range", ruleDescription() + ", was " + n);
        }
        return Long.toString(n);
    }

    @Override
    public String toString() {
        return common.describe("INTEGER", ruleDescription());
    }
}
