package dev.procflux;

import dev.procflux.micrometer.ProcfluxMeters;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * The core API on the class path {@link Boot35CoreCheck} gives it: Reactor, Reactor Pool and Micrometer at the
 * versions of Spring Boot 3.5. Prints {@code ok} and the versions it ran with, or fails with an exception.
 */
public final class Boot35CoreChild {
    private Boot35CoreChild() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProcfluxMeters meters = new ProcfluxMeters(Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(2).addEvents(meters)
                .addSlotPoolEvents(meters.slotPoolEvents()).build();
                WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(1, 1)
                        .addPoolEvents(meters.workerPoolEvents("cat")).build(engine)) {
            meters.bind(engine).bind(pool).bindTo(registry);
            ProcessResult r = engine.execute(Command.of("sh", "-c", "echo out; echo err >&2; exit 3"))
                    .block(Duration.ofSeconds(30));
            check(r.exitCode() == 3 && r.stdoutText().equals("out\n"), "execute: " + r);
            List<String> lines = engine.lines(Command.of("seq", "1", "20000")).collectList()
                    .block(Duration.ofSeconds(30));
            check(lines.size() == 20000 && lines.get(19999).equals("20000"), "lines: " + lines.size());
            String reply = pool.call("hello").block(Duration.ofSeconds(30));
            check("hello".equals(reply), "worker: " + reply);
            double count = registry.get("procflux.processes.duration").tag("outcome", "failure").timer().count();
            check(count == 1, "meters: " + count);
        }
        System.out.println("ok reactor-core=" + version(reactor.core.publisher.Flux.class) + " reactor-pool="
                + version(reactor.pool.Pool.class) + " micrometer=" + version(io.micrometer.core.instrument.Timer.class));
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static String version(Class<?> type) {
        return String.valueOf(type.getPackage().getImplementationVersion());
    }
}
