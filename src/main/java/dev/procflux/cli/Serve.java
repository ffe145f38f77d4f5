package dev.procflux.cli;

import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.web.ActionRegistry;
import dev.procflux.web.ActionRoutes;
import dev.procflux.web.ActionServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * {@code procflux serve}: the actions of a YAML file over HTTP, on Reactor Netty, until interrupted.
 *
 * <p>Binds loopback by default. Binding any other address requires a bearer token, from {@code --token-file} or
 * the {@code PROCFLUX_TOKEN} environment variable: the actions would otherwise be open to the network.
 */
final class Serve {
    /** The environment variable holding the bearer token. */
    static final String TOKEN_VARIABLE = "PROCFLUX_TOKEN";
    private static final Set<String> ENGINE_KEYS = Set.of("maxConcurrency", "maxPending", "killGracePeriod",
            "acquireTimeout");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);

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
        Options options;
        ActionRegistry registry;
        ProcessEngine.Builder engineBuilder;
        ServeWorkers workers;
        String token;
        try {
            options = Options.parse(args);
            if (options.help) {
                out.print(Help.SERVE);
                return 0;
            }
            token = token(options);
            if (token == null && !isLoopback(options.host)) {
                throw new UsageException("binding " + options.host + " (not a loopback address) requires a bearer "
                        + "token: --token-file FILE or the " + TOKEN_VARIABLE + " environment variable");
            }
            Path config = options.config;
            try {
                registry = ActionRegistry.fromYaml(config, "engine", "workers");
                String yaml = Files.readString(config, StandardCharsets.UTF_8);
                engineBuilder = engine(yaml);
                workers = ServeWorkers.parse(yaml);
            }
            catch (IOException e) {
                throw new UsageException("cannot read " + config + ": " + e.getMessage(), e);
            }
            catch (IllegalArgumentException e) {
                throw new UsageException(config + ": " + e.getMessage(), e);
            }
        }
        catch (UsageException e) {
            err.println("procflux serve: " + e.getMessage());
            err.println("Try 'procflux serve --help'.");
            return Main.EXIT_USAGE;
        }
        try (ProcessEngine engine = engineBuilder.build()) {
            ActionRoutes.Builder routes = ActionRoutes.builder(engine, registry);
            if (token != null) {
                routes.bearerToken(token);
            }
            List<WorkerPool<?, ?>> pools = workers.start(engine, routes);
            try {
                ActionServer server;
                try {
                    server = ActionServer.start(routes.build(), options.host, options.port);
                }
                catch (RuntimeException e) {
                    err.println("procflux serve: cannot listen on " + options.host + ":" + options.port + ": "
                            + e.getMessage());
                    return 1;
                }
                try {
                    out.println("procflux serve: " + registry.actions().size() + " actions on " + server.url()
                            + (workers.names().isEmpty() ? "" : " with worker pools " + workers.names())
                            + (token != null ? " (bearer token required)" : ""));
                    out.flush();
                    stop.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finally {
                    server.close();
                }
            }
            finally {
                // before the engine: closing the engine does not close its pools
                pools.forEach(WorkerPool::close);
            }
        }
        out.println("procflux serve: stopped");
        return 0;
    }

    private @Nullable String token(Options options) {
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

    /** The optional {@code engine:} section of the actions file. */
    static ProcessEngine.Builder engine(String yaml) {
        ProcessEngine.Builder b = ProcessEngine.builder().maxPendingAcquire(64);
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        }
        catch (YamlEngineException e) {
            throw new IllegalArgumentException("invalid YAML: " + e.getMessage(), e);
        }
        Object section = root instanceof Map ? ((Map<?, ?>) root).get("engine") : null;
        if (section == null) {
            return b;
        }
        if (!(section instanceof Map)) {
            throw new IllegalArgumentException("'engine' must be a mapping");
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) section).entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            switch (key) {
                case "maxConcurrency":
                    b.maxConcurrency(integer(key, v));
                    break;
                case "maxPending":
                    b.maxPendingAcquire(integer(key, v));
                    break;
                case "killGracePeriod":
                    b.killGracePeriod(DurationArgument.parse("engine.killGracePeriod", String.valueOf(v)));
                    break;
                case "acquireTimeout":
                    b.acquireTimeout(DurationArgument.parse("engine.acquireTimeout", String.valueOf(v)));
                    break;
                default:
                    throw new IllegalArgumentException("unknown engine key '" + key + "'; expected one of "
                            + ENGINE_KEYS.stream().sorted().toList());
            }
        }
        return b;
    }

    private static int integer(String key, @Nullable Object v) {
        if (v instanceof Integer) {
            return (Integer) v;
        }
        throw new IllegalArgumentException("engine." + key + " must be an integer, was '" + v + "'");
    }

    /** The parsed arguments. */
    static final class Options {
        Path config = Path.of("actions.yaml");
        boolean configGiven;
        String host = "127.0.0.1";
        int port = 8080;
        @Nullable Path tokenFile;
        boolean help;

        static Options parse(List<String> args) {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                switch (name) {
                    case "-h":
                    case "--help":
                        o.help = true;
                        break;
                    case "-c":
                    case "--config":
                        o.config = Path.of(value != null ? value : next(args, ++i, name));
                        o.configGiven = true;
                        break;
                    case "--host":
                        o.host = value != null ? value : next(args, ++i, name);
                        break;
                    case "-p":
                    case "--port":
                        String port = value != null ? value : next(args, ++i, name);
                        try {
                            o.port = Integer.parseInt(port);
                        }
                        catch (NumberFormatException e) {
                            throw new UsageException("--port must be a number in 0..65535, was '" + port + "'", e);
                        }
                        if (o.port < 0 || o.port > 65535) {
                            throw new UsageException("--port must be a number in 0..65535, was '" + port + "'");
                        }
                        break;
                    case "--token-file":
                        o.tokenFile = Path.of(value != null ? value : next(args, ++i, name));
                        break;
                    default:
                        throw new UsageException("unknown option '" + arg + "'");
                }
            }
            if (!o.configGiven && !o.help) {
                throw new UsageException("--config FILE is required (see docs/examples/actions.yaml)");
            }
            return o;
        }

        private static String next(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw new UsageException(option + " needs a value");
            }
            return args.get(i);
        }
    }
}
