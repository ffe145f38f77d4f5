package dev.procflux.web;

import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessOutputOverflowException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessPoolOverloadedException;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.WorkerCrashedException;
import dev.procflux.WorkerProtocolException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Every error answer of the routes: which status and {@code error} keyword an exception maps to, and the JSON body
 * {@code {"status":..., "error":..., "message":...}}. Thread-safe: immutable.
 */
final class ErrorResponses {
    /** The most bytes of an unread body dropped before an error answer; beyond it the connection is closed. */
    static final long MAX_DRAINED_BYTES = 256 * 1024;
    private static final Logger log = Loggers.getLogger(ErrorResponses.class);

    private final Duration retryAfter;

    /** @param retryAfter the {@code Retry-After} of a 503 answer */
    ErrorResponses(Duration retryAfter) {
        this.retryAfter = retryAfter;
    }

    /** An HTTP status, an error keyword and a message for a failure. */
    record Failure(int status, String error, String message) {
    }

    static Failure classify(Throwable e) {
        if (e instanceof RequestException r) {
            return new Failure(r.status(), r.error(), r.getMessage());
        }
        if (e instanceof InvalidParameterException) {
            return new Failure(400, "invalid-parameter", e.getMessage());
        }
        if (e instanceof ProcessPoolOverloadedException || e instanceof ProcessAcquireTimeoutException) {
            return new Failure(503, "overloaded", e.getMessage());
        }
        if (e instanceof WorkerCrashedException) {
            return new Failure(502, "worker-crashed", e.getMessage());
        }
        if (e instanceof WorkerProtocolException) {
            return new Failure(502, "worker-protocol-error", e.getMessage());
        }
        if (e instanceof ProcessPoolClosedException) {
            return new Failure(503, "unavailable", e.getMessage());
        }
        if (e instanceof ProcessTimeoutException) {
            return new Failure(504, "timeout", e.getMessage());
        }
        if (e instanceof ProcessOutputOverflowException) {
            return new Failure(500, "output-limit", e.getMessage());
        }
        if (e instanceof DataBufferLimitException) {
            return new Failure(413, "body-too-large", e.getMessage());
        }
        if (e instanceof ProcessStartException) {
            return new Failure(500, "start-failed", e.getMessage());
        }
        return new Failure(500, "internal", e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /**
     * The {@code error} frame that ends a stream whose response has started: its status line is sent, so the
     * failure can only be told in the body.
     */
    static Map<String, @Nullable Object> streamError(Throwable e) {
        Failure f = classify(e);
        if (f.status() == 500 && !(e instanceof ProcessOutputOverflowException)) {
            log.warn("action stream failed: " + f.message(), e);
        }
        Map<String, @Nullable Object> body = new LinkedHashMap<>();
        body.put("status", f.status());
        body.put("error", f.error());
        body.put("message", f.message());
        return body;
    }

    Mono<ServerResponse> failure(Throwable e) {
        return failure(e, null);
    }

    /**
     * The error answer, after reading and dropping up to {@value #MAX_DRAINED_BYTES} bytes of a body that nothing
     * read: a connection closed with unread bytes in its receive buffer is reset, and the reset can overtake the
     * answer before the client reads it.
     */
    Mono<ServerResponse> refuse(ServerRequest request, Throwable e) {
        if (!(e instanceof RequestException r && r.isBeforeBody()) || !DataBuffers.hasBody(request)
                || request.headers().asHttpHeaders().containsHeader(HttpHeaders.EXPECT)) {
            // a client that expects 100 Continue sends its body only once told to: reading it would say so
            return failure(e);
        }
        long[] seen = {0}; // one subscription's count; signals are serial
        return request.body(BodyExtractors.toDataBuffers())
                .doOnNext(buffer -> {
                    seen[0] += buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                })
                .takeUntil(buffer -> seen[0] > MAX_DRAINED_BYTES)
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                // a client that stops sending or goes away gets its answer at once; nobody may be listening
                .timeout(Duration.ofSeconds(2), Flux.empty())
                .onErrorResume(ignored -> Flux.empty())
                .then(Mono.defer(() -> failure(e)));
    }

    /** The error answer; {@code pool} names the worker pool of a {@code /workers/{pool}} request. */
    Mono<ServerResponse> failure(Throwable e, @Nullable String pool) {
        Failure f = classify(e);
        if (f.status() == 500) {
            // the client gets the message; the operator needs the stack trace
            log.warn((pool == null ? "action" : "worker pool '" + pool + "' request") + " failed: " + f.message(), e);
        }
        Map<String, @Nullable Object> body = new LinkedHashMap<>();
        body.put("status", f.status());
        body.put("error", f.error());
        // the pool's own messages name its command; the client knows the pool by its name
        body.put("message", pool == null || e instanceof RequestException ? f.message()
                : "worker pool '" + pool + "': " + f.message());
        if (pool != null) {
            body.put("pool", pool);
        }
        if (e instanceof InvalidParameterException p) {
            body.put("parameter", p.parameter());
            body.put("rule", p.rule());
        }
        ServerResponse.BodyBuilder response = ServerResponse.status(f.status()).contentType(MediaType.APPLICATION_JSON);
        if (f.status() == 503) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        }
        if (f.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return response.bodyValue(JsonResponses.MAPPER.writeValueAsBytes(body));
    }
}
