package dev.procflux.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The arguments of {@code procflux serve}, parsed; set once by {@link #parse(List)}, then only read. */
final class ServeOptions {
    Path config = Path.of("actions.yaml");
    boolean configGiven;
    String host = "127.0.0.1";
    int port = 8080;
    @Nullable Path tokenFile;
    boolean help;
    List<String> allowedHosts = new ArrayList<>();
    List<String> allowedOrigins = new ArrayList<>();
    int maxConnections = 1024;
    Duration requestReadTimeout = Duration.ofSeconds(10);
    Duration idleTimeout = Duration.ofSeconds(60);
    /** {@code SO_SNDBUF} of each connection; negative leaves it to the kernel. */
    int sendBufferBytes = 256 * 1024;
    Duration drainTimeout = Duration.ofSeconds(10);
    boolean accessLog;

    static ServeOptions parse(List<String> args) {
        ServeOptions o = new ServeOptions();
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
                case "--allowed-host":
                    o.allowedHosts.add(value != null ? value : next(args, ++i, name));
                    break;
                case "--allowed-origin":
                    o.allowedOrigins.add(value != null ? value : next(args, ++i, name));
                    break;
                case "--max-connections":
                    String max = value != null ? value : next(args, ++i, name);
                    try {
                        o.maxConnections = Integer.parseInt(max);
                    }
                    catch (NumberFormatException e) {
                        throw new UsageException("--max-connections must be a number >= 1, was '" + max + "'", e);
                    }
                    if (o.maxConnections < 1) {
                        throw new UsageException("--max-connections must be a number >= 1, was '" + max + "'");
                    }
                    break;
                case "--request-read-timeout":
                    o.requestReadTimeout = positive(name, value != null ? value : next(args, ++i, name));
                    break;
                case "--idle-timeout":
                    o.idleTimeout = positive(name, value != null ? value : next(args, ++i, name));
                    break;
                case "--send-buffer":
                    o.sendBufferBytes = sendBuffer(name, value != null ? value : next(args, ++i, name));
                    break;
                case "--drain-timeout":
                    o.drainTimeout = DurationArgument.parse(name, value != null ? value : next(args, ++i, name));
                    break;
                case "--access-log":
                    o.accessLog = true;
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

    private static Duration positive(String option, String value) {
        Duration d = DurationArgument.parse(option, value);
        if (d.isZero() || d.isNegative()) {
            throw new UsageException(option + " must be positive, was '" + value + "'");
        }
        return d;
    }

    /** A size of at least 4K, as {@link ParallelOptions#size} reads it, or {@code kernel} for the kernel's sizing. */
    private static int sendBuffer(String option, String value) {
        if (value.equals("kernel")) {
            return -1;
        }
        String rule = option + " must be a size from 4K to 2G (such as 256K or 1M) or 'kernel', was '" + value + "'";
        if (value.startsWith("-")) {
            throw new UsageException(rule);
        }
        long bytes;
        try {
            bytes = ParallelOptions.size(option, value);
        }
        catch (UsageException e) {
            throw new UsageException(rule, e);
        }
        if (bytes < 4096 || bytes > Integer.MAX_VALUE) {
            throw new UsageException(rule);
        }
        return (int) bytes;
    }

    private static String next(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }
}
