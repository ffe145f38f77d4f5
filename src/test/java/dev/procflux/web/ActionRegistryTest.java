package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActionRegistryTest {
    private static final Path DIR = Path.of("/srv/procflux");

    @Test
    void yamlDescribesActionsWithTypedParameters() {
        ActionRegistry r = ActionRegistry.fromYaml(String.join("\n",
                "actions:",
                "  convert:",
                "    description: Resize an image",
                "    command: [convert, \"{input}\", -resize, \"{size}\", \"png:-\"]",
                "    timeout: 20s",
                "    maxOutputBytes: 1000",
                "    format: raw",
                "    parameters:",
                "      input: {type: path, base: images, mustExist: false}",
                "      size: {type: enum, values: [64x64, 128x128], default: 64x64}",
                "  wc:",
                "    command: [wc, -c]",
                "    stdin: true",
                "    maxBodyBytes: 2048",
                "  seq:",
                "    command: [seq, \"{n}\"]",
                "    parameters:",
                "      n: {type: integer, min: 1, max: 9, default: 3}",
                ""), DIR);
        assertThat(r.actions()).extracting(Action::name).containsExactly("convert", "wc", "seq");
        Action convert = r.find("convert").orElseThrow();
        assertThat(convert.description()).isEqualTo("Resize an image");
        assertThat(convert.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(convert.maxOutputBytes()).isEqualTo(1000);
        assertThat(convert.streamFormat()).isEqualTo(StreamFormat.RAW);
        assertThat(((PathParameter) convert.parameters().get("input")).baseDirectory())
                .isEqualTo(DIR.resolve("images"));
        assertThat(((EnumParameter) convert.parameters().get("size")).values()).containsExactly("64x64", "128x128");
        assertThat(r.find("wc").orElseThrow().stdinFromBody()).isTrue();
        assertThat(r.find("wc").orElseThrow().maxBodyBytes()).isEqualTo(2048);
        assertThat(r.find("seq").orElseThrow().parameters().get("n").defaultValue()).contains("3");
        assertThat(r.find("nope")).isEmpty();
    }

    @Test
    void mistakesAreReportedWithTheActionAndTheKey() {
        assertThatThrownBy(() -> ActionRegistry.fromYaml("actions:\n  a:\n    command: [ls]\n    timout: 5s\n", DIR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("action 'a': unknown action key 'timout'; expected one of [command, ");
        assertThatThrownBy(() -> ActionRegistry.fromYaml(
                "actions:\n  a:\n    command: [ls, \"{d}\"]\n    parameters:\n      d: {type: file}\n", DIR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'a': parameter 'd': 'type' must be string, enum, integer or path, was 'file'");
        assertThatThrownBy(() -> ActionRegistry.fromYaml("actions:\n  a:\n    command: ls\n", DIR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action 'a': 'command' must be a list such as [echo, \"{message}\"]");
        assertThatThrownBy(() -> ActionRegistry.fromYaml("server: {}\nactions: {}\n", DIR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown top-level key 'server'; expected one of [actions, engine, workers]");
        assertThatThrownBy(() -> ActionRegistry.fromYaml("actions: [\n", DIR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid YAML: ");
        assertThat(ActionRegistry.fromYaml("server: {}\nactions: {}\n", DIR, "server").actions()).isEmpty();
    }

    @Test
    void theExampleFileLoads() throws Exception {
        ActionRegistry r = ActionRegistry.fromYaml(Path.of("docs/examples/actions.yaml"));
        assertThat(r.actions()).extracting(Action::name)
                .containsExactly("echo", "date", "wc", "seq", "countdown", "ls");
    }

    @Test
    void anActionNameIsUnique() {
        Action a = Action.builder("a", "true").build();
        assertThatThrownBy(() -> ActionRegistry.builder().add(a).add(a))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("action 'a' added twice");
    }
}
