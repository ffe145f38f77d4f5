package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;

/** The engine's total of queued output, as one stream adds to it and gives it back. */
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
}
