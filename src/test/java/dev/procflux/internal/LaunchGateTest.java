package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What {@link LaunchGate} holds before it opens, and in which order it runs it. */
class LaunchGateTest {
    private final LaunchGate gate = new LaunchGate();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final Runnable write = () -> ran.add("write on " + Thread.currentThread().getName());
    private final Runnable close = () -> ran.add("close on " + Thread.currentThread().getName());

    @Test
    void requestsBeforeTheOpeningWaitForItAndRunOnceEachInTheOrderOfTheirFirstRequest() throws InterruptedException {
        Thread other = new Thread(() -> {
            gate.run(write);
            gate.run(close);
            gate.run(write);
        }, "other");
        other.start();
        other.join();
        assertThat(ran).isEmpty();

        gate.open();

        String self = Thread.currentThread().getName();
        assertThat(ran).containsExactly("write on " + self, "close on " + self);
    }

    @Test
    void requestsAfterTheOpeningRunAtOnceOnTheirCaller() throws InterruptedException {
        gate.open();
        Thread other = new Thread(() -> gate.run(write), "other");
        other.start();
        other.join();
        gate.run(close);

        assertThat(ran).containsExactly("write on other", "close on " + Thread.currentThread().getName());
    }

    @Test
    void anOpeningWithNothingHeldRunsNothing() {
        gate.open();

        assertThat(ran).isEmpty();
    }
}
