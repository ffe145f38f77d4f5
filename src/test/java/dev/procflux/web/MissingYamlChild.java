package dev.procflux.web;

import java.nio.file.Path;

/** Loads actions in a JVM whose class path lacks snakeyaml-engine; run by {@link OptionalDependencyIT}. */
public final class MissingYamlChild {
    private MissingYamlChild() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        try {
            ActionsFile.parse("actions: {}\n", Path.of("/"));
            System.out.println("loaded");
        }
        catch (RuntimeException | LinkageError e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
        try {
            ActionRegistry.fromYaml("actions: {}\n", Path.of("/"));
            System.out.println("loaded");
        }
        catch (RuntimeException | LinkageError e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
