package dev.procflux.web;

import java.util.Objects;

/**
 * A request's parameter broke its {@link Parameter}'s rule; nothing was run. The HTTP answer is 400 with a JSON
 * body naming {@link #parameter()} and {@link #rule()}.
 */
public class InvalidParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The parameter's name. */
    private final String parameter;
    /** The rule that was broken, e.g. {@code pattern}, {@code range}, {@code path-escape}. */
    private final String rule;

    /**
     * @param parameter the parameter's name
     * @param rule the rule that was broken (a short keyword, see {@link #rule()})
     * @param message the full message: the parameter, the rule and what was expected; never the whole value,
     *        which may be huge or hostile
     */
    public InvalidParameterException(String parameter, String rule, String message) {
        super(message);
        this.parameter = Objects.requireNonNull(parameter, "parameter");
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /** @return the name of the parameter that was rejected */
    public String parameter() {
        return parameter;
    }

    /**
     * The broken rule: {@code required}, {@code unknown}, {@code repeated}, {@code type}, {@code max-length},
     * {@code nul}, {@code leading-dash}, {@code pattern}, {@code enum}, {@code integer}, {@code range},
     * {@code path-syntax}, {@code path-escape}, {@code symlink-escape} or {@code path-missing}.
     *
     * @return the rule keyword
     */
    public String rule() {
        return rule;
    }
}
