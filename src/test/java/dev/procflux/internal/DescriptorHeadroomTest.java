package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DescriptorHeadroomTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicLong open = new AtomicLong(90);
    private final AtomicLong counts = new AtomicLong();
    private final DescriptorHeadroom headroom = new DescriptorHeadroom(now::get, () -> {
        counts.incrementAndGet();
        return open.get();
    }, () -> 100);

    @Test
    void launchesAreNotCheckedUntilOneFails() {
        open.set(99);
        assertThat(headroom.refusal()).isNull();
        assertThat(counts).hasValue(0);
    }

    @Test
    void afterAFailureALaunchWithoutRoomForItsPipesIsRefusedWithTheFigures() {
        headroom.launchFailed();
        open.set(93);
        assertThat(headroom.refusal())
                .isEqualTo("open file descriptors 93 of 100, a launch needs 8 free");
        open.set(92);
        assertThat(headroom.refusal()).isNull();
    }

    @Test
    void theChecksStopOnceTheWindowPassesWithoutAShortage() {
        headroom.launchFailed();
        now.addAndGet(DescriptorHeadroom.WINDOW_NANOS + 1);
        open.set(99);
        assertThat(headroom.refusal()).isNull();
        assertThat(headroom.refusal()).isNull();
        assertThat(counts).as("no count once the window has passed").hasValue(0);
    }

    @Test
    void aShortageSeenInTheWindowExtendsIt() {
        headroom.launchFailed();
        open.set(99);
        now.addAndGet(DescriptorHeadroom.WINDOW_NANOS - 1);
        assertThat(headroom.refusal()).isNotNull();
        now.addAndGet(DescriptorHeadroom.WINDOW_NANOS - 1);
        assertThat(headroom.refusal()).as("still short, still refused").isNotNull();
    }
}
