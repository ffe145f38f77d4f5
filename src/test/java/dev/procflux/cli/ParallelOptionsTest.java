package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ParallelOptionsTest {

    @Test
    void jobsAcceptsGnuParallelsRelativeForms() {
        assertThat(JobsArgument.parse("-j", "4", 2)).isEqualTo(4);
        assertThat(JobsArgument.parse("-j", "0", 2)).isZero();
        assertThat(JobsArgument.parse("-j", "200%", 2)).isEqualTo(4);
        assertThat(JobsArgument.parse("-j", "10%", 2)).as("never below one").isEqualTo(1);
        assertThat(JobsArgument.parse("-j", "+2", 2)).isEqualTo(4);
        assertThat(JobsArgument.parse("-j", "-1", 2)).isEqualTo(1);
        assertThat(JobsArgument.parse("-j", "-5", 2)).isEqualTo(1);
        assertThatThrownBy(() -> JobsArgument.parse("-j", "x", 2)).isInstanceOf(UsageException.class)
                .hasMessage("-j must be N, +N, -N (CPUs plus or minus N) or P% (of the CPUs), was 'x'");
        assertThat(RunOptions.parse(List.of("-j", "+0", "echo")).jobs())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void sizesUseGnuParallelsSuffixes() {
        assertThat(ParallelOptions.size("--block", "1k")).isEqualTo(1000);
        assertThat(ParallelOptions.size("--block", "1K")).isEqualTo(1024);
        assertThat(ParallelOptions.size("--block", "2M")).isEqualTo(2L << 20);
        assertThat(ParallelOptions.size("--memfree", "1g")).isEqualTo(1_000_000_000L);
        assertThatThrownBy(() -> ParallelOptions.size("--block", "1x")).isInstanceOf(UsageException.class)
                .hasMessage("--block must be a size such as 1M, 512k or 4096, was '1x'");
    }

    @Test
    void shardTakesEveryNthJobAndReadsKubernetesIndexedJobsEnvironment() {
        Shard s = Shard.parse("1/3", Map.of());
        assertThat(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L)).filteredOn(s::contains).containsExactly(2L, 5L);
        assertThat(Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "2",
                "JOB_COMPLETION_COUNT", "5"))).isEqualTo(new Shard(2, 5));
        assertThatThrownBy(() -> Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "2")))
                .isInstanceOf(UsageException.class).hasMessage("--shard auto needs JOB_COMPLETION_INDEX and "
                        + "JOB_COMPLETION_COUNT in the environment, found JOB_COMPLETION_INDEX=2 "
                        + "JOB_COMPLETION_COUNT=null");
        assertThatThrownBy(() -> Shard.parse("3/3", Map.of())).isInstanceOf(UsageException.class)
                .hasMessage("--shard must be K/N with 0 <= K < N, was '3/3'");
    }

    @Test
    void templateEndsAtTheFirstSourceSeparatorAndSourcesFollow() {
        RunOptions o = RunOptions.parse(List.of("-k", "echo", "{}", ":::", "a", "b", "::::", "f1", "f2", ":::+",
                "x"));
        assertThat(o.template().orElseThrow().toString()).isEqualTo("echo {}");
        assertThat(o.arguments().sources()).containsExactly(new ArgumentSource.Values(List.of("a", "b"), false),
                new ArgumentSource.File("f1", false), new ArgumentSource.File("f2", false),
                new ArgumentSource.Values(List.of("x"), true));
        assertThat(RunOptions.parse(List.of(":::", "a")).template()).isEmpty();
    }

    @Test
    void badCombinationsAreNamed() {
        assertThatThrownBy(() -> RunOptions.parse(List.of("--resume", "echo"))).isInstanceOf(UsageException.class)
                .hasMessage("--resume needs --joblog FILE");
        assertThatThrownBy(() -> RunOptions.parse(List.of("-X", "-m", "echo"))).isInstanceOf(UsageException.class)
                .hasMessage("-X and -m cannot be combined");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--pipe", "wc", ":::", "a")))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--pipe reads stdin in blocks");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--results", "d", "--lb", "echo")))
                .isInstanceOf(UsageException.class).hasMessage("--results keeps each job's output whole: it cannot "
                        + "be combined with --line-buffer or -u");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--header", "x", "echo")))
                .isInstanceOf(UsageException.class)
                .hasMessage("--header supports ':' (the first record names the columns), was 'x'");
        assertThatThrownBy(() -> RunOptions.parse(List.of("--timeout", "0%", "echo")))
                .isInstanceOf(UsageException.class)
                .hasMessage("--timeout must be a whole percentage such as 200%, was '0%'");
    }

    @Test
    void memfreeWaitsUntilEnoughMemoryIsAvailable() {
        long[] free = {100};
        StepVerifier.withVirtualTime(() -> {
            VirtualTimeScheduler vts = VirtualTimeScheduler.get();
            return new StartGate(null, 500, 0, vts, () -> vts.now(TimeUnit.NANOSECONDS), () -> free[0], () -> 0)
                    .awaitTurn();
        })
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(5))
                .then(() -> free[0] = 1000)
                .thenAwait(StartGate.POLL)
                .verifyComplete();
    }

    @Test
    void loadWaitsWhileTooManyProcessesAreRunnable() {
        long[] runnable = {8};
        StepVerifier.withVirtualTime(() -> {
            VirtualTimeScheduler vts = VirtualTimeScheduler.get();
            return new StartGate(null, 0, 4, vts, () -> vts.now(TimeUnit.NANOSECONDS), () -> 0, () -> runnable[0])
                    .awaitTurn();
        })
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(5))
                .then(() -> runnable[0] = 3)
                .thenAwait(StartGate.POLL)
                .verifyComplete();
    }

    @Test
    void delaySpacesTheStartsOfJobs() {
        StepVerifier.withVirtualTime(() -> {
            VirtualTimeScheduler vts = VirtualTimeScheduler.get();
            StartGate gate = new StartGate(Duration.ofSeconds(1), 0, 0, vts, () -> vts.now(TimeUnit.NANOSECONDS),
                    () -> 0, () -> 0);
            return gate.awaitTurn().then(gate.awaitTurn()).then(gate.awaitTurn());
        })
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .verifyComplete();
    }

    @Test
    void medianTimeoutStartsAfterThreeSuccessesAndIsNeverUnderASecond() {
        MedianTimeout t = new MedianTimeout(200);
        t.succeeded(Duration.ofSeconds(1).toNanos());
        t.succeeded(Duration.ofSeconds(3).toNanos());
        assertThat(t.current()).isEmpty();
        t.succeeded(Duration.ofSeconds(2).toNanos());
        assertThat(t.current()).contains(Duration.ofSeconds(4));
        t.succeeded(Duration.ofSeconds(10).toNanos());
        assertThat(t.current()).contains(Duration.ofSeconds(5));
        MedianTimeout quick = new MedianTimeout(200);
        for (int i = 0; i < 3; i++) {
            quick.succeeded(Duration.ofMillis(5).toNanos());
        }
        assertThat(quick.current()).contains(MedianTimeout.FLOOR);
    }

    @Test
    void keptOrderWritesTheOldestLiveAndHoldsTheLaterUntilTheirTurn() {
        StringBuilder out = new StringBuilder();
        KeptOrder order = new KeptOrder(new SpoolStore());
        long first = order.start();
        long second = order.start();
        long third = order.start();
        LiveOutput.Writer w = (stdout, content) -> {
            try {
                content.writeTo((b, offset, length) -> out.append(new String(b, offset, length,
                        java.nio.charset.StandardCharsets.UTF_8)));
            }
            catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        order.write(third, true, bytes("3\n"), w);
        order.write(second, true, bytes("2\n"), w);
        order.write(first, true, bytes("1\n"), w);
        assertThat(out).hasToString("1\n");
        order.end(second);
        assertThat(out).hasToString("1\n");
        order.end(first);
        assertThat(out).hasToString("1\n2\n3\n");
        order.write(third, true, bytes("3b\n"), w);
        assertThat(out).hasToString("1\n2\n3\n3b\n");
    }

    private static ChunkSource bytes(String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ChunkSource.of(b, 0, b.length);
    }
}
