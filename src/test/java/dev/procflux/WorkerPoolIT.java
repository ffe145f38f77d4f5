package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@EnabledOnOs(OS.LINUX)
class WorkerPoolIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    /** A line worker with commands that misbehave on request; anything else is echoed in upper case. */
    static final String SCRIPT = String.join("\n",
            "import os, sys, time",
            "for line in sys.stdin:",
            "    cmd = line.rstrip('\\n')",
            "    if cmd == 'pid':",
            "        print(os.getpid(), flush=True)",
            "    elif cmd == 'sleep':",
            "        sys.stderr.write('about to sleep\\n'); sys.stderr.flush(); time.sleep(600)",
            "    elif cmd == 'slow':",
            "        time.sleep(0.5); print('slow-reply', flush=True)",
            "    elif cmd == 'garbage':",
            "        sys.stdout.buffer.write(b'\\xff\\xfe\\n'); sys.stdout.flush()",
            "    elif cmd == 'twice':",
            "        sys.stdout.write('a\\nb\\n'); sys.stdout.flush()",
            "    elif cmd == 'noisy':",
            "        sys.stderr.write('x' * 1000000 + '\\nnoise done\\n'); sys.stderr.flush(); print('quiet', flush=True)",
            "    else:",
            "        print(cmd.upper(), flush=True)");

    private static Scheduler delivery;
    private ProcessEngine engine;
    private WorkerPool<?, ?> pool;

    @BeforeAll
    static void schedulers() {
        delivery = Schedulers.newParallel("wp-delivery", 2, true);
    }

    @BeforeEach
    void setUp() {
        engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(500)).deliveryScheduler(delivery).build();
    }

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
            WorkerPool<?, ?> p = pool;
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(p.metrics().alive()).isZero();
                assertThat(p.metrics().acquired()).isZero();
                assertThat(p.metrics().pending()).isZero();
            });
        }
        engine.close();
        OsProcesses.awaitNoChildren();
    }

    private WorkerPool<String, String> python(int min, int max) {
        return python(WorkerPool.builder(Command.of(PYTHON, "-u", "-c", SCRIPT)).sizeBetween(min, max));
    }

    private WorkerPool<String, String> python(WorkerPool.Builder<String, String> builder) {
        WorkerPool<String, String> p = builder.build(engine);
        pool = p;
        return p;
    }

    private static long pidOf(WorkerPool<String, String> p) {
        return Long.parseLong(p.call("pid").block(WAIT));
    }

    @Test
    void callIsAnsweredByAWarmWorkerOnTheDeliveryScheduler() {
        WorkerPool<String, String> p = python(1, 2);
        await().atMost(WAIT).until(() -> p.metrics().alive() == 1 && p.metrics().idle() == 1);
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(p.call("hello").doOnNext(r -> thread.set(Thread.currentThread().getName())))
                .expectNext("HELLO")
                .expectComplete()
                .verify(WAIT);
        assertThat(thread.get()).startsWith("wp-delivery");
        assertThat(p.metrics().succeeded()).isEqualTo(1);
        assertThat(p.metrics().started()).isEqualTo(1);
    }

    @Test
    void buildStartsExactlyMinWorkers() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of("cat")).sizeBetween(3, 8));
        await().atMost(WAIT).until(() -> p.metrics().idle() >= 3);
        assertThat(p.metrics().alive()).isEqualTo(3);
        assertThat(p.metrics().started()).isEqualTo(3);
        assertThat(p.call("one").block(WAIT)).isEqualTo("one");
        assertThat(p.metrics().started()).isEqualTo(3);
    }

    @Test
    void manyConcurrentCallsEachGetTheirOwnReplyFromAtMostMaxWorkers() {
        WorkerPool<String, String> p = python(0, 3);
        List<String> replies = Flux.range(0, 300)
                .flatMap(i -> p.call("req-" + i).map(r -> i + "=" + r), 16)
                .collectList().block(WAIT);
        assertThat(replies).hasSize(300);
        for (String r : replies) {
            String[] kv = r.split("=");
            assertThat(kv[1]).isEqualTo("REQ-" + kv[0]);
        }
        assertThat(p.metrics().started()).isBetween(1L, 3L);
        assertThat(p.metrics().succeeded()).isEqualTo(300);
        assertThat(p.metrics().acquired()).isZero();
    }

    @Test
    void catWorkerEchoesLinesWithUtf8Intact() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of("cat")).sizeBetween(1, 1));
        StepVerifier.create(p.call("grüße, 世界 🚀"))
                .expectNext("grüße, 世界 🚀")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void requestWithALineBreakIsRejectedAtCallTime() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of("cat")).sizeBetween(0, 1));
        assertThatThrownBy(() -> p.call("a\nb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a lines() request must not contain a line break (found \\n at index 1)");
        assertThat(p.metrics().started()).isZero();
    }

    @Test
    void workerKilledMidRequestFailsThatCallWithItsExitAndStderrAndIsReplaced() {
        WorkerPool<String, String> p = python(1, 1);
        long pid = pidOf(p);
        StepVerifier.create(p.call("sleep"))
                .then(() -> {
                    await().atMost(WAIT).until(() -> p.metrics().acquired() == 1);
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                })
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WorkerCrashedException.class)
                        .hasMessageMatching("(?s).*\\(pid " + pid + "\\) died with signal 9 \\(SIGKILL\\) "
                                + "while handling a request; stderr ends with: about to sleep"))
                .verify(WAIT);
        long next = pidOf(p);
        assertThat(next).isNotEqualTo(pid);
        assertThat(p.metrics().restarts(WorkerRestartCause.CRASH)).isEqualTo(1);
        assertThat(p.metrics().failed()).isEqualTo(1);
    }

    @Test
    void anIdempotentCallWhoseWorkerCrashesIsSentAgainToANewWorker(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path tmp) {
        java.nio.file.Path mark = tmp.resolve("crashed-once");
        // the first worker dies with SIGKILL on its first request; the ones after it answer
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.shell("read line; if [ ! -e '" + mark
                + "' ]; then touch '" + mark + "'; kill -9 $$; fi; echo \"ok $line\"; exec cat")).sizeBetween(0, 1));
        StepVerifier.create(p.callIdempotent("x"))
                .expectNext("ok x")
                .expectComplete()
                .verify(WAIT);
        assertThat(p.metrics().restarts(WorkerRestartCause.CRASH)).isEqualTo(1);
        assertThat(p.options().idempotentRetries()).isEqualTo(2);
    }

    @Test
    void anIdempotentCallGivesUpWithTheLastCrashAfterItsRetries() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.shell("read line; kill -9 $$"))
                .sizeBetween(0, 1).idempotentRetries(1));
        StepVerifier.create(p.callIdempotent("x"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WorkerCrashedException.class)
                        .hasMessageContaining("died with signal 9 (SIGKILL)"))
                .verify(WAIT);
        assertThat(p.metrics().restarts(WorkerRestartCause.CRASH)).isEqualTo(2);
    }

    @Test
    void hangingWorkerTimesOutAndIsKilledAndReplaced() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of(PYTHON, "-u", "-c", SCRIPT)).sizeBetween(1, 1)
                .requestTimeout(Duration.ofMillis(800)));
        long pid = pidOf(p);
        StepVerifier.create(p.call("sleep"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessTimeoutException.class)
                        .hasMessageContaining("timed out after 800ms (RUN); process tree killed")
                        .hasMessageContaining("-u -c"))
                .verify(WAIT);
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)
                || OsProcesses.state(pid) == 'Z');
        assertThat(pidOf(p)).isNotEqualTo(pid);
        assertThat(p.metrics().restarts(WorkerRestartCause.TIMEOUT)).isEqualTo(1);
    }

    @Test
    void garbageReplyFailsWithProtocolErrorAndRecyclesTheWorker() {
        WorkerPool<String, String> p = python(1, 1);
        long pid = pidOf(p);
        StepVerifier.create(p.call("garbage"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WorkerProtocolException.class)
                        .hasMessageContaining("(pid " + pid + ") broke the protocol: malformed reply: reply line is "
                                + "not valid UTF-8")
                        .hasMessageEndingWith("; worker replaced"))
                .verify(WAIT);
        assertThat(pidOf(p)).isNotEqualTo(pid);
        assertThat(p.metrics().restarts(WorkerRestartCause.PROTOCOL_ERROR)).isEqualTo(1);
    }

    @Test
    void twoRepliesToOneRequestFailWithProtocolError() {
        WorkerPool<String, String> p = python(1, 1);
        long pid = pidOf(p);
        StepVerifier.create(p.call("twice"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WorkerProtocolException.class)
                        .hasMessage("worker '" + PYTHON + " -u -c '" + SCRIPT.replace("'", "'\\''") + "'' (pid " + pid
                                + ") broke the protocol: 2 replies to one request; worker replaced"))
                .verify(WAIT);
        assertThat(pidOf(p)).isNotEqualTo(pid);
    }

    @Test
    void unsolicitedOutputFromAnIdleWorkerRetiresIt() {
        WorkerPool<String, String> p = python(WorkerPool.builder(
                Command.shell("read l; echo \"$l\"; sleep 0.3; echo unsolicited; exec cat")).sizeBetween(0, 1));
        assertThat(p.call("x").block(WAIT)).isEqualTo("x");
        await().atMost(WAIT).until(() -> p.metrics().restarts(WorkerRestartCause.PROTOCOL_ERROR) == 1);
        assertThat(p.call("y").block(WAIT)).isEqualTo("y");
    }

    @Test
    void cancelledCallRetiresTheWorkerSoTheNextCallerNeverGetsItsReply() {
        WorkerPool<String, String> p = python(1, 1);
        long pid = pidOf(p);
        Disposable slow = p.call("slow").subscribe();
        await().atMost(WAIT).until(() -> p.metrics().acquired() == 1);
        slow.dispose();
        StepVerifier.create(p.call("pid"))
                .assertNext(r -> assertThat(r).isNotEqualTo("slow-reply").isNotEqualTo(Long.toString(pid)))
                .expectComplete()
                .verify(WAIT);
        assertThat(p.metrics().restarts(WorkerRestartCause.CANCELLED)).isEqualTo(1);
    }

    @Test
    void workerThatExitsAtStartFailsCallsThenStopsLaunchingAfterMaxStartAttempts() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.shell("echo boom >&2; exit 3"))
                .sizeBetween(0, 2).maxStartAttempts(3).startBackoff(Duration.ofMillis(300)));
        List<Throwable> errors = new ArrayList<>();
        await().atMost(WAIT).pollDelay(Duration.ZERO).until(() -> {
            Throwable e = p.call("x").then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
            errors.add(e);
            return e instanceof ProcessStartException;
        });
        assertThat(errors).hasSize(4);
        for (Throwable e : errors.subList(0, 3)) {
            assertThat(e).isInstanceOf(WorkerCrashedException.class)
                    .hasMessageContaining("died with exit 3")
                    .hasMessageContaining("stderr ends with: boom");
        }
        assertThat(errors.get(3)).isInstanceOf(ProcessStartException.class)
                .hasMessageStartingWith("worker 'sh -c 'echo boom >&2; exit 3'' failed to start 3 times in a row; "
                        + "not trying again for ")
                .hasMessageContaining("last failure: worker 'sh -c 'echo boom >&2; exit 3'' (pid ")
                .hasCauseInstanceOf(WorkerCrashedException.class);
        assertThat(p.metrics().started()).isEqualTo(3);
        assertThat(p.metrics().startFailures()).isEqualTo(3);
    }

    @Test
    void missingExecutableFailsCallsWithProcessStartException() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of("/nonexistent/worker")).sizeBetween(0, 1)
                .startBackoff(Duration.ofMillis(10)));
        StepVerifier.create(p.call("x"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessStartException.class)
                        .hasMessage("cannot start '/nonexistent/worker': executable /nonexistent/worker does not exist"))
                .verify(WAIT);
    }

    @Test
    void stderrIsDrainedWhileTheWorkerRuns() {
        WorkerPool<String, String> p = python(1, 1);
        StepVerifier.create(p.call("noisy"))
                .expectNext("quiet")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void workerIsRecycledAfterMaxRequests() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of(PYTHON, "-u", "-c", SCRIPT)).sizeBetween(0, 1)
                .maxRequestsPerWorker(2));
        long first = pidOf(p);
        assertThat(pidOf(p)).isEqualTo(first);
        assertThat(pidOf(p)).isNotEqualTo(first);
        assertThat(p.metrics().restarts(WorkerRestartCause.MAX_REQUESTS)).isEqualTo(1);
    }

    @Test
    void idleWorkerIsEvictedAfterMaxIdle() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of("cat")).sizeBetween(0, 1)
                .evictionIdle(Duration.ofMillis(200)));
        assertThat(p.call("a").block(WAIT)).isEqualTo("a");
        await().atMost(WAIT).until(() -> p.metrics().alive() == 0);
        assertThat(p.metrics().restarts(WorkerRestartCause.EVICTED)).isEqualTo(1);
        assertThat(p.call("b").block(WAIT)).isEqualTo("b");
    }

    @Test
    void withWorkerRunsSeveralCallsOnOneProcess() {
        WorkerPool<String, String> p = python(0, 2);
        List<String> pids = p.withWorker(w -> w.call("pid").concatWith(w.call("pid"))
                        .concatWith(Mono.just(Long.toString(w.pid()))))
                .collectList().block(WAIT);
        assertThat(pids).hasSize(3).containsOnly(pids.get(0));
        assertThat(p.metrics().acquired()).isZero();
    }

    @Test
    void secondConcurrentCallOnOneWorkerFails() {
        WorkerPool<String, String> p = python(0, 1);
        StepVerifier.create(p.withWorker(w -> Flux.merge(w.call("slow"), w.call("pid"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageEndingWith("is already handling a request: a worker takes one request at a time, "
                                + "compose calls in sequence"))
                .verify(WAIT);
    }

    @Test
    void closeWithBusyWorkersKillsThemAndFailsInFlightAndPendingCallers() {
        WorkerPool<String, String> p = python(2, 2);
        List<StepVerifier> verifiers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            verifiers.add(StepVerifier.create(p.call("sleep"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolClosedException.class)
                            .hasMessageContaining("worker pool '" + PYTHON + " -u -c"))
                    .verifyLater());
        }
        await().atMost(WAIT).until(() -> p.metrics().acquired() == 2 && p.metrics().pending() == 1);
        p.close();
        OsProcesses.assertNoLiveChildren("when close() returned");
        verifiers.forEach(v -> v.verify(WAIT));
        // dead when close() returned, reaped by NuProcess a moment later
        OsProcesses.awaitNoChildren();
        assertThat(p.metrics().alive()).isZero();
        StepVerifier.create(p.call("late"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolClosedException.class)
                        .hasMessageContaining("closed: the call was not run"))
                .verify(WAIT);
    }

    @Test
    void gracefulCloseLetsTheRequestInFlightFinishAndFailsWaitingCallers() {
        WorkerPool<String, String> p = python(1, 1);
        pidOf(p);
        StepVerifier slow = StepVerifier.create(p.call("slow")).expectNext("slow-reply").expectComplete()
                .verifyLater();
        StepVerifier waiting = StepVerifier.create(p.call("pid"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolClosedException.class)
                        .hasMessageEndingWith("closed: the call was not run"))
                .verifyLater();
        await().atMost(WAIT).until(() -> p.metrics().acquired() == 1 && p.metrics().pending() == 1);
        StepVerifier.create(p.disposeGracefully(Duration.ofSeconds(15))).expectComplete().verify(WAIT);
        OsProcesses.assertNoLiveChildren("when disposeGracefully() completed");
        slow.verify(WAIT);
        waiting.verify(WAIT);
        OsProcesses.awaitNoChildren();
    }

    @Test
    void gracefulCloseKillsARequestThatOutlivesTheDrainTimeout() {
        WorkerPool<String, String> p = python(1, 1);
        pidOf(p);
        StepVerifier hung = StepVerifier.create(p.call("sleep"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolClosedException.class)
                        .hasMessageEndingWith("closed: the request in flight was aborted"))
                .verifyLater();
        await().atMost(WAIT).until(() -> p.metrics().acquired() == 1);
        StepVerifier.create(p.disposeGracefully(Duration.ofMillis(300))).expectComplete().verify(WAIT);
        OsProcesses.assertNoLiveChildren("when disposeGracefully() completed");
        hung.verify(WAIT);
        OsProcesses.awaitNoChildren();
    }

    @Test
    void healthCheckReplacesAWorkerThatStoppedAnsweringWhileIdle() {
        Duration checkAfterIdle = Duration.ofMillis(100);
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of(PYTHON, "-u", "-c", SCRIPT)).sizeBetween(1, 1)
                .requestTimeout(Duration.ofMillis(1500))
                .healthCheck("ping", checkAfterIdle));
        long pid = pidOf(p);
        // the worker's idle time starts when its reply is read, so before this
        long answeredNanos = System.nanoTime();
        ProcessResult stop = engine.execute(Command.of("kill", "-STOP", Long.toString(pid))).block(WAIT);
        assertThat(stop.exitCode()).isZero();
        // the next call must find the worker stopped, back in the pool, and idle long enough to be health-checked
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> OsProcesses.state(pid) == 'T' && p.metrics().idle() == 1
                        && System.nanoTime() - answeredNanos >= checkAfterIdle.toNanos());
        long next = pidOf(p);
        assertThat(next).isNotEqualTo(pid);
        assertThat(p.metrics().restarts(WorkerRestartCause.TIMEOUT)).isEqualTo(1);
        assertThat(p.metrics().failed()).isEqualTo(1);
    }

    @Test
    void callerBeyondMaxPendingFailsAtOnceWithOverload() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of(PYTHON, "-u", "-c", SCRIPT)).sizeBetween(1, 1)
                .maxPendingAcquire(1));
        pidOf(p);
        StepVerifier busy = StepVerifier.create(p.call("slow")).expectNext("slow-reply").expectComplete()
                .verifyLater();
        await().atMost(WAIT).until(() -> p.metrics().acquired() == 1);
        StepVerifier waiting = StepVerifier.create(p.call("a")).expectNext("A").expectComplete().verifyLater();
        await().atMost(WAIT).until(() -> p.metrics().pending() == 1);
        StepVerifier.create(p.call("b"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessPoolOverloadedException.class)
                        .hasMessageContaining("overloaded: acquired=1/1, idle=0, pending=1 (maxPendingAcquire=1 reached)"))
                .verify(WAIT);
        busy.verify(WAIT);
        waiting.verify(WAIT);
    }

    @Test
    void workerIsReplacedAfterMaxLifetime() {
        WorkerPool<String, String> p = python(WorkerPool.builder(Command.of("cat")).sizeBetween(0, 1)
                .maxLifetime(Duration.ofMillis(300)));
        assertThat(p.call("a").block(WAIT)).isEqualTo("a");
        await().atMost(WAIT).until(() -> p.metrics().restarts(WorkerRestartCause.EVICTED) == 1
                && p.metrics().alive() == 0);
        assertThat(p.call("b").block(WAIT)).isEqualTo("b");
        assertThat(p.metrics().started()).isEqualTo(2);
    }

    static final String FRAME_SCRIPT = String.join("\n",
            "import sys",
            "r, w = sys.stdin.buffer, sys.stdout.buffer",
            "def readn(n):",
            "    b = b''",
            "    while len(b) < n:",
            "        c = r.read(n - len(b))",
            "        if not c: sys.exit(0)",
            "        b += c",
            "    return b",
            "while True:",
            "    data = readn(int.from_bytes(readn(4), 'big'))",
            "    w.write(len(data).to_bytes(4, 'big') + data[::-1]); w.flush()");

    static final String JSON_SCRIPT = String.join("\n",
            "import json, sys",
            "for line in sys.stdin:",
            "    req = json.loads(line)",
            "    rid, args = req['requestId'], req['arguments']",
            "    if args == ['wrong-id']: rid += 1",
            "    print(json.dumps({'requestId': rid, 'exitCode': len(args), 'output': ' '.join(args)}), flush=True)");

    @Test
    void lengthPrefixedBinaryFramesRoundTripWithSizesAndChecksumsIntact() {
        WorkerPool<byte[], byte[]> p = WorkerPool.builder(Command.of(PYTHON, "-u", "-c", FRAME_SCRIPT))
                .protocol(WorkerProtocol.lengthPrefixed()).sizeBetween(0, 2).build(engine);
        pool = p;
        java.util.Random random = new java.util.Random(7);
        List<byte[]> payloads = new ArrayList<>();
        for (int size : new int[] {0, 1, 255, 65_535, 65_536, 300_000}) {
            byte[] b = new byte[size];
            random.nextBytes(b);
            payloads.add(b);
        }
        List<byte[]> replies = Flux.fromIterable(payloads).concatMap(p::call).collectList().block(WAIT);
        assertThat(replies).hasSize(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            byte[] reversed = new byte[payloads.get(i).length];
            for (int j = 0; j < reversed.length; j++) {
                reversed[j] = payloads.get(i)[reversed.length - 1 - j];
            }
            assertThat(replies.get(i)).hasSize(reversed.length);
            assertThat(crc(replies.get(i))).isEqualTo(crc(reversed));
        }
    }

    @Test
    void jsonLinesMatchesRepliesByRequestIdAndRejectsAnotherId() {
        WorkerPool<JsonLinesProtocol.Request, JsonLinesProtocol.Response> p = WorkerPool.builder(Command.of(PYTHON, "-u", "-c", JSON_SCRIPT))
                .protocol(WorkerProtocol.jsonLines()).sizeBetween(0, 1).build(engine);
        pool = p;
        StepVerifier.create(p.call(JsonLinesProtocol.Request.of(41, List.of("a \"quoted\"", "line\nbreak"))))
                .expectNext(JsonLinesProtocol.Response.of(41, 2, "a \"quoted\" line\nbreak"))
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(p.call(JsonLinesProtocol.Request.of(42, List.of("wrong-id"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WorkerProtocolException.class)
                        .hasMessageContaining("broke the protocol: reply carries requestId 43 but the request in "
                                + "flight has requestId 42; worker replaced"))
                .verify(WAIT);
        assertThat(p.metrics().restarts(WorkerRestartCause.PROTOCOL_ERROR)).isEqualTo(1);
    }

    private static long crc(byte[] bytes) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
