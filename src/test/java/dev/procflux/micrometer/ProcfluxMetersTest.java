package dev.procflux.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import dev.procflux.PoolEvents;
import dev.procflux.ProcessOutcome;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.test.util.RaceTestUtils;

/** The meters' bookkeeping of events, driven by calling the callbacks directly: no engine, no process. */
class ProcfluxMetersTest {
    private static final Command TRUE = Command.of("true");

    @Test
    void eventsBeforeTheFirstRegistryAreRecordedByItAndARegistryBoundLaterRecordsFromItsBindingOn() {
        ProcfluxMeters meters = new ProcfluxMeters(Tags.of("engine", "early"));
        PoolEvents workers = meters.workerPoolEvents("echo");
        PoolEvents slots = meters.slotPoolEvents();
        workers.allocationSucceeded(Duration.ofMillis(5));
        workers.allocationSucceeded(Duration.ofMillis(7));
        workers.keptIdle();
        slots.allocationSucceeded(Duration.ZERO);
        meters.slotAcquired(Duration.ofMillis(3));
        meters.processEnded(TRUE, ProcessOutcome.SUCCEEDED, Duration.ofSeconds(2));
        meters.processKilled(TRUE, 42, false);

        SimpleMeterRegistry first = new SimpleMeterRegistry();
        meters.bindTo(first);
        Timer allocations = first.get("procflux.workers.allocation").tag("pool", "echo").tag("outcome", "success")
                .timer();
        assertThat(allocations.count()).isEqualTo(2);
        assertThat(allocations.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12.0);
        assertThat(allocations.max(TimeUnit.MILLISECONDS)).isEqualTo(7.0);
        assertThat(first.get("procflux.workers.release.kept").tag("pool", "echo").counter().count()).isEqualTo(1.0);
        assertThat(first.get("procflux.slots.allocation").tag("outcome", "success").tag("engine", "early").timer()
                .count()).isEqualTo(1);
        assertThat(first.get("procflux.slots.acquire").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3.0);
        assertThat(first.get("procflux.processes.duration").tag("outcome", "success").timer()
                .totalTime(TimeUnit.SECONDS)).isEqualTo(2.0);
        assertThat(first.get("procflux.processes.kills").tag("signal", "term").counter().count()).isEqualTo(1.0);

        SimpleMeterRegistry later = new SimpleMeterRegistry();
        meters.bindTo(later);
        workers.allocationSucceeded(Duration.ofMillis(1));
        assertThat(allocations.count()).isEqualTo(3);
        assertThat(later.get("procflux.workers.allocation").tag("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(later.get("procflux.processes.duration").tag("outcome", "success").timer().count()).isZero();
    }

    @Test
    void atMostMaxHeldEventsWaitForTheFirstRegistryAndTheRestAreDropped() {
        ProcfluxMeters meters = new ProcfluxMeters(Tags.empty());
        PoolEvents workers = meters.workerPoolEvents("busy");
        for (int i = 0; i < ProcfluxMeters.MAX_HELD_EVENTS + 5; i++) {
            workers.keptIdle();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        meters.bindTo(registry);
        assertThat(registry.get("procflux.workers.release.kept").counter().count())
                .isEqualTo(ProcfluxMeters.MAX_HELD_EVENTS);
        workers.keptIdle();
        assertThat(registry.get("procflux.workers.release.kept").counter().count())
                .isEqualTo(ProcfluxMeters.MAX_HELD_EVENTS + 1);
    }

    @Test
    void anEventRacingTheFirstBindingIsRecordedExactlyOnce() {
        for (int round = 0; round < 500; round++) {
            ProcfluxMeters meters = new ProcfluxMeters(Tags.empty());
            PoolEvents workers = meters.workerPoolEvents("race");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            RaceTestUtils.race(() -> {
                workers.allocationSucceeded(Duration.ofMillis(1));
                meters.processEnded(TRUE, ProcessOutcome.FAILED, Duration.ofMillis(1));
            }, () -> meters.bindTo(registry));
            assertThat(registry.get("procflux.workers.allocation").tag("outcome", "success").timer().count())
                    .as("round %d", round).isEqualTo(1);
            assertThat(registry.get("procflux.processes.duration").tag("outcome", "failure").timer().count())
                    .as("round %d", round).isEqualTo(1);
        }
    }
}
