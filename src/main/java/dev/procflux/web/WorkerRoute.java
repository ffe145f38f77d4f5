package dev.procflux.web;

import dev.procflux.WorkerPool;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One worker pool served at {@code POST /workers/{name}}, with the codec that turns bodies into its requests.
 * Immutable; the pool itself is thread-safe.
 *
 * @param <I> the pool's request type
 * @param <O> the pool's reply type
 */
final class WorkerRoute<I, O> {
    private final String name;
    private final WorkerPool<I, O> pool;
    private final WorkerCodec<I, O> codec;

    /** @return the pool's figures, for {@code GET /metrics} */
    dev.procflux.WorkerPoolMetrics metrics() {
        return pool.metrics();
    }

    WorkerRoute(String name, WorkerPool<I, O> pool, WorkerCodec<I, O> codec) {
        this.name = name;
        this.pool = pool;
        this.codec = codec;
    }

    String name() {
        return name;
    }

    WorkerPool<I, O> pool() {
        return pool;
    }

    boolean isBinary() {
        return codec.isBinary();
    }

    /**
     * Sends one request and emits the reply: a {@code byte[]} for a binary codec, the {@code String} of
     * {@code "reply"} otherwise.
     *
     * @param body the request body
     * @param jsonRequest for a text codec, the {@code request} field of a JSON body; otherwise null
     */
    Mono<Object> call(byte[] body, @Nullable String jsonRequest) {
        return Mono.defer(() -> {
            Mono<O> reply;
            try {
                I request = jsonRequest != null ? codec.requestFromText(jsonRequest) : codec.requestFromBytes(body);
                // throws at call time when the protocol cannot encode the request: that is the client's fault
                reply = pool.call(request);
            }
            catch (IllegalArgumentException e) {
                return Mono.error(new RequestException(400, "invalid-body", "worker pool '" + name
                        + "' cannot take this request: " + e.getMessage()));
            }
            return reply.map(o -> codec.isBinary() ? codec.replyBytes(o) : codec.replyText(o));
        });
    }
}
