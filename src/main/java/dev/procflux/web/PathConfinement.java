package dev.procflux.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Confines a client's path under a base directory: the value (relative, or absolute inside the base) is resolved
 * against the base and normalized, and refused if the result leaves the base ({@code ../../etc/passwd}) or if its
 * real path, symbolic links followed, does (a link inside the base pointing elsewhere, or a dangling one). The
 * deepest existing ancestor of the result decides, so a path that does not exist yet is confined too. Messages
 * name the base only as "the base directory", never by its server path.
 *
 * <p>Touches the file system: call it off event-loop threads. Immutable and thread-safe.
 */
final class PathConfinement {
    private static final String RULE = "must be a path under the base directory";

    private final Path base;
    private final boolean mustExist;

    /**
     * @param base the directory values are confined to; made absolute and normalized
     * @param mustExist whether a value must name an existing file or directory
     */
    PathConfinement(Path base, boolean mustExist) {
        this.base = Objects.requireNonNull(base, "base").toAbsolutePath().normalize();
        this.mustExist = mustExist;
    }

    /**
     * @param name the parameter's name, for messages
     * @param v the client's value
     * @return the absolute real path to pass
     * @throws InvalidParameterException if the value is empty, not a path, or leaves the base
     * @throws IllegalStateException if the base directory itself is not accessible
     */
    String resolve(String name, String v) {
        if (v.isEmpty()) {
            throw invalid(name, "path-syntax", "must not be empty (use '.' for the base directory)");
        }
        Path relative;
        try {
            relative = Path.of(v);
        }
        catch (InvalidPathException e) {
            throw invalid(name, "path-syntax", "is not a valid path");
        }
        Path candidate = base.resolve(relative).normalize();
        if (!candidate.startsWith(base)) {
            throw invalid(name, "path-escape", RULE + "; it resolves outside the base directory");
        }
        Path realBase;
        try {
            realBase = base.toRealPath();
        }
        catch (IOException e) {
            throw new IllegalStateException("base directory of parameter '" + name + "' is not accessible: " + base,
                    e);
        }
        // the deepest existing ancestor decides: its real path must stay under the real base, or a symbolic link
        // inside the base would lead elsewhere
        Path existing = candidate;
        while (!Files.exists(existing)) {
            if (Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw invalid(name, "symlink-escape", RULE + "; it is a dangling symbolic link");
            }
            if (mustExist) {
                throw invalid(name, "path-missing", "must name an existing file or directory under the base directory");
            }
            Path parent = existing.getParent();
            if (parent == null) {
                throw invalid(name, "path-escape", RULE);
            }
            existing = parent;
        }
        Path real;
        try {
            real = existing.toRealPath();
        }
        catch (IOException e) {
            throw invalid(name, "path-missing", "must name an accessible file or directory under the base directory");
        }
        if (!real.startsWith(realBase)) {
            throw invalid(name, "symlink-escape", RULE + "; a symbolic link leads outside the base directory");
        }
        return real.resolve(existing.relativize(candidate)).toString();
    }

    private static InvalidParameterException invalid(String name, String rule, String what) {
        return new InvalidParameterException(name, rule, "parameter '" + name + "' " + what);
    }
}
