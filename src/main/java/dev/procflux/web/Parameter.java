package dev.procflux.web;

import dev.procflux.internal.Arguments;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One typed parameter of an {@link Action}: the rule its value must satisfy before it becomes one argv element.
 *
 * <p>Every kind first applies the common rules of its {@link Common}: at most {@link #maxLength()} characters, no
 * NUL character, and no leading {@code -} unless {@link #allowsLeadingDash()} (so that a value cannot be read as
 * an option such as {@code -rf} or {@code --output=/etc/passwd}). Then the kind's rule:
 * <ul>
 * <li>{@link PatternParameter}: the whole value matches a regular expression;</li>
 * <li>{@link EnumParameter}: the value is one of a fixed list;</li>
 * <li>{@link IntegerParameter}: a decimal integer within a range, passed in canonical form ({@code 007} becomes
 * {@code 7});</li>
 * <li>{@link PathParameter}: a path that, resolved against a base directory and normalized, stays under it, also
 * once symbolic links are followed; passed as the absolute real path.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. Create with {@link #pattern}, {@link #oneOf}, {@link #integer} or {@link #path}.
 */
public sealed interface Parameter permits PatternParameter, EnumParameter, IntegerParameter, PathParameter {
    /** Default for {@link #maxLength()}. */
    int DEFAULT_MAX_LENGTH = 1024;

    /**
     * A parameter whose whole value must match {@code regex} (as {@link java.util.regex.Matcher#matches()}).
     *
     * @param name the parameter's name: a letter or {@code _}, then letters, digits or {@code _}
     * @param regex the expression
     * @return a builder of a {@link PatternParameter}
     * @throws IllegalArgumentException if the name or the expression is invalid
     */
    static Builder pattern(String name, String regex) {
        Objects.requireNonNull(regex, "regex");
        Common.checkName(name);
        Pattern compiled = PatternParameter.compile(name, regex);
        return new Builder(name, "PATTERN", b -> new PatternParameter(b.common(), compiled));
    }

    /**
     * A parameter whose value must be one of {@code values}.
     *
     * @param name the parameter's name
     * @param values the allowed values, at least one
     * @return a builder of an {@link EnumParameter}
     * @throws IllegalArgumentException if the name is invalid or no value is given
     */
    static Builder oneOf(String name, String... values) {
        Objects.requireNonNull(values, "values");
        return oneOf(name, Arrays.asList(values));
    }

    /**
     * A parameter whose value must be one of {@code values}.
     *
     * @param name the parameter's name
     * @param values the allowed values, at least one
     * @return a builder of an {@link EnumParameter}
     * @throws IllegalArgumentException if the name is invalid or no value is given
     */
    static Builder oneOf(String name, List<String> values) {
        Objects.requireNonNull(values, "values");
        Common.checkName(name);
        List<String> copy = EnumParameter.copy(name, values);
        return new Builder(name, "ENUM", b -> new EnumParameter(b.common(), copy));
    }

    /**
     * A parameter whose value must be a decimal integer in {@code [min, max]}.
     *
     * @param name the parameter's name
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return a builder of an {@link IntegerParameter}
     * @throws IllegalArgumentException if the name is invalid or {@code min > max}
     */
    static Builder integer(String name, long min, long max) {
        Common.checkName(name);
        IntegerParameter.checkRange(name, min, max);
        return new Builder(name, "INTEGER", b -> new IntegerParameter(b.common(), min, max));
    }

    /**
     * A parameter naming a file or directory under {@code baseDirectory}. The value (relative, or absolute inside
     * the base) is resolved against the base and normalized; a result outside the base ({@code ../../etc/passwd})
     * is rejected, and so is one whose real path (symbolic links followed) leaves the base. The argv element is
     * the absolute real path.
     *
     * @param name the parameter's name
     * @param baseDirectory the directory values are confined to; made absolute
     * @return a builder of a {@link PathParameter}
     * @throws IllegalArgumentException if the name is invalid
     */
    static Builder path(String name, Path baseDirectory) {
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Common.checkName(name);
        Builder path = new Builder(name, "PATH", b -> new PathParameter(b.common(), baseDirectory, b.mustExist));
        path.path = true;
        return path;
    }

    /** @return the rules every kind of parameter has: name, length, leading dash, default, description */
    Common common();

    /** @return the parameter's name */
    default String name() {
        return common().name();
    }

    /** @return whether a value may start with {@code -} */
    default boolean allowsLeadingDash() {
        return common().allowsLeadingDash();
    }

    /** @return the longest value accepted, in characters */
    default int maxLength() {
        return common().maxLength();
    }

    /** @return the value used when a request omits the parameter; empty when the parameter is required */
    default Optional<String> defaultValue() {
        return Optional.ofNullable(common().defaultValue());
    }

    /** @return a description for people (shown on the HTML page); may be empty */
    default String description() {
        return common().description();
    }

    /** @return the rule in words, as error messages and {@code GET /actions} show it */
    String ruleDescription();

    /**
     * Checks {@code value} and returns the argv element to pass. A {@link PathParameter} touches the file system
     * (real paths), so call this off event-loop threads for it.
     *
     * @param value the value from the request, or {@code null} when absent (the default is used)
     * @return the argv element
     * @throws InvalidParameterException if the value breaks a rule, or is absent without a default
     */
    String resolve(@Nullable String value);

    /**
     * The rules every kind of parameter applies before its own.
     *
     * @param name the parameter's name: a letter or {@code _}, then letters, digits or {@code _}
     * @param allowsLeadingDash whether a value may start with {@code -}
     * @param maxLength the longest value accepted, in characters; at least 1
     * @param defaultValue the value used when a request omits the parameter, or {@code null} when it is required;
     *        checked like any value, when it is used
     * @param description a description for people; may be empty
     */
    record Common(String name, boolean allowsLeadingDash, int maxLength, @Nullable String defaultValue,
            String description) {
        private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

        /**
         * @param name the parameter's name: a letter or {@code _}, then letters, digits or {@code _}
         * @param allowsLeadingDash whether a value may start with {@code -}
         * @param maxLength the longest value accepted, in characters; at least 1
         * @param defaultValue the value used when a request omits the parameter, or {@code null}
         * @param description a description for people; may be empty
         * @throws IllegalArgumentException if the name is invalid or {@code maxLength} is below 1
         */
        public Common {
            checkName(name);
            checkMaxLength(maxLength);
            Objects.requireNonNull(description, "description");
        }

        static void checkName(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("parameter name must match " + NAME.pattern() + ", was '" + name
                        + "'");
            }
        }

        static void checkMaxLength(int value) {
            Arguments.atLeast(value, 1, "maxLength");
        }

        /**
         * The value, or the default when it is absent, after the common rules.
         *
         * @param negativeAllowed whether a leading {@code -} is a sign the kind accepts
         */
        String check(@Nullable String value, boolean negativeAllowed) {
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
            if (v.startsWith("-") && !allowsLeadingDash && !negativeAllowed) {
                throw invalid("leading-dash", "must not start with '-' (it would be read as an option)");
            }
            return v;
        }

        InvalidParameterException invalid(String rule, String what) {
            return new InvalidParameterException(name, rule, "parameter '" + name + "' " + what);
        }

        /** The {@code toString()} of every kind. */
        String describe(String kind, String rule) {
            return "Parameter[" + name + ", " + kind + ": " + rule + (defaultValue != null ? ", default="
                    + defaultValue : "") + "]";
        }
    }

    /** Configures a {@link Parameter}. Not thread-safe: configure on one thread, then call {@link #build()}. */
    final class Builder {
        private final String name;
        /** The kind, as {@link #mustExist} names it. */
        private final String kindName;
        /** Builds the kind's record; its own rule is checked already. */
        private final Function<Builder, Parameter> kind;
        private boolean path;
        private boolean mustExist = true;
        private boolean allowLeadingDash;
        private int maxLength = DEFAULT_MAX_LENGTH;
        private @Nullable String defaultValue;
        private String description = "";

        private Builder(String name, String kindName, Function<Builder, Parameter> kind) {
            this.name = name;
            this.kindName = kindName;
            this.kind = kind;
        }

        private Common common() {
            return new Common(name, allowLeadingDash, maxLength, defaultValue, description);
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
            Common.checkMaxLength(value);
            this.maxLength = value;
            return this;
        }

        /**
         * For a {@link PathParameter}: whether the value must name an existing file or directory. Default
         * {@code true}.
         *
         * @param value whether it must exist
         * @return this builder
         * @throws IllegalStateException if this is not a path parameter
         */
        public Builder mustExist(boolean value) {
            if (!path) {
                throw new IllegalStateException("mustExist applies to path parameters only, '" + name + "' is "
                        + kindName);
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
            return kind.apply(this);
        }
    }
}
