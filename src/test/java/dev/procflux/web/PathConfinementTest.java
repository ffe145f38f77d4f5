package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathConfinementTest {
    @TempDir
    Path dir;

    private Path base;
    private Path outside;

    @BeforeEach
    void setUp() throws Exception {
        base = Files.createDirectory(dir.resolve("base"));
        outside = Files.createDirectory(dir.resolve("outside"));
        Files.writeString(base.resolve("a.txt"), "a");
        Files.createDirectory(base.resolve("sub"));
        Files.writeString(outside.resolve("secret"), "s");
        Files.createSymbolicLink(base.resolve("out-link"), outside);
        Files.createSymbolicLink(base.resolve("in-link"), base.resolve("sub"));
        Files.createSymbolicLink(base.resolve("dangling"), dir.resolve("nowhere"));
    }

    private void assertRefused(PathConfinement c, String value, String rule, String message) {
        assertThatThrownBy(() -> c.resolve("p", value)).isInstanceOf(InvalidParameterException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((InvalidParameterException) e).rule()).isEqualTo(rule))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(dir.toString()));
    }

    @Test
    void valuesInsideTheBaseResolveToTheirRealPath() throws Exception {
        PathConfinement c = new PathConfinement(base, true);
        Path real = base.toRealPath();
        assertThat(c.resolve("p", "a.txt")).isEqualTo(real.resolve("a.txt").toString());
        assertThat(c.resolve("p", "sub/../a.txt")).isEqualTo(real.resolve("a.txt").toString());
        assertThat(c.resolve("p", ".")).isEqualTo(real.toString());
        assertThat(c.resolve("p", base.resolve("a.txt").toString())).isEqualTo(real.resolve("a.txt").toString());
        assertThat(c.resolve("p", "in-link")).isEqualTo(real.resolve("sub").toString());
    }

    @Test
    void escapesByDotsAbsolutePathsAndLinksAreRefusedWithoutNamingServerPaths() {
        PathConfinement c = new PathConfinement(base, true);
        String escape = "parameter 'p' must be a path under the base directory; it resolves outside the base "
                + "directory";
        assertRefused(c, "../outside/secret", "path-escape", escape);
        assertRefused(c, "sub/../../outside", "path-escape", escape);
        assertRefused(c, outside.resolve("secret").toString(), "path-escape", escape);
        assertRefused(c, "/etc/passwd", "path-escape", escape);
        assertRefused(c, "out-link/secret", "symlink-escape", "parameter 'p' must be a path under the base directory; "
                + "a symbolic link leads outside the base directory");
        assertRefused(c, "dangling", "symlink-escape", "parameter 'p' must be a path under the base directory; it is "
                + "a dangling symbolic link");
        assertRefused(c, "", "path-syntax", "parameter 'p' must not be empty (use '.' for the base directory)");
        assertRefused(c, "a\0b", "path-syntax", "parameter 'p' is not a valid path");
    }

    @Test
    void aMissingFileIsRefusedOrConfinedByItsDeepestExistingAncestor() throws Exception {
        assertRefused(new PathConfinement(base, true), "new.txt", "path-missing",
                "parameter 'p' must name an existing file or directory under the base directory");
        PathConfinement maybe = new PathConfinement(base, false);
        assertThat(maybe.resolve("p", "sub/new/file.txt"))
                .isEqualTo(base.toRealPath().resolve("sub/new/file.txt").toString());
        assertRefused(maybe, "out-link/new.txt", "symlink-escape", "parameter 'p' must be a path under the base "
                + "directory; a symbolic link leads outside the base directory");
    }
}
