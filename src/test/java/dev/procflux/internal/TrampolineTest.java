package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrampolineTest {
    @Test
    void aCommandWithoutRawBytesStartsDirectly() {
        assertThat(Trampoline.isNeeded(List.of("printf", "%s", "grüße 😀 \uD800\uDC80"), Map.of("LANG", "C.UTF-8")))
                .isFalse();
        assertThat(Trampoline.isNeeded(List.of("printf", "%s", "caf\uDCE9"), Map.of())).isTrue();
        assertThat(Trampoline.isNeeded(List.of("env"), Map.of("NAME", "caf\uDCE9"))).isTrue();
    }

    @Test
    void rawBytesTravelAsPrintfFormatsInPositionalParametersNeverInTheScript() {
        String arg = "-n caf\uDCE9 $(touch x) `y` 'q' \"d\" %s \\n\n";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PWD", "/work");
        env.put("A-B", "\uDCFF");
        Trampoline.Launch launch = Trampoline.of(List.of("printf", "%s", arg), env);
        List<String> argv = launch.argv();
        assertThat(argv.subList(0, 2)).containsExactly("/bin/sh", "-c");
        assertThat(argv.get(2)).doesNotContain("caf", "touch", "%s", "PWD", "A-B");
        assertThat(argv.subList(3, argv.size())).containsExactly("printf", "%s",
                "-n caf\\351 $(touch x) `y` 'q' \"d\" %%s \\\\n\n", "PWD=/work", "A-B=\\377");
        assertThat(argv.get(2)).isEqualTo(
                "v2=$(printf \"X${2}X\") || exit 126\nv2=${v2#X}; v2=${v2%X}\n"
                + "v4=$(printf \"X${4}X\") || exit 126\nv4=${v4#X}; v4=${v4%X}\n"
                + "exec /usr/bin/env -i -- \"${3}\" \"$v4\" \"${0}\" \"${1}\" \"$v2\"\n");
        assertThat(launch.environment()).as("the shell runs with no environment").isEmpty();
    }

    @Test
    void aFormatIsAllAsciiWithEveryByteAboveItInOctal() {
        assertThat(Trampoline.format("é\uDCE9 100% \\n")).isEqualTo("\\303\\251\\351 100%% \\\\n");
    }

    @Test
    void anExecutableNamedWithAnEqualsSignIsRefusedSinceEnvWouldTakeItForAVariable() {
        assertThatThrownBy(() -> Trampoline.of(List.of("a=b", "\uDCE9"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an executable whose name contains '=' cannot be given bytes that are not UTF-8");
    }
}
