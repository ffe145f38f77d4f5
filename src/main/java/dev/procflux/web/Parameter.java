package dev.procflux.web;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * One typed parameter of an {@link Action}: the rule its value must satisfy before it becomes one argv element.
 *
 * <p>Every type first applies the common rules: at most {@link #maxLength()} characters, no NUL character, and
 * no leading {@code -} unless {@link #allowsLeadingDash()} (so that a value cannot be read as an option such as
 * {@code -rf} or {@code --output=/etc/passwd}). Then the type's rule:
 * <ul>
 * <li>{@link Type#PATTERN}: the whole value matches a regular expression;</li>
 * <li>{@link Type#ENUM}: the value is one of a fixed list;</li>
 * <li>{@link Type#INTEGER}: a decimal integer within a range, passed in canonical form ({@code 007} becomes
 * {@code 7});</li>
 * <li>{@link Type#PATH}: a path that, resolved against a base directory and normalized, stays under it, also once
 * symbolic links are followed; passed as the absolute real path.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. Create with {@link #pattern}, {@link #oneOf}, {@link #integer} or {@link #path}.
 */
public final class Parameter {
    /** Default for {@link #maxLength()}. */
    public static final int DEFAULT_MAX_LENGTH = 1024;

    /** The kinds of rule a parameter applies. */
    public enum Type {
        /** The whole value matches a regular expression. */
        PATTERN,
        /** The value is one of a fixed list. */
        ENUM,
        /** A decimal integer within a range. */
        INTEGER,
        /** A path confined under a base directory. */
        PATH
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Logger log = Loggers.getLogger(Parameter.class);
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,18}");

    private final String name;
    private final Type type;
    private final @Nullable Pattern pattern;
    private final List<String> values;
    private final long min;
    private final long max;
    private final @Nullable Path baseDirectory;
    private final boolean mustExist;
    private final boolean allowLeadingDash;
    private final int maxLength;
    private final @Nullable String defaultValue;
    private final String description;

    private Parameter(Builder b) {
        name = b.name;
        type = b.type;
        pattern = b.pattern;
        values = b.values;
        min = b.min;
        max = b.max;
        baseDirectory = b.baseDirectory;
        mustExist = b.mustExist;
        allowLeadingDash = b.allowLeadingDash;
        maxLength = b.maxLength;
        defaultValue = b.defaultValue;
        description = b.description;
    }

    /**
     * A parameter whose whole value must match {@code regex} (as {@link java.util.regex.Matcher#matches()}).
     *
     * @param name the parameter's name: a letter or {@code _}, then letters, digits or {@code _}
     * @param regex the expression
     * @return a builder
     * @throws IllegalArgumentException if the name or the expression is invalid
     */
    public static Builder pattern(String name, String regex) {
        Objects.requireNonNull(regex, "regex");
        Builder b = new Builder(name, Type.PATTERN);
        try {
            b.pattern = Pattern.compile(regex);
        }
        catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("parameter '" + name + "': invalid pattern: " + e.getMessage(), e);
        }
        return b;
    }

    /**
     * A parameter whose value must be one of {@code values}.
     *
     * @param name the parameter's name
     * @param values the allowed values, at least one
     * @return a builder
     * @throws IllegalArgumentException if the name is invalid or no value is given
     */
    public static Builder oneOf(String name, String... values) {
        Objects.requireNonNull(values, "values");
        return oneOf(name, Arrays.asList(values));
    }

    /**
     * A parameter whose value must be one of {@code values}.
     *
     * @param name the parameter's name
     * @param values the allowed values, at least one
     * @return a builder
     * @throws IllegalArgumentException if the name is invalid or no value is given
     */
    public static Builder oneOf(String name, List<String> values) {
        Objects.requireNonNull(values, "values");
        Builder b = new Builder(name, Type.ENUM);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("parameter '" + name + "': an enum needs at least one value");
        }
        List<String> copy = new ArrayList<>(values.size());
        for (String v : values) {
            copy.add(Objects.requireNonNull(v, "values[]"));
        }
        b.values = Collections.unmodifiableList(copy);
        return b;
    }

    /**
     * A parameter whose value must be a decimal integer in {@code [min, max]}.
     *
     * @param name the parameter's name
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return a builder
     * @throws IllegalArgumentException if the name is invalid or {@code min > max}
     */
    public static Builder integer(String name, long min, long max) {
        Builder b = new Builder(name, Type.INTEGER);
        if (min > max) {
            throw new IllegalArgumentException("parameter '" + name + "': min must be <= max, was " + min + " > "
                    + max);
        }
        b.min = min;
        b.max = max;
        return b;
    }

    /**
     * A parameter naming a file or directory under {@code baseDirectory}. The value (relative, or absolute inside
     * the base) is resolved against the base and normalized; a result outside the base ({@code ../../etc/passwd})
     * is rejected, and so is one whose real path (symbolic links followed) leaves the base. The argv element is
     * the absolute real path.
     *
     * @param name the parameter's name
     * @param baseDirectory the directory values are confined to; made absolute
     * @return a builder
     * @throws IllegalArgumentException if the name is invalid
     */
    public static Builder path(String name, Path baseDirectory) {
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Builder b = new Builder(name, Type.PATH);
        b.baseDirectory = baseDirectory.toAbsolutePath().normalize();
        return b;
    }

    /** @return the parameter's name */
    public String name() {
        return name;
    }

    /** @return the kind of rule */
    public Type type() {
        return type;
    }

    /** @return the regular expression of a {@link Type#PATTERN} parameter, or empty */
    public Optional<Pattern> regex() {
        return Optional.ofNullable(pattern);
    }

    /** @return the allowed values of an {@link Type#ENUM} parameter; empty for other types */
    public List<String> values() {
        return values;
    }

    /** @return the smallest value of an {@link Type#INTEGER} parameter ({@link Long#MIN_VALUE} for other types) */
    public long min() {
        return min;
    }

    /** @return the largest value of an {@link Type#INTEGER} parameter ({@link Long#MAX_VALUE} for other types) */
    public long max() {
        return max;
    }

    /** @return the base directory of a {@link Type#PATH} parameter, or empty */
    public Optional<Path> baseDirectory() {
        return Optional.ofNullable(baseDirectory);
    }

    /** @return whether a {@link Type#PATH} value must name an existing file or directory */
    public boolean mustExist() {
        return mustExist;
    }

    /** @return whether a value may start with {@code -} */
    public boolean allowsLeadingDash() {
        return allowLeadingDash;
    }

    /** @return the longest value accepted, in characters */
    public int maxLength() {
        return maxLength;
    }

    /** @return the value used when a request omits the parameter; empty when the parameter is required */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** @return a description for people (shown on the HTML page); may be empty */
    public String description() {
        return description;
    }

    /** @return the rule in words, as error messages and {@code GET /actions} show it */
    public String ruleDescription() {
        switch (type) {
            case PATTERN:
                return "must match " + Objects.requireNonNull(pattern).pattern();
            case ENUM:
                return "must be one of " + values;
            case INTEGER:
                return "must be an integer in [" + min + ", " + max + "]";
            default:
                // relative: the server's own directory layout is not the client's business
                return "must be a path under the base directory";
        }
    }

    /**
     * Checks {@code value} and returns the argv element to pass. Path parameters touch the file system (real
     * paths), so call this off event-loop threads for {@link Type#PATH}.
     *
     * @param value the value from the request, or {@code null} when absent (the default is used)
     * @return the argv element
     * @throws InvalidParameterException if the value breaks a rule, or is absent without a default
     */
    public String resolve(@Nullable String value) {
        String v = value;
        if (v == null) {
            v = defaultValue;
            if (v == null) {
                throw invalid("required", "is required");
            }
        }
        if (v.length() > maxLength) {
            throw invalid("max-length", "must be at most " + maxLength + " characters, was " + v.length());
        }
        if (v.indexOf('\0') >= 0) {
            throw invalid("nul", "must not contain a NUL character");
        }
        // an integer parameter whose declared range includes negative numbers takes them, as its range says
        boolean negativeAllowed = type == Type.INTEGER && min < 0;
        if (v.startsWith("-") && !allowLeadingDash && !negativeAllowed) {
            throw invalid("leading-dash", "must not start with '-' (it would be read as an option)");
        }
        switch (type) {
            case PATTERN:
                boolean matches;
                try {
                    matches = new BoundedRegex(Objects.requireNonNull(pattern), BoundedRegex.DEFAULT_MAX_STEPS)
                            .matches(v);
                }
                catch (BoundedRegex.BudgetExceededException e) {
                    throw invalid("pattern-too-costly", ruleDescription() + "; matching this value gave up after "
                            + BoundedRegex.DEFAULT_MAX_STEPS + " steps (the pattern backtracks too much)");
                }
                if (!matches) {
                    throw invalid("pattern", ruleDescription());
                }
                return v;
            case ENUM:
                if (!values.contains(v)) {
                    throw invalid("enum", ruleDescription());
                }
                return v;
            case INTEGER:
                return resolveInteger(v);
            default:
                return resolvePath(v);
        }
    }

    private String resolveInteger(String v) {
        if (!DECIMAL.matcher(v).matches()) {
            throw invalid("integer", ruleDescription() + "; not a decimal integer");
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw invalid("range", ruleDescription() + ", was " + n);
        }
        return Long.toString(n);
    }

    private String resolvePath(String v) {
        return new PathConfinement(Objects.requireNonNull(baseDirectory), mustExist).resolve(name, v);
    }

    private InvalidParameterException invalid(String rule, String what) {
        return new InvalidParameterException(name, rule, "parameter '" + name + "' " + what);
    }

    @Override
    public String toString() {
        return "Parameter[" + name + ", " + type + ": " + ruleDescription()
                + (defaultValue != null ? ", default=" + defaultValue : "") + "]";
    }

    /** Configures a {@link Parameter}. Not thread-safe: configure on one thread, then call {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final Type type;
        private @Nullable Pattern pattern;
        private List<String> values = List.of();
        private long min = Long.MIN_VALUE;
        private long max = Long.MAX_VALUE;
        private @Nullable Path baseDirectory;
        private boolean mustExist = true;
        private boolean allowLeadingDash;
        private int maxLength = DEFAULT_MAX_LENGTH;
        private @Nullable String defaultValue;
        private String description = "";

        private Builder(String name, Type type) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("parameter name must match " + NAME.pattern() + ", was '" + name
                        + "'");
            }
            this.name = name;
            this.type = type;
        }

        /**
         * The value used when a request omits the parameter. Default: none, the parameter is required. The default
         * is checked like any value, when it is used.
         *
         * @param value the default
         * @return this builder
         */
        public Builder defaultValue(String value) {
            this.defaultValue = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Whether a value may start with {@code -}. Default {@code false}: such a value would be read by most
         * programs as an option.
         *
         * @param value whether to allow it
         * @return this builder
         */
        public Builder allowLeadingDash(boolean value) {
            this.allowLeadingDash = value;
            return this;
        }

        /**
         * The longest value accepted, in characters. Default {@value Parameter#DEFAULT_MAX_LENGTH}.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxLength(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxLength must be >= 1, was " + value);
            }
            this.maxLength = value;
            return this;
        }

        /**
         * For {@link Type#PATH}: whether the value must name an existing file or directory. Default {@code true}.
         *
         * @param value whether it must exist
         * @return this builder
         * @throws IllegalStateException if this is not a path parameter
         */
        public Builder mustExist(boolean value) {
            if (type != Type.PATH) {
                throw new IllegalStateException("mustExist applies to path parameters only, '" + name + "' is "
                        + type);
            }
            this.mustExist = value;
            return this;
        }

        /**
         * A description for people, shown on the HTML page. Default empty.
         *
         * @param value the description
         * @return this builder
         */
        public Builder description(String value) {
            this.description = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @return the parameter
         * @throws IllegalArgumentException if an enum value starts with {@code -} while leading dashes are not
         *         allowed
         */
        public Parameter build() {
            Pattern p = pattern;
            if (p != null && BoundedRegex.hasNestedQuantifier(p.pattern())) {
                log.warn("parameter '" + name + "': pattern '" + p.pattern() + "' repeats a group that contains a "
                        + "repetition and may backtrack catastrophically; matching a value gives up after "
                        + BoundedRegex.DEFAULT_MAX_STEPS + " steps (rule 'pattern-too-costly')");
            }
            if (type == Type.ENUM && !allowLeadingDash) {
                for (String v : values) {
                    if (v.startsWith("-")) {
                        throw new IllegalArgumentException("parameter '" + name + "': enum value '" + v
                                + "' starts with '-': set allowLeadingDash");
                    }
                }
            }
            return new Parameter(this);
        }
    }
}
