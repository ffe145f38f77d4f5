package dev.procflux.web;

import dev.procflux.Command;
import dev.procflux.EngineMetrics;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessOutputOverflowException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessPoolOverloadedException;
import dev.procflux.ProcessResult;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.WorkerCrashedException;
import dev.procflux.WorkerProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The handlers behind {@link ActionRoutes}. Thread-safe: stateless apart from its immutable configuration. */
final class ActionHandler {
    /** Emitted by a stream's run ahead of its output once the process is running: the response can start. */
    private static final Object STARTED = new Object();
    private static final Logger log = Loggers.getLogger(ActionHandler.class);
    /** The most bytes of an unread body dropped before an error answer; beyond it the connection is closed. */
    static final long MAX_DRAINED_BYTES = 256 * 1024;
    private static final MediaType NDJSON = MediaType.parseMediaType(StreamFormat.NDJSON.mediaType());

    private final ProcessEngine engine;
    private final ActionRegistry registry;
    private final Duration retryAfter;
    private final int maxParameterBodyBytes;
    private final JsonMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final byte[] page;
    private final byte[] script;
    private final Map<String, WorkerRoute<?, ?>> workers;
    private final int maxWorkerBodyBytes;
    private final Duration heartbeatInterval;
    private final CrossSiteGuard crossSiteGuard;
    private final SendWindow sendWindow = new SendWindow(SendWindow.DEFAULT_WINDOW_BYTES);

    ActionHandler(ProcessEngine engine, ActionRegistry registry, Duration retryAfter, int maxParameterBodyBytes,
            byte[] page, byte[] script, Map<String, WorkerRoute<?, ?>> workers, int maxWorkerBodyBytes,
            Duration heartbeatInterval, CrossSiteGuard crossSiteGuard) {
        this.engine = engine;
        this.registry = registry;
        this.retryAfter = retryAfter;
        this.maxParameterBodyBytes = maxParameterBodyBytes;
        this.page = page;
        this.script = script;
        this.workers = workers;
        this.maxWorkerBodyBytes = maxWorkerBodyBytes;
        this.heartbeatInterval = heartbeatInterval;
        this.crossSiteGuard = crossSiteGuard;
    }

    // ---- POST /actions/{name}

    Mono<ServerResponse> run(ServerRequest request) {
        return Mono.defer(() -> {
            Action action = action(request);
            return command(request, action)
                    .flatMap(engine::execute)
                    .flatMap(result -> json(200, resultJson(result)));
        }).onErrorResume(e -> refuse(request, e));
    }

    private Map<String, @Nullable Object> resultJson(ProcessResult result) {
        Map<String, @Nullable Object> body = new LinkedHashMap<>();
        body.put("exitCode", result.exitCode());
        body.put("signal", signal(result.exitStatus()));
        body.put("stdout", result.stdoutText());
        body.put("stderr", result.stderrText());
        body.put("durationMs", result.duration().toMillis());
        body.put("truncated", result.isStdoutTruncated() || result.isStderrTruncated());
        return body;
    }

    // ---- POST /workers/{pool}

    Mono<ServerResponse> worker(ServerRequest request) {
        String name = request.pathVariable("pool");
        WorkerRoute<?, ?> route = workers.get(name);
        if (route == null) {
            return failure(RequestException.unknownWorkerPool(name));
        }
        MediaType type = request.headers().contentType().orElse(null);
        boolean jsonBody = !route.isBinary() && type != null && type.isCompatibleWith(MediaType.APPLICATION_JSON);
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxWorkerBodyBytes)
                .map(DataBuffers::bytesAndRelease)
                .onErrorMap(DataBufferLimitException.class, e -> RequestException.bodyTooLarge(maxWorkerBodyBytes))
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> route.call(body, jsonBody ? jsonRequest(body) : null))
                .flatMap(reply -> reply instanceof byte[] bytes
                        ? ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes)
                        : json(200, Map.of("reply", reply)))
                .onErrorResume(e -> failure(e, name));
    }

    /** The string field {@code request} of a JSON object body. */
    private String jsonRequest(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        }
        catch (JacksonException e) {
            throw new RequestException(400, "invalid-body", "the body is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode request = root == null ? null : root.get("request");
        if (root == null || !root.isObject() || request == null || !request.isString()) {
            throw new RequestException(400, "invalid-body",
                    "a JSON body must be an object with a string field 'request'");
        }
        return request.asString();
    }

    // ---- GET|POST /actions/{name}/stream

    Mono<ServerResponse> stream(ServerRequest request) {
        return Mono.defer(() -> {
            if (request.method() == HttpMethod.GET) {
                HttpHeaders h = request.headers().asHttpHeaders();
                String refused = crossSiteGuard.refuseRunningGet(h.getFirst(HttpHeaders.HOST),
                        h.getFirst(HttpHeaders.ORIGIN), h.getFirst("Sec-Fetch-Site"),
                        h.containsHeader(HttpHeaders.AUTHORIZATION));
                if (refused != null) {
                    throw RequestException.beforeBody(403, "cross-site", refused);
                }
            }
            Action action = action(request);
            StreamFormat format = format(request, action);
            return command(request, action).flatMap(command -> {
                Flux<Object> run = Flux.defer(() -> {
                    Sinks.One<Object> started = Sinks.one();
                    // the only emission, on the delivery thread; it fails only once the merge is cancelled, when
                    // nobody wants the signal any more
                    Flux<ProcessOutput> outputs = engine.stream(command, pid -> started.tryEmitValue(STARTED));
                    // prefetch 1: the merge holds at most one chunk, the engine keeps its own backpressure
                    return Flux.merge(1, started.asMono(), outputs);
                });
                // Overload, a closed engine, an acquire timeout and a program that cannot start must become a
                // status, so the response is built only once the process runs: the engine calls back before any
                // output, so the first signal is STARTED or an error from before the start. The source is not
                // cancelled when the single response completes: the response body subscribes to it; a client that
                // goes away cancels it, which kills the tree, and one gone before the start cancels the wait for
                // a slot or the launch.
                return run.switchOnFirst((first, all) -> {
                    if (first.isOnError()) {
                        return Mono.error(first.getThrowable());
                    }
                    Flux<ProcessOutput> outputs = all.filter(o -> o != STARTED).cast(ProcessOutput.class);
                    return Mono.just(respond(format, action, command.commandLine(), outputs));
                }, false).single().flatMap(Function.identity());
            });
        }).onErrorResume(e -> refuse(request, e));
    }

    private Mono<ServerResponse> respond(StreamFormat format, Action action, String commandLine,
            Flux<ProcessOutput> outputs) {
        Flux<byte[]> frames = Flux.defer(() -> {
            StreamState state = new StreamState(format, action.maxOutputBytes(), commandLine);
            // prefetch 1: the encoder holds at most one chunk, the engine keeps its own backpressure
            Flux<byte[]> encoded = outputs.concatMapIterable(state::frames, 1);
            return format == StreamFormat.RAW ? encoded : encoded.onErrorResume(e -> Flux.just(state.error(e)));
        });
        if (format == StreamFormat.RAW) {
            // raw bytes have no frame to report a failure in: the status waits for the first bytes, so that a run
            // that fails before any output is answered with its status and a JSON error like the other formats
            return frames.switchOnFirst((first, all) -> {
                if (first.isOnError()) {
                    return Mono.just(failure(first.getThrowable()));
                }
                return Mono.just(ok(format, all));
            }, false).single().flatMap(Function.identity());
        }
        // an empty first write commits the status and headers as soon as the process runs, not with its first
        // output
        return ok(format, frames.startWith(new byte[0]));
    }

    private Mono<ServerResponse> ok(StreamFormat format, Flux<byte[]> frames) {
        return ServerResponse.ok()
                .contentType(MediaType.parseMediaType(format.mediaType()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                // proxies such as nginx would otherwise hold the stream back
                .header("X-Accel-Buffering", "no")
                .body((message, context) -> {
                    DataBufferFactory factory = message.bufferFactory();
                    Flux<DataBuffer> buffers = sendWindow.buffers(frames, factory);
                    if (format == StreamFormat.EVENT_STREAM) {
                        // after the window, so that the frame the merge prefetches is counted in it
                        buffers = Heartbeats.around(buffers, heartbeatInterval, Schedulers.parallel(),
                                () -> factory.wrap(Heartbeats.COMMENT));
                    }
                    // a buffer dropped by a cancelled queue must still be released: the window counts it until then
                    return message.writeWith(buffers.doOnDiscard(DataBuffer.class, DataBufferUtils::release));
                });
    }

    /** Turns one subscription's outputs into frames of the chosen format. Used on one thread at a time. */
    private final class StreamState {
        private final StreamFormat format;
        private final long limit;
        private final long startNanos = System.nanoTime();
        private final String commandLine;
        private final Utf8Chunks stdout = new Utf8Chunks();
        private final Utf8Chunks stderr = new Utf8Chunks();
        private long bytes;

        StreamState(StreamFormat format, long limit, String commandLine) {
            this.commandLine = commandLine;
            this.format = format;
            this.limit = limit;
        }

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
                exit.put("signal", signal(output.exitStatus()));
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

        byte[] error(Throwable e) {
            Failure f = classify(e);
            if (f.status == 500 && !(e instanceof ProcessOutputOverflowException)) {
                log.warn("action stream failed: " + f.message, e);
            }
            Map<String, @Nullable Object> body = new LinkedHashMap<>();
            body.put("status", f.status);
            body.put("error", f.error);
            body.put("message", f.message);
            return frame("error", body);
        }

        private byte[] frame(String event, Map<String, ? extends @Nullable Object> data) {
            if (format == StreamFormat.EVENT_STREAM) {
                // JSON escapes every control character, so the data is one line and cannot end the event early
                return ("event: " + event + "\ndata: " + json.writeValueAsString(data) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8);
            }
            Map<String, @Nullable Object> line = new LinkedHashMap<>();
            line.put("stream", event);
            line.putAll(data);
            return (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static StreamFormat format(ServerRequest request, Action action) {
        for (MediaType accepted : request.headers().accept()) {
            if (accepted.isWildcardType() || accepted.isWildcardSubtype()) {
                continue;
            }
            if (accepted.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)) {
                return StreamFormat.EVENT_STREAM;
            }
            if (accepted.isCompatibleWith(NDJSON)) {
                return StreamFormat.NDJSON;
            }
            if (accepted.isCompatibleWith(MediaType.APPLICATION_OCTET_STREAM)) {
                return StreamFormat.RAW;
            }
        }
        return action.streamFormat();
    }

    // ---- the command of a request

    private Action action(ServerRequest request) {
        String name = request.pathVariable("name");
        return registry.find(name).orElseThrow(() -> RequestException.unknownAction(name));
    }

    /** Parameters from the query string (and a JSON body unless the body is stdin), checked; then the command. */
    private Mono<Command> command(ServerRequest request, Action action) {
        if (action.stdinFromBody()) {
            OptionalLong length = request.headers().contentLength();
            if (length.isPresent() && length.getAsLong() > action.maxBodyBytes()) {
                return Mono.error(RequestException.bodyTooLargeBeforeBody(action.maxBodyBytes()));
            }
        }
        return parameters(request, action).flatMap(values -> {
            Mono<Command> resolved = Mono.fromCallable(() -> action.command(values));
            // path parameters resolve real paths: file-system calls that must not run on an event loop
            return action.hasPathParameter() ? resolved.subscribeOn(Schedulers.boundedElastic()) : resolved;
        }).map(command -> action.stdinFromBody() ? command.withStdin(stdin(request, action.maxBodyBytes())) : command);
    }

    private Mono<Map<String, String>> parameters(ServerRequest request, Action action) {
        return Mono.defer(() -> {
            Map<String, String> values = QueryString.parse(request.uri().getRawQuery());
            MediaType type = request.headers().contentType().orElse(null);
            if (action.stdinFromBody()) {
                return Mono.just(values);
            }
            boolean json = type != null && type.isCompatibleWith(MediaType.APPLICATION_JSON);
            if (!json) {
                if (!hasBody(request)) {
                    // read the empty body to its end all the same: the server notices a client that hangs up only
                    // once the request has been read, which a quiet stream would otherwise never do
                    return request.body(BodyExtractors.toDataBuffers()).doOnNext(DataBufferUtils::release)
                            .then(Mono.just(values));
                }
                if (request.headers().asHttpHeaders().getContentLength() > 0) {
                    throw RequestException.beforeBody(415, "unsupported-media-type", unsupported(action, type));
                }
                // chunked, length unknown: an empty body (what some clients send with every POST) is no body
                return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxParameterBodyBytes)
                        .map(buffer -> {
                            int size = buffer.readableByteCount();
                            DataBufferUtils.release(buffer);
                            if (size > 0) {
                                throw new RequestException(415, "unsupported-media-type", unsupported(action, type));
                            }
                            return values;
                        })
                        .onErrorMap(DataBufferLimitException.class, e -> new RequestException(415,
                                "unsupported-media-type", unsupported(action, type)))
                        .defaultIfEmpty(values);
            }
            if (request.headers().asHttpHeaders().getContentLength() > maxParameterBodyBytes) {
                // refused before the body is read: a client waiting for 100 Continue then sends nothing
                throw RequestException.beforeBody(413, "body-too-large", "JSON parameters are larger than the "
                        + "limit of " + maxParameterBodyBytes + " bytes");
            }
            return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxParameterBodyBytes)
                    .map(buffer -> readJsonParameters(DataBuffers.bytesAndRelease(buffer), values))
                    .onErrorMap(DataBufferLimitException.class, e -> new RequestException(413, "body-too-large",
                            "JSON parameters are larger than the limit of " + maxParameterBodyBytes + " bytes"))
                    .defaultIfEmpty(values);
        });
    }

    /** A form or a text/plain body would otherwise be ignored and the action run with its defaults. */
    private static String unsupported(Action action, @Nullable MediaType type) {
        return "action '" + action.name() + "' takes its parameters from the query string or a JSON body "
                + "(Content-Type: application/json), not " + (type == null ? "a body without Content-Type" : type);
    }

    private static boolean hasBody(ServerRequest request) {
        HttpHeaders h = request.headers().asHttpHeaders();
        return h.getContentLength() > 0 || h.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    private Map<String, String> readJsonParameters(byte[] bytes, Map<String, String> query) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        }
        catch (JacksonException e) {
            throw new RequestException(400, "invalid-body", "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            return query;
        }
        if (!root.isObject()) {
            throw new RequestException(400, "invalid-body", "the JSON body must be an object of parameters");
        }
        Map<String, String> values = new LinkedHashMap<>(query);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (values.containsKey(name)) {
                throw new InvalidParameterException(name, "repeated", "parameter '" + name
                        + "' is given both in the query and in the body");
            }
            if (v.isString() || v.isIntegralNumber() || v.isBoolean()) {
                values.put(name, QueryString.wellFormed(name, v.asString()));
            }
            else {
                throw new InvalidParameterException(name, "type", "parameter '" + name
                        + "' must be a JSON string, integer or boolean");
            }
        }
        return values;
    }

    /**
     * The request body as stdin: each buffer copied out and released at once, so nothing is retained while the
     * engine's pump asks for one buffer at a time (the backpressure reaches the client's TCP window).
     */
    private static Flux<ByteBuffer> stdin(ServerRequest request, long limit) {
        return Flux.defer(() -> {
            long[] seen = {0}; // one subscription's count; signals are serial
            return request.body(BodyExtractors.toDataBuffers())
                    .map(buffer -> ByteBuffer.wrap(DataBuffers.bytesAndRelease(buffer)))
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .handle((bytes, sink) -> {
                        seen[0] += bytes.remaining();
                        if (seen[0] > limit) {
                            sink.error(RequestException.bodyTooLarge(limit));
                        }
                        else {
                            sink.next(bytes);
                        }
                    });
        });
    }

    // ---- GET /health, /metrics, /actions, /

    Mono<ServerResponse> health(ServerRequest request) {
        if (engine.isDisposed()) {
            // a closed engine refuses all work: load balancers must take this instance out of rotation
            return json(503, Map.of("status", "DOWN"));
        }
        EngineMetrics m = engine.metrics();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("alive", m.alive());
        body.put("acquired", m.acquired());
        body.put("pending", m.pending());
        body.put("maxConcurrency", m.maxConcurrency());
        return json(200, body);
    }

    Mono<ServerResponse> metrics(ServerRequest request) {
        EngineMetrics m = engine.metrics();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alive", m.alive());
        body.put("acquired", m.acquired());
        body.put("pending", m.pending());
        body.put("maxConcurrency", m.maxConcurrency());
        body.put("maxPending", engine.options().maxPendingAcquire());
        body.put("started", m.started());
        body.put("succeeded", m.succeeded());
        body.put("failed", m.failed());
        body.put("timedOut", m.timedOut());
        body.put("cancelled", m.cancelled());
        body.put("startFailures", m.startFailures());
        body.put("rejected", m.rejected());
        body.put("bufferedBytes", m.bufferedBytes());
        body.put("peakBufferedBytes", m.peakBufferedBytes());
        body.put("pauses", m.pauses());
        body.put("budgetPauses", m.budgetPauses());
        body.put("httpBufferedBytes", sendWindow.bufferedBytes());
        if (!workers.isEmpty()) {
            Map<String, Object> pools = new LinkedHashMap<>();
            workers.forEach((name, route) -> {
                dev.procflux.WorkerPoolMetrics w = route.metrics();
                Map<String, Object> pool = new LinkedHashMap<>();
                pool.put("alive", w.alive());
                pool.put("idle", w.idle());
                pool.put("acquired", w.acquired());
                pool.put("pending", w.pending());
                pool.put("maxSize", w.maxSize());
                pool.put("succeeded", w.succeeded());
                pool.put("failed", w.failed());
                pool.put("started", w.started());
                pool.put("startFailures", w.startFailures());
                Map<String, Object> restarts = new LinkedHashMap<>();
                w.restarts().forEach((cause, n) -> restarts.put(cause.name().toLowerCase(java.util.Locale.ROOT), n));
                pool.put("restarts", restarts);
                pools.put(name, pool);
            });
            body.put("workers", pools);
        }
        return json(200, body);
    }

    Mono<ServerResponse> list(ServerRequest request) {
        List<Object> actions = new ArrayList<>();
        for (Action a : registry.actions()) {
            Map<String, Object> action = new LinkedHashMap<>();
            action.put("name", a.name());
            action.put("description", a.description());
            action.put("stdin", a.stdinFromBody());
            action.put("format", a.streamFormat().mediaType());
            action.put("timeoutMs", a.timeout().toMillis());
            action.put("command", a.template());
            List<Object> params = new ArrayList<>();
            for (Parameter p : a.parameters().values()) {
                Map<String, @Nullable Object> param = new LinkedHashMap<>();
                param.put("name", p.name());
                param.put("type", p.type().name().toLowerCase(java.util.Locale.ROOT));
                param.put("rule", p.ruleDescription());
                param.put("default", p.defaultValue().orElse(null));
                param.put("description", p.description());
                if (p.type() == Parameter.Type.ENUM) {
                    param.put("values", p.values());
                }
                params.add(param);
            }
            action.put("parameters", params);
            actions.add(action);
        }
        return json(200, Map.of("actions", actions));
    }

    Mono<ServerResponse> page(ServerRequest request) {
        String path = request.requestPath().value();
        byte[] body = page;
        if (!path.endsWith("/")) {
            // served at a prefix without its trailing slash: the page's relative URLs must resolve under the prefix
            String last = path.substring(path.lastIndexOf('/') + 1);
            body = new String(page, StandardCharsets.UTF_8).replace("<head>", "<head>\n<base href=\""
                    + htmlAttribute(last) + "/\">").getBytes(StandardCharsets.UTF_8);
        }
        return ServerResponse.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                        + "frame-ancestors 'none'; base-uri 'self'; form-action 'none'")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .bodyValue(body);
    }

    private static String htmlAttribute(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    Mono<ServerResponse> script(ServerRequest request) {
        return ServerResponse.ok()
                .contentType(MediaType.parseMediaType("text/javascript;charset=UTF-8"))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .bodyValue(script);
    }

    // ---- errors

    /** An HTTP status, an error keyword and a message for a failure. */
    private static final class Failure {
        final int status;
        final String error;
        final String message;

        Failure(int status, String error, String message) {
            this.status = status;
            this.error = error;
            this.message = message;
        }
    }

    private static Failure classify(Throwable e) {
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

    Mono<ServerResponse> failure(Throwable e) {
        return failure(e, null);
    }

    /**
     * The error answer, after reading and dropping up to {@value #MAX_DRAINED_BYTES} bytes of a body that nothing
     * read: a connection closed with unread bytes in its receive buffer is reset, and the reset can overtake the
     * answer before the client reads it.
     */
    Mono<ServerResponse> refuse(ServerRequest request, Throwable e) {
        if (!(e instanceof RequestException r && r.isBeforeBody()) || !hasBody(request)
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
    private Mono<ServerResponse> failure(Throwable e, @Nullable String pool) {
        Failure f = classify(e);
        if (f.status == 500) {
            // the client gets the message; the operator needs the stack trace
            log.warn((pool == null ? "action" : "worker pool '" + pool + "' request") + " failed: " + f.message, e);
        }
        Map<String, @Nullable Object> body = new LinkedHashMap<>();
        body.put("status", f.status);
        body.put("error", f.error);
        // the pool's own messages name its command; the client knows the pool by its name
        body.put("message", pool == null || e instanceof RequestException ? f.message
                : "worker pool '" + pool + "': " + f.message);
        if (pool != null) {
            body.put("pool", pool);
        }
        if (e instanceof InvalidParameterException p) {
            body.put("parameter", p.parameter());
            body.put("rule", p.rule());
        }
        ServerResponse.BodyBuilder response = ServerResponse.status(f.status).contentType(MediaType.APPLICATION_JSON);
        if (f.status == 503) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        }
        if (f.status == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return response.bodyValue(json.writeValueAsBytes(body));
    }

    private Mono<ServerResponse> json(int status, Object body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.writeValueAsBytes(body));
    }

    private static @Nullable Integer signal(ExitStatus status) {
        return status.isSignaled() ? status.signal().getAsInt() : null;
    }
}
