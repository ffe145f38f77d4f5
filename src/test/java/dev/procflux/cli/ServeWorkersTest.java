package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServeWorkersTest {
    @Test
    void theExampleFileDeclaresTheUpperPool() throws Exception {
        ServeWorkers workers = ServeWorkers.parse(Files.readString(Path.of("docs/examples/actions.yaml")));
        assertThat(workers.names()).containsExactly("upper");
    }

    @Test
    void aFileWithoutWorkersHasNone() {
        assertThat(ServeWorkers.parse("actions: {}\n").names()).isEmpty();
    }

    @Test
    void badSettingsNameThePoolAndTheKey() {
        assertThatThrownBy(() -> ServeWorkers.parse("workers:\n  w: {command: []}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool 'w': 'command' must be a non-empty list such as [cat]");
        assertThatThrownBy(() -> ServeWorkers.parse("workers:\n  w: {command: [cat], protocol: json}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool 'w': 'protocol' must be lines or lengthPrefixed, was 'json'");
        assertThatThrownBy(() -> ServeWorkers.parse("workers:\n  w: {command: [cat], size: {min: 3, max: 2}}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool 'w': sizeBetween max must be >= 1 and >= min (3), was 2");
        assertThatThrownBy(() -> ServeWorkers.parse("workers:\n  w: {command: [cat], requestTimeout: soon}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("worker pool 'w': requestTimeout must be a duration such as 500ms");
        assertThatThrownBy(() -> ServeWorkers.parse("workers: [cat]\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'workers' must be a mapping of pool names to pools");
    }
}
