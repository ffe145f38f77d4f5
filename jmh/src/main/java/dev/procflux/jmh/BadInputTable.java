package dev.procflux.jmh;

import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.OutputLimitPolicy;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import dev.procflux.ProcessStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * Prints the bad-input table of {@code docs/reliability.md}: each bad input is really tried and the exception type
 * and message printed as they are. Not a benchmark and not a test; run it from the benchmarks jar:
 * {@code java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar dev.procflux.jmh.BadInputTable}.
 */
public final class BadInputTable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private BadInputTable() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("procflux-bad-input");
        Path script = Files.writeString(tmp.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        System.out.println("| Bad input | Call | Exception | Message |");
        System.out.println("|---|---|---|---|");
        try (ProcessEngine engine = ProcessEngine.builder().build()) {
            row("missing executable on PATH", "execute(Command.of(\"procflux-no-such-program\"))",
                    () -> engine.execute(Command.of("procflux-no-such-program")).block(WAIT));
            row("missing executable path", "execute(Command.of(\"/nonexistent/tool\"))",
                    () -> engine.execute(Command.of("/nonexistent/tool")).block(WAIT));
            row("file without execute permission", "execute(Command.of(\"/tmp/…/script.sh\"))",
                    () -> engine.execute(Command.of(script.toString())).block(WAIT));
            row("directory as executable", "execute(Command.of(\"/tmp\"))",
                    () -> engine.execute(Command.of("/tmp")).block(WAIT));
            row("missing working directory", "execute(Command.of(\"true\").withDirectory(Path.of(\"/nonexistent-dir\")))",
                    () -> engine.execute(Command.of("true").withDirectory(Path.of("/nonexistent-dir"))).block(WAIT));
            row("file as working directory", "execute(Command.of(\"true\").withDirectory(/tmp/…/file.txt))",
                    () -> engine.execute(Command.of("true").withDirectory(file)).block(WAIT));
            row("empty argv", "execute(Command.of())", () -> engine.execute(Command.of()).block(WAIT));
            row("NUL byte in an argument", "execute(Command.of(\"echo\", \"a\\0b\"))",
                    () -> engine.execute(Command.of("echo", "a\0b")).block(WAIT));
            row("NUL byte in an environment value", "execute(Command.of(\"true\").withEnv(\"TOKEN\", \"a\\0b\"))",
                    () -> engine.execute(Command.of("true").withEnv("TOKEN", "a\0b")).block(WAIT));
            row("'=' in an environment name", "Command.of(\"true\").withEnv(\"A=B\", \"x\")",
                    () -> Command.of("true").withEnv("A=B", "x"));
            row("null argument", "Command.of(\"echo\", null)", () -> Command.of("echo", null));
            row("zero timeout", "Command.of(\"true\").withTimeout(Duration.ZERO)",
                    () -> Command.of("true").withTimeout(Duration.ZERO));
            row("null command", "engine.execute(null)", () -> engine.execute(null));
            row("run timeout", "execute(Command.of(\"sleep\", \"60\").withTimeout(Duration.ofMillis(200)))",
                    () -> engine.execute(Command.of("sleep", "60").withTimeout(Duration.ofMillis(200))).block(WAIT));
            row("non-zero exit where success is required", "lines(Command.shell(\"echo oops >&2; exit 3\"))",
                    () -> engine.lines(Command.shell("echo oops >&2; exit 3")).blockLast(WAIT));
            row("output over the limit, FAIL", "execute(Command.of(\"head\", \"-c\", \"2000000\", \"/dev/zero\")"
                    + ".withMaxOutputBytes(1_000_000, OutputLimitPolicy.FAIL))",
                    () -> engine.execute(Command.of("head", "-c", "2000000", "/dev/zero")
                            .withMaxOutputBytes(1_000_000, OutputLimitPolicy.FAIL)).block(WAIT));
            row("output over the limit, TRUNCATE", "execute(… .withMaxOutputBytes(1_000_000, "
                    + "OutputLimitPolicy.TRUNCATE))", () -> {
                        ProcessResult r = engine.execute(Command.of("head", "-c", "2000000", "/dev/zero")
                                .withMaxOutputBytes(1_000_000, OutputLimitPolicy.TRUNCATE)).block(WAIT);
                        return "no exception: " + r;
                    });
            row("line longer than maxLineLength", "lines(Command.shell(\"head -c 2000 /dev/zero | tr '\\\\0' a\")"
                    + ".withMaxLineLength(100))",
                    () -> engine.lines(Command.shell("head -c 2000 /dev/zero | tr '\\0' a").withMaxLineLength(100))
                            .blockLast(WAIT));
        }
        try (ProcessEngine failing = ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL)
                .maxBufferedBytes(65536).build()) {
            row("stream subscriber lagging under BackpressurePolicy.FAIL (maxBufferedBytes 65536)",
                    "stream(Command.of(\"head\", \"-c\", \"10000000\", \"/dev/zero\")), requesting 1 element",
                    () -> lagging(failing));
        }
        try (ProcessEngine one = ProcessEngine.builder().maxConcurrency(1).maxPendingAcquire(0).build()) {
            Disposable holder = one.execute(Command.of("sleep", "60")).subscribe();
            awaitLeased(one);
            row("overloaded pool (maxConcurrency 1, maxPending 0, one running)", "execute(Command.of(\"true\"))",
                    () -> one.execute(Command.of("true")).block(WAIT));
            holder.dispose();
        }
        try (ProcessEngine one = ProcessEngine.builder().maxConcurrency(1)
                .acquireTimeout(Duration.ofMillis(200)).build()) {
            Disposable holder = one.execute(Command.of("sleep", "60")).subscribe();
            awaitLeased(one);
            row("acquire timeout (maxConcurrency 1, acquireTimeout 200ms, one running)",
                    "execute(Command.of(\"true\"))", () -> one.execute(Command.of("true")).block(WAIT));
            holder.dispose();
        }
        ProcessEngine closed = ProcessEngine.create();
        closed.close();
        row("closed engine", "execute(Command.of(\"true\")) after close()",
                () -> closed.execute(Command.of("true")).block(WAIT));
        row("builder: maxConcurrency 0", "ProcessEngine.builder().maxConcurrency(0)",
                () -> ProcessEngine.builder().maxConcurrency(0));
        row("builder: negative grace period", "ProcessEngine.builder().killGracePeriod(Duration.ofSeconds(-1))",
                () -> ProcessEngine.builder().killGracePeriod(Duration.ofSeconds(-1)));
        System.exit(0);
    }

    private static Object lagging(ProcessEngine engine) throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        engine.stream(Command.of("head", "-c", "10000000", "/dev/zero")).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnError(Throwable t) {
                error.complete(t);
            }
        });
        throw (Exception) error.get(30, TimeUnit.SECONDS);
    }

    private static void awaitLeased(ProcessEngine engine) {
        Flux.interval(Duration.ofMillis(5)).filter(tick -> engine.metrics().alive() == 1).next().block(WAIT);
    }

    private static void row(String input, String call, Callable<Object> attempt) {
        String type;
        String message;
        try {
            Object result = attempt.call();
            type = "(none)";
            message = String.valueOf(result);
        }
        catch (Throwable t) {
            // block() rethrows our unchecked exceptions as they are (it wraps checked ones only)
            Throwable e = t;
            type = e.getClass().getSimpleName();
            if (e instanceof ProcessStartException) {
                type += " (" + ((ProcessStartException) e).reason() + ")";
            }
            message = e.getMessage();
        }
        System.out.println("| " + input + " | `" + call + "` | " + type + " | " + escape(message) + " |");
    }

    private static String escape(String s) {
        return s == null ? "(null)" : s.replace("|", "\\|").replace("\n", " ");
    }
}
