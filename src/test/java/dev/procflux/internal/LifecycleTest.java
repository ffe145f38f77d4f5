package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.EngineOptions;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessPoolOverloadedException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.pool.PoolShutdownException;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The disposal shared by the engine and the worker pool, without processes: the resource is three counters. */
class LifecycleTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final EngineOptions options = ProcessEngine.builder().timerScheduler(timer)
            .deliveryScheduler(Schedulers.single()).closeOnShutdown(false).buildOptions();
    private final AtomicInteger stops = new AtomicInteger();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicBoolean nothingLeft = new AtomicBoolean();
    private final Lifecycle lifecycle = new Lifecycle("thing", options, stops::incrementAndGet,
            kills::incrementAndGet, nothingLeft::get, () -> "figures");

    @Test
    void disposeLaterDoesNothingUntilSubscribed() {
        lifecycle.disposeLater();
        lifecycle.disposeGracefully(Duration.ofSeconds(1));
        assertThat(lifecycle.isClosed()).isFalse();
        assertThat(stops).hasValue(0);
    }

    @Test
    void aGracefulDisposalKillsWhatIsLeftOnlyOnceTheDrainIsOver() {
        lifecycle.disposeGracefully(Duration.ofSeconds(5)).subscribe();
        assertThat(lifecycle.isClosed()).isTrue();
        assertThat(stops).hasValue(1);
        timer.advanceTimeBy(Duration.ofSeconds(4));
        assertThat(kills).hasValue(0);
        timer.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(kills).hasValue(1);
    }

    @Test
    void disposeDuringADrainKillsAtOnceAndStopsOnlyOnce() {
        lifecycle.disposeGracefully(Duration.ofSeconds(-1)).subscribe();
        assertThat(kills).hasValue(0);
        lifecycle.dispose();
        assertThat(kills).hasValue(1);
        assertThat(stops).hasValue(1);
    }

    @Test
    void theDisposalCompletesOnADeliveryThreadOnceNothingIsLeftAndNotBefore() {
        StepVerifier.create(lifecycle.disposeLater())
                .expectSubscription()
                .then(() -> assertThat(kills).hasValue(1))
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> {
                    nothingLeft.set(true);
                    lifecycle.checkDone();
                })
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(lifecycle.disposeLater().then(reactor.core.publisher.Mono.fromCallable(
                        () -> Thread.currentThread().getName())))
                .assertNext(thread -> assertThat(thread).startsWith("single-"))
                .verifyComplete();
    }

    @Test
    void theDisposalWaitsForTheTreeKillsInFlightAfterTheLastProcessIsGone() {
        KillQueue queue = new KillQueue(Runnable::run, () -> { });
        lifecycle.killsOn(queue);
        // a descendant outlived its root's SIGTERM: the root is gone, its tree kill waits for the grace period
        Runnable treeKill = queue.treeKillStarted();
        nothingLeft.set(true);

        StepVerifier.create(lifecycle.disposeLater())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(treeKill)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void reactorPoolErrorsBecomeProcfluxErrorsNamingThePoolAndItsState() {
        Throwable overloaded = Lifecycle.acquireError(new PoolAcquirePendingLimitException(2), "pool overloaded",
                2, () -> "acquired=1/1, pending=2", null, "pool closed");
        assertThat(overloaded).isInstanceOf(ProcessPoolOverloadedException.class)
                .hasMessage("pool overloaded: acquired=1/1, pending=2 (maxPendingAcquire=2 reached)")
                .hasCauseInstanceOf(PoolAcquirePendingLimitException.class);

        Throwable closed = Lifecycle.acquireError(new PoolShutdownException(), "pool overloaded", 2, () -> "", null,
                "pool closed");
        assertThat(closed).isInstanceOf(ProcessPoolClosedException.class).hasMessage("pool closed")
                .hasCauseInstanceOf(PoolShutdownException.class);

        TimeoutException timeout = new TimeoutException("late");
        assertThat(Lifecycle.acquireError(timeout, "p", 2, () -> "", null, "c")).isSameAs(timeout);
        Throwable timedOut = Lifecycle.acquireError(timeout, "p", 2, () -> "acquired=1/1, pending=0",
                (state, cause) -> new ProcessAcquireTimeoutException("ls", Duration.ofSeconds(3), state, cause), "c");
        assertThat(timedOut).isInstanceOf(ProcessAcquireTimeoutException.class).hasCause(timeout)
                .hasMessageContaining("acquired=1/1, pending=0");

        IllegalStateException other = new IllegalStateException("other");
        assertThat(Lifecycle.acquireError(other, "p", 2, () -> "", null, "c")).isSameAs(other);
    }
}
