package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** An optional dependency that is missing fails with its Maven coordinates, not a NoClassDefFoundError. */
@EnabledOnOs(OS.LINUX)
class OptionalDependencyIT {

    @Test
    void withoutSnakeyamlEngineLoadingActionsNamesItsCoordinates() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("snakeyaml-engine"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(classPath).isNotEqualTo(System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", classPath, MissingYamlChild.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = output.lines().toList();
        String expected = "java.lang.IllegalStateException: reading actions files needs "
                + "org.snakeyaml:snakeyaml-engine:3.2 on the class path (an optional dependency of procflux): class "
                + "org.snakeyaml.engine.v2.api.Load was not found";
        assertThat(lines).as(output).containsExactly(expected, expected);
    }
}
