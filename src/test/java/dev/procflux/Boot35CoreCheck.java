package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The core (engine, worker pool, meters) runs with Spring Boot 3.5's Reactor 3.7, Reactor Pool 1.1 and Micrometer
 * 1.15, in a child JVM whose class path has those jars (copied to target/boot35-lib by the boot35-core profile)
 * instead of the ones procflux is built against. Runs only in that profile: {@code mvn -B verify -Pboot35-core}.
 */
@EnabledOnOs(OS.LINUX)
class Boot35CoreCheck {

    @Test
    void theCoreRunsWithSpringBoot35sReactorReactorPoolAndMicrometer() throws Exception {
        Path lib = Path.of("target", "boot35-lib");
        assertThat(lib).as("copied by the boot35-core profile").isDirectory();
        List<String> classPath = new ArrayList<>();
        classPath.add(Path.of("target", "classes").toString());
        classPath.add(Path.of("target", "test-classes").toString());
        try (Stream<Path> jars = Files.list(lib)) {
            jars.map(Path::toString).sorted().forEach(classPath::add);
        }
        // the rest of the core's dependencies, unchanged between Boot 3.5 and 4
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("nuprocess") || e.contains("/jna/") || e.contains("jspecify"))
                .forEach(classPath::add);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, classPath),
                Boot35CoreChild.class.getName()).redirectErrorStream(true).start();
        String output = read(child);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("ok reactor-core=3.7.12 reactor-pool=1.1.5 micrometer=1.15.5");
    }

    private static String read(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
