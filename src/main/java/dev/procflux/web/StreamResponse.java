package dev.procflux.web;

import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;
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
 * A response whose run starts when the response is written and is cancelled when that write ends, so the run can
 * never outlive the HTTP exchange that wants it: a response that is never written runs nothing; a write that is
 * cancelled (the connection closed), fails, or ends before its body asked for the run's output, cancels the run.
 *
 * <p>The status and headers are decided by the run's first signal: {@code answer} turns it into the response
 * actually written, which may be an error answer. Until then this response reports {@code 200} and no headers,
 * the status of a run that starts.
 *
 * <p>Thread-safe: immutable; each {@link #writeTo} subscription subscribes to the run once.
 *
 * @param <T> the run's elements
 */
final class StreamResponse<T> implements ServerResponse {
    private static final MultiValueMap<String, ResponseCookie> NO_COOKIES =
            CollectionUtils.unmodifiableMultiValueMap(new LinkedMultiValueMap<>());

    private final Flux<T> run;
    private final BiFunction<Signal<? extends T>, Flux<T>, Mono<ServerResponse>> answer;

    /**
     * @param run cold; subscribed once per write
     * @param answer the response for the run's first signal; the flux replays that signal and the rest of the
     *        run, and is subscribed, if at all, by the returned response's body
     */
    StreamResponse(Flux<T> run, BiFunction<Signal<? extends T>, Flux<T>, Mono<ServerResponse>> answer) {
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
            Sinks.Empty<Void> ended = Sinks.empty();
            // The body subscribes to the run lazily (an event stream's body only after its first, empty write),
            // and the answer's own operators keep their source once they have produced a response: a write that
            // ends before the body took the run would otherwise leave the run waiting for a subscriber forever.
            // Ending the write, however it ends, cancels the run here; a run that completed ignores it.
            return run.takeUntilOther(ended.asMono())
                    // A server may still ask a body for its next element after its write failed, when the switch is
                    // already cancelled: that late subscriber gets an empty run instead of a CancellationException
                    // it would report as a failure of the run; nobody reads it.
                    .switchOnFirst((first, all) -> answer.apply(first,
                                    all.onErrorResume(CancellationException.class, e -> Flux.empty()))
                            .flatMap(response -> response.writeTo(exchange, context)), false)
                    .then()
                    .doFinally(signal -> ended.tryEmitEmpty());
        });
    }
}
