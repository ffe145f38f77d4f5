package dev.procflux.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.EngineOptions;
import dev.procflux.ProcessEngine;
import dev.procflux.web.Action;
import dev.procflux.web.ActionRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions and error messages, in application contexts without a web server. */
class ProcfluxAutoConfigurationTest {
    private static final AutoConfigurations PROCFLUX = AutoConfigurations.of(ProcfluxAutoConfiguration.class,
            ProcfluxWebAutoConfiguration.class, ProcfluxHealthAutoConfiguration.class,
            ProcfluxMetricsAutoConfiguration.class);

    private final ReactiveWebApplicationContextRunner web = new ReactiveWebApplicationContextRunner()
            .withConfiguration(PROCFLUX);

    @Configuration(proxyBeanMethods = false)
    static class UserEngine {
        @Bean(destroyMethod = "close")
        ProcessEngine myEngine() {
            return ProcessEngine.builder().maxConcurrency(7).closeOnShutdown(false).build();
        }
    }

    @Test
    void aUserEngineReplacesTheDefaultAndIsStillStoppedAfterTheWebServer() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX).withUserConfiguration(UserEngine.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(ProcessEngine.class).hasBean("myEngine");
                    assertThat(context.getBean(ProcessEngine.class).options().maxConcurrency()).isEqualTo(7);
                    assertThat(context).hasSingleBean(ProcfluxLifecycle.class);
                });
    }

    @Test
    void theEngineIsConfiguredByPropertiesWithoutItsOwnShutdownHook() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.max-concurrency=5", "procflux.engine.max-pending-acquire=9",
                        "procflux.engine.acquire-timeout=3s", "procflux.engine.backpressure=fail",
                        "procflux.engine.max-buffered-bytes=1MB")
                .run(context -> {
                    ProcessEngine engine = context.getBean(ProcessEngine.class);
                    assertThat(engine.options().maxConcurrency()).isEqualTo(5);
                    assertThat(engine.options().maxPendingAcquire()).isEqualTo(9);
                    assertThat(engine.options().acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(engine.options().backpressure()).isEqualTo(dev.procflux.BackpressurePolicy.FAIL);
                    assertThat(engine.options().maxBufferedBytes()).isEqualTo(1024 * 1024);
                    assertThat(engine.options().closeOnShutdown()).isFalse();
                    assertThat(context).doesNotHaveBean("procfluxRoutes");
                });
    }

    @Test
    void everyEngineSizeAndDurationPropertyReachesTheEngineOptions() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.kill-grace-period=750ms",
                        "procflux.engine.max-buffered-bytes=2MB", "procflux.engine.high-water-bytes=512KB",
                        "procflux.engine.low-water-bytes=128KB", "procflux.engine.max-total-buffered-bytes=32MB")
                .run(context -> {
                    EngineOptions o = context.getBean(ProcessEngine.class).options();
                    assertThat(o.killGracePeriod()).isEqualTo(Duration.ofMillis(750));
                    assertThat(o.maxBufferedBytes()).isEqualTo(2L * 1024 * 1024);
                    assertThat(o.highWaterBytes()).isEqualTo(512L * 1024);
                    assertThat(o.lowWaterBytes()).isEqualTo(128L * 1024);
                    assertThat(o.maxTotalBufferedBytes()).isEqualTo(32L * 1024 * 1024);
                });
    }

    @Test
    void aNegativeMaxTotalBufferedBytesMeansNoBudgetAndANegativeAcquireTimeoutNoLimit() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.max-total-buffered-bytes=-1",
                        "procflux.engine.acquire-timeout=-1s")
                .run(context -> {
                    EngineOptions o = context.getBean(ProcessEngine.class).options();
                    assertThat(o.maxTotalBufferedBytes()).isEqualTo(ProcessEngine.Builder.NO_LIMIT);
                    assertThat(o.acquireTimeout()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
                });
    }

    @Test
    void theActionsFilesBufferBudgetHoldsUnlessThePropertyOverridesIt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("actions.yaml"),
                "engine: {maxTotalBufferedBytes: 16777216, maxBufferedBytes: 6291456}\nactions: {}\n");
        ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.web.actions=" + file.toUri());
        runner.run(context -> {
            EngineOptions o = context.getBean(ProcessEngine.class).options();
            assertThat(o.maxTotalBufferedBytes()).isEqualTo(16L * 1024 * 1024);
            assertThat(o.maxBufferedBytes()).isEqualTo(6L * 1024 * 1024);
        });
        runner.withPropertyValues("procflux.engine.max-total-buffered-bytes=64MB")
                .run(context -> assertThat(context.getBean(ProcessEngine.class).options().maxTotalBufferedBytes())
                        .isEqualTo(64L * 1024 * 1024));
    }

    @Test
    void aSizeTheEngineRefusesFailsNamingThePropertyAndTheValue() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.max-total-buffered-bytes=1KB")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.engine.max-total-buffered-bytes=1024B: maxTotalBufferedBytes must be >= 65536 or "
                                + "negative (no limit), was 1024"));
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.max-buffered-bytes=-1")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.engine.max-buffered-bytes=-1B: maxBufferedBytes must be >= 65536, was -1"));
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.kill-grace-period=-1s")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.engine.kill-grace-period=PT-1S: killGracePeriod must be >= 0, was PT-1S"));
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.high-water-bytes=256KB", "procflux.engine.low-water-bytes=256KB")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.engine.high-water-bytes=262144B, procflux.engine.low-water-bytes=262144B: "
                                + "lowWaterBytes must be in [0, highWaterBytes - 81920), was 262144"));
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.high-water-bytes=1MB")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.engine.high-water-bytes and procflux.engine.low-water-bytes go together, but "
                                + "only procflux.engine.high-water-bytes=1048576B is set"));
    }

    @Test
    void aSizeThatIsNotADataSizeFailsNamingThePropertyAndTheValue() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.max-total-buffered-bytes=lots")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("procflux.engine.max-total-buffered-bytes")
                        .hasStackTraceContaining("lots"));
    }

    @Test
    void directReadsIsSetByItsPropertyEitherWay() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.direct-reads=true")
                .run(context -> assertThat(context.getBean(ProcessEngine.class).options().directReads()).isTrue());
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.direct-reads=false")
                .run(context -> assertThat(context.getBean(ProcessEngine.class).options().directReads()).isFalse());
    }

    @Test
    void theActionsFilesDirectReadsHoldsUnlessThePropertyOverridesIt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("actions.yaml"), "engine: {directReads: true}\nactions: {}\n");
        ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.web.actions=" + file.toUri());
        runner.run(context -> assertThat(context.getBean(ProcessEngine.class).options().directReads()).isTrue());
        runner.withPropertyValues("procflux.engine.direct-reads=false")
                .run(context -> assertThat(context.getBean(ProcessEngine.class).options().directReads()).isFalse());
    }

    @Test
    void aDirectReadsValueThatIsNotABooleanFailsNamingTheProperty() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.engine.direct-reads=sometimes")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("procflux.engine.direct-reads")
                        .hasStackTraceContaining("sometimes"));
    }

    @Test
    void theShutdownDrainDefaultsToSpringsTimeoutPerShutdownPhase() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=12s")
                .run(context -> assertThat(context.getBean(ProcfluxLifecycle.class).drain())
                        .isEqualTo(Duration.ofSeconds(12)));
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .run(context -> assertThat(context.getBean(ProcfluxLifecycle.class).drain())
                        .isEqualTo(Duration.ofSeconds(30)));
    }

    @Test
    void theRoutesNeedAReactiveWebApplicationAndTheProperty() {
        String[] actions = { "procflux.web.actions=classpath:dev/procflux/boot/actions.yaml" };
        web.withPropertyValues(actions).run(context -> assertThat(context).doesNotHaveBean("procfluxRoutes"));
        new ApplicationContextRunner().withConfiguration(PROCFLUX).withPropertyValues(actions)
                .withPropertyValues("procflux.web.enabled=true")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("procfluxRoutes"));
    }

    @Test
    void enablingTheRoutesWithoutActionsFailsNamingTheProperty() {
        web.withPropertyValues("procflux.web.enabled=true").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("procflux.web.actions"));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserActions {
        @Bean
        ActionRegistry myActions() {
            return ActionRegistry.builder().add(Action.builder("true", "true").build()).build();
        }
    }

    @Test
    void aUserActionRegistryServesWithoutAnActionsFile() {
        web.withUserConfiguration(UserActions.class).withPropertyValues("procflux.web.enabled=true")
                .run(context -> assertThat(context).hasBean("procfluxRoutes").hasSingleBean(ActionRegistry.class));
    }

    @Test
    void aShortBearerTokenFailsNamingTheProperty() {
        web.withUserConfiguration(UserActions.class)
                .withPropertyValues("procflux.web.enabled=true", "procflux.web.bearer-token=short")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.web.bearer-token: bearer token must have at least 16 characters, had 5"));
    }

    @Test
    void aWorkerPoolNamedInBothPlacesFails() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.web.actions=classpath:dev/procflux/boot/actions.yaml",
                        "procflux.workers.upper.command=cat")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "worker pool 'upper' is defined both in procflux.workers and in the actions file"));
    }

    @Test
    void aMissingActionsFileFailsNamingTheProperty() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.web.actions=classpath:dev/procflux/boot/missing.yaml")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "procflux.web.actions: cannot read class path resource [dev/procflux/boot/missing.yaml]"));
    }

    @Test
    void aWorkerWithoutACommandFailsNamingTheProperty() {
        new ApplicationContextRunner().withConfiguration(PROCFLUX)
                .withPropertyValues("procflux.workers.resize.request-timeout=5s")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("procflux.workers.resize: command is required"));
    }
}
