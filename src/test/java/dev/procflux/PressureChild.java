package dev.procflux;

import dev.procflux.testsupport.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Run in a child JVM by {@link FaultIT} under a lowered limit: starts far more processes at once than the limit
 * allows, prints how each call ended, then checks that the engine works again once the pressure is gone. With
 * {@code fds} it lowers its own descriptor limit to what it holds after warm-up plus {@link #SPARE_DESCRIPTORS};
 * with {@code procs} the caller sets the process limit ({@code ulimit -u}) before the JVM starts.
 */
public final class PressureChild {
    /** Descriptors left free under the limit in {@code fds} mode: about four launches' worth. */
    static final int SPARE_DESCRIPTORS = 28;

    private PressureChild() {
    }

    public static void main(String[] args) throws IOException {
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(300).maxPendingAcquire(1000)
                .killGracePeriod(Duration.ofMillis(200)).build();
        // load every class the runs need while descriptors are still available
        engine.execute(Command.of("true")).block(Duration.ofSeconds(30));
        engine.execute(Command.of("procflux-missing")).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(30));
        // the class path opens a jar only when a lookup first reaches it and then keeps it open: a lookup that no jar
        // answers opens them all now, so a class first loaded under pressure (an error path) cannot take a descriptor
        if (ClassLoader.getSystemClassLoader().getResource("dev/procflux/no-such-resource") != null) {
            throw new IllegalStateException("unexpected resource on the class path");
        }
        long before = fds();
        System.out.println("fds before " + before);
        if (args.length > 0 && args[0].equals("fds")) {
            // relative to what this JVM holds after start-up (one descriptor per class path jar, so it varies with
            // the build): room for a few launches, far fewer than the 250 below
            long limit = before + SPARE_DESCRIPTORS;
            ProcessResult set = engine.execute(Command.of("prlimit", "--pid", Long.toString(ProcessHandle.current()
                    .pid()), "--nofile=" + limit + ":" + limit)).block(Duration.ofSeconds(30));
            if (set == null || !set.isSuccess()) {
                throw new IllegalStateException("prlimit could not lower the descriptor limit: " + set);
            }
            System.out.println("descriptor limit " + limit);
        }

        AtomicInteger succeeded = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        Flux.range(0, 250).flatMap(i -> engine.execute(Command.of("sleep", "2"))
                        .doOnNext(r -> succeeded.incrementAndGet())
                        .onErrorResume(e -> {
                            String line = e instanceof ProcessStartException
                                    ? "failed ProcessStartException " + ((ProcessStartException) e).reason() + ": "
                                            + e.getMessage()
                                    : "unexpected " + e;
                            failures.merge(line, 1, Integer::sum);
                            return Mono.empty();
                        }), 250)
                .timeout(Duration.ofSeconds(60), Mono.fromRunnable(() -> System.out.println("hung: "
                        + engine.metrics() + ", succeeded " + succeeded.get() + ", failures " + failures)))
                .blockLast();
        System.out.println("succeeded " + succeeded.get());
        new TreeMap<>(failures).forEach((line, n) -> System.out.println(line + " (x" + n + ")"));
        System.out.println("metrics " + engine.metrics());

        Long recovered = Flux.range(0, 20).flatMap(i -> engine.execute(Command.of("echo", "ok")), 4)
                .filter(r -> r.isSuccess() && r.stdoutText().equals("ok\n")).count().block(Duration.ofSeconds(60));
        System.out.println("recovered " + recovered + "/20");
        System.out.println("fds after " + fds());
        if (System.getenv("PRESSURE_DEBUG") != null) {
            try (var s = Files.list(Path.of("/proc/self/fd"))) {
                s.forEach(f -> {
                    try {
                        System.out.println("fd " + f.getFileName() + " -> " + Files.readSymbolicLink(f));
                    }
                    catch (IOException e) {
                        System.out.println("fd " + f.getFileName() + " gone");
                    }
                });
            }
            ProcessHandle.current().children().forEach(c -> System.out.println("child " + c.pid() + " "
                    + c.info().commandLine().orElse("?")));
        }
        engine.close();
        System.out.flush();
        System.exit(0);
    }

    private static long fds() {
        return ProcFs.openFileDescriptors();
    }
}
