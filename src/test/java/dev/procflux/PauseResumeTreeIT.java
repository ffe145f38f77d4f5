package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pausing and resuming a tree whose processes exit while it is stopped: in {@code sh -c 'yes | head -c N'}, head
 * ends its input as it reaches N, so {@code yes} dies of SIGPIPE as soon as it runs again, while the shell reaps
 * it. A resume must still continue every process it stopped; a process left stopped holds its stream forever.
 */
@EnabledOnOs(OS.LINUX)
class PauseResumeTreeIT {
    @Test
    void everyProcessOfAPausedTreeIsResumedWhileItsMembersExit() {
        // small marks pause each stream many times; four at a time, as a batch of jobs would run them
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(4).watermarks(128 * 1024, 16 * 1024)
                .killGracePeriod(Duration.ofMillis(200)).build()) {
            List<Long> sizes = Flux.range(0, 300)
                    .flatMap(i -> engine.stream(Command.of("sh", "-c", "echo job $0; yes $0 | head -c 300000",
                            Integer.toString(i)))
                            .limitRate(2)
                            .delayElements(Duration.ofMillis(1))
                            .map(ProcessOutput::size)
                            .reduce(0L, (a, b) -> a + b)
                            .timeout(Duration.ofSeconds(30), Mono.defer(() -> Mono.<Long>error(new AssertionError(
                                    "job " + i + " is stuck")))), 4)
                    .collectList()
                    .block(Duration.ofMinutes(5));
            assertThat(sizes).hasSize(300).allMatch(n -> n >= 300_006 && n <= 300_008, "\"job N\\n\" and 300,000 bytes");
            assertThat(engine.metrics().pauses()).as("the test must pause streams").isPositive();
            OsProcesses.closeAndAssertClean(engine);
        }
    }
}
