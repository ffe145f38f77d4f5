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
    void everyEngineSettingOfTheFileReachesTheEngineOptions() {
        ActionsFile file = ActionsFile.parse(String.join("\n",
                "engine:",
                "  maxConcurrency: 3",
                "  maxPendingAcquire: 7",
                "  acquireTimeout: 250ms",
                "  killGracePeriod: 1m",
                "  maxBufferedBytes: 2097152",
                "  backpressure: pause",
                "  highWaterBytes: 524288",
                "  lowWaterBytes: 131072",
                "  maxTotalBufferedBytes: 33554432",
                "  directReads: true",
                "actions: {}",
                ""), Path.of("/"));
        EngineOptions o = file.engine().buildOptions();
        assertThat(o.maxConcurrency()).isEqualTo(3);
        assertThat(o.maxPendingAcquire()).isEqualTo(7);
        assertThat(o.acquireTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.killGracePeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.maxBufferedBytes()).isEqualTo(2097152);
        assertThat(o.backpressure()).isEqualTo(dev.procflux.BackpressurePolicy.PAUSE);
        assertThat(o.highWaterBytes()).isEqualTo(524288);
        assertThat(o.lowWaterBytes()).isEqualTo(131072);
        assertThat(o.maxTotalBufferedBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(o.directReads()).isTrue();
    }

    @Test
    void maxTotalBufferedBytesTakesBytesOrANegativeNumberForNoBudgetAndNamesABadValue() {
        assertThat(ActionsFile.parse("engine: {maxTotalBufferedBytes: -1}\nactions: {}\n", Path.of("/")).engine()
                .buildOptions().maxTotalBufferedBytes()).isEqualTo(-1);
        assertThatThrownBy(() -> ActionsFile.parse("engine: {maxTotalBufferedBytes: 1024}\nactions: {}\n",
                Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: maxTotalBufferedBytes must be >= 65536 or negative (no limit), was 1024");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {maxTotalBufferedBytes: 256MB}\nactions: {}\n",
                Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'maxTotalBufferedBytes' must be an integer, was '256MB'");
        assertThatThrownBy(() -> ActionsFile.parse(
                "engine: {maxTotalBufferedBytes: 99999999999999999999}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'maxTotalBufferedBytes' is out of range: 99999999999999999999");
    }

    @Test
    void aBadEngineSizeOrDurationNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ActionsFile.parse("engine: {maxBufferedBytes: 1000}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: maxBufferedBytes must be >= 65536, was 1000");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {maxBufferedBytes: 8 MiB}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'maxBufferedBytes' must be an integer, was '8 MiB'");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {acquireTimeout: 3 seconds}\nactions: {}\n",
                Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'acquireTimeout': a duration must look like 500ms, 30s, 2m or 1h, "
                        + "was '3 seconds'");
        assertThatThrownBy(() -> ActionsFile.parse("engine: {killGracePeriod: [2s]}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: 'killGracePeriod' must be a string");
        assertThatThrownBy(() -> ActionsFile.parse(
                "engine: {highWaterBytes: 262144, lowWaterBytes: 262144}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: lowWaterBytes must be in [0, highWaterBytes - 81920), was 262144 "
                        + "with highWaterBytes=262144");
        assertThatThrownBy(() -> ActionsFile.parse(
                "engine: {maxBufferedBytes: 131072}\nactions: {}\n", Path.of("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("engine: maxBufferedBytes must be above highWaterBytes + 65536: 131072 <= 4194304 + 65536");
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
