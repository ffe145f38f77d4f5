package dev.procflux.web;

import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.scheduler.Schedulers;

/**
 * Builds the HTTP routes of an {@link ActionRegistry} on a {@link ProcessEngine}, as a Spring WebFlux
 * {@link RouterFunction}:
 *
 * <table>
 * <caption>Routes</caption>
 * <tr><th>route</th><th>answer</th></tr>
 * <tr><td>{@code POST /actions/{name}}</td><td>runs to completion: JSON {@code {exitCode, signal, stdout, stderr,
 * durationMs, truncated}}; a non-zero exit is a normal 200</td></tr>
 * <tr><td>{@code POST /actions/{name}/stream}</td><td>live output as {@code text/event-stream},
 * {@code application/x-ndjson} or {@code application/octet-stream} (see {@link StreamFormat}); {@code GET} too, with
 * an {@code Authorization} header or from the server's own page ({@code Sec-Fetch-Site: same-origin})</td></tr>
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
 * or wrong token 401; a request from another site's page 403 ({@code Origin}, {@code Sec-Fetch-Site}); a body the
 * action does not take 415; a {@code Host} the routes do not answer for 421 (see {@link Builder#allowedHosts} and
 * {@link Builder#allowedOrigins}: the defences against cross-site request forgery and DNS rebinding). A stream's
 * response starts only once its process runs, so these reach a stream's client as a
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
     * @param engine runs the actions; its {@code maxConcurrency} and {@code maxPendingAcquire} bound the server's
     *     load
     * @param registry the actions clients may run
     * @return a builder
     */
    public static Builder builder(ProcessEngine engine, ActionRegistry registry) {
        return new Builder(engine, registry);
    }

    /** Configures the routes. Not thread-safe: configure on one thread, then call {@link #build()}. */
    public static final class Builder {
        private static final Pattern WORKER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

        private final ProcessEngine engine;
        private final ActionRegistry registry;
        private @Nullable BearerToken bearerToken;
        private AllowedHosts allowedHosts = AllowedHosts.of(List.of());
        private CrossSiteGuard crossSiteGuard = CrossSiteGuard.of(List.of());
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
         * {@code GET /health}, under whatever prefix the routes are nested in; otherwise 401. The scheme name is
         * matched without regard to case; the comparison takes the same time wherever the tokens differ.
         * Default: no token.
         *
         * @param token the token, at least 16 characters, no whitespace
         * @return this builder
         * @throws IllegalArgumentException if the token is shorter than 16 characters or contains whitespace
         */
        public Builder bearerToken(String token) {
            this.bearerToken = new BearerToken(token);
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

        /**
         * The host names the routes answer besides {@code localhost} and IP literals, the defence against DNS
         * rebinding: a request whose {@code Host} header names another host gets 421 (Misdirected Request).
         * {@code "*"} accepts every host, for an application that checks hosts itself or sits behind a front end
         * that does. Default: none, so only {@code localhost} and IP literals.
         *
         * @param value host names without port ({@code procflux.example.com}), or {@code "*"}
         * @return this builder
         * @throws IllegalArgumentException if a value is neither a host name nor {@code "*"}
         */
        public Builder allowedHosts(Collection<String> value) {
            this.allowedHosts = AllowedHosts.of(value);
            return this;
        }

        /**
         * Origins whose pages may run actions besides the server's own, for a deployment whose page is served by
         * a known front end; the defence against cross-site request forgery refuses every other foreign origin
         * with 403 (see the class Javadoc). {@code "*"} turns that defence off, for an application whose own
         * security handles it. Default: none, only the server's own origin.
         *
         * @param value origins as {@code scheme://host[:port]}, or {@code "*"}
         * @return this builder
         * @throws IllegalArgumentException if a value is neither an origin nor {@code "*"}
         */
        public Builder allowedOrigins(Collection<String> value) {
            this.crossSiteGuard = CrossSiteGuard.of(value);
            return this;
        }

        /** @return the routes; register them as a bean, or serve them with {@link ActionServer} */
        public RouterFunction<ServerResponse> build() {
            Map<String, WorkerRoute<?, ?>> pools = Map.copyOf(workers);
            ErrorResponses errors = new ErrorResponses(retryAfter);
            SendWindow window = new SendWindow(SendWindow.DEFAULT_WINDOW_BYTES);
            ActionHandler handler = new ActionHandler(engine, pools,
                    new RequestParser(registry, maxParameterBodyBytes, maxWorkerBodyBytes, crossSiteGuard),
                    new StreamEncoder(heartbeatInterval, errors, window), errors);
            StatusHandlers status = new StatusHandlers(engine, registry, pools, window);
            PageHandlers pages = new PageHandlers(resource("index.html"), resource("procflux.js"));
            // routed separately from the guarded ones, so that they stay open under any prefix the application
            // nests the routes in: the page and its script hold no data, health is for probes
            RouterFunction<ServerResponse> open = RouterFunctions.route()
                    .GET("", pages::page)
                    .GET("/", pages::page)
                    .GET("/procflux.js", pages::script)
                    .GET("/health", status::health)
                    .build();
            RouterFunction<ServerResponse> guarded = RouterFunctions.route()
                    .GET("/metrics", status::metrics)
                    .GET("/actions", status::list)
                    .POST("/actions/{name}", handler::run)
                    .GET("/actions/{name}/stream", handler::stream)
                    .POST("/actions/{name}/stream", handler::stream)
                    .POST("/workers/{pool}", handler::worker)
                    .build();
            BearerToken token = bearerToken;
            if (token != null) {
                guarded = guarded.filter((request, next) -> {
                    if (token.matches(request.headers().firstHeader(HttpHeaders.AUTHORIZATION))) {
                        return next.handle(request);
                    }
                    return errors.refuse(request, RequestException.beforeBody(401, "unauthorized",
                            "this server requires 'Authorization: Bearer <token>'"));
                });
            }
            AllowedHosts hosts = allowedHosts;
            CrossSiteGuard guard = crossSiteGuard;
            RouterFunction<ServerResponse> routes = open.and(guarded).filter((request, next) -> {
                HttpHeaders response = request.exchange().getResponse().getHeaders();
                response.set("X-Content-Type-Options", "nosniff");
                String host = request.headers().firstHeader(HttpHeaders.HOST);
                if (!hosts.permits(host)) {
                    return errors.refuse(request, RequestException.beforeBody(421, "unknown-host", "this server does not answer "
                            + "for host '" + shorten(String.valueOf(host)) + "'; allowed: " + hosts));
                }
                HttpMethod method = request.method();
                if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
                    String refused = guard.refuseStateChange(host, request.headers().firstHeader(HttpHeaders.ORIGIN),
                            request.headers().firstHeader("Sec-Fetch-Site"));
                    if (refused != null) {
                        return errors.refuse(request, RequestException.beforeBody(403, "cross-site", refused));
                    }
                }
                return next.handle(request);
            });
            // Every answer is written after the handler returns, never within it: reactor-netty 1.3.6 (Spring Boot
            // 4.0.7's) and 1.3.7 stop reading a keep-alive connection when a request that arrived before the
            // previous one ended is answered at once (a refusal, the page), so the connection's next request would
            // wait forever; 1.3.8 reads on (https://github.com/reactor/reactor-netty/issues/4361)
            return routes.filter((request, next) -> next.handle(request).publishOn(Schedulers.parallel()));
        }

        private static String shorten(String s) {
            return s.length() > 100 ? s.substring(0, 100) + "..." : s;
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
