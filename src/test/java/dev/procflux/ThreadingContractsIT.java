package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Each threading claim of the Javadoc, asserted on the thread's name. */
@EnabledOnOs(OS.LINUX)
class ThreadingContractsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SCRIPT = String.join("\n",
            "import os, sys, time",
            "for line in sys.stdin:",
            "    cmd = line.rstrip('\\n')",
            "    if cmd == 'pid':",
            "        print(os.getpid(), flush=True)",
            "    elif cmd == 'slow':",
            "        time.sleep(0.5); print('slow-reply', flush=True)",
            "    elif cmd == 'die':",
            "        sys.exit(3)",
            "    else:",
            "        print(cmd.upper(), flush=True)");

    private final Scheduler delivery = Schedulers.newParallel("test-delivery", 2);
    private final ProcessEngine engine = ProcessEngine.builder().closeOnShutdown(false)
            .killGracePeriod(Duration.ofMillis(500)).deliveryScheduler(delivery).build();
    private final WorkerPool<String, String> pool = WorkerPool.builder(
            Command.of(WorkerPoolIT.PYTHON, "-u", "-c", SCRIPT)).sizeBetween(0, 1).build(engine);

    @AfterEach
    void tearDown() {
        pool.close();
        OsProcesses.closeAndAssertClean(engine);
        delivery.dispose();
    }

    private static Mono<String> onThread(Mono<?> call, AtomicReference<String> thread) {
        return call.map(String::valueOf)
                .doOnEach(s -> thread.compareAndSet(null, Thread.currentThread().getName()));
    }

    @Test
    void aSecondConcurrentCallIsRefusedOnTheDeliverySchedulerAndTheWorkerKeepsServing() {
        AtomicReference<String> refusedOn = new AtomicReference<>();
        List<Object> seen = new CopyOnWriteArrayList<>();
        long pid = Long.parseLong(pool.call("pid").block(WAIT));
        StepVerifier.create(pool.withWorker(w -> {
                    Mono<String> second = onThread(w.call("again"), refusedOn)
                            .onErrorResume(e -> {
                                seen.add(e);
                                return Mono.empty();
                            });
                    // subscribed while "slow" is in flight on the same worker
                    return w.call("slow").mergeWith(Mono.delay(Duration.ofMillis(100)).then(second))
                            .concatWith(w.call("pid"));
                }))
                .expectNext("slow-reply", Long.toString(pid))
                .expectComplete()
                .verify(WAIT);
        assertThat(seen).singleElement().isInstanceOfSatisfying(IllegalStateException.class, e ->
                assertThat(e).hasMessage("worker (pid " + pid + ") is already handling a request: a worker takes "
                        + "one request at a time, compose calls in sequence"));
        assertThat(refusedOn.get()).startsWith("test-delivery");
        assertThat(pool.metrics().restarts().values()).allMatch(n -> n == 0);
        assertThat(pool.call("pid").block(WAIT)).isEqualTo(Long.toString(pid));
    }

    @Test
    void workerCallErrorsArriveOnTheDeliveryScheduler() {
        AtomicReference<String> crashOn = new AtomicReference<>();
        StepVerifier.create(pool.withWorker(w -> onThread(w.call("die"), crashOn)))
                .expectError(WorkerCrashedException.class)
                .verify(WAIT);
        assertThat(crashOn.get()).startsWith("test-delivery");

        AtomicReference<Worker<String, String>> leaked = new AtomicReference<>();
        pool.withWorker(w -> {
            leaked.set(w);
            return w.call("x");
        }).blockLast(WAIT);
        AtomicReference<String> endedOn = new AtomicReference<>();
        StepVerifier.create(onThread(leaked.get().call("late"), endedOn))
                .expectErrorMessage("the worker lease has ended: call the pool instead")
                .verify(WAIT);
        assertThat(endedOn.get()).startsWith("test-delivery");
    }

    @Test
    void aStdinPublisherIsSubscribedAndRequestedOnTheDeliveryScheduler() {
        List<String> subscribedOn = new CopyOnWriteArrayList<>();
        List<String> requestedOn = new CopyOnWriteArrayList<>();
        Flux<ByteBuffer> input = Flux.range(0, 64).map(i -> ByteBuffer.wrap(new byte[16 * 1024]))
                .doOnSubscribe(s -> subscribedOn.add(Thread.currentThread().getName()))
                .doOnRequest(n -> requestedOn.add(Thread.currentThread().getName()));
        ProcessResult r = engine.execute(Command.of("wc", "-c").withStdin(input)).block(WAIT);
        assertThat(r.stdoutText().trim()).isEqualTo(Integer.toString(64 * 16 * 1024));
        assertThat(subscribedOn).singleElement().asString().startsWith("test-delivery");
        assertThat(requestedOn).hasSizeGreaterThan(2).allMatch(t -> t.startsWith("test-delivery"));
    }

    @Test
    void disposeLaterCompletesOnTheDeliverySchedulerEvenWhenTheLastProcessEndsOnTheIoThread() {
        await().atMost(WAIT).until(() -> pool.metrics().alive() == 0);
        StepVerifier running = StepVerifier.create(engine.execute(Command.of("sleep", "30")))
                .expectError(ProcessPoolClosedException.class).verifyLater();
        await().atMost(WAIT).until(() -> engine.metrics().alive() == 1);
        AtomicReference<String> doneOn = new AtomicReference<>();
        StepVerifier.create(engine.disposeLater().doOnSuccess(v -> doneOn.set(Thread.currentThread().getName())))
                .expectComplete().verify(WAIT);
        running.verify(WAIT);
        assertThat(doneOn.get()).startsWith("test-delivery");
    }
}
