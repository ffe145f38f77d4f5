package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The Reactor-style lifecycle of engines and worker pools: dispose, disposeLater, disposeGracefully, close. */
@EnabledOnOs(OS.LINUX)
class DisposeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Scheduler delivery = Schedulers.newParallel("test-delivery", 2);
    private final ProcessEngine engine = ProcessEngine.builder().closeOnShutdown(false)
            .killGracePeriod(Duration.ofMillis(500)).deliveryScheduler(delivery).build();

    @AfterEach
    void tearDown() {
        engine.close();
        OsProcesses.awaitNoChildren();
        delivery.dispose();
    }

    @Test
    void disposeLaterDoesNothingUntilSubscribedThenCompletesOnTheDeliveryScheduler() {
        StepVerifier running = StepVerifier.create(engine.execute(Command.of("sleep", "30")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolClosedException.class)
                        .hasMessageContaining("engine closed").hasMessageContaining("sleep 30"))
                .verifyLater();
        await().atMost(WAIT).until(() -> engine.metrics().alive() == 1);

        Mono<Void> dispose = engine.disposeLater();
        assertThat(engine.isDisposed()).as("disposeLater is lazy").isFalse();
        assertThat(engine.metrics().alive()).isEqualTo(1);

        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(dispose.doOnSuccess(v -> thread.set(Thread.currentThread().getName())))
                .expectComplete().verify(WAIT);
        OsProcesses.assertNoLiveChildren("when disposeLater() completed");
        assertThat(thread.get()).startsWith("test-delivery");
        assertThat(engine.isDisposed()).isTrue();
        running.verify(WAIT);
        StepVerifier.create(engine.execute(Command.of("true")))
                .expectError(ProcessPoolClosedException.class).verify(WAIT);
    }

    @Test
    void disposeGracefullyLetsARunningProcessFinishAndRefusesNewWork() {
        StepVerifier running = StepVerifier.create(engine.execute(Command.of("sh", "-c", "sleep 0.5; echo done")))
                .assertNext(r -> assertThat(r.stdoutText()).isEqualTo("done\n"))
                .expectComplete()
                .verifyLater();
        await().atMost(WAIT).until(() -> engine.metrics().alive() == 1);

        Mono<Void> drain = engine.disposeGracefully(Duration.ofSeconds(15));
        assertThat(engine.isDisposed()).as("disposeGracefully is lazy").isFalse();
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier drained = StepVerifier.create(drain.doOnSuccess(v -> thread.set(Thread.currentThread().getName())))
                .expectComplete().verifyLater();
        assertThat(engine.isDisposed()).isTrue();
        StepVerifier.create(engine.execute(Command.of("true")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolClosedException.class)
                        .hasMessage("engine closed: 'true' was not run"))
                .verify(WAIT);
        running.verify(WAIT);
        drained.verify(WAIT);
        assertThat(thread.get()).startsWith("test-delivery");
    }

    @Test
    void disposeGracefullyKillsWhatOutlivesTheDrain() {
        StepVerifier running = StepVerifier.create(engine.execute(Command.of("sleep", "30")))
                .expectError(ProcessPoolClosedException.class)
                .verifyLater();
        await().atMost(WAIT).until(() -> engine.metrics().alive() == 1);
        StepVerifier.create(engine.disposeGracefully(Duration.ofMillis(300))).expectComplete().verify(WAIT);
        OsProcesses.assertNoLiveChildren("when disposeGracefully() completed");
        running.verify(WAIT);
        assertThat(engine.metrics().alive()).isZero();
    }

    @Test
    void disposeDuringAGracefulDrainCutsItShort() {
        StepVerifier running = StepVerifier.create(engine.execute(Command.of("sleep", "30")))
                .expectError(ProcessPoolClosedException.class)
                .verifyLater();
        await().atMost(WAIT).until(() -> engine.metrics().alive() == 1);
        StepVerifier drained = StepVerifier.create(engine.disposeGracefully(Duration.ofSeconds(-1)))
                .expectComplete().verifyLater();
        assertThat(engine.metrics().alive()).as("no limit: still draining").isEqualTo(1);
        engine.dispose();
        running.verify(WAIT);
        drained.verify(WAIT);
    }

    @Test
    void workerPoolDisposeLaterIsLazyAndCompletesOnTheDeliveryScheduler() {
        WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(1, 1).build(engine);
        StepVerifier.create(pool.call("hello")).expectNext("hello").expectComplete().verify(WAIT);
        Mono<Void> dispose = pool.disposeLater();
        assertThat(pool.isDisposed()).isFalse();
        assertThat(pool.metrics().alive()).isEqualTo(1);
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(dispose.doOnSuccess(v -> thread.set(Thread.currentThread().getName())))
                .expectComplete().verify(WAIT);
        assertThat(thread.get()).startsWith("test-delivery");
        assertThat(pool.isDisposed()).isTrue();
        StepVerifier.create(pool.call("again")).expectError(ProcessPoolClosedException.class).verify(WAIT);
    }

    @Test
    void workerPoolDisposeGracefullyCompletesOnTheDeliveryScheduler() {
        WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(1, 1).build(engine);
        StepVerifier.create(pool.call("hello")).expectNext("hello").expectComplete().verify(WAIT);
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(pool.disposeGracefully(Duration.ofSeconds(5))
                        .doOnSuccess(v -> thread.set(Thread.currentThread().getName())))
                .expectComplete().verify(WAIT);
        assertThat(thread.get()).startsWith("test-delivery");
    }
}
