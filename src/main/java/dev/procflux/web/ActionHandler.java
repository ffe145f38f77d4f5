package dev.procflux.web;

import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The routes that run something: {@code POST /actions/{name}}, {@code /actions/{name}/stream} and
 * {@code POST /workers/{pool}}. Parsing, encoding and error answers are delegated. Thread-safe: stateless apart
 * from its immutable configuration.
 */
final class ActionHandler {
    /** Emitted by a stream's run ahead of its output once the process is running: the response can start. */
    private static final Object STARTED = new Object();

    private final ProcessEngine engine;
    private final Map<String, WorkerRoute<?, ?>> workers;
    private final RequestParser requests;
    private final StreamEncoder streams;
    private final ErrorResponses errors;

    ActionHandler(ProcessEngine engine, Map<String, WorkerRoute<?, ?>> workers, RequestParser requests,
            StreamEncoder streams, ErrorResponses errors) {
        this.engine = engine;
        this.workers = workers;
        this.requests = requests;
        this.streams = streams;
        this.errors = errors;
    }

    // ---- POST /actions/{name}

    Mono<ServerResponse> run(ServerRequest request) {
        return Mono.defer(() -> {
            Action action = requests.action(request);
            return requests.command(request, action)
                    .flatMap(engine::execute)
                    .flatMap(result -> JsonResponses.json(200, resultJson(result)));
        }).onErrorResume(e -> errors.refuse(request, e));
    }

    private static Map<String, @Nullable Object> resultJson(ProcessResult result) {
        Map<String, @Nullable Object> body = new LinkedHashMap<>();
        body.put("exitCode", result.exitCode());
        body.put("signal", JsonResponses.signal(result.exitStatus()));
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
            return errors.failure(RequestException.unknownWorkerPool(name));
        }
        MediaType type = request.headers().contentType().orElse(null);
        boolean jsonBody = !route.isBinary() && type != null && type.isCompatibleWith(MediaType.APPLICATION_JSON);
        return requests.workerBody(request)
                .flatMap(body -> route.call(body, jsonBody ? RequestParser.workerJsonRequest(body) : null))
                .flatMap(reply -> reply instanceof byte[] bytes
                        ? ServerResponse.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes)
                        : JsonResponses.json(200, Map.of("reply", reply)))
                .onErrorResume(e -> errors.failure(e, name));
    }

    // ---- GET|POST /actions/{name}/stream

    Mono<ServerResponse> stream(ServerRequest request) {
        return Mono.defer(() -> {
            requests.checkRunningGet(request);
            Action action = requests.action(request);
            StreamFormat format = RequestParser.format(request, action);
            return requests.command(request, action).<ServerResponse>map(command -> {
                Flux<Object> run = Flux.defer(() -> {
                    Sinks.One<Object> started = Sinks.one();
                    // the only emission, on the delivery thread; it fails only once the merge is cancelled, when
                    // nobody wants the signal any more
                    Flux<ProcessOutput> outputs = engine.stream(command, pid -> started.tryEmitValue(STARTED));
                    // prefetch 1: the merge holds at most one chunk, the engine keeps its own backpressure
                    return Flux.merge(1, started.asMono(), outputs);
                });
                // Overload, a closed engine, an acquire timeout and a program that cannot start must become a
                // status, so the status is decided only once the process runs: the engine calls back before any
                // output, so the first signal is STARTED or an error from before the start. The run lives as long
                // as the response's write (StreamResponse): a client that goes away before the start leaves the
                // queue or gives its slot back without running the program, one that goes away later kills the
                // tree.
                return new StreamResponse<>(run, (first, all, owner) -> {
                    if (first.isOnError()) {
                        return errors.refuse(request, first.getThrowable());
                    }
                    Flux<ProcessOutput> outputs = all.filter(o -> o != STARTED).cast(ProcessOutput.class);
                    return streams.respond(format, action.maxOutputBytes(), command.commandLine(), outputs, owner)
                            .onErrorResume(e -> errors.refuse(request, e));
                });
            });
        }).onErrorResume(e -> errors.refuse(request, e));
    }
}
