package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The engine's total of queued output, as one stream adds to it and gives it back; the delivery worker, as streams
 * share it.
 */
class StreamOutputTest {
    private final DefaultProcessEngine engine = new DefaultProcessEngine(ProcessEngine.builder().closeOnShutdown(false)
            .launchScheduler(Schedulers.immediate()).deliveryScheduler(Schedulers.immediate()).buildOptions(),
            new FakeLauncher(), new KillQueue(Runnable::run, () -> { }));

    @Test
    void outputQueuedAfterTheSubscriberCancelledIsReleasedFromTheEngineTotal() {
        BaseSubscriber<ProcessOutput> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // requests nothing: the chunk stays queued
            }
        };
        StreamOutput out = new StreamOutput(Command.of("yes"), engine, Operators.toCoreSubscriber(subscriber), null);
        subscriber.onSubscribe(out);
        out.onStdout(ByteBuffer.wrap("y\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(engine.metrics().bufferedBytes()).isEqualTo(2);

        subscriber.dispose();
        assertThat(engine.metrics().bufferedBytes()).as("discarded at the cancel").isZero();
        // a read the I/O thread had begun before the cancel reached the run queues its chunk after the drain ended
        out.onStdout(ByteBuffer.wrap("late\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(engine.metrics().bufferedBytes()).as("released by the late read itself").isZero();
    }

    @Test
    void aStreamWhoseOutputKeepsComingTakesTurnsWithTheOtherStreamsOfItsDeliveryWorker() {
        Scheduler single = Schedulers.newSingle("delivery");
        try {
            DefaultProcessEngine shared = new DefaultProcessEngine(ProcessEngine.builder().closeOnShutdown(false)
                    .launchScheduler(Schedulers.immediate()).deliveryScheduler(single).buildOptions(),
                    new FakeLauncher());
            List<String> delivered = new CopyOnWriteArrayList<>();
            byte[] chunk = new byte[StreamMarks.READ_SIZE];
            StreamOutput[] other = new StreamOutput[1];
            Unbounded busySubscriber = new Unbounded();
            StreamOutput busy = new StreamOutput(Command.of("yes"), shared,
                    Operators.toCoreSubscriber(busySubscriber), null);
            busySubscriber.onNext = () -> {
                delivered.add("busy");
                if (delivered.size() == 1) {
                    // the other stream's first chunk: its drain is scheduled on the worker this drain occupies
                    other[0].onStdout(ByteBuffer.wrap(chunk));
                }
                if (delivered.stream().filter("busy"::equals).count() < 50) {
                    // the process keeps writing while its subscriber keeps asking (a fast SSE client)
                    busy.onStdout(ByteBuffer.wrap(chunk));
                }
            };
            Unbounded otherSubscriber = new Unbounded();
            otherSubscriber.onNext = () -> delivered.add("other");
            other[0] = new StreamOutput(Command.of("yes"), shared, Operators.toCoreSubscriber(otherSubscriber),
                    null);
            otherSubscriber.onSubscribe(other[0]);
            busySubscriber.onSubscribe(busy);

            busy.onStdout(ByteBuffer.wrap(chunk));
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 51);
            assertThat(delivered.indexOf("other"))
                    .as("chunks of the busy stream delivered before the other stream's first: %s", delivered)
                    .isLessThanOrEqualTo(2);
            busySubscriber.dispose();
            otherSubscriber.dispose();
            await().atMost(Duration.ofSeconds(10)).until(() -> shared.metrics().bufferedBytes() == 0);
        }
        finally {
            single.dispose();
        }
    }

    @Test
    void aStreamIsDeliveredOnEveryThreadOfTheDeliverySchedulerNotOnOneForItsLife() {
        Scheduler two = Schedulers.newParallel("delivery", 2);
        try {
            DefaultProcessEngine shared = new DefaultProcessEngine(ProcessEngine.builder().closeOnShutdown(false)
                    .launchScheduler(Schedulers.immediate()).deliveryScheduler(two).buildOptions(),
                    new FakeLauncher());
            Set<String> threads = ConcurrentHashMap.newKeySet();
            List<String> delivered = new CopyOnWriteArrayList<>();
            Unbounded subscriber = new Unbounded();
            subscriber.onNext = () -> {
                threads.add(Thread.currentThread().getName());
                delivered.add("chunk");
            };
            StreamOutput out = new StreamOutput(Command.of("yes"), shared, Operators.toCoreSubscriber(subscriber),
                    null);
            subscriber.onSubscribe(out);
            for (int i = 1; i <= 8; i++) {
                // one chunk at a time, each delivered by a run of its own
                out.onStdout(ByteBuffer.wrap("y\n".getBytes(StandardCharsets.UTF_8)));
                int expected = i;
                await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == expected);
            }
            assertThat(threads).as("the threads that delivered the stream's chunks").hasSize(2);
            subscriber.dispose();
            assertThat(shared.metrics().bufferedBytes()).isZero();
        }
        finally {
            two.dispose();
        }
    }

    /** Requests everything; runs {@link #onNext} for each chunk. */
    private static final class Unbounded extends BaseSubscriber<ProcessOutput> {
        volatile Runnable onNext = () -> { };

        @Override
        protected void hookOnNext(ProcessOutput value) {
            onNext.run();
        }
    }
}
