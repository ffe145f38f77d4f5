package dev.procflux.web;

import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPoolMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /health}, {@code /metrics} and {@code /actions}: what the server is and how it is doing, as JSON.
 * Thread-safe: reads only immutable configuration and the engine's, pools' and send window's thread-safe metrics.
 */
final class StatusHandlers {
    private final ProcessEngine engine;
    private final ActionRegistry registry;
    private final Map<String, WorkerRoute<?, ?>> workers;
    private final SendWindow window;

    /** @param window the send window of the stream responses, whose held bytes {@code /metrics} reports */
    StatusHandlers(ProcessEngine engine, ActionRegistry registry, Map<String, WorkerRoute<?, ?>> workers,
            SendWindow window) {
        this.engine = engine;
        this.registry = registry;
        this.workers = workers;
        this.window = window;
    }

    Mono<ServerResponse> health(ServerRequest request) {
        if (engine.isDisposed()) {
            // a closed engine refuses all work: load balancers must take this instance out of rotation
            return JsonResponses.json(503, Map.of("status", "DOWN"));
        }
        EngineMetrics m = engine.metrics();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("alive", m.alive());
        body.put("acquired", m.acquired());
        body.put("pending", m.pending());
        body.put("maxConcurrency", m.maxConcurrency());
        return JsonResponses.json(200, body);
    }

    Mono<ServerResponse> metrics(ServerRequest request) {
        EngineMetrics m = engine.metrics();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alive", m.alive());
        body.put("acquired", m.acquired());
        body.put("pending", m.pending());
        body.put("maxConcurrency", m.maxConcurrency());
        body.put("maxPendingAcquire", engine.options().maxPendingAcquire());
        body.put("started", m.started());
        body.put("succeeded", m.succeeded());
        body.put("failed", m.failed());
        body.put("timedOut", m.timedOut());
        body.put("cancelled", m.cancelled());
        body.put("startFailures", m.startFailures());
        body.put("rejected", m.rejected());
        body.put("bufferedBytes", m.bufferedBytes());
        body.put("reservedBytes", m.reservedBytes());
        body.put("peakBufferedBytes", m.peakBufferedBytes());
        body.put("pauses", m.pauses());
        body.put("budgetPauses", m.budgetPauses());
        body.put("httpBufferedBytes", window.bufferedBytes());
        if (!workers.isEmpty()) {
            Map<String, Object> pools = new LinkedHashMap<>();
            workers.forEach((name, route) -> pools.put(name, poolMetrics(route.metrics())));
            body.put("workers", pools);
        }
        return JsonResponses.json(200, body);
    }

    private static Map<String, Object> poolMetrics(WorkerPoolMetrics w) {
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
        w.restarts().forEach((cause, n) -> restarts.put(cause.name().toLowerCase(Locale.ROOT), n));
        pool.put("restarts", restarts);
        return pool;
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
                params.add(parameter(p));
            }
            action.put("parameters", params);
            actions.add(action);
        }
        return JsonResponses.json(200, Map.of("actions", actions));
    }

    private static Map<String, @Nullable Object> parameter(Parameter p) {
        Map<String, @Nullable Object> param = new LinkedHashMap<>();
        param.put("name", p.name());
        param.put("type", p instanceof PatternParameter ? "pattern" : p instanceof EnumParameter ? "enum"
                : p instanceof IntegerParameter ? "integer" : "path");
        param.put("rule", p.ruleDescription());
        param.put("default", p.defaultValue().orElse(null));
        param.put("description", p.description());
        if (p instanceof EnumParameter e) {
            param.put("values", e.values());
        }
        return param;
    }
}
