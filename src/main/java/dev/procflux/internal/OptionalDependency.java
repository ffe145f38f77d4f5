package dev.procflux.internal;

/**
 * The optional dependencies of procflux, checked where a feature first needs one, so that a missing one fails
 * with a message naming the Maven coordinates to add instead of a {@link NoClassDefFoundError} from deep inside.
 * Not API.
 */
public enum OptionalDependency {
    /** YAML actions files. */
    SNAKEYAML_ENGINE("org.snakeyaml.engine.v2.api.Load", "org.snakeyaml:snakeyaml-engine:3.2"),
    /** The HTTP routes' JSON. */
    JACKSON("tools.jackson.databind.json.JsonMapper", "tools.jackson.core:jackson-databind:3.x"),
    /** The HTTP routes. */
    SPRING_WEBFLUX("org.springframework.web.reactive.function.server.RouterFunction",
            "org.springframework:spring-webflux:7.x"),
    /** {@code ActionServer} and {@code procflux serve}. */
    REACTOR_NETTY_HTTP("reactor.netty.http.server.HttpServer", "io.projectreactor.netty:reactor-netty-http:1.3.x"),
    /** Micrometer meters. */
    MICROMETER("io.micrometer.core.instrument.MeterRegistry", "io.micrometer:micrometer-core:1.15 or later");

    private final String className;
    private final String coordinates;

    OptionalDependency(String className, String coordinates) {
        this.className = className;
        this.coordinates = coordinates;
    }

    /** @return the Maven coordinates to add, e.g. {@code org.snakeyaml:snakeyaml-engine:3.2} */
    public String coordinates() {
        return coordinates;
    }

    /** @return whether the dependency's classes can be loaded by procflux's class loader */
    public boolean isPresent() {
        return isPresent(className, OptionalDependency.class.getClassLoader());
    }

    /**
     * @param feature what needs it, for the message ("reading actions files")
     * @throws IllegalStateException naming the coordinates if the dependency is missing
     */
    public void require(String feature) {
        if (!isPresent()) {
            throw new IllegalStateException(feature + " needs " + coordinates + " on the class path (an optional "
                    + "dependency of procflux): class " + className + " was not found");
        }
    }

    static boolean isPresent(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
            return true;
        }
        catch (ClassNotFoundException | LinkageError e) {
            // absence is the answer asked for; the caller reports it with the coordinates
            return false;
        }
    }
}
