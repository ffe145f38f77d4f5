package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServeOptionsTest {

    @ParameterizedTest
    @CsvSource({
            "'', 262144",
            "--send-buffer=256K, 262144",
            "--send-buffer=1M, 1048576",
            "--send-buffer=4096, 4096",
            "--send-buffer=300k, 300000",
            "--send-buffer=kernel, -1"})
    void theSendBufferIsASizeOrKernelAndDefaultsTo256K(String option, int bytes) {
        List<String> args = option.isEmpty() ? List.of("-c", "a.yaml") : List.of("-c", "a.yaml", option);
        assertThat(ServeOptions.parse(args).sendBufferBytes).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1M", "kernel"})
    void theSendBufferTakesItsValueAsTheNextArgumentToo(String value) {
        assertThat(ServeOptions.parse(List.of("--send-buffer", value, "-c", "a.yaml")).sendBufferBytes)
                .isEqualTo(value.equals("kernel") ? -1 : 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "4095", "4k", "-1", "2G", "big", "1X", ""})
    void aBadSendBufferIsAUsageErrorNamingTheOptionAndTheValue(String value) {
        assertThatThrownBy(() -> ServeOptions.parse(List.of("-c", "a.yaml", "--send-buffer=" + value)))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--send-buffer must be a size")
                .hasMessageEndingWith(", was '" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "big"})
    void theSendBufferRuleIsStatedForEveryBadValue(String value) {
        assertThatThrownBy(() -> ServeOptions.parse(List.of("-c", "a.yaml", "--send-buffer", value)))
                .hasMessage("--send-buffer must be a size from 4K to 2G (such as 256K or 1M) or 'kernel', was '"
                        + value + "'");
    }

    @Test
    void theSendBufferNeedsAValue() {
        assertThatThrownBy(() -> ServeOptions.parse(List.of("-c", "a.yaml", "--send-buffer")))
                .isInstanceOf(UsageException.class).hasMessage("--send-buffer needs a value");
    }
}
