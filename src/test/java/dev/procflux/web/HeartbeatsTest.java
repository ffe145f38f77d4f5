package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class HeartbeatsTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void aSilentStreamGetsACommentEveryIntervalUntilItEnds() {
        StepVerifier.withVirtualTime(() -> Heartbeats.around(
                        Flux.just(bytes("event: stdout\n\n")).concatWith(Mono.delay(Duration.ofSeconds(40))
                                .map(t -> bytes("event: exit\n\n"))),
                        Duration.ofSeconds(15), Schedulers.parallel()).map(HeartbeatsTest::text))
                .expectNext("event: stdout\n\n")
                .expectNoEvent(Duration.ofSeconds(15))
                .expectNext(":\n\n")
                .expectNoEvent(Duration.ofSeconds(15))
                .expectNext(":\n\n")
                .expectNoEvent(Duration.ofSeconds(10))
                .expectNext("event: exit\n\n")
                .expectComplete()
                .verify(Duration.ofSeconds(5)); // a real-time guard against hangs, not virtual time
    }

    @Test
    void anErrorEndsTheCommentsWithTheStream() {
        StepVerifier.withVirtualTime(() -> Heartbeats.around(
                        Mono.delay(Duration.ofSeconds(20)).then(Mono.<byte[]>error(new IllegalStateException("boom")))
                                .flux(),
                        Duration.ofSeconds(15), Schedulers.parallel()).map(HeartbeatsTest::text))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(15))
                .expectNext(":\n\n")
                .expectNoEvent(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("boom"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void cancellingCancelsTheStreamAndStopsTheComments() {
        TestPublisher<byte[]> frames = TestPublisher.create();
        StepVerifier.withVirtualTime(() -> Heartbeats.around(frames.flux(), Duration.ofSeconds(15),
                        Schedulers.parallel()).map(HeartbeatsTest::text))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(15))
                .expectNext(":\n\n")
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        frames.assertCancelled();
    }

    @Test
    void aZeroIntervalAddsNothing() {
        Flux<byte[]> frames = Flux.just(bytes("a"));
        assertThat(Heartbeats.around(frames, Duration.ZERO, Schedulers.parallel())).isSameAs(frames);
    }
}
