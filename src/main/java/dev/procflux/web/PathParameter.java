package dev.procflux.web;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A parameter naming a file or directory under a base directory, confined by {@link PathConfinement}: the value
 * (relative, or absolute inside the base) is resolved against the base and normalized, and refused if the result
 * or its real path (symbolic links followed) leaves the base. The argv element is the absolute real path.
 * Resolving touches the file system. Create with {@link Parameter#path}.
 *
 * @param common the rules every parameter has
 * @param baseDirectory the directory values are confined to; absolute and normalized
 * @param mustExist whether a value must name an existing file or directory
 */
public record PathParameter(Common common, Path baseDirectory, boolean mustExist) implements Parameter {
    /**
     * @param common the rules every parameter has
     * @param baseDirectory the directory values are confined to; made absolute and normalized
     * @param mustExist whether a value must name an existing file or directory
     */
    public PathParameter {
        Objects.requireNonNull(common, "common");
        baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory").toAbsolutePath().normalize();
    }

    @Override
    public String ruleDescription() {
        // relative: the server's own directory layout is not the client's business
        return "must be a path under the base directory";
    }

    @Override
    public String resolve(@Nullable String value) {
        String v = common.check(value, false);
        return new PathConfinement(baseDirectory, mustExist).resolve(common.name(), v);
    }

    @Override
    public String toString() {
        return common.describe("PATH", ruleDescription());
    }
}
