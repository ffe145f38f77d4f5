package dev.procflux.web;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A parameter whose whole value must match a regular expression; matching gives up after
 * {@value BoundedRegex#DEFAULT_MAX_STEPS} steps (rule {@code pattern-too-costly}), so a pattern that backtracks
 * catastrophically cannot hold a thread. Create with {@link Parameter#pattern}.
 *
 * @param common the rules every parameter has
 * @param regex the expression the whole value must match
 */
public record PatternParameter(Common common, Pattern regex) implements Parameter {
    private static final Logger log = Loggers.getLogger(PatternParameter.class);

    /**
     * Logs a warning when the expression may backtrack catastrophically.
     *
     * @param common the rules every parameter has
     * @param regex the expression the whole value must match
     */
    public PatternParameter {
        Objects.requireNonNull(common, "common");
        Objects.requireNonNull(regex, "regex");
        if (BoundedRegex.hasNestedQuantifier(regex.pattern())) {
            log.warn("parameter '" + common.name() + "': pattern '" + regex.pattern() + "' repeats a group that "
                    + "contains a repetition and may backtrack catastrophically; matching a value gives up after "
                    + BoundedRegex.DEFAULT_MAX_STEPS + " steps (rule 'pattern-too-costly')");
        }
    }

    static Pattern compile(String name, String regex) {
        try {
            return Pattern.compile(regex);
        }
        catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("parameter '" + name + "': invalid pattern: " + e.getMessage(), e);
        }
    }

    @Override
    public String ruleDescription() {
        return "must match " + regex.pattern();
    }

    @Override
    public String resolve(@Nullable String value) {
        String v = common.check(value, false);
        boolean matches;
        try {
            matches = new BoundedRegex(regex, BoundedRegex.DEFAULT_MAX_STEPS).matches(v);
        }
        catch (BoundedRegex.BudgetExceededException e) {
            throw common.invalid("pattern-too-costly", ruleDescription() + "; matching this value gave up after "
                    + BoundedRegex.DEFAULT_MAX_STEPS + " steps (the pattern backtracks too much)");
        }
        if (!matches) {
            throw common.invalid("pattern", ruleDescription());
        }
        return v;
    }

    @Override
    public String toString() {
        return common.describe("PATTERN", ruleDescription());
    }
}
