package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

/**
 * A thousand stalled streams at once, each of a process that writes as fast as it can: the engine's budget, not
 * the streams' marks, bounds what they queue together. Heavy (a thousand processes), so it runs with the soak
 * ({@code -Psoak}).
 */
@EnabledOnOs(OS.LINUX)
@Tag("soak")
class ThousandStreamsIT {
    private static final int STREAMS = 1000;

    @Test
    void aThousandStalledStreamsStayWithinTheBudget() {
        long budget = 32L << 20;
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(STREAMS).maxTotalBufferedBytes(budget)
                .killGracePeriod(Duration.ofMillis(500)).build()) {
            List<Stalled> subs = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                Stalled s = new Stalled();
                engine.stream(Command.of("yes")).subscribe(s);
                subs.add(s);
            }
            await().atMost(Duration.ofMinutes(3)).until(() -> engine.metrics().alive() == STREAMS
                    && subs.stream().allMatch(s -> s.bytes.get() > 0));
            // every process ends up paused and the total stops moving
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long before = engine.metrics().bufferedBytes();
                return engine.metrics().pauses() >= STREAMS && engine.metrics().bufferedBytes() == before;
            });
            EngineMetrics m = engine.metrics();
            System.out.printf("%d stalled streams, budget %,d: queued %,d bytes (%,d per stream), peak %,d, "
                    + "pauses %d (budget %d)%n", STREAMS, budget, m.bufferedBytes(), m.bufferedBytes() / STREAMS,
                    m.peakBufferedBytes(), m.pauses(), m.budgetPauses());
            assertThat(m.budgetPauses()).isPositive();
            // the budget is 32 KiB per stream, above the per-stream floor (StreamMarks.BUDGET_FLOOR): without the
            // budget each stream would hold its initial 128 KiB mark plus a read, over 125 MiB together
            assertThat(m.bufferedBytes()).isLessThanOrEqualTo(budget);
            subs.forEach(Disposable::dispose);
            OsProcesses.awaitNoLiveChildren();
            // a cancelled stream releases its queue on its delivery thread, after its process is gone
            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertThat(engine.metrics().bufferedBytes()).isZero());
        }
    }

    /** Takes the first chunk, then never asks for more. */
    private static final class Stalled extends BaseSubscriber<ProcessOutput> {
        final AtomicLong bytes = new AtomicLong();

        @Override
        protected void hookOnSubscribe(Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(ProcessOutput o) {
            bytes.addAndGet(o.size());
        }
    }
}
