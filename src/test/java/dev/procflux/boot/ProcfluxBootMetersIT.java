package dev.procflux.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The meters of a Spring Boot application count what happens before Boot binds its {@code MeterBinder}s (after
 * every singleton exists): the worker pools' warm-up and processes run while beans are created.
 */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(classes = ProcfluxBootMetersIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "procflux.web.actions=classpath:dev/procflux/boot/actions.yaml",
                "procflux.workers.echo.command=cat",
                "procflux.workers.echo.size.min=2",
                "procflux.workers.echo.size.max=3" })
// closed after the class, which stops its worker processes: other tests of this JVM check for leftover children
@DirtiesContext
class ProcfluxBootMetersIT {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /**
         * A bean created after the pools and before Boot binds its meter binders: it waits until every pool has
         * started its {@code minSize} workers, runs one process, and notes whether the procflux meters were
         * registered by then.
         */
        @Bean
        EarlyRun earlyRun(ProcessEngine engine, ProcfluxWorkerPools pools, MeterRegistry registry) {
            await().atMost(Duration.ofSeconds(30)).until(() -> pools.all().values().stream()
                    .allMatch(p -> p.metrics().started() == p.options().minSize()));
            assertThat(engine.execute(Command.of("true")).block(Duration.ofSeconds(10)).exitCode()).isZero();
            return new EarlyRun(!registry.find("procflux.workers.started").meters().isEmpty());
        }
    }

    record EarlyRun(boolean metersWereBound) {
    }

    @Autowired
    MeterRegistry registry;

    @Autowired
    ProcfluxWorkerPools pools;

    @Autowired
    EarlyRun earlyRun;

    @Test
    void theWarmUpBeforeTheRegistryBindingCountsAsManyAllocationsAsWorkersStarted() {
        assertThat(earlyRun.metersWereBound()).as("the warm-up finished before Boot bound the meters").isFalse();
        Map<String, WorkerPool<?, ?>> all = pools.all();
        assertThat(all).containsOnlyKeys("upper", "echo");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> all.forEach((name, pool) -> {
            int minSize = pool.options().minSize();
            assertThat(registry.get("procflux.workers.started").tag("pool", name).functionCounter().count())
                    .as("procflux.workers.started of %s", name).isEqualTo(minSize);
            assertThat(registry.get("procflux.workers.allocation").tag("pool", name).tag("outcome", "success")
                    .timer().count()).as("procflux.workers.allocation success of %s", name).isEqualTo(minSize);
        }));
        assertThat(pools.text("echo").options().minSize()).isEqualTo(2);
        assertThat(registry.get("procflux.workers.allocation").tag("outcome", "failure").timers())
                .allSatisfy(t -> assertThat(t.count()).isZero());
    }

    @Test
    void aProcessRunBeforeTheRegistryBindingIsCountedByTheEngineAndSlotMeters(@Autowired ProcessEngine engine) {
        assertThat(earlyRun.metersWereBound()).isFalse();
        assertThat(engine.metrics().succeeded()).isEqualTo(1);
        assertThat(registry.get("procflux.processes.duration").tag("outcome", "success").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("procflux.slots.acquire").timer().count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(registry.get("procflux.slots.allocation").tag("outcome", "success").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("procflux.slots.release").timer().count()).isEqualTo(1);
        });
    }
}
