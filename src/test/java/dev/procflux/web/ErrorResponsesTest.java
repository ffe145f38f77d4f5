package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.ExitStatus;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessOutputOverflowException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessPoolOverloadedException;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.WorkerCrashedException;
import dev.procflux.WorkerProtocolException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBufferLimitException;

class ErrorResponsesTest {
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new RequestException(415, "unsupported-media-type", "m"), 415, "unsupported-media-type"),
                Arguments.of(new InvalidParameterException("p", "range", "m"), 400, "invalid-parameter"),
                Arguments.of(new ProcessPoolOverloadedException(0, "m", null), 503, "overloaded"),
                Arguments.of(new ProcessAcquireTimeoutException("sleep 1", Duration.ofSeconds(1), "acquired=1/1",
                        null), 503, "overloaded"),
                Arguments.of(new WorkerCrashedException("cat", 42, ExitStatus.signaled(9), "", "while idle", null),
                        502, "worker-crashed"),
                Arguments.of(new WorkerProtocolException("cat", 42, "m", null), 502, "worker-protocol-error"),
                Arguments.of(new ProcessPoolClosedException("m", null), 503, "unavailable"),
                Arguments.of(new ProcessTimeoutException("sleep 9", ProcessTimeoutException.Phase.RUN,
                        Duration.ofSeconds(1)), 504, "timeout"),
                Arguments.of(new ProcessOutputOverflowException("yes", 4, "m"), 500, "output-limit"),
                Arguments.of(new DataBufferLimitException("m"), 413, "body-too-large"),
                Arguments.of(new ProcessStartException(ProcessStartException.Reason.EMPTY_COMMAND, "", "m", null),
                        500, "start-failed"),
                Arguments.of(new IllegalStateException("m"), 500, "internal"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void eachFailureHasOneStatusAndErrorKeyword(Throwable e, int status, String error) {
        ErrorResponses.Failure f = ErrorResponses.classify(e);
        assertThat(f.status()).isEqualTo(status);
        assertThat(f.error()).isEqualTo(error);
        assertThat(f.message()).isEqualTo(e.getClass() == IllegalStateException.class ? "IllegalStateException: m"
                : e.getMessage());
    }
}
