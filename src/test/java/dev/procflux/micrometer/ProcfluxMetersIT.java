package dev.procflux.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessTimeoutException;
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
}
