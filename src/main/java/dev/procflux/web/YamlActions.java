package dev.procflux.web;

import static dev.procflux.web.YamlValues.bool;
import static dev.procflux.web.YamlValues.checkKeys;
import static dev.procflux.web.YamlValues.duration;
import static dev.procflux.web.YamlValues.map;
import static dev.procflux.web.YamlValues.number;
import static dev.procflux.web.YamlValues.scalar;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads an actions file: {@code actions:} here, {@code engine:} with {@link YamlEngineSection} and
 * {@code workers:} with {@link YamlWorkersSection}; see {@link ActionsFile}.
 */
final class YamlActions {
    private static final Set<String> ACTION_KEYS = Set.of("description", "command", "parameters", "timeout",
            "maxOutputBytes", "stdin", "maxBodyBytes", "format", "directory");
    private static final Set<String> PARAMETER_KEYS = Set.of("type", "pattern", "values", "min", "max", "base",
            "mustExist", "allowLeadingDash", "maxLength", "default", "description");
    private static final List<String> TOP_KEYS = List.of("actions", "engine", "workers");

    private YamlActions() {
    }

    /** The sections of an actions file, parsed and checked. */
    record Document(List<Action> actions, List<YamlEngineSection.Setting> engine, List<WorkerPoolSpec> workerPools) {
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
        return new Document(result, otherKeys.contains("engine") ? List.of() : YamlEngineSection.settings(top.get("engine")),
                otherKeys.contains("workers") ? List.of() : YamlWorkersSection.pools(top.get("workers")));
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
}
