package dev.procflux.web;

import static dev.procflux.web.YamlValues.checkKeys;
import static dev.procflux.web.YamlValues.duration;
import static dev.procflux.web.YamlValues.integer;
import static dev.procflux.web.YamlValues.map;
import static dev.procflux.web.YamlValues.scalar;

import dev.procflux.Command;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code workers:} section of an actions file: one checked {@link WorkerPoolSpec} per pool. A worker
 * inherits only {@link Action#DEFAULT_INHERITED_ENV} from the server, as an action does.
 */
final class YamlWorkersSection {
    private static final Set<String> WORKER_KEYS = Set.of("command", "protocol", "size", "maxPendingAcquire",
            "maxRequestsPerWorker", "maxIdle", "maxLifetime", "requestTimeout", "maxStartAttempts",
            "idempotentRetries", "startBackoff");

    private YamlWorkersSection() {
    }

    /**
     * @param section the section, or {@code null} when the file has none
     * @throws IllegalArgumentException naming the pool, the key and the value
     */
    static List<WorkerPoolSpec> pools(@Nullable Object section) {
        List<WorkerPoolSpec> specs = new ArrayList<>();
        if (section == null) {
            return specs;
        }
        for (Map.Entry<?, ?> e : map(section, "'workers'").entrySet()) {
            String name = String.valueOf(e.getKey());
            try {
                specs.add(pool(name, map(e.getValue(), "the worker pool")));
            }
            catch (IllegalArgumentException | IllegalStateException ex) {
                throw new IllegalArgumentException("worker pool '" + name + "': " + ex.getMessage(), ex);
            }
        }
        return specs;
    }

    private static WorkerPoolSpec pool(String name, Map<?, ?> spec) {
        checkKeys(spec, WORKER_KEYS, "worker");
        Object command = spec.get("command");
        if (!(command instanceof List) || ((List<?>) command).isEmpty()) {
            throw new IllegalArgumentException("'command' must be a non-empty list such as [cat]");
        }
        List<String> argv = new ArrayList<>();
        for (Object element : (List<?>) command) {
            argv.add(scalar(element, "command element"));
        }
        // as for actions: the server's environment (its token, its credentials) never reaches a worker
        Command worker = Command.of(argv).withoutInheritedEnv();
        for (String variable : new TreeSet<>(Action.DEFAULT_INHERITED_ENV)) {
            String inherited = System.getenv(variable);
            if (inherited != null) {
                worker = worker.withEnv(variable, inherited);
            }
        }
        WorkerPool.Builder<String, String> b = WorkerPool.builder(worker);
        WorkerPoolSpec.Framing framing = WorkerPoolSpec.Framing.LINES;
        if (spec.containsKey("protocol")) {
            String protocol = scalar(spec.get("protocol"), "protocol");
            if ("lengthPrefixed".equals(protocol)) {
                framing = WorkerPoolSpec.Framing.LENGTH_PREFIXED;
            }
            else if (!"lines".equals(protocol)) {
                throw new IllegalArgumentException("'protocol' must be lines or lengthPrefixed, was '" + protocol
                        + "'");
            }
        }
        if (spec.containsKey("size")) {
            Map<?, ?> size = map(spec.get("size"), "'size'");
            checkKeys(size, Set.of("min", "max"), "size");
            WorkerPoolOptions<String, String> defaults = b.buildOptions();
            b.sizeBetween(size.containsKey("min") ? integer(size.get("min"), "size.min") : defaults.minSize(),
                    size.containsKey("max") ? integer(size.get("max"), "size.max") : defaults.maxSize());
        }
        if (spec.containsKey("maxPendingAcquire")) {
            b.maxPendingAcquire(integer(spec.get("maxPendingAcquire"), "maxPendingAcquire"));
        }
        if (spec.containsKey("maxRequestsPerWorker")) {
            b.maxRequestsPerWorker(integer(spec.get("maxRequestsPerWorker"), "maxRequestsPerWorker"));
        }
        if (spec.containsKey("maxIdle")) {
            b.evictionIdle(duration(scalar(spec.get("maxIdle"), "maxIdle")));
        }
        if (spec.containsKey("maxLifetime")) {
            b.maxLifetime(duration(scalar(spec.get("maxLifetime"), "maxLifetime")));
        }
        if (spec.containsKey("requestTimeout")) {
            b.requestTimeout(duration(scalar(spec.get("requestTimeout"), "requestTimeout")));
        }
        if (spec.containsKey("maxStartAttempts")) {
            b.maxStartAttempts(integer(spec.get("maxStartAttempts"), "maxStartAttempts"));
        }
        if (spec.containsKey("idempotentRetries")) {
            b.idempotentRetries(integer(spec.get("idempotentRetries"), "idempotentRetries"));
        }
        if (spec.containsKey("startBackoff")) {
            b.startBackoff(duration(scalar(spec.get("startBackoff"), "startBackoff")));
        }
        return WorkerPoolSpec.of(name, framing, b.buildOptions());
    }
}
