package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where {@link KillQueue} runs kills, before and after its owner shuts it down; the kills are stand-ins. */
class KillQueueTest {
    private final KillQueue kills = KillQueue.ownThreads("kill queue test");
    private final List<String> ranOn = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        kills.shutdown();
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("procflux-kill-queue-test-kill-")));
    }

    private Runnable held() {
        return () -> {
            ranOn.add(Thread.currentThread().getName());
            try {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void aKillRunsOnAThreadOfTheQueueNeverOnTheCaller() {
        kills.submit(() -> ranOn.add(Thread.currentThread().getName()));

        await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.size() == 1);
        assertThat(ranOn.get(0)).startsWith("procflux-kill-queue-test-kill-")
                .isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void killsQueuedBeforeTheShutdownStillRunAndLaterOnesRunOnTheCaller() {
        for (int i = 0; i < KillQueue.THREADS; i++) {
            kills.submit(held());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.size() == KillQueue.THREADS);
        kills.submit(() -> ranOn.add("queued on " + Thread.currentThread().getName()));

        kills.shutdown();
        kills.submit(() -> ranOn.add("after the shutdown on " + Thread.currentThread().getName()));
        assertThat(ranOn).last().isEqualTo("after the shutdown on " + Thread.currentThread().getName());
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.size() == KillQueue.THREADS + 2);
        assertThat(ranOn).last().asString().startsWith("queued on procflux-kill-queue-test-kill-");
    }

    @Test
    void startedCompletesOnceEveryKillQueuedBeforeItHasStarted() {
        for (int i = 0; i < KillQueue.THREADS; i++) {
            kills.submit(held());
        }
        kills.submit(() -> ranOn.add("queued"));

        CompletableFuture<Void> started = kills.started().toFuture();

        assertThat(started).isNotDone(); // every thread is held, so "queued" has not started, nor has the marker
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(started::isDone);
        assertThat(ranOn).contains("queued");
    }

    @Test
    void startedAsksAKillOfTheQueueNotToWaitForTheKillsQueuedBehindIt() {
        for (int i = 0; i < KillQueue.THREADS - 1; i++) {
            kills.submit(held());
        }
        // the last free thread asks, as a close from an EngineEvents callback does: nothing is left to run a marker
        CompletableFuture<Boolean> startedAtOnce = new CompletableFuture<>();
        kills.submit(() -> startedAtOnce.complete(kills.started().toFuture().isDone()));

        await().atMost(Duration.ofSeconds(10)).until(startedAtOnce::isDone);
        assertThat(startedAtOnce.join()).isTrue();
    }

    @Test
    void aKillThatThrowsIsLoggedAndTheQueueKeepsKilling() {
        for (int i = 0; i < KillQueue.THREADS; i++) {
            kills.submit(() -> {
                throw new IllegalStateException("kill failed");
            });
        }
        kills.submit(() -> ranOn.add(Thread.currentThread().getName()));

        await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.size() == 1);
        assertThat(ranOn.get(0)).startsWith("procflux-kill-queue-test-kill-");
    }

    @Test
    void theQueueIsIdleOnceEveryTreeKillHasEndedAndSaysSoOnceAtTheLast() {
        AtomicInteger idle = new AtomicInteger();
        kills.onIdle(idle::incrementAndGet);
        Runnable first = kills.treeKillStarted();
        Runnable second = kills.treeKillStarted();
        assertThat(kills.isIdle()).isFalse();

        first.run();
        first.run(); // ending a kill twice counts once
        assertThat(kills.isIdle()).isFalse();
        assertThat(idle).hasValue(0);

        second.run();
        assertThat(kills.isIdle()).isTrue();
        assertThat(idle).hasValue(1);
    }
}
