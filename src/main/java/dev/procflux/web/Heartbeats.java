package dev.procflux.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Keeps a quiet {@code text/event-stream} alive: proxies and load balancers drop connections that carry no bytes
 * for a while (nginx's {@code proxy_read_timeout} is 60 s by default), and a process may stay silent much longer.
 */
final class Heartbeats {
    /** An SSE comment line and the blank line that ends its block; clients ignore it (no data, no event). */
    static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.UTF_8);

    private Heartbeats() {
    }

    /**
     * {@code frames} with {@link #COMMENT} added every {@code interval} until {@code frames} terminates.
     *
     * @param interval {@link Duration#ZERO} adds none
     * @param timer where the interval is timed; a virtual-time scheduler in tests
     */
    static Flux<byte[]> around(Flux<byte[]> frames, Duration interval, Scheduler timer) {
        return around(frames, interval, timer, () -> COMMENT);
    }

    /**
     * {@code frames} with a {@code comment} added every {@code interval} until {@code frames} terminates.
     *
     * @param interval {@link Duration#ZERO} adds none
     * @param timer where the interval is timed; a virtual-time scheduler in tests
     * @param comment makes the {@link #COMMENT} element of the frames' type, once per heartbeat sent
     */
    static <T> Flux<T> around(Flux<T> frames, Duration interval, Scheduler timer, Supplier<T> comment) {
        if (interval.isZero()) {
            return frames;
        }
        return Flux.defer(() -> {
            Sinks.Empty<Void> end = Sinks.empty();
            Flux<T> comments = Flux.interval(interval, interval, timer)
                    // a tick the client is too slow to take is not worth keeping: the connection is not idle
                    .onBackpressureDrop()
                    .map(tick -> comment.get())
                    .takeUntilOther(end.asMono());
            // doFinally also covers cancellation; merge cancels the comments itself then, so a lost emit is harmless.
            // Prefetch 1: the merge holds at most one frame beyond the demand of the response.
            return Flux.merge(1, frames.doFinally(signal -> end.tryEmitEmpty()), comments);
        });
    }
}
