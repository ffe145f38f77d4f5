package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.EngineOptions;
import dev.procflux.ExitStatus;
import dev.procflux.Lease;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessStartException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.util.RaceTestUtils;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * What the streams hold of the engine's budget: a stream's reserve from its process's start to its finish, the
 * floor of a slot free for a stream about to start, and nothing for a stream waiting for a slot.
 */
class StreamReserveTest {
    private static final long BUDGET = 1L << 20;
    /** The reserve of a stream on the default 64 KiB pipe (the fair pipe of one stream on 1 MiB is larger). */
    private static final long DEFAULT_RESERVE = StreamMarks.reserve(StreamMarks.PIPE_SIZE);
    /** Together the waiting streams' floors would be more than the whole budget. */
    private static final int WAITING = 300;

    private final FakeLauncher launcher = new FakeLauncher();
    // launches held until the test runs them: the gap between a slot's grant and its process's start
    private final List<Runnable> launches = new CopyOnWriteArrayList<>();

    private DefaultProcessEngine engine(Scheduler launchScheduler) {
        return engine(1, launchScheduler);
    }

    private DefaultProcessEngine engine(int maxConcurrency, Scheduler launchScheduler) {
        EngineOptions options = ProcessEngine.builder().maxConcurrency(maxConcurrency).maxPendingAcquire(WAITING + 10)
                .maxTotalBufferedBytes(BUDGET).timerScheduler(VirtualTimeScheduler.create()).closeOnShutdown(false)
                .launchScheduler(launchScheduler).deliveryScheduler(Schedulers.immediate()).buildOptions();
        return new DefaultProcessEngine(options, launcher, new KillQueue(Runnable::run, () -> { }));
    }

    private DefaultProcessEngine engine() {
        return engine(Schedulers.immediate());
    }

    @Test
    void streamsWaitingForASlotHoldNoneOfTheBudgetAndLeaveTheRunningStreamItsPipe() {
        DefaultProcessEngine engine = engine();
        engine.stream(Command.of("yes")).subscribe();
        assertThat(engine.budgetRoom()).as("one running stream").isEqualTo(BUDGET - DEFAULT_RESERVE);
        int alone = engine.fairPipe();

        List<Disposable> waiting = subscribeWaiting(engine);
        assertThat(engine.metrics().pending()).isEqualTo(WAITING);
        assertThat(engine.budgetRoom()).as("beside %d waiting streams", WAITING).isEqualTo(BUDGET - DEFAULT_RESERVE);
        assertThat(engine.metrics().reservedBytes()).isEqualTo(DEFAULT_RESERVE);
        assertThat(engine.fairPipe()).isEqualTo(alone).isEqualTo(256 * 1024);
        assertThat(engine.isOverSoftLimit()).isFalse();

        waiting.forEach(Disposable::dispose);
        assertThat(engine.metrics().pending()).isZero();
        assertThat(engine.budgetRoom()).as("cancelled while waiting: gave back nothing").isEqualTo(BUDGET - DEFAULT_RESERVE);
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        assertThat(engine.metrics().reservedBytes()).isZero();
        assertThat(engine.metrics().acquired()).isZero();
    }

    @Test
    void aSlotFreeForAStreamCountsTheFloorUntilItsProcessStartsAndItsReserveFromThen() {
        DefaultProcessEngine engine = engine(Schedulers.fromExecutor(launches::add));
        engine.stream(Command.of("yes")).subscribe();
        List<Disposable> waiting = subscribeWaiting(engine);
        assertThat(engine.metrics().acquired()).as("slot granted").isOne();
        assertThat(launcher.launched).as("not launched yet").isEmpty();
        assertThat(engine.budgetRoom()).as("the floor of the one slot, none for the waiting streams")
                .isEqualTo(BUDGET - StreamMarks.BUDGET_FLOOR);
        assertThat(engine.metrics().reservedBytes()).isEqualTo(StreamMarks.BUDGET_FLOOR);

        launches.remove(0).run();
        assertThat(launcher.launched).hasSize(1);
        assertThat(engine.budgetRoom()).as("started: its own reserve instead").isEqualTo(BUDGET - DEFAULT_RESERVE);

        // the slot passes on: the finished stream's reserve goes, the floor of the next one counts until its start
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - StreamMarks.BUDGET_FLOOR);
        launches.remove(0).run();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - DEFAULT_RESERVE);

        // cancelling the running stream passes the slot to the next waiting one, which is cancelled before its launch
        waiting.forEach(Disposable::dispose);
        assertThat(launches).hasSize(1);
        assertThat(engine.budgetRoom()).as("cancelled with its slot granted, before its start")
                .isEqualTo(BUDGET - StreamMarks.BUDGET_FLOOR);
        launches.remove(0).run();
        assertThat(launcher.launched).as("a launch that finds its stream cancelled skips").hasSize(2);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        assertThat(engine.metrics().acquired()).isZero();
    }

    @Test
    void aStreamWhoseStartFailsGivesBackWhatItsSlotCounted() {
        DefaultProcessEngine engine = engine();
        engine.stream(Command.of("yes")).subscribe();
        List<Throwable> errors = new ArrayList<>();
        engine.stream(Command.of("/nonexistent/procflux-missing")).subscribe(o -> { }, errors::add);
        List<Disposable> waiting = subscribeWaiting(engine);

        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(errors).singleElement().isInstanceOf(ProcessStartException.class);
        assertThat(launcher.launched).as("the next waiting stream took the slot").hasSize(2);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - DEFAULT_RESERVE);

        waiting.forEach(Disposable::dispose);
        launcher.launched.get(1).exit(ExitStatus.exited(0));
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        StepVerifier.create(engine.stream(Command.of("/nonexistent/procflux-missing")))
                .expectError(ProcessStartException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(engine.budgetRoom()).as("a failed start alone").isEqualTo(BUDGET);
        assertThat(engine.metrics().acquired()).isZero();
        assertThat(engine.metrics().startFailures()).isEqualTo(2);
    }

    @Test
    void slotsHeldByExecutesAndLeasesAreNotFreeForWaitingStreamsUntilTheyPassToOne() {
        DefaultProcessEngine engine = engine(4, Schedulers.fromExecutor(launches::add));
        engine.execute(Command.of("sleep", "60")).subscribe();
        engine.execute(Command.of("sleep", "60")).subscribe();
        Disposable idleLease = engine.withLease(lease -> Mono.never()).subscribe();
        engine.stream(Command.of("yes")).subscribe();
        runLaunches();
        assertThat(launcher.launched).hasSize(3);
        assertThat(engine.metrics().acquired()).as("every slot held").isEqualTo(4);
        assertThat(engine.budgetRoom()).as("one running stream").isEqualTo(BUDGET - DEFAULT_RESERVE);
        int alone = engine.fairPipe();

        List<Disposable> waiting = subscribeWaiting(engine);
        assertThat(engine.metrics().pending()).isEqualTo(WAITING);
        assertThat(engine.budgetRoom()).as("no slot is free for the %d waiting streams", WAITING)
                .isEqualTo(BUDGET - DEFAULT_RESERVE);
        assertThat(engine.fairPipe()).as("the pipe of the one stream that may run").isEqualTo(alone);
        assertThat(engine.isOverSoftLimit()).isFalse();

        // an execute's slot passes to a waiting stream: its floor counts from the release to its start
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(launches).as("the next stream's launch").hasSize(1);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - DEFAULT_RESERVE - StreamMarks.BUDGET_FLOOR);
        runLaunches();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - 2 * DEFAULT_RESERVE);

        // and so does the idle lease's slot
        idleLease.dispose();
        assertThat(launches).hasSize(1);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - 2 * DEFAULT_RESERVE - StreamMarks.BUDGET_FLOOR);
        runLaunches();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - 3 * DEFAULT_RESERVE);

        waiting.forEach(Disposable::dispose);
        launcher.launched.forEach(p -> p.exit(ExitStatus.exited(0)));
        runLaunches();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        assertThat(engine.metrics().acquired()).isZero();
        assertThat(engine.metrics().pending()).isZero();
    }

    @Test
    void aLeaseWhoseStreamEndedKeepsItsSlotsFloorForTheWaitingStreamsUntilItRunsAgainOrGivesTheSlotBack() {
        DefaultProcessEngine engine = engine(2, Schedulers.fromExecutor(launches::add));
        Disposable kept = engine.withLease(lease -> lease.stream(Command.of("yes")).thenMany(Flux.never()))
                .subscribe();
        engine.stream(Command.of("yes")).subscribe();
        assertThat(engine.budgetRoom()).as("two slots granted, no process yet")
                .isEqualTo(BUDGET - 2 * StreamMarks.BUDGET_FLOOR);
        runLaunches();
        List<Disposable> waiting = subscribeWaiting(engine);
        assertThat(engine.budgetRoom()).as("the lease's stream and the engine's, once each")
                .isEqualTo(BUDGET - 2 * DEFAULT_RESERVE);

        // the lease's stream ends but the lease keeps its slot: a waiting stream may get it any moment, so it keeps
        // the floor its stream's reserve made room for
        launcher.launched.get(0).exit(ExitStatus.exited(0));
        assertThat(engine.metrics().acquired()).isEqualTo(2);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - DEFAULT_RESERVE - StreamMarks.BUDGET_FLOOR);
        kept.dispose();
        assertThat(engine.metrics().pending()).as("the slot passed to a waiting stream").isEqualTo(WAITING - 1);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - DEFAULT_RESERVE - StreamMarks.BUDGET_FLOOR);
        runLaunches();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - 2 * DEFAULT_RESERVE);

        // with no stream waiting, a lease whose stream ended counts nothing; one that runs again counts its run only
        waiting.forEach(Disposable::dispose);
        launcher.launched.forEach(p -> p.exit(ExitStatus.exited(0)));
        runLaunches();
        List<Lease> leases = new CopyOnWriteArrayList<>();
        Disposable again = engine.withLease(lease -> {
            leases.add(lease);
            return lease.stream(Command.of("yes")).thenMany(Flux.never());
        }).subscribe();
        runLaunches();
        launcher.launched.get(launcher.launched.size() - 1).exit(ExitStatus.exited(0));
        assertThat(engine.budgetRoom()).as("no stream waits").isEqualTo(BUDGET);
        List<Disposable> more = subscribeWaiting(engine);
        assertThat(engine.budgetRoom()).as("one free slot, and the lease's")
                .isEqualTo(BUDGET - 2 * StreamMarks.BUDGET_FLOOR);
        runLaunches();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET - DEFAULT_RESERVE - StreamMarks.BUDGET_FLOOR);
        leases.get(0).execute(Command.of("sleep", "60")).subscribe();
        assertThat(engine.budgetRoom()).as("the lease runs an execute").isEqualTo(BUDGET - DEFAULT_RESERVE);

        again.dispose();
        more.forEach(Disposable::dispose);
        runLaunches();
        launcher.launched.forEach(p -> p.exit(ExitStatus.exited(0)));
        runLaunches();
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        assertThat(engine.metrics().acquired()).isZero();
        assertThat(engine.metrics().pending()).isZero();
    }

    @Test
    void subscribesCancelsAndExitsRacingWithGrantsLeaveNothingCounted() {
        DefaultProcessEngine engine = engine(3, Schedulers.parallel());
        List<Disposable> subscriptions = new CopyOnWriteArrayList<>();
        Runnable exitAll = () -> launcher.launched.forEach(p -> p.exit(ExitStatus.exited(0)));
        for (int i = 0; i < 300; i++) {
            Flux<?> flux = i % 3 == 0 ? engine.withLease(lease -> lease.stream(Command.of("yes")))
                    : engine.stream(Command.of("yes"));
            RaceTestUtils.race(() -> subscriptions.add(flux.subscribe(o -> { }, e -> { })), exitAll);
            Disposable last = subscriptions.get(subscriptions.size() - 1);
            RaceTestUtils.race(i % 2 == 0 ? last::dispose : exitAll, exitAll);
        }
        subscriptions.forEach(Disposable::dispose);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            exitAll.run();
            assertThat(engine.metrics().acquired()).isZero();
            assertThat(engine.metrics().pending()).isZero();
            assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        });
        // no lease is left counted as one whose stream ended: with every slot held, waiting streams count nothing
        for (int i = 0; i < 3; i++) {
            engine.execute(Command.of("sleep", "60")).subscribe();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> launcher.launched.stream().filter(p -> !p.exited).count() == 3);
        List<Disposable> waiting = subscribeWaiting(engine);
        assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        waiting.forEach(Disposable::dispose);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            exitAll.run();
            assertThat(engine.metrics().acquired()).isZero();
            assertThat(engine.budgetRoom()).isEqualTo(BUDGET);
        });
    }

    private void runLaunches() {
        while (!launches.isEmpty()) {
            launches.remove(0).run();
        }
    }

    private List<Disposable> subscribeWaiting(DefaultProcessEngine engine) {
        List<Disposable> waiting = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            waiting.add(engine.stream(Command.of("yes")).subscribe());
        }
        return waiting;
    }
}
