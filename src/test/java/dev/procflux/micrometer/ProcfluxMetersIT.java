package dev.procflux.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.WorkerPool;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Mono;

@EnabledOnOs(OS.LINUX)
class ProcfluxMetersIT {

    @Test
    void realRunsAreRecordedByOutcomeWithKillsAndGauges() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.of("engine", "test"));
        try (ProcessEngine engine = ProcessEngine.builder().events(meters).maxConcurrency(3)
                .killGracePeriod(Duration.ofMillis(200)).build()) {
            meters.bind(engine);
            engine.execute(Command.of("true")).block(Duration.ofSeconds(10));
            engine.execute(Command.shell("exit 3")).block(Duration.ofSeconds(10));
            engine.execute(Command.of("sleep", "10").withTimeout(Duration.ofMillis(100)))
                    .onErrorResume(ProcessTimeoutException.class, e -> Mono.empty()).block(Duration.ofSeconds(10));
            engine.execute(Command.of("procflux-missing")).onErrorResume(e -> Mono.empty())
                    .block(Duration.ofSeconds(10));

            assertThat(registry.get("procflux.process.duration").tag("outcome", "succeeded").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.process.duration").tag("outcome", "failed").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.process.duration").tag("outcome", "timed_out").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.process.duration").tag("outcome", "start_failed").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.process.kills").tag("signal", "term").counter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("procflux.slot.acquire").tag("engine", "test").timer().count()).isEqualTo(4);
            assertThat(registry.get("procflux.slots.max").gauge().value()).isEqualTo(3.0);
            assertThat(registry.get("procflux.processes.running").gauge().value()).isEqualTo(0.0);
        }
    }

    @Test
    void workerPoolRequestsAndRestartsAreCountedByOutcomeAndCause() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().events(meters).killGracePeriod(Duration.ofMillis(200))
                .build();
                WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).size(1, 1)
                        .maxRequestsPerWorker(2).build(engine)) {
            meters.bind(pool, "echo");
            for (int i = 0; i < 3; i++) {
                assertThat(pool.call("hi " + i).block(Duration.ofSeconds(10))).isEqualTo("hi " + i);
            }
            assertThat(registry.get("procflux.worker.requests").tag("pool", "echo").tag("outcome", "ok")
                    .functionCounter().count()).isEqualTo(3.0);
            assertThat(registry.get("procflux.worker.restarts").tag("cause", "recycled").functionCounter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("procflux.workers.alive").tag("pool", "echo").gauge().value()).isEqualTo(1.0);
        }
    }
}
