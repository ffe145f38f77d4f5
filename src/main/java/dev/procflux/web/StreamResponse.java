package dev.procflux.web;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.publisher.Sinks;

/**
 * A response whose run starts when the response is written and never outlives the consumer of that response. A
 * response that is never written runs nothing. While the write has not subscribed to the body, the write owns the
 * run: its end (completed, failed, cancelled) cancels the run. Once a body built with {@link Owner#body} is
 * subscribed, the body owns the run: its end, however it ends, cancels the run, even when the body had not yet
 * asked for any of the run's output.
 *
 * <p>The status and headers are decided by the run's first signal: the {@link Answer} turns it into the response
 * actually written, which may be an error answer. Until then this response reports {@code 200} and no headers, the
 * status of a run that starts.
 *
 * <p>Thread-safe: immutable; each {@link #writeTo} subscription subscribes to the run once.
 *
 * @param <T> the run's elements
 */
final class StreamResponse<T> implements ServerResponse {
    private static final MultiValueMap<String, ResponseCookie> NO_COOKIES =
            CollectionUtils.unmodifiableMultiValueMap(new LinkedMultiValueMap<>());

    /** Turns a run's first signal into the response to write. */
    @FunctionalInterface
    interface Answer<T> {
        /**
         * @param first the run's first signal
         * @param all the run, from its first signal on; subscribed, if at all, by the response's body
         * @param owner wraps the body that will subscribe to {@code all}
         * @return the response to write
         */
        Mono<ServerResponse> answer(Signal<? extends T> first, Flux<T> all, Owner owner);
    }

    private final Flux<T> run;
    private final Answer<T> answer;

    /**
     * @param run cold; subscribed once per write
     * @param answer the response for the run's first signal
     */
    StreamResponse(Flux<T> run, Answer<T> answer) {
        this.run = run;
        this.answer = answer;
    }

    @Override
    public HttpStatusCode statusCode() {
        return HttpStatus.OK;
    }

    @Override
    public HttpHeaders headers() {
        return HttpHeaders.EMPTY;
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
        return NO_COOKIES;
    }

    @Override
    public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
        return Mono.defer(() -> {
            Owner owner = new Owner();
            return run.takeUntilOther(owner.released.asMono())
                    // A server may still ask a body for its next element after its write failed, when the switch is
                    // already cancelled: that late subscriber gets an empty run instead of a CancellationException
                    // it would report as a failure of the run; nobody reads it.
                    .switchOnFirst((first, all) -> answer.answer(first,
                                    all.onErrorResume(CancellationException.class, e -> Flux.empty()), owner)
                            .flatMap(response -> response.writeTo(exchange, context)), false)
                    .then()
                    .doFinally(signal -> owner.writeEnded());
        });
    }

    /**
     * Who owns one write's run: the write until the body subscribes, then the body. Either owner's end cancels the
     * run; the switches between the run and the body keep their source once they have produced a response, and a
     * body asks for the run's output only after its first write (an event stream's empty frame), so a body ended
     * before that would otherwise leave the run waiting for a subscriber forever. A run that completed ignores it.
     */
    static final class Owner {
        // completed by whichever owner ends first; the run is taken until it completes
        private final Sinks.Empty<Void> released = Sinks.empty();
        // set once, by the body's subscription, on the server's thread
        private final AtomicBoolean bodySubscribed = new AtomicBoolean();

        private Owner() {
        }

        /**
         * @param body the response body that subscribes to the run
         * @return {@code body}, taking the run over from the write when subscribed and cancelling it when it ends
         */
        <X> Flux<X> body(Flux<X> body) {
            return Flux.defer(() -> {
                bodySubscribed.set(true);
                return body;
            }).doFinally(signal -> release());
        }

        private void writeEnded() {
            // a server writes a streamed body as it subscribes to it (it may complete the write before the body
            // ends, handing the subscription on): a body never subscribed by the end of the write is never read
            if (!bodySubscribed.get()) {
                release();
            }
        }

        private void release() {
            // fails only while another thread releases it at the same time, which ends the run just as well
            released.tryEmitEmpty();
        }
    }
}
