package dev.procflux;

import dev.procflux.internal.ApiFactory;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * How a {@link WorkerPool} talks to its worker processes: how a request becomes bytes on the worker's stdin, and
 * how replies are cut out of the bytes the worker writes to stdout. Exactly one reply is expected per request.
 *
 * <p>Built-ins: {@link #lines()} (one UTF-8 line in, one line out), {@link #lengthPrefixed()} (4-byte big-endian
 * length, then the bytes) and {@link #jsonLines()} (Bazel-style JSON requests with request ids).
 *
 * <p>Implementations must be thread-safe; each worker gets its own {@link Decoder} from {@link #newDecoder()}, which
 * is called on one thread at a time, in the order the bytes arrived. Protocol code never runs on the shared
 * NuProcess I/O thread, but it does run on {@link EngineOptions#deliveryScheduler()}: it must not block.
 *
 * @param <I> the request type
 * @param <O> the reply type
 */
public interface WorkerProtocol<I, O> {

    /**
     * Encodes one request as one complete frame.
     *
     * @param request the request
     * @return the bytes to write to the worker's stdin, from position to limit; the pool does not modify them
     * @throws IllegalArgumentException if {@code request} cannot be encoded (a line break inside a line, say);
     *         {@link WorkerPool#call} rethrows it at call time
     */
    ByteBuffer encode(I request);

    /**
     * A decoder for one worker's stdout, holding the partial frame between chunks.
     *
     * @return a new decoder
     */
    Decoder<O> newDecoder();

    /**
     * Checks that {@code reply} answers {@code request} (for protocols with request ids). The default accepts
     * every reply.
     *
     * @param request the request in flight
     * @param reply the reply the worker sent
     * @throws RuntimeException when the reply does not belong to the request: the call fails with
     *         {@link WorkerProtocolException} and the worker is replaced
     */
    default void verify(I request, O reply) {
    }

    /**
     * Cuts replies out of a worker's stdout, incrementally. Not thread-safe: one per worker.
     *
     * @param <O> the reply type
     */
    interface Decoder<O> {
        /**
         * Consumes all of {@code bytes} and passes every reply it completes to {@code replies}, in order; a
         * partial frame is kept for the next call. The buffer is not kept after returning.
         *
         * @param bytes the next chunk of stdout, as the operating system split it
         * @param replies receives each complete reply
         * @throws RuntimeException when the bytes are not a valid frame (its message says why): the call fails
         *         with {@link WorkerProtocolException} and the worker is replaced
         */
        void decode(ByteBuffer bytes, Consumer<? super O> replies);
    }

    /**
     * One UTF-8 line in, one line out, each ended by {@code \n} ({@code \r\n} is accepted in replies); replies
     * of at most 1 MiB.
     *
     * @return the protocol
     */
    static WorkerProtocol<String, String> lines() {
        return lines(ApiFactory.defaultMaxLineBytes());
    }

    /**
     * {@link #lines()} with a bound on the reply size.
     *
     * @param maxLineBytes the longest reply line accepted, in bytes without the line break; longer fails the call
     *        with {@link WorkerProtocolException}
     * @return the protocol
     * @throws IllegalArgumentException if {@code maxLineBytes} is below 1
     */
    static WorkerProtocol<String, String> lines(int maxLineBytes) {
        return ApiFactory.linesProtocol(maxLineBytes);
    }

    /**
     * Binary frames: a 4-byte big-endian length, then that many bytes, in both directions. Replies of at most
     * 64 MiB.
     *
     * @return the protocol
     */
    static WorkerProtocol<byte[], byte[]> lengthPrefixed() {
        return lengthPrefixed(ApiFactory.defaultMaxFrameBytes());
    }

    /**
     * {@link #lengthPrefixed()} with a bound on the reply size.
     *
     * @param maxFrameBytes the largest reply accepted, in bytes without the length; a larger length fails the
     *        call with {@link WorkerProtocolException}
     * @return the protocol
     * @throws IllegalArgumentException if {@code maxFrameBytes} is below 0
     */
    static WorkerProtocol<byte[], byte[]> lengthPrefixed(int maxFrameBytes) {
        return ApiFactory.lengthPrefixedProtocol(maxFrameBytes);
    }

    /**
     * Newline-delimited JSON in the spirit of Bazel's JSON worker protocol: a request is written as
     * {@code {"requestId":7,"arguments":["a","b"]}}, a reply read as
     * {@code {"requestId":7,"exitCode":0,"output":"..."}}. Unknown reply fields are ignored; a reply whose request
     * id differs from the request's fails the call with {@link WorkerProtocolException}. Replies of at most 1 MiB.
     *
     * @return the protocol
     */
    static JsonLinesProtocol jsonLines() {
        return ApiFactory.jsonLinesProtocol(ApiFactory.defaultMaxLineBytes());
    }
}
