package dev.procflux.web;

import dev.procflux.Command;
import dev.procflux.OutputLimitPolicy;
import dev.procflux.internal.Arguments;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A named, allow-listed command template: what an HTTP client may run.
 *
 * <p>The template is an argv list. An element that is exactly {@code {param}} is replaced by the parameter's
 * checked value, as one whole argv element: a value is never split, never spliced into a longer string, and never
 * seen by a shell. A placeholder inside a longer element ({@code --out={file}}) is refused when the action is
 * built, and so is a placeholder as the executable.
 *
 * <pre>{@code
 * Action seq = Action.builder("seq", "seq", "{count}")
 *         .parameter(Parameter.integer("count", 1, 1000).defaultValue("10").build())
 *         .timeout(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Create with {@link #builder(String, String...)}.
 */
public final class Action {
    /** Default for {@link #timeout()}: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Default for {@link #maxOutputBytes()}: 1 MiB. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 1024L * 1024;
    /**
     * Default for {@link #inheritedEnv()}: what programs need to be found and to speak the server's language
     * ({@code PATH}, {@code HOME}, {@code LANG}, {@code LC_ALL}, {@code LC_CTYPE}, {@code TZ}, {@code TMPDIR}).
     */
    public static final Set<String> DEFAULT_INHERITED_ENV = Set.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE",
            "TZ", "TMPDIR");
    /** Default for {@link #maxBodyBytes()}: 16 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final String name;
    private final String description;
    private final List<String> template;
    private final Map<String, Parameter> parameters;
    private final Duration timeout;
    private final long maxOutputBytes;
    private final boolean stdinFromBody;
    private final long maxBodyBytes;
    private final StreamFormat streamFormat;
    private final @Nullable Path directory;
    private final Set<String> inheritedEnv;
    private final Map<String, String> env;

    private Action(Builder b) {
        name = b.name;
        description = b.description;
        template = b.template;
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(b.parameters));
        timeout = b.timeout;
        maxOutputBytes = b.maxOutputBytes;
        stdinFromBody = b.stdinFromBody;
        maxBodyBytes = b.maxBodyBytes;
        streamFormat = b.streamFormat;
        directory = b.directory;
        inheritedEnv = Collections.unmodifiableSet(new LinkedHashSet<>(b.inheritedEnv));
        env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
    }

    /**
     * Starts an action.
     *
     * @param name the action's name in URLs: letters, digits, {@code _ . -}, starting with a letter or digit, at
     *        most 64 characters
     * @param command the argv template: the executable (never a placeholder) and its arguments
     * @return a builder
     * @throws IllegalArgumentException if the name is invalid or the command is empty
     */
    public static Builder builder(String name, String... command) {
        Objects.requireNonNull(command, "command");
        return builder(name, Arrays.asList(command));
    }

    /**
     * Starts an action.
     *
     * @param name the action's name in URLs
     * @param command the argv template
     * @return a builder
     * @throws IllegalArgumentException if the name is invalid or the command is empty
     */
    public static Builder builder(String name, List<String> command) {
        return new Builder(name, command);
    }

    /** @return the action's name, as in {@code /actions/{name}} */
    public String name() {
        return name;
    }

    /** @return a description for people; may be empty */
    public String description() {
        return description;
    }

    /** @return the argv template, unmodifiable */
    public List<String> template() {
        return template;
    }

    /** @return the parameters by name, in declaration order, unmodifiable */
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /** @return how long a run may take before its process tree is killed (HTTP 504) */
    public Duration timeout() {
        return timeout;
    }

    /**
     * @return the most output kept per stream by {@code POST /actions/{name}} (the rest is dropped and
     *         {@code truncated} is set), and the most bytes a stream sends before it is cut
     */
    public long maxOutputBytes() {
        return maxOutputBytes;
    }

    /** @return whether the request body is streamed to the process's stdin */
    public boolean stdinFromBody() {
        return stdinFromBody;
    }

    /** @return the largest request body accepted for stdin (HTTP 413 beyond it) */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** @return the stream format used when the client's {@code Accept} header chooses none */
    public StreamFormat streamFormat() {
        return streamFormat;
    }

    /** @return the working directory of runs, or empty for the server's */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** @return the names of the server's environment variables a run inherits (when the server has them) */
    public Set<String> inheritedEnv() {
        return inheritedEnv;
    }

    /** @return the environment variables set for every run, over the inherited ones; unmodifiable */
    public Map<String, String> env() {
        return env;
    }

    /** @return whether a parameter is a {@link PathParameter} (resolving it touches the file system) */
    public boolean hasPathParameter() {
        return parameters.values().stream().anyMatch(p -> p instanceof PathParameter);
    }

    /**
     * Checks {@code values} and substitutes them into the template.
     *
     * @param values the request's parameters by name
     * @return the argv
     * @throws InvalidParameterException if a value breaks its rule, a required parameter is missing, or a name is
     *         not a parameter of this action
     */
    public List<String> argv(Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        return ActionTemplate.argv(name, template, parameters, values);
    }

    /**
     * The command for one run: {@link #argv(Map)} with the action's timeout, directory and output limit
     * ({@link OutputLimitPolicy#TRUNCATE} at {@link #maxOutputBytes()}), and only the environment the action
     * grants: the {@link #inheritedEnv()} variables the server has, then {@link #env()}. The rest of the server's
     * environment, its secrets included, never reaches a run.
     *
     * @param values the request's parameters by name
     * @return the command, without stdin
     * @throws InvalidParameterException as {@link #argv(Map)}
     */
    public Command command(Map<String, String> values) {
        Command command = ActionEnvironment.apply(Command.of(argv(values)).withoutInheritedEnv(), inheritedEnv, env)
                .withTimeout(timeout)
                .withMaxOutputBytes(maxOutputBytes, OutputLimitPolicy.TRUNCATE);
        return directory == null ? command : command.withDirectory(directory);
    }

    @Override
    public String toString() {
        return "Action[" + name + ", " + template + ", parameters=" + parameters.keySet() + ", timeout=" + timeout
                + (stdinFromBody ? ", stdin=body" : "") + "]";
    }

    /** Configures an {@link Action}. Not thread-safe: configure on one thread, then call {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final List<String> template;
        private final Map<String, Parameter> parameters = new LinkedHashMap<>();
        private String description = "";
        private Duration timeout = DEFAULT_TIMEOUT;
        private long maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private boolean stdinFromBody;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private StreamFormat streamFormat = StreamFormat.EVENT_STREAM;
        private @Nullable Path directory;
        private Set<String> inheritedEnv = new LinkedHashSet<>(new java.util.TreeSet<>(DEFAULT_INHERITED_ENV));
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(String name, List<String> command) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(command, "command");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("action name must match " + NAME.pattern() + ", was '" + name
                        + "'");
            }
            this.name = name;
            this.template = ActionTemplate.copy(name, command);
        }

        /**
         * Declares a parameter; every placeholder of the template needs one.
         *
         * @param value the parameter
         * @return this builder
         * @throws IllegalArgumentException if a parameter of that name was already declared
         */
        public Builder parameter(Parameter value) {
            Objects.requireNonNull(value, "value");
            if (parameters.putIfAbsent(value.name(), value) != null) {
                throw new IllegalArgumentException("action '" + name + "': parameter '" + value.name()
                        + "' declared twice");
            }
            return this;
        }

        /**
         * A description for people. Default empty.
         *
         * @param value the description
         * @return this builder
         */
        public Builder description(String value) {
            this.description = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * How long a run may take; then its process tree is killed and the answer is 504 (or an {@code error}
         * event on a stream). Default 30 seconds.
         *
         * @param value a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero or negative
         */
        public Builder timeout(Duration value) {
            Objects.requireNonNull(value, "value");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + value);
            }
            this.timeout = value;
            return this;
        }

        /**
         * The most output kept per stream by {@code POST /actions/{name}}, beyond which output is dropped and
         * {@code truncated} is set; and the most stdout plus stderr bytes a stream sends before it ends with an
         * {@code error} event and the process tree is killed. Default 1 MiB.
         *
         * @param value at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public Builder maxOutputBytes(long value) {
            this.maxOutputBytes = Arguments.atLeast(value, 0, "maxOutputBytes");
            return this;
        }

        /**
         * Whether the request body is streamed to the process's stdin, with backpressure. Default {@code false}:
         * stdin is closed at once and a JSON request body, if any, carries parameters.
         *
         * @param value whether to stream the body to stdin
         * @return this builder
         */
        public Builder stdinFromBody(boolean value) {
            this.stdinFromBody = value;
            return this;
        }

        /**
         * The largest request body streamed to stdin; a larger one is refused with 413 (at once when the
         * {@code Content-Length} says so, else when the limit is crossed, killing the process). Default 16 MiB.
         *
         * @param value at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public Builder maxBodyBytes(long value) {
            this.maxBodyBytes = Arguments.atLeast(value, 0, "maxBodyBytes");
            return this;
        }

        /**
         * The stream format when the client's {@code Accept} header names none. Default
         * {@link StreamFormat#EVENT_STREAM}.
         *
         * @param value the format
         * @return this builder
         */
        public Builder streamFormat(StreamFormat value) {
            this.streamFormat = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * The working directory of runs. Default: the server's.
         *
         * @param value the directory; checked when a run starts
         * @return this builder
         */
        public Builder directory(Path value) {
            this.directory = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * The server's environment variables a run inherits, replacing the default
         * {@link Action#DEFAULT_INHERITED_ENV}; every other variable of the server (a token, credentials) stays
         * out of the run.
         *
         * @param names variable names; may be empty for a run with only {@link #env} variables
         * @return this builder
         * @throws IllegalArgumentException if a name is not a valid variable name
         */
        public Builder inheritedEnv(Collection<String> names) {
            Objects.requireNonNull(names, "names");
            Set<String> copy = new LinkedHashSet<>();
            for (String n : names) {
                copy.add(ActionEnvironment.checkName(name, n));
            }
            this.inheritedEnv = copy;
            return this;
        }

        /**
         * Sets an environment variable for every run, over an inherited one of that name. Default: none.
         *
         * @param name the variable's name
         * @param value its value; never shown by {@code GET /actions} nor by {@link Action#toString()}
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid variable name
         */
        public Builder env(String name, String value) {
            Objects.requireNonNull(value, "value");
            env.put(ActionEnvironment.checkName(this.name, name), value);
            return this;
        }

        /**
         * @return the action
         * @throws IllegalArgumentException if a placeholder is not a whole argv element, is the executable, or
         *         names no declared parameter, or if a declared parameter is not used
         */
        public Action build() {
            ActionTemplate.check(name, template, parameters.keySet());
            return new Action(this);
        }
    }
}
