package dev.procflux.web;

import dev.procflux.ProcessEngine;
import dev.procflux.internal.OptionalDependency;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A whole actions file, as {@code procflux serve --config} reads it: {@code actions:} (the {@link ActionRegistry}),
 * and the optional {@code engine:} (the {@link ProcessEngine} settings) and {@code workers:} (worker pools served at
 * {@code POST /workers/{name}}). The format is in {@code docs/webflux.md}; {@code docs/examples/actions.yaml} has
 * every section.
 *
 * <pre>{@code
 * ActionsFile file = ActionsFile.read(Path.of("actions.yaml"));
 * try (ProcessEngine engine = file.engine().build()) {
 *     RouterFunction<ServerResponse> routes = ActionRoutes.builder(engine, file.registry()).build();
 * }
 * }</pre>
 *
 * <p>Relative paths in the file (a path parameter's {@code base}, an action's {@code directory}) are resolved
 * against a base directory: the file's directory for {@link #read(Path)}, the one given otherwise.
 *
 * <p>Immutable and thread-safe. Needs {@code org.snakeyaml:snakeyaml-engine} (an optional dependency of procflux).
 */
public final class ActionsFile {
    private final ActionRegistry registry;
    private final EngineSection engine;
    private final List<WorkerPoolSpec> workerPools;

    private ActionsFile(ActionRegistry registry, EngineSection engine, List<WorkerPoolSpec> workerPools) {
        this.registry = registry;
        this.engine = engine;
        this.workerPools = List.copyOf(workerPools);
    }

    /**
     * Reads a file; relative paths in it are resolved against its directory.
     *
     * @param file the YAML file
     * @return the parsed file
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the YAML is malformed or a section is invalid; the message names the
     *         section, the action or pool, and the key
     * @throws IllegalStateException if snakeyaml-engine is not on the class path (the message names its Maven
     *         coordinates)
     */
    public static ActionsFile read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String yaml = Files.readString(file, StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        return parse(yaml, dir == null ? Path.of("").toAbsolutePath() : dir);
    }

    /**
     * Reads a UTF-8 stream, e.g. a class path resource inside a fat jar, which has no directory of its own.
     * Does not close the stream.
     *
     * @param in the YAML
     * @param baseDirectory what relative paths in it are resolved against
     * @return the parsed file
     * @throws IOException if the stream cannot be read
     * @throws IllegalArgumentException if the YAML is malformed or a section is invalid
     * @throws IllegalStateException if snakeyaml-engine is not on the class path
     */
    public static ActionsFile read(InputStream in, Path baseDirectory) throws IOException {
        Objects.requireNonNull(in, "in");
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), baseDirectory);
    }

    /**
     * Reads a class path resource with the class loader of the current thread (or of procflux, without one).
     *
     * @param name the resource's name, e.g. {@code "actions.yaml"} or {@code "config/actions.yaml"}
     * @param baseDirectory what relative paths in it are resolved against
     * @return the parsed file
     * @throws IOException if the resource does not exist or cannot be read
     * @throws IllegalArgumentException if the YAML is malformed or a section is invalid
     * @throws IllegalStateException if snakeyaml-engine is not on the class path
     */
    public static ActionsFile readResource(String name, Path baseDirectory) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ActionsFile.class.getClassLoader();
        }
        String path = name.startsWith("/") ? name.substring(1) : name;
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("no class path resource '" + path + "'");
            }
            return read(in, baseDirectory);
        }
    }

    /**
     * Parses a YAML document.
     *
     * @param yaml the document
     * @param baseDirectory what relative paths in it are resolved against
     * @return the parsed file
     * @throws IllegalArgumentException if the YAML is malformed or a section is invalid
     * @throws IllegalStateException if snakeyaml-engine is not on the class path
     */
    public static ActionsFile parse(String yaml, Path baseDirectory) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        OptionalDependency.SNAKEYAML_ENGINE.require("reading actions files");
        YamlActions.Document doc = YamlActions.document(yaml, baseDirectory);
        ActionRegistry.Builder b = ActionRegistry.builder();
        for (Action action : doc.actions()) {
            b.add(action);
        }
        return new ActionsFile(b.build(), new EngineSection(doc.engine()), doc.workerPools());
    }

    /** @return the actions */
    public ActionRegistry registry() {
        return registry;
    }

    /**
     * @return a new engine builder with the defaults of {@link ProcessEngine#builder()} overridden by the file's
     *         {@code engine:} section
     */
    public ProcessEngine.Builder engine() {
        ProcessEngine.Builder b = ProcessEngine.builder();
        engine.applyTo(b);
        return b;
    }

    /** @return the keys the file's {@code engine:} section sets, e.g. {@code [maxConcurrency, killGracePeriod]} */
    public List<String> engineKeys() {
        return engine.keys();
    }

    /** @return the worker pools of the {@code workers:} section, in file order */
    public List<WorkerPoolSpec> workerPools() {
        return workerPools;
    }

    @Override
    public String toString() {
        return "ActionsFile[actions=" + registry + ", engine=" + engine.keys() + ", workers="
                + workerPools.stream().map(WorkerPoolSpec::name).toList() + "]";
    }

    /** The {@code engine:} settings, applied in file order to a builder. */
    private static final class EngineSection {
        private final List<YamlEngineSection.Setting> settings;

        EngineSection(List<YamlEngineSection.Setting> settings) {
            this.settings = List.copyOf(settings);
        }

        void applyTo(ProcessEngine.Builder b) {
            for (YamlEngineSection.Setting s : settings) {
                s.applyTo(b);
            }
        }

        List<String> keys() {
            return settings.stream().map(YamlEngineSection.Setting::key).toList();
        }
    }
}
