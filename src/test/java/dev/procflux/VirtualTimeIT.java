package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A user's own timeout handling, tested with {@code StepVerifier.withVirtualTime} against a real process, using
 * the documented {@link ProcessEngine.Builder#virtualTime} option. Repeated: the race it removes (the process's
 * timeout armed after the test advanced the clock) lost most runs.
 */
@EnabledOnOs(OS.LINUX)
class VirtualTimeIT {
    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    private final ProcessEngine engine = ProcessEngine.builder().closeOnShutdown(false).virtualTime(clock).build();

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    /** The user's code under test: a slow lookup falls back to a default after 5 seconds. */
    private Mono<String> lookupWithFallback() {
        return engine.execute(Command.of("sleep", "30").withTimeout(Duration.ofSeconds(5)))
                .map(ProcessResult::stdoutText)
                .onErrorResume(ProcessTimeoutException.class, e -> Mono.just("fallback after " + e.timeout()));
    }

    @RepeatedTest(10)
    void aProcessTimeoutFiresWhenTheVirtualClockPassesIt() {
        StepVerifier.withVirtualTime(this::lookupWithFallback, () -> clock, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(5))
                .expectNext("fallback after PT5S")
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    @RepeatedTest(3)
    void anAcquireTimeoutIsTimedOnTheVirtualClockToo() {
        ProcessEngine one = ProcessEngine.builder().closeOnShutdown(false).maxConcurrency(1)
                .acquireTimeout(Duration.ofSeconds(30)).virtualTime(clock).build();
        try {
            StepVerifier hog = StepVerifier.create(one.execute(Command.of("sleep", "30"))).expectError().verifyLater();
            StepVerifier.withVirtualTime(() -> one.execute(Command.of("true")), () -> clock, Long.MAX_VALUE)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofSeconds(30))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessAcquireTimeoutException.class)
                            .hasMessage("acquire timed out after 30s: acquired=1/1, pending=0"))
                    .verify(Duration.ofSeconds(20));
            one.dispose();
            hog.verify(Duration.ofSeconds(20));
        }
        finally {
            OsProcesses.closeAndAssertClean(one);
        }
    }
}
