package dev.procflux.web;

import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Builds the HTTP routes of an {@link ActionRegistry} on a {@link ProcessEngine}, as a Spring WebFlux
 * {@link RouterFunction}:
 *
 * <table>
 * <caption>Routes</caption>
 * <tr><th>route</th><th>answer</th></tr>
 * <tr><td>{@code POST /actions/{name}}</td><td>runs to completion: JSON {@code {exitCode, signal, stdout, stderr,
 * durationMs, truncated}}; a non-zero exit is a normal 200</td></tr>
 * <tr><td>{@code GET|POST /actions/{name}/stream}</td><td>live output as {@code text/event-stream},
 * {@code application/x-ndjson} or {@code application/octet-stream} (see {@link StreamFormat})</td></tr>
 * <tr><td>{@code GET /actions}</td><td>the actions and their parameters, as JSON</td></tr>
 * <tr><td>{@code POST /workers/{pool}}</td><td>one request to a {@link WorkerPool} registered with
 * {@link Builder#workerPool}; the reply as JSON {@code {"reply": ...}} or raw bytes (see {@link WorkerCodec})</td></tr>
 * <tr><td>{@code GET /health}, {@code GET /metrics}</td><td>JSON: status; the engine's figures</td></tr>
 * <tr><td>{@code GET /}</td><td>an HTML page to run an action and watch its output</td></tr>
 * </table>
 *
 * <p>Parameters come from the query string; for an action that does not take its stdin from the body, also from
 * a JSON object body ({@code Content-Type: application/json}). Errors are JSON {@code {status, error, message}}:
 * unknown action 404; invalid parameter 400 (with {@code parameter} and {@code rule}); engine overloaded or closed
 * 503 with {@code Retry-After}; program that cannot start 500; timeout 504; request body over the limit 413; missing
 * or wrong token 401. A stream's response starts only once its process runs, so these reach a stream's client as a
 * status too; a failure after the start ends the stream instead (see {@link StreamFormat}). Worker pools:
 * unknown pool 404; pool overloaded or closed 503 with {@code Retry-After}; request timeout 504; worker crashed or
 * broke its protocol 502; their errors add {@code pool}, the pool's name.
 *
 * <pre>{@code
 * RouterFunction<ServerResponse> routes = ActionRoutes.builder(engine, registry).build();
 * }</pre>
 */
public final class ActionRoutes {
    private ActionRoutes() {
    }

    /**
     * Starts a builder.
     *
     * @param engine runs the actions; its {@code maxConcurrency} and {@code maxPending} bound the server's load
     * @param registry the actions clients may run
     * @return a builder
     */
    public static Builder builder(ProcessEngine engine, ActionRegistry registry) {
        return new Builder(engine, registry);
    }

    /** Configures the routes. Not thread-safe: configure on one thread, then call {@link #build()}. */
    public static final class Builder {
        /** Requests that never need the token: the page and its script hold no data, health is for probes. */
        private static final Set<String> PUBLIC_PATHS = Set.of("/", "/procflux.js", "/health");
        private static final Pattern WORKER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

        private final ProcessEngine engine;
        private final ActionRegistry registry;
        private @Nullable String bearerToken;
        private Duration retryAfter = Duration.ofSeconds(1);
        private int maxParameterBodyBytes = 64 * 1024;
        private int maxWorkerBodyBytes = 1024 * 1024;
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private final Map<String, WorkerRoute<?, ?>> workers = new LinkedHashMap<>();

        private Builder(ProcessEngine engine, ActionRegistry registry) {
            this.engine = Objects.requireNonNull(engine, "engine");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * Requires {@code Authorization: Bearer TOKEN} on every route except {@code GET /}, its script and
         * {@code GET /health}; otherwise 401. The comparison takes the same time wherever the tokens differ.
         * Default: no token.
         *
         * @param token the token, at least 16 characters
         * @return this builder
         * @throws IllegalArgumentException if the token is shorter than 16 characters
         */
        public Builder bearerToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() < 16) {
                throw new IllegalArgumentException("bearer token must have at least 16 characters, had "
                        + token.length());
            }
            this.bearerToken = token;
            return this;
        }

        /**
         * The {@code Retry-After} of a 503 answer. Default 1 second.
         *
         * @param value at least 1 second
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1 second
         */
        public Builder retryAfter(Duration value) {
            Objects.requireNonNull(value, "value");
            if (value.toSeconds() < 1) {
                throw new IllegalArgumentException("retryAfter must be >= 1s, was " + value);
            }
            this.retryAfter = value;
            return this;
        }

        /**
         * The largest JSON body of parameters; a larger one is refused with 413. Default 64 KiB.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxParameterBodyBytes(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxParameterBodyBytes must be >= 1, was " + value);
            }
            this.maxParameterBodyBytes = value;
            return this;
        }

        /**
         * Serves {@code pool} at {@code POST /workers/{name}}: each request becomes one {@link WorkerPool#call},
         * its body decoded and the reply encoded by {@code codec}. The routes do not close the pool: its owner
         * closes it (before the engine) once the routes are no longer served.
         *
         * <pre>{@code
         * WorkerPool<String, String> upper = WorkerPool.builder(Command.of("/usr/bin/python3", "-u", "upper.py"))
         *         .build(engine);
         * ActionRoutes.builder(engine, registry).workerPool("upper", upper, WorkerCodec.text()).build();
         * // curl -d hello http://127.0.0.1:8080/workers/upper   ->  {"reply":"HELLO"}
         * }</pre>
         *
         * @param name the pool's name in the path: letters, digits, {@code _}, {@code .} and {@code -}, at most 64
         * @param pool the pool
         * @param codec how bodies become requests and replies become responses
         * @param <I> the pool's request type
         * @param <O> the pool's reply type
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if the name is not valid or already registered
         */
        public <I, O> Builder workerPool(String name, WorkerPool<I, O> pool, WorkerCodec<I, O> codec) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(codec, "codec");
            if (!WORKER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("worker pool name must match " + WORKER_NAME.pattern()
                        + ", was '" + name + "'");
            }
            if (workers.containsKey(name)) {
                throw new IllegalArgumentException("worker pool '" + name + "' is already registered");
            }
            workers.put(name, new WorkerRoute<>(name, pool, codec));
            return this;
        }

        /**
         * The largest body of a {@code POST /workers/{pool}} request; a larger one is refused with 413. Default
         * 1 MiB.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxWorkerBodyBytes(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxWorkerBodyBytes must be >= 1, was " + value);
            }
            this.maxWorkerBodyBytes = value;
            return this;
        }

        /**
         * How often a {@code text/event-stream} response carries a comment line ({@code :}) while it lasts, so
         * that proxies and load balancers do not close a stream whose process is quiet. Clients ignore comments.
         * Default 15 seconds.
         *
         * @param value {@link Duration#ZERO} to send none, or at least 1 second
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative or between zero and 1 second
         */
        public Builder heartbeatInterval(Duration value) {
            Objects.requireNonNull(value, "value");
            if (value.isNegative() || (!value.isZero() && value.compareTo(Duration.ofSeconds(1)) < 0)) {
                throw new IllegalArgumentException("heartbeatInterval must be zero or >= 1s, was " + value);
            }
            this.heartbeatInterval = value;
            return this;
        }

        /** @return the routes; register them as a bean, or serve them with {@link ActionServer} */
        public RouterFunction<ServerResponse> build() {
            ActionHandler handler = new ActionHandler(engine, registry, retryAfter, maxParameterBodyBytes,
                    resource("index.html"), resource("procflux.js"), Map.copyOf(workers), maxWorkerBodyBytes,
                    heartbeatInterval);
            RouterFunction<ServerResponse> routes = RouterFunctions.route()
                    .GET("/", handler::page)
                    .GET("/procflux.js", handler::script)
                    .GET("/health", handler::health)
                    .GET("/metrics", handler::metrics)
                    .GET("/actions", handler::list)
                    .POST("/actions/{name}", handler::run)
                    .GET("/actions/{name}/stream", handler::stream)
                    .POST("/actions/{name}/stream", handler::stream)
                    .POST("/workers/{pool}", handler::worker)
                    .build();
            String token = bearerToken;
            if (token == null) {
                return routes;
            }
            byte[] expected = sha256("Bearer " + token);
            return routes.filter((request, next) -> {
                if (request.method() == HttpMethod.GET && PUBLIC_PATHS.contains(request.path())) {
                    return next.handle(request);
                }
                String given = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
                // hashing first makes the comparison independent of the lengths as well as of the contents
                if (given != null && MessageDigest.isEqual(expected, sha256(given))) {
                    return next.handle(request);
                }
                return handler.failure(new RequestException(401, "unauthorized",
                        "this server requires 'Authorization: Bearer <token>'"));
            });
        }

        private static byte[] sha256(String s) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        private static byte[] resource(String name) {
            try (InputStream in = ActionRoutes.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource dev/procflux/web/" + name);
                }
                return in.readAllBytes();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
