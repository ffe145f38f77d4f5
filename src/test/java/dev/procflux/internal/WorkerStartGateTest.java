package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procflux.ProcessStartException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkerStartGateTest {
    private static final long MS = 1_000_000;

    private final WorkerStartGate gate = new WorkerStartGate(3, Duration.ofMillis(100), "bad.py");

    @Test
    void launchesAtOnceUntilAStartFails() {
        assertThat(gate.admit(0)).isZero();
    }

    @Test
    void backOffDoublesWithEachFailureInARow() {
        gate.failed(new IllegalStateException("first"), 0);
        assertThat(gate.admit(0)).isEqualTo(100 * MS);
        assertThat(gate.admit(40 * MS)).isEqualTo(60 * MS);
        gate.failed(new IllegalStateException("second"), 1000 * MS);
        assertThat(gate.admit(1000 * MS)).isEqualTo(200 * MS);
    }

    @Test
    void refusesFastAfterMaxAttemptsUntilTheCoolDownThenLetsOneAttemptThrough() {
        for (int i = 0; i < 3; i++) {
            gate.failed(new IllegalStateException("exit " + i), 0);
        }
        assertThatThrownBy(() -> gate.admit(100 * MS))
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("worker 'bad.py' failed to start 3 times in a row; not trying again for 300ms; "
                        + "last failure: exit 2")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(gate.admit(400 * MS)).isZero();
        // the one attempt is in progress: everyone else still fails fast
        assertThatThrownBy(() -> gate.admit(401 * MS)).isInstanceOf(ProcessStartException.class);
    }

    @Test
    void anAnsweredRequestResetsTheCount() {
        gate.failed(new IllegalStateException("first"), 0);
        gate.failed(new IllegalStateException("second"), 0);
        gate.succeeded();
        assertThat(gate.failuresInARow()).isZero();
        assertThat(gate.admit(0)).isZero();
    }

    @Test
    void backOffIsCappedAtOneMinute() {
        WorkerStartGate slow = new WorkerStartGate(40, Duration.ofSeconds(10), "w");
        for (int i = 0; i < 39; i++) {
            slow.failed(new IllegalStateException("x"), 0);
        }
        assertThat(slow.admit(0)).isEqualTo(Duration.ofMinutes(1).toNanos());
    }
}
