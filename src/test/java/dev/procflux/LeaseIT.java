package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@EnabledOnOs(OS.LINUX)
class LeaseIT {
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(1)
            .killGracePeriod(Duration.ofMillis(200)).build();

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    @Test
    void commandsOnALeaseRunInSequenceOnOneSlot() {
        List<String> out = engine.withLease(lease -> lease.execute(Command.of("echo", "a"))
                        .map(ProcessResult::stdoutText)
                        .concatWith(lease.lines(Command.of("echo", "b")))
                        .concatWith(Mono.fromSupplier(() -> "acquired=" + engine.metrics().acquired())))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(out).containsExactly("a\n", "b", "acquired=1");
    }

    @Test
    void aLeaseHoldsItsSlotSoOtherCallersWait() {
        Flux<String> leased = engine.withLease(lease -> lease.execute(Command.of("sleep", "0.3"))
                .thenMany(lease.lines(Command.of("echo", "lease done"))));
        Flux<String> other = engine.lines(Command.of("echo", "other"));
        List<String> order = Flux.merge(leased, other.delaySubscription(Duration.ofMillis(50)))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(order).containsExactly("lease done", "other");
    }

    @Test
    void aSecondProcessWhileTheFirstIsAliveFailsClearly() {
        StepVerifier.create(engine.withLease(lease -> Flux.merge(
                        lease.execute(Command.of("sleep", "0.5")),
                        lease.execute(Command.of("true")).delaySubscription(Duration.ofMillis(100)))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("one process at a time"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void cancellingTheScopeKillsItsProcessAndReleasesTheSlotAfterwards() {
        StepVerifier.create(engine.withLease(lease -> lease.lines(Command.shell("echo go; exec sleep 60"))))
                .expectNext("go")
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        OsProcesses.awaitNoLiveChildren();
        assertThat(engine.execute(Command.of("true")).block(Duration.ofSeconds(10)).isSuccess()).isTrue();
    }
}
