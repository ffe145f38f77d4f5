package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * Whatever thread asks for a kill (a cancelling subscriber, the timer, the process I/O thread, a closing thread) only
 * queues it: the freeze, the {@code /proc} listing and the signals run on the engine's own kill threads, and the
 * whole tree still dies. The thread of {@link EngineEvents#processKilled} is the kill's thread: it is called there,
 * right before the tree is frozen.
 */
@EnabledOnOs(OS.LINUX)
class KillThreadIT {
    private static final String CANCELLER = "test-canceller";
    private static final String KILL_THREAD = "procflux-engine-kill-";

    /** The thread of each graceful {@code processKilled}, by the root's pid. */
    private final Map<Long, String> killThreads = new ConcurrentHashMap<>();
    /** Holds a kill thread inside {@code processKilled}, before it touches the tree, while set. */
    private final AtomicReference<CountDownLatch> hold = new AtomicReference<>();
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(128)
            .killGracePeriod(Duration.ofMillis(500)).addEvents(new EngineEvents() {
                @Override
                public void processKilled(Command command, long pid, boolean forced) {
                    if (forced) {
                        return;
                    }
                    killThreads.put(pid, Thread.currentThread().getName());
                    CountDownLatch h = hold.get();
                    // never the cancelling thread: held there, the test could not tell a held kill from a slow one
                    if (h != null && !Thread.currentThread().getName().equals(CANCELLER)) {
                        try {
                            h.await(30, TimeUnit.SECONDS);
                        }
                        catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            }).build();

    @AfterEach
    void tearDown() {
        CountDownLatch h = hold.get();
        if (h != null) {
            h.countDown();
        }
        OsProcesses.closeAndAssertClean(engine);
    }

    /** Runs {@code work} on a thread named {@link #CANCELLER} and waits for it. */
    private static void onCanceller(Runnable work) throws InterruptedException {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                work.run();
            }
            catch (Throwable e) {
                failed.set(e);
            }
        }, CANCELLER);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(t.isAlive()).as("the cancelling thread is still busy").isFalse();
        assertThat(failed.get()).isNull();
    }

    /** Starts {@code n} streams of {@code command} and waits until every root has started; returns their pids. */
    private List<Long> start(int n, Command command, List<Disposable> subscriptions) {
        List<Long> pids = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            subscriptions.add(engine.stream(command, pids::add).subscribe(o -> { }, e -> { }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> pids.size() == n);
        return pids;
    }

    /** The pids of {@code root}'s tree once it has {@code size} processes (root included). */
    private static List<Long> tree(long root, int size) {
        List<Long> tree = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            tree.clear();
            tree.add(root);
            ProcessHandle.of(root).ifPresent(h -> h.descendants().forEach(d -> tree.add(d.pid())));
            return tree.size() == size;
        });
        return tree;
    }

    @Test
    void aCancelReturnsBeforeTheTreeIsTouchedAndAKillThreadThenKillsAllOfIt() throws InterruptedException {
        List<Disposable> subscriptions = new ArrayList<>();
        long root = start(1, Command.shell("sleep 600 & sleep 600 & wait"), subscriptions).get(0);
        List<Long> tree = tree(root, 3);
        // settled: the shell waits, both sleeps sleep (none still between fork and exec)
        await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().allMatch(pid -> ProcFs.state(pid) == 'S'));
        hold.set(new CountDownLatch(1));

        onCanceller(subscriptions.get(0)::dispose);

        await().atMost(Duration.ofSeconds(10)).until(() -> killThreads.containsKey(root));
        assertThat(killThreads.get(root)).startsWith(KILL_THREAD);
        // the kill thread waits inside processKilled: nothing has been sent yet, so nothing is stopped or dying
        assertThat(tree).allSatisfy(pid -> assertThat(ProcFs.state(pid)).as("state of %d", pid).isEqualTo('S'));
        assertThat(engine.metrics().acquired()).as("the slot is held until the process is gone").isEqualTo(1);

        hold.get().countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().noneMatch(ProcFs::isLive));
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
    }

    @Test
    void aCancelMakesNoReadCallOnTheCancellingThread() throws InterruptedException {
        List<Disposable> subscriptions = new ArrayList<>();
        start(8, Command.of("sleep", "600"), subscriptions);
        List<Long> extraReads = new ArrayList<>();

        onCanceller(() -> {
            for (int i = 0; i < subscriptions.size(); i++) {
                long itself = readCalls() - readCalls(); // negated: what reading the counter costs
                long before = readCalls();
                subscriptions.get(i).dispose();
                long after = readCalls();
                if (i >= 3) { // the first ones load classes, which reads them
                    extraReads.add(after - before + itself);
                }
            }
        });

        // a kill reads /proc/PID/stat and the children files: none of it happened on the cancelling thread
        assertThat(extraReads).as("read(2) calls of dispose() on the cancelling thread").containsOnly(0L);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
        assertThat(engine.metrics().cancelled()).isEqualTo(8);
        assertThat(killThreads.values()).allSatisfy(t -> assertThat(t).startsWith(KILL_THREAD));
    }

    /** @return the read system calls of the calling thread so far ({@code syscr} of its {@code /proc} io file) */
    private static long readCalls() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/io"))) {
                if (line.startsWith("syscr:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
            throw new AssertionError("no syscr in /proc/thread-self/io (CONFIG_TASK_IO_ACCOUNTING)");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aHundredCancelsFromOneThreadKillEveryTreeElsewhere() throws InterruptedException {
        List<Disposable> subscriptions = new ArrayList<>();
        List<Long> roots = start(100, Command.shell("sleep 600 & wait"), subscriptions);

        onCanceller(() -> subscriptions.forEach(Disposable::dispose));

        await().atMost(Duration.ofSeconds(30)).until(() -> engine.metrics().acquired() == 0);
        OsProcesses.awaitNoChildren();
        assertThat(engine.metrics().cancelled()).isEqualTo(100);
        assertThat(killThreads.keySet()).containsExactlyInAnyOrderElementsOf(roots);
        assertThat(killThreads.values()).allSatisfy(t -> assertThat(t).startsWith(KILL_THREAD));
    }

    @Test
    void aCloseRightAfterCancelsReturnsOnlyOnceEveryCancelledTreeIsKilled() throws InterruptedException {
        List<Disposable> subscriptions = new ArrayList<>();
        List<Long> roots = start(20, Command.shell("sleep 600 & wait"), subscriptions);
        List<Long> trees = roots.stream().flatMap(r -> tree(r, 2).stream()).collect(Collectors.toList());

        onCanceller(() -> {
            subscriptions.forEach(Disposable::dispose);
            engine.close();
        });

        // close() waited for every run: each root was reaped, and its slot is back
        assertThat(roots).noneMatch(ProcFs::isLive);
        assertThat(engine.metrics().alive()).isZero();
        assertThat(engine.metrics().acquired()).isZero();
        assertThat(engine.metrics().cancelled()).isEqualTo(20);
        // and for every cancelled tree's kill: the sleeps too
        assertThat(trees).as("processes of the cancelled trees live when close() returned").noneMatch(ProcFs::isLive);
        // the closed engine's kill threads end
        Set<String> used = Set.copyOf(killThreads.values());
        assertThat(used).allSatisfy(t -> assertThat(t).startsWith(KILL_THREAD));
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> used.contains(t.getName())));
    }

    @Test
    void aCancelledWorkerCallKillsTheWorkerWithoutAReadCallOnTheCancellingThread() throws InterruptedException {
        // the worker forks its sleep once it has read the request: then the call is in it, and a cancel kills it
        WorkerPool<String, String> pool = WorkerPool.builder(Command.shell("read l; sleep 600 & wait"))
                .sizeBetween(0, 1).build(engine);
        List<Long> extraReads = new ArrayList<>();
        try {
            onCanceller(() -> {
                for (int i = 0; i < 6; i++) {
                    Disposable call = pool.call("x").subscribe(r -> { }, e -> { });
                    await().atMost(Duration.ofSeconds(20)).until(() -> ProcFs.liveDescendants().stream()
                            .anyMatch(p -> p.info().command().orElse("").endsWith("sleep")));
                    long itself = readCalls() - readCalls();
                    long before = readCalls();
                    call.dispose();
                    long after = readCalls();
                    if (i >= 3) {
                        extraReads.add(after - before + itself);
                    }
                    long cancelled = i + 1;
                    await().atMost(Duration.ofSeconds(20)).until(() ->
                            pool.metrics().restarts(WorkerRestartCause.CANCELLED) == cancelled
                                    && pool.metrics().alive() == 0 && ProcFs.liveDescendants().isEmpty());
                }
            });
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(10));
        }

        assertThat(extraReads).as("read(2) calls of dispose() on the cancelling thread").containsOnly(0L);
    }

    @Test
    void closeCountsItsBoundFromWhenTheLastQueuedKillHasStarted() throws InterruptedException {
        // no grace period: close() waits one second for the processes, while more kills than threads wait in the
        // queue behind kill threads held for longer than that
        ProcessEngine quick = engine.options().toBuilder().killGracePeriod(Duration.ZERO).build();
        List<Long> roots = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < 5; i++) { // one more than the most kill threads an engine has
                quick.stream(Command.of("sleep", "600"), roots::add).subscribe(o -> { }, e -> { });
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> roots.size() == 5);
            hold.set(new CountDownLatch(1));
            Thread closer = new Thread(quick::close, "test-closer");
            closer.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> !killThreads.isEmpty());
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(closer::isAlive);
            hold.get().countDown();
            closer.join(TimeUnit.SECONDS.toMillis(10));

            assertThat(closer.isAlive()).isFalse();
            assertThat(quick.metrics().alive()).as("processes left when close() returned").isZero();
            assertThat(roots).noneMatch(ProcFs::isLive);
        }
        finally {
            hold.get().countDown();
            quick.close();
        }
    }

    @Test
    void aTimeoutAndAnOutputOverflowAreKilledOnAKillThreadToo() {
        StepVerifier.create(engine.execute(Command.of("sleep", "600").withTimeout(Duration.ofMillis(200))))
                .expectError(ProcessTimeoutException.class)
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.execute(Command.of("yes").withMaxOutputBytes(64 * 1024, OutputLimitPolicy.FAIL)))
                .expectError(ProcessOutputOverflowException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(killThreads).hasSize(2);
        assertThat(killThreads.values()).allSatisfy(t -> assertThat(t).startsWith(KILL_THREAD));
    }
}
