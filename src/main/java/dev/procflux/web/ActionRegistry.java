package dev.procflux.web;

import dev.procflux.internal.OptionalDependency;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The allow-list: the only {@link Action}s an HTTP client can run, by name.
 *
 * <p>Build one in code with {@link #builder()}, or load one from YAML with {@link #fromYaml(Path, String...)}:
 * <pre>{@code
 * actions:
 *   seq:
 *     description: Count from 1 to n
 *     command: [seq, "{count}"]
 *     timeout: 5s
 *     parameters:
 *       count: {type: integer, min: 1, max: 1000, default: "10"}
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ActionRegistry {
    private final Map<String, Action> actions;

    private ActionRegistry(Map<String, Action> actions) {
        this.actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
    }

    /** @return a builder of an empty registry */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads the {@code actions:} of an actions file (the format is in {@code docs/webflux.md}). Relative paths in it
     * (path parameters' {@code base}, an action's {@code directory}) are resolved against the file's directory.
     * The file's {@code engine:} and {@code workers:} sections are checked too, but only {@link ActionsFile}
     * returns them. Other top-level keys are allowed only if named in {@code otherKeys}, for callers that keep
     * more settings in the same file.
     *
     * @param file the YAML file
     * @param otherKeys top-level keys to ignore besides {@code actions}
     * @return the registry
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the YAML is malformed or describes an invalid action; the message
     *         names the action and the key
     * @throws IllegalStateException if snakeyaml-engine is not on the class path (the message names its Maven
     *         coordinates)
     */
    public static ActionRegistry fromYaml(Path file, String... otherKeys) throws IOException {
        Objects.requireNonNull(file, "file");
        String yaml = Files.readString(file, StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        return fromYaml(yaml, dir == null ? Path.of("").toAbsolutePath() : dir, otherKeys);
    }

    /**
     * Loads the {@code actions:} of a YAML document, as {@link #fromYaml(Path, String...)}.
     *
     * @param yaml the document
     * @param baseDirectory what relative paths in it are resolved against
     * @param otherKeys top-level keys to ignore besides {@code actions}
     * @return the registry
     * @throws IllegalArgumentException if the YAML is malformed or describes an invalid action
     * @throws IllegalStateException if snakeyaml-engine is not on the class path
     */
    public static ActionRegistry fromYaml(String yaml, Path baseDirectory, String... otherKeys) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        OptionalDependency.SNAKEYAML_ENGINE.require("reading actions files");
        Builder b = builder();
        for (Action action : YamlActions.document(yaml, baseDirectory, List.of(otherKeys)).actions()) {
            b.add(action);
        }
        return b.build();
    }

    /**
     * @param name the action's name
     * @return the action, or empty if none has that name
     */
    public Optional<Action> find(String name) {
        return Optional.ofNullable(actions.get(Objects.requireNonNull(name, "name")));
    }

    /** @return every action, in the order added */
    public List<Action> actions() {
        return new ArrayList<>(actions.values());
    }

    @Override
    public String toString() {
        return "ActionRegistry" + actions.keySet();
    }

    /** Collects actions. Not thread-safe: configure on one thread, then call {@link #build()}. */
    public static final class Builder {
        private final Map<String, Action> actions = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds an action.
         *
         * @param action the action
         * @return this builder
         * @throws IllegalArgumentException if an action of that name was already added
         */
        public Builder add(Action action) {
            Objects.requireNonNull(action, "action");
            if (actions.putIfAbsent(action.name(), action) != null) {
                throw new IllegalArgumentException("action '" + action.name() + "' added twice");
            }
            return this;
        }

        /** @return the registry */
        public ActionRegistry build() {
            return new ActionRegistry(actions);
        }
    }
}
