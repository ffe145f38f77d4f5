package dev.procflux.cli;

import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerProtocol;
import dev.procflux.web.ActionRoutes;
import dev.procflux.web.ActionServer;
import dev.procflux.web.ActionsFile;
import dev.procflux.web.WorkerCodec;
import dev.procflux.web.WorkerPoolSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code procflux serve}: the actions of a YAML file over HTTP, on Reactor Netty, until interrupted.
 *
 * <p>Binds loopback by default. Binding any other address requires a bearer token, from {@code --token-file} or
 * the {@code PROCFLUX_TOKEN} environment variable: the actions would otherwise be open to the network.
 */
final class Serve {
    /** The environment variable holding the bearer token. */
    static final String TOKEN_VARIABLE = "PROCFLUX_TOKEN";
    /** {@code maxPendingAcquire} of the engine when the file's {@code engine:} section does not set it. */
    static final int DEFAULT_MAX_PENDING_ACQUIRE = 64;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);

    // JUL holds its loggers weakly: this reference keeps the access log's level and handler for the JVM's life
    private static java.util.logging.@Nullable Logger accessLogger;

    /**
     * The command line turns JUL off (its messages are its own one-line reports); the access log the operator asked
     * for is the exception: Reactor Netty's {@code reactor.netty.http.server.AccessLog} logger, one line per
     * request, to {@code out}.
     */
    private static synchronized void printAccessLog(PrintStream out) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("reactor.netty.http.server.AccessLog");
        java.util.logging.StreamHandler handler = new java.util.logging.StreamHandler(out,
                new java.util.logging.Formatter() {
                    @Override
                    public String format(java.util.logging.LogRecord record) {
                        return formatMessage(record) + System.lineSeparator();
                    }
                }) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(java.util.logging.Level.INFO);
        logger.setUseParentHandlers(false);
        logger.setLevel(java.util.logging.Level.INFO);
        for (java.util.logging.Handler old : logger.getHandlers()) {
            logger.removeHandler(old);
        }
        logger.addHandler(handler);
        accessLogger = logger;
    }

    Serve(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Stops a running {@link #execute(List)}; safe from any thread, before or during it. */
    void interrupt() {
        stop.countDown();
    }

    /**
     * @param args the arguments after {@code serve}
     * @return the exit status: 0 once stopped by {@link #interrupt()}, 2 for a usage or configuration error, 1 when
     *         the address cannot be bound
     */
    int execute(List<String> args) {
        ServeOptions options;
        ActionsFile file;
        String token;
        try {
            options = ServeOptions.parse(args);
            if (options.help) {
                out.print(Help.SERVE);
                return ExitCode.SUCCESS;
            }
            token = token(options);
            if (token == null && !isLoopback(options.host)) {
                throw new UsageException("binding " + options.host + " (not a loopback address) requires a bearer "
                        + "token: --token-file FILE or the " + TOKEN_VARIABLE + " environment variable");
            }
            Path config = options.config;
            try {
                file = ActionsFile.read(config);
            }
            catch (IOException e) {
                throw new UsageException("cannot read " + config + ": " + e.getMessage(), e);
            }
            catch (IllegalArgumentException e) {
                throw new UsageException(config + ": " + e.getMessage(), e);
            }
        }
        catch (UsageException e) {
            Diagnostics.print(err, "procflux serve", e.getMessage());
            err.println("Try 'procflux serve --help'.");
            return ExitCode.USAGE;
        }
        try (ProcessEngine engine = engine(file).build()) {
            ActionRoutes.Builder routes = ActionRoutes.builder(engine, file.registry());
            if (token != null) {
                routes.bearerToken(token);
            }
            List<String> hosts = new ArrayList<>(options.allowedHosts);
            if (!isIpLiteral(options.host)) {
                hosts.add(options.host);
            }
            try {
                routes.allowedHosts(hosts).allowedOrigins(options.allowedOrigins);
            }
            catch (IllegalArgumentException e) {
                Diagnostics.print(err, "procflux serve", e.getMessage());
                err.println("Try 'procflux serve --help'.");
                return ExitCode.USAGE;
            }
            List<WorkerPool<?, ?>> pools = startWorkerPools(file.workerPools(), engine, routes);
            if (options.accessLog) {
                printAccessLog(out);
            }
            try {
                ActionServer server;
                try {
                    server = ActionServer.builder(routes.build()).host(options.host).port(options.port)
                            .maxConnections(options.maxConnections).requestReadTimeout(options.requestReadTimeout)
                            .idleTimeout(options.idleTimeout).sendBufferBytes(options.sendBufferBytes)
                            .accessLog(options.accessLog).start();
                }
                catch (RuntimeException e) {
                    Diagnostics.print(err, "procflux serve", "cannot listen on " + options.host + ":"
                            + options.port + ": " + e.getMessage());
                    return ExitCode.CANNOT_LISTEN;
                }
                try {
                    List<String> poolNames = file.workerPools().stream().map(WorkerPoolSpec::name).toList();
                    out.println("procflux serve: " + file.registry().actions().size() + " actions on " + server.url()
                            + (poolNames.isEmpty() ? "" : " with worker pools " + poolNames)
                            + (token != null ? " (bearer token required)" : ""));
                    out.flush();
                    stop.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finally {
                    stop(server, engine, options);
                }
            }
            finally {
                // before the engine: closing the engine does not close its pools
                pools.forEach(WorkerPool::close);
            }
        }
        out.println("procflux serve: stopped");
        return ExitCode.SUCCESS;
    }

    /**
     * Stops accepting connections, gives running requests up to the drain timeout, then closes the rest (which
     * kills their process trees) and says so.
     */
    private void stop(ActionServer server, ProcessEngine engine, ServeOptions options) {
        boolean drained = server.drain(options.drainTimeout);
        int running = drained ? 0 : engine.metrics().alive();
        server.close();
        if (!drained) {
            Diagnostics.print(err, "procflux serve", (running > 0 ? "killed " + running + " running action"
                    + (running == 1 ? "" : "s") : "closed connections with requests in progress")
                    + " after the drain period of " + DurationArgument.format(options.drainTimeout));
            err.flush();
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    private @Nullable String token(ServeOptions options) {
        String token;
        if (options.tokenFile != null) {
            try {
                token = Files.readString(options.tokenFile, StandardCharsets.UTF_8).strip();
            }
            catch (IOException e) {
                throw new UsageException("cannot read the token file " + options.tokenFile + ": " + e.getMessage(), e);
            }
        }
        else {
            token = env.get(TOKEN_VARIABLE);
            if (token == null) {
                return null;
            }
            token = token.strip();
        }
        if (token.length() < 16) {
            throw new UsageException("the bearer token must have at least 16 characters, had " + token.length());
        }
        return token;
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        }
        catch (UnknownHostException e) {
            throw new UsageException("unknown host '" + host + "'", e);
        }
    }

    /** The engine the file's {@code engine:} section describes, with serve's own defaults where it is silent. */
    static ProcessEngine.Builder engine(ActionsFile file) {
        // serve stops the engine itself, after the server has drained: the engine's own shutdown hook would kill
        // running actions at SIGTERM while the server still waits for them
        ProcessEngine.Builder b = file.engine().closeOnShutdown(false);
        if (!file.engineKeys().contains("maxPendingAcquire")) {
            b.maxPendingAcquire(DEFAULT_MAX_PENDING_ACQUIRE);
        }
        return b;
    }

    /**
     * Builds every pool of the file's {@code workers:} section on {@code engine} and registers it with
     * {@code routes}; a pool that cannot be built closes the ones built before it.
     *
     * @return the pools, for the caller to close before the engine
     */
    private static List<WorkerPool<?, ?>> startWorkerPools(List<WorkerPoolSpec> specs, ProcessEngine engine,
            ActionRoutes.Builder routes) {
        List<WorkerPool<?, ?>> pools = new ArrayList<>();
        try {
            for (WorkerPoolSpec spec : specs) {
                WorkerPool.Builder<String, String> b = spec.options().toBuilder();
                if (spec.framing() == WorkerPoolSpec.Framing.LENGTH_PREFIXED) {
                    WorkerPool<byte[], byte[]> pool = b.protocol(WorkerProtocol.lengthPrefixed()).build(engine);
                    pools.add(pool);
                    routes.workerPool(spec.name(), pool, WorkerCodec.bytes());
                }
                else {
                    WorkerPool<String, String> pool = b.build(engine);
                    pools.add(pool);
                    routes.workerPool(spec.name(), pool, WorkerCodec.text());
                }
            }
        }
        catch (RuntimeException e) {
            pools.forEach(WorkerPool::close);
            throw e;
        }
        return pools;
    }
}
