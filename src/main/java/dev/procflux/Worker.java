package dev.procflux;

import reactor.core.publisher.Mono;

/**
 * One worker process, leased to the scope of {@link WorkerPool#withWorker}: its calls run on the same process, one
 * at a time.
 *
 * <p>Thread-safe, but a worker handles one request at a time: a call subscribed while another is in flight fails
 * with {@link IllegalStateException} and leaves both the call in flight and the worker alone. Compose calls in
 * sequence ({@code then}, {@code concatMap}). Once the scope has ended, every call fails with
 * {@link IllegalStateException}.
 *
 * @param <I> the request type
 * @param <O> the reply type
 */
public interface Worker<I, O> {

    /**
     * Sends {@code request} to this worker and emits its reply.
     *
     * <p><b>Laziness:</b> cold: the request is written on subscription; each subscription sends it again.
     * <p><b>Threading:</b> the reply and every error are delivered on {@link EngineOptions#deliveryScheduler()},
     * never on the NuProcess I/O thread.
     * <p><b>Backpressure:</b> one element.
     * <p><b>Cancellation:</b> a request already sent cannot be taken back, so the worker is killed and replaced
     * when the scope ends ({@link WorkerRestartCause#CANCELLED}).
     * <p><b>Errors:</b> {@link WorkerCrashedException}, {@link WorkerProtocolException},
     * {@link ProcessTimeoutException} (after {@link WorkerPoolOptions#requestTimeout()}),
     * {@link ProcessPoolClosedException}: after any of these the worker is retired. {@link IllegalStateException}
     * for a second request while one is in flight (the worker and the first request are unaffected) or for a
     * call after the scope ended.
     *
     * @param request the request
     * @return the reply
     * @throws NullPointerException if {@code request} is null
     * @throws IllegalArgumentException if the protocol cannot encode {@code request}
     */
    Mono<O> call(I request);

    /** @return the worker's process id */
    long pid();
}
