package dev.procflux.web;

import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolOptions;
import dev.procflux.WorkerProtocol;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One worker pool of an actions file's {@code workers:} section (or of Spring Boot's {@code procflux.workers.*}):
 * its name, its framing and its settings. Immutable and thread-safe; {@link ActionsFile#workerPools()} makes them.
 *
 * <pre>{@code
 * for (WorkerPoolSpec spec : ActionsFile.read(Path.of("actions.yaml")).workerPools()) {
 *     if (spec.framing() == WorkerPoolSpec.Framing.LINES) {
 *         routes.workerPool(spec.name(), spec.options().toBuilder().build(engine), WorkerCodec.text());
 *     }
 *     else {
 *         routes.workerPool(spec.name(), spec.options().toBuilder().protocol(WorkerProtocol.lengthPrefixed())
 *                 .build(engine), WorkerCodec.bytes());
 *     }
 * }
 * }</pre>
 */
public final class WorkerPoolSpec {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** How requests and replies are framed on the workers' stdin and stdout. */
    public enum Framing {
        /** {@link WorkerProtocol#lines()}: one line in, one line out; served with {@link WorkerCodec#text()}. */
        LINES,
        /** {@link WorkerProtocol#lengthPrefixed()}: raw bytes; served with {@link WorkerCodec#bytes()}. */
        LENGTH_PREFIXED
    }

    private final String name;
    private final Framing framing;
    private final WorkerPoolOptions<String, String> options;

    private WorkerPoolSpec(String name, Framing framing, WorkerPoolOptions<String, String> options) {
        this.name = name;
        this.framing = framing;
        this.options = options;
    }

    /**
     * @param name the pool's name: letters, digits, {@code _}, {@code .} and {@code -}, at most 64
     * @param framing how requests and replies are framed
     * @param options the pool's settings, with the {@link WorkerProtocol#lines()} protocol whatever the framing
     *        (for {@link Framing#LENGTH_PREFIXED} the caller switches the protocol when it builds the pool)
     * @return the spec
     * @throws IllegalArgumentException if the name is not valid
     */
    public static WorkerPoolSpec of(String name, Framing framing, WorkerPoolOptions<String, String> options) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(options, "options");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("worker pool name must match " + NAME.pattern() + ", was '" + name
                    + "'");
        }
        return new WorkerPoolSpec(name, framing, options);
    }

    /** @return the pool's name, as in {@code POST /workers/{name}} and the metrics' {@code pool} tag */
    public String name() {
        return name;
    }

    /** @return how requests and replies are framed */
    public Framing framing() {
        return framing;
    }

    /**
     * @return the settings, with the {@link WorkerProtocol#lines()} protocol; {@code options().toBuilder()} gives a
     *         {@link WorkerPool.Builder} to build the pool with
     */
    public WorkerPoolOptions<String, String> options() {
        return options;
    }

    @Override
    public String toString() {
        return "WorkerPoolSpec[" + name + ", " + framing + ", " + options + "]";
    }
}
