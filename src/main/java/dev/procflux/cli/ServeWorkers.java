package dev.procflux.cli;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerProtocol;
import dev.procflux.web.Action;
import dev.procflux.web.ActionRoutes;
import dev.procflux.web.WorkerCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The optional {@code workers:} section of an actions file: worker pools served at {@code POST /workers/{name}}.
 *
 * <pre>{@code
 * workers:
 *   upper:
 *     command: [/usr/bin/python3, -u, upper.py]
 *     protocol: lines          # or lengthPrefixed (raw bytes in and out)
 *     size: {min: 1, max: 2}
 *     requestTimeout: 5s
 *     maxPendingAcquire: 64
 * }</pre>
 *
 * <p>Immutable once parsed; {@link #start} builds the pools.
 */
final class ServeWorkers {
    private static final Set<String> KEYS =
            Set.of("command", "protocol", "size", "requestTimeout", "maxPendingAcquire");
    private static final Set<String> SIZE_KEYS = Set.of("min", "max");

    /** One pool's settings, checked when parsed. */
    private record Spec(String name, boolean binary, WorkerPool.Builder<String, String> builder) {
    }

    private final List<Spec> specs;

    private ServeWorkers(List<Spec> specs) {
        this.specs = specs;
    }

    /** @return the names of the pools, in file order */
    List<String> names() {
        return specs.stream().map(Spec::name).toList();
    }

    /**
     * Reads the section.
     *
     * @throws IllegalArgumentException naming the pool and key when the section is not valid
     */
    static ServeWorkers parse(String yaml) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        }
        catch (YamlEngineException e) {
            throw new IllegalArgumentException("invalid YAML: " + e.getMessage(), e);
        }
        Object section = root instanceof Map ? ((Map<?, ?>) root).get("workers") : null;
        List<Spec> specs = new ArrayList<>();
        if (section == null) {
            return new ServeWorkers(specs);
        }
        if (!(section instanceof Map)) {
            throw new IllegalArgumentException("'workers' must be a mapping of pool names to pools");
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) section).entrySet()) {
            String name = String.valueOf(e.getKey());
            try {
                specs.add(spec(name, e.getValue()));
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("worker pool '" + name + "': " + ex.getMessage(), ex);
            }
        }
        return new ServeWorkers(specs);
    }

    private static Spec spec(String name, @Nullable Object value) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("must be a mapping with 'command'");
        }
        Map<?, ?> spec = (Map<?, ?>) value;
        for (Object key : spec.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown worker key '" + key + "'; expected one of "
                        + KEYS.stream().sorted().toList());
            }
        }
        if (!(spec.get("command") instanceof List<?> command) || command.isEmpty()) {
            throw new IllegalArgumentException("'command' must be a non-empty list such as [cat]");
        }
        List<String> argv = new ArrayList<>();
        for (Object element : command) {
            if (!(element instanceof String || element instanceof Number)) {
                throw new IllegalArgumentException("'command' elements must be strings, was '" + element + "'");
            }
            argv.add(element.toString());
        }
        // as for actions: the server's environment (its token, its credentials) never reaches a worker
        Command worker = Command.of(argv).withoutInheritedEnv();
        for (String variable : Action.DEFAULT_INHERITED_ENV) {
            String inherited = System.getenv(variable);
            if (inherited != null) {
                worker = worker.withEnv(variable, inherited);
            }
        }
        WorkerPool.Builder<String, String> b = WorkerPool.builder(worker);
        boolean binary = false;
        Object protocol = spec.get("protocol");
        if (protocol != null && !"lines".equals(protocol)) {
            if (!"lengthPrefixed".equals(protocol)) {
                throw new IllegalArgumentException("'protocol' must be lines or lengthPrefixed, was '" + protocol
                        + "'");
            }
            binary = true;
        }
        Object size = spec.get("size");
        if (size != null) {
            if (!(size instanceof Map<?, ?> sizes)) {
                throw new IllegalArgumentException("'size' must be a mapping such as {min: 1, max: 2}");
            }
            for (Object key : sizes.keySet()) {
                if (!SIZE_KEYS.contains(String.valueOf(key))) {
                    throw new IllegalArgumentException("unknown size key '" + key + "'; expected [max, min]");
                }
            }
            b.sizeBetween(integer(sizes.containsKey("min") ? sizes.get("min") : 1, "size.min"),
                    integer(sizes.containsKey("max") ? sizes.get("max") : 2, "size.max"));
        }
        if (spec.containsKey("requestTimeout")) {
            b.requestTimeout(duration(spec.get("requestTimeout")));
        }
        if (spec.containsKey("maxPendingAcquire")) {
            b.maxPendingAcquire(integer(spec.get("maxPendingAcquire"), "maxPendingAcquire"));
        }
        return new Spec(name, binary, b);
    }

    private static Duration duration(@Nullable Object v) {
        return DurationArgument.parse("requestTimeout", String.valueOf(v));
    }

    private static int integer(@Nullable Object v, String key) {
        if (v instanceof Integer i) {
            return i;
        }
        throw new IllegalArgumentException("'" + key + "' must be an integer, was '" + v + "'");
    }

    /**
     * Builds every pool on {@code engine} and registers it with {@code routes}.
     *
     * @return the pools, for the caller to close before the engine
     */
    List<WorkerPool<?, ?>> start(ProcessEngine engine, ActionRoutes.Builder routes) {
        List<WorkerPool<?, ?>> pools = new ArrayList<>();
        for (Spec spec : specs) {
            if (spec.binary) {
                WorkerPool<byte[], byte[]> pool = spec.builder.protocol(WorkerProtocol.lengthPrefixed()).build(engine);
                pools.add(pool);
                routes.workerPool(spec.name, pool, WorkerCodec.bytes());
            }
            else {
                WorkerPool<String, String> pool = spec.builder.build(engine);
                pools.add(pool);
                routes.workerPool(spec.name, pool, WorkerCodec.text());
            }
        }
        return pools;
    }
}
