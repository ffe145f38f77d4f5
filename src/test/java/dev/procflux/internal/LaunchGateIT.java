package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Stdin requests made on another thread while NuProcess is still inside {@code start()} (it registers stdout and
 * stderr with epoll after {@code onStart}): every run of {@code cat} must still see both pipes close and its exit,
 * however hard another thread asks to write meanwhile.
 */
class LaunchGateIT {
    private static final int RUNS = 200;

    private final Scheduler timer = Schedulers.newSingle("launch-gate-it-timer");
    private final List<Thread> askers = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Thread t : askers) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        timer.dispose();
    }

    @Test
    void stdinRequestsFromAnotherThreadDuringTheStartLoseNeitherPipeNorTheExit() {
        NuProcessLauncher launcher = new NuProcessLauncher(timer);
        List<CompletableFuture<String>> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runs.add(run(launcher, "line " + i + "\n"));
        }
        for (int i = 0; i < RUNS; i++) {
            CompletableFuture<String> run = runs.get(i);
            // a run whose stderr registration was overwritten never reports its exit
            assertThat(run).as("run %d of cat", i).succeedsWithin(Duration.ofSeconds(30))
                    .isEqualTo("line " + i + "\n" + "exit 0");
        }
    }

    /** Starts {@code cat} with {@code input} as stdin; the future completes with its stdout and exit at its exit. */
    private CompletableFuture<String> run(NuProcessLauncher launcher, String input) {
        CompletableFuture<String> result = new CompletableFuture<>();
        AtomicBoolean launched = new AtomicBoolean();
        ByteBuffer pending = ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        CountDownLatch asking = new CountDownLatch(1);
        AtomicReference<LaunchedProcess> self = new AtomicReference<>();
        ProcessListener listener = new ProcessListener() {
            @Override
            public void onStart(LaunchedProcess process) {
                self.set(process);
                // asks to write on another thread from here until launch() has returned
                Thread asker = new Thread(() -> {
                    while (!launched.get() && !Thread.currentThread().isInterrupted()) {
                        process.wantWrite();
                        asking.countDown();
                    }
                }, "launch-gate-it-asker");
                asker.setDaemon(true);
                askers.add(asker);
                asker.start();
                try {
                    assertThat(asking.await(10, TimeUnit.SECONDS)).isTrue();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onStdout(ByteBuffer buffer) {
                synchronized (out) {
                    out.append(StandardCharsets.UTF_8.decode(buffer));
                }
            }

            @Override
            public void onStderr(ByteBuffer buffer) {
                buffer.position(buffer.limit());
            }

            @Override
            public boolean onStdinReady(ByteBuffer buffer) {
                synchronized (pending) {
                    int n = Math.min(buffer.remaining(), pending.remaining());
                    ByteBuffer slice = pending.duplicate();
                    slice.limit(slice.position() + n);
                    buffer.put(slice);
                    pending.position(pending.position() + n);
                    buffer.flip();
                    if (!pending.hasRemaining()) {
                        self.get().closeStdin();
                    }
                    return pending.hasRemaining();
                }
            }

            @Override
            public void onExit(ExitStatus status) {
                synchronized (out) {
                    result.complete(out + "exit " + status.code());
                }
            }
        };
        launcher.launch(Command.of("cat").withStdin(input), listener);
        launched.set(true);
        return result;
    }
}
