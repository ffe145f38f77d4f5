package dev.procflux.web;

import dev.procflux.ProcessOutput;
import dev.procflux.ProcessOutputOverflowException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The response of {@code /actions/{name}/stream}: a run's outputs as {@link StreamFormat} frames, flushed as they
 * come. Thread-safe: immutable; each subscription to a response body encodes with {@link Frames} of its own.
 */
final class StreamEncoder {
    private final Duration heartbeatInterval;
    private final ErrorResponses errors;
    private final SendWindow window;

    /**
     * @param heartbeatInterval how often a quiet event stream gets a comment line; {@link Duration#ZERO} for never
     * @param errors answers a raw stream that fails before its first bytes
     * @param window bounds what each response hands to the HTTP server ahead of its socket
     */
    StreamEncoder(Duration heartbeatInterval, ErrorResponses errors, SendWindow window) {
        this.heartbeatInterval = heartbeatInterval;
        this.errors = errors;
        this.window = window;
    }

    /**
     * @param outputs the run's outputs; subscribed once, by the response body
     * @param maxOutputBytes the most stdout plus stderr bytes sent; beyond it the stream fails and the run is
     *        cancelled
     * @param commandLine the run's command, for the overflow error
     * @param owner wraps the response body, which owns the run once subscribed
     */
    Mono<ServerResponse> respond(StreamFormat format, long maxOutputBytes, String commandLine,
            Flux<ProcessOutput> outputs, StreamResponse.Owner owner) {
        Flux<byte[]> frames = Flux.defer(() -> {
            Frames state = new Frames(format, maxOutputBytes, commandLine);
            // prefetch 1: the encoder holds at most one chunk, the engine keeps its own backpressure
            Flux<byte[]> encoded = outputs.concatMapIterable(state::frames, 1);
            return format == StreamFormat.RAW ? encoded : encoded.onErrorResume(e -> Flux.just(state.error(e)));
        });
        if (format == StreamFormat.RAW) {
            // raw bytes have no frame to report a failure in: the status waits for the first bytes, so that a run
            // that fails before any output is answered with its status and a JSON error like the other formats
            return frames.switchOnFirst((first, all) -> {
                if (first.isOnError()) {
                    return Mono.just(errors.failure(first.getThrowable()));
                }
                return Mono.just(ok(format, all, owner));
            }, false).single().flatMap(Function.identity());
        }
        // an empty first write commits the status and headers as soon as the process runs, not with its first
        // output
        return ok(format, frames.startWith(new byte[0]), owner);
    }

    private Mono<ServerResponse> ok(StreamFormat format, Flux<byte[]> frames, StreamResponse.Owner owner) {
        return ServerResponse.ok()
                .contentType(MediaType.parseMediaType(format.mediaType()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                // proxies such as nginx would otherwise hold the stream back
                .header("X-Accel-Buffering", "no")
                .body((message, context) -> {
                    DataBufferFactory factory = message.bufferFactory();
                    Flux<DataBuffer> buffers = window.buffers(frames, factory);
                    if (format == StreamFormat.EVENT_STREAM) {
                        // after the window, so that the frame the merge prefetches is counted in it
                        buffers = Heartbeats.around(buffers, heartbeatInterval, Schedulers.parallel(),
                                () -> factory.wrap(Heartbeats.COMMENT));
                    }
                    // a buffer dropped by a cancelled queue must still be released: the window counts it until then
                    return message.writeWith(
                            owner.body(buffers.doOnDiscard(DataBuffer.class, DataBufferUtils::release)));
                });
    }

    /** Turns one subscription's outputs into frames of the chosen format. Used on one thread at a time. */
    static final class Frames {
        private final StreamFormat format;
        private final long limit;
        private final long startNanos = System.nanoTime();
        private final String commandLine;
        private final Utf8Chunks stdout = new Utf8Chunks();
        private final Utf8Chunks stderr = new Utf8Chunks();
        private long bytes;

        Frames(StreamFormat format, long limit, String commandLine) {
            this.commandLine = commandLine;
            this.format = format;
            this.limit = limit;
        }

        /**
         * @return the frames of one output: none, or one per stream with text, or for the exit the rest of both
         *         streams' text and the {@code exit} frame
         * @throws ProcessOutputOverflowException once the outputs pass the limit
         * @throws RequestException for a raw stream whose process does not exit with status 0
         */
        List<byte[]> frames(ProcessOutput output) {
            if (!output.isExit()) {
                bytes += output.size();
                if (bytes > limit) {
                    // thrown into concatMapIterable: it cancels upstream, which kills the process tree
                    throw new ProcessOutputOverflowException(commandLine, limit,
                            "the output passed the action's limit of " + limit + " bytes; process tree killed");
                }
            }
            List<byte[]> frames = new ArrayList<>(2);
            if (format == StreamFormat.RAW) {
                if (output.isStdout()) {
                    frames.add(output.bytes());
                }
                else if (output.isExit() && !output.exitStatus().isSuccess()) {
                    // aborts the response: raw bytes have no place to say that the run failed
                    throw new RequestException(502, "exit", "the process ended with " + output.exitStatus());
                }
                return frames;
            }
            if (output.isStdout()) {
                addText(frames, "stdout", stdout.decode(output.bytes()));
            }
            else if (output.isStderr()) {
                addText(frames, "stderr", stderr.decode(output.bytes()));
            }
            else {
                addText(frames, "stdout", stdout.finish());
                addText(frames, "stderr", stderr.finish());
                Map<String, @Nullable Object> exit = new LinkedHashMap<>();
                exit.put("exitCode", output.exitStatus().code());
                exit.put("signal", JsonResponses.signal(output.exitStatus()));
                exit.put("durationMs", (System.nanoTime() - startNanos) / 1_000_000);
                frames.add(frame("exit", exit));
            }
            return frames;
        }

        private void addText(List<byte[]> frames, String stream, String text) {
            if (!text.isEmpty()) {
                frames.add(frame(stream, Map.of("text", text)));
            }
        }

        /** @return the {@code error} frame that ends a stream failed by {@code e} */
        byte[] error(Throwable e) {
            return frame("error", ErrorResponses.streamError(e));
        }

        private byte[] frame(String event, Map<String, ? extends @Nullable Object> data) {
            if (format == StreamFormat.EVENT_STREAM) {
                // JSON escapes every control character, so the data is one line and cannot end the event early
                return ("event: " + event + "\ndata: " + JsonResponses.MAPPER.writeValueAsString(data) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8);
            }
            Map<String, @Nullable Object> line = new LinkedHashMap<>();
            line.put("stream", event);
            line.putAll(data);
            return (JsonResponses.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }
}
