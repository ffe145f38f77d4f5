package dev.procflux.web;

import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolOptions;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** Reads an actions file: {@code actions:}, {@code engine:} and {@code workers:}; see {@link ActionsFile}. */
final class YamlActions {
    private static final Set<String> ACTION_KEYS = Set.of("description", "command", "parameters", "timeout",
            "maxOutputBytes", "stdin", "maxBodyBytes", "format", "directory");
    private static final Set<String> PARAMETER_KEYS = Set.of("type", "pattern", "values", "min", "max", "base",
            "mustExist", "allowLeadingDash", "maxLength", "default", "description");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final List<String> TOP_KEYS = List.of("actions", "engine", "workers");
    private static final Set<String> ENGINE_KEYS = Set.of("maxConcurrency", "maxPending", "acquireTimeout",
            "killGracePeriod", "maxBufferedBytes", "backpressure", "highWaterBytes", "lowWaterBytes");
    private static final Set<String> WORKER_KEYS = Set.of("command", "protocol", "size", "maxPending",
            "maxRequestsPerWorker", "maxIdle", "maxLifetime", "requestTimeout", "maxStartAttempts",
            "idempotentRetries", "startBackoff");

    private YamlActions() {
    }

    /** The sections of an actions file, parsed and checked. */
    record Document(List<Action> actions, List<EngineSetting> engine, List<WorkerPoolSpec> workerPools) {
    }

    /** One key of the {@code engine:} section, checked when parsed. */
    record EngineSetting(String key, Consumer<ProcessEngine.Builder> setter) {
        void applyTo(ProcessEngine.Builder b) {
            setter.accept(b);
        }
    }

    static Document document(String yaml, Path baseDirectory) {
        return document(yaml, baseDirectory, List.of());
    }

    static Document document(String yaml, Path baseDirectory, List<String> otherKeys) {
        Object root;
        try {
            // snakeyaml-engine builds only maps, lists and scalars: no arbitrary types from the document
            root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(yaml);
        }
        catch (YamlEngineException e) {
            throw new IllegalArgumentException("invalid YAML: " + e.getMessage(), e);
        }
        Map<?, ?> top = map(root, "the document");
        for (Object key : top.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(key)) && !otherKeys.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown top-level key '" + key + "'; expected one of "
                        + TOP_KEYS);
            }
        }
        Map<?, ?> actions = map(top.get("actions"), "'actions'");
        List<Action> result = new ArrayList<>();
        for (Map.Entry<?, ?> e : actions.entrySet()) {
            String name = String.valueOf(e.getKey());
            try {
                result.add(action(name, map(e.getValue(), "the action"), baseDirectory));
            }
            catch (IllegalArgumentException | IllegalStateException ex) {
                String prefix = "action '" + name + "': ";
                String message = String.valueOf(ex.getMessage());
                // Action's own messages already name the action
                throw new IllegalArgumentException(message.startsWith(prefix) ? message : prefix + message, ex);
            }
        }
        // a caller that names a section in otherKeys reads it itself: it is ignored here, as documented
        return new Document(result, otherKeys.contains("engine") ? List.of() : engine(top.get("engine")),
                otherKeys.contains("workers") ? List.of() : workers(top.get("workers")));
    }

    private static List<EngineSetting> engine(@Nullable Object section) {
        List<EngineSetting> settings = new ArrayList<>();
        if (section == null) {
            return settings;
        }
        Map<?, ?> engine = map(section, "'engine'");
        checkKeys(engine, ENGINE_KEYS, "engine");
        if (engine.containsKey("lowWaterBytes") != engine.containsKey("highWaterBytes")) {
            throw new IllegalArgumentException("engine: 'highWaterBytes' and 'lowWaterBytes' go together");
        }
        ProcessEngine.Builder check = ProcessEngine.builder();
        for (Map.Entry<?, ?> e : engine.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            Consumer<ProcessEngine.Builder> setter;
            try {
                switch (key) {
                    case "maxConcurrency": {
                        int n = integer(v, key);
                        setter = b -> b.maxConcurrency(n);
                        break;
                    }
                    case "maxPending": {
                        int n = integer(v, key);
                        setter = b -> b.maxPendingAcquire(n);
                        break;
                    }
                    case "acquireTimeout": {
                        Duration d = duration(scalar(v, key));
                        setter = b -> b.acquireTimeout(d);
                        break;
                    }
                    case "killGracePeriod": {
                        Duration d = duration(scalar(v, key));
                        setter = b -> b.killGracePeriod(d);
                        break;
                    }
                    case "maxBufferedBytes": {
                        long n = number(v, key);
                        setter = b -> b.maxBufferedBytes(n);
                        break;
                    }
                    case "backpressure": {
                        String policy = scalar(v, key);
                        BackpressurePolicy p;
                        if ("pause".equals(policy)) {
                            p = BackpressurePolicy.PAUSE;
                        }
                        else if ("fail".equals(policy)) {
                            p = BackpressurePolicy.FAIL;
                        }
                        else {
                            throw new IllegalArgumentException("'backpressure' must be pause or fail, was '" + policy
                                    + "'");
                        }
                        setter = b -> b.backpressure(p);
                        break;
                    }
                    case "highWaterBytes": {
                        long high = number(v, key);
                        long low = number(engine.get("lowWaterBytes"), "lowWaterBytes");
                        setter = b -> b.watermarks(high, low);
                        break;
                    }
                    default:
                        // lowWaterBytes: set together with highWaterBytes
                        continue;
                }
                setter.accept(check); // the builder's own range checks, at load time
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("engine: " + ex.getMessage(), ex);
            }
            settings.add(new EngineSetting(key, setter));
        }
        try {
            check.buildOptions();
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("engine: " + ex.getMessage(), ex);
        }
        return settings;
    }

    private static List<WorkerPoolSpec> workers(@Nullable Object section) {
        List<WorkerPoolSpec> specs = new ArrayList<>();
        if (section == null) {
            return specs;
        }
        for (Map.Entry<?, ?> e : map(section, "'workers'").entrySet()) {
            String name = String.valueOf(e.getKey());
            try {
                specs.add(worker(name, map(e.getValue(), "the worker pool")));
            }
            catch (IllegalArgumentException | IllegalStateException ex) {
                throw new IllegalArgumentException("worker pool '" + name + "': " + ex.getMessage(), ex);
            }
        }
        return specs;
    }

    private static WorkerPoolSpec worker(String name, Map<?, ?> spec) {
        checkKeys(spec, WORKER_KEYS, "worker");
        Object command = spec.get("command");
        if (!(command instanceof List) || ((List<?>) command).isEmpty()) {
            throw new IllegalArgumentException("'command' must be a non-empty list such as [cat]");
        }
        List<String> argv = new ArrayList<>();
        for (Object element : (List<?>) command) {
            argv.add(scalar(element, "command element"));
        }
        WorkerPool.Builder<String, String> b = WorkerPool.builder(Command.of(argv));
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
        if (spec.containsKey("maxPending")) {
            b.maxPendingAcquire(integer(spec.get("maxPending"), "maxPending"));
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

    private static int integer(@Nullable Object o, String what) {
        long n = number(o, what);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + what + "' is too large: " + n);
        }
        return (int) n;
    }

    private static Action action(String name, Map<?, ?> spec, Path baseDirectory) {
        checkKeys(spec, ACTION_KEYS, "action");
        Object command = spec.get("command");
        if (!(command instanceof List)) {
            throw new IllegalArgumentException("'command' must be a list such as [echo, \"{message}\"]");
        }
        List<String> argv = new ArrayList<>();
        for (Object element : (List<?>) command) {
            argv.add(scalar(element, "command element"));
        }
        Action.Builder b = Action.builder(name, argv);
        Object params = spec.get("parameters");
        if (params != null) {
            for (Map.Entry<?, ?> p : map(params, "'parameters'").entrySet()) {
                String pname = String.valueOf(p.getKey());
                try {
                    b.parameter(parameter(pname, map(p.getValue(), "the parameter"), baseDirectory));
                }
                catch (IllegalArgumentException | IllegalStateException ex) {
                    throw new IllegalArgumentException("parameter '" + pname + "': " + ex.getMessage(), ex);
                }
            }
        }
        if (spec.containsKey("description")) {
            b.description(scalar(spec.get("description"), "description"));
        }
        if (spec.containsKey("timeout")) {
            b.timeout(duration(scalar(spec.get("timeout"), "timeout")));
        }
        if (spec.containsKey("maxOutputBytes")) {
            b.maxOutputBytes(number(spec.get("maxOutputBytes"), "maxOutputBytes"));
        }
        if (spec.containsKey("maxBodyBytes")) {
            b.maxBodyBytes(number(spec.get("maxBodyBytes"), "maxBodyBytes"));
        }
        if (spec.containsKey("stdin")) {
            Object stdin = spec.get("stdin");
            if (!(stdin instanceof Boolean)) {
                throw new IllegalArgumentException("'stdin' must be true (the request body goes to stdin) or false");
            }
            b.stdinFromBody((Boolean) stdin);
        }
        if (spec.containsKey("format")) {
            String format = scalar(spec.get("format"), "format");
            switch (format) {
                case "event-stream":
                    b.streamFormat(StreamFormat.EVENT_STREAM);
                    break;
                case "ndjson":
                    b.streamFormat(StreamFormat.NDJSON);
                    break;
                case "raw":
                    b.streamFormat(StreamFormat.RAW);
                    break;
                default:
                    throw new IllegalArgumentException("'format' must be event-stream, ndjson or raw, was '" + format
                            + "'");
            }
        }
        if (spec.containsKey("directory")) {
            b.directory(baseDirectory.resolve(scalar(spec.get("directory"), "directory")).normalize());
        }
        return b.build();
    }

    private static Parameter parameter(String name, Map<?, ?> spec, Path baseDirectory) {
        checkKeys(spec, PARAMETER_KEYS, "parameter");
        String type = scalar(spec.get("type"), "type");
        Parameter.Builder b;
        switch (type) {
            case "string":
            case "pattern":
                b = Parameter.pattern(name, scalar(require(spec, "pattern", type), "pattern"));
                break;
            case "enum":
                Object values = require(spec, "values", type);
                if (!(values instanceof List)) {
                    throw new IllegalArgumentException("'values' must be a list");
                }
                List<String> list = new ArrayList<>();
                for (Object v : (List<?>) values) {
                    list.add(scalar(v, "enum value"));
                }
                b = Parameter.oneOf(name, list);
                break;
            case "integer":
                b = Parameter.integer(name, number(require(spec, "min", type), "min"),
                        number(require(spec, "max", type), "max"));
                break;
            case "path":
                b = Parameter.path(name, baseDirectory.resolve(scalar(require(spec, "base", type), "base")));
                if (spec.containsKey("mustExist")) {
                    b.mustExist(bool(spec.get("mustExist"), "mustExist"));
                }
                break;
            default:
                throw new IllegalArgumentException("'type' must be string, enum, integer or path, was '" + type + "'");
        }
        if (spec.containsKey("allowLeadingDash")) {
            b.allowLeadingDash(bool(spec.get("allowLeadingDash"), "allowLeadingDash"));
        }
        if (spec.containsKey("maxLength")) {
            long max = number(spec.get("maxLength"), "maxLength");
            if (max > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("'maxLength' is too large: " + max);
            }
            b.maxLength((int) max);
        }
        if (spec.containsKey("default")) {
            b.defaultValue(scalar(spec.get("default"), "default"));
        }
        if (spec.containsKey("description")) {
            b.description(scalar(spec.get("description"), "description"));
        }
        return b.build();
    }

    private static Object require(Map<?, ?> spec, String key, String type) {
        Object v = spec.get(key);
        if (v == null) {
            throw new IllegalArgumentException("a parameter of type " + type + " needs '" + key + "'");
        }
        return v;
    }

    private static void checkKeys(Map<?, ?> spec, Set<String> allowed, String what) {
        for (Object key : spec.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown " + what + " key '" + key + "'; expected one of "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    private static Map<?, ?> map(@Nullable Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a mapping");
        }
        return (Map<?, ?>) o;
    }

    private static String scalar(@Nullable Object o, String what) {
        if (o instanceof String || o instanceof Number || o instanceof Boolean) {
            return o.toString();
        }
        throw new IllegalArgumentException("'" + what + "' must be a string");
    }

    private static boolean bool(@Nullable Object o, String what) {
        if (o instanceof Boolean) {
            return (Boolean) o;
        }
        throw new IllegalArgumentException("'" + what + "' must be true or false");
    }

    private static long number(@Nullable Object o, String what) {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger) {
            return ((BigInteger) o).longValueExact();
        }
        throw new IllegalArgumentException("'" + what + "' must be an integer");
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration must look like 500ms, 30s, 2m or 1h, was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }
}
