package dev.procflux;

import dev.procflux.internal.ApiFactory;
import dev.procflux.internal.Arguments;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * A process to run: an argv list plus its directory, environment, stdin, timeout and output limits.
 *
 * <p>Immutable and thread-safe; every {@code withXxx} method returns a new command. The argv is passed to the
 * operating system as is: it is <b>never</b> run through a shell. To use shell syntax, say so explicitly with
 * {@link #shell(String)}.
 *
 * <p>Arguments are not checked here, so that commands built from untrusted data can still be described and
 * logged; an empty argv or an argument with a NUL byte fails at execution with {@link ProcessStartException}.
 *
 * <p><b>Bytes that are not UTF-8.</b> Arguments and environment values reach the process as UTF-8, except that an
 * argument may carry any raw byte {@code 0x80..0xFF} as the lone surrogate {@code U+DC80..U+DCFF} (the convention
 * of Python's {@code surrogateescape}, PEP 383), so a file name in Latin-1 passes through byte for byte:
 * {@link #argument(byte[])} makes such a string from bytes, and {@link #argumentBytes(String)} gives the bytes back.
 * A command with such bytes starts through {@code /bin/sh}, which rebuilds them without parsing them and then
 * {@code exec}s the command (same pid, same signal state); other commands start directly. Environment values may
 * carry raw bytes the same way, under names of letters, digits and underscores. An executable name with raw bytes
 * is checked on its bytes before the start like any other, so a missing one fails with
 * {@link ProcessStartException} too.
 */
public final class Command {
    /** Default for {@link #maxOutputBytes()}: 64 MiB per stream. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 64L * 1024 * 1024;
    /** Default for {@link #maxLineLength()}: 1 MiB characters. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

    // frozen: never changed once this command is built (withXxx changes a copy); published by the final field
    private final Spec spec;

    private Command(Spec spec) {
        // text is encoded here, with the final charset, so withStdin(String) and withCharset commute
        if (spec.stdinText != null) {
            spec.stdin = spec.stdinText.getBytes(spec.charset);
        }
        this.spec = spec;
    }

    /** A command's settings; mutable only while a new command is derived from an old one. */
    private static final class Spec implements Cloneable {
        List<String> argv;
        @Nullable Path directory;
        Map<String, String> environment = Map.of();
        boolean inheritEnvironment = true;
        @Nullable Duration timeout;
        @Nullable String stdinText;
        byte @Nullable [] stdin;
        @Nullable Publisher<ByteBuffer> stdinPublisher;
        long maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        OutputLimitPolicy outputLimitPolicy = OutputLimitPolicy.FAIL;
        Charset charset = StandardCharsets.UTF_8;
        int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        boolean parentDeathSignal;

        Spec(List<String> argv) {
            this.argv = argv;
        }

        /** A shallow copy: the argv, environment and stdin it shares are never modified. */
        Spec copy() {
            try {
                return (Spec) clone();
            }
            catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Command with(Consumer<Spec> change) {
        Spec s = spec.copy();
        change.accept(s);
        return new Command(s);
    }

    /**
     * A command from its argv: the executable (a name looked up on {@code PATH}, or a path) and its arguments.
     *
     * @param argv the executable and its arguments
     * @return the command, with the defaults: inherited environment, no timeout, no stdin
     * @throws NullPointerException if {@code argv} or any element is null
     */
    public static Command of(String... argv) {
        Objects.requireNonNull(argv, "argv");
        return of(Arrays.asList(argv));
    }

    /**
     * A command from its argv list.
     *
     * @param argv the executable and its arguments
     * @return the command
     * @throws NullPointerException if {@code argv} or any element is null
     */
    public static Command of(List<String> argv) {
        return new Command(new Spec(Arguments.copyOfNonNull(argv, "argv")));
    }

    /**
     * An argument that stands for exactly these bytes: UTF-8 text decodes as such, and every byte that is not part of
     * well-formed UTF-8 becomes the lone surrogate {@code U+DC80..U+DCFF}. {@code argumentBytes(argument(b))} equals
     * {@code b} for every byte array.
     *
     * <pre>{@code
     * byte[] name = {'c', 'a', 'f', (byte) 0xe9, '.', 't', 'x', 't'}; // "café.txt" in Latin-1
     * Command cat = Command.of("cat", "--", Command.argument(name));
     * }</pre>
     *
     * @param bytes the argument's bytes (a NUL byte fails at execution, as in any argument)
     * @return the argument as a string
     */
    public static String argument(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return ApiFactory.argument(bytes);
    }

    /**
     * The bytes a process receives for {@code argument}: its UTF-8 encoding, with each lone surrogate
     * {@code U+DC80..U+DCFF} as the raw byte it stands for (see {@link #argument(byte[])}).
     *
     * @param argument an argument
     * @return its bytes
     */
    public static byte[] argumentBytes(String argument) {
        Objects.requireNonNull(argument, "argument");
        return ApiFactory.argumentBytes(argument);
    }

    /**
     * {@code sh -c script}: the one explicit way to use shell syntax (pipes, globs, redirections). Never pass
     * untrusted text here.
     *
     * @param script the shell script
     * @return the command
     */
    public static Command shell(String script) {
        Objects.requireNonNull(script, "script");
        return of("sh", "-c", script);
    }

    /**
     * Runs the process in {@code directory} instead of the JVM's working directory.
     *
     * @param directory an existing directory; checked at execution
     * @return a new command
     */
    public Command withDirectory(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return with(s -> s.directory = directory);
    }

    /**
     * Sets one environment variable on top of the inherited environment.
     *
     * @param name the variable name; must not be empty or contain {@code =}
     * @param value the value; never logged nor shown by {@link #toString()}
     * @return a new command
     * @throws IllegalArgumentException if the name is empty or contains {@code =}
     */
    public Command withEnv(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("environment variable name must be non-empty without '=', was '"
                    + name + "'");
        }
        Map<String, String> env = new LinkedHashMap<>(spec.environment);
        env.put(name, value);
        Map<String, String> unmodifiable = Collections.unmodifiableMap(env);
        return with(s -> s.environment = unmodifiable);
    }

    /**
     * Starts from an empty environment instead of the JVM's: only variables set with {@link #withEnv} are passed.
     *
     * @return a new command
     */
    public Command withoutInheritedEnv() {
        return with(s -> s.inheritEnvironment = false);
    }

    /**
     * Kills the process tree (graceful signal, grace period, then forced) when it runs longer than
     * {@code timeout}, and fails with {@link ProcessTimeoutException}. Default: no timeout. The time waiting for a
     * free slot is not counted.
     *
     * @param timeout a positive duration, or a negative one for no timeout (see {@link ProcessEngine.Builder})
     * @return a new command
     * @throws IllegalArgumentException if {@code timeout} is zero: a process cannot finish at once
     */
    public Command withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, or negative for no timeout, was "
                    + timeout);
        }
        return with(s -> s.timeout = timeout.isNegative() ? null : timeout);
    }

    /**
     * Writes {@code text}, encoded with {@link #charset()}, to the process's stdin and then closes it.
     * Default: stdin is closed at once (the process reads end-of-file). The charset is the command's final one,
     * whether {@link #withCharset(Charset)} is called before or after this.
     *
     * @param text the input
     * @return a new command
     */
    public Command withStdin(String text) {
        Objects.requireNonNull(text, "text");
        return with(s -> {
            s.stdinText = text;
            s.stdin = null;
            s.stdinPublisher = null;
        });
    }

    /**
     * Writes {@code bytes} to the process's stdin (flow-controlled: only as fast as the pipe takes them), then
     * closes it. The array is copied.
     *
     * @param bytes the input
     * @return a new command
     */
    public Command withStdin(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        byte[] copy = bytes.clone();
        return with(s -> {
            s.stdinText = null;
            s.stdin = copy;
            s.stdinPublisher = null;
        });
    }

    /**
     * Streams {@code input} to the process's stdin with backpressure: at most eight buffers are requested ahead of
     * the pipe, and more only as the pipe takes them, so a fast publisher and a slow process never pile bytes up in
     * the heap. The stdin pipe is grown to 256 KiB where the system allows it. Stdin is closed when {@code input}
     * completes; an error from {@code input} kills the process tree and fails the call with that error. Each
     * execution subscribes to {@code input} once.
     *
     * <p><b>Threading:</b> {@code input} is subscribed to, and requested from (eight buffers ahead, then four each
     * time the pipe has taken four), on the engine's {@link EngineOptions#deliveryScheduler()}; never on the
     * NuProcess I/O thread or the launch thread, so its own code may do what that scheduler allows.
     *
     * @param input the bytes to write; the buffers are read, not modified, and not used after being written
     * @return a new command
     */
    public Command withStdin(Publisher<ByteBuffer> input) {
        Objects.requireNonNull(input, "input");
        return with(s -> {
            s.stdinText = null;
            s.stdin = null;
            s.stdinPublisher = input;
        });
    }

    /**
     * Bounds the output {@link ProcessEngine#execute(Command)} keeps in memory per stream (stdout and stderr
     * each). Default {@value #DEFAULT_MAX_OUTPUT_BYTES} bytes with {@link OutputLimitPolicy#FAIL}.
     *
     * @param maxBytes the limit per stream, at least 0
     * @param policy what happens beyond it
     * @return a new command
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    public Command withMaxOutputBytes(long maxBytes, OutputLimitPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        Arguments.atLeast(maxBytes, 0L, "maxOutputBytes");
        return with(s -> {
            s.maxOutputBytes = maxBytes;
            s.outputLimitPolicy = policy;
        });
    }

    /**
     * The charset for text: {@link #withStdin(String)}, {@link ProcessResult#stdoutText()} and
     * {@link ProcessEngine#lines(Command)}. Default UTF-8.
     *
     * @param charset the charset
     * @return a new command
     */
    public Command withCharset(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        return with(s -> s.charset = charset);
    }

    /**
     * The longest line {@link ProcessEngine#lines(Command)} accepts, in characters; a longer line fails the
     * sequence with {@link ProcessOutputOverflowException}. Default {@value #DEFAULT_MAX_LINE_LENGTH}.
     *
     * @param maxChars at least 1
     * @return a new command
     * @throws IllegalArgumentException if {@code maxChars} is below 1
     */
    public Command withMaxLineLength(int maxChars) {
        Arguments.atLeast(maxChars, 1, "maxLineLength");
        return with(s -> s.maxLineLength = maxChars);
    }

    /**
     * Has the process killed (SIGKILL) by the kernel when the JVM dies, even by SIGKILL or a crash, when no shutdown
     * hook can run. Linux only: the process is started through util-linux's {@code setpriv --pdeathsig KILL}
     * (which execs the command, so the pid and argv stay the same), and a missing {@code setpriv} fails the start
     * with {@link ProcessStartException}. Default off.
     *
     * <p>Covers the process itself, not its children (a shell's background jobs need their own). The kernel sends
     * the signal when the <em>thread</em> that launched the process ends: the default launch thread lives as long
     * as the JVM; with a custom {@link ProcessEngine.Builder#launchScheduler} use threads that do too.
     *
     * @return a new command
     */
    public Command withParentDeathSignal() {
        return with(s -> s.parentDeathSignal = true);
    }

    /** @return whether the process is killed by the kernel when the JVM dies (see {@link #withParentDeathSignal()}) */
    public boolean hasParentDeathSignal() {
        return spec.parentDeathSignal;
    }

    /** @return the argv, unmodifiable */
    public List<String> argv() {
        return spec.argv;
    }

    /** @return the working directory, or empty for the JVM's */
    public Optional<Path> directory() {
        return Optional.ofNullable(spec.directory);
    }

    /** @return the variables set with {@link #withEnv}, unmodifiable */
    public Map<String, String> environment() {
        return spec.environment;
    }

    /** @return whether the JVM's environment is passed on (before {@link #environment()} is applied) */
    public boolean inheritsEnvironment() {
        return spec.inheritEnvironment;
    }

    /** @return the run timeout, or empty for none */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(spec.timeout);
    }

    /** @return the stdin bytes as a read-only buffer, or empty when stdin is closed at start */
    public Optional<ByteBuffer> stdin() {
        byte[] bytes = spec.stdin;
        return bytes == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    }

    /** @return the publisher streamed to stdin, or empty when stdin is given as bytes or not at all */
    public Optional<Publisher<ByteBuffer>> stdinPublisher() {
        return Optional.ofNullable(spec.stdinPublisher);
    }

    /** @return the per-stream limit on captured output, in bytes */
    public long maxOutputBytes() {
        return spec.maxOutputBytes;
    }

    /** @return what happens beyond {@link #maxOutputBytes()} */
    public OutputLimitPolicy outputLimitPolicy() {
        return spec.outputLimitPolicy;
    }

    /** @return the charset for text */
    public Charset charset() {
        return spec.charset;
    }

    /** @return the longest line accepted by {@link ProcessEngine#lines(Command)}, in characters */
    public int maxLineLength() {
        return spec.maxLineLength;
    }

    /** @return the argv joined for messages, each element quoted when it holds spaces or quotes */
    public String commandLine() {
        return ApiFactory.commandLine(spec.argv);
    }

    /** Environment values are redacted: they often hold secrets. */
    @Override
    public String toString() {
        return ApiFactory.describe(this);
    }
}
