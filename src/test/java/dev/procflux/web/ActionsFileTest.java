package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procflux.Command;
import dev.procflux.EngineOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The whole actions file format: actions, engine and workers, from a file, a stream or the class path. */
class ActionsFileTest {
    private static final Path SHIPPED = Path.of("docs/examples/actions.yaml");

    @Test
    void theShippedExampleLoadsWithEverySection() throws IOException {
        ActionsFile file = ActionsFile.read(SHIPPED);
        assertThat(file.registry().actions()).extracting(Action::name)
                .containsExactly("echo", "date", "wc", "seq", "countdown", "ls");
        assertThat(file.engineKeys()).containsExactly("maxConcurrency", "maxPendingAcquire", "killGracePeriod");
        EngineOptions engine = file.engine().buildOptions();
        assertThat(engine.maxConcurrency()).isEqualTo(4);
        assertThat(engine.maxPendingAcquire()).isEqualTo(32);
        assertThat(engine.killGracePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(file.workerPools()).singleElement().satisfies(upper -> {
            assertThat(upper.name()).isEqualTo("upper");
            assertThat(upper.framing()).isEqualTo(WorkerPoolSpec.Framing.LINES);
            assertThat(upper.options().minSize()).isEqualTo(1);
            assertThat(upper.options().maxSize()).isEqualTo(2);
            assertThat(upper.options().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(upper.options().command().commandLine()).startsWith("sh -c");
        });
        // the path parameter's base "." is the file's directory
        assertThat(((PathParameter) file.registry().find("ls").orElseThrow().parameters().get("dir")).baseDirectory())
                .isEqualTo(SHIPPED.toAbsolutePath().getParent().normalize());
    }

    @Test
    void actionRegistryFromYamlTakesTheShippedExampleWithoutExtraKeys() throws IOException {
        assertThat(ActionRegistry.fromYaml(SHIPPED).actions()).hasSize(6);
    }

    @Test
    void aClassPathResourceLoadsAgainstTheGivenBaseDirectory() throws IOException {
        Path base = Path.of("/srv/procflux");
        ActionsFile file = ActionsFile.readResource("dev/procflux/boot/actions.yaml", base);
        assertThat(file.registry().find("slow")).isPresent();
        assertThat(file.workerPools()).extracting(WorkerPoolSpec::name).containsExactly("upper");
        assertThatThrownBy(() -> ActionsFile.readResource("dev/procflux/missing.yaml", base))
                .isInstanceOf(IOException.class).hasMessage("no class path resource 'dev/procflux/missing.yaml'");
    }

    @Test
    void everyEngineSettingIsReadAndCheckedAtLoadTime() {
        ActionsFile file = ActionsFile.parse(String.join("\n",
                "engine:",
                "  maxConcurrency: 2",
                "  acquireTimeout: 3s",
                "  maxBufferedBytes: 4194304",
                "  backpressure: fail",
                "  highWaterBytes: 262144",
                "  lowWaterBytes: 65536",
                "actions: {}",
                ""), Path.of("/"));
        EngineOptions o = file.engine().buildOptions();
        assertThat(o.maxConcurrency()).isEqualTo(2);
        assertThat(o.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.maxBufferedBytes()).isEqualTo(4194304);
        assertThat(o.highWaterBytes()).isEqualTo(262144);
        assertThat(o.lowWaterBytes()).isEqualTo(65536);

        assertThatThrownBy(() -> ActionsFile.parse("engine: {maxConcurency: 2}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown engine key 'maxConcurency'; expected one of [acquireTimeout,");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {maxConcurrency: 0}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: maxConcurrency must be >= 1, was 0");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {highWaterBytes: 262144}\nactions: {}\n",
                Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'highWaterBytes' and 'lowWaterBytes' go together");
    }

    @Test
    void directReadsTakesTrueOrFalseAndNamesAnyOtherValue() {
        assertThat(ActionsFile.parse("engine: {directReads: true}\nactions: {}\n", Path.of("/")).engine()
                .buildOptions().directReads()).isTrue();
        ActionsFile off = ActionsFile.parse("engine: {directReads: false}\nactions: {}\n", Path.of("/"));
        assertThat(off.engineKeys()).containsExactly("directReads");
        assertThat(off.engine().buildOptions().directReads()).isFalse();
        assertThatThrownBy(() -> ActionsFile.parse("engine: {directReads: yes}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'directReads' must be true or false, was 'yes'");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {directReads: 1}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'directReads' must be true or false, was 1");
    }

    @Test
    void aWorkerPoolErrorNamesThePoolAndTheKey() {
        assertThatThrownBy(() -> ActionsFile.parse(String.join("\n",
                "actions: {}",
                "workers:",
                "  resize: {command: [convert], protocol: json}",
                ""), Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool 'resize': 'protocol' must be lines or lengthPrefixed, was 'json'");
        assertThatThrownBy(() -> ActionsFile.parse("actions: {}\nworkers: {resize: {size: {min: 1}}}\n",
                Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool 'resize': 'command' must be a non-empty list such as [cat]");
        ActionsFile bytes = ActionsFile.parse(
                "actions: {}\nworkers: {img: {command: [cat], protocol: lengthPrefixed, maxIdle: 1m}}\n",
                Path.of("/"));
        assertThat(bytes.workerPools().get(0).framing()).isEqualTo(WorkerPoolSpec.Framing.LENGTH_PREFIXED);
        assertThat(bytes.workerPools().get(0).options().evictionIdle()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aWorkerInheritsOnlyTheDefaultEnvironmentOfAnAction() {
        ActionsFile file = ActionsFile.parse("actions: {}\nworkers: {w: {command: [cat]}}\n", Path.of("/"));
        Command worker = file.workerPools().get(0).options().command();
        assertThat(worker.inheritsEnvironment()).isFalse();
        assertThat(Action.DEFAULT_INHERITED_ENV).containsAll(worker.environment().keySet());
        assertThat(worker.environment()).containsEntry("PATH", System.getenv("PATH"));
    }

    @Test
    void anUnknownTopLevelKeyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> ActionsFile.parse("actions: {}\nserver: {port: 1}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown top-level key 'server'; expected one of [actions, engine, workers]");
    }
}
