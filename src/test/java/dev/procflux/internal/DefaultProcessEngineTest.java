package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.EngineOptions;
import dev.procflux.ExitStatus;
import dev.procflux.PoolEvents;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessPoolOverloadedException;
import dev.procflux.ProcessResult;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class DefaultProcessEngineTest {
    private final FakeLauncher launcher = new FakeLauncher();

    private DefaultProcessEngine engine(ProcessEngine.Builder builder) {
        EngineOptions options = builder.closeOnShutdown(false).launchScheduler(Schedulers.immediate())
                .deliveryScheduler(Schedulers.immediate()).buildOptions();
        // kills on the calling thread: a fake process records its signals at once, so the tests read them in order
        return new DefaultProcessEngine(options, launcher, new KillQueue(Runnable::run, () -> { }));
    }

    @Test
    void timeoutKillsAfterTheConfiguredDurationOfVirtualTime() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        DefaultProcessEngine engine = engine(ProcessEngine.builder().timerScheduler(vts)
                .killGracePeriod(Duration.ofSeconds(2)));
        StepVerifier.withVirtualTime(() -> engine.execute(Command.of("true").withTimeout(Duration.ofSeconds(5))),
                        () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessTimeoutException.class)
                        .hasMessage("'true' timed out after 5s (RUN); process tree killed, ended with signal 15 "
                                + "(SIGTERM)"))
                .verify(Duration.ofSeconds(5));
        assertThat(launcher.launched.get(0).signals).containsExactly(Posix.SIGTERM);
        assertThat(engine.metrics().timedOut()).isEqualTo(1);
        assertThat(engine.metrics().acquired()).isZero();
    }

    @Test
    void aProcessThatIgnoresSigtermGetsSigkillAfterTheGracePeriod() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        launcher.exitOnSignal = false;
        DefaultProcessEngine engine = engine(ProcessEngine.builder().timerScheduler(vts)
                .killGracePeriod(Duration.ofSeconds(2)));
        Disposable d = engine.execute(Command.of("true")).subscribe();
        FakeLauncher.FakeProcess p = launcher.launched.get(0);
        d.dispose();
        assertThat(p.signals).containsExactly(Posix.SIGTERM);
        vts.advanceTimeBy(Duration.ofMillis(1999));
        assertThat(p.signals).containsExactly(Posix.SIGTERM);
        vts.advanceTimeBy(Duration.ofMillis(1));
        assertThat(p.signals).containsExactly(Posix.SIGTERM, Posix.SIGKILL);
    }

    @Test
    void theSlotIsReleasedOnlyOnceACancelledProcessHasExited() {
        launcher.exitOnSignal = false;
        DefaultProcessEngine engine = engine(ProcessEngine.builder().maxConcurrency(1)
                .timerScheduler(VirtualTimeScheduler.create()));
        Disposable first = engine.execute(Command.of("true")).subscribe();
        ProcessResult[] second = new ProcessResult[1];
        engine.execute(Command.of("true")).subscribe(r -> second[0] = r);
        assertThat(engine.metrics().pending()).isEqualTo(1);

        first.dispose();
        assertThat(engine.metrics().acquired()).isEqualTo(1);
        assertThat(launcher.launched).hasSize(1);

        launcher.launched.get(0).exit(ExitStatus.signaled(15));
        assertThat(launcher.launched).hasSize(2);
        launcher.launched.get(1).stdout("hi");
        launcher.launched.get(1).exit(ExitStatus.exited(0));
        assertThat(second[0].stdoutText()).isEqualTo("hi");
        assertThat(engine.metrics().acquired()).isZero();
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
        assertThat(engine.metrics().succeeded()).isEqualTo(1);
    }

    @Test
    void callsBeyondMaxPendingFailAtOnce() {
        DefaultProcessEngine engine = engine(ProcessEngine.builder().maxConcurrency(1).maxPendingAcquire(2));
        engine.execute(Command.of("true")).subscribe();
        engine.execute(Command.of("true")).subscribe();
        engine.execute(Command.of("true")).subscribe();
        StepVerifier.create(engine.execute(Command.of("echo", "fourth")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolOverloadedException.class)
                        .hasMessage("engine overloaded: cannot run 'echo fourth': acquired=1/1, pending=2 "
                                + "(maxPendingAcquire=2 reached)"))
                .verify(Duration.ofSeconds(1));
        assertThat(engine.metrics().rejected()).isEqualTo(1);
    }

    @Test
    void aZeroAcquireTimeoutFailsAtOnceWhenNoSlotIsFreeAndStillRunsWhenOneIs() {
        DefaultProcessEngine engine = engine(ProcessEngine.builder().maxConcurrency(1).acquireTimeout(Duration.ZERO));
        ProcessResult[] first = new ProcessResult[1];
        engine.execute(Command.of("true")).subscribe(r -> first[0] = r);
        assertThat(launcher.launched).hasSize(1);
        StepVerifier.create(engine.execute(Command.of("echo", "second")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ProcessAcquireTimeoutException.class)
                            .hasMessage("acquire timed out after 0s: acquired=1/1, pending=0");
                    // one catch for every timeout: the acquire timeout is a ProcessTimeoutException too
                    assertThat(e).isInstanceOf(ProcessTimeoutException.class);
                    ProcessTimeoutException t = (ProcessTimeoutException) e;
                    assertThat(t.phase()).isEqualTo(ProcessTimeoutException.Phase.ACQUIRE);
                    assertThat(t.commandLine()).isEqualTo("echo second");
                    assertThat(t.timeout()).isZero();
                    assertThat(t.exitStatus()).isEmpty();
                })
                .verify(Duration.ofSeconds(5));
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(first[0].isSuccess()).isTrue();
    }

    @Test
    void streamReportsTheStartBeforeAnyOutputEvenWhileNothingIsRequested() {
        DefaultProcessEngine engine = engine(ProcessEngine.builder());
        List<String> seen = new ArrayList<>();
        StepVerifier.create(engine.stream(Command.of("true"), pid -> seen.add("start " + pid))
                        .doOnNext(o -> seen.add(o.toString())), 0)
                .expectSubscription()
                .then(() -> {
                    FakeLauncher.FakeProcess p = launcher.launched.get(0);
                    assertThat(seen).containsExactly("start " + p.pid);
                    p.stdout("hi");
                    p.exit(ExitStatus.exited(0));
                })
                .thenRequest(2)
                .expectNextCount(2)
                .expectComplete()
                .verify(Duration.ofSeconds(1));
        assertThat(seen).containsExactly("start " + launcher.launched.get(0).pid, "ProcessOutput[STDOUT, 2 bytes]",
                "ProcessOutput[EXIT, exit 0]");
    }

    @Test
    void streamDoesNotReportAStartThatFailedOrNeverCame() {
        DefaultProcessEngine engine = engine(ProcessEngine.builder().maxConcurrency(1));
        List<Long> starts = new ArrayList<>();
        StepVerifier.create(engine.stream(Command.of("/nonexistent/procflux-missing"), starts::add))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessStartException.class)
                        .hasMessage("cannot start '/nonexistent/procflux-missing': executable "
                                + "/nonexistent/procflux-missing does not exist"))
                .verify(Duration.ofSeconds(1));

        engine.execute(Command.of("true")).subscribe(); // holds the only slot
        Disposable waiting = engine.stream(Command.of("true"), starts::add).subscribe();
        assertThat(engine.metrics().pending()).isEqualTo(1);
        waiting.dispose();
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(launcher.launched).hasSize(1);
        assertThat(starts).isEmpty();
        assertThat(engine.metrics().acquired()).isZero();
    }

    @Test
    void aStartCallbackThatThrowsKillsTheProcessAndFailsTheStreamWithItsError() {
        DefaultProcessEngine engine = engine(ProcessEngine.builder().timerScheduler(VirtualTimeScheduler.create()));
        StepVerifier.create(engine.stream(Command.of("true"), pid -> {
                    throw new IllegalStateException("no room for pid " + pid);
                }))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessage("no room for pid " + launcher.launched.get(0).pid))
                .verify(Duration.ofSeconds(1));
        assertThat(launcher.launched.get(0).signals).containsExactly(Posix.SIGTERM);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
        assertThat(engine.metrics().acquired()).isZero();
    }

    @Test
    void aSignalDeathIsNotConfusedWithAnExitCode() {
        DefaultProcessEngine engine = engine(ProcessEngine.builder());
        ProcessResult[] r = new ProcessResult[1];
        engine.execute(Command.of("true")).subscribe(x -> r[0] = x);
        launcher.launched.get(0).exit(ExitStatus.signaled(9));
        assertThat(r[0].exitStatus().isSignaled()).isTrue();
        assertThat(r[0].exitStatus().signal()).hasValue(9);
        assertThat(r[0].exitCode()).isEqualTo(137);
        assertThat(r[0].exitStatus()).hasToString("signal 9 (SIGKILL)");
    }

    @Test
    void aPoolEventsCallbackThatThrowsNeverBreaksTheSlotPool() {
        AtomicInteger calls = new AtomicInteger();
        PoolEvents throwing = new PoolEvents() {
            @Override
            public void allocationSucceeded(Duration latency) {
                fail();
            }

            @Override
            public void acquiredAfterIdle(Duration idle) {
                fail();
            }

            @Override
            public void returned(Duration latency) {
                fail();
            }

            @Override
            public void keptIdle() {
                fail();
            }

            private void fail() {
                calls.incrementAndGet();
                throw new IllegalStateException("broken meter");
            }
        };
        DefaultProcessEngine engine = engine(ProcessEngine.builder().maxConcurrency(1).addSlotPoolEvents(throwing));
        for (int i = 0; i < 2; i++) {
            ProcessResult[] r = new ProcessResult[1];
            engine.execute(Command.of("true")).subscribe(x -> r[0] = x);
            launcher.launched.get(i).exit(ExitStatus.exited(0));
            assertThat(r[0].exitCode()).isZero();
            assertThat(engine.metrics().acquired()).isZero();
        }
        // one slot created, handed out twice, returned and kept twice
        assertThat(calls).hasValue(7);
    }

    @Test
    void everyAddedListenerHearsEveryEventEvenWhenAnEarlierOneThrows() {
        List<String> heard = new ArrayList<>();
        EngineEvents broken = new EngineEvents() {
            @Override
            public void processStarted(Command command, long pid) {
                heard.add("broken started");
                throw new IllegalStateException("broken listener");
            }
        };
        EngineEvents mine = new EngineEvents() {
            @Override
            public void processStarted(Command command, long pid) {
                heard.add("mine started");
            }

            @Override
            public void processEnded(Command command, dev.procflux.ProcessOutcome outcome, Duration duration) {
                heard.add("mine ended " + outcome);
            }
        };
        AtomicInteger slotsCreated = new AtomicInteger();
        PoolEvents countA = new PoolEvents() {
            @Override
            public void allocationSucceeded(Duration latency) {
                slotsCreated.incrementAndGet();
            }
        };
        PoolEvents countB = new PoolEvents() {
            @Override
            public void allocationSucceeded(Duration latency) {
                slotsCreated.addAndGet(10);
            }
        };
        DefaultProcessEngine engine = engine(ProcessEngine.builder().addEvents(broken).addEvents(mine)
                .addSlotPoolEvents(countA).addSlotPoolEvents(countB));
        ProcessResult[] r = new ProcessResult[1];
        engine.execute(Command.of("true")).subscribe(x -> r[0] = x);
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(r[0].isSuccess()).isTrue();
        assertThat(heard).containsExactly("broken started", "mine started", "mine ended SUCCEEDED");
        assertThat(slotsCreated).hasValue(11);
    }
}
