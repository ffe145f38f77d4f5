package dev.procflux.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.WorkerPool;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

@EnabledOnOs(OS.LINUX)
class ProcfluxMetersIT {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void noChildProcessIsLeft() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void realRunsAreRecordedByOutcomeWithKillsAndGauges() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.of("engine", "test"));
        try (ProcessEngine engine = ProcessEngine.builder().addEvents(meters).maxConcurrency(3)
                .killGracePeriod(Duration.ofMillis(200)).build()) {
            meters.bind(engine);
            engine.execute(Command.of("true")).block(Duration.ofSeconds(10));
            engine.execute(Command.shell("exit 3")).block(Duration.ofSeconds(10));
            engine.execute(Command.of("sleep", "10").withTimeout(Duration.ofMillis(100)))
                    .onErrorResume(ProcessTimeoutException.class, e -> Mono.empty()).block(Duration.ofSeconds(10));
            engine.execute(Command.of("procflux-missing")).onErrorResume(e -> Mono.empty())
                    .block(Duration.ofSeconds(10));

            assertThat(registry.get("procflux.processes.duration").tag("outcome", "success").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.processes.duration").tag("outcome", "failure").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.processes.duration").tag("outcome", "timeout").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.processes.duration").tag("outcome", "start_failure").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.processes.kills").tag("signal", "term").counter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("procflux.slots.acquire").tag("engine", "test").timer().count()).isEqualTo(4);
            assertThat(registry.get("procflux.slots.max").gauge().value()).isEqualTo(3.0);
            assertThat(registry.get("procflux.processes.alive").gauge().value()).isEqualTo(0.0);
            assertThat(registry.get("procflux.output.reserved").gauge().value()).as("no stream runs").isZero();

            // a quiet stream keeps its whole reserve: its 64 KiB pipe, one 64 KiB read and the 16 KiB stop slack
            Disposable quiet = engine.stream(Command.of("sleep", "30")).subscribe();
            try {
                await().atMost(Duration.ofSeconds(10)).until(
                        () -> registry.get("procflux.output.reserved").gauge().value() == 144 * 1024);
                assertThat(registry.get("procflux.output.reserved").gauge().getId().getBaseUnit()).isEqualTo("bytes");
            }
            finally {
                quiet.dispose();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.get("procflux.output.reserved").gauge().value() == 0.0);
        }
    }

    @Test
    void workerPoolRequestsAndRestartsAreCountedByOutcomeAndCause() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().addEvents(meters).killGracePeriod(Duration.ofMillis(200))
                .build();
                WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(1, 1)
                        .maxRequestsPerWorker(2).addPoolEvents(meters.workerPoolEvents("echo")).build(engine)) {
            meters.bind(pool);
            for (int i = 0; i < 3; i++) {
                assertThat(pool.call("hi " + i).block(Duration.ofSeconds(10))).isEqualTo("hi " + i);
            }
            assertThat(registry.get("procflux.workers.requests").tag("pool", "echo").tag("outcome", "success")
                    .functionCounter().count()).isEqualTo(3.0);
            assertThat(registry.get("procflux.workers.restarts").tag("cause", "max_requests").functionCounter().count())
                    .isEqualTo(1.0);
            // the retired worker counts as alive until its process is gone, which its kill awaits asynchronously
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.get("procflux.workers.alive").tag("pool", "echo").gauge().value() == 1.0);
        }
    }

    @Test
    void theSlotPoolReportsOneAllocationForSequentialRunsAndADestroyOnClose() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.of("engine", "test"));
        ProcessEngine engine = ProcessEngine.builder().addEvents(meters).addSlotPoolEvents(meters.slotPoolEvents())
                .maxConcurrency(1).build();
        try (engine) {
            for (int i = 0; i < 3; i++) {
                assertThat(engine.execute(Command.of("true")).block(Duration.ofSeconds(10)).exitCode()).isZero();
            }
            assertThat(timerCount("procflux.slots.allocation", "outcome", "success")).isEqualTo(1);
            assertThat(timerCount("procflux.slots.allocation", "outcome", "failure")).isZero();
            assertThat(timerCount("procflux.slots.idle.duration")).isEqualTo(3);
            // the slot goes back once the process is gone, which may be just after the result was delivered
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(timerCount("procflux.slots.release")).isEqualTo(3);
                assertThat(counter("procflux.slots.release.kept")).isEqualTo(3.0);
            });
            assertThat(timerCount("procflux.slots.destroy")).isZero();
            assertThat(timerCount("procflux.slots.lifetime")).isZero();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(timerCount("procflux.slots.destroy")).isEqualTo(1);
            assertThat(timerCount("procflux.slots.lifetime")).isEqualTo(1);
        });
        assertThat(registry.get("procflux.slots.allocation").tag("engine", "test").timers()).hasSize(2);
    }

    @Test
    void aCallThatQueuesUntilItsAcquireTimeoutIsAPendingFailure() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().addSlotPoolEvents(meters.slotPoolEvents()).maxConcurrency(1)
                .acquireTimeout(Duration.ofMillis(100)).build()) {
            Disposable lease = engine.withLease(l -> Mono.never()).subscribe();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 1);

            assertThatThrownBy(() -> engine.execute(Command.of("true")).block(Duration.ofSeconds(10)))
                    .isInstanceOf(ProcessAcquireTimeoutException.class);
            assertThat(timerCount("procflux.slots.queued", "outcome", "failure")).isEqualTo(1);
            assertThat(timerCount("procflux.slots.queued", "outcome", "success")).isZero();

            lease.dispose();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
            ProcessResult r = engine.execute(Command.of("true")).block(Duration.ofSeconds(10));
            assertThat(r.exitCode()).isZero();
            // served from the idle slot: nothing queued, nothing new created
            assertThat(timerCount("procflux.slots.queued", "outcome", "success")).isZero();
            assertThat(timerCount("procflux.slots.allocation", "outcome", "success")).isEqualTo(1);
            assertThat(timerCount("procflux.slots.idle.duration")).isEqualTo(2);
        }
    }

    @Test
    void aWorkerPoolReportsLaunchesReturnsAndRetirementsUnderItsName() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(200)).build()) {
            WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(0, 1)
                    .maxRequestsPerWorker(2).addPoolEvents(meters.workerPoolEvents("echo")).build(engine);
            try (pool) {
                meters.bind(pool);
                for (int i = 0; i < 3; i++) {
                    assertThat(pool.call("hi " + i).block(Duration.ofSeconds(10))).isEqualTo("hi " + i);
                }
                // the first worker served two requests and was retired when returned: the third call launched
                // a second one
                assertThat(timerCount("procflux.workers.allocation", "outcome", "success")).isEqualTo(2);
                assertThat(registry.get("procflux.workers.started").tag("pool", "echo").functionCounter().count())
                        .isEqualTo(2.0);
                assertThat(timerCount("procflux.workers.idle.duration")).isEqualTo(3);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(timerCount("procflux.workers.release")).isEqualTo(3);
                    assertThat(counter("procflux.workers.release.kept")).isEqualTo(2.0);
                    assertThat(timerCount("procflux.workers.destroy")).isEqualTo(1);
                    assertThat(timerCount("procflux.workers.lifetime")).isEqualTo(1);
                });
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(timerCount("procflux.workers.destroy")).isEqualTo(2);
                assertThat(timerCount("procflux.workers.lifetime")).isEqualTo(2);
            });
            assertThat(registry.get("procflux.workers.destroy").tag("pool", "echo").timer().count()).isEqualTo(2);
            assertThat(registry.find("procflux.slots.allocation").timers()).isEmpty();
        }
    }

    @Test
    void aWorkerThatCannotBeLaunchedIsAFailedAllocation() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().build();
                WorkerPool<String, String> pool = WorkerPool.builder(Command.of("procflux-missing")).sizeBetween(0, 1)
                        .maxStartAttempts(1).addPoolEvents(meters.workerPoolEvents("missing")).build(engine)) {
            assertThatThrownBy(() -> pool.call("hi").block(Duration.ofSeconds(10)))
                    .isInstanceOf(ProcessStartException.class);
            assertThat(timerCount("procflux.workers.allocation", "outcome", "failure")).isEqualTo(1);
            assertThat(timerCount("procflux.workers.allocation", "outcome", "success")).isZero();
            assertThat(timerCount("procflux.workers.idle.duration")).isZero();
        }
    }

    @Test
    void asAMeterBinderItPublishesWhatWasBoundBeforeAndAfterTheRegistryWithoutHistograms() {
        ProcfluxMeters meters = new ProcfluxMeters(Tags.of("engine", "late"));
        try (ProcessEngine engine = ProcessEngine.builder().addEvents(meters).addSlotPoolEvents(meters.slotPoolEvents())
                .maxConcurrency(2).build();
                WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(1, 1)
                        .addPoolEvents(meters.workerPoolEvents("cat")).build(engine)) {
            meters.bind(engine);
            meters.bindTo(registry); // as Spring Boot binds a MeterBinder bean: after the engine exists
            meters.bindTo(registry); // a second bind of the same registry changes nothing
            meters.bind(pool);
            assertThat(engine.execute(Command.of("true")).block(Duration.ofSeconds(10)).exitCode()).isZero();
            assertThat(pool.call("x").block(Duration.ofSeconds(10))).isEqualTo("x");

            assertThat(registry.get("procflux.processes.duration").tag("outcome", "success").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.slots.max").tag("engine", "late").gauge().value()).isEqualTo(2.0);
            assertThat(registry.get("procflux.workers.requests").tag("pool", "cat").tag("outcome", "success")
                    .functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get("procflux.workers.alive").tag("pool", "cat").gauge().value()).isEqualTo(1.0);
            // the warm-up may have launched the worker before the registry was bound: counted all the same
            assertThat(registry.get("procflux.workers.allocation").tag("pool", "cat").tag("outcome", "success")
                    .timer().count()).isEqualTo(1);
            assertThat(registry.get("procflux.workers.started").tag("pool", "cat").functionCounter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("procflux.processes.duration").timers())
                    .allSatisfy(t -> assertThat(t.takeSnapshot().histogramCounts()).isEmpty());
            // one outcome vocabulary across every meter with an outcome tag
            assertThat(registry.getMeters()).filteredOn(m -> m.getId().getTag("outcome") != null)
                    .extracting(m -> m.getId().getTag("outcome")).isSubsetOf("success", "failure", "timeout",
                            "cancelled", "start_failure");
        }
    }

    @Test
    void aPoolWithoutNamedEventsCannotBeBoundBecauseItHasNoName() {
        ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.empty());
        try (ProcessEngine engine = ProcessEngine.builder().build();
                WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(0, 1).build(engine)) {
            assertThat(meters.isBindable(pool)).isFalse();
            assertThatThrownBy(() -> meters.bind(pool)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the worker pool was not built with addPoolEvents(meters.workerPoolEvents(name)) of "
                            + "these meters, so it has no name: cat");
        }
    }

    private long timerCount(String name, String... tags) {
        return search(name, tags).timer().count();
    }

    private double counter(String name, String... tags) {
        return search(name, tags).counter().count();
    }

    private RequiredSearch search(String name, String... tags) {
        return registry.get(name).tags(tags);
    }
}
