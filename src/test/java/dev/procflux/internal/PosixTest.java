package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Process ids reach libc as {@code pid_t} (an {@code int}). Every call uses signal 0 or a non-reaping peek, so even
 * a regression signals nothing.
 */
class PosixTest {
    private static final int NULL_SIGNAL = 0;

    @Test
    void aPidBeyondTheIntRangeIsRejectedInsteadOfTruncatedToAnotherProcess() {
        long fake = (1L << 40) + 1; // truncated, this would be pid 1
        assertThatThrownBy(() -> Posix.signal(fake, NULL_SIGNAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pid must be between 1 and 2147483647, was 1099511627777");
        assertThatThrownBy(() -> Posix.peekExit(fake))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("was 1099511627777");
    }

    @Test
    void zeroAndNegativePidsThatNameProcessGroupsAreRejected() {
        assertThatThrownBy(() -> Posix.signal(0, NULL_SIGNAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("was 0");
        assertThatThrownBy(() -> Posix.signal(-1, NULL_SIGNAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("was -1");
    }

    @Test
    void everyPidOfTheIntRangeAboveZeroPassesUnchanged() {
        assertThat(Posix.pidT(1)).isEqualTo(1);
        assertThat(Posix.pidT(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
        Posix.signal(ProcessHandle.current().pid(), NULL_SIGNAL); // exists: no exception
    }
}
