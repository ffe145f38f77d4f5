package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** After many mixed runs, descriptors, threads, children and slots are back where they started. */
@EnabledOnOs(OS.LINUX)
class LeakIT {

    @Test
    void twoThousandMixedRunsLeaveNoDescriptorThreadChildOrSlotBehind() {
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(8).killGracePeriod(Duration.ofMillis(100))
                .build();
        // warm up the shared threads (NuProcess I/O, schedulers) so they are part of the baseline
        runMix(engine, 40);
        OsProcesses.awaitNoChildren();
        long fds = OsProcesses.openFileDescriptors();
        int threads = Thread.activeCount();

        runMix(engine, 2000);

        OsProcesses.awaitNoChildren();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(engine.metrics().acquired()).isZero();
            assertThat(engine.metrics().alive()).isZero();
            assertThat(OsProcesses.openFileDescriptors()).isLessThanOrEqualTo(fds);
            assertThat(Thread.activeCount()).isLessThanOrEqualTo(threads + 2);
        });
        EngineMetrics m = engine.metrics();
        assertThat(m.succeeded() + m.failed() + m.timedOut() + m.cancelled() + m.startFailures())
                .isEqualTo(2040);
        engine.close();
    }

    private static void runMix(ProcessEngine engine, int n) {
        Flux.range(0, n).flatMap(i -> {
            switch (i % 5) {
                case 0:
                    return engine.execute(Command.of("true")).then();
                case 1:
                    return engine.execute(Command.shell("echo err >&2; exit 2")).then();
                case 2:
                    return engine.execute(Command.of("sleep", "5").withTimeout(Duration.ofMillis(20)))
                            .onErrorResume(ProcessTimeoutException.class, e -> Mono.empty()).then();
                case 3:
                    return engine.lines(Command.shell("echo a; exec sleep 5")).take(1).then();
                default:
                    return engine.execute(Command.of("procflux-missing-binary"))
                            .onErrorResume(ProcessStartException.class, e -> Mono.empty()).then();
            }
        }, 16).blockLast(Duration.ofMinutes(3));
    }
}
